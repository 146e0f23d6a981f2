//! Groups of a pool (nested through `parent_id`) and their memberships.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{group_members, pool_groups};
use super::{DbConn, StoreResult, insert_unless_present};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = pool_groups, treat_none_as_null = true)]
pub struct GroupRow {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &GroupRow) -> StoreResult<()> {
    diesel::insert_into(pool_groups::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, pool: &str, id: &str) -> StoreResult<Option<GroupRow>> {
    Ok(pool_groups::table
        .filter(pool_groups::pool_id.eq(pool).and(pool_groups::id.eq(id)))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, pool: &str, req: &PageRequest) -> StoreResult<Page<GroupRow>> {
    load_page!(
        conn,
        pool_groups::table
            .filter(pool_groups::pool_id.eq(pool))
            .into_boxed(),
        pool_groups,
        GroupRow,
        req
    )
}

/// Every group of the pool as `(id, parent_id)`: the whole hierarchy, for walks done in the domain.
pub fn hierarchy(conn: &mut DbConn, pool: &str) -> StoreResult<Vec<(String, Option<String>)>> {
    Ok(pool_groups::table
        .filter(pool_groups::pool_id.eq(pool))
        .select((pool_groups::id, pool_groups::parent_id))
        .load(conn)?)
}

/// The groups with the given ids, by name.
pub fn find_many(conn: &mut DbConn, ids: &[String]) -> StoreResult<Vec<GroupRow>> {
    Ok(pool_groups::table
        .filter(pool_groups::id.eq_any(ids))
        .order(pool_groups::name)
        .select(GroupRow::as_select())
        .load(conn)?)
}

pub fn update(conn: &mut DbConn, row: &GroupRow) -> StoreResult<()> {
    diesel::update(pool_groups::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(pool_groups::table.find(id)).execute(conn)?)
}

/// Adds a member; already being one is not an error, even when another request adds them at the same moment.
pub fn add_member(conn: &mut DbConn, group: &str, user: &str, now: i64) -> StoreResult<()> {
    // The primary key (group_id, user_id) is the table's only unique key: a refusal means "already a member".
    insert_unless_present(conn, |c| {
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(group),
                group_members::user_id.eq(user),
                group_members::created_at.eq(now),
            ))
            .execute(c)
    })?;
    Ok(())
}

pub fn remove_member(conn: &mut DbConn, group: &str, user: &str) -> StoreResult<usize> {
    Ok(diesel::delete(
        group_members::table.filter(
            group_members::group_id
                .eq(group)
                .and(group_members::user_id.eq(user)),
        ),
    )
    .execute(conn)?)
}

/// Ids of the groups the user is a direct member of.
pub fn direct_group_ids(conn: &mut DbConn, user: &str) -> StoreResult<Vec<String>> {
    Ok(group_members::table
        .filter(group_members::user_id.eq(user))
        .select(group_members::group_id)
        .load(conn)?)
}
