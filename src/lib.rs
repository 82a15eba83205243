//! exdoctor: reads ExchangeSetup logs, Windows event logs (.evtx, .evt, XML/CSV exports)
//! and registry exports (.reg), correlates them per host and reports what is wrong.
//!
//! Layout: [`ingest`] finds, maps and sniffs files; [`sources`] turns each format's
//! parser output into summaries and records; [`registry`] merges .reg exports into a
//! per-host state; [`cli`] owns argv, threads, printing and exit codes.

pub mod analysis;
pub mod cli;
pub mod diagnostic;
pub mod findings;
pub mod ingest;
pub mod platform;
pub mod registry;
pub mod report;
pub mod rules;
pub mod sources;
