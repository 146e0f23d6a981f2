//! End to end in real headless Chromium with a virtual authenticator: a user signs in with a password, takes up
//! the suggestion to add a passkey (`navigator.credentials.create` through `static/js/passkey.js`), then signs in
//! with the passkey alone (a discoverable credential offered by autofill, no identifier typed), and with the
//! "Sign in with a passkey" button after typing the identifier.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::passkey::prefer_passkeys;
use crate::support::TestServer;
use crate::support::chromium::Chromium;
use crate::support::oidc::{ALICE, PASSWORD, REDIRECT, Setup, VERIFIER, jwt_claims};

/// The authorization code in the URL the browser was sent back to, exchanged for the ID token's claims.
async fn id_token_claims(setup: &Setup, back: &url::Url) -> serde_json::Value {
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in {back}"));
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.json);
    jwt_claims(reply.json["id_token"].as_str().unwrap())
}

#[actix_web::test]
async fn chromium_adds_a_passkey_after_a_password_sign_in_and_signs_in_with_it_by_autofill() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    prefer_passkeys(&admin, &setup).await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let authenticator = chromium.add_virtual_authenticator().await;

    // `localhost` (the public URL in tests) is a secure context; a bare IP would not be.
    chromium.goto(&setup.authorize_url(&[])).await;
    chromium.fill("#identifier", ALICE).await;
    chromium.fill("#password", PASSWORD).await;
    chromium.click("button[value=password]").await;
    chromium.click("#passkey-add").await;
    let back = chromium.wait_for_url(REDIRECT).await;
    assert_eq!(id_token_claims(&setup, &back).await["amr"], json!(["pwd"]));

    let credentials = chromium.credentials(&authenticator).await;
    assert_eq!(credentials.len(), 1, "{credentials:?}");
    assert_eq!(credentials[0]["isResidentCredential"], true);
    assert_eq!(credentials[0]["rpId"], "localhost");
    let handle = URL_SAFE_NO_PAD.encode(uuid::Uuid::parse_str(&setup.user).unwrap().as_bytes());
    assert_eq!(credentials[0]["userHandle"].as_str(), Some(handle.as_str()));

    // Again, forced to sign in. The login page starts passkey autofill (conditional mediation) as it loads, and
    // the virtual authenticator, standing in for a user who picks the offered passkey, answers it: signed in with
    // nothing typed.
    chromium
        .goto(&setup.authorize_url(&[("prompt", "login")]))
        .await;
    let again = chromium.wait_for_url(REDIRECT).await;
    assert_ne!(again, back, "a new code");
    let back = again;
    let claims = id_token_claims(&setup, &back).await;
    assert_eq!(claims["sub"], setup.user);
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
    chromium.close().await;
}

#[actix_web::test]
async fn chromium_signs_in_with_the_passkey_button_while_autofill_waits() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    prefer_passkeys(&admin, &setup).await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let first = chromium.add_virtual_authenticator().await;
    chromium.goto(&setup.authorize_url(&[])).await;
    chromium.fill("#identifier", ALICE).await;
    chromium.fill("#password", PASSWORD).await;
    chromium.click("button[value=password]").await;
    chromium.click("#passkey-add").await;
    chromium.wait_for_url(REDIRECT).await;
    let credential = chromium.credentials(&first).await.remove(0);

    // The device is away while the login page loads: autofill starts and finds nothing to offer.
    chromium.remove_virtual_authenticator(&first).await;
    chromium
        .goto(&setup.authorize_url(&[("prompt", "login")]))
        .await;
    chromium.wait_for("#passkey-sign-in").await;
    // The device is back; the user types the identifier and presses the button while the autofill request is
    // still waiting (passkey.js aborts it first: a browser runs one WebAuthn request at a time).
    let second = chromium.add_virtual_authenticator().await;
    chromium.add_credential(&second, &credential).await;
    chromium.fill("#identifier", ALICE).await;
    chromium.click("#passkey-sign-in").await;
    let back = chromium.wait_for_url(REDIRECT).await;
    let claims = id_token_claims(&setup, &back).await;
    assert_eq!(claims["sub"], setup.user);
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
    chromium.close().await;
}
