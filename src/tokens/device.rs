//! The device authorization grant (RFC 8628): a device asks for a device code and a user code, the user types
//! the user code on the workspace's device page, signs in and approves, and the device polls the token endpoint
//! until the request is approved, denied or expired. Codes are stored only as SHA-256 hashes; each state change is
//! one conditional update, so a request is decided once and redeemed once, whichever instance serves it. The
//! grant type's name is the client metadata's (`identity::client::DEVICE_CODE_GRANT`).

use super::authorization::{ResponseMode, ValidRequest};
use super::error::TokenError;
use super::grant::{self, Active};
use super::provider::Provider;
use crate::secret;
use crate::store::device_codes::{self, DeviceCodeRow};
use crate::store::grants::{self, GrantRow};
use crate::store::{DbConn, StoreError};

/// How long a device code can be approved and redeemed.
pub const LIFETIME: i64 = 600;
/// The polling interval a device starts with (RFC 8628 §3.2: 5 s when absent).
pub const INTERVAL: i64 = 5;
/// How much each `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: i64 = 5;
/// User-code letters: consonants only (no vowels, so no words), none that look alike (RFC 8628 §6.1).
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// 20^8 ≈ 2^34.6 codes; with the page's attempt limits, guessing a live one is out of reach.
const USER_CODE_LEN: usize = 8;

const PENDING: &str = "pending";
const APPROVED: &str = "approved";
const DENIED: &str = "denied";

/// The scope a device asks for, checked as at the authorization endpoint: bounded, no control characters, and
/// narrowed to what the client may have (`allowed`).
pub fn requested_scope(requested: Option<&str>, allowed: &str) -> Result<String, TokenError> {
    let requested = requested.unwrap_or_default();
    if requested.len() > 2048 || requested.chars().any(char::is_control) {
        return Err(TokenError::InvalidRequest(
            "scope is too long or contains a control character".into(),
        ));
    }
    Ok(super::authorization::granted_scope(requested, allowed))
}

