//! JSON Schema documents for user payloads and metadata: creation, change, deletion (each audited), the built-in
//! default, and validation.

use serde::Serialize;
use serde_json::{Value, json};

use super::error::{Error, Result, unique_as_conflict};
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::page::{Page, PageRequest};
use crate::store::schemas::{self, SchemaRow};
use crate::store::{DbConn, StoreError};

/// A stored schema document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ProfileSchema)]
pub struct Schema {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub schema: Value,
    pub created_at: i64,
}

impl From<SchemaRow> for Schema {
    fn from(row: SchemaRow) -> Self {
        Schema {
            schema: serde_json::from_str(&row.document).unwrap_or(Value::Null),
            id: row.id,
            tenant_id: row.tenant_id,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

/// The user schema a pool has when none is assigned: the OpenID Connect standard profile claims, all optional.
pub fn default_user_schema() -> Value {
    let text = |title: &str| json!({"type": "string", "title": title, "maxLength": 256});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "User",
        "type": "object",
        "properties": {
            "given_name": text("Given name"),
            "family_name": text("Family name"),
            "middle_name": text("Middle name"),
            "name": text("Name"),
            "nickname": text("Nickname"),
            "preferred_username": text("Preferred username"),
            "profile": {"type": "string", "title": "Profile URL", "format": "uri", "maxLength": 2048},
            "picture": {"type": "string", "title": "Picture URL", "format": "uri", "maxLength": 2048},
            "website": {"type": "string", "title": "Website", "format": "uri", "maxLength": 2048},
            "gender": text("Gender"),
            "birthdate": {"type": "string", "title": "Birthdate", "pattern": "^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"},
            "zoneinfo": text("Time zone"),
            "locale": text("Locale"),
        },
        "additionalProperties": false,
    })
}

/// Registers a schema document after checking it against its meta-schema.
pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    name: &str,
    document: Value,
) -> Result<Schema> {
    let name = super::slug::parse_name("name", name)?;
    check_document(&document)?;
    let now = app.clock.now();
    let row = SchemaRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        name,
        document: document.to_string(),
        created_at: now,
    };
    let (tenant, ctx) = (tenant.to_owned(), ctx.clone());
    app.db
        .transaction(move |c| {
            super::tenant::require(c, &tenant)?;
            schemas::insert(c, &row).map_err(unique_as_conflict(DUPLICATE))?;
            let event = schema_event(EventType::SchemaCreated, &row.id)
                .details(Details::new().with("name", &row.name));
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(Schema::from(row))
        })
        .await
}

/// A change to a schema: a new name, a new document, or both.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaPatch {
    pub name: Option<String>,
    pub schema: Option<Value>,
}

/// Renames a schema or replaces its document (checked like a new one). Users already stored are not re-checked:
/// the new document applies to every later write of a payload or metadata.
pub async fn update(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    id: &str,
    patch: SchemaPatch,
) -> Result<Schema> {
    let name = patch
        .name
        .map(|n| super::slug::parse_name("name", &n))
        .transpose()?;
    if let Some(document) = &patch.schema {
        check_document(document)?;
    }
    let (tenant, id, ctx, now) = (
        tenant.to_owned(),
        id.to_owned(),
        ctx.clone(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            let mut row = require(c, &tenant, &id)?;
            let old = rendered(&row);
            if let Some(name) = name {
                row.name = name;
            }
            if let Some(document) = patch.schema {
                row.document = document.to_string();
            }
            schemas::update(c, &row).map_err(unique_as_conflict(DUPLICATE))?;
            let changes = Details::new().diff(&old, &rendered(&row));
            if changes.has_changes() {
                let event = schema_event(EventType::SchemaUpdated, &id).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(Schema::from(row))
        })
        .await
}

const DUPLICATE: &str = "a schema with this name already exists";

fn schema_event(kind: EventType, id: &str) -> Event {
    Event::new(kind).subject(SubjectType::Schema, id)
}

/// The fields an `.updated` event compares.
fn rendered(row: &SchemaRow) -> Value {
    let document: Value = serde_json::from_str(&row.document).unwrap_or(Value::Null);
    json!({"name": row.name, "schema": document})
}

pub async fn find(app: &AppState, tenant: &str, id: &str) -> Result<Schema> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    app.db
        .run(move |c| require(c, &tenant, &id).map(Schema::from))
        .await
}

/// `(id, name)` of the tenant's pools that use the schema, for payloads or metadata.
pub async fn pools_using(app: &AppState, tenant: &str, id: &str) -> Result<Vec<(String, String)>> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    app.db
        .run(move |c| {
            require(c, &tenant, &id)?;
            Ok(schemas::pools_using(c, &id)?)
        })
        .await
}

pub async fn list(app: &AppState, tenant: &str, page: PageRequest) -> Result<Page<Schema>> {
    let tenant = tenant.to_owned();
    app.db
        .run(move |c| {
            super::tenant::require(c, &tenant)?;
            let (rows, next) = schemas::list(c, &tenant, &page)?;
            Ok((rows.into_iter().map(Schema::from).collect(), next))
        })
        .await
}

