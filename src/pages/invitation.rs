//! `/invitations/{token}`: the activation page an invitation links to. The invited user sets a password (when the
//! pool uses passwords) or creates a passkey (when it offers them: `/invitations/{token}/passkey/options` and
//! `/invitations/{token}/passkey`), and so verifies the identifier the invitation went to; the account becomes
//! active.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::FORM_EXPIRED;
use super::passkey::{options_error, options_response, refusal};
use super::views::{ActivatePage, PasskeyUrls};
use crate::authn::passkey::{PasskeyError, activate};
use crate::identity::Error;
use crate::identity::invitation::{self, Opened};
use crate::state::AppState;
use crate::web::csrf;

/// Mounted at the root: an invitation belongs to a pool, not to a workspace.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/invitations/{token}")
            .route(web::get().to(show_invitation))
            .route(web::post().to(accept_invitation)),
    )
    .route(
        "/invitations/{token}/passkey/options",
        web::post().to(activation_options),
    )
    .route(
        "/invitations/{token}/passkey",
        web::post().to(accept_invitation_with_passkey),
    );
}

#[derive(Deserialize)]
struct ActivateForm {
    #[serde(default)]
    csrf_token: String,
    new_password: Option<String>,
}

#[derive(Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

const UNUSABLE: &str = "The link has expired, was already used, or was withdrawn. Ask your administrator for a new invitation.";

async fn show_invitation(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
) -> HttpResponse {
    let (token, now) = (token.into_inner(), app.clock.now());
    let lookup = token.clone();
    match app.db.run(move |c| invitation::open(c, &lookup, now)).await {
        Ok(Some(opened)) => page(&req, &app, &token, &opened, None, StatusCode::OK),
        Ok(None) => unusable(&app),
        Err(e) => failure(&app, e),
    }
}

async fn accept_invitation(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    f: Form<ActivateForm>,
) -> HttpResponse {
    let (token, f) = (token.into_inner(), f.into_inner());
    let opened = match open(&app, &token).await {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    if !csrf::is_valid(&req, &f.csrf_token) {
        return page(
            &req,
            &app,
            &token,
            &opened,
            Some(FORM_EXPIRED),
            StatusCode::BAD_REQUEST,
        );
    }
    match invitation::accept(&app, &token, f.new_password).await {
        Ok(()) => ready(&app),
        Err(Error::Invalid { message, .. }) => {
            let message = format!("The password {message}.");
            page(&req, &app, &token, &opened, Some(&message), StatusCode::OK)
        }
        Err(Error::NotFound(_)) => unusable(&app),
        Err(Error::Conflict(_)) => page(
            &req,
            &app,
            &token,
            &opened,
            Some("Create a passkey to activate your account."),
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => failure(&app, e),
    }
}

async fn activation_options(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        return options_error(StatusCode::FORBIDDEN, FORM_EXPIRED);
    }
    match activate::begin(&app, &token).await {
        Ok(o) => options_response(Ok(o)),
        Err(PasskeyError::NotFound) => options_error(StatusCode::GONE, UNUSABLE),
        Err(e) => options_response(Err(e)),
    }
}

async fn accept_invitation_with_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    let token = token.into_inner();
    let opened = match open(&app, &token).await {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    let again = |message: &str, status| page(&req, &app, &token, &opened, Some(message), status);
    if !csrf::is_valid(&req, &f.csrf_token) {
        return again(FORM_EXPIRED, StatusCode::BAD_REQUEST);
    }
    match activate::finish(&app, &token, &f.ceremony, &f.credential).await {
        Ok(()) => ready(&app),
        Err(PasskeyError::NotFound) => unusable(&app),
        Err(e) => match refusal(&e) {
            Some((message, status)) => again(message, status),
            None => server_error(&app, StatusCode::INTERNAL_SERVER_ERROR, &e),
        },
    }
}

/// The pending invitation a token opens, or the page to answer with instead.
async fn open(app: &AppState, token: &str) -> Result<Opened, HttpResponse> {
    let (lookup, now) = (token.to_owned(), app.clock.now());
    match app.db.run(move |c| invitation::open(c, &lookup, now)).await {
        Ok(Some(opened)) => Ok(opened),
        Ok(None) => Err(unusable(app)),
        Err(e) => Err(failure(app, e)),
    }
}

fn ready(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::OK,
        "Your account is ready",
        "You can now sign in to the application that invited you.",
    )
}

fn page(
    req: &HttpRequest,
    app: &AppState,
    token: &str,
    opened: &Opened,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{public_url}/invitations/{token}");
    let policy = &opened.pool.password_policy;
    let rules = policy.describe();
    let identifier = opened
        .user
        .email
        .clone()
        .or(opened.user.mobile.clone())
        .unwrap_or_default();
    let passkey = activate::is_offered(app, opened).then(|| PasskeyUrls {
        options: format!("{action}/passkey/options"),
        finish: format!("{action}/passkey"),
    });
    let view = ActivatePage {
        public_url,
        action: &action,
        csrf: &csrf,
        identifier: &identifier,
        needs_password: opened.pool.uses_passwords(),
        offers_plain: !invitation::needs_passkey(app, &opened.pool),
        passkey,
        min_length: policy.min_length,
        max_length: policy.max_length,
        rules: &rules,
        error,
    };
    super::render_form(status, &view, set_cookie)
}

fn unusable(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::GONE,
        "This invitation cannot be used",
        UNUSABLE,
    )
}

fn failure(app: &AppState, e: Error) -> HttpResponse {
    let status = if matches!(e, Error::Overloaded) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    server_error(app, status, &e)
}

fn server_error(app: &AppState, status: StatusCode, cause: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %cause, "invitation page failed");
    super::message(
        app.config.public_url(),
        status,
        "Something went wrong",
        "Please try again in a moment.",
    )
}
