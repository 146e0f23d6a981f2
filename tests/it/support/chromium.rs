//! `Chromium`: a headless Chromium driven over WebDriver by its own chromedriver (one per test, on a free loopback
//! port), with the W3C WebAuthn automation commands for a virtual authenticator, scripts run in the page, and the
//! console's messages (chromedriver's browser log). Skipped when Chromium is not installed, unless
//! `TARN_TEST_REQUIRE_CHROMIUM=1` (as in CI) makes that a failure.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::Method;
use serde_json::{Value, json};
use url::Url;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest any single step (driver start-up, an element to appear, a script) may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A chromedriver child process; killed (only it, through its handle) when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        // Port 0 makes the OS pick a free port; the listener is dropped at once so chromedriver can bind it.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        driver.wait_ready().await;
        driver
    }

    /// Polls `GET /status` until chromedriver is ready for sessions, for at most `TIMEOUT`.
    async fn wait_ready(&mut self) {
        let status = format!("{}/status", self.url);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(exit) = self.child.try_wait().expect("chromedriver status") {
                panic!(
                    "chromedriver exited before it was ready ({exit}); is {} taken?",
                    self.url
                );
            }
            if let Ok(res) = http.get(&status).send().await
                && let Ok(body) = res.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver at {} not ready after {TIMEOUT:?}",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromium was started with `--remote-debugging-pipe`, so it exits with its driver.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A session command fantoccini has none built in for, through `Client::issue_cmd`: the W3C WebAuthn automation
/// commands (<https://w3c.github.io/webauthn/#sctn-automation>) under `/session/{id}/webauthn/`, and
/// chromedriver's browser log under `/session/{id}/se/log`.
#[derive(Debug)]
struct SessionCommand {
    method: Method,
    /// The rest of the path after `/session/{id}/`.
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(&self, base: &Url, session_id: Option<&str>) -> Result<Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session is open");
        base.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _url: &Url) -> (Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

/// A headless Chromium session. Call `close` at the end of a test; dropping it (e.g. on a panic) still stops
/// chromedriver and with it the browser.
pub struct Chromium {
    client: Client,
    _driver: Driver,
}

impl Chromium {
    /// Starts chromedriver and a browser session, or `None` when Chromium is not installed (and not required).
    pub async fn start() -> Option<Chromium> {
        Self::start_with_prefs(json!({})).await
    }

    /// Like [`Chromium::start`], with JavaScript switched off (pages must work without it).
    pub async fn start_without_javascript() -> Option<Chromium> {
        Self::start_with_prefs(json!({"profile.managed_default_content_settings.javascript": 2}))
            .await
    }

    async fn start_with_prefs(prefs: Value) -> Option<Chromium> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|path| !Path::new(path).exists())
            .collect();
        if !missing.is_empty() {
            let required = std::env::var("TARN_TEST_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "TARN_TEST_REQUIRE_CHROMIUM=1 but {missing:?} is missing: apt-get install chromium chromium-driver"
            );
            eprintln!(
                "browser test skipped: {missing:?} is missing (apt-get install chromium chromium-driver)"
            );
            return None;
        }
        let driver = Driver::start().await;
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                // No sandbox: tests may run as root in a container. No /dev/shm: it is tiny in containers.
                // The debugging pipe (instead of a port) ties the browser's lifetime to chromedriver's.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--remote-debugging-pipe"],
                "prefs": prefs,
            }),
        );
        // Keeps the console's messages (CSP violations among them) for `console_messages`.
        capabilities.insert("goog:loggingPrefs".to_owned(), json!({"browser": "ALL"}));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a Chromium WebDriver session");
        let timeouts = TimeoutConfiguration::new(Some(TIMEOUT), Some(TIMEOUT), None);
        client.update_timeouts(timeouts).await.unwrap();
        Some(Chromium {
            client,
            _driver: driver,
        })
    }

    async fn webauthn(&self, method: Method, path: String, body: Option<Value>) -> Value {
        self.session_command(method, format!("webauthn/{path}"), body)
            .await
    }

    async fn session_command(&self, method: Method, path: String, body: Option<Value>) -> Value {
        let command = SessionCommand { method, path, body };
        let description = format!("{command:?}");
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|e| panic!("{description}: {e}"))
    }

    /// Adds a CTAP2 platform authenticator that holds discoverable credentials and verifies the user without
    /// asking; returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "isUserConsenting": true,
        });
        let id = self
            .webauthn(Method::POST, "authenticator".to_owned(), Some(options))
            .await;
        id.as_str().expect("an authenticator id").to_owned()
    }

    /// The credentials the authenticator holds (`credentialId`, `isResidentCredential`, `rpId`, `userHandle`,
    /// `signCount`, …).
    pub async fn credentials(&self, authenticator_id: &str) -> Vec<Value> {
        let path = format!("authenticator/{authenticator_id}/credentials");
        match self.webauthn(Method::GET, path, None).await {
            Value::Array(credentials) => credentials,
            other => panic!("credentials are not a list: {other}"),
        }
    }

    pub async fn remove_virtual_authenticator(&self, authenticator_id: &str) {
        let path = format!("authenticator/{authenticator_id}");
        self.webauthn(Method::DELETE, path, None).await;
    }

    /// Puts a credential (as `credentials` lists it, private key included) into an authenticator.
    pub async fn add_credential(&self, authenticator_id: &str, credential: &Value) {
        let path = format!("authenticator/{authenticator_id}/credential");
        self.webauthn(Method::POST, path, Some(credential.clone()))
            .await;
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// The element `css` selects, once it appears (within `TIMEOUT`).
    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(TIMEOUT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}` within {TIMEOUT:?}: {e}"))
    }

    /// The text of the element `css` selects right now, if there is one (a page being replaced may have none).
    pub async fn text_now(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// Waits (within `TIMEOUT`) until the element `css` selects has the text `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if self.text_now(css).await.as_deref() == Some(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "`{css}` did not read {text:?} within {TIMEOUT:?}: {:?}",
            self.text_now(css).await
        );
    }

    /// Replaces the value of the input `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.wait_for(css).await;
        input.clear().await.unwrap();
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into `{css}`: {e}"));
    }

    /// Clicks the element `css` once it is shown (the pages' scripts reveal some buttons).
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        for _ in 0..200 {
            if element.is_displayed().await.unwrap_or(false) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking `{css}`: {e}"));
    }

    /// The browser's URL once it starts with `prefix` (within `TIMEOUT`).
    pub async fn wait_for_url(&self, prefix: &str) -> Url {
        for _ in 0..200 {
            let url = self.current_url().await;
            if url.as_str().starts_with(prefix) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the browser did not reach {prefix}; it is at {}",
            self.current_url().await
        );
    }

    /// Chooses the option labelled `label` in the select `css`.
    pub async fn select(&self, css: &str, label: &str) {
        self.wait_for(css)
            .await
            .select_by_label(label)
            .await
            .unwrap_or_else(|e| panic!("choosing {label:?} in `{css}`: {e}"));
    }

    /// The `value` of the input `css`, once it appears.
    pub async fn value(&self, css: &str) -> String {
        let input = self.wait_for(css).await;
        input.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Runs `script` in the page (WebDriver scripts are not subject to the page's CSP) with `args`; its return
    /// value.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("a script failed: {e}"))
    }

    /// Runs `script`, which calls its last argument with the result, in the page (within `TIMEOUT`).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("an async script failed: {e}"))
    }

    /// The console's messages since the last call, as text ("… Refused to load … Content Security Policy …").
    pub async fn console_messages(&self) -> Vec<String> {
        let body = json!({"type": "browser"});
        let entries = self
            .session_command(Method::POST, "se/log".to_owned(), Some(body))
            .await;
        let Value::Array(entries) = entries else {
            panic!("the browser log is not a list: {entries}");
        };
        entries
            .iter()
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Resizes the browser window (the viewport follows), e.g. to 320 px wide for reflow.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("resizing the window to {width}×{height}: {e}"));
    }

    pub async fn current_url(&self) -> Url {
        self.client.current_url().await.unwrap()
    }

    /// Ends the session (chromedriver quits the browser), then stops chromedriver.
    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}
