//! The `exdoctor` binary: everything happens in [`exdoctor::cli::run`].

use std::process::ExitCode;

/// mimalloc: measured faster than the system allocator on the EVTX paths (see
/// benches/compare_evtx_dump.sh). Only the binary sets a global allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    exdoctor::cli::run()
}
