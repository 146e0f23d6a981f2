//! The digest that stands for an identifier nobody holds: a failed sign-in for an unknown identifier records
//! `HMAC-SHA256(per-install key, normalised identifier)`, never the text, because people type passwords into the
//! identifier field. The same identifier always gives the same digest on one installation, so repeated attempts
//! can be correlated; without the key the digest cannot be tested against guesses.

use aws_lc_rs::hmac;

use crate::store::{DbConn, StoreError};

/// The installation setting holding the key.
const KEY_SETTING: &str = "audit.identifier_hmac_key";

/// The lowercase hex HMAC of `identifier` (trimmed and lowercased first, so spellings of one address agree).
pub fn digest(conn: &mut DbConn, identifier: &str) -> Result<String, StoreError> {
    let key = crate::authn::installation::secret(conn, KEY_SETTING)?;
    Ok(digest_with(&key, identifier))
}

fn digest_with(key: &str, identifier: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    let normalised = identifier.trim().to_lowercase();
    let tag = hmac::sign(&key, normalised.as_bytes());
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::digest_with;

    #[test]
    fn the_digest_is_keyed_and_ignores_case_and_spaces() {
        let a = digest_with("k1", " Bob@Example.com ");
        assert_eq!(a, digest_with("k1", "bob@example.com"));
        assert_ne!(a, digest_with("k2", "bob@example.com"));
        assert_eq!(a.len(), 64);
        assert!(!a.contains("bob"));
    }
}
