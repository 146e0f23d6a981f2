//! The dev outbox of a tenant: the messages kept because their channel (SMTP for mail, the SMS webhook) is not
//! configured, newest first, as `GET /api/admin/{tenant}/outbox` lists them. With both channels configured the
//! page says where messages go instead. Auditors see who got what and when, not the bodies: a body holds
//! single-use links and codes (an invitation, a sign-in code) that would let a read-only account act.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::error::PortalError;
use super::layout::{Layout, respond};
use super::paging::{self, PageQuery};
use super::session::Viewer;
use crate::notify::Channel;
use crate::notify::outbox::{self, OutboxMessage};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tenants/{tenant}/outbox", methods::get().to(list_outbox));
}

#[derive(Template)]
#[template(path = "portal/outbox/list.html")]
struct OutboxPage {
    layout: Layout,
    tenant: String,
    /// Whether mail, and SMS, go to the outbox.
    keeps_mail: bool,
    keeps_sms: bool,
    /// Each message with when it was kept, as the page shows it.
    messages: Vec<(OutboxMessage, String)>,
    next: Option<String>,
}

fn moment(timestamp: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => String::new(),
    }
}

async fn list_outbox(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    crate::identity::tenant::find(&app, &tenant).await?;
    let keeps_mail = app.notifier.keeps_in_outbox(Channel::Email);
    let keeps_sms = app.notifier.keeps_in_outbox(Channel::Sms);
    let (messages, next) = match keeps_mail || keeps_sms {
        true => outbox::list(&app.db, &tenant, q.request()?).await?,
        false => (Vec::new(), None),
    };
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = format!("/admin/-/tenants/{tenant}/outbox");
    let layout = layout
        .crumbs(&[
            ("/admin/-/tenants", "Tenant Settings"),
            (here.as_str(), "Outbox"),
        ])
        .in_tenant(&tenant);
    let page = OutboxPage {
        layout,
        tenant: tenant.into_inner(),
        keeps_mail,
        keeps_sms,
        messages: messages
            .into_iter()
            .map(|m| {
                let sent = moment(m.created_at);
                (m, sent)
            })
            .collect(),
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}
