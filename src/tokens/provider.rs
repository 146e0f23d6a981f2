//! A workspace as an OpenID Provider: issuer, lifetimes and keys, cached in memory for a few seconds.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::error::TokenError;
use super::keyring::Keyring;
use super::keys::KeyRing;
use crate::cache::TtlCache;
use crate::identity::workspace::{self, Lifetimes};
use crate::store::{Db, workspaces};

/// How long a cached provider (and so a key rotation made elsewhere) may be stale.
pub const STALENESS: Duration = Duration::from_secs(5);

/// The least time between two reloads of one workspace forced by tokens naming keys it does not know, so a flood
/// of made-up `kid`s costs about one database round trip per workspace and interval (the cache's own expiry adds
/// one per `STALENESS`).
const KID_RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// Everything the OIDC endpoints need about one workspace.
pub struct Provider {
    pub tenant: String,
    pub workspace: String,
    pub issuer: String,
    pub lifetimes: Lifetimes,
    pub keys: KeyRing,
    /// The discovery document, rendered once by the web layer.
    pub discovery_json: OnceLock<String>,
    /// When a token naming an unknown key made this load happen; `None` for an ordinary load.
    reloaded_for_kid_at: Option<Instant>,
    /// DPoP nonces: whether proofs must carry one, and the installation's key that makes them (RFC 9449 §8).
    pub dpop: super::dpop::NonceSettings,
    /// RFC 9126 §5: every authorization request must come through the PAR endpoint.
    pub require_pushed_authorization_requests: bool,
    /// Whether `{issuer}/oauth2/register` is open, needs an initial access token, or is off (RFC 7591).
    pub dynamic_registration: workspace::RegistrationMode,
}

/// Providers by `(tenant, workspace)`, and the keyring their private keys are stored under.
pub struct Providers {
    cache: TtlCache<(String, String), Provider>,
    keyring: Option<Arc<Keyring>>,
}

impl Providers {
    /// No provider loaded yet; cache hits and misses are counted in `lookups`.
    pub fn new(keyring: Option<Arc<Keyring>>, lookups: crate::metrics::CacheLookups) -> Providers {
        Providers {
            cache: TtlCache::new(STALENESS, lookups),
            keyring,
        }
    }

    /// The provider for a workspace; `None` when the workspace does not exist.
    pub async fn get(
        &self,
        db: &Db,
        public_url: &str,
        now: i64,
        tenant: &str,
        ws: &str,
    ) -> Result<Option<Arc<Provider>>, TokenError> {
        if let Some(p) = self.cache.get(&(tenant.to_owned(), ws.to_owned())) {
            return Ok(Some(p));
        }
        self.load(db, public_url, now, tenant, ws, None).await
    }

    async fn load(
        &self,
        db: &Db,
        public_url: &str,
        now: i64,
        tenant: &str,
        ws: &str,
        reloaded_for_kid_at: Option<Instant>,
    ) -> Result<Option<Arc<Provider>>, TokenError> {
        let key = (tenant.to_owned(), ws.to_owned());
        let issuer = workspace::issuer(public_url, tenant, ws);
        let (t, w) = key.clone();
        let keyring = self.keyring.clone();
        let loaded = db
            .transaction(move |c| {
                let Some(row) = workspaces::find(c, &t, &w)? else {
                    return Ok(None);
                };
                // Retired keys stay published while a token they signed can still be valid.
                let retention = row.access_token_ttl.max(row.id_token_ttl);
                let keys =
                    KeyRing::load_or_create(c, &t, &w, now, now - retention, keyring.as_deref())?;
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
                    reloaded_for_kid_at,
                    dpop: super::dpop::NonceSettings {
                        required: row.dpop_nonce_required,
                        key: nonce_key.into_bytes(),
                    },
                    require_pushed_authorization_requests: row
                        .require_pushed_authorization_requests,
                    dynamic_registration: workspace::RegistrationMode::parse(
                        &row.dynamic_registration,
                    ),
                }))
            })
            .await?;
        Ok(loaded.map(|p| {
            let p = Arc::new(p);
            self.cache.put(key, p.clone());
            p
        }))
    }

    /// `p`, or `p` reloaded at once when `token`'s header names a key it does not publish: a key rotated or first
    /// created through another instance would otherwise be refused until the cache expires.
    pub async fn knowing_key_of(
        &self,
        app: &crate::state::AppState,
        p: Arc<Provider>,
        token: &str,
    ) -> Result<Arc<Provider>, TokenError> {
        let kid = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid);
        let known = kid.as_deref().is_none_or(|kid| p.keys.publishes(kid));
        let recently = p
            .reloaded_for_kid_at
            .is_some_and(|at| at.elapsed() < KID_RELOAD_INTERVAL);
        if known || recently {
            return Ok(p);
        }
        let (public_url, now) = (app.config.public_url(), app.clock.now());
        let reloaded = self
            .load(
                &app.db,
                public_url,
                now,
                &p.tenant,
                &p.workspace,
                Some(Instant::now()),
            )
            .await?;
        Ok(reloaded.unwrap_or(p))
    }

    /// Drops the cached provider (after a rotation or a lifetime change through this instance).
    pub fn invalidate(&self, tenant: &str, ws: &str) {
        self.cache.invalidate(&(tenant.to_owned(), ws.to_owned()));
    }
}

