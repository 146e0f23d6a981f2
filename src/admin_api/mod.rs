//! Admin REST API under `/api/admin`: JSON in and out, every handler behind `AdminBearer`.
//! Web layer: extraction, status codes and error bodies; the rules are in `crate::identity`.

mod audit;
mod auth;
pub(crate) mod body;
mod clients;
mod error;
mod groups;
mod initial_access_tokens;
mod list;
mod openapi;
mod outbox;
mod paths;
mod pools;
mod schemas;
mod tenants;
mod transfer;
mod users;
mod workspaces;

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, Resource, web};

pub use auth::AdminBearer;
pub use error::ApiError;

use crate::error::ErrorKind;

/// Mounts the admin API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/admin")
            .app_data(web::QueryConfig::default().error_handler(error::extract::query))
            // Responses can carry secrets shown once (client secrets): never cache them.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((CACHE_CONTROL, HeaderValue::from_static("no-store"))),
            )
            .configure(openapi::configure)
            .configure(tenants::configure)
            .configure(transfer::configure)
            .configure(schemas::configure)
            .configure(pools::configure)
            .configure(users::configure)
            .configure(groups::configure)
            .configure(workspaces::configure)
            .configure(clients::configure)
            .configure(initial_access_tokens::configure)
            .configure(outbox::configure)
            .configure(audit::configure)
            .default_service(web::to(not_found)),
    );
}

/// A resource whose unsupported methods answer with a JSON 405.
fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn not_found() -> Reply {
    Err(ApiError::new(
        ErrorKind::NotFound,
        "no such admin API route",
    ))
}

async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(serde_json::json!({
        "error": "method_not_allowed",
        "error_description": "this method is not supported on this route",
    }))
}

fn created<T: serde::Serialize>(body: T) -> HttpResponse {
    HttpResponse::Created().json(body)
}

fn ok<T: serde::Serialize>(body: T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

type Reply = Result<HttpResponse, ApiError>;
