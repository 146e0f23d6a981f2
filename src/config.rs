//! Configuration: defaults, then an optional TOML file, then `TARN_*` environment variables, into one typed `Config`.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use url::Url;

pub use crate::authn::portal::Limits as PortalLimits;
use crate::store::Backend;

/// Every key of the contract's table; `TARN_` + the upper-cased key is its environment variable.
const KEYS: [&str; 24] = [
    "listen",
    "public_url",
    "database_url",
    "admin_token",
    "smtp_url",
    "mail_from",
    "sms_webhook_url",
    "log",
    "log_format",
    "metrics_token",
    "metrics_listen",
    "passkey_rp_id",
    "passkey_origin",
    "registration_codes_per_address",
    "registration_codes_per_browser",
    "registration_codes_per_pool",
    "registration_new_numbers_per_address",
    "registration_new_numbers_per_pool",
    "trusted_proxies",
    "shutdown_grace",
    "key_encryption_keys",
    "portal_session_idle_seconds",
    "portal_session_absolute_seconds",
    "audit_retention_days",
];

/// The layered settings as written, before each value is parsed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: String,
    public_url: Option<String>,
    database_url: String,
    admin_token: Option<String>,
    smtp_url: Option<String>,
    mail_from: String,
    sms_webhook_url: Option<String>,
    log: String,
    log_format: String,
    metrics_token: Option<String>,
    metrics_listen: Option<String>,
    passkey_rp_id: Option<String>,
    passkey_origin: Option<String>,
    registration_codes_per_address: u32,
    registration_codes_per_browser: u32,
    registration_codes_per_pool: u32,
    registration_new_numbers_per_address: u32,
    registration_new_numbers_per_pool: u32,
    trusted_proxies: Option<StringList>,
    shutdown_grace: u64,
    key_encryption_keys: Option<String>,
    portal_session_idle_seconds: i64,
    portal_session_absolute_seconds: i64,
    audit_retention_days: i64,
}

/// A list setting, written as one comma-separated string (the environment) or as a TOML array.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum StringList {
    One(String),
    Many(Vec<String>),
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            database_url: "sqlite://tarn.db".into(),
            admin_token: None,
            smtp_url: None,
            mail_from: "tarn@localhost".into(),
            sms_webhook_url: None,
            log: "info".into(),
            log_format: "text".into(),
            metrics_token: None,
            metrics_listen: None,
            passkey_rp_id: None,
            passkey_origin: None,
            registration_codes_per_address: RegistrationLimits::DEFAULT.per_address,
            registration_codes_per_browser: RegistrationLimits::DEFAULT.per_browser,
            registration_codes_per_pool: RegistrationLimits::DEFAULT.per_pool,
            registration_new_numbers_per_address: RegistrationLimits::DEFAULT
                .new_numbers_per_address,
            registration_new_numbers_per_pool: RegistrationLimits::DEFAULT.new_numbers_per_pool,
            trusted_proxies: None,
            shutdown_grace: 5,
            key_encryption_keys: None,
            portal_session_idle_seconds: PortalLimits::DEFAULT.idle,
            portal_session_absolute_seconds: PortalLimits::DEFAULT.absolute,
            audit_retention_days: DEFAULT_AUDIT_RETENTION_DAYS,
        }
    }
}

/// How many codes self-registration sends per hour, counted per client address, per browser (a cookie the
/// registration form sets) and per pool; SMS to numbers never sent a code before count again, against lower
/// limits, because SMS pumping uses fresh numbers. Over any limit the visitor sees the usual page and nothing
/// is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationLimits {
    pub per_address: u32,
    pub per_browser: u32,
    pub per_pool: u32,
    pub new_numbers_per_address: u32,
    pub new_numbers_per_pool: u32,
}

impl RegistrationLimits {
    /// The defaults: generous per address (many people share one behind NAT), tight per browser.
    pub const DEFAULT: RegistrationLimits = RegistrationLimits {
        per_address: 20,
        per_browser: 5,
        per_pool: 200,
        new_numbers_per_address: 3,
        new_numbers_per_pool: 30,
    };
}

