-- One row per registration code Tarn agreed to send (whether or not the identifier already had an account, so
-- the counts reveal nothing), for the hourly limits per client address, per browser and per pool, and the lower
-- ones for SMS to numbers not sent a registration code within the hour. Rows older than an hour are purged.
CREATE TABLE registration_sends (
    id TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    client_address TEXT NOT NULL,
    browser_hash TEXT,
    recipient_hash TEXT NOT NULL,
    is_new_number BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX registration_sends_address ON registration_sends (client_address, created_at);
CREATE INDEX registration_sends_browser ON registration_sends (browser_hash, created_at);
CREATE INDEX registration_sends_pool ON registration_sends (pool_id, created_at);
CREATE INDEX registration_sends_recipient ON registration_sends (recipient_hash, created_at);
