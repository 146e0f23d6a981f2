//! Consent (OIDC Core §3.1.2.4): a client with `require_consent` (or any client under `prompt=consent`) sends
//! the signed-in user to the consent page before it gets a code. Allow is remembered per user, client and
//! scopes (a new scope asks again), Deny is `access_denied`, `prompt=none` is `consent_required`; only the
//! browser of that sign-in may decide; the account page lists the apps and Remove access revokes them.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope,
    TokenResponse,
};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::json;

use crate::support::oidc::{
    ALICE, Browser, PASSWORD, Page, REDIRECT, STATE, Setup, VERIFIER, jwt_claims,
};
use crate::support::{Admin, TestServer};

const BOB: &str = "bob@example.com";

/// A workspace whose client (`Test app`) requires consent, merged with `client`.
pub async fn consenting(srv: &TestServer, admin: &Admin, client: serde_json::Value) -> Setup {
    let mut registration = json!({"require_consent": true});
    if let (Some(base), serde_json::Value::Object(extra)) = (registration.as_object_mut(), client) {
        base.extend(extra);
    }
    Setup::new(srv, admin, registration).await
}

/// Follows `authorize_url` in `browser`, signing in as `identifier` when the login page comes; returns the last
/// answer (the redirect to the consent page or to the client).
async fn authorize_as(browser: &Browser, authorize_url: &str, identifier: &str) -> Page {
    let mut back = browser.get(authorize_url).await;
    if back
        .location
        .as_deref()
        .is_some_and(|l| l.contains("/login?"))
    {
        let login = browser.get(back.location.as_deref().unwrap()).await;
        back = browser.submit_login(&login, identifier, PASSWORD).await;
        back = browser.not_now(back).await;
    }
    back
}

