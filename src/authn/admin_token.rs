//! The admin API token: the operator's, or one generated at first start and kept only as a hash.

use crate::store::{DbConn, StoreResult, settings};

const KEY: &str = "admin_token_sha256";

/// The hash the admin API checks bearer tokens against, and the token in clear when it was generated just now
/// (the only moment it can be shown).
pub fn ensure(
    conn: &mut DbConn,
    configured: Option<&str>,
) -> StoreResult<(String, Option<String>)> {
    if let Some(token) = configured {
        return Ok((crate::secret::hash(token), None));
    }
    if let Some(hash) = settings::find(conn, KEY)? {
        return Ok((hash, None));
    }
    let token = crate::secret::generate();
    let hash = crate::secret::hash(&token);
    if settings::insert_if_absent(conn, KEY, &hash)? {
        Ok((hash, Some(token)))
    } else {
        // Another instance generated one at the same moment: theirs stands, and they printed it.
        Ok((settings::find(conn, KEY)?.unwrap_or_default(), None))
    }
}
