//! Bulk actions in a pool's users list: deactivate (and the user no longer signs in), activate, add to a group,
//! resend invitations, delete after a confirmation naming how many and who; a clear count of what each did;
//! nothing ticked refused with the list kept; auditors see no bulk controls and are refused; another pool's ids
//! refuse the whole request.

use reqwest::StatusCode;
use serde_json::json;

use super::{PortalUser, admin_signed_in, pool_user, texts};
use crate::support::Admin;
use crate::support::browser::Page;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup};

fn users_of(pool: &str) -> String {
    format!("/admin/-/tenants/default/pools/{pool}/users")
}

fn bulk(pool: &str) -> String {
    format!("{}/bulk", users_of(pool))
}

/// Posts the bulk form of `page` for `ids` with `fields`.
async fn apply(
    user: &PortalUser,
    pool: &str,
    page: &Page,
    ids: &[&str],
    fields: &[(&str, &str)],
) -> Page {
    let mut form: Vec<(&str, &str)> = ids.iter().map(|id| ("user_ids", *id)).collect();
    form.extend_from_slice(fields);
    user.post(&bulk(pool), page, &form).await
}

async fn status_of(admin: &Admin, pool: &str, id: &str) -> String {
    let (_, u) = admin
        .get(&format!("/default/pools/{pool}/users/{id}"))
        .await;
    u["status"].as_str().unwrap_or("gone").to_owned()
}

async fn invite(admin: &Admin, pool: &str, email: &str) -> String {
    let (status, u) = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": email, "mode": "invite"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    u["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn bulk_deactivation_counts_what_it_did_and_the_users_cannot_sign_in() {
    let (srv, admin, user) = admin_signed_in().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let pool = setup.pool.clone();
    let bob = admin.create_user(&pool, "bob@example.com").await;
    let carol = admin.create_user(&pool, "carol@example.com").await;
    admin
        .patch(
            &format!("/default/pools/{pool}/users/{carol}"),
            json!({"status": "inactive"}),
        )
        .await;
    let list = user.get(&users_of(&pool)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        texts(&list, "label.visually-hidden")[0],
        format!("Select {ALICE}")
    );
    assert!(texts(&list, "form button").contains(&"Apply to selected".to_owned()));

    let ids = [setup.user.as_str(), bob.as_str(), carol.as_str()];
    let done = apply(&user, &pool, &list, &ids, &[("action", "deactivate")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let back = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&back, "[role=status]"),
        ["2 users deactivated; 1 was already inactive."]
    );
    for id in ids {
        assert_eq!(status_of(&admin, &pool, id).await, "inactive");
    }
    let refused = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert!(refused.alert().is_some(), "{}", refused.body);

    let on = apply(
        &user,
        &pool,
        &back,
        &[&setup.user],
        &[("action", "activate")],
    )
    .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let back = user.browser.get(on.location.as_deref().unwrap()).await;
    assert_eq!(texts(&back, "[role=status]"), ["1 user activated."]);
    assert!(
        !setup.code(&Browser::default(), &[]).await.is_empty(),
        "signs in again"
    );
}

#[actix_web::test]
async fn bulk_group_assignment_and_invitations_say_who_was_already_so() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let bob = invite(&admin, &pool, "bob@example.com").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    admin
        .put(&format!("/default/pools/{pool}/groups/{staff}/users/{ada}"))
        .await;
    let list = user.get(&users_of(&pool)).await;
    let added = apply(
        &user,
        &pool,
        &list,
        &[&ada, &bob],
        &[("action", "assign"), ("group_id", &staff)],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let back = user.browser.get(added.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&back, "[role=status]"),
        ["1 user added to staff; 1 was already in staff."]
    );
    let members = admin
        .items(&format!("/default/pools/{pool}/groups/{staff}/users"))
        .await;
    assert_eq!(members.len(), 2);

    let (_, before) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}/invitation"))
        .await;
    let resent = apply(
        &user,
        &pool,
        &back,
        &[&ada, &bob],
        &[("action", "resend_invitation")],
    )
    .await;
    let back = user.browser.get(resent.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&back, "[role=status]"),
        ["New invitation sent to 1 user; 1 was not waiting for an invitation."]
    );
    let (_, after) = admin
        .get(&format!("/default/pools/{pool}/users/{bob}/invitation"))
        .await;
    assert_ne!(before["id"], after["id"]);

    let invited_on = apply(&user, &pool, &back, &[&bob], &[("action", "activate")]).await;
    let back = user
        .browser
        .get(invited_on.location.as_deref().unwrap())
        .await;
    assert_eq!(
        texts(&back, "[role=status]"),
        [
            "0 users activated; bob@example.com was left as it was: is waiting for their invitation; resend it instead."
        ]
    );
    assert_eq!(status_of(&admin, &pool, &bob).await, "invited");
}

