//! The Signing keys tab: the published keys, and Rotate keys (at once with a fresh sign-in; after a step-up when
//! the last sign-in is older than five minutes), after which the JWKS publishes new `kid`s.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use super::workspaces::complete_step_up;
use super::{PortalUser, admin_signed_in, texts};
use crate::support::oidc::http;

const KEYS: &str = "/admin/-/tenants/default/workspaces/default/keys";

async fn jwks_kids(user: &PortalUser) -> BTreeSet<String> {
    let url = format!("{}/default/default/.well-known/jwks.json", user.public);
    let jwks: serde_json::Value = http().get(url).send().await.unwrap().json().await.unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_tab_lists_the_keys_the_jwks_publishes() {
    let (_srv, _admin, user) = admin_signed_in().await;
    let page = user.get(KEYS).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let listed: BTreeSet<String> = texts(&page, "tbody th").into_iter().collect();
    assert_eq!(listed, jwks_kids(&user).await);
    let mut algs = texts(&page, "tbody td:nth-of-type(1)");
    algs.sort();
    assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);
    assert_eq!(texts(&page, "tbody td:nth-of-type(3)"), ["Current"; 3]);
}

#[actix_web::test]
async fn rotating_with_a_fresh_sign_in_publishes_new_kids_and_keeps_the_old_ones_retiring() {
    let (_srv, _admin, user) = admin_signed_in().await;
    let before = jwks_kids(&user).await;
    let page = user.get(KEYS).await;
    let done = user.post(&format!("{KEYS}/rotate"), &page, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let tab = user.browser.get(done.location.as_deref().unwrap()).await;
    assert!(texts(&tab, "[role=status]")[0].starts_with("Rotated the signing keys"));
    let after = jwks_kids(&user).await;
    assert_eq!(after.len(), 6, "three new keys, three retiring");
    assert!(before.is_subset(&after), "the old keys stay published");
    let mut status = texts(&tab, "tbody td:nth-of-type(3)");
    status.dedup();
    assert_eq!(status, ["Current", "Retiring"], "current keys first");
    let until = texts(&tab, "tbody td:nth-of-type(4)");
    assert!(until[3..].iter().all(|u| u.ends_with("UTC")), "{until:?}");
}

#[actix_web::test]
async fn after_five_minutes_rotating_asks_for_a_fresh_sign_in_and_then_completes() {
    let (srv, _admin, user) = admin_signed_in().await;
    let before = jwks_kids(&user).await;
    let page = user.get(KEYS).await;
    srv.state.clock.advance(6 * 60);
    let asked = user.post(&format!("{KEYS}/rotate"), &page, &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(jwks_kids(&user).await, before, "not yet");
    let done = complete_step_up(&user, &asked.location.unwrap()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location.as_deref().unwrap().ends_with(KEYS));
    let after = jwks_kids(&user).await;
    assert!(
        after.difference(&before).count() == 3,
        "new kids: {after:?} after {before:?}"
    );
}
