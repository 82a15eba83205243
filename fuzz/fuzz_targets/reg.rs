#![no_main]
//! Any bytes as a registry export.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = exdoctor_parsers::reg::parse_reg(data) {
        let _ = file.into_owned();
    }
});
