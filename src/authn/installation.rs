//! Installation-wide secrets kept in the database: generated once by whichever instance needs one first, then
//! shared by every instance (a value one instance derives must be what another derives too).

use crate::store::{DbConn, StoreError, settings};

/// The secret stored under `name`, generated now if there is none yet.
pub fn secret(conn: &mut DbConn, name: &str) -> Result<String, StoreError> {
    if settings::find(conn, name)?.is_none() {
        // Two instances starting together may both generate one; the first insert wins and both read it back.
        settings::insert_if_absent(conn, name, &crate::secret::generate())?;
    }
    Ok(settings::find(conn, name)?.unwrap_or_default())
}
