//! The filtered users list of a pool: identifier and name prefixes, exact id, status, invitation state, "not in
//! this group"; one page in the keyset order `(created_at, id)` and the exact total of the filtered set.
//!
//! Prefixes are matched as ranges (`>= p AND < p || U+10FFFF`) on expressions that have an index of their own
//! (migration `2026-12-02-110001_portal_query_indexes`), never as `LIKE`: SQLite's `LIKE` folds case and skips
//! the index, and PostgreSQL's needs a pattern index and a literal pattern. The expressions differ per backend
//! (`json_extract` against `->>`, and PostgreSQL compares in the "C" collation so a range is a byte range);
//! [`Field::sql`] holds both texts and the migration repeats them exactly.

use diesel::dsl::{count_star, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::page::{Page, PageRequest, load_page};
use super::schema::{group_members, users};
use super::users::{IdentifierFilter, Status, UserRow};
use super::{DbConn, StoreResult};

type Db = <DbConn as Connection>::Backend;
type Condition = Box<dyn BoxableExpression<users::table, Db, SqlType = Nullable<Bool>>>;

/// A user's invitation state: the state of their latest invitation, or `None` when they never had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationState {
    Pending,
    Expired,
    Accepted,
    Revoked,
    None,
}

/// What the search box matched against: any of these, each already normalised by the domain.
#[derive(Debug, Clone, Default)]
pub struct TextSearch {
    /// A prefix of the (lower-case) email.
    pub email_prefix: Option<String>,
    /// A prefix of the E.164 mobile (`+` and digits).
    pub mobile_prefix: Option<String>,
    /// A prefix of the lower-cased payload `name`, `given_name` or `family_name`.
    pub name_prefix: Option<String>,
    /// An exact user id (`sub`).
    pub id: Option<String>,
}

/// Every filter of the users list; all given ones must hold.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub identifier: Option<IdentifierFilter>,
    pub text: Option<TextSearch>,
    pub status: Option<Status>,
    pub invitation: Option<InvitationState>,
    /// Only users who are not direct members of this group (the Assign Users picker).
    pub not_in_group: Option<String>,
}

/// An indexed text expression of `users` that prefixes are matched on.
#[derive(Clone, Copy)]
enum Field {
    Email,
    Mobile,
    Payload(&'static str),
}

impl Field {
    /// The expression as the index of this backend spells it.
    fn sql(self, sqlite: bool) -> String {
        match (self, sqlite) {
            (Field::Email, true) => "users.email".into(),
            (Field::Mobile, true) => "users.mobile".into(),
            (Field::Payload(key), true) => format!("lower(json_extract(users.payload, '$.{key}'))"),
            (Field::Email, false) => r#"(users.email COLLATE "C")"#.into(),
            (Field::Mobile, false) => r#"(users.mobile COLLATE "C")"#.into(),
            (Field::Payload(key), false) => {
                format!(r#"(lower(users.payload::jsonb ->> '{key}') COLLATE "C")"#)
            }
        }
    }

    fn starts_with(self, sqlite: bool, prefix: &str) -> Condition {
        let upper = format!("{prefix}{}", char::MAX);
        let expr = || sql::<Nullable<Text>>(&self.sql(sqlite));
        Box::new(expr().ge(prefix.to_owned()).and(expr().lt(upper)))
    }
}

const NAME_KEYS: [&str; 3] = ["name", "given_name", "family_name"];

/// The users of `pool` the filter keeps, with the total of the filtered set.
pub fn search(
    conn: &mut DbConn,
    pool: &str,
    filter: &UserFilter,
    now: i64,
    req: &PageRequest,
) -> StoreResult<(Page<UserRow>, i64)> {
    let sqlite = matches!(conn, DbConn::Sqlite(_));
    let total: i64 = filtered(sqlite, pool, filter, now)
        .select(count_star())
        .get_result(conn)?;
    let page: StoreResult<Page<UserRow>> = load_page!(
        conn,
        filtered(sqlite, pool, filter, now),
        users,
        UserRow,
        req
    );
    Ok((page?, total))
}

fn filtered<'a>(
    sqlite: bool,
    pool: &'a str,
    filter: &'a UserFilter,
    now: i64,
) -> users::BoxedQuery<'a, Db> {
    let mut q = users::table.filter(users::pool_id.eq(pool)).into_boxed();
    match &filter.identifier {
        Some(IdentifierFilter::Email(e)) => q = q.filter(users::email.eq(e)),
        Some(IdentifierFilter::Mobile(m)) => q = q.filter(users::mobile.eq(m)),
        None => {}
    }
    if let Some(text) = &filter.text {
        q = q.filter(text_condition(sqlite, text));
    }
    if let Some(status) = filter.status {
        q = q.filter(users::status.eq(status));
    }
    if let Some(state) = filter.invitation {
        q = q.filter(invitation_condition(state, now));
    }
    if let Some(group) = &filter.not_in_group {
        let members = group_members::table
            .filter(group_members::group_id.eq(group))
            .select(group_members::user_id);
        q = q.filter(diesel::dsl::not(users::id.eq_any(members)));
    }
    q
}

/// Any of the search's matches; an empty search matches nobody.
fn text_condition(sqlite: bool, text: &TextSearch) -> Condition {
    let mut any: Condition = Box::new(sql::<Nullable<Bool>>("1 = 0"));
    if let Some(p) = &text.email_prefix {
        any = Box::new(any.or(Field::Email.starts_with(sqlite, p)));
    }
    if let Some(p) = &text.mobile_prefix {
        any = Box::new(any.or(Field::Mobile.starts_with(sqlite, p)));
    }
    if let Some(p) = &text.name_prefix {
        for key in NAME_KEYS {
            any = Box::new(any.or(Field::Payload(key).starts_with(sqlite, p)));
        }
    }
    if let Some(id) = &text.id {
        any = Box::new(any.or(users::id.eq(id.clone()).nullable()));
    }
    any
}

/// The user's latest invitation (by `(created_at, id)`) is in `state` at `now`; `None`: they never had one.
/// Plain SQL, the same on both backends: diesel's DSL has no correlated self-join without an alias per query.
fn invitation_condition(state: InvitationState, now: i64) -> Condition {
    const LATEST: &str = "users.id IN (SELECT i.user_id FROM invitations i WHERE NOT EXISTS (\
        SELECT 1 FROM invitations n WHERE n.user_id = i.user_id AND (n.created_at > i.created_at \
        OR (n.created_at = i.created_at AND n.id > i.id))) AND ";
    const OPEN: &str = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at ";
    match state {
        InvitationState::None => Box::new(sql::<Nullable<Bool>>(
            "NOT EXISTS (SELECT 1 FROM invitations i WHERE i.user_id = users.id)",
        )),
        InvitationState::Accepted => Box::new(sql::<Nullable<Bool>>(&format!(
            "{LATEST}i.accepted_at IS NOT NULL)"
        ))),
        InvitationState::Revoked => Box::new(sql::<Nullable<Bool>>(&format!(
            "{LATEST}i.accepted_at IS NULL AND i.revoked_at IS NOT NULL)"
        ))),
        InvitationState::Pending => Box::new(
            sql::<Nullable<Bool>>(&format!("{LATEST}{OPEN}> "))
                .bind::<BigInt, _>(now)
                .sql(")"),
        ),
        InvitationState::Expired => Box::new(
            sql::<Nullable<Bool>>(&format!("{LATEST}{OPEN}<= "))
                .bind::<BigInt, _>(now)
                .sql(")"),
        ),
    }
}
