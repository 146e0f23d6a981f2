//! A pool's Users tab: the list with its search and filters and exact total, Create User with Send invitation and
//! Set credentials (refusals at their fields, the input kept, never the password), a user's page with groups
//! inherited through sub-groups, deactivation and activation, resending an invitation, deletion, auditors
//! refused, another pool's users not found.

use reqwest::StatusCode;
use serde_json::json;

use super::{PASSWORD, PortalUser, admin_signed_in, admin_signed_in_with, pool_user, texts};
use crate::notify::servers::SmtpServer;

fn users_of(pool: &str) -> String {
    format!("/admin/-/tenants/default/pools/{pool}/users")
}

async fn create_user(
    user: &PortalUser,
    pool: &str,
    fields: &[(&str, &str)],
) -> crate::support::browser::Page {
    let form = user.get(&format!("{}/new", users_of(pool))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(texts(&form, "h1"), ["Create User"]);
    user.post(&users_of(pool), &form, fields).await
}

#[actix_web::test]
async fn the_users_list_searches_filters_and_counts() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let empty = user.get(&users_of(&pool)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("This pool has no users yet"));
    admin.create_user(&pool, "ada@example.com").await;
    admin.create_user(&pool, "grace@example.com").await;
    let (status, _) = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "invited@example.com", "mode": "invite"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let all = user.get(&users_of(&pool)).await;
    assert_eq!(
        texts(&all, "tbody th"),
        [
            "ada@example.com",
            "grace@example.com",
            "invited@example.com"
        ]
    );
    assert_eq!(texts(&all, "caption"), ["Users of Customers: 3 in all"]);
    assert_eq!(
        texts(&all, "title"),
        ["Users — Customers — Identity Pools — default — Tarn"]
    );
    assert_eq!(
        texts(&all, "nav[aria-label=Breadcrumb] a")
            .last()
            .map(String::as_str),
        Some("Users")
    );

    let found = user
        .get(&format!("{}?q=gra&status=&invitation=", users_of(&pool)))
        .await;
    assert_eq!(texts(&found, "tbody th"), ["grace@example.com"]);
    assert_eq!(texts(&found, "caption"), ["Users of Customers: 1 matching"]);
    assert_eq!(
        found.input("q").as_deref(),
        Some("gra"),
        "the search box keeps its text"
    );
    let invited = user
        .get(&format!("{}?status=invited", users_of(&pool)))
        .await;
    assert_eq!(texts(&invited, "tbody th"), ["invited@example.com"]);
    // The first column holds the bulk checkbox.
    assert_eq!(texts(&invited, "tbody td:nth-child(4)"), ["Invited"]);
    let none = user.get(&format!("{}?q=nobody", users_of(&pool))).await;
    assert!(none.body.contains("No user matches these filters."));
    let bad = user
        .get(&format!("{}?status=sleeping", users_of(&pool)))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}

