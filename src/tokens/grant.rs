//! Grants and their tokens: authorization codes (single use, bound to client, redirect URI, PKCE and nonce),
//! refresh tokens (rotated on every use; reuse revokes the family), and revocation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::claims::RequestedClaims;
use super::error::TokenError;
use super::provider::Provider;
use crate::audit;
use crate::identity::group::effective_groups;
use crate::secret;
use crate::store::grants::{self, CodeRow, GrantRow, RefreshRow};
use crate::store::users::{self, Status, UserRow};
use crate::store::{DbConn, StoreError};

/// How long an authorization code can be redeemed.
pub const CODE_TTL: i64 = 60;

/// What a user authorised a client to receive.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub nonce: Option<String>,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    /// The SSO session the user authorised in (its `sid`), so its end reaches this client.
    pub sid: Option<String>,
    /// The thumbprint of the DPoP key the code is bound to (`dpop_jkt` at the authorization endpoint).
    pub dpop_jkt: Option<String>,
    /// The claims requested by name (OIDC Core §5.5).
    pub claims: RequestedClaims,
}

/// Records the grant and returns a fresh authorization code for it.
pub fn issue_code(
    conn: &mut DbConn,
    p: &Provider,
    g: NewGrant,
    now: i64,
) -> Result<String, TokenError> {
    let code = secret::generate();
    let grant = GrantRow {
        id: secret::new_id(),
        tenant_id: p.tenant.clone(),
        workspace_id: p.workspace.clone(),
        client_id: g.client_id,
        user_id: g.user_id,
        scope: g.scope,
        auth_time: g.auth_time,
        amr: serde_json::json!(g.amr).to_string(),
        nonce: g.nonce,
        created_at: now,
        revoked_at: None,
        sid: g.sid,
        claims: g.claims.to_stored(),
    };
    let row = CodeRow {
        code_hash: secret::hash(&code),
        grant_id: grant.id.clone(),
        redirect_uri: g.redirect_uri,
        code_challenge: g.code_challenge,
        created_at: now,
        expires_at: now + CODE_TTL,
        used_at: None,
        dpop_jkt: g.dpop_jkt,
    };
    crate::store::transaction(conn, |c| {
        grants::insert_grant(c, &grant)?;
        grants::insert_code(c, &row)
    })
    .map_err(TokenError::Store)?;
    Ok(code)
}

/// A grant ready for token issuance.
pub struct Active {
    pub grant: GrantRow,
    pub user: UserRow,
    pub groups: Vec<String>,
    pub refresh_token: Option<String>,
    /// The thumbprint of the DPoP key the request proved, which the access token is bound to.
    pub dpop_jkt: Option<String>,
}

fn invalid(why: &str) -> TokenError {
    TokenError::InvalidGrant(why.to_owned())
}

/// Redeems a code for `client_id`. A second redemption revokes everything the code issued.
/// A token request for the `authorization_code` grant.
pub struct Redemption {
    pub client_id: String,
    pub code: String,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    /// Whether the client is registered for refresh tokens.
    pub with_refresh: bool,
    /// The thumbprint of the request's DPoP key, if it sent a proof.
    pub dpop_jkt: Option<String>,
    /// Whether a refresh token is bound to that key (public clients, RFC 9449 §5).
    pub bind_refresh: bool,
    /// Where the request came from, for the audit trail.
    pub origin: crate::audit::Origin,
}

/// One transaction, so a login's token request commits once: the claim of the code, its event and the refresh
/// token land together. A refusal is committed too (the claim of a code whose grant then fails, the revocation
/// after a replay), so a code stays used; only a store failure rolls everything back, and then no token left.
pub fn redeem_code(
    conn: &mut DbConn,
    p: &Provider,
    r: Redemption,
    now: i64,
) -> Result<Active, TokenError> {
    let outcome = crate::store::transaction(conn, |c| match redeem(c, p, r, now) {
        Err(TokenError::Store(e)) => Err(TokenError::Store(e)),
        decided => Ok(decided),
    });
    outcome?
}

