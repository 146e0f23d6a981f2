//! Sign-in with a verification code: "Email me a code" / "Text me a code" on the sign-in page send one, and
//! `/login/code` checks it and completes the authorization (`amr: otp`). Also how the sign-in and reset pages
//! issue a code.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::flow::SignIn;
use super::texts;
use crate::authn::code::{self, Channel, CodeError, Purpose};
use crate::oidc::Op;
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::csrf::Csrf;

crate::csrf_protected!(CodeForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/login/code").route(web::post().to(submit_code)));
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    code: String,
}

/// Starts a challenge for `purpose` and queues its code (when the identifier names someone who can receive one);
/// returns the challenge id, or `None` when the identifier was sent a code too recently. The answer is the same
/// whether or not a code went out and whether or not delivery works: the user can ask again if none arrives.
pub(super) async fn issue_code(
    app: &AppState,
    p: &Provider,
    identifier: &str,
    channel: Channel,
    purpose: Purpose,
) -> Result<Option<String>, PageError> {
    let ask = code::CodeRequest {
        tenant: &p.tenant,
        workspace: &p.workspace,
        identifier,
        channel,
        purpose,
    };
    match code::send(&app.db, &app.notifier, app.clock.now(), &ask).await {
        Ok(challenge) => Ok(Some(challenge)),
        Err(CodeError::Throttled) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Sends a sign-in code and shows the code form (or the login form saying to wait before asking again).
pub(super) async fn send_code(
    flow: &SignIn,
    identifier: &str,
    channel: Channel,
) -> Result<HttpResponse, PageError> {
    let issued = issue_code(&flow.app, &flow.op, identifier, channel, Purpose::SignIn).await?;
    Ok(match issued {
        Some(challenge) => flow
            .code_page("/login/code", &challenge, identifier)
            .render(),
        None => flow
            .login_form(identifier)
            .error(texts::CODE_THROTTLED)
            .status(StatusCode::TOO_MANY_REQUESTS)
            .render(),
    })
}

async fn submit_code(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(&req, op, &f.request).await?;
    let origin = crate::web::audit_origin::of(&req);
    match flow.verify_code(origin, &f.challenge, &f.code).await {
        Ok(user) => flow.signed_in(&user, vec!["otp".into()]).await,
        Err(CodeError::Wrong) => {
            let page = flow.code_page("/login/code", &f.challenge, &f.identifier);
            Ok(page.error(texts::CODE_WRONG).render())
        }
        Err(CodeError::Expired | CodeError::TooManyAttempts | CodeError::Throttled) => Ok(flow
            .login_form(&f.identifier)
            .error(texts::CODE_SPENT)
            .render()),
        Err(e) => Err(e.into()),
    }
}
