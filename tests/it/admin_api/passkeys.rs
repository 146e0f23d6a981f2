//! `/api/admin/{tenant}/pools/{pool}/users/{user}/passkeys`: listing a user's passkeys without key material,
//! removing one (and it no longer signing in), and the 404s of the wrong tenant, pool, user or passkey.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pages::passkey::{assert_refused, enrol, offer, sign_in, with_passkey};
use crate::support::oidc::{ALICE, Browser, Setup};
use crate::support::passkey::Authenticator;
use crate::support::{Admin, TestServer, assert_error, assert_no_content, assert_not_found};

/// The fields of a listed passkey, exactly.
const FIELDS: [&str; 8] = [
    "backup_eligible",
    "backup_state",
    "created_at",
    "credential_id",
    "id",
    "last_used_at",
    "name",
    "sign_count",
];

fn passkeys(pool: &str, user: &str) -> String {
    format!("/default/pools/{pool}/users/{user}/passkeys")
}

/// The user's passkeys, every page.
async fn listed(admin: &Admin, pool: &str, user: &str) -> Vec<Value> {
    admin.list_all(&passkeys(pool, user), 50).await
}

/// The one passkey Alice holds after `with_passkey`.
async fn alices(admin: &Admin, setup: &Setup) -> Value {
    let items = listed(admin, &setup.pool, &setup.user).await;
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

/// Every string and every number array in a JSON document, as text: what a leak of it would show.
fn leaves(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) if items.iter().all(Value::is_number) && items.len() >= 16 => {
            out.push(doc.to_string());
        }
        Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
        Value::Object(fields) => fields.values().for_each(|v| leaves(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn the_list_shows_each_passkey_and_no_key_material() {
    let (srv, admin) = TestServer::start().await;
    let before = srv.state.clock.now();
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let after = srv.state.clock.now();
    let (status, body) = admin.get(&passkeys(&setup.pool, &setup.user)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["next_cursor"], Value::Null);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    let passkey = &items[0];
    let fields: BTreeSet<&str> = passkey
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, BTreeSet::from(FIELDS), "{passkey}");
    assert!(!passkey["id"].as_str().unwrap().is_empty());
    assert_eq!(passkey["name"], "Passkey 1");
    assert_eq!(
        passkey["backup_eligible"], false,
        "SoftPasskey is device-bound"
    );
    assert_eq!(passkey["backup_state"], false);
    let created = passkey["created_at"].as_i64().unwrap();
    assert!((before..=after).contains(&created), "{passkey}");
    assert_eq!(passkey["last_used_at"], Value::Null, "never used yet");
    let count = passkey["sign_count"].as_i64().unwrap();

    // The stored credential: its id is shown (as the login page offers it), nothing else of it.
    let user = setup.user.clone();
    let rows = srv
        .state
        .db
        .run(move |c| tarn::testing::passkey::list(c, &user))
        .await
        .unwrap();
    assert_eq!(passkey["id"], rows[0].id.as_str());
    assert_eq!(passkey["credential_id"], rows[0].credential_id.as_str());
    let stored: Value = serde_json::from_str(&rows[0].passkey).unwrap();
    let mut secret = Vec::new();
    leaves(&stored, &mut secret);
    secret.retain(|s| s.len() >= 16 && *s != rows[0].credential_id);
    assert!(!secret.is_empty(), "the stored passkey holds key material");
    let text = body.to_string();
    for s in &secret {
        assert!(!text.contains(s.as_str()), "{s} shown in {text}");
    }

    // A passkey sign-in, later: the use is recorded.
    srv.state.clock.advance(1000);
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let signed_in_from = srv.state.clock.now();
    let back = sign_in(&browser, &login, &mut authenticator, ALICE).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let signed_in_by = srv.state.clock.now();
    let used = alices(&admin, &setup).await;
    let last_used = used["last_used_at"].as_i64().unwrap();
    assert!(
        (signed_in_from..=signed_in_by).contains(&last_used),
        "{used}"
    );
    assert!(last_used >= created + 1000, "{used}");
    assert!(used["sign_count"].as_i64().unwrap() >= count, "{used}");
    assert_eq!(used["created_at"], created);
    assert_eq!(used["id"], passkey["id"]);
}

#[actix_web::test]
async fn passkeys_are_listed_oldest_first_in_pages() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    srv.state.clock.advance(5);
    enrol(&srv, &setup.user, &mut authenticator).await;
    let items = admin.list_all(&passkeys(&setup.pool, &setup.user), 1).await;
    let names: Vec<&str> = items.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Passkey 1", "Passkey 2"]);
    assert_ne!(items[0]["credential_id"], items[1]["credential_id"]);
    let bad = admin
        .get(&format!("{}?limit=0", passkeys(&setup.pool, &setup.user)))
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_request");
}

#[actix_web::test]
async fn unknown_tenants_pools_users_and_users_of_another_pool_are_404() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    let passkey = alices(&admin, &setup).await;
    let other_pool = admin.create_pool("staff").await;
    let bob = admin.create_user(&other_pool, "bob@example.com").await;
    admin.create_tenant("acme").await;
    let (pool, alice) = (setup.pool.as_str(), setup.user.as_str());
    let wrong = [
        format!("/default/pools/{pool}/users/no-such-user/passkeys"),
        // Alice through a pool she is not in, and a user of that pool through hers.
        format!("/default/pools/{other_pool}/users/{alice}/passkeys"),
        format!("/default/pools/{pool}/users/{bob}/passkeys"),
        format!("/default/pools/no-such-pool/users/{alice}/passkeys"),
        // Her pool through another tenant, and a tenant that does not exist.
        format!("/acme/pools/{pool}/users/{alice}/passkeys"),
        format!("/no-such-tenant/pools/{pool}/users/{alice}/passkeys"),
    ];
    let id = passkey["id"].as_str().unwrap();
    for path in &wrong {
        assert_not_found(&admin.get(path).await);
        assert_not_found(&admin.delete(&format!("{path}/{id}")).await);
    }
    assert_eq!(alices(&admin, &setup).await, passkey, "nothing was removed");
}

