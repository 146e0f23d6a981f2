//! Workspace signing keys: generation (aws-lc-rs), parsed key pairs held in memory, the public JWK Set, rotation.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::error::TokenError;
use super::keyring::{self, Keyring, KeyringError, Place};
use crate::identity::client::SigningAlg;
use crate::store::keys::{self, KeyRow};
use crate::store::{DbConn, StoreResult};

/// Every algorithm Tarn signs with; each workspace has one current key per algorithm.
pub const ALGORITHMS: [SigningAlg; 3] = [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::EdDSA];

enum Pair {
    Rsa(sig::RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A parsed private key, ready to sign without re-parsing (RSA parsing dominates RS256 signing otherwise).
pub struct SigningKey {
    pub kid: String,
    pub alg: SigningAlg,
    pair: Pair,
}

impl SigningKey {
    /// Signs `message` (the JWS signing input) and returns the raw signature.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let failed = |_| TokenError::Internal("signing failed".into());
        match &self.pair {
            Pair::Rsa(k) => {
                let mut out = vec![0; k.public_modulus_len()];
                k.sign(
                    &sig::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut out,
                )
                .map_err(failed)?;
                Ok(out)
            }
            Pair::Ec(k) => Ok(k
                .sign(&SystemRandom::new(), message)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
            Pair::Ed(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }

    fn parse(kid: &str, alg: SigningAlg, pkcs8: &[u8]) -> Result<SigningKey, TokenError> {
        let bad = |_| TokenError::Internal(format!("stored key {kid} is unreadable"));
        let pair = match alg {
            SigningAlg::RS256 => Pair::Rsa(sig::RsaKeyPair::from_pkcs8(pkcs8).map_err(bad)?),
            SigningAlg::ES256 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                    .map_err(bad)?,
            ),
            SigningAlg::EdDSA => Pair::Ed(Ed25519KeyPair::from_pkcs8(pkcs8).map_err(bad)?),
        };
        Ok(SigningKey {
            kid: kid.to_owned(),
            alg,
            pair,
        })
    }

    /// The public half as a JWK with `kid`, `use` and `alg`.
    fn public_jwk(&self) -> Value {
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let (kid, alg) = (&self.kid, alg_name(self.alg));
        match &self.pair {
            Pair::Rsa(k) => {
                let public = k.public_key();
                json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": alg,
                       "n": b64(public.modulus().big_endian_without_leading_zero()),
                       "e": b64(public.exponent().big_endian_without_leading_zero())})
            }
            Pair::Ec(k) => {
                // Uncompressed point: 0x04 || x || y.
                let point = k.public_key().as_ref();
                json!({"kty": "EC", "kid": kid, "use": "sig", "alg": alg, "crv": "P-256",
                       "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
            Pair::Ed(k) => {
                json!({"kty": "OKP", "kid": kid, "use": "sig", "alg": alg, "crv": "Ed25519",
                                  "x": b64(k.public_key().as_ref())})
            }
        }
    }
}

/// The JOSE name of an algorithm.
pub fn alg_name(alg: SigningAlg) -> &'static str {
    match alg {
        SigningAlg::RS256 => "RS256",
        SigningAlg::ES256 => "ES256",
        SigningAlg::EdDSA => "EdDSA",
    }
}

fn parse_alg(name: &str) -> Option<SigningAlg> {
    ALGORITHMS.into_iter().find(|a| alg_name(*a) == name)
}

/// How old the oldest current signing key of each algorithm is at `now`, in seconds, across all workspaces: what
/// an operator watches to see that rotation keeps up.
pub fn oldest_current_ages(conn: &mut DbConn, now: i64) -> StoreResult<Vec<(&'static str, i64)>> {
    let oldest = keys::oldest_current_by_alg(conn)?;
    Ok(oldest
        .into_iter()
        .filter_map(|(name, created)| Some((alg_name(parse_alg(&name)?), now - created?)))
        .collect())
}

/// A new key pair for `alg`, as a row to store.
fn generate(
    tenant: &str,
    workspace: &str,
    alg: SigningAlg,
    now: i64,
    keyring: Option<&Keyring>,
) -> Result<KeyRow, TokenError> {
    let failed = |_| TokenError::Internal("key generation failed".into());
    let pkcs8: Vec<u8> = match alg {
        SigningAlg::RS256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
            pair.as_der().map_err(failed)?.as_ref().to_vec()
        }
        SigningAlg::ES256 => EcdsaKeyPair::generate_pkcs8(
            &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            &SystemRandom::new(),
        )
        .map_err(failed)?
        .as_ref()
        .to_vec(),
        SigningAlg::EdDSA => Ed25519KeyPair::generate_pkcs8v1(&SystemRandom::new())
            .map_err(failed)?
            .as_ref()
            .to_vec(),
    };
    let kid = format!(
        "{}-{}",
        alg_name(alg).to_lowercase(),
        &crate::secret::generate()[..16]
    );
    let key = SigningKey::parse(&kid, alg, &pkcs8)?;
    Ok(KeyRow {
        public_jwk: key.public_jwk().to_string(),
        private_der: keyring::conceal(keyring, &place(&kid), &pkcs8).map_err(unusable)?,
        kid,
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        alg: alg_name(alg).to_owned(),
        created_at: now,
        retired_at: None,
    })
}

fn has_current(rows: &[KeyRow], alg: SigningAlg) -> bool {
    rows.iter()
        .any(|r| r.retired_at.is_none() && r.alg == alg_name(alg))
}

/// A workspace's keys: the current signing key per algorithm and the published JWK Set.
pub struct KeyRing {
    current: Vec<SigningKey>,
    /// Serialised `{"keys": [...]}`: current and recently retired public keys.
    pub jwks_json: String,
    /// Public keys by `kid`, for verifying what this workspace signed (logout hints, access tokens).
    pub public: Vec<Value>,
}

impl KeyRing {
    /// The current key for `alg`.
    pub fn signer(&self, alg: SigningAlg) -> Result<&SigningKey, TokenError> {
        self.current
            .iter()
            .find(|k| k.alg == alg)
            .ok_or_else(|| TokenError::Internal("no current signing key".into()))
    }

    /// Whether `kid` is one of the published keys.
    pub fn publishes(&self, kid: &str) -> bool {
        self.public.iter().any(|k| k["kid"] == kid)
    }

    /// The `kid`s of the current signing keys.
    pub fn current_kids(&self) -> Vec<String> {
        self.current.iter().map(|k| k.kid.clone()).collect()
    }

    /// Loads the workspace's keys, generating any missing current key first ("on first use").
    /// Keys retired after `retired_since` stay published.
    pub fn load_or_create(
        conn: &mut DbConn,
        tenant: &str,
        workspace: &str,
        now: i64,
        retired_since: i64,
        keyring: Option<&Keyring>,
    ) -> Result<KeyRing, TokenError> {
        let mut rows = keys::list_published(conn, tenant, workspace, retired_since)?;
        if !ALGORITHMS.into_iter().all(|alg| has_current(&rows, alg)) {
            // Another instance may be creating them this very moment: wait for it, then look again.
            keys::lock_workspace(conn, tenant, workspace)?;
            rows = keys::list_published(conn, tenant, workspace, retired_since)?;
            for alg in ALGORITHMS {
                if !has_current(&rows, alg) {
                    keys::insert(conn, &generate(tenant, workspace, alg, now, keyring)?)?;
                }
            }
            rows = keys::list_published(conn, tenant, workspace, retired_since)?;
        }
        Self::from_rows(&rows, keyring)
    }

    fn from_rows(rows: &[KeyRow], keyring: Option<&Keyring>) -> Result<KeyRing, TokenError> {
        let mut current = Vec::new();
        for row in rows.iter().filter(|r| r.retired_at.is_none()) {
            let Some(alg) = parse_alg(&row.alg) else {
                continue;
            };
            // Rows are newest first: a concurrent first use on two instances leaves two keys; the newest wins.
            if current.iter().any(|k: &SigningKey| k.alg == alg) {
                continue;
            }
            let der =
                keyring::reveal(keyring, &place(&row.kid), &row.private_der).map_err(unusable)?;
            current.push(SigningKey::parse(&row.kid, alg, &der)?);
        }
        let public: Vec<Value> = rows
            .iter()
            .filter_map(|r| serde_json::from_str(&r.public_jwk).ok())
            .collect();
        let jwks_json = json!({ "keys": public }).to_string();
        Ok(KeyRing {
            current,
            jwks_json,
            public,
        })
    }
}

/// Retires the current keys and creates new ones; the retired ones stay published until their tokens expire.
pub fn rotate(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    now: i64,
    keyring: Option<&Keyring>,
) -> Result<(), TokenError> {
    // Two rotations at once would otherwise each retire only the keys it saw and both insert new ones.
    keys::lock_workspace(conn, tenant, workspace)?;
    keys::retire_current(conn, tenant, workspace, now)?;
    for alg in ALGORITHMS {
        keys::insert(conn, &generate(tenant, workspace, alg, now, keyring)?)?;
    }
    Ok(())
}

/// Where a workspace key's private half is stored: the associated data of its ciphertext.
fn place(kid: &str) -> Place<'_> {
    Place {
        table: "signing_keys",
        row: kid,
        column: "private_der",
    }
}

fn unusable(e: KeyringError) -> TokenError {
    TokenError::Internal(e.to_string())
}

/// At start-up: with a keyring, opens every stored private key (a wrong or missing key is an error) and seals
/// those still stored in plaintext; without one, refuses sealed keys it could not open. Returns how many it sealed.
pub fn seal_at_rest(conn: &mut DbConn, keyring: Option<&Keyring>) -> Result<usize, KeyringError> {
    let rows = keys::list_private(conn)?;
    let mut sealed = 0;
    for (kid, stored) in rows {
        let plain = keyring::reveal(keyring, &place(&kid), &stored)?;
        if let (Some(ring), false) = (keyring, keyring::is_sealed(&stored)) {
            let value = ring.seal(&place(&kid), &plain)?;
            keys::set_private(conn, &kid, &value)?;
            sealed += 1;
        }
    }
    Ok(sealed)
}

/// `tarn keys rewrap`: re-seals every stored private key under the keyring's first key. Returns how many changed.
pub fn rewrap(conn: &mut DbConn, keyring: &Keyring) -> Result<usize, KeyringError> {
    let rows = keys::list_private(conn)?;
    let mut changed = 0;
    for (kid, stored) in rows.into_iter().filter(|(_, s)| !keyring.is_current(s)) {
        let plain = keyring::reveal(Some(keyring), &place(&kid), &stored)?;
        let value = keyring.seal(&place(&kid), &plain)?;
        keys::set_private(conn, &kid, &value)?;
        changed += 1;
    }
    Ok(changed)
}
