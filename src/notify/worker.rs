//! The message queue's job: sends the messages [`Queue::push`](super::Queue::push) left in the `deliveries` table,
//! after the request that queued them answered, through the notifier's channels; [`Drain`] runs it (leases,
//! retries, expiry). A delivered, given-up or expired message is deleted at once: its body holds a live code.
//! Domain layer: no actix.

use super::drain::{Drain, Job};
use super::{AttemptError, Channel, Message, Notifier, Recipient};
use crate::clock::Clock;
use crate::config::DeliverySchedule;
use crate::metrics::labels;
use crate::store::Db;
use crate::store::deliveries::{self, DeliveryRow};

/// The worker that sends queued messages until the server stops.
pub(crate) fn worker(
    notifier: Notifier,
    db: Db,
    clock: Clock,
    schedule: DeliverySchedule,
) -> Drain<Messages> {
    Drain {
        woken: notifier.queued.clone(),
        job: Messages { notifier },
        db,
        clock,
        schedule,
    }
}

/// Sending one queued message.
pub(crate) struct Messages {
    notifier: Notifier,
}

impl Job for Messages {
    type Queue = deliveries::Queue;
    const ROWS: &'static str = "queued messages";

    fn destination(row: &DeliveryRow) -> &str {
        &row.channel
    }

    async fn attempt(&self, row: &DeliveryRow) -> Result<(), AttemptError> {
        match message_of(row) {
            Some(message) => self.notifier.attempt(&row.tenant_id, &message).await,
            None => Err(AttemptError::fatal(format!(
                "unknown channel `{}`",
                row.channel
            ))),
        }
    }

    fn attempted(&self, row: &DeliveryRow, sent: bool) {
        let metrics = &self.notifier.metrics;
        if !sent {
            metrics.delivery_failed(labels::Worker::Outbox);
        }
        let channel = match row.channel.as_str() {
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
