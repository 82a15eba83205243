//! Event-log findings an expert would sign (issue 10), on `.evtx` fixtures written with
//! the project's own EVTX writer in the shapes seen on real logs: a Print Spooler crash
//! with its Application Error and WER reports, a dependency chain ending at a disabled
//! Windows Event Log, cleared logs, a flood of randomly named services installed and
//! failing, a non-Exchange Windows Installer failure.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_samples::evtx_writer::write_evtx;
use serde_json::Value;

use crate::common;

/// A fresh folder for one test's fixture files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exdoctor-precision-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// An event of `channel` with unnamed insertion strings (or `name=value` named ones).
fn event(channel: &str, provider: &str, id: u16, record: u64, time: DateTime<Utc>, data: &[&str]) -> Event {
    Event {
        channel: channel.into(),
        provider: provider.into(),
        event_id: id,
        qualifiers: None,
        level: Level::Error,
        record_id: record,
        time,
        computer: "SRV01.contoso.com".into(),
        user_sid: None,
        data: data
            .iter()
            .map(|d| match d.split_once('=') {
                Some((name, value)) if !name.contains(' ') && !name.is_empty() => EventField {
                    name: Some(name.into()),
                    value: value.into(),
                },
                _ => EventField {
                    name: None,
                    value: (*d).into(),
                },
            })
            .collect(),
        recovered: false,
    }
}

const SCM: &str = "Service Control Manager";

