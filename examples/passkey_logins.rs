//! Complete passkey sign-ins against a running Tarn, as `bench/run.sh` measures them: each worker is a browser
//! with a software authenticator (webauthn-authenticator-rs's `SoftPasskey`) that enrols a passkey once
//! (password sign-in → suggestion page → creation ceremony), then loops: authorize (PKCE S256) → login page →
//! options (discoverable, no identifier) → assertion → finish → code → token.
//!
//! `cargo run --release --example passkey_logins -- BASE_URL ADMIN_TOKEN CONCURRENCY SECONDS [ORIGIN [SERVER_PID]]`
//!
//! It sets up its own pool (password and passkey), connected to workspace `default/default`, one user per worker
//! and a public client, so repeated runs do not share users. ORIGIN is the origin the authenticator signs for
//! (Tarn's `TARN_PASSKEY_ORIGIN`); it defaults to BASE_URL's, which must then not be a bare IP address. With
//! SERVER_PID (a Tarn on this machine) it also reports the server's CPU time during the measured sign-ins only,
//! without the set-up and enrolment before them.
//!
//! Prints one Markdown table row: `| passkey login | concurrency | logins/s | p50 ms | p99 ms | options+finish
//! p50 ms | options+finish p99 ms | server CPU s | server CPU ms/login | load generator CPU s | errors |`, and on
//! stderr the median of each step. The authenticator signs in this process, so its CPU competes with the
//! server's when both share a machine.

use std::collections::HashMap;
use std::error::Error;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderValue, LOCATION};
use scraper::{Html, Selector};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

/// Errors cross task boundaries, so they must be `Send`.
type BoxError = Box<dyn Error + Send + Sync>;

const REDIRECT: &str = "http://localhost:9999/cb";
const PASSWORD: &str = "passkey bench password";

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, concurrency, seconds, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: passkey_logins BASE_URL ADMIN_TOKEN CONCURRENCY SECONDS [ORIGIN [SERVER_PID]]"
                .into(),
        );
    };
    let base = base.trim_end_matches('/').to_owned();
    let origin = Url::parse(rest.first().unwrap_or(&base))?;
    let server = match rest.get(1) {
        Some(pid) => Some(pid.parse::<u32>()?.to_string()),
        None => None,
    };
    let concurrency: usize = concurrency.parse()?;
    let seconds: f64 = seconds.parse()?;
    // One thread: the load generator then takes at most one core from the server, and how much it took is
    // reported beside the numbers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime
        .block_on(run(
            &base,
            token,
            origin,
            server.as_deref(),
            concurrency,
            Duration::from_secs_f64(seconds),
        ))
        .map_err(|e| e as Box<dyn Error>)?;
    println!("{}", report.row);
    eprintln!("{}", report.steps);
    Ok(())
}

struct Report {
    row: String,
    steps: String,
}

