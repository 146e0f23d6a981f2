//! The pool form shared by **Create New** and the **Settings** tab: its fields as submitted (checkboxes by name,
//! numbers as text), turned into the domain's `NewPool` / `PoolPatch`. Only what HTML forms cannot say is checked
//! here (a number that is not one); every rule on the values is `identity::pool`'s.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::form::FormState;
use crate::authn::password::PasswordPolicy;
use crate::identity::patch::Patch;
use crate::identity::pool::{Mechanism, NewPool, OtpSettings, Pool, PoolPatch};
use crate::identity::profile_schema::Schema;

/// The domain's field names and the form's, where they differ.
pub const FIELDS: &[(&str, &str)] = &[
    ("authentication_mechanisms", "method_password"),
    ("password_policy", "min_length"),
    ("otp_settings.length", "otp_length"),
    ("otp_settings.ttl_seconds", "otp_ttl_seconds"),
    ("otp_settings.max_attempts", "otp_max_attempts"),
];

const METHODS: [(&str, Mechanism); 3] = [
    ("method_password", Mechanism::Password),
    ("method_otp", Mechanism::Otp),
    ("method_passkey", Mechanism::Passkey),
];

const POLICY_FLAGS: [&str; 4] = [
    "require_lowercase",
    "require_uppercase",
    "require_digit",
    "require_special",
];

#[derive(Debug, Deserialize)]
pub struct PoolForm {
    pub csrf_token: String,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}
crate::csrf_protected!(PoolForm);

/// An option of a schema select: the id it submits (empty for none) and what it shows.
pub struct SchemaChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of the schema select `field`: `none` first, then the tenant's schemas, the form's value selected.
/// A value that names none of them (a schema deleted meanwhile) stays listed, so saving does not drop it unseen.
pub fn schema_choices(
    schemas: &[Schema],
    form: &FormState,
    field: &str,
    none: &str,
) -> Vec<SchemaChoice> {
    let current = form.value(field);
    let choice = |value: &str, label: String| SchemaChoice {
        selected: value == current,
        value: value.to_owned(),
        label,
    };
    let mut choices = vec![choice("", none.to_owned())];
    choices.extend(
        schemas
            .iter()
            .map(|s| choice(&s.id, format!("{} ({})", s.name, s.id))),
    );
    if !choices.iter().any(|c| c.selected) {
        choices.push(choice(current, format!("{current} (no such schema)")));
    }
    choices
}

/// The values of a new pool's form: password sign-in, the default policies.
pub fn defaults() -> FormState {
    let (policy, otp) = (PasswordPolicy::default(), OtpSettings::default());
    state_of(
        "",
        "",
        None,
        &[Mechanism::Password],
        Mechanism::Password,
        false,
        (None, None),
        &policy,
        &otp,
    )
}

/// The Settings tab's values for `pool`.
pub fn of(pool: &Pool) -> FormState {
    let schemas = (
        pool.payload_schema_id.as_deref(),
        pool.metadata_schema_id.as_deref(),
    );
    state_of(
        &pool.name,
        &pool.description,
        pool.tag_color.as_deref(),
        &pool.authentication_mechanisms,
        pool.preferred_authentication_mechanism,
        pool.public_registration_allowed,
        schemas,
        &pool.password_policy,
        &pool.otp_settings,
    )
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per group of fields of the form"
)]
fn state_of(
    name: &str,
    description: &str,
    tag_color: Option<&str>,
    methods: &[Mechanism],
    preferred: Mechanism,
    self_registration: bool,
    (payload, metadata): (Option<&str>, Option<&str>),
    policy: &PasswordPolicy,
    otp: &OtpSettings,
) -> FormState {
    let on = |b: bool| if b { "on" } else { "" };
    let numbers = [
        ("min_length", policy.min_length.to_string()),
        ("max_length", policy.max_length.to_string()),
        ("otp_length", otp.length.to_string()),
        ("otp_ttl_seconds", otp.ttl_seconds.to_string()),
        ("otp_max_attempts", otp.max_attempts.to_string()),
    ];
    let flags = [
        policy.require_lowercase,
        policy.require_uppercase,
        policy.require_digit,
        policy.require_special,
    ];
    let preferred = mechanism_name(preferred);
    let mut values: Vec<(&str, &str)> = vec![
        ("name", name),
        ("description", description),
        ("tag_color", tag_color.unwrap_or("")),
        ("preferred_authentication_mechanism", preferred),
        ("public_registration_allowed", on(self_registration)),
        ("payload_schema_id", payload.unwrap_or("")),
        ("metadata_schema_id", metadata.unwrap_or("")),
    ];
    for (field, mechanism) in METHODS {
        values.push((field, on(methods.contains(&mechanism))));
    }
    for (field, flag) in POLICY_FLAGS.iter().zip(flags) {
        values.push((field, on(flag)));
    }
    values.extend(numbers.iter().map(|(k, v)| (*k, v.as_str())));
    FormState::with(&values)
}

