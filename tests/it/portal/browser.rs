//! The portal in real headless Chromium, with and without JavaScript, through its pages only: set up Tarn on the
//! web, sign in through the hosted login page, create a pool, a user with Set credentials and one by invitation
//! (accepted from the mail the in-test SMTP server took), a group and a nested group, assign both users, create a
//! workspace, connect the pool, create an application; then the user signs in to that application (the
//! `openidconnect` crate as relying party) and the ID token's `groups` holds both groups. No page may log a CSP
//! violation to the console. With JavaScript on, axe-core checks every main page (no serious or critical
//! violation): its file is installed by `.ci/run` into `target/axe`, since nothing downloads at test time.

use std::path::PathBuf;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use serde_json::Value;

use super::{ADMIN_EMAIL, PASSWORD};
use crate::notify::servers::{SmtpServer, invitation_link};
use crate::support::chromium::Chromium;
use crate::support::oidc::{Rp, jwt_claims, rp_http};
use crate::support::receiver::Receiver;
use crate::support::{ADMIN_TOKEN, TestServer};

const PORTAL: &str = "/admin/-/tenants/default";
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";

/// The portal pages of what the flow created (absolute URLs), for the CSP and axe-core sweeps.
struct Made {
    pool: String,
    user: String,
    group: String,
    workspace: String,
}

/// The whole creation flow, then the application sign-in; returns the pages the flow created.
async fn create_everything_and_sign_in(
    chromium: &Chromium,
    srv: &TestServer,
    smtp: &SmtpServer,
) -> Made {
    let public = srv.state.config.public_url().to_owned();
    set_up_and_sign_in(chromium, &public).await;
    let pool = create_pool(chromium).await;
    let user = create_user_with_credentials(chromium, &pool).await;
    invite_and_accept(chromium, &pool, smtp).await;
    let top = create_group(chromium, &format!("{pool}/groups/new"), "staff").await;
    let nested = create_sub_group(chromium, &top, "eu-staff").await;
    assign(chromium, &nested, ADA, "eu-staff").await;
    assign(chromium, &top, BOB, "staff").await;
    members_including_sub_groups_are_both(chromium, &top).await;
    let workspace = create_workspace_and_connect(chromium, &public).await;
    // The relying party's loopback end: it answers the browser's GET (with an empty 415), and the code is read
    // from the browser's URL.
    let rp = Receiver::start().await;
    let redirect = rp.url.replace("/backchannel-logout", "/callback");
    let (client_id, secret) = create_application(chromium, &workspace, &redirect).await;
    let issuer = format!("{public}/default/shop");
    let groups =
        sign_in_to_the_application(chromium, &issuer, &client_id, &secret, &redirect).await;
    assert_eq!(
        groups,
        ["eu-staff", "staff"],
        "the nested group and its parent"
    );
    Made {
        pool,
        user,
        group: nested,
        workspace,
    }
}

async fn set_up_and_sign_in(chromium: &Chromium, public: &str) {
    chromium.goto(&format!("{public}/admin")).await;
    chromium.fill("#admin_token", ADMIN_TOKEN).await;
    chromium.fill("#identifier", ADMIN_EMAIL).await;
    chromium.fill("#new_password", PASSWORD).await;
    chromium.click("form button[type=submit]").await;
    // The setup page leads to the hosted login page of the built-in workspace.
    chromium
        .wait_for_url(&format!("{public}/admin/admin/login"))
        .await;
    sign_in_with_password(chromium, ADMIN_EMAIL, &format!("{public}/admin/-/tenants")).await;
    chromium.wait_for_text("h1", "Tenants").await;
}

/// Fills the hosted login page and waits for `to` (past the passkey suggestion).
async fn sign_in_with_password(chromium: &Chromium, email: &str, to: &str) {
    chromium.fill("#identifier", email).await;
    chromium.fill("#password", PASSWORD).await;
    chromium.click("button[value=password]").await;
    past_the_passkey_suggestion(chromium, to).await;
}