/// When the delivery worker tries queued messages again. Not part of the file or environment: tests shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySchedule {
    /// The pause after the first failed attempt, in seconds; it doubles after each further failure.
    pub first_retry_seconds: i64,
    /// The longest pause between attempts, in seconds.
    pub max_retry_seconds: i64,
    /// Attempts before the worker gives a message up.
    pub max_attempts: i64,
    /// How long an instance holds a message it is sending before another may take it, in seconds.
    pub lease_seconds: i64,
    /// How often the worker looks for work nobody woke it for (another instance's, or left by a restart).
    pub poll: std::time::Duration,
}

impl Default for DeliverySchedule {
    fn default() -> Self {
        DeliverySchedule {
            first_retry_seconds: 5,
            max_retry_seconds: 300,
            max_attempts: 8,
            // Longer than one SMTP conversation or webhook call may take (10 s each).
            lease_seconds: 60,
            poll: std::time::Duration::from_secs(30),
        }
    }
}

/// The server's configuration, every value parsed.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// External base URL without a trailing slash; `None` until resolved from the bound port (see [`Config::resolve`]).
    pub public_url: Option<String>,
    pub database: Backend,
    /// The admin token given by the operator; `None` means generate one on first start.
    pub admin_token: Option<String>,
    pub smtp_url: Option<Url>,
    pub mail_from: String,
    pub sms_webhook_url: Option<Url>,
    pub log: String,
    /// How log lines are written: plain text, or one JSON object per line.
    pub log_format: LogFormat,
    /// SHA-256 of `TARN_METRICS_TOKEN`: a bearer token for `GET /metrics` besides the admin token.
    pub metrics_token_hash: Option<String>,
    /// A second listener serving only `/metrics`, without authentication (a private network's scraper).
    pub metrics_listen: Option<SocketAddr>,
    /// The WebAuthn relying party ID; `None` means the public URL's host.
    pub passkey_rp_id: Option<String>,
    /// The origin browsers run passkey ceremonies on; `None` means the public URL's origin.
    pub passkey_origin: Option<Url>,
    /// Proxies whose forwarding headers give the client address; empty means the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// After SIGTERM or Ctrl-C, how long the server keeps serving (with `/readyz` at 503) before it closes.
    pub shutdown_grace: std::time::Duration,
    /// The keyring private signing keys are encrypted under; `None` stores them unencrypted (with a warning).
    pub key_encryption: Option<std::sync::Arc<crate::tokens::keyring::Keyring>>,
    /// HTTP worker threads; `None` means one per core. Not part of the file or environment: tests set it.
    pub workers: Option<usize>,
    /// The sending limits of self-registration.
    pub registration_limits: RegistrationLimits,
    /// The delivery worker's retry schedule.
    pub deliveries: DeliverySchedule,
    /// How long an admin portal session lasts (idle and absolute).
    pub portal_session: PortalLimits,
    /// How many days audit events are kept before the maintenance task purges them.
    pub audit_retention_days: i64,
}

/// `TARN_AUDIT_RETENTION_DAYS` when unset.
pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 90;

/// A configuration value that cannot be used; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

fn invalid(key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("{key} (TARN_{}): {message}", key.to_uppercase()))
}

