//! Dynamic client registration (RFC 7591) and management of the registered client (RFC 7592), by the rules of
//! the admin API's registration (`client::validate`). The workspace's `dynamic_registration` says who may
//! register: nobody (`off`), anybody within a per-address limit (`open`), or the holders of an initial access
//! token. Every registered client gets a registration access token (shown once, stored as SHA-256, compared in
//! constant time, replaced on each update) to read, replace and delete itself. Unknown metadata is ignored
//! (RFC 7591 §2); `require_consent` is always on for a registered client: only an administrator may turn it off.

use serde_json::{Map, Value};

use super::client::{self, Client};
use super::client_change;
use super::error::Error;
use super::workspace::{self, RegistrationMode};
use crate::audit::{self, Details};
use crate::state::AppState;
use crate::store::client_registrations as store;
use crate::store::clients::ClientRow;
use crate::store::{DbConn, StoreError};

/// Open registrations accepted per client address and hour.
pub const OPEN_REGISTRATIONS_PER_HOUR: i64 = 20;
const WINDOW: i64 = 3600;

/// The metadata a registration may set; anything else in the request is ignored (RFC 7591 §2).
const FIELDS: [&str; 17] = [
    "client_name",
    "redirect_uris",
    "post_logout_redirect_uris",
    "grant_types",
    "response_types",
    "token_endpoint_auth_method",
    "scope",
    "id_token_signed_response_alg",
    "jwks",
    "jwks_uri",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "dpop_bound_access_tokens",
    "require_consent",
    "logo_uri",
    "policy_uri",
    "tos_uri",
];

/// Why a registration or management request was refused.
#[derive(Debug, thiserror::Error)]
pub enum DcrError {
    /// The workspace does not offer registration (or does not exist).
    #[error("dynamic client registration is not available here")]
    NotAvailable,
    /// RFC 6750 §3.1: the bearer token (initial or registration access token) is missing, unknown or spent.
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("too many registrations from this address; try again later")]
    RateLimited,
    /// RFC 7591 §3.2.2 `invalid_redirect_uri`.
    #[error("{0}")]
    InvalidRedirectUri(String),
    /// RFC 7591 §3.2.2 `invalid_client_metadata`.
    #[error("{0}")]
    InvalidMetadata(String),
    #[error("software statements are not supported")]
    InvalidSoftwareStatement,
    #[error(transparent)]
    Identity(Error),
}

impl From<StoreError> for DcrError {
    fn from(e: StoreError) -> Self {
        DcrError::Identity(Error::Store(e))
    }
}

impl From<Error> for DcrError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid { field, message } if field.starts_with("redirect_uris") => {
                DcrError::InvalidRedirectUri(format!("{field}: {message}"))
            }
            Error::Invalid { field, message } => {
                DcrError::InvalidMetadata(format!("{field}: {message}"))
            }
            other => DcrError::Identity(other),
        }
    }
}

type Result<T> = std::result::Result<T, DcrError>;

/// A client as registration shows it, with its new registration access token when the request made one.
#[derive(Debug)]
pub struct Registered {
    pub client: Client,
    pub registration_access_token: Option<String>,
}

/// Who is registering: the bearer token they presented and their address.
pub struct Registrant<'a> {
    pub bearer: Option<&'a str>,
    pub address: &'a str,
}

/// Registers a client from an RFC 7591 request body (a JSON object).
pub async fn register(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    ws: &str,
    who: Registrant<'_>,
    body: Value,
) -> Result<Registered> {
    let mut fields = metadata_fields(body)?;
    fields.insert("require_consent".into(), Value::Bool(true));
    let metadata = client::validate(client_change::parse_registration(Value::Object(fields))?)?;
    fetched_uris_are_https(&metadata)?;
    let (t, w, ctx, now) = (
        tenant.to_owned(),
        ws.to_owned(),
        ctx.clone(),
        app.clock.now(),
    );
    let bearer_hash = who.bearer.map(crate::secret::hash);
    let address = who.address.to_owned();
    app.db
        .transaction(move |c| {
            let details = admit(c, &t, &w, bearer_hash.as_deref(), &address, now)?;
            let client = client::insert_new(c, &ctx, &t, &w, metadata, now, details)?;
            let token = crate::secret::generate();
            store::set_token(c, &client.id, &crate::secret::hash(&token), now)?;
            Ok(Registered {
                client,
                registration_access_token: Some(token),
            })
        })
        .await
}