/// After the password: `to`, or first the suggestion to add a passkey (offered where the pool allows passkeys),
/// which is declined. Waits for one of the two rather than reading the page at once: the click may return while
/// the login page is still shown.
async fn past_the_passkey_suggestion(chromium: &Chromium, to: &str) {
    for _ in 0..200 {
        if chromium.current_url().await.as_str().starts_with(to) {
            return;
        }
        if chromium.text_now("h1").await.as_deref() == Some("Sign in faster next time") {
            chromium.click("button.secondary").await;
            chromium.wait_for_url(to).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "neither {to} nor the passkey suggestion: at {}",
        chromium.current_url().await
    );
}

/// Submits the page's main form and waits for the flash message `flash`; the URL it led to.
async fn submit(chromium: &Chromium, flash: &str) -> String {
    chromium.click("form.stack button[type=submit]").await;
    chromium.wait_for_text("[role=status]", flash).await;
    chromium.current_url().await.to_string()
}

/// Identity Pools › Create New; returns the pool's page, after checking its row in the list.
async fn create_pool(chromium: &Chromium) -> String {
    chromium.click(&format!("a[href$='{PORTAL}/pools']")).await;
    chromium.click("a[href$='/pools/new']").await;
    chromium.fill("#name", "Customers").await;
    chromium.fill("#tag_color", "#1F6FEB").await;
    chromium.click("#method_passkey").await;
    let pool = submit(chromium, "Created the pool Customers.").await;
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
    pool
}

/// Users › Create User with the mode `mode` (and the password with Set credentials), from the pool's page.
async fn fill_create_user(chromium: &Chromium, pool: &str, email: &str, mode: &str) {
    chromium.goto(pool).await;
    chromium.click("nav.tabs a[href$='/users']").await;
    chromium.click("a[href$='/users/new']").await;
    chromium.fill("#email", email).await;
    chromium.click(&format!("#mode-{mode}")).await;
}

/// Creates ada with **Set credentials**; returns her page.
async fn create_user_with_credentials(chromium: &Chromium, pool: &str) -> String {
    fill_create_user(chromium, pool, ADA, "set_credentials").await;
    chromium.fill("#password", PASSWORD).await;
    submit(chromium, &format!("Created {ADA}.")).await
}

/// Creates bob with **Send invitation**, and accepts the mailed invitation in the browser with a password.
async fn invite_and_accept(chromium: &Chromium, pool: &str, smtp: &SmtpServer) {
    fill_create_user(chromium, pool, BOB, "invite").await;
    submit(chromium, &format!("Created {BOB} and sent the invitation.")).await;
    let mails = smtp.wait_for(1).await;
    let mail = mails
        .iter()
        .find(|m| m.to == [BOB])
        .expect("bob's invitation");
    chromium.goto(&invitation_link(&mail.data)).await;
    chromium.wait_for_text("h1", "Set up your account").await;
    chromium.fill("#new_password", PASSWORD).await;
    chromium
        .click("form:has(#new_password) button[type=submit]")
        .await;
    chromium.wait_for_text("h1", "Your account is ready").await;
}

/// Create Group at `form` (the parent chosen by the link that led there, if any); returns the group's page.
async fn create_group(chromium: &Chromium, form: &str, name: &str) -> String {
    chromium.goto(form).await;
    chromium.fill("#name", name).await;
    submit(chromium, &format!("Created {name}.")).await
}

/// Creates a group through the "Create a sub-group" link of the group at `parent`, checking the parent it
/// preselects; returns the new group's page.
async fn create_sub_group(chromium: &Chromium, parent: &str, name: &str) -> String {
    chromium.goto(parent).await;
    chromium.click("a[href*='/groups/new?parent=']").await;
    let parent_id = parent.rsplit('/').next().unwrap();
    assert_eq!(chromium.value("#parent_id").await, parent_id);
    chromium.fill("#name", name).await;
    submit(chromium, &format!("Created {name}.")).await
}

/// Assign Users on the group at `group`: searches for `email`, checks the one user found, assigns.
async fn assign(chromium: &Chromium, group: &str, email: &str, name: &str) {
    chromium.goto(group).await;
    chromium.click("a[href$='/assign']").await;
    chromium.fill("#q", email).await;
    chromium
        .click("form[role=search] button[type=submit]")
        .await;
    chromium.wait_for_url(&format!("{group}/assign?q=")).await;
    let found = chromium.wait_for("#user_ids").await.text().await.unwrap();
    assert!(
        found.contains(email) && found.contains("1 matching"),
        "{found}"
    );
    chromium.click("input[name=user_ids]").await;
    submit(chromium, &format!("Assigned 1 user to {name}.")).await;
}

/// The top group's members including sub-groups: bob directly, ada through eu-staff.
async fn members_including_sub_groups_are_both(chromium: &Chromium, top: &str) {
    chromium.goto(&format!("{top}?members=all")).await;
    let members = chromium
        .wait_for("main table tbody")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        members.contains(ADA) && members.contains("eu-staff") && members.contains(BOB),
        "{members}"
    );
}

