//! `private_key_jwt` with the keys at the client's `jwks_uri`: https or a loopback host only, exclusive with
//! `jwks`; the set is fetched when a key is needed, cached, fetched again when an assertion names an unknown
//! `kid` (key rotation at the URI), and refused with a clear error when it is too large, too slow or not an
//! acceptable JWK Set.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::client_key::{ClientKey, JWT_BEARER};
use crate::support::jwks_server::JwksServer;
use crate::support::oidc::{Reply, http};
use crate::support::{Admin, TestServer, assert_invalid};

const CLIENTS: &str = "/default/workspaces/default/clients";

fn jwks(keys: &[&ClientKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()})
}

/// A `client_credentials` client authenticating with `private_key_jwt` and the keys at `uri`; its id.
async fn jwt_client(admin: &Admin, uri: &str) -> String {
    let client = admin
        .create(
            CLIENTS,
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt",
                   "jwks_uri": uri}),
        )
        .await;
    assert_eq!(client["jwks_uri"], uri);
    client["client_id"].as_str().unwrap().to_owned()
}

/// A token request authenticated by an assertion signed with `key` (a fresh `jti` each time).
async fn token_request(srv: &TestServer, client_id: &str, key: &ClientKey) -> Reply {
    let aud = format!("{}/default/default", srv.state.config.public_url());
    let jti = uuid::Uuid::new_v4().to_string();
    let assertion = key.assertion(srv, client_id, &aud, &jti);
    let token_endpoint = srv.url("/default/default/oauth2/token");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.as_str()),
    ];
    let res = http()
        .post(token_endpoint)
        .form(&form)
        .send()
        .await
        .unwrap();
    Reply::read(res).await
}

#[track_caller]
fn assert_refused_with(reply: &Reply, words: &str) {
    reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let description = reply.json["error_description"].as_str().unwrap();
    assert!(description.contains(words), "{description}");
}

#[actix_web::test]
async fn keys_come_from_the_jwks_uri_are_cached_and_a_rotation_is_picked_up_by_its_new_kid() {
    let (srv, admin) = TestServer::start().await;
    let (first, second) = (ClientKey::generate("k1"), ClientKey::generate("k2"));
    let keys = JwksServer::start(&jwks(&[&first])).await;
    let client_id = jwt_client(&admin, &keys.url).await;
    assert_eq!(keys.requests(), 0, "nothing is fetched at registration");

    for _ in 0..2 {
        let reply = token_request(&srv, &client_id, &first).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }
    assert_eq!(keys.requests(), 1, "the set is cached");

    // The client rotates: the new kid makes Tarn fetch again (once the refetch interval since the last fetch is over).
    keys.serve(&jwks(&[&second]));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reply = token_request(&srv, &client_id, &second).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(keys.requests(), 2);
    let reply = token_request(&srv, &client_id, &first).await;
    assert_refused_with(&reply, "client_assertion rejected");
}

#[actix_web::test]
async fn a_jwks_uri_must_be_https_or_loopback_and_not_come_with_jwks() {
    let (_srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let base = json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt"});
    for (extra, field) in [
        (
            json!({"jwks_uri": "http://keys.example/jwks.json"}),
            "jwks_uri",
        ),
        (
            json!({"jwks_uri": "https://keys.example/jwks.json#k"}),
            "jwks_uri",
        ),
        (
            json!({"jwks_uri": "https://keys.example/jwks.json", "jwks": jwks(&[&key])}),
            "jwks_uri",
        ),
        (json!({}), "jwks"),
    ] {
        let body = crate::support::merged(base.clone(), extra);
        assert_invalid(&admin.post(CLIENTS, body).await, field);
    }
    let ok = crate::support::merged(base, json!({"jwks_uri": "https://keys.example/jwks.json"}));
    admin.create(CLIENTS, ok).await;
}

#[actix_web::test]
async fn an_oversized_slow_or_unacceptable_set_is_refused_at_use_with_a_clear_error() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let keys = JwksServer::start(&jwks(&[&key])).await;
    let client_id = jwt_client(&admin, &keys.url).await;

    keys.serve_raw(format!(
        "{{\"keys\": [], \"pad\": \"{}\"}}",
        "x".repeat(70 * 1024)
    ));
    assert_refused_with(
        &token_request(&srv, &client_id, &key).await,
        "more than 64 KiB",
    );

    let mut private = key.jwk.clone();
    private["d"] = json!("AAAA");
    keys.serve(&json!({"keys": [private]}));
    assert_refused_with(
        &token_request(&srv, &client_id, &key).await,
        "private member",
    );

    keys.serve_raw("not json".into());
    assert_refused_with(
        &token_request(&srv, &client_id, &key).await,
        "did not answer a JWK Set",
    );

    keys.serve(&jwks(&[&key]));
    keys.delay(Duration::from_secs(6));
    assert_refused_with(
        &token_request(&srv, &client_id, &key).await,
        "could not be fetched",
    );

    keys.delay(Duration::ZERO);
    let reply = token_request(&srv, &client_id, &key).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}
