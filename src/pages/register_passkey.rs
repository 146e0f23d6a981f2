//! The "Create your passkey" page of a self-registration without a password: `/register/passkey/options` begins
//! the ceremony (JSON, for `static/js/passkey.js`), `/register/passkey` creates the user with the passkey and signs
//! them in, `/register/passkey/skip` creates the user without one where the pool also signs in with codes. Each
//! needs the registration and the authorization request of the browser that entered the code.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::{FORM_EXPIRED, Pending, pending, pending_or_page, signed_in, signed_in_with};
use super::passkey::{options_error, options_response, refusal, unavailable};
use super::views::{PasskeyUrls, RegisterPasskeyPage};
use crate::authn::registration::RegistrationError;
use crate::authn::registration::passkey::{self as register, Target, Waiting};
use crate::oidc::Op;
use crate::oidc::authorize::failure_page;
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/register/passkey/options",
        web::post().to(register_passkey_options),
    )
    .route("/register/passkey", web::post().to(submit_register_passkey))
    .route(
        "/register/passkey/skip",
        web::post().to(skip_register_passkey),
    );
}

#[derive(Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

impl PasskeyForm {
    fn target<'a>(&'a self, p: &'a Provider) -> Target<'a> {
        Target {
            tenant: &p.tenant,
            workspace: &p.workspace,
            request: &self.request,
            registration: &self.registration,
        }
    }
}

const REGISTRATION_EXPIRED: &str =
    "This registration has expired or was already finished. Start again to create your account.";

async fn register_passkey_options(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        return options_error(StatusCode::FORBIDDEN, FORM_EXPIRED);
    }
    match pending(&app, &p, &f.request).await {
        Ok(Some(_)) => {}
        Ok(None) => return options_error(StatusCode::BAD_REQUEST, REGISTRATION_EXPIRED),
        Err(e) => return unavailable(e.to_string()),
    }
    match register::begin(&app, &f.target(&p)).await {
        Ok(o) => options_response(Ok(o)),
        Err(RegistrationError::Expired) => {
            options_error(StatusCode::BAD_REQUEST, REGISTRATION_EXPIRED)
        }
        Err(RegistrationError::NotAllowed) => options_error(
            StatusCode::BAD_REQUEST,
            "Passkeys are not offered for this account.",
        ),
        Err(RegistrationError::Passkey(e)) => options_response(Err(e)),
        Err(e) => unavailable(e.to_string()),
    }
}

/// The pending request and waiting registration a form names, or the page to answer with instead.
async fn waiting_or_page(
    app: &AppState,
    p: &Arc<Provider>,
    f: &PasskeyForm,
) -> Result<(Pending, Waiting), HttpResponse> {
    let pending = pending_or_page(app, p, &f.request).await?;
    match register::waiting(app, &f.target(p)).await {
        Ok(Some(waiting)) => Ok((pending, waiting)),
        Ok(None) => Err(expired(app)),
        Err(e) => Err(failure_page(app, TokenError::Internal(e.to_string()))),
    }
}

async fn submit_register_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    let (pending, waiting) = match waiting_or_page(&app, &p, &f).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let again =
        |message: &str, status| page(&req, &app, &p, &pending, &waiting, Some(message), status);
    if !csrf::is_valid(&req, &f.csrf_token) {
        return again(FORM_EXPIRED, StatusCode::BAD_REQUEST);
    }
    match register::finish(&app, &f.target(&p), &f.ceremony, &f.credential).await {
        Ok(done) => signed_in_with(&req, &app, &p, &pending, &done.user.id, done.amr).await,
        Err(RegistrationError::Passkey(e)) => match refusal(&e) {
            Some((message, status)) => again(message, status),
            None => failure_page(&app, TokenError::Internal(e.to_string())),
        },
        Err(e) => refused(&app, &again, e),
    }
}

async fn skip_register_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    let (pending, waiting) = match waiting_or_page(&app, &p, &f).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !csrf::is_valid(&req, &f.csrf_token) {
        let expired = Some(FORM_EXPIRED);
        return page(
            &req,
            &app,
            &p,
            &pending,
            &waiting,
            expired,
            StatusCode::BAD_REQUEST,
        );
    }
    match register::skip(&app, &f.target(&p)).await {
        Ok(user) => {
            // The user has just declined a passkey: no suggestion to add one before returning to the client.
            // The code proved the identifier; that is how this user signs in.
            let pending = Pending {
                offers_passkey: false,
                ..pending
            };
            signed_in(&req, &app, &p, &pending, &user.id, "otp").await
        }
        Err(e) => {
            let again = |message: &str, status| {
                page(&req, &app, &p, &pending, &waiting, Some(message), status)
            };
            refused(&app, &again, e)
        }
    }
}

/// The answer to a registration that could not be finished (other than a passkey refusal).
fn refused(
    app: &AppState,
    again: &dyn Fn(&str, StatusCode) -> HttpResponse,
    e: RegistrationError,
) -> HttpResponse {
    match e {
        RegistrationError::Expired => expired(app),
        RegistrationError::Exists => again(
            "An account with this identifier already exists. Sign in instead.",
            StatusCode::OK,
        ),
        RegistrationError::NotAllowed => again(
            "Create a passkey to finish: this account has no other way to sign in.",
            StatusCode::BAD_REQUEST,
        ),
        e => failure_page(app, TokenError::Internal(e.to_string())),
    }
}

/// The "Create your passkey" page of a registration whose code was entered.
pub(super) fn page(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    pending: &Pending,
    waiting: &Waiting,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let view = RegisterPasskeyPage {
        public_url,
        csrf: &csrf,
        request_id: &pending.id,
        registration: &waiting.registration,
        client_name: &pending.client_name,
        identifier: &waiting.identifier,
        passkey: PasskeyUrls {
            options: format!("{}/register/passkey/options", p.issuer),
            finish: format!("{}/register/passkey", p.issuer),
        },
        skip: waiting
            .can_skip
            .then(|| format!("{}/register/passkey/skip", p.issuer)),
        error,
    };
    // Finishing (or skipping) redirects to the client: the page's forms must be allowed to go there.
    let res = super::render_form(status, &view, set_cookie);
    super::allow_form_redirect(res, &pending.request.redirect_uri)
}

fn expired(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::BAD_REQUEST,
        "Registration expired",
        REGISTRATION_EXPIRED,
    )
}
