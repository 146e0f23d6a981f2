//! Prometheus metrics: one registry per server (so tests run many servers in one process), the families Tarn
//! counts, and plain recording functions the domain calls without knowing HTTP. Label sets are closed enums,
//! so counting is a hash lookup and an atomic add; values the server does not count itself (the database pool,
//! key ages, the process) are read at scrape time.

pub mod exposition;
pub mod labels;
mod process;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use labels::*;

/// The route label of requests that matched no route: a 404 scan adds no series.
pub const UNMATCHED: &str = "unmatched";

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every metric family of one server. Cheap to share (`Arc`); each family is internally synchronised.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_durations: Histograms<HttpLabels>,
    sign_ins: Family<SignInLabels, Counter>,
    tokens_issued: Family<GrantLabels, Counter>,
    token_errors: Family<ErrorLabels, Counter>,
    refresh_reuse: Counter,
    lockouts: Counter,
    rate_limited: Family<LimiterLabels, Counter>,
    password_hashes: Histogram,
    password_rehashes: Counter,
    messages: Family<MessageLabels, Counter>,
    delivery_failures: Family<WorkerLabels, Counter>,
    connections: Family<ConnectionLabels, Gauge>,
    key_ages: Family<AlgorithmLabels, Gauge>,
    cache_lookups: Family<CacheLabels, Counter>,
    /// Route patterns seen so far, shared by every series that names them.
    routes: RwLock<HashSet<Arc<str>>>,
}

