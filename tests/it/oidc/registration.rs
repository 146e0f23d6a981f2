//! Dynamic client registration (RFC 7591) at `{issuer}/oauth2/register` in each `dynamic_registration` mode,
//! the RFC 7591 §3.2.2 errors (nothing created), the per-address limit of open registration, initial access
//! tokens (missing, wrong, expired, used up, one use raced by two requests), a registered client's code flow
//! through the consent page with the `openidconnect` crate, and RFC 7592 read, update and delete with the
//! registration access token.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::consent::{consent_page, decide};
use crate::support::oidc::{REDIRECT, Reply, Setup, http};
use crate::support::{Admin, TestServer};

/// Sets the `default` workspace's `dynamic_registration`.
async fn set_mode(admin: &Admin, mode: &str) {
    let (status, body) = admin
        .patch(
            "/default/workspaces/default",
            json!({"dynamic_registration": mode}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dynamic_registration"], mode);
}

fn issuer(srv: &TestServer) -> String {
    format!("{}/default/default", srv.state.config.public_url())
}

/// POSTs `body` to the registration endpoint, with `bearer` as `Authorization: Bearer` when given.
async fn register(srv: &TestServer, body: &Value, bearer: Option<&str>) -> Reply {
    let mut req = http()
        .post(format!("{}/oauth2/register", issuer(srv)))
        .json(body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    Reply::read(req.send().await.unwrap()).await
}

/// A registration request an RP would send, with a member Tarn does not know (to be ignored).
fn app_metadata() -> Value {
    json!({
        "client_name": "Third-party app",
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "contacts": ["ops@third-party.example"],
    })
}

/// A client management request (RFC 7592) with the registration access token.
async fn manage(method: reqwest::Method, uri: &str, token: &str, body: Option<&Value>) -> Reply {
    let mut req = http().request(method, uri).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(body);
    }
    Reply::read(req.send().await.unwrap()).await
}

async fn discovery(srv: &TestServer) -> Value {
    let url = format!("{}/.well-known/openid-configuration", issuer(srv));
    http().get(url).send().await.unwrap().json().await.unwrap()
}

async fn client_count(admin: &Admin) -> usize {
    admin
        .list_all("/default/workspaces/default/clients", 500)
        .await
        .len()
}

/// An initial access token made through the admin API with `body`.
async fn initial_token(admin: &Admin, body: Value) -> Value {
    admin
        .create("/default/workspaces/default/initial-access-tokens", body)
        .await
}

#[actix_web::test]
async fn registration_is_off_by_default_and_then_not_advertised() {
    let (srv, admin) = TestServer::start().await;
    let (_, workspace) = admin.get("/default/workspaces/default").await;
    assert_eq!(workspace["dynamic_registration"], "off");
    let reply = register(&srv, &app_metadata(), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.json);
    assert!(discovery(&srv).await.get("registration_endpoint").is_none());
    let (status, _) = admin
        .patch(
            "/default/workspaces/default",
            json!({"dynamic_registration": "sometimes"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(client_count(&admin).await, 0);
}

#[actix_web::test]
async fn an_openly_registered_client_runs_the_code_flow_through_the_consent_page() {
    let (srv, admin) = TestServer::start().await;
    // The pool, user and connection of the usual setup; its own client is replaced by the registered one.
    let mut setup = Setup::new(&srv, &admin, json!({})).await;
    set_mode(&admin, "open").await;
    assert_eq!(
        discovery(&srv).await["registration_endpoint"],
        format!("{}/oauth2/register", issuer(&srv))
    );
    let reply = register(&srv, &app_metadata(), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let client = &reply.json;
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let client_id = client["client_id"].as_str().unwrap();
    assert_eq!(client["client_name"], "Third-party app");
    assert_eq!(client["require_consent"], true);
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(client["client_secret_expires_at"], 0);
    assert!(client["client_id_issued_at"].is_i64());
    assert!(client["client_secret"].is_string());
    assert!(client["registration_access_token"].is_string());
    assert!(client.get("contacts").is_none(), "{client}");
    assert_eq!(
        client["registration_client_uri"],
        format!("{}/oauth2/register/{client_id}", issuer(&srv))
    );

    setup.client_id = client_id.to_owned();
    setup.client_secret = client["client_secret"].as_str().map(str::to_owned);
    setup.auth_method = "client_secret_basic".into();
    let (rp, rp_http) = setup.rp().await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let browser = crate::support::oidc::Browser::default();
    let page = consent_page(&browser, url.as_str()).await;
    assert!(page.body.contains("Third-party app"), "{}", page.body);
    let back = decide(&browser, &page, "allow").await;
    let code = back.redirect_param("code").expect("a code after Allow");
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&rp_http)
        .await
        .expect("token exchange");
    let claims = tokens
        .id_token()
        .expect("an ID token")
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("the ID token verifies");
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(claims.audiences()[0].as_str(), client_id);

    // Written as an anonymous registration, with no secret in it.
    let events = admin
        .list_all("/default/audit-events?type=client.created", 10)
        .await;
    assert_eq!(events.len(), 2, "{events:?}");
    let event = &events[0];
    assert_eq!(event["client_id"], client_id);
    assert_eq!(event["actor"]["type"], "anonymous");
    assert_eq!(event["details"]["via"], "dynamic_registration");
    let text = event.to_string();
    for secret in ["client_secret", "registration_access_token"] {
        assert!(!text.contains(client[secret].as_str().unwrap()), "{text}");
    }
}

#[actix_web::test]
async fn bad_metadata_gets_the_rfc_7591_error_and_creates_nothing() {
    let (srv, admin) = TestServer::start().await;
    set_mode(&admin, "open").await;
    let cases = [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://app.example/cb#frag"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"grant_types": ["authorization_code"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "grant_types": ["implicit"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "logo_uri": "javascript:alert(1)"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": "https://app.example/cb"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt",
                   "jwks_uri": "http://keys.example/jwks.json"}),
            "invalid_client_metadata",
        ),
        // Loopback http, fine through the admin API, would let anyone make Tarn call its own host.
        (
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt",
                   "jwks_uri": "http://127.0.0.1:9/jwks.json"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "backchannel_logout_uri": "http://localhost:9/logout"}),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
        (
            json!({"redirect_uris": [REDIRECT], "software_statement": "eyJ.eyJ.sig"}),
            "invalid_software_statement",
        ),
    ];
    for (body, error) in cases {
        let reply = register(&srv, &body, None).await;
        assert_eq!(
            (reply.status, reply.json["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(error)),
            "{body}: {}",
            reply.json
        );
    }
    let not_json = http()
        .post(format!("{}/oauth2/register", issuer(&srv)))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    Reply::read(not_json)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_client_metadata");
    assert_eq!(client_count(&admin).await, 0);
}

#[actix_web::test]
async fn open_registration_is_limited_per_address() {
    let (srv, admin) = TestServer::start().await;
    set_mode(&admin, "open").await;
    let body = json!({"grant_types": ["client_credentials"]});
    for _ in 0..20 {
        let reply = register(&srv, &body, None).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    }
    let refused = register(&srv, &body, None).await;
    refused.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(client_count(&admin).await, 20);
    // The limit counts the last hour.
    srv.state.clock.advance(3601);
    let reply = register(&srv, &body, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
}

#[actix_web::test]
async fn initial_access_tokens_are_required_counted_and_expire() {
    let (srv, admin) = TestServer::start().await;
    set_mode(&admin, "initial_access_token").await;
    assert!(discovery(&srv).await["registration_endpoint"].is_string());
    let body = json!({"grant_types": ["client_credentials"]});

    let missing = register(&srv, &body, None).await;
    missing.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(
        missing
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    register(&srv, &body, Some("made-up"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");

    let made = initial_token(&admin, json!({"uses": 2, "expires_in": 600})).await;
    let token = made["token"].as_str().unwrap();
    assert_eq!(made["uses"], 2);
    assert_eq!(made["expires_at"], srv.state.clock.now() + 600);
    let listed = admin
        .items("/default/workspaces/default/initial-access-tokens")
        .await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("token").is_none(), "{listed:?}");
    assert!(!listed[0].to_string().contains(token));

    for _ in 0..2 {
        let reply = register(&srv, &body, Some(token)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    }
    register(&srv, &body, Some(token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let listed = admin
        .items("/default/workspaces/default/initial-access-tokens")
        .await;
    assert_eq!(listed[0]["uses"], 0);

    // Bad metadata does not spend a use.
    let other = initial_token(&admin, json!({"expires_in": 60})).await;
    let other_token = other["token"].as_str().unwrap();
    let bad = json!({"grant_types": ["implicit"]});
    register(&srv, &bad, Some(other_token))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_client_metadata");
    srv.state.clock.advance(61);
    register(&srv, &body, Some(other_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");

    // A deleted token is refused at once.
    let third = initial_token(&admin, json!({})).await;
    let (status, _) = admin
        .delete(&format!(
            "/default/workspaces/default/initial-access-tokens/{}",
            third["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    register(&srv, &body, third["token"].as_str())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(client_count(&admin).await, 2);

    for bad in [
        json!({"uses": 0}),
        json!({"expires_in": 5}),
        json!({"x": 1}),
    ] {
        let (status, body) = admin
            .post("/default/workspaces/default/initial-access-tokens", bad)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let events = admin
        .list_all(
            "/default/audit-events?type=workspace.initial_access_token_created",
            10,
        )
        .await;
    assert_eq!(events.len(), 3);
    assert!(!events[2].to_string().contains(token));
}

#[actix_web::test]
async fn the_last_use_of_an_initial_access_token_goes_to_one_of_two_racing_registrations() {
    let (srv, admin) = TestServer::start().await;
    set_mode(&admin, "initial_access_token").await;
    let made = initial_token(&admin, json!({"uses": 1})).await;
    let token = made["token"].as_str().unwrap();
    let body = json!({"grant_types": ["client_credentials"]});
    let (a, b) = tokio::join!(
        register(&srv, &body, Some(token)),
        register(&srv, &body, Some(token))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::UNAUTHORIZED],
        "{} / {}",
        a.json,
        b.json
    );
    assert_eq!(client_count(&admin).await, 1);
}

#[actix_web::test]
async fn a_registered_client_reads_replaces_and_deletes_itself_with_its_registration_token() {
    let (srv, admin) = TestServer::start().await;
    set_mode(&admin, "open").await;
    let created = register(&srv, &app_metadata(), None).await.json;
    let uri = created["registration_client_uri"].as_str().unwrap();
    let token = created["registration_access_token"].as_str().unwrap();
    let client_id = created["client_id"].as_str().unwrap();
    let secret = created["client_secret"].as_str().unwrap();

    let read = manage(reqwest::Method::GET, uri, token, None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.json);
    assert_eq!(read.json["client_id"], client_id);
    assert_eq!(read.json["registration_client_uri"], uri);
    assert!(read.json.get("client_secret").is_none(), "{}", read.json);
    assert!(read.json.get("registration_access_token").is_none());

    // Wrong token, no token, another client's URI and an unknown client: the same 401.
    let unknown = format!("{}/oauth2/register/no-such-client", issuer(&srv));
    for (uri, token) in [(uri, "wrong"), (unknown.as_str(), token)] {
        manage(reqwest::Method::GET, uri, token, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
    let bare = Reply::read(http().get(uri).send().await.unwrap()).await;
    bare.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    // A client made through the admin API has no registration token at all.
    let admin_client = admin
        .create(
            "/default/workspaces/default/clients",
            json!({"grant_types": ["client_credentials"]}),
        )
        .await;
    let admin_uri = format!(
        "{}/oauth2/register/{}",
        issuer(&srv),
        admin_client["client_id"].as_str().unwrap()
    );
    manage(reqwest::Method::GET, &admin_uri, token, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");

    // PUT must name the client; then it replaces everything and rotates the registration token.
    let mut update = read.json.clone();
    update["client_name"] = json!("Renamed app");
    update["scope"] = json!("openid email");
    let mut without_id = update.clone();
    without_id.as_object_mut().unwrap().remove("client_id");
    manage(reqwest::Method::PUT, uri, token, Some(&without_id))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_client_metadata");
    let mut wrong_secret = update.clone();
    wrong_secret["client_secret"] = json!("not-the-secret");
    manage(reqwest::Method::PUT, uri, token, Some(&wrong_secret))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_client_metadata");
    let mut bad_uri = update.clone();
    bad_uri["redirect_uris"] = json!(["http://app.example/cb"]);
    manage(reqwest::Method::PUT, uri, token, Some(&bad_uri))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_redirect_uri");
    update["client_secret"] = json!(secret);
    let replaced = manage(reqwest::Method::PUT, uri, token, Some(&update)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.json);
    assert_eq!(replaced.json["client_name"], "Renamed app");
    assert_eq!(replaced.json["scope"], "openid email");
    assert_eq!(replaced.json["require_consent"], true);
    let new_token = replaced.json["registration_access_token"].as_str().unwrap();
    assert_ne!(new_token, token);
    manage(reqwest::Method::GET, uri, token, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let (_, shown) = admin
        .get(&format!("/default/workspaces/default/clients/{client_id}"))
        .await;
    assert_eq!(shown["client_name"], "Renamed app");
    let updated = admin
        .list_all("/default/audit-events?type=client.updated", 10)
        .await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["actor"]["type"], "client");
    assert_eq!(updated[0]["actor"]["id"], client_id);
    assert_eq!(
        updated[0]["details"]["changes"]["client_name"],
        json!({"old": "Third-party app", "new": "Renamed app"})
    );

    // The secret still works until the client deletes itself; then nothing does.
    let token_request = |secret: String| {
        let url = format!("{}/oauth2/token", issuer(&srv));
        let client_id = client_id.to_owned();
        async move {
            let req = http()
                .post(url)
                .basic_auth(client_id, Some(secret))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")]);
            Reply::read(req.send().await.unwrap()).await
        }
    };
    token_request(secret.to_owned())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let deleted = manage(reqwest::Method::DELETE, uri, new_token, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    manage(reqwest::Method::GET, uri, new_token, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    token_request(secret.to_owned())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let (status, _) = admin
        .get(&format!("/default/workspaces/default/clients/{client_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let gone = admin
        .list_all("/default/audit-events?type=client.deleted", 10)
        .await;
    assert_eq!(gone[0]["actor"]["id"], client_id);
}
