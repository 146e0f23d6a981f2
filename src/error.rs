//! The one classification of failures into kinds, and each kind's HTTP status; the web areas shape the bodies.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::store::StoreError;

/// What kind of failure an error is, independent of how a web area renders it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller's input is wrong (400).
    Invalid,
    /// No or bad credentials (401).
    Unauthenticated,
    /// The named object does not exist (404).
    NotFound,
    /// The request conflicts with the current state (409).
    Conflict,
    /// Too much work queued; try again later (503).
    Overloaded,
    /// Our fault (500); the cause is logged, never shown.
    Internal,
}

impl ErrorKind {
    /// The HTTP status code for this kind.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Overloaded => 503,
            ErrorKind::Internal => 500,
        }
    }
}

impl StoreError {
    /// Constraint violations that slipped past the domain's checks are conflicts; the rest is internal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Unique(_) | StoreError::ForeignKey(_) => ErrorKind::Conflict,
            // The database is unreachable or went away mid-request: an outage, temporary by nature.
            StoreError::Pool(_) | StoreError::Connect(_) => ErrorKind::Overloaded,
            StoreError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )) => ErrorKind::Overloaded,
            _ => ErrorKind::Internal,
        }
    }
}
