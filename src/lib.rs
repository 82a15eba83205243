//! exdoctor: reads ExchangeSetup logs, Windows event logs (.evtx, .evt, XML/CSV exports)
//! and registry exports (.reg), correlates them per host and reports what is wrong.
//!
//! Layout: [`ingest`] finds, maps and sniffs files; [`sources`] turns each format's
//! parser output into summaries and records; [`registry`] merges .reg exports into a
//! per-host state; [`state`] compares a run's findings with the previous run's; [`cli`]
//! owns argv, threads, printing, files and exit codes.

pub mod analysis;
pub mod cli;
pub mod ingest;
pub mod model;
pub mod registry;
pub mod report;
pub mod rules;
pub mod sources;
pub mod state;
