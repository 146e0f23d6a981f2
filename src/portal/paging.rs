//! Keyset paging for portal lists: the `?cursor=` a page link carries (the same opaque form as the admin API's,
//! base64url of `created_at:id`) and the link to the next page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::error::PortalError;
use crate::store::page::{Page, PageRequest};

/// Rows per portal page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for; a cursor this portal did not write is a 400.
    pub fn request(&self) -> Result<PageRequest, PortalError> {
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => Some(decode(cursor).ok_or_else(|| {
                PortalError::Invalid("The page link is not one this portal made.".into())
            })?),
        };
        Ok(PageRequest {
            limit: PAGE_SIZE,
            after,
        })
    }
}

/// Every row of a domain list, page after page: for what a tenant has few of and a select offers whole (pools,
/// schemas).
pub async fn all<T, F, Fut>(mut list: F) -> Result<Vec<T>, PortalError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = crate::identity::Result<Page<T>>>,
{
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = list(PageRequest { limit: 500, after }).await?;
        rows.extend(page);
        match next {
            Some(n) => after = Some(n),
            None => return Ok(rows),
        }
    }
}

/// The `?cursor=` value of the page after `next`.
pub fn cursor(next: &Option<(i64, String)>) -> Option<String> {
    next.as_ref()
        .map(|(t, id)| URL_SAFE_NO_PAD.encode(format!("{t}:{id}")))
}

fn decode(cursor: &str) -> Option<(i64, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (time, id) = text.split_once(':')?;
    Some((time.parse().ok()?, id.to_owned()))
}
