//! Signing in to the portal through the built-in workspace, the session (cookie, new id at each sign-in, idle and
//! absolute expiry), roles read on every request, Sign out, and the refusals of cross-site and forged requests.

use reqwest::StatusCode;

use super::{ADMIN_EMAIL, PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::TestServer;

fn portal_cookie(page: &crate::support::browser::Page) -> String {
    page.set_cookie("tarn_portal")
        .expect("the portal cookie is set")
}

#[actix_web::test]
async fn an_administrator_signs_in_through_the_hosted_page_and_lands_where_they_were_going() {
    let (srv, _, user) = admin_signed_in().await;
    let _ = srv;
    let going = user.get("/admin/-/tenants?cursor=").await;
    assert_eq!(going.status, StatusCode::OK, "already signed in");
    let other = PortalUser::new(&srv);
    let to_sign_in = other.get("/admin/-/tenants/default/pools").await;
    assert_eq!(to_sign_in.status, StatusCode::SEE_OTHER);
    let location = to_sign_in.location.unwrap();
    let landed = other.sign_in_from(&location, ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    let cookie = portal_cookie(&landed);
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        landed
            .location
            .as_deref()
            .unwrap()
            .ends_with("/admin/-/tenants/default/pools")
    );
    let page = other.browser.get(landed.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(texts(&page, "h1"), ["Identity Pools"]);
    assert_eq!(texts(&page, "header form button"), ["Sign out"]);
    assert_eq!(texts(&page, "[role=status]"), ["You are signed in."]);
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert_eq!(
        texts(&page, "nav[aria-label=Breadcrumb] [aria-current=page]"),
        ["Identity Pools"]
    );
}

#[actix_web::test]
async fn every_sign_in_gets_a_new_session_id_and_ends_the_previous_one() {
    let (srv, _) = TestServer::start().await;
    let user = PortalUser::new(&srv);
    user.set_up(ADMIN_EMAIL, PASSWORD, crate::support::ADMIN_TOKEN)
        .await;
    let first = user
        .sign_in_from("/admin/-/sign-in", ADMIN_EMAIL, PASSWORD)
        .await;
    let second = user
        .sign_in_from("/admin/-/sign-in", ADMIN_EMAIL, PASSWORD)
        .await;
    let (a, b) = (portal_cookie(&first), portal_cookie(&second));
    assert_ne!(a.split(';').next(), b.split(';').next());
    // The first session's id no longer opens anything.
    let old = a.split(';').next().unwrap().to_owned();
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(user.url("/admin/-/tenants"))
        .header("cookie", old)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/admin/-/sign-in")
    );
}

#[actix_web::test]
async fn an_idle_session_ends_after_the_idle_limit() {
    let (srv, _, user) = admin_signed_in().await;
    srv.state.clock.advance(29 * 60);
    assert_eq!(user.get("/admin/-/tenants").await.status, StatusCode::OK);
    srv.state.clock.advance(29 * 60);
    assert_eq!(
        user.get("/admin/-/tenants").await.status,
        StatusCode::OK,
        "each request restarts the idle clock"
    );
    srv.state.clock.advance(31 * 60);
    assert_eq!(
        user.get("/admin/-/tenants").await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn a_busy_session_still_ends_at_the_absolute_limit() {
    let (srv, _) = TestServer::start_with(|c| {
        c.portal_session = tarn::config::PortalLimits {
            idle: 600,
            absolute: 1000,
        };
    })
    .await;
    let user = PortalUser::new(&srv);
    user.set_up(ADMIN_EMAIL, PASSWORD, crate::support::ADMIN_TOKEN)
        .await;
    user.sign_in(ADMIN_EMAIL, PASSWORD).await;
    srv.state.clock.advance(500);
    assert_eq!(user.get("/admin/-/tenants").await.status, StatusCode::OK);
    srv.state.clock.advance(501);
    assert_eq!(
        user.get("/admin/-/tenants").await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn sign_out_ends_the_portal_session_and_the_built_in_workspace_session() {
    let (_srv, _, user) = admin_signed_in().await;
    let page = user.get("/admin/-/tenants").await;
    let out = user.post("/admin/-/sign-out", &page, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let logout = out.location.unwrap();
    assert!(
        logout.contains("/admin/admin/oauth2/logout?id_token_hint="),
        "{logout}"
    );
    let back = user.browser.get(&logout).await;
    assert!(
        back.location
            .as_deref()
            .unwrap()
            .ends_with("/admin/-/signed-out"),
        "{:?}",
        back.location
    );
    let signed_out = user.browser.get(back.location.as_deref().unwrap()).await;
    assert_eq!(texts(&signed_out, "h1"), ["You are signed out"]);
    assert_eq!(
        user.get("/admin/-/tenants").await.status,
        StatusCode::SEE_OTHER
    );
    // The workspace session ended too: signing in asks for the password again.
    let start = user.get("/admin/-/sign-in").await;
    let to_login = user.browser.get(start.location.as_deref().unwrap()).await;
    assert!(to_login.location.unwrap().contains("/login?request="));
}

#[actix_web::test]
async fn a_pool_user_in_neither_group_is_refused_with_a_page_saying_so() {
    let (srv, admin, _) = admin_signed_in().await;
    pool_user(&admin, "nobody@example.com", None).await;
    let user = PortalUser::new(&srv);
    let landed = user
        .sign_in_from("/admin/-/sign-in", "nobody@example.com", PASSWORD)
        .await;
    let page = user.browser.get(landed.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.alert()
            .unwrap()
            .contains("not a member of the groups administrators or auditors")
    );
    assert_eq!(texts(&page, "header form button"), ["Sign out"]);
}

#[actix_web::test]
async fn auditors_see_pages_but_every_change_is_refused() {
    let (srv, admin, _) = admin_signed_in().await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let user = PortalUser::new(&srv);
    user.sign_in("audit@example.com", PASSWORD).await;
    let page = user.get("/admin/-/tenants").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("(auditor)"));
    let refused = user
        .post(
            "/admin/-/tenants",
            &page,
            &[("id", "acme"), ("name", "Acme")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.alert().unwrap().contains("auditor"));
    let (_, tenants) = admin.get("/tenants").await;
    assert!(
        !tenants.to_string().contains("\"acme\""),
        "nothing was created"
    );
}

#[actix_web::test]
async fn removing_an_administrator_ends_their_access_at_the_next_click() {
    let (srv, admin, _) = admin_signed_in().await;
    let id = pool_user(&admin, "second@example.com", Some("administrators")).await;
    let user = PortalUser::new(&srv);
    user.sign_in("second@example.com", PASSWORD).await;
    assert_eq!(user.get("/admin/-/tenants").await.status, StatusCode::OK);
    let path = format!("/admin/pools/administrators/groups/administrators/users/{id}");
    assert_eq!(admin.delete(&path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        user.get("/admin/-/tenants").await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn forged_and_cross_site_posts_are_refused_and_change_nothing() {
    let (_srv, admin, user) = admin_signed_in().await;
    let page = user.get("/admin/-/tenants/new").await;
    let csrf = page.input("csrf_token").unwrap();
    let forged = user
        .browser
        .post_form(
            &user.url("/admin/-/tenants"),
            &[("csrf_token", "forged"), ("id", "acme"), ("name", "Acme")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let res = user
            .browser
            .http
            .post(user.url("/admin/-/tenants"))
            .header(header, value)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("id", "acme"),
                ("name", "Acme"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    let (_, tenants) = admin.get("/tenants").await;
    assert!(
        !tenants.to_string().contains("\"acme\""),
        "nothing was created: {tenants}"
    );
    let same = user
        .browser
        .http
        .post(user.url("/admin/-/tenants"))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("id", "acme"),
            ("name", "Acme"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
}
