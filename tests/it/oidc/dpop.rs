//! DPoP (RFC 9449): a proof binds the tokens to its key (`token_type` `DPoP`, `cnf.jkt`); UserInfo takes a bound
//! token only with the DPoP scheme and a proof of that key; every refusal of §4.3; server nonces; a public
//! client's refresh token bound to its key; a public client's bound tokens revoked only with a proof of that key;
//! `dpop_bound_access_tokens`; codes bound with `dpop_jkt`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::dpop::DpopKey;
use crate::support::oidc::{Browser, REDIRECT, Reply, Setup, VERIFIER, http, jwt_claims};

const TOKEN: &str = "/oauth2/token";
const USERINFO: &str = "/oauth2/userinfo";
const REVOKE: &str = "/oauth2/revoke";

/// A code exchanged at the token endpoint with `proof` (if any) in the `DPoP` header.
async fn exchange_with(setup: &Setup, code: &str, proof: Option<&str>) -> Reply {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let headers: Vec<(&str, &str)> = proof.map(|p| ("DPoP", p)).into_iter().collect();
    setup.post_with(TOKEN, &form, &headers).await
}

async fn client_credentials(setup: &Setup, proof: Option<&str>) -> Reply {
    let form = [("grant_type", "client_credentials")];
    let headers: Vec<(&str, &str)> = proof.map(|p| ("DPoP", p)).into_iter().collect();
    setup.post_with(TOKEN, &form, &headers).await
}

async fn revoke_with(setup: &Setup, token: &str, proof: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = proof.map(|p| ("DPoP", p)).into_iter().collect();
    setup.post_with(REVOKE, &[("token", token)], &headers).await
}

async fn refresh_with(setup: &Setup, token: &str, proof: Option<&str>) -> Reply {
    let form = [("grant_type", "refresh_token"), ("refresh_token", token)];
    let headers: Vec<(&str, &str)> = proof.map(|p| ("DPoP", p)).into_iter().collect();
    setup.post_with(TOKEN, &form, &headers).await
}

/// UserInfo with `Authorization: {scheme} {token}` and an optional proof.
async fn userinfo(setup: &Setup, scheme: &str, token: &str, proof: Option<&str>) -> Reply {
    let mut req = http()
        .get(setup.endpoint(USERINFO))
        .header("authorization", format!("{scheme} {token}"));
    if let Some(proof) = proof {
        req = req.header("DPoP", proof);
    }
    Reply::read(req.send().await.unwrap()).await
}

fn assert_dpop_challenge(reply: &Reply, error: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.json);
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(
        challenge.contains(&format!("error=\"{error}\"")),
        "{challenge}"
    );
}

#[actix_web::test]
async fn a_proof_binds_the_token_and_userinfo_takes_it_only_with_a_proof_of_that_key() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let key = DpopKey::default();
    let code = setup.code(&Browser::default(), &[]).await;
    let proof = key.proof("POST", &setup.endpoint(TOKEN)).sign();
    let tokens = exchange_with(&setup, &code, Some(&proof)).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(tokens.json["token_type"], "DPoP");
    let access = tokens.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(access)["cnf"]["jkt"], key.thumbprint().as_str());

    let url = setup.endpoint(USERINFO);
    let good = key.proof("GET", &url).ath(access).sign();
    let reply = userinfo(&setup, "DPoP", access, Some(&good)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["sub"], setup.user.as_str());

    assert_dpop_challenge(
        &userinfo(&setup, "Bearer", access, None).await,
        "invalid_token",
    );
    let other = DpopKey::default().proof("GET", &url).ath(access).sign();
    assert_dpop_challenge(
        &userinfo(&setup, "DPoP", access, Some(&other)).await,
        "invalid_token",
    );
    let no_ath = key.proof("GET", &url).sign();
    assert_dpop_challenge(
        &userinfo(&setup, "DPoP", access, Some(&no_ath)).await,
        "invalid_dpop_proof",
    );
    assert_dpop_challenge(
        &userinfo(&setup, "DPoP", access, None).await,
        "invalid_dpop_proof",
    );
    // The good proof was spent.
    assert_dpop_challenge(
        &userinfo(&setup, "DPoP", access, Some(&good)).await,
        "invalid_dpop_proof",
    );

    // A browser client may send the proof and read the nonce.
    let preflight = http()
        .request(reqwest::Method::OPTIONS, setup.endpoint(TOKEN))
        .header("Origin", "https://spa.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("dpop"), "{allowed}");
    assert!(
        reply
            .header("access-control-expose-headers")
            .unwrap_or_default()
            .contains("DPoP-Nonce")
    );

    let introspected = setup.post("/oauth2/introspect", &[("token", access)]).await;
    assert_eq!(introspected.json["active"], true, "{}", introspected.json);
    assert_eq!(introspected.json["token_type"], "DPoP");
    assert_eq!(introspected.json["cnf"]["jkt"], key.thumbprint().as_str());
}

