//! The admin portal: the built-in administration and its rules (through the admin API), `tarn admin create`, the
//! setup page, signing in through the built-in workspace, sessions and roles, and the pages. `PortalUser` is a
//! browser signed in to the portal.

mod admins;
mod applications;
mod audit;
mod browser;
mod bulk;
mod cli;
mod groups;
mod keys;
mod outbox;
mod pools;
mod schemas;
mod setup;
mod sign_in;
mod templates;
mod user_page;
mod users;
mod workspaces;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::browser::{Browser, Page};
use crate::support::{ADMIN_TOKEN, Admin, TestServer};

/// A password the Administrators pool's policy (12 characters or more) accepts.
pub const PASSWORD: &str = "correct horse battery";
pub const ADMIN_EMAIL: &str = "root@example.com";

/// A browser, and the public URL every portal link is built on.
pub struct PortalUser {
    pub browser: Browser,
    pub public: String,
}

impl PortalUser {
    pub fn new(srv: &TestServer) -> PortalUser {
        PortalUser {
            browser: Browser::default(),
            public: srv.state.config.public_url().to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public)
    }

    pub async fn get(&self, path: &str) -> Page {
        self.browser.get(&self.url(path)).await
    }

    /// Posts `form` to `path` with the CSRF token of `from`.
    pub async fn post(&self, path: &str, from: &Page, form: &[(&str, &str)]) -> Page {
        let csrf = from.input("csrf_token").expect("a CSRF token on the page");
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(form);
        self.browser.post_form(&self.url(path), &all).await
    }

    /// Submits the setup page.
    pub async fn set_up(&self, email: &str, password: &str, token: &str) -> Page {
        let page = self.get("/admin").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let form = [
            ("admin_token", token),
            ("identifier", email),
            ("new_password", password),
        ];
        self.post("/admin", &page, &form).await
    }

    /// Signs in through the hosted login page from a portal redirect (`/admin/-/sign-in…`), and returns the page
    /// the callback leads to (not followed).
    pub async fn sign_in_from(&self, to_sign_in: &str, email: &str, password: &str) -> Page {
        let start = self.browser.get(&self.absolute(to_sign_in)).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let authorize = start.location.unwrap();
        assert!(
            authorize.contains("/admin/admin/oauth2/authorize?"),
            "{authorize}"
        );
        let to_login = self.browser.get(&authorize).await;
        let location = to_login.location.clone().unwrap_or_default();
        let back = match location.contains("/login?request=") {
            // Signed in at the built-in workspace already (SSO): straight back to the portal.
            false => to_login,
            true => {
                let login = self.browser.get(&location).await;
                let back = self.browser.submit_login(&login, email, password).await;
                self.browser.not_now(back).await
            }
        };
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        let callback = back.location.unwrap();
        assert!(
            callback.starts_with(&self.url("/admin/-/callback?")),
            "{callback}"
        );
        self.browser.get(&callback).await
    }

    /// Signs in and lands on the portal's first page.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        let landed = self.sign_in_from("/admin/-/sign-in", email, password).await;
        assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
        self.browser.get(landed.location.as_deref().unwrap()).await
    }

    fn absolute(&self, location: &str) -> String {
        match location.starts_with("http") {
            true => location.to_owned(),
            false => self.url(location),
        }
    }
}

/// A server with Tarn set up on the web, and its first administrator signed in.
pub async fn admin_signed_in() -> (TestServer, Admin, PortalUser) {
    admin_signed_in_with(|_| {}).await
}

/// [`admin_signed_in`] on a server whose configuration `edit` changes.
pub async fn admin_signed_in_with(
    edit: impl FnOnce(&mut tarn::config::Config),
) -> (TestServer, Admin, PortalUser) {
    let (srv, admin) = TestServer::start_with(edit).await;
    let user = PortalUser::new(&srv);
    let done = user.set_up(ADMIN_EMAIL, PASSWORD, ADMIN_TOKEN).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let first = user.sign_in(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    (srv, admin, user)
}

/// Makes `email` a user of the Administrators pool through the admin API, in `group` when given; returns its id.
pub async fn pool_user(admin: &Admin, email: &str, group: Option<&str>) -> String {
    let (status, user) = admin
        .post(
            "/admin/pools/administrators/users",
            json!({"email": email, "mode": "set_credentials", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    if let Some(group) = group {
        let path = format!("/admin/pools/administrators/groups/{group}/users/{id}");
        let (status, body) = admin.put(&path).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    id
}

/// The elements matching `selector`, as text.
pub fn texts(page: &Page, selector: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}
