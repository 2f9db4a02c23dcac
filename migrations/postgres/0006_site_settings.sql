-- Settings administrators change at run time (sign-up policy, ...).
CREATE TABLE site_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT
);
