//! `/verifications/{token}`: the page a verification link opens; confirming (a POST, with CSRF) marks the
//! email address or mobile number verified.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::VerifyPage;
use crate::authn::verification;
use crate::state::AppState;
use crate::web::csrf;

/// Mounted at the root: a verification belongs to a user, not to a workspace.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/verifications/{token}")
            .route(web::get().to(show_verification))
            .route(web::post().to(confirm_verification)),
    );
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
}

async fn show_verification(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
) -> HttpResponse {
    let (token, now) = (token.into_inner(), app.clock.now());
    let lookup = token.clone();
    let opened = match app
        .db
        .run(move |c| verification::open(c, &lookup, now))
        .await
    {
        Ok(Some(opened)) => opened,
        Ok(None) => return unusable(&app),
        Err(e) => return failure(&app, e),
    };
    let (row, user) = opened;
    let what = if user.email.as_deref() == Some(row.identifier.as_str()) {
        "email address"
    } else {
        "mobile number"
    };
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(&req, public_url);
    let action = format!("{public_url}/verifications/{token}");
    let view = VerifyPage {
        public_url,
        action: &action,
        csrf: &csrf,
        what,
        identifier: &row.identifier,
    };
    super::render_form(StatusCode::OK, &view, set_cookie)
}

async fn confirm_verification(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    f: Form<ConfirmForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        return super::message(
            app.config.public_url(),
            StatusCode::BAD_REQUEST,
            "Form expired",
            "Open the link again and confirm.",
        );
    }
    match verification::confirm(&app, &token).await {
        Ok(true) => super::message(
            app.config.public_url(),
            StatusCode::OK,
            "Confirmed",
            "Thank you. You can close this window.",
        ),
        Ok(false) => unusable(&app),
        Err(e) => failure(&app, e),
    }
}

fn unusable(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::GONE,
        "This link cannot be used",
        "It has expired or was already used. Ask for a new one.",
    )
}

fn failure(app: &AppState, e: crate::identity::Error) -> HttpResponse {
    tracing::error!(error = %e, "verification page failed");
    super::message(
        app.config.public_url(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Please try again in a moment.",
    )
}
