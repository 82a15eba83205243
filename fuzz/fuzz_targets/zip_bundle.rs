#![no_main]
//! Any bytes as an archive named on the command line (a zip bundle or a gzip file):
//! the archive reader, nested archives, and every member through its source adapter.
//! `Limits::for_fuzzing` keeps each run quick; the checks are the same.
use exdoctor::analysis::load_options;
use exdoctor::ingest::archive::Limits;
use exdoctor::ingest::{load_inputs, InputFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::for_fuzzing();
    let input = InputFile::from_bytes("fuzz/bundle.zip", data.to_vec());
    let _ = load_inputs(vec![input], &limits, load_options(false));
});
