//! `/account`: the signed-in user's page at a workspace, listing their passkeys (rename, remove, add) and the
//! applications they consented to ("Apps with access", **Remove access**). It needs the workspace's SSO
//! session; adding a passkey runs through `enrolment`.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::texts;
use super::views::{AccountPage, AppItem, PasskeyItem};
use crate::authn::passkey::{self, PasskeyError};
use crate::authn::session::Session;
use crate::identity::consent;
use crate::oidc::Op;
use crate::oidc::authorize::live_session;
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf::{self, Csrf};
use crate::web::html;
use crate::web::methods;

crate::csrf_protected!(PasskeyForm, RemoveAccessForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/account").route(methods::get().to(show_account)))
        .service(
            super::resource("/account/passkeys/{passkey}/rename")
                .route(web::post().to(rename_passkey)),
        )
        .service(
            super::resource("/account/passkeys/{passkey}/remove")
                .route(web::post().to(remove_passkey)),
        )
        .service(
            super::resource("/account/apps/{client}/remove").route(web::post().to(remove_access)),
        );
}

#[derive(Deserialize)]
struct AccountQuery {
    added: Option<String>,
    removed: Option<String>,
    renamed: Option<String>,
    access_removed: Option<String>,
}

#[derive(Deserialize)]
struct AppPath {
    client: String,
}

#[derive(Debug, Deserialize)]
struct RemoveAccessForm {
    #[serde(default)]
    csrf_token: String,
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
        let apps = self.apps().await?;
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
            apps,
        };
        Ok(html::render_form(status, &view, set_cookie))
    }

    /// "Apps with access": the user's consents to this workspace's clients.
    async fn apps(&self) -> Result<Vec<AppItem>, PageError> {
        let p = &self.op;
        let (t, w, u) = (
            p.tenant.clone(),
            p.workspace.clone(),
            self.session.user.id.clone(),
        );
        let consents = self
            .app
            .db
            .run(move |c| consent::at_workspace(c, &u, &t, &w))
            .await
            .map_err(TokenError::from)?;
        Ok(consents
            .into_iter()
            .map(|c| AppItem {
                remove: format!("{}/account/apps/{}/remove", p.issuer, c.client_id),
                scopes: c
                    .scopes
                    .iter()
                    .map(|s| texts::scope_on_consent(s).unwrap_or(s.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                since: html::day(c.created_at),
                client_name: c.client_name,
            })
            .collect())
    }
}

async fn show_account(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    q: Query<AccountQuery>,
) -> Result<HttpResponse, PageError> {
    let account = Account::load(req, app, op).await?;
    let notice = match (&q.added, &q.removed, &q.renamed, &q.access_removed) {
        (Some(_), _, _, _) => Some(texts::PASSKEY_ADDED),
        (_, Some(_), _, _) => Some(texts::PASSKEY_REMOVED),
        (_, _, Some(_), _) => Some(texts::PASSKEY_RENAMED),
        (_, _, _, Some(_)) => Some(texts::ACCESS_REMOVED),
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

/// **Remove access**: the consent to a client of this workspace is withdrawn and the user's grants to it
/// revoked (its refresh tokens stop working).
async fn remove_access(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    path: Path<AppPath>,
    Csrf(_): Csrf<RemoveAccessForm>,
) -> Result<HttpResponse, PageError> {
    let account = Account::load(req, app, op).await?;
    let p = &account.op;
    let (t, w, u, client, now) = (
        p.tenant.clone(),
        p.workspace.clone(),
        account.session.user.id.clone(),
        path.client.clone(),
        account.app.clock.now(),
    );
    let removed = account
        .app
        .db
        .transaction(move |c| {
            let here = consent::at_workspace(c, &u, &t, &w)?;
            if !here.iter().any(|consent| consent.client_id == client) {
                return Ok(false);
            }
            consent::withdraw(c, &u, &client, now)
        })
        .await
        .map_err(TokenError::from)?;
    if !removed {
        let message = texts::APP_MISSING;
        return account
            .page(None, Some(message), StatusCode::NOT_FOUND)
            .await;
    }
    let location = format!("{}/account?access_removed=1", p.issuer);
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish())
}
