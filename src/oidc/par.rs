//! The pushed authorization request endpoint (RFC 9126): a client authenticates as at the token endpoint and
//! pushes the parameters of an authorization request (or a request object); they are validated as the
//! authorization endpoint validates them, kept for 60 seconds, and named by the `request_uri` it answers with.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::error::OAuthError;
use super::{Op, client_auth, dpop};
use crate::state::AppState;
use crate::tokens::authorization::{self, AuthorizeParams, Refusal};
use crate::tokens::{TokenError, pushed, request_object};

/// The endpoint's path under the issuer.
pub const PATH: &str = "/oauth2/par";

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Clients' back ends call it, not browsers: no CORS, like the token endpoint's other back-channel peers.
    cfg.service(super::resource(PATH).route(web::post().to(push)));
}

async fn push(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    // §2: client authentication as at the token endpoint; a public client sends its client_id.
    let (form, client) = client_auth::authenticated(&req, &app, &p, &body, PATH).await?;
    if form.contains_key("request_uri") {
        return Err(OAuthError::invalid_request(
            "request_uri cannot be pushed (RFC 9126 §2.1)",
        ));
    }
    let mut params = match form.get("request") {
        Some(object) => request_object::unpack(&app, &p, &client, object).await?,
        None => parameters(&form)?,
    };
    params.client_id = Some(client.row.id.clone());
    // RFC 9449 §10.1: a DPoP proof here binds the code to its key, as `dpop_jkt` would, and must agree with it.
    if let Some(jkt) = dpop::prove(&req, &app, &p, PATH, None).await? {
        if params.dpop_jkt.as_deref().is_some_and(|given| given != jkt) {
            return Err(OAuthError::invalid_request(
                "dpop_jkt differs from the key of the DPoP proof",
            ));
        }
        params.dpop_jkt = Some(jkt);
    }
    if let Err(refusal) = authorization::validate(&params, Some(&client)) {
        return Err(as_json(refusal));
    }
    let (provider, client_id, now) = (p.clone(), client.row.id.clone(), app.clock.now());
    let request_uri = app
        .db
        .run(move |c| pushed::push(c, &provider, &client_id, &params, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(json!({"request_uri": request_uri, "expires_in": pushed::TTL})))
}

/// The form's authorization parameters (the client credentials in it are ignored as unknown).
fn parameters(
    form: &std::collections::HashMap<String, String>,
) -> Result<AuthorizeParams, TokenError> {
    serde_json::to_value(form)
        .and_then(serde_json::from_value)
        .map_err(|e| TokenError::InvalidRequest(format!("the parameters cannot be read: {e}")))
}

/// §2.3: what the authorization endpoint would show or redirect, as a JSON error.
fn as_json(refusal: Refusal) -> OAuthError {
    match refusal {
        Refusal::Page(message) => OAuthError::invalid_request(message),
        Refusal::Redirect {
            error, description, ..
        } => OAuthError::new(StatusCode::BAD_REQUEST, error, description),
    }
}
