//! A fresh database per test: a SQLite file in a temp dir, or a new PostgreSQL schema dropped afterwards.

use diesel::{Connection, PgConnection, RunQueryDsl};
use tarn::store::Backend;

pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { base_url: String, schema: String },
}

impl TestDb {
    pub fn fresh() -> TestDb {
        match std::env::var("TARN_TEST_POSTGRES_URL") {
            Ok(base_url) if !base_url.is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn =
                    PgConnection::establish(&base_url).expect("TARN_TEST_POSTGRES_URL reachable");
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .expect("create schema");
                TestDb::Postgres { base_url, schema }
            }
            _ => TestDb::Sqlite(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// A SQLite database whatever `TARN_TEST_POSTGRES_URL` says (one side of a move between backends).
    pub fn sqlite() -> TestDb {
        TestDb::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    pub fn backend(&self) -> Backend {
        match self {
            TestDb::Sqlite(dir) => {
                Backend::Sqlite(dir.path().join("tarn.db").to_string_lossy().into_owned())
            }
            TestDb::Postgres { base_url, schema } => {
                let sep = if base_url.contains('?') { '&' } else { '?' };
                Backend::Postgres(format!("{base_url}{sep}options=-csearch_path%3D{schema}"))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { base_url, schema } = self
            && let Ok(mut conn) = PgConnection::establish(base_url)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn);
        }
    }
}
