//! `GET …/pools/{pool}/users` as the portal's Users page reads it: the search box (identifier prefix, name
//! prefix, exact id), status and invitation filters, the exact total, and keyset pages through an opaque cursor.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pages::invitation::{activate, last_link};
use crate::support::oidc::Browser;
use crate::support::{Admin, TestServer, assert_bad_request, assert_invalid, assert_not_found, id};

fn users(pool: &str) -> String {
    format!("/default/pools/{pool}/users")
}

async fn create(admin: &Admin, pool: &str, body: Value) -> String {
    id(&admin.create(&users(pool), body).await)
}

async fn person(admin: &Admin, pool: &str, email: &str, given: &str, family: &str) -> String {
    let body = json!({
        "email": email,
        "payload": {"given_name": given, "family_name": family, "name": format!("{given} {family}")},
        "mode": "set_credentials",
        "password": "correct horse battery",
    });
    create(admin, pool, body).await
}

/// The sorted ids a list query returns on its first page, and its total.
async fn found(admin: &Admin, pool: &str, query: &str) -> (Vec<String>, i64) {
    let (status, body) = admin.get(&format!("{}?{query}", users(pool))).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let mut ids: Vec<String> = body["items"].as_array().unwrap().iter().map(id).collect();
    ids.sort();
    (ids, body["total"].as_i64().expect("a total"))
}

fn sorted<const N: usize>(ids: [&String; N]) -> Vec<String> {
    let mut v: Vec<String> = ids.into_iter().cloned().collect();
    v.sort();
    v
}

