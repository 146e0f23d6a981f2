//! `Patch<T>`: a PATCH field that distinguishes "absent" (keep) from `null` (clear) and a value (set).

use serde::{Deserialize, Deserializer};

/// One field of a partial update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// The field was not in the request: keep the current value.
    #[default]
    Keep,
    /// The field was `null`: clear it.
    Clear,
    /// The field had a value: set it.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the change to an optional field.
    pub fn apply_to(self, field: &mut Option<T>) {
        match self {
            Patch::Keep => {}
            Patch::Clear => *field = None,
            Patch::Set(v) => *field = Some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    // Only called when the field is present (absent fields take `Default`, i.e. `Keep`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        })
    }
}