impl Config {
    /// Loads defaults → `file` (or `tarn.toml` when present) → `TARN_*` environment.
    /// Returns the config and warnings about `TARN_*` variables that match no key.
    pub fn load(file: Option<&Path>) -> Result<(Config, Vec<String>), ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("tarn.toml").exists() => {
                figment = figment.merge(Toml::file_exact("tarn.toml"))
            }
            None => {}
        }
        let raw: RawConfig = figment
            .merge(Env::prefixed("TARN_").only(&KEYS))
            .extract()
            .map_err(|e| ConfigError(e.to_string().replace('\n', " ")))?;
        Ok((Config::parse(raw)?, unknown_env_warnings()))
    }

    fn parse(raw: RawConfig) -> Result<Config, ConfigError> {
        let listen: SocketAddr = raw.listen.parse().map_err(|_| {
            invalid(
                "listen",
                format!(
                    "`{}` is not a socket address like 127.0.0.1:8080",
                    raw.listen
                ),
            )
        })?;
        let public_url = raw
            .public_url
            .as_deref()
            .map(parse_public_url)
            .transpose()?;
        let database = Backend::from_url(&raw.database_url).ok_or_else(|| {
            invalid(
                "database_url",
                "must be sqlite://PATH or postgres://… (unknown database scheme)",
            )
        })?;
        if raw
            .admin_token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(invalid("admin_token", "must not be empty"));
        }
        let mail_from = raw.mail_from;
        if email_address::EmailAddress::parse_with_options(&mail_from, Default::default()).is_err()
        {
            return Err(invalid(
                "mail_from",
                format!("`{mail_from}` is not an email address"),
            ));
        }
        Ok(Config {
            listen,
            public_url,
            database,
            admin_token: raw.admin_token,
            smtp_url: parse_optional_url("smtp_url", raw.smtp_url, &["smtp", "smtps"])?,
            mail_from,
            sms_webhook_url: parse_optional_url(
                "sms_webhook_url",
                raw.sms_webhook_url,
                &["http", "https"],
            )?,
            log: raw.log,
            log_format: LogFormat::parse(&raw.log_format)?,
            metrics_token_hash: parse_metrics_token(raw.metrics_token)?,
            metrics_listen: parse_metrics_listen(raw.metrics_listen)?,
            passkey_rp_id: raw.passkey_rp_id.filter(|id| !id.trim().is_empty()),
            passkey_origin: parse_optional_url(
                "passkey_origin",
                raw.passkey_origin,
                &["http", "https"],
            )?,
            trusted_proxies: parse_trusted_proxies(raw.trusted_proxies)?,
            shutdown_grace: std::time::Duration::from_secs(raw.shutdown_grace),
            key_encryption: raw
                .key_encryption_keys
                .filter(|v| !v.trim().is_empty())
                .map(|v| crate::tokens::keyring::Keyring::parse(&v))
                .transpose()
                .map_err(|e| ConfigError(e.to_string()))?
                .map(std::sync::Arc::new),
            workers: None,
            registration_limits: RegistrationLimits {
                per_address: raw.registration_codes_per_address,
                per_browser: raw.registration_codes_per_browser,
                per_pool: raw.registration_codes_per_pool,
                new_numbers_per_address: raw.registration_new_numbers_per_address,
                new_numbers_per_pool: raw.registration_new_numbers_per_pool,
            },
            deliveries: DeliverySchedule::default(),
            portal_session: parse_portal_limits(
                raw.portal_session_idle_seconds,
                raw.portal_session_absolute_seconds,
            )?,
            audit_retention_days: parse_retention_days(raw.audit_retention_days)?,
        })
    }

    /// Accepts `token` as a bearer for `GET /metrics` besides the admin token (what `TARN_METRICS_TOKEN` does).
    pub fn set_metrics_token(&mut self, token: &str) {
        self.metrics_token_hash = Some(crate::secret::hash(token));
    }

    /// Fills in the default public URL from the port actually bound (which differs from `listen` for port 0).
    pub fn resolve(&mut self, bound: SocketAddr) {
        if self.public_url.is_none() {
            self.public_url = Some(format!("http://localhost:{}", bound.port()));
        }
    }

    /// External base URL without a trailing slash; issuers are `{public_url}/{tenant}/{workspace}`.
    pub fn public_url(&self) -> &str {
        self.public_url.as_deref().unwrap_or_default()
    }

    /// The WebAuthn relying party ID and origin: the overrides, or the public URL's host and origin.
    pub fn passkey_relying_party(&self) -> (String, String) {
        let public = Url::parse(self.public_url()).ok();
        let origin = self
            .passkey_origin
            .clone()
            .or(public.clone())
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let rp_id = self
            .passkey_rp_id
            .clone()
            .or_else(|| public.and_then(|u| u.host_str().map(str::to_owned)))
            .unwrap_or_default();
        (rp_id, origin)
    }

    /// A configuration for tests: loopback on an ephemeral port, the given database, a fixed admin token.
    pub fn for_tests(database: Backend, admin_token: &str) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            database,
            admin_token: Some(admin_token.to_owned()),
            smtp_url: None,
            mail_from: "tarn@localhost".into(),
            sms_webhook_url: None,
            log: "warn".into(),
            log_format: LogFormat::Text,
            metrics_token_hash: None,
            metrics_listen: None,
            passkey_rp_id: None,
            passkey_origin: None,
            trusted_proxies: TrustedProxies::default(),
            shutdown_grace: std::time::Duration::from_secs(5),
            key_encryption: None,
            workers: Some(1),
            registration_limits: RegistrationLimits::DEFAULT,
            // Tests wait for retries in real time: keep the pauses short.
            deliveries: DeliverySchedule {
                first_retry_seconds: 1,
                max_retry_seconds: 2,
                poll: std::time::Duration::from_secs(1),
                ..DeliverySchedule::default()
            },
            portal_session: PortalLimits::DEFAULT,
            audit_retention_days: DEFAULT_AUDIT_RETENTION_DAYS,
        }
    }
}

