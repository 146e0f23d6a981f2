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
pub(crate) mod audit;
pub(crate) mod authn;
pub(crate) mod cache;
pub mod clock;
pub mod config;
pub(crate) mod error;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod identity;
pub(crate) mod messages;
pub(crate) mod metrics;
pub(crate) mod notify;
pub(crate) mod oidc;
pub(crate) mod pages;
pub(crate) mod portability;
pub mod portability_cli;
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
    /// The keyring (`TARN_KEY_ENCRYPTION_KEYS`) is missing, wrong or malformed for the stored keys.
    #[error("{0}")]
    KeyEncryption(#[from] tokens::keyring::KeyringError),
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
    /// The unauthenticated `/metrics` listener (`TARN_METRICS_LISTEN`), running on its own task.
    metrics_server: Option<web::metrics::MetricsListener>,
    deliveries: Background,
    logouts: Background,
}

impl StartError {
    /// Whether the operator's configuration is at fault (exit status 2) rather than the environment (1).
    pub fn is_configuration(&self) -> bool {
        matches!(self, StartError::KeyEncryption(e) if !matches!(e, tokens::keyring::KeyringError::Store(_)))
    }
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

    /// Serves until SIGTERM or Ctrl-C, then drains: `/readyz` answers 503 at once and responses close their
    /// connections, the server keeps serving (new connections too) for `TARN_SHUTDOWN_GRACE` so a load balancer
    /// notices, then it stops accepting, lets requests in flight finish, and returns.
    pub async fn serve_until_signal(self) -> std::io::Result<()> {
        let (handle, draining) = (self.handle(), self.state.draining.clone());
        let grace = self.state.config.shutdown_grace;
        actix_web::rt::spawn(async move {
            web::drain::shutdown_requested().await;
            draining.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(grace_seconds = grace.as_secs(), "shutting down: draining");
            actix_web::rt::time::sleep(grace).await;
            handle.stop(true).await;
        });
        self.into_server().await
    }