fn redeem(conn: &mut DbConn, p: &Provider, r: Redemption, now: i64) -> Result<Active, TokenError> {
    let Redemption {
        client_id,
        code,
        redirect_uri,
        code_verifier: verifier,
        with_refresh,
        dpop_jkt,
        bind_refresh,
        origin,
    } = r;
    let (client_id, code, redirect_uri, verifier) = (
        client_id.as_str(),
        code.as_str(),
        redirect_uri.as_deref(),
        verifier.as_deref(),
    );
    let row = grants::find_code(conn, &secret::hash(code))?
        .ok_or_else(|| invalid("unknown authorization code"))?;
    let grant = grants::find_grant(conn, &row.grant_id)?
        .ok_or_else(|| invalid("unknown authorization code"))?;
    if grant.client_id != client_id
        || grant.tenant_id != p.tenant
        || grant.workspace_id != p.workspace
    {
        return Err(invalid("the code was issued to another client"));
    }
    if row.used_at.is_some() {
        grants::revoke_grant(conn, &grant.id, now)?;
        return Err(invalid(
            "the code was already used; the tokens it issued are revoked",
        ));
    }
    if row.expires_at <= now {
        return Err(invalid("the code has expired"));
    }
    if redirect_uri != Some(row.redirect_uri.as_str()) {
        return Err(invalid(
            "redirect_uri does not match the authorization request",
        ));
    }
    check_pkce(row.code_challenge.as_deref(), verifier)?;
    if row.dpop_jkt.is_some() && row.dpop_jkt != dpop_jkt {
        return Err(invalid(
            "the code is bound to a DPoP key (dpop_jkt) this request did not prove",
        ));
    }
    // The claim comes first and stays when what follows is refused (that part is a savepoint of its own), so a
    // concurrent replay loses: it waits for the write lock (SQLite) or the row (PostgreSQL), then finds it used.
    if !grants::use_code(conn, &row.code_hash, now)? {
        grants::revoke_grant(conn, &grant.id, now)?;
        return Err(invalid(
            "the code was already used; the tokens it issued are revoked",
        ));
    }
    let binding = dpop_jkt.clone().filter(|_| bind_refresh);
    let ctx = audit::Context::new(audit::Actor::Client(client_id.to_owned()), origin);
    crate::store::transaction(conn, |c| {
        let event = grant_event(audit::EventType::CodeExchanged, &grant);
        audit::record(c, &grant.tenant_id, &ctx, now, event)?;
        let mut active = activate(c, grant)?;
        active.dpop_jkt = dpop_jkt;
        let refresh = NewRefresh {
            wanted: with_refresh,
            ttl: p.lifetimes.refresh_token,
            binding,
        };
        attach_refresh(c, active, refresh, now)
    })
}

/// The tokens of a grant the user approved on another device (RFC 8628): the grant's user must still be
/// active; `with_refresh`, `dpop_jkt` and `bind_refresh` as for a code redemption.
pub(super) fn activate_for_device(
    conn: &mut DbConn,
    p: &Provider,
    grant: GrantRow,
    with_refresh: bool,
    dpop_jkt: Option<String>,
    bind_refresh: bool,
    now: i64,
) -> Result<Active, TokenError> {
    let binding = dpop_jkt.clone().filter(|_| bind_refresh);
    crate::store::transaction(conn, |c| {
        let mut active = activate(c, grant)?;
        active.dpop_jkt = dpop_jkt;
        let refresh = NewRefresh {
            wanted: with_refresh,
            ttl: p.lifetimes.refresh_token,
            binding,
        };
        attach_refresh(c, active, refresh, now)
    })
}

/// RFC 7636 §4.6 with S256 only; a verifier without a challenge is refused too (OAuth 2.1).
fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), TokenError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(invalid(
            "code_verifier given but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(invalid("code_verifier is required")),
        (Some(challenge), Some(verifier)) => {
            let valid_shape = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if valid_shape && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                Ok(())
            } else {
                Err(invalid("code_verifier does not match the code_challenge"))
            }
        }
    }
}

/// Loads what issuance needs, refusing revoked grants and users who are not active.
fn activate(conn: &mut DbConn, grant: GrantRow) -> Result<Active, TokenError> {
    if grant.revoked_at.is_some() {
        return Err(invalid("the grant was revoked"));
    }
    let user = users::find_by_id(conn, &grant.user_id)?
        .ok_or_else(|| invalid("the user no longer exists"))?;
    if !user.is_active() {
        return Err(invalid("the user is not active"));
    }
    let groups = effective_groups(conn, &user.pool_id, &user.id)
        .map_err(TokenError::from)?
        .effective
        .into_iter()
        .map(|g| g.name)
        .collect();
    Ok(Active {
        grant,
        user,
        groups,
        refresh_token: None,
        dpop_jkt: None,
    })
}

/// The refresh token to issue with a grant's tokens, if any.
struct NewRefresh {
    wanted: bool,
    ttl: i64,
    /// The DPoP key thumbprint it is bound to.
    binding: Option<String>,
}

fn attach_refresh(
    conn: &mut DbConn,
    mut active: Active,
    refresh: NewRefresh,
    now: i64,
) -> Result<Active, TokenError> {
    let NewRefresh {
        wanted,
        ttl,
        binding,
    } = refresh;
    if wanted {
        let token = secret::generate();
        grants::insert_refresh(
            conn,
            &RefreshRow {
                token_hash: secret::hash(&token),
                grant_id: active.grant.id.clone(),
                created_at: now,
                expires_at: now + ttl,
                used_at: None,
                dpop_jkt: binding,
            },
        )?;
        active.refresh_token = Some(token);
    }
    Ok(active)
}

