//! `/login`: the hosted sign-in page. It finishes a stored authorization request: identifier and password are
//! checked against the workspace's connected pools, a session starts, and the code goes to the client. The
//! buttons for a verification code hand over to `code`.

use actix_web::http::StatusCode;
use actix_web::web::{self, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::flow::SignIn;
use super::texts;
use crate::authn::code::Channel;
use crate::authn::login::{self, LoginError, PasswordAttempt};
use crate::oidc::Op;
use crate::web::client_addr::ClientAddr;
use crate::web::csrf::{Csrf, CsrfRejected};
use crate::web::methods;

crate::csrf_protected!(LoginForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/login")
            .route(methods::get().to(show_login))
            .route(web::post().to(submit_login)),
    );
}

/// `?request=`: the pending authorization request a page belongs to.
#[derive(Deserialize)]
pub(super) struct RequestQuery {
    #[serde(default)]
    pub request: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    /// Which button: `password` (default), `email_code` or `text_code`.
    #[serde(default)]
    action: String,
}

async fn show_login(
    req: HttpRequest,
    op: Op,
    q: Query<RequestQuery>,
) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(&req, op, &q.request).await?;
    Ok(flow.login_form("").render())
}

async fn submit_login(
    req: HttpRequest,
    op: Op,
    client: ClientAddr,
    form: Result<Csrf<LoginForm>, CsrfRejected<LoginForm>>,
) -> Result<HttpResponse, PageError> {
    let (f, forged) = match form {
        Ok(Csrf(f)) => (f, false),
        Err(CsrfRejected(Some(f))) => (f, true),
        Err(unreadable) => return Err(PageError::from(unreadable)),
    };
    let flow = SignIn::load(&req, op, &f.request).await?;
    let again = |message| flow.login_form(&f.identifier).error(message);
    if forged {
        return Ok(again(texts::FORM_EXPIRED)
            .status(StatusCode::BAD_REQUEST)
            .render());
    }
    let channel = match f.action.as_str() {
        "email_code" if flow.pending.offers_otp => Channel::Email,
        "text_code" if flow.pending.offers_otp => Channel::Sms,
        "" | "password" if flow.pending.offers_password => {
            let origin = crate::web::audit_origin::of(&req);
            return with_password(&flow, &f, client, &origin).await;
        }
        _ => {
            let refused = again(texts::CHOOSE_OFFERED_METHOD);
            return Ok(refused.status(StatusCode::BAD_REQUEST).render());
        }
    };
    super::code::send_code(&flow, &f.identifier, channel).await
}

async fn with_password(
    flow: &SignIn,
    f: &LoginForm,
    client: ClientAddr,
    origin: &crate::audit::Origin,
) -> Result<HttpResponse, PageError> {
    let p = &flow.op;
    let attempt = PasswordAttempt {
        tenant: &p.tenant,
        workspace: &p.workspace,
        identifier: &f.identifier,
        password: &f.password,
        client: client.0,
        origin,
    };
    let signed = login::with_password(&flow.app, &attempt);
    let (message, status) = match signed.await {
        Ok(success) => {
            let user = success.user.id.clone();
            return flow
                .signed_in_with(&user, vec!["pwd".into()], Some(success))
                .await;
        }
        Err(LoginError::Failed) => (texts::WRONG_CREDENTIALS, StatusCode::OK),
        Err(LoginError::Locked) => (texts::LOCKED, StatusCode::OK),
        Err(LoginError::Overloaded) => (texts::BUSY, StatusCode::SERVICE_UNAVAILABLE),
        Err(e) => return Err(e.into()),
    };
    Ok(flow
        .login_form(&f.identifier)
        .error(message)
        .status(status)
        .render())
}
