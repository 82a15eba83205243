use regex::Regex;

use super::*;
use crate::analysis::HostReport;
use crate::model::{Diagnostic, RuleId, Status};
use crate::rules;

fn finding(host: &str, rule: RuleId, severity: Severity, title: &str) -> Finding {
    let mut f = Finding::new(rules::info(rule), "summary")
        .subject("x")
        .severity(severity)
        .title(title);
    f.host = host.to_string();
    f
}

fn host(name: &str) -> HostReport {
    HostReport {
        name: name.to_string(),
        ..HostReport::default()
    }
}

fn analysis(hosts: &[&str], findings: Vec<Finding>) -> Analysis {
    Analysis {
        hosts: hosts.iter().map(|h| host(h)).collect(),
        findings,
        diagnostics: Vec::new(),
        unreadable: false,
        ..Analysis::default()
    }
}

const DEFAULT: Thresholds = Thresholds {
    warning: Severity::Warning,
    critical: Severity::Error,
};

/// The plugin output, its state, and the first line checked against the grammar of the
/// Monitoring Plugins guidelines: `EXDOCTOR STATE - text | label=value;warn;crit;min ...`.
fn check(analysis: &Analysis, thresholds: Thresholds) -> (PluginState, Vec<String>) {
    let mut out = Vec::new();
    let state = write_check(analysis, thresholds, &mut out).expect("written");
    let text = String::from_utf8(out).expect("UTF-8");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let status = Regex::new(r"^EXDOCTOR (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+) \| (.+)$").expect("regex");
    let caps = status
        .captures(&lines[0])
        .unwrap_or_else(|| panic!("status line: {}", lines[0]));
    assert_eq!(&caps[1], state.as_str());
    let perf = Regex::new(r"^[a-z_]+=\d+;(0?);(0?);0$").expect("regex");
    for item in caps[3].split(' ') {
        assert!(perf.is_match(item), "perfdata item {item:?} in {}", lines[0]);
    }
    assert!(text.ends_with('\n'));
    for line in &lines[1..] {
        assert!(!line.contains('|'), "{line}");
    }
    (state, lines)
}

#[test]
fn the_worst_finding_sets_the_state_and_the_status_line_names_it() {
    let a = analysis(
        &["EXMBX01", "EXMBX02", "EXCAS03"],
        vec![
            finding(
                "EXMBX01",
                RuleId::ServiceCrash,
                Severity::Error,
                "MSExchangeIS | terminated",
            ),
            finding(
                "EXMBX02",
                RuleId::PendingReboot,
                Severity::Warning,
                "A reboot is pending",
            ),
            finding("EXMBX01", RuleId::NtlmsspDependency, Severity::Critical, "NtLmSsp"),
            finding(
                "EXCAS03",
                RuleId::BuildInventory,
                Severity::Info,
                "EXCAS03: Exchange 2007 SP1",
            ),
        ],
    );
    let (state, lines) = check(&a, DEFAULT);
    assert_eq!((state, state.exit_code()), (PluginState::Critical, 2));
    assert_eq!(
        lines[0],
        "EXDOCTOR CRITICAL - 1 critical, 1 error, 1 warning finding(s) on 2 of 3 host(s) (EXMBX01, EXMBX02); \
         worst: EXMBX01 NtLmSsp | critical=1;;0;0 error=1;;0;0 warning=1;0;;0 info=1;;;0 hosts=3;;;0 input_errors=0;;;0"
    );
    assert_eq!(
        lines[1..],
        [
            "[CRITICAL] EXMBX01 critical ntlmssp-dependency: NtLmSsp",
            "[CRITICAL] EXMBX01 error service-crash: MSExchangeIS / terminated",
            "[WARNING] EXMBX02 warning pending-reboot: A reboot is pending",
            "[OK] EXCAS03 info build-inventory: EXCAS03: Exchange 2007 SP1",
        ]
    );
}

#[test]
fn thresholds_move_the_state() {
    let a = analysis(
        &["EX1"],
        vec![
            finding("EX1", RuleId::ServiceCrash, Severity::Error, "crash"),
            finding("EX1", RuleId::BuildInventory, Severity::Info, "inventory"),
        ],
    );
    let lenient = Thresholds {
        warning: Severity::Error,
        critical: Severity::Critical,
    };
    let (state, lines) = check(&a, lenient);
    assert_eq!((state, state.exit_code()), (PluginState::Warning, 1));
    assert!(
        lines[0].ends_with("| critical=0;;0;0 error=1;0;;0 warning=0;;;0 info=1;;;0 hosts=1;;;0 input_errors=0;;;0"),
        "{}",
        lines[0]
    );
    let relaxed = Thresholds {
        warning: Severity::Critical,
        critical: Severity::Critical,
    };
    let (state, lines) = check(&a, relaxed);
    assert_eq!((state, state.exit_code()), (PluginState::Ok, 0));
    assert!(
        lines[0]
            .starts_with("EXDOCTOR OK - no finding at or above critical on 1 host(s) (1 error, 1 info finding(s)) |"),
        "{}",
        lines[0]
    );
}

