//! The built-in administration: tenant `admin` with its **Administrators** pool (groups `administrators` and
//! `auditors`), the built-in workspace `admin/admin` that the portal signs administrators in through, and the portal
//! as its confidential client. `builtin` creates them at start; `create` makes administrators (the CLI and the
//! one-time setup page); here are the rules that protect them, each in one function the admin API and the portal
//! both go through.
//!
//! Paths: the built-in workspace's issuer is `{public_url}/admin/admin`. `admin` is a reserved slug, so no customer
//! tenant is `admin` and no workspace anywhere (tenant `admin` included) can be created with the id `admin`. The
//! portal's own pages are `/admin` and `/admin/-/…`: a workspace id is a slug, which cannot start with `-`, so no
//! issuer `/admin/{workspace}` ever reaches them (the same trick as GitLab's `/-/` routes).

mod builtin;
mod create;

pub use builtin::{ClientUrls, ensure};
pub use create::{Credential, Setup, create, is_setup_open, set_up};

use super::error::{Error, Result};
use crate::store::{DbConn, portal};

/// The built-in tenant (a reserved slug: nobody else can have it).
pub const TENANT: &str = "admin";
/// The built-in workspace of that tenant (reserved too, so no workspace can be created with this id).
pub const WORKSPACE: &str = "admin";
/// The Administrators pool's id.
pub const POOL: &str = "administrators";
/// The group whose members may do everything (its id and its name).
pub const ADMINISTRATORS: &str = "administrators";
/// The group whose members may look at everything and change nothing (its id and its name).
pub const AUDITORS: &str = "auditors";
/// The portal's client id at the built-in workspace.
pub const PORTAL_CLIENT: &str = "tarn-portal";
/// Where the built-in workspace sends the portal's authorization responses.
pub const CALLBACK_PATH: &str = "/admin/-/callback";
/// Where RP-initiated logout of the built-in workspace returns to.
pub const SIGNED_OUT_PATH: &str = "/admin/-/signed-out";

const LAST_ADMINISTRATOR: &str = "this is the last active administrator: they cannot be removed from administrators, deactivated or deleted";

/// What a member of the Administrators pool may do in the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Member of `administrators`: everything.
    Administrator,
    /// Member of `auditors`: every page, no change.
    Auditor,
}

/// The role of `user` (read from the database on every request): `None` unless the user is an active user of the
/// Administrators pool and a direct member of one of its two groups.
pub fn role_of(conn: &mut DbConn, user: &str) -> Result<Option<Role>> {
    if portal::is_active_member(conn, ADMINISTRATORS, user)? {
        return Ok(Some(Role::Administrator));
    }
    if portal::is_active_member(conn, AUDITORS, user)? {
        return Ok(Some(Role::Auditor));
    }
    Ok(None)
}

/// Refuses renaming or deleting the built-in Administrators pool.
pub fn guard_pool(tenant: &str, pool: &str) -> Result<()> {
    refuse(
        tenant == TENANT && pool == POOL,
        "the built-in Administrators pool cannot be deleted or renamed",
    )
}

/// Whether `(tenant, workspace)` is the built-in workspace the portal signs administrators in through.
pub fn is_builtin_workspace(tenant: &str, workspace: &str) -> bool {
    tenant == TENANT && workspace == WORKSPACE
}

/// Refuses renaming or deleting the built-in workspace.
pub fn guard_workspace(tenant: &str, workspace: &str) -> Result<()> {
    refuse(
        is_builtin_workspace(tenant, workspace),
        "the built-in workspace cannot be deleted or renamed",
    )
}

/// Refuses renaming or deleting the groups `administrators` and `auditors` of the Administrators pool.
pub fn guard_group(pool: &str, group: &str) -> Result<()> {
    refuse(
        pool == POOL && (group == ADMINISTRATORS || group == AUDITORS),
        "the built-in groups administrators and auditors cannot be deleted or renamed",
    )
}

/// The last-administrator rule, for a change that would take `user` of `pool` out of the active members of
/// `administrators` (removing them from it, deactivating or deleting them): refused when nobody else would be
/// left. Call it inside the change's transaction: it locks the group's row, so two such changes at the same moment
/// are judged one after the other and cannot both take the last two.
pub fn ensure_not_last_administrator(conn: &mut DbConn, pool: &str, user: &str) -> Result<()> {
    if pool != POOL {
        return Ok(());
    }
    portal::lock_group(conn, ADMINISTRATORS)?;
    let is_one = portal::is_active_member(conn, ADMINISTRATORS, user)?;
    if is_one && portal::count_other_active_members(conn, ADMINISTRATORS, Some(user))? == 0 {
        return Err(Error::Conflict(LAST_ADMINISTRATOR.into()));
    }
    Ok(())
}

fn refuse(refused: bool, message: &str) -> Result<()> {
    match refused {
        true => Err(Error::Conflict(message.into())),
        false => Ok(()),
    }
}