/// The format of log lines (`TARN_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (with `message`) and the request's span.
    Json,
}

impl LogFormat {
    fn parse(value: &str) -> Result<LogFormat, ConfigError> {
        match value {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(invalid(
                "log_format",
                format!("`{other}` is neither `text` nor `json`"),
            )),
        }
    }
}

/// The metrics token's hash; an empty value means none.
fn parse_metrics_token(token: Option<String>) -> Result<Option<String>, ConfigError> {
    match token {
        Some(t) if !t.trim().is_empty() && t.trim().len() < 16 => Err(invalid(
            "metrics_token",
            "must be at least 16 characters long",
        )),
        Some(t) if !t.trim().is_empty() => Ok(Some(crate::secret::hash(t.trim()))),
        _ => Ok(None),
    }
}

fn parse_metrics_listen(listen: Option<String>) -> Result<Option<SocketAddr>, ConfigError> {
    let Some(listen) = listen.filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    listen.trim().parse().map(Some).map_err(|_| {
        invalid(
            "metrics_listen",
            format!("`{listen}` is not a socket address like 127.0.0.1:9464"),
        )
    })
}

/// Audit retention: at least a day, at most about a century (so the cut-off in milliseconds cannot overflow).
fn parse_retention_days(days: i64) -> Result<i64, ConfigError> {
    match (1..=36_500).contains(&days) {
        true => Ok(days),
        false => Err(invalid(
            "audit_retention_days",
            "must be between 1 and 36500",
        )),
    }
}

/// The portal session limits: each at least a minute, the idle one no longer than the absolute one.
fn parse_portal_limits(idle: i64, absolute: i64) -> Result<PortalLimits, ConfigError> {
    if idle < 60 {
        return Err(invalid(
            "portal_session_idle_seconds",
            "must be at least 60",
        ));
    }
    if absolute < idle {
        return Err(invalid(
            "portal_session_absolute_seconds",
            "must be at least portal_session_idle_seconds",
        ));
    }
    Ok(PortalLimits { idle, absolute })
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let parsed = Url::parse(url).map_err(|e| invalid("public_url", format!("`{url}`: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return Err(invalid(
            "public_url",
            "must be an http(s) URL without query or fragment",
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

fn parse_optional_url(
    key: &str,
    value: Option<String>,
    schemes: &[&str],
) -> Result<Option<Url>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    let url = Url::parse(&value).map_err(|e| invalid(key, e))?;
    if !schemes.contains(&url.scheme()) {
        return Err(invalid(
            key,
            format!("scheme must be one of {}", schemes.join(", ")),
        ));
    }
    Ok(Some(url))
}

/// The networks of the reverse proxies in front of Tarn (`TARN_TRUSTED_PROXIES`); none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of CIDR networks (`10.0.0.0/8`, `2001:db8::/32`) or single addresses, separated by commas
    /// or spaces; returns the entry that is neither.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for entry in entries.into_iter().flat_map(|e| e.split([',', ' '])) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let net = match entry.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => entry
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| entry.to_owned())?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    /// Whether `addr` is one of the trusted proxies.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0.iter().any(|net| net.contains(&addr))
    }
}

fn parse_trusted_proxies(value: Option<StringList>) -> Result<TrustedProxies, ConfigError> {
    let entries = match &value {
        None => Vec::new(),
        Some(StringList::One(list)) => vec![list.as_str()],
        Some(StringList::Many(list)) => list.iter().map(String::as_str).collect(),
    };
    TrustedProxies::parse(entries).map_err(|bad| {
        invalid(
            "trusted_proxies",
            format!("`{bad}` is not a network like 10.0.0.0/8 or 2001:db8::/32, nor an address"),
        )
    })
}

