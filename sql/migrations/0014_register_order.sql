-- The registers read a party's records page by page in order of awareness (receipt), keyed on
-- (time, id): with these indexes each page reads its own rows only, whatever the register's size.
CREATE INDEX incident_party_aware ON incident (party, aware_time, id);
CREATE INDEX request_party_receive ON request (party, receive_time, id);
