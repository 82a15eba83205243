#![no_main]
//! Any bytes as a legacy .evt log (header, ring, recovery).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = exdoctor_parsers::evt::read_events(data, "System");
});
