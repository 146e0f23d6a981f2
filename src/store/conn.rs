//! The one connection type over SQLite and PostgreSQL, and the r2d2 manager that picks the backend by URL scheme.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;

/// A database connection: SQLite (embedded default) or PostgreSQL (production).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH`: the path, relative to the working directory unless it starts with `/`.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`, passed to libpq unchanged.
    Postgres(String),
}

impl Backend {
    /// Parses a database URL; `None` when the scheme is neither SQLite nor PostgreSQL.
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres(url.to_owned()))
        } else {
            let path = url.strip_prefix("sqlite://")?;
            (!path.is_empty()).then(|| Backend::Sqlite(path.to_owned()))
        }
    }
}

/// Opens connections for r2d2. Unlike the derive's try-each-variant `establish`, it keeps the real error.
pub struct Manager(pub Backend);

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        match &self.0 {
            Backend::Postgres(url) => Ok(DbConn::Postgres(PgConnection::establish(url)?)),
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first: with it, concurrent pool connections wait instead of failing on WAL setup.
                // synchronous = FULL syncs the WAL at every commit, so an acknowledged write survives a power loss
                // too (NORMAL survives a process crash only); it costs one fsync per commit (BENCHMARKS.md).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.ping()
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

#[cfg(test)]
mod tests {
    use super::Backend;

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://tarn.db"),
            Some(Backend::Sqlite("tarn.db".into()))
        );
        assert_eq!(
            Backend::from_url("sqlite:///var/lib/tarn.db"),
            Some(Backend::Sqlite("/var/lib/tarn.db".into()))
        );
        assert!(matches!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres(_))
        ));
        assert_eq!(Backend::from_url("mysql://h/db"), None);
        assert_eq!(Backend::from_url("sqlite://"), None);
        assert_eq!(Backend::from_url("tarn.db"), None);
    }
}
