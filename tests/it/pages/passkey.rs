//! Passkey sign-in on the hosted login page, with a software authenticator in the browser's place: discoverable
//! and for a typed identifier, through the whole OIDC flow, and every refusal (wrong origin, replayed or expired
//! ceremony, another user's credential, a removed passkey).

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{ALICE, Browser, Page, Setup, VERIFIER, jwt_claims};
use crate::support::passkey::{Authenticator, options};
use crate::support::{Admin, TestServer};

/// A setup whose pool offers passwords and passkeys; Alice holds one passkey on the returned authenticator.
pub async fn with_passkey(srv: &TestServer, admin: &Admin) -> (Setup, Authenticator) {
    let setup = Setup::new(srv, admin, json!({})).await;
    offer(admin, &setup, json!(["password", "passkey"])).await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    enrol(srv, &setup.user, &mut authenticator).await;
    (setup, authenticator)
}

/// Makes passkeys the pool's preferred method (besides passwords): users without one are offered to add one.
pub async fn prefer_passkeys(admin: &Admin, setup: &Setup) {
    let (status, body) = admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({
                "authentication_mechanisms": ["password", "passkey"],
                "preferred_authentication_mechanism": "passkey",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub async fn offer(admin: &Admin, setup: &Setup, mechanisms: Value) {
    let (status, body) = admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({"authentication_mechanisms": mechanisms}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Gives `user` a passkey on `authenticator` through the enrolment ceremony of the domain.
pub async fn enrol(srv: &TestServer, user: &str, authenticator: &mut Authenticator) {
    use tarn::testing::passkey::{Subject, enrol};
    let app = &srv.state;
    let holder = enrol::Holder {
        id: user.to_owned(),
        name: ALICE.to_owned(),
        display_name: "Alice".to_owned(),
    };
    let subject = Subject::Enrol {
        workspace: "test".into(),
        user: user.to_owned(),
    };
    let begun = enrol::begin(app, "default", holder, subject).await.unwrap();
    let credential = authenticator.create(&begun.options).unwrap();
    let (_, new) = enrol::finish(app, "default", &begun.ceremony, &credential, |_| true)
        .await
        .unwrap();
    let (user, now) = (user.to_owned(), app.clock.now());
    app.db
        .run(move |c| enrol::store(c, &user, &new, "", now).map(|_| ()))
        .await
        .unwrap();
}

/// The passkey options the login page's script would fetch (`identifier` empty for a discoverable sign-in).
pub async fn sign_in_options(browser: &Browser, login: &Page, identifier: &str) -> (u16, Value) {
    let url = login
        .attr("#passkey-sign-in", "data-options")
        .expect("a passkey button");
    let (csrf, request) = (
        login.input("csrf_token").unwrap(),
        login.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("identifier", identifier),
    ];
    options(browser, &url, &form).await
}

/// Posts a credential to the login page's passkey form.
pub async fn finish_sign_in(
    browser: &Browser,
    login: &Page,
    ceremony: &str,
    credential: &str,
) -> Page {
    let action = login.attr("#passkey-form", "action").unwrap();
    let (csrf, request) = (
        login.input("csrf_token").unwrap(),
        login.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("ceremony", ceremony),
        ("credential", credential),
    ];
    browser.post_form(&action, &form).await
}

/// The whole passkey sign-in from the login page; returns the server's answer to the credential.
pub async fn sign_in(
    browser: &Browser,
    login: &Page,
    authenticator: &mut Authenticator,
    identifier: &str,
) -> Page {
    let (status, opts) = sign_in_options(browser, login, identifier).await;
    assert_eq!(status, 200, "{opts}");
    let credential = authenticator.get(&opts).unwrap();
    finish_sign_in(
        browser,
        login,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await
}

/// A sign-in refused on the login page: no redirect to the client, the page saying why (`words`).
pub fn assert_refused(page: &Page, words: &str) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.location.is_none());
    let alert = page.alert().unwrap_or_default();
    assert!(alert.contains(words), "{alert:?} should say {words:?}");
}

fn allowed_ids(options: &Value) -> Vec<String> {
    options["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_discoverable_passkey_signs_in_through_the_openidconnect_rp() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let (client, http) = setup.rp().await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let browser = Browser::default();
    let login = browser.login_page(url.as_str()).await;
    let (_, opts) = sign_in_options(&browser, &login, "").await;
    assert_eq!(
        allowed_ids(&opts),
        Vec::<String>::new(),
        "discoverable: no list"
    );
    let back = finish_sign_in(
        &browser,
        &login,
        opts["ceremony"].as_str().unwrap(),
        &authenticator.get(&opts).unwrap(),
    )
    .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let tokens = client
        .exchange_code(AuthorizationCode::new(back.redirect_param("code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    assert_eq!(claims.subject().as_str(), setup.user);
    let amr: Vec<&str> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|m| m.as_str())
        .collect();
    assert_eq!(amr, ["hwk", "user"]);
}

#[actix_web::test]
async fn a_typed_identifier_lists_the_users_passkeys_and_signs_in() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, "Alice@Example.com").await;
    assert_eq!(allowed_ids(&opts).len(), 1);
    let credential = authenticator.get(&opts).unwrap();
    let back = finish_sign_in(
        &browser,
        &login,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let reply = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let claims = jwt_claims(reply.json["id_token"].as_str().unwrap());
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
    assert_eq!(claims["sub"], setup.user);
}

#[actix_web::test]
async fn identifiers_without_passkeys_get_stable_decoys_that_never_sign_in() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, first) = sign_in_options(&browser, &login, "nobody@example.com").await;
    let (_, again) = sign_in_options(&browser, &login, "nobody@example.com").await;
    assert_eq!(
        allowed_ids(&first),
        allowed_ids(&again),
        "the same decoys each time"
    );
    assert_ne!(
        first["publicKey"]["challenge"],
        again["publicKey"]["challenge"]
    );
    // Alice's own authenticator, answering a decoy ceremony, gets nowhere.
    let mut decoy = again.clone();
    decoy["publicKey"]["allowCredentials"] = json!([]);
    let credential = authenticator.get(&decoy).unwrap();
    let page = finish_sign_in(
        &browser,
        &login,
        again["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_refused(&page, "not accepted");
}

#[actix_web::test]
async fn an_assertion_made_on_another_origin_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    // Another site on the same host (another port) relays the challenge: the signature is genuine, the origin
    // in the signed client data is not Tarn's.
    let port = authenticator.origin.port().unwrap();
    authenticator.origin = url::Url::parse(&format!("http://localhost:{}", port + 1)).unwrap();
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, ALICE).await;
    let ceremony = opts["ceremony"].as_str().unwrap();
    let relayed = authenticator.get(&opts).unwrap();
    let page = finish_sign_in(&browser, &login, ceremony, &relayed).await;
    assert_refused(&page, "not accepted");
    // The refused answer used the ceremony up: a genuine answer to the same challenge comes too late.
    authenticator.origin = url::Url::parse(srv.state.config.public_url()).unwrap();
    let genuine = authenticator.get(&opts).unwrap();
    let page = finish_sign_in(&browser, &login, ceremony, &genuine).await;
    assert_refused(&page, "expired");
}

#[actix_web::test]
async fn a_ceremony_finishes_once() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, ALICE).await;
    let credential = authenticator.get(&opts).unwrap();
    let ceremony = opts["ceremony"].as_str().unwrap();
    let first = finish_sign_in(&browser, &login, ceremony, &credential).await;
    assert_eq!(first.status, StatusCode::FOUND, "{}", first.body);
    // The same answer again, for a new authorization request: the challenge was used up.
    let login = browser
        .login_page(&setup.authorize_url(&[("prompt", "login")]))
        .await;
    let replay = finish_sign_in(&browser, &login, ceremony, &credential).await;
    assert_refused(&replay, "expired");
}

#[actix_web::test]
async fn a_ceremony_expires_after_five_minutes() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, ALICE).await;
    let credential = authenticator.get(&opts).unwrap();
    srv.state.clock.advance(301);
    let page = finish_sign_in(
        &browser,
        &login,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_refused(&page, "expired");
}

#[actix_web::test]
async fn another_users_credential_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut alices) = with_passkey(&srv, &admin).await;
    let bob = admin.create_user(&setup.pool, "bob@example.com").await;
    let mut bobs = Authenticator::new(srv.state.config.public_url());
    enrol(&srv, &bob, &mut bobs).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    // The ceremony is for Bob; Alice's authenticator answers with her own (valid) credential.
    let (_, opts) = sign_in_options(&browser, &login, "bob@example.com").await;
    let mut hers = opts.clone();
    hers["publicKey"]["allowCredentials"] = json!([]);
    let credential = alices.get(&hers).unwrap();
    let page = finish_sign_in(
        &browser,
        &login,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_refused(&page, "not accepted");
}

