//! Password sign-in at a workspace: the identifier is looked up in the connected pools, in connection order;
//! every failure looks the same and costs the same time (unknown users are checked against a dummy hash).

use std::net::IpAddr;

use super::argon2id::Verified;
use super::lockout::{self, Attempt};
use crate::audit::{self, Actor, Details, Event, EventType, SubjectType};
use crate::identity::identifier::Identifier;
use crate::identity::pool::{self, Mechanism};
use crate::metrics::labels::{Outcome, SignInMethod};
use crate::state::AppState;
use crate::store::users::{self, IdentifierFilter, UserRow};
use crate::store::{DbConn, StoreError, workspaces};

/// Why a sign-in did not succeed; deliberately coarse.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown identifier, wrong password, or a user who may not sign in: indistinguishable on purpose.
    #[error("the identifier or password is incorrect")]
    Failed,
    /// Too many recent failures for this identifier from this address.
    #[error("too many failed attempts; try again later")]
    Locked,
    #[error("the server is busy; try again shortly")]
    Overloaded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the sign-in page of a workspace offers: the mechanisms of its connected pools, and whether one of
/// them lets visitors create an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offered {
    pub password: bool,
    pub otp: bool,
    pub passkey: bool,
    pub registration: bool,
}

/// What the workspace's sign-in page offers, from one read of its connections and one of each pool (every
/// sign-in page asks this, so it is not four separate walks over the same rows).
pub fn offered(conn: &mut DbConn, tenant: &str, workspace: &str) -> Result<Offered, StoreError> {
    let mut offered = Offered::default();
    for connection in workspaces::list_connections(conn, tenant, workspace)? {
        match pool::require(conn, tenant, &connection.pool_id) {
            Ok(p) => {
                offered.password |= p.offers(Mechanism::Password);
                offered.otp |= p.offers(Mechanism::Otp);
                offered.passkey |= p.offers(Mechanism::Passkey);
                offered.registration |= p.public_registration_allowed;
            }
            Err(crate::identity::Error::Store(e)) => return Err(e),
            Err(_) => {}
        }
    }
    Ok(offered)
}

