//! Request objects (RFC 9101): accepted signed with each algorithm by a key of the client's `jwks`, at the
//! authorization endpoint and at PAR; their parameters used instead of the query's; refused unsigned, signed
//! by another key, with a wrong `aud`, expired, replayed, encrypted, or with an algorithm the client did not
//! register.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::par::{PAR, authorize_url, code_of, push};
use crate::support::TestServer;
use crate::support::client_key::ClientKey;
use crate::support::oidc::{
    Browser, CHALLENGE, NONCE, Page, REDIRECT, STATE, Setup, VERIFIER, jwt_claims,
};

/// A client registered with an RSA, an EC and an Ed25519 key (and `extra` metadata).
async fn setup_with_keys(
    srv: &TestServer,
    admin: &crate::support::Admin,
    extra: Value,
) -> (Setup, [ClientKey; 3]) {
    let keys = [
        ClientKey::generate_rsa("rsa-1"),
        ClientKey::generate("ec-1"),
        ClientKey::generate_ed25519("ed-1"),
    ];
    let jwks = json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    let mut client = json!({"jwks": jwks});
    if let (Some(base), Value::Object(more)) = (client.as_object_mut(), extra) {
        base.extend(more);
    }
    (Setup::new(srv, admin, client).await, keys)
}

/// The claims of a good request object for `setup`'s client: a whole authorization request, `iss`, `aud`
/// (the issuer), `exp` a minute ahead on Tarn's clock, and `jti`.
fn object_claims(srv: &TestServer, setup: &Setup, jti: &str) -> Value {
    let now = srv.state.clock.now();
    json!({
        "iss": setup.client_id, "aud": setup.issuer, "exp": now + 60, "iat": now, "jti": jti,
        "client_id": setup.client_id, "response_type": "code", "redirect_uri": REDIRECT,
        "scope": "openid", "state": STATE, "nonce": NONCE,
        "code_challenge": CHALLENGE, "code_challenge_method": "S256",
    })
}

/// `claims` with `changes` merged over them (a `null` removes a claim).
fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

/// An authorization URL carrying `object` (the query's own parameters are the defaults of `authorize_url`).
fn url_with(setup: &Setup, object: &str) -> String {
    setup.authorize_url(&[("request", object)])
}

#[track_caller]
fn assert_refused(page: &Page) {
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert!(page.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(
        page.redirect_param("error").as_deref(),
        Some("invalid_request_object"),
        "{:?}",
        page.location
    );
    assert_eq!(page.redirect_param("state").as_deref(), Some(STATE));
    assert_eq!(page.redirect_param("code"), None);
}

#[actix_web::test]
async fn request_objects_signed_with_each_algorithm_are_accepted() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    for (i, key) in keys.iter().enumerate() {
        let object = key.sign(&object_claims(&srv, &setup, &format!("jti-{i}")));
        // Only client_id outside the object, as RFC 9101 §5 allows.
        let mut url = url::Url::parse(&setup.endpoint("/oauth2/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &setup.client_id)
            .append_pair("request", &object);
        let code = code_of(&Browser::default(), url.as_str()).await;
        let reply = setup.exchange(&code, VERIFIER).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}: {}",
            key.jwk["alg"],
            reply.json
        );
        let id_token = jwt_claims(reply.json["id_token"].as_str().unwrap());
        assert_eq!(id_token["nonce"], NONCE);
    }
}

#[actix_web::test]
async fn a_request_object_is_verified_with_the_key_at_the_clients_jwks_uri() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("at-uri");
    let set = json!({"keys": [key.jwk.clone()]});
    let keys = crate::support::jwks_server::JwksServer::start(&set).await;
    let (setup, _) = setup_with_keys(&srv, &admin, json!({})).await;
    let (status, body) = admin
        .patch(
            &format!("/default/workspaces/default/clients/{}", setup.client_id),
            json!({"jwks": null, "jwks_uri": keys.url}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let object = key.sign(&object_claims(&srv, &setup, "from-the-uri"));
    let code = code_of(&Browser::default(), &url_with(&setup, &object)).await;
    assert_eq!(setup.exchange(&code, VERIFIER).await.status, StatusCode::OK);
    assert_eq!(keys.requests(), 1);
    // A key that is not at the URI is refused, even after the set is fetched again for its unknown kid.
    let stranger = ClientKey::generate("not-at-uri");
    let object = stranger.sign(&object_claims(&srv, &setup, "stranger"));
    assert_refused(&Browser::default().get(&url_with(&setup, &object)).await);
}

#[actix_web::test]
async fn the_objects_parameters_are_used_and_the_querys_ignored() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    let claims = with(
        object_claims(&srv, &setup, "precedence"),
        json!({"nonce": "object-nonce", "scope": "openid email"}),
    );
    let object = keys[1].sign(&claims);
    // The query asks for another scope and nonce, and even another redirect URI: none of it counts.
    let url = setup.authorize_url(&[
        ("request", &object),
        ("scope", "openid profile"),
        ("nonce", "query-nonce"),
        ("redirect_uri", "https://evil.example/cb"),
        ("code_challenge", ""),
        ("code_challenge_method", ""),
    ]);
    let code = code_of(&Browser::default(), &url).await;
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["scope"], "openid email");
    let id_token = jwt_claims(reply.json["id_token"].as_str().unwrap());
    assert_eq!(id_token["nonce"], "object-nonce");
    assert_eq!(id_token["email"], crate::support::oidc::ALICE);
}

