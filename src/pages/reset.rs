//! `/password-reset`: "Forgot password?" from the sign-in page. A code goes to the identifier (never revealing
//! whether it exists); with it the user chooses a new password under the pool's policy, every session and refresh
//! token of the user is revoked, and the user returns to the sign-in page of the same authorization request.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::code::issue_code;
use super::login::{FORM_EXPIRED, Pending, expired, pending, pending_or_page};
use super::views::{ResetConfirmPage, ResetStartPage};
use crate::authn::code::{Channel, CodeError, Purpose};
use crate::authn::reset::{self, ResetError};
use crate::oidc::Op;
use crate::oidc::authorize::failure_page;
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/password-reset")
            .route(web::get().to(show_reset))
            .route(web::post().to(send_reset_code)),
    )
    .route("/password-reset/confirm", web::post().to(confirm_reset));
}

#[derive(Deserialize)]
struct ResetQuery {
    request: Option<String>,
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
}

async fn show_reset(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<ResetQuery>,
) -> HttpResponse {
    match pending(&app, &p, q.request.as_deref().unwrap_or_default()).await {
        Ok(Some(pending)) if pending.offers_password => {
            start_page(&req, &app, &p, &pending, "", None, StatusCode::OK)
        }
        Ok(_) => expired(&app),
        Err(e) => failure_page(&app, e),
    }
}

async fn send_reset_code(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<ResetForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let pending = match pending_or_page(&app, &p, &f.request).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    if !pending.offers_password {
        return expired(&app);
    }
    if !csrf::is_valid(&req, &f.csrf_token) {
        let message = FORM_EXPIRED;
        return start_page(
            &req,
            &app,
            &p,
            &pending,
            &f.identifier,
            Some(message),
            StatusCode::BAD_REQUEST,
        );
    }
    let channel = if f.action == "text_code" {
        Channel::Sms
    } else {
        Channel::Email
    };
    match issue_code(&app, &p, &f.identifier, channel, Purpose::PasswordReset).await {
        Ok(challenge) => confirm_page(
            &req,
            &app,
            &p,
            &pending,
            &challenge,
            &f.identifier,
            None,
            StatusCode::OK,
        ),
        Err((message, status)) => start_page(
            &req,
            &app,
            &p,
            &pending,
            &f.identifier,
            Some(message),
            status,
        ),
    }
}

async fn confirm_reset(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<ResetForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let pending = match pending_or_page(&app, &p, &f.request).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    if !pending.offers_password {
        return expired(&app);
    }
    let again = |message: &str, status| {
        confirm_page(
            &req,
            &app,
            &p,
            &pending,
            &f.challenge,
            &f.identifier,
            Some(message),
            status,
        )
    };
    if !csrf::is_valid(&req, &f.csrf_token) {
        return again(
            "This form has expired. Please try again.",
            StatusCode::BAD_REQUEST,
        );
    }
    match reset::reset_password(
        &app,
        &p.tenant,
        &p.workspace,
        &f.challenge,
        &f.code,
        f.new_password.clone(),
    )
    .await
    {
        Ok(()) => {
            let login = format!("{}/login?request={}", p.issuer, pending.id);
            super::message_with_link(
                app.config.public_url(),
                "Your password was changed",
                "Every earlier sign-in has been ended. Sign in with your new password.",
                &login,
                "Continue to sign in",
            )
        }
        Err(ResetError::Policy(rule)) => {
            again(&format!("The new password {rule}."), StatusCode::OK)
        }
        Err(ResetError::Code(CodeError::Wrong)) => again(
            "That code is not right. Check it and try again.",
            StatusCode::OK,
        ),
        Err(ResetError::Code(_)) => {
            let message = "This code can no longer be used. Ask for a new one.";
            start_page(
                &req,
                &app,
                &p,
                &pending,
                &f.identifier,
                Some(message),
                StatusCode::OK,
            )
        }
        Err(ResetError::Overloaded) => again(
            "The service is busy. Please try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(ResetError::Store(e)) => failure_page(&app, e.into()),
    }
}

fn start_page(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    identifier: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}/password-reset", p.issuer);
    let back = format!("{}/login?request={}", p.issuer, pending.id);
    let view = ResetStartPage {
        public_url,
        action: &action,
        back: &back,
        csrf: &csrf,
        request_id: &pending.id,
        identifier,
        error,
    };
    super::render_form(status, &view, set_cookie)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one page, many fields; a struct would only rename them"
)]
fn confirm_page(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    challenge: &str,
    identifier: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}/password-reset/confirm", p.issuer);
    let back = format!("{}/login?request={}", p.issuer, pending.id);
    let view = ResetConfirmPage {
        public_url,
        action: &action,
        back: &back,
        csrf: &csrf,
        request_id: &pending.id,
        challenge,
        identifier,
        error,
    };
    super::render_form(status, &view, set_cookie)
}
