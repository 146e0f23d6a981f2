//! The one-time **Set up Tarn** page at `/admin`: the admin token is checked (rate-limited), the first
//! administrator is made, and the page closes for good, even under two submissions at once.

use reqwest::StatusCode;

use super::{ADMIN_EMAIL, PASSWORD, PortalUser, texts};
use crate::support::{ADMIN_TOKEN, TestServer};

#[actix_web::test]
async fn a_fresh_installation_offers_set_up_tarn_with_the_contract_fields() {
    let (srv, _) = TestServer::start().await;
    let user = PortalUser::new(&srv);
    let page = user.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(texts(&page, "h1"), ["Set up Tarn"]);
    for field in ["admin_token", "identifier", "new_password", "csrf_token"] {
        assert!(page.input_type(field).is_some(), "{field}");
    }
    assert_eq!(texts(&page, "form button"), ["Create administrator"]);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
}

#[actix_web::test]
async fn a_wrong_token_is_an_alert_and_keeps_the_email() {
    let (srv, _) = TestServer::start().await;
    let user = PortalUser::new(&srv);
    let page = user.set_up(ADMIN_EMAIL, PASSWORD, "not-the-token").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.alert().unwrap().contains("not the admin API token"),
        "{:?}",
        page.alert()
    );
    assert_eq!(page.input("identifier").as_deref(), Some(ADMIN_EMAIL));
    assert_eq!(
        page.attr("#admin_token", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr(".error-summary a", "href").as_deref(),
        Some("#admin_token")
    );
    assert_eq!(
        user.get("/admin").await.status,
        StatusCode::OK,
        "still open"
    );
}

#[actix_web::test]
async fn a_weak_password_is_refused_at_its_field() {
    let (srv, _) = TestServer::start().await;
    let page = PortalUser::new(&srv)
        .set_up(ADMIN_EMAIL, "short", ADMIN_TOKEN)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        texts(&page, "#new_password-error")[0].contains("at least 12"),
        "{}",
        page.body
    );
}

#[actix_web::test]
async fn wrong_tokens_are_rate_limited_even_before_the_right_one() {
    let (srv, _) = TestServer::start().await;
    let user = PortalUser::new(&srv);
    for _ in 0..5 {
        let page = user.set_up(ADMIN_EMAIL, PASSWORD, "wrong").await;
        assert!(page.alert().unwrap().contains("not the admin API token"));
    }
    let page = user.set_up(ADMIN_EMAIL, PASSWORD, ADMIN_TOKEN).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.alert().unwrap().contains("too many attempts"),
        "{:?}",
        page.alert()
    );
    assert_eq!(
        user.get("/admin").await.status,
        StatusCode::OK,
        "nothing was created"
    );
}

#[actix_web::test]
async fn the_page_closes_for_good_once_an_administrator_exists() {
    let (srv, admin) = TestServer::start().await;
    let (user, other) = (PortalUser::new(&srv), PortalUser::new(&srv));
    let csrf_page = other.get("/admin").await;
    let done = user.set_up(ADMIN_EMAIL, PASSWORD, ADMIN_TOKEN).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location.unwrap().ends_with("/admin/-/sign-in"));
    let again = user.get("/admin").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let page = user.get("/admin/-/tenants").await;
    assert!(
        page.location
            .unwrap()
            .contains("/admin/-/sign-in?return_to="),
        "leads to the sign-in"
    );
    // Its endpoint is gone too, even with the right token.
    let form = [
        ("admin_token", ADMIN_TOKEN),
        ("identifier", "b@example.com"),
        ("new_password", PASSWORD),
    ];
    let refused = other.post("/admin", &csrf_page, &form).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    let (_, users) = admin.get("/admin/pools/administrators/users").await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "{users}");
}

#[actix_web::test]
async fn of_two_submissions_at_once_exactly_one_makes_an_administrator() {
    let (srv, admin) = TestServer::start().await;
    let (a, b) = (PortalUser::new(&srv), PortalUser::new(&srv));
    let (page_a, page_b) = (a.get("/admin").await, b.get("/admin").await);
    let form_a = [
        ("admin_token", ADMIN_TOKEN),
        ("identifier", "a@example.com"),
        ("new_password", PASSWORD),
    ];
    let form_b = [
        ("admin_token", ADMIN_TOKEN),
        ("identifier", "b@example.com"),
        ("new_password", PASSWORD),
    ];
    let (ra, rb) = tokio::join!(
        a.post("/admin", &page_a, &form_a),
        b.post("/admin", &page_b, &form_b)
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::NOT_FOUND],
        "{} / {}",
        ra.body,
        rb.body
    );
    let (_, users) = admin.get("/admin/pools/administrators/users").await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "{users}");
}
