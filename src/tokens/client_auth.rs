//! Client authentication at the token, revocation and introspection endpoints: `client_secret_basic`,
//! `client_secret_post`, `private_key_jwt` (RFC 7523, keys from the client's registered `jwks`) and `none`.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::error::TokenError;
use super::jwt;
use super::provider::Provider;
use crate::cache::TtlCache;
use crate::identity::client::{AuthMethod, ClientMetadata};
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

impl Default for ClientCache {
    fn default() -> Self {
        ClientCache(TtlCache::new(Duration::from_secs(5)))
    }
}

/// Finds a client of the provider's workspace (through the cache).
pub async fn find_client(
    app: &AppState,
    p: &Provider,
    client_id: &str,
) -> Result<Option<Arc<RegisteredClient>>, TokenError> {
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

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    exp: i64,
    jti: Option<String>,
}

/// Authenticates the client with the method it registered; any mismatch is `invalid_client`.
pub async fn authenticate(
    app: &AppState,
    p: &Provider,
    presented: Presented,
    endpoint: &str,
) -> Result<Arc<RegisteredClient>, TokenError> {
    let refused = |why: &str| TokenError::InvalidClient(why.to_owned());
    let assertion = presented.client_assertion.as_deref();
    let claimed_id = match (&presented.basic, &presented.client_id, assertion) {
        (Some((id, _)), body_id, _) => match body_id {
            Some(b) if b != id => {
                return Err(refused(
                    "client_id in the body differs from the Authorization header",
                ));
            }
            _ => id.clone(),
        },
        (None, Some(id), _) => id.clone(),
        (None, None, Some(a)) => {
            unverified_issuer(a).ok_or_else(|| refused("client_assertion has no iss"))?
        }
        (None, None, None) => return Err(refused("no client authentication")),
    };
    let client = find_client(app, p, &claimed_id)
        .await?
        .ok_or_else(|| refused("unknown client"))?;
    let method = client.metadata.token_endpoint_auth_method;
    let secret_ok = |secret: &str| {
        client
            .row
            .secret_hash
            .as_deref()
            .is_some_and(|h| crate::secret::matches(secret, h))
    };
    match method {
        AuthMethod::ClientSecretBasic => match &presented.basic {
            Some((_, secret)) if secret_ok(secret) => {}
            _ => return Err(refused("client authentication failed")),
        },
        AuthMethod::ClientSecretPost => match (&presented.basic, &presented.client_secret) {
            (None, Some(secret)) if secret_ok(secret) => {}
            _ => return Err(refused("client authentication failed")),
        },
        AuthMethod::PrivateKeyJwt => {
            if presented.basic.is_some()
                || presented.client_assertion_type.as_deref() != Some(JWT_BEARER)
            {
                return Err(refused("client authentication failed"));
            }
            let assertion = assertion.ok_or_else(|| refused("client_assertion is required"))?;
            check_assertion(app, p, &client, assertion, endpoint).await?;
        }
        AuthMethod::None => {
            if presented.basic.is_some() || presented.client_secret.is_some() || assertion.is_some()
            {
                return Err(refused("a public client has no credentials to present"));
            }
        }
    }
    Ok(client)
}

fn unverified_issuer(assertion: &str) -> Option<String> {
    let claims =
        jsonwebtoken::dangerous::insecure_decode_claims::<serde_json::Value>(assertion).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// RFC 7523 §3: signed by a key in the client's `jwks`, `iss` = `sub` = client_id, `aud` naming the token
/// endpoint or the issuer, unexpired, with a `jti` never seen before.
async fn check_assertion(
    app: &AppState,
    p: &Provider,
    client: &RegisteredClient,
    assertion: &str,
    endpoint: &str,
) -> Result<(), TokenError> {
    let refused = |why: String| TokenError::InvalidClient(why);
    let keys = client
        .metadata
        .jwks
        .as_ref()
        .and_then(|j| j.get("keys"))
        .and_then(|k| k.as_array())
        .cloned()
        .unwrap_or_default();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = vec![
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::PS256,
        Algorithm::EdDSA,
    ];
    validation.set_audience(&[endpoint, p.issuer.as_str()]);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims: AssertionClaims = jwt::verify(assertion, &keys, &validation)
        .map_err(|e| refused(format!("client_assertion rejected: {e}")))?;
    let now = app.clock.now();
    let id = &client.row.id;
    if &claims.iss != id || &claims.sub != id {
        return Err(refused(
            "client_assertion iss and sub must be the client_id".into(),
        ));
    }
    if claims.exp <= now || claims.exp > now + 3600 {
        return Err(refused(
            "client_assertion is expired or lives longer than an hour".into(),
        ));
    }
    let jti = claims
        .jti
        .ok_or_else(|| refused("client_assertion needs a jti".into()))?;
    let key = format!("{id}:{jti}");
    let fresh = app
        .db
        .run(move |c| grants::record_assertion(c, &key, claims.exp).map_err(TokenError::from))
        .await?;
    if !fresh {
        return Err(refused("client_assertion was already used".into()));
    }
    Ok(())
}
