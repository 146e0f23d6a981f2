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
    // Administrators may use passkeys: a suggestion to add one, where the browser offers passkeys, is declined.
    let heading = chromium.wait_for("h1").await.text().await.unwrap();
    if heading == "Sign in faster next time" {
        chromium.click("button.secondary").await;
    }
    chromium
        .wait_for_url(&format!("{public}/admin/-/tenants"))
        .await;
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
    let row = chromium.wait_for("tbody tr").await.text().await.unwrap();
    assert!(
        row.contains("Customers") && row.contains("#1f6feb") && row.contains("Password, Passkey"),
        "{row}"
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
