-- Audit chain format 2: a per-event leaf digest, chained by hash, as Certificate Transparency
-- does, so that an export may show another party's events as digests only and still verify:
--
--   leaf(n) = SHA-256(audit_canonical_v2(event n))
--   hash(n) = SHA-256(hash(n-1) || leaf(n))
--
-- audit_canonical_v2 starts with a netstring naming the format and carries a random nonce, so
-- that a leaf does not reveal its event to whoever guesses the content. Events chained before
-- this migration keep format 1 (hash(n) = SHA-256(hash(n-1) || audit_canonical_v1(event n))) and
-- verify as they are; every event sequenced from now on has format 2. The C++ side is
-- server/domain/audit.cc (canonical_bytes_v2); tests check that both agree.

ALTER TABLE audit_event ADD COLUMN format smallint NOT NULL DEFAULT 1 CHECK (format IN (1, 2));
ALTER TABLE audit_event ALTER COLUMN format DROP DEFAULT;
ALTER TABLE audit_event ADD COLUMN nonce text NOT NULL DEFAULT '';
ALTER TABLE audit_event ADD COLUMN leaf bytea;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_leaf CHECK (
  CASE format WHEN 1 THEN leaf IS NULL AND nonce = ''
              ELSE length(leaf) = 32 AND nonce ~ '^[0-9a-f]{32}$' END);

-- The canonical bytes of an event, format 2 (server/domain/audit.cc canonical_bytes_v2).
CREATE FUNCTION audit_canonical_v2(seq bigint, event_time timestamptz, nonce text,
                                   principal text, party text, action text, subject text,
                                   related text, details text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, public AS $$
  SELECT audit_netstring('termijn-audit-event 2') || audit_netstring(seq::text)
         || audit_netstring(to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
         || audit_netstring(nonce) || audit_netstring(principal) || audit_netstring(party)
         || audit_netstring(action) || audit_netstring(subject) || audit_netstring(related)
         || audit_netstring(details)
$$;

-- As in 0005, with format 2 for every event it chains from now on.
CREATE OR REPLACE FUNCTION audit_sequence(max_entries integer, wait boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_seq bigint;
  prev bytea;
  entry record;
  event_time timestamptz;
  event_nonce text;
  event_leaf bytea;
  moved integer := 0;
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
  FOR entry IN SELECT * FROM audit_queue ORDER BY id LIMIT max_entries LOOP
    last_seq := last_seq + 1;
    event_time := date_trunc('second', entry.time);
    -- 122 random bits from the server's strong random source.
    event_nonce := replace(gen_random_uuid()::text, '-', '');
    event_leaf := sha256(audit_canonical_v2(last_seq, event_time, event_nonce, entry.principal,
                                            entry.party, entry.action, entry.subject,
                                            entry.related, entry.details));
    INSERT INTO audit_event (seq, time, principal, party, action, subject, related, details,
                             prev_hash, hash, format, nonce, leaf)
    VALUES (last_seq, event_time, entry.principal, entry.party, entry.action, entry.subject,
            entry.related, entry.details, prev, sha256(prev || event_leaf), 2, event_nonce,
            event_leaf)
    RETURNING hash INTO prev;
    DELETE FROM audit_queue WHERE id = entry.id;
    moved := moved + 1;
  END LOOP;
  RETURN moved;
END
$$;

-- The party a record belongs to, by resource name: an incident's or request's party, an
-- obligation's owner, a notification's obligation owner or, for a checkpoint mail, its
-- recipient. NULL for any other name.
CREATE FUNCTION audit_record_party(name text) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = public, pg_temp AS $$
  SELECT CASE split_part(name, '/', 1)
    WHEN 'incidents' THEN (SELECT i.party FROM incident i WHERE i.id = parsed.id)
    WHEN 'requests' THEN (SELECT r.party FROM request r WHERE r.id = parsed.id)
    WHEN 'obligations' THEN (SELECT o.owner_party FROM obligation o WHERE o.id = parsed.id)
    WHEN 'notifications' THEN (
      SELECT coalesce(o.owner_party, n.recipient_party) FROM notification n
      LEFT JOIN obligation o ON o.id = n.obligation_id WHERE n.id = parsed.id)
    END
  FROM (SELECT CASE WHEN name ~ '^[a-z]+/[0-9]{1,18}$' THEN split_part(name, '/', 2)::bigint
               END AS id) AS parsed
$$;

-- The party an event belongs to, for party-scoped reads: the actor's party or, for the
-- service's own events (party ''), the party of the record they concern (`related`, else
-- `subject`); '' when none.
CREATE FUNCTION audit_event_party(party text, subject text, related text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN party <> '' THEN party
              ELSE coalesce(audit_record_party(related), audit_record_party(subject), '') END
$$;
GRANT EXECUTE ON FUNCTION audit_record_party(text), audit_event_party(text, text, text)
  TO termijn_service;
