//! Throughput of the legacy `.evt` parser: the real SysEvent.Evt of the corpus
//! (`$EXDOCTOR_CORPUS` or `../shared/corpus`; a generated 2 MB wrapped log if missing)
//! and a generated ~50 MB log. Reports MB/s (criterion's byte throughput).

use std::hint::black_box;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_parsers::evt::{parse_evt, read_events};
use exdoctor_samples::evt_writer::{write_evt, write_evt_wrapped};

/// Synthetic but realistic events: SCM state changes, errors with inserts, setup events.
fn synthetic_events(count: u64) -> Vec<Event> {
    let start = Utc.with_ymd_and_hms(2008, 1, 1, 0, 0, 0).unwrap();
    (1..=count)
        .map(|id| {
            let (provider, event_id, strings): (&str, u16, Vec<String>) = match id % 4 {
                0 => (
                    "Service Control Manager",
                    7036,
                    vec![format!("Microsoft Exchange Service {id}"), "running".into()],
                ),
                1 => (
                    "Service Control Manager",
                    7000,
                    vec!["Microsoft Exchange Transport".into(), "%%1053".into()],
                ),
                2 => (
                    "MsiInstaller",
                    1033,
                    vec![
                        "Microsoft Exchange Server".into(),
                        "8.1.240.6".into(),
                        "1033".into(),
                        "0".into(),
                    ],
                ),
                _ => (
                    "MSExchange Common",
                    4999,
                    (0..10)
                        .map(|i| format!("Watson parameter {i} for record {id}"))
                        .collect(),
                ),
            };
            Event {
                channel: "System".into(),
                provider: provider.into(),
                event_id,
                qualifiers: Some(0x4000),
                level: if id % 4 == 1 { Level::Error } else { Level::Information },
                record_id: id,
                time: start + chrono::Duration::seconds(id as i64 * 13),
                computer: "EXMBX01".into(),
                user_sid: (id % 2 == 0).then(|| "S-1-5-18".into()),
                data: strings
                    .into_iter()
                    .map(|value| EventField { name: None, value })
                    .collect(),
                recovered: false,
            }
        })
        .collect()
}

fn corpus_file() -> Vec<u8> {
    let dir = match std::env::var_os("EXDOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    match std::fs::read(dir.join("evt/SysEvent.Evt")) {
        Ok(bytes) => bytes,
        Err(_) => {
            eprintln!(
                "SysEvent.Evt not found under {}: using a generated wrapped log",
                dir.display()
            );
            let events = synthetic_events(6000);
            write_evt_wrapped(&events[500..], &events[..500])
        }
    }
}

fn bench_evt(c: &mut Criterion) {
    let sysevent = corpus_file();
    let mut group = c.benchmark_group("evt");
    group.throughput(Throughput::Bytes(sysevent.len() as u64));
    group.bench_function("SysEvent.Evt/parse_evt", |b| {
        b.iter(|| parse_evt(black_box(&sysevent)).records.len())
    });
    group.bench_function("SysEvent.Evt/read_events", |b| {
        b.iter(|| read_events(black_box(&sysevent), "System").events.len())
    });
    group.finish();

    let large = write_evt(&synthetic_events(140_000));
    let mut group = c.benchmark_group("evt-large");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(large.len() as u64));
    let label = format!("generated-{}MB/read_events", large.len() >> 20);
    group.bench_function(label, |b| {
        b.iter(|| read_events(black_box(&large), "System").events.len())
    });
    group.finish();
}

criterion_group!(benches, bench_evt);
criterion_main!(benches);
