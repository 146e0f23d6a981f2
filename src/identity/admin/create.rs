//! Making administrators: `tarn admin create` (with a password, or an invitation valid 24 hours) and the one-time
//! **Set up Tarn** page, which closes for good, atomically, with the first administrator it makes.

use std::net::IpAddr;

use super::{ADMINISTRATORS, POOL, TENANT};
use crate::authn::lockout::{self, Attempt};
use crate::authn::password::Hasher;
use crate::identity::error::{Error, Result, unique_as_conflict};
use crate::identity::identifier::normalise_email;
use crate::store::invitations::InvitationRow;
use crate::store::users::{Status, UserRow};
use crate::store::{Db, DbConn, groups, invitations, portal, settings, users};

/// Set once an administrator was made; from then on the setup page is gone.
const SETUP_CLOSED: &str = "portal_setup_closed";
/// How long the invitation of `tarn admin create --invite` can be used.
pub const INVITATION_SECONDS: i64 = 24 * 3600;
const DUPLICATE: &str = "the Administrators pool already has a user with this email";

/// How the new administrator gets their credentials.
pub enum Credential {
    Password(String),
    /// A single-use link where they set a password or create a passkey.
    Invite,
}

/// The invitation token, when the administrator was invited.
#[derive(Debug)]
pub struct Created {
    pub invitation_token: Option<String>,
}

/// Whether the setup page is still offered: nobody has been made administrator yet, and `administrators` has no
/// active member.
pub fn is_setup_open(conn: &mut DbConn) -> Result<bool> {
    Ok(settings::find(conn, SETUP_CLOSED)?.is_none()
        && portal::count_other_active_members(conn, ADMINISTRATORS, None)? == 0)
}

/// Makes `email` an administrator (the CLI). It closes the setup page too.
pub async fn create(
    db: &Db,
    hasher: &Hasher,
    now: i64,
    email: &str,
    credential: Credential,
) -> Result<Created> {
    let row = new_user(db, hasher, now, email, &credential).await?;
    db.transaction(move |c| {
        settings::insert_if_absent(c, SETUP_CLOSED, "cli")?;
        insert(c, row, matches!(credential, Credential::Invite), now)
    })
    .await
}

/// What the setup page was given.
pub struct Setup {
    pub admin_token: String,
    pub identifier: String,
    pub new_password: String,
    pub client: Option<IpAddr>,
}

/// The setup page's one action: checks the admin API token (rate-limited per address like a sign-in), then makes
/// the first administrator and closes the page in the same transaction, so of two submissions at the same moment
/// exactly one succeeds.
pub async fn set_up(
    db: &Db,
    hasher: &Hasher,
    admin_token_hash: &str,
    now: i64,
    s: Setup,
) -> Result<Created> {
    let attempt = Attempt::new(TENANT, "setup", s.client);
    let admitted = {
        let attempt = attempt.clone();
        db.run(move |c| lockout::admit(c, &attempt, now)).await?
    };
    if !admitted {
        return Err(Error::invalid(
            "admin_token",
            "too many attempts; try again in a few minutes",
        ));
    }
    if !crate::secret::matches(&s.admin_token, admin_token_hash) {
        db.run(move |c| lockout::record_failure(c, &attempt, now))
            .await?;
        return Err(Error::invalid(
            "admin_token",
            "this is not the admin API token",
        ));
    }
    db.run(move |c| lockout::record_success(c, &attempt))
        .await?;
    let password = Credential::Password(s.new_password);
    let row = new_user(db, hasher, now, &s.identifier, &password).await?;
    db.transaction(move |c| {
        if !is_setup_open(c)? || !settings::insert_if_absent(c, SETUP_CLOSED, "setup")? {
            return Err(Error::Conflict("Tarn is already set up".into()));
        }
        insert(c, row, false, now)
    })
    .await
}

/// The user row for a new administrator, its password (if any) checked against the pool's policy and hashed.
async fn new_user(
    db: &Db,
    hasher: &Hasher,
    now: i64,
    email: &str,
    credential: &Credential,
) -> Result<UserRow> {
    let email = normalise_email("identifier", email)?;
    let pool = db.run(|c| crate::identity::pool::by_id(c, POOL)).await?;
    let password_hash = match credential {
        Credential::Password(password) => {
            if let Some(problem) = pool.password_policy.violation(password, &[&email]) {
                return Err(Error::invalid("new_password", problem));
            }
            let hash = hasher.hash(password.clone()).await;
            Some(hash.map_err(|_| Error::Overloaded)?)
        }
        Credential::Invite => None,
    };
    let status = match credential {
        Credential::Password(_) => Status::Active,
        Credential::Invite => Status::Invited,
    };
    Ok(UserRow {
        id: crate::secret::new_id(),
        pool_id: POOL.into(),
        email: Some(email),
        mobile: None,
        email_verified: false,
        mobile_verified: false,
        status,
        payload: "{}".into(),
        metadata: "{}".into(),
        password_hash,
        created_at: now,
        updated_at: now,
    })
}

fn insert(c: &mut DbConn, row: UserRow, invite: bool, now: i64) -> Result<Created> {
    users::insert(c, &row).map_err(unique_as_conflict(DUPLICATE))?;
    groups::add_member(c, ADMINISTRATORS, &row.id, now)?;
    let invitation_token = invite.then(crate::secret::generate);
    if let Some(token) = &invitation_token {
        invitations::insert(
            c,
            &InvitationRow {
                id: crate::secret::new_id(),
                user_id: row.id.clone(),
                token_hash: crate::secret::hash(token),
                expires_at: now + INVITATION_SECONDS,
                accepted_at: None,
                revoked_at: None,
                created_at: now,
            },
        )?;
    }
    Ok(Created { invitation_token })
}
