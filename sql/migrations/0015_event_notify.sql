-- The event stream (WatchEvents) follows the audit trail: every commit that chains events wakes
-- the streams waiting on channel termijn_events, in every termijnd on this database. NOTIFY
-- sends one notification per transaction and channel, however many events it chained.
CREATE FUNCTION audit_event_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('termijn_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER audit_event_announce AFTER INSERT ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_announce();
