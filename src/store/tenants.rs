//! Tenants: the top-level owners of pools, schemas and workspaces.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::tenants;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &TenantRow) -> StoreResult<()> {
    diesel::insert_into(tenants::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> StoreResult<Option<TenantRow>> {
    Ok(tenants::table
        .find(id)
        .select(TenantRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, req: &PageRequest) -> StoreResult<Page<TenantRow>> {
    load_page!(conn, tenants::table.into_boxed(), tenants, TenantRow, req)
}
