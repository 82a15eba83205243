#![no_main]
//! A whole `analyze` over a small bundle in memory: the input is split into files by
//! `--8<-- <name>` frames (see `exdoctor_samples::hostile::split_frames`), each file
//! goes through sniffing and its source, the files are grouped into hosts, the rules
//! run per host and across hosts, and the text, JSON and JSONL reports and the
//! timeline are written.
use exdoctor::analysis::{analyze_loaded, load_options, timeline::timeline};
use exdoctor::ingest::archive::Limits;
use exdoctor::ingest::{load_inputs, InputFile};
use exdoctor::report::{write_json, write_jsonl, write_text, TextStyle};
use exdoctor_samples::hostile::split_frames;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::for_fuzzing();
    let inputs: Vec<InputFile> = split_frames(data)
        .into_iter()
        .map(|(name, bytes)| InputFile::from_bytes(format!("bundle/{name}"), bytes.to_vec()))
        .collect();
    let (files, diagnostics) = load_inputs(inputs, &limits, load_options(true));
    let _ = timeline(&files);
    let analysis = analyze_loaded(&files, diagnostics);
    let mut sink = std::io::sink();
    let _ = write_text(&analysis, TextStyle::Color, &mut sink);
    let _ = write_json(&analysis, &mut sink);
    let _ = write_jsonl(&analysis, &mut sink);
});
