//! HTTP glue shared by the web areas: the client address, cookies, CSRF, the SSO cookie, HTML responses, security
//! headers, CORS, static files, health endpoints, draining at shutdown, metrics, request ids. Nothing domain-specific, and nothing from the areas above it.

pub mod access_log;
pub mod audit_origin;
pub mod auth_header;
pub mod client_addr;
pub mod cookies;
pub mod cors;
pub mod csrf;
pub mod drain;
pub mod health;
pub mod html;
pub mod methods;
pub mod metrics;
pub mod request_id;
pub mod security_headers;
pub mod sso;
pub mod static_files;