/// Rotates a refresh token: the presented one dies and a new one is returned. Presenting a dead one revokes
/// the whole family (the grant). `scope`, when given, may only narrow the grant (RFC 6749 §6). A token bound to
/// a DPoP key needs a proof of that key (`dpop_jkt`), and its successor is bound to the same key.
pub fn refresh(
    conn: &mut DbConn,
    p: &Provider,
    client_id: &str,
    token: &str,
    scope: Option<&str>,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<Active, TokenError> {
    let row = grants::find_refresh(conn, &secret::hash(token))?
        .ok_or_else(|| invalid("unknown refresh token"))?;
    let grant =
        grants::find_grant(conn, &row.grant_id)?.ok_or_else(|| invalid("unknown refresh token"))?;
    if grant.client_id != client_id
        || grant.tenant_id != p.tenant
        || grant.workspace_id != p.workspace
    {
        return Err(invalid("the refresh token was issued to another client"));
    }
    // A proof of another key (a stolen token) must not spend the owner's token either.
    if row.dpop_jkt.is_some() && row.dpop_jkt.as_deref() != dpop_jkt {
        return Err(invalid(
            "the refresh token is bound to a DPoP key this request did not prove",
        ));
    }
    // A refused scope must not spend a live token (the client's retry would then revoke the family); a dead
    // token goes on to the reuse check below, which revokes the family.
    let mut grant = grant;
    if let Some(requested) = scope {
        if let Some(extra) = requested
            .split(' ')
            .filter(|s| !s.is_empty())
            .find(|s| !super::claims::has_scope(&grant.scope, s))
            && row.used_at.is_none()
        {
            return Err(TokenError::InvalidScope(format!(
                "`{extra}` was not granted"
            )));
        }
        grant.scope = requested
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    if !grants::use_refresh(conn, &row.token_hash, now)? {
        let ctx = audit::Context::new(
            audit::Actor::Client(client_id.to_owned()),
            audit::Origin::default(),
        );
        crate::store::transaction(conn, |c| {
            grants::revoke_grant(c, &grant.id, now)?;
            let event = grant_event(audit::EventType::RefreshReuseDetected, &grant)
                .reason("refresh_token_reused");
            audit::record(c, &grant.tenant_id, &ctx, now, event)
        })?;
        return Err(TokenError::RefreshReused);
    }
    if row.expires_at <= now {
        return Err(invalid("the refresh token has expired"));
    }
    crate::store::transaction(conn, |c| {
        let mut active = activate(c, grant)?;
        active.dpop_jkt = dpop_jkt.map(str::to_owned);
        let refresh = NewRefresh {
            wanted: true,
            ttl: p.lifetimes.refresh_token,
            binding: row.dpop_jkt.clone(),
        };
        attach_refresh(c, active, refresh, now)
    })
}

/// Revokes a refresh token's family if `client_id` owns it and, for a token bound to a DPoP key, `dpop_jkt` is
/// that key; `Ok(false)` when the token is unknown.
pub fn revoke_refresh(
    conn: &mut DbConn,
    origin: &audit::Origin,
    client_id: &str,
    token: &str,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<bool, TokenError> {
    let Some(row) = grants::find_refresh(conn, &secret::hash(token))? else {
        return Ok(false);
    };
    let Some(grant) = grants::find_grant(conn, &row.grant_id)? else {
        return Ok(false);
    };
    if grant.client_id != client_id {
        return Err(TokenError::UnauthorizedClient(
            "the token was issued to another client".into(),
        ));
    }
    if row.dpop_jkt.is_some() && row.dpop_jkt.as_deref() != dpop_jkt {
        return Err(TokenError::InvalidDpopProof(
            "the token is bound to a DPoP key this request did not prove".into(),
        ));
    }
    let ctx = audit::Context::new(audit::Actor::Client(client_id.to_owned()), origin.clone());
    crate::store::transaction(conn, |c| {
        grants::revoke_grant(c, &grant.id, now)?;
        let event = grant_event(audit::EventType::TokenRevoked, &grant).reason("refresh_token");
        audit::record(c, &grant.tenant_id, &ctx, now, event)
    })?;
    Ok(true)
}

/// An event about a grant: its user, workspace and client (never a token).
fn grant_event(kind: audit::EventType, grant: &GrantRow) -> audit::Event {
    audit::Event::new(kind)
        .subject(audit::SubjectType::User, &grant.user_id)
        .workspace(&grant.workspace_id)
        .client(&grant.client_id)
}

/// The refresh token's grant, when the token is alive (for introspection).
pub fn live_refresh(
    conn: &mut DbConn,
    token: &str,
    now: i64,
) -> Result<Option<(GrantRow, RefreshRow)>, StoreError> {
    let Some(row) = grants::find_refresh(conn, &secret::hash(token))? else {
        return Ok(None);
    };
    if row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    match grants::find_grant_with_user_status(conn, &row.grant_id)? {
        // The query selects the status as text: read it through the column's own mapping, not a literal.
        Some((grant, status))
            if grant.revoked_at.is_none() && Status::from_stored(&status).is_active() =>
        {
            Ok(Some((grant, row)))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::check_pkce;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_pkce(Some(challenge), Some(verifier)).is_ok());
        assert!(
            check_pkce(
                Some(challenge),
                Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx")
            )
            .is_err()
        );
        assert!(check_pkce(Some(challenge), None).is_err());
        assert!(check_pkce(None, Some(verifier)).is_err());
        assert!(check_pkce(None, None).is_ok());
    }
}