fn mechanism_name(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Password => "password",
        Mechanism::Otp => "otp",
        Mechanism::Passkey => "passkey",
    }
}

impl PoolForm {
    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", String::as_str)
    }

    /// The form as submitted, to show again.
    pub fn state(&self) -> FormState {
        let values: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        FormState::with(&values)
    }

    fn methods(&self) -> Vec<Mechanism> {
        METHODS
            .iter()
            .filter(|(field, _)| !self.get(field).is_empty())
            .map(|(_, m)| *m)
            .collect()
    }

    fn preferred(&self) -> Option<Mechanism> {
        serde_json::from_value(json!(self.get("preferred_authentication_mechanism"))).ok()
    }

    fn optional(&self, field: &str) -> Option<String> {
        Some(self.get(field).trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// The numbers and flags of the policies, as the domain's partial objects; a field that is not a number is
    /// refused at its field.
    fn policies(&self, state: &mut FormState) -> (Map<String, Value>, Map<String, Value>) {
        let mut number = |field: &str| match self.get(field).trim().parse::<u32>() {
            Ok(n) => Some(json!(n)),
            Err(_) => {
                state.refuse(field, "Enter a whole number");
                None
            }
        };
        let mut policy = Map::new();
        for (key, field) in [("min_length", "min_length"), ("max_length", "max_length")] {
            if let Some(n) = number(field) {
                policy.insert(key.into(), n);
            }
        }
        for flag in POLICY_FLAGS {
            policy.insert(flag.into(), json!(!self.get(flag).is_empty()));
        }
        let mut otp = Map::new();
        for (key, field) in [
            ("length", "otp_length"),
            ("ttl_seconds", "otp_ttl_seconds"),
            ("max_attempts", "otp_max_attempts"),
        ] {
            if let Some(n) = number(field) {
                otp.insert(key.into(), n);
            }
        }
        (policy, otp)
    }

    /// The pool to create, or `None` (with the problems in `state`) when a field could not be read.
    pub fn new_pool(&self, state: &mut FormState) -> Option<NewPool> {
        let (policy, otp) = self.policies(state);
        let password_policy = serde_json::from_value(Value::Object(policy)).ok();
        let otp_settings = serde_json::from_value(Value::Object(otp)).ok();
        if state.has_errors() {
            return None;
        }
        Some(NewPool {
            name: self.get("name").to_owned(),
            description: self.get("description").to_owned(),
            tag_color: self.optional("tag_color"),
            authentication_mechanisms: self.methods(),
            preferred_authentication_mechanism: self.preferred(),
            public_registration_allowed: !self.get("public_registration_allowed").is_empty(),
            payload_schema_id: self.optional("payload_schema_id"),
            metadata_schema_id: self.optional("metadata_schema_id"),
            password_policy: password_policy.unwrap_or_default(),
            otp_settings: otp_settings.unwrap_or_default(),
        })
    }

    /// Every field of the Settings tab as a patch, or `None` when a field could not be read.
    pub fn patch(&self, state: &mut FormState) -> Option<PoolPatch> {
        let (policy, otp) = self.policies(state);
        if state.has_errors() {
            return None;
        }
        let optional = |field: &str| match self.optional(field) {
            Some(v) => Patch::Set(v),
            None => Patch::Clear,
        };
        Some(PoolPatch {
            name: Some(self.get("name").to_owned()),
            description: Some(self.get("description").to_owned()),
            tag_color: optional("tag_color"),
            authentication_mechanisms: Some(self.methods()),
            preferred_authentication_mechanism: self.preferred(),
            public_registration_allowed: Some(!self.get("public_registration_allowed").is_empty()),
            payload_schema_id: optional("payload_schema_id"),
            metadata_schema_id: optional("metadata_schema_id"),
            password_policy: Some(policy),
            otp_settings: Some(otp),
        })
    }
}
