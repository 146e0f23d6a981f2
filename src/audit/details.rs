//! An event's `details`: a JSON object built only from values that cannot be secrets. [`Plain`] is implemented
//! for text, numbers, booleans and options of them, and for profile JSON; the secret newtypes of the crate
//! (`crate::secret::Secret`) implement neither it nor `Serialize`, so no call can put one into an event.

use serde_json::{Map, Value};

/// A value an event may hold.
pub trait Plain {
    fn to_json(&self) -> Value;
}

impl Plain for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl Plain for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Plain for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Plain for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Plain for u32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

/// Profile data (a user's payload and metadata, a pool's settings): described by the tenant's schemas, never a
/// credential.
impl Plain for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: Plain + ?Sized> Plain for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: Plain> Plain for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, Plain::to_json)
    }
}

impl<T: Plain> Plain for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(Plain::to_json).collect())
    }
}

impl<T: Plain> Plain for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

/// The details object: named values, and for `.updated` events the `changes` map.
#[derive(Debug, Clone, Default)]
pub struct Details {
    fields: Map<String, Value>,
    changes: Map<String, Value>,
}

impl Details {
    pub fn new() -> Details {
        Details::default()
    }

    /// A named value.
    pub fn with(mut self, name: &str, value: impl Plain) -> Details {
        self.fields.insert(name.to_owned(), value.to_json());
        self
    }

    /// A field that changed from `old` to `new`; nothing when the two are equal.
    pub fn change<T: Plain + PartialEq + ?Sized>(
        mut self,
        field: &str,
        old: &T,
        new: &T,
    ) -> Details {
        if old != new {
            let pair = serde_json::json!({"old": old.to_json(), "new": new.to_json()});
            self.changes.insert(field.to_owned(), pair);
        }
        self
    }

    /// Every top-level field of two JSON renderings of a non-secret object that differs (`updated_at` aside).
    pub fn diff(mut self, old: &Value, new: &Value) -> Details {
        let empty = Map::new();
        let (old, new) = (
            old.as_object().unwrap_or(&empty),
            new.as_object().unwrap_or(&empty),
        );
        for key in old.keys().chain(new.keys()) {
            let (o, n) = (old.get(key), new.get(key));
            if key != "updated_at" && o != n && !self.changes.contains_key(key) {
                let pair = serde_json::json!({"old": o, "new": n});
                self.changes.insert(key.clone(), pair);
            }
        }
        self
    }

    /// A secret field that changed: named, without values.
    pub fn secret_changed(mut self, field: &str) -> Details {
        self.changes
            .insert(field.to_owned(), Value::Object(Map::new()));
        self
    }

    /// Whether any change was noted.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub(super) fn into_json(mut self) -> Value {
        if !self.changes.is_empty() {
            self.fields
                .insert("changes".to_owned(), Value::Object(self.changes));
        }
        Value::Object(self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_keep_only_what_differs_and_secrets_lose_their_values() {
        let d = Details::new()
            .with("mode", "invite")
            .change("status", "active", "inactive")
            .change("email_verified", &true, &true)
            .secret_changed("password");
        assert_eq!(
            d.into_json(),
            serde_json::json!({"mode": "invite", "changes": {
                "status": {"old": "active", "new": "inactive"},
                "password": {}
            }})
        );
    }
}
