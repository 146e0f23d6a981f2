//! Grants (a user's consent to a client, the family of its tokens), authorization codes, refresh tokens and
//! revoked access-token ids. Codes and refresh tokens are stored as SHA-256 hashes.

use diesel::prelude::*;

use super::schema::{
    authorization_codes, grants, refresh_tokens, revoked_tokens, used_client_assertions,
    used_dpop_proofs, users,
};
use super::users::UserRow;
use super::{DbConn, StoreResult, insert_unless_present};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants)]
pub struct GrantRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub auth_time: i64,
    /// JSON array of authentication method references.
    pub amr: String,
    pub nonce: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// The SSO session the grant was issued in (OIDC `sid`); `None` without one.
    pub sid: Option<String>,
    /// The claims requested one by one (OIDC Core §5.5), as JSON; `None` when the request named none.
    pub claims: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorization_codes)]
pub struct CodeRow {
    pub code_hash: String,
    pub grant_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The thumbprint of the DPoP key the code is bound to (`dpop_jkt`, RFC 9449 §10).
    pub dpop_jkt: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshRow {
    pub token_hash: String,
    pub grant_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The thumbprint of the DPoP key a public client's token is bound to (RFC 9449 §5).
    pub dpop_jkt: Option<String>,
}

pub fn insert_grant(conn: &mut DbConn, row: &GrantRow) -> StoreResult<()> {
    diesel::insert_into(grants::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_grant(conn: &mut DbConn, id: &str) -> StoreResult<Option<GrantRow>> {
    Ok(grants::table
        .find(id)
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?)
}

/// The grant with its user's status, for checks on every use of a token.
pub fn find_grant_with_user_status(
    conn: &mut DbConn,
    id: &str,
) -> StoreResult<Option<(GrantRow, String)>> {
    Ok(grants::table
        .inner_join(users::table)
        .filter(grants::id.eq(id))
        .select((GrantRow::as_select(), users::status))
        .first(conn)
        .optional()?)
}

/// A grant's revocation time, its requested claims (JSON) and its user.
pub type GrantUser = (Option<i64>, Option<String>, UserRow);

/// The grant's revocation time, requested claims and user.
///
/// UserInfo asks this at every call, so it is loaded without `.first()`: diesel's `LIMIT ?` makes SQLite look at
/// the bound limit when planning, which marks the cached statement stale at every bind, and SQLite then prepares
/// it again at every execution (40% of a UserInfo call, BENCHMARKS.md). The primary key matches one row at most.
pub fn find_grant_user(conn: &mut DbConn, id: &str) -> StoreResult<Option<GrantUser>> {
    let rows: Vec<GrantUser> = grants::table
        .inner_join(users::table)
        .filter(grants::id.eq(id))
        .select((grants::revoked_at, grants::claims, UserRow::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().next())
}

/// Revokes a grant, which kills its refresh tokens and the access tokens that name it.
pub fn revoke_grant(conn: &mut DbConn, id: &str, now: i64) -> StoreResult<()> {
    diesel::update(grants::table.find(id).filter(grants::revoked_at.is_null()))
        .set(grants::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Revokes every grant of a user.
pub fn revoke_user_grants(conn: &mut DbConn, user: &str, now: i64) -> StoreResult<()> {
    diesel::update(
        grants::table
            .filter(grants::user_id.eq(user))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Revokes every grant of a user to one client (their consent was withdrawn).
pub fn revoke_client_grants(
    conn: &mut DbConn,
    user: &str,
    client: &str,
    now: i64,
) -> StoreResult<usize> {
    Ok(diesel::update(
        grants::table
            .filter(grants::user_id.eq(user))
            .filter(grants::client_id.eq(client))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)?)
}

/// The clients that were issued tokens in session `sid`, each once.
pub fn session_clients(conn: &mut DbConn, sid: &str) -> StoreResult<Vec<String>> {
    Ok(grants::table
        .filter(grants::sid.eq(sid))
        .select(grants::client_id)
        .distinct()
        .load(conn)?)
}

/// Revokes the grants issued in session `sid`, and so their refresh tokens.
pub fn revoke_session_grants(conn: &mut DbConn, sid: &str, now: i64) -> StoreResult<usize> {
    Ok(diesel::update(
        grants::table
            .filter(grants::sid.eq(sid))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)?)
}

/// Revokes the grants a workspace holds for the users of one pool (the pool was disconnected from it).
pub fn revoke_pool_grants(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    pool: &str,
    now: i64,
) -> StoreResult<usize> {
    let pool_users = users::table
        .filter(users::pool_id.eq(pool))
        .select(users::id);
    Ok(diesel::update(
        grants::table
            .filter(grants::tenant_id.eq(tenant))
            .filter(grants::workspace_id.eq(workspace))
            .filter(grants::user_id.eq_any(pool_users))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)?)
}

pub fn insert_code(conn: &mut DbConn, row: &CodeRow) -> StoreResult<()> {
    diesel::insert_into(authorization_codes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_code(conn: &mut DbConn, hash: &str) -> StoreResult<Option<CodeRow>> {
    Ok(authorization_codes::table
        .find(hash)
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a code used; `false` when it already was (a replay, even one racing this call).
pub fn use_code(conn: &mut DbConn, hash: &str, now: i64) -> StoreResult<bool> {
    let n = diesel::update(
        authorization_codes::table
            .find(hash)
            .filter(authorization_codes::used_at.is_null()),
    )
    .set(authorization_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_refresh(conn: &mut DbConn, row: &RefreshRow) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_refresh(conn: &mut DbConn, hash: &str) -> StoreResult<Option<RefreshRow>> {
    Ok(refresh_tokens::table
        .find(hash)
        .select(RefreshRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a refresh token used (rotated); `false` when it already was.
pub fn use_refresh(conn: &mut DbConn, hash: &str, now: i64) -> StoreResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .find(hash)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a revoked access-token id until the token would have expired anyway; revoking it again is not an error.
pub fn revoke_jti(conn: &mut DbConn, jti: &str, expires_at: i64) -> StoreResult<()> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(revoked_tokens::table)
            .values((
                revoked_tokens::jti.eq(jti),
                revoked_tokens::expires_at.eq(expires_at),
            ))
            .execute(c)
    })?;
    Ok(())
}

pub fn is_jti_revoked(conn: &mut DbConn, jti: &str) -> StoreResult<bool> {
    let n: i64 = revoked_tokens::table
        .filter(revoked_tokens::jti.eq(jti))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records a client assertion's `jti`; `false` when it was seen before (a replay), also when the other use is
/// being recorded at the same moment.
pub fn record_assertion(conn: &mut DbConn, jti: &str, expires_at: i64) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(used_client_assertions::table)
            .values((
                used_client_assertions::jti.eq(jti),
                used_client_assertions::expires_at.eq(expires_at),
            ))
            .execute(c)
    })
}

/// Records a DPoP proof (`id_hash` names its key and `jti`); `false` when it was seen before (a replay), also
/// when the other use is being recorded at the same moment.
pub fn record_dpop_proof(conn: &mut DbConn, id_hash: &str, expires_at: i64) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(used_dpop_proofs::table)
            .values((
                used_dpop_proofs::id_hash.eq(id_hash),
                used_dpop_proofs::expires_at.eq(expires_at),
            ))
            .execute(c)
    })
}
