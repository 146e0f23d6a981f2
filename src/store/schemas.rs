//! JSON Schema documents a tenant assigns to its pools (user payload and metadata).

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{pools, schemas};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schemas)]
pub struct SchemaRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub document: String,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &SchemaRow) -> StoreResult<()> {
    diesel::insert_into(schemas::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes a schema's name and document.
pub fn update(conn: &mut DbConn, row: &SchemaRow) -> StoreResult<()> {
    diesel::update(schemas::table.find(&row.id))
        .set((
            schemas::name.eq(&row.name),
            schemas::document.eq(&row.document),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, tenant: &str, id: &str) -> StoreResult<Option<SchemaRow>> {
    Ok(schemas::table
        .filter(schemas::tenant_id.eq(tenant).and(schemas::id.eq(id)))
        .select(SchemaRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, tenant: &str, req: &PageRequest) -> StoreResult<Page<SchemaRow>> {
    load_page!(
        conn,
        schemas::table
            .filter(schemas::tenant_id.eq(tenant))
            .into_boxed(),
        schemas,
        SchemaRow,
        req
    )
}

/// Whether any pool uses the schema for its payload or its metadata.
pub fn is_in_use(conn: &mut DbConn, id: &str) -> StoreResult<bool> {
    let n: i64 = pools::table
        .filter(
            pools::payload_schema_id
                .eq(id)
                .or(pools::metadata_schema_id.eq(id)),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// `(id, name)` of the pools using the schema for their payload or their metadata, by name.
pub fn pools_using(conn: &mut DbConn, id: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(pools::table
        .filter(
            pools::payload_schema_id
                .eq(id)
                .or(pools::metadata_schema_id.eq(id)),
        )
        .order(pools::name.asc())
        .select((pools::id, pools::name))
        .load(conn)?)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(schemas::table.find(id)).execute(conn)?)
}
