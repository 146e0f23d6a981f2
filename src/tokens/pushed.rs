//! Pushed authorization requests (RFC 9126): the parameters a client pushed, kept for 60 seconds under a
//! random `request_uri` (stored only as its hash), bound to that client, and taken once at the authorization
//! endpoint.

use super::authorization::AuthorizeParams;
use super::error::TokenError;
use super::provider::Provider;
use crate::store::DbConn;
use crate::store::pushed_requests::{self, PushedRequestRow};

/// The URN prefix of a pushed `request_uri` (RFC 9126 §2.2).
pub const URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// How long a pushed request waits for the authorization request that uses it, in seconds.
pub const TTL: i64 = 60;

/// Whether `request_uri` names a pushed request (of any server) rather than a URL to fetch.
pub fn is_pushed(request_uri: &str) -> bool {
    request_uri.starts_with(URN_PREFIX)
}

/// Keeps the (validated) parameters for `client_id`; returns the `request_uri` that names them.
pub fn push(
    conn: &mut DbConn,
    p: &Provider,
    client_id: &str,
    params: &AuthorizeParams,
    now: i64,
) -> Result<String, TokenError> {
    let request_uri = format!("{URN_PREFIX}{}", crate::secret::generate());
    let parameters =
        serde_json::to_string(params).map_err(|e| TokenError::Internal(e.to_string()))?;
    let row = PushedRequestRow {
        id_hash: crate::secret::hash(&request_uri),
        tenant_id: p.tenant.clone(),
        workspace_id: p.workspace.clone(),
        client_id: client_id.to_owned(),
        parameters,
        expires_at: now + TTL,
    };
    pushed_requests::insert(conn, &row)?;
    Ok(request_uri)
}

/// Takes the pushed request `request_uri` for `client_id` (RFC 9126 §4): it must be this workspace's, this
/// client's and unexpired, and no other request may have taken it first. Another client's request is refused
/// without being used up.
pub fn take(
    conn: &mut DbConn,
    p: &Provider,
    client_id: &str,
    request_uri: &str,
    now: i64,
) -> Result<AuthorizeParams, TokenError> {
    let refused = || {
        TokenError::InvalidRequestUri(
            "request_uri is unknown, expired, already used, or pushed by another client".into(),
        )
    };
    let id_hash = crate::secret::hash(request_uri);
    let row = pushed_requests::find(conn, &id_hash)?.ok_or_else(refused)?;
    let ours = row.tenant_id == p.tenant && row.workspace_id == p.workspace;
    if !ours || row.client_id != client_id || row.expires_at <= now {
        return Err(refused());
    }
    // The delete is conditional: of two requests racing with one request_uri, one deletes the row.
    if !pushed_requests::take(conn, &id_hash, client_id, now)? {
        return Err(refused());
    }
    serde_json::from_str(&row.parameters).map_err(|e| TokenError::Internal(e.to_string()))
}
