#![no_main]
//! Any bytes behind an EVTX file signature.
use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"ElfFile\0".to_vec();
    bytes.extend_from_slice(data);
    let _ = parse_evtx(&bytes, &EvtxOptions::default());
});
