//! SSO sessions: a random cookie value whose SHA-256 names a row; bound to one workspace, ended on logout,
//! expiry, or when the user stops being active. Each session has a public id, `sid`, that its ID tokens carry.
//! Ending a session is one door ([`end`], [`end_all_for_user`]): it revokes the grants issued in the session
//! (their refresh tokens die) and queues a back-channel logout token for every client that took part
//! (`notify::backchannel`); the caller wakes the worker once its transaction committed.

use serde_json::json;

use crate::store::sessions::{self, SessionRow};
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, StoreResult, grants, workspaces};

/// A live session and its user.
pub struct Session {
    pub row: SessionRow,
    pub user: UserRow,
}

impl Session {
    /// The authentication methods of the sign-in that started the session.
    pub fn amr(&self) -> Vec<String> {
        serde_json::from_str(&self.row.amr).unwrap_or_default()
    }
}

/// A session just started: the cookie value (which exists nowhere else in clear) and its `sid`.
pub struct Started {
    pub cookie: String,
    pub sid: String,
}

/// Starts a session.
pub fn create(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    user: &str,
    amr: &[String],
    ttl: i64,
    now: i64,
) -> StoreResult<Started> {
    let value = crate::secret::generate();
    let sid = crate::secret::new_id();
    sessions::insert_session(
        conn,
        &SessionRow {
            id_hash: crate::secret::hash(&value),
            tenant_id: tenant.to_owned(),
            workspace_id: workspace.to_owned(),
            user_id: user.to_owned(),
            auth_time: now,
            amr: json!(amr).to_string(),
            created_at: now,
            expires_at: now + ttl,
            ended_at: None,
            sid: Some(sid.clone()),
        },
    )?;
    Ok(Started { cookie: value, sid })
}

/// A session about to start.
pub struct NewSession<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub user: &'a str,
    pub amr: &'a [String],
    pub ttl: i64,
}

/// Starts the session of a sign-in that finishes the pending authorization request `request`. Returns the
/// session and whether to suggest a passkey first (`may_suggest_passkey` and
/// [`worth_suggesting`](super::passkey::worth_suggesting)); only then does the request stay pending, for the
/// suggestion page to resume.
pub fn start_for_request(
    conn: &mut DbConn,
    new: &NewSession<'_>,
    request: &str,
    may_suggest_passkey: bool,
    now: i64,
) -> StoreResult<(Started, bool)> {
    let suggest = may_suggest_passkey && super::passkey::worth_suggesting(conn, new.user)?;
    if !suggest {
        super::pending::consume(conn, request)?;
    }
    let started = create(
        conn,
        new.tenant,
        new.workspace,
        new.user,
        new.amr,
        new.ttl,
        now,
    )?;
    Ok((started, suggest))
}

/// The session a cookie names, if it is live for this workspace, its user is active, and the user's pool is
/// still connected to the workspace.
pub fn find_live(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    cookie: &str,
    now: i64,
) -> StoreResult<Option<Session>> {
    let Some(row) = sessions::find_session(conn, &crate::secret::hash(cookie))? else {
        return Ok(None);
    };
    if row.tenant_id != tenant
        || row.workspace_id != workspace
        || row.ended_at.is_some()
        || row.expires_at <= now
    {
        return Ok(None);
    }
    let Some(user) = users::find_by_id(conn, &row.user_id)?.filter(UserRow::is_active) else {
        return Ok(None);
    };
    let connected = workspaces::list_connections(conn, tenant, workspace)?
        .iter()
        .any(|c| c.pool_id == user.pool_id);
    Ok(connected.then_some(Session { row, user }))
}

/// Ends the session a cookie names (a no-op for unknown or ended sessions); the user signed out from `origin`.
pub fn end(
    conn: &mut DbConn,
    origin: &crate::audit::Origin,
    cookie: &str,
    now: i64,
) -> StoreResult<()> {
    if let Some(row) = sessions::end_session(conn, &crate::secret::hash(cookie), now)? {
        ended(conn, &row, now)?;
        let actor = crate::audit::Actor::User(row.user_id.clone());
        let ctx = crate::audit::Context::new(actor, origin.clone());
        record_ended(conn, &ctx, &row, "signed_out", now)?;
    }
    Ok(())
}

/// A `session.ended` event about the session's user (never the session's secret, only its public `sid`).
fn record_ended(
    conn: &mut DbConn,
    ctx: &crate::audit::Context,
    row: &SessionRow,
    reason: &'static str,
    now: i64,
) -> StoreResult<()> {
    use crate::audit::{Details, Event, EventType, SubjectType};
    let event = Event::new(EventType::SessionEnded)
        .reason(reason)
        .subject(SubjectType::User, &row.user_id)
        .workspace(&row.workspace_id)
        .details(Details::new().with("sid", &row.sid));
    crate::audit::record(conn, &row.tenant_id, ctx, now, event)
}

/// Ends every session of a user (deactivated, or their password reset).
pub fn end_all_for_user(conn: &mut DbConn, user: &str, now: i64) -> StoreResult<()> {
    for row in sessions::end_user_sessions(conn, user, now)? {
        ended(conn, &row, now)?;
        // The change that ended them (a deactivation, a password reset) has its own event naming its actor.
        record_ended(
            conn,
            &crate::audit::Context::system(),
            &row,
            "user_sessions_ended",
            now,
        )?;
    }
    Ok(())
}

/// What follows the end of a session: its grants are revoked and the clients that took part are told.
fn ended(conn: &mut DbConn, row: &SessionRow, now: i64) -> StoreResult<()> {
    let Some(sid) = &row.sid else {
        return Ok(());
    };
    let clients = grants::session_clients(conn, sid)?;
    grants::revoke_session_grants(conn, sid, now)?;
    crate::notify::backchannel::queue(conn, row, &clients, now)
}
