//! The identity domain's rule violations.

use crate::error::ErrorKind;
use crate::notify::NotifyError;
use crate::store::StoreError;

/// Why an identity operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named object does not exist (or belongs to another tenant or pool).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A field of the input breaks a rule; `field` is the JSON path of the offending value.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The change conflicts with existing state (a duplicate, a cycle, an object still in use).
    #[error("{0}")]
    Conflict(String),
    /// Too many password hashes queued.
    #[error("the server is busy hashing passwords; try again shortly")]
    Overloaded,
    /// The invitation could not be delivered, and the user created for it was removed again.
    #[error("the invitation could not be sent; nothing was created")]
    InvitationNotSent(#[source] NotifyError),
    /// A message an admin action depends on could not be delivered; the action was not carried out.
    #[error("the message to the user could not be sent; nothing was changed")]
    MessageNotSent(#[source] NotifyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// An invalid-input error naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// How the web layer should classify this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Overloaded => ErrorKind::Overloaded,
            Error::InvitationNotSent(e) | Error::MessageNotSent(e) => e.kind(),
            Error::Store(e) => e.kind(),
        }
    }
}

/// Turns a unique-constraint violation into a conflict with a message the admin understands.
pub fn unique_as_conflict(message: &str) -> impl FnOnce(StoreError) -> Error + '_ {
    move |e| match e {
        StoreError::Unique(_) => Error::Conflict(message.to_owned()),
        other => Error::Store(other),
    }
}

pub type Result<T> = std::result::Result<T, Error>;
