//! The dev outbox: with no SMTP server or SMS webhook configured, a message is written to the log and kept in the
//! database, where `GET /api/admin/{tenant}/outbox` lists it, so a developer can follow a flow without a mail server.

use serde::Serialize;

use super::{Message, NotifyError};
use crate::clock::Clock;
use crate::store::outbox::{self, OutboxRow};
use crate::store::page::{Page, PageRequest};
use crate::store::tenants;
use crate::store::{Db, DbConn};

/// A kept message as the admin sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: i64,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(r: OutboxRow) -> Self {
        OutboxMessage {
            id: r.id,
            channel: r.channel,
            recipient: r.recipient,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            created_at: r.created_at,
        }
    }
}

/// Keeps messages in the `outbox` table.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    clock: Clock,
}

impl Outbox {
    /// An outbox writing to `db`, stamping messages with `clock`.
    pub fn new(db: Db, clock: Clock) -> Outbox {
        Outbox { db, clock }
    }

    /// Logs `message` and stores it for `tenant`.
    pub async fn keep(&self, tenant: &str, message: &Message) -> Result<(), NotifyError> {
        let (tenant, message, now) = (tenant.to_owned(), message.clone(), self.clock.now());
        self.db
            .run(move |c| keep_in(c, &tenant, &message, now))
            .await
    }
}

/// Logs `message` and stores it for `tenant` on `conn` (inside the caller's transaction, when there is one).
pub(super) fn keep_in(
    conn: &mut DbConn,
    tenant: &str,
    message: &Message,
    now: i64,
) -> Result<(), NotifyError> {
    let channel = message.to.channel().as_str();
    // This is the development channel the contract promises ("mail goes to the log and to the dev outbox"):
    // the text body is logged on purpose, since reading the link from it is how a developer follows a flow.
    tracing::info!(channel, to = message.to.address(), subject = %message.subject,
        body = %message.body_text, "message kept in the dev outbox (channel not configured)");
    let row = OutboxRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        channel: channel.to_owned(),
        recipient: message.to.address().to_owned(),
        subject: message.subject.clone(),
        body_text: message.body_text.clone(),
        body_html: message.body_html.clone(),
        created_at: now,
    };
    Ok(outbox::insert(conn, &row)?)
}

/// The tenant's kept messages, newest first; `UnknownTenant` when there is no such tenant.
pub async fn list(
    db: &Db,
    tenant: &str,
    page: PageRequest,
) -> Result<Page<OutboxMessage>, NotifyError> {
    let tenant = tenant.to_owned();
    db.run(move |c| list_in(c, &tenant, &page)).await
}

fn list_in(
    conn: &mut DbConn,
    tenant: &str,
    page: &PageRequest,
) -> Result<Page<OutboxMessage>, NotifyError> {
    if tenants::find(conn, tenant)?.is_none() {
        return Err(NotifyError::UnknownTenant);
    }
    let (rows, next) = outbox::list_newest_first(conn, tenant, page)?;
    Ok((rows.into_iter().map(OutboxMessage::from).collect(), next))
}
