-- audit_sequence() chains a batch with two statements instead of three per event. The leaves of
-- the batch's events (their sequence numbers are known in advance: the last one plus their rank)
-- are computed by one query; the loop only chains the hashes, in variables; then one INSERT
-- adds the events and one DELETE takes them from the queue. The chain is the same as before:
-- hash(n) = SHA-256(hash(n-1) || leaf(n)), leaf(n) = SHA-256(audit_canonical_v2(event n)). The
-- statement trigger that announces new events (0015) now fires once per batch, not per event.

CREATE OR REPLACE FUNCTION audit_sequence(max_entries integer, wait boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_seq bigint;
  prev bytea;
  entry record;
  ids bigint[] := '{}';
  seqs bigint[] := '{}';
  times timestamptz[] := '{}';
  principals text[] := '{}';
  parties text[] := '{}';
  actions text[] := '{}';
  subjects text[] := '{}';
  relateds text[] := '{}';
  details_list text[] := '{}';
  prev_hashes bytea[] := '{}';
  hashes bytea[] := '{}';
  nonces text[] := '{}';
  leaves bytea[] := '{}';
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(6175646974);
  ELSIF NOT pg_try_advisory_xact_lock(6175646974) THEN
    RETURN 0;
  END IF;
  SELECT seq, hash INTO last_seq, prev FROM audit_event ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    last_seq := 0;
    prev := decode(repeat('00', 32), 'hex');
  END IF;
  FOR entry IN
    SELECT e.*, sha256(audit_canonical_v2(e.seq, e.event_time, e.nonce, e.principal, e.party,
                                          e.action, e.subject, e.related, e.details)) AS leaf
    FROM (SELECT q.id, last_seq + row_number() OVER (ORDER BY q.id) AS seq,
                 date_trunc('second', q.time) AS event_time,
                 -- 122 random bits from the server's strong random source.
                 replace(gen_random_uuid()::text, '-', '') AS nonce,
                 q.principal, q.party, q.action, q.subject, q.related, q.details
          FROM (SELECT * FROM audit_queue ORDER BY id LIMIT max_entries) q) e
    ORDER BY e.seq
  LOOP
    ids := ids || entry.id;
    seqs := seqs || entry.seq;
    times := times || entry.event_time;
    principals := principals || entry.principal;
    parties := parties || entry.party;
    actions := actions || entry.action;
    subjects := subjects || entry.subject;
    relateds := relateds || entry.related;
    details_list := details_list || entry.details;
    prev_hashes := prev_hashes || prev;
    prev := sha256(prev || entry.leaf);
    hashes := hashes || prev;
    nonces := nonces || entry.nonce;
    leaves := leaves || entry.leaf;
  END LOOP;
  IF cardinality(ids) = 0 THEN
    RETURN 0;
  END IF;
  INSERT INTO audit_event (seq, time, principal, party, action, subject, related, details,
                           prev_hash, hash, format, nonce, leaf)
  SELECT s, t, p, pa, a, su, r, d, ph, h, 2, n, l
  FROM unnest(seqs, times, principals, parties, actions, subjects, relateds, details_list,
              prev_hashes, hashes, nonces, leaves) AS u(s, t, p, pa, a, su, r, d, ph, h, n, l)
  ORDER BY s;
  DELETE FROM audit_queue WHERE id = ANY (ids);
  RETURN cardinality(ids);
END
$$;
