//! `/consent`: the consent page (OIDC Core §3.1.2.4). A request waits here after the sign-in when its client
//! requires consent that the user has not given for these scopes yet, or under `prompt=consent`. It names the
//! client (its name as text, its logo and policy links when registered) and what it asks for, and offers
//! **Allow** and **Deny**. Only the browser holding the SSO session of that sign-in may decide: the stored
//! request names the user and session, and any other browser or user gets an error page.

use actix_web::web::{self, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::flow::SignIn;
use super::texts;
use super::views::ConsentPage;
use crate::authn::session::Session;
use crate::oidc::Op;
use crate::oidc::authorize::{CONSENT_PAGE, consent_denied, consent_given, live_session};
use crate::tokens::client_auth::find_client;
use crate::web::csrf::{Csrf, FormRejected};
use crate::web::{html, methods};

crate::csrf_protected!(DecisionForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource(CONSENT_PAGE)
            .route(methods::get().to(show_consent))
            .route(web::post().to(decide)),
    );
}

#[derive(Deserialize)]
struct ConsentQuery {
    #[serde(default)]
    request: String,
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    /// `allow` or `deny`, the button pressed.
    #[serde(default)]
    decision: String,
}

/// The request `id` waiting on consent, and the browser's session, which must be the sign-in's.
async fn load(req: &HttpRequest, op: Op, id: &str) -> Result<(SignIn, Session), PageError> {
    let flow = SignIn::load(req, op, id).await?;
    let Some(who) = flow.pending.request.awaiting_consent.clone() else {
        return Err(PageError::ConsentNotYours);
    };
    let session = live_session(req, &flow.app, &flow.op)
        .await?
        .filter(|s| s.user.id == who.user && s.row.sid == who.sid)
        .ok_or(PageError::ConsentNotYours)?;
    Ok((flow, session))
}

async fn show_consent(
    req: HttpRequest,
    op: Op,
    q: Query<ConsentQuery>,
) -> Result<HttpResponse, PageError> {
    let (flow, session) = load(&req, op, &q.request).await?;
    let request = &flow.pending.request;
    let client = find_client(&flow.app, &flow.op, &request.client_id).await?;
    let metadata = client.as_ref().map(|c| &c.metadata);
    let logo_uri = metadata.and_then(|m| m.logo_uri.as_deref());
    let user = &session.user;
    let scopes = request
        .scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| texts::scope_on_consent(s).map_or_else(|| s.to_owned(), str::to_owned))
        .collect::<Vec<_>>();
    let action = flow.url(CONSENT_PAGE);
    let page = flow.form(|csrf, _| {
        ConsentPage {
            public_url: flow.public_url(),
            action: &action,
            csrf,
            request_id: &flow.pending.id,
            client_name: &flow.pending.client_name,
            logo_uri,
            policy_uri: metadata.and_then(|m| m.policy_uri.as_deref()),
            tos_uri: metadata.and_then(|m| m.tos_uri.as_deref()),
            user: user
                .email
                .as_deref()
                .or(user.mobile.as_deref())
                .unwrap_or_default(),
            scopes,
        }
        .render()
    });
    let res = page.render();
    Ok(html::allow_form_redirect_and_image(
        res,
        &request.redirect_uri,
        logo_uri,
    ))
}

/// **Allow** or **Deny**, decided once by the browser of the sign-in; then back to the client.
async fn decide(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let (flow, _) = load(&req, op, &f.request).await?;
    let (app, p, pending) = (&flow.app, &flow.op, &flow.pending);
    let sent = match f.decision.as_str() {
        "allow" => consent_given(app, p, &pending.id, &pending.request).await?,
        "deny" => consent_denied(app, p, &pending.id, &pending.request).await?,
        _ => return Err(PageError::Form(FormRejected::Unreadable)),
    };
    sent.ok_or(PageError::RequestExpired)
}
