//! The committed sample event logs are exactly what the generator writes: they cannot
//! drift from the scenarios. Regenerate with `cargo run -p exdoctor-samples --bin gen-samples`.

use std::path::PathBuf;

use exdoctor_samples::scenarios::sample_logs;

#[test]
fn committed_event_logs_match_the_generator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for log in sample_logs() {
        let expected = log.encode();
        let path = root.join(log.path);
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run gen-samples)", path.display()));
        assert!(
            committed == expected,
            "{} differs from the generator's output ({} vs {} bytes): run `cargo run -p exdoctor-samples --bin gen-samples`",
            log.path,
            committed.len(),
            expected.len()
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} sample logs checked");
}
