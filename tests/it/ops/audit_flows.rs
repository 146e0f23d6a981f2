//! Every event type of the contract written by the action it records, through the real flows: admin changes
//! (updates, deletions, disconnections, rotations, invitations), sign-ins by code and passkey with their failures,
//! lockouts, password resets, logouts, invitations accepted and administrators signing in to the portal.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::audit::{events, types};
use crate::pages::code::{ask_code, code_only, enter_code, last_code};
use crate::pages::invitation::{activate, invitation_path, invite_bob, last_link};
use crate::pages::passkey::{assert_refused, finish_sign_in, sign_in_options, with_passkey};
use crate::pages::reset::reset_password;
use crate::portal::admin_signed_in;
use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup, VERIFIER};

/// The one event of type `kind` among `all`; fails when there is none or more than one.
fn only<'a>(all: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = all.iter().filter(|e| e["type"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} in {:?}", types(all));
    found[0]
}

#[actix_web::test]
async fn updates_deletions_disconnections_rotations_and_invitations_are_recorded() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let pool = &setup.pool;
    let user = format!("/default/pools/{pool}/users/{}", setup.user);
    let (status, body) = admin.patch(&user, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let group = admin.create_group(pool, "ops", None).await;
    let group_path = format!("/default/pools/{pool}/groups/{group}");
    let (status, body) = admin.patch(&group_path, json!({"name": "sre"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(admin.delete(&group_path).await.0, StatusCode::NO_CONTENT);
    let bob = invite_bob(&admin, &setup).await;
    let (status, _) = admin.delete(&invitation_path(&setup, &bob)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = admin
        .post("/default/workspaces/default/keys/rotate", json!({}))
        .await;
    assert!(status.is_success(), "{body}");
    admin.create_workspace("intranet").await;
    let (status, body) = admin
        .patch("/default/workspaces/intranet", json!({"name": "Intranet"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    admin.connect_pool("intranet", pool).await;
    let idp = format!("/default/workspaces/intranet/idps/{pool}");
    assert_eq!(admin.delete(&idp).await.0, StatusCode::NO_CONTENT);
    let (status, body) = admin.delete("/default/workspaces/intranet").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let other = admin.create_pool("leavers").await;
    let (status, body) = admin.delete(&format!("/default/pools/{other}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let all = events(&admin, "").await;
    let updated = only(&all, "user.updated");
    assert_eq!(
        updated["details"]["changes"]["status"],
        json!({"old": "active", "new": "inactive"})
    );
    assert_eq!(updated["subject"]["id"], json!(setup.user));
    let renamed = only(&all, "group.updated");
    assert_eq!(
        renamed["details"]["changes"]["name"],
        json!({"old": "ops", "new": "sre"})
    );
    assert_eq!(only(&all, "group.deleted")["subject"]["id"], json!(group));
    assert_eq!(only(&all, "invitation.sent")["subject"]["id"], json!(bob));
    assert_eq!(
        only(&all, "invitation.revoked")["subject"]["id"],
        json!(bob)
    );
    assert_eq!(only(&all, "key.rotated")["workspace_id"], "default");
    let ws = only(&all, "workspace.updated");
    assert_eq!(ws["details"]["changes"]["name"]["new"], "Intranet");
    assert_eq!(only(&all, "idp.disconnected")["pool_id"], json!(pool));
    assert_eq!(only(&all, "workspace.deleted")["subject"]["id"], "intranet");
    assert_eq!(only(&all, "pool.deleted")["subject"]["id"], json!(other));
    for event in &all {
        assert_eq!(event["actor"]["type"], "admin", "{event}");
    }
}

#[actix_web::test]
async fn codes_record_their_failures_and_successes() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = last_code(&admin).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = enter_code(&browser, &page, wrong).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let back = enter_code(&browser, &again, &code).await;
    assert!(back.redirect_param("code").is_some(), "{:?}", back.location);

    let signins = events(&admin, "type=authn.code.*").await;
    assert_eq!(
        types(&signins),
        ["authn.code.succeeded", "authn.code.failed"]
    );
    assert_eq!(signins[0]["subject"]["id"], json!(setup.user));
    assert_eq!(signins[1]["outcome"], "failure");
    assert!(signins[1]["reason"].is_string(), "{}", signins[1]);
}

#[actix_web::test]
async fn passkeys_record_their_successes_and_refusals() {
    let (srv, admin) = TestServer::start().await;
    let (setup, mut authenticator) = with_passkey(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (status, opts) = sign_in_options(&browser, &login, "").await;
    assert_eq!(status, 200, "{opts}");
    let credential = authenticator.get(&opts).unwrap();
    let ceremony = opts["ceremony"].as_str().unwrap();
    let back = finish_sign_in(&browser, &login, ceremony, &credential).await;
    assert!(back.redirect_param("code").is_some(), "{:?}", back.location);
    // A fresh ceremony answered with a passkey removed in the meantime: verified, and refused.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (_, opts) = sign_in_options(&browser, &login, ALICE).await;
    let credential = authenticator.get(&opts).unwrap();
    let user = setup.user.clone();
    srv.state
        .db
        .run(move |c| {
            let id = tarn::testing::passkey::list(c, &user)?[0].id.clone();
            tarn::testing::passkey::remove(c, &user, &id)
        })
        .await
        .unwrap();
    let ceremony = opts["ceremony"].as_str().unwrap();
    let refused = finish_sign_in(&browser, &login, ceremony, &credential).await;
    assert_refused(&refused, "not accepted");

    let signins = events(&admin, "type=authn.passkey.*").await;
    assert_eq!(
        types(&signins),
        ["authn.passkey.failed", "authn.passkey.succeeded"]
    );
    assert_eq!(signins[0]["reason"], "refused");
    assert_eq!(signins[0]["outcome"], "failure");
    assert_eq!(signins[1]["subject"]["id"], json!(setup.user));
    assert_eq!(signins[1]["details"]["method"], "passkey");
}

#[actix_web::test]
async fn lockouts_resets_logouts_and_accepted_invitations_are_recorded() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    for _ in 0..6 {
        browser
            .submit_login(&login, ALICE, "not the password")
            .await;
    }
    let locked = events(&admin, "type=authn.locked").await;
    assert!(!locked.is_empty(), "a lockout after six failures");
    assert_eq!(locked[0]["reason"], "locked");
    assert_eq!(locked[0]["outcome"], "failure");

    // The invitation accepted, then a sign-in and logout of Bob, then his password reset.
    let bob = invite_bob(&admin, &setup).await;
    let activated = activate(&Browser::default(), &last_link(&admin).await, PASSWORD).await;
    assert!(activated.status.is_success() || activated.status.is_redirection());
    let accepted = events(&admin, "type=invitation.accepted").await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0]["subject"]["id"], json!(bob));
    let activation_changes = events(&admin, "type=user.password_changed").await.len();

    let browser = Browser::default();
    let back = browser
        .sign_in(
            &setup.authorize_url(&[]),
            crate::pages::invitation::BOB,
            PASSWORD,
        )
        .await;
    let code = back.redirect_param("code").expect("Bob signs in");
    let tokens = setup.exchange(&code, VERIFIER).await;
    let hint = tokens.json["id_token"].as_str().unwrap();
    let mut logout = url::Url::parse(&setup.endpoint("/oauth2/logout")).unwrap();
    logout.query_pairs_mut().append_pair("id_token_hint", hint);
    let page = browser.get(logout.as_str()).await;
    assert!(page.status.is_success() || page.status.is_redirection());
    let ended = events(&admin, "type=session.ended").await;
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0]["subject"]["id"], json!(bob));

    reset_password(&admin, &setup, crate::pages::invitation::BOB).await;
    let changes = events(&admin, "type=user.password_changed").await;
    assert_eq!(changes.len(), activation_changes + 1, "{changes:?}");
    assert_eq!(changes[0]["subject"]["id"], json!(bob));
}

#[actix_web::test]
async fn an_administrator_signing_in_to_the_portal_is_recorded_in_the_admin_tenant() {
    let (_srv, admin, _portal) = admin_signed_in().await;
    let signed_in = admin
        .list_all("/admin/audit-events?type=admin.signed_in", 10)
        .await;
    assert_eq!(signed_in.len(), 1, "{signed_in:?}");
    assert_eq!(signed_in[0]["actor"]["type"], "admin");
    assert_eq!(signed_in[0]["workspace_id"], "admin");
}
