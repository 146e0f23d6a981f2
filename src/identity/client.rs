//! Client applications of a workspace, registered with RFC 7591 metadata: validation, secrets, storage.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{Error, Result};
use super::{client_jwks, redirect_uri};
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::clients::{self, ClientRow};
use crate::store::page::{Page, PageRequest};

/// The scopes a client may request unless its registration narrows them.
pub const DEFAULT_SCOPE: &str = "openid profile email phone groups offline_access";

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// A public client: no secret, PKCE required.
    None,
}

impl AuthMethod {
    /// Whether the client authenticates with a shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost
        )
    }
}

/// Algorithms Tarn signs ID tokens with (and accepts request objects signed with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum SigningAlg {
    RS256,
    ES256,
    EdDSA,
}

impl SigningAlg {
    /// The JWA name (RFC 7518 §3.1, RFC 8037 §3.1).
    pub fn name(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::ES256 => "ES256",
            SigningAlg::EdDSA => "EdDSA",
        }
    }
}

/// A client's registered metadata, normalised and complete.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientMetadata {
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub response_types: Vec<String>,
    pub token_endpoint_auth_method: AuthMethod,
    pub scope: String,
    pub id_token_signed_response_alg: SigningAlg,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// Where the client publishes its JWK Set instead of registering `jwks` (RFC 7591 §2; the two are exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Back-Channel Logout 1.0: where logout tokens are POSTed when a session the client took part in ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    /// Whether the client needs `sid` in logout tokens (Tarn always sends it when the session has one).
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    /// RFC 9449 §5.2: every token request of this client must carry a DPoP proof.
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// OIDC Core §3.1.2.4: the user is asked to consent before this client gets a code.
    #[serde(default)]
    pub require_consent: bool,
    /// RFC 9126 §6: this client's authorization requests must come through the PAR endpoint.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9101 §10.1 (OIDC Registration §2): the one algorithm its request objects may be signed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<SigningAlg>,
    /// RFC 7591 §2: shown on the consent page (an image, and links), never as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
}

/// RFC 7591 registration request as the admin API accepts it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientRegistration {
    #[serde(default)]
    pub client_name: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub token_endpoint_auth_method: Option<AuthMethod>,
    pub scope: Option<String>,
    pub id_token_signed_response_alg: Option<SigningAlg>,
    pub jwks: Option<Value>,
    pub jwks_uri: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: Option<bool>,
    pub dpop_bound_access_tokens: Option<bool>,
    pub require_consent: Option<bool>,
    pub require_pushed_authorization_requests: Option<bool>,
    pub request_object_signing_alg: Option<SigningAlg>,
    pub logo_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
}

/// A registered client; `client_secret` is present only in the response to its creation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Client {
    pub id: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// RFC 7591: 0 means the secret does not expire; absent for clients without a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    pub client_id_issued_at: i64,
    pub workspace_id: String,
    #[serde(flatten)]
    pub metadata: ClientMetadata,
}

/// The device authorization grant's type (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

const GRANTS: [&str; 4] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    DEVICE_CODE_GRANT,
];

