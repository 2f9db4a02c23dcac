-- The idempotency index holds a hash of each event's client id instead of the id's text
-- (up to 100 characters; a UUID is 36). Ids arrive in random order, so every event lands
-- in a random leaf of that index: at a third of the size, far more of it stays in the
-- writer's cache. The writer compares the text on a hash match, so two ids with the same
-- hash are both stored. It computes `key_hash` (`writer::sqlite::key_hash`) for new events
-- and, once, for the events listed in `cell_event_key_hashes` below.
ALTER TABLE cell_events ADD COLUMN key_hash BIGINT;
DROP INDEX cell_events_key;
CREATE INDEX cell_events_key ON cell_events (student_id, key_hash) WHERE key_hash IS NOT NULL;

-- Events stored before this migration, whose hash the writer fills in when it starts.
CREATE TABLE cell_event_key_hashes (event_id INTEGER PRIMARY KEY);
INSERT INTO cell_event_key_hashes (event_id) SELECT id FROM cell_events WHERE event_key IS NOT NULL;
