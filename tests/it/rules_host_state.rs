//! The host-state (registry) rules on the sample hosts' registry exports, and the whole
//! samples/ folder through `analyze`.

use crate::common;

use exdoctor::analysis::analyze;
use exdoctor::ingest::InputFile;
use exdoctor::model::HostView;
use exdoctor::model::{Finding, Location, Severity};
use exdoctor::registry::HostState;
use exdoctor::rules::registry as host_state;
use exdoctor::sources::reg::host_state_of;

/// The merged registry state of a sample folder's `.reg` files (name order).
fn state(folder: &str) -> HostState {
    let paths = common::sample_reg_paths(folder);
    let inputs: Vec<InputFile> = paths
        .iter()
        .map(|p| InputFile::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    let refs: Vec<_> = inputs.iter().map(InputFile::as_input).collect();
    let (state, diagnostics) = host_state_of(&refs);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    state
}

fn findings(folder: &str) -> Vec<Finding> {
    let s = state(folder);
    host_state::check(&HostView {
        name: folder.to_string(),
        registry: Some(&s),
        ..HostView::default()
    })
}

fn rules(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn exmbx02_one_watermark_finding_for_the_half_upgraded_mailbox_role() {
    let f = findings("sp1-interrupted");
    assert_eq!(rules(&f), vec!["setup-watermark"], "{f:#?}");
    let w = &f[0];
    assert_eq!(w.severity, Severity::Error);
    assert_eq!(w.details["role"], "MailboxRole");
    assert_eq!(w.details["unpacked_version"], "8.1.240.6");
    assert_eq!(w.details["configured_version"], "8.0.685.25");
    assert_eq!(w.details["watermark"], "5b3d6f0e");
    assert_eq!(w.details["action"], "BuildToBuildUpgrade");
    assert_eq!(w.details["half_upgraded"], true);
    assert!(
        w.summary
            .contains("UnpackedVersion = 8.1.240.6 (SP1); ConfiguredVersion = 8.0.685.25 (RTM)"),
        "{}",
        w.summary
    );
    let e = &w.evidence[0];
    assert!(e.source.ends_with("exchange.reg"));
    assert_eq!(
        e.location,
        Location::Key("HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole".into())
    );
    assert!(
        e.text.contains("Watermark = 5b3d6f0e") && e.text.contains("(line 24)"),
        "{}",
        e.text
    );
    assert!(w.remediation[0].contains("setup.com /mode:upgrade"));
    // The catalog entry is setup_runs' (no second entry for the same id).
    assert_eq!(
        exdoctor::rules::catalog()
            .iter()
            .filter(|r| r.id == "setup-watermark")
            .count(),
        1
    );
}

#[test]
fn exmbx01_ntlmssp_dependency_from_the_registry() {
    let f = findings("ntlmssp-inplace-upgrade");
    let n: Vec<&Finding> = f.iter().filter(|f| f.rule == "ntlmssp-dependency").collect();
    assert_eq!(n.len(), 1, "{f:#?}");
    let n = n[0];
    assert_eq!(n.severity, Severity::Critical);
    assert_eq!(
        n.details["services"],
        serde_json::json!(["MSExchangeIS", "MSExchangeSA"])
    );
    assert_eq!(n.details["os"], "6.0");
    assert_eq!(n.details["ntlmssp_present"], false);
    assert!(n
        .evidence
        .iter()
        .any(|e| e.text.contains("DependOnService") && e.text.contains("NtLmSsp")));
    assert!(n
        .evidence
        .iter()
        .any(|e| e.source.ends_with("windows.reg") && e.text.contains("6.0 build 6001")));
    assert_eq!(n.confidence, exdoctor::model::Confidence::Medium);
    // Nothing else at warning or above: remote streaming backup (SP1 mailbox, not CCR) is info.
    let others: Vec<_> = f
        .iter()
        .filter(|f| f.rule != "ntlmssp-dependency" && f.severity >= Severity::Warning)
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}

#[test]
fn excas03_prerequisites_reboot_and_single_label_domain() {
    let f = findings("prereq-gaps");
    let checks: Vec<&str> = f
        .iter()
        .filter(|f| f.rule == "prereq-missing")
        .filter_map(|f| f.details["check"].as_str())
        .collect();
    assert_eq!(checks, vec!["NetFramework20SP1", "PowerShell10"], "{f:#?}");
    let dotnet = &f[0];
    assert!(
        dotnet.evidence[0].text.contains("SP = 0"),
        "{}",
        dotnet.evidence[0].text
    );
    assert!(dotnet.summary.contains("fresh install"), "{}", dotnet.summary);
    assert!(f.iter().any(|f| f.rule == "pending-reboot"
        && f.severity == Severity::Warning
        && f.evidence[0].text.starts_with("PendingFileRenameOperations")));
    let sld: Vec<_> = f.iter().filter(|f| f.rule == "single-label-domain").collect();
    assert_eq!(sld.len(), 1);
    assert_eq!(sld[0].details["domain"], "CORP");
    assert_eq!(rules(&f).len(), 4, "{:?}", rules(&f));
}

#[test]
fn exmbx05_healthy_has_nothing_at_warning_or_above() {
    let f = findings("healthy");
    let serious: Vec<_> = f.iter().filter(|f| f.severity >= Severity::Warning).collect();
    assert!(serious.is_empty(), "{serious:#?}");
    // Only the SP1 default of remote streaming backup, as information.
    assert_eq!(rules(&f), vec!["remote-streaming-backup-disabled"]);
}

#[test]
fn the_other_samples() {
    // EXHUB04 (CRL stall) is healthy as far as the registry goes.
    assert!(findings("crl-stall").is_empty());
    // Windows 2003 hosts list NtLmSsp legitimately; RTM/SP1 states are for the fleet rules.
    for host in ["EXCAS11", "EXHUB13"] {
        let f = findings(&format!("upgrade-order/{host}"));
        assert!(f.is_empty(), "{host}: {f:#?}");
    }
    assert_eq!(
        rules(&findings("upgrade-order/EXMBX12")),
        vec!["remote-streaming-backup-disabled"]
    );
}

#[test]
fn analyze_samples_healthy_host_has_nothing_at_warning_or_above() {
    let analysis = analyze(&[common::samples_dir()]);
    let healthy: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.host == "EXMBX05" && f.severity >= Severity::Warning)
        .collect();
    assert!(healthy.is_empty(), "{healthy:#?}");
    let has = |host: &str, rule: &str| analysis.findings.iter().any(|f| f.host == host && f.rule == rule);
    assert!(has("EXMBX05", "build-inventory"));
    // The registry watermark is folded into the interrupted run that left it.
    assert!(has("EXMBX02", "setup-interrupted") && !has("EXMBX02", "setup-watermark"));
    assert!(has("EXMBX01", "ntlmssp-dependency"));
    assert!(has("EXCAS03", "single-label-domain"));
    assert!(has("EXCAS11", "upgrade-order-violation") && !has("EXMBX12", "upgrade-order-violation"));
    assert!(!analysis.findings.iter().any(|f| f.rule == "role-half-upgraded"));
}
