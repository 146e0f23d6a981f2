//! Portal sessions: a database row per signed-in administrator (its id stored as a SHA-256 hash, so any instance
//! serves it), with an idle and an absolute limit, a new id at every sign-in, and the role read from the database
//! on every request (`identity::admin::role_of`). `sign_in` is how a session starts: the portal as an OpenID
//! Connect client of the built-in workspace, with its codes redeemed in-process.

pub mod sign_in;

use crate::identity::admin::{self, Role};
use crate::identity::error::Result;
use crate::state::AppState;
use crate::store::portal::{self, PortalSessionRow};
use crate::store::{DbConn, StoreResult};

/// How long a portal session lasts: idle (since its last request) and absolute (since its sign-in), in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub idle: i64,
    pub absolute: i64,
}

impl Limits {
    /// 30 minutes idle and 12 hours absolute (NIST SP 800-63B, AAL2).
    pub const DEFAULT: Limits = Limits {
        idle: 30 * 60,
        absolute: 12 * 3600,
    };
}

/// How long ago a sign-in may be for a sensitive action (rotating keys, deleting a pool, changing who is an
/// administrator) to go ahead without a fresh one.
pub const STEP_UP_SECONDS: i64 = 5 * 60;

/// A live session and the role its administrator has right now.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user_id: String,
    pub email: Option<String>,
    /// `None`: a user of the Administrators pool in neither group (refused with a page saying so).
    pub role: Option<Role>,
    pub auth_time: i64,
}

impl Signed {
    /// Whether the last sign-in is recent enough for a sensitive action.
    pub fn is_fresh(&self, now: i64) -> bool {
        now - self.auth_time <= STEP_UP_SECONDS
    }
}

/// Starts a session for `user` and returns the cookie value (which exists nowhere else in clear).
pub fn start(
    conn: &mut DbConn,
    user: &str,
    id_token: String,
    auth_time: i64,
    now: i64,
    limits: Limits,
) -> StoreResult<String> {
    let cookie = crate::secret::generate();
    portal::insert_session(
        conn,
        &PortalSessionRow {
            id_hash: crate::secret::hash(&cookie),
            user_id: user.to_owned(),
            id_token,
            auth_time,
            created_at: now,
            last_seen_at: now,
            expires_at: now + limits.absolute,
        },
    )?;
    Ok(cookie)
}

/// The session a cookie names, if it is live, with the role its user has now; a live session's idle clock starts
/// again. An idle or expired session is deleted.
pub async fn find(app: &AppState, cookie: &str) -> Result<Option<Signed>> {
    let (hash, now, limits) = (
        crate::secret::hash(cookie),
        app.clock.now(),
        app.config.portal_session,
    );
    app.db
        .run(move |c| {
            let Some(row) = portal::find_session(c, &hash)? else {
                return Ok(None);
            };
            if row.expires_at <= now || row.last_seen_at + limits.idle <= now {
                portal::delete_session(c, &hash)?;
                return Ok(None);
            }
            let Some(user) = crate::store::users::find_by_id(c, &row.user_id)? else {
                return Ok(None);
            };
            portal::touch_session(c, &hash, now)?;
            Ok(Some(Signed {
                role: admin::role_of(c, &row.user_id)?,
                user_id: row.user_id,
                email: user.email,
                auth_time: row.auth_time,
            }))
        })
        .await
}

/// Ends the session a cookie names; returns its ID token, for RP-initiated logout of the built-in workspace.
pub async fn end(app: &AppState, cookie: &str) -> Result<Option<String>> {
    let hash = crate::secret::hash(cookie);
    app.db
        .run(move |c| {
            let row = portal::find_session(c, &hash)?;
            portal::delete_session(c, &hash)?;
            Ok(row.map(|r| r.id_token))
        })
        .await
}
