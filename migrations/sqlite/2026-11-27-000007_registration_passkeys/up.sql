-- A self-registration without a password, in a pool offering passkeys, waits after its code for the passkey:
-- `verified_at` records that the code was entered, `request_id` the authorization request of the browser that
-- entered it (only that request may finish the registration).
ALTER TABLE registrations ADD COLUMN verified_at BIGINT;
ALTER TABLE registrations ADD COLUMN request_id TEXT;
