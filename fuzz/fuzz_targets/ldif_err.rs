#![no_main]
//! Any bytes as the `ldif.err` of a failed ldifde schema import.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = exdoctor_parsers::ldif_err::parse_ldif_err(data);
});
