//! Invitations: a single-use activation token (stored hashed) with an expiry, and the message that carries it
//! (its texts are the `invite` templates, rendered by `crate::messages`).

use super::error::Result;
use crate::messages;
use crate::notify::{Message, NotifyError, Recipient};
use crate::store::DbConn;
use crate::store::invitations::{self, InvitationRow};

/// How long an invitation link stays valid.
pub const LIFETIME_SECONDS: i64 = 7 * 24 * 3600;

/// Creates an invitation for `user`; returns the token, which exists nowhere else in clear.
pub fn create(conn: &mut DbConn, user: &str, now: i64) -> Result<String> {
    let token = crate::secret::generate();
    invitations::insert(
        conn,
        &InvitationRow {
            id: crate::secret::new_id(),
            user_id: user.to_owned(),
            token_hash: crate::secret::hash(&token),
            expires_at: now + LIFETIME_SECONDS,
            accepted_at: None,
            revoked_at: None,
            created_at: now,
        },
    )?;
    Ok(token)
}

/// The invitation message for a recipient: the activation link and how long it stays valid.
pub fn message(
    to: Recipient,
    public_url: &str,
    token: &str,
) -> std::result::Result<Message, NotifyError> {
    let link = format!("{public_url}/invitations/{token}");
    messages::invitation(to, &link, LIFETIME_SECONDS / (24 * 3600))
}