/// `analyze --format json` of a folder: the findings.
fn findings(dir: &Path) -> Vec<Value> {
    let path = dir.to_string_lossy().into_owned();
    let out = common::exdoctor(&["analyze", &path, "--format", "json", "--quiet"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    doc["findings"].as_array().cloned().unwrap_or_default()
}

fn rule_of(f: &Value) -> &str {
    f["rule"].as_str().unwrap_or_default()
}

fn text(f: &Value, key: &str) -> String {
    f[key].as_str().unwrap_or_default().to_string()
}

#[test]
fn spooler_crash_joins_application_error_and_wer_of_the_same_second() {
    let dir = folder("spooler");
    let crash = at("2020-09-19T03:29:35.900Z");
    let report: [&str; 8] = [
        "spoolsv.exe",
        "6.3.9600.17415",
        "54504ade",
        "ntdll.dll",
        "6.3.9600.17936",
        "55c9d3b9",
        "c0000005",
        "0000000000032d2c",
    ];
    let mut app_error = report.to_vec();
    app_error.push("728");
    let wer = |record: u64, path: &str| {
        let mut data = vec!["", "0", "APPCRASH", "Not available", "0"];
        data.extend(report);
        data.extend(["", "", "", path]);
        event(
            "Application",
            "Windows Error Reporting",
            1001,
            record,
            crash + Duration::milliseconds(50),
            &data,
        )
    };
    let app = [
        event(
            "Application",
            "Application Error",
            1000,
            200,
            crash - Duration::milliseconds(300),
            &app_error,
        ),
        wer(
            201,
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\AppCrash_spoolsv.exe_3c2",
        ),
        wer(
            202,
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_spoolsv.exe_3c2",
        ),
    ];
    let system = [event(
        "System",
        SCM,
        7031,
        60155,
        crash,
        &["Print Spooler", "1", "5000", "1", "Restart the service"],
    )];
    std::fs::write(dir.join("Application.evtx"), write_evtx(&app)).expect("write");
    std::fs::write(dir.join("System.evtx"), write_evtx(&system)).expect("write");
    let all = findings(&dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = &all[0];
    assert_eq!(rule_of(f), "service-crash");
    assert_eq!(
        text(f, "severity"),
        "warning",
        "Exchange does not depend on the spooler"
    );
    assert_eq!(text(f, "confidence"), "high");
    assert_eq!(f["details"]["exception_code"], "0xc0000005");
    assert_eq!(f["details"]["module"], "ntdll.dll");
    assert_eq!(
        f["details"]["report_path"],
        "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\AppCrash_spoolsv.exe_3c2"
    );
    let summary = text(f, "summary");
    assert!(
        summary
            .contains("spoolsv.exe crashed: faulting module ntdll.dll, exception code 0xc0000005 (access violation)")
            && !summary.contains("No crash report"),
        "{summary}"
    );
    let evidence: Vec<String> = f["evidence"]
        .as_array()
        .map(|a| a.iter().map(|e| text(e, "text")).collect())
        .unwrap_or_default();
    assert!(evidence
        .iter()
        .any(|e| e.starts_with("Application Error 1000: Faulting application spoolsv.exe")));
    assert!(evidence
        .iter()
        .any(|e| e.starts_with("Windows Error Reporting 1001: Event Name: APPCRASH")));
    let advice = f["remediation"].to_string();
    assert!(!advice.contains("Exchange") && !advice.contains("Watson"), "{advice}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_disabled_event_log_is_one_root_with_its_dependants_and_the_7040_that_disabled_it() {
    let dir = folder("chain");
    let t0 = at("2021-05-02T08:00:00Z");
    let mut disabled = event(
        "System",
        SCM,
        7040,
        10,
        t0,
        &["Windows Event Log", "auto start", "disabled", "EventLog"],
    );
    disabled.user_sid = Some("S-1-5-21-1004336348-1177238915-682003330-500".into());
    let mut events = vec![disabled];
    for boot in 0..3u64 {
        let t = t0 + Duration::hours(1 + boot as i64);
        events.push(event(
            "System",
            SCM,
            7001,
            11 + boot * 2,
            t,
            &["Network Location Awareness", "Windows Event Log", "%%1058"],
        ));
        events.push(event(
            "System",
            SCM,
            7001,
            12 + boot * 2,
            t + Duration::seconds(1),
            &["Network List Service", "Network Location Awareness", "%%1068"],
        ));
    }
    std::fs::write(dir.join("System.evtx"), write_evtx(&events)).expect("write");
    let all = findings(&dir);
    assert_eq!(all.len(), 1, "one root, not one finding per 7001: {all:#?}");
    let f = &all[0];
    assert_eq!(rule_of(f), "service-start-failure");
    assert_eq!(f["details"]["service"], "EventLog");
    assert_eq!(f["details"]["cause"], "1058");
    assert_eq!(f["count"], 6);
    assert_eq!(
        text(f, "title"),
        "Windows Event Log (EventLog) is disabled: the services that depend on it could not start"
    );
    let summary = text(f, "summary");
    assert!(
        summary.contains("set to disabled at 2021-05-02T08:00:00Z by the built-in Administrator")
            && summary.contains("auto start -> disabled")
            && summary.contains("Network Location Awareness (NlaSvc) x3 and Network List Service (netprofm) x3"),
        "{summary}"
    );
    assert!(f["evidence"][0]["text"].as_str().is_some_and(
        |t| t.starts_with("Service Control Manager 7040: The start type of the Windows Event Log service")
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cleared_system_and_security_logs_name_who_cleared_them() {
    let dir = folder("cleared");
    let system = [event(
        "System",
        "Microsoft-Windows-Eventlog",
        104,
        5,
        at("2021-05-02T09:00:00Z"),
        &[
            "SubjectUserName=jdoe",
            "SubjectDomainName=CONTOSO",
            "Channel=System",
            "BackupPath=",
        ],
    )];
    let security = [event(
        "Security",
        "Microsoft-Windows-Eventlog",
        1102,
        7,
        at("2021-05-02T09:00:02Z"),
        &[
            "SubjectUserSid=S-1-5-21-1-2-3-1104",
            "SubjectUserName=jdoe",
            "SubjectDomainName=CONTOSO",
            "SubjectLogonId=0x3e7",
        ],
    )];
    std::fs::write(dir.join("System.evtx"), write_evtx(&system)).expect("write");
    std::fs::write(dir.join("Security.evtx"), write_evtx(&security)).expect("write");
    let all = findings(&dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = &all[0];
    assert_eq!(rule_of(f), "event-log-cleared");
    assert_eq!(text(f, "severity"), "warning");
    assert_eq!(text(f, "title"), "Event logs were cleared: Security and System");
    assert_eq!(f["count"], 2);
    assert_eq!(f["details"]["accounts"], serde_json::json!(["CONTOSO\\jdoe"]));
    assert!(text(f, "summary").contains("the System log at 2021-05-02T09:00:00Z by CONTOSO\\jdoe"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A base64-looking service name, as the flood's were (`IyMjIyMj...`).
fn random_name(i: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d;
    let mut name = String::from("IyMjIyMj");
    for _ in 0..72 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        name.push(ALPHABET[(x % 64) as usize] as char);
    }
    name
}

#[test]
fn two_hundred_random_services_installed_and_failing_are_at_most_two_findings() {
    let dir = folder("flood");
    let t0 = at("2019-03-01T02:00:00Z");
    let mut events = Vec::new();
    let mut record = 1u64;
    for i in 0..200u64 {
        let name = random_name(i);
        let t = t0 + Duration::milliseconds(i as i64 * 850);
        let mut install = event(
            "System",
            SCM,
            7045,
            record,
            t,
            &[
                &format!("ServiceName={name}"),
                "ImagePath=%COMSPEC% /b /c start /b /min powershell.exe -nop -w hidden -noni -c \"IEX\"",
                "ServiceType=user mode service",
                "StartType=demand start",
                "AccountName=LocalSystem",
            ],
        );
        install.level = Level::Information;
        install.user_sid = Some("S-1-5-18".into());
        events.push(install);
        events.push(event(
            "System",
            SCM,
            7009,
            record + 1,
            t + Duration::milliseconds(300),
            &["30000", &name],
        ));
        events.push(event(
            "System",
            SCM,
            7000,
            record + 2,
            t + Duration::milliseconds(301),
            &[&name, "%%1053"],
        ));
        record += 3;
    }
    std::fs::write(dir.join("System.evtx"), write_evtx(&events)).expect("write");
    let all = findings(&dir);
    assert!(!all.is_empty() && all.len() <= 2, "{} findings", all.len());
    let flood = all
        .iter()
        .find(|f| f["details"]["service_count"] == 200)
        .unwrap_or_else(|| panic!("one finding names the 200 services: {all:#?}"));
    assert_eq!(rule_of(flood), "service-start-failure");
    assert_eq!(text(flood, "severity"), "warning");
    assert_eq!(flood["details"]["installed"], 200);
    assert_eq!(flood["count"], 400, "a 7009 and a 7000 per service");
    let title = text(flood, "title");
    assert!(title.starts_with("200 services failed to start: %%1053"), "{title}");
    let summary = text(flood, "summary");
    assert!(
        summary.contains("200 services installed (SCM 7045) and failed within 2 min")
            && summary.contains("and 190 more"),
        "{summary}"
    );
    assert!(summary.contains('…') && summary.len() < 3000, "names cut: {summary}");
    let cited = flood["evidence"].as_array().map_or(0, Vec::len);
    assert!(
        (4..=10).contains(&cited),
        "a few installs and failures, not 600 lines: {cited}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_exchange_msi_failure_is_a_warning_with_windows_installer_advice() {
    let dir = folder("msi");
    let mut failed = event(
        "Application",
        "MsiInstaller",
        1033,
        40,
        at("2016-02-10T14:00:00Z"),
        &["EMET 5.5", "5.5.5870.0", "1033", "1603", "Microsoft Corporation"],
    );
    failed.level = Level::Information;
    let note = event(
        "Application",
        "MsiInstaller",
        11708,
        41,
        at("2016-02-10T14:00:01Z"),
        &["Product: EMET 5.5 -- Installation operation failed."],
    );
    std::fs::write(dir.join("Application.evtx"), write_evtx(&[failed, note])).expect("write");
    let all = findings(&dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = &all[0];
    assert_eq!(rule_of(f), "msi-install-failed");
    assert_eq!(text(f, "severity"), "warning");
    assert_eq!(f["details"]["product"], "EMET 5.5");
    let advice = f["remediation"].to_string();
    assert!(advice.contains("msiexec /i") && advice.contains("/l*v"), "{advice}");
    assert!(
        advice.contains("Status 1603 means a fatal error occurred during installation"),
        "{advice}"
    );
    assert!(!advice.contains("Exchange") && !advice.contains("msilog"), "{advice}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Event Viewer CSV exports keep the message and recover its insertion strings: the
/// rules' message templates must not garble it (no "The The ...", "Process Process
/// MAD.EXE", repeated "terminated unexpectedly").
#[test]
fn csv_export_messages_are_not_garbled_in_findings() {
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["eventviewer_system.csv", "eventviewer_system_saveas.csv"] {
        let path = fixtures.join(name).to_string_lossy().into_owned();
        let out = common::exdoctor(&["analyze", &path, "--format", "json", "--quiet"]);
        let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        let all = doc["findings"].as_array().cloned().unwrap_or_default();
        assert!(all.iter().any(|f| rule_of(f) == "service-crash"), "{name}");
        let mut texts: Vec<String> = Vec::new();
        for f in &all {
            texts.push(text(f, "summary"));
            texts.extend(f["evidence"].as_array().into_iter().flatten().map(|e| text(e, "text")));
        }
        assert!(
            texts.iter().any(|t| t.contains("Process MAD.EXE (PID=2552)")),
            "{name}: {texts:#?}"
        );
        assert!(texts.iter().any(|t| t
            == "Service Control Manager 7031: The Microsoft Exchange Information Store service terminated unexpectedly. It has done this 1 time(s). The following corrective action will be taken in 60000 milliseconds: Restart the service."));
        for t in &texts {
            let lower = t.to_ascii_lowercase();
            assert!(
                !lower.contains("the the ") && !lower.contains("process process"),
                "{name}: {t}"
            );
            assert!(lower.matches("terminated unexpectedly").count() <= 1, "{name}: {t}");
        }
    }
}
