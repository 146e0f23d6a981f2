//! Passkey sign-in on the hosted login page: `/login/passkey/options` gives the browser a WebAuthn challenge
//! (JSON, for `static/js/passkey.js`), `/login/passkey` checks the credential and finishes the authorization.
//! Also the JSON answers every passkey ceremony page shares.

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::error::PageError;
use super::flow::{Pending, SignIn};
use super::texts;
use crate::authn::passkey::{Options, PasskeyError, sign_in};
use crate::oidc::Op;
use crate::oidc::error::OAuthError;
use crate::state::AppState;
use crate::web::csrf::{Csrf, CsrfRejected};

crate::csrf_protected!(OptionsForm, FinishForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/login/passkey/options").route(web::post().to(sign_in_options)))
        .service(super::resource("/login/passkey").route(web::post().to(submit_sign_in)));
}

#[derive(Debug, Deserialize)]
struct OptionsForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    identifier: String,
}

#[derive(Debug, Deserialize)]
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
    app: Data<AppState>,
    Op(p): Op,
    form: Result<Csrf<OptionsForm>, CsrfRejected<OptionsForm>>,
) -> Result<HttpResponse, OAuthError> {
    let Csrf(f) = form.map_err(forged)?;
    match Pending::find(&app, &p, &f.request).await {
        Ok(Some(pending)) if pending.offers_passkey => {}
        Ok(Some(_)) => {
            return Err(options_error(
                StatusCode::BAD_REQUEST,
                texts::PASSKEYS_NOT_OFFERED,
            ));
        }
        Ok(None) => {
            return Err(options_error(
                StatusCode::BAD_REQUEST,
                texts::REQUEST_EXPIRED,
            ));
        }
        Err(e) => return Err(unavailable(e)),
    }
    let begun = sign_in::begin(
        &app,
        &p.tenant,
        &p.workspace,
        &f.request,
        Some(&f.identifier),
    );
    options_response(begun.await)
}

async fn submit_sign_in(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<FinishForm>,
) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(&req, op, &f.request).await?;
    let again = |message| flow.login_form("").error(message);
    if !flow.pending.offers_passkey {
        let refused = again(texts::CHOOSE_OFFERED_METHOD);
        return Ok(refused.status(StatusCode::BAD_REQUEST).render());
    }
    let (app, p) = (&flow.app, &flow.op);
    let origin = crate::web::audit_origin::of(&req);
    let finished = sign_in::finish(
        app,
        &origin,
        &p.tenant,
        &p.workspace,
        &flow.pending.id,
        &f.ceremony,
        &f.credential,
    );
    match finished.await {
        Ok(signed) => flow.signed_in(&signed.user.id, signed.amr).await,
        Err(e) => match refusal(&e) {
            Some((message, status)) => Ok(again(message).status(status).render()),
            None => Err(e.into()),
        },
    }
}

/// What a page says when a passkey ceremony fails, or `None` for a server failure.
pub(super) fn refusal(e: &PasskeyError) -> Option<(&'static str, StatusCode)> {
    match e {
        PasskeyError::Expired => Some((texts::PASSKEY_EXPIRED, StatusCode::OK)),
        PasskeyError::Refused => Some((texts::PASSKEY_REFUSED, StatusCode::OK)),
        PasskeyError::Malformed => Some((texts::PASSKEY_MALFORMED, StatusCode::BAD_REQUEST)),
        PasskeyError::Unavailable => Some((texts::PASSKEYS_UNAVAILABLE, StatusCode::NOT_FOUND)),
        PasskeyError::Invalid(_) | PasskeyError::NotFound | PasskeyError::Store(_) => None,
    }
}

/// The JSON a ceremony page's script receives: `{"ceremony", "publicKey"}`, never cached.
pub(super) fn options_response(
    begun: Result<Options, PasskeyError>,
) -> Result<HttpResponse, OAuthError> {
    match begun {
        Ok(o) => Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({"ceremony": o.ceremony, "publicKey": o.options["publicKey"]}))),
        Err(PasskeyError::Unavailable) => Err(options_error(
            StatusCode::NOT_FOUND,
            texts::PASSKEYS_UNAVAILABLE,
        )),
        Err(e) => Err(unavailable(e)),
    }
}

/// A JSON error for a ceremony page's script (`error_description` is shown to the user).
pub(super) fn options_error(status: StatusCode, message: &str) -> OAuthError {
    let code = match status {
        StatusCode::FORBIDDEN => "access_denied",
        _ => "invalid_request",
    };
    OAuthError::new(status, code, message)
}

/// A ceremony's options asked for with a forged or unreadable form.
pub(super) fn forged<T>(_: CsrfRejected<T>) -> OAuthError {
    options_error(StatusCode::FORBIDDEN, texts::FORM_EXPIRED)
}

/// A 503 for a ceremony page's script when the server failed; the cause is logged.
pub(super) fn unavailable(cause: impl std::fmt::Display) -> OAuthError {
    tracing::error!(error = %cause, "passkey options failed");
    OAuthError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        texts::PASSKEYS_FAILING,
    )
}
