-- The dev outbox: messages kept (and logged) instead of sent while their channel is not configured,
-- listed newest first per tenant by the admin API.

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_tenant_created ON outbox (tenant_id, created_at, id);
