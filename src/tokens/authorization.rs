//! Validation of an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636), in the order that
//! decides how an error may be reported: client and redirect URI first (never redirect to an unverified URI).
//! Redirect URIs match registered ones exactly, except for the port of a native app's loopback IP URI
//! (RFC 8252 §7.3, see `identity::redirect_uri`); the code remembers the URI as requested, and the token
//! request must repeat it exactly (RFC 6749 §4.1.3).

use serde::{Deserialize, Serialize};

use super::claims::{RequestedClaims, has_scope};
use super::client_auth::RegisteredClient;
use crate::identity::client::AuthMethod;
use crate::identity::redirect_uri;

/// The parameters as sent (query or form). Unknown parameters are ignored. Serialized as a pushed request
/// keeps them (RFC 9126).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub id_token_hint: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
    /// RFC 9449 §10: the thumbprint of the DPoP key the code must be redeemed with.
    pub dpop_jkt: Option<String>,
    /// OIDC Core §5.5: individual claims for UserInfo and the ID token, as JSON.
    pub claims: Option<String>,
}

/// How the response goes back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// A request that passed every check, with the scope that will be granted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt_none: bool,
    pub prompt_login: bool,
    /// `prompt=consent`: ask for consent even where the user gave it before.
    #[serde(default)]
    pub prompt_consent: bool,
    /// `prompt=create` (Initiating User Registration via OpenID Connect 1.0): open the registration page.
    #[serde(default)]
    pub prompt_create: bool,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The DPoP key thumbprint the code is bound to.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
    /// For a sign-in on the device page (RFC 8628): the device request's handle. Signing in then leads to the
    /// device page's approval step instead of a redirect to the client.
    #[serde(default)]
    pub device: Option<String>,
    /// The claims requested by name that the client may have.
    #[serde(default)]
    pub claims: RequestedClaims,
    /// Set once the user signed in and the request waits on the consent page: the sign-in it finishes with,
    /// which the page also checks the browser's session against.
    #[serde(default)]
    pub awaiting_consent: Option<SignedIn>,
}

/// A finished sign-in: who, when, how, and in which SSO session (its `sid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub sid: Option<String>,
}

/// Why a request is refused, and so how: a page, or a redirect back to the (verified) client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown client or unregistered redirect URI: shown to the user, never redirected.
    Page(String),
    /// Reported to the client at its redirect URI.
    Redirect {
        redirect_uri: String,
        response_mode: ResponseMode,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

const MAX_PARAM: usize = 2048;
const MAX_CLAIMS_PARAM: usize = 8192;

/// Checks the request against the client (`None` when `client_id` names no client of this workspace). A
/// request object or a pushed request is unpacked before (`crate::tokens::request_object`, `pushed`).
pub fn validate(
    p: &AuthorizeParams,
    client: Option<&RegisteredClient>,
) -> Result<ValidRequest, Refusal> {
    let (client, redirect_uri) = verified_redirect(p, client)?;
    let response_mode = match p.response_mode.as_deref() {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => ResponseMode::Query,
    };
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        response_mode,
        error,
        description: description.to_owned(),
        state: p.state.clone(),
    };
    if p.request.is_some() {
        return Err(refuse(
            "invalid_request",
            "a request object must be unpacked before validation",
        ));
    }
    if p.request_uri.is_some() {
        return Err(refuse(
            "request_uri_not_supported",
            "request_uri is supported only for pushed authorization requests (RFC 9126)",
        ));
    }
    checked(p, client, redirect_uri.clone(), response_mode).map_err(|(e, d)| refuse(e, &d))
}

/// How to report `error` about a request that cannot be validated at all (a request object or pushed request
/// that cannot be used): to the redirect URI when the outer request names the client and a redirect URI
/// registered for it, on a page otherwise (the redirect URI is unverified).
pub fn refusal(
    p: &AuthorizeParams,
    client: Option<&RegisteredClient>,
    error: &'static str,
    description: &str,
) -> Refusal {
    match verified_redirect(p, client) {
        Ok((_, redirect_uri)) => Refusal::Redirect {
            redirect_uri,
            response_mode: match p.response_mode.as_deref() {
                Some("form_post") => ResponseMode::FormPost,
                _ => ResponseMode::Query,
            },
            error,
            description: description.to_owned(),
            state: p.state.clone(),
        },
        Err(_) => Refusal::Page(format!(
            "The authorization request cannot be used: {description}."
        )),
    }
}

