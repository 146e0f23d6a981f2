//! Changes to a registered client: its metadata replaced as a whole (the admin API's merge-patch and RFC 7592's
//! PUT both end here, with the validation of a registration) and its secret rotated. Each change writes
//! `client.updated` in its transaction and drops this instance's cached copy of the client.

use serde_json::{Map, Value};

use super::client::{self, Client, ClientMetadata, ClientRegistration};
use super::error::{Error, Result};
use crate::audit::{self, Details, EventType};
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::clients::{self, ClientRow};

/// A JSON merge patch (RFC 7396, one level) of client `id`: the fields given replace the current ones, `null`
/// removes one (it takes its default again), the others are kept; the result is checked as a registration.
pub async fn patch(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    id: &str,
    patch: Map<String, Value>,
) -> Result<Client> {
    let (t, w, i) = (tenant.to_owned(), workspace.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let patched = app
        .db
        .transaction(move |c| {
            let row = client::require(c, &t, &w, &i)?;
            let mut merged = match serde_json::to_value(stored_metadata(&row)?) {
                Ok(Value::Object(fields)) => fields,
                _ => Map::new(),
            };
            for (field, value) in patch {
                match value {
                    Value::Null => merged.remove(&field),
                    value => merged.insert(field, value),
                };
            }
            let metadata = client::validate(parse_registration(Value::Object(merged))?)?;
            replace(c, &ctx, row, metadata, now)
        })
        .await?;
    app.clients.invalidate(tenant, workspace, id);
    Ok(patched)
}

/// Reads registration metadata from JSON; the error names the offending field.
pub fn parse_registration(value: Value) -> Result<ClientRegistration> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "client".into() } else { path };
        Error::invalid(field, e.into_inner().to_string())
    })
}

/// Gives client `id` a new secret (shown once in the answer); the old one stops working at once here and within
/// the client cache's 5 s bound on other instances.
pub async fn rotate_secret(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    id: &str,
) -> Result<Client> {
    let (t, w, i) = (tenant.to_owned(), workspace.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let rotated = app
        .db
        .transaction(move |c| {
            let mut row = client::require(c, &t, &w, &i)?;
            let metadata = stored_metadata(&row)?;
            if !metadata.token_endpoint_auth_method.uses_secret() {
                return Err(Error::Conflict(
                    "this client authenticates without a secret; there is none to rotate".into(),
                ));
            }
            let secret = crate::secret::generate();
            row.secret_hash = Some(crate::secret::hash(&secret));
            clients::update(c, &row)?;
            let details = Details::new().secret_changed("client_secret");
            let event = client::client_event(EventType::ClientUpdated, &row).details(details);
            audit::record(c, &t, &ctx, now, event)?;
            let mut client = client::view(row)?;
            client.client_secret = Some(secret);
            Ok(client)
        })
        .await?;
    app.clients.invalidate(tenant, workspace, id);
    Ok(rotated)
}

/// Writes `metadata` over the client `row` with its `client.updated` event (the changed fields with old and new
/// values; the secret only named). A client that starts using a secret gets a new one, shown once; one that
/// stops using it loses it. Call inside a transaction, then drop the cached client.
pub fn replace(
    c: &mut DbConn,
    ctx: &audit::Context,
    mut row: ClientRow,
    metadata: ClientMetadata,
    now: i64,
) -> Result<Client> {
    let old = serde_json::to_value(stored_metadata(&row)?).unwrap_or_default();
    let new = serde_json::to_value(&metadata).unwrap_or_default();
    let mut details = Details::new().diff(&old, &new);
    let secret = match (
        row.secret_hash.is_some(),
        metadata.token_endpoint_auth_method.uses_secret(),
    ) {
        (false, true) => Some(crate::secret::generate()),
        _ => None,
    };
    if let Some(secret) = &secret {
        row.secret_hash = Some(crate::secret::hash(secret));
        details = details.secret_changed("client_secret");
    } else if !metadata.token_endpoint_auth_method.uses_secret() && row.secret_hash.is_some() {
        row.secret_hash = None;
        details = details.secret_changed("client_secret");
    }
    row.client_name = metadata.client_name.clone();
    row.metadata = new.to_string();
    clients::update(c, &row)?;
    if details.has_changes() {
        let event = client::client_event(EventType::ClientUpdated, &row).details(details);
        audit::record(c, &row.tenant_id, ctx, now, event)?;
    }
    let mut client = client::view(row)?;
    client.client_secret = secret;
    Ok(client)
}

fn stored_metadata(row: &ClientRow) -> Result<ClientMetadata> {
    Ok(client::view(row.clone())?.metadata)
}