/// Checks a registration and fills in the defaults.
pub fn validate(reg: ClientRegistration) -> Result<ClientMetadata> {
    let client_name = reg.client_name.trim().to_owned();
    if client_name.chars().count() > 200 {
        return Err(Error::invalid(
            "client_name",
            "must be at most 200 characters",
        ));
    }
    if client_name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "client_name",
            "must not contain control characters",
        ));
    }
    let auth = reg
        .token_endpoint_auth_method
        .unwrap_or(AuthMethod::ClientSecretBasic);
    let grant_types = reg
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    let grant_types = unique_subset("grant_types", grant_types, &GRANTS)?;
    let has_code = grant_types.iter().any(|g| g == "authorization_code");
    let response_types = reg.response_types.unwrap_or_else(|| {
        if has_code {
            vec!["code".into()]
        } else {
            vec![]
        }
    });
    let response_types = unique_subset("response_types", response_types, &["code"])?;
    if has_code != response_types.iter().any(|r| r == "code") {
        return Err(Error::invalid(
            "response_types",
            "`code` goes with grant type authorization_code (RFC 7591 §2.1)",
        ));
    }
    let has_user_grant = has_code || grant_types.iter().any(|g| g == DEVICE_CODE_GRANT);
    if grant_types.iter().any(|g| g == "refresh_token") && !has_user_grant {
        return Err(Error::invalid(
            "grant_types",
            "refresh_token needs authorization_code or the device code grant",
        ));
    }
    if grant_types.iter().any(|g| g == "client_credentials") && auth == AuthMethod::None {
        return Err(Error::invalid(
            "grant_types",
            "client_credentials needs a confidential client",
        ));
    }
    if has_code && reg.redirect_uris.is_empty() {
        return Err(Error::invalid(
            "redirect_uris",
            "at least one is required for authorization_code",
        ));
    }
    redirect_uri::check_all("redirect_uris", &reg.redirect_uris)?;
    redirect_uri::check_all("post_logout_redirect_uris", &reg.post_logout_redirect_uris)?;
    // The same rules as a redirect URI: https, or http on a loopback host; no fragment (Back-Channel Logout §2.2).
    if let Some(uri) = &reg.backchannel_logout_uri {
        redirect_uri::check_all("backchannel_logout_uri", std::slice::from_ref(uri))?;
    }
    // The pages link to them: https, or http on a loopback host, as a redirect URI.
    for (field, uri) in [
        ("logo_uri", &reg.logo_uri),
        ("policy_uri", &reg.policy_uri),
        ("tos_uri", &reg.tos_uri),
    ] {
        if let Some(uri) = uri {
            redirect_uri::check_all(field, std::slice::from_ref(uri))?;
        }
    }
    // The set at a `jwks_uri` is fetched and checked like `jwks` when a key is needed (`tokens::client_keys`).
    if let Some(uri) = &reg.jwks_uri {
        if reg.jwks.is_some() {
            return Err(Error::invalid(
                "jwks_uri",
                "must not be given with `jwks` (RFC 7591 §2)",
            ));
        }
        redirect_uri::check_all("jwks_uri", std::slice::from_ref(uri))?;
    }
    match &reg.jwks {
        Some(jwks) => client_jwks::check(jwks)?,
        None if auth == AuthMethod::PrivateKeyJwt && reg.jwks_uri.is_none() => {
            return Err(Error::invalid(
                "jwks",
                "private_key_jwt needs a JWK Set with at least one key, or a `jwks_uri`",
            ));
        }
        None => {}
    }
    if reg.request_object_signing_alg.is_some() && reg.jwks.is_none() && reg.jwks_uri.is_none() {
        return Err(Error::invalid(
            "request_object_signing_alg",
            "needs a `jwks` or `jwks_uri` with the keys request objects are signed with",
        ));
    }
    Ok(ClientMetadata {
        client_name,
        redirect_uris: reg.redirect_uris,
        post_logout_redirect_uris: reg.post_logout_redirect_uris,
        grant_types,
        response_types,
        token_endpoint_auth_method: auth,
        scope: normalise_scope(reg.scope.as_deref().unwrap_or(DEFAULT_SCOPE))?,
        id_token_signed_response_alg: reg
            .id_token_signed_response_alg
            .unwrap_or(SigningAlg::RS256),
        jwks: reg.jwks,
        jwks_uri: reg.jwks_uri,
        backchannel_logout_uri: reg.backchannel_logout_uri,
        backchannel_logout_session_required: reg
            .backchannel_logout_session_required
            .unwrap_or(false),
        dpop_bound_access_tokens: reg.dpop_bound_access_tokens.unwrap_or(false),
        require_consent: reg.require_consent.unwrap_or(false),
        require_pushed_authorization_requests: reg
            .require_pushed_authorization_requests
            .unwrap_or(false),
        request_object_signing_alg: reg.request_object_signing_alg,
        logo_uri: reg.logo_uri,
        policy_uri: reg.policy_uri,
        tos_uri: reg.tos_uri,
    })
}

fn unique_subset(field: &str, values: Vec<String>, allowed: &[&str]) -> Result<Vec<String>> {
    for (i, v) in values.iter().enumerate() {
        if !allowed.contains(&v.as_str()) {
            return Err(Error::invalid(
                field,
                format!("`{v}` is not supported (supported: {})", allowed.join(", ")),
            ));
        }
        if values[..i].contains(v) {
            return Err(Error::invalid(field, format!("`{v}` is listed twice")));
        }
    }
    Ok(values)
}

