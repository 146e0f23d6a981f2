//! `/verifications/{token}`: the page a verification link opens; confirming (a POST, with CSRF) marks the
//! email address or mobile number verified.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::texts;
use super::views::VerifyPage;
use crate::authn::verification;
use crate::state::AppState;
use crate::web::csrf::{self, Csrf};
use crate::web::html;
use crate::web::methods;

crate::csrf_protected!(ConfirmForm);

/// Mounted at the root: a verification belongs to a user, not to a workspace.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/verifications/{token}")
            .route(methods::get().to(show_verification))
            .route(web::post().to(confirm_verification)),
    );
}

#[derive(Debug, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
}

async fn show_verification(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (token, now) = (token.into_inner(), app.clock.now());
    let lookup = token.clone();
    let opened = app
        .db
        .run(move |c| verification::open(c, &lookup, now))
        .await?;
    let (row, user) = opened.ok_or(PageError::LinkUnusable)?;
    let what = match user.email.as_deref() == Some(row.identifier.as_str()) {
        true => "email address",
        false => "mobile number",
    };
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(&req);
    let view = VerifyPage {
        public_url,
        action: &format!("{public_url}/verifications/{token}"),
        csrf: &csrf,
        what,
        identifier: &row.identifier,
    };
    Ok(html::render_form(StatusCode::OK, &view, set_cookie))
}

async fn confirm_verification(
    app: Data<AppState>,
    token: Path<String>,
    Csrf(_): Csrf<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    match verification::confirm(&app, &token).await? {
        true => {
            let (title, message) = (texts::CONFIRMED_TITLE, texts::CONFIRMED);
            Ok(html::message(
                app.config.public_url(),
                StatusCode::OK,
                title,
                message,
            ))
        }
        false => Err(PageError::LinkUnusable),
    }
}