/// RFC 9126 §5–6: where the client or the workspace requires pushed authorization requests, a request that
/// was not pushed is refused (`invalid_request`, to the client's verified redirect URI).
pub fn check_pushed(
    valid: &ValidRequest,
    client: &RegisteredClient,
    workspace_requires: bool,
    pushed: bool,
) -> Result<(), Refusal> {
    if pushed || !(workspace_requires || client.metadata.require_pushed_authorization_requests) {
        return Ok(());
    }
    Err(Refusal::Redirect {
        redirect_uri: valid.redirect_uri.clone(),
        response_mode: valid.response_mode,
        error: "invalid_request",
        description: "authorization requests must be pushed first (PAR, RFC 9126)".into(),
        state: valid.state.clone(),
    })
}

/// The client and the redirect URI, verified: anything wrong here is shown on a page, never redirected.
fn verified_redirect<'c>(
    p: &AuthorizeParams,
    client: Option<&'c RegisteredClient>,
) -> Result<(&'c RegisteredClient, String), Refusal> {
    let client = match (&p.client_id, client) {
        (None, _) => return Err(Refusal::Page("The request has no client_id.".into())),
        (Some(_), None) => {
            return Err(Refusal::Page(
                "The application (client_id) is not registered here.".into(),
            ));
        }
        (Some(_), Some(c)) => c,
    };
    // RFC 8252 §7.3: a native app (a public client) may add any port to a loopback IP redirect URI.
    let native = client.metadata.token_endpoint_auth_method == AuthMethod::None;
    let redirect_uri = match &p.redirect_uri {
        None => return Err(Refusal::Page("The request has no redirect_uri.".into())),
        Some(uri) if !redirect_uri::is_registered(&client.metadata.redirect_uris, uri, native) => {
            return Err(Refusal::Page(
                "The redirect_uri is not registered for this application.".into(),
            ));
        }
        Some(uri) => uri.clone(),
    };
    Ok((client, redirect_uri))
}

/// The checks after client and redirect URI; an error is reported to the client (code, description).
fn checked(
    p: &AuthorizeParams,
    client: &RegisteredClient,
    redirect_uri: String,
    response_mode: ResponseMode,
) -> Result<ValidRequest, (&'static str, String)> {
    let refuse = |error: &'static str, description: &str| (error, description.to_owned());
    if let Some(mode) = p
        .response_mode
        .as_deref()
        .filter(|m| !matches!(*m, "query" | "form_post"))
    {
        return Err(refuse(
            "invalid_request",
            &format!("response_mode `{mode}` is not supported"),
        ));
    }
    check_free_text(p).map_err(|d| refuse("invalid_request", d))?;
    match p.response_type.as_deref() {
        None => return Err(refuse("invalid_request", "response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
    }
    if !client.metadata.response_types.iter().any(|r| r == "code") {
        return Err(refuse(
            "unauthorized_client",
            "the client is not registered for the code flow",
        ));
    }
    let code_challenge = pkce(p, client.metadata.token_endpoint_auth_method)
        .map_err(|d| refuse("invalid_request", d))?;
    // A SHA-256 thumbprint, base64url: 43 characters.
    if p.dpop_jkt.as_deref().is_some_and(|j| {
        j.len() != 43
            || !j
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(refuse(
            "invalid_request",
            "dpop_jkt must be a SHA-256 JWK thumbprint",
        ));
    }
    let claims =
        requested_claims(p, &client.metadata.scope).map_err(|d| refuse("invalid_request", d))?;
    let prompt = Prompt::parse(p.prompt.as_deref()).map_err(|d| refuse("invalid_request", d))?;
    let max_age =
        match p.max_age.as_deref() {
            None => None,
            Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                refuse("invalid_request", "max_age must be a non-negative integer")
            })?),
        };
    Ok(ValidRequest {
        client_id: client.row.id.clone(),
        redirect_uri,
        response_mode,
        scope: granted_scope(p.scope.as_deref().unwrap_or(""), &client.metadata.scope),
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge,
        prompt_none: prompt.none,
        prompt_login: prompt.login,
        prompt_consent: prompt.consent,
        prompt_create: prompt.create,
        max_age,
        login_hint: p.login_hint.clone(),
        dpop_jkt: p.dpop_jkt.clone(),
        device: None,
        claims,
        awaiting_consent: None,
    })
}

