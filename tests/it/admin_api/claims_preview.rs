//! `GET …/users/{user}/claims-preview`: per connected workspace, the claims a sign-in would give, each with its
//! source; checked against the ID token and UserInfo of a real sign-in through the `openidconnect` RP.

use openidconnect::{OAuth2TokenResponse, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::support::oidc::{Setup, code_flow, jwt_claims};
use crate::support::{TestServer, assert_invalid, assert_not_found};

/// The preview's claims as an object, and their sources by name.
fn claims(list: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let items = list.as_array().unwrap();
    let values = items
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["value"].clone()));
    let sources = items
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["source"].clone()));
    (values.collect(), sources.collect())
}

#[actix_web::test]
async fn the_preview_holds_exactly_the_claims_a_real_sign_in_gets() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.also_at(&srv, &admin, "shop").await;
    let staff = admin.create_group(&setup.pool, "staff", None).await;
    let eu = admin
        .create_group(&setup.pool, "eu-staff", Some(&staff))
        .await;
    let member = format!(
        "/default/pools/{}/groups/{eu}/users/{}",
        setup.pool, setup.user
    );
    assert_eq!(admin.put(&member).await.0, StatusCode::NO_CONTENT);

    let path = format!(
        "/default/pools/{}/users/{}/claims-preview",
        setup.pool, setup.user
    );
    let (status, preview) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let workspaces: Vec<&str> = preview
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["workspace_id"].as_str().unwrap())
        .collect();
    assert_eq!(workspaces, ["default", "shop"]);
    let at_default = &preview[0];
    assert_eq!(at_default["scope"], "openid profile email phone groups");
    assert_eq!(at_default["issuer"], json!(setup.issuer));
    assert_eq!(preview[1]["issuer"], json!(other.issuer));
    assert_eq!(at_default["can_sign_in"], true);

    let (tokens, _, _) = code_flow(&setup, &["profile", "email", "phone", "groups"]).await;
    let id_token = jwt_claims(&tokens.id_token().unwrap().to_string());
    let (expected, sources) = claims(&at_default["id_token"]);
    let per_sign_in: Vec<&str> = at_default["per_sign_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let mut signed = id_token.as_object().unwrap().clone();
    signed.retain(|k, _| !per_sign_in.contains(&k.as_str()));
    assert_eq!(signed, expected, "ID token claims");
    assert!(id_token.get("aud").is_some() && id_token.get("nonce").is_some());

    let userinfo = setup.userinfo(tokens.access_token().secret()).await;
    assert_eq!(userinfo.status, StatusCode::OK);
    let (expected, _) = claims(&at_default["userinfo"]);
    assert_eq!(
        userinfo.json.as_object().unwrap(),
        &expected,
        "UserInfo claims"
    );

    assert_eq!(expected["groups"], json!(["eu-staff", "staff"]));
    for (name, source) in [
        ("sub", "built_in"),
        ("iss", "built_in"),
        ("given_name", "payload_field"),
        ("email", "identifier"),
        ("email_verified", "identifier"),
        ("groups", "group_membership"),
    ] {
        assert_eq!(sources[name], source, "{name}");
    }
}

#[actix_web::test]
async fn the_scope_narrows_the_preview_and_must_include_openid() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let path = format!(
        "/default/pools/{}/users/{}/claims-preview",
        setup.pool, setup.user
    );
    let (status, preview) = admin.get(&format!("{path}?scope=openid%20email")).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let (userinfo, _) = claims(&preview[0]["userinfo"]);
    let mut names: Vec<&String> = userinfo.keys().collect();
    names.sort();
    assert_eq!(names, ["email", "email_verified", "sub"]);
    assert_invalid(&admin.get(&format!("{path}?scope=email")).await, "scope");
    // An inactive user is previewed, and the preview says they cannot sign in.
    let user = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    admin.patch(&user, json!({"status": "inactive"})).await;
    assert_eq!(admin.get(&path).await.1[0]["can_sign_in"], false);
    // A pool connected nowhere previews nothing; other tenants and pools see no user.
    let lonely = admin.create_pool("Lonely").await;
    let loner = admin.create_user(&lonely, "loner@example.com").await;
    let (_, none) = admin
        .get(&format!(
            "/default/pools/{lonely}/users/{loner}/claims-preview"
        ))
        .await;
    assert_eq!(none, json!([]));
    assert_not_found(
        &admin
            .get(&format!(
                "/default/pools/{lonely}/users/{}/claims-preview",
                setup.user
            ))
            .await,
    );
    admin.create_tenant("acme").await;
    assert_not_found(
        &admin
            .get(&format!(
                "/acme/pools/{}/users/{}/claims-preview",
                setup.pool, setup.user
            ))
            .await,
    );
}
