//! Workspaces (each an OpenID Provider) and the pools connected to them as identity providers.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{idp_connections, workspaces};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = workspaces)]
pub struct WorkspaceRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub created_at: i64,
    /// Token and session lifetimes, in seconds.
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub session_ttl: i64,
    /// Whether DPoP proofs must carry a nonce this server issued (RFC 9449 §8).
    pub dpop_nonce_required: bool,
    /// Whether every authorization request must be pushed first (RFC 9126 §6).
    pub require_pushed_authorization_requests: bool,
    /// RFC 7591 registration at `{issuer}/oauth2/register`: `off`, `open` or `initial_access_token`.
    pub dynamic_registration: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idp_connections)]
pub struct ConnectionRow {
    pub tenant_id: String,
    pub workspace_id: String,
    pub pool_id: String,
    /// Order in which the login page resolves identifiers across pools.
    pub position: i64,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &WorkspaceRow) -> StoreResult<()> {
    diesel::insert_into(workspaces::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, tenant: &str, id: &str) -> StoreResult<Option<WorkspaceRow>> {
    Ok(workspaces::table
        .find((tenant, id))
        .select(WorkspaceRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, tenant: &str, req: &PageRequest) -> StoreResult<Page<WorkspaceRow>> {
    load_page!(
        conn,
        workspaces::table
            .filter(workspaces::tenant_id.eq(tenant))
            .into_boxed(),
        workspaces,
        WorkspaceRow,
        req
    )
}

/// Saves the workspace's name, lifetimes and protocol settings.
pub fn update(conn: &mut DbConn, row: &WorkspaceRow) -> StoreResult<()> {
    diesel::update(workspaces::table.find((&row.tenant_id, &row.id)))
        .set((
            workspaces::name.eq(&row.name),
            workspaces::access_token_ttl.eq(row.access_token_ttl),
            workspaces::id_token_ttl.eq(row.id_token_ttl),
            workspaces::refresh_token_ttl.eq(row.refresh_token_ttl),
            workspaces::session_ttl.eq(row.session_ttl),
            workspaces::dpop_nonce_required.eq(row.dpop_nonce_required),
            workspaces::require_pushed_authorization_requests
                .eq(row.require_pushed_authorization_requests),
            workspaces::dynamic_registration.eq(&row.dynamic_registration),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, tenant: &str, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(workspaces::table.find((tenant, id))).execute(conn)?)
}

/// Connects a pool after the ones already connected.
pub fn insert_connection(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    pool: &str,
    now: i64,
) -> StoreResult<ConnectionRow> {
    let last: Option<i64> = idp_connections::table
        .filter(
            idp_connections::tenant_id
                .eq(tenant)
                .and(idp_connections::workspace_id.eq(workspace)),
        )
        .select(diesel::dsl::max(idp_connections::position))
        .first(conn)?;
    let row = ConnectionRow {
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        pool_id: pool.to_owned(),
        position: last.map_or(0, |p| p + 1),
        created_at: now,
    };
    diesel::insert_into(idp_connections::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The workspace's connected pools, in resolution order.
pub fn list_connections(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
) -> StoreResult<Vec<ConnectionRow>> {
    Ok(idp_connections::table
        .filter(
            idp_connections::tenant_id
                .eq(tenant)
                .and(idp_connections::workspace_id.eq(workspace)),
        )
        .order(idp_connections::position)
        .select(ConnectionRow::as_select())
        .load(conn)?)
}

pub fn delete_connection(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    pool: &str,
) -> StoreResult<usize> {
    Ok(diesel::delete(idp_connections::table.find((tenant, workspace, pool))).execute(conn)?)
}

/// Moves a connection to `position` in the resolution order.
pub fn set_connection_position(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    pool: &str,
    position: i64,
) -> StoreResult<usize> {
    Ok(
        diesel::update(idp_connections::table.find((tenant, workspace, pool)))
            .set(idp_connections::position.eq(position))
            .execute(conn)?,
    )
}
