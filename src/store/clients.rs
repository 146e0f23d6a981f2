//! Client applications of a workspace: RFC 7591 metadata (JSON text) and the secret's hash.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::clients;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_name: String,
    /// SHA-256 of the client secret; `None` for public clients and `private_key_jwt`.
    pub secret_hash: Option<String>,
    pub metadata: String,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &ClientRow) -> StoreResult<()> {
    diesel::insert_into(clients::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    id: &str,
) -> StoreResult<Option<ClientRow>> {
    Ok(clients::table
        .filter(clients::id.eq(id))
        .filter(
            clients::tenant_id
                .eq(tenant)
                .and(clients::workspace_id.eq(workspace)),
        )
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    req: &PageRequest,
) -> StoreResult<Page<ClientRow>> {
    let q = clients::table.filter(
        clients::tenant_id
            .eq(tenant)
            .and(clients::workspace_id.eq(workspace)),
    );
    load_page!(conn, q.into_boxed(), clients, ClientRow, req)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(clients::table.find(id)).execute(conn)?)
}

/// Writes a client's name, secret hash and metadata (the id, workspace and creation time never change).
pub fn update(conn: &mut DbConn, row: &ClientRow) -> StoreResult<usize> {
    Ok(diesel::update(clients::table.find(&row.id))
        .set((
            clients::client_name.eq(&row.client_name),
            clients::secret_hash.eq(&row.secret_hash),
            clients::metadata.eq(&row.metadata),
        ))
        .execute(conn)?)
}
