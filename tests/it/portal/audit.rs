//! The Audit page and the History tabs: portal actions recorded with the administrator as actor, the filters
//! narrowing the list (bad ones refused at their field), keyset paging without duplicates or gaps, other tenants'
//! events and objects out of reach, each History tab showing its object's events only, auditors reading both,
//! details rendered as text, subjects linked while they exist.

use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::{Value, json};

use super::{ADMIN_EMAIL, PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::Admin;
use crate::support::browser::Page;

const AUDIT: &str = "/admin/-/tenants/default/audit";

/// One row of an events table, as text.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    when: String,
    event_type: String,
    outcome: String,
    actor: String,
    subject: String,
    subject_href: Option<String>,
    details: Vec<String>,
}

fn rows(page: &Page) -> Vec<Row> {
    let html = Html::parse_document(&page.body);
    let tr = Selector::parse("table.audit tbody tr").unwrap();
    let cell = Selector::parse("th, td").unwrap();
    let link = Selector::parse("a").unwrap();
    let time = Selector::parse("time").unwrap();
    let li = Selector::parse("li").unwrap();
    let text = |e: scraper::ElementRef<'_>| e.text().collect::<String>().trim().to_owned();
    html.select(&tr)
        .map(|r| {
            let cells: Vec<_> = r.select(&cell).collect();
            assert_eq!(cells.len(), 6, "six cells a row");
            Row {
                id: r.value().attr("id").unwrap().to_owned(),
                when: cells[0]
                    .select(&time)
                    .next()
                    .and_then(|t| t.value().attr("datetime"))
                    .unwrap()
                    .to_owned(),
                event_type: text(cells[1]),
                outcome: text(cells[2]),
                actor: text(cells[3]),
                subject: text(cells[4]),
                subject_href: cells[4]
                    .select(&link)
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .map(str::to_owned),
                details: cells[5].select(&li).map(text).collect(),
            }
        })
        .collect()
}

fn types(rows: &[Row]) -> Vec<&str> {
    rows.iter().map(|r| r.event_type.as_str()).collect()
}

/// The audit page of tenant `default` under the query `q`, insisting on `200 OK`.
async fn audit(user: &PortalUser, q: &str) -> Page {
    let page = user.get(&format!("{AUDIT}?{q}")).await;
    assert_eq!(page.status, StatusCode::OK, "{q}: {}", page.body);
    page
}

fn next_link(page: &Page) -> Option<String> {
    page.attr("a[rel=next]", "href")
}

async fn portal_create_pool(user: &PortalUser, name: &str) -> Page {
    let form = user.get("/admin/-/tenants/default/pools/new").await;
    let fields = [
        ("name", name),
        ("method_password", "on"),
        ("preferred_authentication_mechanism", "password"),
        ("min_length", "8"),
        ("max_length", "128"),
        ("otp_length", "6"),
        ("otp_ttl_seconds", "300"),
        ("otp_max_attempts", "5"),
    ];
    user.post("/admin/-/tenants/default/pools", &form, &fields)
        .await
}

