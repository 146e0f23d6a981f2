//! Store layer: diesel schema, the SQLite/PostgreSQL connection, the pool and one module per table family.
//! Knows nothing of HTTP or of the domain's rules; returns rows and `StoreError`.
//!
//! An insert that may find its row already there (an idempotent membership, a setting generated at start-up, a
//! single-use `jti`) goes through [`insert_unless_present`], never "find, then insert": two connections can both
//! find nothing, and the second insert then fails on the key. `INSERT … ON CONFLICT DO NOTHING` would say it in
//! SQL, but diesel's `on_conflict_do_nothing()` does not compile for the `MultiConnection` backend (it does not
//! implement `PgLikeOnConflictClause`), so the duplicate is caught as a unique violation instead.

mod conn;
mod migrate;
pub mod page;
pub mod schema;

pub mod audit_events;
pub mod client_registrations;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod deliveries;
pub mod dependents;
pub mod device_codes;
pub mod failures;
pub mod grants;
pub mod groups;
pub mod invitations;
pub mod jobs;
pub mod keys;
pub mod lease;
pub mod logout_deliveries;
pub mod maintenance;
pub mod membership;
pub mod outbox;
pub mod passkeys;
pub mod pools;
pub mod portal;
pub mod pushed_requests;
pub mod registration_sends;
pub mod registrations;
pub mod schemas;
pub mod sessions;
pub mod settings;
pub mod tenants;
pub mod transfer;
pub mod user_search;
pub mod users;
pub mod workspaces;

use std::time::Duration;

pub use conn::{Backend, DbConn};
use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{QueryResult, SqliteConnection};
pub use migrate::lock_startup;

/// A failure of the store: the pool, the query, or a constraint the database enforced.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write.
    #[error("unique constraint violated: {0}")]
    Unique(String),
    /// A foreign key refused the write (a referenced row is missing, or a row is still referenced).
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    #[error("database query failed: {0}")]
    Query(DieselError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("{0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("blocking task failed: {0}")]
    Blocking(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Unique(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                StoreError::ForeignKey(info.message().to_owned())
            }
            other => StoreError::Query(other),
        }
    }
}

/// Store results; finders return `Ok(None)` for a missing row, never hide a failure.
pub type StoreResult<T> = Result<T, StoreError>;

/// The connection pool. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<conn::Manager>,
}

impl Db {
    /// Opens the pool (failing fast with the driver's own message) and applies pending migrations.
    pub fn open(backend: Backend) -> StoreResult<Db> {
        // No connection kept idle by force: r2d2 would refill it in the background, and a start refused after
        // the pool opened (a wrong keyring) then exits while libpq negotiates TLS, racing OpenSSL's exit-time
        // cleanup. Connections still stay idle after use, for r2d2's idle timeout.
        Db::open_with(backend, Some(0))
    }

    /// Like [`Db::open`], for a command that exits as soon as its work is done (`tarn admin create`, `tarn keys
    /// rewrap`): the pool keeps no idle connection, so it never opens one in the background. A connection still
    /// being opened (libpq negotiating TLS) when the process exits races OpenSSL's exit-time cleanup and crashes.
    pub fn open_for_command(backend: Backend) -> StoreResult<Db> {
        Db::open_with(backend, Some(0))
    }

    fn open_with(backend: Backend, min_idle: Option<u32>) -> StoreResult<Db> {
        // A SQLite connection is a file handle that cannot drop like a server's socket, so checking it with a
        // `SELECT 1` at every checkout only adds a statement to every request (a third of a UserInfo call's).
        let (size, test_on_check_out) = match backend {
            Backend::Sqlite(_) => (8, false),
            Backend::Postgres(_) => (16, true),
        };
        let manager = conn::Manager(backend);
        // Open one connection by hand first: r2d2 would retry a bad URL for its whole timeout and lose the cause.
        let mut first = r2d2::ManageConnection::connect(&manager).map_err(|e| {
            // libpq's messages span lines; the operator gets one.
            StoreError::Connect(
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })?;
        migrate::run_pending(&mut first)?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .test_on_check_out(test_on_check_out)
            .min_idle(min_idle)
            // How long a request waits for a connection before it sheds with 503: a database outage answers
            // in this time, and a queue of work longer than this is better refused than waited on.
            .connection_timeout(Duration::from_secs(3))
            .build(manager)?;
        Ok(Db { pool })
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on an async worker.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        // What `f` logs belongs to the request that asked (its request id).
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool.get().map_err(StoreError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Blocking(e.to_string()))?
    }

    /// The pool's connections now: `(in use, idle)`.
    pub fn connections(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.connections - state.idle_connections,
            state.idle_connections,
        )
    }

