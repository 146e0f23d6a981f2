//! `AdminBearer`: the extractor that makes an admin handler unreachable without the admin token.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::error::ApiError;
use crate::audit;
use crate::error::ErrorKind;
use crate::state::AppState;
use crate::web::auth_header;

/// Proof that the request carried the admin token (`Authorization: Bearer …`), checked in constant time, with
/// the audit context of the call (the actor is the admin token).
pub struct AdminBearer {
    pub audit: audit::Context,
}

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
    match auth_header::bearer(req) {
        None => Err(ApiError::new(
            ErrorKind::Unauthenticated,
            "missing bearer token (Authorization: Bearer <admin token>)",
        )),
        Some(token) if crate::secret::matches(token, &state.admin_token_hash) => Ok(AdminBearer {
            audit: audit::Context::new(
                audit::Actor::admin_token(),
                crate::web::audit_origin::of(req),
            ),
        }),
        Some(_) => Err(ApiError::new(
            ErrorKind::Unauthenticated,
            "invalid admin token",
        )),
    }
}