fn request_buckets() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let m = Metrics {
            registry: Registry::default(),
            http_requests: Family::default(),
            http_durations: Family::new_with_constructor(request_buckets),
            sign_ins: Family::default(),
            tokens_issued: Family::default(),
            token_errors: Family::default(),
            refresh_reuse: Counter::default(),
            lockouts: Counter::default(),
            rate_limited: Family::default(),
            // argon2id takes tens to hundreds of milliseconds: 5 ms to about 5 s.
            password_hashes: Histogram::new(exponential_buckets(0.005, 2.0, 11)),
            password_rehashes: Counter::default(),
            messages: Family::default(),
            delivery_failures: Family::default(),
            connections: Family::default(),
            key_ages: Family::default(),
            cache_lookups: Family::default(),
            routes: RwLock::new(HashSet::new()),
        };
        m.registered()
    }

    fn registered(mut self) -> Metrics {
        let r = &mut self.registry;
        r.register(
            "tarn_http_requests",
            "HTTP requests by method, route pattern and status class",
            self.http_requests.clone(),
        );
        r.register(
            "tarn_http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route pattern and status class",
            self.http_durations.clone(),
        );
        r.register(
            "tarn_sign_in_attempts",
            "Sign-in attempts by method and outcome",
            self.sign_ins.clone(),
        );
        r.register(
            "tarn_tokens_issued",
            "Token responses issued by grant type",
            self.tokens_issued.clone(),
        );
        r.register(
            "tarn_token_errors",
            "Token endpoint errors by error code",
            self.token_errors.clone(),
        );
        r.register(
            "tarn_refresh_token_reuse_detections",
            "Refresh tokens presented again after rotation (the family is revoked)",
            self.refresh_reuse.clone(),
        );
        r.register(
            "tarn_lockouts",
            "Sign-in attempts refused because the identifier is locked out",
            self.lockouts.clone(),
        );
        r.register(
            "tarn_rate_limited_requests",
            "Requests refused or silently dropped by a rate limit",
            self.rate_limited.clone(),
        );
        r.register(
            "tarn_password_hash_duration_seconds",
            "Time of one argon2id hash or verification",
            self.password_hashes.clone(),
        );
        r.register(
            "tarn_password_rehashes",
            "Passwords rehashed to the current argon2id at a sign-in (foreign, imported or weaker hashes)",
            self.password_rehashes.clone(),
        );
        r.register(
            "tarn_messages_sent",
            "Attempts to send a message, by channel and outcome",
            self.messages.clone(),
        );
        r.register(
            "tarn_delivery_failures",
            "Failed deliveries of the background workers (outbox, back-channel logout)",
            self.delivery_failures.clone(),
        );
        r.register(
            "tarn_db_pool_connections",
            "Database pool connections by state (read at scrape)",
            self.connections.clone(),
        );
        r.register(
            "tarn_signing_key_age_seconds",
            "Age of the oldest current signing key, per algorithm (read at scrape)",
            self.key_ages.clone(),
        );
        r.register(
            "tarn_cache_lookups",
            "In-memory cache lookups by cache and result (hit ratio = hit / (hit + miss))",
            self.cache_lookups.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        r.register(
            "tarn_build_info",
            "The running Tarn version (always 1)",
            build,
        );
        r.register_collector(Box::new(process::ProcessCollector));
        self
    }

    /// The registry, for the exposition.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The shared label of a route pattern; `None` counts as unmatched.
    pub fn route(&self, pattern: Option<&str>) -> Route {
        let pattern = pattern.unwrap_or(UNMATCHED);
        if let Ok(known) = self.routes.read()
            && let Some(shared) = known.get(pattern)
        {
            return Route(shared.clone());
        }
        let shared: Arc<str> = Arc::from(pattern);
        if let Ok(mut known) = self.routes.write() {
            known.insert(shared.clone());
        }
        Route(shared)
    }

    /// One answered HTTP request.
    pub fn http_request(&self, labels: &HttpLabels, seconds: f64) {
        self.http_requests.get_or_create(labels).inc();
        self.http_durations.get_or_create(labels).observe(seconds);
    }

    pub fn sign_in(&self, method: SignInMethod, outcome: Outcome) {
        self.sign_ins
            .get_or_create(&SignInLabels { method, outcome })
            .inc();
        if outcome == Outcome::Locked {
            self.lockouts.inc();
        }
    }

    pub fn token_issued(&self, grant_type: GrantType) {
        self.tokens_issued
            .get_or_create(&GrantLabels { grant_type })
            .inc();
    }

    pub fn token_error(&self, error: &'static str) {
        self.token_errors
            .get_or_create(&ErrorLabels { error })
            .inc();
    }

    pub fn refresh_reuse_detected(&self) {
        self.refresh_reuse.inc();
    }

    pub fn rate_limited(&self, limiter: Limiter) {
        self.rate_limited
            .get_or_create(&LimiterLabels { limiter })
            .inc();
    }

    /// The histogram the password hasher records each hash and verification in.
    pub fn password_rehashed(&self) {
        self.password_rehashes.inc();
    }

    pub fn password_hash_durations(&self) -> Histogram {
        self.password_hashes.clone()
    }

    pub fn message(&self, channel: Channel, outcome: Delivery) {
        self.messages
            .get_or_create(&MessageLabels { channel, outcome })
            .inc();
    }

    pub fn delivery_failed(&self, worker: Worker) {
        self.delivery_failures
            .get_or_create(&WorkerLabels { worker })
            .inc();
    }

    /// The database pool's connections now, as read at scrape time.
    pub fn set_connections(&self, in_use: u32, idle: u32) {
        let set = |state, n: u32| {
            self.connections
                .get_or_create(&ConnectionLabels { state })
                .set(i64::from(n))
        };
        set(ConnectionState::InUse, in_use);
        set(ConnectionState::Idle, idle);
    }

    /// The age of the oldest current key of each algorithm, as read at scrape time.
    pub fn set_key_ages(&self, ages: &[(&'static str, i64)]) {
        for &(alg, seconds) in ages {
            self.key_ages
                .get_or_create(&AlgorithmLabels { alg })
                .set(seconds);
        }
    }

    /// The hit and miss counters of a cache, for the cache to count its lookups in.
    pub fn cache_lookups(&self, cache: Cache) -> CacheLookups {
        let counter = |result| {
            self.cache_lookups
                .get_or_create(&CacheLabels { cache, result })
                .clone()
        };
        CacheLookups {
            hits: counter(Lookup::Hit),
            misses: counter(Lookup::Miss),
        }
    }
}

/// Where a cache counts its hits and misses; unregistered counters by default (a cache nobody scrapes).
#[derive(Clone, Default, Debug)]
pub struct CacheLookups {
    pub hits: Counter,
    pub misses: Counter,
}
