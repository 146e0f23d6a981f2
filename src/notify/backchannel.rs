//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a session ends, [`queue`] writes one row per
//! client that took part in it and registered a `backchannel_logout_uri`, in the transaction that ended it; the
//! [`LogoutWorker`] then signs a logout token for each (fresh `iat`/`exp`/`jti` per attempt) and POSTs it as
//! `application/x-www-form-urlencoded`. The queue lives in the database, so a restart loses nothing; rows are
//! taken with the same lease as `deliveries`, failures are retried with the doubling pause of
//! [`DeliverySchedule`] up to its attempt limit, and a row is dropped after [`RETRY_WINDOW`]. Each POST is bounded
//! by [`TIMEOUT`]. Logs name the delivery and the client, never a token. Domain layer: no actix.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{Either, select};
use tokio::sync::{Notify, watch};

use super::Notifier;
use crate::clock::Clock;
use crate::config::DeliverySchedule;
use crate::identity::client::ClientMetadata;
use crate::store::logout_deliveries::{self, LogoutRow};
use crate::store::sessions::SessionRow;
use crate::store::{Db, DbConn, StoreError, StoreResult, clients};
use crate::tokens::Providers;
use crate::tokens::logout_token::{self, LoggedOut};

/// How long one POST to a client may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How long after a session ended its logout tokens are still tried, in seconds.
pub const RETRY_WINDOW: i64 = 3600;
/// How many due rows one pass takes before looking again.
const BATCH: i64 = 16;

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

/// One failed attempt: whether trying again may help, and what to log.
struct Failure {
    is_retryable: bool,
    message: String,
}

impl Failure {
    fn fatal(message: impl Into<String>) -> Failure {
        Failure {
            is_retryable: false,
            message: message.into(),
        }
    }

    fn transient(message: impl Into<String>) -> Failure {
        Failure {
            is_retryable: true,
            message: message.into(),
        }
    }
}

/// Sends the queued logout tokens.
pub struct LogoutWorker {
    db: Db,
    clock: Clock,
    schedule: DeliverySchedule,
    providers: Arc<Providers>,
    public_url: String,
    woken: Arc<Notify>,
    http: reqwest::Client,
    metrics: Arc<crate::metrics::Metrics>,
}

impl LogoutWorker {
    /// A worker over the queue in `db`, signing with the workspaces' keys from `providers`.
    pub fn new(
        db: Db,
        clock: Clock,
        schedule: DeliverySchedule,
        providers: Arc<Providers>,
        public_url: String,
        notifier: &Notifier,
    ) -> Result<LogoutWorker, super::NotifyError> {
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
        Ok(LogoutWorker {
            db,
            clock,
            schedule,
            providers,
            public_url,
            woken: notifier.logouts.clone(),
            http,
            metrics: notifier.metrics.clone(),
        })
    }

