//! The delivery worker: sends the messages [`Queue::push`](super::Queue::push) left in the `deliveries` table, after the request
//! that queued them answered. It wakes when a message is queued and also looks every `poll` for work nobody woke
//! it for (left by a restart, or queued through another instance). Each message is taken with a lease (a
//! conditional UPDATE), so instances sharing one database never both send it; a failure is retried with a doubling
//! pause, up to a bounded number of attempts. A delivered, given-up or expired message is deleted at once: its body
//! holds a live code. Delivery is at least once: an instance that dies mid-send leaves its lease to run out, and
//! another then sends the message again. Logs name the delivery, the channel and the error, never a body.
//! Domain layer: no actix.

use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, select};
use tokio::sync::watch;

use super::{AttemptError, Channel, Message, Notifier, Recipient};
use crate::clock::Clock;
use crate::config::DeliverySchedule;
use crate::metrics::labels;
use crate::store::deliveries::{self, DeliveryRow};
use crate::store::{Db, StoreError};

/// How many due messages one pass takes before looking again.
const BATCH: i64 = 16;

/// What the worker needs: the channels, the queue, the time and the retry schedule.
pub struct Worker {
    pub notifier: Notifier,
    pub db: Db,
    pub clock: Clock,
    pub schedule: DeliverySchedule,
}

impl Worker {
    /// Delivers until `stop` turns true (or its sender is dropped); a message in hand is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let pause = match self.deliver_due(&stop).await {
                Ok(pause) => pause,
                Err(e) => {
                    tracing::warn!(error = %e, "the delivery queue could not be read; trying again later");
                    self.schedule.poll
                }
            };
            let woken = pin!(self.notifier.queued.notified());
            let stopped = pin!(stop.changed());
            let waited = tokio::time::timeout(pause, select(woken, stopped)).await;
            // `Err` from `changed`: the sender is gone with the server, so nothing will say stop.
            if let Ok(Either::Right((Err(_), _))) = waited {
                return;
            }
        }
    }

    /// Drops expired messages, sends those due, and says how long to wait before the next is due.
    async fn deliver_due(&self, stop: &watch::Receiver<bool>) -> Result<Duration, StoreError> {
        let now = self.clock.now();
        let (expired, due) = self
            .db
            .run(move |c| {
                let expired = deliveries::delete_expired(c, now)?;
                Ok::<_, StoreError>((expired, deliveries::list_due(c, now, BATCH)?))
            })
            .await?;
        if expired > 0 {
            tracing::warn!(
                messages = expired,
                "queued messages expired before they could be delivered; dropped"
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
        let next = self.db.run(deliveries::next_due).await?;
        Ok(self.pause_until(next))
    }

    /// The wait until `next` (unix seconds), at least a second and at most the poll interval.
    fn pause_until(&self, next: Option<i64>) -> Duration {
        let poll = self.schedule.poll;
        let Some(next) = next else { return poll };
        let seconds = u64::try_from(next - self.clock.now()).unwrap_or(0).max(1);
        Duration::from_secs(seconds).min(poll)
    }

    /// Takes message `id` (unless another instance did), tries it once, then deletes it or schedules a retry.
    async fn deliver(&self, id: String) -> Result<(), StoreError> {
        let (token, now) = (crate::secret::new_id(), self.clock.now());
        let until = now + self.schedule.lease_seconds;
        let claim = token.clone();
        let claimed = self
            .db
            .run(move |c| deliveries::claim(c, &id, &claim, now, until))
            .await?;
        let Some(row) = claimed else {
            return Ok(());
        };
        let outcome = match message_of(&row) {
            Some(message) => self.notifier.attempt(&row.tenant_id, &message).await,
            None => Err(AttemptError {
                is_retryable: false,
                message: format!("unknown channel `{}`", row.channel),
            }),
        };
        self.settle(row, token, outcome).await
    }

    /// Deletes a delivered or hopeless message, or frees it for its next attempt.
    async fn settle(
        &self,
        row: DeliveryRow,
        token: String,
        outcome: Result<(), AttemptError>,
    ) -> Result<(), StoreError> {
        let attempts = row.attempts + 1;
        let (id, channel) = (row.id.clone(), row.channel.clone());
        self.count(&channel, outcome.is_ok());
        let failure = match outcome {
            Ok(()) => {
                tracing::info!(delivery = %id, channel, attempts, "queued message delivered");
                return self.forget(row.id, token).await;
            }
            Err(failure) => failure,
        };
        if !failure.is_retryable || attempts >= self.schedule.max_attempts {
            tracing::error!(delivery = %id, channel, attempts, error = %failure.message,
                "queued message not delivered; giving up");
            return self.forget(row.id, token).await;
        }
        let pause = self.retry_pause(attempts);
        tracing::warn!(delivery = %id, channel, attempts, error = %failure.message,
            retry_in_s = pause, "queued message not delivered; will retry");
        let next = self.clock.now() + pause;
        self.db
            .run(move |c| deliveries::retry_later(c, &row.id, &token, attempts, next))
            .await
            .map(drop)
    }

    /// Counts one attempt on `channel` (a row's channel name) in the metrics.
    fn count(&self, channel: &str, sent: bool) {
        let metrics = &self.notifier.metrics;
        if !sent {
            metrics.delivery_failed(labels::Worker::Outbox);
        }
        let channel = match channel {
            c if c == Channel::Email.as_str() => labels::Channel::Email,
            c if c == Channel::Sms.as_str() => labels::Channel::Sms,
            _ => return,
        };
        let outcome = if sent {
            labels::Delivery::Sent
        } else {
            labels::Delivery::Failed
        };
        metrics.message(channel, outcome);
    }

    async fn forget(&self, id: String, token: String) -> Result<(), StoreError> {
        self.db
            .run(move |c| deliveries::delete_claimed(c, &id, &token))
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

/// The message a queued row holds; `None` for a channel this version does not know.
fn message_of(row: &DeliveryRow) -> Option<Message> {
    let to = match row.channel.as_str() {
        c if c == Channel::Email.as_str() => Recipient::Email(row.recipient.clone()),
        c if c == Channel::Sms.as_str() => Recipient::Mobile(row.recipient.clone()),
        _ => return None,
    };
    Some(Message {
        to,
        subject: row.subject.clone(),
        body_text: row.body_text.clone(),
        body_html: row.body_html.clone(),
    })
}
