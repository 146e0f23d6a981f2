//! Embedded migrations for both backends (`migrations/sqlite`, `migrations/postgres`: same names), run at start,
//! and the lock that serialises start-up work between instances sharing one PostgreSQL.

use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbConn, StoreError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration of the connection's backend.
///
/// diesel_migrations takes no lock: two instances starting together both find a migration pending and both apply
/// it (on PostgreSQL the second fails on the catalogue, `pg_type_typname_nsp_index`; on SQLite on the duplicate
/// column). So all pending migrations run in one transaction that first takes the start-up lock: the second
/// instance waits, then finds nothing pending, and a crashed instance cannot leave the lock held.
pub fn run_pending(conn: &mut DbConn) -> Result<(), StoreError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    super::transaction(conn, |conn| {
        lock_startup(conn)?;
        match conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(drop).map_err(failed),
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES).map(drop).map_err(failed),
        }
    })
}

/// Inside a [`transaction`](super::transaction): waits until no other instance holds the start-up lock, and holds
/// it until the transaction ends (a PostgreSQL advisory lock; on SQLite the transaction's `BEGIN IMMEDIATE` write
/// lock is that lock already).
pub fn lock_startup(conn: &mut DbConn) -> Result<(), StoreError> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(c) => lock_postgres(c),
    }
}

/// Advisory locks belong to the whole database, so the key names the schema: installations in two schemas of one
/// database (the tests' fresh schemas, for one) never wait for each other, nor deadlock through a third session
/// dropping one of them.
fn lock_postgres(c: &mut diesel::PgConnection) -> Result<(), StoreError> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '/tarn/startup'))",
    )
    .execute(c)?;
    Ok(())
}
