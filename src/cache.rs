//! A small in-memory cache with a bound on staleness, so a change made through another instance shows up within
//! the bound while hot paths (discovery, JWKS, token issuance) skip the database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::metrics::CacheLookups;

/// Values by key, each trusted for `ttl` after it was loaded.
pub struct TtlCache<K, V> {
    entries: RwLock<HashMap<K, (Instant, Arc<V>)>>,
    ttl: Duration,
    lookups: CacheLookups,
}

impl<K: Eq + Hash + Clone, V> TtlCache<K, V> {
    /// A cache whose hits and misses are counted in `lookups` (the metrics' hit ratio).
    pub fn new(ttl: Duration, lookups: CacheLookups) -> Self {
        TtlCache {
            entries: RwLock::new(HashMap::new()),
            ttl,
            lookups,
        }
    }

    /// The cached value, if loaded less than `ttl` ago.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let found = self.fresh(key);
        match found {
            Some(_) => self.lookups.hits.inc(),
            None => self.lookups.misses.inc(),
        };
        found
    }

    fn fresh(&self, key: &K) -> Option<Arc<V>> {
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: Arc<V>) {
        if let Ok(mut entries) = self.entries.write() {
            // Bound memory: a flood of distinct keys only ever costs one full sweep of expired entries.
            if entries.len() > 10_000 {
                entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            }
            entries.insert(key, (Instant::now(), value));
        }
    }

    /// Forgets a key (after a change made through this instance).
    pub fn invalidate(&self, key: &K) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
        }
    }
}
