//! The portal in real headless Chromium, with and without JavaScript: set up Tarn on the web, sign in through the
//! hosted login page, create a pool, and see it in the list.

use super::{ADMIN_EMAIL, PASSWORD};
use crate::support::chromium::Chromium;
use crate::support::{ADMIN_TOKEN, TestServer};

async fn set_up_sign_in_and_create_a_pool(chromium: &Chromium, srv: &TestServer) {
    let public = srv.state.config.public_url().to_owned();
    chromium.goto(&format!("{public}/admin")).await;
    chromium.fill("#admin_token", ADMIN_TOKEN).await;
    chromium.fill("#identifier", ADMIN_EMAIL).await;
    chromium.fill("#new_password", PASSWORD).await;
    chromium.click("form button[type=submit]").await;
    // The setup page leads to the hosted login page of the built-in workspace.
    chromium
        .wait_for_url(&format!("{public}/admin/admin/login"))
        .await;
    chromium.fill("#identifier", ADMIN_EMAIL).await;
    chromium.fill("#password", PASSWORD).await;
    chromium.click("button[value=password]").await;
    past_the_passkey_suggestion(chromium, &format!("{public}/admin/-/tenants")).await;
    let heading = chromium.wait_for("h1").await.text().await.unwrap();
    assert_eq!(heading, "Tenants");
    chromium
        .click("a[href$='/admin/-/tenants/default/pools']")
        .await;
    chromium.click("a[href$='/pools/new']").await;
    chromium.fill("#name", "Customers").await;
    chromium.fill("#tag_color", "#1F6FEB").await;
    chromium.click("#method_passkey").await;
    chromium.click("form.stack button[type=submit]").await;
    let flash = chromium
        .wait_for("[role=status]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(flash, "Created the pool Customers.");
    chromium
        .click("nav[aria-label=Breadcrumb] li:nth-child(2) a")
        .await;
    // The pool's page has tables too: read the row only once the list is shown.
    chromium.wait_for_text("h1", "Identity Pools").await;
    let row = chromium.wait_for("tbody tr").await.text().await.unwrap();
    assert!(
        row.contains("Customers") && row.contains("#1f6feb") && row.contains("Password, Passkey"),
        "{row}"
    );
}

/// After the password: the portal, or first the suggestion to add a passkey (administrators may use passkeys, and
/// it is offered where the browser has them), which is declined. Waits for one of the two rather than reading the
/// page at once: the click may return while the login page is still shown.
async fn past_the_passkey_suggestion(chromium: &Chromium, portal: &str) {
    for _ in 0..200 {
        if chromium.current_url().await.as_str().starts_with(portal) {
            return;
        }
        if chromium.text_now("h1").await.as_deref() == Some("Sign in faster next time") {
            chromium.click("button.secondary").await;
            chromium.wait_for_url(portal).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "neither the portal nor the passkey suggestion: at {}",
        chromium.current_url().await
    );
}

#[actix_web::test]
async fn chromium_sets_up_tarn_signs_in_and_creates_a_pool() {
    let (srv, _) = TestServer::start().await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    set_up_sign_in_and_create_a_pool(&chromium, &srv).await;
    chromium.close().await;
}

#[actix_web::test]
async fn chromium_does_the_same_with_javascript_switched_off() {
    let (srv, _) = TestServer::start().await;
    let Some(chromium) = Chromium::start_without_javascript().await else {
        return;
    };
    set_up_sign_in_and_create_a_pool(&chromium, &srv).await;
    chromium.close().await;
}
