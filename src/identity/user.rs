//! Users of a pool: creation with admin-set credentials or by invitation, lookup, updates, deletion.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{Error, Result};
use super::identifier::{normalise_email, normalise_mobile};
use super::pool::{self, Pool};
use super::profile_schema;
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::notify::Recipient;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, StoreError};

/// A user's lifecycle state; mapped to its column in the store, re-exported here for the domain and the web.
pub use crate::store::users::Status;

/// A user as the admin sees it (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub pool_id: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub email_verified: bool,
    pub mobile_verified: bool,
    pub status: Status,
    pub payload: Value,
    pub metadata: Value,
    pub password_set: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            status: r.status,
            payload: serde_json::from_str(&r.payload).unwrap_or(Value::Null),
            metadata: serde_json::from_str(&r.metadata).unwrap_or(Value::Null),
            password_set: r.password_hash.is_some(),
            id: r.id,
            pool_id: r.pool_id,
            email: r.email,
            mobile: r.mobile,
            email_verified: r.email_verified,
            mobile_verified: r.mobile_verified,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// How a new user gets credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The admin sets the password now; the user is active.
    SetCredentials,
    /// A single-use link is sent; the user is `invited` until they set their own credentials.
    Invite,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub mobile_verified: bool,
    #[serde(default = "empty_object")]
    pub payload: Value,
    #[serde(default = "empty_object")]
    pub metadata: Value,
    pub mode: Mode,
    #[schema(value_type = Option<String>)]
    pub password: Option<Secret>,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub status: Option<Status>,
    pub payload: Option<Value>,
    pub metadata: Option<Value>,
    pub email_verified: Option<bool>,
    pub mobile_verified: Option<bool>,
}

pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool_id: &str,
    input: NewUser,
) -> Result<User> {
    let (t, p) = (tenant.to_owned(), pool_id.to_owned());
    let (pool, payload_doc, metadata_doc) =
        app.db.run(move |c| pool_with_schemas(c, &t, &p)).await?;
    let email = input
        .email
        .as_deref()
        .map(|e| normalise_email("email", e))
        .transpose()?;
    let mobile = input
        .mobile
        .as_deref()
        .map(|m| normalise_mobile("mobile", m))
        .transpose()?;
    // Where an invitation goes: the email when there is one, else the mobile.
    let recipient = match (&email, &mobile) {
        (Some(e), _) => Recipient::Email(e.clone()),
        (None, Some(m)) => Recipient::Mobile(m.clone()),
        (None, None) => {
            return Err(Error::invalid(
                "email",
                "a user needs an email or a mobile number",
            ));
        }
    };
    profile_schema::validate(&payload_doc, &input.payload, "payload")?;
    profile_schema::validate(&metadata_doc, &input.metadata, "metadata")?;
    let password = checked_password(&pool, input.mode, input.password, [&email, &mobile])?;
    let password_hash = match password {
        Some(p) => Some(app.hasher.hash(p).await.map_err(|_| Error::Overloaded)?),
        None => None,
    };
    let now = app.clock.now();
    let row = UserRow {
        id: crate::secret::new_id(),
        pool_id: pool.id.clone(),
        email,
        mobile,
        email_verified: input.email_verified,
        mobile_verified: input.mobile_verified,
        status: match input.mode {
            Mode::SetCredentials => Status::Active,
            Mode::Invite => Status::Invited,
        },
        payload: input.payload.to_string(),
        metadata: input.metadata.to_string(),
        password_hash,
        created_at: now,
        updated_at: now,
    };
    let mode = input.mode;
    let (t, actx) = (tenant.to_owned(), ctx.clone());
    let (user, token) = app
        .db
        .transaction(move |c| {
            users::insert(c, &row).map_err(duplicate_identifier)?;
            let user = User::from(row);
            audit::record(c, &t, &actx, now, created_event(&user, mode))?;
            let token = (mode == Mode::Invite)
                .then(|| super::invitation::create(c, &user.id, now).map(|(_, token)| token))
                .transpose()?;
            if token.is_some() {
                let sent = user_event(EventType::InvitationSent, &user);
                audit::record(c, &t, &actx, now, sent)?;
            }
            Ok::<_, Error>((user, token))
        })
        .await?;
    if let Some(token) = token {
        invite(app, ctx, tenant, &user, recipient, &token).await?;
    }
    Ok(user)
}

