//! The one place a client's public keys come from: its registered `jwks`, or the JWK Set published at its
//! `jwks_uri`. A `jwks_uri` is fetched with a bounded time ([`FETCH_TIMEOUT`]) and size ([`MAX_SIZE`]), without
//! following redirects, and checked like a registered set (`identity::client_jwks`); the set is cached for
//! [`FRESH`], and fetched again at once when a token names a `kid` the cached set lacks (the client rotated its
//! keys), at most once per [`REFETCH_INTERVAL`] per URI, so made-up `kid`s cannot make Tarn hammer the client.
//! Client assertions are verified with these keys; signed request objects are meant to be too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::identity::client::ClientMetadata;
use crate::identity::client_jwks;

/// How long one fetch of a `jwks_uri` may take, answer included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWK Set read from a `jwks_uri`.
pub const MAX_SIZE: usize = 64 * 1024;
/// How long a fetched set is used without asking again.
pub const FRESH: Duration = Duration::from_secs(300);
/// The least time between two fetches of one URI forced by an unknown `kid`.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(1);

/// A set's keys and when they were fetched.
type Fetched = (Instant, Arc<Vec<Value>>);

/// JWK Sets fetched from clients' `jwks_uri`s, by URI (the keys are public: clients naming one URI share them).
pub struct RemoteKeySets {
    http: reqwest::Client,
    fetched: Mutex<HashMap<String, Fetched>>,
}

impl RemoteKeySets {
    pub fn new() -> Result<RemoteKeySets, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            // A kept connection belongs to the runtime of the worker that opened it.
            .pool_max_idle_per_host(0)
            .build()?;
        Ok(RemoteKeySets {
            http,
            fetched: Mutex::new(HashMap::new()),
        })
    }

    /// The set at `uri`: cached, or fetched when there is none, it is stale, or it lacks `kid`.
    async fn get(&self, uri: &str, kid: Option<&str>) -> Result<Arc<Vec<Value>>, String> {
        if let Some((at, keys)) = self.cached(uri) {
            let knows_kid = kid.is_none_or(|kid| keys.iter().any(|k| k["kid"] == kid));
            let age = at.elapsed();
            if age < FRESH && (knows_kid || age < REFETCH_INTERVAL) {
                return Ok(keys);
            }
        }
        let keys = Arc::new(self.fetch(uri).await?);
        if let Ok(mut fetched) = self.fetched.lock() {
            // Bound memory: a flood of URIs only ever costs one sweep of the stale entries.
            if fetched.len() > 10_000 {
                fetched.retain(|_, (at, _)| at.elapsed() < FRESH);
            }
            fetched.insert(uri.to_owned(), (Instant::now(), keys.clone()));
        }
        Ok(keys)
    }

    fn cached(&self, uri: &str) -> Option<Fetched> {
        self.fetched.lock().ok()?.get(uri).cloned()
    }

    async fn fetch(&self, uri: &str) -> Result<Vec<Value>, String> {
        let failed =
            |e: reqwest::Error| format!("jwks_uri could not be fetched: {}", e.without_url());
        let mut res = self.http.get(uri).send().await.map_err(failed)?;
        if !res.status().is_success() {
            return Err(format!("jwks_uri answered {}", res.status()));
        }
        let too_large = || format!("jwks_uri answered more than {} KiB", MAX_SIZE / 1024);
        if res.content_length().is_some_and(|n| n > MAX_SIZE as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_SIZE {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let jwks: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("jwks_uri did not answer a JWK Set: {e}"))?;
        client_jwks::check(&jwks).map_err(|e| format!("jwks_uri: {e}"))?;
        Ok(keys_in(&jwks))
    }
}

/// The client's public keys for a token whose header names `kid` (if any): its `jwks`, or the set at its
/// `jwks_uri`; empty when it has neither. The error says why a `jwks_uri` gave no keys.
pub async fn lookup(
    remote: &RemoteKeySets,
    client: &ClientMetadata,
    kid: Option<&str>,
) -> Result<Arc<Vec<Value>>, String> {
    match (&client.jwks, &client.jwks_uri) {
        (Some(jwks), _) => Ok(Arc::new(keys_in(jwks))),
        (None, Some(uri)) => remote.get(uri, kid).await,
        (None, None) => Ok(Arc::new(Vec::new())),
    }
}

fn keys_in(jwks: &Value) -> Vec<Value> {
    jwks.get("keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
