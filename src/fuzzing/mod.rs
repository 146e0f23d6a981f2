//! Fuzzing entries: one function per `cargo fuzz` target (`fuzz/fuzz_targets/`), each taking the raw bytes an
//! attacker could send and handing them to the parsers the server runs on them. The stable test
//! `tests/it/ops/fuzz_corpus.rs` replays the kept corpus through the same functions, so the two cannot drift.
//! None of them may panic, whatever the input; the setup a parser needs (keys, clients, a relying party) is
//! built once, deterministically, without a database.

mod admin;
mod fixtures;
mod import;
mod jwt;
mod oidc;
mod webauthn;

pub use admin::{admin_json, user_payload};
pub use import::import_line;
pub use jwt::{client_assertion, id_token_hint};
pub use oidc::{authorize_request, token_request};
pub use webauthn::webauthn_json;

/// A fuzzing entry: it takes any bytes and must not panic.
pub type Entry = fn(&[u8]);

/// Every target by the name of its `fuzz/corpus/` folder.
pub const TARGETS: [(&str, Entry); 8] = [
    ("authorize_request", authorize_request),
    ("token_request", token_request),
    ("client_assertion", client_assertion),
    ("id_token_hint", id_token_hint),
    ("admin_json", admin_json),
    ("user_payload", user_payload),
    ("import_line", import_line),
    ("webauthn_json", webauthn_json),
];
