-- Consent (OIDC Core §3.1.2.4): what a user allowed a client to receive, one row per user and client, the
-- scopes space-separated (the union of every Allow). `id` and `created_at` order the lists (keyset paging).
-- Client metadata `require_consent`, `logo_uri`, `policy_uri` and `tos_uri` live in the clients' metadata JSON.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, client_id)
);
CREATE INDEX consents_client ON consents (client_id);
