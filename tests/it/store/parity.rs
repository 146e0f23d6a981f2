//! The SQLite and PostgreSQL migration sets are twins. The folders hold the same migrations and files, and a file
//! that is not byte-identical to its twin says why on its first line. Migrated, the two schemas agree on tables,
//! columns (portable type, nullability), primary keys, UNIQUE constraints, foreign keys (with their ON DELETE and
//! ON UPDATE rules) and indexes. Names the databases generate (`sqlite_autoindex_*`, `*_fkey`, `*_key`) are never
//! compared, only what the keys and indexes are made of.

mod catalog;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use tarn::store::{Backend, Db};

use crate::support::TestDb;
use catalog::{Schema, postgres_schema, sqlite_schema};

/// The first line a PostgreSQL migration file must start with when it is not a copy of its SQLite twin.
const DIFFERS: &str = "-- differs from sqlite:";

fn migrations(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
}

/// Every file under `root`, as a `/`-separated path relative to it.
fn files_under(root: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().components();
                let parts: Vec<_> = relative.map(|c| c.as_os_str().to_string_lossy()).collect();
                files.insert(parts.join("/"));
            }
        }
    }
    files
}

/// The migrations (directories) and files that only one of the two folders has.
fn missing_twins(lite: &Path, pg: &Path) -> Vec<String> {
    let migrations = |root: &Path| -> BTreeSet<String> {
        let dirs = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path());
        dirs.filter(|path| path.is_dir())
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    let only_in_one = |what: &str, lite: BTreeSet<String>, pg: BTreeSet<String>| {
        let only_lite = lite
            .difference(&pg)
            .map(|n| format!("{what} {n} is only in SQLite"));
        let only_pg = pg
            .difference(&lite)
            .map(|n| format!("{what} {n} is only in PostgreSQL"));
        only_lite.chain(only_pg).collect::<Vec<_>>()
    };
    let mut problems = only_in_one("migration", migrations(lite), migrations(pg));
    problems.extend(only_in_one("file", files_under(lite), files_under(pg)));
    problems
}

/// The twin files that differ while the PostgreSQL one does not start with `-- differs from sqlite: <why>`.
fn unexplained_differences(lite: &Path, pg: &Path) -> Vec<String> {
    let both = files_under(lite);
    let both = both
        .intersection(&files_under(pg))
        .cloned()
        .collect::<Vec<_>>();
    both.into_iter()
        .filter(|file| {
            std::fs::read(lite.join(file)).unwrap() != std::fs::read(pg.join(file)).unwrap()
        })
        .filter(|file| {
            let text = std::fs::read_to_string(pg.join(file)).unwrap();
            let first = text.lines().next().unwrap_or_default();
            first
                .strip_prefix(DIFFERS)
                .is_none_or(|why| why.trim().is_empty())
        })
        .map(|file| format!("{file} differs without a first line `{DIFFERS} <why>` in PostgreSQL"))
        .collect()
}

#[test]
fn both_migration_folders_hold_the_same_migrations_and_files() {
    let problems = missing_twins(&migrations("sqlite"), &migrations("postgres"));
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(files_under(&migrations("sqlite")).len() > 10);
}