/// Creates the workspace `shop` and connects Customers on its Identity Providers tab; returns its page.
async fn create_workspace_and_connect(chromium: &Chromium, public: &str) -> String {
    chromium.goto(&format!("{public}{PORTAL}/workspaces")).await;
    chromium.click("a[href$='/workspaces/-/new']").await;
    chromium.fill("#id", "shop").await;
    chromium.fill("#name", "Shop").await;
    let workspace = submit(chromium, "Created the workspace Shop.").await;
    chromium.click("nav.tabs a[href$='/idps']").await;
    chromium.select("#pool_id", "Customers").await;
    submit(
        chromium,
        "Connected Customers: its users can now sign in here.",
    )
    .await;
    workspace
}

/// Applications › Create application: a confidential client (the form's defaults: client secret, code grant,
/// every scope) redirecting to `redirect`; returns its id and the secret read from the one-time page.
async fn create_application(
    chromium: &Chromium,
    workspace: &str,
    redirect: &str,
) -> (String, String) {
    chromium.goto(workspace).await;
    chromium.click("nav.tabs a[href$='/applications']").await;
    chromium.click("a[href$='/applications/new']").await;
    chromium.fill("#client_name", "Shop").await;
    chromium.fill("#redirect_uris", redirect).await;
    submit(chromium, "Created the application Shop.").await;
    let secret = chromium.value("#client_secret").await;
    let client_id = chromium
        .wait_for("dl.facts dd code")
        .await
        .text()
        .await
        .unwrap();
    assert!(!secret.is_empty() && !client_id.is_empty());
    (client_id, secret)
}

/// Ada signs in to the application: the `openidconnect` client builds the authorization URL (code, PKCE, state,
/// nonce, scope `groups`), Chromium follows it through the hosted login page to `redirect`, and the code read
/// from the browser's URL is exchanged by the client, which verifies the ID token. Its `groups`, sorted.
async fn sign_in_to_the_application(
    chromium: &Chromium,
    issuer: &str,
    client_id: &str,
    secret: &str,
    redirect: &str,
) -> Vec<String> {
    let (client, http) = discovered_rp(issuer, client_id, secret, redirect).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .set_pkce_challenge(challenge)
        .url();
    chromium.goto(url.as_str()).await;
    chromium.wait_for_url(&format!("{issuer}/login")).await;
    sign_in_with_password(chromium, ADA, redirect).await;
    let code = code_at(&chromium.current_url().await, state.secret());
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the token exchange");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("a valid ID token");
    assert_eq!(claims.email().map(|e| e.as_str()), Some(ADA));
    groups_in(&id_token.to_string())
}

/// The `openidconnect` client of the application, from the issuer's discovery document.
async fn discovered_rp(
    issuer: &str,
    client_id: &str,
    secret: &str,
    redirect: &str,
) -> (Rp, openidconnect::reqwest::Client) {
    let http = rp_http();
    let issuer_url = IssuerUrl::new(issuer.to_owned()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer_url, &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.to_owned()),
        Some(ClientSecret::new(secret.to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).unwrap());
    (client, http)
}

/// The code in the redirect the browser followed, after checking its `state`.
fn code_at(back: &url::Url, state: &str) -> String {
    let param = |name: &str| {
        back.query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some(state), "{back}");
    param("code").unwrap_or_else(|| panic!("no code in {back}"))
}