    /// Like [`Db::run`], inside one transaction: everything `f` writes lands, or nothing does.
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        self.run(move |conn| transaction(conn, f)).await
    }

    /// Whether the database answers a trivial query within `limit` (readiness): its own short bound, not the
    /// pool's checkout timeout, so that a load balancer learns of an outage quickly.
    pub async fn is_ready(&self, limit: Duration) -> bool {
        let pool = self.pool.clone();
        let check = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(limit).ok()?;
            diesel::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), &mut *conn).ok()
        });
        matches!(tokio::time::timeout(limit, check).await, Ok(Ok(Some(_))))
    }
}

/// Runs `f` in one transaction: everything it writes lands, or nothing does.
///
/// On SQLite the outermost transaction takes the write lock up front (`BEGIN IMMEDIATE`): a deferred one that
/// reads and then writes fails at once with `SQLITE_BUSY` when another connection committed in between (a WAL
/// snapshot cannot be upgraded), where an immediate one waits for the busy timeout like any writer.
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    if !is_outermost_sqlite(conn) {
        // PostgreSQL, or nested (diesel uses a savepoint).
        return conn
            .transaction(|c| f(c).map_err(TxError::Inner))
            .map_err(TxError::into_inner);
    }
    if let DbConn::Sqlite(lite) = conn {
        AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
    }
    let result = f(conn);
    if let DbConn::Sqlite(lite) = conn {
        let end = match &result {
            Ok(_) => <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(lite),
            Err(_) => <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(lite),
        };
        if let (Err(e), Ok(_)) = (end, &result) {
            return Err(StoreError::from(e).into());
        }
    }
    result
}

/// Runs `insert` unless its row is already there: `Ok(true)` when it inserted, `Ok(false)` when a unique
/// constraint refused the row.
///
/// The insert gets a [`transaction`] of its own, a SAVEPOINT inside the caller's: a failed statement aborts a
/// whole PostgreSQL transaction, and rolling back to the savepoint keeps the caller's usable. Any unique constraint
/// counts, so use it on tables whose only unique key is what makes two rows the same. PostgreSQL logs each
/// refused insert as an ERROR; callers that mostly expect the row to exist can look first and call this second.
pub fn insert_unless_present(
    conn: &mut DbConn,
    insert: impl FnOnce(&mut DbConn) -> QueryResult<usize>,
) -> StoreResult<bool> {
    // Through `StoreError`, so that what counts as a duplicate is decided in one place, `From<DieselError>`.
    match transaction(conn, |c| insert(c).map_err(StoreError::from)) {
        Ok(_) => Ok(true),
        Err(StoreError::Unique(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

fn is_outermost_sqlite(conn: &mut DbConn) -> bool {
    match conn {
        DbConn::Sqlite(lite) => matches!(
            AnsiTransactionManager::transaction_manager_status_mut(lite).transaction_depth(),
            Ok(None)
        ),
        DbConn::Postgres(_) => false,
    }
}

/// Carries the caller's error through diesel's transaction, which needs `From<diesel::result::Error>`.
enum TxError<E> {
    Inner(E),
    Diesel(DieselError),
}

impl<E> From<DieselError> for TxError<E> {
    fn from(e: DieselError) -> Self {
        TxError::Diesel(e)
    }
}

impl<E: From<StoreError>> TxError<E> {
    fn into_inner(self) -> E {
        match self {
            TxError::Inner(e) => e,
            TxError::Diesel(e) => E::from(StoreError::from(e)),
        }
    }
}
