//! `GET /api/admin/{tenant}/export` (the tenant as streamed NDJSON) and `POST /api/admin/import` (an NDJSON body
//! spooled to a temp file, then checked and written by `crate::portability`).

use std::io::Write;

use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{self, Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ErrorBody;
use super::openapi::ReadErrors;
use super::paths::TenantPath;
use super::{AdminBearer, ApiError, Reply, resource};
use crate::error::ErrorKind;
use crate::identity::tenant;
use crate::portability::export;
use crate::portability::import::{self, ImportError};
use crate::state::AppState;
use crate::web::methods;

const NDJSON: &str = "application/x-ndjson";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/import").route(web::post().to(import_tenant)))
        .service(resource("/{tenant}/export").route(methods::get().to(export_tenant)));
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/export", tag = "transfer",
    params(TenantPath),
    responses((status = 200, description = "the tenant as NDJSON: a `tarn-export` header line, then one object per line", content_type = "application/x-ndjson", body = String), ReadErrors)
)]
async fn export_tenant(_: AdminBearer, app: Data<AppState>, tenant: Path<String>) -> Reply {
    // Refused before the first byte, so that a missing tenant is a 404 and not a cut stream.
    tenant::find(&app, &tenant).await?;
    let chunks = export::stream(&app.db, &tenant);
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        let next = chunks.recv().await?;
        Some((next.map(Bytes::from), chunks))
    });
    Ok(HttpResponse::Ok().content_type(NDJSON).streaming(body))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// Check the file and report what would be written, writing nothing.
    #[serde(default)]
    dry_run: bool,
}

#[utoipa::path(
    post, path = "/api/admin/import", tag = "transfer",
    params(ImportQuery),
    request_body(content = String, description = "a tenant export, one JSON object per line", content_type = "application/x-ndjson"),
    responses((status = 201, description = "the tenant was imported", body = import::Summary), (status = 200, description = "dry run: what an import would write", body = import::Summary), (status = 400, description = "a line was refused; nothing was imported", body = ErrorBody), (status = 401, description = "missing or invalid admin token", body = ErrorBody), (status = 409, description = "the tenant exists already", body = ErrorBody), (status = 415, description = "Content-Type is not application/x-ndjson", body = ErrorBody))
)]
async fn import_tenant(
    admin: AdminBearer,
    app: Data<AppState>,
    req: HttpRequest,
    query: Query<ImportQuery>,
    body: web::Payload,
) -> Reply {
    if !is_ndjson(&req) {
        return Ok(
            HttpResponse::UnsupportedMediaType().json(serde_json::json!({
                "error": "unsupported_media_type",
                "error_description": format!("the body must be {NDJSON}"),
            })),
        );
    }
    let file = spool(body).await?;
    let dry_run = query.dry_run;
    match import::from_file(&app.db, admin.audit, file, dry_run, app.clock.now()).await {
        Ok(summary) if dry_run => Ok(HttpResponse::Ok().json(summary)),
        Ok(summary) => Ok(HttpResponse::Created().json(summary)),
        Err(ImportError::Refused(r)) => Ok(HttpResponse::BadRequest().json(serde_json::json!({
            "error": "invalid_request",
            "error_description": format!("{r}; nothing was imported"),
            "line": r.line,
        }))),
        Err(e @ ImportError::TenantExists(_)) => Err(ApiError::new(
            ErrorKind::Conflict,
            format!("{e}; nothing was imported"),
        )),
        Err(ImportError::Store(e)) => Err(crate::identity::Error::Store(e).into()),
        Err(ImportError::Io(e)) => {
            tracing::error!(error = %e, "import: the spooled body could not be read");
            Err(ApiError::new(
                ErrorKind::Internal,
                "internal error; see the server log",
            ))
        }
    }
}

fn is_ndjson(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(NDJSON))
}

/// Writes the body to an anonymous temp file (gone when closed), a megabyte at a time off the async workers: the
/// import reads it twice, and a body held in memory would be as large as the tenant.
async fn spool(mut body: web::Payload) -> Result<std::fs::File, ApiError> {
    let mut file = blocking(tempfile::tempfile).await?;
    let mut buf = Vec::with_capacity(SPOOL_CHUNK);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorKind::Invalid,
                format!("cannot read the request body: {e}"),
            )
        })?;
        buf.extend_from_slice(&chunk);
        if buf.len() >= SPOOL_CHUNK {
            let full = std::mem::replace(&mut buf, Vec::with_capacity(SPOOL_CHUNK));
            file = append(file, full).await?;
        }
    }
    append(file, buf).await
}

const SPOOL_CHUNK: usize = 1024 * 1024;

async fn append(mut file: std::fs::File, data: Vec<u8>) -> Result<std::fs::File, ApiError> {
    blocking(move || file.write_all(&data).map(|()| file)).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "import: cannot spool the request body");
        ApiError::new(ErrorKind::Internal, "internal error; see the server log")
    };
    match web::block(f).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(failed(&e)),
        Err(e) => Err(failed(&e)),
    }
}
