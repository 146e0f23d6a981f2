-- Device authorization grant (RFC 8628). A row per device_authorization request: the device code and the user
-- code are kept only as SHA-256 hashes (the user code of its normalised form, unique so that typing it finds one
-- request). `id` is the handle the user page passes between its steps. `status` is pending, approved, denied or
-- redeemed; an approval records the grant (user, scope, session) the device's tokens come from. Polling keeps
-- `last_polled_at` and the `poll_interval` the client must respect (raised by slow_down).
CREATE TABLE device_codes (
    device_code_hash TEXT PRIMARY KEY NOT NULL,
    user_code_hash TEXT NOT NULL UNIQUE,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    grant_id TEXT,
    poll_interval BIGINT NOT NULL,
    last_polled_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX device_codes_expires_at ON device_codes (expires_at);
