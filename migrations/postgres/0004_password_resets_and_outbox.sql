-- Password reset links (S1.3): only a hash of each token is kept; single use, one hour.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Mail Lectern sends. Without SMTP configured, messages stay here for an administrator
-- to read and pass on; with SMTP, sent_at records delivery.
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY NOT NULL,
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at    TIMESTAMPTZ,
    error      TEXT
);
CREATE INDEX outbox_created ON outbox (created_at);