/// Follows `authorize_url` as Alice to the consent page, which it returns.
pub async fn consent_page(browser: &Browser, authorize_url: &str) -> Page {
    let back = authorize_as(browser, authorize_url, ALICE).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let location = back.location.clone().unwrap();
    assert!(location.contains("/consent?request="), "{location}");
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

/// Presses `decision` (`allow` or `deny`) on the consent page.
pub async fn decide(browser: &Browser, page: &Page, decision: &str) -> Page {
    let (csrf, request) = (
        page.input("csrf_token").unwrap(),
        page.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("decision", decision),
    ];
    browser.post_form(&page.form_action(), &form).await
}

fn texts(page: &Page, selector: &str) -> Vec<String> {
    let html = Html::parse_document(&page.body);
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

pub fn assert_code(back: &Page, setup: &Setup) -> String {
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(back.redirect_param("state").as_deref(), Some(STATE));
    assert_eq!(
        back.redirect_param("iss").as_deref(),
        Some(setup.issuer.as_str())
    );
    back.redirect_param("code")
        .unwrap_or_else(|| panic!("a code in {:?}", back.location))
}

#[actix_web::test]
async fn allow_gives_the_relying_party_its_tokens_and_is_remembered_for_those_scopes() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let (client, http) = setup.rp().await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = Browser::default();
    let page = consent_page(&browser, url.as_str()).await;
    assert_eq!(texts(&page, "h1 .client-name"), ["Test app"]);
    let asked = texts(&page, "ul.scopes li");
    assert_eq!(
        asked,
        ["Who you are", "Your email address", "Stay signed in"]
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' http://localhost:9999"),
        "{csp}"
    );
    let back = decide(&browser, &page, "allow").await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert_eq!(
        back.redirect_param("state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(
        back.redirect_param("iss").as_deref(),
        Some(setup.issuer.as_str())
    );
    let tokens = client
        .exchange_code(AuthorizationCode::new(back.redirect_param("code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    let claims = tokens
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &nonce)
        .expect("ID token verifies, nonce included");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(claims.email().map(|e| e.as_str()), Some(ALICE));
    let raw = jwt_claims(&tokens.id_token().unwrap().to_string());
    assert!(raw["auth_time"].is_i64() && raw["sid"].is_string(), "{raw}");
    assert_eq!(raw["amr"], json!(["pwd"]));
    assert!(tokens.refresh_token().is_some());

    // The same scopes again, in the same browser (its SSO session): straight to the client.
    let again = browser
        .get(&setup.authorize_url(&[("scope", "openid email")]))
        .await;
    let code = assert_code(&again, &setup);
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    // A new scope asks again, naming it; once allowed, the union covers both.
    let page = consent_page(&browser, &setup.authorize_url(&[("scope", "openid phone")])).await;
    assert_eq!(
        texts(&page, "ul.scopes li"),
        ["Who you are", "Your phone number"]
    );
    assert_code(&decide(&browser, &page, "allow").await, &setup);
    let both = setup.authorize_url(&[("scope", "openid email phone offline_access")]);
    assert_code(&browser.get(&both).await, &setup);

    // prompt=consent asks even so.
    let forced = setup.authorize_url(&[("scope", "openid email"), ("prompt", "consent")]);
    let page = consent_page(&browser, &forced).await;
    assert_code(&decide(&browser, &page, "allow").await, &setup);
}

#[actix_web::test]
async fn prompt_consent_asks_for_a_client_that_does_not_require_consent() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let plain = authorize_as(&browser, &setup.authorize_url(&[]), ALICE).await;
    assert_code(&plain, &setup);
    let page = consent_page(&browser, &setup.authorize_url(&[("prompt", "consent")])).await;
    let code = assert_code(&decide(&browser, &page, "allow").await, &setup);
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn deny_sends_access_denied_with_state_and_iss_and_stores_nothing() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let page = consent_page(&browser, &setup.authorize_url(&[])).await;
    let back = decide(&browser, &page, "deny").await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(
        back.redirect_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(back.redirect_param("state").as_deref(), Some(STATE));
    assert_eq!(
        back.redirect_param("iss").as_deref(),
        Some(setup.issuer.as_str())
    );
    assert_eq!(back.redirect_param("code"), None);
    // Decided once: the same form again is refused, and the next request asks again.
    let twice = decide(&browser, &page, "allow").await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.body);
    consent_page(&browser, &setup.authorize_url(&[])).await;
}

#[actix_web::test]
async fn deny_honours_form_post() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let url = setup.authorize_url(&[("response_mode", "form_post")]);
    let page = consent_page(&browser, &url).await;
    let back = decide(&browser, &page, "deny").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let posted = Html::parse_document(&back.body);
    let form = Selector::parse(&format!("form[action=\"{REDIRECT}\"]")).unwrap();
    assert_eq!(posted.select(&form).count(), 1, "{}", back.body);
    assert_eq!(back.input("error").as_deref(), Some("access_denied"));
    assert_eq!(back.input("state").as_deref(), Some(STATE));
}

#[actix_web::test]
async fn prompt_none_without_consent_is_consent_required() {
    let (srv, admin) = TestServer::start().await;
    let plain = Setup::new(&srv, &admin, json!({})).await;
    let setup = plain
        .another_client(&admin, json!({"require_consent": true}))
        .await;
    let browser = Browser::default();
    assert_code(
        &authorize_as(&browser, &plain.authorize_url(&[]), ALICE).await,
        &plain,
    );
    let silent = setup.authorize_url(&[("prompt", "none")]);
    let back = browser.get(&silent).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(
        back.redirect_param("error").as_deref(),
        Some("consent_required")
    );
    assert_eq!(back.redirect_param("state").as_deref(), Some(STATE));
    assert_eq!(
        back.redirect_param("iss").as_deref(),
        Some(setup.issuer.as_str())
    );
    // Once allowed, prompt=none gets its code.
    let page = consent_page(&browser, &setup.authorize_url(&[])).await;
    assert_code(&decide(&browser, &page, "allow").await, &setup);
    assert_code(&browser.get(&silent).await, &setup);
}

#[actix_web::test]
async fn only_the_browser_of_the_sign_in_can_see_or_decide_the_consent() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    admin.create_user(&setup.pool, BOB).await;
    let alice = Browser::default();
    let back = authorize_as(&alice, &setup.authorize_url(&[]), ALICE).await;
    let consent_url = back.location.clone().unwrap();
    let page = alice.get(&consent_url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let request = page.input("request").unwrap();

    // A browser without a session, and Bob's browser, get an error page, for the page and for the form.
    let stranger = Browser::default();
    let seen = stranger.get(&consent_url).await;
    assert_eq!(seen.status, StatusCode::FORBIDDEN, "{}", seen.body);
    assert!(seen.body.contains("another sign-in"), "{}", seen.body);
    let bob = Browser::default();
    let bobs = authorize_as(&bob, &setup.authorize_url(&[]), BOB).await;
    let bobs_page = bob.get(bobs.location.as_deref().unwrap()).await;
    assert_eq!(bob.get(&consent_url).await.status, StatusCode::FORBIDDEN);
    let csrf = bobs_page.input("csrf_token").unwrap();
    let forged = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("decision", "allow"),
    ];
    let refused = bob.post_form(&bobs_page.form_action(), &forged).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.location, None);

    // Alice's request is untouched and still hers to allow: the code is hers.
    let code = assert_code(&decide(&alice, &page, "allow").await, &setup);
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let id_token = reply.json["id_token"].as_str().unwrap();
    assert_eq!(jwt_claims(id_token)["sub"], setup.user);
}

