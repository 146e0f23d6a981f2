//! Tarn: an OpenID Connect identity provider whose users live in Identity Pools.
//!
//! Data flows one way, **web → domain → store**:
//!
//! | layer  | modules | owns |
//! |--------|---------|------|
//! | web    | `oidc` (OAuth/OIDC endpoints), `pages` (hosted pages), `admin_api` (JSON admin API), `portal` (admin portal, HTML), `web` (shared HTTP glue) | routing, extraction, cookies, CSRF, templates, status codes, error bodies |
//! | domain | `identity`, `authn`, `tokens`, `notify` | the rules: normalisation, validation, policies, token issuance, expiry |
//! | store  | `store` | diesel schema, the SQLite/PostgreSQL connection, migrations |
//!
//! Domain code never imports actix or askama; web code never writes SQL. Within the web layer, `pages → oidc → web`
//! and `pages → web`: the protocol never uses the hosted pages. `state` is the web areas' `AppState`; `messages`
//! renders the texts of outgoing mail and SMS from `templates/` into plain strings, so `notify` can send them without
//! knowing the template engine.

pub(crate) mod admin_api;
pub mod admin_cli;
pub(crate) mod authn;
pub(crate) mod cache;
pub mod clock;
pub mod config;
pub(crate) mod error;
pub(crate) mod identity;
pub(crate) mod messages;
pub(crate) mod notify;
pub(crate) mod oidc;
pub(crate) mod pages;
pub(crate) mod portal;
pub(crate) mod secret;
pub mod state;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub(crate) mod tokens;
pub(crate) mod web;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::{App, HttpServer, web as actix};

use config::Config;
use state::AppState;
use store::Db;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] store::StoreError),
    #[error("cannot set up message delivery: {0}")]
    Notify(#[from] notify::NotifyError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A started server: where it listens, its state, and the handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    server: Server,
    deliveries: Background,
}

impl RunningServer {
    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (Ctrl-C or the handle), then stops the delivery worker.
    pub async fn wait(self) -> std::io::Result<()> {
        self.into_server().await
    }

    /// The server future, for callers that run it on their own task: it ends once the server stopped and the
    /// delivery worker finished the message in hand.
    pub async fn into_server(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.deliveries.stop().await;
        served
    }
}

/// A background task and the signal that stops it.
struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Background {
    async fn stop(self) {
        // An error means the task already ended; either way nothing is left to wait for.
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Opens and migrates the database, bootstraps a fresh one, binds the socket and builds the server.
/// When the admin token was generated just now, it is printed once to standard output.
pub async fn start(mut config: Config) -> Result<RunningServer, StartError> {
    let backend = config.database.clone();
    let db = tokio::task::spawn_blocking(move || Db::open(backend))
        .await
        .map_err(|e| store::StoreError::Blocking(e.to_string()))??;
    let clock = clock::Clock::default();
    let (now, configured) = (clock.now(), config.admin_token.clone());
    let (admin_token_hash, generated, decoy_key, csrf_key) = db
        .run(move |c| {
            identity::tenant::ensure_default(c, now)?;
            let (hash, generated) = authn::admin_token::ensure(c, configured.as_deref())?;
            let csrf_key = authn::installation::secret(c, "csrf_key")?;
            Ok::<_, store::StoreError>((hash, generated, authn::passkey::decoy_key(c)?, csrf_key))
        })
        .await?;
    if let Some(token) = generated {
        println!("Generated the admin API token (shown once, stored only as a hash): {token}");
    }
    let listener =
        TcpListener::bind(config.listen).map_err(|source| Bind(config.listen, source))?;
    let addr = listener
        .local_addr()
        .map_err(|source| Bind(config.listen, source))?;
    config.resolve(addr);
    let public_url = config.public_url().to_owned();
    db.run(move |c| {
        identity::admin::ensure(c, &public_url, identity::admin::ClientUrls::Follow, now)
    })
    .await?;
    let workers = config.workers;
    let notifier = notify::Notifier::new(&config, db.clone(), clock.clone())?;
    let passkeys = relying_party(&config, &decoy_key);
    let state = AppState {
        config: Arc::new(config),
        db,
        clock,
        hasher: authn::password::Hasher::default(),
        notifier,
        admin_token_hash: admin_token_hash.into(),
        providers: Default::default(),
        clients: Default::default(),
        passkeys,
        csrf_key: web::csrf::CsrfKey::new(csrf_key.as_bytes()),
    };
    spawn_maintenance(state.db.clone(), state.clock.clone());
    let deliveries = spawn_deliveries(&state);
    let app_state = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            // Innermost, so the page it renders gets the headers below like any other.
            .wrap_fn(|req, srv| {
                let res = srv.call(req);
                async move { res.await.map(pages::error::as_page) }
            })
            .wrap(web::security_headers::strict())
            .wrap(web::access_log::logger())
            .configure(|cfg| configure_app(cfg, app_state.clone()))
    });
    if let Some(n) = workers {
        server = server.workers(n);
    }
    let server = server
        .listen(listener)
        .map_err(|source| Bind(addr, source))?
        .run();
    Ok(RunningServer {
        addr,
        state,
        server,
        deliveries,
    })
}

