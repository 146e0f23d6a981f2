//! Routes by method. A GET route answers HEAD too (RFC 9110 §9.3.2: the same headers, no body; actix leaves the
//! body out of a HEAD response).

use actix_web::{Route, guard, web};

/// A route for GET and HEAD.
pub fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}
