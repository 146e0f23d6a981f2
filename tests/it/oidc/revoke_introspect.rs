//! Revocation (RFC 7009) and introspection (RFC 7662): who may call them, what they report, and what a
//! revocation takes with it.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::oidc::{Reply, Setup, http};

async fn introspect(as_client: &Setup, token: &str) -> Value {
    let reply = as_client
        .post("/oauth2/introspect", &[("token", token)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.json
}

fn tokens_of(tokens: &Value) -> (&str, &str) {
    (
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
    )
}

#[actix_web::test]
async fn any_confidential_client_of_the_workspace_may_introspect_live_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let resource_server = setup
        .another_client(&admin, json!({"grant_types": ["client_credentials"]}))
        .await;
    let tokens = setup.tokens(&[("scope", "openid email")]).await;
    let (access, refresh) = tokens_of(&tokens);

    for caller in [&setup, &resource_server] {
        let at = introspect(caller, access).await;
        assert_eq!(at["active"], true, "{at}");
        assert_eq!(at["scope"], "openid email");
        assert_eq!(at["client_id"], setup.client_id.as_str());
        assert_eq!(at["sub"], setup.user.as_str());
        assert_eq!(at["iss"], setup.issuer.as_str());
        assert_eq!(at["token_type"], "Bearer");
        assert_eq!(at["username"], "alice@example.com");
        assert!(at["exp"].as_i64().unwrap() > srv.state.clock.now());

        let rt = introspect(caller, refresh).await;
        assert_eq!(rt["active"], true, "{rt}");
        assert_eq!(rt["scope"], "openid email");
        assert_eq!(rt["client_id"], setup.client_id.as_str());
        assert_eq!(rt["sub"], setup.user.as_str());
    }
    assert_eq!(
        introspect(&setup, "not-a-token").await,
        json!({"active": false})
    );
}

#[actix_web::test]
async fn revoking_an_access_token_makes_its_grant_inactive() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = tokens_of(&tokens);
    let revoked = setup
        .post(
            "/oauth2/revoke",
            &[("token", access), ("token_type_hint", "access_token")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(introspect(&setup, access).await, json!({"active": false}));
    assert_eq!(introspect(&setup, refresh).await, json!({"active": false}));
}

#[actix_web::test]
async fn revoking_a_refresh_token_ends_the_refresh_token_and_its_access_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = tokens_of(&tokens);
    let revoked = setup.post("/oauth2/revoke", &[("token", refresh)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(introspect(&setup, refresh).await["active"], false);
    assert_eq!(introspect(&setup, access).await["active"], false);
    setup
        .refresh(refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_public_client_may_not_introspect() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let public = setup
        .another_client(&admin, json!({"token_endpoint_auth_method": "none"}))
        .await;
    let tokens = setup.tokens(&[]).await;
    let (access, _) = tokens_of(&tokens);
    public
        .post("/oauth2/introspect", &[("token", access)])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let anonymous = http()
        .post(setup.endpoint("/oauth2/introspect"))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    Reply::read(anonymous)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
}

#[actix_web::test]
async fn a_client_cannot_revoke_another_clients_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let other = setup.another_client(&admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = tokens_of(&tokens);
    for token in [access, refresh] {
        let reply = other.post("/oauth2/revoke", &[("token", token)]).await;
        assert!(
            reply.status.is_client_error(),
            "{:?} {}",
            reply.status,
            reply.json
        );
    }
    assert_eq!(introspect(&setup, access).await["active"], true);
    assert_eq!(introspect(&setup, refresh).await["active"], true);
    assert_eq!(setup.userinfo(access).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn revoking_an_unknown_token_succeeds() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let reply = setup
        .post("/oauth2/revoke", &[("token", "never-issued")])
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = setup
        .post(
            "/oauth2/revoke",
            &[("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_client_of_another_workspace_sees_this_workspaces_tokens_as_inactive() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = tokens_of(&tokens);
    admin
        .create("/default/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    let outsider = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let url = format!(
        "{}/default/shop/oauth2/introspect",
        srv.state.config.public_url()
    );
    for token in [access, refresh] {
        let res = http()
            .post(&url)
            .basic_auth(
                outsider["client_id"].as_str().unwrap(),
                outsider["client_secret"].as_str(),
            )
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        let reply = Reply::read(res).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        assert_eq!(
            reply.json,
            json!({"active": false}),
            "token of another workspace"
        );
    }
}

#[actix_web::test]
async fn a_revoked_client_credentials_token_introspects_as_inactive() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"grant_types": ["client_credentials"]})).await;
    let reply = setup
        .post("/oauth2/token", &[("grant_type", "client_credentials")])
        .await;
    let token = reply.json["access_token"].as_str().unwrap();
    let live = introspect(&setup, token).await;
    assert_eq!(live["active"], true, "{live}");
    assert_eq!(live["sub"], setup.client_id.as_str());
    assert_eq!(live["username"], Value::Null);
    let revoked = setup.post("/oauth2/revoke", &[("token", token)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(introspect(&setup, token).await, json!({"active": false}));
}

/// Revoking one token from several requests at once used to race between the "already revoked?" check and the
/// insert; on PostgreSQL the losers hit the primary key and got a 500. Revoking twice is not an error (RFC 7009).
#[actix_web::test]
async fn concurrent_revocations_of_one_token_all_succeed() {
    // Several workers, so that requests are handled side by side as in production.
    let (srv, admin) = TestServer::start_with(|c| c.workers = Some(4)).await;
    let setup = Setup::new(&srv, &admin, json!({"grant_types": ["client_credentials"]})).await;
    // A race is lost only now and then; a few rounds make it show before the fix nearly every run.
    for _ in 0..4 {
        let reply = setup
            .post("/oauth2/token", &[("grant_type", "client_credentials")])
            .await;
        let token = reply.json["access_token"].as_str().unwrap();
        let form = [("token", token)];
        let replies = join_all((0..16).map(|_| setup.post("/oauth2/revoke", &form))).await;
        for reply in &replies {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        }
        assert_eq!(introspect(&setup, token).await, json!({"active": false}));
    }
}

/// RFC 7662 §2.2: `token_type` is a type of RFC 6749 §7.1 (the OAuth Access Token Types registry). A refresh
/// token has none, so its introspection leaves `token_type` out rather than invent `refresh_token`.
#[actix_web::test]
async fn a_refresh_token_introspects_without_an_unregistered_token_type() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = tokens_of(&tokens);
    let rt = introspect(&setup, refresh).await;
    assert_eq!(rt["active"], true, "{rt}");
    assert_eq!(rt.get("token_type"), None, "{rt}");
    assert_eq!(introspect(&setup, access).await["token_type"], "Bearer");
}