/// The `claims` parameter, bounded, read, and narrowed to the claims of the client's registered scopes.
fn requested_claims(p: &AuthorizeParams, allowed: &str) -> Result<RequestedClaims, &'static str> {
    match p.claims.as_deref() {
        None => Ok(RequestedClaims::default()),
        Some(c) if c.len() > MAX_CLAIMS_PARAM => Err("claims is too long"),
        Some(c) => Ok(RequestedClaims::parse(c)?.allowed_by(allowed)),
    }
}

/// Free-text parameters: bounded, and without control characters (RFC 6749 Appendix A: `state` is VSCHAR,
/// `scope` NQCHAR). NUL cannot even be stored by PostgreSQL, so refuse here, before the user signs in, rather
/// than fail once they have.
fn check_free_text(p: &AuthorizeParams) -> Result<(), &'static str> {
    let values = [
        &p.state,
        &p.nonce,
        &p.scope,
        &p.login_hint,
        &p.code_challenge,
    ];
    for value in values.into_iter().filter_map(Option::as_deref) {
        if value.len() > MAX_PARAM {
            return Err("a parameter is too long");
        }
        if value.chars().any(char::is_control) {
            return Err("a parameter contains a control character");
        }
    }
    Ok(())
}

/// S256 only; required for public clients.
fn pkce(p: &AuthorizeParams, method: AuthMethod) -> Result<Option<String>, &'static str> {
    match (&p.code_challenge, p.code_challenge_method.as_deref()) {
        (None, None) if method == AuthMethod::None => {
            Err("code_challenge (PKCE, S256) is required for public clients")
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err("code_challenge_method without code_challenge"),
        (Some(_), None | Some("plain")) => {
            Err("code_challenge_method must be S256 (plain is not accepted)")
        }
        (Some(c), Some("S256"))
            if c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Some(c.clone()))
        }
        (Some(_), Some("S256")) => {
            Err("code_challenge must be a base64url SHA-256 (43 characters)")
        }
        (Some(_), Some(_)) => Err("code_challenge_method must be S256"),
    }
}

/// The `prompt` values Tarn acts on; `select_account` is accepted and needs nothing (one account per browser).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Prompt {
    none: bool,
    login: bool,
    consent: bool,
    create: bool,
}

impl Prompt {
    /// `none` cannot be combined with another value (OIDC Core §3.1.2.1; for `create`, Initiating User
    /// Registration §4.1).
    fn parse(value: Option<&str>) -> Result<Prompt, &'static str> {
        let values: Vec<&str> = value
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect();
        if values.iter().any(|v| !PROMPT_VALUES.contains(v)) {
            return Err("prompt has an unknown value");
        }
        let has = |v: &str| values.contains(&v);
        if has("none") && values.len() > 1 {
            return Err("prompt=none cannot be combined with other values");
        }
        Ok(Prompt {
            none: has("none"),
            login: has("login"),
            consent: has("consent"),
            create: has("create"),
        })
    }
}

/// The `prompt` values Tarn accepts (`prompt_values_supported`).
pub const PROMPT_VALUES: [&str; 5] = ["none", "login", "consent", "select_account", "create"];

/// The requested scopes the client may have, in request order; others are dropped (CONTRACT: the response's
/// `scope` says what was granted).
pub fn granted_scope(requested: &str, allowed: &str) -> String {
    let mut granted: Vec<&str> = Vec::new();
    for s in requested.split(' ').filter(|s| !s.is_empty()) {
        if has_scope(allowed, s) && !granted.contains(&s) {
            granted.push(s);
        }
    }
    granted.join(" ")
}

/// Scopes Tarn understands.
pub const SUPPORTED_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "groups",
    "offline_access",
];

/// Claims Tarn can return (profile claims come from the pool's schema; these are the standard ones).
pub const SUPPORTED_CLAIMS: [&str; 25] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "sid",
    "azp",
    "at_hash",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "picture",
    "locale",
    "updated_at",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "groups",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_outside_the_clients_are_dropped() {
        assert_eq!(
            granted_scope("openid email admin email", "openid profile email"),
            "openid email"
        );
        assert_eq!(granted_scope("", "openid"), "");
    }

    #[test]
    fn prompt_values() {
        let login_consent = Prompt::parse(Some("login consent")).unwrap();
        assert!(login_consent.login && login_consent.consent && !login_consent.none);
        assert!(Prompt::parse(Some("none")).unwrap().none);
        assert!(Prompt::parse(Some("create")).unwrap().create);
        assert!(Prompt::parse(Some("none login")).is_err());
        assert!(Prompt::parse(Some("none create")).is_err());
        assert!(Prompt::parse(Some("bogus")).is_err());
    }
}