/// What the device receives from the device authorization endpoint.
#[derive(Debug, Clone)]
pub struct Issued {
    pub device_code: String,
    /// Grouped for reading, e.g. `WDJB-MJHT`.
    pub user_code: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// Starts a device authorization for `client_id` and the (already validated) `scope`.
pub fn start(
    conn: &mut DbConn,
    p: &Provider,
    client_id: &str,
    scope: &str,
    now: i64,
) -> Result<Issued, TokenError> {
    // A clash with a live user code is a one-in-billions event; a fresh code resolves it.
    for _ in 0..3 {
        let (device_code, user_code) = (secret::generate(), new_user_code());
        let row = DeviceCodeRow {
            device_code_hash: secret::hash(&device_code),
            user_code_hash: secret::hash(&user_code),
            id: secret::generate(),
            tenant_id: p.tenant.clone(),
            workspace_id: p.workspace.clone(),
            client_id: client_id.to_owned(),
            scope: scope.to_owned(),
            status: PENDING.to_owned(),
            grant_id: None,
            poll_interval: INTERVAL,
            last_polled_at: None,
            created_at: now,
            expires_at: now + LIFETIME,
        };
        match device_codes::insert(conn, &row) {
            Ok(()) => {
                return Ok(Issued {
                    device_code,
                    user_code: grouped(&user_code),
                    expires_in: LIFETIME,
                    interval: INTERVAL,
                });
            }
            Err(StoreError::Unique(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(TokenError::Internal(
        "no free user code after three tries".into(),
    ))
}

fn new_user_code() -> String {
    let mut code = String::with_capacity(USER_CODE_LEN);
    while code.len() < USER_CODE_LEN {
        let mut bytes = [0u8; 16];
        #[expect(
            clippy::expect_used,
            reason = "no secure fallback exists without OS randomness"
        )]
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        // 240 is the largest multiple of 20 below 256: rejecting the rest keeps every letter equally likely.
        for b in bytes.into_iter().filter(|b| *b < 240) {
            if code.len() < USER_CODE_LEN {
                code.push(char::from(ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    code
}

fn grouped(code: &str) -> String {
    let (a, b) = code.split_at(USER_CODE_LEN / 2);
    format!("{a}-{b}")
}

/// The canonical form of a typed user code: case, dashes and spaces ignored; `None` when it cannot be one.
pub fn normalise_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == USER_CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A typed user code as the page shows it back (`WDJB-MJHT`); empty when it cannot be a user code, so the page
/// never echoes arbitrary text.
pub fn displayed_user_code(typed: &str) -> String {
    normalise_user_code(typed).map_or_else(String::new, |c| grouped(&c))
}

/// A request waiting for the user's decision: what the user page shows.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The handle the page's later steps carry.
    pub id: String,
    pub client_id: String,
    pub scope: String,
}

fn waiting(row: DeviceCodeRow, p: &Provider, now: i64) -> Option<Waiting> {
    let live = row.tenant_id == p.tenant
        && row.workspace_id == p.workspace
        && row.status == PENDING
        && row.expires_at > now;
    live.then_some(Waiting {
        id: row.id,
        client_id: row.client_id,
        scope: row.scope,
    })
}

/// The live request of this workspace whose user code was typed (`None` for a wrong, spent or expired one).
pub fn find_by_user_code(
    conn: &mut DbConn,
    p: &Provider,
    typed: &str,
    now: i64,
) -> Result<Option<Waiting>, TokenError> {
    let Some(code) = normalise_user_code(typed) else {
        return Ok(None);
    };
    let row = device_codes::find_by_user_code(conn, &secret::hash(&code))?;
    Ok(row.and_then(|r| waiting(r, p, now)))
}

/// The live request of this workspace with the handle `id`.
pub fn find_waiting(
    conn: &mut DbConn,
    p: &Provider,
    id: &str,
    now: i64,
) -> Result<Option<Waiting>, TokenError> {
    let row = device_codes::find_by_id(conn, id)?;
    Ok(row.and_then(|r| waiting(r, p, now)))
}

/// The sign-in the device page starts for `waiting` when the browser has no session: a pending request that
/// leads back to the device page's approval step (`device`) at `return_to`, never to a client.
pub fn sign_in_request(waiting: &Waiting, return_to: &str) -> ValidRequest {
    ValidRequest {
        client_id: waiting.client_id.clone(),
        redirect_uri: return_to.to_owned(),
        response_mode: ResponseMode::Query,
        scope: waiting.scope.clone(),
        state: None,
        nonce: None,
        code_challenge: None,
        prompt_none: false,
        prompt_login: false,
        prompt_consent: false,
        prompt_create: false,
        max_age: None,
        login_hint: None,
        dpop_jkt: None,
        device: Some(waiting.id.clone()),
        claims: Default::default(),
        awaiting_consent: None,
    }
}

/// Who approved, from their session.
#[derive(Debug, Clone)]
pub struct Approval {
    pub user: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub sid: Option<String>,
}

/// Approves the request `id` for the signed-in user: records the grant its tokens come from. `false` when it
/// was no longer waiting (decided meanwhile, or expired).
pub fn approve(
    conn: &mut DbConn,
    p: &Provider,
    id: &str,
    who: Approval,
    now: i64,
) -> Result<bool, TokenError> {
    let Some(request) = find_waiting(conn, p, id, now)? else {
        return Ok(false);
    };
    let grant = GrantRow {
        id: secret::new_id(),
        tenant_id: p.tenant.clone(),
        workspace_id: p.workspace.clone(),
        client_id: request.client_id,
        user_id: who.user,
        scope: request.scope,
        auth_time: who.auth_time,
        amr: serde_json::json!(who.amr).to_string(),
        nonce: None,
        created_at: now,
        revoked_at: None,
        sid: who.sid,
        claims: None,
    };
    crate::store::transaction(conn, |c| {
        if !device_codes::decide(c, id, APPROVED, Some(&grant.id), now)? {
            return Ok(false);
        }
        grants::insert_grant(c, &grant)?;
        Ok(true)
    })
}

/// Denies the request `id`; `false` when it was no longer waiting.
pub fn deny(conn: &mut DbConn, p: &Provider, id: &str, now: i64) -> Result<bool, TokenError> {
    if find_waiting(conn, p, id, now)?.is_none() {
        return Ok(false);
    }
    Ok(device_codes::decide(conn, id, DENIED, None, now)?)
}

/// A token request for the device code grant.
pub struct Poll {
    pub client_id: String,
    pub device_code: String,
    /// Whether the client is registered for refresh tokens.
    pub with_refresh: bool,
    /// The thumbprint of the request's DPoP key, if it sent a proof.
    pub dpop_jkt: Option<String>,
    /// Whether a refresh token is bound to that key (public clients, RFC 9449 §5).
    pub bind_refresh: bool,
}

/// Answers a poll (RFC 8628 §3.4–3.5): the tokens once approved, else why not yet (or never).
pub fn poll(conn: &mut DbConn, p: &Provider, r: Poll, now: i64) -> Result<Active, TokenError> {
    let unknown = || TokenError::InvalidGrant("unknown device code".into());
    let row = device_codes::find_by_device_code(conn, &secret::hash(&r.device_code))?
        .ok_or_else(unknown)?;
    if row.client_id != r.client_id || row.tenant_id != p.tenant || row.workspace_id != p.workspace
    {
        return Err(TokenError::InvalidGrant(
            "the device code was issued to another client".into(),
        ));
    }
    match row.status.as_str() {
        DENIED => return Err(TokenError::AccessDenied),
        APPROVED | PENDING if row.expires_at <= now => return Err(TokenError::ExpiredToken),
        PENDING => return Err(pending(conn, &row, now)?),
        APPROVED => {}
        _ => return Err(replayed(conn, &row, now)?),
    }
    let grant_id = row.grant_id.clone().ok_or_else(unknown)?;
    let grant = grants::find_grant(conn, &grant_id)?.ok_or_else(unknown)?;
    // Claiming the code is its own statement, so of two concurrent polls only one gets the tokens.
    if !device_codes::redeem(conn, &row.device_code_hash)? {
        return Err(replayed(conn, &row, now)?);
    }
    grant::activate_for_device(
        conn,
        p,
        grant,
        r.with_refresh,
        r.dpop_jkt,
        r.bind_refresh,
        now,
    )
}

/// A redeemed device code presented again: as with a replayed authorization code, someone else may hold it, so
/// what it issued is revoked.
fn replayed(conn: &mut DbConn, row: &DeviceCodeRow, now: i64) -> Result<TokenError, TokenError> {
    if let Some(grant) = &row.grant_id {
        grants::revoke_grant(conn, grant, now)?;
    }
    Ok(TokenError::InvalidGrant(
        "the device code was already used; the tokens it issued are revoked".into(),
    ))
}

/// A poll before the user decided: `slow_down` (and a longer interval) when it came too soon after the last, or
/// at the same moment as another.
fn pending(conn: &mut DbConn, row: &DeviceCodeRow, now: i64) -> Result<TokenError, TokenError> {
    let hash = &row.device_code_hash;
    let too_soon = row
        .last_polled_at
        .is_some_and(|last| now - last < row.poll_interval);
    if !too_soon && device_codes::polled_on_time(conn, hash, row.last_polled_at, now)? {
        return Ok(TokenError::AuthorizationPending);
    }
    let interval = device_codes::slowed_down(conn, hash, SLOW_DOWN_STEP, now)?;
    Ok(TokenError::SlowDown { interval })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_use_the_alphabet_and_read_in_two_groups() {
        let code = new_user_code();
        assert_eq!(code.len(), USER_CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        let shown = grouped(&code);
        assert_eq!(shown.len(), USER_CODE_LEN + 1);
        assert_eq!(normalise_user_code(&shown).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn typed_codes_ignore_case_dashes_and_spaces() {
        assert_eq!(
            normalise_user_code("wdjb-mjht").as_deref(),
            Some("WDJBMJHT")
        );
        assert_eq!(
            normalise_user_code(" WDJB MJHT ").as_deref(),
            Some("WDJBMJHT")
        );
        assert_eq!(normalise_user_code("WDJB-MJH"), None);
        assert_eq!(normalise_user_code("WDJA-MJHT"), None);
        assert_eq!(normalise_user_code("WDJB-MJHT-X"), None);
    }
}
