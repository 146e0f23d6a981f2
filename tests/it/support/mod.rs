//! Test support: `TestServer` (a real server per test), `Admin` (an admin API client with builders), and the
//! OIDC actors in `oidc` and `browser`; `chromium` drives a real headless browser.

mod admin;
pub mod browser;
pub mod chromium;
pub mod client_key;
mod db;
pub mod dpop;
pub mod jwks_server;
pub mod oidc;
pub mod passkey;
pub mod proxy;
pub mod receiver;

pub use admin::{
    Admin, assert_bad_request, assert_conflict, assert_error, assert_invalid, assert_no_content,
    assert_not_found, id, merged, user_body,
};
pub use db::TestDb;

use actix_web::dev::ServerHandle;
use tarn::config::{Config, TrustedProxies};
use tarn::state::AppState;
use tarn::store::Backend;

/// The admin token every test server accepts.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// A running server with its own fresh database.
pub struct TestServer {
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    pub state: AppState,
    handle: ServerHandle,
    /// The server's task: it ends once the server stopped and its delivery worker finished.
    task: Option<actix_web::rt::task::JoinHandle<std::io::Result<()>>>,
    backend: Backend,
    /// The database this server owns (and drops with it); `None` for another instance on someone else's.
    db: Option<TestDb>,
}

impl TestServer {
    /// Starts a server and returns it with an admin client.
    pub async fn start() -> (TestServer, Admin) {
        Self::start_with(|_| {}).await
    }

    /// Starts a server behind a reverse proxy on the loopback address (`TARN_TRUSTED_PROXIES=127.0.0.1, ::1`), where
    /// every test browser connects from: a `Browser::forwarded_for(address)` then counts as `address`.
    pub async fn behind_proxy() -> (TestServer, Admin) {
        Self::start_with(|c| {
            c.trusted_proxies = TrustedProxies::parse(["127.0.0.1, ::1"]).unwrap();
        })
        .await
    }

    /// Starts a server on SQLite whatever `TARN_TEST_POSTGRES_URL` says.
    pub async fn start_sqlite() -> (TestServer, Admin) {
        let db = TestDb::sqlite();
        Self::launch(db.backend(), Some(db), |_| {}).await
    }

    /// Starts a server after `edit` has adjusted the test configuration.
    pub async fn start_with(edit: impl FnOnce(&mut Config)) -> (TestServer, Admin) {
        let db = TestDb::fresh();
        Self::launch(db.backend(), Some(db), edit).await
    }

    /// Starts a second instance on this server's database, as a deployment with several instances runs; this
    /// server keeps owning the database.
    pub async fn another_instance(&self, edit: impl FnOnce(&mut Config)) -> (TestServer, Admin) {
        Self::launch(self.backend.clone(), None, edit).await
    }

    /// Stops this server, as a process ends, and starts another on the same database after `edit` adjusted
    /// the test configuration, as a restart (or a second instance) would.
    pub async fn restart_with(mut self, edit: impl FnOnce(&mut Config)) -> (TestServer, Admin) {
        self.handle.stop(false).await;
        if let Some(task) = self.task.take() {
            task.await
                .expect("the server task ends")
                .expect("the server ran");
        }
        let db = self.db.take().expect("the server owns its database");
        Self::launch(db.backend(), Some(db), edit).await
    }

    async fn launch(
        backend: Backend,
        db: Option<TestDb>,
        edit: impl FnOnce(&mut Config),
    ) -> (TestServer, Admin) {
        let mut config = Config::for_tests(backend.clone(), ADMIN_TOKEN);
        edit(&mut config);
        let running = tarn::start(config).await.expect("server starts");
        let base = format!("http://127.0.0.1:{}", running.addr.port());
        let state = running.state.clone();
        let handle = running.handle();
        let task = actix_web::rt::spawn(running.into_server());
        let admin = Admin::new(&base, ADMIN_TOKEN);
        (
            TestServer {
                base,
                state,
                handle,
                task: Some(task),
                backend,
                db,
            },
            admin,
        )
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Stopping is asynchronous; dropping the future still signals the workers.
        drop(self.handle.stop(false));
    }
}
