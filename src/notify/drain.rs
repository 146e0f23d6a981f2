//! The loop that drains a durable queue (the message `deliveries`, the `logout_deliveries`): it wakes when a row
//! is queued and also looks every `poll` for work nobody woke it for (left by a restart, or queued through another
//! instance); drops rows whose time ran out; takes each due row with a lease (`store::lease`), so instances sharing
//! one database never both handle it; attempts it once; then deletes it (done, or hopeless) or frees it for a retry
//! after a doubling pause, up to a bounded number of attempts. Handling is at least once: an instance that dies
//! mid-attempt leaves its lease to run out, and another then tries again. Logs name the row and its destination,
//! never its content. Domain layer: no actix.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{Either, select};
use tokio::sync::{Notify, watch};

use super::AttemptError;
use crate::clock::Clock;
use crate::config::DeliverySchedule;
use crate::store::lease::LeaseQueue;
use crate::store::{Db, StoreError};

/// How many due rows one pass takes before looking again.
const BATCH: i64 = 16;

/// A queued row of `J`'s queue.
pub(crate) type Row<J> = <<J as Job>::Queue as LeaseQueue>::Row;

/// What one queue's rows are and how one is attempted.
pub(crate) trait Job: Send + Sync + 'static {
    type Queue: LeaseQueue;
    /// What a row is called in logs, in the plural ("queued messages").
    const ROWS: &'static str;
    /// The row's destination for logs (a channel, a client): never its content.
    fn destination(row: &Row<Self>) -> &str;
    /// Tries to deliver `row` once.
    fn attempt(&self, row: &Row<Self>) -> impl Future<Output = Result<(), AttemptError>> + Send;
    /// Counts one attempt of `row` in the metrics.
    fn attempted(&self, row: &Row<Self>, delivered: bool);
}

/// A queue's worker: the job, the database, the time, the retry schedule and the signal that a row was queued.
pub(crate) struct Drain<J: Job> {
    pub job: J,
    pub db: Db,
    pub clock: Clock,
    pub schedule: DeliverySchedule,
    pub woken: Arc<Notify>,
}

impl<J: Job> Drain<J> {
    /// Drains until `stop` turns true (or its sender is dropped); a row in hand is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let pause = match self.deliver_due(&stop).await {
                Ok(pause) => pause,
                Err(e) => {
                    tracing::warn!(error = %e, queue = J::ROWS, "the queue could not be read; trying again later");
                    self.schedule.poll
                }
            };
            let woken = pin!(self.woken.notified());
            let stopped = pin!(stop.changed());
            let waited = tokio::time::timeout(pause, select(woken, stopped)).await;
            // `Err` from `changed`: the sender is gone with the server, so nothing will say stop.
            if let Ok(Either::Right((Err(_), _))) = waited {
                return;
            }
        }
    }

    /// Drops expired rows, attempts those due, and says how long to wait before the next is due.
    async fn deliver_due(&self, stop: &watch::Receiver<bool>) -> Result<Duration, StoreError> {
        let now = self.clock.now();
        let (expired, due) = self
            .db
            .run(move |c| {
                let expired = J::Queue::delete_expired(c, now)?;
                Ok::<_, StoreError>((expired, J::Queue::list_due(c, now, BATCH)?))
            })
            .await?;
        if expired > 0 {
            tracing::warn!(
                rows = expired,
                "{} expired before they could be delivered; dropped",
                J::ROWS
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
        let next = self.db.run(J::Queue::next_due).await?;
        Ok(self.pause_until(next))
    }

    /// The wait until `next` (unix seconds), at least a second and at most the poll interval.
    fn pause_until(&self, next: Option<i64>) -> Duration {
        let poll = self.schedule.poll;
        let Some(next) = next else { return poll };
        let seconds = u64::try_from(next - self.clock.now()).unwrap_or(0).max(1);
        Duration::from_secs(seconds).min(poll)
    }

    /// Takes row `id` (unless another instance did), tries it once, then deletes it or schedules a retry.
    async fn deliver(&self, id: String) -> Result<(), StoreError> {
        let (token, now) = (crate::secret::new_id(), self.clock.now());
        let until = now + self.schedule.lease_seconds;
        let claim = token.clone();
        let claimed = self
            .db
            .run(move |c| J::Queue::claim(c, &id, &claim, now, until))
            .await?;
        let Some(row) = claimed else {
            return Ok(());
        };
        let outcome = self.job.attempt(&row).await;
        self.job.attempted(&row, outcome.is_ok());
        self.settle(row, token, outcome).await
    }

    /// Deletes a delivered or hopeless row, or frees it for its next attempt.
    async fn settle(
        &self,
        row: Row<J>,
        token: String,
        outcome: Result<(), AttemptError>,
    ) -> Result<(), StoreError> {
        let (id, failed) = J::Queue::progress(&row);
        let (id, attempts, to) = (id.to_owned(), failed + 1, J::destination(&row));
        let failure = match outcome {
            Ok(()) => {
                tracing::info!(delivery = %id, to, attempts, "delivered one of the {}", J::ROWS);
                return self.forget(id, token).await;
            }
            Err(failure) => failure,
        };
        if !failure.is_retryable || attempts >= self.schedule.max_attempts {
            tracing::error!(delivery = %id, to, attempts, error = %failure.message,
                "not delivered; giving up on one of the {}", J::ROWS);
            return self.forget(id, token).await;
        }
        let pause = self.retry_pause(attempts);
        tracing::warn!(delivery = %id, to, attempts, error = %failure.message,
            retry_in_s = pause, "not delivered; will retry one of the {}", J::ROWS);
        let next = self.clock.now() + pause;
        self.db
            .run(move |c| J::Queue::retry_later(c, &id, &token, attempts, next))
            .await
            .map(drop)
    }

    async fn forget(&self, id: String, token: String) -> Result<(), StoreError> {
        self.db
            .run(move |c| J::Queue::delete_claimed(c, &id, &token))
            .await
            .map(drop)
    }

    /// Seconds to wait after the `attempts`-th failure: the first pause, doubled per further failure, capped.
    fn retry_pause(&self, attempts: i64) -> i64 {
        let s = &self.schedule;
        let doublings = u32::try_from(attempts - 1).unwrap_or(0).min(30);
        s.first_retry_seconds
            .saturating_mul(1 << doublings)
            .min(s.max_retry_seconds)
    }
}
