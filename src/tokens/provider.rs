//! A workspace as an OpenID Provider: issuer, lifetimes and keys, cached in memory for a few seconds.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::error::TokenError;
use super::keys::KeyRing;
use crate::cache::TtlCache;
use crate::identity::workspace::{self, Lifetimes};
use crate::store::{Db, workspaces};

/// How long a cached provider (and so a key rotation made elsewhere) may be stale.
pub const STALENESS: Duration = Duration::from_secs(5);

/// Everything the OIDC endpoints need about one workspace.
pub struct Provider {
    pub tenant: String,
    pub workspace: String,
    pub issuer: String,
    pub lifetimes: Lifetimes,
    pub keys: KeyRing,
    /// The discovery document, rendered once by the web layer.
    pub discovery_json: OnceLock<String>,
    /// DPoP nonces: whether proofs must carry one, and the installation's key that makes them (RFC 9449 §8).
    pub dpop: super::dpop::NonceSettings,
}

/// Providers by `(tenant, workspace)`.
pub struct Providers {
    cache: TtlCache<(String, String), Provider>,
}

impl Default for Providers {
    fn default() -> Self {
        Providers {
            cache: TtlCache::new(STALENESS),
        }
    }
}

impl Providers {
    /// The provider for a workspace; `None` when the workspace does not exist.
    pub async fn get(
        &self,
        db: &Db,
        public_url: &str,
        now: i64,
        tenant: &str,
        ws: &str,
    ) -> Result<Option<Arc<Provider>>, TokenError> {
        let key = (tenant.to_owned(), ws.to_owned());
        if let Some(p) = self.cache.get(&key) {
            return Ok(Some(p));
        }
        let issuer = workspace::issuer(public_url, tenant, ws);
        let (t, w) = key.clone();
        let loaded = db
            .transaction(move |c| {
                let Some(row) = workspaces::find(c, &t, &w)? else {
                    return Ok(None);
                };
                // Retired keys stay published while a token they signed can still be valid.
                let retention = row.access_token_ttl.max(row.id_token_ttl);
                let keys = KeyRing::load_or_create(c, &t, &w, now, now - retention)?;
                let nonce_key = crate::authn::installation::secret(c, "dpop_nonce_key")?;
                let lifetimes = Lifetimes {
                    access_token: row.access_token_ttl,
                    id_token: row.id_token_ttl,
                    refresh_token: row.refresh_token_ttl,
                    session: row.session_ttl,
                };
                Ok::<_, TokenError>(Some(Provider {
                    tenant: t,
                    workspace: w,
                    issuer,
                    lifetimes,
                    keys,
                    discovery_json: OnceLock::new(),
                    dpop: super::dpop::NonceSettings {
                        required: row.dpop_nonce_required,
                        key: nonce_key.into_bytes(),
                    },
                }))
            })
            .await?;
        Ok(loaded.map(|p| {
            let p = Arc::new(p);
            self.cache.put(key, p.clone());
            p
        }))
    }

    /// Drops the cached provider (after a rotation or a lifetime change through this instance).
    pub fn invalidate(&self, tenant: &str, ws: &str) {
        self.cache.invalidate(&(tenant.to_owned(), ws.to_owned()));
    }
}

/// Rotates a workspace's signing keys and drops the cached provider; returns the new current `kid`s.
pub async fn rotate_keys(
    app: &crate::state::AppState,
    tenant: &str,
    ws: &str,
) -> Result<Option<Vec<String>>, TokenError> {
    let (t, w, now) = (tenant.to_owned(), ws.to_owned(), app.clock.now());
    let rotated = app
        .db
        .transaction(move |c| {
            if workspaces::find(c, &t, &w)?.is_none() {
                return Ok(false);
            }
            super::keys::rotate(c, &t, &w, now)?;
            Ok::<_, TokenError>(true)
        })
        .await?;
    if !rotated {
        return Ok(None);
    }
    app.providers.invalidate(tenant, ws);
    let provider = app
        .providers
        .get(&app.db, app.config.public_url(), now, tenant, ws)
        .await?;
    Ok(provider.map(|p| p.keys.current_kids()))
}
