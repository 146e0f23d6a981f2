//! `/api/admin/{tenant}/pools/{pool}/users`: identifiers, payloads, credentials by mode, lookup, updates, deletion.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Admin, TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_no_content,
    assert_not_found, id, merged, user_body,
};

const PASSWORD: &str = "correct horse battery";

fn users(pool: &str) -> String {
    format!("/default/pools/{pool}/users")
}

/// POSTs a new user to the pool.
async fn post(admin: &Admin, pool: &str, body: Value) -> (StatusCode, Value) {
    admin.post(&users(pool), body).await
}

/// A user made with `user_body(email)` changed by `extra`; returns the created object.
async fn create(admin: &Admin, pool: &str, email: &str, extra: Value) -> Value {
    admin
        .create(&users(pool), merged(user_body(email), extra))
        .await
}

/// Creates an active user; returns its path.
async fn user_path(admin: &Admin, pool: &str, email: &str) -> String {
    format!("{}/{}", users(pool), admin.create_user(pool, email).await)
}

/// The users of the pool with `identifier` (given already URL-encoded).
async fn lookup(admin: &Admin, pool: &str, identifier: &str) -> Vec<Value> {
    let url = format!("{}?identifier={identifier}", users(pool));
    admin.items(&url).await
}

/// Asserts that no user of the pool has the email `identifier`.
async fn assert_absent(admin: &Admin, pool: &str, identifier: &str) {
    let found = lookup(admin, pool, identifier).await;
    assert!(found.is_empty(), "{identifier} exists: {found:?}");
}

#[actix_web::test]
async fn set_credentials_makes_an_active_user_with_a_password() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let extra = json!({"metadata": {"crm": 42}, "email_verified": true});
    let user = create(&admin, &pool, "Ada@Example.COM", extra).await;
    assert!(!id(&user).is_empty());
    assert_eq!(user["pool_id"], json!(pool));
    assert_eq!(user["email"], "ada@example.com", "emails are lower-cased");
    assert_eq!(user["mobile"], Value::Null);
    assert_eq!(user["email_verified"], true);
    assert_eq!(user["mobile_verified"], false);
    assert_eq!(user["status"], "active");
    assert_eq!(user["password_set"], true);
    let payload = json!({"given_name": "Test", "family_name": "User", "name": "Test User"});
    assert_eq!(user["payload"], payload);
    assert_eq!(user["metadata"], json!({"crm": 42}));
    let fetched = admin.get(&format!("{}/{}", users(&pool), id(&user))).await;
    assert_eq!(fetched, (StatusCode::OK, user));
}

#[actix_web::test]
async fn the_password_never_appears_in_a_response() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let user = create(&admin, &pool, "ada@example.com", json!({})).await;
    let path = format!("{}/{}", users(&pool), id(&user));
    let responses = [
        user,
        admin.get(&path).await.1,
        admin.get(&users(&pool)).await.1,
        admin.patch(&path, json!({"metadata": {"a": 1}})).await.1,
    ];
    for body in responses {
        let text = body.to_string();
        assert!(!text.contains(PASSWORD), "{text}");
        let hash_shown = text.contains("password_hash") || text.contains("$argon2");
        assert!(!hash_shown, "{text}");
    }
}

#[actix_web::test]
async fn invalid_emails_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    for bad in [
        "ada",
        "ada@",
        "@example.com",
        "ada@localhost",
        "Ada <ada@example.com>",
        "a b@example.com",
        "",
    ] {
        assert_invalid(&post(&admin, &pool, user_body(bad)).await, "email");
    }
    assert!(admin.items(&users(&pool)).await.is_empty());
}

#[actix_web::test]
async fn mobiles_are_normalised_to_e164_and_invalid_ones_refused() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"mobile": "+1 415 555 0132", "mobile_verified": true, "mode": "invite"});
    let user = admin.create(&users(&pool), body).await;
    assert_eq!(user["mobile"], "+14155550132");
    assert_eq!(user["email"], Value::Null);
    assert_eq!(user["mobile_verified"], true);
    for bad in ["4155550132", "+1", "+999999", "call me", ""] {
        let res = post(&admin, &pool, json!({"mobile": bad, "mode": "invite"})).await;
        assert_invalid(&res, "mobile");
    }
    let body = json!({"email": "ada@example.com", "mobile": "12", "mode": "invite"});
    assert_invalid(&post(&admin, &pool, body).await, "mobile");
    assert_absent(&admin, &pool, "ada@example.com").await;
    assert_eq!(admin.items(&users(&pool)).await.len(), 1);
}

