//! The two migration sets must also agree on indexes (unique or not, with their columns in order) and on
//! foreign keys (columns, referenced table and column, ON DELETE rule).

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use tarn::store::{Backend, Db};

use crate::support::TestDb;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    detail: String,
}

const SQLITE_INDEXES: &str = "SELECT m.name AS table_name, \
    CASE WHEN il.\"unique\" THEN 'index unique' ELSE 'index' END AS kind, \
    (SELECT group_concat(name, ',') FROM (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) AS detail \
    FROM sqlite_master m JOIN pragma_index_list(m.name) il \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' AND il.origin != 'pk'";

const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name AS table_name, 'fk' AS kind, \
    f.\"from\" || '->' || f.\"table\" || '.' || f.\"to\" || ' on delete ' || f.on_delete AS detail \
    FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";

const PG_INDEXES: &str = "SELECT t.relname::text AS table_name, \
    CASE WHEN ix.indisunique THEN 'index unique' ELSE 'index' END AS kind, \
    (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS detail \
    FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
    WHERE n.nspname = current_schema() AND NOT ix.indisprimary AND t.relname NOT LIKE '__diesel%'";

const PG_FOREIGN_KEYS: &str = "SELECT t.relname::text AS table_name, 'fk' AS kind, \
    a.attname::text || '->' || rt.relname::text || '.' || ra.attname::text || ' on delete ' || \
    CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' \
    WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END AS detail \
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid \
    JOIN pg_namespace n ON n.oid = t.relnamespace \
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, refcol) \
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.col \
    JOIN pg_attribute ra ON ra.attrelid = rt.oid AND ra.attnum = k.refcol \
    WHERE c.contype = 'f' AND n.nspname = current_schema()";

#[test]
fn both_migration_sets_have_the_same_indexes_and_foreign_keys() {
    if std::env::var("TARN_TEST_POSTGRES_URL").is_err() {
        eprintln!("TARN_TEST_POSTGRES_URL is not set: the parity check needs both backends");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite_path = dir.path().join("tarn.db").to_string_lossy().into_owned();
    Db::open(Backend::Sqlite(sqlite_path.clone())).unwrap();
    let pg_db = TestDb::fresh();
    let Backend::Postgres(pg_url) = pg_db.backend() else {
        panic!("TestDb::fresh gave SQLite")
    };
    Db::open(Backend::Postgres(pg_url.clone())).unwrap();

    let mut lite = SqliteConnection::establish(&sqlite_path).unwrap();
    let mut pg = PgConnection::establish(&pg_url).unwrap();
    let mut lite_keys: BTreeSet<Key> = BTreeSet::new();
    let mut pg_keys: BTreeSet<Key> = BTreeSet::new();
    for query in [SQLITE_INDEXES, SQLITE_FOREIGN_KEYS] {
        lite_keys.extend(diesel::sql_query(query).load::<Key>(&mut lite).unwrap());
    }
    for query in [PG_INDEXES, PG_FOREIGN_KEYS] {
        pg_keys.extend(diesel::sql_query(query).load::<Key>(&mut pg).unwrap());
    }
    assert!(
        lite_keys.iter().filter(|k| k.kind == "fk").count() > 15,
        "{lite_keys:#?}"
    );
    assert!(
        lite_keys
            .iter()
            .any(|k| k.detail == "pool_id,email" && k.kind == "index unique"),
        "{lite_keys:#?}"
    );
    let only_lite: Vec<_> = lite_keys.difference(&pg_keys).collect();
    let only_pg: Vec<_> = pg_keys.difference(&lite_keys).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_lite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
}
