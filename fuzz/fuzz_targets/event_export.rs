#![no_main]
//! Any bytes as an XML and as a CSV event export.
use exdoctor_parsers::event_export::{parse_event_csv, parse_event_xml, CsvOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_event_xml(data);
    let _ = parse_event_csv(data, &CsvOptions::default());
});
