DROP TABLE registration_requests;
DROP TABLE client_registrations;
DROP TABLE initial_access_tokens;
ALTER TABLE workspaces DROP COLUMN dynamic_registration;
