//! Invitations: a single-use activation token (stored hashed) with an expiry, and the message that carries it.

use super::error::Result;
use crate::notify::{Message, Recipient};
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

/// The invitation message for a recipient.
pub fn message(to: Recipient, public_url: &str, token: &str) -> Message {
    let link = format!("{public_url}/invitations/{token}");
    Message {
        to,
        subject: "You are invited".into(),
        body: format!(
            "You have been invited. Open this link within 7 days to set up your account: {link}"
        ),
    }
}
