//! Creating passkeys: the options for `navigator.credentials.create` (a discoverable credential with user
//! verification, the user's existing passkeys excluded) and the verified passkey to store.

use serde_json::Value;
use webauthn_rs::prelude::{Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Uuid};

use super::ceremony::{self, State, Subject};
use super::{Options, PasskeyError, credential_key};
use crate::identity::tenant;
use crate::state::AppState;
use crate::store::passkeys::{self, PasskeyRow};
use crate::store::users::UserRow;
use crate::store::{DbConn, StoreError};

/// Who the passkey is for, as the authenticator will show it.
pub struct Holder {
    /// The user's id (a UUID): the WebAuthn user handle, which discoverable sign-in returns.
    pub id: String,
    /// The identifier (email or mobile number).
    pub name: String,
    pub display_name: String,
}

impl Holder {
    /// The holder a user is: identified by email (else mobile), displayed by the profile's `name` when it has one.
    pub fn of(user: &UserRow) -> Holder {
        let name = user
            .email
            .clone()
            .or_else(|| user.mobile.clone())
            .unwrap_or_default();
        let display_name = serde_json::from_str::<Value>(&user.payload)
            .ok()
            .and_then(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| name.clone());
        Holder {
            id: user.id.clone(),
            name,
            display_name,
        }
    }
}

/// A passkey the browser created and the server verified, not yet stored.
pub struct NewPasskey(Passkey);

/// Begins creating a passkey for `holder`, bound to `subject`. The authenticator will name the site by the
/// tenant's name (the organisation the user belongs to).
pub async fn begin(
    app: &AppState,
    tenant: &str,
    holder: Holder,
    subject: Subject,
) -> Result<Options, PasskeyError> {
    let rp = app.passkeys.clone().ok_or(PasskeyError::Unavailable)?;
    let handle = Uuid::parse_str(&holder.id).map_err(|e| PasskeyError::Invalid(e.to_string()))?;
    let (t, now) = (tenant.to_owned(), app.clock.now());
    app.db
        .run(move |c| {
            let site = match tenant::require(c, &t) {
                Ok(found) => found.name,
                Err(crate::identity::Error::Store(e)) => return Err(e.into()),
                Err(_) => return Err(PasskeyError::NotFound),
            };
            let exclude = passkeys::list_for_user(c, &holder.id)?
                .iter()
                .map(|row| super::parse_passkey(row).map(|p| p.cred_id().clone()))
                .collect::<Result<Vec<_>, _>>()?;
            let (ccr, state) = rp
                .webauthn
                .start_passkey_registration(
                    handle,
                    &holder.name,
                    &holder.display_name,
                    Some(exclude),
                )
                .map_err(|e| PasskeyError::Invalid(e.to_string()))?;
            let mut options =
                serde_json::to_value(&ccr).map_err(|e| PasskeyError::Invalid(e.to_string()))?;
            // A resident (discoverable) credential is what lets the user sign in without typing an identifier.
            let key = &mut options["publicKey"];
            key["rp"]["name"] = Value::from(site);
            key["authenticatorSelection"]["residentKey"] = Value::from("required");
            key["authenticatorSelection"]["requireResidentKey"] = Value::from(true);
            let ceremony = ceremony::save(c, &t, &subject, &State::Registration(state), now)?;
            Ok(Options { ceremony, options })
        })
        .await
}

/// Verifies the browser's new credential against a registration ceremony that `accept` recognises as the one
/// expected here; returns the ceremony's subject and the passkey.
pub async fn finish(
    app: &AppState,
    tenant: &str,
    ceremony_id: &str,
    credential: &str,
    accept: impl FnOnce(&Subject) -> bool + Send + 'static,
) -> Result<(Subject, NewPasskey), PasskeyError> {
    let rp = app.passkeys.clone().ok_or(PasskeyError::Unavailable)?;
    let credential: RegisterPublicKeyCredential = super::parse_credential(credential)?;
    let (t, id, now) = (tenant.to_owned(), ceremony_id.to_owned(), app.clock.now());
    app.db
        .run(move |c| {
            let (subject, state) = ceremony::take(c, &t, &id, now, accept)?;
            let State::Registration(state) = state else {
                return Err(PasskeyError::Expired);
            };
            Ok((subject, verify(&rp, &credential, &state)?))
        })
        .await
}

/// The passkey the browser's new credential creates, if it answers the ceremony whose state is `state`.
pub(crate) fn verify(
    rp: &super::RelyingParty,
    credential: &RegisterPublicKeyCredential,
    state: &PasskeyRegistration,
) -> Result<NewPasskey, PasskeyError> {
    let passkey = rp
        .webauthn
        .finish_passkey_registration(credential, state)
        .map_err(|e| {
            tracing::info!(reason = %e, "passkey registration refused");
            PasskeyError::Refused
        })?;
    Ok(NewPasskey(passkey))
}

/// Stores a verified passkey for a user, named `name` (or "Passkey N" when empty). A credential already
/// registered (to anyone) is refused.
pub fn store(
    conn: &mut DbConn,
    user: &str,
    new: &NewPasskey,
    name: &str,
    now: i64,
) -> Result<PasskeyRow, PasskeyError> {
    let passkey = &new.0;
    let name = match name.trim() {
        "" => format!("Passkey {}", passkeys::list_for_user(conn, user)?.len() + 1),
        given => given.chars().take(64).collect(),
    };
    let flags = serde_json::to_value(passkey).map_err(|e| PasskeyError::Invalid(e.to_string()))?;
    let flag = |name: &str| flags["cred"][name].as_bool().unwrap_or(false);
    let row = PasskeyRow {
        id: crate::secret::new_id(),
        user_id: user.to_owned(),
        credential_id: credential_key(passkey.cred_id()),
        passkey: flags.to_string(),
        name,
        sign_count: flags["cred"]["counter"].as_i64().unwrap_or(0),
        backup_eligible: flag("backup_eligible"),
        backup_state: flag("backup_state"),
        created_at: now,
        last_used_at: None,
    };
    passkeys::insert(conn, &row).map_err(|e| match e {
        StoreError::Unique(_) => PasskeyError::Refused,
        other => other.into(),
    })?;
    Ok(row)
}
