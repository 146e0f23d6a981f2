//! One-time codes sent by email or SMS, for signing in or for resetting a password: numeric codes of the pool's
//! length and lifetime, stored hashed, single use, a limited number of attempts, and a resend throttle per
//! identifier across the tenant's workspaces (one per 30 s, five per hour). An identifier that names no user who
//! can receive the code gets a decoy challenge that can never succeed, so the pages look the same either way; and
//! the code is queued, never sent in the request ([`send`]), so the answer also takes the same time and does not
//! depend on the mail server.

use crate::metrics::labels::Limiter;
use subtle::ConstantTimeEq;

use super::login::find_user;
use crate::identity::identifier::counted_form;
use crate::identity::pool::{self, Mechanism, OtpSettings};
use crate::notify::{Notifier, NotifyError, Queue, Recipient};
use crate::store::codes::{self, CodeRow};
use crate::store::users::UserRow;
use crate::store::{Db, DbConn, StoreError, users};

/// Where a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

/// Why a code could not be sent or was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("a code was sent moments ago; wait before asking for another")]
    Throttled,
    #[error("that code is not right")]
    Wrong,
    #[error("this code has expired or was already used; ask for a new one")]
    Expired,
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A code to deliver: who gets it, and the code itself (never stored in clear).
pub struct Delivery {
    pub to: Recipient,
    pub code: String,
    pub ttl_seconds: u32,
}

/// What a code is for; a code for one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing in to a pool that offers codes.
    SignIn,
    /// Choosing a new password in a pool that uses passwords.
    PasswordReset,
    /// Proving the identifier of a self-registration.
    Registration,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::PasswordReset => "password_reset",
            Purpose::Registration => "registration",
        }
    }

    /// What the message calls the code's use.
    fn what(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign-in",
            Purpose::PasswordReset => "password reset",
            Purpose::Registration => "verification",
        }
    }

    /// The pools whose existing users may get this kind of code (`None`: codes for people who are not users yet).
    fn mechanism(self) -> Option<Mechanism> {
        match self {
            Purpose::SignIn => Some(Mechanism::Otp),
            Purpose::PasswordReset => Some(Mechanism::Password),
            Purpose::Registration => None,
        }
    }
}
const RESEND_AFTER: i64 = 30;
const PER_HOUR: usize = 5;

/// Who asks for a code at a workspace, and for what.
pub struct CodeRequest<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub identifier: &'a str,
    pub channel: Channel,
    pub purpose: Purpose,
}

/// Starts a challenge ([`start`]) and, when the identifier names someone who can receive the code, queues its
/// message in the same transaction; returns the challenge id. Nothing is sent here: the delivery worker sends
/// after the answer, which is therefore the same, and as fast, whether or not anyone gets a code and whether or not
/// delivery works.
pub async fn send(
    db: &Db,
    notifier: &Notifier,
    now: i64,
    ask: &CodeRequest<'_>,
) -> Result<String, CodeError> {
    let (t, w, typed) = (
        ask.tenant.to_owned(),
        ask.workspace.to_owned(),
        ask.identifier.to_owned(),
    );
    let (channel, purpose, queue) = (ask.channel, ask.purpose, notifier.queue());
    let challenge = db
        .transaction(move |c| {
            let (challenge, delivery) = start(c, &t, &w, &typed, channel, purpose, now)?;
            if let Some(delivery) = delivery {
                queue_code(c, &queue, &t, delivery, purpose, now)?;
            }
            Ok::<_, CodeError>(challenge)
        })
        .await
        .inspect_err(|e| {
            if matches!(e, CodeError::Throttled) {
                notifier.metrics.rate_limited(Limiter::CodeResend);
            }
        })?;
    notifier.wake();
    Ok(challenge)
}

