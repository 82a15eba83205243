//! EVTX throughput on the 16.8 MB StolenSzechuan System.evtx (60 189 records):
//! - `rule_events`: what `analyze` does, every record counted, only the rule events
//!   decoded with their EventData (fast BinXML path);
//! - `all_events`: full normalization of every record (fast BinXML path);
//! - `all_events_xml`: full normalization through the `evtx` crate's XML rendering (the
//!   reference path, kept for comparison).
//!
//! The corpus comes from `EXDOCTOR_CORPUS` or `../shared/corpus`; without it the bench
//! says so and measures nothing. Criterion reports the throughput in MiB/s.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exdoctor::rules::events::is_rule_event;
use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};

const FILE: &str = "evtx/DFIRArtifactMuseum/Win2012R2-StolenSzechuan/System.evtx";

fn corpus_file() -> Option<PathBuf> {
    let dir = match std::env::var_os("EXDOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    let path = dir.join(FILE);
    path.is_file().then_some(path)
}

fn evtx_throughput(c: &mut Criterion) {
    let Some(path) = corpus_file() else {
        eprintln!("evtx bench skipped: {FILE} not found (set EXDOCTOR_CORPUS)");
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("evtx bench skipped: cannot read {}", path.display());
        return;
    };
    let mut group = c.benchmark_group("evtx_stolenszechuan_system");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    let rules = EvtxOptions {
        filter: Some(&is_rule_event),
        fast: true,
    };
    group.bench_function("rule_events", |b| {
        b.iter(|| parse_evtx(&bytes, &rules).map(|log| log.events.len()))
    });
    group.bench_function("all_events", |b| {
        b.iter(|| parse_evtx(&bytes, &EvtxOptions::default()).map(|log| log.events.len()))
    });
    let xml = EvtxOptions {
        filter: None,
        fast: false,
    };
    group.bench_function("all_events_xml", |b| {
        b.iter(|| parse_evtx(&bytes, &xml).map(|log| log.events.len()))
    });
    group.finish();
}

criterion_group!(benches, evtx_throughput);
criterion_main!(benches);
