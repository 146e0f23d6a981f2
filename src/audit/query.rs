//! Reading the audit trail: a tenant's events newest first, narrowed by the contract's filters, in the shape the
//! admin API shows.

use serde::Serialize;
use serde_json::Value;

use super::SubjectType;
use crate::identity::{Error, Result};
use crate::state::AppState;
use crate::store::audit_events::{self, AuditFilter, AuditRow, TypeFilter};
use crate::store::page::{Page, PageRequest};

/// The filters as the caller gave them; times in unix seconds, both inclusive.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub event_type: Option<String>,
    pub outcome: Option<String>,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    /// What kind of object the subject is (`user`, `group`, `pool`, `workspace`, `client`, `tenant`): an id alone
    /// can name two objects, as a workspace and a tenant may share a slug.
    pub subject_type: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActorView {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectView {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// One event as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: String,
    /// Unix milliseconds.
    pub occurred_at: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub actor: ActorView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub details: Value,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        let subject = match (r.subject_type, r.subject_id) {
            (Some(kind), Some(id)) => Some(SubjectView { kind, id }),
            _ => None,
        };
        AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at,
            event_type: r.event_type,
            outcome: r.outcome,
            reason: r.reason,
            actor: ActorView {
                kind: r.actor_type,
                id: r.actor_id,
            },
            subject,
            workspace_id: r.workspace_id,
            pool_id: r.pool_id,
            client_id: r.client_id,
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
        }
    }
}

impl Filter {
    /// The store's filter; a malformed type pattern, outcome or time is an `Invalid` naming the parameter.
    fn checked(self) -> Result<AuditFilter> {
        let event_type = match self.event_type {
            None => None,
            Some(t) if t.is_empty() => return Err(Error::invalid("type", "must not be empty")),
            Some(t) => Some(match t.strip_suffix('*') {
                Some(prefix) if prefix.contains('*') => {
                    return Err(Error::invalid("type", "only a trailing * is allowed"));
                }
                Some(prefix) => TypeFilter::Prefix(prefix.to_owned()),
                None if t.contains('*') => {
                    return Err(Error::invalid("type", "only a trailing * is allowed"));
                }
                None => TypeFilter::Exact(t),
            }),
        };
        if let Some(o) = &self.outcome
            && o != "success"
            && o != "failure"
        {
            return Err(Error::invalid("outcome", "must be success or failure"));
        }
        if let Some(kind) = &self.subject_type
            && !SubjectType::ALL.iter().any(|k| k.as_str() == kind)
        {
            return Err(Error::invalid(
                "subject_type",
                "must be user, group, pool, workspace, client or tenant",
            ));
        }
        let millis = |field: &str, secs: Option<i64>, end: i64| match secs {
            None => Ok(None),
            Some(s) => s
                .checked_mul(1000)
                .and_then(|ms| ms.checked_add(end))
                .map(Some)
                .ok_or_else(|| Error::invalid(field, "out of range")),
        };
        Ok(AuditFilter {
            event_type,
            outcome: self.outcome,
            actor_id: self.actor_id,
            subject_id: self.subject_id,
            subject_type: self.subject_type,
            since: millis("since", self.since, 0)?,
            // `until` names a second: every event within it matches.
            until: millis("until", self.until, 999)?,
        })
    }
}

/// One page of the tenant's events under `filter`, newest first.
pub async fn list(
    app: &AppState,
    tenant: &str,
    filter: Filter,
    page: PageRequest,
) -> Result<Page<AuditEvent>> {
    let filter = filter.checked()?;
    let tenant = tenant.to_owned();
    app.db
        .run(move |c| {
            crate::identity::tenant::require(c, &tenant)?;
            let (rows, next) = audit_events::page(c, &tenant, &filter, page.limit, page.after)?;
            Ok((rows.into_iter().map(AuditEvent::from).collect(), next))
        })
        .await
}
