-- The audit trail: one row per recorded event, written in the same transaction as the change it records.
-- `occurred_at` is unix milliseconds. Actor, subject and outcome come from closed catalogues in the code;
-- `details` is a JSON object of field names and non-secret values (never a request body). No foreign keys:
-- an event outlives the user, pool or tenant it names, until retention (TARN_AUDIT_RETENTION_DAYS) purges it.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    subject_type TEXT,
    subject_id TEXT,
    workspace_id TEXT,
    pool_id TEXT,
    client_id TEXT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_tenant_type ON audit_events (tenant_id, event_type, occurred_at DESC);
CREATE INDEX audit_events_tenant_actor ON audit_events (tenant_id, actor_id, occurred_at DESC);
CREATE INDEX audit_events_tenant_subject ON audit_events (tenant_id, subject_id, occurred_at DESC);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
