//! Envelope encryption of private signing keys at rest (`TARN_KEY_ENCRYPTION_KEYS`): AES-256-GCM through
//! aws-lc-rs under the first key of an operator's keyring, the others only decrypting until `tarn keys rewrap`.
//!
//! A stored value is `enc:v1:{key id}:{base64(nonce ‖ ciphertext ‖ tag)}`; the associated data
//! `tarn/v1/{table}/{row}/{column}` binds it to its place, so a ciphertext copied to another row fails to open.
//! A value without the `enc:` prefix is a legacy plaintext (base64 PKCS#8, which never contains `:`).

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const PREFIX: &str = "enc:v1:";

/// The environment variable that holds the keyring, named in every error about it.
pub const VARIABLE: &str = "TARN_KEY_ENCRYPTION_KEYS";

/// Where a ciphertext lives: its table, row and column (the associated data).
pub struct Place<'a> {
    pub table: &'a str,
    pub row: &'a str,
    pub column: &'a str,
}

impl Place<'_> {
    fn aad(&self) -> String {
        format!("tarn/v1/{}/{}/{}", self.table, self.row, self.column)
    }
}

/// Why a keyring or a stored value cannot be used; each message names [`VARIABLE`].
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("{VARIABLE}: {0}")]
    Invalid(String),
    #[error(
        "{VARIABLE}: a stored key is encrypted under key id `{0}`, which the keyring does not hold"
    )]
    MissingKey(String),
    #[error(
        "{VARIABLE}: a stored key does not decrypt under key id `{0}` (a wrong key, or a damaged or moved value)"
    )]
    WrongKey(String),
    #[error("{VARIABLE} is not set, but stored signing keys are encrypted")]
    Unset,
    #[error("cannot read or write the stored signing keys: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// The operator's keys, by id; the first encrypts.
pub struct Keyring {
    keys: Vec<(String, RandomizedNonceKey)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring").field("ids", &ids).finish()
    }
}

impl Keyring {
    /// Parses `id:KEY[,id:KEY…]`, KEY being 32 bytes in base64url; ids are `[A-Za-z0-9_-]`, distinct.
    pub fn parse(value: &str) -> Result<Keyring, KeyringError> {
        let invalid = |why: String| KeyringError::Invalid(why);
        let mut keys: Vec<(String, RandomizedNonceKey)> = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((id, key)) = entry.split_once(':') else {
                return Err(invalid("each entry is id:KEY".into()));
            };
            let well_formed = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !well_formed {
                return Err(invalid(format!(
                    "`{id}` is not a key id ([A-Za-z0-9_-], at most 64)"
                )));
            }
            if keys.iter().any(|(known, _)| known == id) {
                return Err(invalid(format!("key id `{id}` appears twice")));
            }
            let bytes = URL_SAFE_NO_PAD
                .decode(key.trim_end_matches('='))
                .ok()
                .filter(|b| b.len() == 32)
                .ok_or_else(|| {
                    invalid(format!("the key of `{id}` is not 32 bytes in base64url"))
                })?;
            let key = RandomizedNonceKey::new(&AES_256_GCM, &bytes)
                .map_err(|_| invalid(format!("the key of `{id}` is unusable")))?;
            keys.push((id.to_owned(), key));
        }
        if keys.is_empty() {
            return Err(invalid("no key given".into()));
        }
        Ok(Keyring { keys })
    }

    /// Encrypts `plaintext` for `place` under the first key.
    pub fn seal(&self, place: &Place, plaintext: &[u8]) -> Result<String, KeyringError> {
        let (id, key) = &self.keys[0];
        let mut buffer = plaintext.to_vec();
        let nonce = key
            .seal_in_place_append_tag(Aad::from(place.aad().as_bytes()), &mut buffer)
            .map_err(|_| KeyringError::Invalid("encryption failed".into()))?;
        let mut blob = nonce.as_ref().to_vec();
        blob.extend_from_slice(&buffer);
        Ok(format!("{PREFIX}{id}:{}", STANDARD.encode(blob)))
    }

    /// Decrypts a value sealed for `place` by any key of the keyring.
    pub fn open(&self, place: &Place, stored: &str) -> Result<Vec<u8>, KeyringError> {
        let (id, body) = split(stored).ok_or_else(|| KeyringError::WrongKey("?".into()))?;
        let key = self
            .keys
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, key)| key)
            .ok_or_else(|| KeyringError::MissingKey(id.to_owned()))?;
        let wrong = || KeyringError::WrongKey(id.to_owned());
        let blob = STANDARD.decode(body).map_err(|_| wrong())?;
        if blob.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut buffer = sealed.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(place.aad().as_bytes()), &mut buffer)
            .map_err(|_| wrong())?;
        Ok(plain.to_vec())
    }

    /// Whether `stored` is already sealed under the first key (nothing for `rewrap` to do).
    pub fn is_current(&self, stored: &str) -> bool {
        split(stored).is_some_and(|(id, _)| id == self.keys[0].0)
    }
}

