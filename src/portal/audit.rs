//! A tenant's **Audit** page: its events newest first, narrowed by a GET form with the admin API's filters (type
//! or prefix, outcome, actor, subject kind and id, time range in UTC), paged by keyset cursor. The URL holds the
//! whole state, so a page can be bookmarked or shared. The rules of the filters are `audit::query`'s, the same
//! function the admin API's list calls; this module only turns the form's text into it.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::audit_rows::{self, EventRow};
use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond};
use super::paging::{self, PageQuery};
use super::session::Viewer;
use crate::audit::query::{self, Filter};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/audit",
        methods::get().to(list_audit_events),
    );
}

/// The subject kinds the form offers, as `(value, label)`.
const SUBJECT_KINDS: &[(&str, &str)] = &[
    ("user", "User"),
    ("group", "Group"),
    ("pool", "Identity Pool"),
    ("workspace", "Workspace"),
    ("client", "Application"),
    ("tenant", "Tenant"),
    ("schema", "Schema"),
];

/// The form's fields as typed; an empty field filters nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    #[serde(rename = "type")]
    event_type: String,
    outcome: String,
    actor_id: String,
    subject_type: String,
    subject_id: String,
    since: String,
    until: String,
    cursor: Option<String>,
}

impl AuditQuery {
    fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("type", &self.event_type),
            ("outcome", &self.outcome),
            ("actor_id", &self.actor_id),
            ("subject_type", &self.subject_type),
            ("subject_id", &self.subject_id),
            ("since", &self.since),
            ("until", &self.until),
        ]
    }

    /// The filters as a query string (`type=pool.%2A&outcome=failure`), empty ones left out.
    fn query_string(&self, cursor: Option<&str>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if let Some(c) = cursor {
            s.append_pair("cursor", c);
        }
        s.finish()
    }

    /// The domain's filter; a time the form cannot read is refused at its field.
    fn filter(&self, form: &mut FormState) -> Option<Filter> {
        let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut time = |field: &str, v: &str, end: bool| match text(v) {
            None => None,
            Some(t) => {
                let secs = unix_seconds(&t, end);
                if secs.is_none() {
                    form.refuse(
                        field,
                        "Enter a date and time such as 2026-12-03T17:30 (UTC)",
                    );
                }
                secs
            }
        };
        let since = time("since", &self.since, false);
        let until = time("until", &self.until, true);
        if form.has_errors() {
            return None;
        }
        Some(Filter {
            event_type: text(&self.event_type),
            outcome: text(&self.outcome),
            actor_id: text(&self.actor_id),
            subject_id: text(&self.subject_id),
            subject_type: text(&self.subject_type),
            since,
            until,
        })
    }
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (what `datetime-local` sends) in UTC as unix seconds;
/// as the end of a range (`end`), the last second the text names (the whole minute, the whole day).
fn unix_seconds(text: &str, end: bool) -> Option<i64> {
    let (date, clock) = match text.split_once(['T', ' ']) {
        Some((d, c)) => (d, Some(c)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let (h, m, s, slack) = match clock.map(|c| c.split(':').collect::<Vec<_>>()).as_deref() {
        None => (0, 0, 0, 86_399),
        Some([h, m]) => (h.parse().ok()?, m.parse().ok()?, 0, 59),
        Some([h, m, s]) => (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?, 0),
        Some(_) => return None,
    };
    let clock = time::Time::from_hms(h, m, s).ok()?;
    let secs = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(if end { secs + slack } else { secs })
}

#[derive(Template)]
#[template(path = "portal/audit/list.html")]
struct AuditPage {
    layout: Layout,
    tenant: String,
    form: FormState,
    kinds: &'static [(&'static str, &'static str)],
    events: Vec<EventRow>,
    caption: String,
    /// The query string of the next page (filters and cursor).
    next: Option<String>,
    /// The query string of the first page under the same filters, when this is a later page.
    first: Option<String>,
    filtered: bool,
}

async fn list_audit_events(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
    q: Query<AuditQuery>,
) -> Result<HttpResponse, PortalError> {
    let q = q.into_inner();
    let page = PageQuery {
        cursor: q.cursor.clone(),
    }
    .request()?;
    let mut form = FormState::with(&q.pairs());
    let found = match q.filter(&mut form) {
        Some(filter) => match query::list(&app, &tenant, filter, page).await {
            Ok(found) => found,
            Err(e) => {
                form.take(e, &[], "type")?;
                (Vec::new(), None)
            }
        },
        None => (Vec::new(), None),
    };
    if form.has_errors() {
        // The list was not read: an unknown tenant is still a 404, not a form error.
        crate::identity::tenant::find(&app, &tenant).await?;
    }
    let (events, next) = found;
    let events = audit_rows::rows(&app, &tenant, events).await?;
    let status = match form.has_errors() {
        true => StatusCode::BAD_REQUEST,
        false => StatusCode::OK,
    };
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = format!("/admin/-/tenants/{tenant}/audit");
    let layout = layout
        .crumbs(&[
            ("/admin/-/tenants", "Tenant Settings"),
            (here.as_str(), "Audit"),
        ])
        .in_tenant(&tenant);
    let filtered = q.pairs().iter().any(|(_, v)| !v.trim().is_empty());
    let page = AuditPage {
        layout,
        caption: format!("Audit events of {tenant}, newest first"),
        tenant: tenant.into_inner(),
        form,
        kinds: SUBJECT_KINDS,
        events,
        next: paging::cursor(&next).map(|c| q.query_string(Some(&c))),
        first: q.cursor.as_ref().map(|_| q.query_string(None)),
        filtered,
    };
    Ok(respond(status, &page, cookies))
}

#[cfg(test)]
mod tests {
    use super::unix_seconds;

    #[test]
    fn form_times_are_utc_and_an_end_covers_what_it_names() {
        assert_eq!(unix_seconds("1970-01-02", false), Some(86_400));
        assert_eq!(unix_seconds("1970-01-02", true), Some(2 * 86_400 - 1));
        assert_eq!(unix_seconds("1970-01-01T00:01", true), Some(119));
        assert_eq!(unix_seconds("1970-01-01T00:01:05", true), Some(65));
        assert_eq!(unix_seconds("1970-01-01 00:01", false), Some(60));
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-01-01T25:00",
            "1:2:3:4",
        ] {
            assert_eq!(unix_seconds(bad, false), None, "{bad}");
        }
    }
}