/// The `groups` claim of a (verified) ID token, sorted.
fn groups_in(id_token: &str) -> Vec<String> {
    let mut groups: Vec<String> = jwt_claims(id_token)["groups"]
        .as_array()
        .expect("a groups claim")
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect();
    groups.sort_unstable();
    groups
}

/// The main portal pages: every list, tab and kind of object page.
fn main_pages(public: &str, made: &Made) -> Vec<String> {
    let tenant = format!("{public}{PORTAL}");
    let ws = &made.workspace;
    vec![
        format!("{public}/admin/-/tenants"),
        format!("{tenant}/pools"),
        format!("{tenant}/pools/new"),
        format!("{}/users", made.pool),
        format!("{}/users/new", made.pool),
        format!("{}/groups", made.pool),
        format!("{}/groups/new", made.pool),
        made.pool.clone(),
        made.user.clone(),
        made.group.clone(),
        format!("{}/assign", made.group),
        format!("{tenant}/workspaces"),
        format!("{ws}/idps"),
        format!("{ws}/applications"),
        format!("{ws}/applications/new"),
        format!("{ws}/keys"),
        format!("{tenant}/schemas"),
        format!("{tenant}/audit"),
        format!("{tenant}/outbox"),
    ]
}

/// The console messages that report a CSP violation.
async fn csp_violations(chromium: &Chromium) -> Vec<String> {
    let messages = chromium.console_messages().await;
    messages
        .into_iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect()
}

/// Visits every page in `pages`; fails on any CSP violation logged there, or logged before since the last check.
async fn no_csp_violation_on(chromium: &Chromium, pages: &[String]) {
    let before = csp_violations(chromium).await;
    assert!(before.is_empty(), "since the last check: {before:#?}");
    for page in pages {
        chromium.goto(page).await;
        let found = csp_violations(chromium).await;
        assert!(found.is_empty(), "{page}: {found:#?}");
    }
}

/// The console check sees a violation when there is one: a script element with inline code, added to the page
/// (WebDriver's own scripts are exempt from the CSP, what they add to the page is not).
async fn an_inline_script_is_caught(chromium: &Chromium) {
    let script = "var s = document.createElement('script'); s.textContent = '1'; document.body.appendChild(s);";
    chromium.execute(script, vec![]).await;
    assert!(
        !csp_violations(chromium).await.is_empty(),
        "the portal's CSP let an inline script run, or the console check is blind"
    );
}

/// axe-core's `axe.min.js` as `.ci/run` installs it, or `None` (the check skipped, saying so) when it is missing
/// and not required.
fn axe_source() -> Option<String> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "target/axe/node_modules/axe-core/axe.min.js",
    ]
    .iter()
    .collect();
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            let required = std::env::var("TARN_TEST_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
            let install = "run .ci/run, which installs it with npm";
            assert!(
                !required,
                "TARN_TEST_REQUIRE_CHROMIUM=1 but {} is unreadable ({e}): {install}",
                path.display()
            );
            eprintln!(
                "axe-core check skipped: {} is unreadable ({e}): {install}",
                path.display()
            );
            None
        }
    }
}

/// Runs axe-core on the page; its serious and critical violations, one line each: rule, target, page.
async fn serious_violations(chromium: &Chromium, axe: &str, page: &str) -> Vec<String> {
    chromium.execute(axe, vec![]).await;
    // Every rule axe runs by default, plus WCAG 2.2's target size (24 px, which the portal promises), off by
    // default in axe 4.10.
    let run = "const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}})
            .then(r => done(r.violations), e => done({error: String(e)}));";
    let violations = chromium.execute_async(run, vec![]).await;
    let Value::Array(violations) = violations else {
        panic!("axe-core failed on {page}: {violations}");
    };
    let mut found = Vec::new();
    for v in violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
    {
        for node in v["nodes"].as_array().into_iter().flatten() {
            found.push(format!(
                "{} ({}) at {} on {page}: {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                node["target"],
                node["failureSummary"].as_str().unwrap_or_default(),
            ));
        }
    }
    found
}

