//! Pushed authorization requests (RFC 9126): a push and the code flow through its `request_uri` (with the
//! `openidconnect` crate redeeming the code), single use, expiry, binding to the client, client authentication
//! at the PAR endpoint, its refusals, `require_pushed_authorization_requests` per client and per workspace, and
//! a DPoP proof at PAR binding the code.

use openidconnect::{AuthorizationCode, Nonce, PkceCodeVerifier, TokenResponse};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::dpop::DpopKey;
use crate::support::oidc::{
    ALICE, Browser, CHALLENGE, NONCE, PASSWORD, Page, REDIRECT, Reply, STATE, Setup, VERIFIER,
    http, jwt_claims,
};

pub const PAR: &str = "/oauth2/par";

/// The parameters of a good authorization request (as `Setup::authorize_url` sends them).
pub fn request_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", STATE),
        ("nonce", NONCE),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// Pushes `params` as `setup`'s client (authenticated by its registered method).
pub async fn push(setup: &Setup, params: &[(&str, &str)]) -> Reply {
    setup.post(PAR, params).await
}

/// Pushes a good request and returns its `request_uri`.
pub async fn pushed_uri(setup: &Setup) -> String {
    let reply = push(setup, &request_params()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json["request_uri"].as_str().unwrap().to_owned()
}

/// The authorization URL that uses a pushed request: `client_id` and `request_uri` only (RFC 9126 §4).
pub fn authorize_url(setup: &Setup, request_uri: &str) -> String {
    let mut url = url::Url::parse(&setup.endpoint("/oauth2/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &setup.client_id)
        .append_pair("request_uri", request_uri);
    url.into()
}

/// Follows `url` in `browser`, signing alice in when the login page comes, to the redirect to the client.
async fn redirect_of(browser: &Browser, url: &str) -> Page {
    let mut back = browser.get(url).await;
    if back
        .location
        .as_deref()
        .is_some_and(|l| l.contains("/login?"))
    {
        let login = browser.get(back.location.as_deref().unwrap()).await;
        back = browser.submit_login(&login, ALICE, PASSWORD).await;
        back = browser.not_now(back).await;
    }
    back
}

/// The code the client gets for `url`.
pub async fn code_of(browser: &Browser, url: &str) -> String {
    let back = redirect_of(browser, url).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(back.redirect_param("state").as_deref(), Some(STATE));
    back.redirect_param("code")
        .unwrap_or_else(|| panic!("a code in {:?}", back.location))
}

/// A 400 page, not a redirect: what an unusable `request_uri` gets (its redirect URI is unknown).
#[track_caller]
fn assert_error_page(page: &Page) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(page.alert().is_some(), "{}", page.body);
}

/// A redirect to the client with `error` and the request's `state`.
#[track_caller]
fn assert_redirected_error(page: &Page, error: &str) {
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    let location = page.location.as_deref().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(page.redirect_param("error").as_deref(), Some(error));
    assert_eq!(page.redirect_param("state").as_deref(), Some(STATE));
}

#[actix_web::test]
async fn a_pushed_request_runs_the_code_flow_through_its_request_uri() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let reply = push(&setup, &request_params()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.json["expires_in"], 60);
    let uri = reply.json["request_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("urn:ietf:params:oauth:request_uri:") && uri.len() > 60,
        "{uri}"
    );

    // The query's other parameters are ignored (§4): a wrong redirect_uri or scope there changes nothing.
    let url = format!(
        "{}&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=openid+email",
        authorize_url(&setup, uri)
    );
    let code = code_of(&Browser::default(), &url).await;
    let (client, rp_http) = setup.rp().await;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(PkceCodeVerifier::new(VERIFIER.into()))
        .request_async(&rp_http)
        .await
        .expect("token exchange");
    let claims = tokens
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &Nonce::new(NONCE.into()))
        .expect("the ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(
        openidconnect::OAuth2TokenResponse::scopes(&tokens)
            .map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        Some(vec!["openid".to_owned()])
    );
}

#[actix_web::test]
async fn a_request_uri_works_once() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let uri = pushed_uri(&setup).await;
    let browser = Browser::default();
    code_of(&browser, &authorize_url(&setup, &uri)).await;
    // The same browser has a session now: only the used request_uri stands in the way.
    let again = browser.get(&authorize_url(&setup, &uri)).await;
    assert_error_page(&again);
    assert!(again.body.contains("request_uri"), "{}", again.body);
}

#[actix_web::test]
async fn a_request_uri_expires_after_a_minute() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let uri = pushed_uri(&setup).await;
    srv.state.clock.advance(61);
    assert_error_page(&Browser::default().get(&authorize_url(&setup, &uri)).await);

    let uri = pushed_uri(&setup).await;
    srv.state.clock.advance(59);
    code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;
}

#[actix_web::test]
async fn a_request_uri_is_bound_to_the_client_that_pushed_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.another_client(&admin, json!({})).await;
    let uri = pushed_uri(&setup).await;
    assert_error_page(&Browser::default().get(&authorize_url(&other, &uri)).await);
    // Refusing the other client did not use it up.
    code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;
    // A made-up one of the right form is unknown.
    let made_up = "urn:ietf:params:oauth:request_uri:not-one-of-ours";
    assert_error_page(
        &Browser::default()
            .get(&authorize_url(&setup, made_up))
            .await,
    );
}

