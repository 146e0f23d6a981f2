//! Client authentication at the token endpoint: `private_key_jwt` with a key the test generates (RFC 7523,
//! single-use assertions), and clients held to the method they registered.

use futures_util::future::join_all;
use openidconnect::Nonce;
use openidconnect::core::CoreIdToken;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::client_key::{ClientKey, JWT_BEARER};
use crate::support::oidc::{Browser, NONCE, REDIRECT, Reply, Setup, VERIFIER, http, jwt_claims};

/// How many requests race in the concurrency tests.
const RACERS: usize = 16;

pub(super) async fn jwt_client(
    srv: &TestServer,
    admin: &crate::support::Admin,
    key: &ClientKey,
) -> Setup {
    let registration = json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [key.jwk.clone()]},
    });
    let setup = Setup::new(srv, admin, registration).await;
    assert_eq!(setup.client_secret, None);
    setup
}

/// Exchanges `code` authenticating with `assertion` (no other credentials).
async fn exchange_with_assertion(setup: &Setup, code: &str, assertion: &str) -> Reply {
    exchange_on(&http(), setup, code, assertion).await
}

/// [`exchange_with_assertion`] over `client`, which may have connections open already.
async fn exchange_on(
    client: &reqwest::Client,
    setup: &Setup,
    code: &str,
    assertion: &str,
) -> Reply {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    let res = client
        .post(setup.endpoint("/oauth2/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    Reply::read(res).await
}

#[actix_web::test]
async fn a_private_key_jwt_client_authenticates_with_a_signed_assertion() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("client-key-1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let token_endpoint = setup.endpoint("/oauth2/token");

    let code = setup
        .code(&Browser::default(), &[("scope", "openid email")])
        .await;
    let assertion = key.assertion(&srv, &setup.client_id, &token_endpoint, "jti-1");
    let reply = exchange_with_assertion(&setup, &code, &assertion).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let id_token: CoreIdToken = serde_json::from_value(reply.json["id_token"].clone()).unwrap();
    let (rp, _) = setup.rp().await;
    let claims = id_token
        .claims(&rp.id_token_verifier(), &Nonce::new(NONCE.into()))
        .expect("ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(
        jwt_claims(reply.json["access_token"].as_str().unwrap())["client_id"],
        setup.client_id.as_str()
    );

    // The issuer is an accepted audience too (RFC 7523 §3).
    let code = setup.code(&Browser::default(), &[]).await;
    let assertion = key.assertion(&srv, &setup.client_id, &setup.issuer, "jti-2");
    let reply = exchange_with_assertion(&setup, &code, &assertion).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn a_replayed_client_assertion_is_refused_as_invalid_client() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("client-key-1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let token_endpoint = setup.endpoint("/oauth2/token");
    let assertion = key.assertion(&srv, &setup.client_id, &token_endpoint, "only-once");

    let first = setup.code(&Browser::default(), &[]).await;
    let reply = exchange_with_assertion(&setup, &first, &assertion).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    let second = setup.code(&Browser::default(), &[]).await;
    let replayed = exchange_with_assertion(&setup, &second, &assertion).await;
    replayed.assert_error(StatusCode::UNAUTHORIZED, "invalid_client");

    // The code was not spent by the refused request: a fresh assertion redeems it.
    let fresh = key.assertion(&srv, &setup.client_id, &token_endpoint, "another");
    let reply = exchange_with_assertion(&setup, &second, &fresh).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

/// Concurrent replays of one assertion used to race between the replay check and the insert of its `jti`: on
/// PostgreSQL the losers hit the primary key and got a 500. Exactly one may pass; the others are replays.
#[actix_web::test]
async fn concurrent_replays_of_one_assertion_let_exactly_one_through() {
    // Several workers, so that requests are handled side by side as in production.
    let (srv, admin) = TestServer::start_with(|c| c.workers = Some(4)).await;
    let key = ClientKey::generate("client-key-1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let token_endpoint = setup.endpoint("/oauth2/token");
    let browser = Browser::default();
    // Connections opened beforehand, so that the requests reach the server together rather than one handshake apart.
    let client = http();
    let discovery = setup.endpoint("/.well-known/openid-configuration");
    join_all((0..RACERS).map(|_| client.get(&discovery).send())).await;

    // A race is lost only now and then; a few rounds make it show before the fix nearly every run.
    for round in 0..4 {
        let jti = format!("only-once-{round}");
        let assertion = key.assertion(&srv, &setup.client_id, &token_endpoint, &jti);
        // A code each, so that only the assertion's single use can refuse a request.
        let mut codes = Vec::new();
        for _ in 0..RACERS {
            codes.push(setup.code(&browser, &[]).await);
        }
        let replies = join_all(
            codes
                .iter()
                .map(|code| exchange_on(&client, &setup, code, &assertion)),
        )
        .await;
        let statuses: Vec<_> = replies.iter().map(|r| (r.status, &r.json)).collect();
        let passed = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(passed, 1, "{statuses:#?}");
        for reply in replies.iter().filter(|r| r.status != StatusCode::OK) {
            reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
        }
    }
}

#[actix_web::test]
async fn an_assertion_signed_by_an_unregistered_key_or_for_another_audience_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("client-key-1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let token_endpoint = setup.endpoint("/oauth2/token");

    let impostor = ClientKey::generate("client-key-1");
    let forged = impostor.assertion(&srv, &setup.client_id, &token_endpoint, "jti-a");
    exchange_with_assertion(&setup, &code, &forged)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");

    let elsewhere = key.assertion(
        &srv,
        &setup.client_id,
        "https://other.example/token",
        "jti-b",
    );
    exchange_with_assertion(&setup, &code, &elsewhere)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");

    let good = key.assertion(&srv, &setup.client_id, &token_endpoint, "jti-c");
    let reply = exchange_with_assertion(&setup, &code, &good).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn a_client_must_authenticate_with_the_method_it_registered() {
    let (srv, admin) = TestServer::start().await;
    let basic = Setup::new(&srv, &admin, json!({})).await;
    let post = basic
        .another_client(
            &admin,
            json!({"token_endpoint_auth_method": "client_secret_post"}),
        )
        .await;
    let token = basic.endpoint("/oauth2/token");
    let form = |s: &Setup| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", "unknown".to_owned()),
            ("client_id", s.client_id.clone()),
            ("client_secret", s.client_secret.clone().unwrap()),
        ]
    };

    // A client_secret_basic client putting its secret in the body is refused ...
    let res = http()
        .post(&token)
        .form(&form(&basic))
        .send()
        .await
        .unwrap();
    Reply::read(res)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    // ... and so is a client_secret_post client using the header.
    let res = http()
        .post(&token)
        .basic_auth(&post.client_id, post.client_secret.as_deref())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "unknown"),
        ])
        .send()
        .await
        .unwrap();
    Reply::read(res)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    // Each with its own method gets past authentication (to the unknown refresh token).
    let res = http().post(&token).form(&form(&post)).send().await.unwrap();
    Reply::read(res)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    basic
        .refresh("unknown")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

/// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request." HTTP Basic
/// plus `client_secret` in the body, or either of them plus a `client_assertion`, is an `invalid_request` at
/// every endpoint that authenticates clients, whichever method the client registered and whether or not the
/// credentials are right.
#[actix_web::test]
async fn two_client_authentication_methods_in_one_request_are_an_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let jwt = jwt_client(&srv, &admin, &key).await;
    let basic = jwt.another_client(&admin, json!({})).await;
    let post = jwt
        .another_client(
            &admin,
            json!({"token_endpoint_auth_method": "client_secret_post"}),
        )
        .await;
    let mut n = 0;
    for path in ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"] {
        for (client, with_basic, with_secret, with_assertion) in [
            (&basic, true, true, false),
            (&basic, true, false, true),
            (&post, false, true, true),
            (&post, true, true, false),
            (&jwt, true, false, true),
            (&jwt, false, true, true),
        ] {
            n += 1;
            let secret = client.client_secret.clone().unwrap_or_else(|| "x".into());
            let assertion =
                key.assertion(&srv, &jwt.client_id, &jwt.endpoint(path), &format!("j{n}"));
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "unknown"),
                ("token", "unknown"),
                ("client_id", client.client_id.as_str()),
            ];
            if with_secret {
                form.push(("client_secret", &secret));
            }
            if with_assertion {
                form.extend([
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", &assertion),
                ]);
            }
            let mut req = http().post(jwt.endpoint(path));
            if with_basic {
                req = req.basic_auth(&client.client_id, Some(&secret));
            }
            let reply = Reply::read(req.form(&form).send().await.unwrap()).await;
            assert_eq!(
                (reply.status, reply.json["error"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_request")),
                "{path}, {} with basic={with_basic} secret={with_secret} assertion={with_assertion}: {}",
                client.auth_method,
                reply.json
            );
        }
    }
    // One method at a time still works.
    basic
        .refresh("unknown")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}
