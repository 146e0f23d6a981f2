//! OIDC actors: a workspace set up through the admin API (pool, user, client), raw endpoint calls as a client
//! would make them, and the `openidconnect` crate as the relying party. Browsers live in `super::browser`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl, Scope,
};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub use super::browser::{Browser, Page};
use super::{Admin, TestServer};

pub const PASSWORD: &str = "correct horse battery";
pub const REDIRECT: &str = "http://localhost:9999/callback";
pub const POST_LOGOUT: &str = "http://localhost:9999/bye";
pub const ALICE: &str = "alice@example.com";
/// The PKCE pair of RFC 7636 Appendix B: raw authorization requests send the challenge, exchanges the verifier.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const STATE: &str = "state-123";
pub const NONCE: &str = "nonce-123";

/// The `openidconnect` client built from discovery.
pub type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A workspace with a connected password pool, a user `alice@example.com` and a registered client.
#[derive(Clone)]
pub struct Setup {
    pub issuer: String,
    pub pool: String,
    pub user: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The client's `token_endpoint_auth_method`.
    pub auth_method: String,
}

impl Setup {
    /// The `default` workspace, a pool connected to it, one user, and a client registered with `client`
    /// (merged over a confidential code + refresh client redirecting to `REDIRECT`).
    pub async fn new(srv: &TestServer, admin: &Admin, client: Value) -> Setup {
        let pool = admin.create_pool("customers").await;
        let user = admin.create_user(&pool, ALICE).await;
        admin
            .create("/default/workspaces/default/idps", json!({"pool_id": pool}))
            .await;
        let mut setup = Setup {
            issuer: format!("{}/default/default", srv.state.config.public_url()),
            pool,
            user,
            client_id: String::new(),
            client_secret: None,
            auth_method: String::new(),
        };
        setup.register(admin, client).await;
        setup
    }

    /// The same workspace, pool and user with another client registered with `client` (same defaults).
    pub async fn another_client(&self, admin: &Admin, client: Value) -> Setup {
        let mut other = self.clone();
        other.register(admin, client).await;
        other
    }

    /// The same pool and user at another workspace `workspace` (created, the pool connected to it), with a client
    /// registered there with the same defaults.
    pub async fn also_at(&self, srv: &TestServer, admin: &Admin, workspace: &str) -> Setup {
        admin
            .create(
                "/default/workspaces",
                json!({"id": workspace, "name": workspace}),
            )
            .await;
        admin
            .create(
                &format!("/default/workspaces/{workspace}/idps"),
                json!({"pool_id": self.pool}),
            )
            .await;
        let mut other = self.clone();
        other.issuer = format!("{}/default/{workspace}", srv.state.config.public_url());
        other.register(admin, json!({})).await;
        other
    }

    async fn register(&mut self, admin: &Admin, client: Value) {
        let mut registration = json!({
            "client_name": "Test app",
            "redirect_uris": [REDIRECT],
            "post_logout_redirect_uris": [POST_LOGOUT],
            "grant_types": ["authorization_code", "refresh_token"],
        });
        if let (Some(base), Value::Object(overrides)) = (registration.as_object_mut(), client) {
            base.extend(overrides);
        }
        let workspace = self.issuer.rsplit('/').next().unwrap();
        let created = admin
            .create(
                &format!("/default/workspaces/{workspace}/clients"),
                registration,
            )
            .await;
        self.client_id = created["client_id"].as_str().unwrap().to_owned();
        self.client_secret = created["client_secret"].as_str().map(str::to_owned);
        self.auth_method = created["token_endpoint_auth_method"]
            .as_str()
            .unwrap()
            .to_owned();
    }

    /// An endpoint URL under the issuer, e.g. `/oauth2/token`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// An `openidconnect` client for this setup, from discovery, authenticating as the client registered.
    pub async fn rp(&self) -> (Rp, openidconnect::reqwest::Client) {
        let http = rp_http();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(self.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        let mut client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.client_id.clone()),
            self.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
        if self.auth_method == "client_secret_post" {
            client = client.set_auth_type(AuthType::RequestBody);
        }
        (client, http)
    }

