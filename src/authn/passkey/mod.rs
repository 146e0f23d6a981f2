//! Passkeys (WebAuthn with webauthn-rs): the relying party, ceremonies kept in the database, sign-in and
//! enrolment (also when registering or activating an invited account), and the user's list of passkeys.

pub mod activate;
pub mod admin;
mod ceremony;
pub mod enrol;
pub mod sign_in;

use webauthn_rs::fake::{FakePasskeyDistribution, WebauthnFakeCredentialGenerator};
use webauthn_rs::prelude::{Passkey, Url, Webauthn, WebauthnBuilder};

use crate::identity::pool::{self, Mechanism};
use crate::state::AppState;
use crate::store::passkeys::{self, PasskeyRow};
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, StoreError};

pub use ceremony::Subject;

/// Why a passkey ceremony did not succeed. Deliberately coarse towards the visitor: the details are logged.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// No relying party could be set up from the configuration (an IP address as host, say).
    #[error("passkeys are not available on this server")]
    Unavailable,
    /// The ceremony is unknown, already finished, expired, or belongs to something else.
    #[error("the passkey request expired; start again")]
    Expired,
    /// The browser's answer did not verify, or names an unknown, removed or foreign credential.
    #[error("the passkey was not accepted")]
    Refused,
    /// The browser's answer is not a WebAuthn credential at all.
    #[error("the passkey answer is malformed")]
    Malformed,
    #[error("{0}")]
    Invalid(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Options for `navigator.credentials.create` or `.get`, and the id of the ceremony they belong to.
pub struct Options {
    pub ceremony: String,
    /// webauthn-rs's `CreationChallengeResponse` or `RequestChallengeResponse` (`{"publicKey": …}`).
    pub options: serde_json::Value,
}

/// The WebAuthn relying party of this server, with the generator of decoy credential ids for unknown users.
pub struct RelyingParty {
    pub(crate) webauthn: Webauthn,
    decoys: WebauthnFakeCredentialGenerator<FakePasskeyDistribution>,
}

impl RelyingParty {
    /// A relying party for `rp_id` on `origin`; `decoy_key` keys the decoy credential ids (see [`decoy_key`]).
    pub fn new(rp_id: &str, origin: &str, decoy_key: &[u8]) -> Result<RelyingParty, String> {
        let origin = Url::parse(origin).map_err(|e| format!("origin `{origin}`: {e}"))?;
        let webauthn = WebauthnBuilder::new(rp_id, &origin)
            .and_then(|b| b.rp_name("Tarn").build())
            .map_err(|e| format!("relying party `{rp_id}` on `{origin}`: {e}"))?;
        let decoys = WebauthnFakeCredentialGenerator::new(decoy_key)
            .map_err(|e| format!("decoy key: {e}"))?;
        Ok(RelyingParty { webauthn, decoys })
    }
}

const DECOY_KEY: &str = "passkey_decoy_key";

/// The installation's secret for decoy credential ids, generated once and shared by every instance: the ids an
/// unknown identifier gets must be the same whichever instance answers, or asking twice would tell.
pub fn decoy_key(conn: &mut DbConn) -> Result<Vec<u8>, StoreError> {
    Ok(crate::authn::installation::secret(conn, DECOY_KEY)?.into_bytes())
}

/// The credential id as stored and shown: base64url without padding.
pub fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The `amr` values of a passkey sign-in (RFC 8176): `swk` for a synced passkey (backup eligible, so its key is
/// not bound to one device), `hwk` for a device-bound one; `user` because presence and verification were tested.
pub fn amr(backup_eligible: bool) -> Vec<String> {
    let key = if backup_eligible { "swk" } else { "hwk" };
    vec![key.to_owned(), "user".to_owned()]
}

/// A user's passkeys, oldest first.
pub fn list(conn: &mut DbConn, user: &str) -> Result<Vec<PasskeyRow>, StoreError> {
    passkeys::list_for_user(conn, user)
}

/// Whether the user's pool offers passkeys.
pub fn pool_offers(conn: &mut DbConn, user: &UserRow) -> Result<bool, StoreError> {
    match pool::by_id(conn, &user.pool_id) {
        Ok(p) => Ok(p.offers(Mechanism::Passkey)),
        Err(crate::identity::Error::Store(e)) => Err(e),
        Err(_) => Ok(false),
    }
}

/// Whether to suggest a passkey to a user who just signed in another way: their pool prefers passkeys (its
/// `preferred_authentication_mechanism`) and the user has none yet. Pools that merely allow passkeys send users
/// straight back to the application; their users add passkeys on the account page.
pub fn worth_suggesting(conn: &mut DbConn, user: &str) -> Result<bool, StoreError> {
    let Some(user) = users::find_by_id(conn, user)? else {
        return Ok(false);
    };
    let prefers = match pool::by_id(conn, &user.pool_id) {
        Ok(p) => {
            p.offers(Mechanism::Passkey)
                && p.preferred_authentication_mechanism == Mechanism::Passkey
        }
        Err(crate::identity::Error::Store(e)) => return Err(e),
        Err(_) => false,
    };
    Ok(prefers && passkeys::list_for_user(conn, &user.id)?.is_empty())
}

/// A user's passkeys, and whether their pool offers passkeys (so more may be added).
pub async fn overview(
    app: &AppState,
    user: &UserRow,
) -> Result<(Vec<PasskeyRow>, bool), StoreError> {
    let user = user.clone();
    app.db
        .run(move |c| Ok((list(c, &user.id)?, pool_offers(c, &user)?)))
        .await
}

/// Renames one of the user's passkeys (the account page).
pub async fn rename_own(
    app: &AppState,
    user: &str,
    id: &str,
    name: &str,
) -> Result<(), PasskeyError> {
    let (u, id, name) = (user.to_owned(), id.to_owned(), name.to_owned());
    app.db.run(move |c| rename(c, &u, &id, &name)).await
}

/// Removes one of the user's passkeys (the account page).
pub async fn remove_own(app: &AppState, user: &str, id: &str) -> Result<(), PasskeyError> {
    let (u, id) = (user.to_owned(), id.to_owned());
    app.db.run(move |c| remove(c, &u, &id)).await
}

/// The longest passkey name accepted.
const MAX_NAME: usize = 64;

/// Renames one of the user's passkeys.
pub fn rename(conn: &mut DbConn, user: &str, id: &str, name: &str) -> Result<(), PasskeyError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(PasskeyError::Invalid(format!(
            "a passkey name has 1 to {MAX_NAME} characters"
        )));
    }
    if !passkeys::rename(conn, user, id, name)? {
        return Err(PasskeyError::NotFound);
    }
    Ok(())
}

