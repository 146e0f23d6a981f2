//! `/password-reset`: "Forgot password?" from the sign-in page. A code goes to the identifier (never revealing
//! whether it exists); with it the user chooses a new password under the pool's policy, every session and refresh
//! token of the user is revoked, and the user returns to the sign-in page of the same authorization request.

use actix_web::http::StatusCode;
use actix_web::web::{self, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::code::issue_code;
use super::error::PageError;
use super::flow::{FormPage, FormView, SignIn};
use super::login::RequestQuery;
use super::texts;
use super::views::{ResetConfirmPage, ResetStartPage};
use crate::authn::code::{Channel, CodeError, Purpose};
use crate::authn::reset::{self, ResetError};
use crate::oidc::Op;
use crate::web::csrf::Csrf;
use crate::web::html;
use crate::web::methods;

crate::csrf_protected!(ResetForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/password-reset")
            .route(methods::get().to(show_reset))
            .route(web::post().to(send_reset_code)),
    )
    .service(super::resource("/password-reset/confirm").route(web::post().to(confirm_reset)));
}

#[derive(Debug, Deserialize)]
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

/// The sign-in of `request_id`, where it offers passwords to reset; otherwise the request is as good as expired.
async fn load(req: &HttpRequest, op: Op, request_id: &str) -> Result<SignIn, PageError> {
    let flow = SignIn::load(req, op, request_id).await?;
    match flow.pending.offers_password {
        true => Ok(flow),
        false => Err(PageError::RequestExpired),
    }
}

async fn show_reset(
    req: HttpRequest,
    op: Op,
    q: Query<RequestQuery>,
) -> Result<HttpResponse, PageError> {
    let flow = load(&req, op, &q.request).await?;
    Ok(start_page(&flow, "").render())
}

async fn send_reset_code(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let flow = load(&req, op, &f.request).await?;
    let channel = match f.action.as_str() {
        "text_code" => Channel::Sms,
        _ => Channel::Email,
    };
    let issued = issue_code(
        &flow.app,
        &flow.op,
        &f.identifier,
        channel,
        Purpose::PasswordReset,
    );
    Ok(match issued.await? {
        Some(challenge) => confirm_page(&flow, &challenge, &f.identifier).render(),
        None => start_page(&flow, &f.identifier)
            .error(texts::CODE_THROTTLED)
            .status(StatusCode::TOO_MANY_REQUESTS)
            .render(),
    })
}

async fn confirm_reset(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let flow = load(&req, op, &f.request).await?;
    let (app, p) = (&flow.app, &flow.op);
    let password = f.new_password.clone();
    let origin = crate::web::audit_origin::of(&req);
    let reset = reset::reset_password(
        app,
        &origin,
        &p.tenant,
        &p.workspace,
        &f.challenge,
        &f.code,
        password,
    );
    let again = || confirm_page(&flow, &f.challenge, &f.identifier);
    Ok(match reset.await {
        Ok(()) => changed(&flow),
        Err(ResetError::Policy(rule)) => {
            again().error(format!("The new password {rule}.")).render()
        }
        Err(ResetError::Code(CodeError::Wrong)) => again().error(texts::CODE_WRONG).render(),
        Err(ResetError::Code(e @ CodeError::Store(_))) => return Err(e.into()),
        Err(ResetError::Code(_)) => start_page(&flow, &f.identifier)
            .error(texts::CODE_SPENT)
            .render(),
        Err(e) => return Err(e.into()),
    })
}

/// The password was changed: back to the sign-in page of the same request.
fn changed(flow: &SignIn) -> HttpResponse {
    let (title, message) = (texts::PASSWORD_CHANGED_TITLE, texts::PASSWORD_CHANGED);
    let link = Some((flow.back(), texts::CONTINUE_TO_SIGN_IN));
    let link = link.as_ref().map(|(href, label)| (href.as_str(), *label));
    html::message_page(flow.public_url(), StatusCode::OK, title, message, link)
}

fn start_page<'a>(flow: &'a SignIn, identifier: &'a str) -> FormPage<'a, impl FormView + 'a> {
    flow.form(move |csrf, error| {
        ResetStartPage {
            public_url: flow.public_url(),
            action: &flow.url("/password-reset"),
            back: &flow.back(),
            csrf,
            request_id: &flow.pending.id,
            identifier,
            error,
        }
        .render()
    })
}

fn confirm_page<'a>(
    flow: &'a SignIn,
    challenge: &'a str,
    identifier: &'a str,
) -> FormPage<'a, impl FormView + 'a> {
    flow.form(move |csrf, error| {
        ResetConfirmPage {
            public_url: flow.public_url(),
            action: &flow.url("/password-reset/confirm"),
            back: &flow.back(),
            csrf,
            request_id: &flow.pending.id,
            challenge,
            identifier,
            error,
        }
        .render()
    })
}
