//! Outgoing messages to users (invitations, codes): email through SMTP, SMS through a webhook, and the dev outbox
//! (log + database) for every channel that is not configured. Domain layer: knows no actix and no template engine;
//! messages arrive finished, rendered from `templates/mail/` and `templates/sms/` by `crate::messages`.
//!
//! Two ways out. [`Notifier::send`] delivers in the caller's request, retrying a connection failure twice, for the
//! administrator's actions, which are undone when their message cannot go out. [`Queue::push`] writes the
//! message to the delivery queue in the caller's transaction and [`worker`] sends it after the request answered,
//! for the anonymous flows, whose answer must not depend on whether there was anything to send or whether
//! sending works.

pub mod backchannel;
mod drain;
mod mail;
pub mod outbox;
mod sms;
pub mod worker;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::ErrorKind;
use crate::store::deliveries::{self, DeliveryRow};
use crate::store::{Db, DbConn, StoreError};

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A (normalised) email address.
    Email(String),
    /// An E.164 mobile number.
    Mobile(String),
}

impl Recipient {
    /// The channel that reaches this recipient.
    pub fn channel(&self) -> Channel {
        match self {
            Recipient::Email(_) => Channel::Email,
            Recipient::Mobile(_) => Channel::Sms,
        }
    }

    /// The address or number itself.
    pub fn address(&self) -> &str {
        match self {
            Recipient::Email(a) | Recipient::Mobile(a) => a,
        }
    }
}

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// The name stored in the outbox and shown in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// A rendered message to one recipient.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: Recipient,
    /// The mail subject; SMS has none on the wire, the outbox still shows it.
    pub subject: String,
    /// The plain-text body (the whole SMS).
    pub body_text: String,
    /// The HTML alternative of a mail; `None` for SMS.
    pub body_html: Option<String>,
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The message could not be rendered from its template.
    #[error("cannot render the message: {0}")]
    Template(String),
    /// The configured mail or SMS settings cannot be used.
    #[error("cannot set up {channel} delivery: {message}")]
    Setup {
        channel: &'static str,
        message: String,
    },
    /// The SMTP server or the SMS webhook did not take the message (after retries, for connection failures).
    #[error("{channel} delivery failed: {message}")]
    Delivery {
        channel: &'static str,
        message: String,
    },
    /// The tenant of an outbox listing does not exist.
    #[error("tenant not found")]
    UnknownTenant,
    /// The dev outbox could not keep the message.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NotifyError {
    /// How the web layer should classify this error: delivery is a dependency that may come back (503).
    pub fn kind(&self) -> ErrorKind {
        match self {
            NotifyError::Delivery { .. } => ErrorKind::Overloaded,
            NotifyError::UnknownTenant => ErrorKind::NotFound,
            NotifyError::Store(e) => e.kind(),
            NotifyError::Template(_) | NotifyError::Setup { .. } => ErrorKind::Internal,
        }
    }
}

/// Pauses before the second and third attempt of a delivery that failed to connect.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// One failed delivery attempt: whether trying again may help, and what to log and report.
#[derive(Debug)]
pub(crate) struct AttemptError {
    is_retryable: bool,
    message: String,
}

impl AttemptError {
    /// A failure that another attempt cannot mend.
    fn fatal(message: impl Into<String>) -> AttemptError {
        AttemptError {
            is_retryable: false,
            message: message.into(),
        }
    }

    /// A failure that may pass.
    fn transient(message: impl Into<String>) -> AttemptError {
        AttemptError {
            is_retryable: true,
            message: message.into(),
        }
    }
}

/// Hands messages to their channel: SMTP, the SMS webhook, or the dev outbox when the channel is not configured.
#[derive(Clone)]
pub struct Notifier {
    mail: Option<Arc<mail::Mailer>>,
    sms: Option<Arc<sms::SmsWebhook>>,
    outbox: outbox::Outbox,
    /// Wakes the delivery worker when a message was queued.
    queued: Arc<Notify>,
    /// Wakes the back-channel logout worker when a logout token was queued.
    logouts: Arc<Notify>,
    /// Where the workers count messages sent and deliveries failed.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl Notifier {
    /// Chooses each channel from the configuration: `smtp_url` for mail, `sms_webhook_url` for SMS.
    pub fn new(
        config: &Config,
        db: Db,
        clock: Clock,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Result<Notifier, NotifyError> {
        let mail = config
            .smtp_url
            .as_ref()
            .map(|url| mail::Mailer::new(url, &config.mail_from).map(Arc::new))
            .transpose()?;
        let sms = config
            .sms_webhook_url
            .as_ref()
            .map(|url| sms::SmsWebhook::new(url.clone()).map(Arc::new))
            .transpose()?;
        Ok(Notifier {
            mail,
            sms,
            outbox: outbox::Outbox::new(db, clock),
            queued: Arc::new(Notify::new()),
            logouts: Arc::new(Notify::new()),
            metrics,
        })
    }

    /// Whether messages of `channel` go to the dev outbox (no SMTP server or SMS webhook configured for it).
    pub fn keeps_in_outbox(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.mail.is_none(),
            Channel::Sms => self.sms.is_none(),
        }
    }

