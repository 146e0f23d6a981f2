//! The user status column: the same text on both backends, and a stored value Tarn does not know grants nothing.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tarn::store::StoreError;
use tarn::store::schema::users;

use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, STATE, Setup, VERIFIER};

/// The status column as text, past the store's mapping.
async fn stored_status(srv: &TestServer, user: &str) -> String {
    let user = user.to_owned();
    srv.state
        .db
        .run(move |c| {
            users::table
                .find(user)
                .select(users::status)
                .get_result::<String>(c)
                .map_err(StoreError::from)
        })
        .await
        .unwrap()
}

/// Writes the column behind Tarn's back, as an older or newer version (or a hand edit) might.
async fn store_status(srv: &TestServer, user: &str, status: &'static str) {
    let user = user.to_owned();
    srv.state
        .db
        .run(move |c| {
            diesel::update(users::table.find(user))
                .set(users::status.eq(status))
                .execute(c)
                .map_err(StoreError::from)
        })
        .await
        .unwrap();
}

fn token(tokens: &Value, name: &str) -> String {
    tokens[name].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_status_is_stored_as_its_lowercase_name() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    assert_eq!(stored_status(&srv, &setup.user).await, "active");
    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    let (code, body) = admin.patch(&path, json!({"status": "inactive"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(stored_status(&srv, &setup.user).await, "inactive");
}

#[actix_web::test]
async fn an_unknown_stored_status_reads_as_inactive_and_is_refused_everywhere() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let code = setup.code(&browser, &[]).await;
    let tokens = setup.exchange(&code, VERIFIER).await.json;
    let (access, refresh) = (
        token(&tokens, "access_token"),
        token(&tokens, "refresh_token"),
    );

    // Unlike an admin's PATCH, this ends no session and revokes no grant: only the status check stands between
    // the user and each of these.
    store_status(&srv, &setup.user, "locked").await;
    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    assert_eq!(admin.get(&path).await.1["status"], "inactive");
    setup
        .userinfo(&access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let introspected = setup
        .post("/oauth2/introspect", &[("token", &refresh)])
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
    let fresh = Browser::default();
    let login = fresh.login_page(&setup.authorize_url(&[])).await;
    let refused = fresh.submit_login(&login, ALICE, PASSWORD).await;
    assert_eq!(
        refused.location, None,
        "no code for a user of unknown status"
    );
    assert!(refused.alert().is_some(), "{}", refused.body);

    // The refusals came from the status alone: the access token works again once it is `active`.
    store_status(&srv, &setup.user, "active").await;
    assert_eq!(setup.userinfo(&access).await.status, StatusCode::OK);
}