/// Whether the workspace takes this registration now; takes a use of the initial access token, or counts the
/// address. Returns what the `client.created` event should tell about it.
fn admit(
    c: &mut DbConn,
    tenant: &str,
    ws: &str,
    bearer_hash: Option<&str>,
    address: &str,
    now: i64,
) -> Result<Details> {
    let row = match workspace::require(c, tenant, ws) {
        Ok(row) => row,
        Err(Error::NotFound(_)) => return Err(DcrError::NotAvailable),
        Err(e) => return Err(e.into()),
    };
    let details = Details::new().with("via", "dynamic_registration");
    match RegistrationMode::parse(&row.dynamic_registration) {
        RegistrationMode::Off => Err(DcrError::NotAvailable),
        RegistrationMode::Open => {
            if store::requests_since(c, address, now - WINDOW)? >= OPEN_REGISTRATIONS_PER_HOUR {
                return Err(DcrError::RateLimited);
            }
            store::record_request(c, address, now)?;
            Ok(details)
        }
        RegistrationMode::InitialAccessToken => {
            let hash = bearer_hash.ok_or(DcrError::InvalidToken(
                "an initial access token is required (Authorization: Bearer)",
            ))?;
            let id = store::consume_initial_token(c, tenant, ws, hash, now)?.ok_or(
                DcrError::InvalidToken("the initial access token is unknown, expired or used up"),
            )?;
            Ok(details.with("initial_access_token_id", &id))
        }
    }
}

/// The URIs Tarn itself calls for a client (its `jwks_uri`, its `backchannel_logout_uri`) must be https when
/// anyone may register: the loopback `http` the admin API allows (for development) would let a registrant make
/// Tarn send requests to services on its own host.
fn fetched_uris_are_https(metadata: &client::ClientMetadata) -> Result<()> {
    let fetched = [
        ("jwks_uri", &metadata.jwks_uri),
        ("backchannel_logout_uri", &metadata.backchannel_logout_uri),
    ];
    for (field, uri) in fetched {
        if uri.as_deref().is_some_and(|u| !u.starts_with("https://")) {
            return Err(DcrError::InvalidMetadata(format!(
                "{field} must be an https URL for a dynamically registered client"
            )));
        }
    }
    Ok(())
}

/// The registration metadata of a request body: a JSON object without a software statement, unknown members
/// dropped.
fn metadata_fields(body: Value) -> Result<Map<String, Value>> {
    let Value::Object(mut fields) = body else {
        return Err(DcrError::InvalidMetadata(
            "the request body must be a JSON object".into(),
        ));
    };
    if fields.contains_key("software_statement") {
        return Err(DcrError::InvalidSoftwareStatement);
    }
    fields.retain(|name, _| FIELDS.contains(&name.as_str()));
    Ok(fields)
}

