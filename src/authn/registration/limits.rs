//! How many codes self-registration may send, against SMS pumping and mail bombing: per hour, per client address,
//! per browser (the registration form's cookie; a post without it counts against the address only) and per pool,
//! with SMS to numbers not sent a registration code within the hour counted again against lower limits. Every
//! admitted request counts, whether or not its identifier already has an account, so the limits tell nothing about
//! who is registered; over a limit the visitor gets the usual page and nothing is sent.
//!
//! The counts are read, then written: concurrent requests on PostgreSQL may overshoot a limit by the few that raced.

use crate::config::RegistrationLimits;
use crate::notify::Recipient;
use crate::store::registration_sends::{self, RegistrationSendRow, Scope};
use crate::store::{DbConn, StoreError};

/// The window every limit counts.
const WINDOW: i64 = 3600;

/// Where a registration comes from, as the web layer sees it.
pub struct Requester {
    /// The client address (today the TCP peer's; see the registration handler).
    pub address: String,
    /// The value of the browser cookie the registration form set; `None` when the post carried none.
    pub browser: Option<String>,
}

/// Whether a registration code for `pool` may go to `to` from `from` at `now`; when it may, the send is counted.
pub fn admit(
    conn: &mut DbConn,
    limits: &RegistrationLimits,
    from: &Requester,
    pool: &str,
    to: &Recipient,
    now: i64,
) -> Result<bool, StoreError> {
    let since = now - WINDOW;
    let recipient_hash = crate::secret::hash(to.address());
    let is_new_number = matches!(to, Recipient::Mobile(_))
        && !registration_sends::has_sent_to(conn, &recipient_hash, since)?;
    let browser_hash = from.browser.as_deref().map(crate::secret::hash);
    let mut checks = vec![
        ("address", Scope::Address(&from.address), limits.per_address),
        ("pool", Scope::Pool(pool), limits.per_pool),
    ];
    if let Some(browser) = &browser_hash {
        checks.push(("browser", Scope::Browser(browser), limits.per_browser));
    }
    if let Some(limit) = over_limit(conn, &checks, false, since)? {
        tracing::info!(
            limit,
            "registration code not sent: the hourly limit is reached"
        );
        return Ok(false);
    }
    let new_number_checks = [
        (
            "address",
            Scope::Address(&from.address),
            limits.new_numbers_per_address,
        ),
        ("pool", Scope::Pool(pool), limits.new_numbers_per_pool),
    ];
    if is_new_number && let Some(limit) = over_limit(conn, &new_number_checks, true, since)? {
        tracing::info!(
            limit,
            "registration SMS not sent: the hourly limit for new numbers is reached"
        );
        return Ok(false);
    }
    let row = RegistrationSendRow {
        id: crate::secret::new_id(),
        pool_id: pool.to_owned(),
        client_address: from.address.clone(),
        browser_hash,
        recipient_hash,
        is_new_number,
        created_at: now,
    };
    registration_sends::insert(conn, &row)?;
    Ok(true)
}

/// The name of the first scope whose count since `since` has reached its limit, if any.
fn over_limit(
    conn: &mut DbConn,
    checks: &[(&'static str, Scope, u32)],
    new_numbers_only: bool,
    since: i64,
) -> Result<Option<&'static str>, StoreError> {
    for (name, scope, limit) in checks {
        if registration_sends::count_since(conn, scope, new_numbers_only, since)?
            >= i64::from(*limit)
        {
            return Ok(Some(name));
        }
    }
    Ok(None)
}
