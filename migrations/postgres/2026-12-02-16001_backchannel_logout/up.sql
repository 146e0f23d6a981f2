-- Back-channel logout (OpenID Connect Back-Channel Logout 1.0). A session gets a public id, `sid`, that its ID
-- tokens carry; a grant remembers the session it was issued in, so the clients that took part in a session are
-- known when it ends, and that session's refresh tokens can be revoked. Logout tokens wait in
-- `logout_deliveries` for the background worker: signed when sent (fresh `iat`/`exp` per attempt), retried with
-- a doubling pause until `expires_at`; `claimed_by`/`claimed_until` are the same lease as in `deliveries`.
ALTER TABLE sessions ADD COLUMN sid TEXT;
ALTER TABLE grants ADD COLUMN sid TEXT;
CREATE INDEX grants_sid ON grants (sid);
CREATE TABLE logout_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    sub TEXT NOT NULL,
    sid TEXT,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at);