/// The WebAuthn relying party the configuration describes. A server without one still runs: passkeys are then
/// not offered, and the log says why (browsers refuse WebAuthn on an IP address, for instance).
fn relying_party(config: &Config, decoy_key: &[u8]) -> Option<Arc<authn::passkey::RelyingParty>> {
    let (rp_id, origin) = config.passkey_relying_party();
    match authn::passkey::RelyingParty::new(&rp_id, &origin, decoy_key) {
        Ok(rp) => Some(Arc::new(rp)),
        Err(e) => {
            tracing::warn!(error = %e, "passkeys are unavailable: set TARN_PUBLIC_URL to a host name (localhost or an https host), or TARN_PASSKEY_RP_ID");
            None
        }
    }
}

/// Purges expired rows every ten minutes, on the blocking pool.
fn spawn_maintenance(db: Db, clock: clock::Clock) {
    actix_web::rt::spawn(async move {
        let period = std::time::Duration::from_secs(600);
        let mut every =
            actix_web::rt::time::interval_at(actix_web::rt::time::Instant::now() + period, period);
        loop {
            every.tick().await;
            let now = clock.now();
            match db
                .run(move |c| store::maintenance::purge_expired(c, now))
                .await
            {
                Ok(n) if n > 0 => {
                    tracing::info!(rows = n, "purged expired sessions, codes and tokens")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
            }
        }
    });
}

/// Starts the worker that sends queued messages (`notify::worker`); it runs until the server stops.
fn spawn_deliveries(state: &AppState) -> Background {
    let worker = notify::worker::Worker {
        notifier: state.notifier.clone(),
        db: state.db.clone(),
        clock: state.clock.clone(),
        schedule: state.config.deliveries,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = actix_web::rt::spawn(worker.run(stopped));
    Background { stop, task }
}

#[expect(non_snake_case, reason = "reads as the variant it builds")]
fn Bind(addr: SocketAddr, source: std::io::Error) -> StartError {
    StartError::Bind { addr, source }
}

/// Every route of the application; shared by `start` and anything that builds an `App` around the state.
/// `pages` answers a failure with a [`PageError`](pages::error::PageError) that the `App` renders
/// ([`pages::error::as_page`]).
pub fn configure_app(cfg: &mut actix::ServiceConfig, state: AppState) {
    // Fixed paths first: the workspace scope `/{tenant}/{workspace}` would match them too.
    cfg.app_data(actix::Data::new(state))
        .configure(web::health::configure)
        .configure(web::static_files::configure)
        .configure(admin_api::configure)
        .configure(portal::configure)
        .configure(pages::configure_root)
        .configure(oidc::configure_root)
        .service(
            actix::scope("/{tenant}/{workspace}")
                .wrap_fn(|req, srv| {
                    let public = web::cors::is_public(req.path());
                    let res = srv.call(req);
                    async move {
                        let res = res.await.map(oidc::error::as_json)?;
                        Ok(web::cors::allow_public(public, res))
                    }
                })
                .configure(oidc::configure)
                .configure(pages::configure),
        );
}