#[actix_web::test]
async fn a_removed_passkey_is_no_longer_listed_and_no_longer_signs_in() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let id = alices(&admin, &setup).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{}/{id}", passkeys(&setup.pool, &setup.user));
    assert_no_content(&admin.delete(&path).await);
    assert!(listed(&admin, &setup.pool, &setup.user).await.is_empty());
    assert_not_found(&admin.delete(&path).await);
    let removed = crate::ops::audit::events(&admin, "type=user.passkey_removed").await;
    assert_eq!(
        removed.len(),
        1,
        "one event, none for the refused second removal"
    );
    assert_eq!(
        removed[0]["subject"],
        json!({"type": "user", "id": setup.user})
    );
    assert_eq!(removed[0]["details"], json!({"passkey_id": id}));
    assert_eq!(removed[0]["actor"]["type"], "admin");

    // Discoverable, so the authenticator offers the removed credential itself.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = sign_in(&browser, &login, &mut authenticator, "").await;
    assert_refused(&page, "not accepted");

    // The user remains, with her other way of signing in.
    let (status, user) = admin
        .get(&format!(
            "/default/pools/{}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert!(!setup.code(&Browser::default(), &[]).await.is_empty());
}

#[actix_web::test]
async fn the_last_passkey_can_go_even_where_the_pool_offers_nothing_else() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    offer(&admin, &setup, json!(["passkey"])).await;
    let id = alices(&admin, &setup).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{}/{id}", passkeys(&setup.pool, &setup.user));
    assert_no_content(&admin.delete(&path).await);
    assert!(listed(&admin, &setup.pool, &setup.user).await.is_empty());
}

#[actix_web::test]
async fn another_users_passkey_is_not_found_through_this_user_and_stays() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    let bob = admin.create_user(&setup.pool, "bob@example.com").await;
    enrol(
        &srv,
        &bob,
        &mut Authenticator::new(srv.state.config.public_url()),
    )
    .await;
    let bobs = listed(&admin, &setup.pool, &bob).await;
    assert_eq!(bobs.len(), 1, "{bobs:?}");
    let hers = alices(&admin, &setup).await;
    assert_ne!(bobs[0]["id"], hers["id"]);
    let alices_path = passkeys(&setup.pool, &setup.user);
    let bobs_id = bobs[0]["id"].as_str().unwrap();
    assert_not_found(&admin.delete(&format!("{alices_path}/{bobs_id}")).await);
    assert_not_found(
        &admin
            .delete(&format!("{alices_path}/no-such-passkey"))
            .await,
    );
    assert_eq!(listed(&admin, &setup.pool, &bob).await, bobs);
    assert_eq!(alices(&admin, &setup).await, hers);
}

#[actix_web::test]
async fn the_passkey_calls_need_the_admin_token() {
    let (srv, admin) = TestServer::start().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    let passkey = alices(&admin, &setup).await;
    let list = passkeys(&setup.pool, &setup.user);
    let one = format!("{list}/{}", passkey["id"].as_str().unwrap());
    for token in ["", "wrong-token"] {
        let intruder = Admin::new(&srv.base, token);
        let res = intruder.get(&list).await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(!res.1.to_string().contains("credential_id"), "{}", res.1);
        let res = intruder.delete(&one).await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_eq!(alices(&admin, &setup).await, passkey, "nothing was removed");
}
