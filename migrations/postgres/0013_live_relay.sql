-- Live messages too large for NOTIFY's payload (8,000 bytes), for the other instances
-- sharing this database; the notice carries the row's id. Kept a minute.
CREATE TABLE live_relay (
    id         BIGSERIAL PRIMARY KEY,
    payload    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
