//! Embedded migrations for both backends (`migrations/sqlite`, `migrations/postgres`: same names), run at start.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbConn, StoreError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration of the connection's backend.
pub fn run_pending(conn: &mut DbConn) -> Result<(), StoreError> {
    let result = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(drop),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES).map(drop),
    };
    result.map_err(|e| StoreError::Migration(e.to_string()))
}
