//! List parameters (`?limit=&cursor=`) and the `{items, next_cursor}` envelope every list returns.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use crate::error::ErrorKind;
use crate::store::page::{CountedPage, Page, PageRequest};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The page this query asks for; a bad limit or cursor is a 400.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::new(
                ErrorKind::Invalid,
                format!("limit: must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = self.cursor.as_deref().map(decode).transpose()?;
        Ok(PageRequest { limit, after })
    }
}

fn decode(cursor: &str) -> Result<(i64, String), ApiError> {
    let bad = || ApiError::new(ErrorKind::Invalid, "cursor: not a cursor this API returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (time, id) = text.split_once(':').ok_or_else(bad)?;
    Ok((time.parse().map_err(|_| bad())?, id.to_owned()))
}

/// The list envelope; `total` (the exact size of the filtered set) on the lists that count.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T> From<Page<T>> for List<T> {
    fn from((items, next): Page<T>) -> Self {
        List {
            items,
            next_cursor: next.map(|(t, id)| URL_SAFE_NO_PAD.encode(format!("{t}:{id}"))),
            total: None,
        }
    }
}

impl<T> From<CountedPage<T>> for List<T> {
    fn from((page, total): CountedPage<T>) -> Self {
        List {
            total: Some(total),
            ..List::from(page)
        }
    }
}
