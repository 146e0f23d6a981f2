//! Self-registration: a form generated from the pool's user schema, the identifier proved with a code before the
//! user exists, then an active user. The pool is the first connected pool that allows self-registration. Where the
//! pool offers passkeys the password may be left out: the user is then created with a passkey ([`passkey`]).

pub mod limits;
pub mod passkey;

use crate::metrics::labels::Limiter;
use std::collections::HashMap;

use serde_json::Value;

pub use limits::Requester;

use super::code::{self, Attempt, Challenge, CodeError, Delivery, Purpose};
use crate::authn::passkey::PasskeyError;
use crate::config::RegistrationLimits;
use crate::identity::identifier::Identifier;
use crate::identity::pool::{self, Mechanism, Pool};
use crate::identity::profile_schema;
use crate::notify::Recipient;
use crate::state::AppState;
use crate::store::registrations::{self, RegistrationRow};
use crate::store::users::{self, IdentifierFilter, Status, UserRow};
use crate::store::{DbConn, StoreError, workspaces};

/// How long a registration waits for its code.
const TTL: i64 = 30 * 60;

/// The registration form's inputs: the pool's user schema as every profile form reads it.
pub use crate::identity::profile_form::{Field, fields};

/// Why a registration did not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("no connected pool allows self-registration")]
    NotAllowed,
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("the server is busy; try again shortly")]
    Overloaded,
    #[error("an account with this identifier already exists")]
    Exists,
    /// The registration is unknown, expired, already finished, or its code was not entered by this browser.
    #[error("the registration expired; start again")]
    Expired,
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::identity::Error> for RegistrationError {
    fn from(e: crate::identity::Error) -> Self {
        match e {
            crate::identity::Error::Invalid { field, message } => {
                RegistrationError::Invalid { field, message }
            }
            crate::identity::Error::Store(e) => RegistrationError::Store(e),
            crate::identity::Error::Overloaded => RegistrationError::Overloaded,
            other => RegistrationError::Store(StoreError::Blocking(other.to_string())),
        }
    }
}

/// The pool new users of the workspace register into, if any.
pub fn pool_for(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
) -> Result<Option<Pool>, StoreError> {
    for connection in workspaces::list_connections(conn, tenant, workspace)? {
        match pool::require(conn, tenant, &connection.pool_id) {
            Ok(p) if p.public_registration_allowed => return Ok(Some(p)),
            Err(crate::identity::Error::Store(e)) => return Err(e),
            _ => {}
        }
    }
    Ok(None)
}

/// What a visitor submitted.
pub struct Submission {
    pub identifier: String,
    pub password: Option<String>,
    pub values: HashMap<String, String>,
}

/// Checks a submission and queues a code to the identifier; returns the challenge id. An identifier that already
/// has an account, or a request over a sending limit ([`limits`]), gets a challenge that can never succeed and
/// nothing is sent, so the page does not reveal who is registered. The code is sent after the answer (the
/// delivery worker), so the answer takes the same time either way.
pub async fn start(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    s: Submission,
    from: Requester,
) -> Result<String, RegistrationError> {
    let checked = check(app, tenant, workspace, s).await?;
    let (t, w, now) = (tenant.to_owned(), workspace.to_owned(), app.clock.now());
    let (limits, queue) = (app.config.registration_limits, app.notifier.queue());
    let challenge = app
        .db
        .transaction(move |c| {
            let (id, delivery) = open(c, &t, &w, &checked, &from, &limits, now)?;
            if let Some(delivery) = delivery {
                code::queue_code(c, &queue, &t, delivery, Purpose::Registration, now)?;
            }
            Ok::<_, RegistrationError>(id)
        })
        .await
        .inspect_err(|e| {
            if matches!(e, RegistrationError::Code(CodeError::Throttled)) {
                app.metrics.rate_limited(Limiter::CodeResend);
            }
        })?;
    app.notifier.wake();
    Ok(challenge)
}

/// A submission that passed the form's checks: the pool, the identifier, the payload and the password's hash.
struct Checked {
    pool: Pool,
    identifier: Identifier,
    payload: Value,
    password_hash: Option<String>,
}

