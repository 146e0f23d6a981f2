//! Forms as the portal shows them again after a refusal: the submitted values kept as strings, and the messages
//! per field, taken from the domain's errors (`identity::Error::Invalid` names its field) so no rule is repeated
//! here. An error summary at the top links to each field (`#field`).

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::identity::Error;
use crate::web::csrf::CsrfProtected;

/// A form read as name/value pairs: for forms whose fields follow a schema (`payload.given_name`, …) or repeat
/// (ticked boxes), which no plain struct holds.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Pairs(pub Vec<(String, String)>);

impl CsrfProtected for Pairs {
    fn csrf_token(&self) -> &str {
        self.value("csrf_token")
    }
}

impl Pairs {
    /// The first value of `name` (empty when none).
    pub fn value(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The fields by name (the first value of each).
    pub fn map(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for (k, v) in &self.0 {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }

    /// What the page shows again after a refusal: every field but those in `except` (the CSRF token, a password).
    pub fn state(&self, except: &[&str]) -> FormState {
        FormState {
            values: self
                .map()
                .into_iter()
                .filter(|(k, _)| !except.contains(&k.as_str()) && k != "csrf_token")
                .collect(),
            errors: Vec::new(),
        }
    }
}

/// The values a form was submitted with and the problems found in them.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: BTreeMap<String, String>,
    /// `(field, message)`, in the order the page shows its fields.
    pub errors: Vec<(String, String)>,
}

impl FormState {
    /// A form showing `values`.
    pub fn with(values: &[(&str, &str)]) -> FormState {
        FormState {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            errors: Vec::new(),
        }
    }

    /// A form showing `values` (name → text).
    pub fn of(values: impl IntoIterator<Item = (String, String)>) -> FormState {
        FormState {
            values: values.into_iter().collect(),
            errors: Vec::new(),
        }
    }

    /// The value of `field` as submitted (empty when none).
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    /// Whether a checkbox or radio `field` was submitted with `value`.
    pub fn is(&self, field: &str, value: &str) -> bool {
        self.value(field) == value
    }

    /// The message for `field`, if it has one.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Adds a message for `field`.
    pub fn refuse(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_owned(), message.into()));
    }

    /// Takes a domain refusal as a message at its field: an invalid value at the field it names (`fields` maps the
    /// domain's names to the form's, when they differ), a conflict at `conflict_field`. Anything else is not the
    /// form's business and is handed back.
    pub fn take(
        &mut self,
        e: Error,
        fields: &[(&str, &str)],
        conflict_field: &str,
    ) -> Result<(), Error> {
        match e {
            Error::Invalid { field, message } => {
                let shown = fields
                    .iter()
                    .find(|(domain, _)| *domain == field)
                    .map_or(field.as_str(), |(_, form)| form);
                self.refuse(shown, message);
                Ok(())
            }
            Error::Conflict(message) => {
                self.refuse(conflict_field, message);
                Ok(())
            }
            other => Err(other),
        }
    }
}

/// A form that carries nothing but its CSRF token: a button that confirms an action (delete, rotate, sign out).
#[derive(Debug, serde::Deserialize)]
pub struct PlainForm {
    csrf_token: String,
}
crate::csrf_protected!(PlainForm);
