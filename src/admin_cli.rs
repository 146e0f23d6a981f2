//! What `tarn admin create` does, below the argument parsing: opens (and migrates) the database, makes sure the
//! built-in administration exists, and makes the administrator. Works with or without a running server: everything
//! it touches is in the database.

use crate::config::Config;
use crate::error::ErrorKind;
use crate::identity::admin::{self, Credential};
use crate::store::{Db, StoreError};

/// Why no administrator was made.
#[derive(Debug, thiserror::Error)]
pub enum AdminCreateError {
    /// The input was refused (exit status 2).
    #[error("{0}")]
    Invalid(String),
    /// The database could not be opened or written (exit status 1).
    #[error("cannot open the database: {0}")]
    Database(String),
}

/// Makes `email` a member of `administrators`, with `password` or (when `None`) by invitation; returns the line to
/// print: a confirmation, or the single-use invitation link.
pub async fn create_administrator(
    mut config: Config,
    email: &str,
    password: Option<String>,
) -> Result<String, AdminCreateError> {
    config.resolve(config.listen);
    let backend = config.database.clone();
    let db = tokio::task::spawn_blocking(move || Db::open(backend))
        .await
        .map_err(|e| AdminCreateError::Database(e.to_string()))?
        .map_err(|e| AdminCreateError::Database(e.to_string()))?;
    let now = crate::clock::Clock::default().now();
    let public_url = config.public_url().to_owned();
    let url = public_url.clone();
    db.run(move |c| {
        crate::identity::tenant::ensure_default(c, now)?;
        admin::ensure(c, &url, admin::ClientUrls::KeepExisting, now)
    })
    .await
    .map_err(|e: StoreError| AdminCreateError::Database(e.to_string()))?;
    let credential = match password {
        Some(p) => Credential::Password(p),
        None => Credential::Invite,
    };
    let hasher = crate::authn::password::Hasher::default();
    let created = admin::create(&db, &hasher, now, email, credential)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Invalid | ErrorKind::Conflict => AdminCreateError::Invalid(e.to_string()),
            _ => AdminCreateError::Database(e.to_string()),
        })?;
    Ok(match created.invitation_token {
        Some(token) => format!("{public_url}/invitations/{token}"),
        None => format!("Created administrator {}.", email.trim()),
    })
}
