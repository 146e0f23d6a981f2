//! The device authorization endpoint (RFC 8628 §3.1–3.2): a device's client asks for a device code and a user
//! code; the user then goes to `{issuer}/device` (a hosted page) and the device polls the token endpoint.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::error::OAuthError;
use super::{Op, client_auth, endpoint};
use crate::identity::client::DEVICE_CODE_GRANT;
use crate::state::AppState;
use crate::tokens::device;

/// The endpoint's path under the issuer.
pub const PATH: &str = "/oauth2/device_authorization";
/// The user page's path under the issuer (the `verification_uri`).
pub const USER_PAGE: &str = "/device";

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Devices call it, not browsers: no CORS, like the authorization endpoint.
    cfg.service(super::resource(PATH).route(web::post().to(device_authorization)));
}

async fn device_authorization(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    // §3.1: the client authenticates as it does at the token endpoint; a public client sends its client_id.
    let (form, client) = client_auth::authenticated(&req, &app, &p, &body, PATH).await?;
    if !client
        .metadata
        .grant_types
        .iter()
        .any(|g| g == DEVICE_CODE_GRANT)
    {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "the client may not use the device authorization grant",
        ));
    }
    let scope = device::requested_scope(
        form.get("scope").map(String::as_str),
        &client.metadata.scope,
    )?;
    let (provider, client_id, now) = (p.clone(), client.row.id.clone(), app.clock.now());
    let issued = app
        .db
        .run(move |c| device::start(c, &provider, &client_id, &scope, now))
        .await?;
    let verification_uri = endpoint(&p, USER_PAGE);
    let complete = format!("{verification_uri}?user_code={}", issued.user_code);
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(json!({
            "device_code": issued.device_code,
            "user_code": issued.user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": complete,
            "expires_in": issued.expires_in,
            "interval": issued.interval,
        })))
}
