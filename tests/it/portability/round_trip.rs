//! A tenant moved from SQLite to the test backend (PostgreSQL when `TARN_TEST_POSTGRES_URL` is set) and back:
//! nothing lost or changed on the way, and the moved users and clients work on the new server as before.

use reqwest::StatusCode;
use serde_json::Value;

use super::{
    BOB, Fixture, TENANT, export_api, import_api, populate, setup_at, sorted_lines, stderr, tarn,
};
use crate::pages::passkey::sign_in;
use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, REDIRECT, jwt_claims};

#[actix_web::test]
async fn a_tenant_moves_to_another_backend_and_back_with_passwords_passkeys_groups_and_clients() {
    let (a, admin_a) = TestServer::start_sqlite().await;
    let mut fixture = populate(&a, &admin_a).await;

    // Out of A with the CLI (a separate process on A's database), into B through the admin API.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.ndjson");
    let out = tarn(
        &a,
        &[
            "export",
            "--tenant",
            TENANT,
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Exported tenant acme: "),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("2 user"), "{}", stderr(&out));
    let exported = std::fs::read_to_string(&file).unwrap();
    assert_eq!(exported, export_api(&a, TENANT).await, "CLI and API agree");
    assert!(exported.starts_with(r#"{"kind":"tarn-export","version":1,"tenant":{"id":"acme""#));
    assert!(
        !exported.contains(&fixture.client_secret),
        "secrets travel hashed"
    );

    let (b, admin_b) = TestServer::start().await;
    let (status, summary) = import_api(&admin_b, &exported, false).await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    assert_eq!(summary["tenant"], TENANT);
    assert_eq!(summary["counts"]["user"], 2);
    assert_eq!(summary["counts"]["group"], 2);
    assert_eq!(summary["counts"]["membership"], 1);
    assert_eq!(summary["counts"]["pool"], 2);
    assert_eq!(summary["counts"]["client"], 1);
    // The import is audited in its own transaction, by the admin token that made it.
    let events = admin_b
        .list_all(&format!("/{TENANT}/audit-events?type=import.completed"), 10)
        .await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["actor"]["type"], "admin", "{}", events[0]);
    assert_eq!(events[0]["details"]["user"], 2, "{}", events[0]);

    // Back out of B through the API and into a third database with the CLI: the same lines came back.
    let again = export_api(&b, TENANT).await;
    assert_eq!(sorted_lines(&again), sorted_lines(&exported));
    let (c, admin_c) = TestServer::start_sqlite().await;
    std::fs::write(&file, &again).unwrap();
    let out = tarn(&c, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Imported tenant acme: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        sorted_lines(&export_api(&c, TENANT).await),
        sorted_lines(&exported)
    );
    let events = admin_c
        .list_all(&format!("/{TENANT}/audit-events?type=import.completed"), 10)
        .await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["actor"]["type"], "system", "{}", events[0]);

    signs_in_as_before(&b, &mut fixture).await;
}

/// On the new server: the same passwords and passkey sign in through the login page, with the same `sub`,
/// payload and groups; the client's old secret still authenticates it.
async fn signs_in_as_before(srv: &TestServer, fixture: &mut Fixture) {
    let setup = setup_at(srv, fixture);
    let tokens = setup.tokens(&[("scope", "openid profile groups")]).await;
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], fixture.alice.as_str());
    let info = setup
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.json);
    assert_eq!(info.json["given_name"], "Alice");
    let mut groups: Vec<&str> = info.json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    groups.sort();
    assert_eq!(groups, ["eu-staff", "staff"], "{}", info.json);

    let (status, moved) = crate::support::Admin::new(&srv.base, crate::support::ADMIN_TOKEN)
        .get(&format!(
            "/{TENANT}/pools/{}/users/{}",
            fixture.pool, fixture.bob
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["email"], BOB);
    assert_eq!(moved["password_set"], true);
    let bob = Browser::default()
        .sign_in(&setup.authorize_url(&[]), BOB, PASSWORD)
        .await;
    let bob = Browser::default().not_now(bob).await;
    assert!(
        bob.location
            .as_deref()
            .is_some_and(|l| l.starts_with(REDIRECT)),
        "Bob signs in: {}",
        bob.body
    );

    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    fixture.authenticator.origin = url::Url::parse(srv.state.config.public_url()).unwrap();
    let back = sign_in(&browser, &login, &mut fixture.authenticator, ALICE).await;
    assert!(
        back.location
            .as_deref()
            .is_some_and(|l| l.starts_with(REDIRECT)),
        "Alice's passkey signs her in: {} {}",
        back.status,
        back.body
    );

    let credentials = setup
        .post("/oauth2/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(credentials.status, StatusCode::OK, "{}", credentials.json);
    assert!(credentials.json["access_token"].is_string());
}
