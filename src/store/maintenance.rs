//! Purging rows whose purpose has expired, so short-lived state does not accumulate forever.

use diesel::prelude::*;

use super::schema::{
    authorization_codes, authorization_requests, pushed_requests, refresh_tokens, revoked_tokens,
    sessions, sign_in_failures, used_client_assertions, used_dpop_proofs, used_request_objects,
};
use super::{DbConn, StoreResult};

/// Used or expired codes are kept this long after expiry, so a late replay still meets a used code.
const CODE_GRACE: i64 = 24 * 3600;

/// Deletes expired pending requests, device codes, codes, sessions, refresh tokens, revocation and replay markers, stale
/// failure counters and registration sends older than the hour the limits count. Returns the number deleted.
pub fn purge_expired(conn: &mut DbConn, now: i64) -> StoreResult<usize> {
    let mut n = diesel::delete(
        authorization_requests::table.filter(authorization_requests::expires_at.lt(now)),
    )
    .execute(conn)?;
    n += diesel::delete(
        authorization_codes::table.filter(authorization_codes::expires_at.lt(now - CODE_GRACE)),
    )
    .execute(conn)?;
    n += diesel::delete(
        sessions::table.filter(sessions::expires_at.lt(now).or(sessions::ended_at.lt(now))),
    )
    .execute(conn)?;
    n += diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(now)))
        .execute(conn)?;
    n += diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now)))
        .execute(conn)?;
    n += diesel::delete(
        used_client_assertions::table.filter(used_client_assertions::expires_at.lt(now)),
    )
    .execute(conn)?;
    n += diesel::delete(used_dpop_proofs::table.filter(used_dpop_proofs::expires_at.lt(now)))
        .execute(conn)?;
    n += diesel::delete(pushed_requests::table.filter(pushed_requests::expires_at.lt(now)))
        .execute(conn)?;
    n += diesel::delete(
        used_request_objects::table.filter(used_request_objects::expires_at.lt(now)),
    )
    .execute(conn)?;
    n += diesel::delete(
        sign_in_failures::table.filter(
            sign_in_failures::locked_until
                .lt(now)
                .and(sign_in_failures::updated_at.lt(now - 24 * 3600)),
        ),
    )
    .execute(conn)?;
    // Kept an hour past expiry: the resend throttle counts the last hour's codes.
    n += super::codes::purge(conn, now - 3600)?;
    n += super::registrations::purge(conn, now)?;
    // The registration limits count the last hour.
    n += super::registration_sends::purge(conn, now - 3600)?;
    // The open-registration limit counts the last hour; used-up tokens stay listed an hour past expiry.
    n += super::client_registrations::purge(conn, now - 3600)?;
    n += super::passkeys::purge_ceremonies(conn, now)?;
    n += super::portal::purge_sessions(conn, now)?;
    n += super::portal::purge_sign_ins(conn, now)?;
    n += super::device_codes::purge(conn, now)?;
    Ok(n)
}