/// Whether a stored value is a ciphertext rather than a legacy plaintext.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

fn split(stored: &str) -> Option<(&str, &str)> {
    stored.strip_prefix(PREFIX)?.split_once(':')
}

/// Reads a stored private key: opens a ciphertext with the keyring, decodes a legacy plaintext.
pub fn reveal(
    keyring: Option<&Keyring>,
    place: &Place,
    stored: &str,
) -> Result<Vec<u8>, KeyringError> {
    match (is_sealed(stored), keyring) {
        (true, Some(keyring)) => keyring.open(place, stored),
        (true, None) => Err(KeyringError::Unset),
        (false, _) => STANDARD
            .decode(stored)
            .map_err(|_| KeyringError::Invalid("a stored key is neither base64 nor sealed".into())),
    }
}

/// How to store a private key: sealed when there is a keyring, else base64 as before.
pub fn conceal(
    keyring: Option<&Keyring>,
    place: &Place,
    plaintext: &[u8],
) -> Result<String, KeyringError> {
    match keyring {
        Some(keyring) => keyring.seal(place, plaintext),
        None => Ok(STANDARD.encode(plaintext)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        URL_SAFE_NO_PAD.encode([byte; 32])
    }

    fn place(row: &str) -> Place<'_> {
        Place {
            table: "signing_keys",
            row,
            column: "private_der",
        }
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_under_its_key() {
        let (a, b) = (key(1), key(2));
        let ring = Keyring::parse(&format!("new:{b},old:{a}")).unwrap();
        let sealed = ring.seal(&place("k1"), b"secret").unwrap();
        assert!(sealed.starts_with("enc:v1:new:"));
        assert!(!sealed.contains("secret"));
        assert_eq!(ring.open(&place("k1"), &sealed).unwrap(), b"secret");
        assert!(matches!(
            ring.open(&place("k2"), &sealed),
            Err(KeyringError::WrongKey(_))
        ));
        let old_only = Keyring::parse(&format!("old:{a}")).unwrap();
        assert!(matches!(
            old_only.open(&place("k1"), &sealed),
            Err(KeyringError::MissingKey(_))
        ));
        let impostor = Keyring::parse(&format!("new:{a}")).unwrap();
        assert!(matches!(
            impostor.open(&place("k1"), &sealed),
            Err(KeyringError::WrongKey(_))
        ));
        assert!(ring.is_current(&sealed) && !old_only.is_current(&sealed));
    }

    #[test]
    fn a_bad_keyring_is_refused_naming_the_variable() {
        let (a, b) = (key(1), key(2));
        for bad in [
            "",
            "nokey",
            ":AAAA",
            "a:short",
            &format!("a:{a},a:{b}"),
            &format!("bad id:{a}"),
        ] {
            let e = Keyring::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(VARIABLE), "{bad}: {e}");
        }
    }
}
