//! Keyset pagination shared by the list queries: rows ordered by `(created_at, id)`.

/// One page request: at most `limit` rows strictly after `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<(i64, String)>,
}

/// A page of rows and the key the next page starts after (`None` on the last page).
pub type Page<T> = (Vec<T>, Option<(i64, String)>);

/// A page and the exact number of rows in the whole (filtered) set it is a page of.
pub type CountedPage<T> = (Page<T>, i64);

/// Trims the one extra row a query fetched and says where the next page starts.
pub fn finish<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> (i64, String)) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(&key);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Loads one page of `$row`s from `$query` (a boxed query on `$table`, which has `created_at` and `id`).
macro_rules! load_page {
    ($conn:expr, $query:expr, $table:ident, $row:ty, $req:expr) => {{
        let req: &$crate::store::page::PageRequest = $req;
        let mut q = $query;
        if let Some((t, id)) = req.after.clone() {
            q = q.filter(
                $table::created_at
                    .gt(t)
                    .or($table::created_at.eq(t).and($table::id.gt(id))),
            );
        }
        let rows: Vec<$row> = q
            .order(($table::created_at, $table::id))
            .limit(req.limit + 1)
            .select(<$row>::as_select())
            .load($conn)?;
        Ok($crate::store::page::finish(rows, req.limit, |r| {
            (r.created_at, r.id.clone())
        }))
    }};
}
pub(crate) use load_page;