/// Checks a submission against the pool's schema and password policy, and hashes the password.
async fn check(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    s: Submission,
) -> Result<Checked, RegistrationError> {
    let (t, w) = (tenant.to_owned(), workspace.to_owned());
    let found = app
        .db
        .run(move |c| {
            let Some(pool) = pool_for(c, &t, &w)? else {
                return Ok::<_, RegistrationError>(None);
            };
            let schema =
                profile_schema::payload_document(c, &t, pool.payload_schema_id.as_deref())?;
            Ok(Some((pool, schema)))
        })
        .await?;
    let (pool, schema) = found.ok_or(RegistrationError::NotAllowed)?;
    let identifier = Identifier::parse("identifier", &s.identifier)?;
    let payload = crate::identity::profile_form::payload(&fields(&schema), &s.values, "")?;
    profile_schema::validate(&schema, &payload, "payload")?;
    let password = s.password.unwrap_or_default();
    // Where a passkey can take the password's place, an empty password means "a passkey instead".
    let passkey_instead = password.is_empty() && offers_passkeys(app, &pool);
    let password_hash = if pool.uses_passwords() && !passkey_instead {
        if let Some(rule) = pool
            .password_policy
            .violation(&password, &[key_of(&identifier)])
        {
            return Err(RegistrationError::Invalid {
                field: "password".into(),
                message: rule,
            });
        }
        let hashed = app.hasher.hash(password).await;
        Some(hashed.map_err(|_| RegistrationError::Overloaded)?)
    } else {
        None
    };
    Ok(Checked {
        pool,
        identifier,
        payload,
        password_hash,
    })
}

/// The normalised identifier itself: the resend throttle and the password policy look at it.
fn key_of(identifier: &Identifier) -> &str {
    match identifier {
        Identifier::Email(e) => e,
        Identifier::Mobile(m) => m,
    }
}

/// Issues the registration's code and, unless the identifier has an account or a limit is reached, records the
/// waiting registration; returns the challenge id and the code to deliver, if any. Call inside a transaction.
fn open(
    c: &mut DbConn,
    tenant: &str,
    workspace: &str,
    checked: &Checked,
    from: &Requester,
    limits: &RegistrationLimits,
    now: i64,
) -> Result<(String, Option<Delivery>), RegistrationError> {
    let (pool, key) = (&checked.pool, key_of(&checked.identifier));
    if code::is_throttled(c, tenant, key, now)? {
        return Err(CodeError::Throttled.into());
    }
    let (to, filter, email, mobile) = match &checked.identifier {
        Identifier::Email(e) => (
            Recipient::Email(e.clone()),
            IdentifierFilter::Email(e.clone()),
            Some(e.clone()),
            None,
        ),
        Identifier::Mobile(m) => (
            Recipient::Mobile(m.clone()),
            IdentifierFilter::Mobile(m.clone()),
            None,
            Some(m.clone()),
        ),
    };
    let id = crate::secret::new_id();
    let challenge = Challenge {
        tenant,
        workspace,
        id: &id,
        identifier: key,
    };
    let code = code::issue(
        c,
        &challenge,
        &pool.otp_settings,
        Purpose::Registration,
        now,
    )?;
    // Counted before the account check, so that existing identifiers use up the limits like new ones.
    if !limits::admit(c, limits, from, &pool.id, &to, now)?
        || users::find_by_identifier(c, &pool.id, &filter)?.is_some()
    {
        return Ok((id, None));
    }
    let row = RegistrationRow {
        id: id.clone(),
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        pool_id: pool.id.clone(),
        email,
        mobile,
        payload: checked.payload.to_string(),
        password_hash: checked.password_hash.clone(),
        created_at: now,
        expires_at: now + TTL,
        verified_at: None,
        request_id: None,
        browser_hash: None,
    };
    registrations::insert(c, &row)?;
    let ttl_seconds = pool.otp_settings.ttl_seconds;
    Ok((
        id,
        Some(Delivery {
            to,
            code,
            ttl_seconds,
        }),
    ))
}

