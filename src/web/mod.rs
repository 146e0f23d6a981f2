//! HTTP glue shared by the web areas: security headers and the health endpoints. Nothing domain-specific.

pub mod health;
pub mod security_headers;
