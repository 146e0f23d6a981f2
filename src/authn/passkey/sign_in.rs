//! Signing in with a passkey: discoverable (the browser offers the passkeys it holds for this server, also as
//! autofill) or for a typed identifier (the user's credentials are listed; an identifier without passkeys gets
//! decoy credential ids, so the answer does not tell who has an account).

use serde_json::{Value, json};
use webauthn_rs::prelude::PublicKeyCredential;

use super::ceremony::{self, State, Subject};
use super::{
    Options, PasskeyError, RelyingParty, amr, counter_advances, credential_key, parse_passkey,
};
use crate::authn::login;
use crate::identity::pool::Mechanism;
use crate::metrics::labels::{Outcome, SignInMethod};
use crate::state::AppState;
use crate::store::passkeys;
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, StoreError, workspaces};

/// A successful passkey sign-in.
pub struct SignedIn {
    pub user: UserRow,
    pub amr: Vec<String>,
}

/// Begins a sign-in for a pending authorization request, for the typed identifier or (without one) for any
/// passkey the browser holds.
pub async fn begin(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    request: &str,
    identifier: Option<&str>,
) -> Result<Options, PasskeyError> {
    let rp = app.passkeys.clone().ok_or(PasskeyError::Unavailable)?;
    let (t, w, r, now) = (
        tenant.to_owned(),
        workspace.to_owned(),
        request.to_owned(),
        app.clock.now(),
    );
    let identifier = identifier
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned);
    app.db
        .run(move |c| {
            let (options, state, user) = match identifier {
                None => {
                    let (rcr, state) = rp
                        .webauthn
                        .start_discoverable_authentication()
                        .map_err(|e| PasskeyError::Invalid(e.to_string()))?;
                    (encode(&rcr)?, State::Discoverable(state), None)
                }
                Some(identifier) => for_identifier(c, &rp, &t, &w, &identifier)?,
            };
            let subject = Subject::SignIn {
                workspace: w,
                request: r,
                user,
            };
            let ceremony = ceremony::save(c, &t, &subject, &state, now)?;
            Ok(Options { ceremony, options })
        })
        .await
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Value, PasskeyError> {
    serde_json::to_value(value).map_err(|e| PasskeyError::Invalid(e.to_string()))
}

/// Options listing the credentials of the identifier's user, or decoys when it has none.
fn for_identifier(
    c: &mut DbConn,
    rp: &RelyingParty,
    tenant: &str,
    workspace: &str,
    identifier: &str,
) -> Result<(Value, State, Option<String>), PasskeyError> {
    let user = login::find_user(c, tenant, workspace, identifier, Mechanism::Passkey)?
        .filter(UserRow::is_active);
    if let Some(user) = user {
        let keys = passkeys::list_for_user(c, &user.id)?
            .iter()
            .map(parse_passkey)
            .collect::<Result<Vec<_>, _>>()?;
        if !keys.is_empty() {
            let (rcr, state) = rp
                .webauthn
                .start_passkey_authentication(&keys)
                .map_err(|e| PasskeyError::Invalid(e.to_string()))?;
            let options = uniform(encode(&rcr)?);
            return Ok((options, State::Identified(state), Some(user.id)));
        }
    }
    let decoys = decoy_ids(rp, identifier)?;
    let (rcr, _) = rp
        .webauthn
        .start_discoverable_authentication()
        .map_err(|e| PasskeyError::Invalid(e.to_string()))?;
    let mut options = encode(&rcr)?;
    options["publicKey"]["allowCredentials"] = decoys
        .iter()
        .map(|id| json!({"type": "public-key", "id": credential_key(id)}))
        .collect();
    Ok((uniform(options), State::Decoy, None))
}

/// The decoy credential ids of an identifier: stable, of believable number and lengths (webauthn-rs models both),
/// and never none, since a user who has passkeys always has at least one.
fn decoy_ids(rp: &RelyingParty, identifier: &str) -> Result<Vec<Vec<u8>>, PasskeyError> {
    let seed = identifier.trim().to_lowercase();
    let generate = |seed: &str| {
        rp.decoys
            .generate(seed.as_bytes())
            .map_err(|e| PasskeyError::Invalid(e.to_string()))
    };
    let ids = generate(&seed)?;
    if !ids.is_empty() {
        return Ok(ids);
    }
    // Another deterministic draw, of which one id is kept: one passkey is the most common count.
    let mut again = generate(&format!("{seed}\u{0}"))?;
    again.truncate(1);
    match again.is_empty() {
        true => Ok(vec![
            generate(&format!("{seed}\u{1}"))?
                .into_iter()
                .flatten()
                .take(32)
                .collect(),
        ]),
        false => Ok(again),
    }
}

/// Options for a typed identifier, real or decoy, with exactly the same fields either way (a decoy starts from
/// discoverable options, whose extras would tell): the answer must not say whether the identifier has passkeys.
fn uniform(mut options: Value) -> Value {
    const FIELDS: [&str; 5] = [
        "allowCredentials",
        "challenge",
        "rpId",
        "timeout",
        "userVerification",
    ];
    if let Some(o) = options.as_object_mut() {
        o.retain(|k, _| k == "publicKey");
    }
    if let Some(pk) = options.get_mut("publicKey").and_then(Value::as_object_mut) {
        pk.retain(|k, _| FIELDS.contains(&k.as_str()));
        let entries = pk.get_mut("allowCredentials").and_then(Value::as_array_mut);
        for entry in entries
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            entry.retain(|k, _| k == "type" || k == "id");
        }
    }
    options
}

