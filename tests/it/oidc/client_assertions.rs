//! The claims of a `private_key_jwt` client assertion (RFC 7523 §3, OIDC Core §9): what must be there, the
//! leeway on the clock, and the audiences accepted at each endpoint that authenticates clients.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client_auth::jwt_client;
use crate::support::TestServer;
use crate::support::client_key::{ClientKey, JWT_BEARER};
use crate::support::oidc::{Reply, Setup, http};

const ENDPOINTS: [&str; 3] = ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"];

/// Calls `path` authenticating only with `assertion` (and `client_id`), with a request that gets past client
/// authentication to a harmless answer: an unknown refresh token or an unknown token to revoke or introspect.
async fn call(setup: &Setup, path: &str, assertion: &str) -> Reply {
    let mut form = vec![
        ("client_id", setup.client_id.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    match path {
        "/oauth2/token" => form.extend([
            ("grant_type", "refresh_token"),
            ("refresh_token", "unknown"),
        ]),
        _ => form.push(("token", "unknown")),
    }
    let res = http()
        .post(setup.endpoint(path))
        .form(&form)
        .send()
        .await
        .unwrap();
    Reply::read(res).await
}

/// Whether the client got past authentication at `path`.
#[track_caller]
fn assert_accepted(path: &str, reply: &Reply, case: &str) {
    let past = match path {
        "/oauth2/token" => (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        _ => (StatusCode::OK, None),
    };
    assert_eq!(
        (reply.status, reply.json["error"].as_str()),
        past,
        "{path}, {case}: {}",
        reply.json
    );
}

#[track_caller]
fn assert_refused(path: &str, reply: &Reply, case: &str) {
    assert_eq!(
        (reply.status, reply.json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "{path}, {case}: {}",
        reply.json
    );
}

/// A change to a good assertion's claims.
type Edit = fn(&mut Value);

/// The claims of a good assertion for `setup`'s client at the token endpoint, with `edit` applied.
fn claims(srv: &TestServer, setup: &Setup, jti: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut claims =
        ClientKey::claims(srv, &setup.client_id, &setup.endpoint("/oauth2/token"), jti);
    edit(&mut claims);
    claims
}

#[actix_web::test]
async fn a_client_assertion_without_an_audience_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let cases: [(&str, Edit); 6] = [
        ("no aud", |c| drop(c.as_object_mut().unwrap().remove("aud"))),
        ("aud null", |c| c["aud"] = Value::Null),
        ("aud empty", |c| c["aud"] = json!("")),
        ("aud []", |c| c["aud"] = json!([])),
        ("aud [null]", |c| c["aud"] = json!([null])),
        ("aud a number", |c| c["aud"] = json!(42)),
    ];
    for (i, (case, edit)) in cases.into_iter().enumerate() {
        let assertion = key.sign(&claims(&srv, &setup, &format!("jti-{i}"), edit));
        assert_refused(
            "/oauth2/token",
            &call(&setup, "/oauth2/token", &assertion).await,
            case,
        );
    }
}

#[actix_web::test]
async fn a_client_assertion_needs_exp_jti_and_iss_and_sub_naming_the_client() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let cases: [(&str, Edit); 8] = [
        ("no exp", |c| drop(c.as_object_mut().unwrap().remove("exp"))),
        ("exp a string", |c| c["exp"] = json!(c["exp"].to_string())),
        ("no jti", |c| drop(c.as_object_mut().unwrap().remove("jti"))),
        ("jti empty", |c| c["jti"] = json!("")),
        ("jti with a NUL", |c| c["jti"] = json!("a\u{0}b")),
        ("no iss", |c| drop(c.as_object_mut().unwrap().remove("iss"))),
        ("no sub", |c| drop(c.as_object_mut().unwrap().remove("sub"))),
        ("sub another client", |c| c["sub"] = json!("someone-else")),
    ];
    for (i, (case, edit)) in cases.into_iter().enumerate() {
        let assertion = key.sign(&claims(&srv, &setup, &format!("jti-{i}"), edit));
        assert_refused(
            "/oauth2/token",
            &call(&setup, "/oauth2/token", &assertion).await,
            case,
        );
    }
    let good = key.sign(&claims(&srv, &setup, "good", |_| {}));
    assert_accepted(
        "/oauth2/token",
        &call(&setup, "/oauth2/token", &good).await,
        "good",
    );
}

/// RFC 7519 §4.1.4–4.1.6 with a leeway of 60 seconds for clock skew: `nbf` and `iat` may be up to a minute
/// ahead of Tarn's clock, and `exp` up to a minute behind it.
#[actix_web::test]
async fn a_client_assertion_is_refused_before_its_nbf_or_iat_beyond_a_minute_of_leeway() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let now = srv.state.clock.now();
    let refused = [
        ("nbf in 5 minutes", json!({"nbf": now + 300})),
        ("nbf in 2 minutes", json!({"nbf": now + 120})),
        (
            "iat in 5 minutes",
            json!({"iat": now + 300, "exp": now + 360}),
        ),
        ("nbf a string", json!({"nbf": "0"})),
        (
            "expired 2 minutes ago",
            json!({"iat": now - 300, "exp": now - 120}),
        ),
        ("living two hours", json!({"exp": now + 7200})),
    ];
    for (i, (case, set)) in refused.into_iter().enumerate() {
        let assertion = key.sign(&claims(&srv, &setup, &format!("r-{i}"), |c| merge(c, set)));
        assert_refused(
            "/oauth2/token",
            &call(&setup, "/oauth2/token", &assertion).await,
            case,
        );
    }
    let accepted = [
        ("nbf in 30 seconds", json!({"nbf": now + 30})),
        (
            "iat in 30 seconds",
            json!({"iat": now + 30, "exp": now + 90}),
        ),
        ("nbf and iat now", json!({"nbf": now, "iat": now})),
        (
            "expired 30 seconds ago",
            json!({"iat": now - 90, "exp": now - 30}),
        ),
        ("no iat", json!({"iat": null})),
    ];
    for (i, (case, set)) in accepted.into_iter().enumerate() {
        let assertion = key.sign(&claims(&srv, &setup, &format!("a-{i}"), |c| merge(c, set)));
        assert_accepted(
            "/oauth2/token",
            &call(&setup, "/oauth2/token", &assertion).await,
            case,
        );
    }
}

/// `over`'s members replace those of `claims`; a null removes one.
fn merge(claims: &mut Value, over: Value) {
    let claims = claims.as_object_mut().unwrap();
    for (name, value) in over.as_object().unwrap() {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
}

/// OIDC Core §9: the token endpoint URL is what `aud` SHOULD be, so it is accepted wherever a client
/// authenticates, as are the issuer (RFC 7523 §3) and the URL of the endpoint being called; nothing else is.
#[actix_web::test]
async fn the_issuer_the_token_endpoint_and_the_called_endpoint_are_accepted_audiences_everywhere() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate("k1");
    let setup = jwt_client(&srv, &admin, &key).await;
    let mut n = 0;
    let mut assertion = |aud: Value| {
        n += 1;
        key.sign(&claims(&srv, &setup, &format!("jti-{n}"), |c| {
            c["aud"] = aud
        }))
    };
    for path in ENDPOINTS {
        let token_endpoint = setup.endpoint("/oauth2/token");
        for aud in [
            json!(setup.issuer),
            json!(token_endpoint),
            json!(setup.endpoint(path)),
            json!(["https://elsewhere.example/", token_endpoint]),
        ] {
            let reply = call(&setup, path, &assertion(aud.clone())).await;
            assert_accepted(path, &reply, &aud.to_string());
        }
        let others = ENDPOINTS
            .iter()
            .filter(|p| **p != path && **p != "/oauth2/token");
        for other in others.map(|p| setup.endpoint(p)).chain([
            format!("{}/", setup.issuer),
            setup.endpoint("/oauth2/userinfo"),
            "https://elsewhere.example/".to_owned(),
        ]) {
            let reply = call(&setup, path, &assertion(json!(other))).await;
            assert_refused(path, &reply, &other);
        }
    }
}

/// A P-384 key (ES384) registered in `jwks` authenticates too.
#[actix_web::test]
async fn a_p384_client_key_signs_es384_assertions() {
    let (srv, admin) = TestServer::start().await;
    let key = ClientKey::generate_p384("k384");
    let setup = jwt_client(&srv, &admin, &key).await;
    let assertion = key.sign(&claims(&srv, &setup, "es384", |_| {}));
    assert_accepted(
        "/oauth2/token",
        &call(&setup, "/oauth2/token", &assertion).await,
        "ES384",
    );
}