#[actix_web::test]
async fn every_refusal_of_rfc_9449_section_4_3() {
    let (srv, admin) = TestServer::start().await;
    let client = json!({"grant_types": ["authorization_code", "client_credentials"]});
    let setup = Setup::new(&srv, &admin, client).await;
    let key = DpopKey::default();
    let url = setup.endpoint(TOKEN);
    let now = jwt_claims(&key.proof("POST", &url).sign())["iat"]
        .as_i64()
        .unwrap();
    let mut private_jwk = key.jwk();
    private_jwk["d"] = json!("AAAA");
    let refusals: Vec<(&str, String)> = vec![
        ("wrong htm", key.proof("GET", &url).sign()),
        (
            "wrong htu",
            key.proof("POST", &setup.endpoint(USERINFO)).sign(),
        ),
        (
            "old iat",
            key.proof("POST", &url)
                .claim("iat", json!(now - 600))
                .sign(),
        ),
        (
            "future iat",
            key.proof("POST", &url)
                .claim("iat", json!(now + 600))
                .sign(),
        ),
        (
            "symmetric alg",
            key.proof("POST", &url).header("alg", json!("HS256")).sign(),
        ),
        (
            "alg none",
            key.proof("POST", &url).header("alg", json!("none")).sign(),
        ),
        (
            "private key",
            key.proof("POST", &url).header("jwk", private_jwk).sign(),
        ),
        (
            "no jwk",
            key.proof("POST", &url).header("jwk", Value::Null).sign(),
        ),
        (
            "wrong typ",
            key.proof("POST", &url).header("typ", json!("JWT")).sign(),
        ),
        (
            "no jti",
            key.proof("POST", &url).claim("jti", json!("")).sign(),
        ),
        (
            "other key's jwk",
            key.proof("POST", &url)
                .header("jwk", DpopKey::default().jwk())
                .sign(),
        ),
        ("not a JWT", "not-a-jwt".to_owned()),
    ];
    for (what, proof) in refusals {
        let reply = client_credentials(&setup, Some(&proof)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.json
        );
        assert_eq!(
            reply.json["error"], "invalid_dpop_proof",
            "{what}: {}",
            reply.json
        );
    }
    // htu is compared without query and fragment; the same proof a second time is a replay.
    let proof = key.proof("POST", &format!("{url}?x=1#f")).sign();
    let first = client_credentials(&setup, Some(&proof)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["token_type"], "DPoP");
    let replay = client_credentials(&setup, Some(&proof)).await;
    assert_eq!(
        replay.json["error"], "invalid_dpop_proof",
        "{}",
        replay.json
    );
}

