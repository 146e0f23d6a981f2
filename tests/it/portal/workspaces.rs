//! The Workspaces pages: the list, Create workspace (303 with a flash, or 422 with the refusal at the id), the
//! Overview tab and its settings (with dynamic registration and pushed requests, seen in discovery), the Identity Providers tab (connect, move, disconnect), deleting a workspace (what goes
//! with it, type-to-confirm, step-up), auditors refused on every change, forms without their CSRF token refused.

use reqwest::StatusCode;
use serde_json::json;

use super::{PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::Admin;
use crate::support::browser::Page;

const WORKSPACES: &str = "/admin/-/tenants/default/workspaces";

fn ws_path(ws: &str) -> String {
    format!("{WORKSPACES}/{ws}")
}

async fn create_workspace(user: &PortalUser, id: &str, name: &str) -> Page {
    let form = user.get(&format!("{WORKSPACES}/-/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    user.post(WORKSPACES, &form, &[("id", id), ("name", name)])
        .await
}

/// The admin API's ids of the workspace's connected pools, in order.
async fn connected(admin: &Admin, ws: &str) -> Vec<String> {
    let (_, list) = admin.get(&format!("/default/workspaces/{ws}/idps")).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pool_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The cells of the table row whose heading is `name`.
fn row_cells(page: &Page, name: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(&page.body);
    let [tr, th, td] = ["tbody tr", "th", "td"].map(|s| scraper::Selector::parse(s).unwrap());
    let row = html
        .select(&tr)
        .find(|r| {
            r.select(&th)
                .any(|h| h.text().collect::<String>().trim() == name)
        })
        .expect("a row for the name");
    row.select(&td)
        .map(|c| c.text().collect::<String>().trim().to_owned())
        .collect()
}

/// Follows a step-up's redirect to the built-in workspace: signs in again there, and returns what the portal's
/// callback answers (the kept action completed).
pub(super) async fn complete_step_up(user: &PortalUser, authorize: &str) -> Page {
    assert!(
        authorize.contains("/admin/admin/oauth2/authorize?") && authorize.contains("max_age=0"),
        "{authorize}"
    );
    let to_login = user.browser.get(authorize).await;
    let login_url = to_login.location.unwrap();
    assert!(login_url.contains("/login?request="), "{login_url}");
    let login = user.browser.get(&login_url).await;
    let back = user
        .browser
        .submit_login(&login, super::ADMIN_EMAIL, PASSWORD)
        .await;
    let back = user.browser.not_now(back).await;
    user.browser.get(back.location.as_deref().unwrap()).await
}

#[actix_web::test]
async fn a_workspace_made_in_the_portal_is_the_admin_api_s_and_a_bad_id_is_refused_at_the_field() {
    let (_srv, admin, user) = admin_signed_in().await;
    let bad = create_workspace(&user, "Not A Slug", "Shop").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.input("id").as_deref(), Some("Not A Slug"));
    assert_eq!(bad.input("name").as_deref(), Some("Shop"));
    assert_eq!(bad.attr("#id", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(bad.attr(".error-summary a", "href").as_deref(), Some("#id"));
    assert!(texts(&bad, "title")[0].starts_with("Error: "));
    let (_, all) = admin.get("/default/workspaces").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "nothing created");

    let made = create_workspace(&user, "shop", "Shop").await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(
        made.location.as_deref(),
        Some(user.url(&ws_path("shop")).as_str())
    );
    let page = user.browser.get(made.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&page, "[role=status]"),
        ["Created the workspace Shop."]
    );
    let (status, ws) = admin.get("/default/workspaces/shop").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ws["name"], "Shop");
    assert!(page.body.contains(ws["issuer"].as_str().unwrap()));

    let dup = create_workspace(&user, "shop", "Again").await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&dup, "#id-error")[0].contains("already exists"));

    admin
        .connect_pool("shop", &admin.create_pool("Staff").await)
        .await;
    admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let list = user.get(WORKSPACES).await;
    assert_eq!(list.status, StatusCode::OK);
    let cells = row_cells(&list, "Shop");
    assert_eq!(
        cells,
        ["shop", ws["issuer"].as_str().unwrap(), "1", "1"],
        "id, issuer, one application, one connected pool"
    );
}