    /// The server future, for callers that run it on their own task: it ends once the server stopped and the
    /// delivery worker finished the message in hand.
    pub async fn into_server(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(listener) = self.metrics_server {
            listener.stop().await;
        }
        self.deliveries.stop().await;
        self.logouts.stop().await;
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
    seal_keys_at_rest(&db, config.key_encryption.clone()).await?;
    let (now, configured) = (clock.now(), config.admin_token.clone());
    let (admin_token_hash, generated, decoy_key, csrf_key) = db
        .transaction(move |c| {
            // Instances starting together on a fresh database take turns: each finds what the first created.
            store::lock_startup(c)?;
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
    let metrics = Arc::new(metrics::Metrics::new());
    let notifier = notify::Notifier::new(&config, db.clone(), clock.clone(), metrics.clone())?;
    let passkeys = relying_party(&config, &decoy_key);
    let provider_lookups = metrics.cache_lookups(metrics::labels::Cache::Provider);
    let providers = Arc::new(tokens::Providers::new(
        config.key_encryption.clone(),
        provider_lookups,
    ));
    let client_lookups = metrics.cache_lookups(metrics::labels::Cache::Client);
    let key_sets =
        tokens::client_keys::RemoteKeySets::new().map_err(|e| notify::NotifyError::Setup {
            channel: "jwks_uri",
            message: e.to_string(),
        })?;
    let state = AppState {
        config: Arc::new(config),
        db,
        clock,
        hasher: authn::password::Hasher::default().timed_in(metrics.password_hash_durations()),
        notifier,
        admin_token_hash: admin_token_hash.into(),
        providers,
        clients: Arc::new(tokens::client_auth::ClientCache::new(client_lookups)),
        key_sets: Arc::new(key_sets),
        access_tokens: Default::default(),
        passkeys,
        csrf_key: web::csrf::CsrfKey::new(csrf_key.as_bytes()),
        metrics,
        draining: Default::default(),
    };
    spawn_maintenance(
        state.db.clone(),
        state.clock.clone(),
        state.config.audit_retention_days,
    );
    let deliveries = spawn_deliveries(&state);
    let logouts = spawn_logouts(&state)?;
    let app_state = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            // Innermost, so the page it renders gets the headers below like any other.
            .wrap_fn(|req, srv| {
                let res = srv.call(req);
                async move { res.await.map(pages::error::as_page) }
            })
            .wrap(web::security_headers::strict())
            .wrap_fn(|req, srv| {
                let draining = web::drain::is_draining(&req);
                let res = srv.call(req);
                async move { res.await.map(|res| web::drain::close_if(draining, res)) }
            })
            .wrap_fn({
                let metrics = app_state.metrics.clone();
                move |req, srv| web::metrics::count_request(&metrics, req, srv)
            })
            .wrap_fn(web::request_id::traced)
            .configure(|cfg| configure_app(cfg, app_state.clone()))
    });
    if let Some(n) = workers {
        server = server.workers(n);
    }
    // Signals start a drain (`RunningServer::serve_until_signal`), not actix's immediate stop.
    server = server.disable_signals();
    let server = server
        .listen(listener)
        .map_err(|source| Bind(addr, source))?
        .run();
    let metrics_server = match state.config.metrics_listen {
        Some(at) => Some(web::metrics::listener(at, state.clone()).map_err(|s| Bind(at, s))?),
        None => None,
    };
    Ok(RunningServer {
        addr,
        state,
        server,
        metrics_server,
        deliveries,
        logouts,
    })
}

/// Checks that every stored private key opens under the keyring and seals those still in plaintext (under the
/// start-up lock, so instances starting together do it once); without a keyring, warns that keys are stored
/// unencrypted.
async fn seal_keys_at_rest(
    db: &Db,
    keyring: Option<Arc<tokens::keyring::Keyring>>,
) -> Result<(), StartError> {
    let unencrypted = keyring.is_none();
    let sealed = db
        .transaction(move |c| {
            store::lock_startup(c)?;
            tokens::keys::seal_at_rest(c, keyring.as_deref())
        })
        .await?;
    if sealed > 0 {
        tracing::info!(
            keys = sealed,
            "encrypted the private signing keys stored in plaintext"
        );
    }
    if unencrypted {
        tracing::warn!(
            "private signing keys are stored unencrypted: set {} to encrypt them",
            tokens::keyring::VARIABLE
        );
    }
    Ok(())
}

/// Re-encrypts every stored private signing key under the first key of the configured keyring (`tarn keys
/// rewrap`); returns how many changed.
pub async fn rewrap_keys(config: Config) -> Result<usize, StartError> {
    let keyring = config
        .key_encryption
        .clone()
        .ok_or(tokens::keyring::KeyringError::Invalid(
            "not set: nothing to rewrap under".into(),
        ))?;
    let backend = config.database.clone();
    let db = tokio::task::spawn_blocking(move || Db::open_for_command(backend))
        .await
        .map_err(|e| store::StoreError::Blocking(e.to_string()))??;
    let changed = db
        .transaction(move |c| {
            store::lock_startup(c)?;
            tokens::keys::rewrap(c, &keyring)
        })
        .await?;
    Ok(changed)
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

const PURGE_EVERY_SECS: i64 = 600;

/// Purges expired rows every ten minutes across all instances on the database, on the blocking pool.
fn spawn_maintenance(db: Db, clock: clock::Clock, audit_retention_days: i64) {
    actix_web::rt::spawn(async move {
        let period = std::time::Duration::from_secs(PURGE_EVERY_SECS as u64);
        let mut every =
            actix_web::rt::time::interval_at(actix_web::rt::time::Instant::now() + period, period);
        loop {
            every.tick().await;
            let now = clock.now();
            // Every instance ticks; the one whose turn it is purges, in the transaction that took the turn.
            // A little short of the period, so that a tick a second early still finds the turn due.
            let next = now + PURGE_EVERY_SECS - 10;
            let purged = db.transaction(move |c| {
                match store::jobs::take_turn(c, "maintenance.purge_expired", now, next)? {
                    true => store::maintenance::purge_expired(c, now).map(Some),
                    false => Ok(None),
                }
            });
            let turn = match purged.await {
                Ok(Some(n)) if n > 0 => {
                    tracing::info!(rows = n, "purged expired sessions, codes and tokens");
                    true
                }
                Ok(turn) => turn.is_some(),
                Err(e) => {
                    tracing::warn!(error = %e, "purging expired rows failed");
                    false
                }
            };
            // Outside that transaction: the audit purge runs in short batches of its own.
            if turn {
                let events =
                    audit::retention::purge_expired_events(&db, now, audit_retention_days).await;
                match events {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(rows = n, "purged audit events past retention"),
                    Err(e) => tracing::warn!(error = %e, "purging old audit events failed"),
                }
            }
        }
    });
}

/// Starts the worker that sends queued messages (`notify::worker`); it runs until the server stops.
fn spawn_deliveries(state: &AppState) -> Background {
    let worker = notify::worker::worker(
        state.notifier.clone(),
        state.db.clone(),
        state.clock.clone(),
        state.config.deliveries,
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = actix_web::rt::spawn(worker.run(stopped));
    Background { stop, task }
}

/// Starts the worker that sends back-channel logout tokens (`notify::backchannel`); it runs until the server stops.
fn spawn_logouts(state: &AppState) -> Result<Background, notify::NotifyError> {
    let worker = notify::backchannel::worker(
        state.db.clone(),
        state.clock.clone(),
        state.config.deliveries,
        state.providers.clone(),
        state.config.public_url().to_owned(),
        &state.notifier,
    )?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = actix_web::rt::spawn(worker.run(stopped));
    Ok(Background { stop, task })
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
        .configure(web::metrics::configure)
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
