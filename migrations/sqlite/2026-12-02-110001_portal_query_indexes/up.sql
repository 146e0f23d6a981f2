-- The queries of the portal's Users and Groups pages (src/store/user_search.rs, src/store/membership.rs).
-- Status filter with the list's keyset order, so a filtered first page reads only its rows.
CREATE INDEX users_pool_status_created ON users (pool_id, status, created_at, id);
-- Name search: a prefix of the lower-cased name, given or family name of the payload, matched as a range on
-- exactly these expressions. Identifier prefixes use the UNIQUE (pool_id, email) and (pool_id, mobile) indexes.
CREATE INDEX users_pool_name ON users (pool_id, lower(json_extract(payload, '$.name')));
CREATE INDEX users_pool_given_name ON users (pool_id, lower(json_extract(payload, '$.given_name')));
CREATE INDEX users_pool_family_name ON users (pool_id, lower(json_extract(payload, '$.family_name')));
-- A user's latest invitation (its state is the user's invitation state).
CREATE INDEX invitations_user_created ON invitations (user_id, created_at, id);
-- A group's sub-groups, and the sub-groups a deletion moves to the top level.
CREATE INDEX pool_groups_parent ON pool_groups (parent_id);
