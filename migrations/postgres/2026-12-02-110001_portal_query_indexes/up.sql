-- differs from sqlite: PostgreSQL reads the payload as jsonb, and the prefix ranges compare in the "C" collation
-- (byte order, whatever the database's collation), so the identifier columns get "C" indexes of their own.
-- The queries of the portal's Users and Groups pages (src/store/user_search.rs, src/store/membership.rs).
CREATE INDEX users_pool_status_created ON users (pool_id, status, created_at, id);
CREATE INDEX users_pool_email_c ON users (pool_id, (email COLLATE "C"));
CREATE INDEX users_pool_mobile_c ON users (pool_id, (mobile COLLATE "C"));
CREATE INDEX users_pool_name ON users (pool_id, (lower(payload::jsonb ->> 'name') COLLATE "C"));
CREATE INDEX users_pool_given_name ON users (pool_id, (lower(payload::jsonb ->> 'given_name') COLLATE "C"));
CREATE INDEX users_pool_family_name ON users (pool_id, (lower(payload::jsonb ->> 'family_name') COLLATE "C"));
CREATE INDEX invitations_user_created ON invitations (user_id, created_at, id);
CREATE INDEX pool_groups_parent ON pool_groups (parent_id);