#[actix_web::test]
async fn a_user_needs_an_email_or_a_mobile() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"payload": {"name": "Nobody"}, "mode": "invite"});
    assert_invalid(&post(&admin, &pool, body).await, "email");
    let body =
        json!({"email": null, "mobile": null, "mode": "set_credentials", "password": PASSWORD});
    assert_invalid(&post(&admin, &pool, body).await, "email");
    assert!(admin.items(&users(&pool)).await.is_empty());
}

#[actix_web::test]
async fn a_duplicate_email_or_mobile_in_a_pool_is_a_conflict() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"email": "ada@example.com", "mobile": "+14155550132", "mode": "invite"});
    let first = admin.create(&users(&pool), body).await;
    assert_conflict(&post(&admin, &pool, user_body("ADA@example.com")).await);
    let body =
        json!({"email": "other@example.com", "mobile": "+1 (415) 555-0132", "mode": "invite"});
    assert_conflict(&post(&admin, &pool, body).await);
    assert_absent(&admin, &pool, "other@example.com").await;
    assert_eq!(admin.items(&users(&pool)).await, [first]);
    let other_pool = admin.create_pool("Staff").await;
    let twin = create(&admin, &other_pool, "ada@example.com", json!({})).await;
    assert_eq!(twin["email"], "ada@example.com", "another pool may have it");
}

#[actix_web::test]
async fn the_default_schema_refuses_wrong_types_and_unknown_fields() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let cases = [
        (json!({"payload": {"given_name": 5}}), "payload.given_name"),
        (
            json!({"payload": {"family_name": ["L"]}}),
            "payload.family_name",
        ),
        (
            json!({"payload": {"name": "x".repeat(257)}}),
            "payload.name",
        ),
        (
            json!({"payload": {"birthdate": "10 Dec 1815"}}),
            "payload.birthdate",
        ),
        (json!({"payload": {"shoe_size": 44}}), "payload.shoe_size"),
        (json!({"payload": "Ada"}), "payload"),
        (json!({"metadata": [1, 2]}), "metadata"),
    ];
    for (extra, field) in cases {
        let body = merged(user_body("ada@example.com"), extra);
        assert_invalid(&post(&admin, &pool, body).await, field);
    }
    assert_absent(&admin, &pool, "ada@example.com").await;
    let payload = json!({"given_name": "Ada", "birthdate": "1815-12-10", "locale": "en-GB"});
    let user = create(
        &admin,
        &pool,
        "ada@example.com",
        json!({"payload": payload}),
    )
    .await;
    assert_eq!(user["payload"], payload);
}

#[actix_web::test]
async fn set_credentials_enforces_the_password_and_the_pool_policy() {
    let (_srv, admin) = TestServer::start().await;
    let policy = json!({"min_length": 10, "max_length": 20, "require_digit": true, "require_uppercase": true});
    let body = json!({"name": "Strict", "password_policy": policy});
    let pool = id(&admin.create("/default/pools", body).await);
    let cases = [
        (None, "required"),
        (Some("Short1A"), "at least 10"),
        (Some("NO DIGITS here"), "digit"),
        (Some("lowercase123"), "uppercase"),
        (Some("Much-Too-Long-Password-1"), "at most 20"),
        (Some("ADA1@EXAMPLE.COM"), "email"),
    ];
    for (password, rule) in cases {
        let body = merged(user_body("Ada1@Example.com"), json!({"password": password}));
        let res = post(&admin, &pool, body).await;
        assert_invalid(&res, "password");
        let description = res.1["error_description"].as_str().unwrap();
        assert!(description.contains(rule), "{password:?}: {description}");
        if let Some(password) = password {
            assert!(!description.contains(password), "{description}");
        }
    }
    assert!(admin.items(&users(&pool)).await.is_empty());
    let user = create(
        &admin,
        &pool,
        "ada@example.com",
        json!({"password": "Long-enough-1"}),
    )
    .await;
    assert_eq!(user["password_set"], true);
}

