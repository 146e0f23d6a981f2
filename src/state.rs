//! `AppState`: what the web areas' handlers receive (configuration, store, clock, hasher, notifier, caches, the
//! WebAuthn relying party). Many domain operations still take it whole for their dependencies, which hides what
//! each one uses; new domain code takes a connection or the fields it needs. The store never sees it.

use crate::authn::passkey::RelyingParty;
use crate::authn::password::Hasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::notify::Notifier;
use crate::store::Db;
use crate::tokens::Providers;
use crate::tokens::client_auth::ClientCache;
use crate::web::csrf::CsrfKey;

/// Shared by all handlers; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: std::sync::Arc<Config>,
    pub db: Db,
    pub clock: Clock,
    pub hasher: Hasher,
    pub notifier: Notifier,
    /// SHA-256 of the admin API token.
    pub admin_token_hash: std::sync::Arc<str>,
    /// Workspaces as OpenID Providers (issuer, lifetimes, keys), cached with a bound on staleness.
    pub providers: std::sync::Arc<Providers>,
    /// Registered clients, cached likewise.
    pub clients: std::sync::Arc<ClientCache>,
    /// The JWK Sets fetched from clients' `jwks_uri`s.
    pub key_sets: std::sync::Arc<crate::tokens::client_keys::RemoteKeySets>,
    /// Access tokens whose signature was verified, until they expire (not whether they are still valid).
    pub access_tokens: std::sync::Arc<crate::tokens::access::VerifiedTokens>,
    /// The WebAuthn relying party; `None` when the configuration allows none (an IP address as host).
    pub passkeys: Option<std::sync::Arc<RelyingParty>>,
    /// Binds CSRF form tokens to their cookies.
    pub csrf_key: CsrfKey,
    /// This server's metric families (`GET /metrics`).
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Set once a shutdown began: `/readyz` answers 503 and connections are not kept alive.
    pub draining: std::sync::Arc<std::sync::atomic::AtomicBool>,
}
