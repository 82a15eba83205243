//! exdoctor: reads ExchangeSetup logs, Windows event logs (.evtx, .evt, XML/CSV exports)
//! and registry exports (.reg), correlates them per host and reports what is wrong.
//!
//! Layout (ARCHITECTURE.md has the map): [`ingest`] finds, opens, sniffs and loads
//! files; [`sources`] turns each format's parser output into summaries and facts;
//! [`model`] holds what the rules read and write; [`registry`] merges .reg exports into
//! a per-host state; [`rules`] finds the problems; [`analysis`] runs the pipeline;
//! [`state`] compares a run's findings with the previous run's; [`report`] writes it;
//! [`platform`] hides what differs on Windows; [`cli`] owns argv, threads, printing,
//! files and exit codes.

pub mod analysis;
pub mod cli;
pub mod ingest;
pub mod model;
pub mod platform;
pub mod registry;
pub mod report;
pub mod rules;
pub mod sources;
pub mod state;
