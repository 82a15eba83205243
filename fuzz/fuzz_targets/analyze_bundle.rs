#![no_main]
//! A whole `analyze` over a small bundle in memory: the input is split into files by
//! `--8<-- <name>` frames (see `exdoctor_samples::hostile::split_frames`), each file
//! goes through sniffing and its source, the files are grouped into hosts (copies left
//! out), the rules run per host and across hosts, and every report is written: text
//! (overview and full), JSON, JSONL, CSV, Prometheus, ECS, the Nagios check, one syslog
//! message per finding, and the timeline.
use chrono::DateTime;
use exdoctor::analysis::{analyze_loaded, load_options, timeline::timeline};
use exdoctor::ingest::archive::Limits;
use exdoctor::ingest::{load_inputs, InputFile};
use exdoctor::model::Severity;
use exdoctor::report::{
    syslog_message, write_check, write_csv, write_ecs, write_json, write_jsonl, write_prometheus, write_text,
    TextOptions, TextStyle, Thresholds, View,
};
use exdoctor_samples::hostile::split_frames;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::for_fuzzing();
    let inputs: Vec<InputFile> = split_frames(data)
        .into_iter()
        .map(|(name, bytes)| InputFile::from_bytes(format!("bundle/{name}"), bytes.to_vec()))
        .collect();
    let (files, diagnostics) = load_inputs(inputs, &limits, load_options(true));
    let _ = timeline(&files, &[]);
    let analysis = analyze_loaded(&files, diagnostics);
    let now = DateTime::UNIX_EPOCH;
    let mut sink = std::io::sink();
    for view in [Some(View::Overview), Some(View::Full), None] {
        let options = TextOptions {
            style: TextStyle::Color,
            view,
            max_evidence: Some(3),
        };
        let _ = write_text(&analysis, &options, &mut sink);
    }
    let _ = write_json(&analysis, &mut sink);
    let _ = write_jsonl(&analysis, &mut sink);
    let _ = write_csv(&analysis, &mut sink);
    let _ = write_prometheus(&analysis, now, &mut sink);
    let _ = write_ecs(&analysis, now, &mut sink);
    let thresholds = Thresholds {
        warning: Severity::Warning,
        critical: Severity::Error,
    };
    let _ = write_check(&analysis, thresholds, &mut sink);
    for finding in &analysis.findings {
        let _ = syslog_message(finding, now, 1);
    }
});
