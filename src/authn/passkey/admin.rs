//! The admin's view of a user's passkeys: listing them without key material, and removing one (account recovery).

use serde::Serialize;

use super::PasskeyError;
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::identity::{Error, Result, user};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::page::{Page, PageRequest, finish};
use crate::store::passkeys::PasskeyRow;

/// A passkey as the admin sees it: never the stored webauthn-rs credential (its public key and state).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// The credential id, base64url without padding, as the user's authenticator knows it.
    pub credential_id: String,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub sign_count: i64,
    pub created_at: i64,
    /// `None` until the passkey first signs in.
    pub last_used_at: Option<i64>,
}

impl From<PasskeyRow> for PasskeyView {
    fn from(r: PasskeyRow) -> Self {
        PasskeyView {
            id: r.id,
            name: r.name,
            credential_id: r.credential_id,
            backup_eligible: r.backup_eligible,
            backup_state: r.backup_state,
            sign_count: r.sign_count,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// One page of the passkeys of a user of the tenant's pool, in creation order; `NotFound` for an unknown tenant,
/// pool or user, or a user of another pool.
pub async fn list(
    app: &AppState,
    tenant: &str,
    pool: &str,
    user: &str,
    page: PageRequest,
) -> Result<Page<PasskeyView>> {
    let (tenant, pool, user) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    app.db
        .run(move |c| {
            let user = user::require(c, &tenant, &pool, &user)?;
            let mut rows = super::list(c, &user.id)?;
            // A user has a handful of passkeys: page them in memory, on the key every admin list pages on.
            rows.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            let rows: Vec<PasskeyView> = rows
                .into_iter()
                .filter(|r| {
                    page.after
                        .as_ref()
                        .is_none_or(|(time, id)| (r.created_at, &r.id) > (*time, id))
                })
                .take(usize::try_from(page.limit + 1).unwrap_or(usize::MAX))
                .map(PasskeyView::from)
                .collect();
            Ok(finish(rows, page.limit, |r| (r.created_at, r.id.clone())))
        })
        .await
}

/// Removes one passkey of a user of the tenant's pool, recorded as `user.passkey_removed`; `NotFound` when the
/// user has no such passkey. Removing the last one is allowed: it is how an admin takes a lost or stolen
/// authenticator away from an account.
pub async fn remove(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    user: &str,
    passkey: &str,
) -> Result<()> {
    let (tenant, pool, user, passkey) = (
        tenant.to_owned(),
        pool.to_owned(),
        user.to_owned(),
        passkey.to_owned(),
    );
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let user = user::require(c, &tenant, &pool, &user)?;
            // Through the user's own removal, so the admin's has the same effect (ceremonies already begun fail).
            super::remove(c, &user.id, &passkey).map_err(identity_error)?;
            let event = Event::new(EventType::UserPasskeyRemoved)
                .subject(SubjectType::User, &user.id)
                .pool(&user.pool_id)
                .details(Details::new().with("passkey_id", &passkey));
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

fn identity_error(e: PasskeyError) -> Error {
    match e {
        PasskeyError::NotFound => Error::NotFound("passkey"),
        PasskeyError::Store(e) => Error::Store(e),
        // Removal fails in no other way; should it ever, the admin gets a 500 and the log the cause.
        other => Error::Store(StoreError::Blocking(format!("removing a passkey: {other}"))),
    }
}