#[actix_web::test]
async fn portal_actions_are_on_the_audit_page_with_the_administrator_as_actor() {
    let (srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    srv.state.clock.advance(5);
    let made = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"]}),
        )
        .await;
    let client = made["client_id"].as_str().unwrap().to_owned();
    srv.state.clock.advance(5);

    let created = portal_create_pool(&user, "Staff").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let pool = admin.items("/default/pools").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    srv.state.clock.advance(5);
    let users = format!("/admin/-/tenants/default/pools/{pool}/users");
    let form = user.get(&format!("{users}/new")).await;
    let fields = [
        ("email", "ada@example.com"),
        ("mode", "set_credentials"),
        ("password", PASSWORD),
    ];
    let made = user.post(&users, &form, &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    srv.state.clock.advance(5);
    let apps = "/admin/-/tenants/default/workspaces/shop/applications";
    let edit = format!("{apps}/{client}/edit");
    let form = user.get(&edit).await;
    let fields = [
        ("client_name", "Shop EU"),
        ("redirect_uris", "https://shop.example/cb"),
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("grant_authorization_code", "on"),
        ("scope", "openid"),
    ];
    let saved = user.post(&edit, &form, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let page = audit(&user, "").await;
    assert_eq!(texts(&page, "h1"), ["Audit"]);
    assert_eq!(texts(&page, "title"), ["Audit — default — Tarn"]);
    assert_eq!(
        texts(&page, "table.audit caption"),
        ["Audit events of default, newest first"]
    );
    assert_eq!(
        page.attr("table.audit thead th", "scope").as_deref(),
        Some("col")
    );
    assert_eq!(
        page.attr("table.audit tbody th", "scope").as_deref(),
        Some("row")
    );
    assert!(
        texts(&page, "header nav a").contains(&"Audit".to_owned()),
        "the Audit page is in the tenant navigation"
    );
    let found = rows(&page);
    assert_eq!(
        types(&found),
        [
            "client.updated",
            "user.created",
            "pool.created",
            "client.created",
            "workspace.created"
        ],
        "newest first"
    );
    let actors: Vec<_> = found.iter().map(|r| r.actor.as_str()).collect();
    assert_eq!(
        actors,
        [
            ADMIN_EMAIL,
            ADMIN_EMAIL,
            ADMIN_EMAIL,
            "admin token",
            "admin token"
        ]
    );
    let mut times: Vec<_> = found.iter().map(|r| r.when.clone()).collect();
    times.dedup();
    assert_eq!(times.len(), 5, "five steps five seconds apart");
    assert!(found.iter().all(|r| r.outcome == "success"));
    assert!(
        found[0]
            .details
            .contains(&"client_name: Shop → Shop EU".to_owned()),
        "{:?}",
        found[0].details
    );

    // Subjects link to their objects, whose pages exist.
    let expected = [
        format!("{apps}/{client}"),
        format!("{users}/"),
        format!("/admin/-/tenants/default/pools/{pool}"),
    ];
    for (row, path) in found.iter().zip(expected) {
        let href = row.subject_href.clone().expect("a link to the object");
        assert!(href.starts_with(&user.url(&path)), "{href} for {path}");
        let shown = user.browser.get(&href).await;
        assert_eq!(shown.status, StatusCode::OK, "{href}");
    }
    assert_eq!(
        found[4].subject_href.as_deref(),
        Some(
            user.url("/admin/-/tenants/default/workspaces/shop")
                .as_str()
        )
    );

    // The actor's name leads to the events of that actor only.
    let by_admin = page.attr("table.audit td.actor a", "href").unwrap();
    let theirs = user.browser.get(&by_admin).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(
        types(&rows(&theirs)),
        ["client.updated", "user.created", "pool.created"]
    );

    // Every filter control has its label.
    let html = Html::parse_document(&page.body);
    let controls = Selector::parse("form.filters input, form.filters select").unwrap();
    let mut n = 0;
    for control in html.select(&controls) {
        let id = control.value().attr("id").expect("an id");
        let label = Selector::parse(&format!("label[for={id}]")).unwrap();
        assert_eq!(html.select(&label).count(), 1, "a label for {id}");
        n += 1;
    }
    assert_eq!(
        n, 7,
        "type, outcome, actor, subject kind and id, from, until"
    );
    assert_eq!(page.attr("form.filters", "action"), Some(user.url(AUDIT)));
    assert_eq!(
        page.attr("form.filters", "method").as_deref(),
        Some("get"),
        "a GET form: it works without JavaScript and the URL holds the filters"
    );
}

/// A sign-in to the portal with a wrong password: an `authn.password.failed` event in tenant `admin`.
async fn wrong_password(srv: &crate::support::TestServer, email: &str) {
    let other = PortalUser::new(srv);
    let start = other.get("/admin/-/sign-in").await;
    let authorize = start.location.unwrap();
    let to_login = other.browser.get(&authorize).await;
    let login = other
        .browser
        .get(to_login.location.as_deref().unwrap())
        .await;
    let refused = other
        .browser
        .submit_login(&login, email, "not the password at all")
        .await;
    assert!(refused.alert().is_some(), "{}", refused.body);
}

fn datetime(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{}T{:02}:{:02}:{:02}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[actix_web::test]
async fn filters_narrow_the_list_and_bad_ones_are_refused_at_their_field() {
    let (srv, admin, user) = admin_signed_in().await;
    let start = srv.state.clock.now();
    let a = admin.create_pool("a").await;
    srv.state.clock.advance(60);
    let b = admin.create_pool("b").await;
    srv.state.clock.advance(60);
    let ada = admin.create_user(&b, "ada@example.com").await;
    srv.state.clock.advance(60);
    let (status, _) = admin
        .patch(&format!("/default/pools/{a}"), json!({"name": "a2"}))
        .await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(rows(&audit(&user, "").await).len(), 4);
    assert_eq!(
        types(&rows(&audit(&user, "type=pool.*").await)),
        ["pool.updated", "pool.created", "pool.created"]
    );
    assert_eq!(
        types(&rows(&audit(&user, "type=pool.created").await)),
        ["pool.created", "pool.created"]
    );
    assert!(
        rows(&audit(&user, "type=pool").await).is_empty(),
        "exact unless *"
    );
    let about_a = rows(&audit(&user, &format!("subject_type=pool&subject_id={a}")).await);
    assert_eq!(types(&about_a), ["pool.updated", "pool.created"]);
    assert_eq!(
        rows(&audit(&user, &format!("subject_type=user&subject_id={a}")).await).len(),
        0,
        "the kind counts"
    );
    assert_eq!(
        types(&rows(&audit(&user, &format!("subject_id={ada}")).await)),
        ["user.created"]
    );
    assert_eq!(rows(&audit(&user, "actor_id=token").await).len(), 4);
    assert!(rows(&audit(&user, "actor_id=someone").await).is_empty());
    // The window covers the second and third steps only (bounds between the steps).
    let window = format!(
        "since={}&until={}",
        datetime(start + 30),
        datetime(start + 150)
    );
    let within = audit(&user, &window).await;
    assert_eq!(types(&rows(&within)), ["user.created", "pool.created"]);
    assert_eq!(
        within.input("since").as_deref(),
        Some(datetime(start + 30).as_str()),
        "the form shows the filter in force"
    );
    let far = audit(&user, "since=2999-01-01").await;
    assert!(rows(&far).is_empty());
    assert!(far.body.contains("No event matches these filters"));

    // A failed sign-in is in the built-in tenant's trail, as a failure.
    wrong_password(&srv, ADMIN_EMAIL).await;
    let failed = user
        .get("/admin/-/tenants/admin/audit?outcome=failure")
        .await;
    assert_eq!(failed.status, StatusCode::OK);
    let found = rows(&failed);
    assert_eq!(types(&found), ["authn.password.failed"]);
    assert!(found[0].outcome.starts_with("failure ("), "{:?}", found[0]);
    assert_eq!(
        failed.attr("#outcome option[selected]", "value").as_deref(),
        Some("failure")
    );
    assert!(rows(&audit(&user, "outcome=failure").await).is_empty());

    for (q, field) in [
        ("type=a*b", "type"),
        ("outcome=maybe", "outcome"),
        ("subject_type=planet", "subject_type"),
        ("since=yesterday", "since"),
        ("until=2026-02-30", "until"),
    ] {
        let bad = user.get(&format!("{AUDIT}?{q}")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(texts(&bad, "title")[0].starts_with("Error: "), "{q}");
        assert_eq!(
            bad.attr(".error-summary a", "href"),
            Some(format!("#{field}")),
            "{q}"
        );
        assert_eq!(
            bad.attr(&format!("#{field}"), "aria-invalid").as_deref(),
            Some("true"),
            "{q}"
        );
        assert!(rows(&bad).is_empty());
    }
    let forged = user.get(&format!("{AUDIT}?cursor=nonsense")).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn paging_moves_through_every_event_once_and_keeps_the_filters() {
    let (srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    for n in 0..60 {
        if n % 20 == 0 {
            srv.state.clock.advance(1);
        }
        admin.create_group(&pool, &format!("g{n:02}"), None).await;
    }
    let first = audit(&user, "type=group.created").await;
    let one = rows(&first);
    assert_eq!(one.len(), 50);
    let next = next_link(&first).expect("a next page");
    assert!(next.contains("type=group.created"), "{next}");
    let second = user.browser.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let two = rows(&second);
    assert_eq!(two.len(), 10);
    assert!(next_link(&second).is_none(), "the last page");
    assert_eq!(
        second.input("type").as_deref(),
        Some("group.created"),
        "the filters stay in force"
    );
    let back = second
        .attr("p.pages a:not([rel])", "href")
        .expect("a link to the first page");
    assert_eq!(rows(&user.browser.get(&back).await), one);

    let shown: Vec<_> = one.iter().chain(&two).map(|r| r.id.clone()).collect();
    let api: Vec<_> = admin
        .list_all("/default/audit-events?type=group.created", 100)
        .await
        .iter()
        .map(|e| format!("event-{}", e["id"].as_str().unwrap()))
        .collect();
    assert_eq!(shown, api, "every event once, in the admin API's order");
    let mut unique = shown.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60);
}

/// A tenant `acme` with one object of each kind; returns `(pool, user, group, workspace, client)`.
async fn acme(admin: &Admin) -> (String, String, String, String, String) {
    admin.create_tenant("acme").await;
    let pool = admin.create("/acme/pools", json!({"name": "there"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = admin
        .create(
            &format!("/acme/pools/{pool}/users"),
            crate::support::user_body("eve@example.com"),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = admin
        .create(
            &format!("/acme/pools/{pool}/groups"),
            json!({"name": "ops"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .create("/acme/workspaces", json!({"id": "far", "name": "Far"}))
        .await;
    let client = admin
        .create(
            "/acme/workspaces/far/clients",
            json!({"client_name": "Far app", "redirect_uris": ["https://far.example/cb"]}),
        )
        .await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (pool, user, group, "far".into(), client)
}

#[actix_web::test]
async fn another_tenant_s_events_never_show_and_its_objects_are_not_found() {
    let (_srv, admin, user) = admin_signed_in().await;
    let ours = admin.create_pool("here").await;
    let (pool, eve, group, ws, client) = acme(&admin).await;

    let page = audit(&user, "").await;
    assert_eq!(types(&rows(&page)), ["pool.created"]);
    for id in [&pool, &eve, &group, &client] {
        assert!(!page.body.contains(id.as_str()), "{id} is acme's");
        let about = audit(&user, &format!("subject_id={id}")).await;
        assert!(rows(&about).is_empty(), "{id}");
    }
    let theirs = user.get("/admin/-/tenants/acme/audit").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(
        rows(&theirs).len(),
        6,
        "the tenant, its pool, user, group, workspace and client"
    );
    assert!(!theirs.body.contains(&ours));

    let base = "/admin/-/tenants/default";
    for path in [
        format!("{base}/pools/{pool}/history"),
        format!("{base}/pools/{pool}/users/{eve}/history"),
        format!("{base}/pools/{ours}/users/{eve}/history"),
        format!("{base}/pools/{pool}/groups/{group}/history"),
        format!("{base}/pools/{ours}/groups/{group}/history"),
        format!("{base}/workspaces/{ws}/history"),
        format!("{base}/workspaces/{ws}/applications/{client}/history"),
        "/admin/-/tenants/nowhere/audit".to_owned(),
        "/admin/-/tenants/nowhere/audit?since=yesterday".to_owned(),
    ] {
        let page = user.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// The History tab at `path`: its rows, after checking the tab bar marks History as the current tab.
async fn history(user: &PortalUser, path: &str) -> Vec<Row> {
    let page = user.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    assert_eq!(
        texts(&page, "nav.tabs [aria-current=page]"),
        ["History"],
        "{path}"
    );
    assert_eq!(texts(&page, "h1").len(), 1);
    assert!(texts(&page, "title")[0].starts_with("History — "), "{path}");
    rows(&page)
}

/// How many events of tenant `default` the admin API finds about `kind` `id`.
async fn api_count(admin: &Admin, kind: &str, id: &str) -> usize {
    admin
        .list_all(
            &format!("/default/audit-events?subject_type={kind}&subject_id={id}"),
            100,
        )
        .await
        .len()
}

#[actix_web::test]
async fn each_history_tab_shows_that_object_s_events_and_only_those() {
    let (srv, admin, user) = admin_signed_in().await;
    let tick = || srv.state.clock.advance(1);
    let pool = admin.create_pool("Staff").await;
    let other_pool = admin.create_pool("Other").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    admin.create_user(&pool, "bob@example.com").await;
    let group = admin.create_group(&pool, "ops", None).await;
    admin.create_group(&pool, "sales", None).await;
    tick();
    let (status, _) = admin
        .put(&format!("/default/pools/{pool}/groups/{group}/users/{ada}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin
        .patch(
            &format!("/default/pools/{pool}/groups/{group}"),
            json!({"description": "On call"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    admin.create_workspace("shop").await;
    admin.create_workspace("blog").await;
    tick();
    admin.connect_pool("shop", &pool).await;
    let client = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"]}),
        )
        .await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Other", "redirect_uris": ["https://other.example/cb"]}),
        )
        .await;

    let base = "/admin/-/tenants/default";
    let ws = format!("{base}/workspaces/shop");
    let cases = [
        ("pool", pool.clone(), format!("{base}/pools/{pool}")),
        (
            "user",
            ada.clone(),
            format!("{base}/pools/{pool}/users/{ada}"),
        ),
        (
            "group",
            group.clone(),
            format!("{base}/pools/{pool}/groups/{group}"),
        ),
        ("workspace", "shop".to_owned(), ws.clone()),
        (
            "client",
            client.clone(),
            format!("{ws}/applications/{client}"),
        ),
    ];
    for (kind, id, page) in &cases {
        let object = user.get(page).await;
        assert_eq!(object.status, StatusCode::OK, "{page}");
        let tab = object
            .attr("nav.tabs a[href$=\"/history\"]", "href")
            .expect("a History tab");
        assert_eq!(tab, user.url(&format!("{page}/history")));
        let found = history(&user, &format!("{page}/history")).await;
        assert!(!found.is_empty(), "{kind}");
        assert!(
            found.iter().all(|r| r.subject == format!("{kind} {id}")),
            "{kind}: {found:?}"
        );
        assert_eq!(found.len(), api_count(&admin, kind, id).await, "{kind}");
    }
    let about_ada = history(&user, &format!("{base}/pools/{pool}/users/{ada}/history")).await;
    assert_eq!(types(&about_ada), ["group.member_added", "user.created"]);
    let about_group = history(
        &user,
        &format!("{base}/pools/{pool}/groups/{group}/history"),
    )
    .await;
    assert_eq!(types(&about_group), ["group.updated", "group.created"]);
    assert!(
        about_group[0]
            .details
            .contains(&"description:  → On call".to_owned()),
        "{:?}",
        about_group[0].details
    );
    let about_pool = history(&user, &format!("{base}/pools/{pool}/history")).await;
    assert_eq!(types(&about_pool), ["idp.connected", "pool.created"]);
    let quiet = history(&user, &format!("{base}/pools/{other_pool}/history")).await;
    assert_eq!(types(&quiet), ["pool.created"]);
    let blog = history(&user, &format!("{base}/workspaces/blog/history")).await;
    assert_eq!(types(&blog), ["workspace.created"]);
}

#[actix_web::test]
async fn auditors_see_the_audit_page_and_history_tabs() {
    let (srv, admin, _user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", PASSWORD).await;
    let page = audit(&auditor, "").await;
    assert_eq!(types(&rows(&page)), ["pool.created"]);
    assert!(texts(&page, ".account span")[0].contains("(auditor)"));
    let tab = history(
        &auditor,
        &format!("/admin/-/tenants/default/pools/{pool}/history"),
    )
    .await;
    assert_eq!(types(&tab), ["pool.created"]);
    let admins = auditor.get("/admin/-/tenants/admin/audit").await;
    assert_eq!(admins.status, StatusCode::OK);
    assert!(
        types(&rows(&admins)).contains(&"admin.signed_in"),
        "the built-in tenant's trail too"
    );
}

#[actix_web::test]
async fn details_render_as_text_and_gone_subjects_lose_their_link() {
    let (srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let group = admin.create_group(&pool, "ops", None).await;
    let doomed = admin.create_group(&pool, "doomed", None).await;
    srv.state.clock.advance(1);
    let script = "<script>alert(1)</script>";
    let (status, body) = admin
        .patch(
            &format!("/default/pools/{pool}/groups/{group}"),
            json!({"description": script}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    srv.state.clock.advance(1);
    let (status, _) = admin
        .delete(&format!("/default/pools/{pool}/groups/{doomed}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let page = audit(&user, "type=group.*").await;
    assert!(!page.body.contains(script), "never as markup");
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "escaped, and shown as text"
    );
    assert!(
        page.scripts().iter().all(|(src, _)| src.is_some()),
        "no script but the portal's own"
    );
    let found = rows(&page);
    assert_eq!(
        types(&found),
        [
            "group.deleted",
            "group.updated",
            "group.created",
            "group.created"
        ]
    );
    let updated = found.iter().find(|r| r.event_type == "group.updated");
    assert!(
        updated
            .unwrap()
            .details
            .contains(&format!("description:  → {script}")),
        "{updated:?}"
    );
    for r in &found {
        let about_doomed = r.subject.starts_with(&format!("group {doomed}"));
        assert_eq!(r.subject_href.is_none(), about_doomed, "{r:?}");
        if about_doomed {
            assert_eq!(
                r.subject,
                format!("group {doomed} (gone)"),
                "named, not linked"
            );
        } else {
            let href = r.subject_href.as_deref().unwrap();
            assert_eq!(
                href,
                user.url(&format!(
                    "/admin/-/tenants/default/pools/{pool}/groups/{group}"
                ))
            );
        }
    }
    let in_json: Value = admin
        .items("/default/audit-events?type=group.updated")
        .await[0]
        .clone();
    assert_eq!(in_json["details"]["changes"]["description"]["new"], script);
}
