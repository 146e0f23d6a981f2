//! What the integration tests reach below HTTP, and nothing else: a few domain functions to arrange or inspect
//! state the API does not expose. Not part of Tarn's interface.

/// A user's passkeys, as the account page and the admin API see them.
pub mod passkey {
    pub use crate::authn::passkey::{PasskeyError, Subject, enrol, list, remove};
}

/// The sign-in counters an attempt is judged by.
pub mod lockout {
    pub use crate::authn::lockout::{Attempt, Counts, counts};
}
