//! `/invitations/{token}`: the activation page an invitation links to. The invited user sets a password (when the
//! pool uses passwords) or creates a passkey (when it offers them: `/invitations/{token}/passkey/options` and
//! `/invitations/{token}/passkey`), and so verifies the identifier the invitation went to; the account becomes
//! active.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::passkey::{forged, options_error, options_response, refusal};
use super::texts;
use super::views::{ActivatePage, PasskeyUrls};
use crate::authn::passkey::{PasskeyError, activate};
use crate::identity::Error;
use crate::identity::invitation::{self, Opened};
use crate::oidc::error::OAuthError;
use crate::state::AppState;
use crate::web::csrf::{self, Csrf, CsrfRejected};
use crate::web::html;
use crate::web::methods;

crate::csrf_protected!(ActivateForm, PasskeyForm);

/// Mounted at the root: an invitation belongs to a pool, not to a workspace.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/invitations/{token}")
            .route(methods::get().to(show_invitation))
            .route(web::post().to(accept_invitation)),
    )
    .service(
        super::resource("/invitations/{token}/passkey/options")
            .route(web::post().to(activation_options)),
    )
    .service(
        super::resource("/invitations/{token}/passkey")
            .route(web::post().to(accept_invitation_with_passkey)),
    );
}

#[derive(Debug, Deserialize)]
struct ActivateForm {
    #[serde(default)]
    csrf_token: String,
    new_password: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

/// An invitation opened by its link, and the browser's request to answer.
struct Activation {
    app: Data<AppState>,
    token: String,
    opened: Opened,
    req: HttpRequest,
}

impl Activation {
    /// The pending invitation the link's token opens; [`PageError::InvitationUnusable`] when there is none.
    async fn open(
        req: HttpRequest,
        app: Data<AppState>,
        token: Path<String>,
    ) -> Result<Self, PageError> {
        let (token, now) = (token.into_inner(), app.clock.now());
        let lookup = token.clone();
        let opened = app
            .db
            .run(move |c| invitation::open(c, &lookup, now))
            .await?;
        let opened = opened.ok_or(PageError::InvitationUnusable)?;
        Ok(Activation {
            app,
            token,
            opened,
            req,
        })
    }

    fn page(&self, error: Option<&str>, status: StatusCode) -> HttpResponse {
        let (app, opened) = (&self.app, &self.opened);
        let public_url = app.config.public_url();
        let (csrf, set_cookie) = csrf::token(&self.req);
        let action = format!("{public_url}/invitations/{}", self.token);
        let policy = &opened.pool.password_policy;
        let identifier = opened.user.email.as_ref().or(opened.user.mobile.as_ref());
        let passkey = activate::is_offered(app, opened).then(|| PasskeyUrls {
            options: format!("{action}/passkey/options"),
            finish: format!("{action}/passkey"),
        });
        let view = ActivatePage {
            public_url,
            action: &action,
            csrf: &csrf,
            identifier: identifier.map_or("", String::as_str),
            needs_password: opened.pool.uses_passwords(),
            offers_plain: !invitation::needs_passkey(app, &opened.pool),
            passkey,
            min_length: policy.min_length,
            max_length: policy.max_length,
            rules: &policy.describe(),
            error,
        };
        html::render_form(status, &view, set_cookie)
    }
}

async fn show_invitation(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
) -> Result<HttpResponse, PageError> {
    let activation = Activation::open(req, app, token).await?;
    Ok(activation.page(None, StatusCode::OK))
}

async fn accept_invitation(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    Csrf(f): Csrf<ActivateForm>,
) -> Result<HttpResponse, PageError> {
    let origin = crate::web::audit_origin::of(&req);
    let activation = Activation::open(req, app, token).await?;
    let password = f.new_password.map(crate::secret::Secret::new);
    match invitation::accept(&activation.app, &origin, &activation.token, password).await {
        Ok(()) => Ok(ready(&activation.app)),
        Err(Error::Invalid { message, .. }) => {
            let message = format!("The password {message}.");
            Ok(activation.page(Some(&message), StatusCode::OK))
        }
        Err(Error::NotFound(_)) => Err(PageError::InvitationUnusable),
        Err(Error::Conflict(_)) => {
            let message = Some(texts::INVITATION_NEEDS_PASSKEY);
            Ok(activation.page(message, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}

async fn activation_options(
    app: Data<AppState>,
    token: Path<String>,
    form: Result<Csrf<PasskeyForm>, CsrfRejected<PasskeyForm>>,
) -> Result<HttpResponse, OAuthError> {
    form.map_err(forged)?;
    match activate::begin(&app, &token).await {
        Err(PasskeyError::NotFound) => {
            Err(options_error(StatusCode::GONE, texts::INVITATION_UNUSABLE))
        }
        begun => options_response(begun),
    }
}

async fn accept_invitation_with_passkey(
    req: HttpRequest,
    app: Data<AppState>,
    token: Path<String>,
    Csrf(f): Csrf<PasskeyForm>,
) -> Result<HttpResponse, PageError> {
    let activation = Activation::open(req, app, token).await?;
    let (app, token) = (&activation.app, &activation.token);
    match activate::finish(app, token, &f.ceremony, &f.credential).await {
        Ok(()) => Ok(ready(app)),
        Err(PasskeyError::NotFound) => Err(PageError::InvitationUnusable),
        Err(e) => match refusal(&e) {
            Some((message, status)) => Ok(activation.page(Some(message), status)),
            None => Err(e.into()),
        },
    }
}

fn ready(app: &AppState) -> HttpResponse {
    let public_url = app.config.public_url();
    html::message(
        public_url,
        StatusCode::OK,
        texts::ACCOUNT_READY_TITLE,
        texts::ACCOUNT_READY,
    )
}
