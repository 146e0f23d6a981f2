//! Passkey sign-in on the hosted login page: `/login/passkey/options` gives the browser a WebAuthn challenge
//! (JSON, for `static/js/passkey.js`), `/login/passkey` checks the credential and finishes the authorization.
//! Also the JSON answers every passkey ceremony page shares.

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{self, Data, Form};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use serde_json::json;

use super::login::{FORM_EXPIRED, form, pending, pending_or_page, signed_in_with};
use crate::authn::passkey::{Options, PasskeyError, sign_in};
use crate::oidc::Op;
use crate::oidc::authorize::failure_page;
use crate::oidc::error::OAuthError;
use crate::state::AppState;
use crate::tokens::TokenError;
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/passkey/options", web::post().to(sign_in_options))
        .route("/login/passkey", web::post().to(submit_sign_in));
}

#[derive(Deserialize)]
struct OptionsForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    identifier: String,
}

#[derive(Deserialize)]
struct FinishForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

async fn sign_in_options(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<OptionsForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        return options_error(StatusCode::FORBIDDEN, FORM_EXPIRED);
    }
    match pending(&app, &p, &f.request).await {
        Ok(Some(pending)) if pending.offers_passkey => {}
        Ok(Some(_)) => return options_error(StatusCode::BAD_REQUEST, NOT_OFFERED),
        Ok(None) => return options_error(StatusCode::BAD_REQUEST, REQUEST_EXPIRED),
        Err(e) => return unavailable(e.to_string()),
    }
    let begun = sign_in::begin(
        &app,
        &p.tenant,
        &p.workspace,
        &f.request,
        Some(&f.identifier),
    )
    .await;
    options_response(begun)
}

const NOT_OFFERED: &str = "Passkeys are not offered here. Choose another way to sign in.";

const REQUEST_EXPIRED: &str =
    "This sign-in request is unknown or has expired. Go back to the application and sign in again.";

async fn submit_sign_in(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<FinishForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let pending = match pending_or_page(&app, &p, &f.request).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    let again = |message: &str, status| form(&req, &app, &p, &pending, "", Some(message), status);
    if !csrf::is_valid(&req, &f.csrf_token) {
        return again(FORM_EXPIRED, StatusCode::BAD_REQUEST);
    }
    if !pending.offers_passkey {
        return again(
            "Choose one of the ways to sign in offered here.",
            StatusCode::BAD_REQUEST,
        );
    }
    let finished = sign_in::finish(
        &app,
        &p.tenant,
        &p.workspace,
        &pending.id,
        &f.ceremony,
        &f.credential,
    )
    .await;
    match finished {
        Ok(signed) => signed_in_with(&req, &app, &p, &pending, &signed.user.id, signed.amr).await,
        Err(e) => match refusal(&e) {
            Some((message, status)) => again(message, status),
            None => failure_page(&app, TokenError::Internal(e.to_string())),
        },
    }
}

/// What a page says when a passkey ceremony fails, or `None` for a server failure.
pub(super) fn refusal(e: &PasskeyError) -> Option<(&'static str, StatusCode)> {
    match e {
        PasskeyError::Expired => Some((
            "The passkey request expired. Please try again.",
            StatusCode::OK,
        )),
        PasskeyError::Refused => Some((
            "That passkey was not accepted. Try again, or choose another way.",
            StatusCode::OK,
        )),
        PasskeyError::Malformed => Some((
            "The browser's passkey answer could not be read. Please try again.",
            StatusCode::BAD_REQUEST,
        )),
        PasskeyError::Unavailable => Some((
            "Passkeys are not available on this server.",
            StatusCode::NOT_FOUND,
        )),
        PasskeyError::Invalid(_) | PasskeyError::NotFound | PasskeyError::Store(_) => None,
    }
}

/// The JSON a ceremony page's script receives: `{"ceremony", "publicKey"}`, never cached.
pub(super) fn options_response(begun: Result<Options, PasskeyError>) -> HttpResponse {
    match begun {
        Ok(o) => HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({"ceremony": o.ceremony, "publicKey": o.options["publicKey"]})),
        Err(PasskeyError::Unavailable) => options_error(
            StatusCode::NOT_FOUND,
            "Passkeys are not available on this server.",
        ),
        Err(e) => unavailable(e.to_string()),
    }
}

/// A JSON error for a ceremony page's script (`error_description` is shown to the user).
pub(super) fn options_error(status: StatusCode, message: &str) -> HttpResponse {
    let code = if status == StatusCode::FORBIDDEN {
        "access_denied"
    } else {
        "invalid_request"
    };
    OAuthError::new(status, code, message).error_response()
}

/// A 503 for a ceremony page's script when the server failed; the cause is logged.
pub(super) fn unavailable(cause: String) -> HttpResponse {
    tracing::error!(error = %cause, "passkey options failed");
    OAuthError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "Passkeys are unavailable at the moment. Please try again shortly.",
    )
    .error_response()
}
