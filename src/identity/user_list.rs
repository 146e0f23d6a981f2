//! The users list of a pool as the portal's Users page and the admin API read it: one search box (identifier
//! prefix, name prefix or exact user id), status and invitation-state filters, keyset pages and an exact total.

use serde::Deserialize;

use super::error::{Error, Result};
use super::identifier::Identifier;
use super::user::{Status, User};
use crate::state::AppState;
use crate::store::page::{CountedPage, PageRequest};
use crate::store::user_search::{self, TextSearch, UserFilter};
use crate::store::users::IdentifierFilter;

pub use crate::store::user_search::InvitationState;

/// The longest search text accepted: longer than any identifier or name worth typing.
const MAX_QUERY_CHARS: usize = 200;

/// The list's filters; all given ones must hold.
#[derive(Debug, Default, Deserialize)]
pub struct UserQuery {
    /// The search box: a prefix of the email or mobile, a prefix of the name, given or family name, or a user id.
    pub q: Option<String>,
    /// An exact email or mobile (normalised as when the user was created).
    pub identifier: Option<String>,
    pub status: Option<Status>,
    pub invitation: Option<InvitationState>,
}

/// One page of the pool's users the query keeps, in creation order, and how many it keeps in all.
pub async fn search(
    app: &AppState,
    tenant: &str,
    pool: &str,
    query: UserQuery,
    page: PageRequest,
) -> Result<CountedPage<User>> {
    let filter = UserFilter {
        identifier: query.identifier.as_deref().map(exact).transpose()?,
        text: query.q.as_deref().map(text_search).transpose()?.flatten(),
        status: query.status,
        invitation: query.invitation,
        not_in_group: None,
    };
    run(app, tenant, pool, None, filter, page).await
}

/// The Assign Users picker: the pool's users matching `q` (all of them without it) who are not yet direct
/// members of `group`.
pub async fn assignable(
    app: &AppState,
    tenant: &str,
    pool: &str,
    group: &str,
    q: Option<&str>,
    page: PageRequest,
) -> Result<CountedPage<User>> {
    let filter = UserFilter {
        text: q.map(text_search).transpose()?.flatten(),
        not_in_group: Some(group.to_owned()),
        ..UserFilter::default()
    };
    run(app, tenant, pool, Some(group.to_owned()), filter, page).await
}

async fn run(
    app: &AppState,
    tenant: &str,
    pool: &str,
    group: Option<String>,
    filter: UserFilter,
    page: PageRequest,
) -> Result<CountedPage<User>> {
    let (tenant, pool, now) = (tenant.to_owned(), pool.to_owned(), app.clock.now());
    app.db
        .run(move |c| {
            match &group {
                Some(g) => drop(super::group::require(c, &tenant, &pool, g)?),
                None => drop(super::pool::require(c, &tenant, &pool)?),
            }
            let ((rows, next), total) = user_search::search(c, &pool, &filter, now, &page)?;
            Ok(((rows.into_iter().map(User::from).collect(), next), total))
        })
        .await
}

fn exact(identifier: &str) -> Result<IdentifierFilter> {
    Ok(match Identifier::parse("identifier", identifier)? {
        Identifier::Email(e) => IdentifierFilter::Email(e),
        Identifier::Mobile(m) => IdentifierFilter::Mobile(m),
    })
}

/// What a search text can match; `None` for a blank one (no search). Emails are stored lower-case and mobiles in
/// E.164, so the prefix is normalised the same way; a mobile prefix may be typed with spaces, dashes or dots and
/// with or without its `+`. Names are compared lower-cased.
pub fn text_search(q: &str) -> Result<Option<TextSearch>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let lowered = q.to_lowercase();
    Ok(Some(TextSearch {
        email_prefix: Some(lowered.clone()),
        mobile_prefix: mobile_prefix(q),
        name_prefix: Some(lowered),
        id: Some(q.to_owned()),
    }))
}

fn mobile_prefix(q: &str) -> Option<String> {
    let digits: String = q
        .strip_prefix('+')
        .unwrap_or(q)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_text_is_normalised_per_kind() {
        let t = text_search("  Ada@Example ").unwrap().unwrap();
        assert_eq!(t.email_prefix.as_deref(), Some("ada@example"));
        assert_eq!(t.name_prefix.as_deref(), Some("ada@example"));
        assert_eq!(t.id.as_deref(), Some("Ada@Example"));
        assert_eq!(t.mobile_prefix, None);
        let m = text_search("+44 (20) 7946-0").unwrap().unwrap();
        assert_eq!(m.mobile_prefix.as_deref(), Some("+442079460"));
        assert_eq!(mobile_prefix("4420").as_deref(), Some("+4420"));
        assert!(text_search("   ").unwrap().is_none());
        assert!(text_search(&"x".repeat(201)).is_err());
    }
}
