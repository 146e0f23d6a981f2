//! How a user signs in, changed from their page: **Remove** a passkey (a lost or stolen authenticator),
//! **Revoke invitation**, **Force password reset** (the password goes, sessions end, the user is told to choose a
//! new one) and **Send verification link** for their email or mobile. Each is the admin API's domain call.

use actix_web::HttpResponse;
use actix_web::web::{self, Data, Path};
use serde::Deserialize;

use super::error::PortalError;
use super::form::PlainForm;
use super::layout::see_other;
use super::session::Admin;
use super::user::{UserPath, identifier, load};
use crate::authn::passkey::admin as passkeys;
use crate::authn::verification::{self, Which};
use crate::identity::invitation;
use crate::state::AppState;
use crate::web::csrf::Csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let user = "/tenants/{tenant}/pools/{pool}/users/{user}";
    cfg.route(
        &format!("{user}/passkeys/{{passkey}}/remove"),
        web::post().to(remove_passkey),
    )
    .route(
        &format!("{user}/invitation/revoke"),
        web::post().to(revoke_invitation),
    )
    .route(
        &format!("{user}/password-reset"),
        web::post().to(force_password_reset),
    )
    .route(
        &format!("{user}/verification"),
        web::post().to(send_verification),
    );
}

#[derive(Deserialize)]
struct PasskeyPath {
    tenant: String,
    pool: String,
    user: String,
    passkey: String,
}

impl PasskeyPath {
    fn user(&self) -> UserPath {
        UserPath {
            tenant: self.tenant.clone(),
            pool: self.pool.clone(),
            user: self.user.clone(),
        }
    }
}

/// **Remove** one passkey: it no longer signs in; the user keeps their other ways.
async fn remove_passkey(
    app: Data<AppState>,
    admin: Admin,
    path: Path<PasskeyPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (tenant, pool) = (&path.tenant, &path.pool);
    let (_, u) = load(&app, &path.user()).await?;
    passkeys::remove(&app, &admin.1, tenant, pool, &u.id, &path.passkey).await?;
    let done = format!("Removed a passkey of {}.", identifier(&u));
    Ok(see_other(&app, &path.user().page(), &done))
}

/// **Revoke invitation**: its link stops working; the user stays invited until sent a new one.
async fn revoke_invitation(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (_, u) = load(&app, &path).await?;
    invitation::revoke(&app, &admin.1, &path.tenant, &path.pool, &u.id).await?;
    let done = format!("Revoked the invitation of {}.", identifier(&u));
    Ok(see_other(&app, &path.page(), &done))
}

/// **Force password reset**: the password is removed, every session and grant ends, and the user is told to
/// choose a new password with "Forgot password?".
async fn force_password_reset(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (_, u) = load(&app, &path).await?;
    verification::force_password_reset(&app, &admin.1, &path.tenant, &path.pool, &u.id).await?;
    let done = format!(
        "Removed the password of {} and told them to choose a new one.",
        identifier(&u)
    );
    Ok(see_other(&app, &path.page(), &done))
}

#[derive(Deserialize)]
struct VerificationForm {
    csrf_token: String,
    #[serde(default)]
    identifier: String,
}
crate::csrf_protected!(VerificationForm);

/// **Send verification link** to the user's email or mobile; opening it marks that identifier verified.
async fn send_verification(
    app: Data<AppState>,
    _admin: Admin,
    path: Path<UserPath>,
    form: Csrf<VerificationForm>,
) -> Result<HttpResponse, PortalError> {
    let (which, to) = match form.0.identifier.as_str() {
        "email" => (Which::Email, "email address"),
        "mobile" => (Which::Mobile, "mobile number"),
        _ => {
            return Err(PortalError::Invalid(
                "Choose the email address or the mobile number to verify.".into(),
            ));
        }
    };
    let (_, u) = load(&app, &path).await?;
    verification::send_link(&app, &path.tenant, &path.pool, &u.id, which).await?;
    let done = format!("Sent a link to verify the {to} of {}.", identifier(&u));
    Ok(see_other(&app, &path.page(), &done))
}