async fn run(
    base: &str,
    token: &str,
    origin: Url,
    server: Option<&str>,
    concurrency: usize,
    duration: Duration,
) -> Result<Report, BoxError> {
    let setup = Setup::create(base, token, concurrency).await?;
    let mut workers = Vec::with_capacity(concurrency);
    // Enrolment is not measured, so one worker after the other will do.
    for email in &setup.emails {
        let mut worker = Worker::new(&setup, origin.clone())?;
        worker.enrol(email).await?;
        workers.push(worker);
    }
    let cpu_before = cpu_seconds("self");
    let server_before = server.map(cpu_seconds);
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|worker| tokio::spawn(worker.sign_in_until(deadline)))
        .collect();
    let mut all = Samples::default();
    for task in tasks {
        all.merge(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds("self") - cpu_before;
    let server_cpu = server
        .map(cpu_seconds)
        .zip(server_before)
        .map(|(a, b)| a - b);
    if let Some(e) = &all.first_error {
        eprintln!("first error: {e}");
    }
    let logins = all.total.len();
    let (server_s, server_per_login) = match server_cpu {
        Some(s) => (
            format!("{s:.1}"),
            format!("{:.2}", s * 1000.0 / logins.max(1) as f64),
        ),
        None => ("–".to_owned(), "–".to_owned()),
    };
    let row = format!(
        "| passkey login | {concurrency} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {server_s} | {server_per_login} \
         | {cpu:.1} | {} |",
        logins as f64 / elapsed,
        ms(&mut all.total, 0.5),
        ms(&mut all.total, 0.99),
        ms(&mut all.server, 0.5),
        ms(&mut all.server, 0.99),
        all.errors,
    );
    let steps = format!(
        "c={concurrency}: p50 authorize + login page {:.2} ms, options {:.2} ms, assertion (SoftPasskey) {:.2} ms, \
         finish {:.2} ms, token {:.2} ms",
        ms(&mut all.page, 0.5),
        ms(&mut all.options, 0.5),
        ms(&mut all.assertion, 0.5),
        ms(&mut all.finish, 0.5),
        ms(&mut all.token, 0.5),
    );
    Ok(Report { row, steps })
}

/// What the admin API set up for this run.
struct Setup {
    issuer: String,
    client_id: String,
    emails: Vec<String>,
}

impl Setup {
    /// A pool offering passwords and passkeys, connected to `default/default`; one user per worker; a public
    /// client. Names carry a random tag so that runs against the same server do not collide: identifiers are
    /// looked up across every connected pool, so they must be unique across runs too.
    async fn create(base: &str, token: &str, users: usize) -> Result<Setup, BoxError> {
        let admin = Admin {
            http: reqwest::Client::new(),
            base: format!("{base}/api/admin/default"),
            token: token.to_owned(),
        };
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let tag = tag.get(..8).unwrap_or(&tag);
        let pool = admin
            .post(
                "/pools",
                // Passkeys preferred: a password sign-in then offers to add one, which is how workers enrol.
                json!({"name": format!("passkey bench {tag}"),
                       "authentication_mechanisms": ["password", "passkey"],
                       "preferred_authentication_mechanism": "passkey"}),
            )
            .await?;
        let pool = id(&pool, "id")?;
        admin
            .post("/workspaces/default/idps", json!({"pool_id": pool}))
            .await?;
        let mut emails = Vec::with_capacity(users);
        for i in 0..users {
            let email = format!("worker{i}-{tag}@passkey.example");
            admin
                .post(
                    &format!("/pools/{pool}/users"),
                    json!({"email": email, "mode": "set_credentials", "password": PASSWORD,
                           "payload": {"name": format!("Worker {i}")}}),
                )
                .await?;
            emails.push(email);
        }
        // ES256 tokens, as the client of `bench/logins.py`: the two kinds of login then sign alike.
        let client = admin
            .post(
                "/workspaces/default/clients",
                json!({"client_name": format!("passkey bench {tag}"), "redirect_uris": [REDIRECT],
                       "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"],
                       "id_token_signed_response_alg": "ES256"}),
            )
            .await?;
        Ok(Setup {
            issuer: format!("{base}/default/default"),
            client_id: id(&client, "client_id")?,
            emails,
        })
    }
}

fn id(object: &Value, field: &str) -> Result<String, BoxError> {
    Ok(object[field]
        .as_str()
        .ok_or_else(|| format!("no `{field}` in {object}"))?
        .to_owned())
}

struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Result<Value, BoxError> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            return Err(format!("admin POST {path}: {status} {text}").into());
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A browser's cookie jar that can be emptied: every measured sign-in is a new visitor without a session, while
/// the connection to the server stays open as a browser's would.
#[derive(Default)]
struct Cookies(RwLock<Arc<Jar>>);

impl Cookies {
    fn jar(&self) -> Arc<Jar> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn clear(&self) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::default();
    }
}

impl CookieStore for Cookies {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        self.jar().set_cookies(headers, url);
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        self.jar().cookies(url)
    }
}

