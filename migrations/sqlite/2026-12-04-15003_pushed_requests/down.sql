ALTER TABLE workspaces DROP COLUMN require_pushed_authorization_requests;
DROP TABLE used_request_objects;
DROP TABLE pushed_requests;
