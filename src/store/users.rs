//! Users of an identity pool: identifiers, status, payload and metadata (JSON text), password hash.
//! The status column is mapped to [`Status`] here, once, so no caller compares status strings.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

use super::schema::users;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub pool_id: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub email_verified: bool,
    pub mobile_verified: bool,
    pub status: Status,
    pub payload: String,
    pub metadata: String,
    /// argon2id PHC string; `None` until the user has a password.
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UserRow {
    /// Whether the user may sign in and use tokens: the one access check on a user's status.
    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }
}

/// A user's lifecycle state, stored as the text `active`, `inactive` or `invited` (and serialised the same way in
/// the admin API).
///
/// Reading an unknown stored string yields [`Status::Inactive`] rather than a deserialisation error: it grants
/// nothing (every access check is `is_active`), yet the row stays readable, so one bad row neither breaks listing
/// the pool's users nor stops the admin from seeing the user and setting the status back. The next write of the
/// row stores `inactive`; the unknown value is logged when read.
#[derive(
    utoipa::ToSchema,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
#[schema(as = UserStatus)]
pub enum Status {
    Active,
    Inactive,
    /// Created by invitation and not yet activated.
    Invited,
}

impl Status {
    /// Whether this state lets the user sign in and use tokens.
    pub fn is_active(self) -> bool {
        self == Status::Active
    }

    /// The stored (and serialised) form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Invited => "invited",
        }
    }

    /// The status a stored string names; anything unknown is the state that grants nothing (see [`Status`]).
    pub fn from_stored(stored: &str) -> Status {
        match stored {
            "active" => Status::Active,
            "inactive" => Status::Inactive,
            "invited" => Status::Invited,
            unknown => {
                tracing::warn!(
                    stored = unknown,
                    "unknown user status in the database; read as inactive"
                );
                Status::Inactive
            }
        }
    }
}

impl<DB: Backend> FromSql<Text, DB> for Status
where
    String: FromSql<Text, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Status::from_stored(&String::from_sql(value)?))
    }
}

impl<DB: Backend> ToSql<Text, DB> for Status
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

/// An exact identifier to look a user up by.
#[derive(Debug, Clone)]
pub enum IdentifierFilter {
    Email(String),
    Mobile(String),
}

pub fn insert(conn: &mut DbConn, row: &UserRow) -> StoreResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, pool: &str, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::pool_id.eq(pool).and(users::id.eq(id)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user of `pool` with this exact (normalised) identifier.
pub fn find_by_identifier(
    conn: &mut DbConn,
    pool: &str,
    identifier: &IdentifierFilter,
) -> StoreResult<Option<UserRow>> {
    let q = users::table.filter(users::pool_id.eq(pool)).into_boxed();
    let q = match identifier {
        IdentifierFilter::Email(e) => q.filter(users::email.eq(e.clone())),
        IdentifierFilter::Mobile(m) => q.filter(users::mobile.eq(m.clone())),
    };
    Ok(q.select(UserRow::as_select()).first(conn).optional()?)
}

/// A user by id alone (callers have already scoped the id, e.g. through a grant).
pub fn find_by_id(conn: &mut DbConn, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(conn: &mut DbConn, row: &UserRow) -> StoreResult<()> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// Replaces the user's password hash with `new` only while it is still `old`: a rehash at sign-in must not undo a
/// password change that landed in between. `updated_at` stays: the user's password did not change.
pub fn replace_password_hash(conn: &mut DbConn, id: &str, old: &str, new: &str) -> StoreResult<()> {
    diesel::update(users::table.filter(users::id.eq(id).and(users::password_hash.eq(old))))
        .set(users::password_hash.eq(new))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(users::table.find(id)).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use diesel::IntoSql;

    use super::*;

    const ALL: [Status; 3] = [Status::Active, Status::Inactive, Status::Invited];

    #[test]
    fn each_status_is_stored_and_serialised_as_its_lowercase_name() {
        for status in ALL {
            assert_eq!(Status::from_stored(status.as_str()), status);
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!(Status::Active.is_active());
        assert!(!Status::Inactive.is_active() && !Status::Invited.is_active());
    }

    #[test]
    fn an_unknown_stored_status_grants_nothing() {
        for stored in ["locked", "Active", "active ", ""] {
            assert_eq!(Status::from_stored(stored), Status::Inactive, "{stored:?}");
        }
    }

    #[test]
    fn the_column_mapping_works_through_the_multi_connection() {
        let mut conn = DbConn::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        for status in ALL {
            let written: String = diesel::select(status.into_sql::<Text>())
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(written, status.as_str());
            let read: Status = diesel::select(status.as_str().into_sql::<Text>())
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(read, status);
        }
        let unknown: Status = diesel::select("locked".into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(unknown, Status::Inactive);
    }
}
