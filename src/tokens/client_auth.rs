//! Client authentication at the token, revocation and introspection endpoints: `client_secret_basic`,
//! `client_secret_post`, `private_key_jwt` (RFC 7523, keys from the client's `jwks` or `jwks_uri`) and `none`;
//! and the one lookup of a client's public keys ([`signing_keys`]).

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation};

use super::error::TokenError;
use super::provider::Provider;
use super::{assertion, client_keys, jwt};
use crate::cache::TtlCache;
use crate::identity::client::{AuthMethod, ClientMetadata, is_plausible_id};
use crate::state::AppState;
use crate::store::clients::{self, ClientRow};
use crate::store::grants;

/// `client_assertion_type` for RFC 7523 client authentication.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A registered client with its parsed metadata.
pub struct RegisteredClient {
    pub row: ClientRow,
    pub metadata: ClientMetadata,
}

/// Clients by `(tenant, workspace, client_id)`, trusted for a few seconds. Unknown ids are not cached, so a
/// client registered through another instance is usable at once.
pub struct ClientCache(TtlCache<(String, String, String), RegisteredClient>);

impl ClientCache {
    /// An empty cache counting its hits and misses in `lookups`.
    pub fn new(lookups: crate::metrics::CacheLookups) -> ClientCache {
        ClientCache(TtlCache::new(Duration::from_secs(5), lookups))
    }

    /// Forgets a client changed or deleted through this instance (others see it within the 5 s bound).
    pub fn invalidate(&self, tenant: &str, workspace: &str, client_id: &str) {
        let key = (
            tenant.to_owned(),
            workspace.to_owned(),
            client_id.to_owned(),
        );
        self.0.invalidate(&key);
    }
}

/// Finds a client of the provider's workspace (through the cache).
pub async fn find_client(
    app: &AppState,
    p: &Provider,
    client_id: &str,
) -> Result<Option<Arc<RegisteredClient>>, TokenError> {
    if !is_plausible_id(client_id) {
        return Ok(None);
    }
    let key = (p.tenant.clone(), p.workspace.clone(), client_id.to_owned());
    if let Some(hit) = app.clients.0.get(&key) {
        return Ok(Some(hit));
    }
    let (t, w, id) = key.clone();
    let Some(row) = app
        .db
        .run(move |c| clients::find(c, &t, &w, &id).map_err(TokenError::from))
        .await?
    else {
        return Ok(None);
    };
    let metadata =
        serde_json::from_str(&row.metadata).map_err(|e| TokenError::Internal(e.to_string()))?;
    let client = Arc::new(RegisteredClient { row, metadata });
    app.clients.0.put(key, client.clone());
    Ok(Some(client))
}

/// The client's public keys that may have signed a JWS whose header names `kid` (every key when it names none):
/// the one lookup of a client's keys, for client assertions (RFC 7523) and request objects (RFC 9101) alike,
/// from its `jwks` or the set at its `jwks_uri` (fetched again when `kid` is unknown). The error says why a
/// `jwks_uri` gave no keys.
pub async fn signing_keys(
    app: &AppState,
    client: &RegisteredClient,
    kid: Option<&str>,
) -> Result<Vec<serde_json::Value>, String> {
    let keys = client_keys::lookup(&app.key_sets, &client.metadata, kid).await?;
    Ok(keys
        .iter()
        .filter(|key| kid.is_none_or(|kid| key.get("kid").and_then(|k| k.as_str()) == Some(kid)))
        .cloned()
        .collect())
}

