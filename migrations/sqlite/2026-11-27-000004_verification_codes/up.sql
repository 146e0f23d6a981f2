-- One-time verification codes (sign-in by code). The code is stored as a SHA-256 hash; `user_id` is NULL for the
-- decoy challenge an unknown identifier gets, so the page cannot tell known from unknown identifiers.
CREATE TABLE verification_codes (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX verification_codes_identifier ON verification_codes (tenant_id, workspace_id, identifier, created_at);
