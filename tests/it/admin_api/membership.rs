//! Memberships as the portal's Groups pages read them: the tree with counts, members direct or including
//! sub-groups with the path that makes each one a member, a user's inherited groups with their paths, the Assign
//! Users search and assigning several users in one all-or-nothing call.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Admin, TestServer, assert_bad_request, assert_invalid, assert_not_found, id};

/// staff ← eu-staff ← paris, and loners; ada is in paris, bob in eu-staff and staff, carl in staff.
struct Tree {
    pool: String,
    staff: String,
    eu: String,
    paris: String,
    loners: String,
    ada: String,
    bob: String,
    carl: String,
}

impl Tree {
    async fn new(admin: &Admin) -> Tree {
        let pool = admin.create_pool("Staff").await;
        let staff = admin.create_group(&pool, "staff", None).await;
        let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
        let paris = admin.create_group(&pool, "paris", Some(&eu)).await;
        let loners = admin.create_group(&pool, "loners", None).await;
        let ada = admin.create_user(&pool, "ada@example.com").await;
        let bob = admin.create_user(&pool, "bob@example.com").await;
        let carl = admin.create_user(&pool, "carl@example.com").await;
        let t = Tree {
            pool,
            staff,
            eu,
            paris,
            loners,
            ada,
            bob,
            carl,
        };
        for (g, u) in [
            (&t.paris, &t.ada),
            (&t.eu, &t.bob),
            (&t.staff, &t.bob),
            (&t.staff, &t.carl),
        ] {
            let (status, body) = admin.put(&format!("{}/{u}", t.members(g))).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        t
    }

    fn members(&self, group: &str) -> String {
        format!("/default/pools/{}/groups/{group}/users", self.pool)
    }
}

/// The names along each path of a member row.
fn via(row: &Value) -> Vec<String> {
    row["via"]
        .as_array()
        .unwrap()
        .iter()
        .map(|path| {
            let names: Vec<&str> = path
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap())
                .collect();
            names.join(" › ")
        })
        .collect()
}

fn row<'a>(items: &'a [Value], user: &str) -> &'a Value {
    items
        .iter()
        .find(|r| r["id"] == user)
        .expect("a row for the user")
}

#[actix_web::test]
async fn members_direct_or_including_sub_groups_say_how_each_is_a_member() {
    let (_srv, admin) = TestServer::start().await;
    let t = Tree::new(&admin).await;
    let (status, direct) = admin.get(&t.members(&t.staff)).await;
    assert_eq!(status, StatusCode::OK, "{direct}");
    assert_eq!(direct["total"], 2);
    let items = direct["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|r| r["direct"] == true && via(r).is_empty())
    );
    assert_eq!(row(items, &t.bob)["email"], "bob@example.com");

    let (_, nested) = admin
        .get(&format!("{}?nested=true", t.members(&t.staff)))
        .await;
    assert_eq!(nested["total"], 3);
    let items = nested["items"].as_array().unwrap();
    assert_eq!(row(items, &t.ada)["direct"], false);
    assert_eq!(via(row(items, &t.ada)), ["staff › eu-staff › paris"]);
    assert_eq!(row(items, &t.bob)["direct"], true);
    assert_eq!(via(row(items, &t.bob)), ["staff › eu-staff"]);
    assert_eq!(via(row(items, &t.carl)), Vec::<String>::new());

    // The middle group: bob directly, ada via paris; pages of one still carry the total, each user once.
    let all = admin
        .list_all(&format!("{}?nested=true", t.members(&t.eu)), 1)
        .await;
    let mut ids: Vec<String> = all.iter().map(id).collect();
    ids.sort();
    let mut expected = vec![t.ada.clone(), t.bob.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(via(row(&all, &t.ada)), ["eu-staff › paris"]);
    let (_, page) = admin
        .get(&format!("{}?nested=true&limit=1", t.members(&t.eu)))
        .await;
    assert_eq!(page["total"], 2);
    let (_, empty) = admin
        .get(&format!("{}?nested=true", t.members(&t.loners)))
        .await;
    assert_eq!(
        (
            empty["total"].as_i64(),
            empty["items"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );
}

#[actix_web::test]
async fn a_users_inherited_groups_come_with_their_paths() {
    let (_srv, admin) = TestServer::start().await;
    let t = Tree::new(&admin).await;
    let (status, body) = admin
        .get(&format!("/default/pools/{}/users/{}/groups", t.pool, t.ada))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names = |key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("direct"), ["paris"]);
    assert_eq!(names("effective"), ["eu-staff", "paris", "staff"]);
    assert_eq!(names("inherited"), ["eu-staff", "staff"]);
    let inherited = body["inherited"].as_array().unwrap();
    assert_eq!(
        via(&json!({"via": [inherited[0]["via"]]})),
        ["eu-staff › paris"]
    );
    assert_eq!(
        via(&json!({"via": [inherited[1]["via"]]})),
        ["staff › eu-staff › paris"]
    );
    assert_eq!(inherited[1]["id"], json!(t.staff));
    // bob is in staff himself: staff is direct, not inherited, though eu-staff also leads there.
    let (_, bob) = admin
        .get(&format!("/default/pools/{}/users/{}/groups", t.pool, t.bob))
        .await;
    assert!(bob["inherited"].as_array().unwrap().is_empty(), "{bob}");
}

#[actix_web::test]
async fn the_tree_lists_every_group_depth_first_with_its_counts() {
    let (_srv, admin) = TestServer::start().await;
    let t = Tree::new(&admin).await;
    let (status, tree) = admin
        .get(&format!("/default/pools/{}/group-tree", t.pool))
        .await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    let rows: Vec<(String, u64, u64, u64, String)> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let path: Vec<&str> = n["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (
                n["name"].as_str().unwrap().to_owned(),
                n["depth"].as_u64().unwrap(),
                n["direct_members"].as_u64().unwrap(),
                n["members"].as_u64().unwrap(),
                path.join(" › "),
            )
        })
        .collect();
    let expect = |n: &str, d, dm, m, p: &str| (n.to_owned(), d, dm, m, p.to_owned());
    assert_eq!(
        rows,
        [
            expect("loners", 0, 0, 0, "loners"),
            expect("staff", 0, 2, 3, "staff"),
            expect("eu-staff", 1, 1, 2, "staff › eu-staff"),
            expect("paris", 2, 1, 1, "staff › eu-staff › paris"),
        ]
    );
    assert_eq!(tree[1]["subgroups"], 1);
    assert_eq!(tree[1]["id"], json!(t.staff));
    assert_not_found(&admin.get("/default/pools/nope/group-tree").await);
}

