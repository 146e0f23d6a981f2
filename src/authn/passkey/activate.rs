//! Activating an invited account with a passkey instead of a password: a ceremony bound to the invitation and its
//! user, and, once the passkey verifies, the invitation accepted (as with a password) and the passkey stored in
//! one transaction. `NotFound` throughout means the invitation is no longer pending.

use super::{PasskeyError, Subject, enrol};
use crate::identity::invitation::{self, Opened};
use crate::identity::pool::Mechanism;
use crate::state::AppState;
use crate::store::DbConn;

/// Whether an invitation into this pool can be accepted with a passkey.
pub fn is_offered(app: &AppState, opened: &Opened) -> bool {
    app.passkeys.is_some() && opened.pool.offers(Mechanism::Passkey)
}

fn from_identity(e: crate::identity::Error) -> PasskeyError {
    match e {
        crate::identity::Error::NotFound(_) => PasskeyError::NotFound,
        crate::identity::Error::Store(e) => PasskeyError::Store(e),
        other => PasskeyError::Invalid(other.to_string()),
    }
}

/// The pending invitation `token` opens, where its pool offers passkeys.
fn open(c: &mut DbConn, app_offers: bool, token: &str, now: i64) -> Result<Opened, PasskeyError> {
    let opened = invitation::open(c, token, now)
        .map_err(from_identity)?
        .ok_or(PasskeyError::NotFound)?;
    if !app_offers || !opened.pool.offers(Mechanism::Passkey) {
        return Err(PasskeyError::Unavailable);
    }
    Ok(opened)
}

/// Begins creating the invited user's passkey.
pub async fn begin(app: &AppState, token: &str) -> Result<super::Options, PasskeyError> {
    let (token, now, offers) = (token.to_owned(), app.clock.now(), app.passkeys.is_some());
    let opened = app.db.run(move |c| open(c, offers, &token, now)).await?;
    let holder = enrol::Holder::of(&opened.user);
    let subject = Subject::Activate {
        invitation: opened.invitation.id.clone(),
        user: opened.user.id.clone(),
    };
    enrol::begin(app, &opened.pool.tenant_id, holder, subject).await
}

/// Verifies the passkey against a ceremony begun for this invitation, then accepts the invitation and stores the
/// passkey in one transaction.
pub async fn finish(
    app: &AppState,
    token: &str,
    ceremony: &str,
    credential: &str,
) -> Result<(), PasskeyError> {
    let (owned, now, offers) = (token.to_owned(), app.clock.now(), app.passkeys.is_some());
    let opened = app.db.run(move |c| open(c, offers, &owned, now)).await?;
    let expected = Subject::Activate {
        invitation: opened.invitation.id.clone(),
        user: opened.user.id.clone(),
    };
    let (_, new) = enrol::finish(
        app,
        &opened.pool.tenant_id,
        ceremony,
        credential,
        move |s| *s == expected,
    )
    .await?;
    let (token, now) = (token.to_owned(), app.clock.now());
    app.db
        .transaction(move |c| {
            // Opened again inside the transaction: the invitation may have been used, revoked or replaced while
            // the browser made the passkey.
            let current = open(c, offers, &token, now)?;
            if current.invitation.id != opened.invitation.id {
                return Err(PasskeyError::NotFound);
            }
            let user =
                invitation::activate(c, &crate::audit::Origin::default(), &current, None, now)
                    .map_err(from_identity)?;
            enrol::store(c, &user.id, &new, "", now)?;
            Ok(())
        })
        .await
}
