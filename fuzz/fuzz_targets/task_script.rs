#![no_main]
//! Any bytes as a setup task script.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = exdoctor_parsers::task_script::parse_task_script(data);
});