    /// Delivers until `stop` turns true (or its sender is dropped); a token in hand is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let pause = match self.deliver_due(&stop).await {
                Ok(pause) => pause,
                Err(e) => {
                    tracing::warn!(error = %e, "the logout queue could not be read; trying again later");
                    self.schedule.poll
                }
            };
            let woken = pin!(self.woken.notified());
            let stopped = pin!(stop.changed());
            let waited = tokio::time::timeout(pause, select(woken, stopped)).await;
            if let Ok(Either::Right((Err(_), _))) = waited {
                return;
            }
        }
    }

    /// Drops rows whose window closed, sends those due, and says how long to wait before the next is due.
    async fn deliver_due(&self, stop: &watch::Receiver<bool>) -> Result<Duration, StoreError> {
        let now = self.clock.now();
        let (expired, due) = self
            .db
            .run(move |c| {
                let expired = logout_deliveries::delete_expired(c, now)?;
                Ok::<_, StoreError>((expired, logout_deliveries::list_due(c, now, BATCH)?))
            })
            .await?;
        if expired > 0 {
            tracing::warn!(
                tokens = expired,
                "logout tokens could not be delivered in time; dropped"
            );
        }
        let full = due.len() as i64 == BATCH;
        for id in due {
            if *stop.borrow() {
                return Ok(Duration::ZERO);
            }
            self.deliver(id).await?;
        }
        if full {
            return Ok(Duration::ZERO);
        }
        let next = self.db.run(logout_deliveries::next_due).await?;
        let poll = self.schedule.poll;
        Ok(next.map_or(poll, |next| {
            let seconds = u64::try_from(next - self.clock.now()).unwrap_or(0).max(1);
            Duration::from_secs(seconds).min(poll)
        }))
    }

    /// Takes row `id` (unless another instance did), tries it once, then deletes it or schedules a retry.
    async fn deliver(&self, id: String) -> Result<(), StoreError> {
        let (token, now) = (crate::secret::new_id(), self.clock.now());
        let until = now + self.schedule.lease_seconds;
        let claim = token.clone();
        let claimed = self
            .db
            .run(move |c| logout_deliveries::claim(c, &id, &claim, now, until))
            .await?;
        let Some(row) = claimed else {
            return Ok(());
        };
        let outcome = self.attempt(&row).await;
        self.settle(row, token, outcome).await
    }

    /// Signs the logout token and POSTs it to the client's current `backchannel_logout_uri`.
    async fn attempt(&self, row: &LogoutRow) -> Result<(), Failure> {
        let now = self.clock.now();
        let (t, w) = (&row.tenant_id, &row.workspace_id);
        let provider = self
            .providers
            .get(&self.db, &self.public_url, now, t, w)
            .await
            .map_err(|e| Failure::transient(e.to_string()))?
            .ok_or_else(|| Failure::fatal("the workspace no longer exists"))?;
        let metadata = self.client(row).await?;
        let uri = metadata
            .backchannel_logout_uri
            .ok_or_else(|| Failure::fatal("the client no longer has a backchannel_logout_uri"))?;
        let out = LoggedOut {
            client_id: &row.client_id,
            sub: &row.sub,
            sid: row.sid.as_deref(),
        };
        let alg = metadata.id_token_signed_response_alg;
        let signed = logout_token::sign(&provider, alg, &out, now)
            .map_err(|e| Failure::transient(e.to_string()))?;
        let response = self
            .http
            .post(uri)
            .form(&[("logout_token", signed.as_str())])
            .send()
            .await
            .map_err(|e| Failure::transient(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // §2.8: 400 means the client refused the token; anything else may be a passing failure.
        Err(Failure {
            is_retryable: status != reqwest::StatusCode::BAD_REQUEST,
            message: format!("the client's backchannel_logout_uri answered {status}"),
        })
    }

    /// The client's metadata as registered now (a deleted client gets nothing).
    async fn client(&self, row: &LogoutRow) -> Result<ClientMetadata, Failure> {
        let (t, w, id) = (
            row.tenant_id.clone(),
            row.workspace_id.clone(),
            row.client_id.clone(),
        );
        let found = self
            .db
            .run(move |c| clients::find(c, &t, &w, &id))
            .await
            .map_err(|e| Failure::transient(e.to_string()))?
            .ok_or_else(|| Failure::fatal("the client no longer exists"))?;
        serde_json::from_str(&found.metadata).map_err(|e| Failure::fatal(e.to_string()))
    }

    /// Deletes a delivered or hopeless row, or frees it for its next attempt.
    async fn settle(
        &self,
        row: LogoutRow,
        token: String,
        outcome: Result<(), Failure>,
    ) -> Result<(), StoreError> {
        let attempts = row.attempts + 1;
        let (id, client) = (row.id.clone(), row.client_id.clone());
        let failure = match outcome {
            Ok(()) => {
                tracing::info!(delivery = %id, client, attempts, "logout token delivered");
                return self.forget(row.id, token).await;
            }
            Err(failure) => failure,
        };
        self.metrics
            .delivery_failed(crate::metrics::labels::Worker::BackchannelLogout);
        if !failure.is_retryable || attempts >= self.schedule.max_attempts {
            tracing::error!(delivery = %id, client, attempts, error = %failure.message,
                "logout token not delivered; giving up");
            return self.forget(row.id, token).await;
        }
        let s = &self.schedule;
        let doublings = u32::try_from(attempts - 1).unwrap_or(0).min(30);
        let pause = s
            .first_retry_seconds
            .saturating_mul(1 << doublings)
            .min(s.max_retry_seconds);
        tracing::warn!(delivery = %id, client, attempts, error = %failure.message,
            retry_in_s = pause, "logout token not delivered; will retry");
        let next = self.clock.now() + pause;
        self.db
            .run(move |c| logout_deliveries::retry_later(c, &row.id, &token, attempts, next))
            .await
            .map(drop)
    }

    async fn forget(&self, id: String, token: String) -> Result<(), StoreError> {
        self.db
            .run(move |c| logout_deliveries::delete_claimed(c, &id, &token))
            .await
            .map(drop)
    }
}
