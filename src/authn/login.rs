//! Password sign-in at a workspace: the identifier is looked up in the connected pools, in connection order;
//! every failure looks the same and costs the same time (unknown users are checked against a dummy hash).

use super::lockout::{self, FREE_PER_IDENTIFIER, FREE_PER_IP};
use crate::identity::identifier::Identifier;
use crate::identity::pool::{self, Mechanism};
use crate::state::AppState;
use crate::store::users::{self, IdentifierFilter, UserRow};
use crate::store::{DbConn, StoreError, workspaces};

/// Why a sign-in did not succeed; deliberately coarse.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown identifier, wrong password, or a user who may not sign in: indistinguishable on purpose.
    #[error("the identifier or password is incorrect")]
    Failed,
    /// Too many recent failures for this identifier or address.
    #[error("too many failed attempts; try again later")]
    Locked,
    #[error("the server is busy; try again shortly")]
    Overloaded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether any pool connected to the workspace offers `mechanism` (the sign-in page shows only those).
pub fn is_offered(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    mechanism: Mechanism,
) -> Result<bool, StoreError> {
    for connection in workspaces::list_connections(conn, tenant, workspace)? {
        match pool::require(conn, tenant, &connection.pool_id) {
            Ok(p) if p.offers(mechanism) => return Ok(true),
            Err(crate::identity::Error::Store(e)) => return Err(e),
            _ => {}
        }
    }
    Ok(false)
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

/// Checks an identifier and password; on success the identifier's failure counter is cleared.
pub async fn with_password(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    identifier: &str,
    password: &str,
    ip: &str,
) -> Result<UserRow, LoginError> {
    let id_key = format!(
        "{tenant}/{workspace}/id:{}",
        identifier.trim().to_lowercase()
    );
    let ip_key = format!("{tenant}/{workspace}/ip:{ip}");
    let (t, w, typed, keys, now) = (
        tenant.to_owned(),
        workspace.to_owned(),
        identifier.to_owned(),
        [id_key.clone(), ip_key.clone()],
        app.clock.now(),
    );
    let (locked, user) = app
        .db
        .run(move |c| {
            Ok::<_, StoreError>((
                lockout::is_locked(c, &keys, now)?,
                find_user(c, &t, &w, &typed, Mechanism::Password)?,
            ))
        })
        .await?;
    if locked {
        return Err(LoginError::Locked);
    }
    let phc = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = match phc {
        Some(phc) => app.hasher.verify(password.to_owned(), phc).await,
        None => app.hasher.verify_dummy(password.to_owned()).await,
    }
    .map_err(|_| LoginError::Overloaded)?;
    let now = app.clock.now();
    match user {
        Some(user) if matches && user.is_active() => {
            app.db
                .run(move |c| crate::store::sessions::clear_failures(c, &id_key))
                .await?;
            Ok(user)
        }
        _ => {
            app.db
                .run(move |c| {
                    lockout::record_failure(c, &id_key, FREE_PER_IDENTIFIER, now)?;
                    lockout::record_failure(c, &ip_key, FREE_PER_IP, now)
                })
                .await?;
            Err(LoginError::Failed)
        }
    }
}
