//! The portal's user forms, **Create User** and **Edit user data**: their user-data inputs come from the pool's
//! schema (`identity::profile_form`), named `payload.{property}` so the domain's error path (`payload.given_name`)
//! is the input's id and the error shows at its field; metadata is a JSON textarea.

use serde_json::{Map, Value};

use super::form::Pairs;
use crate::identity::Error;
use crate::identity::profile_form::{self, PoolForm};
use crate::identity::user::{Mode, NewUser, User, UserPatch};
use crate::secret::Secret;

/// Where the user-data inputs' names start.
pub const PREFIX: &str = "payload.";

/// One user-data input as a template draws it.
pub struct ProfileInput {
    /// Its id and name: `payload.{property}`.
    pub id: String,
    pub label: String,
    /// `text`, `email`, `url`, `number`, `checkbox` or `select`.
    pub input: &'static str,
    pub required: bool,
    pub max_length: Option<u64>,
    pub options: Vec<String>,
    /// `any` for numbers that may have a fraction, else empty.
    pub step: &'static str,
}

/// The inputs of the pool's form.
pub fn inputs(shape: &PoolForm) -> Vec<ProfileInput> {
    shape
        .fields
        .iter()
        .map(|f| ProfileInput {
            id: format!("{PREFIX}{}", f.name),
            label: f.label.clone(),
            input: f.input,
            required: f.required,
            max_length: f.max_length,
            options: f.options.clone(),
            step: if f.kind == "number" { "any" } else { "" },
        })
        .collect()
}

/// A domain refusal named at a field the page has: `payload.x` at its input when the form has one, else at the
/// user-data fieldset (`payload`, a property the form cannot show), `metadata.…` at the metadata textarea.
pub fn at_field(e: Error, shape: &PoolForm) -> Error {
    let Error::Invalid { field, message } = e else {
        return e;
    };
    let shown = |name: &str| shape.fields.iter().any(|f| f.name == name);
    let (field, message) = match field.split_once('.') {
        Some(("payload", rest)) if shown(rest) => (field.clone(), message),
        Some(("payload", rest)) => ("payload".into(), format!("{rest}: {message}")),
        Some(("metadata", rest)) => ("metadata".into(), format!("{rest}: {message}")),
        _ => (field, message),
    };
    Error::Invalid { field, message }
}

/// The user-data the form's inputs make.
fn payload(f: &Pairs, shape: &PoolForm) -> Result<Value, Error> {
    profile_form::payload(&shape.fields, &f.map(), PREFIX)
}

/// The metadata textarea as a JSON object.
fn metadata(text: &str) -> Result<Value, Error> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(Error::invalid(
            "metadata",
            "Enter a JSON object, like {\"plan\": \"pro\"} ({} for none)",
        )),
    }
}

/// **Create User** as submitted, as the domain's input.
pub fn new_user(f: &Pairs, shape: &PoolForm) -> Result<NewUser, Error> {
    let mode = match f.value("mode") {
        "invite" => Mode::Invite,
        "set_credentials" => Mode::SetCredentials,
        _ => {
            return Err(Error::invalid(
                "mode",
                "Choose how the user gets their credentials",
            ));
        }
    };
    let given = |name: &str| Some(f.value(name).trim().to_owned()).filter(|v| !v.is_empty());
    Ok(NewUser {
        email: given("email"),
        mobile: given("mobile"),
        email_verified: f.value("email_verified") == "on",
        mobile_verified: false,
        payload: payload(f, shape)?,
        metadata: match shape.metadata_schema {
            true => metadata(f.value("metadata"))?,
            false => Value::Object(Map::new()),
        },
        password: (mode == Mode::SetCredentials)
            .then(|| f.value("password").to_owned())
            .filter(|p| !p.is_empty())
            .map(Secret::new),
        mode,
    })
}

/// **Edit user data** as submitted: the user's payload with the form's fields replaced (properties the form
/// cannot show are kept), and the metadata.
pub fn profile_patch(f: &Pairs, shape: &PoolForm, user: &User) -> Result<UserPatch, Error> {
    let submitted = payload(f, shape)?;
    Ok(UserPatch {
        payload: Some(profile_form::merged(
            &user.payload,
            &shape.fields,
            submitted,
        )),
        metadata: Some(metadata(f.value("metadata"))?),
        ..UserPatch::default()
    })
}

/// The edit form filled with the user's data.
pub fn filled(shape: &PoolForm, user: &User) -> Vec<(String, String)> {
    let mut values = profile_form::values_of(&shape.fields, &user.payload, PREFIX);
    let metadata = serde_json::to_string_pretty(&user.metadata).unwrap_or_else(|_| "{}".into());
    values.push(("metadata".into(), metadata));
    values
}
