//! Running Tarn as an operator does: several instances on one database, turns at background work, and (with the
//! real binary) start-up races, crashes, draining and outages.

pub(crate) mod audit;
mod audit_flows;
mod crash;
mod drain;
mod fuzz_corpus;
mod instances;
mod jobs;
mod logs;
pub mod metrics;
mod outage;
pub mod process;
mod two_processes;
