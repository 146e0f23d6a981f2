//! The one integration-test binary: every test starts the real server on 127.0.0.1:0 with a fresh database
//! (SQLite in a temp dir, or a fresh PostgreSQL schema when `TARN_TEST_POSTGRES_URL` is set) and talks HTTP to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_api;
mod cli;
mod notify;
mod oidc;
mod ops;
pub mod pages;
mod portability;
pub mod portal;
mod server;
mod store;
mod support;
