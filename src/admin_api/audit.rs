//! `/api/admin/{tenant}/audit-events` (and per user): the audit trail, newest first, filtered and paged like every
//! list, or with `?format=ndjson` every match as one event per line, streamed page by page from the store.

use actix_web::HttpResponse;
use actix_web::web::{self, Bytes, Data, Path, Query};
use futures_util::stream;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;
use super::list::{List, ListQuery};
use super::openapi::ReadErrors;
use super::paths::{TenantPath, TenantUserPath};
use super::{AdminBearer, Reply, ok, resource};
use crate::audit::query::{self, AuditEvent, Filter};
use crate::error::ErrorKind;
use crate::state::AppState;
use crate::store::page::PageRequest;
use crate::web::methods;

/// Rows read from the store per step of an NDJSON export: memory stays bounded whatever the trail's size.
const EXPORT_CHUNK: i64 = 500;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/audit-events").route(methods::get().to(list_events)))
        .service(
            resource("/{tenant}/users/{user}/audit-events")
                .route(methods::get().to(list_user_events)),
        );
}

// Not `#[serde(flatten)]`: flattened query fields lose their types in serde_urlencoded.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    /// An exact type, or a prefix ending in `*` such as `authn.*`.
    #[serde(rename = "type")]
    event_type: Option<String>,
    outcome: Option<String>,
    actor_id: Option<String>,
    subject_id: Option<String>,
    /// The subject's kind: `user`, `group`, `pool`, `workspace`, `client` or `tenant`.
    subject_type: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<i64>,
    cursor: Option<String>,
    format: Option<String>,
}

impl EventQuery {
    fn split(self) -> Result<(Filter, PageRequest, bool), ApiError> {
        let ndjson = match self.format.as_deref() {
            None | Some("json") => false,
            Some("ndjson") => true,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    "format: must be json or ndjson",
                ));
            }
        };
        let page = ListQuery {
            limit: self.limit,
            cursor: self.cursor,
        }
        .page()?;
        let filter = Filter {
            event_type: self.event_type,
            outcome: self.outcome,
            actor_id: self.actor_id,
            subject_id: self.subject_id,
            subject_type: self.subject_type,
            since: self.since,
            until: self.until,
        };
        Ok((filter, page, ndjson))
    }
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/audit-events", tag = "audit",
    params(TenantPath, EventQuery),
    responses((status = 200, description = "a page of events, newest first; with `format=ndjson` every match, one per line", content((List<AuditEvent> = "application/json"), (AuditEvent = "application/x-ndjson"))), ReadErrors)
)]
async fn list_events(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<TenantPath>,
    q: Query<EventQuery>,
) -> Reply {
    let (filter, page, ndjson) = q.into_inner().split()?;
    respond(app, path.into_inner().tenant, filter, page, ndjson).await
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/users/{user}/audit-events", tag = "audit",
    params(TenantUserPath, EventQuery),
    responses((status = 200, description = "the events about the user, newest first; with `format=ndjson` every match, one per line", content((List<AuditEvent> = "application/json"), (AuditEvent = "application/x-ndjson"))), ReadErrors)
)]
async fn list_user_events(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<TenantUserPath>,
    q: Query<EventQuery>,
) -> Reply {
    let (filter, page, ndjson) = q.into_inner().split()?;
    let TenantUserPath { tenant, user } = path.into_inner();
    let filter = Filter {
        subject_id: Some(user),
        subject_type: Some(crate::audit::SubjectType::User.as_str().to_owned()),
        ..filter
    };
    respond(app, tenant, filter, page, ndjson).await
}

async fn respond(
    app: Data<AppState>,
    tenant: String,
    filter: Filter,
    page: PageRequest,
    ndjson: bool,
) -> Reply {
    if !ndjson {
        return Ok(ok(List::from(
            query::list(&app, &tenant, filter, page).await?,
        )));
    }
    // The first chunk is read before the answer starts, so a bad filter or an unknown tenant is still a 4xx.
    let first = PageRequest {
        limit: EXPORT_CHUNK,
        after: None,
    };
    let page = query::list(&app, &tenant, filter.clone(), first).await?;
    let state = Some((page, app, tenant, filter));
    let body = stream::unfold(state, |state| async move {
        let ((rows, next), app, tenant, filter) = state?;
        let chunk = lines(&rows);
        let following = match next {
            None => None,
            Some(after) => {
                let req = PageRequest {
                    limit: EXPORT_CHUNK,
                    after: Some(after),
                };
                match query::list(&app, &tenant, filter.clone(), req).await {
                    Ok(page) => Some((page, app, tenant, filter)),
                    Err(e) => {
                        // The status is sent already: cutting the body short is all that is left.
                        tracing::error!(error = %e, "audit export failed part way");
                        return Some((Err(std::io::Error::other("audit export failed")), None));
                    }
                }
            }
        };
        Some((Ok::<_, std::io::Error>(chunk), following))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .streaming(body))
}

fn lines(rows: &[AuditEvent]) -> Bytes {
    let mut out = Vec::new();
    for event in rows {
        if serde_json::to_writer(&mut out, event).is_ok() {
            out.push(b'\n');
        }
    }
    Bytes::from(out)
}
