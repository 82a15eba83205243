//! Mutated copies of real setup logs, task scripts and event exports (byte flips,
//! truncations, injected brackets, digits and line breaks) never panic the text parsers,
//! and whatever they return stays consistent (lines inside the input, spans in range).

mod common;

use exdoctor_parsers::event_export::{parse_event_csv, parse_event_xml, CsvOptions};
use exdoctor_parsers::setup_log::{decode, parse_setup_log};
use exdoctor_parsers::task_script::parse_task_script;

/// Mutations per input: `$EXDOCTOR_MUTATIONS` (for a longer local run), else `default`.
fn rounds(default: usize) -> usize {
    std::env::var("EXDOCTOR_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic xorshift.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    const INJECT: &[u8] = b"[]0123456789/.-: \r\n\xff\x00*ERROR";
    for _ in 0..1 + rng.below(8) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(4) {
            0 => bytes[at] = INJECT[rng.below(INJECT.len())],
            1 => bytes.insert(at, INJECT[rng.below(INJECT.len())]),
            2 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn check_setup_log(bytes: &[u8]) {
    let decoded = decode(bytes);
    let log = parse_setup_log(&decoded.text);
    for run in &log.runs {
        assert!(run.first_line <= run.last_line && u64::from(run.last_line) <= log.lines.max(1));
        assert!(run.start_offset <= run.end_offset && run.end_offset <= decoded.text.len());
        for block in &run.error_blocks {
            assert!(block.start <= block.end && block.end <= decoded.text.len());
            let _ = log.slice(block.start, block.end);
        }
        let _ = (
            run.header.mode(),
            run.first_error(),
            run.failed_evaluations(),
            log.run_records(run).count(),
        );
        for gap in &run.gaps {
            assert!(gap.seconds >= 0);
        }
    }
}

#[test]
fn mutated_setup_logs_never_panic() {
    let mut inputs = vec![
        std::fs::read(common::samples_dir().join("sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log"))
            .expect("sample"),
        std::fs::read(common::samples_dir().join("prereq-gaps/ExchangeSetupLogs/ExchangeSetup.log")).expect("sample"),
    ];
    if let Some(corpus) = common::corpus_dir() {
        let dir = corpus.join("setup-logs/css-exchange");
        for name in [
            "KnownIssues/ExchangeSetup_ADServiceNotStarted.log",
            "PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log",
        ] {
            inputs.push(std::fs::read(dir.join(name)).expect("corpus"));
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for input in &inputs {
        for _ in 0..rounds(150) {
            check_setup_log(&mutate(&mut rng, input));
        }
        // The same as UTF-16 with a BOM, mutated (odd lengths included).
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                String::from_utf8_lossy(&input[..input.len().min(20_000)])
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        for _ in 0..20 {
            check_setup_log(&mutate(&mut rng, &utf16));
        }
    }
}

#[test]
fn mutated_task_scripts_and_exports_never_panic() {
    let script = std::fs::read(
        common::samples_dir().join("sp1-interrupted/ExchangeSetupLogs/Install-MailboxRole-20071130-1729400000.ps1"),
    )
    .expect("task script");
    let fixtures = common::fixtures_dir();
    let mut exports = Vec::new();
    for entry in std::fs::read_dir(&fixtures).expect("fixtures").flatten() {
        exports.push(std::fs::read(entry.path()).expect("fixture"));
    }
    assert!(!exports.is_empty());
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..rounds(200) {
        for step in parse_task_script(&mutate(&mut rng, &script)) {
            assert!(step.line >= 1);
        }
    }
    for export in &exports {
        for _ in 0..rounds(100) {
            let bytes = mutate(&mut rng, export);
            let _ = parse_event_xml(&bytes);
            let _ = parse_event_csv(&bytes, &CsvOptions::default());
        }
    }
}
