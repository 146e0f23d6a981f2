//! What a migrated database is made of, read from its catalog and written one readable line per column, primary
//! key, UNIQUE constraint, foreign key and index, so that the SQLite and PostgreSQL lines can be compared as sets.

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

/// What a schema is made of, one line per fact.
pub type Schema = BTreeSet<String>;

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

/// One column of a primary key or UNIQUE constraint (`kind`), or of an index (`kind` = `index`/`unique index`,
/// `partial` when it has a WHERE clause).
#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    key_name: String,
    #[diesel(sql_type = BigInt)]
    partial: i64,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// One column pair of a foreign key.
#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    key_name: String,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    /// NULL on SQLite when the key names only the table (`REFERENCES tenants`): its primary key is meant.
    #[diesel(sql_type = Nullable<Text>)]
    ref_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

// SQLite lets a primary-key column other than INTEGER PRIMARY KEY hold NULL unless it says NOT NULL, so only the
// declared flag counts. `origin` tells what made an index: `pk` (compared as the primary key), `u` (a UNIQUE
// constraint), `c` (CREATE INDEX).
const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
    p.\"notnull\" AS not_null FROM sqlite_master m JOIN pragma_table_info(m.name) p \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const SQLITE_KEYS: &str = "SELECT 'primary key' AS kind, m.name AS table_name, '' AS key_name, 0 AS partial, \
    p.pk AS position, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.pk > 0 \
    UNION ALL SELECT CASE WHEN il.origin = 'u' THEN 'unique' WHEN il.\"unique\" THEN 'unique index' ELSE 'index' END, \
    m.name, il.name, il.partial, ii.seqno, COALESCE(ii.name, '<expression>') \
    FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND il.origin != 'pk'";

const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name AS table_name, CAST(f.id AS TEXT) AS key_name, f.seq AS position, \
    f.\"from\" AS column_name, f.\"table\" AS ref_table, f.\"to\" AS ref_column, f.on_delete, f.on_update \
    FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";

// Restricted to the test's schema. The indexes PostgreSQL builds for PRIMARY KEY and UNIQUE constraints are
// left out (their constraints are compared), as SQLite's `pk`/`u` autoindexes are; `conindid` of a foreign key
// points at the referenced table's index, hence the `conrelid` condition.
// An index column in another collation than its column's is read as `name collate C`.
const PG_COLUMNS: &str = "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
    CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END::int8 AS not_null \
    FROM information_schema.columns c WHERE c.table_schema = current_schema()";

const PG_KEYS: &str = "SELECT CASE c.contype WHEN 'p' THEN 'primary key' ELSE 'unique' END AS kind, \
    t.relname::text AS table_name, c.conname::text AS key_name, 0::int8 AS partial, k.ord AS position, \
    a.attname::text AS column_name \
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
    WHERE c.contype IN ('p', 'u') AND n.nspname = current_schema() \
    UNION ALL SELECT CASE WHEN ix.indisunique THEN 'unique index' ELSE 'index' END, t.relname::text, \
    i.relname::text, CASE WHEN ix.indpred IS NULL THEN 0 ELSE 1 END::int8, k.ord, \
    COALESCE(a.attname::text || CASE WHEN ix.indcollation[(k.ord - 1)::int] IN (0, a.attcollation) THEN '' \
      ELSE ' collate ' || (SELECT l.collname::text FROM pg_collation l WHERE l.oid = ix.indcollation[(k.ord - 1)::int]) \
      END, '<expression>') \
    FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
    JOIN pg_namespace n ON n.oid = t.relnamespace \
    CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
    WHERE n.nspname = current_schema() AND k.ord <= ix.indnkeyatts AND NOT EXISTS ( \
      SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid \
      AND c.contype IN ('p', 'u', 'x'))";

const PG_RULE: &str = "WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' \
    WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END";