#[test]
fn a_twin_file_that_differs_says_why_on_its_first_line() {
    let problems = unexplained_differences(&migrations("sqlite"), &migrations("postgres"));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_twin_checks_report_a_missing_twin_and_an_unexplained_difference() {
    let dir = tempfile::tempdir().unwrap();
    let (lite, pg) = (dir.path().join("sqlite"), dir.path().join("postgres"));
    let write = |root: &Path, file: &str, text: &str| {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    for root in [&lite, &pg] {
        write(root, "1_same/up.sql", "CREATE TABLE t (id TEXT);\n");
    }
    write(&lite, "2_explained/up.sql", "CREATE TABLE u (id TEXT);\n");
    write(
        &pg,
        "2_explained/up.sql",
        "-- differs from sqlite: a reason\nCREATE TABLE u (id TEXT);\n",
    );
    write(&lite, "3_unexplained/up.sql", "CREATE TABLE v (id TEXT);\n");
    write(
        &pg,
        "3_unexplained/up.sql",
        "-- differs from sqlite:\nCREATE TABLE v (id BIGINT);\n",
    );
    write(&lite, "3_unexplained/down.sql", "DROP TABLE v;\n");
    write(&lite, "4_sqlite_only/up.sql", "");

    assert_eq!(
        missing_twins(&lite, &pg),
        [
            "migration 4_sqlite_only is only in SQLite",
            "file 3_unexplained/down.sql is only in SQLite",
            "file 4_sqlite_only/up.sql is only in SQLite",
        ]
    );
    assert_eq!(
        unexplained_differences(&lite, &pg),
        [format!(
            "3_unexplained/up.sql differs without a first line `{DIFFERS} <why>` in PostgreSQL"
        )]
    );
}

/// What only one side has, SQLite's first.
fn drift(lite: &Schema, pg: &Schema) -> Vec<String> {
    let only_lite = lite.difference(pg).map(|f| format!("only in SQLite: {f}"));
    // An index in another collation (the "C" indexes that serve prefix ranges) has no SQLite counterpart:
    // SQLite compares text bytewise already. The migration that adds one says why it differs.
    let only_pg = pg
        .difference(lite)
        .filter(|f| !f.contains(" collate "))
        .map(|f| format!("only in PostgreSQL: {f}"));
    only_lite.chain(only_pg).collect()
}

/// Both migration sets applied through the real start-up path, or `None` when there is no PostgreSQL to test.
fn migrated() -> Option<(tempfile::TempDir, TestDb, String, String)> {
    if !std::env::var("TARN_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        eprintln!("TARN_TEST_POSTGRES_URL is not set: the parity check needs both backends");
        return None;
    }
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
    Some((sqlite_dir, pg_db, sqlite_path, pg_url))
}

#[test]
fn both_migration_sets_produce_the_same_schema() {
    let Some((_dir, _pg_db, sqlite_path, pg_url)) = migrated() else {
        return;
    };
    let (lite, pg) = (sqlite_schema(&sqlite_path), postgres_schema(&pg_url));
    // Each query read something: an empty side would compare equal to nothing. (No migration creates a UNIQUE
    // INDEX yet; the drift test shows those are read too.)
    for kind in [
        "column ",
        "primary key ",
        "unique ",
        "index ",
        "foreign key ",
    ] {
        assert!(
            lite.iter().any(|f| f.starts_with(kind)),
            "no {kind}in {lite:#?}"
        );
    }
    let found = drift(&lite, &pg);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_drift_between_the_migrated_schemas_is_reported() {
    let Some((_dir, _pg_db, sqlite_path, pg_url)) = migrated() else {
        return;
    };
    let mut conn = PgConnection::establish(&pg_url).unwrap();
    conn.batch_execute(
        "DROP INDEX users_pool_created; \
         ALTER TABLE users ALTER COLUMN status DROP NOT NULL; \
         ALTER TABLE group_members DROP CONSTRAINT group_members_user_id_fkey, \
           ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT; \
         ALTER TABLE pool_groups DROP CONSTRAINT pool_groups_pool_id_name_key; \
         CREATE UNIQUE INDEX pool_groups_name ON pool_groups (pool_id, name) WHERE parent_id IS NULL",
    )
    .unwrap();

    let found = drift(&sqlite_schema(&sqlite_path), &postgres_schema(&pg_url));
    assert_eq!(
        found,
        [
            "only in SQLite: column users.status text not null",
            "only in SQLite: foreign key group_members (user_id) references users (id) on delete CASCADE on update NO ACTION",
            "only in SQLite: index users (pool_id, created_at, id)",
            "only in SQLite: unique pool_groups (pool_id, name)",
            "only in PostgreSQL: column users.status text null",
            "only in PostgreSQL: foreign key group_members (user_id) references users (id) on delete RESTRICT on update NO ACTION",
            "only in PostgreSQL: unique index pool_groups (pool_id, name) partial",
        ]
    );
}