/// Credentials as a request presented them.
#[derive(Debug, Default)]
pub struct Presented {
    /// From HTTP Basic (`client_secret_basic`).
    pub basic: Option<(String, String)>,
    /// `client_id` in the body.
    pub client_id: Option<String>,
    /// `client_secret` in the body (`client_secret_post`).
    pub client_secret: Option<String>,
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

impl Presented {
    /// How many client authentication methods the request uses: HTTP Basic, `client_secret` in the body, and
    /// a client assertion (either of its two parameters). `client_id` alone is not a method.
    fn methods(&self) -> usize {
        let assertion = self.client_assertion.is_some() || self.client_assertion_type.is_some();
        [
            self.basic.is_some(),
            self.client_secret.is_some(),
            assertion,
        ]
        .into_iter()
        .filter(|used| *used)
        .count()
    }
}

/// Algorithms accepted for client assertions (listed in discovery as `*_auth_signing_alg_values_supported`).
pub const ASSERTION_ALGORITHMS: [&str; 5] = ["RS256", "PS256", "ES256", "ES384", "EdDSA"];

/// Authenticates the client with the method it registered; any mismatch is `invalid_client`. `audiences` are
/// the URLs an assertion may name as `aud` besides the issuer: the token endpoint and the endpoint called.
pub async fn authenticate(
    app: &AppState,
    p: &Provider,
    presented: Presented,
    audiences: &[&str],
) -> Result<Arc<RegisteredClient>, TokenError> {
    let refused = |why: &str| TokenError::InvalidClient(why.to_owned());
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    if presented.methods() > 1 {
        return Err(TokenError::InvalidRequest(
            "more than one client authentication method in the request (RFC 6749 §2.3)".into(),
        ));
    }
    let claimed_id = claimed_id(&presented)?;
    let client = find_client(app, p, &claimed_id)
        .await?
        .ok_or_else(|| refused("unknown client"))?;
    let secret_ok = |secret: &str| {
        client
            .row
            .secret_hash
            .as_deref()
            .is_some_and(|h| crate::secret::matches(secret, h))
    };
    let assertion = presented.client_assertion.as_deref();
    match client.metadata.token_endpoint_auth_method {
        AuthMethod::ClientSecretBasic => match &presented.basic {
            Some((_, secret)) if secret_ok(secret) => {}
            _ => return Err(refused("client authentication failed")),
        },
        AuthMethod::ClientSecretPost => match &presented.client_secret {
            Some(secret) if secret_ok(secret) => {}
            _ => return Err(refused("client authentication failed")),
        },
        AuthMethod::PrivateKeyJwt => {
            if presented.client_assertion_type.as_deref() != Some(JWT_BEARER) {
                return Err(refused("client authentication failed"));
            }
            let assertion = assertion.ok_or_else(|| refused("client_assertion is required"))?;
            check_assertion(app, p, &client, assertion, audiences).await?;
        }
        AuthMethod::None => {
            if presented.methods() > 0 {
                return Err(refused("a public client has no credentials to present"));
            }
        }
    }
    Ok(client)
}

/// The client id the request claims: from Basic (a body `client_id` must agree), the body, or the
/// assertion's unverified `iss`.
pub(crate) fn claimed_id(presented: &Presented) -> Result<String, TokenError> {
    let refused = |why: &str| TokenError::InvalidClient(why.to_owned());
    match (&presented.basic, &presented.client_id) {
        (Some((id, _)), Some(body)) if body != id => Err(refused(
            "client_id in the body differs from the Authorization header",
        )),
        (Some((id, _)), _) | (None, Some(id)) => Ok(id.clone()),
        (None, None) => match presented.client_assertion.as_deref() {
            Some(a) => unverified_issuer(a).ok_or_else(|| refused("client_assertion has no iss")),
            None => Err(refused("no client authentication")),
        },
    }
}

fn unverified_issuer(assertion: &str) -> Option<String> {
    let claims =
        jsonwebtoken::dangerous::insecure_decode_claims::<serde_json::Value>(assertion).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// RFC 7523 §3: signed by a key in the client's `jwks` with an accepted algorithm, claims as
/// [`assertion::check`] requires, and a `jti` never seen before (§3 item 7, single use).
async fn check_assertion(
    app: &AppState,
    p: &Provider,
    client: &RegisteredClient,
    assertion: &str,
    audiences: &[&str],
) -> Result<(), TokenError> {
    let refused = |why: String| TokenError::InvalidClient(why);
    let keys = signing_keys(app, client, assertion_kid(assertion).as_deref())
        .await
        .map_err(|e| refused(format!("client_assertion rejected: {e}")))?;
    let mut accepted = vec![p.issuer.as_str()];
    accepted.extend_from_slice(audiences);
    let id = &client.row.id;
    let checked = verify_assertion(assertion, &keys, id, &accepted, app.clock.now())?;
    let key = format!("{id}:{}", checked.jti);
    let fresh = app
        .db
        .run(move |c| {
            grants::record_assertion(c, &key, checked.replayable_until).map_err(TokenError::from)
        })
        .await?;
    if !fresh {
        return Err(refused("client_assertion was already used".into()));
    }
    Ok(())
}

/// The `kid` an assertion's header names, if it parses at all.
pub(crate) fn assertion_kid(assertion: &str) -> Option<String> {
    jsonwebtoken::decode_header(assertion)
        .ok()
        .and_then(|h| h.kid)
}

/// The assertion's signature by one of `keys` with an accepted algorithm, then its claims as
/// [`assertion::check`] requires for `client_id`, `audiences` and the clock reading `now`.
pub(crate) fn verify_assertion(
    assertion: &str,
    keys: &[serde_json::Value],
    client_id: &str,
    audiences: &[&str],
    now: i64,
) -> Result<assertion::Checked, TokenError> {
    let refused = |why: String| TokenError::InvalidClient(why);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = ASSERTION_ALGORITHMS
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    // The claims are checked below against Tarn's clock (jsonwebtoken would read the system clock).
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims: serde_json::Value = jwt::verify(assertion, keys, &validation)
        .map_err(|e| refused(format!("client_assertion rejected: {e}")))?;
    assertion::check(&claims, client_id, audiences, now).map_err(refused)
}
