ALTER TABLE registrations DROP COLUMN request_id;
ALTER TABLE registrations DROP COLUMN verified_at;
