//! Membership queries over a whole group tree: a group's members directly or including every sub-group, their
//! exact count, all memberships of a pool at once (for the tree's counts), and the checks of a multi-assign.
//!
//! "Including sub-groups" is a recursive CTE over `parent_id` (indexed by `pool_groups_parent`), the same SQL on
//! SQLite and PostgreSQL; `UNION` (not `UNION ALL`) keeps it finite even on corrupt cyclic data. The database
//! walks the tree, so no list of ten thousand group ids is ever bound into a query.

use diesel::dsl::{count, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::groups::GroupRow;
use super::page::{Page, PageRequest, load_page};
use super::schema::{group_members, pool_groups, users};
use super::users::UserRow;
use super::{DbConn, StoreResult, insert_unless_present};

type Db = <DbConn as Connection>::Backend;

/// `<before>` `group` or, with `nested`, any group below it `<after>`: a condition on the memberships table.
fn subtree_sql<T: 'static>(
    before: &str,
    group: &str,
    nested: bool,
    after: &str,
) -> Box<dyn BoxableExpression<T, Db, SqlType = Bool>> {
    let (head, tail) = if nested {
        (
            "group_members.group_id IN (WITH RECURSIVE sub(id) AS (SELECT CAST(",
            " AS TEXT) UNION SELECT g.id FROM pool_groups g JOIN sub ON g.parent_id = sub.id) \
             SELECT id FROM sub)",
        )
    } else {
        ("group_members.group_id = CAST(", " AS TEXT)")
    };
    Box::new(
        sql::<Bool>(&format!("{before}{head}"))
            .bind::<Text, _>(group.to_owned())
            .sql(&format!("{tail}{after}")),
    )
}

/// Memberships in `group` and, with `nested`, in every group below it.
fn in_groups(
    group: &str,
    nested: bool,
) -> Box<dyn BoxableExpression<group_members::table, Db, SqlType = Bool>> {
    subtree_sql("", group, nested, "")
}

/// How many distinct users are members of `group` (with `nested`, of it or any sub-group).
pub fn count_members(conn: &mut DbConn, group: &str, nested: bool) -> StoreResult<i64> {
    Ok(group_members::table
        .filter(in_groups(group, nested))
        .select(count(group_members::user_id).aggregate_distinct())
        .get_result(conn)?)
}

/// One page of those members, each once, in the users list's order.
pub fn member_page(
    conn: &mut DbConn,
    pool: &str,
    group: &str,
    nested: bool,
    req: &PageRequest,
) -> StoreResult<Page<UserRow>> {
    let members = subtree_sql(
        "users.id IN (SELECT group_members.user_id FROM group_members WHERE ",
        group,
        nested,
        ")",
    );
    load_page!(
        conn,
        users::table
            .filter(users::pool_id.eq(pool))
            .filter(members)
            .into_boxed(),
        users,
        UserRow,
        req
    )
}

/// `(group_id, user_id)` of the given users' memberships within `group` (with `nested`, its sub-tree).
pub fn memberships_within(
    conn: &mut DbConn,
    group: &str,
    nested: bool,
    users: &[String],
) -> StoreResult<Vec<(String, String)>> {
    Ok(group_members::table
        .filter(group_members::user_id.eq_any(users))
        .filter(in_groups(group, nested))
        .select((group_members::group_id, group_members::user_id))
        .load(conn)?)
}

/// Every group of the pool, by name.
pub fn pool_groups(conn: &mut DbConn, pool: &str) -> StoreResult<Vec<GroupRow>> {
    Ok(pool_groups::table
        .filter(pool_groups::pool_id.eq(pool))
        .order(pool_groups::name)
        .select(GroupRow::as_select())
        .load(conn)?)
}

/// Every membership of the pool's groups as `(group_id, user_id)`, grouped by user.
pub fn pool_memberships(conn: &mut DbConn, pool: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(group_members::table
        .inner_join(pool_groups::table)
        .filter(pool_groups::pool_id.eq(pool))
        .order(group_members::user_id)
        .select((group_members::group_id, group_members::user_id))
        .load(conn)?)
}

/// Which of `ids` are users of `pool`.
pub fn users_of_pool(conn: &mut DbConn, pool: &str, ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(users::table
        .filter(users::pool_id.eq(pool).and(users::id.eq_any(ids)))
        .select(users::id)
        .load(conn)?)
}

/// Which of `users` are already direct members of `group`.
pub fn direct_members_among(
    conn: &mut DbConn,
    group: &str,
    users: &[String],
) -> StoreResult<Vec<String>> {
    Ok(group_members::table
        .filter(group_members::group_id.eq(group))
        .filter(group_members::user_id.eq_any(users))
        .select(group_members::user_id)
        .load(conn)?)
}

/// Adds a membership; `false` when it was already there (a concurrent assign got there first).
pub fn insert_member(conn: &mut DbConn, group: &str, user: &str, now: i64) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(group),
                group_members::user_id.eq(user),
                group_members::created_at.eq(now),
            ))
            .execute(c)
    })
}
