//! Two instances on one database behind one public URL (in-process): a key rotated or first created through one
//! is known to the other at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{Reply, Setup, http, jwt_header};
use crate::support::{Admin, TestServer};

/// A second instance on `a`'s database that answers for `a`'s public URL, as behind a load balancer.
async fn pair() -> (TestServer, TestServer, Admin) {
    let (a, admin) = TestServer::start().await;
    let public = a.state.config.public_url().to_owned();
    let (b, _) = a.another_instance(|c| c.public_url = Some(public)).await;
    (a, b, admin)
}

/// `url` (under the shared public URL) sent to instance `srv` instead.
fn on(srv: &TestServer, public: &str, url: &str) -> String {
    url.replacen(public, &srv.base, 1)
}

async fn userinfo_on(srv: &TestServer, public: &str, setup: &Setup, token: &str) -> Reply {
    let url = on(srv, public, &setup.endpoint("/oauth2/userinfo"));
    Reply::read(http().get(url).bearer_auth(token).send().await.unwrap()).await
}

fn access(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_key_rotated_on_one_instance_verifies_at_once_on_the_other() {
    let (a, b, admin) = pair().await;
    let public = a.state.config.public_url().to_owned();
    let setup = Setup::new(&a, &admin, json!({})).await;
    let before = access(&setup.tokens(&[("scope", "openid")]).await);
    // B now holds the workspace's keys in its cache.
    let reply = userinfo_on(&b, &public, &setup, &before).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    let (status, _) = admin
        .post("/default/workspaces/default/keys/rotate", json!({}))
        .await;
    assert!(status.is_success());
    let after = access(&setup.tokens(&[("scope", "openid")]).await);
    assert_ne!(jwt_header(&after)["kid"], jwt_header(&before)["kid"]);
    for token in [&after, &before] {
        let reply = userinfo_on(&b, &public, &setup, token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }

    // A key nobody has stays refused (and costs no error).
    let mut parts: Vec<String> = after.split('.').map(str::to_owned).collect();
    let mut header = jwt_header(&after);
    header["kid"] = json!("rs256-made-up");
    parts[0] = URL_SAFE_NO_PAD.encode(header.to_string());
    let forged = parts.join(".");
    for _ in 0..3 {
        let reply = userinfo_on(&b, &public, &setup, &forged).await;
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
}

#[actix_web::test]
async fn two_instances_meeting_a_new_workspace_at_once_share_its_keys() {
    let (a, b, admin) = pair().await;
    let public = a.state.config.public_url().to_owned();
    for n in 0..3 {
        let ws = format!("fresh-{n}");
        admin
            .create("/default/workspaces", json!({"id": ws, "name": ws}))
            .await;
        let url = format!("{public}/default/{ws}/.well-known/jwks.json");
        let fetch = |srv: &TestServer| {
            let url = on(srv, &public, &url);
            async move {
                http()
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let (from_a, from_b) = tokio::join!(fetch(&a), fetch(&b));
        assert_eq!(from_a["keys"].as_array().unwrap().len(), 3, "{from_a}");
        assert_eq!(from_a, from_b);
    }
}
