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
        access_token_ttl -> BigInt,
        id_token_ttl -> BigInt,
        refresh_token_ttl -> BigInt,
        session_ttl -> BigInt,
        dpop_nonce_required -> Bool,
        require_pushed_authorization_requests -> Bool,
        dynamic_registration -> Text,
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

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        alg -> Text,
        private_der -> Text,
        public_jwk -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    authorization_requests (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_id -> Text,
        parameters -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        user_id -> Text,
        auth_time -> BigInt,
        amr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        ended_at -> Nullable<BigInt>,
        sid -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_id -> Text,
        user_id -> Text,
        scope -> Text,
        auth_time -> BigInt,
        amr -> Text,
        nonce -> Nullable<Text>,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        sid -> Nullable<Text>,
        claims -> Nullable<Text>,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        grant_id -> Text,
        redirect_uri -> Text,
        code_challenge -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        dpop_jkt -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        dpop_jkt -> Nullable<Text>,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    used_client_assertions (jti) {
        jti -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    sign_in_failures (key) {
        key -> Text,
        failures -> BigInt,
        locked_until -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    verification_codes (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        user_id -> Nullable<Text>,
        identifier -> Text,
        purpose -> Text,
        code_hash -> Text,
        attempts -> BigInt,
        max_attempts -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        tenant_id -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        tenant_id -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        attempts -> BigInt,
        next_attempt_at -> BigInt,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<BigInt>,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    registration_sends (id) {
        id -> Text,
        pool_id -> Text,
        client_address -> Text,
        browser_hash -> Nullable<Text>,
        recipient_hash -> Text,
        is_new_number -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        pool_id -> Text,
        email -> Nullable<Text>,
        mobile -> Nullable<Text>,
        payload -> Text,
        password_hash -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        verified_at -> Nullable<BigInt>,
        request_id -> Nullable<Text>,
        browser_hash -> Nullable<Text>,
    }
}

diesel::table! {
    passkeys (id) {
        id -> Text,
        user_id -> Text,
        credential_id -> Text,
        passkey -> Text,
        name -> Text,
        sign_count -> BigInt,
        backup_eligible -> Bool,
        backup_state -> Bool,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    passkey_ceremonies (id) {
        id -> Text,
        tenant_id -> Text,
        purpose -> Text,
        subject -> Text,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
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
diesel::table! {
    logout_deliveries (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_id -> Text,
        sub -> Text,
        sid -> Nullable<Text>,
        attempts -> BigInt,
        next_attempt_at -> BigInt,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<BigInt>,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    used_dpop_proofs (id_hash) {
        id_hash -> Text,
        expires_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(grants -> users (user_id));
diesel::joinable!(grants -> clients (client_id));
diesel::joinable!(authorization_codes -> grants (grant_id));
diesel::joinable!(refresh_tokens -> grants (grant_id));
diesel::joinable!(outbox -> tenants (tenant_id));
diesel::joinable!(deliveries -> tenants (tenant_id));
diesel::joinable!(registration_sends -> pools (pool_id));
diesel::joinable!(passkeys -> users (user_id));

diesel::table! {
    job_leases (job) {
        job -> Text,
        next_run_at -> BigInt,
    }
}

diesel::table! {
    portal_sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        id_token -> Text,
        auth_time -> BigInt,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    portal_sign_ins (state_hash) {
        state_hash -> Text,
        browser -> Text,
        nonce -> Text,
        code_verifier -> Text,
        return_to -> Text,
        step_up_user_id -> Nullable<Text>,
        pending_action -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    device_codes (device_code_hash) {
        device_code_hash -> Text,
        user_code_hash -> Text,
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_id -> Text,
        scope -> Text,
        status -> Text,
        grant_id -> Nullable<Text>,
        poll_interval -> BigInt,
        last_polled_at -> Nullable<BigInt>,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        user_id -> Text,
        client_id -> Text,
        scope -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::joinable!(consents -> clients (client_id));

diesel::table! {
    audit_events (id) {
        id -> Text,
        tenant_id -> Text,
        occurred_at -> BigInt,
        event_type -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        actor_type -> Text,
        actor_id -> Nullable<Text>,
        subject_type -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        workspace_id -> Nullable<Text>,
        pool_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        request_id -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    pushed_requests (id_hash) {
        id_hash -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        client_id -> Text,
        parameters -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    initial_access_tokens (id) {
        id -> Text,
        tenant_id -> Text,
        workspace_id -> Text,
        token_hash -> Text,
        uses -> BigInt,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    used_request_objects (id_hash) {
        id_hash -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    client_registrations (client_id) {
        client_id -> Text,
        token_hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    registration_requests (id) {
        id -> Text,
        client_address -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(client_registrations -> clients (client_id));

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
    signing_keys,
    authorization_requests,
    sessions,
    grants,
    authorization_codes,
    refresh_tokens,
    revoked_tokens,
    used_client_assertions,
    sign_in_failures,
    verification_codes,
    outbox,
    deliveries,
    logout_deliveries,
    used_dpop_proofs,
    registration_sends,
    registrations,
    passkeys,
    passkey_ceremonies,
    job_leases,
    portal_sessions,
    portal_sign_ins,
    device_codes,
    consents,
    audit_events,
    pushed_requests,
    used_request_objects,
    initial_access_tokens,
    client_registrations,
    registration_requests,
);