/// RFC 6749 §3.3: space-separated tokens of printable ASCII except `"` and `\`; duplicates dropped.
fn normalise_scope(scope: &str) -> Result<String> {
    let mut tokens: Vec<&str> = Vec::new();
    for token in scope.split(' ').filter(|t| !t.is_empty()) {
        if !token
            .chars()
            .all(|c| c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c))
        {
            return Err(Error::invalid(
                "scope",
                format!("`{token}` is not a valid scope token"),
            ));
        }
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    Ok(tokens.join(" "))
}

/// Registers a client; the response carries the secret, which is stored only as a hash.
pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    reg: ClientRegistration,
) -> Result<Client> {
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let metadata = validate(reg)?;
    let (tenant, workspace) = (tenant.to_owned(), workspace.to_owned());
    app.db
        .transaction(move |c| {
            super::workspace::require(c, &tenant, &workspace)?;
            insert_new(c, &ctx, &tenant, &workspace, metadata, now, Details::new())
        })
        .await
}

/// Inserts a client with checked `metadata` and a fresh secret when it uses one, with its `client.created` event
/// (`details` plus the client's name); call inside the transaction that checked the workspace.
pub fn insert_new(
    c: &mut DbConn,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    metadata: ClientMetadata,
    now: i64,
    details: Details,
) -> Result<Client> {
    let secret = metadata
        .token_endpoint_auth_method
        .uses_secret()
        .then(crate::secret::generate);
    let row = ClientRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        client_name: metadata.client_name.clone(),
        secret_hash: secret.as_deref().map(crate::secret::hash),
        metadata: serde_json::json!(metadata).to_string(),
        created_at: now,
    };
    clients::insert(c, &row)?;
    let details = details.with("client_name", &row.client_name);
    let event = client_event(EventType::ClientCreated, &row).details(details);
    audit::record(c, tenant, ctx, now, event)?;
    let mut client = view(row)?;
    client.client_secret = secret;
    Ok(client)
}

pub async fn find(app: &AppState, tenant: &str, workspace: &str, id: &str) -> Result<Client> {
    let (tenant, workspace, id) = (tenant.to_owned(), workspace.to_owned(), id.to_owned());
    app.db
        .run(move |c| view(require(c, &tenant, &workspace, &id)?))
        .await
}

pub async fn list(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    page: PageRequest,
) -> Result<Page<Client>> {
    let (tenant, workspace) = (tenant.to_owned(), workspace.to_owned());
    app.db
        .run(move |c| {
            super::workspace::require(c, &tenant, &workspace)?;
            let (rows, next) = clients::list(c, &tenant, &workspace, &page)?;
            Ok((rows.into_iter().map(view).collect::<Result<_>>()?, next))
        })
        .await
}

pub async fn delete(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    id: &str,
) -> Result<()> {
    let (t, w, i) = (tenant.to_owned(), workspace.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let row = require(c, &t, &w, &i)?;
            delete_row(c, &ctx, &row, now)
        })
        .await?;
    // Its grants went with it (foreign keys); this instance forgets it at once, others within 5 s.
    app.clients.invalidate(tenant, workspace, id);
    Ok(())
}

/// Deletes the client `row` with its `client.deleted` event; call inside a transaction.
pub fn delete_row(c: &mut DbConn, ctx: &audit::Context, row: &ClientRow, now: i64) -> Result<()> {
    clients::delete(c, &row.id)?;
    let details = Details::new().with("client_name", &row.client_name);
    let event = client_event(EventType::ClientDeleted, row).details(details);
    audit::record(c, &row.tenant_id, ctx, now, event)?;
    Ok(())
}

pub(super) fn client_event(kind: EventType, row: &ClientRow) -> Event {
    Event::new(kind)
        .subject(SubjectType::Client, &row.id)
        .workspace(&row.workspace_id)
        .client(&row.id)
}

/// The client row, or `NotFound` when the workspace has no such client.
pub fn require(conn: &mut DbConn, tenant: &str, workspace: &str, id: &str) -> Result<ClientRow> {
    super::workspace::require(conn, tenant, workspace)?;
    if !is_plausible_id(id) {
        return Err(Error::NotFound("client"));
    }
    clients::find(conn, tenant, workspace, id)?.ok_or(Error::NotFound("client"))
}

