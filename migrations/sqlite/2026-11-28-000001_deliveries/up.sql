-- Messages waiting for the background delivery worker: the codes of the anonymous flows (sign-in, password reset,
-- registration), queued in the request that issued the code and sent after it answered. A row holds a live code
-- in its bodies, so it lives only until the message is delivered, given up on, or its code expires (`expires_at`).
-- `claimed_by`/`claimed_until` are a lease: an instance takes a row with a conditional UPDATE, so two instances
-- sharing the database never send one message both; a lease that runs out (a crash mid-send) frees the row again.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);
