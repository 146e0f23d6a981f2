//! `/account`: the signed-in user's page at a workspace, listing their passkeys (rename, remove, add).
//! It needs the workspace's SSO session; adding runs through `enrolment`.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Form, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::FORM_EXPIRED;
use super::views::{AccountPage, PasskeyItem};
use crate::authn::passkey::{self, PasskeyError};
use crate::authn::session::Session;
use crate::oidc::Op;
use crate::oidc::authorize::{failure_page, live_session};
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(show_account))
        .route(
            "/account/passkeys/{passkey}/rename",
            web::post().to(rename_passkey),
        )
        .route(
            "/account/passkeys/{passkey}/remove",
            web::post().to(remove_passkey),
        );
}

#[derive(Deserialize)]
struct AccountQuery {
    added: Option<String>,
    removed: Option<String>,
    renamed: Option<String>,
}

#[derive(Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
}

async fn show_account(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<AccountQuery>,
) -> HttpResponse {
    let session = match signed_in(&req, &app, &p).await {
        Ok(session) => session,
        Err(page) => return page,
    };
    let notice = if q.added.is_some() {
        Some("Passkey added.")
    } else if q.removed.is_some() {
        Some("Passkey removed.")
    } else if q.renamed.is_some() {
        Some("Passkey renamed.")
    } else {
        None
    };
    page(&req, &app, &p, &session, notice, None, StatusCode::OK).await
}

async fn rename_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    id: Path<(String, String, String)>,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    let ((_, _, id), f) = (id.into_inner(), f.into_inner());
    let app2 = app.clone();
    change(
        &req,
        &app,
        &p,
        &f.csrf_token,
        "renamed",
        |user| async move { passkey::rename_own(&app2, &user, &id, &f.name).await },
    )
    .await
}

async fn remove_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    id: Path<(String, String, String)>,
    f: Form<PasskeyForm>,
) -> HttpResponse {
    let (_, _, id) = id.into_inner();
    let app2 = app.clone();
    change(
        &req,
        &app,
        &p,
        &f.csrf_token,
        "removed",
        |user| async move { passkey::remove_own(&app2, &user, &id).await },
    )
    .await
}

/// Applies a change to the signed-in user's passkeys, then shows the account page again (303, so a reload does
/// not repeat it); a refused change shows the page with the reason.
async fn change<F>(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    csrf_token: &str,
    done: &'static str,
    apply: impl FnOnce(String) -> F,
) -> HttpResponse
where
    F: Future<Output = Result<(), PasskeyError>>,
{
    let session = match signed_in(req, app, p).await {
        Ok(session) => session,
        Err(page) => return page,
    };
    if !csrf::is_valid(req, csrf_token) {
        return page(
            req,
            app,
            p,
            &session,
            None,
            Some(FORM_EXPIRED),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    match apply(session.user.id.clone()).await {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("{}/account?{done}=1", p.issuer)))
            .finish(),
        Err(PasskeyError::Invalid(message)) => {
            let message = format!("The name is not valid: {message}.");
            page(
                req,
                app,
                p,
                &session,
                None,
                Some(&message),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(PasskeyError::NotFound) => {
            let message = "That passkey does not exist (any more).";
            page(
                req,
                app,
                p,
                &session,
                None,
                Some(message),
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => failure_page(app, TokenError::Internal(e.to_string())),
    }
}

/// The live session, or the page saying the visitor is not signed in here.
async fn signed_in(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
) -> Result<Session, HttpResponse> {
    match live_session(req, app, p).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(super::message(
            app.config.public_url(),
            StatusCode::UNAUTHORIZED,
            "Not signed in",
            "You are not signed in here. Sign in through one of the applications of this site, then come back to this page.",
        )),
        Err(e) => Err(failure_page(app, e)),
    }
}

async fn page(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    session: &Session,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let (keys, pool_offers) = match passkey::overview(app, &session.user).await {
        Ok(listed) => listed,
        Err(e) => return failure_page(app, TokenError::from(e)),
    };
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let passkeys = keys
        .into_iter()
        .map(|k| PasskeyItem {
            rename: format!("{}/account/passkeys/{}/rename", p.issuer, k.id),
            remove: format!("{}/account/passkeys/{}/remove", p.issuer, k.id),
            created: day(k.created_at),
            last_used: k.last_used_at.map(day),
            id: k.id,
            name: k.name,
        })
        .collect();
    let identifier = session
        .user
        .email
        .clone()
        .or_else(|| session.user.mobile.clone())
        .unwrap_or_default();
    let view = AccountPage {
        public_url,
        csrf: &csrf,
        identifier: &identifier,
        passkeys,
        offers_passkey: pool_offers && app.passkeys.is_some(),
        options: &format!("{}/account/passkeys/options", p.issuer),
        finish: &format!("{}/account/passkeys", p.issuer),
        sign_out: &format!("{}/oauth2/logout", p.issuer),
        notice,
        error,
    };
    super::render_form(status, &view, set_cookie)
}

/// A timestamp as the day it fell on (UTC), e.g. `2026-11-27`.
fn day(timestamp: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(timestamp)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}