/// axe-core on every main page: no serious or critical violation anywhere (all listed at once).
async fn no_serious_axe_violation_on(chromium: &Chromium, axe: &str, pages: &[String]) {
    let mut found = Vec::new();
    for page in pages {
        chromium.goto(page).await;
        found.extend(serious_violations(chromium, axe, page).await);
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The Create forms submitted empty: refused (422) with the error summary and the messages at the fields; axe-core
/// on each of those pages.
async fn no_serious_axe_violation_on_refused_forms(
    chromium: &Chromium,
    axe: &str,
    public: &str,
    made: &Made,
) {
    let tenant = format!("{public}{PORTAL}");
    let forms = [
        format!("{tenant}/pools/new"),
        format!("{}/users/new", made.pool),
        format!("{}/groups/new", made.pool),
        format!("{tenant}/workspaces/-/new"),
    ];
    let mut found = Vec::new();
    for form in &forms {
        chromium.goto(form).await;
        chromium.click("form.stack button[type=submit]").await;
        chromium.wait_for(".error-summary").await;
        found.extend(serious_violations(chromium, axe, &format!("{form} (refused)")).await);
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// No page scrolls sideways at the window's width (the content reflows instead).
async fn no_horizontal_scrolling_on(chromium: &Chromium, pages: &[String]) {
    let widths = "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];";
    let mut wide = Vec::new();
    for page in pages {
        chromium.goto(page).await;
        let w = chromium.execute(widths, vec![]).await;
        if w[0].as_u64() > w[1].as_u64() {
            wide.push(format!("{page}: {} px wide in {} px", w[0], w[1]));
        }
    }
    assert!(wide.is_empty(), "{}", wide.join("\n"));
}

/// The axe check sees a violation when there is one: an input without a label, added to the page.
async fn an_unlabelled_input_is_caught(chromium: &Chromium, axe: &str) {
    let add = "document.querySelector('main').appendChild(document.createElement('input'));";
    chromium.execute(add, vec![]).await;
    let page = chromium.current_url().await.to_string();
    let found = serious_violations(chromium, axe, &page).await;
    assert!(
        found.iter().any(|v| v.starts_with("label (critical)")),
        "axe-core missed an unlabelled input: {found:?}"
    );
}

async fn start_server_with_smtp() -> (TestServer, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url.clone();
    let (srv, _) = TestServer::start_with(|c| c.smtp_url = Some(url)).await;
    (srv, smtp)
}

#[actix_web::test]
async fn chromium_creates_everything_the_user_signs_in_and_every_main_page_passes_axe() {
    let (srv, smtp) = start_server_with_smtp().await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let axe = axe_source();
    let made = create_everything_and_sign_in(&chromium, &srv, &smtp).await;
    let public = srv.state.config.public_url();
    let pages = main_pages(public, &made);
    no_csp_violation_on(&chromium, &pages).await;
    an_inline_script_is_caught(&chromium).await;
    if let Some(axe) = &axe {
        no_serious_axe_violation_on(&chromium, axe, &pages).await;
        no_serious_axe_violation_on_refused_forms(&chromium, axe, public, &made).await;
    }
    // Again at 320 px wide, where the layout must reflow (WCAG 1.4.10), and sizes and contrast still hold.
    chromium.set_window_size(320, 800).await;
    no_horizontal_scrolling_on(&chromium, &pages).await;
    if let Some(axe) = &axe {
        no_serious_axe_violation_on(&chromium, axe, &pages).await;
    }
    no_csp_violation_on(&chromium, &[]).await;
    if let Some(axe) = &axe {
        an_unlabelled_input_is_caught(&chromium, axe).await;
    }
    chromium.close().await;
}

#[actix_web::test]
async fn chromium_does_the_same_with_javascript_switched_off() {
    let (srv, smtp) = start_server_with_smtp().await;
    let Some(chromium) = Chromium::start_without_javascript().await else {
        return;
    };
    let made = create_everything_and_sign_in(&chromium, &srv, &smtp).await;
    let pages = main_pages(srv.state.config.public_url(), &made);
    no_csp_violation_on(&chromium, &pages).await;
    chromium.close().await;
}
