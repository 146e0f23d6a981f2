-- Self-registrations waiting for their identifier to be verified with a code (the code lives in
-- verification_codes under the same id). The user is created only once the code is entered.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    email TEXT,
    mobile TEXT,
    payload TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