/// Finishes a sign-in: checks the browser's credential against the ceremony, the stored passkey and its counter,
/// and that its user may sign in to this workspace with a passkey.
pub async fn finish(
    app: &AppState,
    origin: &crate::audit::Origin,
    tenant: &str,
    workspace: &str,
    request: &str,
    ceremony_id: &str,
    credential: &str,
) -> Result<SignedIn, PasskeyError> {
    let rp = app.passkeys.clone().ok_or(PasskeyError::Unavailable)?;
    let credential: PublicKeyCredential = super::parse_credential(credential)?;
    let (t, w, r, id, now) = (
        tenant.to_owned(),
        workspace.to_owned(),
        request.to_owned(),
        ceremony_id.to_owned(),
        app.clock.now(),
    );
    // Taken in a step of its own, so a refused answer still uses the ceremony up.
    let (tenant, bound) = (t.clone(), (w.clone(), r));
    let (subject, state) = app
        .db
        .run(move |c| {
            ceremony::take(c, &tenant, &id, now, |s| {
                matches!(s, Subject::SignIn { workspace, request, .. }
                    if (workspace, request) == (&bound.0, &bound.1))
            })
        })
        .await?;
    let Subject::SignIn { user: expected, .. } = subject else {
        return Err(PasskeyError::Expired);
    };
    let (ctx, audit_tenant, audit_workspace) = (origin.clone(), t.clone(), w.clone());
    let signed_in = app
        .db
        .transaction(move |c| {
            let signed = verify(c, &rp, &t, &w, &credential, state, expected, now)?;
            let user = &signed.user;
            let ctx = crate::audit::Context::new(crate::audit::Actor::User(user.id.clone()), ctx);
            let event = passkey_event(crate::audit::EventType::PasskeySucceeded, &w)
                .subject(crate::audit::SubjectType::User, &user.id)
                .pool(&user.pool_id);
            crate::audit::record(c, &t, &ctx, now, event)?;
            Ok(signed)
        })
        .await;
    let outcome = match signed_in {
        Ok(_) => Outcome::Success,
        Err(_) => Outcome::Failure,
    };
    if let Err(e) = &signed_in
        && !matches!(e, PasskeyError::Store(_))
    {
        // The refused check changed nothing (its transaction rolled back); the failure is its own record.
        let ctx = crate::audit::Context::new(crate::audit::Actor::Anonymous, origin.clone());
        let event = passkey_event(crate::audit::EventType::PasskeyFailed, &audit_workspace)
            .failed("refused");
        app.db
            .run(move |c| crate::audit::record(c, &audit_tenant, &ctx, now, event))
            .await?;
    }
    app.metrics.sign_in(SignInMethod::Passkey, outcome);
    signed_in
}

fn passkey_event(kind: crate::audit::EventType, workspace: &str) -> crate::audit::Event {
    crate::audit::Event::new(kind)
        .workspace(workspace)
        .details(crate::audit::Details::new().with("method", "passkey"))
}

#[expect(
    clippy::too_many_arguments,
    reason = "one verification step, each value a separate input"
)]
fn verify(
    c: &mut DbConn,
    rp: &RelyingParty,
    tenant: &str,
    workspace: &str,
    credential: &PublicKeyCredential,
    state: State,
    expected: Option<String>,
    now: i64,
) -> Result<SignedIn, PasskeyError> {
    let refused = |why: &str| {
        tracing::info!(reason = why, "passkey sign-in refused");
        PasskeyError::Refused
    };
    let stored = passkeys::find_by_credential(c, &credential_key(credential.get_credential_id()))?
        .ok_or_else(|| refused("unknown or removed credential"))?;
    let mut passkey = parse_passkey(&stored)?;
    let result = match state {
        State::Identified(state) => {
            if expected.as_deref() != Some(stored.user_id.as_str()) {
                return Err(refused("credential of another user"));
            }
            rp.webauthn
                .finish_passkey_authentication(credential, &state)
                .map_err(|e| refused(&e.to_string()))?
        }
        State::Discoverable(state) => {
            let (handle, _) = rp
                .webauthn
                .identify_discoverable_authentication(credential)
                .map_err(|e| refused(&e.to_string()))?;
            if handle.to_string() != stored.user_id {
                return Err(refused("user handle names another user"));
            }
            rp.webauthn
                .finish_discoverable_authentication_v2(credential, state, &passkey)
                .map_err(|e| refused(&e.to_string()))?
        }
        State::Decoy | State::Registration(_) => return Err(refused("no credential was offered")),
    };
    if !counter_advances(stored.sign_count, result.counter()) {
        return Err(refused("sign counter did not advance"));
    }
    let user = users::find_by_id(c, &stored.user_id)?
        .filter(UserRow::is_active)
        .ok_or_else(|| refused("user is not active"))?;
    if !offers_passkeys(c, tenant, workspace, &user)? {
        return Err(refused("the user's pool does not offer passkeys here"));
    }
    passkey.update_credential(&result);
    let mut updated = stored.clone();
    updated.passkey =
        serde_json::to_string(&passkey).map_err(|e| PasskeyError::Invalid(e.to_string()))?;
    updated.sign_count = i64::from(result.counter());
    updated.backup_eligible = result.backup_eligible();
    updated.backup_state = result.backup_state();
    if !passkeys::record_use(c, &updated, stored.sign_count, now)? {
        return Err(refused("credential used concurrently"));
    }
    Ok(SignedIn {
        user,
        amr: amr(updated.backup_eligible),
    })
}

/// Whether the user's pool is connected to the workspace and offers passkeys.
fn offers_passkeys(
    c: &mut DbConn,
    tenant: &str,
    workspace: &str,
    user: &UserRow,
) -> Result<bool, StoreError> {
    let connected = workspaces::list_connections(c, tenant, workspace)?
        .iter()
        .any(|conn| conn.pool_id == user.pool_id);
    Ok(connected && super::pool_offers(c, user)?)
}
