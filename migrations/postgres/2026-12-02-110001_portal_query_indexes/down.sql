-- differs from sqlite: it also drops the "C" collation indexes of the identifier columns.
DROP INDEX pool_groups_parent;
DROP INDEX invitations_user_created;
DROP INDEX users_pool_family_name;
DROP INDEX users_pool_given_name;
DROP INDEX users_pool_name;
DROP INDEX users_pool_mobile_c;
DROP INDEX users_pool_email_c;
DROP INDEX users_pool_status_created;
