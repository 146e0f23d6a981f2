//! Invitations: a single-use activation token (stored hashed) with an expiry, the message that carries it
//! (its texts are the `invite` templates, rendered by `crate::messages`), the admin's view of it (status,
//! resend, revoke) and its acceptance on the hosted activation page.

use serde::Serialize;

use super::error::{Error, Result};
use super::pool::{self, Mechanism, Pool};
use super::user::Status;
use crate::audit::{self, Actor, Event, EventType, SubjectType};
use crate::messages;
use crate::notify::{Message, NotifyError, Recipient};
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::invitations::{self, InvitationRow};
use crate::store::users::{self, UserRow};

/// How long an invitation link stays valid.
pub const LIFETIME_SECONDS: i64 = 7 * 24 * 3600;

/// Where an invitation stands. Not stored: it follows from the row's timestamps and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    /// Neither accepted nor revoked, and not yet expired: its link works.
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    /// Whether the invitation's link can still be used (or revoked).
    pub fn is_pending(self) -> bool {
        self == InvitationStatus::Pending
    }
}

/// An invitation as the admin sees it (never the token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: String,
    pub user_id: String,
    pub status: InvitationStatus,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The status of a stored invitation at `now`. Acceptance wins over revocation: an accepted invitation was used.
fn status(row: &InvitationRow, now: i64) -> InvitationStatus {
    match (row.accepted_at, row.revoked_at) {
        (Some(_), _) => InvitationStatus::Accepted,
        (None, Some(_)) => InvitationStatus::Revoked,
        (None, None) if row.expires_at <= now => InvitationStatus::Expired,
        (None, None) => InvitationStatus::Pending,
    }
}

fn view(row: InvitationRow, now: i64) -> Invitation {
    Invitation {
        status: status(&row, now),
        id: row.id,
        user_id: row.user_id,
        created_at: row.created_at,
        expires_at: row.expires_at,
        accepted_at: row.accepted_at,
        revoked_at: row.revoked_at,
    }
}

/// Creates an invitation for `user`; returns its id and the token, which exists nowhere else in clear.
pub fn create(conn: &mut DbConn, user: &str, now: i64) -> Result<(String, String)> {
    let token = crate::secret::generate();
    let row = InvitationRow {
        id: crate::secret::new_id(),
        user_id: user.to_owned(),
        token_hash: crate::secret::hash(&token),
        expires_at: now + LIFETIME_SECONDS,
        accepted_at: None,
        revoked_at: None,
        created_at: now,
    };
    invitations::insert(conn, &row)?;
    Ok((row.id, token))
}

/// Where an invitation goes: the email when there is one, else the mobile.
pub fn recipient(user: &UserRow) -> Option<Recipient> {
    match (&user.email, &user.mobile) {
        (Some(e), _) => Some(Recipient::Email(e.clone())),
        (None, Some(m)) => Some(Recipient::Mobile(m.clone())),
        (None, None) => None,
    }
}

/// The invitation message for a recipient: the activation link and how long it stays valid.
pub fn message(
    to: Recipient,
    public_url: &str,
    token: &str,
) -> std::result::Result<Message, NotifyError> {
    let link = format!("{public_url}/invitations/{token}");
    messages::invitation(to, &link, LIFETIME_SECONDS / (24 * 3600))
}

/// The user's latest invitation.
pub async fn find(app: &AppState, tenant: &str, pool: &str, user: &str) -> Result<Invitation> {
    let (t, p, u, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        user.to_owned(),
        app.clock.now(),
    );
    app.db
        .run(move |c| {
            super::user::require(c, &t, &p, &u)?;
            let row = invitations::find_latest(c, &u)?.ok_or(Error::NotFound("invitation"))?;
            Ok(view(row, now))
        })
        .await
}

