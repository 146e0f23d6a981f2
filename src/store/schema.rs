//! Diesel table definitions shared by both backends (portable types only: text ids, BIGINT unix seconds, JSON as text).

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    tenants (id) {
        id -> Text,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    schemas (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        document -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    pools (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        description -> Text,
        tag_color -> Nullable<Text>,
        authentication_mechanisms -> Text,
        preferred_authentication_mechanism -> Text,
        public_registration_allowed -> Bool,
        payload_schema_id -> Nullable<Text>,
        metadata_schema_id -> Nullable<Text>,
        password_policy -> Text,
        otp_settings -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        pool_id -> Text,
        email -> Nullable<Text>,
        mobile -> Nullable<Text>,
        email_verified -> Bool,
        mobile_verified -> Bool,
        status -> Text,
        payload -> Text,
        metadata -> Text,
        password_hash -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    pool_groups (id) {
        id -> Text,
        pool_id -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    workspaces (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    idp_connections (tenant_id, workspace_id, pool_id) {
        tenant_id -> Text,
        workspace_id -> Text,
        pool_id -> Text,
        position -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_name -> Text,
        secret_hash -> Nullable<Text>,
        metadata -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(schemas -> tenants (tenant_id));
diesel::joinable!(pools -> tenants (tenant_id));
diesel::joinable!(users -> pools (pool_id));
diesel::joinable!(pool_groups -> pools (pool_id));
diesel::joinable!(group_members -> pool_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(invitations -> users (user_id));
diesel::joinable!(idp_connections -> pools (pool_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    tenants,
    schemas,
    pools,
    users,
    pool_groups,
    group_members,
    invitations,
    workspaces,
    idp_connections,
    clients,
);