/// Whether a registration into `pool` can be finished with a passkey: the pool offers them and the server has a
/// WebAuthn relying party.
pub fn offers_passkeys(app: &AppState, pool: &Pool) -> bool {
    app.passkeys.is_some() && pool.offers(Mechanism::Passkey)
}

/// What entering the right code led to.
pub enum Completed {
    /// The user was created (with the chosen password, if any); the code signed them in.
    User(UserRow),
    /// No password was chosen and the pool offers passkeys: the user is created once the passkey is
    /// ([`passkey::finish`]), or without one ([`passkey::skip`]).
    NeedsPasskey(passkey::Waiting),
}

/// Checks the code of a registration typed in the browser of the authorization request `request`. With a password
/// (or in a pool without passkeys) the active user is created, its identifier verified; otherwise the
/// registration is marked verified for that request and waits for the passkey.
pub async fn complete(
    app: &AppState,
    attempt: &Attempt<'_>,
    request: &str,
    browser: &str,
) -> Result<Completed, RegistrationError> {
    let row = verify_code(app, attempt).await?;
    let (request, now, has_rp) = (request.to_owned(), app.clock.now(), app.passkeys.is_some());
    let browser = browser.to_owned();
    app.db
        .transaction(move |c| {
            let pool = pool::by_id(c, &row.pool_id)?;
            let passkey_instead =
                has_rp && row.password_hash.is_none() && pool.offers(Mechanism::Passkey);
            if !passkey_instead {
                return create_user(c, &row, &crate::secret::new_id(), now).map(Completed::User);
            }
            if !registrations::mark_verified(c, &row.id, &request, &browser, now)? {
                return Err(RegistrationError::Expired);
            }
            Ok(Completed::NeedsPasskey(passkey::Waiting::new(&row, &pool)))
        })
        .await
}

/// Checks the code of a registration and returns the registration it proves; the code is spent.
async fn verify_code(
    app: &AppState,
    attempt: &Attempt<'_>,
) -> Result<RegistrationRow, RegistrationError> {
    let (t, w, id, typed, now) = (
        attempt.tenant.to_owned(),
        attempt.workspace.to_owned(),
        attempt.challenge.to_owned(),
        attempt.code.to_owned(),
        app.clock.now(),
    );
    // Not inside a transaction with what follows: a wrong code's attempt must be counted even though it fails.
    let row = app
        .db
        .run(move |c| {
            let attempt = Attempt {
                tenant: &t,
                workspace: &w,
                challenge: &id,
                code: &typed,
            };
            code::check(c, &attempt, Purpose::Registration, now, |c, code| {
                registrations::find(c, &code.id)
            })
        })
        .await?;
    Ok(row)
}

/// Creates the active user `id` a proved registration describes, its identifier verified, and ends the
/// registration; call inside a transaction. `Expired` when the registration was already ended, `Exists` when the
/// identifier was registered in the meantime.
fn create_user(
    c: &mut DbConn,
    row: &RegistrationRow,
    id: &str,
    now: i64,
) -> Result<UserRow, RegistrationError> {
    let user = new_user(row, id, now);
    // Of two finishes of one registration (two passkey ceremonies, or a passkey and "skip"), one creates the user.
    if registrations::delete(c, &row.id)? != 1 {
        return Err(RegistrationError::Expired);
    }
    users::insert(c, &user).map_err(|e| match e {
        StoreError::Unique(_) => RegistrationError::Exists,
        other => other.into(),
    })?;
    Ok(user)
}

/// The active user `id` a proved registration describes, its identifier verified.
fn new_user(row: &RegistrationRow, id: &str, now: i64) -> UserRow {
    UserRow {
        id: id.to_owned(),
        pool_id: row.pool_id.clone(),
        email_verified: row.email.is_some(),
        mobile_verified: row.mobile.is_some(),
        email: row.email.clone(),
        mobile: row.mobile.clone(),
        status: Status::Active,
        payload: row.payload.clone(),
        metadata: "{}".into(),
        password_hash: row.password_hash.clone(),
        created_at: now,
        updated_at: now,
    }
}
