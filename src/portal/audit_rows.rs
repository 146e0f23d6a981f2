//! One audit event as a row of the portal's tables (the Audit page and every History tab share it, and the
//! partial `templates/portal/audit/_events.html`): the time in UTC, the actor by name, the subject with a link
//! while it exists, and the details as lines of text (`field: old → new`). Askama escapes every value.

use serde_json::Value;

use super::error::PortalError;
use crate::audit::about::{self, About, Place};
use crate::audit::query::AuditEvent;
use crate::state::AppState;

/// An event as a table row shows it.
pub struct EventRow {
    pub id: String,
    /// `2026-12-03 17:05:09 UTC`.
    pub when: String,
    /// RFC 3339, for `<time datetime>`.
    pub when_iso: String,
    pub event_type: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub actor: String,
    /// The Audit page narrowed to the actor (under the public URL's root).
    pub actor_href: Option<String>,
    /// `user 0f3a…`, `pool Staff`: the subject's kind and id.
    pub subject: Option<String>,
    /// The subject's page (under the public URL's root), while it exists.
    pub subject_href: Option<String>,
    pub details: Vec<String>,
}

/// The rows for `events` of `tenant`, with their subjects and administrators looked up.
pub async fn rows(
    app: &AppState,
    tenant: &str,
    events: Vec<AuditEvent>,
) -> Result<Vec<EventRow>, PortalError> {
    let found = about::about(app, tenant, &events).await?;
    Ok(events.into_iter().map(|e| row(tenant, &found, e)).collect())
}

fn row(tenant: &str, found: &About, e: AuditEvent) -> EventRow {
    let subject_href = found.place(&e).and_then(|p| href(tenant, &e, p));
    let actor = actor_label(found, &e);
    let (when, when_iso) = times(e.occurred_at);
    EventRow {
        when,
        when_iso,
        actor,
        actor_href: e.actor.id.as_ref().map(|id| {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("actor_id", id)
                .finish();
            format!("/admin/-/tenants/{tenant}/audit?{q}")
        }),
        subject: e.subject.as_ref().map(|s| format!("{} {}", s.kind, s.id)),
        subject_href,
        details: detail_lines(&e.details),
        id: e.id,
        event_type: e.event_type,
        outcome: e.outcome,
        reason: e.reason,
    }
}

fn actor_label(found: &About, e: &AuditEvent) -> String {
    let id = e.actor.id.as_deref();
    match (e.actor.kind.as_str(), id) {
        ("admin", Some("token")) => "admin token".into(),
        ("admin", Some(id)) => match found.admin(id) {
            Some(name) => name.to_owned(),
            None => format!("administrator {id} (removed)"),
        },
        ("system", _) => "system".into(),
        ("anonymous", _) => "anonymous".into(),
        (kind, Some(id)) => format!("{kind} {id}"),
        (kind, None) => kind.to_owned(),
    }
}

fn href(tenant: &str, e: &AuditEvent, place: &Place) -> Option<String> {
    let id = &e.subject.as_ref()?.id;
    let base = format!("/admin/-/tenants/{tenant}");
    Some(match place {
        Place::User { pool } => format!("{base}/pools/{pool}/users/{id}"),
        Place::Group { pool } => format!("{base}/pools/{pool}/groups/{id}"),
        Place::Pool => format!("{base}/pools/{id}"),
        Place::Workspace => format!("{base}/workspaces/{id}"),
        Place::Schema => format!("{base}/schemas/{id}"),
        Place::Client { workspace } => {
            format!("{base}/workspaces/{workspace}/applications/{id}")
        }
    })
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS UTC` and as RFC 3339.
fn times(millis: i64) -> (String, String) {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000)) else {
        return (millis.to_string(), String::new());
    };
    let (date, clock) = (
        t.date(),
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
    );
    (format!("{date} {clock} UTC"), format!("{date}T{clock}Z"))
}

/// The details object as lines: each named value, then each change as `field: old → new` (a secret's change
/// without values).
fn detail_lines(details: &Value) -> Vec<String> {
    let Some(fields) = details.as_object() else {
        return Vec::new();
    };
    let mut lines: Vec<String> = fields
        .iter()
        .filter(|(k, _)| *k != "changes")
        .map(|(k, v)| format!("{k}: {}", shown(v)))
        .collect();
    if let Some(changes) = fields.get("changes").and_then(Value::as_object) {
        for (field, pair) in changes {
            lines.push(match (pair.get("old"), pair.get("new")) {
                (None, None) => format!("{field}: changed"),
                (old, new) => format!(
                    "{field}: {} → {}",
                    old.map_or("none".into(), shown),
                    new.map_or("none".into(), shown)
                ),
            });
        }
    }
    lines
}

/// A value as text: strings bare, `null` as "none", anything else as compact JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_become_lines_with_changes_old_to_new_and_secrets_without_values() {
        let d = serde_json::json!({"mode": "invite", "changes": {
            "status": {"old": "active", "new": "inactive"},
            "email": {"old": null, "new": "a@example.com"},
            "password": {}
        }});
        let mut lines = detail_lines(&d);
        assert_eq!(lines[0], "mode: invite", "named values first");
        lines.sort();
        assert_eq!(
            lines,
            [
                "email: none → a@example.com",
                "mode: invite",
                "password: changed",
                "status: active → inactive"
            ]
        );
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(
            times(1_764_781_509_000),
            (
                "2025-12-03 17:05:09 UTC".to_owned(),
                "2025-12-03T17:05:09Z".to_owned()
            )
        );
    }
}
