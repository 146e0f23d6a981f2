//! RFC 8252 §7.3: a native app's loopback IP redirect URI matches any port, because the app listens on an
//! ephemeral port it learns only when it starts the flow. Only IP literals of public clients; the rest exact.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup, VERIFIER};

/// Signs alice in for `redirect_uri` and returns the redirect back to the client.
async fn sign_in(setup: &Setup, redirect_uri: &str) -> Page {
    let browser = Browser::default();
    let url = setup.authorize_url(&[("redirect_uri", redirect_uri)]);
    let back = browser.sign_in(&url, ALICE, PASSWORD).await;
    browser.not_now(back).await
}

/// The authorization endpoint's answer before any sign-in.
async fn authorize(setup: &Setup, redirect_uri: &str) -> Page {
    Browser::default()
        .get(&setup.authorize_url(&[("redirect_uri", redirect_uri)]))
        .await
}

async fn exchange(setup: &Setup, code: &str, redirect_uri: &str) -> crate::support::oidc::Reply {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", VERIFIER),
    ];
    setup.post("/oauth2/token", &form).await
}

#[actix_web::test]
async fn a_native_clients_loopback_ip_redirect_uri_matches_any_port() {
    let (srv, admin) = TestServer::start().await;
    let registered = json!({
        "token_endpoint_auth_method": "none",
        "redirect_uris": ["http://127.0.0.1/cb", "http://[::1]/cb"],
    });
    let setup = Setup::new(&srv, &admin, registered).await;
    for (requested, others) in [
        (
            "http://127.0.0.1:53124/cb",
            ["http://127.0.0.1:53125/cb", "http://127.0.0.1/cb"],
        ),
        (
            "http://[::1]:8123/cb",
            ["http://[::1]:8124/cb", "http://[::1]/cb"],
        ),
        (
            "http://127.0.0.1/cb",
            ["http://127.0.0.1:80/cb", "http://127.0.0.1:1/cb"],
        ),
    ] {
        let back = sign_in(&setup, requested).await;
        assert_eq!(back.status, StatusCode::FOUND, "{requested}: {}", back.body);
        let location = back.location.as_deref().unwrap();
        assert!(location.starts_with(&format!("{requested}?")), "{location}");
        let code = back.redirect_param("code").unwrap();
        // The exchange names the URI of the authorization request, port included (RFC 6749 §4.1.3).
        for other in others {
            exchange(&setup, &code, other)
                .await
                .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
        }
        let tokens = exchange(&setup, &code, requested).await;
        assert_eq!(
            tokens.status,
            StatusCode::OK,
            "{requested}: {}",
            tokens.json
        );
    }
}

#[actix_web::test]
async fn only_loopback_ip_literals_of_public_clients_match_any_port() {
    let (srv, admin) = TestServer::start().await;
    let public = Setup::new(
        &srv,
        &admin,
        json!({
            "token_endpoint_auth_method": "none",
            "redirect_uris": ["http://127.0.0.1/cb", "http://localhost/cb", "http://127.0.0.1:4000/pinned"],
        }),
    )
    .await;
    let confidential = public
        .another_client(&admin, json!({"redirect_uris": ["http://127.0.0.1/cb"]}))
        .await;
    for (setup, requested) in [
        // RFC 8252 §8.3: `localhost` is a name, not a loopback IP literal; it is matched exactly.
        (&public, "http://localhost:5000/cb"),
        // A registered port is kept.
        (&public, "http://127.0.0.1:4001/pinned"),
        // Only the port varies: not the path, the scheme, the host or the query.
        (&public, "http://127.0.0.1:5000/other"),
        (&public, "http://127.0.0.1:5000/cb/"),
        (&public, "https://127.0.0.1:5000/cb"),
        (&public, "http://127.0.0.2:5000/cb"),
        (&public, "http://127.0.0.1:5000/cb?x=1"),
        (&public, "http://127.0.0.1:5000/cb#x"),
        (&public, "http://127.0.0.1:5000/x/../cb"),
        (&public, "http://user@127.0.0.1:5000/cb"),
        (&public, "http://127.1:5000/cb"),
        // A confidential client is not a native app.
        (&confidential, "http://127.0.0.1:5000/cb"),
    ] {
        let page = authorize(setup, requested).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{requested}: {:?}",
            page.location
        );
        assert_eq!(page.location, None, "{requested}");
    }
    for (setup, requested) in [
        (&public, "http://localhost/cb"),
        (&public, "http://127.0.0.1:4000/pinned"),
        (&confidential, "http://127.0.0.1/cb"),
    ] {
        let page = authorize(setup, requested).await;
        assert_eq!(page.status, StatusCode::FOUND, "{requested}: {}", page.body);
        assert!(
            page.location.unwrap().contains("/login?request="),
            "{requested}"
        );
    }
}
