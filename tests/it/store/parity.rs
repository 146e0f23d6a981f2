//! The SQLite and PostgreSQL migration sets must produce the same tables, columns, nullability and keys.

use std::collections::BTreeSet;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use tarn::store::{Backend, Db};

use crate::support::TestDb;

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    primary_key: i64,
}

/// `(table, column, portable type, not null, part of the primary key)`.
type Shape = BTreeSet<(String, String, String, bool, bool)>;

fn portable(data_type: &str) -> String {
    match data_type.to_lowercase().as_str() {
        "text" => "text",
        "bigint" => "bigint",
        "boolean" => "boolean",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn shape(columns: Vec<Column>) -> Shape {
    columns
        .into_iter()
        .filter(|c| !c.table_name.starts_with("__diesel"))
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                portable(&c.data_type),
                c.not_null != 0,
                c.primary_key != 0,
            )
        })
        .collect()
}

fn sqlite_shape(path: &str) -> Shape {
    let mut conn = SqliteConnection::establish(path).unwrap();
    let columns = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         CAST(p.\"notnull\" OR p.pk > 0 AS BIGINT) AS not_null, CAST(p.pk > 0 AS BIGINT) AS primary_key \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load(&mut conn)
    .unwrap();
    shape(columns)
}

fn postgres_shape(url: &str) -> Shape {
    let mut conn = PgConnection::establish(url).unwrap();
    let columns = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
         CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END::int8 AS not_null, \
         CASE WHEN EXISTS (SELECT 1 FROM information_schema.table_constraints t \
                 JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                  AND k.table_schema = t.table_schema \
                 WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema \
                  AND k.table_name = c.table_name AND k.column_name = c.column_name) THEN 1 ELSE 0 END::int8 AS primary_key \
         FROM information_schema.columns c WHERE c.table_schema = current_schema()",
    )
    .load(&mut conn)
    .unwrap();
    shape(columns)
}

#[test]
fn both_migration_sets_produce_the_same_schema() {
    if std::env::var("TARN_TEST_POSTGRES_URL").is_err() {
        eprintln!("TARN_TEST_POSTGRES_URL is not set: the parity check needs both backends");
        return;
    }
    // Migrate one database of each kind through the real start-up path.
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite_path = sqlite_dir
        .path()
        .join("tarn.db")
        .to_string_lossy()
        .into_owned();
    Db::open(Backend::Sqlite(sqlite_path.clone())).unwrap();
    let pg_db = TestDb::fresh();
    let Backend::Postgres(pg_url) = pg_db.backend() else {
        panic!("TestDb::fresh gave SQLite")
    };
    Db::open(Backend::Postgres(pg_url.clone())).unwrap();

    let (lite, pg) = (sqlite_shape(&sqlite_path), postgres_shape(&pg_url));
    assert!(lite.len() > 40, "the SQLite schema was read: {lite:?}");
    let only_lite: Vec<_> = lite.difference(&pg).collect();
    let only_pg: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_lite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
}
