-- OpenID Provider state: signing keys, authorization requests, sessions, grants, codes, refresh tokens,
-- revoked token ids, client-assertion replay guard, sign-in failure counters. Secrets are stored as SHA-256 hashes.

ALTER TABLE workspaces ADD COLUMN access_token_ttl BIGINT NOT NULL DEFAULT 3600;
ALTER TABLE workspaces ADD COLUMN id_token_ttl BIGINT NOT NULL DEFAULT 3600;
ALTER TABLE workspaces ADD COLUMN refresh_token_ttl BIGINT NOT NULL DEFAULT 2592000;
ALTER TABLE workspaces ADD COLUMN session_ttl BIGINT NOT NULL DEFAULT 43200;

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    alg TEXT NOT NULL,
    private_der TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX signing_keys_workspace ON signing_keys (tenant_id, workspace_id);

CREATE TABLE authorization_requests (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    parameters TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    nonce TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX grants_user ON grants (user_id);

CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE used_client_assertions (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