#[actix_web::test]
async fn bulk_delete_asks_first_naming_how_many_and_who() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let bob = admin.create_user(&pool, "bob@example.com").await;
    let keep = admin.create_user(&pool, "keep@example.com").await;
    let list = user.get(&users_of(&pool)).await;
    let confirm = apply(&user, &pool, &list, &[&ada, &bob], &[("action", "delete")]).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert_eq!(texts(&confirm, "h1"), ["Delete 2 users?"]);
    assert_eq!(
        texts(&confirm, "main li"),
        ["ada@example.com", "bob@example.com"]
    );
    assert_eq!(
        status_of(&admin, &pool, &ada).await,
        "active",
        "nothing deleted yet"
    );
    let csrf = confirm.input("csrf_token").unwrap();
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
    form.extend([
        ("action", "delete"),
        ("confirm", "yes"),
        ("user_ids", &ada),
        ("user_ids", &bob),
    ]);
    let gone = user.browser.post_form(&user.url(&bulk(&pool)), &form).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    let back = user.browser.get(gone.location.as_deref().unwrap()).await;
    assert_eq!(texts(&back, "[role=status]"), ["2 users deleted."]);
    assert_eq!(status_of(&admin, &pool, &ada).await, "gone");
    assert_eq!(status_of(&admin, &pool, &bob).await, "gone");
    assert_eq!(status_of(&admin, &pool, &keep).await, "active");
}

#[actix_web::test]
async fn nothing_ticked_or_no_action_is_the_list_again_with_the_ticks_kept() {
    let (_srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let list = user.get(&users_of(&pool)).await;
    let none = apply(&user, &pool, &list, &[], &[("action", "deactivate")]).await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        none.body
    );
    assert_eq!(
        texts(&none, "#user_ids-error"),
        ["Select at least one user"]
    );
    let no_action = apply(&user, &pool, &list, &[&ada], &[("action", "")]).await;
    assert_eq!(no_action.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_action
            .attr(&format!("[id=\"select-{ada}\"]"), "checked")
            .as_deref(),
        Some(""),
        "the tick is kept"
    );
    assert_eq!(
        no_action.attr("#action", "aria-invalid").as_deref(),
        Some("true")
    );
    let no_group = apply(&user, &pool, &list, &[&ada], &[("action", "assign")]).await;
    assert_eq!(no_group.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status_of(&admin, &pool, &ada).await, "active");
}

#[actix_web::test]
async fn auditors_get_no_bulk_controls_and_are_refused_and_other_pools_ids_refuse_all() {
    let (srv, admin, user) = admin_signed_in().await;
    let pool = admin.create_pool("Customers").await;
    let other = admin.create_pool("Partners").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let stranger = admin.create_user(&other, "stranger@example.com").await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", super::PASSWORD).await;
    let list = auditor.get(&users_of(&pool)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.input("user_ids").is_none(), "no checkboxes");
    assert!(
        texts(&list, "form button")
            .iter()
            .all(|b| b != "Apply to selected")
    );
    for action in ["deactivate", "delete"] {
        let mut form = vec![("action", action), ("user_ids", ada.as_str())];
        if action == "delete" {
            form.push(("confirm", "yes"));
        }
        let res = auditor.post(&bulk(&pool), &list, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(status_of(&admin, &pool, &ada).await, "active");

    let page = user.get(&users_of(&pool)).await;
    let mixed = apply(
        &user,
        &pool,
        &page,
        &[&ada, &stranger],
        &[("action", "deactivate")],
    )
    .await;
    assert_eq!(mixed.status, StatusCode::NOT_FOUND, "{}", mixed.body);
    admin.create_tenant("acme").await;
    let elsewhere = format!("/admin/-/tenants/acme/pools/{pool}/users/bulk");
    let res = user
        .post(
            &elsewhere,
            &page,
            &[("action", "deactivate"), ("user_ids", &ada)],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let forged = user
        .browser
        .post_form(
            &user.url(&bulk(&pool)),
            &[
                ("csrf_token", "forged"),
                ("action", "deactivate"),
                ("user_ids", &ada),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        status_of(&admin, &pool, &ada).await,
        "active",
        "nothing changed"
    );
    assert_eq!(status_of(&admin, &other, &stranger).await, "active");
}
