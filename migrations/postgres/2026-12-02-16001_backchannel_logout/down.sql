DROP TABLE logout_deliveries;
DROP INDEX grants_sid;
ALTER TABLE grants DROP COLUMN sid;
ALTER TABLE sessions DROP COLUMN sid;