#[actix_web::test]
async fn the_consent_form_needs_its_csrf_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let page = consent_page(&browser, &setup.authorize_url(&[])).await;
    let request = page.input("request").unwrap();
    for csrf in ["", "forged"] {
        let form = [
            ("csrf_token", csrf),
            ("request", request.as_str()),
            ("decision", "allow"),
        ];
        let refused = browser.post_form(&page.form_action(), &form).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(refused.location, None);
    }
    assert_code(&decide(&browser, &page, "allow").await, &setup);
}

#[actix_web::test]
async fn the_client_is_named_as_text_with_its_logo_and_links() {
    let (srv, admin) = TestServer::start().await;
    let name = "<script>alert(1)</script><b>Evil & Co</b>";
    let client = json!({
        "client_name": name,
        "logo_uri": "https://cdn.example/logo.png?a=1&b=2",
        "policy_uri": "https://shop.example/privacy",
        "tos_uri": "https://shop.example/terms",
    });
    let setup = consenting(&srv, &admin, client).await;
    let browser = Browser::default();
    let page = consent_page(&browser, &setup.authorize_url(&[])).await;
    assert_eq!(texts(&page, "h1 .client-name"), [name]);
    assert!(texts(&page, "h1 b").is_empty() && !page.body.contains("<b>Evil"));
    assert!(
        page.scripts()
            .iter()
            .all(|(_, inline)| !inline.contains("alert"))
    );
    assert_eq!(
        page.attr("img.client-logo", "src").as_deref(),
        Some("https://cdn.example/logo.png?a=1&b=2")
    );
    assert_eq!(
        page.attr("a[href$=privacy]", "href").as_deref(),
        Some("https://shop.example/privacy")
    );
    assert_eq!(
        page.attr("a[href$=terms]", "href").as_deref(),
        Some("https://shop.example/terms")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("img-src 'self' data: https://cdn.example;"),
        "{csp}"
    );
}

#[actix_web::test]
async fn remove_access_on_the_account_page_revokes_the_refresh_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let url = setup.authorize_url(&[("scope", "openid email offline_access")]);
    let page = consent_page(&browser, &url).await;
    let code = assert_code(&decide(&browser, &page, "allow").await, &setup);
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let refresh_token = tokens.json["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = setup.refresh(&refresh_token).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    let refresh_token = refreshed.json["refresh_token"].as_str().unwrap().to_owned();

    let account = browser.get(&format!("{}/account", setup.issuer)).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(account.body.contains("Apps with access"));
    assert_eq!(texts(&account, ".apps .app-name"), ["Test app"]);
    assert_eq!(
        texts(&account, ".apps .app-scopes"),
        ["Who you are, Your email address, Stay signed in"]
    );
    let remove = account.attr(".apps form", "action").unwrap();
    let refused = browser.post_form(&remove, &[("csrf_token", "")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let csrf = account.input("csrf_token").unwrap();
    let removed = browser.post_form(&remove, &[("csrf_token", &csrf)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let account = browser.get(removed.location.as_deref().unwrap()).await;
    assert!(
        texts(&account, ".apps .app-name").is_empty(),
        "{}",
        account.body
    );
    assert!(account.body.contains("Access removed."));
    setup
        .refresh(&refresh_token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // Removed twice: nothing left to remove.
    let again = browser.post_form(&remove, &[("csrf_token", &csrf)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    // The next authorization asks again.
    consent_page(&browser, &url).await;
}
