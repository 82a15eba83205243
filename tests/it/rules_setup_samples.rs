//! The setup-log rules on the repository's Exchange 2007 samples.

use crate::common;

use std::fs;

use exdoctor::model::{Finding, Severity};
use exdoctor::rules::setup_log::{check_setup_log, SetupLogFile};
use exdoctor_parsers::setup_log::{decode, parse_setup_log};

fn sample_findings(relative: &str) -> Vec<Finding> {
    let path = common::samples_dir().join(relative);
    let bytes = fs::read(&path).expect("sample log is readable");
    let decoded = decode(&bytes);
    let log = parse_setup_log(&decoded.text);
    check_setup_log(&SetupLogFile::new(relative, &log))
}

#[test]
fn prereq_gaps_2007_yields_three_errors_and_one_warning() {
    let all = sample_findings("prereq-gaps/ExchangeSetupLogs/ExchangeSetup.log");
    let mut got: Vec<(String, Severity, String)> = all
        .iter()
        .filter(|f| f.rule == "prereq-failed")
        .map(|f| {
            let check = f
                .details
                .get("check")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let line = f.evidence.first().map(|e| e.location.to_string()).unwrap_or_default();
            (check, f.severity, line)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "NetFramework20SP1NotInstalled".to_string(),
                Severity::Error,
                "line 191".to_string()
            ),
            (
                "PowerShellNotInstalled".to_string(),
                Severity::Error,
                "line 192".to_string()
            ),
            ("RebootPending".to_string(), Severity::Error, "line 193".to_string()),
            (
                "SingleLabelDomain".to_string(),
                Severity::Warning,
                "line 190".to_string()
            ),
        ],
        "the last run's readiness results"
    );
    assert_eq!(
        all[0].severity,
        Severity::Error,
        "a blocking check first: setup-failed folds into it"
    );
    for f in all.iter().filter(|f| f.rule == "prereq-failed") {
        assert!(f.title.starts_with("Readiness check failed: "), "{}", f.title);
        assert!(!f.remediation.is_empty());
    }
    assert!(!all.iter().any(|f| f.rule == "setup-failed"));
}

#[test]
fn healthy_and_other_2007_samples_have_no_known_errors() {
    for sample in [
        "healthy",
        "crl-stall",
        "sp1-interrupted",
        "upgrade-order",
        "ntlmssp-inplace-upgrade",
    ] {
        let dir = common::samples_dir().join(sample).join("ExchangeSetupLogs");
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        {
            let bytes = fs::read(entry.path()).expect("readable");
            let decoded = decode(&bytes);
            let log = parse_setup_log(&decoded.text);
            let path = entry.path().display().to_string();
            let found = exdoctor::rules::setup_log::known_errors::check(&SetupLogFile::new(&path, &log));
            assert!(
                found.is_empty(),
                "{path}: {:?}",
                found.iter().map(|f| f.rule).collect::<Vec<_>>()
            );
        }
    }
}
