-- A registration waiting for its passkey is bound to the browser that entered its code, not only to its
-- authorization request: `browser_hash` is the SHA-256 of that browser's CSRF cookie value.
ALTER TABLE registrations ADD COLUMN browser_hash TEXT;
