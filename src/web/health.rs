//! `GET /healthz` (the process serves) and `GET /readyz` (the database answers; migrations ran before serving).

use actix_web::{HttpResponse, web};

use super::methods;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", methods::get().to(healthz))
        .route("/readyz", methods::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(app: web::Data<AppState>) -> HttpResponse {
    if app.db.is_ready().await {
        HttpResponse::Ok().json(serde_json::json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "reason": "database unreachable"}))
    }
}
