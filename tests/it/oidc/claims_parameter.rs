//! The `claims` request parameter (OIDC Core §5.5): claims asked for by name reach UserInfo or the ID token as
//! asked, essential or not, through the code, the token and every refresh; unknown names are ignored and
//! malformed JSON is refused with `invalid_request`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::oidc::{Browser, STATE, Setup, jwt_claims};

fn claims_of(value: &Value) -> Vec<String> {
    let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    names.sort();
    names
}

#[actix_web::test]
async fn named_claims_reach_userinfo_and_the_id_token_through_refresh() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    admin.create_group(&setup.pool, "staff", None).await;
    let claims = json!({
        "userinfo": {"email": {"essential": true}, "given_name": null, "shoe_size": {"essential": true}},
        "id_token": {"email_verified": null, "family_name": {"essential": false}, "nonce": null},
        "unknown_target": {"email": null},
    })
    .to_string();
    let tokens = setup
        .tokens(&[("scope", "openid"), ("claims", &claims)])
        .await;
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["family_name"], "User");
    assert!(
        id.get("email").is_none() && id.get("given_name").is_none(),
        "{id}"
    );
    let info = setup
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.json);
    assert_eq!(claims_of(&info.json), ["email", "given_name", "sub"]);
    assert_eq!(info.json["email"], crate::support::oidc::ALICE);

    let refreshed = setup
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    let id = jwt_claims(refreshed.json["id_token"].as_str().unwrap());
    assert_eq!(id["family_name"], "User");
    let info = setup
        .userinfo(refreshed.json["access_token"].as_str().unwrap())
        .await;
    assert_eq!(claims_of(&info.json), ["email", "given_name", "sub"]);
}

#[actix_web::test]
async fn named_claims_outside_the_clients_scopes_are_not_given() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"scope": "openid profile"})).await;
    let claims = json!({"userinfo": {"email": {"essential": true}, "name": null}}).to_string();
    let tokens = setup
        .tokens(&[("scope", "openid"), ("claims", &claims)])
        .await;
    let info = setup
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(claims_of(&info.json), ["name", "sub"]);
}

#[actix_web::test]
async fn a_malformed_claims_parameter_is_refused_with_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    for bad in [
        "{not json",
        "[]",
        r#"{"userinfo": ["email"]}"#,
        r#"{"id_token": {"email": {"essential": "yes"}}}"#,
    ] {
        let page = browser.get(&setup.authorize_url(&[("claims", bad)])).await;
        assert_eq!(page.status, StatusCode::FOUND, "{bad}");
        assert_eq!(
            page.redirect_param("error").as_deref(),
            Some("invalid_request"),
            "{bad}"
        );
        assert_eq!(page.redirect_param("state").as_deref(), Some(STATE));
    }
}
