//! Dynamic client registration at `{issuer}/oauth2/register` (RFC 7591) and each registered client's
//! configuration endpoint `{issuer}/oauth2/register/{client_id}` (RFC 7592: GET, PUT, DELETE with its
//! registration access token). JSON in and out; the rules live in `crate::identity::dynamic_registration`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::web::{self, Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::error::OAuthError;
use super::{Op, endpoint};
use crate::audit::{self, Actor};
use crate::identity::dynamic_registration::{self as dcr, DcrError, Registered, Registrant};
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::{audit_origin, auth_header, methods};

/// `{issuer}/oauth2/register/{client_id}` (the tenant and workspace segments are the scope's).
#[derive(Deserialize)]
struct ClientPath {
    client_id: String,
}

pub const PATH: &str = "/oauth2/register";
/// Largest registration request read.
const LIMIT: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let limit = || web::PayloadConfig::new(LIMIT);
    cfg.service(
        super::resource(PATH)
            .app_data(limit())
            .route(web::post().to(register)),
    )
    .service(
        super::resource(&format!("{PATH}/{{client_id}}"))
            .app_data(limit())
            .route(methods::get().to(read))
            .route(web::put().to(replace))
            .route(web::delete().to(delete)),
    );
}

async fn register(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let origin = audit_origin::of(&req);
    let address = origin.ip.clone().unwrap_or_else(|| "unknown".into());
    let ctx = audit::Context::new(Actor::Anonymous, origin);
    let who = Registrant {
        bearer: auth_header::bearer(&req),
        address: &address,
    };
    let body = json_body(&body)?;
    let registered = dcr::register(&app, &ctx, &p.tenant, &p.workspace, who, body)
        .await
        .map_err(refusal)?;
    Ok(answer(StatusCode::CREATED, &p, registered))
}

async fn read(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    path: Path<ClientPath>,
) -> Result<HttpResponse, OAuthError> {
    let token = registration_token(&req)?;
    let id = &path.client_id;
    let found = dcr::read(&app, &p.tenant, &p.workspace, id, token)
        .await
        .map_err(refusal)?;
    Ok(answer(StatusCode::OK, &p, found))
}

async fn replace(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    path: Path<ClientPath>,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let token = registration_token(&req)?;
    let id = &path.client_id;
    let ctx = audit::Context::new(Actor::Client(id.clone()), audit_origin::of(&req));
    let body = json_body(&body)?;
    let replaced = dcr::replace(&app, &ctx, &p.tenant, &p.workspace, id, token, body)
        .await
        .map_err(refusal)?;
    Ok(answer(StatusCode::OK, &p, replaced))
}

async fn delete(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    path: Path<ClientPath>,
) -> Result<HttpResponse, OAuthError> {
    let token = registration_token(&req)?;
    let id = &path.client_id;
    let ctx = audit::Context::new(Actor::Client(id.clone()), audit_origin::of(&req));
    dcr::delete(&app, &ctx, &p.tenant, &p.workspace, id, token)
        .await
        .map_err(refusal)?;
    Ok(HttpResponse::NoContent()
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish())
}

fn registration_token(req: &HttpRequest) -> Result<&str, OAuthError> {
    auth_header::bearer(req).ok_or_else(|| {
        refusal(DcrError::InvalidToken(
            "a registration access token is required",
        ))
    })
}

fn json_body(body: &[u8]) -> Result<Value, OAuthError> {
    serde_json::from_slice(body).map_err(|e| {
        refusal(DcrError::InvalidMetadata(format!(
            "the request body is not JSON: {e}"
        )))
    })
}

/// The client's metadata with `client_id_issued_at`, `client_secret_expires_at` (confidential clients), the
/// registration access token when one was made, and `registration_client_uri`; never cached (it holds secrets).
fn answer(status: StatusCode, p: &Provider, registered: Registered) -> HttpResponse {
    let uri = endpoint(p, &format!("{PATH}/{}", registered.client.client_id));
    let mut body = serde_json::to_value(&registered.client).unwrap_or_default();
    if let Some(token) = registered.registration_access_token {
        body["registration_access_token"] = Value::String(token);
    }
    body["registration_client_uri"] = Value::String(uri);
    HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(body)
}

/// RFC 7591 §3.2.2 errors (400), RFC 6750 `invalid_token` (401), 404 where registration is off, 429 over the
/// per-address limit.
fn refusal(e: DcrError) -> OAuthError {
    let description = e.to_string();
    match e {
        DcrError::NotAvailable => OAuthError::new(StatusCode::NOT_FOUND, "not_found", description),
        DcrError::InvalidToken(_) => {
            OAuthError::bearer(StatusCode::UNAUTHORIZED, "invalid_token", description)
        }
        DcrError::RateLimited => {
            OAuthError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", description)
        }
        DcrError::InvalidRedirectUri(_) => {
            OAuthError::new(StatusCode::BAD_REQUEST, "invalid_redirect_uri", description)
        }
        DcrError::InvalidMetadata(_) => OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            description,
        ),
        DcrError::InvalidSoftwareStatement => OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_software_statement",
            description,
        ),
        DcrError::Identity(e) => identity_failure(e),
    }
}

/// A store failure or a conflict: the cause is logged, never shown.
fn identity_failure(e: crate::identity::Error) -> OAuthError {
    use crate::error::ErrorKind;
    match e.kind() {
        ErrorKind::Overloaded => OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the service is temporarily unavailable; try again shortly",
        ),
        ErrorKind::Invalid => OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            e.to_string(),
        ),
        _ => {
            tracing::error!(error = %e, "client registration failed");
            OAuthError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error; see the server log",
            )
        }
    }
}
