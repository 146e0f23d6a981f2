//! The workspace's public signing keys (current and recently retired), served from memory.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

use super::Op;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/.well-known/jwks.json")
            .route(methods::get().to(get_jwks))
            .route(super::preflight()),
    );
}

async fn get_jwks(op: Op) -> HttpResponse {
    // A short max-age: relying parties pick up a rotation within a minute.
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/jwk-set+json"))
        .insert_header((CACHE_CONTROL, "public, max-age=60"))
        .body(op.0.keys.jwks_json.clone())
}
