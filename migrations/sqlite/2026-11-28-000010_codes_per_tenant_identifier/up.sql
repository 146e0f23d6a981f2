-- The code-send throttle counts per identifier across every workspace of a tenant (a pool connected to several
-- workspaces gives no more sends), so it looks codes up without the workspace.
CREATE INDEX verification_codes_tenant_identifier ON verification_codes (tenant_id, identifier, created_at);