#[actix_web::test]
async fn invite_makes_an_invited_user_without_a_password() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"email": "ada@example.com", "payload": {"name": "Ada"}, "mode": "invite"});
    let user = admin.create(&users(&pool), body).await;
    assert_eq!(user["status"], "invited");
    assert_eq!(user["password_set"], false);
    let body = merged(user_body("bob@example.com"), json!({"mode": "invite"}));
    assert_invalid(&post(&admin, &pool, body).await, "password");
    assert_absent(&admin, &pool, "bob@example.com").await;
    let body = json!({"mobile": "+442079460958", "mode": "invite"});
    let mobile_only = admin.create(&users(&pool), body).await;
    assert_eq!(mobile_only["status"], "invited");
    let body = merged(user_body("carl@example.com"), json!({"mode": "later"}));
    assert_bad_request(&post(&admin, &pool, body).await);
    let res = post(&admin, &pool, json!({"email": "dan@example.com"})).await;
    assert_bad_request(&res);
    assert_eq!(admin.items(&users(&pool)).await.len(), 2);
}

#[actix_web::test]
async fn in_a_pool_without_passwords_set_credentials_needs_no_password() {
    let (_srv, admin) = TestServer::start().await;
    let body = json!({"name": "Codes", "authentication_mechanisms": ["otp"]});
    let pool = id(&admin.create("/default/pools", body).await);
    let no_password = json!({"email": "ada@example.com", "mode": "set_credentials"});
    let user = admin.create(&users(&pool), no_password.clone()).await;
    assert_eq!(user["status"], "active");
    assert_eq!(user["password_set"], false);
    let res = post(&admin, &pool, user_body("bob@example.com")).await;
    assert_invalid(&res, "password");
    assert_absent(&admin, &pool, "bob@example.com").await;
    let body = json!({"name": "Keys", "authentication_mechanisms": ["password", "passkey"]});
    let with_passwords = id(&admin.create("/default/pools", body).await);
    let res = post(&admin, &with_passwords, no_password).await;
    assert_invalid(&res, "password");
    assert!(admin.items(&users(&with_passwords)).await.is_empty());
}

#[actix_web::test]
async fn users_are_found_by_their_normalised_email_or_mobile() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let ada = create(&admin, &pool, "ada@example.com", json!({})).await;
    let body = json!({"mobile": "+14155550132", "mode": "invite"});
    let bob = admin.create(&users(&pool), body).await;
    admin.create_user(&pool, "carl@example.com").await;
    assert_eq!(
        lookup(&admin, &pool, "ada@example.com").await,
        std::slice::from_ref(&ada)
    );
    assert_eq!(
        lookup(&admin, &pool, "ADA%40Example.Com").await,
        std::slice::from_ref(&ada)
    );
    assert_eq!(
        lookup(&admin, &pool, "%2B14155550132").await,
        std::slice::from_ref(&bob)
    );
    assert_eq!(
        lookup(&admin, &pool, "%2B1%20415%20555%200132").await,
        std::slice::from_ref(&bob)
    );
    assert!(lookup(&admin, &pool, "ada@example.org").await.is_empty());
    assert!(lookup(&admin, &pool, "ada%40example.co").await.is_empty());
    let res = admin
        .get(&format!("{}?identifier=nonsense", users(&pool)))
        .await;
    assert_invalid(&res, "identifier");
    assert_eq!(admin.list_all(&users(&pool), 2).await.len(), 3);
    assert_bad_request(&admin.get(&format!("{}?limit=0", users(&pool))).await);
}