/// Removes one of the user's passkeys; it can no longer sign in, even in a ceremony already begun.
pub fn remove(conn: &mut DbConn, user: &str, id: &str) -> Result<(), PasskeyError> {
    if !passkeys::delete(conn, user, id)? {
        return Err(PasskeyError::NotFound);
    }
    Ok(())
}

/// The JSON a browser posts for a passkey (`RegisterPublicKeyCredential` or `PublicKeyCredential`).
pub(crate) fn parse_credential<T: serde::de::DeserializeOwned>(
    json: &str,
) -> Result<T, PasskeyError> {
    serde_json::from_str(json).map_err(|_| PasskeyError::Malformed)
}

/// Whether a sign counter may follow the stored one (WebAuthn §7.2 step 21): when either is non-zero it must grow,
/// or the credential may have been cloned.
pub fn counter_advances(stored: i64, presented: u32) -> bool {
    (stored == 0 && presented == 0) || i64::from(presented) > stored
}

fn parse_passkey(row: &PasskeyRow) -> Result<Passkey, PasskeyError> {
    serde_json::from_str(&row.passkey)
        .map_err(|e| PasskeyError::Store(StoreError::Blocking(format!("stored passkey: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_must_grow_unless_the_authenticator_keeps_none() {
        assert!(counter_advances(0, 0));
        assert!(counter_advances(0, 1));
        assert!(counter_advances(4, 5));
        assert!(!counter_advances(5, 5));
        assert!(!counter_advances(5, 4));
        assert!(!counter_advances(5, 0));
    }

    #[test]
    fn amr_tells_synced_from_device_bound_passkeys() {
        assert_eq!(amr(false), ["hwk", "user"]);
        assert_eq!(amr(true), ["swk", "user"]);
    }

    #[test]
    fn a_bare_ip_cannot_be_a_relying_party() {
        assert!(RelyingParty::new("localhost", "http://localhost:8080", &[7; 32]).is_ok());
        assert!(RelyingParty::new("127.0.0.1", "http://127.0.0.1:8080", &[7; 32]).is_err());
    }
}
