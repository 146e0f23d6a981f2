//! The headless-Chromium harness works: its virtual authenticator creates a discoverable passkey on the server's
//! `localhost` origin and signs in with it, as the passkey pages' end-to-end test will need.

use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::chromium::Chromium;

/// Resolves with `{id}` of a new discoverable ES256 credential for `localhost`, or `{error}`; the WebAuthn timeout
/// makes a missing or unwilling authenticator fail fast instead of hanging until the script timeout.
const CREATE: &str = r#"
const done = arguments[arguments.length - 1];
navigator.credentials.create({publicKey: {
    rp: {id: "localhost", name: "t"},
    user: {id: new TextEncoder().encode("user-1"), name: "alice", displayName: "Alice"},
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    pubKeyCredParams: [{type: "public-key", alg: -7}],
    authenticatorSelection: {residentKey: "required", userVerification: "required"},
    timeout: 5000,
}}).then(c => done({id: c.id}), e => done({error: String(e)}));
"#;

/// Resolves with `{id}` of the credential a discoverable sign-in (no `allowCredentials`) used, or `{error}`.
const GET: &str = r#"
const done = arguments[arguments.length - 1];
navigator.credentials.get({publicKey: {
    rpId: "localhost",
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    allowCredentials: [],
    userVerification: "required",
    timeout: 5000,
}}).then(c => done({id: c.id}), e => done({error: String(e)}));
"#;

/// Replaces the page with a small form whose button greets the name typed in (prefilled, so `fill` must clear it).
const FORM: &str = r#"
document.body.innerHTML = '<input id="name" value="x"><button id="greet">greet</button><p id="out"></p>';
document.getElementById("greet").onclick = () => {
    document.getElementById("out").textContent = "hello " + document.getElementById("name").value;
};
arguments[arguments.length - 1](null);
"#;

async fn credential_id(chromium: &Chromium, script: &str) -> String {
    let outcome = chromium.execute_async(script, vec![]).await;
    outcome["id"]
        .as_str()
        .unwrap_or_else(|| panic!("WebAuthn call failed: {outcome}"))
        .to_owned()
}

#[actix_web::test]
async fn browser_harness_creates_a_passkey_with_the_virtual_authenticator() {
    let (server, _admin) = TestServer::start().await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let authenticator = chromium.add_virtual_authenticator().await;
    // `localhost` is a secure context (an IP address is not), so WebAuthn is available on this origin.
    let public_url = server.state.config.public_url();
    chromium.goto(&format!("{public_url}/healthz")).await;

    let created = credential_id(&chromium, CREATE).await;
    let credentials = chromium.credentials(&authenticator).await;
    assert_eq!(credentials.len(), 1, "{credentials:?}");
    let held = &credentials[0];
    assert_eq!(held["isResidentCredential"], Value::Bool(true), "{held}");
    assert_eq!(held["rpId"], json!("localhost"), "{held}");
    assert_eq!(held["credentialId"], json!(created), "{held}");

    assert_eq!(credential_id(&chromium, GET).await, created);

    // The page helpers the end-to-end tests use: typing and clicking reach the DOM.
    chromium.execute_async(FORM, vec![]).await;
    chromium.fill("#name", "alice").await;
    chromium.click("#greet").await;
    assert_eq!(chromium.text("#out").await, "hello alice");
    assert_eq!(chromium.current_url().await.path(), "/healthz");

    chromium.remove_virtual_authenticator(&authenticator).await;
    chromium.close().await;
}
