-- Accounts and their browser sessions.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    password_hash  TEXT,
    auth_type      TEXT NOT NULL DEFAULT 'manual' CHECK (auth_type IN ('manual', 'temp', 'kakao')),
    kakao_id       TEXT UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('student', 'instructor', 'admin', 'super_admin')),
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'pending', 'archived')),
    grade_level    INTEGER CHECK (grade_level BETWEEN 9 AND 12),
    authorizations TEXT NOT NULL DEFAULT '[]',
    -- Rotated when a password changes or an account is suspended: every session signed
    -- in under the old value stops being valid.
    security_stamp TEXT NOT NULL,
    last_login_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT,
    updated_at     TIMESTAMPTZ NOT NULL,
    updated_by     TEXT,
    deleted_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    data         TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
