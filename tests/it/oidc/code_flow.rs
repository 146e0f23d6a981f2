//! The authorization code flow end to end, with `openidconnect` as the relying party: client authentication by
//! secret (header or body) and as a public client, ID-token algorithms, claims by scope, and scope narrowing.

use openidconnect::{AccessTokenHash, OAuth2TokenResponse, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{ALICE, Setup, code_flow, jwt_claims, jwt_header};
use crate::support::{Admin, TestServer};

#[actix_web::test]
async fn a_confidential_client_signs_a_user_in_with_pkce_nonce_and_state() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let (tokens, client, nonce) = code_flow(&setup, &["email", "profile", "groups"]).await;
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(claims.email().map(|e| e.as_str()), Some(ALICE));
    assert_eq!(jwt_header(&id_token.to_string())["alg"], "RS256");
    assert!(tokens.refresh_token().is_some());
    assert!(
        tokens
            .scopes()
            .unwrap()
            .iter()
            .any(|s| s.as_str() == "email")
    );
}

#[actix_web::test]
async fn client_secret_post_sends_the_secret_in_the_body() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(
        &srv,
        &admin,
        json!({"token_endpoint_auth_method": "client_secret_post"}),
    )
    .await;
    assert!(setup.client_secret.is_some());
    let (tokens, client, nonce) = code_flow(&setup, &["email"]).await;
    let claims = tokens
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &nonce)
        .expect("ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(claims.audiences()[0].as_str(), setup.client_id);
}

#[actix_web::test]
async fn a_public_client_signs_in_with_pkce_and_no_secret() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"token_endpoint_auth_method": "none"})).await;
    assert_eq!(setup.client_secret, None, "public clients get no secret");
    let (tokens, client, nonce) = code_flow(&setup, &[]).await;
    let claims = tokens
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &nonce)
        .expect("ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    // Refreshing needs only the client_id, too.
    let refreshed = setup
        .refresh(tokens.refresh_token().expect("a refresh token").secret())
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
}

/// Runs the flow for a client registered with `alg` and checks the ID token's header, key and `at_hash`.
async fn id_token_signed_with(alg: &str) {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"id_token_signed_response_alg": alg})).await;
    let (tokens, client, nonce) = code_flow(&setup, &["email"]).await;
    let id_token = tokens.id_token().expect("an ID token");
    let header = jwt_header(&id_token.to_string());
    assert_eq!(header["alg"], alg);
    let jwks: Value = reqwest::get(setup.endpoint("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the signing key is published");
    assert_eq!(key["alg"], alg);
    // The default verifier accepts what discovery lists; it checks the signature against the JWKS.
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("ID token verifies");
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash));
}

#[actix_web::test]
async fn id_tokens_are_signed_es256_when_the_client_registers_it() {
    id_token_signed_with("ES256").await;
}

#[actix_web::test]
async fn id_tokens_are_signed_eddsa_when_the_client_registers_it() {
    id_token_signed_with("EdDSA").await;
}

async fn alice_in_nested_groups(admin: &Admin, setup: &Setup) {
    let staff = admin.create_group(&setup.pool, "staff", None).await;
    let eu = admin
        .create_group(&setup.pool, "eu-staff", Some(&staff))
        .await;
    admin.create_group(&setup.pool, "unrelated", None).await;
    let (status, _) = admin
        .put(&format!(
            "/default/pools/{}/groups/{eu}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn claims_follow_the_scopes_and_groups_include_parent_groups() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    alice_in_nested_groups(&admin, &setup).await;

    let (tokens, client, nonce) = code_flow(&setup, &["profile", "email", "groups"]).await;
    let id_token = tokens.id_token().unwrap();
    id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    let claims = jwt_claims(&id_token.to_string());
    let mut groups: Vec<&str> = claims["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    groups.sort_unstable();
    assert_eq!(groups, ["eu-staff", "staff"]);
    assert_eq!(claims["given_name"], "Test");
    assert_eq!(claims["family_name"], "User");
    assert_eq!(claims["name"], "Test User");
    assert_eq!(claims["email"], ALICE);
    assert_eq!(claims["email_verified"], false);
    assert!(claims.get("phone_number").is_none(), "alice has no phone");

    let (tokens, client, nonce) = code_flow(&setup, &["email"]).await;
    let id_token = tokens.id_token().unwrap();
    id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    let claims = jwt_claims(&id_token.to_string());
    assert_eq!(claims["email"], ALICE);
    for absent in ["groups", "given_name", "family_name", "name", "updated_at"] {
        assert!(
            claims.get(absent).is_none(),
            "{absent} without its scope: {claims}"
        );
    }
}

#[actix_web::test]
async fn a_request_without_openid_is_plain_oauth_without_an_id_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[("scope", "profile email")]).await;
    assert_eq!(tokens["scope"], "profile email");
    assert!(tokens.get("id_token").is_none(), "{tokens}");
    let access = tokens["access_token"].as_str().expect("an access token");
    assert_eq!(jwt_claims(access)["sub"], setup.user.as_str());
    // UserInfo is an OpenID Connect resource: without `openid` the token may not read it.
    let info = setup.userinfo(access).await;
    info.assert_error(StatusCode::FORBIDDEN, "insufficient_scope");
}

#[actix_web::test]
async fn scopes_outside_the_clients_registration_are_dropped_from_the_grant() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"scope": "openid email"})).await;
    let tokens = setup
        .tokens(&[("scope", "openid email profile groups admin")])
        .await;
    assert_eq!(tokens["scope"], "openid email");
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], ALICE);
    assert!(claims.get("given_name").is_none(), "{claims}");
    assert!(claims.get("groups").is_none(), "{claims}");
    let access = jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "openid email");
}