/// A software passkey in the browser's place, as in the integration tests (`tests/it/support/passkey.rs`).
struct Authenticator {
    soft: SoftPasskey,
    origin: Url,
    /// Credential id → user handle, both base64url: what a resident key stores beside its private key.
    handles: HashMap<String, String>,
}

impl Authenticator {
    /// `navigator.credentials.create` with the server's `{"publicKey": …}`.
    fn create(&mut self, options: &Value) -> Result<String, BoxError> {
        let mut options = options.clone();
        // SoftPasskey keeps no resident keys: it makes a server-side one and remembers the user handle itself,
        // as a resident key would.
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = Value::from(false);
        let handle = id(&options["publicKey"]["user"], "id")?;
        let ccr: CreationChallengeResponse = serde_json::from_value(options)?;
        let credential = self
            .soft
            .do_registration(self.origin.clone(), ccr)
            .map_err(|e| format!("registration: {e:?}"))?;
        let json = serde_json::to_value(&credential)?;
        self.handles.insert(id(&json, "id")?, handle);
        Ok(json.to_string())
    }

    /// `navigator.credentials.get`. With no `allowCredentials` (discoverable sign-in) the authenticator offers
    /// its own credentials and returns the user handle, as the browser's account picker would.
    fn get(&mut self, options: &Value) -> Result<String, BoxError> {
        let mut options = options.clone();
        let discoverable = options["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty);
        if discoverable {
            options["publicKey"]["allowCredentials"] = self
                .handles
                .keys()
                .map(|id| json!({"type": "public-key", "id": id}))
                .collect();
        }
        let rcr: RequestChallengeResponse = serde_json::from_value(options)?;
        let credential = self
            .soft
            .do_authentication(self.origin.clone(), rcr)
            .map_err(|e| format!("authentication: {e:?}"))?;
        let mut json = serde_json::to_value(&credential)?;
        if discoverable {
            let credential_id = id(&json, "id")?;
            let handle = self
                .handles
                .get(&credential_id)
                .ok_or("the authenticator answered with a credential it does not hold")?;
            json["response"]["userHandle"] = Value::from(handle.clone());
        }
        Ok(json.to_string())
    }
}

/// Per-login durations of a worker (or of all of them), in seconds.
#[derive(Default)]
struct Samples {
    total: Vec<f64>,
    /// The two passkey round trips (options and finish): the server's part of a passkey sign-in.
    server: Vec<f64>,
    page: Vec<f64>,
    options: Vec<f64>,
    assertion: Vec<f64>,
    finish: Vec<f64>,
    token: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
}

impl Samples {
    fn merge(&mut self, other: Samples) {
        self.total.extend(other.total);
        self.server.extend(other.server);
        self.page.extend(other.page);
        self.options.extend(other.options);
        self.assertion.extend(other.assertion);
        self.finish.extend(other.finish);
        self.token.extend(other.token);
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
    }
}

/// The `p` quantile in milliseconds, picked as `bench/logins.py` picks it.
fn ms(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((p * samples.len() as f64) as usize).min(samples.len().saturating_sub(1));
    samples.get(i).map_or(0.0, |s| s * 1000.0)
}

/// CPU seconds (user + system) a process (`self` or a pid) has used, from `/proc/{pid}/stat` (in the kernel's
/// fixed 100 Hz USER_HZ ticks); 0 where that file is unreadable.
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may contain spaces; utime and stime are the
    // 14th and 15th fields of the line, so the 12th and 13th after the name.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// The values of the elements `selector` picks, attribute `attr` of the first match each.
fn read(html: &str, picks: &[(&str, &str)]) -> Result<Vec<String>, BoxError> {
    let doc = Html::parse_document(html);
    picks
        .iter()
        .map(|(selector, attr)| {
            let parsed = Selector::parse(selector).map_err(|e| format!("{selector}: {e:?}"))?;
            doc.select(&parsed)
                .find_map(|e| e.value().attr(attr))
                .map(str::to_owned)
                .ok_or_else(|| format!("no {selector} [{attr}] in the page").into())
        })
        .collect()
}

/// A PKCE verifier and its S256 challenge.
fn pkce() -> Result<(String, String), BoxError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("random: {e}"))?;
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Ok((verifier, challenge))
}

