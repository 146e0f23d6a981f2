//! Refresh tokens: rotation on every use, family revocation on reuse, scope narrowing, binding to the client,
//! and users set inactive losing their tokens and sessions.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{Browser, STATE, Setup, VERIFIER, jwt_claims};
use crate::support::{Admin, TestServer};

fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

fn access_token(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

#[actix_web::test]
async fn each_use_rotates_the_refresh_token_and_the_old_one_dies() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[("scope", "openid email")]).await;
    let first = refresh_token(&tokens);

    let reply = setup.refresh(&first).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let second = refresh_token(&reply.json);
    assert_ne!(second, first);
    assert_eq!(reply.json["scope"], "openid email");
    let id_token = jwt_claims(reply.json["id_token"].as_str().expect("a new ID token"));
    assert_eq!(id_token["sub"], setup.user.as_str());
    assert_eq!(
        setup.userinfo(&access_token(&reply.json)).await.status,
        StatusCode::OK
    );

    let reply = setup.refresh(&second).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let third = refresh_token(&reply.json);
    assert!(third != first && third != second);

    setup
        .refresh(&first)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let first = refresh_token(&tokens);
    let rotated = setup.refresh(&first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    let newest = refresh_token(&rotated.json);
    let newest_access = access_token(&rotated.json);

    // An attacker (or a confused client) replays the old token ...
    setup
        .refresh(&first)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // ... and everything of that family is dead, including what the legitimate holder has.
    setup
        .refresh(&newest)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    setup
        .userinfo(&newest_access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");

    // Another sign-in makes a new family that works.
    let again = setup.tokens(&[]).await;
    let reply = setup.refresh(&refresh_token(&again)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn a_refresh_may_narrow_the_scope_but_not_widen_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[("scope", "openid email")]).await;
    let token = refresh_token(&tokens);
    let with_scope = |scope| {
        [
            ("grant_type", "refresh_token"),
            ("refresh_token", token.as_str()),
            ("scope", scope),
        ]
    };
    setup
        .post("/oauth2/token", &with_scope("openid email profile"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_scope");

    // The refused request did not spend the token.
    let reply = setup.post("/oauth2/token", &with_scope("openid")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["scope"], "openid");
    let id_token = jwt_claims(reply.json["id_token"].as_str().unwrap());
    assert!(id_token.get("email").is_none(), "{id_token}");
}

#[actix_web::test]
async fn a_rotated_token_replayed_with_a_wider_scope_still_revokes_the_family() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[("scope", "openid")]).await;
    let first = refresh_token(&tokens);
    let rotated = setup.refresh(&first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first.as_str()),
        ("scope", "openid email"),
    ];
    let replay = setup.post("/oauth2/token", &form).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.json);
    setup
        .refresh(&refresh_token(&rotated.json))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_refresh_token_only_works_for_its_own_client() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.another_client(&admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let token = refresh_token(&tokens);
    other
        .refresh(&token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let reply = setup.refresh(&token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

async fn set_status(admin: &Admin, setup: &Setup, status: &str) {
    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    let (code, body) = admin.patch(&path, json!({"status": status})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], status);
}

#[actix_web::test]
async fn a_user_set_inactive_loses_refresh_tokens_access_tokens_and_sessions() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let code = setup.code(&browser, &[]).await;
    let tokens = setup.exchange(&code, VERIFIER).await.json;
    let (access, refresh) = (access_token(&tokens), refresh_token(&tokens));
    assert_eq!(setup.userinfo(&access).await.status, StatusCode::OK);

    set_status(&admin, &setup, "inactive").await;
    setup
        .userinfo(&access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let introspected = setup
        .post("/oauth2/introspect", &[("token", &access)])
        .await;
    assert_eq!(introspected.json, json!({"active": false}));
    setup
        .refresh(&refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let silent = browser
        .get(&setup.authorize_url(&[("prompt", "none")]))
        .await;
    assert_eq!(
        silent.redirect_param("error").as_deref(),
        Some("login_required")
    );
    assert_eq!(silent.redirect_param("state").as_deref(), Some(STATE));

    // Reactivation does not bring the old tokens back.
    set_status(&admin, &setup, "active").await;
    setup
        .userinfo(&access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let fresh = setup.tokens(&[]).await;
    assert_eq!(
        setup.userinfo(&access_token(&fresh)).await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_refresh_token_expires_after_thirty_days() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (early, late) = (
        refresh_token(&tokens),
        refresh_token(&setup.tokens(&[]).await),
    );
    srv.state.clock.advance(29 * 24 * 3600);
    let reply = setup.refresh(&early).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    srv.state.clock.advance(24 * 3600 + 1);
    setup
        .refresh(&late)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}