/// Sends the invitation of a user just created; when it cannot be sent, deletes the user again (its invitation
/// goes with it, ON DELETE CASCADE), so a failed invite leaves nothing behind.
async fn invite(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    user: &User,
    to: Recipient,
    token: &str,
) -> Result<()> {
    let sent = match super::invitation::message(to, app.config.public_url(), token) {
        Ok(message) => app.notifier.send(tenant, &message).await,
        Err(e) => Err(e),
    };
    let Err(cause) = sent else { return Ok(()) };
    let (id, t, actx, now) = (
        user.id.clone(),
        tenant.to_owned(),
        ctx.clone(),
        app.clock.now(),
    );
    let removed = user_event(EventType::UserDeleted, user).reason("invitation_not_sent");
    app.db
        .transaction(move |c| {
            users::delete(c, &id)?;
            audit::record(c, &t, &actx, now, removed)
        })
        .await
        .map_err(Error::Store)?;
    tracing::warn!(user = %user.id, error = %cause, "invitation not sent; the invited user was removed");
    Err(Error::InvitationNotSent(cause))
}

/// Applies the mode's rules to the given password and the pool's policy; returns the password to hash, if any.
fn checked_password(
    pool: &Pool,
    mode: Mode,
    password: Option<Secret>,
    ids: [&Option<String>; 2],
) -> Result<Option<String>> {
    match (mode, password) {
        (Mode::Invite, Some(_)) => Err(Error::invalid(
            "password",
            "must not be given with mode invite",
        )),
        (Mode::Invite, None) => Ok(None),
        (Mode::SetCredentials, Some(_)) if !pool.uses_passwords() => Err(Error::invalid(
            "password",
            "this pool does not use passwords",
        )),
        (Mode::SetCredentials, None) if pool.uses_passwords() => Err(Error::invalid(
            "password",
            "is required with mode set_credentials in a pool that uses passwords",
        )),
        (Mode::SetCredentials, None) => Ok(None),
        (Mode::SetCredentials, Some(password)) => {
            let password = password.into_exposed();
            let identifiers: Vec<&str> = ids.iter().filter_map(|i| i.as_deref()).collect();
            match pool.password_policy.violation(&password, &identifiers) {
                Some(rule) => Err(Error::invalid("password", rule)),
                None => Ok(Some(password)),
            }
        }
    }
}

fn duplicate_identifier(e: StoreError) -> Error {
    match e {
        StoreError::Unique(_) => {
            Error::Conflict("a user with this email or mobile already exists in the pool".into())
        }
        other => Error::Store(other),
    }
}

fn pool_with_schemas(c: &mut DbConn, tenant: &str, pool: &str) -> Result<(Pool, Value, Value)> {
    let pool = pool::require(c, tenant, pool)?;
    let payload = profile_schema::payload_document(c, tenant, pool.payload_schema_id.as_deref())?;
    let metadata =
        profile_schema::metadata_document(c, tenant, pool.metadata_schema_id.as_deref())?;
    Ok((pool, payload, metadata))
}

pub async fn find(app: &AppState, tenant: &str, pool: &str, id: &str) -> Result<User> {
    let (tenant, pool, id) = (tenant.to_owned(), pool.to_owned(), id.to_owned());
    app.db
        .run(move |c| require(c, &tenant, &pool, &id).map(User::from))
        .await
}