/// Rotates a workspace's signing keys and drops the cached provider; returns the new current `kid`s.
pub async fn rotate_keys(
    app: &crate::state::AppState,
    ctx: &crate::audit::Context,
    tenant: &str,
    ws: &str,
) -> Result<Option<Vec<String>>, TokenError> {
    let (t, w, now) = (tenant.to_owned(), ws.to_owned(), app.clock.now());
    let ctx = ctx.clone();
    let keyring = app.providers.keyring.clone();
    let rotated = app
        .db
        .transaction(move |c| {
            if workspaces::find(c, &t, &w)?.is_none() {
                return Ok(false);
            }
            super::keys::rotate(c, &t, &w, now, keyring.as_deref())?;
            let event = crate::audit::Event::new(crate::audit::EventType::KeyRotated)
                .subject(crate::audit::SubjectType::Workspace, &w)
                .workspace(&w);
            crate::audit::record(c, &t, &ctx, now, event)?;
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

/// A published signing key of a workspace, as the portal lists it (no key material).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublishedKey {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    /// When a newer key replaced it; `None` for a current key.
    pub retired_at: Option<i64>,
    /// Until when a retired key stays in the JWK Set: its retirement plus the longest token lifetime.
    pub published_until: Option<i64>,
}

/// The keys a workspace publishes (current first, then retiring ones, newest first), creating the current keys
/// on first use as the JWKS endpoint does; `None` when the workspace does not exist.
pub async fn published_keys(
    app: &crate::state::AppState,
    tenant: &str,
    ws: &str,
) -> Result<Option<Vec<PublishedKey>>, TokenError> {
    let now = app.clock.now();
    let loaded = app
        .providers
        .get(&app.db, app.config.public_url(), now, tenant, ws)
        .await?;
    if loaded.is_none() {
        return Ok(None);
    }
    let (t, w) = (tenant.to_owned(), ws.to_owned());
    app.db
        .run(move |c| {
            let Some(row) = workspaces::find(c, &t, &w)? else {
                return Ok(None);
            };
            // The same retention as the provider's: a retired key stays while a token it signed may be valid.
            let retention = row.access_token_ttl.max(row.id_token_ttl);
            let mut keys: Vec<PublishedKey> =
                crate::store::keys::list_published(c, &t, &w, now - retention)?
                    .into_iter()
                    .map(|k| PublishedKey {
                        published_until: k.retired_at.map(|at| at + retention),
                        kid: k.kid,
                        alg: k.alg,
                        created_at: k.created_at,
                        retired_at: k.retired_at,
                    })
                    .collect();
            keys.sort_by_key(|k| k.retired_at.is_some());
            Ok::<_, TokenError>(Some(keys))
        })
        .await
}