fn unknown_env_warnings() -> Vec<String> {
    std::env::vars()
        .filter_map(|(name, _)| {
            let key = name.strip_prefix("TARN_")?.to_lowercase();
            let known = KEYS.contains(&key.as_str()) || key.starts_with("test_");
            (!known).then(|| format!("environment variable {name} is not a Tarn setting; ignored"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(edit: impl FnOnce(&mut RawConfig)) -> Result<Config, ConfigError> {
        let mut raw = RawConfig::default();
        edit(&mut raw);
        Config::parse(raw)
    }

    #[test]
    fn defaults_follow_the_contract() {
        let mut c = parse(|_| {}).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        c.resolve(c.listen);
        assert_eq!(c.public_url(), "http://localhost:8080");
        assert_eq!(c.database, Backend::Sqlite("tarn.db".into()));
        assert_eq!(c.registration_limits, RegistrationLimits::DEFAULT);
    }

    #[test]
    fn registration_limits_are_read_by_their_names() {
        let c = parse(|r| {
            r.registration_codes_per_browser = 2;
            r.registration_new_numbers_per_pool = 7;
        })
        .unwrap();
        assert_eq!(c.registration_limits.per_browser, 2);
        assert_eq!(c.registration_limits.new_numbers_per_pool, 7);
        assert_eq!(c.registration_limits.per_address, 20);
    }

    #[test]
    fn public_url_port_follows_listen_and_loses_its_trailing_slash() {
        let mut c = parse(|r| r.listen = "0.0.0.0:0".into()).unwrap();
        c.resolve("0.0.0.0:9000".parse().unwrap());
        assert_eq!(c.public_url(), "http://localhost:9000");
        let mut c = parse(|r| r.public_url = Some("https://id.example.com/".into())).unwrap();
        c.resolve("0.0.0.0:9000".parse().unwrap());
        assert_eq!(c.public_url(), "https://id.example.com");
    }

    #[test]
    fn the_passkey_relying_party_follows_the_public_url_unless_overridden() {
        let mut c = parse(|r| r.public_url = Some("https://login.example.com/".into())).unwrap();
        c.resolve("0.0.0.0:9000".parse().unwrap());
        assert_eq!(
            c.passkey_relying_party(),
            (
                "login.example.com".into(),
                "https://login.example.com".into()
            )
        );
        let mut c = parse(|r| {
            r.public_url = Some("https://login.example.com".into());
            r.passkey_rp_id = Some("example.com".into());
            r.passkey_origin = Some("https://id.example.com:8443/".into());
        })
        .unwrap();
        c.resolve("0.0.0.0:9000".parse().unwrap());
        assert_eq!(
            c.passkey_relying_party(),
            ("example.com".into(), "https://id.example.com:8443".into())
        );
        let e = parse(|r| r.passkey_origin = Some("ftp://x".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("TARN_PASSKEY_ORIGIN"), "{e}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let e = parse(|r| r.listen = "nope".into()).unwrap_err().to_string();
        assert!(e.contains("TARN_LISTEN"), "{e}");
        let e = parse(|r| r.database_url = "mysql://x".into())
            .unwrap_err()
            .to_string();
        assert!(e.contains("TARN_DATABASE_URL"), "{e}");
        let e = parse(|r| r.smtp_url = Some("http://x".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("TARN_SMTP_URL"), "{e}");
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.1/8/8"] {
            let e = parse(|r| r.trusted_proxies = Some(StringList::One(bad.into())))
                .unwrap_err()
                .to_string();
            assert!(e.contains("TARN_TRUSTED_PROXIES") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses_of_either_family() {
        let c = parse(|_| {}).unwrap();
        assert_eq!(
            c.trusted_proxies,
            TrustedProxies::default(),
            "none by default"
        );
        assert!(!c.trusted_proxies.contains("127.0.0.1".parse().unwrap()));
        let one = StringList::One("10.0.0.0/8, 192.0.2.7 2001:db8::/32".into());
        let c = parse(|r| r.trusted_proxies = Some(one)).unwrap();
        for inside in ["10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.9.9.9"] {
            assert!(
                c.trusted_proxies.contains(inside.parse().unwrap()),
                "{inside}"
            );
        }
        for outside in ["11.0.0.1", "192.0.2.8", "2001:db9::1"] {
            assert!(
                !c.trusted_proxies.contains(outside.parse().unwrap()),
                "{outside}"
            );
        }
        let many = StringList::Many(vec!["fd00::/8".into(), "172.16.0.0/12".into()]);
        let c = parse(|r| r.trusted_proxies = Some(many)).unwrap();
        assert!(c.trusted_proxies.contains("fd12::1".parse().unwrap()));
        assert!(c.trusted_proxies.contains("172.20.0.1".parse().unwrap()));
    }
}
