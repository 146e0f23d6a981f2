//! `AdminBearer`: the extractor that makes an admin handler unreachable without the admin token.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::error::ApiError;
use crate::error::ErrorKind;
use crate::state::AppState;

/// Proof that the request carried the admin token (`Authorization: Bearer …`), checked in constant time.
pub struct AdminBearer;

impl FromRequest for AdminBearer {
    type Error = ApiError;
    type Future = Ready<Result<AdminBearer, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(check(req))
    }
}

fn check(req: &HttpRequest) -> Result<AdminBearer, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::new(ErrorKind::Internal, "application state missing"))?;
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        None => Err(ApiError::new(
            ErrorKind::Unauthenticated,
            "missing bearer token (Authorization: Bearer <admin token>)",
        )),
        Some(token) if crate::secret::matches(token, &state.admin_token_hash) => Ok(AdminBearer),
        Some(_) => Err(ApiError::new(
            ErrorKind::Unauthenticated,
            "invalid admin token",
        )),
    }
}
