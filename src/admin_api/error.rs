//! `ApiError`: every admin API failure as JSON `{error, error_description}` with its status.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::error::ErrorKind;
use crate::identity;

/// An admin API error response.
#[derive(Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub description: String,
}

/// The JSON body of every admin API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A short machine-readable code: `invalid_request`, `unauthorized`, `not_found`, `conflict`, ….
    pub error: String,
    /// What went wrong, for a person.
    pub error_description: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            description: description.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::Invalid => "invalid_request",
            ErrorKind::Unauthenticated => "unauthorized",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Overloaded => "temporarily_unavailable",
            ErrorKind::Internal => "server_error",
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.description)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if self.kind == ErrorKind::Unauthenticated {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tarn-admin\""),
            ));
        }
        response.json(ErrorBody {
            error: self.code().to_owned(),
            error_description: self.description.clone(),
        })
    }
}

impl From<identity::Error> for ApiError {
    fn from(e: identity::Error) -> Self {
        let kind = e.kind();
        match e {
            // A store failure's text is the driver's: tables, SQL, the database's host and port. The log gets it.
            identity::Error::Store(e) => ApiError::from_store(&e, kind),
            e if kind == ErrorKind::Internal => ApiError::from_store(&e, kind),
            e => ApiError::new(kind, e.to_string()),
        }
    }
}

impl ApiError {
    /// A failure whose own text must not reach the caller: logged, and described by its kind alone.
    fn from_store(cause: &dyn std::fmt::Display, kind: ErrorKind) -> ApiError {
        let description = match kind {
            ErrorKind::Overloaded => {
                tracing::warn!(error = %cause, "admin API request: the database is unavailable");
                "the database is unavailable or busy; try again shortly"
            }
            ErrorKind::Conflict => {
                tracing::warn!(error = %cause, "admin API request conflicts with stored data");
                "the change conflicts with existing data"
            }
            _ => {
                tracing::error!(error = %cause, "admin API request failed");
                "internal error; see the server log"
            }
        };
        ApiError::new(kind, description)
    }
}

impl From<crate::notify::NotifyError> for ApiError {
    fn from(e: crate::notify::NotifyError) -> Self {
        let kind = e.kind();
        let description = match kind {
            ErrorKind::NotFound => e.to_string(),
            _ => {
                tracing::error!(error = %e, "admin API request failed");
                "internal error; see the server log".to_owned()
            }
        };
        ApiError::new(kind, description)
    }
}

impl From<crate::tokens::TokenError> for ApiError {
    fn from(e: crate::tokens::TokenError) -> Self {
        tracing::error!(error = %e, "admin API request failed");
        ApiError::new(e.kind(), "internal error; see the server log")
    }
}

/// Errors of the request itself (body, query, route) before a handler runs.
pub mod extract {
    use actix_web::error::QueryPayloadError;
    use actix_web::{Error, HttpRequest};

    use super::{ApiError, ErrorKind};

    pub fn query(err: QueryPayloadError, _: &HttpRequest) -> Error {
        ApiError::new(ErrorKind::Invalid, format!("invalid query string: {err}")).into()
    }
}
