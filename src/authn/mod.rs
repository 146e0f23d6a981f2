//! Authentication domain: passwords and their policy, verification codes, passkeys, sessions.
//! Knows nothing of actix or HTML.

pub mod admin_token;
pub mod argon2id;
pub mod code;
pub mod foreign_hash;
pub mod installation;
pub mod lockout;
pub mod login;
pub mod passkey;
pub mod password;
pub mod pending;
pub mod portal;
pub mod registration;
pub mod reset;
pub mod session;
pub mod user_code_limits;
pub mod verification;