#[actix_web::test]
async fn the_overview_shows_the_issuer_and_saves_the_settings() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let path = ws_path("shop");
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        texts(&page, "nav.tabs li"),
        [
            "Overview",
            "Identity Providers",
            "Applications",
            "Signing keys",
            "History"
        ]
    );
    let issuer = format!("{}/default/shop", user.public);
    assert_eq!(
        page.attr("dd a", "href"),
        Some(format!("{issuer}/.well-known/openid-configuration"))
    );
    assert_eq!(page.input("access_token").as_deref(), Some("3600"));
    let settings = |access: &'static str| {
        [
            ("name", "Shop EU"),
            ("access_token", access),
            ("id_token", "600"),
            ("refresh_token", "86400"),
            ("session", "7200"),
            ("dpop_nonce_required", "on"),
        ]
    };
    let not_a_number = user.post(&path, &page, &settings("soon")).await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(not_a_number.input("access_token").as_deref(), Some("soon"));
    let too_short = user.post(&path, &page, &settings("5")).await;
    assert_eq!(too_short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        too_short.attr("#access_token", "aria-invalid").as_deref(),
        Some("true"),
        "the domain's bound, at the field"
    );
    let (_, unchanged) = admin.get("/default/workspaces/shop").await;
    assert_eq!(unchanged["name"], "shop");
    let saved = user.post(&path, &page, &settings("900")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, ws) = admin.get("/default/workspaces/shop").await;
    assert_eq!(ws["name"], "Shop EU");
    assert_eq!(
        ws["lifetimes"],
        json!({"access_token": 900, "id_token": 600, "refresh_token": 86400, "session": 7200})
    );
    assert_eq!(ws["dpop_nonce_required"], true);
}

