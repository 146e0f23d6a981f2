//! An export file given to `tarn import` (or the admin API's import): read a line at a time and checked.

use crate::portability::check::Checker;
use crate::portability::reader::Lines;

/// Lines read and checked as the import's first pass does, until the end or the first refusal, then the checks
/// that need the whole file.
pub fn import_line(data: &[u8]) {
    let mut lines = Lines::new(data);
    let mut checker = Checker::new(super::fixtures::NOW);
    loop {
        match lines.next_line() {
            Ok(Some((number, line))) => {
                if checker.check(number, line).is_err() {
                    return;
                }
            }
            Ok(None) => break,
            Err(_) => return,
        }
    }
    let _ = checker.finish();
}