/// Deletes a schema no pool uses.
pub async fn delete(app: &AppState, ctx: &audit::Context, tenant: &str, id: &str) -> Result<()> {
    let (tenant, id, ctx, now) = (
        tenant.to_owned(),
        id.to_owned(),
        ctx.clone(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            let row = require(c, &tenant, &id)?;
            if schemas::is_in_use(c, &id)? {
                return Err(Error::Conflict("the schema is assigned to a pool".into()));
            }
            schemas::delete(c, &id)?;
            let event = schema_event(EventType::SchemaDeleted, &id)
                .details(Details::new().with("name", &row.name));
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

/// The schema row, or `NotFound` when the tenant has no schema with this id.
pub fn require(conn: &mut DbConn, tenant: &str, id: &str) -> Result<SchemaRow> {
    schemas::find(conn, tenant, id)?.ok_or(Error::NotFound("schema"))
}

/// The document a pool's user payloads must satisfy.
pub fn payload_document(conn: &mut DbConn, tenant: &str, id: Option<&str>) -> Result<Value> {
    match id {
        None => Ok(default_user_schema()),
        Some(id) => document(conn, tenant, id),
    }
}

/// The document a pool's metadata must satisfy: any JSON object when none is assigned.
pub fn metadata_document(conn: &mut DbConn, tenant: &str, id: Option<&str>) -> Result<Value> {
    match id {
        None => Ok(json!({"type": "object"})),
        Some(id) => document(conn, tenant, id),
    }
}

fn document(conn: &mut DbConn, tenant: &str, id: &str) -> Result<Value> {
    let row = require(conn, tenant, id)?;
    serde_json::from_str(&row.document)
        .map_err(|e| Error::Store(StoreError::Blocking(e.to_string())))
}

pub fn check_document(document: &Value) -> Result<()> {
    if !document.is_object() {
        return Err(Error::invalid("schema", "must be a JSON Schema object"));
    }
    jsonschema::meta::validate(document).map_err(|e| {
        Error::invalid(
            format!("schema{}", pointer_suffix(&e.instance_path().to_string())),
            e.to_string(),
        )
    })?;
    compile(document).map_err(|e| Error::invalid("schema", e.to_string()))?;
    Ok(())
}

/// A validator that also enforces `format` (an annotation only, by default, since draft 2019-09): a `uri`
/// field should hold a URI.
fn compile(
    document: &Value,
) -> std::result::Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(document)
}

/// Validates `value` against `document`; the error names the offending field under `root` (e.g. `payload.given_name`).
pub fn validate(document: &Value, value: &Value, root: &str) -> Result<()> {
    validate_with(&validator(document, root)?, value, root)
}

/// The compiled form of `document`, for checking many values against one schema (an import's users).
pub fn validator(document: &Value, root: &str) -> Result<jsonschema::Validator> {
    compile(document).map_err(|e| Error::invalid(root, format!("schema unusable: {e}")))
}

/// Like [`validate`], with a schema compiled once by [`validator`].
pub fn validate_with(validator: &jsonschema::Validator, value: &Value, root: &str) -> Result<()> {
    let Some(error) = validator.iter_errors(value).next() else {
        return Ok(());
    };
    let mut field = format!(
        "{root}{}",
        pointer_suffix(&error.instance_path().to_string())
    );
    if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind()
        && let Some(name) = property.as_str()
    {
        field = format!("{field}.{name}");
    }
    if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
        error.kind()
        && let Some(name) = unexpected.first()
    {
        return Err(Error::invalid(
            format!("{field}.{name}"),
            "is not a field of this pool's schema",
        ));
    }
    Err(Error::invalid(field, error.to_string()))
}

/// `/a/0/b` → `.a.0.b`.
fn pointer_suffix(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!(".{s}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schema_accepts_profiles_and_names_bad_fields() {
        let doc = default_user_schema();
        assert!(
            validate(
                &doc,
                &json!({"given_name": "Ada", "family_name": "Lovelace", "name": "Ada Lovelace"}),
                "payload"
            )
            .is_ok()
        );
        let err = validate(&doc, &json!({"given_name": 5}), "payload")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("payload.given_name:"), "{err}");
        let err = validate(&doc, &json!({"shoe_size": 44}), "payload")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("payload.shoe_size:"), "{err}");
        let err = validate(&doc, &json!({"website": "not a uri"}), "payload")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("payload.website:"), "{err}");
    }

    #[test]
    fn required_fields_are_named() {
        let doc = json!({"type": "object", "required": ["employee_id"], "properties": {"employee_id": {"type": "string"}}});
        let err = validate(&doc, &json!({}), "payload")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("payload.employee_id:"), "{err}");
    }

    #[test]
    fn documents_are_checked_against_the_meta_schema() {
        assert!(check_document(&json!({"type": "object"})).is_ok());
        assert!(check_document(&json!({"type": "no-such-type"})).is_err());
        assert!(check_document(&json!([1])).is_err());
    }
}