/// Sends a new invitation to a user who has not accepted one yet; earlier open ones are revoked once the new
/// one is on its way (if it cannot be sent, nothing changes).
pub async fn resend(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    user: &str,
) -> Result<Invitation> {
    let (t, p, u, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        user.to_owned(),
        app.clock.now(),
    );
    let (row, id, token) = app
        .db
        .transaction(move |c| {
            let row = super::user::require(c, &t, &p, &u)?;
            if row.status != Status::Invited {
                return Err(Error::Conflict(
                    "the user is not waiting for an invitation (status is not invited)".into(),
                ));
            }
            let (id, token) = create(c, &u, now)?;
            Ok((row, id, token))
        })
        .await?;
    let sent = match recipient(&row).map(|to| message(to, app.config.public_url(), &token)) {
        Some(Ok(message)) => app.notifier.send(tenant, &message).await,
        Some(Err(e)) => Err(e),
        None => Err(NotifyError::Template(
            "the user has no email or mobile".into(),
        )),
    };
    let (user_id, new_id) = (row.id.clone(), id.clone());
    if let Err(cause) = sent {
        app.db
            .run(move |c| invitations::delete(c, &new_id).map_err(Error::from))
            .await?;
        return Err(Error::InvitationNotSent(cause));
    }
    let (t, ctx) = (tenant.to_owned(), ctx.clone());
    let event = invitation_event(EventType::InvitationSent, &row);
    app.db
        .transaction(move |c| {
            invitations::revoke_open(c, &user_id, Some(&id), now)?;
            audit::record(c, &t, &ctx, now, event)?;
            let row =
                invitations::find_latest(c, &user_id)?.ok_or(Error::NotFound("invitation"))?;
            Ok(view(row, now))
        })
        .await
}

/// Revokes the user's open invitation: its link stops working.
pub async fn revoke(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    user: &str,
) -> Result<()> {
    let ctx = ctx.clone();
    let (t, p, u, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        user.to_owned(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            let row = super::user::require(c, &t, &p, &u)?;
            let latest = invitations::find_latest(c, &u)?.ok_or(Error::NotFound("invitation"))?;
            if !status(&latest, now).is_pending() {
                return Err(Error::Conflict("the invitation is not pending".into()));
            }
            invitations::revoke_open(c, &u, None, now)?;
            let event = invitation_event(EventType::InvitationRevoked, &row);
            audit::record(c, &t, &ctx, now, event)?;
            Ok(())
        })
        .await
}

/// An open invitation, as the activation page shows it.
pub struct Opened {
    pub invitation: InvitationRow,
    pub user: UserRow,
    pub pool: Pool,
}

/// The invitation a token opens, if it is still pending.
pub fn open(conn: &mut DbConn, token: &str, now: i64) -> Result<Option<Opened>> {
    let Some(row) = invitations::find_by_token_hash(conn, &crate::secret::hash(token))? else {
        return Ok(None);
    };
    if !status(&row, now).is_pending() {
        return Ok(None);
    }
    // Only a user still waiting for the invitation may accept it: an admin may have deactivated them since.
    let Some(user) = users::find_by_id(conn, &row.user_id)?.filter(|u| u.status == Status::Invited)
    else {
        return Ok(None);
    };
    let pool = pool::by_id(conn, &user.pool_id)?;
    Ok(Some(Opened {
        invitation: row,
        user,
        pool,
    }))
}

/// Whether the pool's users can only sign in with a passkey (and the server offers them), so an invitation must
/// be accepted with one: accepting it without a credential would leave no way to sign in.
pub fn needs_passkey(app: &AppState, pool: &Pool) -> bool {
    let m = &pool.authentication_mechanisms;
    app.passkeys.is_some()
        && m.contains(&Mechanism::Passkey)
        && !m.contains(&Mechanism::Password)
        && !m.contains(&Mechanism::Otp)
}