/// The client `id` of the workspace when `token` is its registration access token. An unknown client, one not
/// made by registration and a wrong token are the same refusal, so the answer tells nothing about which ids exist.
fn authorize(c: &mut DbConn, tenant: &str, ws: &str, id: &str, token: &str) -> Result<ClientRow> {
    let refused =
        DcrError::InvalidToken("the registration access token is not valid for this client");
    let row = match client::require(c, tenant, ws, id) {
        Ok(row) => Some(row),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let hash = match &row {
        Some(row) => store::token_hash(c, &row.id)?,
        None => None,
    };
    // Hash and compare even without a stored hash, so both refusals cost the same.
    let stored = hash.as_deref().unwrap_or("-");
    match row {
        Some(row) if crate::secret::matches(token, stored) && hash.is_some() => Ok(row),
        _ => Err(refused),
    }
}

/// RFC 7592 §2.1: the client's current metadata (no secret).
pub async fn read(
    app: &AppState,
    tenant: &str,
    ws: &str,
    id: &str,
    token: &str,
) -> Result<Registered> {
    let (t, w, i, token) = (
        tenant.to_owned(),
        ws.to_owned(),
        id.to_owned(),
        token.to_owned(),
    );
    app.db
        .run(move |c| {
            let row = authorize(c, &t, &w, &i, &token)?;
            Ok(Registered {
                client: client::view(row)?,
                registration_access_token: None,
            })
        })
        .await
}

/// RFC 7592 §2.2: replaces the metadata with the request's (which must name the client's `client_id`, and may
/// repeat its current `client_secret`), and replaces the registration access token.
pub async fn replace(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    ws: &str,
    id: &str,
    token: &str,
    body: Value,
) -> Result<Registered> {
    let (t, w, i, token) = (
        tenant.to_owned(),
        ws.to_owned(),
        id.to_owned(),
        token.to_owned(),
    );
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let replaced = app
        .db
        .transaction(move |c| {
            let row = authorize(c, &t, &w, &i, &token)?;
            check_echoed(&row, &body)?;
            let current = client::view(row.clone())?.metadata;
            let mut fields = metadata_fields(body)?;
            fields.insert(
                "require_consent".into(),
                Value::Bool(current.require_consent),
            );
            let reg = client_change::parse_registration(Value::Object(fields))?;
            let metadata = client::validate(reg)?;
            fetched_uris_are_https(&metadata)?;
            let client = client_change::replace(c, &ctx, row, metadata, now)?;
            let token = crate::secret::generate();
            store::set_token(c, &client.id, &crate::secret::hash(&token), now)?;
            Ok::<_, DcrError>(Registered {
                client,
                registration_access_token: Some(token),
            })
        })
        .await?;
    app.clients.invalidate(tenant, ws, id);
    Ok(replaced)
}

/// RFC 7592 §2.2: `client_id` must be the client's; a `client_secret`, when sent, must be its current one.
fn check_echoed(row: &ClientRow, body: &Value) -> Result<()> {
    if body.get("client_id").and_then(Value::as_str) != Some(row.id.as_str()) {
        return Err(DcrError::InvalidMetadata(
            "client_id: must be present and name this client (RFC 7592 §2.2)".into(),
        ));
    }
    if let Some(secret) = body.get("client_secret") {
        let matches = secret.as_str().zip(row.secret_hash.as_deref());
        if !matches.is_some_and(|(s, h)| crate::secret::matches(s, h)) {
            return Err(DcrError::InvalidMetadata(
                "client_secret: must be the client's current secret when sent".into(),
            ));
        }
    }
    Ok(())
}

/// RFC 7592 §2.3: deletes the client; its grants and tokens go with it.
pub async fn delete(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    ws: &str,
    id: &str,
    token: &str,
) -> Result<()> {
    let (t, w, i, token) = (
        tenant.to_owned(),
        ws.to_owned(),
        id.to_owned(),
        token.to_owned(),
    );
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let row = authorize(c, &t, &w, &i, &token)?;
            client::delete_row(c, &ctx, &row, now)?;
            Ok::<_, DcrError>(())
        })
        .await?;
    app.clients.invalidate(tenant, ws, id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_metadata_is_dropped_and_software_statements_refused() {
        let fields = metadata_fields(json!({"client_name": "A", "contacts": ["x"]})).unwrap();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["client_name"]);
        assert!(matches!(
            metadata_fields(json!({"software_statement": "e.y.z"})),
            Err(DcrError::InvalidSoftwareStatement)
        ));
        assert!(matches!(
            metadata_fields(json!([1])),
            Err(DcrError::InvalidMetadata(_))
        ));
    }

    #[test]
    fn redirect_uri_errors_have_their_own_code() {
        let e = DcrError::from(Error::invalid("redirect_uris", "bad"));
        assert!(matches!(e, DcrError::InvalidRedirectUri(_)));
        let e = DcrError::from(Error::invalid("scope", "bad"));
        assert!(matches!(e, DcrError::InvalidMetadata(_)));
    }
}
