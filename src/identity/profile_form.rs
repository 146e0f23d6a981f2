//! The form a pool's user schema gives: one input per top-level scalar property (typed, labelled by its `title`,
//! with `required`, `maxLength` and `enum` mirrored), and the payload the submitted values make. Self-registration
//! and the portal's Create User and profile edit all build their forms here, so a schema reads the same
//! everywhere; the schema itself still decides (the payload is validated against it by `user`).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::{Error, Result};
use super::pool::Pool;
use super::profile_schema;
use crate::state::AppState;

/// One input of a profile form, from a property of the user schema.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// The HTML input type: `text`, `email`, `url`, `number` or `checkbox` (`select` when `options` is set).
    pub input: &'static str,
    pub required: bool,
    /// The JSON type the value is stored as: `string`, `integer`, `number` or `boolean`.
    pub kind: &'static str,
    /// The schema's `maxLength`, mirrored as the input's `maxlength`.
    pub max_length: Option<u64>,
    /// The schema's `enum` of strings: the input is a select of these.
    pub options: Vec<String>,
}

/// The form fields of a user schema: its top-level scalar properties, in the schema's order.
pub fn fields(schema: &Value) -> Vec<Field> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map_or(Vec::new(), |r| r.iter().filter_map(Value::as_str).collect());
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .filter_map(|(name, spec)| field(name, spec, required.contains(&name.as_str())))
        .collect()
}

fn field(name: &str, spec: &Value, required: bool) -> Option<Field> {
    let (input, kind) = match (
        spec.get("type").and_then(Value::as_str),
        spec.get("format").and_then(Value::as_str),
    ) {
        (Some("string"), Some("email")) => ("email", "string"),
        (Some("string"), Some("uri")) => ("url", "string"),
        (Some("string"), _) => ("text", "string"),
        (Some("integer"), _) => ("number", "integer"),
        (Some("number"), _) => ("number", "number"),
        (Some("boolean"), _) => ("checkbox", "boolean"),
        _ => return None,
    };
    let options: Vec<String> = spec
        .get("enum")
        .and_then(Value::as_array)
        .filter(|_| kind == "string")
        .map_or(Vec::new(), |e| {
            e.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
    Some(Field {
        name: name.to_owned(),
        label: spec
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned(),
        input: if options.is_empty() { input } else { "select" },
        required,
        kind,
        max_length: spec.get("maxLength").and_then(Value::as_u64),
        options,
    })
}

/// The payload the form values make, typed as the fields say; empty values are left out. Each field's value is
/// read under `prefix` + its name (the portal's forms name them `payload.given_name`, beside their own fields).
pub fn payload(fields: &[Field], values: &HashMap<String, String>, prefix: &str) -> Result<Value> {
    let mut out = Map::new();
    for field in fields {
        let Some(raw) = values
            .get(&format!("{prefix}{}", field.name))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let bad = |what: &str| {
            Error::invalid(format!("payload.{}", field.name), format!("must be {what}"))
        };
        let value = match field.kind {
            "integer" => Value::from(raw.parse::<i64>().map_err(|_| bad("a whole number"))?),
            "number" => {
                serde_json::Number::from_f64(raw.parse::<f64>().map_err(|_| bad("a number"))?)
                    .map(Value::Number)
                    .ok_or_else(|| bad("a number"))?
            }
            "boolean" => Value::Bool(true),
            _ => Value::String(raw.to_owned()),
        };
        out.insert(field.name.clone(), value);
    }
    Ok(Value::Object(out))
}

/// `submitted` (what the form's fields make) over `existing`: properties the form does not show (objects,
/// arrays) are kept, so editing a profile in the form never drops what only the API can set.
pub fn merged(existing: &Value, fields: &[Field], submitted: Value) -> Value {
    let mut out = existing.as_object().cloned().unwrap_or_default();
    for field in fields {
        out.remove(&field.name);
    }
    if let Value::Object(new) = submitted {
        out.extend(new);
    }
    Value::Object(out)
}

/// The payload's values as the form shows them (`prefix` + name → text; a true boolean is `on`).
pub fn values_of(fields: &[Field], payload: &Value, prefix: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .filter_map(|f| {
            let text = match payload.get(&f.name)? {
                Value::String(s) => s.clone(),
                Value::Bool(true) => "on".into(),
                Value::Bool(false) | Value::Null => return None,
                other => other.to_string(),
            };
            Some((format!("{prefix}{}", f.name), text))
        })
        .collect()
}

/// The profile form of a pool: its user schema's fields, and whether a metadata schema is assigned.
#[derive(Debug, Clone)]
pub struct PoolForm {
    pub fields: Vec<Field>,
    pub metadata_schema: bool,
}

/// The pool (of the tenant) and the form its user schema gives.
pub async fn of_pool(app: &AppState, tenant: &str, pool: &str) -> Result<(Pool, PoolForm)> {
    let (tenant, pool) = (tenant.to_owned(), pool.to_owned());
    app.db
        .run(move |c| {
            let pool = super::pool::require(c, &tenant, &pool)?;
            let schema =
                profile_schema::payload_document(c, &tenant, pool.payload_schema_id.as_deref())?;
            let form = PoolForm {
                fields: fields(&schema),
                metadata_schema: pool.metadata_schema_id.is_some(),
            };
            Ok((pool, form))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "required": ["team"], "properties": {
            "team": {"type": "string", "title": "Team", "enum": ["red", "blue"]},
            "age": {"type": "integer", "maxLength": 3},
            "admin": {"type": "boolean"},
            "tags": {"type": "array"},
        }})
    }

    #[test]
    fn scalar_properties_become_typed_fields() {
        let f = fields(&schema());
        let mut names: Vec<(&str, &str, bool)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.input, f.required))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ("admin", "checkbox", false),
                ("age", "number", false),
                ("team", "select", true)
            ]
        );
        let by = |n: &str| f.iter().find(|f| f.name == n).unwrap().clone();
        assert_eq!(by("team").options, ["red", "blue"]);
        assert_eq!(by("age").max_length, Some(3));
    }

    #[test]
    fn values_make_a_typed_payload_and_keep_what_the_form_does_not_show() {
        let f = fields(&schema());
        let values = HashMap::from([
            ("payload.age".to_owned(), " 42 ".to_owned()),
            ("payload.team".to_owned(), "red".to_owned()),
            ("payload.admin".to_owned(), String::new()),
        ]);
        let made = payload(&f, &values, "payload.").unwrap();
        assert_eq!(made, json!({"age": 42, "team": "red"}));
        let before = json!({"tags": ["x"], "admin": true, "age": 1});
        assert_eq!(
            merged(&before, &f, made),
            json!({"tags": ["x"], "age": 42, "team": "red"})
        );
        let bad = HashMap::from([("age".to_owned(), "old".to_owned())]);
        let err = payload(&f, &bad, "").unwrap_err().to_string();
        assert!(err.starts_with("payload.age"), "{err}");
        let mut shown = values_of(&f, &json!({"age": 7, "admin": true}), "");
        shown.sort();
        assert_eq!(
            shown,
            [
                ("admin".to_owned(), "on".to_owned()),
                ("age".to_owned(), "7".to_owned())
            ]
        );
    }
}
