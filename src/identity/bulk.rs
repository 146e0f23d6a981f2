//! One action on several users of a pool (the portal's bulk actions): each user goes through the same function a
//! single change goes through (`user::update`, `user::delete`, `invitation::resend`, `membership::assign_many`), so
//! every rule and audit event is the single change's. The answer says, per user, what was done, what was already
//! so, and what a rule refused; ids that are not users of this pool refuse the whole request before anything
//! changes.

use super::error::{Error, Result};
use super::membership::{self, Assignment};
use super::user::{self, Status, User, UserPatch};
use crate::audit;
use crate::state::AppState;

/// What to do to each selected user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Deactivate,
    Activate,
    ResendInvitation,
    /// Add to the group with this id.
    AssignToGroup(String),
    Delete,
}

/// What a bulk action did, user by user.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Changed by the action.
    pub done: Vec<User>,
    /// Already as the action would leave them (already inactive, already a member).
    pub unchanged: Vec<User>,
    /// Refused by a rule, with its message (the last administrator, an invited user who cannot be activated).
    pub refused: Vec<(User, String)>,
}

/// The users with these ids, all of the tenant's pool, in the order given without repeats; `NotFound` when any
/// is not (another pool's or tenant's user included), so nothing is done to a list someone tampered with.
pub async fn selected(
    app: &AppState,
    tenant: &str,
    pool: &str,
    ids: Vec<String>,
) -> Result<Vec<User>> {
    let ids = membership::distinct_ids(ids)?;
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        users.push(user::find(app, tenant, pool, &id).await?);
    }
    Ok(users)
}

/// Applies `action` to every user of `ids` (see [`selected`]).
pub async fn apply(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    action: &Action,
    ids: Vec<String>,
) -> Result<Outcome> {
    let users = selected(app, tenant, pool, ids).await?;
    if let Action::AssignToGroup(group) = action {
        return assign(app, ctx, tenant, pool, group, users).await;
    }
    let mut out = Outcome::default();
    for u in users {
        match one(app, ctx, tenant, pool, action, &u).await {
            Ok(true) => out.done.push(u),
            Ok(false) => out.unchanged.push(u),
            Err(Error::Conflict(why)) => out.refused.push((u, why)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The action on one user: whether it changed anything.
async fn one(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    action: &Action,
    u: &User,
) -> Result<bool> {
    let status = |s| UserPatch {
        status: Some(s),
        ..UserPatch::default()
    };
    match (action, u.status) {
        (Action::Deactivate, Status::Inactive) | (Action::Activate, Status::Active) => Ok(false),
        (Action::Activate, Status::Invited) => Err(Error::Conflict(
            "is waiting for their invitation; resend it instead".into(),
        )),
        (Action::Deactivate, _) => {
            user::update(app, ctx, tenant, pool, &u.id, status(Status::Inactive)).await?;
            Ok(true)
        }
        (Action::Activate, _) => {
            user::update(app, ctx, tenant, pool, &u.id, status(Status::Active)).await?;
            Ok(true)
        }
        (Action::ResendInvitation, Status::Invited) => {
            super::invitation::resend(app, ctx, tenant, pool, &u.id).await?;
            Ok(true)
        }
        (Action::ResendInvitation, _) => Ok(false),
        (Action::Delete, _) => {
            user::delete(app, ctx, tenant, pool, &u.id).await?;
            Ok(true)
        }
        (Action::AssignToGroup(group), _) => {
            super::group::assign(app, ctx, tenant, pool, group, &u.id).await?;
            Ok(true)
        }
    }
}

/// Adding to a group is one transaction for all of them, as Assign Users does.
async fn assign(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    group: &str,
    users: Vec<User>,
) -> Result<Outcome> {
    let input = Assignment {
        user_ids: users.iter().map(|u| u.id.clone()).collect(),
    };
    let done = membership::assign_many(app, ctx, tenant, pool, group, input).await?;
    let (mut out, is_done) = (Outcome::default(), |u: &User| done.assigned.contains(&u.id));
    for u in users {
        match is_done(&u) {
            true => out.done.push(u),
            false => out.unchanged.push(u),
        }
    }
    Ok(out)
}
