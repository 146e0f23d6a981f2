//! Back-channel logout: ID tokens carry `sid`; when the session ends (RP-initiated logout, the user
//! deactivated) every client that took part and registered a `backchannel_logout_uri` receives a logout token
//! that verifies against the workspace's JWKS; the session's refresh tokens die; a failing receiver is retried,
//! and a restart between attempts loses nothing.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup, VERIFIER, http, jwt_claims};
use crate::support::receiver::Receiver;
use crate::support::{Admin, TestServer, assert_invalid};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A client that takes part in sessions and wants to hear when they end, at `receiver`.
async fn setup_with(srv: &TestServer, admin: &Admin, receiver: &Receiver) -> Setup {
    let client = json!({
        "grant_types": ["authorization_code", "refresh_token"],
        "backchannel_logout_uri": receiver.url,
        "backchannel_logout_session_required": true,
    });
    Setup::new(srv, admin, client).await
}

/// Alice signs in through `browser`; returns the token response for `setup`'s client.
async fn signed_in(setup: &Setup, browser: &Browser) -> Value {
    let back = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    let code = back.redirect_param("code").expect("a code");
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    tokens.json
}

/// The logout token in a received form body, verified against the issuer's JWKS; returns its claims.
async fn verified_logout_token(issuer: &str, client_id: &str, body: &str) -> Value {
    let token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .expect("a logout_token parameter");
    let jwks: JwkSet = http()
        .get(format!("{issuer}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("a published key");
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[client_id]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation)
        .expect("the logout token verifies")
        .claims;
    assert!(claims["jti"].is_string(), "{claims}");
    assert_eq!(claims["events"], json!({ EVENT: {} }), "{claims}");
    assert!(claims.get("nonce").is_none(), "{claims}");
    claims
}

#[actix_web::test]
async fn rp_initiated_logout_sends_a_valid_logout_token_and_revokes_the_sessions_refresh_tokens() {
    let receiver = Receiver::start().await;
    let (srv, admin) = TestServer::start().await;
    let setup = setup_with(&srv, &admin, &receiver).await;
    let browser = Browser::default();
    let tokens = signed_in(&setup, &browser).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let sid = jwt_claims(id_token)["sid"]
        .as_str()
        .expect("sid")
        .to_owned();

    let mut url = url::Url::parse(&setup.endpoint("/oauth2/logout")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", id_token);
    let page = browser.get(url.as_str()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    let bodies = receiver.wait_for(1).await;
    let claims = verified_logout_token(&setup.issuer, &setup.client_id, &bodies[0]).await;
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["sub"], setup.user.as_str());

    let refreshed = setup
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await;
    refreshed.assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn deactivating_the_user_sends_a_logout_token_for_their_session() {
    let receiver = Receiver::start().await;
    let (srv, admin) = TestServer::start().await;
    let setup = setup_with(&srv, &admin, &receiver).await;
    let tokens = signed_in(&setup, &Browser::default()).await;
    let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"].clone();

    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    let (status, body) = admin.patch(&path, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let bodies = receiver.wait_for(1).await;
    let claims = verified_logout_token(&setup.issuer, &setup.client_id, &bodies[0]).await;
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["sub"], setup.user.as_str());
}

#[actix_web::test]
async fn a_receiver_that_fails_twice_gets_the_token_on_the_third_try() {
    let receiver = Receiver::start().await;
    receiver.fail_next(2);
    let (srv, admin) = TestServer::start().await;
    let setup = setup_with(&srv, &admin, &receiver).await;
    let tokens = signed_in(&setup, &Browser::default()).await;
    let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"].clone();

    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    admin.patch(&path, json!({"status": "inactive"})).await;

    let bodies = receiver.wait_for(1).await;
    assert_eq!(receiver.failures(), 2);
    assert_eq!(bodies.len(), 1);
    let claims = verified_logout_token(&setup.issuer, &setup.client_id, &bodies[0]).await;
    assert_eq!(claims["sid"], sid);
}

#[actix_web::test]
async fn a_restart_between_attempts_loses_no_logout_token() {
    let receiver = Receiver::start().await;
    receiver.fail_always();
    let (srv, admin) = TestServer::start().await;
    let setup = setup_with(&srv, &admin, &receiver).await;
    let tokens = signed_in(&setup, &Browser::default()).await;
    let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"].clone();
    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    admin.patch(&path, json!({"status": "inactive"})).await;
    receiver.wait_for_failures(1).await;

    let (srv, _admin) = srv.restart_with(|_| {}).await;
    receiver.recover();
    let bodies = receiver.wait_for(1).await;
    let issuer = format!("{}/default/default", srv.state.config.public_url());
    let claims = verified_logout_token(&issuer, &setup.client_id, &bodies[0]).await;
    assert_eq!(claims["sid"], sid);
}

#[actix_web::test]
async fn a_backchannel_logout_uri_must_be_https_or_loopback() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let res = admin
        .post(
            "/default/workspaces/default/clients",
            json!({"redirect_uris": ["https://rp.example/cb"], "backchannel_logout_uri": "http://rp.example/logout"}),
        )
        .await;
    assert_invalid(&res, "backchannel_logout_uri");
    let client = admin
        .get(&format!(
            "/default/workspaces/default/clients/{}",
            setup.client_id
        ))
        .await;
    assert!(
        client.1.get("backchannel_logout_uri").is_none(),
        "{}",
        client.1
    );
}