#[actix_web::test]
async fn a_workspace_that_requires_nonces_hands_one_out_and_accepts_it() {
    let (srv, admin) = TestServer::start().await;
    let client = json!({"grant_types": ["authorization_code", "client_credentials"]});
    let setup = Setup::new(&srv, &admin, client).await;
    let (status, body) = admin
        .patch(
            "/default/workspaces/default",
            json!({"dpop_nonce_required": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dpop_nonce_required"], true);
    let key = DpopKey::default();
    let url = setup.endpoint(TOKEN);

    let without = client_credentials(&setup, Some(&key.proof("POST", &url).sign())).await;
    assert_eq!(without.status, StatusCode::BAD_REQUEST, "{}", without.json);
    assert_eq!(without.json["error"], "use_dpop_nonce");
    let nonce = without
        .header("dpop-nonce")
        .expect("a DPoP-Nonce header")
        .to_owned();
    let forged = key
        .proof("POST", &url)
        .claim("nonce", json!("0.forged"))
        .sign();
    assert_eq!(
        client_credentials(&setup, Some(&forged)).await.json["error"],
        "use_dpop_nonce"
    );

    let with = key.proof("POST", &url).claim("nonce", json!(nonce)).sign();
    let reply = client_credentials(&setup, Some(&with)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["token_type"], "DPoP");
}

#[actix_web::test]
async fn a_public_clients_refresh_token_is_bound_to_its_key() {
    let (srv, admin) = TestServer::start().await;
    let client = json!({
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
    });
    let setup = Setup::new(&srv, &admin, client).await;
    let key = DpopKey::default();
    let url = setup.endpoint(TOKEN);
    let code = setup.code(&Browser::default(), &[]).await;
    let tokens = exchange_with(&setup, &code, Some(&key.proof("POST", &url).sign())).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let refresh = tokens.json["refresh_token"].as_str().unwrap();

    let thief = DpopKey::default().proof("POST", &url).sign();
    refresh_with(&setup, refresh, Some(&thief))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    refresh_with(&setup, refresh, None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // Neither refusal spent the token: its owner still rotates it.
    let rotated = refresh_with(&setup, refresh, Some(&key.proof("POST", &url).sign())).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    assert_eq!(rotated.json["token_type"], "DPoP");
    let next = rotated.json["refresh_token"].as_str().unwrap();
    refresh_with(
        &setup,
        next,
        Some(&DpopKey::default().proof("POST", &url).sign()),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_client_registered_with_dpop_bound_access_tokens_must_send_a_proof() {
    let (srv, admin) = TestServer::start().await;
    let client = json!({
        "grant_types": ["authorization_code", "client_credentials"],
        "dpop_bound_access_tokens": true,
    });
    let setup = Setup::new(&srv, &admin, client).await;
    let bare = client_credentials(&setup, None).await;
    bare.assert_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof");
    let key = DpopKey::default();
    let proof = key.proof("POST", &setup.endpoint(TOKEN)).sign();
    let reply = client_credentials(&setup, Some(&proof)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["token_type"], "DPoP");
}

#[actix_web::test]
async fn a_code_bound_with_dpop_jkt_is_redeemed_only_with_that_key() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let key = DpopKey::default();
    let jkt = key.thumbprint();
    let url = setup.endpoint(TOKEN);
    let browser = Browser::default();

    let code = setup.code(&browser, &[("dpop_jkt", &jkt)]).await;
    let other = DpopKey::default().proof("POST", &url).sign();
    exchange_with(&setup, &code, Some(&other))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");

    let code = setup.code(&browser, &[("dpop_jkt", &jkt)]).await;
    let reply = exchange_with(&setup, &code, Some(&key.proof("POST", &url).sign())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        jwt_claims(reply.json["access_token"].as_str().unwrap())["cnf"]["jkt"],
        jkt.as_str()
    );
}

#[actix_web::test]
async fn a_public_client_revokes_its_bound_tokens_only_with_a_proof_of_their_key() {
    let (srv, admin) = TestServer::start().await;
    let client = json!({
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
    });
    let setup = Setup::new(&srv, &admin, client).await;
    let key = DpopKey::default();
    let (token_url, revoke_url) = (setup.endpoint(TOKEN), setup.endpoint(REVOKE));
    let code = setup.code(&Browser::default(), &[]).await;
    let tokens = exchange_with(&setup, &code, Some(&key.proof("POST", &token_url).sign())).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let access = tokens.json["access_token"].as_str().unwrap();
    let refresh = tokens.json["refresh_token"].as_str().unwrap();

    for token in [access, refresh] {
        let thief = DpopKey::default().proof("POST", &revoke_url).sign();
        // A proof made for another endpoint proves nothing here.
        let elsewhere = key.proof("POST", &token_url).sign();
        for proof in [None, Some(thief.as_str()), Some(elsewhere.as_str())] {
            revoke_with(&setup, token, proof)
                .await
                .assert_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof");
        }
    }
    // None of the refusals revoked anything: the refresh token still rotates.
    let rotated = refresh_with(&setup, refresh, Some(&key.proof("POST", &token_url).sign())).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    let next = rotated.json["refresh_token"].as_str().unwrap();

    let owner = key.proof("POST", &revoke_url).sign();
    let revoked = revoke_with(&setup, next, Some(&owner)).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    refresh_with(&setup, next, Some(&key.proof("POST", &token_url).sign()))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}
