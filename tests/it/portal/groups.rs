//! A pool's Groups tab: the tree as nested lists with member counts and a search, Create Group (top level and
//! nested, refusals at their fields with the input kept), editing with a cycle refused at the parent, Assign
//! Users and the members direct and through sub-groups, removing a member, adding a user from their page,
//! deletion after a confirmation, auditors refused, CSRF refused, names escaped, another pool's groups not found.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{PortalUser, admin_signed_in, pool_user, texts};
use crate::support::Admin;
use crate::support::browser::Page;

fn groups_of(pool: &str) -> String {
    format!("/admin/-/tenants/default/pools/{pool}/groups")
}

async fn api_group(admin: &Admin, pool: &str, group: &str) -> (StatusCode, Value) {
    admin
        .get(&format!("/default/pools/{pool}/groups/{group}"))
        .await
}

/// The emails of the group's members as the admin API lists them (`nested`: including sub-groups).
async fn api_members(admin: &Admin, pool: &str, group: &str, nested: bool) -> Vec<String> {
    let path = format!("/default/pools/{pool}/groups/{group}/users?nested={nested}");
    let (status, body) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn put_member(admin: &Admin, pool: &str, group: &str, user: &str) {
    let path = format!("/default/pools/{pool}/groups/{group}/users/{user}");
    assert_eq!(admin.put(&path).await.0, StatusCode::NO_CONTENT);
}

async fn create_group(user: &PortalUser, pool: &str, fields: &[(&str, &str)]) -> Page {
    let form = user.get(&format!("{}/new", groups_of(pool))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(texts(&form, "h1"), ["Create Group"]);
    user.post(&groups_of(pool), &form, fields).await
}

#[actix_web::test]
async fn the_groups_tab_shows_the_tree_nested_with_member_counts_and_searches() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let empty = user.get(&groups_of(&pool)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("This pool has no groups yet"));
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    admin.create_group(&pool, "paris", Some(&eu)).await;
    admin.create_group(&pool, "us-staff", Some(&staff)).await;
    admin.create_group(&pool, "loners", None).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let bob = admin.create_user(&pool, "bob@example.com").await;
    put_member(&admin, &pool, &eu, &ada).await;
    put_member(&admin, &pool, &staff, &ada).await;
    put_member(&admin, &pool, &eu, &bob).await;

    let page = user.get(&groups_of(&pool)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        texts(&page, "title"),
        ["Groups — Staff — Identity Pools — default — Tarn"]
    );
    assert_eq!(
        texts(&page, "nav.tabs [aria-current=page]"),
        ["Groups"],
        "the Groups tab is the current one"
    );
    assert_eq!(texts(&page, "ul.tree > li > a"), ["loners", "staff"]);
    assert_eq!(
        texts(&page, "ul.tree > li > ul > li > a"),
        ["eu-staff", "us-staff"]
    );
    assert_eq!(
        texts(&page, "ul.tree > li > ul > li > ul > li > a"),
        ["paris"]
    );
    assert_eq!(
        texts(&page, "ul.tree > li > span.hint"),
        ["0 members (0 direct)", "2 members (1 direct)"],
        "ada counts once in staff, though she is in it twice"
    );
    assert_eq!(
        texts(&page, "ul.tree > li > ul > li > span.hint")[0],
        "2 members (2 direct)"
    );

    let found = user.get(&format!("{}?q=PAR", groups_of(&pool))).await;
    assert_eq!(texts(&found, "ul.found a"), ["paris"]);
    assert_eq!(
        texts(&found, "ul.found .hint"),
        ["staff › eu-staff › paris · 0 members (0 direct)"]
    );
    assert_eq!(found.input("q").as_deref(), Some("PAR"));
    let none = user.get(&format!("{}?q=nothing", groups_of(&pool))).await;
    assert!(
        none.body.contains("No group's name contains"),
        "{}",
        none.body
    );

    // The Users tab and the pool's Settings link to the Groups tab now.
    for from in [
        format!("/admin/-/tenants/default/pools/{pool}/users"),
        format!("/admin/-/tenants/default/pools/{pool}"),
    ] {
        let page = user.get(&from).await;
        let link = page.attr("nav.tabs a[href$=\"/groups\"]", "href");
        assert_eq!(link, Some(user.url(&groups_of(&pool))), "{from}");
    }
}

#[actix_web::test]
async fn create_group_makes_top_level_and_nested_groups_and_keeps_refused_input() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let made = create_group(
        &user,
        &pool,
        &[("name", "staff"), ("description", "Everyone employed")],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = user.browser.get(made.location.as_deref().unwrap()).await;
    assert_eq!(texts(&page, "[role=status]"), ["Created staff."]);
    assert_eq!(texts(&page, "h1"), ["staff"]);
    let (_, all) = admin.get(&format!("/default/pools/{pool}/groups")).await;
    let staff = all["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(all["items"][0]["description"], "Everyone employed");

    // "Create a sub-group" preselects the parent.
    let form = user
        .get(&format!("{}/new?parent={staff}", groups_of(&pool)))
        .await;
    assert_eq!(
        form.attr("#parent_id option[selected]", "value"),
        Some(staff.clone())
    );
    let nested = user
        .post(
            &groups_of(&pool),
            &form,
            &[("name", "eu-staff"), ("parent_id", &staff)],
        )
        .await;
    assert_eq!(nested.status, StatusCode::SEE_OTHER, "{}", nested.body);
    let (_, all) = admin.get(&format!("/default/pools/{pool}/groups")).await;
    let eu = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "eu-staff")
        .unwrap();
    assert_eq!(eu["parent_id"], staff.as_str());

    let unnamed = create_group(&user, &pool, &[("name", " "), ("description", "Kept")]).await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unnamed.attr("#name", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(texts(&unnamed, "#name-error"), ["must be 1-200 characters"]);
    assert_eq!(unnamed.input("description").as_deref(), Some("Kept"));
    assert!(texts(&unnamed, "title")[0].starts_with("Error: "));
    assert_eq!(
        texts(&unnamed, ".error-summary a"),
        ["must be 1-200 characters"]
    );

    let dup = create_group(&user, &pool, &[("name", "staff"), ("parent_id", &staff)]).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", dup.body);
    assert_eq!(dup.attr("#name", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        texts(&dup, "#name-error"),
        ["a group with this name already exists in the pool"]
    );
    assert_eq!(
        dup.attr("#parent_id option[selected]", "value"),
        Some(staff.clone()),
        "the chosen parent is kept"
    );
    let orphan = create_group(&user, &pool, &[("name", "x"), ("parent_id", "nope")]).await;
    assert_eq!(orphan.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        orphan.attr("#parent_id", "aria-invalid").as_deref(),
        Some("true")
    );
    let (_, all) = admin.get(&format!("/default/pools/{pool}/groups")).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        2,
        "nothing refused was created"
    );
}

#[actix_web::test]
async fn editing_a_group_renames_and_moves_it_and_refuses_a_cycle_at_the_parent() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    let paris = admin.create_group(&pool, "paris", Some(&eu)).await;
    let path = format!("{}/{staff}", groups_of(&pool));
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(texts(&page, "ul.subgroups a"), ["eu-staff"]);

    let cycle = user
        .post(
            &path,
            &page,
            &[
                ("name", "staff-renamed"),
                ("description", ""),
                ("parent_id", &paris),
            ],
        )
        .await;
    assert_eq!(
        cycle.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        cycle.body
    );
    assert_eq!(
        cycle.attr("#parent_id", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(
        texts(&cycle, "#parent_id-error")[0].contains("its own ancestor"),
        "{}",
        cycle.body
    );
    assert_eq!(cycle.input("name").as_deref(), Some("staff-renamed"));
    let (_, found) = api_group(&admin, &pool, &staff).await;
    assert_eq!(
        (found["name"].clone(), found["parent_id"].clone()),
        (json!("staff"), Value::Null)
    );

    let moved = user
        .post(
            &format!("{}/{eu}", groups_of(&pool)),
            &page,
            &[("name", "europe"), ("description", "EU"), ("parent_id", "")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let (_, found) = api_group(&admin, &pool, &eu).await;
    assert_eq!(found["name"], "europe");
    assert_eq!(found["description"], "EU");
    assert_eq!(found["parent_id"], Value::Null);
    let shown = user.browser.get(moved.location.as_deref().unwrap()).await;
    assert_eq!(texts(&shown, "[role=status]"), ["Saved europe."]);
    let tree = user.get(&groups_of(&pool)).await;
    assert_eq!(texts(&tree, "ul.tree > li > a"), ["europe", "staff"]);
}

#[actix_web::test]
async fn assigned_users_show_as_direct_and_inherited_members_and_can_be_removed() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let grace = admin.create_user(&pool, "grace@example.com").await;
    admin.create_user(&pool, "bob@example.com").await;
    let eu_path = format!("{}/{eu}", groups_of(&pool));

    let picker = user.get(&format!("{eu_path}/assign")).await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    assert_eq!(texts(&picker, "h1"), ["Assign Users to eu-staff"]);
    assert_eq!(
        texts(&picker, "fieldset .choice label"),
        [
            "ada@example.com (Test User)",
            "grace@example.com (Test User)",
            "bob@example.com (Test User)"
        ]
    );
    let searched = user.get(&format!("{eu_path}/assign?q=gra")).await;
    assert_eq!(
        texts(&searched, "fieldset .choice label"),
        ["grace@example.com (Test User)"]
    );
    let nobody = user
        .post(&format!("{eu_path}/assign"), &picker, &[("q", "")])
        .await;
    assert_eq!(
        nobody.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nobody.body
    );
    assert_eq!(texts(&nobody, "#user_ids-error").len(), 1);

    let done = user
        .post(
            &format!("{eu_path}/assign"),
            &picker,
            &[("user_ids", &ada), ("user_ids", &grace)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&page, "[role=status]"),
        ["Assigned 2 users to eu-staff."]
    );
    assert_eq!(
        texts(&page, "tbody th"),
        ["ada@example.com", "grace@example.com"]
    );
    assert_eq!(texts(&page, "td.how"), ["Direct member", "Direct member"]);
    assert_eq!(
        api_members(&admin, &pool, &eu, false).await,
        ["ada@example.com", "grace@example.com"]
    );
    let rest = user.get(&format!("{eu_path}/assign")).await;
    assert_eq!(
        texts(&rest, "fieldset .choice label"),
        ["bob@example.com (Test User)"],
        "members are not offered again"
    );

    // On the parent: nobody directly, both through eu-staff.
    let staff_path = format!("{}/{staff}", groups_of(&pool));
    let direct = user.get(&staff_path).await;
    assert!(texts(&direct, "tbody th").is_empty());
    assert!(direct.body.contains("2 are members through its sub-groups"));
    let all = user.get(&format!("{staff_path}?members=all")).await;
    assert_eq!(
        texts(&all, "tbody th"),
        ["ada@example.com", "grace@example.com"]
    );
    assert_eq!(
        texts(&all, "td.how"),
        [
            "Inherited through staff › eu-staff",
            "Inherited through staff › eu-staff"
        ]
    );
    assert!(
        texts(&all, "tbody form button").is_empty(),
        "an inherited member is removed from their own group, not here"
    );

    let remove = texts(&page, "tbody form button");
    assert_eq!(remove[0], "Remove ada@example.com from eu-staff");
    let gone = user
        .post(&format!("{eu_path}/members/{ada}/remove"), &page, &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(
        api_members(&admin, &pool, &eu, false).await,
        ["grace@example.com"]
    );
    let after = user.browser.get(gone.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&after, "[role=status]"),
        ["Removed ada@example.com from eu-staff."]
    );
}

#[actix_web::test]
async fn a_users_page_links_their_groups_and_adds_them_to_one() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    put_member(&admin, &pool, &eu, &ada).await;
    let path = format!("/admin/-/tenants/default/pools/{pool}/users/{ada}");
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.attr("main li a", "href"),
        Some(user.url(&format!("{}/{eu}", groups_of(&pool))))
    );
    assert_eq!(
        texts(&page, "#group_id option"),
        ["staff"],
        "only the groups she is not in herself are offered"
    );
    let added = user
        .post(&format!("{path}/groups"), &page, &[("group_id", &staff)])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(
        api_members(&admin, &pool, &staff, false).await,
        ["ada@example.com"]
    );
    let after = user.browser.get(added.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&after, "[role=status]"),
        ["Added ada@example.com to staff."]
    );
    assert!(
        texts(&after, "#group_id option").is_empty(),
        "nothing left to add her to"
    );
    let unknown = user
        .post(&format!("{path}/groups"), &page, &[("group_id", "nope")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn deleting_a_group_says_what_goes_and_moves_its_subgroups_up() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    put_member(&admin, &pool, &staff, &ada).await;
    let path = format!("{}/{staff}/delete", groups_of(&pool));
    let confirm = user.get(&path).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert_eq!(texts(&confirm, "h1"), ["Delete staff?"]);
    let warning = texts(&confirm, ".warning")[0].clone();
    assert!(
        warning.contains("1 user is taken out of this group"),
        "{warning}"
    );
    assert!(warning.contains("become top-level groups"), "{warning}");
    assert_eq!(texts(&confirm, ".warning li"), ["eu-staff"]);

    let gone = user.post(&path, &confirm, &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(gone.location, Some(user.url(&groups_of(&pool))));
    assert_eq!(
        api_group(&admin, &pool, &staff).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api_group(&admin, &pool, &eu).await.1["parent_id"],
        Value::Null
    );
    let (status, _) = admin
        .get(&format!("/default/pools/{pool}/users/{ada}"))
        .await;
    assert_eq!(status, StatusCode::OK, "the user stays");
    let list = user.get(&groups_of(&pool)).await;
    assert_eq!(texts(&list, "[role=status]"), ["Deleted staff."]);
    assert_eq!(texts(&list, "ul.tree > li > a"), ["eu-staff"]);
    assert_eq!(user.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn auditors_see_the_group_pages_and_change_nothing_and_pools_keep_their_groups_apart() {
    let (srv, admin, _) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let other = admin.create_pool("Partners").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let bob = admin.create_user(&pool, "bob@example.com").await;
    put_member(&admin, &pool, &staff, &ada).await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", super::PASSWORD).await;
    let group = format!("{}/{staff}", groups_of(&pool));
    let user_page = format!("/admin/-/tenants/default/pools/{pool}/users/{bob}");
    let mut last = None;
    for to in [
        groups_of(&pool),
        format!("{}/new", groups_of(&pool)),
        group.clone(),
        format!("{group}?members=all"),
        format!("{group}/assign"),
        format!("{group}/delete"),
        user_page.clone(),
    ] {
        let page = auditor.get(&to).await;
        assert_eq!(page.status, StatusCode::OK, "{to}: {}", page.body);
        assert_eq!(
            texts(&page, "form[method=post] button"),
            ["Sign out"],
            "{to} offers no change"
        );
        assert!(
            texts(&page, "a.button").is_empty(),
            "{to}: {:?}",
            texts(&page, "a.button")
        );
        last = Some(page);
    }
    let page = last.unwrap();
    for (to, form) in [
        (groups_of(&pool), vec![("name", "new")]),
        (group.clone(), vec![("name", "renamed")]),
        (format!("{group}/assign"), vec![("user_ids", bob.as_str())]),
        (format!("{group}/members/{ada}/remove"), vec![]),
        (format!("{group}/delete"), vec![]),
        (
            format!("{user_page}/groups"),
            vec![("group_id", staff.as_str())],
        ),
    ] {
        let res = auditor.post(&to, &page, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{to}");
    }
    let (_, found) = api_group(&admin, &pool, &staff).await;
    assert_eq!(found["name"], "staff");
    assert_eq!(
        api_members(&admin, &pool, &staff, false).await,
        ["ada@example.com"]
    );
    let (_, all) = admin.get(&format!("/default/pools/{pool}/groups")).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    let elsewhere = auditor.get(&format!("{}/{staff}", groups_of(&other))).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn group_forms_without_the_csrf_token_are_refused() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let url = user.url(&groups_of(&pool));
    let missing = user.browser.post_form(&url, &[("name", "forged")]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    let wrong = user
        .browser
        .post_form(&url, &[("csrf_token", "forged"), ("name", "forged")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert_eq!(
        wrong.alert().as_deref(),
        Some("The form has expired. Go back, reload the page and submit it again.")
    );
    let delete = user.url(&format!("{}/{staff}/delete", groups_of(&pool)));
    let kept = user.browser.post_form(&delete, &[]).await;
    assert_eq!(kept.status, StatusCode::BAD_REQUEST);
    let (_, all) = admin.get(&format!("/default/pools/{pool}/groups")).await;
    assert_eq!(texts_of(&all), ["staff"], "nothing was created or deleted");
}

fn texts_of(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn group_names_are_escaped_on_every_page() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let name = "<img src=x onerror=alert(1)> & \"q\"";
    let made = create_group(&user, &pool, &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = user.browser.get(made.location.as_deref().unwrap()).await;
    let tree = user.get(&groups_of(&pool)).await;
    for shown in [&page, &tree] {
        assert!(!shown.body.contains("<img"), "{}", shown.body);
        assert!(texts(shown, "img").is_empty(), "no element was injected");
    }
    assert_eq!(texts(&page, "h1"), [name]);
    assert_eq!(texts(&page, "[role=status]"), [format!("Created {name}.")]);
    assert_eq!(texts(&tree, "ul.tree a"), [name]);
}
