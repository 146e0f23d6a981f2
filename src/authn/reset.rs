//! Password reset with a one-time code: the new password must meet the user's pool policy, and every session
//! and refresh token of the user dies with the old password.

use super::code::{self, CodeError, Purpose};
use crate::authn::password::PasswordPolicy;
use crate::identity::pool;
use crate::state::AppState;
use crate::store::{StoreError, codes, grants, users};

/// Why a reset did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(transparent)]
    Code(#[from] CodeError),
    /// The new password breaks a rule of the policy (the sentence says which).
    #[error("the new password {0}")]
    Policy(String),
    #[error("the server is busy; try again shortly")]
    Overloaded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks the new password against the policy of the challenge's user (the default policy for a decoy), then
/// spends the code, sets the password, and ends every session and grant of the user. A policy failure does not
/// spend the code.
pub async fn reset_password(
    app: &AppState,
    origin: &crate::audit::Origin,
    tenant: &str,
    workspace: &str,
    challenge: &str,
    code_typed: &str,
    new_password: String,
) -> Result<(), ResetError> {
    let (t, id) = (tenant.to_owned(), challenge.to_owned());
    let (policy, identifiers) = app
        .db
        .run(move |c| {
            let user = match codes::find(c, &id)?.and_then(|row| row.user_id) {
                Some(user_id) => users::find_by_id(c, &user_id)?,
                None => None,
            };
            let Some(user) = user else {
                return Ok::<_, StoreError>((PasswordPolicy::default(), Vec::new()));
            };
            let policy = match pool::require(c, &t, &user.pool_id) {
                Ok(p) => p.password_policy,
                Err(crate::identity::Error::Store(e)) => return Err(e),
                Err(_) => PasswordPolicy::default(),
            };
            Ok((
                policy,
                [user.email, user.mobile]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>(),
            ))
        })
        .await?;
    let ids: Vec<&str> = identifiers.iter().map(String::as_str).collect();
    if let Some(rule) = policy.violation(&new_password, &ids) {
        return Err(ResetError::Policy(rule));
    }
    let hash = app
        .hasher
        .hash(new_password)
        .await
        .map_err(|_| ResetError::Overloaded)?;
    let (t, w, id, code_typed, now) = (
        tenant.to_owned(),
        workspace.to_owned(),
        challenge.to_owned(),
        code_typed.to_owned(),
        app.clock.now(),
    );
    // Verified outside the transaction below: a wrong code's attempt must be counted even though it fails.
    let mut user = app
        .db
        .run(move |c| {
            code::verify(
                c,
                &code::Attempt {
                    tenant: &t,
                    workspace: &w,
                    challenge: &id,
                    code: &code_typed,
                },
                Purpose::PasswordReset,
                now,
            )
        })
        .await?;
    let (origin, tenant_id) = (origin.clone(), tenant.to_owned());
    app.db
        .transaction(move |c| {
            user.password_hash = Some(hash);
            user.updated_at = now;
            users::update(c, &user)?;
            super::session::end_all_for_user(c, &user.id, now)?;
            grants::revoke_user_grants(c, &user.id, now)?;
            let actor = crate::audit::Actor::User(user.id.clone());
            let ctx = crate::audit::Context::new(actor, origin);
            let event = password_changed(&user, "reset_with_code");
            crate::audit::record(c, &tenant_id, &ctx, now, event)?;
            Ok::<(), ResetError>(())
        })
        .await?;
    // Logout tokens for the sessions that ended were queued in the transaction.
    app.notifier.wake();
    Ok(())
}

/// A `user.password_changed` event: how it changed, never the password or its hash.
pub fn password_changed(user: &users::UserRow, reason: &'static str) -> crate::audit::Event {
    crate::audit::Event::new(crate::audit::EventType::UserPasswordChanged)
        .reason(reason)
        .subject(crate::audit::SubjectType::User, &user.id)
        .pool(&user.pool_id)
}
