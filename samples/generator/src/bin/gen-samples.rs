//! Writes the binary event logs of the sample host bundles into `samples/<folder>/`.
//!
//! `cargo run -p exdoctor-samples --bin gen-samples [SAMPLES_DIR]`: the output is
//! deterministic (same bytes on every run); `tests/samples_up_to_date.rs` checks that
//! the committed files match the generator.

use std::path::PathBuf;

use anyhow::Context;
use exdoctor_samples::scenarios::sample_logs;

fn main() -> anyhow::Result<()> {
    let root = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    for log in sample_logs() {
        let path = root.join(log.path);
        let bytes = log.encode();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "wrote {} ({} events, {} bytes)",
            log.path,
            log.events.len(),
            bytes.len()
        );
    }
    Ok(())
}
