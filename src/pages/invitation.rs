//! `/invitations/{token}`: the activation page an invitation links to. The invited user sets a password (when the
//! pool uses passwords) and so verifies the identifier the invitation went to; the account becomes active.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::ActivatePage;
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
    );
}

#[derive(Deserialize)]
struct ActivateForm {
    #[serde(default)]
    csrf_token: String,
    new_password: Option<String>,
}

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
    let (token, f, now) = (token.into_inner(), f.into_inner(), app.clock.now());
    let lookup = token.clone();
    let opened = match app.db.run(move |c| invitation::open(c, &lookup, now)).await {
        Ok(Some(opened)) => opened,
        Ok(None) => return unusable(&app),
        Err(e) => return failure(&app, e),
    };
    if !csrf::is_valid(&req, &f.csrf_token) {
        return page(
            &req,
            &app,
            &token,
            &opened,
            Some("This form has expired. Please try again."),
            StatusCode::BAD_REQUEST,
        );
    }
    match invitation::accept(&app, &token, f.new_password).await {
        Ok(()) => super::message(
            app.config.public_url(),
            StatusCode::OK,
            "Your account is ready",
            "You can now sign in to the application that invited you.",
        ),
        Err(Error::Invalid { message, .. }) => {
            let message = format!("The password {message}.");
            page(&req, &app, &token, &opened, Some(&message), StatusCode::OK)
        }
        Err(Error::NotFound(_)) => unusable(&app),
        Err(e) => failure(&app, e),
    }
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
    let view = ActivatePage {
        public_url,
        action: &action,
        csrf: &csrf,
        identifier: &identifier,
        needs_password: opened.pool.uses_passwords(),
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
        "The link has expired, was already used, or was withdrawn. Ask your administrator for a new invitation.",
    )
}

fn failure(app: &AppState, e: Error) -> HttpResponse {
    tracing::error!(error = %e, "invitation page failed");
    let status = if matches!(e, Error::Overloaded) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    super::message(
        app.config.public_url(),
        status,
        "Something went wrong",
        "Please try again in a moment.",
    )
}