/// Finds the user an identifier names among the pools connected to the workspace that offer `mechanism`.
pub fn find_user(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    identifier: &str,
    mechanism: Mechanism,
) -> Result<Option<UserRow>, StoreError> {
    let filter = match Identifier::parse("identifier", identifier) {
        Ok(Identifier::Email(e)) => IdentifierFilter::Email(e),
        Ok(Identifier::Mobile(m)) => IdentifierFilter::Mobile(m),
        Err(_) => return Ok(None),
    };
    for connection in workspaces::list_connections(conn, tenant, workspace)? {
        let offers = match pool::require(conn, tenant, &connection.pool_id) {
            Ok(p) => p.offers(mechanism),
            Err(crate::identity::Error::Store(e)) => return Err(e),
            Err(_) => false,
        };
        if offers && let Some(user) = users::find_by_identifier(conn, &connection.pool_id, &filter)?
        {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

/// What a password sign-in is given: where, who (as typed), the password, and the client address.
pub struct PasswordAttempt<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub identifier: &'a str,
    pub password: &'a str,
    pub client: Option<IpAddr>,
    /// Where the attempt came from, for the audit trail.
    pub origin: &'a audit::Origin,
}

/// A password that matched, and what its success writes: the failures of the identifier from this address are
/// cleared, `password.succeeded` is recorded, and a hash due for an upgrade is replaced. The sign-in writes it
/// ([`record`](Self::record)) in the transaction that starts its session, so that a login commits once after the
/// hash, not twice.
pub struct PasswordSuccess {
    pub user: UserRow,
    attempt: Attempt,
    tenant: String,
    ctx: audit::Context,
    event: Event,
    /// The user's id, the hash that matched and its replacement.
    rehash: Option<(String, String, String)>,
}

impl PasswordSuccess {
    /// Writes the success on `conn` (call inside the sign-in's transaction).
    pub fn record(self, conn: &mut DbConn, now: i64) -> Result<(), StoreError> {
        lockout::record_success(conn, &self.attempt)?;
        audit::record(conn, &self.tenant, &self.ctx, now, self.event)?;
        match self.rehash {
            Some((id, old, new)) => users::replace_password_hash(conn, &id, &old, &new),
            None => Ok(()),
        }
    }
}

/// Checks an identifier and password under the lockout rules (`lockout`): a locked attempt is refused before its
/// password is looked at, and the outcome is counted. A failure is written here; a success is returned for the
/// caller to write with the session it starts ([`PasswordSuccess::record`]).
pub async fn with_password(
    app: &AppState,
    a: &PasswordAttempt<'_>,
) -> Result<PasswordSuccess, LoginError> {
    let attempt = Attempt::new(a.tenant, a.identifier, a.client);
    let (t, w, typed, counted, now) = (
        a.tenant.to_owned(),
        a.workspace.to_owned(),
        a.identifier.to_owned(),
        attempt.clone(),
        app.clock.now(),
    );
    let (admitted, user) = app
        .db
        .run(move |c| {
            if !lockout::admit(c, &counted, now)? {
                return Ok::<_, StoreError>((false, None));
            }
            Ok((true, find_user(c, &t, &w, &typed, Mechanism::Password)?))
        })
        .await?;
    if !admitted {
        let event = failure_event(a, None, "locked", EventType::Locked);
        record_failure(app, a, None, event, None).await?;
        app.metrics.sign_in(SignInMethod::Password, Outcome::Locked);
        return Err(LoginError::Locked);
    }
    let verified = verify(app, user.as_ref(), a.password).await?;
    match (user, verified) {
        (Some(user), Some(verified)) if user.is_active() => {
            let rehash = match verified.needs_rehash {
                true => rehash(app, &user, a.password).await,
                false => None,
            };
            if rehash.is_some() {
                app.metrics.password_rehashed();
            }
            let event = Event::new(EventType::PasswordSucceeded)
                .subject(SubjectType::User, &user.id)
                .pool(&user.pool_id)
                .workspace(a.workspace)
                .details(Details::new().with("method", "password"));
            app.metrics
                .sign_in(SignInMethod::Password, Outcome::Success);
            Ok(PasswordSuccess {
                ctx: signed_in_context(a, &user),
                user,
                attempt,
                tenant: a.tenant.to_owned(),
                event,
                rehash,
            })
        }
        (user, verified) => {
            let reason = match (&user, verified) {
                (None, _) => "unknown_identifier",
                (Some(_), Some(_)) => "inactive",
                (Some(_), None) => "wrong_password",
            };
            let event = failure_event(a, user.as_ref(), reason, EventType::PasswordFailed);
            record_failure(app, a, user.as_ref(), event, Some(attempt)).await?;
            app.metrics
                .sign_in(SignInMethod::Password, Outcome::Failure);
            Err(LoginError::Failed)
        }
    }
}

/// The context of a sign-in: the user once known, else anonymous.
fn signed_in_context(a: &PasswordAttempt<'_>, user: &UserRow) -> audit::Context {
    audit::Context::new(Actor::User(user.id.clone()), a.origin.clone())
}

/// A failed (or refused) password attempt; the user when the identifier named one.
fn failure_event(
    a: &PasswordAttempt<'_>,
    user: Option<&UserRow>,
    reason: &'static str,
    kind: EventType,
) -> Event {
    let event = Event::new(kind)
        .failed(reason)
        .workspace(a.workspace)
        .details(Details::new().with("method", "password"));
    match user {
        Some(u) => event.subject(SubjectType::User, &u.id).pool(&u.pool_id),
        None => event,
    }
}

/// Writes a failed attempt's event (with the HMAC of the identifier when it named nobody), and counts the failure
/// against the lockout when `counted` is given, in one transaction.
async fn record_failure(
    app: &AppState,
    a: &PasswordAttempt<'_>,
    user: Option<&UserRow>,
    event: Event,
    counted: Option<Attempt>,
) -> Result<(), LoginError> {
    let ctx = match user {
        Some(u) => signed_in_context(a, u),
        None => audit::Context::new(Actor::Anonymous, a.origin.clone()),
    };
    let (t, typed, known, now) = (
        a.tenant.to_owned(),
        a.identifier.to_owned(),
        user.is_some(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            if let Some(attempt) = &counted {
                lockout::record_failure(c, attempt, now)?;
            }
            let event = match known {
                true => event,
                false => {
                    let digest = audit::identifier::digest(c, &typed)?;
                    let details = Details::new()
                        .with("method", "password")
                        .with("identifier_hmac", digest);
                    event.details(details)
                }
            };
            audit::record(c, &t, &ctx, now, event)
        })
        .await?;
    Ok(())
}

/// Whether `password` is the user's; without a user (or a password) a dummy hash costs the same time.
async fn verify(
    app: &AppState,
    user: Option<&UserRow>,
    password: &str,
) -> Result<Option<Verified>, LoginError> {
    let phc = user.and_then(|u| u.password_hash.clone());
    match phc {
        Some(phc) => app.hasher.verify(password.to_owned(), phc).await,
        None => app.hasher.verify_dummy(password.to_owned()).await,
    }
    .map_err(|_| LoginError::Overloaded)
}

/// The user's id, stored hash and a fresh argon2id hash of the password that just matched it: a hash imported from
/// another system (or made at older parameters) is replaced at the first sign-in that proves the password. When
/// hashing is overloaded the sign-in still succeeds and a later one rehashes.
async fn rehash(
    app: &AppState,
    user: &UserRow,
    password: &str,
) -> Option<(String, String, String)> {
    let old = user.password_hash.clone()?;
    let new = app.hasher.hash(password.to_owned()).await.ok()?;
    Some((user.id.clone(), old, new))
}
