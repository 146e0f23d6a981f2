//! `/static/…`: the stylesheet and scripts, compiled into the binary so it runs from anywhere.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

use super::methods;

const FILES: [(&str, &str, &str); 5] = [
    (
        "css/tarn.css",
        "text/css; charset=utf-8",
        include_str!("../../static/css/tarn.css"),
    ),
    (
        "js/form_post.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/js/form_post.js"),
    ),
    (
        "js/passkey.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/js/passkey.js"),
    ),
    (
        "portal/portal.css",
        "text/css; charset=utf-8",
        include_str!("../../static/portal/portal.css"),
    ),
    (
        "portal/portal.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/portal/portal.js"),
    ),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{path:.*}", methods::get().to(static_file));
}

async fn static_file(path: web::Path<String>) -> HttpResponse {
    match FILES.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, *content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=3600"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}
