ALTER TABLE registrations DROP COLUMN browser_hash;
