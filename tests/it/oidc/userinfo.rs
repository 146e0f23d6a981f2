//! UserInfo: the bearer token in a header (GET, POST) or a form body, the same claims as the ID token, and
//! RFC 6750 refusals for missing, tampered, revoked and expired tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::oidc::{Reply, Setup, http, jwt_claims};

const SCOPES: &str = "openid profile email groups";

async fn signed_in(srv: &TestServer, admin: &crate::support::Admin) -> (Setup, Value) {
    let setup = Setup::new(srv, admin, json!({})).await;
    let staff = admin.create_group(&setup.pool, "staff", None).await;
    let eu = admin
        .create_group(&setup.pool, "eu-staff", Some(&staff))
        .await;
    admin
        .put(&format!(
            "/default/pools/{}/groups/{eu}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    let tokens = setup.tokens(&[("scope", SCOPES)]).await;
    (setup, tokens)
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

#[actix_web::test]
async fn userinfo_answers_get_and_post_with_the_id_tokens_claims() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let token = access(&tokens);
    let url = setup.endpoint("/oauth2/userinfo");

    let get = setup.userinfo(token).await;
    let post_header = Reply::read(http().post(&url).bearer_auth(token).send().await.unwrap()).await;
    let post_body = Reply::read(
        http()
            .post(&url)
            .form(&[("access_token", token)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    for reply in [&get, &post_header, &post_body] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.json, get.json);
    }

    let info = get.json.as_object().unwrap();
    assert_eq!(info["sub"], setup.user.as_str());
    assert_eq!(info["groups"], json!(["eu-staff", "staff"]));
    assert_eq!(info["given_name"], "Test");
    assert_eq!(info["email_verified"], false);
    // Every user claim of the ID token, and nothing else, with the same values.
    let mut id_token = jwt_claims(tokens["id_token"].as_str().unwrap());
    let id_token = id_token.as_object_mut().unwrap();
    for protocol in [
        "iss",
        "aud",
        "azp",
        "iat",
        "exp",
        "auth_time",
        "amr",
        "at_hash",
        "nonce",
        "sid",
    ] {
        id_token.remove(protocol);
    }
    assert_eq!(info, &*id_token);
}

#[actix_web::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let url = setup.endpoint("/oauth2/userinfo");
    // RFC 7235 §2.1: auth schemes are case-insensitive, and RFC 6750's `Bearer` is one.
    for scheme in ["BEARER", "bearer", "bEaReR"] {
        let res = http()
            .get(&url)
            .header("authorization", format!("{scheme} {}", access(&tokens)))
            .send()
            .await
            .unwrap();
        let reply = Reply::read(res).await;
        assert_eq!(reply.status, StatusCode::OK, "{scheme}: {}", reply.json);
        assert_eq!(reply.json["sub"], setup.user.as_str());
    }
}

#[actix_web::test]
async fn a_request_without_a_token_gets_a_bare_bearer_challenge() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let url = setup.endpoint("/oauth2/userinfo");
    for req in [http().get(&url), http().post(&url)] {
        let reply = Reply::read(req.send().await.unwrap()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
}

#[actix_web::test]
async fn a_token_in_both_header_and_body_is_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let res = http()
        .post(setup.endpoint("/oauth2/userinfo"))
        .bearer_auth(access(&tokens))
        .form(&[("access_token", access(&tokens))])
        .send()
        .await
        .unwrap();
    Reply::read(res)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[actix_web::test]
async fn a_tampered_token_or_an_id_token_is_refused_as_invalid_token() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let token = access(&tokens);
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = jwt_claims(token);
    claims["sub"] = json!("someone-else");
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    // A different signature: one character in its middle changed.
    let mut flipped = token.to_owned();
    let at = flipped.len() - 20;
    let swap = if &flipped[at..=at] == "A" { "B" } else { "A" };
    flipped.replace_range(at..=at, swap);

    for bad in [
        tampered.as_str(),
        flipped.as_str(),
        tokens["id_token"].as_str().unwrap(),
        "garbage",
    ] {
        let reply = setup.userinfo(bad).await;
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{challenge}"
        );
    }
    assert_eq!(setup.userinfo(token).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_revoked_token_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let token = access(&tokens);
    assert_eq!(setup.userinfo(token).await.status, StatusCode::OK);
    let revoked = setup.post("/oauth2/revoke", &[("token", token)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    setup
        .userinfo(token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[actix_web::test]
async fn a_token_is_refused_once_its_hour_is_over() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let token = access(&tokens);
    assert_eq!(tokens["expires_in"], 3600);
    srv.state.clock.advance(3000);
    assert_eq!(setup.userinfo(token).await.status, StatusCode::OK);
    srv.state.clock.advance(601);
    setup
        .userinfo(token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[actix_web::test]
async fn userinfo_reads_the_current_groups_not_those_at_sign_in() {
    let (srv, admin) = TestServer::start().await;
    let (setup, tokens) = signed_in(&srv, &admin).await;
    let (_, groups) = admin
        .get(&format!("/default/pools/{}/groups", setup.pool))
        .await;
    let eu = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "eu-staff")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!(
        "/default/pools/{}/groups/{eu}/users/{}",
        setup.pool, setup.user
    );
    assert_eq!(admin.delete(&path).await.0, StatusCode::NO_CONTENT);
    let info = setup.userinfo(access(&tokens)).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.json);
    assert_eq!(info.json["groups"], json!([]));
}

#[actix_web::test]
async fn a_token_used_before_is_refused_at_once_on_every_instance() {
    let (srv, admin) = TestServer::start().await;
    let public = srv.state.config.public_url().to_owned();
    let (other, _) = srv
        .another_instance(|c| c.public_url = Some(public.clone()))
        .await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let at_other = |token: &str| {
        let url = setup
            .endpoint("/oauth2/userinfo")
            .replace(&public, &other.base);
        let req = http().get(url).bearer_auth(token.to_owned());
        async move { Reply::read(req.send().await.unwrap()).await }
    };
    let revoked = setup.tokens(&[]).await;
    let deactivated = setup.tokens(&[]).await;
    for tokens in [&revoked, &deactivated] {
        // Twice on each instance: the second answer comes from the verified-token cache.
        for _ in 0..2 {
            assert_eq!(setup.userinfo(access(tokens)).await.status, StatusCode::OK);
            assert_eq!(at_other(access(tokens)).await.status, StatusCode::OK);
        }
    }
    assert_eq!(srv.state.access_tokens.len(), 2);
    assert_eq!(other.state.access_tokens.len(), 2);

    let gone = setup
        .post("/oauth2/revoke", &[("token", access(&revoked))])
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    for reply in [
        setup.userinfo(access(&revoked)).await,
        at_other(access(&revoked)).await,
    ] {
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
    assert_eq!(
        setup.userinfo(access(&deactivated)).await.status,
        StatusCode::OK
    );

    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    let (status, body) = admin.patch(&path, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for reply in [
        setup.userinfo(access(&deactivated)).await,
        at_other(access(&deactivated)).await,
    ] {
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
}
