//! WebAuthn ceremonies in flight, kept in the database between the options a browser gets and the credential it
//! returns: bound to what they are for, single-use, and expiring after five minutes.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

use super::PasskeyError;
use crate::store::DbConn;
use crate::store::passkeys::{self, CeremonyRow};

/// How long a browser has to answer: WebAuthn's recommended timeout.
const TTL: i64 = 300;

/// What finishing a ceremony does, and what it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Subject {
    /// Signing in to a pending authorization request; `user` is known when an identifier was typed.
    SignIn {
        workspace: String,
        request: String,
        user: Option<String>,
    },
    /// A signed-in user adding a passkey on the account page or after signing in.
    Enrol { workspace: String, user: String },
    /// A self-registration whose identifier was proved; `user` is the id the new user will get.
    Register {
        workspace: String,
        request: String,
        registration: String,
        user: String,
    },
    /// An invited user activating the account with a passkey.
    Activate { invitation: String, user: String },
}

impl Subject {
    fn purpose(&self) -> &'static str {
        match self {
            Subject::SignIn { .. } => "sign_in",
            Subject::Enrol { .. } => "enrol",
            Subject::Register { .. } => "register",
            Subject::Activate { .. } => "activate",
        }
    }
}

/// webauthn-rs's state of a ceremony.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum State {
    Identified(PasskeyAuthentication),
    Discoverable(DiscoverableAuthentication),
    /// Options with decoy credential ids, for an identifier without passkeys: it can never succeed.
    Decoy,
    Registration(PasskeyRegistration),
}

fn encode<T: Serialize>(value: &T) -> Result<String, PasskeyError> {
    serde_json::to_string(value).map_err(|e| PasskeyError::Invalid(e.to_string()))
}

/// Stores a new ceremony; returns its id (the browser sends it back with the credential).
pub(super) fn save(
    conn: &mut DbConn,
    tenant: &str,
    subject: &Subject,
    state: &State,
    now: i64,
) -> Result<String, PasskeyError> {
    let row = CeremonyRow {
        id: crate::secret::generate(),
        tenant_id: tenant.to_owned(),
        purpose: subject.purpose().to_owned(),
        subject: encode(subject)?,
        state: encode(state)?,
        created_at: now,
        expires_at: now + TTL,
    };
    passkeys::insert_ceremony(conn, &row)?;
    Ok(row.id)
}

/// Takes (and so ends) a ceremony of this tenant that `accept` recognises as the one expected; `Expired` when it
/// is unknown, used, too old or bound to something else. A ceremony bound to something else is left alone, so a
/// stray request cannot spoil its owner's.
pub(super) fn take(
    conn: &mut DbConn,
    tenant: &str,
    id: &str,
    now: i64,
    accept: impl FnOnce(&Subject) -> bool,
) -> Result<(Subject, State), PasskeyError> {
    let row = passkeys::find_ceremony(conn, id)?
        .filter(|row| row.tenant_id == tenant && row.expires_at > now)
        .ok_or(PasskeyError::Expired)?;
    let subject: Subject = serde_json::from_str(&row.subject).map_err(|_| PasskeyError::Expired)?;
    if subject.purpose() != row.purpose || !accept(&subject) {
        return Err(PasskeyError::Expired);
    }
    if !passkeys::delete_ceremony(conn, id)? {
        return Err(PasskeyError::Expired);
    }
    let state: State = serde_json::from_str(&row.state).map_err(|_| PasskeyError::Expired)?;
    Ok((subject, state))
}
