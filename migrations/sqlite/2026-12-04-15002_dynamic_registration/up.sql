-- Dynamic client registration (RFC 7591) and its management (RFC 7592). A workspace's `dynamic_registration`
-- is `off`, `open` or `initial_access_token`. Initial access tokens are kept as SHA-256 with how many
-- registrations they still allow; `client_registrations` holds the registration access token (SHA-256) of each
-- client made by registration (only those have one); `registration_requests` remembers where each open
-- registration came from for an hour, for the per-address limit.
ALTER TABLE workspaces ADD COLUMN dynamic_registration TEXT NOT NULL DEFAULT 'off';
CREATE TABLE initial_access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    uses BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX initial_access_tokens_workspace ON initial_access_tokens (tenant_id, workspace_id, created_at);
CREATE TABLE client_registrations (
    client_id TEXT PRIMARY KEY NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE registration_requests (
    id TEXT PRIMARY KEY NOT NULL,
    client_address TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX registration_requests_address ON registration_requests (client_address, created_at);