#[actix_web::test]
async fn assign_users_search_offers_only_users_not_yet_in_the_group() {
    let (_srv, admin) = TestServer::start().await;
    let t = Tree::new(&admin).await;
    let other = admin.create_pool("Other").await;
    admin.create_user(&other, "ann@example.com").await;
    let assignable = |group: &str, q: &str| {
        format!(
            "/default/pools/{}/groups/{group}/assignable-users?q={q}",
            t.pool
        )
    };
    let (status, body) = admin.get(&assignable(&t.staff, "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // ada is a member of staff only through paris: she can still be put in staff herself.
    assert_eq!(
        (body["total"].as_i64(), body["items"][0]["id"].clone()),
        (Some(1), json!(t.ada))
    );
    let (_, body) = admin.get(&assignable(&t.paris, "b")).await;
    assert_eq!(
        (body["total"].as_i64(), body["items"][0]["id"].clone()),
        (Some(1), json!(t.bob))
    );
    let (_, body) = admin.get(&assignable(&t.loners, "a")).await;
    assert_eq!(
        body["total"], 1,
        "ann of the other pool is not offered: {body}"
    );
    assert_not_found(
        &admin
            .get(&format!(
                "/default/pools/{}/groups/nope/assignable-users",
                t.pool
            ))
            .await,
    );
}

#[actix_web::test]
async fn assigning_several_users_is_all_or_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let t = Tree::new(&admin).await;
    let other = admin.create_pool("Other").await;
    let stranger = admin.create_user(&other, "ann@example.com").await;
    let loners = t.members(&t.loners);
    for ids in [json!([t.ada, stranger]), json!([t.ada, "nope"])] {
        assert_not_found(&admin.post(&loners, json!({"user_ids": ids})).await);
        let (_, body) = admin.get(&loners).await;
        assert_eq!(body["total"], 0, "nothing assigned: {body}");
    }
    let (status, done) = admin
        .post(&loners, json!({"user_ids": [t.ada, t.bob, t.ada]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["assigned"], json!([t.ada, t.bob]));
    let (_, again) = admin
        .post(&loners, json!({"user_ids": [t.bob, t.carl]}))
        .await;
    assert_eq!(
        (again["assigned"].clone(), again["already_members"].clone()),
        (json!([t.carl]), json!([t.bob]))
    );
    assert_eq!(admin.get(&loners).await.1["total"], 3);

    assert_invalid(
        &admin.post(&loners, json!({"user_ids": []})).await,
        "user_ids",
    );
    let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    assert_invalid(
        &admin.post(&loners, json!({"user_ids": too_many})).await,
        "user_ids",
    );
    assert_bad_request(&admin.post(&loners, json!({"users": [t.ada]})).await);
    admin.create_tenant("acme").await;
    assert_not_found(
        &admin
            .post(
                &format!("/acme/pools/{}/groups/{}/users", t.pool, t.loners),
                json!({"user_ids": [t.ada]}),
            )
            .await,
    );
}
