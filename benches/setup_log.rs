//! Throughput of the full setup-log parse (records, runs, tasks, errors, readiness,
//! gaps, date order) on ~100 MB made by repeating the samples and the corpus logs.
//! One core: criterion runs the parser on the bench thread only.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exdoctor_parsers::setup_log::{decode, parse_setup_log, RecordIter};
use exdoctor_samples::synthetic::{benchmark_dirs, repeat_to_size, setup_logs_under};

const TARGET_BYTES: usize = 100 * 1024 * 1024;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parts = setup_logs_under(&benchmark_dirs(root));
    let input = repeat_to_size(&parts, TARGET_BYTES);
    assert!(!input.is_empty(), "no setup logs found under samples/");
    if let Some(path) = std::env::var_os("EXDOCTOR_BENCH_WRITE") {
        std::fs::write(&path, &input).expect("write the generated input");
    }
    let mut group = c.benchmark_group("setup_log");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(10);
    group.bench_function("full_parse_100MB", |b| {
        b.iter(|| {
            let decoded = decode(black_box(&input));
            let log = parse_setup_log(&decoded.text);
            black_box((
                log.runs.len(),
                log.records,
                log.runs.iter().map(|r| r.errors.len()).sum::<usize>(),
            ))
        })
    });
    group.bench_function("records_only_100MB", |b| {
        b.iter(|| black_box(RecordIter::new(black_box(&input)).count()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
