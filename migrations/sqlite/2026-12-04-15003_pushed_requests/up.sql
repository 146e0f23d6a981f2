-- Pushed authorization requests (RFC 9126) and request objects (RFC 9101).
-- `pushed_requests` holds each pushed request's parameters (JSON, as validated at the PAR endpoint) under the
-- SHA-256 of its `request_uri`, for the client that pushed it, until `expires_at` (60 s); taking one deletes it.
-- `used_request_objects` remembers each request object's `jti` (with the client id, hashed) until it expires, so
-- a replay fails on every instance. A workspace may require every authorization request to be pushed.
CREATE TABLE pushed_requests (
    id_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    parameters TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pushed_requests_client ON pushed_requests (client_id);
CREATE TABLE used_request_objects (
    id_hash TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
ALTER TABLE workspaces ADD COLUMN require_pushed_authorization_requests BOOLEAN NOT NULL DEFAULT FALSE;