#[actix_web::test]
async fn a_removed_passkey_no_longer_signs_in() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    // The ceremony began while the passkey existed; it is removed before the answer arrives.
    let (_, opts) = sign_in_options(&browser, &login, ALICE).await;
    let credential = authenticator.get(&opts).unwrap();
    let user = setup.user.clone();
    srv.state
        .db
        .run(move |c| {
            let id = tarn::testing::passkey::list(c, &user)?[0].id.clone();
            tarn::testing::passkey::remove(c, &user, &id)
        })
        .await
        .unwrap();
    let page = finish_sign_in(
        &browser,
        &login,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_refused(&page, "not accepted");
}

#[actix_web::test]
async fn the_login_page_offers_passkeys_only_where_a_pool_does() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(!login.body.contains("Sign in with a passkey"));
    assert!(login.scripts().is_empty());
    offer(&admin, &setup, json!(["passkey"])).await;
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(login.body.contains("Sign in with a passkey"));
    assert_eq!(
        login.input_type("password"),
        None,
        "a passkey-only pool asks for no password"
    );
    assert_eq!(
        login.attr("#identifier", "autocomplete").as_deref(),
        Some("username webauthn")
    );
    let scripts = login.scripts();
    assert_eq!(scripts.len(), 1);
    assert!(
        scripts[0]
            .0
            .as_deref()
            .unwrap()
            .ends_with("/static/js/passkey.js")
    );
    assert!(scripts[0].1.trim().is_empty(), "no inline script");
    let js = browser.get(scripts[0].0.as_deref().unwrap()).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("navigator.credentials.get"));
}