/// Whether `id` could name a client. Client ids are short text (UUIDs), so an empty or long id, or one with a
/// control character (PostgreSQL cannot even compare a text with NUL: it fails the query), names no client and
/// is not looked up.
pub fn is_plausible_id(id: &str) -> bool {
    (1..=255).contains(&id.len()) && !id.chars().any(char::is_control)
}

pub(super) fn view(row: ClientRow) -> Result<Client> {
    let metadata: ClientMetadata = serde_json::from_str(&row.metadata).map_err(|e| {
        Error::Store(crate::store::StoreError::Blocking(format!(
            "client {}: {e}",
            row.id
        )))
    })?;
    Ok(Client {
        client_secret: None,
        client_secret_expires_at: row.secret_hash.as_ref().map(|_| 0),
        client_id_issued_at: row.created_at,
        client_id: row.id.clone(),
        id: row.id,
        workspace_id: row.workspace_id,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reg(v: Value) -> Result<ClientMetadata> {
        validate(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn defaults_make_a_confidential_code_client() {
        let m = reg(json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"]}))
            .unwrap();
        assert_eq!(m.token_endpoint_auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(m.grant_types, ["authorization_code"]);
        assert_eq!(m.response_types, ["code"]);
        assert_eq!(m.scope, DEFAULT_SCOPE);
        assert_eq!(m.id_token_signed_response_alg, SigningAlg::RS256);
    }

    #[test]
    fn redirect_uris_must_be_https_or_loopback_without_fragment() {
        for ok in [
            "https://a.example/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8/cb",
        ] {
            assert!(reg(json!({"redirect_uris": [ok]})).is_ok(), "{ok}");
        }
        for bad in [
            "http://a.example/cb",
            "/cb",
            "https://a.example/cb#x",
            "ftp://a.example",
            "https://u:p@a.example/cb",
        ] {
            let e = reg(json!({"redirect_uris": [bad]}))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("redirect_uris:"), "{bad}: {e}");
        }
    }

    #[test]
    fn inconsistent_registrations_are_refused() {
        assert!(reg(json!({"grant_types": ["authorization_code"]})).is_err());
        assert!(
            reg(
                json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"})
            )
            .is_err()
        );
        assert!(
            reg(json!({"grant_types": ["implicit"], "redirect_uris": ["https://a.example/"]}))
                .is_err()
        );
        assert!(reg(json!({"token_endpoint_auth_method": "private_key_jwt", "redirect_uris": ["https://a.example/"]})).is_err());
        assert!(
            reg(json!({"scope": "openid \"bad\"", "redirect_uris": ["https://a.example/"]}))
                .is_err()
        );
        assert!(reg(json!({"grant_types": ["client_credentials"]})).is_ok());
    }

    #[test]
    fn consent_page_links_must_be_https_or_loopback() {
        let m = reg(
            json!({"redirect_uris": ["https://a.example/cb"], "require_consent": true,
            "logo_uri": "https://a.example/logo.png", "tos_uri": "http://127.0.0.1/tos"}),
        )
        .unwrap();
        assert!(m.require_consent);
        assert_eq!(m.logo_uri.as_deref(), Some("https://a.example/logo.png"));
        for field in ["logo_uri", "policy_uri", "tos_uri"] {
            for bad in ["http://a.example/x", "javascript:alert(1)", "/relative"] {
                let mut v = json!({"redirect_uris": ["https://a.example/cb"]});
                v[field] = json!(bad);
                let e = reg(v).unwrap_err().to_string();
                assert!(e.starts_with(&format!("{field}:")), "{bad}: {e}");
            }
        }
    }

    #[test]
    fn a_device_client_needs_no_redirect_uri_and_may_refresh() {
        let grants = json!([DEVICE_CODE_GRANT, "refresh_token"]);
        let m = reg(json!({"grant_types": grants, "token_endpoint_auth_method": "none"})).unwrap();
        assert_eq!(m.grant_types, [DEVICE_CODE_GRANT, "refresh_token"]);
        assert!(m.response_types.is_empty());
    }
}