/// One browser and its authenticator, signing one user in again and again.
struct Worker {
    http: reqwest::Client,
    cookies: Arc<Cookies>,
    authenticator: Authenticator,
    issuer: String,
    client_id: String,
}

/// The login page's fields a script and its forms use.
struct LoginPage {
    csrf: String,
    request: String,
    password_action: String,
    options_url: String,
    finish_url: String,
}

impl Worker {
    fn new(setup: &Setup, origin: Url) -> Result<Worker, BoxError> {
        let cookies = Arc::new(Cookies::default());
        let http = reqwest::Client::builder()
            .cookie_provider(cookies.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Worker {
            http,
            cookies,
            authenticator: Authenticator {
                // `true`: claims user verification, which Tarn requires and a software key cannot do.
                soft: SoftPasskey::new(true),
                origin,
                handles: HashMap::new(),
            },
            issuer: setup.issuer.clone(),
            client_id: setup.client_id.clone(),
        })
    }

    /// A fresh visit: no cookies, authorize with a new PKCE challenge, follow to the login page.
    async fn login_page(&self, challenge: &str) -> Result<LoginPage, BoxError> {
        self.cookies.clear();
        let authorize = Url::parse_with_params(
            &format!("{}/oauth2/authorize", self.issuer),
            [
                ("client_id", self.client_id.as_str()),
                ("redirect_uri", REDIRECT),
                ("response_type", "code"),
                ("scope", "openid email"),
                ("state", "s"),
                ("nonce", "n"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
        )?;
        let res = self.http.get(authorize).send().await?;
        let login = location(&res, StatusCode::FOUND)?;
        let res = self.http.get(login).send().await?;
        let html = ok_text(res).await?;
        let [csrf, request, password_action, options_url, finish_url]: [String; 5] = read(
            &html,
            &[
                ("input[name=csrf_token]", "value"),
                ("input[name=request]", "value"),
                ("form", "action"),
                ("#passkey-sign-in", "data-options"),
                ("#passkey-form", "action"),
            ],
        )?
        .try_into()
        .map_err(|_| "login page fields")?;
        Ok(LoginPage {
            csrf,
            request,
            password_action,
            options_url,
            finish_url,
        })
    }

    /// Gives the worker's user a passkey as a person would: password sign-in, then "Add a passkey" on the
    /// suggestion page, which resumes the authorization.
    async fn enrol(&mut self, email: &str) -> Result<(), BoxError> {
        let (_, challenge) = pkce()?;
        let page = self.login_page(&challenge).await?;
        let form = [
            ("csrf_token", page.csrf.as_str()),
            ("request", &page.request),
            ("identifier", email),
            ("password", PASSWORD),
            ("action", "password"),
        ];
        let res = self
            .http
            .post(&page.password_action)
            .form(&form)
            .send()
            .await?;
        let html = ok_text(res).await?;
        let [csrf, request, options_url, finish_url]: [String; 4] = read(
            &html,
            &[
                ("input[name=csrf_token]", "value"),
                ("#passkey-form input[name=request]", "value"),
                ("#passkey-add", "data-options"),
                ("#passkey-form", "action"),
            ],
        )?
        .try_into()
        .map_err(|_| "suggestion page fields")?;
        // passkey.js posts the fields of the button's form: the CSRF token and the request.
        let form = [("csrf_token", csrf.as_str()), ("request", &request)];
        let options = self.options(&options_url, &form).await?;
        let credential = self.authenticator.create(&options)?;
        let ceremony = id(&options, "ceremony")?;
        let form = [
            ("csrf_token", csrf.as_str()),
            ("request", &request),
            ("ceremony", &ceremony),
            ("credential", &credential),
        ];
        let res = self.http.post(&finish_url).form(&form).send().await?;
        code(&location(&res, StatusCode::FOUND)?)?;
        Ok(())
    }

    async fn options(&self, url: &str, form: &[(&str, &str)]) -> Result<Value, BoxError> {
        let res = self.http.post(url).form(form).send().await?;
        Ok(serde_json::from_str(&ok_text(res).await?)?)
    }

    /// Signs in until `deadline`, one complete login after the other.
    async fn sign_in_until(mut self, deadline: Instant) -> Result<Samples, BoxError> {
        let mut samples = Samples::default();
        while Instant::now() < deadline {
            if let Err(e) = self.sign_in(&mut samples).await {
                samples.errors += 1;
                samples.first_error.get_or_insert_with(|| e.to_string());
            }
        }
        Ok(samples)
    }

    /// One discoverable passkey sign-in, from the client's authorization request to its tokens.
    async fn sign_in(&mut self, samples: &mut Samples) -> Result<(), BoxError> {
        let start = Instant::now();
        let (verifier, challenge) = pkce()?;
        let page = self.login_page(&challenge).await?;
        let paged = Instant::now();
        let form = [
            ("csrf_token", page.csrf.as_str()),
            ("request", &page.request),
            ("identifier", ""),
        ];
        let options = self.options(&page.options_url, &form).await?;
        let optioned = Instant::now();
        let credential = self.authenticator.get(&options)?;
        let asserted = Instant::now();
        let ceremony = id(&options, "ceremony")?;
        let form = [
            ("csrf_token", page.csrf.as_str()),
            ("request", &page.request),
            ("ceremony", &ceremony),
            ("credential", &credential),
        ];
        let res = self.http.post(&page.finish_url).form(&form).send().await?;
        let code = code(&location(&res, StatusCode::FOUND)?)?;
        let finished = Instant::now();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &self.client_id),
        ];
        let res = self
            .http
            .post(format!("{}/oauth2/token", self.issuer))
            .form(&form)
            .send()
            .await?;
        let tokens: Value = serde_json::from_str(&ok_text(res).await?)?;
        id(&tokens, "access_token")?;
        let done = Instant::now();
        let secs = |from: Instant, to: Instant| to.duration_since(from).as_secs_f64();
        samples.total.push(secs(start, done));
        samples
            .server
            .push(secs(paged, optioned) + secs(asserted, finished));
        samples.page.push(secs(start, paged));
        samples.options.push(secs(paged, optioned));
        samples.assertion.push(secs(optioned, asserted));
        samples.finish.push(secs(asserted, finished));
        samples.token.push(secs(finished, done));
        Ok(())
    }
}

/// The `Location` of a response that must have `status`.
fn location(res: &reqwest::Response, status: StatusCode) -> Result<String, BoxError> {
    if res.status() != status {
        return Err(format!("{} from {}, expected {status}", res.status(), res.url()).into());
    }
    Ok(res
        .headers()
        .get(LOCATION)
        .ok_or("a redirect without Location")?
        .to_str()?
        .to_owned())
}

/// The body of a 200 response.
async fn ok_text(res: reqwest::Response) -> Result<String, BoxError> {
    let (status, url) = (res.status(), res.url().clone());
    let text = res.text().await?;
    if status != StatusCode::OK {
        let start: String = text.chars().take(300).collect();
        return Err(format!("{status} from {url}: {start}").into());
    }
    Ok(text)
}

/// The authorization code in a redirect to the client.
fn code(location: &str) -> Result<String, BoxError> {
    let url = Url::parse(location)?;
    if !location.starts_with(REDIRECT) {
        return Err(format!("redirected to {location}, not to the client").into());
    }
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code in {location}").into())
}