#[actix_web::test]
async fn the_search_box_matches_identifier_prefixes_names_and_ids() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let ada = person(&admin, &pool, "ada@example.com", "Ada", "Lovelace").await;
    let alan = person(&admin, &pool, "alan@turing.example", "Alan", "Turing").await;
    let grace = person(&admin, &pool, "grace@navy.example", "Grace", "Hopper").await;
    let mobile = create(
        &admin,
        &pool,
        json!({"mobile": "+442079460001", "mode": "set_credentials", "password": "correct horse battery"}),
    )
    .await;
    let other_pool = admin.create_pool("Other").await;
    person(&admin, &other_pool, "ada@other.example", "Ada", "Other").await;

    assert_eq!(
        found(&admin, &pool, "q=a").await,
        (sorted([&ada, &alan]), 2)
    );
    assert_eq!(
        found(&admin, &pool, "q=ADA%40ex").await,
        (sorted([&ada]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "q=grace%40navy.example").await.0,
        vec![grace.clone()]
    );
    // Given, family and full name, case-insensitive; a name in the middle of an email does not match.
    assert_eq!(found(&admin, &pool, "q=hop").await, (sorted([&grace]), 1));
    assert_eq!(
        found(&admin, &pool, "q=Alan%20T").await,
        (sorted([&alan]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "q=lovelace").await,
        (sorted([&ada]), 1)
    );
    assert_eq!(found(&admin, &pool, "q=navy").await.1, 0);
    // A mobile prefix with or without its +, with spaces; and the user id (`sub`) exactly, not its prefix.
    assert_eq!(
        found(&admin, &pool, "q=%2B44%2020").await,
        (sorted([&mobile]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "q=4420794").await,
        (sorted([&mobile]), 1)
    );
    assert_eq!(
        found(&admin, &pool, &format!("q={alan}")).await,
        (sorted([&alan]), 1)
    );
    assert_eq!(
        found(&admin, &pool, &format!("q={}", &alan[..6])).await.1,
        0
    );
    // A blank search is no search; the exact `?identifier=` lookup still works.
    assert_eq!(found(&admin, &pool, "q=%20").await.1, 4);
    assert_eq!(
        found(&admin, &pool, "identifier=Ada%40Example.com").await,
        (sorted([&ada]), 1)
    );
    // Characters that mean something to LIKE or GLOB are plain text here.
    assert_eq!(found(&admin, &pool, "q=%25").await.1, 0);
    assert_eq!(found(&admin, &pool, "q=a_").await.1, 0);
    assert_invalid(
        &admin
            .get(&format!("{}?q={}", users(&pool), "x".repeat(201)))
            .await,
        "q",
    );
}

#[actix_web::test]
async fn status_and_invitation_filters_narrow_the_list_and_its_total() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let active = person(&admin, &pool, "active@example.com", "Ann", "Active").await;
    let inactive = person(&admin, &pool, "inactive@example.com", "Ian", "Inactive").await;
    admin
        .patch(
            &format!("{}/{inactive}", users(&pool)),
            json!({"status": "inactive"}),
        )
        .await;
    let invite = |email: &str| json!({"email": email, "mode": "invite"});
    let expired = create(&admin, &pool, invite("expired@example.com")).await;
    srv.state.clock.advance(8 * 24 * 3600);
    let pending = create(&admin, &pool, invite("pending@example.com")).await;
    let revoked = create(&admin, &pool, invite("revoked@example.com")).await;
    let (status, body) = admin
        .delete(&format!("{}/{revoked}/invitation", users(&pool)))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let accepted = create(&admin, &pool, invite("accepted@example.com")).await;
    let done = activate(
        &Browser::default(),
        &last_link(&admin).await,
        "a much better passphrase",
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);

    assert_eq!(found(&admin, &pool, "").await.1, 6);
    assert_eq!(
        found(&admin, &pool, "status=active").await,
        (sorted([&active, &accepted]), 2)
    );
    assert_eq!(
        found(&admin, &pool, "status=inactive").await,
        (sorted([&inactive]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "status=invited").await,
        (sorted([&expired, &pending, &revoked]), 3)
    );
    assert_eq!(
        found(&admin, &pool, "invitation=pending").await,
        (sorted([&pending]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "invitation=expired").await,
        (sorted([&expired]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "invitation=revoked").await,
        (sorted([&revoked]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "invitation=accepted").await,
        (sorted([&accepted]), 1)
    );
    assert_eq!(
        found(&admin, &pool, "invitation=none").await,
        (sorted([&active, &inactive]), 2)
    );
    // Filters combine with each other and with the search.
    assert_eq!(
        found(&admin, &pool, "status=active&invitation=none")
            .await
            .0,
        vec![active.clone()]
    );
    assert_eq!(
        found(&admin, &pool, "status=invited&q=pe").await.0,
        vec![pending.clone()]
    );
    assert_eq!(found(&admin, &pool, "status=inactive&q=pe").await.1, 0);
    // A resent invitation is the one that counts: the expired user becomes pending.
    let (status, body) = admin
        .post(&format!("{}/{expired}/invitation", users(&pool)), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        found(&admin, &pool, "invitation=pending").await,
        (sorted([&expired, &pending]), 2)
    );
    assert_eq!(found(&admin, &pool, "invitation=expired").await.1, 0);
    for bad in ["status=locked", "invitation=sent", "status=Active"] {
        assert_bad_request(&admin.get(&format!("{}?{bad}", users(&pool))).await);
    }
}

#[actix_web::test]
async fn pages_follow_the_cursor_without_duplicates_or_gaps() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let mut created = HashSet::new();
    for i in 0..23 {
        if i % 5 == 0 {
            // Several users share a second and others do not: the order must still be total.
            srv.state.clock.advance(1);
        }
        created.insert(
            create(
                &admin,
                &pool,
                json!({"email": format!("u{i:02}@example.com"), "mode": "invite"}),
            )
            .await,
        );
    }
    for limit in [1, 4, 7, 23, 50] {
        let items = admin.list_all(&users(&pool), limit).await;
        let ids: Vec<String> = items.iter().map(id).collect();
        let unique: HashSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), 23, "limit {limit}");
        assert_eq!(unique, created, "limit {limit}");
    }
    // A filtered list pages too, and every page carries the total of the whole filtered set.
    let (status, first) = admin.get(&format!("{}?q=u1&limit=4", users(&pool))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["total"], 10);
    let all = admin.list_all(&format!("{}?q=u1", users(&pool)), 4).await;
    let unique: HashSet<String> = all.iter().map(id).collect();
    assert_eq!((all.len(), unique.len()), (10, 10));
    assert!(
        all.iter()
            .all(|u| u["email"].as_str().unwrap().starts_with("u1"))
    );
    for bad in ["nope", "bm9wZQ", "eDp5", "%FF"] {
        assert_bad_request(&admin.get(&format!("{}?cursor={bad}", users(&pool))).await);
    }
}

#[actix_web::test]
async fn another_tenants_pool_is_not_listed() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    person(&admin, &pool, "ada@example.com", "Ada", "Lovelace").await;
    admin.create_tenant("acme").await;
    assert_not_found(&admin.get(&format!("/acme/pools/{pool}/users?q=ada")).await);
    assert_not_found(&admin.get("/default/pools/nope/users?q=ada").await);
}
