//! The application form of **Create application** and **Edit**: its fields as submitted (grant types as
//! checkboxes by name, redirect URIs one per line), turned into the domain's RFC 7591 `ClientRegistration` or,
//! for Edit, the merge patch the admin API's PATCH takes; and a client's metadata as the prefilled form. Only what an HTML form
//! cannot say is checked here (a method the select does not offer); every rule on the values is
//! `identity::client`'s.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::form::FormState;
use crate::identity::client::{AuthMethod, ClientMetadata, ClientRegistration, DEVICE_CODE_GRANT};

/// The grant types the form offers, each a checkbox `(field, grant type, label)`.
pub const GRANTS: [(&str, &str, &str); 4] = [
    (
        "grant_authorization_code",
        "authorization_code",
        "Authorization code (users sign in)",
    ),
    (
        "grant_refresh_token",
        "refresh_token",
        "Refresh token (with authorization code or device code)",
    ),
    (
        "grant_client_credentials",
        "client_credentials",
        "Client credentials (a service, no user)",
    ),
    (
        "grant_device_code",
        DEVICE_CODE_GRANT,
        "Device code (input-constrained devices)",
    ),
];

/// The authentication methods the form offers, `(value, label)`. `private_key_jwt` needs a JWK Set, which is
/// registered through the admin API.
pub const METHODS: [(&str, &str); 3] = [
    ("client_secret_basic", "Client secret (HTTP Basic)"),
    ("client_secret_post", "Client secret (in the form body)"),
    ("none", "None: a public client with PKCE"),
];

/// The domain's field names and the form's, where they differ.
pub const FIELDS: &[(&str, &str)] = &[
    ("grant_types", "grant_authorization_code"),
    ("response_types", "grant_authorization_code"),
    ("jwks", "token_endpoint_auth_method"),
];

#[derive(Deserialize)]
pub struct ClientForm {
    pub csrf_token: String,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}
crate::csrf_protected!(ClientForm);

impl ClientForm {
    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", String::as_str)
    }

    pub fn state(&self) -> FormState {
        let values: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        FormState::with(&values)
    }

    /// The non-empty lines of a text area.
    fn lines(&self, field: &str) -> Vec<String> {
        self.get(field)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The registration the form says, or `None` (the problem in `state`) for a method the form does not offer.
    pub fn registration(&self, state: &mut FormState) -> Option<ClientRegistration> {
        let method = self.get("token_endpoint_auth_method");
        let Some(auth) =
            METHODS
                .iter()
                .find(|(value, _)| *value == method)
                .and_then(|(value, _)| {
                    serde_json::from_value::<AuthMethod>(serde_json::json!(value)).ok()
                })
        else {
            state.refuse("token_endpoint_auth_method", "Choose one of the methods");
            return None;
        };
        let grant_types = GRANTS
            .iter()
            .filter(|(field, _, _)| !self.get(field).is_empty())
            .map(|(_, grant, _)| (*grant).to_owned())
            .collect();
        Some(ClientRegistration {
            client_name: self.get("client_name").to_owned(),
            redirect_uris: self.lines("redirect_uris"),
            post_logout_redirect_uris: self.lines("post_logout_redirect_uris"),
            grant_types: Some(grant_types),
            response_types: None,
            token_endpoint_auth_method: Some(auth),
            scope: Some(self.get("scope").to_owned()),
            id_token_signed_response_alg: None,
            jwks: None,
            jwks_uri: None,
            backchannel_logout_uri: None,
            backchannel_logout_session_required: None,
            dpop_bound_access_tokens: None,
            require_consent: Some(!self.get("require_consent").is_empty()),
            require_pushed_authorization_requests: Some(
                !self.get("require_pushed_authorization_requests").is_empty(),
            ),
            request_object_signing_alg: None,
            logo_uri: None,
            policy_uri: None,
            tos_uri: None,
        })
    }
}

impl ClientForm {
    /// The fields the form edits as a merge patch (the others are kept), or `None` as `registration` says.
    pub fn patch(&self, state: &mut FormState) -> Option<Map<String, Value>> {
        let reg = self.registration(state)?;
        let patch = json!({
            "client_name": reg.client_name,
            "redirect_uris": reg.redirect_uris,
            "post_logout_redirect_uris": reg.post_logout_redirect_uris,
            "grant_types": reg.grant_types,
            "token_endpoint_auth_method": reg.token_endpoint_auth_method,
            "scope": reg.scope,
            "require_consent": reg.require_consent,
            "require_pushed_authorization_requests": reg.require_pushed_authorization_requests,
            // Derived from the grant types again, as Create does.
            "response_types": Value::Null,
        });
        match patch {
            Value::Object(fields) => Some(fields),
            _ => None,
        }
    }
}

/// A client's metadata as the Edit form, prefilled.
pub fn state_of(m: &ClientMetadata) -> FormState {
    let method = serde_json::to_value(m.token_endpoint_auth_method).unwrap_or_default();
    let on = |yes: bool| if yes { "on" } else { "" };
    let mut values = vec![
        ("client_name".to_owned(), m.client_name.clone()),
        ("redirect_uris".to_owned(), m.redirect_uris.join("\n")),
        (
            "post_logout_redirect_uris".to_owned(),
            m.post_logout_redirect_uris.join("\n"),
        ),
        (
            "token_endpoint_auth_method".to_owned(),
            method.as_str().unwrap_or_default().to_owned(),
        ),
        ("scope".to_owned(), m.scope.clone()),
        (
            "require_consent".to_owned(),
            on(m.require_consent).to_owned(),
        ),
        (
            "require_pushed_authorization_requests".to_owned(),
            on(m.require_pushed_authorization_requests).to_owned(),
        ),
    ];
    for (field, grant, _) in GRANTS {
        let granted = m.grant_types.iter().any(|g| g == grant);
        values.push((field.to_owned(), on(granted).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    FormState::with(&pairs)
}
