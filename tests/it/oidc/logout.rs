//! RP-initiated logout: redirect with `state` to a registered URI after a valid `id_token_hint` (or
//! `client_id`), refusal of forged hints, and the confirmation page when the request names no client.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{
    ALICE, Browser, PASSWORD, POST_LOGOUT, Page, Setup, VERIFIER, http, jwt_claims,
};

/// Alice signed in through `browser`: the session cookie's value and an ID token for `setup`'s client.
async fn signed_in(setup: &Setup, browser: &Browser) -> (String, String) {
    let back = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    let cookie = back.set_cookie("tarn_session").expect("a session");
    let value = cookie["tarn_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let code = back.redirect_param("code").unwrap();
    let tokens = setup.exchange(&code, VERIFIER).await;
    let id_token = tokens.json["id_token"].as_str().unwrap().to_owned();
    (value, id_token)
}

/// Whether the session named by the cookie value still signs in silently (checked without the browser's jar,
/// so a cookie the browser merely forgot does not count as a logout).
async fn session_alive(setup: &Setup, session: &str) -> bool {
    let res = http()
        .get(setup.authorize_url(&[("prompt", "none")]))
        .header("cookie", format!("tarn_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    if location.contains("error=login_required") {
        return false;
    }
    assert!(location.contains("code="), "{location}");
    true
}

fn logout_url(setup: &Setup, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&setup.endpoint("/oauth2/logout")).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.into()
}

#[actix_web::test]
async fn logout_with_an_id_token_hint_ends_the_session_and_returns_with_state() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let (session, id_token) = signed_in(&setup, &browser).await;
    assert!(session_alive(&setup, &session).await);

    let url = logout_url(
        &setup,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", POST_LOGOUT),
            ("state", "bye-1"),
        ],
    );
    let page = browser.get(&url).await;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert_eq!(
        page.location.as_deref(),
        Some("http://localhost:9999/bye?state=bye-1")
    );
    let removal = page
        .set_cookie("tarn_session")
        .expect("the cookie is cleared");
    assert!(removal.contains("Max-Age=0"), "{removal}");

    assert!(
        !session_alive(&setup, &session).await,
        "the session ended server-side"
    );
    let silent = browser
        .get(&setup.authorize_url(&[("prompt", "none")]))
        .await;
    assert_eq!(
        silent.redirect_param("error").as_deref(),
        Some("login_required")
    );
}

#[actix_web::test]
async fn an_id_token_hint_signed_with_eddsa_is_accepted_too() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(
        &srv,
        &admin,
        json!({"id_token_signed_response_alg": "EdDSA"}),
    )
    .await;
    let browser = Browser::default();
    let (session, id_token) = signed_in(&setup, &browser).await;
    let url = logout_url(
        &setup,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", POST_LOGOUT),
        ],
    );
    let page = browser.get(&url).await;
    assert_eq!(page.location.as_deref(), Some(POST_LOGOUT), "{}", page.body);
    assert!(!session_alive(&setup, &session).await);
}

#[actix_web::test]
async fn logout_with_only_a_client_id_asks_first_then_returns_to_the_registered_uri() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let (session, _) = signed_in(&setup, &browser).await;
    let url = logout_url(
        &setup,
        &[
            ("client_id", &setup.client_id),
            ("post_logout_redirect_uri", POST_LOGOUT),
            ("state", "s"),
        ],
    );
    // A client id is public: a page anyone can link to must not sign the user out by itself.
    let confirm = browser.get(&url).await;
    assert_confirmation(&confirm);
    assert!(
        session_alive(&setup, &session).await,
        "asking does not sign out"
    );
    assert_eq!(
        confirm.input("client_id").as_deref(),
        Some(setup.client_id.as_str())
    );

    let names = [
        "csrf_token",
        "client_id",
        "post_logout_redirect_uri",
        "state",
    ];
    let values: Vec<String> = names.iter().map(|n| confirm.input(n).unwrap()).collect();
    let mut fields: Vec<(&str, &str)> = names
        .into_iter()
        .zip(values.iter().map(String::as_str))
        .collect();
    fields.push(("confirm", "yes"));
    let done = browser.post_form(&confirm.form_action(), &fields).await;
    assert_eq!(
        done.location.as_deref(),
        Some("http://localhost:9999/bye?state=s"),
        "{}",
        done.body
    );
    assert!(!session_alive(&setup, &session).await);
}

#[actix_web::test]
async fn a_tampered_id_token_hint_gets_an_error_page_and_keeps_the_session() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.another_client(&admin, json!({})).await;
    let browser = Browser::default();
    let (session, id_token) = signed_in(&setup, &browser).await;
    // Claim the token was issued to another client, keeping the signature.
    let parts: Vec<&str> = id_token.split('.').collect();
    let mut claims = jwt_claims(&id_token);
    claims["aud"] = json!(other.client_id);
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);

    let url = logout_url(
        &setup,
        &[
            ("id_token_hint", &tampered),
            ("post_logout_redirect_uri", POST_LOGOUT),
            ("state", "x"),
        ],
    );
    let page = browser.get(&url).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(page.alert().is_some());
    assert!(session_alive(&setup, &session).await);
}

#[actix_web::test]
async fn an_unregistered_post_logout_redirect_uri_is_not_followed() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let (session, id_token) = signed_in(&setup, &browser).await;
    let url = logout_url(
        &setup,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", "https://evil.example/bye"),
            ("state", "x"),
        ],
    );
    let page = browser.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(!page.body.contains("evil.example"));
    assert!(
        !session_alive(&setup, &session).await,
        "the hint was valid, so the session ended"
    );
}

/// The confirmation form: a POST with `confirm=yes` and the CSRF token.
fn assert_confirmation(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.location, None);
    assert_eq!(page.input_type("csrf_token").as_deref(), Some("hidden"));
    assert_eq!(page.input("confirm").as_deref(), Some("yes"));
}

#[actix_web::test]
async fn logout_without_hint_or_client_asks_first_and_ends_on_confirmation() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let (session, _) = signed_in(&setup, &browser).await;

    let confirm = browser.get(&setup.endpoint("/oauth2/logout")).await;
    assert_confirmation(&confirm);
    assert!(
        session_alive(&setup, &session).await,
        "asking does not sign out"
    );

    // A forged confirmation (no CSRF token) only asks again.
    let action = confirm.form_action();
    let forged = browser.post_form(&action, &[("confirm", "yes")]).await;
    assert_confirmation(&forged);
    assert!(session_alive(&setup, &session).await);

    let csrf = confirm.input("csrf_token").unwrap();
    let done = browser
        .post_form(&action, &[("confirm", "yes"), ("csrf_token", &csrf)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        done.input("confirm"),
        None,
        "a signed-out page, not the question again"
    );
    assert!(!session_alive(&setup, &session).await);
}

#[actix_web::test]
async fn a_client_id_that_contradicts_the_id_token_hint_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.another_client(&admin, json!({})).await;
    let browser = Browser::default();
    let (session, id_token) = signed_in(&setup, &browser).await;
    let url = logout_url(
        &setup,
        &[
            ("id_token_hint", &id_token),
            ("client_id", &other.client_id),
            ("post_logout_redirect_uri", POST_LOGOUT),
        ],
    );
    let page = browser.get(&url).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(session_alive(&setup, &session).await);
}
