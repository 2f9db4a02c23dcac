-- The help desk (seed 002's help requests) and instructor presence (seed 000's status
-- and status history).

-- A student's request for help in a class, with the context the instructor reads
-- before walking over (S2.13). At most one is open (pending or in progress) per
-- student and class.
CREATE TABLE help_requests (
    id            TEXT PRIMARY KEY NOT NULL,
    class_id      TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    student_email TEXT NOT NULL,
    student_name  TEXT NOT NULL DEFAULT '',
    team          TEXT,
    message       TEXT NOT NULL DEFAULT '',
    notebook_path TEXT,
    cell_id       TEXT,
    code          TEXT,
    last_error    TEXT,
    priority      TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'resolved', 'cancelled')),
    -- Where it came from: the notebook client, the JupyterLab extension or a page.
    source        TEXT NOT NULL,
    instructor_id TEXT REFERENCES users (id),
    response      TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    taken_at      TIMESTAMPTZ,
    closed_at     TIMESTAMPTZ,
    closed_by     TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX help_requests_one_open ON help_requests (class_id, student_email)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX help_requests_class ON help_requests (class_id, status, created_at);
CREATE INDEX help_requests_instructor ON help_requests (instructor_id, status);

-- Each instructor's current status; a `break` may end by itself at `break_until`.
CREATE TABLE instructor_presence (
    user_id           TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status            TEXT NOT NULL CHECK (status IN ('available', 'in_session', 'break', 'offline')),
    status_updated_at TIMESTAMPTZ NOT NULL,
    break_until       TIMESTAMPTZ,
    help_request_id   TEXT REFERENCES help_requests (id) ON DELETE SET NULL
);

-- One row per stretch of a status; the open one has no `ended_at`.
CREATE TABLE instructor_status_history (
    id               BIGSERIAL PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    help_request_id  TEXT REFERENCES help_requests (id) ON DELETE SET NULL,
    student_email    TEXT,
    started_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ,
    duration_seconds BIGINT
);
CREATE INDEX instructor_status_history_user ON instructor_status_history (user_id, started_at);

-- Whether the student has a help request open: their tile shows `help` (SPEC §5.3).
ALTER TABLE classroom_students ADD COLUMN help_open BOOLEAN NOT NULL DEFAULT FALSE;
