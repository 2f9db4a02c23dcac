-- One index per student's events instead of two. A retry resends the same event, so it
-- carries the same time as well as the same event_id: the writer finds it by
-- (student, time, id), at the student's latest events, as SQLite's writer does.
DROP INDEX cell_events_key;
DROP INDEX cell_events_student_time;
CREATE UNIQUE INDEX cell_events_student_time ON cell_events (student_id, occurred_at, event_key);
