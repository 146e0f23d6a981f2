//! What the integration tests reach below HTTP, and nothing else: a few domain functions to arrange or inspect
//! state the API does not expose. Not part of Tarn's interface.

/// A user's passkeys, as the account page and the admin API see them.
pub mod passkey {
    pub use crate::authn::passkey::{PasskeyError, Subject, enrol, list, remove};
}

/// The sign-in counters an attempt is judged by.
pub mod lockout {
    pub use crate::authn::lockout::{Attempt, Counts, counts};
}

/// The audit trail's retention purge, the per-statement batch it deletes in, and a transaction that records an
/// event and then fails.
pub mod audit {
    pub use crate::audit::retention::{BATCH, purge_expired_events};

    /// Records a `user.deleted` event about `subject` in a transaction that then fails, as a change refused after
    /// its event was written would; returns the transaction's result (always an error).
    pub async fn record_then_fail(
        db: &crate::store::Db,
        tenant: &str,
        subject: &str,
        now: i64,
    ) -> Result<(), crate::store::StoreError> {
        use crate::audit::{Context, Event, EventType, SubjectType, record};
        let (tenant, subject) = (tenant.to_owned(), subject.to_owned());
        db.transaction(move |c| {
            let event = Event::new(EventType::UserDeleted).subject(SubjectType::User, subject);
            record(c, &tenant, &Context::system(), now, event)?;
            Err(crate::store::StoreError::Connect(
                "refused on purpose".into(),
            ))
        })
        .await
    }
}