    /// An authorization URL: `client_id`, `redirect_uri`, `response_type=code`, `scope=openid`, `state`, `nonce`
    /// and the S256 `CHALLENGE`, with `params` replacing those of the same name (an empty value removes one).
    pub fn authorize_url(&self, params: &[(&str, &str)]) -> String {
        let mut all: Vec<(&str, &str)> = vec![
            ("client_id", &self.client_id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", STATE),
            ("nonce", NONCE),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        for (name, value) in params {
            all.retain(|(n, _)| n != name);
            all.push((name, value));
        }
        let mut url = url::Url::parse(&self.endpoint("/oauth2/authorize")).unwrap();
        url.query_pairs_mut()
            .extend_pairs(all.iter().filter(|(_, v)| !v.is_empty()));
        url.into()
    }

    /// Signs alice in through `browser` (or reuses its session) and returns the authorization code.
    pub async fn code(&self, browser: &Browser, params: &[(&str, &str)]) -> String {
        let url = self.authorize_url(params);
        let mut back = browser.get(&url).await;
        if back
            .location
            .as_deref()
            .is_some_and(|l| l.contains("/login?"))
        {
            let login = browser.get(back.location.as_deref().unwrap()).await;
            back = browser.submit_login(&login, ALICE, PASSWORD).await;
            back = browser.not_now(back).await;
        }
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
        assert_eq!(back.redirect_param("state").as_deref(), Some(STATE));
        back.redirect_param("code")
            .unwrap_or_else(|| panic!("a code in {:?}", back.location))
    }

    /// Posts a form to an endpoint, authenticated as this client by its registered method (for
    /// `private_key_jwt` only `client_id` is added; the caller adds the assertion).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.post_with(path, form, &[]).await
    }

    /// [`Setup::post`] with extra request headers (a `DPoP` proof, say).
    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        let mut req = http().post(self.endpoint(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        match (self.auth_method.as_str(), self.client_secret.as_deref()) {
            ("client_secret_basic", Some(secret)) => {
                req = req.basic_auth(&self.client_id, Some(secret));
            }
            ("client_secret_post", Some(secret)) => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", secret));
            }
            _ => form.push(("client_id", &self.client_id)),
        }
        Reply::read(req.form(&form).send().await.unwrap()).await
    }

    /// Exchanges a code at the token endpoint with `REDIRECT` and the given PKCE verifier.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Reply {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ];
        self.post("/oauth2/token", &form).await
    }

    /// The whole code flow done by hand in a fresh browser; returns the successful token response.
    pub async fn tokens(&self, params: &[(&str, &str)]) -> Value {
        let code = self.code(&Browser::default(), params).await;
        let reply = self.exchange(&code, VERIFIER).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json
    }

    /// Uses a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.post("/oauth2/token", &form).await
    }

    /// `GET /oauth2/userinfo` with the token as a bearer header.
    pub async fn userinfo(&self, access_token: &str) -> Reply {
        let req = http()
            .get(self.endpoint("/oauth2/userinfo"))
            .bearer_auth(access_token);
        Reply::read(req.send().await.unwrap()).await
    }
}

/// A plain HTTP client that does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The relying party's HTTP client: never follows redirects.
pub fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The claims of a JWT, read without verification (tests verify signatures separately where it matters).
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The header of a JWT.
pub fn jwt_header(token: &str) -> Value {
    let header = token.split('.').next().expect("a JWS");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// An API response: status, headers and the JSON body (`Value::Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    pub async fn read(res: reqwest::Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts an OAuth error response with this status and `error` code.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, error: &str) {
        assert_eq!(
            (self.status, self.json["error"].as_str()),
            (status, Some(error)),
            "{}",
            self.json
        );
    }
}

/// Runs the whole code flow with PKCE, nonce and state for the setup's user and returns the token response,
/// the RP client and the nonce.
pub async fn code_flow(
    setup: &Setup,
    scopes: &[&str],
) -> (openidconnect::core::CoreTokenResponse, Rp, Nonce) {
    let (client, http) = setup.rp().await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let browser = Browser::default();
    let back = browser.sign_in(url.as_str(), ALICE, PASSWORD).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(
        back.redirect_param("state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(
        back.redirect_param("iss").as_deref(),
        Some(setup.issuer.as_str())
    );
    let code = back.redirect_param("code").expect("a code");
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    (tokens, client, nonce)
}
