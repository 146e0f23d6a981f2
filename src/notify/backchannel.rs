//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a session ends, [`queue`] writes one row per
//! client that took part in it and registered a `backchannel_logout_uri`, in the transaction that ended it; the
//! [`Logouts`] job then signs a logout token for each (fresh `iat`/`exp`/`jti` per attempt) and POSTs it as
//! `application/x-www-form-urlencoded`. The queue lives in the database, so a restart loses nothing; [`Drain`]
//! takes rows with a lease and retries failures with the doubling pause of [`DeliverySchedule`] up to its attempt
//! limit, and a row is dropped after [`RETRY_WINDOW`]. Each POST is bounded by [`TIMEOUT`]. Logs name the delivery
//! and the client, never a token. Domain layer: no actix.

use std::sync::Arc;
use std::time::Duration;

use super::drain::{Drain, Job};
use super::{AttemptError, Notifier};
use crate::clock::Clock;
use crate::config::DeliverySchedule;
use crate::identity::client::ClientMetadata;
use crate::store::logout_deliveries::{self, LogoutRow};
use crate::store::sessions::SessionRow;
use crate::store::{Db, DbConn, StoreResult, clients};
use crate::tokens::Providers;
use crate::tokens::logout_token::{self, LoggedOut};

/// How long one POST to a client may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How long after a session ended its logout tokens are still tried, in seconds.
pub const RETRY_WINDOW: i64 = 3600;

/// Queues a logout token for each of `clients` (those issued tokens in the session `row`) that registered a
/// `backchannel_logout_uri`. Runs in the caller's transaction; the caller calls [`Notifier::wake`] after it.
pub fn queue(conn: &mut DbConn, row: &SessionRow, clients: &[String], now: i64) -> StoreResult<()> {
    for client_id in clients {
        let Some(client) = clients::find(conn, &row.tenant_id, &row.workspace_id, client_id)?
        else {
            continue;
        };
        let wants_logout = serde_json::from_str::<ClientMetadata>(&client.metadata)
            .is_ok_and(|m| m.backchannel_logout_uri.is_some());
        if !wants_logout {
            continue;
        }
        logout_deliveries::insert(
            conn,
            &LogoutRow {
                id: crate::secret::new_id(),
                tenant_id: row.tenant_id.clone(),
                workspace_id: row.workspace_id.clone(),
                client_id: client_id.clone(),
                sub: row.user_id.clone(),
                sid: row.sid.clone(),
                attempts: 0,
                next_attempt_at: now,
                claimed_by: None,
                claimed_until: None,
                expires_at: now + RETRY_WINDOW,
                created_at: now,
            },
        )?;
    }
    Ok(())
}

/// The worker that sends queued logout tokens until the server stops, signing with the workspaces' keys from
/// `providers`.
pub(crate) fn worker(
    db: Db,
    clock: Clock,
    schedule: DeliverySchedule,
    providers: Arc<Providers>,
    public_url: String,
    notifier: &Notifier,
) -> Result<Drain<Logouts>, super::NotifyError> {
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        // The token must reach exactly the registered URI.
        .redirect(reqwest::redirect::Policy::none())
        // A kept connection belongs to the runtime of the worker that opened it.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| super::NotifyError::Setup {
            channel: "backchannel logout",
            message: e.to_string(),
        })?;
    let job = Logouts {
        db: db.clone(),
        clock: clock.clone(),
        providers,
        public_url,
        http,
        metrics: notifier.metrics.clone(),
    };
    Ok(Drain {
        job,
        db,
        clock,
        schedule,
        woken: notifier.logouts.clone(),
    })
}

/// Signing and sending one queued logout token.
pub(crate) struct Logouts {
    db: Db,
    clock: Clock,
    providers: Arc<Providers>,
    public_url: String,
    http: reqwest::Client,
    metrics: Arc<crate::metrics::Metrics>,
}

impl Job for Logouts {
    type Queue = logout_deliveries::Queue;
    const ROWS: &'static str = "logout tokens";

    fn destination(row: &LogoutRow) -> &str {
        &row.client_id
    }

    async fn attempt(&self, row: &LogoutRow) -> Result<(), AttemptError> {
        self.send(row).await
    }

    fn attempted(&self, _: &LogoutRow, delivered: bool) {
        if !delivered {
            self.metrics
                .delivery_failed(crate::metrics::labels::Worker::BackchannelLogout);
        }
    }
}

impl Logouts {
    /// Signs the logout token and POSTs it to the client's current `backchannel_logout_uri`.
    async fn send(&self, row: &LogoutRow) -> Result<(), AttemptError> {
        let now = self.clock.now();
        let (t, w) = (&row.tenant_id, &row.workspace_id);
        let provider = self
            .providers
            .get(&self.db, &self.public_url, now, t, w)
            .await
            .map_err(|e| AttemptError::transient(e.to_string()))?
            .ok_or_else(|| AttemptError::fatal("the workspace no longer exists"))?;
        let metadata = self.client(row).await?;
        let uri = metadata.backchannel_logout_uri.ok_or_else(|| {
            AttemptError::fatal("the client no longer has a backchannel_logout_uri")
        })?;
        let out = LoggedOut {
            client_id: &row.client_id,
            sub: &row.sub,
            sid: row.sid.as_deref(),
        };
        let alg = metadata.id_token_signed_response_alg;
        let signed = logout_token::sign(&provider, alg, &out, now)
            .map_err(|e| AttemptError::transient(e.to_string()))?;
        let response = self
            .http
            .post(uri)
            .form(&[("logout_token", signed.as_str())])
            .send()
            .await
            .map_err(|e| AttemptError::transient(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // §2.8: 400 means the client refused the token; anything else may be a passing failure.
        let message = format!("the client's backchannel_logout_uri answered {status}");
        Err(match status {
            reqwest::StatusCode::BAD_REQUEST => AttemptError::fatal(message),
            _ => AttemptError::transient(message),
        })
    }

    /// The client's metadata as registered now (a deleted client gets nothing).
    async fn client(&self, row: &LogoutRow) -> Result<ClientMetadata, AttemptError> {
        let (t, w, id) = (
            row.tenant_id.clone(),
            row.workspace_id.clone(),
            row.client_id.clone(),
        );
        let found = self
            .db
            .run(move |c| clients::find(c, &t, &w, &id))
            .await
            .map_err(|e| AttemptError::transient(e.to_string()))?
            .ok_or_else(|| AttemptError::fatal("the client no longer exists"))?;
        serde_json::from_str(&found.metadata).map_err(|e| AttemptError::fatal(e.to_string()))
    }
}