/// Accepts an invitation: sets the password (when the pool uses passwords; checked against its policy), marks the
/// identifier the invitation went to as verified, and activates the user. `NotFound` when the link is no longer
/// usable.
pub async fn accept(
    app: &AppState,
    origin: &audit::Origin,
    token: &str,
    new_password: Option<Secret>,
) -> Result<()> {
    let origin = origin.clone();
    let (token_owned, now) = (token.to_owned(), app.clock.now());
    let opened = app
        .db
        .run(move |c| open(c, &token_owned, now))
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    if needs_passkey(app, &opened.pool) {
        return Err(Error::Conflict(
            "users of this pool sign in only with a passkey: activate with one".into(),
        ));
    }
    let hash = if opened.pool.uses_passwords() {
        let password = new_password.map(Secret::into_exposed).unwrap_or_default();
        let ids: Vec<&str> = [&opened.user.email, &opened.user.mobile]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if let Some(rule) = opened.pool.password_policy.violation(&password, &ids) {
            return Err(Error::invalid("new_password", rule));
        }
        Some(
            app.hasher
                .hash(password)
                .await
                .map_err(|_| Error::Overloaded)?,
        )
    } else {
        None
    };
    let now = app.clock.now();
    app.db
        .transaction(move |c| activate(c, &origin, &opened, hash, now).map(drop))
        .await
}

/// Accepts an opened invitation, inside the caller's transaction: marks it accepted, sets the password hash when
/// one is given, marks the identifier the invitation went to as verified, and activates the user. Password and
/// passkey activation share it. `NotFound` when the invitation is no longer pending.
pub fn activate(
    c: &mut DbConn,
    origin: &audit::Origin,
    opened: &Opened,
    password_hash: Option<String>,
    now: i64,
) -> Result<UserRow> {
    if !invitations::accept(c, &opened.invitation.id, now)? {
        return Err(Error::NotFound("invitation"));
    }
    let mut user = opened.user.clone();
    if password_hash.is_some() {
        user.password_hash = password_hash;
    }
    match recipient(&user) {
        Some(Recipient::Email(_)) => user.email_verified = true,
        Some(Recipient::Mobile(_)) => user.mobile_verified = true,
        None => {}
    }
    user.status = Status::Active;
    user.updated_at = now;
    users::update(c, &user)?;
    let ctx = audit::Context::new(Actor::User(user.id.clone()), origin.clone());
    let event = invitation_event(EventType::InvitationAccepted, &user);
    audit::record(c, &opened.pool.tenant_id, &ctx, now, event)?;
    Ok(user)
}

fn invitation_event(kind: EventType, user: &UserRow) -> Event {
    Event::new(kind)
        .subject(SubjectType::User, &user.id)
        .pool(&user.pool_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(accepted_at: Option<i64>, revoked_at: Option<i64>) -> InvitationRow {
        InvitationRow {
            id: "i".into(),
            user_id: "u".into(),
            token_hash: "h".into(),
            expires_at: 100,
            accepted_at,
            revoked_at,
            created_at: 0,
        }
    }

    #[test]
    fn the_status_follows_from_the_timestamps_and_the_clock() {
        assert_eq!(status(&row(None, None), 99), InvitationStatus::Pending);
        assert_eq!(status(&row(None, None), 100), InvitationStatus::Expired);
        assert_eq!(status(&row(None, Some(5)), 50), InvitationStatus::Revoked);
        assert_eq!(status(&row(Some(5), None), 500), InvitationStatus::Accepted);
        // Acceptance wins over a revocation stamp: the link was used.
        assert_eq!(
            status(&row(Some(5), Some(6)), 50),
            InvitationStatus::Accepted
        );
        assert!(status(&row(None, None), 99).is_pending());
    }

    #[test]
    fn the_admin_api_sees_the_lowercase_names() {
        for (s, name) in [
            (InvitationStatus::Pending, "pending"),
            (InvitationStatus::Accepted, "accepted"),
            (InvitationStatus::Expired, "expired"),
            (InvitationStatus::Revoked, "revoked"),
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), name);
        }
    }
}