#[actix_web::test]
async fn the_client_authenticates_at_the_par_endpoint() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let mut form = request_params();
    form.push(("client_id", &setup.client_id));
    let anonymous = http()
        .post(setup.endpoint(PAR))
        .form(&form)
        .send()
        .await
        .unwrap();
    Reply::read(anonymous)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let wrong = http()
        .post(setup.endpoint(PAR))
        .basic_auth(&setup.client_id, Some("not-the-secret"))
        .form(&request_params())
        .send()
        .await
        .unwrap();
    Reply::read(wrong)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");

    // client_secret_post works as at the token endpoint.
    let post = setup
        .another_client(
            &admin,
            json!({"token_endpoint_auth_method": "client_secret_post"}),
        )
        .await;
    assert_eq!(
        push(&post, &request_params()).await.status,
        StatusCode::CREATED
    );
}

#[actix_web::test]
async fn a_public_client_may_push_and_bad_pushes_get_json_errors() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"token_endpoint_auth_method": "none"})).await;
    let uri = pushed_uri(&setup).await;
    code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;

    let mut with_uri = request_params();
    with_uri.push(("request_uri", "urn:ietf:params:oauth:request_uri:x"));
    push(&setup, &with_uri)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let mut bad_redirect = request_params();
    bad_redirect[0] = ("redirect_uri", "https://evil.example/cb");
    push(&setup, &bad_redirect)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let mut implicit = request_params();
    implicit[1] = ("response_type", "token");
    push(&setup, &implicit)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unsupported_response_type");
    // A public client without PKCE is refused here as at the authorization endpoint.
    let no_pkce: Vec<_> = request_params()
        .into_iter()
        .filter(|(n, _)| !n.starts_with("code_challenge"))
        .collect();
    push(&setup, &no_pkce)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[actix_web::test]
async fn a_client_that_requires_pushed_requests_is_refused_without_one() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(
        &srv,
        &admin,
        json!({"require_pushed_authorization_requests": true}),
    )
    .await;
    let (_, client) = admin
        .get(&format!(
            "/default/workspaces/default/clients/{}",
            setup.client_id
        ))
        .await;
    assert_eq!(client["require_pushed_authorization_requests"], true);
    let plain = Browser::default().get(&setup.authorize_url(&[])).await;
    assert_redirected_error(&plain, "invalid_request");
    let uri = pushed_uri(&setup).await;
    code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;

    // Other clients of the workspace are not affected.
    let other = setup.another_client(&admin, json!({})).await;
    code_of(&Browser::default(), &other.authorize_url(&[])).await;
}

#[actix_web::test]
async fn a_workspace_that_requires_pushed_requests_says_so_and_refuses_others() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let discovery = |setup: Setup| async move {
        let url = setup.endpoint("/.well-known/openid-configuration");
        let doc: serde_json::Value = http().get(url).send().await.unwrap().json().await.unwrap();
        doc
    };
    let before = discovery(setup.clone()).await;
    assert_eq!(before["require_pushed_authorization_requests"], false);
    assert_eq!(
        before["pushed_authorization_request_endpoint"],
        setup.endpoint(PAR)
    );
    let (status, ws) = admin
        .patch(
            "/default/workspaces/default",
            json!({"require_pushed_authorization_requests": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    assert_eq!(ws["require_pushed_authorization_requests"], true);
    assert_eq!(
        discovery(setup.clone()).await["require_pushed_authorization_requests"],
        true
    );
    let plain = Browser::default().get(&setup.authorize_url(&[])).await;
    assert_redirected_error(&plain, "invalid_request");
    let uri = pushed_uri(&setup).await;
    code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;

    // The built-in workspace keeps the portal's sign-in working.
    let builtin = admin
        .patch(
            "/admin/workspaces/admin",
            json!({"require_pushed_authorization_requests": true}),
        )
        .await;
    assert_eq!(builtin.0, StatusCode::BAD_REQUEST, "{}", builtin.1);
}

#[actix_web::test]
async fn a_dpop_proof_at_par_binds_the_code_to_its_key() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let key = DpopKey::default();
    let (par, token) = (setup.endpoint(PAR), setup.endpoint("/oauth2/token"));
    let exchange = |code: String, proof: String| {
        let setup = setup.clone();
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ];
            setup
                .post_with("/oauth2/token", &form, &[("DPoP", &proof)])
                .await
        }
    };
    let pushed = |proof: String| {
        let setup = setup.clone();
        async move {
            let reply = setup
                .post_with(PAR, &request_params(), &[("DPoP", &proof)])
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
            reply.json["request_uri"].as_str().unwrap().to_owned()
        }
    };

    let uri = pushed(key.proof("POST", &par).sign()).await;
    let code = code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;
    let other = DpopKey::default().proof("POST", &token).sign();
    exchange(code, other)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");

    let uri = pushed(key.proof("POST", &par).sign()).await;
    let code = code_of(&Browser::default(), &authorize_url(&setup, &uri)).await;
    let reply = exchange(code, key.proof("POST", &token).sign()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let access = reply.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(access)["cnf"]["jkt"], key.thumbprint().as_str());

    // A dpop_jkt that names another key than the proof's is refused.
    let mut form = request_params();
    let elsewhere = DpopKey::default().thumbprint();
    form.push(("dpop_jkt", &elsewhere));
    let proof = key.proof("POST", &par).sign();
    setup
        .post_with(PAR, &form, &[("DPoP", &proof)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[actix_web::test]
async fn of_concurrent_uses_of_one_request_uri_one_wins() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let uri = pushed_uri(&setup).await;
    let url = authorize_url(&setup, &uri);
    let browsers: Vec<Browser> = (0..6).map(|_| Browser::default()).collect();
    let pages = futures_util::future::join_all(browsers.iter().map(|b| b.get(&url))).await;
    let to_login = pages
        .iter()
        .filter(|p| {
            p.status == StatusCode::FOUND
                && p.location.as_deref().is_some_and(|l| l.contains("/login?"))
        })
        .count();
    let refused = pages
        .iter()
        .filter(|p| p.status == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!((to_login, refused), (1, pages.len() - 1));
}
