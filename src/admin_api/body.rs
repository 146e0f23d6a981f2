//! `JsonBody<T>`: the admin API's JSON request body, limited in size, whose errors name the offending field
//! (`password_policy.min_length: invalid type: string "8", expected u32`).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::error::ErrorKind;

/// Largest JSON body the admin API reads.
pub const LIMIT: usize = 64 * 1024;

/// A deserialised JSON body.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A body error with its own status (413, 415) in the admin API's JSON shape.
#[derive(Debug)]
pub struct BodyError(StatusCode, ApiError);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.1.fmt(f)
    }
}

impl ResponseError for BodyError {
    fn status_code(&self) -> StatusCode {
        self.0
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = self.1.error_response();
        *res.status_mut() = self.0;
        res
    }
}

fn invalid(status: StatusCode, description: String) -> BodyError {
    BodyError(status, ApiError::new(ErrorKind::Invalid, description))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = BodyError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, BodyError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut payload = payload.take();
        Box::pin(async move {
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if mime != "application/json" && !mime.ends_with("+json") {
                return Err(invalid(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json".into(),
                ));
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    invalid(
                        StatusCode::BAD_REQUEST,
                        format!("unreadable request body: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > LIMIT {
                    return Err(invalid(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "request body too large (limit 64 KiB)".into(),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse(&body)?;
            Ok(JsonBody(value))
        })
    }
}

/// Deserialises a whole JSON body (nothing may follow the value); the error names the offending field.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let prefix = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        invalid(
            StatusCode::BAD_REQUEST,
            format!("{prefix}{}", e.into_inner()),
        )
    })?;
    deserializer
        .end()
        .map_err(|e| invalid(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))?;
    Ok(value)
}