/// Renders the message of a code for `purpose` and queues it on `conn` until the code expires; call inside the
/// transaction that issued the code, then wake the notifier. A message that cannot be rendered is logged and not
/// sent: the visitor's answer must stay the same (they can ask again).
pub fn queue_code(
    conn: &mut DbConn,
    queue: &Queue,
    tenant: &str,
    delivery: Delivery,
    purpose: Purpose,
    now: i64,
) -> Result<(), StoreError> {
    let Delivery {
        to,
        code,
        ttl_seconds,
    } = delivery;
    let expires_at = now + i64::from(ttl_seconds);
    let message = crate::messages::code(to, purpose.what(), &code, ttl_seconds.div_ceil(60));
    match message.and_then(|m| queue.push(conn, tenant, &m, expires_at, now)) {
        Ok(()) => Ok(()),
        Err(NotifyError::Store(e)) => Err(e),
        Err(e) => {
            tracing::error!(error = %e, purpose = purpose.as_str(), "a code could not be queued");
            Ok(())
        }
    }
}

/// Starts a challenge for `identifier` at a workspace: returns the challenge id and, when the identifier names an
/// active user of a pool offering what `purpose` needs who has an address on `channel`, what to deliver.
fn start(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    identifier: &str,
    channel: Channel,
    purpose: Purpose,
    now: i64,
) -> Result<(String, Option<Delivery>), CodeError> {
    let key = counted_form(identifier);
    if is_throttled(conn, tenant, &key, now)? {
        return Err(CodeError::Throttled);
    }
    let user = match purpose.mechanism() {
        Some(mechanism) => {
            find_user(conn, tenant, workspace, identifier, mechanism)?.filter(UserRow::is_active)
        }
        None => None,
    };
    let address = user.as_ref().and_then(|u| match channel {
        Channel::Email => u.email.clone().map(Recipient::Email),
        Channel::Sms => u.mobile.clone().map(Recipient::Mobile),
    });
    let settings = match (&user, &address) {
        (Some(u), Some(_)) => settings_of(conn, tenant, u)?,
        _ => OtpSettings::default(),
    };
    let code = digits(settings.length as usize);
    let row = CodeRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        user_id: address.as_ref().and(user.as_ref()).map(|u| u.id.clone()),
        identifier: key,
        purpose: purpose.as_str().to_owned(),
        code_hash: crate::secret::hash(&code),
        attempts: 0,
        max_attempts: i64::from(settings.max_attempts),
        created_at: now,
        expires_at: now + i64::from(settings.ttl_seconds),
        used_at: None,
    };
    codes::insert(conn, &row)?;
    let delivery = address.map(|to| Delivery {
        to,
        code,
        ttl_seconds: settings.ttl_seconds,
    });
    Ok((row.id, delivery))
}

fn settings_of(conn: &mut DbConn, tenant: &str, user: &UserRow) -> Result<OtpSettings, StoreError> {
    match pool::require(conn, tenant, &user.pool_id) {
        Ok(p) => Ok(p.otp_settings),
        Err(crate::identity::Error::Store(e)) => Err(e),
        Err(_) => Ok(OtpSettings::default()),
    }
}

/// A code typed for a challenge at a workspace.
pub struct Attempt<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub challenge: &'a str,
    pub code: &'a str,
}

/// Checks a code against its challenge; on success the code is spent and the user returned.
pub fn verify(
    conn: &mut DbConn,
    attempt: &Attempt,
    purpose: Purpose,
    now: i64,
) -> Result<UserRow, CodeError> {
    check(conn, attempt, purpose, now, |c, row| match &row.user_id {
        Some(user_id) => Ok(users::find_by_id(c, user_id)?.filter(UserRow::is_active)),
        None => Ok(None),
    })
}

/// [`verify`] for a sign-in, with its `authn.code.*` event. The attempt is not one transaction (a wrong code
/// must be counted although it fails), so the event is written on the same connection right after the check.
pub fn verify_sign_in(
    conn: &mut DbConn,
    attempt: &Attempt,
    origin: &crate::audit::Origin,
    now: i64,
) -> Result<UserRow, CodeError> {
    use crate::audit::{Actor, Context, Details, Event, EventType, SubjectType};
    let verified = verify(conn, attempt, Purpose::SignIn, now);
    let details = Details::new().with("method", "code");
    let (actor, event) = match &verified {
        Ok(user) => (
            Actor::User(user.id.clone()),
            Event::new(EventType::CodeSucceeded)
                .subject(SubjectType::User, &user.id)
                .pool(&user.pool_id),
        ),
        Err(CodeError::Store(_)) => return verified,
        Err(e) => {
            let reason = match e {
                CodeError::Wrong => "wrong_code",
                CodeError::TooManyAttempts => "too_many_attempts",
                _ => "expired_or_used",
            };
            (
                Actor::Anonymous,
                Event::new(EventType::CodeFailed).failed(reason),
            )
        }
    };
    let ctx = Context::new(actor, origin.clone());
    let event = event.workspace(attempt.workspace).details(details);
    crate::audit::record(conn, attempt.tenant, &ctx, now, event)?;
    verified
}