#[actix_web::test]
async fn patch_sets_status_payload_metadata_and_verification() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let path = user_path(&admin, &pool, "ada@example.com").await;
    let (status, user) = admin.patch(&path, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["status"], "inactive");
    assert_eq!(admin.get(&path).await.1["status"], "inactive");
    let (_, user) = admin.patch(&path, json!({"status": "active"})).await;
    assert_eq!(user["status"], "active");
    let patch = json!({"payload": {"given_name": "Ada"}, "metadata": {"tier": "gold"}, "email_verified": true});
    let (_, user) = admin.patch(&path, patch).await;
    assert_eq!(user["payload"], json!({"given_name": "Ada"}));
    assert_eq!(user["metadata"], json!({"tier": "gold"}));
    assert_eq!(user["email_verified"], true);
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["password_set"], true);
    assert_eq!(admin.get(&path).await.1, user);
    let (_, user) = admin.patch(&path, json!({"mobile_verified": true})).await;
    assert_eq!(
        (&user["email_verified"], &user["mobile_verified"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(
        user["metadata"],
        json!({"tier": "gold"}),
        "absent fields are kept"
    );
}

#[actix_web::test]
async fn an_invalid_user_patch_is_refused_and_changes_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let path = user_path(&admin, &pool, "ada@example.com").await;
    let (_, before) = admin.get(&path).await;
    let cases = [
        (json!({"status": "invited"}), "status"),
        (
            json!({"status": "inactive", "payload": {"given_name": 5}}),
            "payload.given_name",
        ),
        (
            json!({"metadata": {"x": 1}, "payload": {"nick": "a"}}),
            "payload.nick",
        ),
        (json!({"metadata": "gold"}), "metadata"),
    ];
    for (patch, field) in cases {
        assert_invalid(&admin.patch(&path, patch).await, field);
    }
    for patch in [
        json!({"status": "deleted"}),
        json!({"email": "new@example.com"}),
        json!({"password": "new password 1"}),
        json!({"email_verified": "yes"}),
    ] {
        assert_bad_request(&admin.patch(&path, patch).await);
    }
    assert_eq!(admin.get(&path).await.1, before);
}

#[actix_web::test]
async fn a_deleted_user_is_gone_and_can_be_recreated() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let path = user_path(&admin, &pool, "ada@example.com").await;
    let deleted = admin.delete(&path).await;
    assert_no_content(&deleted);
    assert_not_found(&admin.get(&path).await);
    assert_not_found(&admin.delete(&path).await);
    assert_not_found(&admin.patch(&path, json!({"status": "active"})).await);
    assert!(admin.items(&users(&pool)).await.is_empty());
    admin.create_user(&pool, "ada@example.com").await;
}

#[actix_web::test]
async fn users_are_reached_only_through_their_own_pool() {
    let (_srv, admin) = TestServer::start().await;
    let home = admin.create_pool("Customers").await;
    let other = admin.create_pool("Staff").await;
    let user = admin.create_user(&home, "ada@example.com").await;
    for path in [
        format!("{}/{user}", users(&other)),
        format!("{}/no-such-user", users(&home)),
        format!("/default/pools/nope/users/{user}"),
    ] {
        assert_not_found(&admin.get(&path).await);
        assert_not_found(&admin.patch(&path, json!({"status": "inactive"})).await);
        assert_not_found(&admin.delete(&path).await);
        assert_not_found(&admin.get(&format!("{path}/groups")).await);
    }
    let (_, still) = admin.get(&format!("{}/{user}", users(&home))).await;
    assert_eq!(still["status"], "active");
    assert!(admin.items(&users(&other)).await.is_empty());
    let res = post(&admin, "nope", user_body("bob@example.com")).await;
    assert_not_found(&res);
    assert_not_found(&admin.get("/default/pools/nope/users").await);
}

#[actix_web::test]
async fn common_passwords_are_refused_whatever_their_case() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("p").await;
    for password in ["password1", "Baseball", "QWERTYUIOP"] {
        let body = merged(user_body("ada@example.com"), json!({"password": password}));
        let res = admin.post(&users(&pool), body).await;
        assert_invalid(&res, "password");
        assert!(
            res.1["error_description"]
                .as_str()
                .unwrap()
                .contains("commonly used"),
            "{}",
            res.1
        );
    }
    assert!(admin.items(&users(&pool)).await.is_empty());
}
