-- The service role may no longer write the chain itself. Sequencing runs in audit_sequence(), a
-- SECURITY DEFINER function owned by the schema owner: it alone assigns sequence numbers and
-- computes hashes, from what is queued. So the service cannot insert an event with a chosen
-- seq or hash into audit_event, nor drop queued entries before they are chained (protocol
-- art. 7.2: each party must be able to prove the measures were taken).

-- "<length in bytes>:<bytes>," (a netstring), as in the README's canonical form.
CREATE FUNCTION audit_netstring(field text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
  SELECT convert_to(octet_length(convert_to(field, 'UTF8'))::text || ':', 'UTF8')
         || convert_to(field, 'UTF8') || convert_to(',', 'UTF8')
$$;

-- The canonical bytes of an event, format 1 (server/domain/audit.cc canonical_bytes).
CREATE FUNCTION audit_canonical_v1(seq bigint, event_time timestamptz, principal text,
                                   party text, action text, subject text, related text,
                                   details text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, public AS $$
  SELECT audit_netstring(seq::text)
         || audit_netstring(to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
         || audit_netstring(principal) || audit_netstring(party) || audit_netstring(action)
         || audit_netstring(subject) || audit_netstring(related) || audit_netstring(details)
$$;

-- Moves up to max_entries queued entries, oldest first, into the chain; returns how many.
-- Without wait it returns 0 at once when another sequencer holds the lock.
CREATE FUNCTION audit_sequence(max_entries integer, wait boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_seq bigint;
  prev bytea;
  entry record;
  event_time timestamptz;
  moved integer := 0;
BEGIN
  -- The key every termijnd used before this function existed ("audit" in ASCII).
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
    -- The canonical form has whole seconds.
    event_time := date_trunc('second', entry.time);
    INSERT INTO audit_event (seq, time, principal, party, action, subject, related, details,
                             prev_hash, hash)
    VALUES (last_seq, event_time, entry.principal, entry.party, entry.action, entry.subject,
            entry.related, entry.details, prev,
            sha256(prev || audit_canonical_v1(last_seq, event_time, entry.principal,
                                              entry.party, entry.action, entry.subject,
                                              entry.related, entry.details)))
    RETURNING hash INTO prev;
    DELETE FROM audit_queue WHERE id = entry.id;
    moved := moved + 1;
  END LOOP;
  RETURN moved;
END
$$;

REVOKE ALL ON FUNCTION audit_sequence(integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_sequence(integer, boolean) TO termijn_service;

REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event FROM termijn_service;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_queue FROM termijn_service;
