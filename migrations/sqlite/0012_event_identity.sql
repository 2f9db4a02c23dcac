-- One index per student's events instead of two. A retry resends the same event, so it
-- carries the same time as well as the same event_id: the writer finds it by
-- (student, time, id hash), at the student's latest events. The index of id hashes alone
-- (0011) put every new event in a random leaf of an index as large as all the events
-- ever stored, so its leaves fell out of the writer's cache as the table grew; now each
-- student's new events go to the one leaf that holds their latest, whatever the size of
-- the table.
DROP INDEX cell_events_key;
DROP INDEX cell_events_student_time;
CREATE INDEX cell_events_student_time ON cell_events (student_id, occurred_at, key_hash);