#[actix_web::test]
async fn create_user_sets_credentials_or_sends_an_invitation() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let made = create_user(
        &user,
        &pool,
        &[
            ("email", "Ada@Example.com"),
            ("payload.given_name", "Ada"),
            ("payload.family_name", "Lovelace"),
            ("mode", "set_credentials"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = user.browser.get(made.location.as_deref().unwrap()).await;
    assert_eq!(texts(&page, "[role=status]"), ["Created ada@example.com."]);
    assert_eq!(texts(&page, "h1"), ["ada@example.com"]);
    assert!(texts(&page, "dd").contains(&"Ada Lovelace".to_owned()));
    assert!(texts(&page, "dd").contains(&"Active".to_owned()));
    // What the admin API shows of the same user: the same domain call made it.
    let (_, users) = admin.get(&format!("/default/pools/{pool}/users")).await;
    assert_eq!(users["items"][0]["email"], "ada@example.com");
    assert_eq!(
        users["items"][0]["payload"],
        json!({"given_name": "Ada", "family_name": "Lovelace"})
    );
    assert_eq!(users["items"][0]["password_set"], true);

    let invited = create_user(
        &user,
        &pool,
        &[("email", "bob@example.com"), ("mode", "invite")],
    )
    .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let page = user.browser.get(invited.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&page, "[role=status]"),
        ["Created bob@example.com and sent the invitation."]
    );
    assert!(
        texts(&page, "dd")
            .iter()
            .any(|d| d.starts_with("Pending (sent "))
    );
    assert_eq!(
        texts(&page, "form button"),
        [
            "Sign out",
            "Resend invitation",
            "Revoke invitation",
            "Send email verification link",
            "Deactivate"
        ]
    );
}

#[actix_web::test]
async fn create_user_refusals_keep_the_input_and_never_the_password() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    admin.create_user(&pool, "taken@example.com").await;
    let short = create_user(
        &user,
        &pool,
        &[
            ("email", "new@example.com"),
            ("mode", "set_credentials"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    assert_eq!(short.input("email").as_deref(), Some("new@example.com"));
    assert_eq!(
        short.input("password").as_deref(),
        Some(""),
        "a refused password is not sent back"
    );
    assert_eq!(
        short.attr("#password", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(texts(&short, "title")[0].starts_with("Error: "));
    let dup = create_user(
        &user,
        &pool,
        &[
            ("email", "taken@example.com"),
            ("mode", "set_credentials"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(dup.attr("#email", "aria-invalid").as_deref(), Some("true"));
    let nobody = create_user(&user, &pool, &[("mode", "invite")]).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !texts(&nobody, "#email-error").is_empty(),
        "{}",
        nobody.body
    );
    let no_mode = create_user(&user, &pool, &[("email", "x@example.com")]).await;
    assert_eq!(no_mode.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&no_mode, "#mode-error"),
        ["Choose how the user gets their credentials"]
    );
    let (_, users) = admin.get(&format!("/default/pools/{pool}/users")).await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        1,
        "nothing refused was created"
    );
}

#[actix_web::test]
async fn a_users_page_shows_inherited_groups_and_deactivates_and_activates() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Staff").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu-staff", Some(&staff)).await;
    let (status, _) = admin
        .put(&format!("/default/pools/{pool}/groups/{eu}/users/{ada}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let path = format!("{}/{ada}", users_of(&pool));
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        texts(&page, "main li"),
        ["eu-staff", "staff (inherited through staff › eu-staff)"]
    );

    let off = user
        .post(&format!("{path}/status"), &page, &[("status", "inactive")])
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let (_, found) = admin
        .get(&format!("/default/pools/{pool}/users/{ada}"))
        .await;
    assert_eq!(found["status"], "inactive");
    let page = user.browser.get(off.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&page, "[role=status]"),
        ["Deactivated ada@example.com."]
    );
    let on = user
        .post(&format!("{path}/status"), &page, &[("status", "active")])
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let (_, found) = admin
        .get(&format!("/default/pools/{pool}/users/{ada}"))
        .await;
    assert_eq!(found["status"], "active");
    let odd = user
        .post(&format!("{path}/status"), &page, &[("status", "invited")])
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn invitations_are_resent_and_users_deleted_after_a_confirmation() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let (_, bob) = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "bob@example.com", "mode": "invite"}),
        )
        .await;
    let bob = bob["id"].as_str().unwrap().to_owned();
    let path = format!("{}/{bob}", users_of(&pool));
    let (_, first) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}/invitation"))
        .await;
    let page = user.get(&path).await;
    let resent = user.post(&format!("{path}/invitation"), &page, &[]).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    let (_, latest) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}/invitation"))
        .await;
    assert_ne!(first["id"], latest["id"], "a new invitation was sent");

    let confirm = user.get(&format!("{path}/delete")).await;
    assert_eq!(texts(&confirm, "h1"), ["Delete bob@example.com?"]);
    let gone = user.post(&format!("{path}/delete"), &confirm, &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    let (status, _) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(user.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn auditors_read_users_and_change_nothing_and_pools_keep_their_users_apart() {
    let (srv, admin, _) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let other = admin.create_pool("Partners").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", PASSWORD).await;
    let path = format!("{}/{ada}", users_of(&pool));
    let page = auditor.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        texts(&page, "form button").iter().all(|b| b == "Sign out"),
        "no action offered"
    );
    for (to, form) in [
        (format!("{path}/status"), vec![("status", "inactive")]),
        (format!("{path}/delete"), vec![]),
        (
            users_of(&pool),
            vec![("email", "x@example.com"), ("mode", "invite")],
        ),
    ] {
        let res = auditor.post(&to, &page, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{to}");
    }
    let (_, found) = admin
        .get(&format!("/default/pools/{pool}/users/{ada}"))
        .await;
    assert_eq!(found["status"], "active");
    let elsewhere = auditor.get(&format!("{}/{ada}", users_of(&other))).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_invitation_the_mail_server_refuses_says_so_and_creates_nobody() {
    let smtp = SmtpServer::start_refusing_recipients().await;
    let smtp_url = smtp.url.clone();
    let (_srv, admin, user) = admin_signed_in_with(|c| c.smtp_url = Some(smtp_url)).await;
    let pool = admin.create_pool("Customers").await;
    let refused = create_user(
        &user,
        &pool,
        &[("email", "bob@example.com"), ("mode", "invite")],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(texts(&refused, "h1"), ["The message could not be sent"]);
    assert!(
        refused
            .body
            .contains("The invitation could not be sent; nothing was created."),
        "{}",
        refused.body
    );
    assert_eq!(smtp.refused(), 1);
    assert!(
        admin
            .items(&format!("/default/pools/{pool}/users"))
            .await
            .is_empty()
    );
}
