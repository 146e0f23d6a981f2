//! The admin API's JSON request bodies, and user payloads checked against a pool's user schema.

use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::admin_api::body;
use crate::identity::client::{self, ClientRegistration};
use crate::identity::group::{GroupPatch, NewGroup};
use crate::identity::identifier::{normalise_email, normalise_mobile};
use crate::identity::initial_access_token::NewInitialAccessToken;
use crate::identity::membership::Assignment;
use crate::identity::pool::{NewPool, PoolPatch};
use crate::identity::user::{NewUser, UserPatch};
use crate::identity::workspace::{NewWorkspace, WorkspacePatch};
use crate::identity::{client_change, profile_schema};

/// An admin API body: the first line names the body (`client`, `client_patch`, `pool`, `pool_patch`, `user`,
/// `user_patch`, `group`, `group_patch`, `assignment`, `workspace`, `workspace_patch`, `initial_access_token`),
/// the rest is the JSON, read as the admin API reads it and then checked as far as no database is needed.
pub fn admin_json(data: &[u8]) {
    let Some(at) = data.iter().position(|b| *b == b'\n') else {
        return;
    };
    let (kind, json) = (&data[..at], &data[at + 1..]);
    match kind {
        b"client" => {
            if let Some(registration) = parsed::<ClientRegistration>(json) {
                let _ = client::validate(registration);
            }
        }
        b"client_patch" => {
            if let Some(patch) = parsed::<Map<String, Value>>(json)
                && let Ok(registration) = client_change::parse_registration(Value::Object(patch))
            {
                let _ = client::validate(registration);
            }
        }
        b"user" => {
            if let Some(user) = parsed::<NewUser>(json) {
                new_user(&user);
            }
        }
        b"user_patch" => drop(parsed::<UserPatch>(json)),
        b"pool" => drop(parsed::<NewPool>(json)),
        b"pool_patch" => drop(parsed::<PoolPatch>(json)),
        b"group" => drop(parsed::<NewGroup>(json)),
        b"group_patch" => drop(parsed::<GroupPatch>(json)),
        b"assignment" => drop(parsed::<Assignment>(json)),
        b"workspace" => drop(parsed::<NewWorkspace>(json)),
        b"workspace_patch" => drop(parsed::<WorkspacePatch>(json)),
        b"initial_access_token" => drop(parsed::<NewInitialAccessToken>(json)),
        _ => {}
    }
}

fn parsed<T: DeserializeOwned>(json: &[u8]) -> Option<T> {
    body::parse::<T>(json).ok()
}

/// What creating a user checks before the database: its identifiers and its payload against the default schema.
fn new_user(user: &NewUser) {
    if let Some(email) = &user.email {
        let _ = normalise_email("email", email);
    }
    if let Some(mobile) = &user.mobile {
        let _ = normalise_mobile("mobile", mobile);
    }
    if let Some(validator) = default_validator() {
        let _ = profile_schema::validate_with(validator, &user.payload, "payload");
    }
}

fn default_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            profile_schema::validator(&profile_schema::default_user_schema(), "payload").ok()
        })
        .as_ref()
}

/// A JSON value, as a user payload against the default user schema, and as a schema document a tenant admin
/// uploads (checked against the meta-schema, and if usable, applied to a sample payload).
pub fn user_payload(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Some(validator) = default_validator() {
        let _ = profile_schema::validate_with(validator, &value, "payload");
    }
    if profile_schema::check_document(&value).is_ok() {
        let sample = json!({"given_name": "Ada", "employee_id": "E-1", "age": 36, "tags": ["a"]});
        let _ = profile_schema::validate(&value, &sample, "payload");
    }
}
