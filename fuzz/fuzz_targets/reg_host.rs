#![no_main]
//! Any bytes as a registry export, through everything that reads one: the source
//! adapter (parse, single-file view, host state, diagnostics), and the merged view of
//! a host holding the file twice (the second applied over the first).
use std::path::Path;

use exdoctor::registry::{HostState, RegistryView};
use exdoctor::sources::{reg, Input};
use exdoctor_parsers::reg::parse_reg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = Input::new(Path::new("fuzz.reg"), "fuzz.reg", data);
    let _ = reg::load(&input);
    if let Ok(file) = parse_reg(data) {
        let view = RegistryView::from_files(&[("a.reg", &file), ("b.reg", &file)]);
        let state = HostState::from_view(&view);
        let _ = serde_json::to_vec(&state);
        for problem in view.problems() {
            let _ = problem.to_string();
        }
    }
});
