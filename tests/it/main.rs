//! The integration tests of the `exdoctor` crate, one test binary (one link on the
//! 2-core machines): the real binary over samples/ and ../shared/corpus, and the
//! library's rules over the sample hosts. Parser-only tests live in parsers/tests/.

#![allow(dead_code)]

mod common;

mod ad_templates;
mod analyze_samples;
mod architecture;
mod bad_input;
mod bad_input_contract;
mod event_export;
mod events_scaling;
mod evt_cli;
mod fleet_triage;
mod fuzz_regressions;
mod hostile_archives;
mod hostile_cli;
mod hostile_duplicates;
mod hostile_fleet;
mod hostile_formats;
mod hostile_long_lines;
mod hostile_registry;
mod html_report;
mod ldif_err_source;
mod measure;
mod monitoring_ecs;
mod monitoring_identity;
mod monitoring_nagios;
mod monitoring_prometheus;
mod monitoring_state;
mod monitoring_syslog;
mod output_file;
mod precision_events;
mod readiness_warnings;
mod real_collections;
mod reg_host_state;
mod rules_fleet;
mod rules_host_state;
mod rules_services;
mod rules_setup_corpus;
mod rules_setup_samples;
mod service_left_stopped;
mod setup_log_samples;
mod shards;
