//! Consents (`consents`): the scopes a user allowed a client, one row per user and client, with the client's
//! name joined in for the lists.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{clients, consents};
use super::{DbConn, StoreResult, insert_unless_present};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A consent and the name of its client.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consents)]
pub struct ConsentItem {
    pub id: String,
    pub workspace_id: String,
    pub client_id: String,
    pub scope: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[diesel(select_expression = clients::client_name)]
    pub client_name: String,
}

pub fn find(conn: &mut DbConn, user: &str, client: &str) -> StoreResult<Option<ConsentRow>> {
    Ok(consents::table
        .filter(consents::user_id.eq(user))
        .filter(consents::client_id.eq(client))
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts the consent; `false` when the user already has one for this client.
pub fn insert(conn: &mut DbConn, row: &ConsentRow) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(consents::table).values(row).execute(c)
    })
}

pub fn set_scope(
    conn: &mut DbConn,
    user: &str,
    client: &str,
    scope: &str,
    now: i64,
) -> StoreResult<()> {
    diesel::update(
        consents::table
            .filter(consents::user_id.eq(user))
            .filter(consents::client_id.eq(client)),
    )
    .set((consents::scope.eq(scope), consents::updated_at.eq(now)))
    .execute(conn)?;
    Ok(())
}

/// The user's consents to the clients of one workspace, oldest first.
pub fn list_at_workspace(
    conn: &mut DbConn,
    user: &str,
    tenant: &str,
    workspace: &str,
) -> StoreResult<Vec<ConsentItem>> {
    Ok(consents::table
        .inner_join(clients::table)
        .filter(consents::user_id.eq(user))
        .filter(consents::tenant_id.eq(tenant))
        .filter(consents::workspace_id.eq(workspace))
        .order((consents::created_at, consents::id))
        .select(ConsentItem::as_select())
        .load(conn)?)
}

/// One page of the user's consents, at every workspace.
pub fn list_for_user(
    conn: &mut DbConn,
    user: &str,
    req: &PageRequest,
) -> StoreResult<Page<ConsentItem>> {
    let q = consents::table
        .inner_join(clients::table)
        .filter(consents::user_id.eq(user));
    load_page!(conn, q.into_boxed(), consents, ConsentItem, req)
}

/// Deletes the user's consent to `client`; whether there was one.
pub fn delete(conn: &mut DbConn, user: &str, client: &str) -> StoreResult<bool> {
    let n = diesel::delete(
        consents::table
            .filter(consents::user_id.eq(user))
            .filter(consents::client_id.eq(client)),
    )
    .execute(conn)?;
    Ok(n > 0)
}
