//! A user's page beyond the basics: Create User and Edit user data from the pool's schema (refusals at their
//! field, the input kept), a double-submitted Create User sending one invitation, passkeys listed and removed
//! (and no longer signing in), the invitation revoked, a forced password reset (the old password refused), a
//! verification link sent, the claim preview per workspace; auditors refused on every action, CSRF checked,
//! another pool's or tenant's user not found.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{PortalUser, admin_signed_in, pool_user, texts};
use crate::pages::passkey::{assert_refused, sign_in, with_passkey};
use crate::support::Admin;
use crate::support::browser::Page;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup};

fn users_of(pool: &str) -> String {
    format!("/admin/-/tenants/default/pools/{pool}/users")
}

/// A pool whose user schema requires an employee number and knows a team.
async fn staff_pool(admin: &Admin) -> String {
    let schema = admin
        .create_schema(
            "staff",
            json!({"type": "object", "required": ["employee_no"], "additionalProperties": false,
            "properties": {
                "employee_no": {"type": "integer", "title": "Employee number"},
                "team": {"type": "string", "title": "Team", "enum": ["red", "blue"]},
                "nickname": {"type": "string", "title": "Nickname", "maxLength": 8},
                "tags": {"type": "array"},
            }}),
        )
        .await;
    let (status, pool) = admin
        .post(
            "/default/pools",
            json!({"name": "Staff", "payload_schema_id": schema}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pool}");
    pool["id"].as_str().unwrap().to_owned()
}

fn outbox_to(items: &[Value], to: &str) -> usize {
    items.iter().filter(|m| m["recipient"] == to).count()
}

#[actix_web::test]
async fn create_user_draws_the_schema_and_shows_its_refusals_at_the_field() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = staff_pool(&admin).await;
    let form = user.get(&format!("{}/new", users_of(&pool))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let labels = texts(&form, "fieldset#payload label");
    assert!(
        labels.contains(&"Employee number (required)".to_owned()),
        "{labels:?}"
    );
    assert_eq!(
        form.input_type("payload.employee_no").as_deref(),
        Some("number")
    );
    assert_eq!(
        form.attr("[id=\"payload.employee_no\"]", "required")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        form.attr("[id=\"payload.nickname\"]", "maxlength")
            .as_deref(),
        Some("8")
    );
    assert_eq!(
        texts(&form, "select[name=\"payload.team\"] option"),
        ["None", "red", "blue"]
    );
    assert_eq!(texts(&form, "fieldset#mode legend"), ["Mode"]);
    assert!(form.input("payload.tags").is_none(), "arrays are not drawn");

    let missing = user
        .post(
            &users_of(&pool),
            &form,
            &[
                ("email", "eve@example.com"),
                ("payload.team", "red"),
                ("mode", "invite"),
            ],
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    assert!(texts(&missing, "title")[0].starts_with("Error: "));
    assert_eq!(
        missing
            .attr("[id=\"payload.employee_no\"]", "aria-invalid")
            .as_deref(),
        Some("true"),
        "{}",
        missing.body
    );
    assert_eq!(
        missing.attr(".error-summary a", "href").as_deref(),
        Some("#payload.employee_no")
    );
    assert_eq!(missing.input("email").as_deref(), Some("eve@example.com"));
    assert_eq!(
        missing.attr("option[value=red]", "selected").as_deref(),
        Some(""),
        "the choice is kept"
    );
    let not_a_number = user
        .post(
            &users_of(&pool),
            &form,
            &[
                ("email", "eve@example.com"),
                ("payload.employee_no", "seven"),
                ("mode", "invite"),
            ],
        )
        .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&not_a_number, "[id=\"payload.employee_no-error\"]"),
        ["must be a whole number"]
    );
    assert_eq!(
        not_a_number.input("payload.employee_no").as_deref(),
        Some("seven")
    );

    let made = user
        .post(
            &users_of(&pool),
            &form,
            &[
                ("email", "eve@example.com"),
                ("payload.employee_no", "7"),
                ("payload.team", "blue"),
                ("mode", "invite"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let found = admin.items(&format!("/default/pools/{pool}/users")).await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0]["payload"],
        json!({"employee_no": 7, "team": "blue"})
    );
    assert_eq!(found[0]["status"], "invited");
}

#[actix_web::test]
async fn a_double_submitted_create_user_sends_one_invitation() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let form = user.get(&format!("{}/new", users_of(&pool))).await;
    let fields = [("email", "twice@example.com"), ("mode", "invite")];
    let first = user.post(&users_of(&pool), &form, &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = user.post(&users_of(&pool), &form, &fields).await;
    assert_eq!(
        second.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        second.body
    );
    assert_eq!(
        second.attr("#email", "aria-invalid").as_deref(),
        Some("true")
    );
    let outbox = admin.items("/default/outbox").await;
    assert_eq!(outbox_to(&outbox, "twice@example.com"), 1, "{outbox:?}");
    let found = admin.items(&format!("/default/pools/{pool}/users")).await;
    assert_eq!(found.len(), 1);
}

#[actix_web::test]
async fn user_data_and_metadata_are_edited_through_the_schema_and_the_rest_is_kept() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = staff_pool(&admin).await;
    let (status, made) = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "sam@example.com", "mode": "invite",
                "payload": {"employee_no": 1, "tags": ["a"]}, "metadata": {"plan": "pro"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let sam = made["id"].as_str().unwrap();
    let edit = format!("{}/{sam}/edit", users_of(&pool));
    let form = user.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.input("payload.employee_no").as_deref(), Some("1"));
    assert!(texts(&form, "textarea#metadata")[0].contains("\"plan\": \"pro\""));

    let bad = user
        .post(
            &edit,
            &form,
            &[
                ("payload.employee_no", "2"),
                ("payload.nickname", "far too long"),
                ("metadata", "{}"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.attr("[id=\"payload.nickname\"]", "aria-invalid")
            .as_deref(),
        Some("true"),
        "{}",
        bad.body
    );
    assert_eq!(
        bad.input("payload.nickname").as_deref(),
        Some("far too long")
    );
    let not_json = user
        .post(
            &edit,
            &form,
            &[("payload.employee_no", "2"), ("metadata", "[1]")],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        not_json.attr("#metadata", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(texts(&not_json, "textarea#metadata"), ["[1]"]);

    let saved = user
        .post(
            &edit,
            &form,
            &[
                ("payload.employee_no", "2"),
                ("payload.team", "red"),
                ("metadata", "{\"plan\": \"free\"}"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, found) = admin
        .get(&format!("/default/pools/{pool}/users/{sam}"))
        .await;
    assert_eq!(
        found["payload"],
        json!({"employee_no": 2, "team": "red", "tags": ["a"]}),
        "what the form cannot show is kept"
    );
    assert_eq!(found["metadata"], json!({"plan": "free"}));
    let page = user.browser.get(saved.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&page, "[role=status]"),
        ["Saved the user data of sam@example.com."]
    );
    assert!(texts(&page, "dd").contains(&"red".to_owned()));
}

/// The user page of Alice, as `user` sees it.
async fn alices_page(user: &PortalUser, setup: &Setup) -> (String, Page) {
    let path = format!("{}/{}", users_of(&setup.pool), setup.user);
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (path, page)
}

#[actix_web::test]
async fn a_removed_passkey_is_gone_from_the_page_and_no_longer_signs_in() {
    let (srv, admin, user) = admin_signed_in().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let (path, page) = alices_page(&user, &setup).await;
    assert_eq!(texts(&page, "caption"), ["Passkeys of this user"]);
    let remove = page
        .attr("form[action*=\"/passkeys/\"]", "action")
        .expect("a Remove button");
    assert!(texts(&page, "form button").contains(&"Remove Passkey 1".to_owned()));
    let removed = user
        .browser
        .post_form(
            &remove,
            &[("csrf_token", &page.input("csrf_token").unwrap())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let listed = admin
        .items(&format!(
            "/default/pools/{}/users/{}/passkeys",
            setup.pool, setup.user
        ))
        .await;
    assert!(listed.is_empty(), "{listed:?}");
    let again = user.get(&path).await;
    assert!(again.body.contains("No passkey."));

    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let refused = sign_in(&browser, &login, &mut authenticator, "").await;
    assert_refused(&refused, "not accepted");
}

#[actix_web::test]
async fn a_forced_password_reset_refuses_the_old_password_and_tells_the_user() {
    let (srv, admin, user) = admin_signed_in().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let (path, page) = alices_page(&user, &setup).await;
    let reset = user
        .post(&format!("{path}/password-reset"), &page, &[])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    let (_, found) = admin
        .get(&format!(
            "/default/pools/{}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    assert_eq!(found["password_set"], false);
    assert_eq!(outbox_to(&admin.items("/default/outbox").await, ALICE), 1);
    let browser = Browser::default();
    let refused = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert!(refused.alert().is_some(), "{}", refused.body);
    let after = user.get(&path).await;
    assert!(
        !texts(&after, "form button").contains(&"Force password reset".to_owned()),
        "no password left to reset"
    );
}

#[actix_web::test]
async fn a_verification_link_is_sent_and_invitations_revoked() {
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
    let page = user.get(&path).await;
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
    let sent = user
        .post(
            &format!("{path}/verification"),
            &page,
            &[("identifier", "email")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let outbox = admin.items("/default/outbox").await;
    assert_eq!(
        outbox_to(&outbox, "bob@example.com"),
        2,
        "the invitation and the link"
    );
    let no_mobile = user
        .post(
            &format!("{path}/verification"),
            &page,
            &[("identifier", "mobile")],
        )
        .await;
    assert_eq!(
        no_mobile.status,
        StatusCode::BAD_REQUEST,
        "{}",
        no_mobile.body
    );

    let revoked = user
        .post(&format!("{path}/invitation/revoke"), &page, &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let (_, invitation) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}/invitation"))
        .await;
    assert_eq!(invitation["status"], "revoked");
    let page = user.get(&path).await;
    assert!(texts(&page, "dd").iter().any(|d| d.starts_with("Revoked")));
    let twice = user
        .post(&format!("{path}/invitation/revoke"), &page, &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
}

#[actix_web::test]
async fn the_claim_preview_shows_each_workspaces_claims_with_their_source() {
    let (srv, admin, user) = admin_signed_in().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let staff = admin.create_group(&setup.pool, "staff", None).await;
    admin
        .put(&format!(
            "/default/pools/{}/groups/{staff}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    let path = format!("{}/{}/claims", users_of(&setup.pool), setup.user);
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(texts(&page, "h1"), [format!("Claim preview of {ALICE}")]);
    assert_eq!(texts(&page, "h2").len(), 1, "one connected workspace");
    let rows = texts(&page, "table:first-of-type tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("iss") && r.contains("Set by Tarn")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("groups")
            && r.contains("[\"staff\"]")
            && r.contains("Group membership")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("email") && r.contains("Email or mobile"))
    );
    let (_, api) = admin
        .get(&format!(
            "/default/pools/{}/users/{}/claims-preview",
            setup.pool, setup.user
        ))
        .await;
    let api_names: Vec<&str> = api[0]["id_token"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let shown = texts(&page, "table:first-of-type tbody th");
    assert_eq!(shown, api_names, "the admin API's preview, claim by claim");
    let narrow = user.get(&format!("{path}?scope=openid")).await;
    assert!(!narrow.body.contains("Group membership"));
    let bad = user.get(&format!("{path}?scope=profile")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn auditors_are_refused_every_action_forged_forms_too_and_other_pools_users_not_found() {
    let (srv, admin, user) = admin_signed_in().await;
    let (setup, _) = with_passkey(&srv, &admin).await;
    let passkey = admin
        .items(&format!(
            "/default/pools/{}/users/{}/passkeys",
            setup.pool, setup.user
        ))
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", super::PASSWORD).await;
    let (path, page) = alices_page(&auditor, &setup).await;
    assert!(
        texts(&page, "form button").iter().all(|b| b == "Sign out"),
        "no action offered"
    );
    let actions: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{path}/passkeys/{passkey}/remove"), vec![]),
        (format!("{path}/invitation/revoke"), vec![]),
        (format!("{path}/password-reset"), vec![]),
        (
            format!("{path}/verification"),
            vec![("identifier", "email")],
        ),
        (format!("{path}/edit"), vec![("metadata", "{}")]),
    ];
    for (to, form) in &actions {
        let res = auditor.post(to, &page, form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{to}");
    }
    // An administrator without the form's token is refused too.
    let (_, admins_page) = alices_page(&user, &setup).await;
    for (to, form) in &actions {
        let mut forged = vec![("csrf_token", "forged")];
        forged.extend_from_slice(form);
        let res = user.browser.post_form(&user.url(to), &forged).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{to}");
    }
    let (_, found) = admin
        .get(&format!(
            "/default/pools/{}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    assert_eq!(found["password_set"], true, "nothing changed");
    assert_eq!(
        admin
            .items(&format!(
                "/default/pools/{}/users/{}/passkeys",
                setup.pool, setup.user
            ))
            .await
            .len(),
        1
    );

    // Alice through another pool, and through another tenant.
    let other = admin.create_pool("Partners").await;
    admin.create_tenant("acme").await;
    let elsewhere = [
        format!("{}/{}", users_of(&other), setup.user),
        format!(
            "/admin/-/tenants/acme/pools/{}/users/{}",
            setup.pool, setup.user
        ),
    ];
    for base in &elsewhere {
        for page in ["", "/edit", "/claims"] {
            let res = user.get(&format!("{base}{page}")).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{base}{page}");
        }
        for (to, form) in &actions {
            let to = to.replacen(&path, base, 1);
            let res = user.post(&to, &admins_page, form).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{to}");
        }
    }
    assert_eq!(
        admin
            .items(&format!(
                "/default/pools/{}/users/{}/passkeys",
                setup.pool, setup.user
            ))
            .await
            .len(),
        1,
        "nothing was removed"
    );
}
