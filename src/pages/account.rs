//! `/account`: the signed-in user's page at a workspace, listing their passkeys (rename, remove, add).
//! It needs the workspace's SSO session; adding runs through `enrolment`.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::texts;
use super::views::{AccountPage, PasskeyItem};
use crate::authn::passkey::{self, PasskeyError};
use crate::authn::session::Session;
use crate::oidc::Op;
use crate::oidc::authorize::live_session;
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf::{self, Csrf};
use crate::web::html;
use crate::web::methods;

crate::csrf_protected!(PasskeyForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/account").route(methods::get().to(show_account)))
        .service(
            super::resource("/account/passkeys/{passkey}/rename")
                .route(web::post().to(rename_passkey)),
        )
        .service(
            super::resource("/account/passkeys/{passkey}/remove")
                .route(web::post().to(remove_passkey)),
        );
}

#[derive(Deserialize)]
struct AccountQuery {
    added: Option<String>,
    removed: Option<String>,
    renamed: Option<String>,
}

#[derive(Deserialize)]
struct PasskeyPath {
    passkey: String,
}

#[derive(Debug, Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
}

/// The signed-in user at this workspace, and the browser's request to answer.
struct Account {
    app: Data<AppState>,
    op: Arc<Provider>,
    session: Session,
    req: HttpRequest,
}

impl Account {
    /// The browser's live session here; [`PageError::NotSignedIn`] without one.
    async fn load(req: HttpRequest, app: Data<AppState>, Op(op): Op) -> Result<Account, PageError> {
        let session = live_session(&req, &app, &op)
            .await?
            .ok_or(PageError::NotSignedIn)?;
        Ok(Account {
            app,
            op,
            session,
            req,
        })
    }

    /// Applies a change to the user's passkeys, then shows the account page again (303, so a reload does not
    /// repeat it); a refused change shows the page with the reason.
    async fn change(
        &self,
        done: &str,
        applied: Result<(), PasskeyError>,
    ) -> Result<HttpResponse, PageError> {
        let (message, status) = match applied {
            Ok(()) => {
                let location = format!("{}/account?{done}=1", self.op.issuer);
                return Ok(HttpResponse::SeeOther()
                    .insert_header((LOCATION, location))
                    .finish());
            }
            Err(PasskeyError::Invalid(message)) => (
                format!("The name is not valid: {message}."),
                StatusCode::BAD_REQUEST,
            ),
            Err(PasskeyError::NotFound) => {
                (texts::PASSKEY_MISSING.to_owned(), StatusCode::NOT_FOUND)
            }
            Err(e) => return Err(e.into()),
        };
        self.page(None, Some(&message), status).await
    }

    async fn page(
        &self,
        notice: Option<&str>,
        error: Option<&str>,
        status: StatusCode,
    ) -> Result<HttpResponse, PageError> {
        let (app, p, user) = (&self.app, &self.op, &self.session.user);
        let overview = passkey::overview(app, user).await;
        let (keys, pool_offers) = overview.map_err(TokenError::from)?;
        let passkeys = keys
            .into_iter()
            .map(|k| PasskeyItem {
                rename: format!("{}/account/passkeys/{}/rename", p.issuer, k.id),
                remove: format!("{}/account/passkeys/{}/remove", p.issuer, k.id),
                created: html::day(k.created_at),
                last_used: k.last_used_at.map(html::day),
                id: k.id,
                name: k.name,
            })
            .collect();
        let identifier = user.email.as_ref().or(user.mobile.as_ref());
        let public_url = app.config.public_url();
        let (csrf, set_cookie) = csrf::token(&self.req);
        let view = AccountPage {
            public_url,
            csrf: &csrf,
            identifier: identifier.map_or("", String::as_str),
            passkeys,
            offers_passkey: pool_offers && app.passkeys.is_some(),
            options: &format!("{}/account/passkeys/options", p.issuer),
            finish: &format!("{}/account/passkeys", p.issuer),
            sign_out: &format!("{}/oauth2/logout", p.issuer),
            notice,
            error,
        };
        Ok(html::render_form(status, &view, set_cookie))
    }
}

async fn show_account(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    q: Query<AccountQuery>,
) -> Result<HttpResponse, PageError> {
    let account = Account::load(req, app, op).await?;
    let notice = match (&q.added, &q.removed, &q.renamed) {
        (Some(_), _, _) => Some(texts::PASSKEY_ADDED),
        (_, Some(_), _) => Some(texts::PASSKEY_REMOVED),
        (_, _, Some(_)) => Some(texts::PASSKEY_RENAMED),
        _ => None,
    };
    account.page(notice, None, StatusCode::OK).await
}

async fn rename_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    path: Path<PasskeyPath>,
    Csrf(f): Csrf<PasskeyForm>,
) -> Result<HttpResponse, PageError> {
    let account = Account::load(req, app, op).await?;
    let user = &account.session.user.id;
    let renamed = passkey::rename_own(&account.app, user, &path.passkey, &f.name).await;
    account.change("renamed", renamed).await
}

async fn remove_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    path: Path<PasskeyPath>,
    Csrf(_): Csrf<PasskeyForm>,
) -> Result<HttpResponse, PageError> {
    let account = Account::load(req, app, op).await?;
    let user = &account.session.user.id;
    let removed = passkey::remove_own(&account.app, user, &path.passkey).await;
    account.change("removed", removed).await
}
