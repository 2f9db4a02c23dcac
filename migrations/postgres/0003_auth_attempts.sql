-- Attempts counted for abuse limits (S1.8): sign-in failures, registrations, resets.
CREATE TABLE auth_attempts (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_attempts_lookup ON auth_attempts (kind, key, at);
