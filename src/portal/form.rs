//! Forms as the portal shows them again after a refusal: the submitted values kept as strings, and the messages
//! per field, taken from the domain's errors (`identity::Error::Invalid` names its field) so no rule is repeated
//! here. An error summary at the top links to each field (`#field`).

use std::collections::BTreeMap;

use crate::identity::Error;

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