#[actix_web::test]
async fn passkey_options_need_the_forms_csrf_token_and_a_live_request() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let url = login.attr("#passkey-sign-in", "data-options").unwrap();
    let request = login.input("request").unwrap();
    let (status, body) = options(
        &browser,
        &url,
        &[("csrf_token", "forged"), ("request", &request)],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let csrf = login.input("csrf_token").unwrap();
    let (status, body) = options(
        &browser,
        &url,
        &[("csrf_token", &csrf), ("request", "unknown")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[actix_web::test]
async fn a_server_on_a_bare_ip_offers_no_passkeys() {
    // Browsers refuse WebAuthn on an IP address, so there is no relying party to offer.
    let (srv, admin) =
        TestServer::start_with(|c| c.public_url = Some("http://127.0.0.1:9".into())).await;
    assert!(srv.state.passkeys.is_none());
    let setup = Setup::new(&srv, &admin, json!({})).await;
    offer(&admin, &setup, json!(["password", "passkey"])).await;
    // The public URL names no listening port here: follow the redirects to the real address by hand.
    let here = |url: &str| url.replace("http://127.0.0.1:9", &srv.base);
    let browser = Browser::default();
    let to_login = browser.get(&here(&setup.authorize_url(&[]))).await;
    let login = browser
        .get(&here(to_login.location.as_deref().unwrap()))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(!login.body.contains("Sign in with a passkey"));
    assert_eq!(login.input_type("password").as_deref(), Some("password"));
}

#[actix_web::test]
async fn a_pool_that_stops_offering_passkeys_refuses_them_at_once() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, "").await;
    let credential = authenticator.get(&opts).unwrap();
    // The ceremony began while the pool offered passkeys; the admin withdraws them before the answer arrives.
    offer(&admin, &setup, json!(["password"])).await;
    let ceremony = opts["ceremony"].as_str().unwrap();
    let page = finish_sign_in(&browser, &login, ceremony, &credential).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location.is_none());
    assert!(page.alert().unwrap().contains("Choose one of the ways"));
    let (status, body) = sign_in_options(&browser, &login, "").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("not offered")
    );
}

#[actix_web::test]
async fn a_passkey_of_a_pool_without_passkeys_is_refused_even_where_another_pool_offers_them() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let others = admin
        .create(
            "/default/pools",
            json!({"name": "others", "authentication_mechanisms": ["passkey"]}),
        )
        .await;
    admin
        .create(
            "/default/workspaces/default/idps",
            json!({"pool_id": others["id"]}),
        )
        .await;
    offer(&admin, &setup, json!(["password"])).await;
    // The page still offers passkeys (for the other pool); Alice's pool no longer does.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = sign_in(&browser, &login, &mut authenticator, "").await;
    assert_refused(&page, "not accepted");
}

/// The shape of passkey options with the random values taken out: every key, and every value that is not an id
/// or a challenge.
fn shape(options: &Value) -> Value {
    let mut shape = options["publicKey"].clone();
    shape["challenge"] = json!("…");
    if let Some(list) = shape["allowCredentials"].as_array_mut() {
        for entry in list {
            entry["id"] = json!("…");
        }
    }
    shape
}

#[actix_web::test]
async fn decoy_options_have_the_shape_of_a_real_users() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, real) = sign_in_options(&browser, &login, ALICE).await;
    for stranger in ["nobody@example.com", "someone.else@example.org"] {
        let (_, decoy) = sign_in_options(&browser, &login, stranger).await;
        let (real_shape, decoy_shape) = (shape(&real), shape(&decoy));
        let entries = |s: &Value| s["allowCredentials"].as_array().map(Vec::len);
        // The number of entries may differ (it is a count of passkeys); each entry and everything else may not.
        let first = |s: &Value| s["allowCredentials"][0].clone();
        assert_eq!(first(&real_shape), first(&decoy_shape), "{real} vs {decoy}");
        let without_list = |mut s: Value| {
            s["allowCredentials"] = json!(null);
            s
        };
        assert_eq!(
            without_list(real_shape.clone()),
            without_list(decoy_shape.clone()),
            "{real} vs {decoy}"
        );
        assert!(entries(&decoy_shape).unwrap_or(0) >= 1);
        assert_eq!(
            real.as_object().unwrap().len(),
            decoy.as_object().unwrap().len(),
            "{real} vs {decoy}"
        );
    }
}