/// Checks a code; `subject` finds what the challenge is about (`None`: nothing usable, e.g. a decoy), and only
/// then is the code spent. A wrong code, or one without a subject, counts as a failed attempt.
pub fn check<T>(
    conn: &mut DbConn,
    attempt: &Attempt,
    purpose: Purpose,
    now: i64,
    subject: impl FnOnce(&mut DbConn, &CodeRow) -> Result<Option<T>, StoreError>,
) -> Result<T, CodeError> {
    let Some(row) = codes::find(conn, attempt.challenge)? else {
        return Err(CodeError::Expired);
    };
    if row.tenant_id != attempt.tenant
        || row.workspace_id != attempt.workspace
        || row.purpose != purpose.as_str()
    {
        return Err(CodeError::Expired);
    }
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(CodeError::Expired);
    }
    if row.attempts >= row.max_attempts {
        return Err(CodeError::TooManyAttempts);
    }
    let matches = bool::from(
        crate::secret::hash(attempt.code.trim())
            .as_bytes()
            .ct_eq(row.code_hash.as_bytes()),
    );
    let found = if matches { subject(conn, &row)? } else { None };
    let Some(found) = found else {
        codes::count_attempt(conn, &row.id)?;
        return Err(if row.attempts + 1 >= row.max_attempts {
            CodeError::TooManyAttempts
        } else {
            CodeError::Wrong
        });
    };
    if !codes::use_code(conn, &row.id, now)? {
        return Err(CodeError::Expired);
    }
    Ok(found)
}

/// A challenge the caller names (a registration shares its id with its code).
pub struct Challenge<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub id: &'a str,
    /// The normalised identifier the code goes to (the resend throttle counts per identifier).
    pub identifier: &'a str,
}

/// Issues a code for `challenge`; returns the code to deliver.
pub fn issue(
    conn: &mut DbConn,
    challenge: &Challenge,
    settings: &OtpSettings,
    purpose: Purpose,
    now: i64,
) -> Result<String, CodeError> {
    let code = digits(settings.length as usize);
    codes::insert(
        conn,
        &CodeRow {
            id: challenge.id.to_owned(),
            tenant_id: challenge.tenant.to_owned(),
            workspace_id: challenge.workspace.to_owned(),
            user_id: None,
            identifier: challenge.identifier.to_owned(),
            purpose: purpose.as_str().to_owned(),
            code_hash: crate::secret::hash(&code),
            attempts: 0,
            max_attempts: i64::from(settings.max_attempts),
            created_at: now,
            expires_at: now + i64::from(settings.ttl_seconds),
            used_at: None,
        },
    )?;
    Ok(code)
}

/// Whether `identifier` (its counted form) was sent a code too recently (one per 30 s, five per hour). Sends count
/// per identifier across every workspace of the tenant: a pool connected to several workspaces gives no more
/// sends.
pub fn is_throttled(
    conn: &mut DbConn,
    tenant: &str,
    identifier: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let recent = codes::sent_since(conn, tenant, identifier, now - 3600)?;
    Ok(recent.first().is_some_and(|last| now - last < RESEND_AFTER) || recent.len() >= PER_HOUR)
}

/// `n` random decimal digits (rejection sampling keeps them uniform).
fn digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut byte = [0u8; 1];
        if getrandom::fill(&mut byte).is_ok() && byte[0] < 250 {
            out.push(char::from(b'0' + byte[0] % 10));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::digits;

    #[test]
    fn codes_are_digits_of_the_asked_length() {
        for n in [4, 6, 10] {
            let code = digits(n);
            assert_eq!(code.len(), n);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_ne!(digits(10), digits(10));
    }
}
