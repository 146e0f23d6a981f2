//! Outgoing messages to users (invitations, codes). Delivery by SMTP and SMS arrives with its own issue;
//! until then every message is written to the log, which is where a developer follows a flow locally.

/// Where a message goes.
#[derive(Debug, Clone)]
pub enum Recipient {
    Email(String),
    Mobile(String),
}

/// A message to one recipient.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: Recipient,
    pub subject: String,
    pub body: String,
}

/// Hands messages to their channel.
#[derive(Clone, Default)]
pub struct Notifier;

impl Notifier {
    /// Delivers `message`. Today: the log (the development channel).
    pub fn send(&self, message: &Message) {
        tracing::info!(to = ?message.to, subject = %message.subject, body = %message.body, "message (log delivery)");
    }
}