    /// Delivers `message` for `tenant` through its channel, or keeps it in the dev outbox when that channel is not
    /// configured. A connection failure is retried with back-off; the last error is returned.
    pub async fn send(&self, tenant: &str, message: &Message) -> Result<(), NotifyError> {
        let channel = message.to.channel();
        match (channel, &self.mail, &self.sms) {
            (Channel::Email, Some(mail), _) => with_retries(channel, || mail.send(message)).await,
            (Channel::Sms, _, Some(sms)) => with_retries(channel, || sms.send(message)).await,
            _ => self.outbox.keep(tenant, message).await,
        }
    }

    /// The delivery queue, to write to inside a transaction (it is `Copy`, so it moves into one freely).
    pub fn queue(&self) -> Queue {
        Queue {
            mail: self.mail.is_some(),
            sms: self.sms.is_some(),
        }
    }

    /// Tells the delivery workers (messages and logout tokens) that something was queued.
    pub fn wake(&self) {
        // A permit is stored when a worker is busy, so a wake-up is never lost.
        self.queued.notify_one();
        self.logouts.notify_one();
    }

    /// One delivery attempt of a queued message, for the worker, which retries on its own schedule. A channel
    /// no longer configured (the server restarted without it) keeps the message in the dev outbox.
    async fn attempt(&self, tenant: &str, message: &Message) -> Result<(), AttemptError> {
        match (message.to.channel(), &self.mail, &self.sms) {
            (Channel::Email, Some(mail), _) => mail.send(message).await,
            (Channel::Sms, _, Some(sms)) => sms.send(message).await,
            _ => self
                .outbox
                .keep(tenant, message)
                .await
                .map_err(|e| AttemptError {
                    is_retryable: true,
                    message: e.to_string(),
                }),
        }
    }
}

/// The delivery queue as one request sees it: which channels are configured (the others go to the dev outbox).
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    mail: bool,
    sms: bool,
}

impl Queue {
    /// Queues `message` for `tenant` on `conn`, inside the caller's transaction, for the worker to deliver; it is
    /// dropped unsent at `expires_at` (when the code it carries expires). A channel that is not configured has
    /// nothing to wait for: the message goes to the dev outbox at once, so a developer (or a test) finds it as
    /// soon as the request answered. Call [`Notifier::wake`] once the transaction committed.
    pub fn push(
        &self,
        conn: &mut DbConn,
        tenant: &str,
        message: &Message,
        expires_at: i64,
        now: i64,
    ) -> Result<(), NotifyError> {
        let configured = match message.to.channel() {
            Channel::Email => self.mail,
            Channel::Sms => self.sms,
        };
        if !configured {
            return outbox::keep_in(conn, tenant, message, now);
        }
        let row = DeliveryRow {
            id: crate::secret::new_id(),
            tenant_id: tenant.to_owned(),
            channel: message.to.channel().as_str().to_owned(),
            recipient: message.to.address().to_owned(),
            subject: message.subject.clone(),
            body_text: message.body_text.clone(),
            body_html: message.body_html.clone(),
            attempts: 0,
            next_attempt_at: now,
            claimed_by: None,
            claimed_until: None,
            expires_at,
            created_at: now,
        };
        Ok(deliveries::insert(conn, &row)?)
    }
}

/// Runs `attempt` up to three times while it fails in a way worth retrying, pausing per [`RETRY_DELAYS`].
/// Logs the channel and the error only: bodies and links carry secrets.
async fn with_retries<F, Fut>(channel: Channel, mut attempt: F) -> Result<(), NotifyError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), AttemptError>>,
{
    let mut delays = RETRY_DELAYS.iter();
    let mut number = 1;
    loop {
        let failure = match attempt().await {
            Ok(()) => return Ok(()),
            Err(failure) => failure,
        };
        match delays.next() {
            Some(delay) if failure.is_retryable => {
                tracing::warn!(channel = channel.as_str(), attempt = number, error = %failure.message,
                    retry_in_ms = delay.as_millis() as u64, "message delivery failed; retrying");
                tokio::time::sleep(*delay).await;
                number += 1;
            }
            _ => {
                tracing::error!(channel = channel.as_str(), attempts = number, error = %failure.message,
                    "message delivery failed; giving up");
                return Err(NotifyError::Delivery {
                    channel: channel.as_str(),
                    message: failure.message,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn failing(is_retryable: bool) -> AttemptError {
        AttemptError {
            is_retryable,
            message: "connection refused".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn connection_failures_are_tried_three_times_then_reported() {
        let calls = Cell::new(0);
        let started = tokio::time::Instant::now();
        let result = with_retries(Channel::Email, || {
            calls.set(calls.get() + 1);
            async { Err(failing(true)) }
        })
        .await;
        assert_eq!(calls.get(), 3);
        assert_eq!(started.elapsed(), Duration::from_millis(1000));
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Overloaded);
        assert!(err.to_string().contains("connection refused"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_is_not_retried_and_a_later_success_is_success() {
        let calls = Cell::new(0);
        let result = with_retries(Channel::Sms, || {
            calls.set(calls.get() + 1);
            async { Err(failing(false)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), 1);

        let calls = Cell::new(0);
        let result = with_retries(Channel::Sms, || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { if n < 2 { Err(failing(true)) } else { Ok(()) } }
        })
        .await;
        assert!(result.is_ok());
        assert_eq!(calls.get(), 2);
    }
}
