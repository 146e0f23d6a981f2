//! Admin actions on a user's credentials and identifiers: force a password reset, and send a link that
//! verifies an email address or mobile number (confirmed on a hosted page). Marking an identifier verified
//! directly is a PATCH of the user.

use crate::identity::invitation::recipient;
use crate::identity::{Error, Result};
use crate::notify::Recipient;
use crate::state::AppState;
use crate::store::codes::{self, CodeRow};
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, grants};

/// How long a verification link works.
const LINK_TTL: i64 = 24 * 3600;
const PURPOSE: &str = "verify_identifier";

/// Which identifier to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    Email,
    Mobile,
}

/// Removes the user's password, ends every session and grant, and tells the user to choose a new password with
/// "Forgot password?". If the message cannot be sent, nothing changes.
pub async fn force_password_reset(
    app: &AppState,
    ctx: &crate::audit::Context,
    tenant: &str,
    pool: &str,
    user: &str,
) -> Result<()> {
    let (t, p, u) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    let row = app
        .db
        .run(move |c| {
            let pool = crate::identity::pool::require(c, &t, &p)?;
            if !pool.uses_passwords() {
                return Err(Error::Conflict("the pool does not use passwords".into()));
            }
            crate::identity::user::require(c, &t, &p, &u)
        })
        .await?;
    let to =
        recipient(&row).ok_or_else(|| Error::Conflict("the user has no email or mobile".into()))?;
    let message = crate::messages::password_reset_notice(to).map_err(Error::MessageNotSent)?;
    app.notifier
        .send(tenant, &message)
        .await
        .map_err(Error::MessageNotSent)?;
    let (now, ctx, t) = (app.clock.now(), ctx.clone(), tenant.to_owned());
    app.db
        .transaction(move |c| {
            let mut user = row;
            user.password_hash = None;
            user.updated_at = now;
            users::update(c, &user)?;
            super::session::end_all_for_user(c, &user.id, now)?;
            grants::revoke_user_grants(c, &user.id, now)?;
            let event = super::reset::password_changed(&user, "reset_forced_by_admin");
            crate::audit::record(c, &t, &ctx, now, event)?;
            Ok::<(), Error>(())
        })
        .await?;
    // Logout tokens for the sessions that ended were queued in the transaction.
    app.notifier.wake();
    Ok(())
}

/// Sends a link to `which` identifier of the user; opening it and confirming marks the identifier verified.
pub async fn send_link(
    app: &AppState,
    tenant: &str,
    pool: &str,
    user: &str,
    which: Which,
) -> Result<()> {
    let (t, p, u) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    let row = app
        .db
        .run(move |c| crate::identity::user::require(c, &t, &p, &u))
        .await?;
    let (address, to, what) = match which {
        Which::Email => (
            row.email.clone(),
            row.email.clone().map(Recipient::Email),
            "email address",
        ),
        Which::Mobile => (
            row.mobile.clone(),
            row.mobile.clone().map(Recipient::Mobile),
            "mobile number",
        ),
    };
    let (Some(address), Some(to)) = (address, to) else {
        return Err(Error::invalid(
            "identifier",
            format!("the user has no {what}"),
        ));
    };
    let token = crate::secret::generate();
    let now = app.clock.now();
    let code = CodeRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        workspace_id: String::new(),
        user_id: Some(row.id.clone()),
        identifier: address,
        purpose: PURPOSE.to_owned(),
        code_hash: crate::secret::hash(&token),
        attempts: 0,
        max_attempts: 1,
        created_at: now,
        expires_at: now + LINK_TTL,
        used_at: None,
    };
    let id = code.id.clone();
    app.db
        .run(move |c| codes::insert(c, &code).map_err(Error::from))
        .await?;
    let link = format!("{}/verifications/{token}", app.config.public_url());
    let sent = match crate::messages::verification(to, what, &link) {
        Ok(message) => app.notifier.send(tenant, &message).await,
        Err(e) => Err(e),
    };
    if let Err(cause) = sent {
        app.db
            .run(move |c| codes::delete(c, &id).map_err(Error::from))
            .await?;
        return Err(Error::MessageNotSent(cause));
    }
    Ok(())
}

/// The user and the identifier a verification link confirms, while the link is usable.
pub fn open(conn: &mut DbConn, token: &str, now: i64) -> Result<Option<(CodeRow, UserRow)>> {
    let Some(row) = codes::find_by_hash(conn, &crate::secret::hash(token))? else {
        return Ok(None);
    };
    if row.purpose != PURPOSE || row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    let Some(user_id) = row.user_id.clone() else {
        return Ok(None);
    };
    Ok(users::find_by_id(conn, &user_id)?.map(|user| (row, user)))
}

/// Confirms a link: marks its identifier verified if it is still the user's. `false` when the link is unusable.
pub async fn confirm(app: &AppState, token: &str) -> Result<bool> {
    let (token, now) = (token.to_owned(), app.clock.now());
    app.db
        .transaction(move |c| {
            let Some((row, mut user)) = open(c, &token, now)? else {
                return Ok(false);
            };
            if !codes::use_code(c, &row.id, now)? {
                return Ok(false);
            }
            if user.email.as_deref() == Some(row.identifier.as_str()) {
                user.email_verified = true;
            } else if user.mobile.as_deref() == Some(row.identifier.as_str()) {
                user.mobile_verified = true;
            } else {
                return Ok(false);
            }
            user.updated_at = now;
            users::update(c, &user)?;
            Ok(true)
        })
        .await
}