#[actix_web::test]
async fn unsigned_foreign_misaddressed_expired_and_encrypted_objects_are_refused() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());

    let claims = object_claims(&srv, &setup, "none");
    let unsigned = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims));
    assert_refused(&browser.get(&url_with(&setup, &unsigned)).await);

    // Another key under a registered kid: the signature does not verify.
    let impostor = ClientKey::generate("ec-1");
    let foreign = impostor.sign(&object_claims(&srv, &setup, "foreign"));
    assert_refused(&browser.get(&url_with(&setup, &foreign)).await);

    let other_aud = with(
        object_claims(&srv, &setup, "aud"),
        json!({"aud": format!("{}/oauth2/token-elsewhere", setup.issuer)}),
    );
    assert_refused(
        &browser
            .get(&url_with(&setup, &keys[0].sign(&other_aud)))
            .await,
    );

    let now = srv.state.clock.now();
    let expired = with(
        object_claims(&srv, &setup, "exp"),
        json!({"exp": now - 120}),
    );
    assert_refused(
        &browser
            .get(&url_with(&setup, &keys[1].sign(&expired)))
            .await,
    );
    let no_exp = with(object_claims(&srv, &setup, "no-exp"), json!({"exp": null}));
    assert_refused(&browser.get(&url_with(&setup, &keys[1].sign(&no_exp))).await);
    let no_jti = with(object_claims(&srv, &setup, "x"), json!({"jti": null}));
    assert_refused(&browser.get(&url_with(&setup, &keys[1].sign(&no_jti))).await);
    let other_client = with(
        object_claims(&srv, &setup, "cid"),
        json!({"iss": "someone-else"}),
    );
    assert_refused(
        &browser
            .get(&url_with(&setup, &keys[2].sign(&other_client)))
            .await,
    );

    // A JWE (five parts) is not supported.
    let jwe = format!(
        "{}.e30.e30.e30.e30",
        b64(&json!({"alg": "RSA-OAEP", "enc": "A256GCM"}))
    );
    assert_refused(&browser.get(&url_with(&setup, &jwe)).await);
}

#[actix_web::test]
async fn a_replayed_request_object_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    let object = keys[0].sign(&object_claims(&srv, &setup, "once"));
    let browser = Browser::default();
    code_of(&browser, &url_with(&setup, &object)).await;
    assert_refused(&browser.get(&url_with(&setup, &object)).await);
}

#[actix_web::test]
async fn a_client_with_a_request_object_signing_alg_gets_only_that_one_accepted() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) =
        setup_with_keys(&srv, &admin, json!({"request_object_signing_alg": "ES256"})).await;
    let rsa = keys[0].sign(&object_claims(&srv, &setup, "rsa"));
    assert_refused(&Browser::default().get(&url_with(&setup, &rsa)).await);
    let ec = keys[1].sign(&object_claims(&srv, &setup, "ec"));
    code_of(&Browser::default(), &url_with(&setup, &ec)).await;

    // Without keys to check them with, the setting is refused at registration.
    let (status, body) = admin
        .post(
            "/default/workspaces/default/clients",
            json!({"redirect_uris": [REDIRECT], "request_object_signing_alg": "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[actix_web::test]
async fn a_request_object_can_be_pushed() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    let claims = with(
        object_claims(&srv, &setup, "pushed"),
        json!({"nonce": "pushed-nonce"}),
    );
    let object = keys[2].sign(&claims);
    // Outer parameters besides the object are ignored here too.
    let reply = push(&setup, &[("request", &object), ("nonce", "outer")]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let uri = reply.json["request_uri"].as_str().unwrap();
    let code = code_of(&Browser::default(), &authorize_url(&setup, uri)).await;
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(
        jwt_claims(tokens.json["id_token"].as_str().unwrap())["nonce"],
        "pushed-nonce"
    );

    // The same object again is a replay; a misaddressed one is refused as JSON.
    push(&setup, &[("request", &object)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request_object");
    let other_aud = with(
        object_claims(&srv, &setup, "pushed-aud"),
        json!({"aud": setup.endpoint(PAR)}),
    );
    push(&setup, &[("request", &keys[0].sign(&other_aud))])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request_object");
}

#[actix_web::test]
async fn of_concurrent_uses_of_one_request_object_one_wins() {
    let (srv, admin) = TestServer::start().await;
    let (setup, keys) = setup_with_keys(&srv, &admin, json!({})).await;
    let object = keys[1].sign(&object_claims(&srv, &setup, "raced"));
    let url = url_with(&setup, &object);
    let browsers: Vec<Browser> = (0..6).map(|_| Browser::default()).collect();
    let pages = futures_util::future::join_all(browsers.iter().map(|b| b.get(&url))).await;
    let to_login = pages
        .iter()
        .filter(|p| p.location.as_deref().is_some_and(|l| l.contains("/login?")))
        .count();
    let refused = pages
        .iter()
        .filter(|p| p.redirect_param("error").as_deref() == Some("invalid_request_object"))
        .count();
    assert_eq!((to_login, refused), (1, pages.len() - 1));
}