pub async fn update(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    id: &str,
    patch: UserPatch,
) -> Result<User> {
    let (tenant, pool, id, now, ctx) = (
        tenant.to_owned(),
        pool.to_owned(),
        id.to_owned(),
        app.clock.now(),
        ctx.clone(),
    );
    let user = app
        .db
        .transaction(move |c| {
            let (_, payload_doc, metadata_doc) = pool_with_schemas(c, &tenant, &pool)?;
            let mut row = require(c, &tenant, &pool, &id)?;
            let before = row.clone();
            if let Some(status) = patch.status {
                if status == Status::Invited {
                    return Err(Error::invalid(
                        "status",
                        "can only be set to active or inactive",
                    ));
                }
                if status == Status::Inactive && row.status != Status::Inactive {
                    super::admin::ensure_not_last_administrator(c, &pool, &row.id)?;
                }
                row.status = status;
                if status == Status::Inactive {
                    // An inactive user loses every session and grant at once (CONTRACT), and an open
                    // invitation with them: accepting it would make the user active again.
                    crate::authn::session::end_all_for_user(c, &row.id, now)?;
                    crate::store::grants::revoke_user_grants(c, &row.id, now)?;
                    crate::store::invitations::revoke_open(c, &row.id, None, now)?;
                }
            }
            if let Some(payload) = patch.payload {
                profile_schema::validate(&payload_doc, &payload, "payload")?;
                row.payload = payload.to_string();
            }
            if let Some(metadata) = patch.metadata {
                profile_schema::validate(&metadata_doc, &metadata, "metadata")?;
                row.metadata = metadata.to_string();
            }
            row.email_verified = patch.email_verified.unwrap_or(row.email_verified);
            row.mobile_verified = patch.mobile_verified.unwrap_or(row.mobile_verified);
            row.updated_at = now;
            users::update(c, &row)?;
            let changes = changes(&before, &row);
            let user = User::from(row);
            if changes.has_changes() {
                let event = user_event(EventType::UserUpdated, &user).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(user)
        })
        .await?;
    // A deactivation queued logout tokens for the sessions it ended.
    app.notifier.wake();
    Ok(user)
}

pub async fn delete(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    id: &str,
) -> Result<()> {
    let (tenant, pool, id) = (tenant.to_owned(), pool.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let user = User::from(require(c, &tenant, &pool, &id)?);
            super::admin::ensure_not_last_administrator(c, &pool, &id)?;
            users::delete(c, &id)?;
            audit::record(
                c,
                &tenant,
                &ctx,
                now,
                user_event(EventType::UserDeleted, &user),
            )?;
            Ok(())
        })
        .await
}

/// An event about `user`, with its pool.
pub fn user_event(kind: EventType, user: &User) -> Event {
    Event::new(kind)
        .subject(SubjectType::User, &user.id)
        .pool(&user.pool_id)
}

fn created_event(user: &User, mode: Mode) -> Event {
    let mode = match mode {
        Mode::SetCredentials => "set_credentials",
        Mode::Invite => "invite",
    };
    let details = Details::new()
        .with("mode", mode)
        .with("email", &user.email)
        .with("mobile", &user.mobile)
        .with("status", user.status.as_str())
        .with("password_set", user.password_set);
    user_event(EventType::UserCreated, user).details(details)
}

/// What an update changed, field by field; the password hash is named only.
fn changes(old: &UserRow, new: &UserRow) -> Details {
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let details = Details::new()
        .change("status", old.status.as_str(), new.status.as_str())
        .change("email", &old.email, &new.email)
        .change("mobile", &old.mobile, &new.mobile)
        .change("email_verified", &old.email_verified, &new.email_verified)
        .change(
            "mobile_verified",
            &old.mobile_verified,
            &new.mobile_verified,
        )
        .change("payload", &json(&old.payload), &json(&new.payload))
        .change("metadata", &json(&old.metadata), &json(&new.metadata));
    match old.password_hash == new.password_hash {
        true => details,
        false => details.secret_changed("password"),
    }
}

/// The user row, or `NotFound` when the tenant's pool has no such user.
pub fn require(conn: &mut DbConn, tenant: &str, pool: &str, id: &str) -> Result<UserRow> {
    pool::require(conn, tenant, pool)?;
    users::find(conn, pool, id)?.ok_or(Error::NotFound("user"))
}
