-- The live classroom: each class's students as their notebooks report them, with the
-- counters the dashboard reads (kept up to date as events arrive, never recounted from
-- the events), and the cell events themselves, kept lean for fast inserts.
CREATE TABLE classroom_students (
    id               INTEGER PRIMARY KEY,
    class_id         TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    team             TEXT,
    executions       BIGINT NOT NULL DEFAULT 0,
    errors           BIGINT NOT NULL DEFAULT 0,
    -- Failed executions in a row; three mark the student as struggling (S2.12).
    error_streak     BIGINT NOT NULL DEFAULT 0,
    current_notebook TEXT,
    last_error       TEXT,
    last_activity_at TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (class_id, email)
);

CREATE TABLE cell_events (
    id              INTEGER PRIMARY KEY,
    student_id      BIGINT NOT NULL REFERENCES classroom_students (id) ON DELETE CASCADE,
    -- The client's event_id: a retry with the same one is stored once.
    event_key       TEXT,
    kind            TEXT NOT NULL,
    notebook_path   TEXT NOT NULL,
    cell_id         TEXT NOT NULL,
    cell_type       TEXT,
    execution_count BIGINT,
    failed          BOOLEAN,
    error_type      TEXT,
    error_message   TEXT,
    code            TEXT,
    output          TEXT,
    truncated       BOOLEAN NOT NULL DEFAULT FALSE,
    execution_ms    BIGINT,
    occurred_at     TEXT NOT NULL,
    received_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX cell_events_key ON cell_events (student_id, event_key);
CREATE INDEX cell_events_student_time ON cell_events (student_id, occurred_at);
