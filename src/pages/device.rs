//! `/device`: the user page of the device authorization grant (RFC 8628 §3.3). The user types the code their
//! device shows (**Continue**), signs in with the workspace's usual sign-in (a pending request that leads back
//! here instead of to a client), then sees which application asks for what and chooses **Allow** or **Deny**;
//! the device's polling then gets its tokens or `access_denied`.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::texts;
use super::views::{DeviceApprovePage, DevicePage};
use crate::authn::session::Session;
use crate::authn::{pending, user_code_limits};
use crate::oidc::Op;
use crate::oidc::authorize::{device_approval, live_session};
use crate::state::AppState;
use crate::tokens::client_auth::find_client;
use crate::tokens::device::{self, Approval, Waiting};
use crate::tokens::{Provider, TokenError};
use crate::web::client_addr::ClientAddr;
use crate::web::csrf::{self, Csrf, CsrfRejected};
use crate::web::{html, methods};

crate::csrf_protected!(CodeForm, DecisionForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/device")
            .route(methods::get().to(show_entry))
            .route(web::post().to(submit_code)),
    )
    .service(
        super::resource("/device/approve")
            .route(methods::get().to(show_approval))
            .route(web::post().to(decide)),
    );
}

/// `?user_code=`: `verification_uri_complete` fills the field in.
#[derive(Deserialize)]
struct EntryQuery {
    #[serde(default)]
    user_code: String,
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    user_code: String,
}

#[derive(Deserialize)]
struct ApprovalQuery {
    #[serde(default)]
    device: String,
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    device: String,
    /// `allow` or `deny`, the button pressed.
    #[serde(default)]
    decision: String,
}

async fn show_entry(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<EntryQuery>,
) -> HttpResponse {
    let typed = device::displayed_user_code(&q.user_code);
    entry_page(&req, &app, &p, &typed, None, StatusCode::OK)
}

fn entry_page(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    user_code: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let (csrf, cookie) = csrf::token(req);
    let action = format!("{}/device", p.issuer);
    let page = DevicePage {
        public_url: app.config.public_url(),
        action: &action,
        csrf: &csrf,
        user_code,
        error,
    };
    html::render_form(status, &page, cookie)
}

/// The code was typed: within the limits, a live code leads to the approval step (at once with a session here,
/// else through the sign-in); a wrong one says so, whatever made it wrong.
async fn submit_code(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    client: ClientAddr,
    form: Result<Csrf<CodeForm>, CsrfRejected<CodeForm>>,
) -> Result<HttpResponse, PageError> {
    let Csrf(f) = form?;
    let (provider, typed, now) = (p.clone(), f.user_code.clone(), app.clock.now());
    let found = app
        .db
        .run(move |c| {
            let (t, w) = (&provider.tenant, &provider.workspace);
            if !user_code_limits::admit(c, t, w, client.0, now)? {
                return Ok::<_, TokenError>(Entry::Limited);
            }
            match device::find_by_user_code(c, &provider, &typed, now)? {
                Some(waiting) => Ok(Entry::Found(waiting)),
                None => {
                    user_code_limits::record_wrong(c, t, w, now)?;
                    Ok(Entry::Wrong)
                }
            }
        })
        .await?;
    let shown = device::displayed_user_code(&f.user_code);
    let waiting = match found {
        Entry::Found(waiting) => waiting,
        Entry::Wrong => {
            let message = Some(texts::DEVICE_CODE_WRONG);
            return Ok(entry_page(
                &req,
                &app,
                &p,
                &shown,
                message,
                StatusCode::BAD_REQUEST,
            ));
        }
        Entry::Limited => {
            let (message, status) = (
                Some(texts::DEVICE_CODE_LIMITED),
                StatusCode::TOO_MANY_REQUESTS,
            );
            return Ok(entry_page(&req, &app, &p, &shown, message, status));
        }
    };
    if live_session(&req, &app, &p).await?.is_some() {
        return Ok(see_other(&device_approval(&p, &waiting.id)));
    }
    let return_to = format!("{}/device", p.issuer);
    let request = device::sign_in_request(&waiting, &return_to);
    let (t, w) = (p.tenant.clone(), p.workspace.clone());
    let id = app
        .db
        .run(move |c| pending::save(c, &t, &w, &request, now))
        .await
        .map_err(TokenError::from)?;
    Ok(see_other(&format!("{}/login?request={id}", p.issuer)))
}

/// What the typed code turned out to be.
enum Entry {
    Found(Waiting),
    Wrong,
    Limited,
}

/// The approval step: the signed-in user sees the application and what it asks for.
async fn show_approval(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<ApprovalQuery>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &app, &p).await?;
    let waiting = find_waiting(&app, &p, &q.device).await?;
    let client_name = find_client(&app, &p, &waiting.client_id)
        .await?
        .map(|c| c.metadata.client_name.clone())
        .unwrap_or_default();
    let (csrf, cookie) = csrf::token(&req);
    let action = format!("{}/device/approve", p.issuer);
    let user = &session.user;
    let page = DeviceApprovePage {
        public_url: app.config.public_url(),
        action: &action,
        csrf: &csrf,
        device: &waiting.id,
        client_name: &client_name,
        user: user
            .email
            .as_deref()
            .or(user.mobile.as_deref())
            .unwrap_or_default(),
        scopes: waiting
            .scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| texts::scope_in_words(s).map_or_else(|| s.to_owned(), str::to_owned))
            .collect(),
    };
    Ok(html::with_cookie(
        html::rendered(StatusCode::OK, page.render()),
        cookie,
    ))
}

/// **Allow** or **Deny**: decided once, by the signed-in user; then the page that sends them back to the device.
async fn decide(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    form: Result<Csrf<DecisionForm>, CsrfRejected<DecisionForm>>,
) -> Result<HttpResponse, PageError> {
    let Csrf(f) = form?;
    let session = signed_in(&req, &app, &p).await?;
    let allow = match f.decision.as_str() {
        "allow" => true,
        "deny" => false,
        _ => return Err(PageError::Form(csrf::FormRejected::Unreadable)),
    };
    let who = Approval {
        user: session.user.id.clone(),
        auth_time: session.row.auth_time,
        amr: session.amr(),
        sid: session.row.sid.clone(),
    };
    let (provider, id, now) = (p.clone(), f.device.clone(), app.clock.now());
    let decided = app
        .db
        .run(move |c| {
            if allow {
                device::approve(c, &provider, &id, who, now)
            } else {
                device::deny(c, &provider, &id, now)
            }
        })
        .await?;
    if !decided {
        return Err(PageError::DeviceUnusable);
    }
    let (title, message) = if allow {
        (texts::DEVICE_APPROVED_TITLE, texts::DEVICE_APPROVED)
    } else {
        (texts::DEVICE_DENIED_TITLE, texts::DEVICE_DENIED)
    };
    Ok(html::message(
        app.config.public_url(),
        StatusCode::OK,
        title,
        message,
    ))
}

/// The browser's live session here: the approval step is only for a signed-in user.
async fn signed_in(req: &HttpRequest, app: &AppState, p: &Provider) -> Result<Session, PageError> {
    live_session(req, app, p)
        .await?
        .ok_or(PageError::NotSignedIn)
}

async fn find_waiting(
    app: &AppState,
    p: &std::sync::Arc<Provider>,
    id: &str,
) -> Result<Waiting, PageError> {
    let (provider, id, now) = (p.clone(), id.to_owned(), app.clock.now());
    app.db
        .run(move |c| device::find_waiting(c, &provider, &id, now))
        .await?
        .ok_or(PageError::DeviceUnusable)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}
