-- Courses, their classes (cohorts), lectures, attendance, certificates, the interest
-- catalogue and instructors' requests for student accounts (seed 001, seed 003).
CREATE TABLE courses (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keyword     TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT REFERENCES users (id)
);
CREATE INDEX courses_created ON courses (created_at);

CREATE TABLE classes (
    id            TEXT PRIMARY KEY,
    course_id     TEXT NOT NULL REFERENCES courses (id),
    title         TEXT NOT NULL,
    subject       TEXT NOT NULL,
    lecturer_info TEXT NOT NULL DEFAULT '',
    date_info     TEXT NOT NULL DEFAULT '',
    begins_on     DATE,
    ends_on       DATE,
    join_code     TEXT NOT NULL UNIQUE,
    join_approval BOOLEAN NOT NULL DEFAULT FALSE,
    -- Write-only credential of the notebook client for this class; shown to its
    -- instructors, so it is stored as is.
    ingest_token  TEXT NOT NULL UNIQUE,
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT REFERENCES users (id),
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT REFERENCES users (id)
);
CREATE INDEX classes_course ON classes (course_id);

CREATE TABLE class_instructors (
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT REFERENCES users (id),
    PRIMARY KEY (class_id, user_id)
);
CREATE INDEX class_instructors_user ON class_instructors (user_id);

-- A student in a class: `pending` waits for an instructor when the class asks for
-- approval; `enrolled_at` is when the student became active (absences count from then).
CREATE TABLE enrollments (
    class_id    TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    status      TEXT NOT NULL CHECK (status IN ('active', 'pending')),
    enrolled_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    PRIMARY KEY (class_id, user_id)
);
CREATE INDEX enrollments_user ON enrollments (user_id);

CREATE TABLE lectures (
    id                 TEXT PRIMARY KEY,
    class_id           TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    sequence           BIGINT NOT NULL,
    starts_at          TIMESTAMPTZ NOT NULL,
    duration_minutes   BIGINT NOT NULL,
    attendance_type    TEXT NOT NULL CHECK (attendance_type IN ('manual', 'self_check_in')),
    -- Set while self check-in is open: the rotating code is derived from the secret.
    checkin_secret     TEXT,
    checkin_open_until TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    created_by         TEXT REFERENCES users (id),
    updated_at         TIMESTAMPTZ NOT NULL,
    updated_by         TEXT REFERENCES users (id),
    UNIQUE (class_id, sequence)
);
CREATE INDEX lectures_starts ON lectures (starts_at);

CREATE TABLE attendances (
    lecture_id    TEXT NOT NULL REFERENCES lectures (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id),
    status        TEXT NOT NULL CHECK (status IN ('present', 'absent', 'late')),
    detail_type   TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    checked_in_at TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT REFERENCES users (id),
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT REFERENCES users (id),
    PRIMARY KEY (lecture_id, user_id)
);
CREATE INDEX attendances_user ON attendances (user_id);

CREATE TABLE certifications (
    id         TEXT PRIMARY KEY,
    course_id  TEXT NOT NULL REFERENCES courses (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    -- JSON list of the completed classes' ids.
    class_ids  TEXT NOT NULL,
    issued_at  TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT REFERENCES users (id),
    UNIQUE (course_id, user_id)
);
CREATE INDEX certifications_user ON certifications (user_id);

CREATE TABLE interests (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT REFERENCES users (id)
);

CREATE TABLE user_interests (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interest_id TEXT NOT NULL REFERENCES interests (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, interest_id)
);

CREATE TABLE account_requests (
    id         TEXT PRIMARY KEY,
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    user_id    TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT REFERENCES users (id)
);
CREATE INDEX account_requests_status ON account_requests (status, created_at);