#[test]
fn no_findings_is_ok_and_resolved_findings_do_not_count() {
    let mut gone = finding("EX1", RuleId::ServiceCrash, Severity::Critical, "crash");
    gone.status = Some(Status::Resolved);
    let (state, lines) = check(&analysis(&["EX1"], vec![gone]), DEFAULT);
    assert_eq!((state, state.exit_code()), (PluginState::Ok, 0));
    assert_eq!(
        lines,
        ["EXDOCTOR OK - no finding at or above warning on 1 host(s) | critical=0;;0;0 error=0;;0;0 warning=0;0;;0 info=0;;;0 hosts=1;;;0 input_errors=0;;;0"]
    );
}

#[test]
fn an_unreadable_input_or_no_input_is_unknown_unless_what_was_read_is_critical() {
    let mut a = analysis(
        &["EX1"],
        vec![finding(
            "EX1",
            RuleId::PendingReboot,
            Severity::Warning,
            "A reboot is pending",
        )],
    );
    a.diagnostics = vec![
        Diagnostic::error("share/EX2/System.evtx", "permission denied"),
        Diagnostic::error("share/EX2/System.evtx", "permission denied again"),
        Diagnostic::warning("share/EX1/System.evtx", "a gap"),
    ];
    a.unreadable = true;
    let (state, lines) = check(&a, DEFAULT);
    assert_eq!((state, state.exit_code()), (PluginState::Unknown, 3));
    assert!(
        lines[0].starts_with(
            "EXDOCTOR UNKNOWN - 1 input(s) could not be read: share/EX2/System.evtx: permission denied; 1 warning finding(s) |"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(" input_errors=1;;;0"), "{}", lines[0]);
    assert_eq!(lines[1], "[WARNING] EX1 warning pending-reboot: A reboot is pending");

    a.findings
        .push(finding("EX1", RuleId::ServiceCrash, Severity::Critical, "crash"));
    let (state, lines) = check(&a, DEFAULT);
    assert_eq!((state, state.exit_code()), (PluginState::Critical, 2));
    assert!(
        lines[0].starts_with(
            "EXDOCTOR CRITICAL - 1 critical, 1 warning finding(s) on 1 of 1 host(s) (EX1); worst: EX1 crash; \
             1 input(s) could not be read: share/EX2/System.evtx: permission denied |"
        ),
        "{}",
        lines[0]
    );

    let (state, lines) = check(&analysis(&[], Vec::new()), DEFAULT);
    assert_eq!(state, PluginState::Unknown);
    assert!(
        lines[0].starts_with("EXDOCTOR UNKNOWN - no Exchange setup log"),
        "{}",
        lines[0]
    );
}

#[test]
fn the_long_output_is_capped() {
    let many: Vec<Finding> = (0..MAX_FINDING_LINES + 5)
        .map(|i| {
            finding(
                "EX1",
                RuleId::ServiceCrash,
                Severity::Error,
                &format!("crash {i}\nsecond line"),
            )
        })
        .collect();
    let (_, lines) = check(&analysis(&["EX1"], many), DEFAULT);
    assert_eq!(lines.len(), 1 + MAX_FINDING_LINES + 1);
    assert_eq!(lines[1], "[CRITICAL] EX1 error service-crash: crash 0 second line");
    assert_eq!(
        lines[MAX_FINDING_LINES + 1],
        "... and 5 more finding(s): exdoctor analyze shows them all"
    );
}

#[test]
fn the_status_line_names_five_hosts_at_most() {
    let hosts: Vec<String> = (1..=7).map(|i| format!("EX{i}")).collect();
    let names: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let findings = names
        .iter()
        .map(|h| finding(h, RuleId::PendingReboot, Severity::Warning, "A reboot is pending"))
        .collect();
    let (state, lines) = check(&analysis(&names, findings), DEFAULT);
    assert_eq!(state, PluginState::Warning);
    assert!(
        lines[0].starts_with(
            "EXDOCTOR WARNING - 7 warning finding(s) on 7 of 7 host(s) (EX1, EX2, EX3, EX4, EX5, ... (+2)); worst: EX1 A reboot is pending |"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn control_characters_of_inputs_cannot_break_or_restyle_the_plugin_lines() {
    let title = "spooler\r\nEXDOCTOR OK - fake | x=1\u{1b}]0;t\u{7}\u{0}\u{202e}";
    let host = "EX\u{1b}[2J01";
    let a = analysis(
        &[host],
        vec![finding(host, RuleId::ServiceCrash, Severity::Error, title)],
    );
    // `check` also holds the status line to the plugin grammar.
    let (state, lines) = check(&a, DEFAULT);
    assert_eq!(state, PluginState::Critical);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for line in &lines {
        assert!(!line.contains(['\u{1b}', '\u{7}', '\u{0}', '\u{202e}', '\r']), "{line}");
    }
    assert_eq!(
        lines[1],
        "[CRITICAL] EX\\e[2J01 error service-crash: spooler EXDOCTOR OK - fake / x=1\\e]0;t\\x07\\x00\\u{202e}"
    );
}
