//! Export and import of a whole tenant as NDJSON (CONTRACT "Operating Tarn"): the line model, a streamed
//! exporter, and an importer that checks every line before it writes any, then writes them in one transaction.
//! Domain layer: reaches the database through `crate::store` only; the CLI and the admin API drive it.

pub mod check;
pub mod export;
pub mod import;
pub mod line;
pub(crate) mod reader;

use std::collections::BTreeMap;

use serde::Serialize;

use line::Kind;

/// How many lines of each kind an export wrote or an import read (the header not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts(BTreeMap<&'static str, u64>);

impl Counts {
    fn add(&mut self, kind: Kind) {
        if kind != Kind::Header {
            *self.0.entry(kind.as_str()).or_default() += 1;
        }
    }

    /// How many lines of each kind, as the audit trail records them.
    fn per_kind(&self) -> Vec<(&'static str, i64)> {
        let count = |n: &u64| i64::try_from(*n).unwrap_or(i64::MAX);
        self.0.iter().map(|(k, n)| (*k, count(n))).collect()
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: &u64| if *n == 1 { "" } else { "s" };
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, n)| format!("{n} {k}{}", plural(n)))
            .collect();
        match parts.is_empty() {
            true => f.write_str("nothing"),
            false => f.write_str(&parts.join(", ")),
        }
    }
}
