//! Discovery metadata, the JWK Set and the ID token's claim set as snapshots; unknown issuers; key rotation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::oidc::{NONCE, Setup, jwt_claims, jwt_header};

/// GETs a JSON document, with the port-dependent public URL replaced by `http://tarn.test`.
async fn document(srv: &TestServer, url: &str) -> (reqwest::header::HeaderMap, Value) {
    let res = reqwest::get(url).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let text = text.replace(srv.state.config.public_url(), "http://tarn.test");
    (headers, serde_json::from_str(&text).unwrap())
}

#[actix_web::test]
async fn the_discovery_document_describes_the_workspace() {
    let (srv, _) = TestServer::start().await;
    let issuer = format!("{}/default/default", srv.state.config.public_url());
    let (headers, doc) =
        document(&srv, &format!("{issuer}/.well-known/openid-configuration")).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(doc["issuer"], "http://tarn.test/default/default");
    insta::assert_json_snapshot!("discovery", doc);

    // RFC 8414's path for the same issuer serves the same metadata.
    let root = format!(
        "{}/.well-known/oauth-authorization-server/default/default",
        srv.state.config.public_url()
    );
    let (_, same) = document(&srv, &root).await;
    assert_eq!(same, doc);
}

#[actix_web::test]
async fn the_jwks_publishes_one_signing_key_per_algorithm() {
    let (srv, _) = TestServer::start().await;
    let issuer = format!("{}/default/default", srv.state.config.public_url());
    let (headers, jwks) = document(&srv, &format!("{issuer}/.well-known/jwks.json")).await;
    assert_eq!(headers["content-type"], "application/jwk-set+json");
    for key in jwks["keys"].as_array().unwrap() {
        assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()), "{key}");
        assert_eq!(key["use"], "sig");
        assert!(
            key.get("d").is_none() && key.get("p").is_none(),
            "no private parts: {key}"
        );
    }
    insta::assert_json_snapshot!("jwks", jwks, {
        ".keys[].kid" => "[kid]",
        ".keys[].n" => "[n]",
        ".keys[].x" => "[x]",
        ".keys[].y" => "[y]",
    });
}

#[actix_web::test]
async fn the_id_token_claim_set_for_the_usual_scopes() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
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
    let tokens = setup
        .tokens(&[("scope", "openid profile email groups")])
        .await;
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], setup.issuer.as_str());
    assert_eq!(claims["aud"], setup.client_id.as_str());
    assert_eq!(claims["sub"], setup.user.as_str());
    assert_eq!(claims["nonce"], NONCE);
    insta::assert_json_snapshot!("id_token_claims", claims, {
        ".sub" => "[sub]",
        ".iat" => "[iat]",
        ".exp" => "[exp]",
        ".auth_time" => "[auth_time]",
        ".updated_at" => "[updated_at]",
        ".nonce" => "[nonce]",
        ".at_hash" => "[at_hash]",
        ".aud" => "[aud]",
        ".azp" => "[azp]",
        ".sid" => "[sid]",
        ".iss" => "[iss]",
    });
}

#[actix_web::test]
async fn an_unknown_tenant_or_workspace_is_not_found() {
    let (srv, _) = TestServer::start().await;
    for path in [
        "/nobody/default/.well-known/openid-configuration",
        "/default/nowhere/.well-known/openid-configuration",
        "/default/nowhere/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server/default/nowhere",
    ] {
        let res = reqwest::get(srv.url(path)).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let token = reqwest::Client::new()
        .post(srv.url("/default/nowhere/oauth2/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::NOT_FOUND);
}

async fn published_kids(setup: &Setup) -> Vec<String> {
    let jwks: Value = reqwest::get(setup.endpoint("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn after_a_rotation_new_tokens_use_a_new_key_and_the_old_key_stays_published() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let before = setup.tokens(&[]).await;
    let old_access = before["access_token"].as_str().unwrap();
    let old_kid = jwt_header(before["id_token"].as_str().unwrap())["kid"].clone();
    assert_eq!(
        jwt_header(old_access)["kid"],
        old_kid,
        "both RS256, same key"
    );

    let (status, body) = admin
        .post("/default/workspaces/default/keys/rotate", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let current: Vec<&str> = body["current_kids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(!current.contains(&old_kid.as_str().unwrap()), "{body}");

    let after = setup.tokens(&[]).await;
    let new_kid = jwt_header(after["id_token"].as_str().unwrap())["kid"].clone();
    assert_ne!(new_kid, old_kid);
    assert!(current.contains(&new_kid.as_str().unwrap()));
    assert_eq!(
        jwt_header(after["access_token"].as_str().unwrap())["kid"],
        new_kid
    );

    let kids = published_kids(&setup).await;
    assert!(
        kids.contains(&old_kid.as_str().unwrap().to_owned()),
        "{kids:?}"
    );
    assert!(
        kids.contains(&new_kid.as_str().unwrap().to_owned()),
        "{kids:?}"
    );
    // Tokens signed before the rotation keep working.
    assert_eq!(setup.userinfo(old_access).await.status, StatusCode::OK);
    let (rp, _) = setup.rp().await;
    let old_id: openidconnect::core::CoreIdToken =
        serde_json::from_value(before["id_token"].clone()).unwrap();
    old_id
        .claims(
            &rp.id_token_verifier(),
            &openidconnect::Nonce::new(NONCE.into()),
        )
        .expect("the old ID token still verifies against the published keys");
}

/// RFC 8414 §2: each endpoint's `*_auth_methods_supported` says exactly what it accepts (revocation takes a
/// public client's `client_id`, RFC 7009 §5; introspection refuses public clients), with the signing algorithms
/// wherever `private_key_jwt` is listed; and metadata for signed UserInfo appears only if UserInfo is signed,
/// which it never is.
#[actix_web::test]
async fn discovery_lists_exactly_the_client_authentication_each_endpoint_accepts() {
    let (srv, admin) = TestServer::start().await;
    let issuer = format!("{}/default/default", srv.state.config.public_url());
    let (_, doc) = document(&srv, &format!("{issuer}/.well-known/openid-configuration")).await;
    let confidential = json!([
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt"
    ]);
    let with_public = json!([
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none"
    ]);
    assert_eq!(doc["token_endpoint_auth_methods_supported"], with_public);
    assert_eq!(
        doc["revocation_endpoint_auth_methods_supported"],
        with_public
    );
    assert_eq!(
        doc["introspection_endpoint_auth_methods_supported"],
        confidential
    );
    let algs = &doc["token_endpoint_auth_signing_alg_values_supported"];
    assert!(algs.as_array().is_some_and(|a| !a.is_empty()), "{doc}");
    assert_eq!(
        &doc["revocation_endpoint_auth_signing_alg_values_supported"],
        algs
    );
    assert_eq!(
        &doc["introspection_endpoint_auth_signing_alg_values_supported"],
        algs
    );
    assert_eq!(
        doc.get("userinfo_signing_alg_values_supported"),
        None,
        "{doc}"
    );

    // What the document says is true: a public client revokes its own refresh token with its client_id alone.
    let public = Setup::new(&srv, &admin, json!({"token_endpoint_auth_method": "none"})).await;
    let tokens = public.tokens(&[]).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let revoked = public.post("/oauth2/revoke", &[("token", refresh)]).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    public
        .refresh(refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}
