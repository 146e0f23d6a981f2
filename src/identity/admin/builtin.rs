//! Creates the built-in tenant, pool, groups, workspace and portal client at start, idempotently: every row is
//! looked for first and inserted when missing, and a unique violation (another instance inserting it at the same
//! moment) counts as found. The portal client's redirect URIs follow the configured public URL.

use crate::authn::password::PasswordPolicy;
use crate::identity::client::{AuthMethod, ClientMetadata, SigningAlg};
use crate::identity::pool::{Mechanism, OtpSettings};
use crate::store::clients::ClientRow;
use crate::store::groups::GroupRow;
use crate::store::pools::PoolRow;
use crate::store::tenants::TenantRow;
use crate::store::{
    DbConn, StoreError, StoreResult, clients, groups, pools, portal, tenants, workspaces,
};

use super::{
    ADMINISTRATORS, AUDITORS, CALLBACK_PATH, POOL, PORTAL_CLIENT, SIGNED_OUT_PATH, TENANT,
    WORKSPACE,
};

/// Where the portal client's redirect URIs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientUrls {
    /// The server's public URL: a server at start makes the client redirect to itself.
    Follow,
    /// Only for a client created now (the CLI: its configuration may lack the server's public URL).
    KeepExisting,
}

/// Makes sure the built-in objects exist, and (with [`ClientUrls::Follow`]) that the portal client redirects to
/// `public_url`.
pub fn ensure(conn: &mut DbConn, public_url: &str, urls: ClientUrls, now: i64) -> StoreResult<()> {
    if tenants::find(conn, TENANT)?.is_none() {
        let row = TenantRow {
            id: TENANT.into(),
            name: "Administration".into(),
            created_at: now,
        };
        found_if_duplicate(tenants::insert(conn, &row))?;
    }
    if pools::find(conn, TENANT, POOL)?.is_none() {
        found_if_duplicate(pools::insert(conn, &pool_row(now)))?;
    }
    for (id, description) in [
        (ADMINISTRATORS, "May do everything in every tenant."),
        (AUDITORS, "May look at everything and change nothing."),
    ] {
        if groups::find(conn, POOL, id)?.is_none() {
            found_if_duplicate(groups::insert(conn, &group_row(id, description, now)))?;
        }
    }
    if workspaces::find(conn, TENANT, WORKSPACE)?.is_none() {
        let row = crate::identity::workspace::new_row(TENANT, WORKSPACE, "Administration", now);
        found_if_duplicate(workspaces::insert(conn, &row))?;
    }
    let connected = workspaces::list_connections(conn, TENANT, WORKSPACE)?;
    if !connected.iter().any(|c| c.pool_id == POOL) {
        let inserted = workspaces::insert_connection(conn, TENANT, WORKSPACE, POOL, now);
        found_if_duplicate(inserted.map(drop))?;
    }
    ensure_client(conn, public_url, urls, now)
}

fn ensure_client(
    conn: &mut DbConn,
    public_url: &str,
    urls: ClientUrls,
    now: i64,
) -> StoreResult<()> {
    let metadata = serde_json::json!(portal_client(public_url)).to_string();
    match clients::find(conn, TENANT, WORKSPACE, PORTAL_CLIENT)? {
        Some(row) if row.metadata == metadata || urls == ClientUrls::KeepExisting => Ok(()),
        Some(_) => portal::set_client_metadata(conn, PORTAL_CLIENT, &metadata),
        None => {
            let row = ClientRow {
                id: PORTAL_CLIENT.into(),
                tenant_id: TENANT.into(),
                workspace_id: WORKSPACE.into(),
                client_name: "Tarn admin portal".into(),
                // The portal redeems its codes in-process and never presents a secret; this one exists nowhere
                // in clear, so nobody outside can act as the portal at the token endpoint.
                secret_hash: Some(crate::secret::hash(&crate::secret::generate())),
                metadata,
                created_at: now,
            };
            found_if_duplicate(clients::insert(conn, &row))
        }
    }
}

/// The portal's registration: a confidential client with the code flow, `openid` only, redirecting to the portal.
fn portal_client(public_url: &str) -> ClientMetadata {
    ClientMetadata {
        client_name: "Tarn admin portal".into(),
        redirect_uris: vec![format!("{public_url}{CALLBACK_PATH}")],
        post_logout_redirect_uris: vec![format!("{public_url}{SIGNED_OUT_PATH}")],
        grant_types: vec!["authorization_code".into()],
        response_types: vec!["code".into()],
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        scope: "openid".into(),
        id_token_signed_response_alg: SigningAlg::RS256,
        jwks: None,
        jwks_uri: None,
        backchannel_logout_uri: None,
        backchannel_logout_session_required: false,
        dpop_bound_access_tokens: false,
        require_consent: false,
        require_pushed_authorization_requests: false,
        request_object_signing_alg: None,
        logo_uri: None,
        policy_uri: None,
        tos_uri: None,
    }
}

fn pool_row(now: i64) -> PoolRow {
    let mechanisms = [Mechanism::Password, Mechanism::Passkey];
    let policy = PasswordPolicy {
        // Administrators hold every tenant: a longer minimum than the default (NIST SP 800-63B allows it).
        min_length: 12,
        ..PasswordPolicy::default()
    };
    PoolRow {
        id: POOL.into(),
        tenant_id: TENANT.into(),
        name: "Administrators".into(),
        description: "The people who sign in to the admin portal.".into(),
        tag_color: None,
        authentication_mechanisms: serde_json::json!(mechanisms).to_string(),
        preferred_authentication_mechanism: "password".into(),
        public_registration_allowed: false,
        payload_schema_id: None,
        metadata_schema_id: None,
        password_policy: serde_json::json!(policy).to_string(),
        otp_settings: serde_json::json!(OtpSettings::default()).to_string(),
        created_at: now,
        updated_at: now,
    }
}

fn group_row(id: &str, description: &str, now: i64) -> GroupRow {
    GroupRow {
        id: id.into(),
        pool_id: POOL.into(),
        name: id.into(),
        description: description.into(),
        parent_id: None,
        created_at: now,
        updated_at: now,
    }
}

/// A duplicate means another instance created the row at the same moment: it exists, which is what was wanted.
fn found_if_duplicate(result: StoreResult<()>) -> StoreResult<()> {
    match result {
        Err(StoreError::Unique(_)) => Ok(()),
        other => other,
    }
}
