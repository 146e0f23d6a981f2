//! HTTP glue shared by the web areas: cookies, CSRF, security headers, static files, health endpoints.
//! Nothing domain-specific.

pub mod access_log;
pub mod auth_header;
pub mod cookies;
pub mod cors;
pub mod csrf;
pub mod health;
pub mod security_headers;
pub mod static_files;
