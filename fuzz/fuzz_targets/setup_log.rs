#![no_main]
//! Any bytes: decode, parse, walk every run, task, error block and record.
use exdoctor_parsers::setup_log::{decode, parse_setup_log};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode(data);
    let log = parse_setup_log(&decoded.text);
    for run in &log.runs {
        let _ = run.header.mode();
        let _ = run.first_error();
        let _ = run.failed_evaluations();
        for block in &run.error_blocks {
            let _ = log.slice(block.start, block.end);
        }
        let _ = log.run_records(run).count();
        if let Some(t) = run.first_time {
            let _ = log.resolve(&t);
        }
    }
    let _ = log.records().count();
});
