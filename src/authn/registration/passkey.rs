//! Finishing a self-registration with a passkey instead of a password. After the code, the registration waits
//! (verified, bound to the authorization request of the browser that entered the code); a passkey ceremony for a
//! new user id begins, and finishing it creates the user and stores the passkey in one transaction. Where the pool
//! also signs in with codes, the user may skip the passkey.

use super::{RegistrationError, create_user};
use crate::authn::passkey::{self, PasskeyError, Subject, enrol};
use crate::identity::pool::{self, Mechanism, Pool};
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::registrations::{self, RegistrationRow};
use crate::store::users::UserRow;

/// A verified registration waiting for its passkey, as its page shows it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub registration: String,
    /// The proved email or mobile number.
    pub identifier: String,
    /// Whether the pool also signs in with codes, so the account is usable without a passkey.
    pub can_skip: bool,
}

impl Waiting {
    pub(super) fn new(row: &RegistrationRow, pool: &Pool) -> Waiting {
        Waiting {
            registration: row.id.clone(),
            identifier: identifier(row),
            can_skip: pool.offers(Mechanism::Otp),
        }
    }
}

fn identifier(row: &RegistrationRow) -> String {
    row.email
        .clone()
        .or_else(|| row.mobile.clone())
        .unwrap_or_default()
}

/// The registration a browser continues: only the browser that entered the code (`browser`, a hash of its
/// CSRF cookie), for the same authorization request, gets anywhere.
pub struct Target<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub request: &'a str,
    pub registration: &'a str,
    pub browser: &'a str,
}

#[derive(Clone)]
struct Owned {
    tenant: String,
    workspace: String,
    request: String,
    registration: String,
    browser: String,
}

impl Target<'_> {
    fn owned(&self) -> Owned {
        Owned {
            tenant: self.tenant.to_owned(),
            workspace: self.workspace.to_owned(),
            request: self.request.to_owned(),
            registration: self.registration.to_owned(),
            browser: self.browser.to_owned(),
        }
    }
}

/// A user created with a passkey, and the `amr` of that passkey (the user is signed in with it).
pub struct Registered {
    pub user: UserRow,
    pub amr: Vec<String>,
}

/// The verified, unexpired registration `target` names, with its pool; `None` for anything else.
fn find(
    c: &mut DbConn,
    target: &Owned,
    now: i64,
) -> Result<Option<(RegistrationRow, Pool)>, RegistrationError> {
    let Some(row) = registrations::find(c, &target.registration)? else {
        return Ok(None);
    };
    let usable = row.tenant_id == target.tenant
        && row.workspace_id == target.workspace
        && row.expires_at > now
        && row.verified_at.is_some()
        && row.request_id.as_deref() == Some(target.request.as_str())
        && !target.browser.is_empty()
        && row.browser_hash.as_deref() == Some(target.browser.as_str());
    if !usable {
        return Ok(None);
    }
    let pool = pool::by_id(c, &row.pool_id)?;
    Ok(Some((row, pool)))
}

/// The registration waiting for its passkey, if `target` names one.
pub async fn waiting(
    app: &AppState,
    target: &Target<'_>,
) -> Result<Option<Waiting>, RegistrationError> {
    let (target, now) = (target.owned(), app.clock.now());
    app.db
        .run(move |c| Ok(find(c, &target, now)?.map(|(row, pool)| Waiting::new(&row, &pool))))
        .await
}

/// Begins the passkey ceremony of a waiting registration, for the id the new user will get.
pub async fn begin(
    app: &AppState,
    target: &Target<'_>,
) -> Result<passkey::Options, RegistrationError> {
    let (owned, now) = (target.owned(), app.clock.now());
    let holder = app
        .db
        .run(move |c| {
            let (row, pool) = find(c, &owned, now)?.ok_or(RegistrationError::Expired)?;
            if !pool.offers(Mechanism::Passkey) {
                return Err(RegistrationError::NotAllowed);
            }
            // A fresh id per ceremony: only the ceremony that finishes first creates a user, under the id its
            // passkey holds.
            let user = super::new_user(&row, &crate::secret::new_id(), now);
            Ok(enrol::Holder::of(&user))
        })
        .await?;
    let subject = Subject::Register {
        workspace: target.workspace.to_owned(),
        request: target.request.to_owned(),
        registration: target.registration.to_owned(),
        user: holder.id.clone(),
    };
    Ok(enrol::begin(app, target.tenant, holder, subject).await?)
}

/// Verifies the new passkey against a ceremony begun for `target`, then in one transaction creates the user with
/// the ceremony's user id, stores the passkey and ends the registration.
pub async fn finish(
    app: &AppState,
    target: &Target<'_>,
    ceremony: &str,
    credential: &str,
) -> Result<Registered, RegistrationError> {
    let (owned, now) = (target.owned(), app.clock.now());
    let expected = owned.clone();
    // The ceremony id alone is not enough: it must have been begun for this request and registration.
    let (subject, new) = enrol::finish(app, target.tenant, ceremony, credential, move |s| {
        matches!(s, Subject::Register { workspace, request, registration, .. }
            if *workspace == expected.workspace
                && *request == expected.request
                && *registration == expected.registration)
    })
    .await?;
    let Subject::Register { user: user_id, .. } = subject else {
        return Err(PasskeyError::Expired.into());
    };
    app.db
        .transaction(move |c| {
            let (row, pool) = find(c, &owned, now)?.ok_or(RegistrationError::Expired)?;
            if !pool.offers(Mechanism::Passkey) {
                return Err(RegistrationError::NotAllowed);
            }
            let user = create_user(c, &row, &user_id, now)?;
            let stored = enrol::store(c, &user.id, &new, "", now)?;
            Ok(Registered {
                user,
                amr: passkey::amr(stored.backup_eligible),
            })
        })
        .await
}

/// Creates the user of a waiting registration without a passkey, where the pool signs in with codes. Ceremonies
/// begun for the registration can no longer finish: it is gone.
pub async fn skip(app: &AppState, target: &Target<'_>) -> Result<UserRow, RegistrationError> {
    let (owned, now) = (target.owned(), app.clock.now());
    app.db
        .transaction(move |c| {
            let (row, pool) = find(c, &owned, now)?.ok_or(RegistrationError::Expired)?;
            if !Waiting::new(&row, &pool).can_skip {
                return Err(RegistrationError::NotAllowed);
            }
            create_user(c, &row, &crate::secret::new_id(), now)
        })
        .await
}
