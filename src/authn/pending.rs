//! Authorization requests waiting for the user to sign in: validated once at the authorization endpoint, kept
//! server-side (any instance can finish them), single-use, expiring after 30 minutes.

use crate::store::sessions::{self, AuthRequestRow};
use crate::store::{DbConn, StoreError};
use crate::tokens::authorization::ValidRequest;

/// How long a stored request waits for the user.
pub const TTL: i64 = 30 * 60;

/// Stores a validated request for a workspace; returns its id (the sign-in page's `request`).
pub fn save(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    request: &ValidRequest,
    now: i64,
) -> Result<String, StoreError> {
    let parameters =
        serde_json::to_string(request).map_err(|e| StoreError::Blocking(e.to_string()))?;
    let row = AuthRequestRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        client_id: request.client_id.clone(),
        parameters,
        created_at: now,
        expires_at: now + TTL,
    };
    sessions::insert_request(conn, &row)?;
    Ok(row.id)
}

/// The unexpired request `id` of this workspace.
pub fn find(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    id: &str,
    now: i64,
) -> Result<Option<ValidRequest>, StoreError> {
    let Some(row) = sessions::find_request(conn, id)? else {
        return Ok(None);
    };
    if row.tenant_id != tenant || row.workspace_id != workspace || row.expires_at <= now {
        return Ok(None);
    }
    serde_json::from_str(&row.parameters)
        .map(Some)
        .map_err(|e| StoreError::Blocking(e.to_string()))
}

/// Removes a request once the user has signed in.
pub fn consume(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    sessions::delete_request(conn, id).map(|_| ())
}

/// Removes a request that is decided once (the consent page's Allow or Deny); `false` when another request
/// already removed it.
pub fn take(conn: &mut DbConn, id: &str) -> Result<bool, StoreError> {
    sessions::delete_request(conn, id)
}