fn pg_foreign_keys() -> String {
    format!(
        "SELECT t.relname::text AS table_name, c.conname::text AS key_name, k.ord AS position, \
         a.attname::text AS column_name, rt.relname::text AS ref_table, ra.attname::text AS ref_column, \
         CASE c.confdeltype {PG_RULE} AS on_delete, CASE c.confupdtype {PG_RULE} AS on_update \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, refcol, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.col \
         JOIN pg_attribute ra ON ra.attrelid = rt.oid AND ra.attnum = k.refcol \
         WHERE c.contype = 'f' AND n.nspname = current_schema()"
    )
}

fn portable(data_type: &str) -> String {
    data_type.to_lowercase()
}

/// Groups the rows of each key or index (by table and name) and lists its columns in order.
fn ordered<T>(
    rows: Vec<T>,
    key: impl Fn(&T) -> (String, String, i64),
) -> BTreeMap<(String, String), Vec<T>> {
    let mut groups: BTreeMap<(String, String), Vec<T>> = BTreeMap::new();
    for row in rows {
        let (table, name, _) = key(&row);
        groups.entry((table, name)).or_default().push(row);
    }
    for rows in groups.values_mut() {
        rows.sort_by_key(|r| key(r).2);
    }
    groups
}

/// The facts of one database; diesel's own table is left out.
fn schema(columns: Vec<ColumnRow>, keys: Vec<KeyRow>, foreign_keys: Vec<ForeignKeyRow>) -> Schema {
    let internal = |table: &str| table.starts_with("__diesel");
    let mut facts = Schema::new();
    for c in columns.iter().filter(|c| !internal(&c.table_name)) {
        let null = if c.not_null != 0 { "not null" } else { "null" };
        let ty = portable(&c.data_type);
        facts.insert(format!(
            "column {}.{} {ty} {null}",
            c.table_name, c.column_name
        ));
    }
    let keys = ordered(keys, |k| {
        (k.table_name.clone(), k.key_name.clone(), k.position)
    });
    let mut primary_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((table, _), rows) in keys.into_iter().filter(|((t, _), _)| !internal(t)) {
        let columns: Vec<String> = rows.iter().map(|r| r.column_name.clone()).collect();
        let partial = if rows[0].partial != 0 { " partial" } else { "" };
        facts.insert(format!(
            "{} {table} ({}){partial}",
            rows[0].kind,
            columns.join(", ")
        ));
        if rows[0].kind == "primary key" {
            primary_keys.insert(table, columns);
        }
    }
    let foreign_keys = ordered(foreign_keys, |f| {
        (f.table_name.clone(), f.key_name.clone(), f.position)
    });
    for ((table, _), rows) in foreign_keys {
        let columns: Vec<&str> = rows.iter().map(|r| r.column_name.as_str()).collect();
        let referenced: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| match &r.ref_column {
                Some(column) => column.clone(),
                None => primary_keys
                    .get(&r.ref_table)
                    .and_then(|pk| pk.get(i))
                    .cloned()
                    .unwrap_or_else(|| "<no primary key>".into()),
            })
            .collect();
        let f = &rows[0];
        facts.insert(format!(
            "foreign key {table} ({}) references {} ({}) on delete {} on update {}",
            columns.join(", "),
            f.ref_table,
            referenced.join(", "),
            f.on_delete,
            f.on_update,
        ));
    }
    facts
}

/// The schema of the SQLite database at `path`.
pub fn sqlite_schema(path: &str) -> Schema {
    let mut conn = SqliteConnection::establish(path).unwrap();
    schema(
        diesel::sql_query(SQLITE_COLUMNS).load(&mut conn).unwrap(),
        diesel::sql_query(SQLITE_KEYS).load(&mut conn).unwrap(),
        diesel::sql_query(SQLITE_FOREIGN_KEYS)
            .load(&mut conn)
            .unwrap(),
    )
}

/// The schema of the PostgreSQL database at `url`, only its current schema (the test's).
pub fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::establish(url).unwrap();
    schema(
        diesel::sql_query(PG_COLUMNS).load(&mut conn).unwrap(),
        diesel::sql_query(PG_KEYS).load(&mut conn).unwrap(),
        diesel::sql_query(pg_foreign_keys())
            .load(&mut conn)
            .unwrap(),
    )
}