#[actix_web::test]
async fn pools_are_connected_in_order_and_disconnected_after_a_confirmation() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let staff = admin.create_pool("Staff").await;
    let customers = admin.create_pool("Customers").await;
    let idps = format!("{}/idps", ws_path("shop"));
    let page = user.get(&idps).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No identity pool is connected"));
    let mut options = texts(&page, "select#pool_id option");
    options.sort();
    assert_eq!(options, ["Customers", "Staff"]);
    for pool in [&customers, &staff] {
        let done = user.post(&idps, &page, &[("pool_id", pool)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    assert_eq!(
        connected(&admin, "shop").await,
        [customers.clone(), staff.clone()]
    );
    let tab = user.get(&idps).await;
    assert_eq!(texts(&tab, "tbody th"), ["Customers", "Staff"]);
    assert!(
        texts(&tab, "select#pool_id").is_empty(),
        "nothing left to connect"
    );

    let again = user.post(&idps, &page, &[("pool_id", &staff)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.attr(".error-summary a", "href").as_deref(),
        Some("#pool_id")
    );
    let elsewhere = admin.create_tenant("acme").await;
    let (_, foreign) = admin.post("/acme/pools", json!({"name": "Foreign"})).await;
    assert_eq!(elsewhere["id"], "acme");
    let refused = user
        .post(
            &idps,
            &page,
            &[("pool_id", foreign["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(connected(&admin, "shop").await.len(), 2);

    let confirm_path = format!("{idps}/{customers}/disconnect");
    let confirm = user.get(&confirm_path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(texts(&confirm, "h1"), ["Disconnect Customers from shop?"]);
    let done = user.post(&confirm_path, &confirm, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let tab = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(texts(&tab, "[role=status]"), ["Disconnected Customers."]);
    assert_eq!(connected(&admin, "shop").await, [staff]);
}

#[actix_web::test]
async fn pools_are_moved_up_and_down_in_the_order_and_a_stale_move_is_refused() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let [staff, customers, partners] = [
        admin.create_pool("Staff").await,
        admin.create_pool("Customers").await,
        admin.create_pool("Partners").await,
    ];
    for pool in [&staff, &customers, &partners] {
        admin.connect_pool("shop", pool).await;
    }
    let idps = format!("{}/idps", ws_path("shop"));
    let tab = user.get(&idps).await;
    assert_eq!(
        texts(&tab, "tbody button"),
        [
            "Move Staff down",
            "Move Customers up",
            "Move Customers down",
            "Move Partners up"
        ]
    );
    let done = user
        .post(
            &format!("{idps}/{partners}/move"),
            &tab,
            &[("position", "1")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let tab = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&tab, "[role=status]"),
        ["Moved Partners to place 2 of the order."]
    );
    assert_eq!(texts(&tab, "tbody th"), ["Staff", "Partners", "Customers"]);
    assert_eq!(
        connected(&admin, "shop").await,
        [staff.clone(), partners.clone(), customers.clone()]
    );

    for position in ["3", "-1", "first"] {
        let refused = user
            .post(
                &format!("{idps}/{staff}/move"),
                &tab,
                &[("position", position)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{position}");
    }
    let unconnected = admin.create_pool("Elsewhere").await;
    let refused = user
        .post(
            &format!("{idps}/{unconnected}/move"),
            &tab,
            &[("position", "0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        connected(&admin, "shop").await,
        [staff, partners, customers]
    );
}

#[actix_web::test]
async fn deleting_a_workspace_says_what_goes_asks_for_its_name_and_a_fresh_sign_in() {
    let (srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    admin
        .connect_pool("shop", &admin.create_pool("Staff").await)
        .await;
    admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let path = format!("{}/delete", ws_path("shop"));
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let warning = texts(&page, ".warning")[0].clone();
    assert!(
        warning.contains("its 1 application") && warning.contains("disconnects 1 identity pool"),
        "{warning}"
    );
    let wrong = user.post(&path, &page, &[("confirm_name", "Shop")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.attr("#confirm_name", "aria-invalid").as_deref(),
        Some("true")
    );

    srv.state.clock.advance(6 * 60);
    let asked = user.post(&path, &page, &[("confirm_name", "shop")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.get("/default/workspaces/shop").await.0,
        StatusCode::OK,
        "not before the fresh sign-in"
    );
    let done = complete_step_up(&user, &asked.location.unwrap()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location.as_deref().unwrap().ends_with(WORKSPACES));
    let list = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&list, "[role=status]"),
        ["Deleted the workspace shop."]
    );
    assert_eq!(
        admin.get("/default/workspaces/shop").await.0,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_built_in_workspace_cannot_be_deleted_and_other_tenants_workspaces_are_not_found() {
    let (_srv, admin, user) = admin_signed_in().await;
    let path = "/admin/-/tenants/admin/workspaces/admin/delete";
    let page = user.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    let (_, built_in) = admin.get("/admin/workspaces/admin").await;
    let name = built_in["name"].as_str().unwrap();
    let refused = user.post(path, &page, &[("confirm_name", name)]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.alert().unwrap().contains("cannot be deleted"));
    assert_eq!(admin.get("/admin/workspaces/admin").await.0, StatusCode::OK);

    admin.create_tenant("acme").await;
    admin.create_workspace("shop").await;
    for path in [
        "/admin/-/tenants/acme/workspaces/shop",
        "/admin/-/tenants/acme/workspaces/shop/idps",
    ] {
        assert_eq!(user.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        user.get("/admin/-/tenants/nope/workspaces").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn auditors_see_the_workspace_pages_without_forms_and_every_change_is_refused() {
    let (srv, admin, _) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let pool = admin.create_pool("Staff").await;
    let other = admin.create_pool("Other").await;
    admin.connect_pool("shop", &pool).await;
    let client = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let client = client["client_id"].as_str().unwrap().to_owned();
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", PASSWORD).await;
    let ws = ws_path("shop");
    let apps = format!("{ws}/applications");
    let pages = [
        WORKSPACES.to_owned(),
        format!("{WORKSPACES}/-/new"),
        ws.clone(),
        format!("{ws}/delete"),
        format!("{ws}/idps"),
        format!("{ws}/idps/{pool}/disconnect"),
        apps.clone(),
        format!("{apps}/new"),
        format!("{apps}/{client}"),
        format!("{apps}/{client}/delete"),
        format!("{ws}/keys"),
        "/admin/-/tenants/default/outbox".to_owned(),
    ];
    for path in &pages {
        let page = auditor.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let forms: Vec<String> = texts(&page, "main form");
        let changing = match path.ends_with("/new") {
            // The empty forms themselves show (their POST is refused below).
            true => 0,
            false => forms.len(),
        };
        assert_eq!(changing, 0, "no form that changes anything on {path}");
    }
    let from = auditor.get(&ws).await;
    let posts: [(String, Vec<(&str, &str)>); 9] = [
        (
            WORKSPACES.to_owned(),
            vec![("id", "evil"), ("name", "Evil")],
        ),
        (
            ws.clone(),
            vec![
                ("name", "Renamed"),
                ("access_token", "600"),
                ("id_token", "600"),
                ("refresh_token", "600"),
                ("session", "600"),
            ],
        ),
        (format!("{ws}/delete"), vec![("confirm_name", "shop")]),
        (format!("{ws}/idps"), vec![("pool_id", other.as_str())]),
        (format!("{ws}/idps/{pool}/disconnect"), vec![]),
        (format!("{ws}/idps/{pool}/move"), vec![("position", "0")]),
        (
            apps.clone(),
            vec![
                ("client_name", "Evil"),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("grant_client_credentials", "on"),
            ],
        ),
        (format!("{apps}/{client}/delete"), vec![]),
        (format!("{ws}/keys/rotate"), vec![]),
    ];
    let (_, jwks_before) = admin.get("/default/workspaces/shop/keys").await;
    for (to, form) in posts {
        let res = auditor.post(&to, &from, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{to}");
    }
    let (_, shop) = admin.get("/default/workspaces/shop").await;
    assert_eq!(shop["name"], "shop");
    assert_eq!(shop["lifetimes"]["access_token"], 3600);
    assert_eq!(
        admin.get("/default/workspaces/evil").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(connected(&admin, "shop").await, [pool]);
    let clients = admin.items("/default/workspaces/shop/clients").await;
    assert_eq!(clients.len(), 1, "none created, none deleted");
    assert_eq!(
        admin.get("/default/workspaces/shop/keys").await.1,
        jwks_before
    );
}

#[actix_web::test]
async fn workspace_forms_without_the_csrf_token_are_refused() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let pool = admin.create_pool("Staff").await;
    let ws = ws_path("shop");
    let (_, keys_before) = admin.get("/default/workspaces/shop/keys").await;
    let posts: [(String, Vec<(&str, &str)>); 6] = [
        (
            WORKSPACES.to_owned(),
            vec![("id", "forged"), ("name", "Forged")],
        ),
        (format!("{ws}/delete"), vec![("confirm_name", "shop")]),
        (format!("{ws}/idps"), vec![("pool_id", pool.as_str())]),
        (format!("{ws}/idps/{pool}/move"), vec![("position", "0")]),
        (
            format!("{ws}/applications"),
            vec![
                ("client_name", "Forged"),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("grant_client_credentials", "on"),
            ],
        ),
        (format!("{ws}/keys/rotate"), vec![]),
    ];
    for (to, form) in posts {
        let missing = user.browser.post_form(&user.url(&to), &form).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{to}");
        let mut forged = vec![("csrf_token", "forged")];
        forged.extend_from_slice(&form);
        let wrong = user.browser.post_form(&user.url(&to), &forged).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{to}");
    }
    assert_eq!(
        admin.get("/default/workspaces/forged").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/default/workspaces/shop").await.0,
        StatusCode::OK
    );
    assert!(connected(&admin, "shop").await.is_empty());
    assert!(
        admin
            .items("/default/workspaces/shop/clients")
            .await
            .is_empty()
    );
    assert_eq!(
        admin.get("/default/workspaces/shop/keys").await.1,
        keys_before
    );
}

#[actix_web::test]
async fn registration_and_pushed_requests_are_saved_seen_in_discovery_and_refused_on_the_built_in()
{
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let path = ws_path("shop");
    let page = user.get(&path).await;
    assert_eq!(
        page.attr("#dynamic_registration option[selected]", "value")
            .as_deref(),
        Some("off")
    );
    let discovery = format!(
        "{}/default/shop/.well-known/openid-configuration",
        user.public
    );
    let fetch = || async {
        let res = crate::support::oidc::http()
            .get(&discovery)
            .send()
            .await
            .unwrap();
        res.json::<serde_json::Value>().await.unwrap()
    };
    assert!(fetch().await.get("registration_endpoint").is_none());
    let settings = |mode: &'static str| {
        [
            ("name", "shop"),
            ("access_token", "3600"),
            ("id_token", "3600"),
            ("refresh_token", "2592000"),
            ("session", "86400"),
            ("require_pushed_authorization_requests", "on"),
            ("dynamic_registration", mode),
        ]
    };
    let unknown = user.post(&path, &page, &settings("anyone")).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    let saved = user.post(&path, &page, &settings("open")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, ws) = admin.get("/default/workspaces/shop").await;
    assert_eq!(ws["dynamic_registration"], "open");
    assert_eq!(ws["require_pushed_authorization_requests"], true);
    let meta = fetch().await;
    assert_eq!(
        meta["registration_endpoint"],
        format!("{}/default/shop/oauth2/register", user.public)
    );
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    let page = user.get(&path).await;
    assert_eq!(
        page.attr("#dynamic_registration option[selected]", "value")
            .as_deref(),
        Some("open")
    );
    assert_eq!(
        page.attr("#require_pushed_authorization_requests", "checked")
            .as_deref(),
        Some("")
    );

    let built_in = "/admin/-/tenants/admin/workspaces/admin";
    let page = user.get(built_in).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut form = settings("initial_access_token").to_vec();
    form[0] = ("name", "Administration");
    form.retain(|(k, _)| *k != "require_pushed_authorization_requests");
    let refused = user.post(built_in, &page, &form).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        refused
            .attr("#dynamic_registration", "aria-invalid")
            .as_deref(),
        Some("true")
    );
    let refused = user
        .post(
            built_in,
            &page,
            &settings("off").map(|(k, v)| match k {
                "name" => (k, "Administration"),
                _ => (k, v),
            }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        texts(&refused, ".field-error")
            .iter()
            .any(|t| t.contains("push")),
        "{:?}",
        texts(&refused, ".field-error")
    );
    let (_, admin_ws) = admin.get("/admin/workspaces/admin").await;
    assert_eq!(admin_ws["dynamic_registration"], "off");
    assert_eq!(admin_ws["require_pushed_authorization_requests"], false);
}
