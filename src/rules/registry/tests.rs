use exdoctor_parsers::reg::parse_reg;

use super::*;
use crate::model::Severity;
use crate::model::{HostView, RuleId};
use crate::registry::host_state_from_files;

const HKLM: &str = "HKEY_LOCAL_MACHINE";

/// A host state from one REGEDIT4 export written as `[key]` blocks.
fn state(body: &str) -> HostState {
    let text = format!("REGEDIT4\r\n\r\n{}", body.replace("HKLM", HKLM).replace('\n', "\r\n"));
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    host_state_from_files(&[("test.reg", &file)])
}

fn run(s: &HostState) -> Vec<Finding> {
    check(&HostView {
        name: "EX1".into(),
        registry: Some(s),
        ..HostView::default()
    })
}

fn rules(findings: &[Finding]) -> Vec<RuleId> {
    findings.iter().map(|f| f.rule).collect()
}

const W2003_SOFTWARE: &str = r#"
[HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion]
"CurrentVersion"="5.2"
"CurrentBuildNumber"="3790"
"CSDVersion"="Service Pack 2"
"ProductName"="Microsoft Windows Server 2003"

[HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v2.0.50727]
"Install"=dword:00000001
"SP"=dword:00000001

[HKLM\SOFTWARE\Microsoft\PowerShell\1]
"Install"=dword:00000001

[HKLM\SOFTWARE\Microsoft\InetStp]
"MajorVersion"=dword:00000006
"#;

#[test]
fn nothing_without_registry() {
    assert!(check(&HostView::default()).is_empty());
}

#[test]
fn nothing_for_parts_that_were_not_exported() {
    // Only the Exchange keys: no prerequisites, services, identity or reboot findings.
    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\MailboxRole]
"UnpackedVersion"="8.1.240.6"
"ConfiguredVersion"="8.1.240.6"
"#,
    );
    assert!(!s.coverage.software && !s.coverage.services);
    assert!(run(&s).is_empty(), "{:?}", rules(&run(&s)));
    // Only the services: a Windows 2003 host with NtLmSsp present is fine.
    let s = state(
        r#"
[HKLM\SYSTEM\CurrentControlSet\Services\NtLmSsp]
"Start"=dword:00000003

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeIS]
"Start"=dword:00000002
"DependOnService"=hex(7):4e,74,4c,6d,53,73,70,00,00
"#,
    );
    assert!(run(&s).is_empty(), "{:?}", rules(&run(&s)));
}

#[test]
fn watermark_and_mismatch_are_one_finding() {
    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\AdminTools]
"UnpackedVersion"="8.1.240.6"

[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\MailboxRole]
"UnpackedVersion"="8.1.240.6"
"ConfiguredVersion"="8.0.685.25"
"Action"="BuildToBuildUpgrade"
"Watermark"="5b3d6f0e"

[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\HubTransportRole]
"UnpackedVersion"="8.1.240.6"
"ConfiguredVersion"="8.0.685.25"

[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\ClientAccessRole]
"UnpackedVersion"="8.1.240.6"

[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\ClusteredMailboxServer]
"Action"="BuildToBuildUpgrade"
"Watermark"="aa"
"#,
    );
    let f = run(&s);
    assert_eq!(
        rules(&f),
        vec!["role-half-upgraded", "role-half-upgraded", "setup-watermark"]
    );
    let w = &f[2];
    assert_eq!(w.details["role"], "MailboxRole");
    assert_eq!(w.details["half_upgraded"], true);
    assert!(w.remediation[0].contains("/mode:upgrade"), "{:?}", w.remediation);
    assert!(w.evidence[0].text.contains("ConfiguredVersion = 8.0.685.25 (RTM)"));
    assert_eq!(
        w.evidence[0].location,
        Location::Key("HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole".into())
    );
    assert!(f[0].summary.contains("Client Access") && f[0].summary.contains("ConfiguredVersion = missing"));
    assert!(f[1].summary.contains("Hub Transport"));
}

#[test]
fn ntlmssp_dependency_on_2008() {
    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion]
"CurrentVersion"="6.0"
"CurrentBuildNumber"="6001"

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeSA]
"Start"=dword:00000002
"DependOnService"=hex(7):4e,74,4c,6d,53,73,70,00,00

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeIS]
"Start"=dword:00000002
"DependOnService"=hex(7):4d,53,45,78,63,68,61,6e,67,65,53,41,00,00
"#,
    );
    let f: Vec<Finding> = run(&s).into_iter().filter(|f| f.rule == "ntlmssp-dependency").collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].details["services"], serde_json::json!(["MSExchangeSA"]));
    assert_eq!(f[0].details["dependants"], serde_json::json!(["MSExchangeIS"]));
    assert_eq!(f[0].confidence, crate::model::Confidence::Medium);
}

#[test]
fn prerequisites_missing_on_a_fresh_2003_host() {
    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion]
"CurrentVersion"="5.2"
"CSDVersion"="Service Pack 1"
"ProductName"="Microsoft Windows Server 2003"

[HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v2.0.50727]
"Install"=dword:00000001
"SP"=dword:00000000

[HKLM\SOFTWARE\Microsoft\Updates\Windows Server 2003\SP2\KB925902]
"Description"="x"

[HKLM\SYSTEM\CurrentControlSet\Services\IISADMIN]
"Start"=dword:00000002
"#,
    );
    let f = run(&s);
    let checks: Vec<(&str, Severity)> = f
        .iter()
        .filter(|f| f.rule == RuleId::PrereqMissing)
        .map(|f| (f.details["check"].as_str().unwrap_or_default(), f.severity))
        .collect();
    assert_eq!(
        checks,
        vec![
            ("NetFramework20SP1", Severity::Error),
            ("PowerShell10", Severity::Error),
            ("OsServicePack", Severity::Error),
            ("IIS", Severity::Error),
            ("W3SVC", Severity::Error),
            ("Mmc30", Severity::Error),
            ("KB931836", Severity::Info),
        ]
    );
}

#[test]
fn prerequisites_met_and_hub_only_needs_no_iis() {
    let s = state(&format!(
        "{W2003_SOFTWARE}\n[HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\HubTransportRole]\n\"UnpackedVersion\"=\"8.1.240.6\"\n\"ConfiguredVersion\"=\"8.1.240.6\"\n"
    ));
    assert!(run(&s).is_empty(), "{:?}", rules(&run(&s)));
    // Exchange 2010: the 2007 prerequisites are not checked.
    let s = state("[HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v14\\MailboxRole]\n\"UnpackedVersion\"=\"14.3.123.4\"\n\"ConfiguredVersion\"=\"14.3.123.4\"\n[HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\n\"CurrentVersion\"=\"6.1\"\n");
    assert!(run(&s).iter().all(|f| f.rule != RuleId::PrereqMissing));
}

#[test]
fn pending_reboot_names_and_fqdn() {
    let s = state(
        r#"
[HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters]
"Hostname"="EX1"
"Domain"=""
"NV Hostname"="EX2"
"NV Domain"=""

[HKLM\SOFTWARE\Microsoft\Updates\UpdateExeVolatile]
"Flags"=dword:00000001

[HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending]
"#,
    );
    let f = run(&s);
    assert_eq!(rules(&f), vec![RuleId::PendingReboot, RuleId::FqdnMissing]);
    assert_eq!(f[0].evidence.len(), 2);
    assert!(f[0].evidence[0].text.starts_with("Flags = 1"));
    assert_eq!(f[1].severity, Severity::Error);
    assert!(f[1].summary.contains("rename is pending"), "{}", f[1].summary);
    assert!(f[1].evidence[0].text.contains("Domain = (empty)"));

    let s = state("[HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\n\"Hostname\"=\"EX1\"\n\"Domain\"=\"corp.example\"\n\"NV Hostname\"=\"EX9\"\n");
    let f = run(&s);
    assert_eq!(rules(&f), vec![RuleId::FqdnMissing]);
    assert_eq!(f[0].severity, Severity::Warning);

    let s = state(
        "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\n\"Hostname\"=\"EX1\"\n\"Domain\"=\"CORP\"\n",
    );
    let f = run(&s);
    assert_eq!(rules(&f), vec![RuleId::SingleLabelDomain]);
    assert!(f[0].references.iter().any(|r| r == "KB300684"));
}

#[test]
fn disabled_services_and_streaming_backup() {
    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\MailboxRole]
"UnpackedVersion"="8.1.240.6"
"ConfiguredVersion"="8.1.240.6"

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeIS]
"Start"=dword:00000004

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeSA]
"Start"=dword:00000002
"#,
    );
    let f = run(&s);
    assert_eq!(
        rules(&f),
        vec![RuleId::ExchangeServiceDisabled, RuleId::RemoteStreamingBackupDisabled]
    );
    assert_eq!(f[0].details["services"], serde_json::json!(["MSExchangeIS"]));
    assert_eq!(f[1].severity, Severity::Info);

    let s = state(
        r#"
[HKLM\SOFTWARE\Microsoft\Exchange\v8.0\MailboxRole]
"UnpackedVersion"="8.1.240.6"
"ConfiguredVersion"="8.1.240.6"

[HKLM\SYSTEM\CurrentControlSet\Services\ClusSvc]
"Start"=dword:00000002

[HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeIS\ParametersSystem]
"Enable Remote Streaming Backup"=dword:00000000
"#,
    );
    let f = run(&s);
    assert_eq!(rules(&f), vec![RuleId::RemoteStreamingBackupDisabled]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].details["clustered"], true);

    // Enabled, or an RTM mailbox server, or the store's key not exported: nothing.
    for body in [
        "[HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole]\n\"UnpackedVersion\"=\"8.1.240.6\"\n\"ConfiguredVersion\"=\"8.1.240.6\"\n[HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeIS\\ParametersSystem]\n\"Enable Remote Streaming Backup\"=dword:00000001\n",
        "[HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole]\n\"UnpackedVersion\"=\"8.0.685.25\"\n\"ConfiguredVersion\"=\"8.0.685.25\"\n[HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeIS]\n\"Start\"=dword:00000002\n",
        "[HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole]\n\"UnpackedVersion\"=\"8.1.240.6\"\n\"ConfiguredVersion\"=\"8.1.240.6\"\n",
    ] {
        assert!(run(&state(body)).is_empty(), "{body}");
    }
}

const DEFAULT_2003: &str = "O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)";
const DEFAULT: &str = "O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)";

#[test]
fn custom_sd_defaults_are_not_reported() {
    assert_eq!(judge_custom_sd(DEFAULT), SdVerdict::Allows);
    assert_eq!(judge_custom_sd(DEFAULT_2003), SdVerdict::Allows);
    let w2008 = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)";
    assert_eq!(judge_custom_sd(w2008), SdVerdict::Allows);
    assert_eq!(judge_custom_sd("O:BAG:SY"), SdVerdict::Allows, "no DACL = NULL DACL");
    assert_eq!(judge_custom_sd("O:BAG:SYD:(A;;GA;;;WD)"), SdVerdict::Allows);
    assert_eq!(judge_custom_sd("O:BAG:SYD:(A;;0xf0007"), SdVerdict::Unparsed);
}

#[test]
fn restrictive_custom_sd_is_reported() {
    let read_only_admins = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x1;;;BA)";
    let SdVerdict::Restricts(reasons) = judge_custom_sd(read_only_admins) else {
        panic!("not judged restrictive");
    };
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("no write") && reasons[0].contains("Administrators"));
    let deny = format!("{}(D;;0x2;;;BA)", DEFAULT.replace("D:(", "D:(D;;0x2;;;SY)("));
    let SdVerdict::Restricts(reasons) = judge_custom_sd(&deny) else {
        panic!("not judged restrictive");
    };
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[1].contains("denies write to LocalSystem"));
    assert!(matches!(judge_custom_sd("O:BAG:SYD:P"), SdVerdict::Restricts(r) if r.len() == 2));

    let s = state(&format!(
        "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application]\n\"CustomSD\"=\"{read_only_admins}\"\n"
    ));
    let f = run(&s);
    assert_eq!(rules(&f), vec![RuleId::EventLogCustomsd]);
    assert_eq!(f[0].severity, Severity::Warning);
    let s = state(&format!(
        "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application]\n\"CustomSD\"=\"{DEFAULT}\"\n"
    ));
    assert!(run(&s).is_empty());
}

#[test]
fn a_32_bit_windows_is_a_missing_prerequisite() {
    let x86 = format!(
        "{W2003_SOFTWARE}\n[HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment]\n\"PROCESSOR_ARCHITECTURE\"=\"x86\"\n"
    );
    let s = state(&x86);
    assert_eq!(s.os.as_ref().and_then(|o| o.architecture.as_deref()), Some("x86"));
    let findings = run(&s);
    let arch: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.rule == "prereq-missing" && f.details.get("check").and_then(|c| c.as_str()) == Some("OsArchitecture")
        })
        .collect();
    assert_eq!(arch.len(), 1, "{findings:#?}");
    assert!(arch[0].evidence[0].text.contains("PROCESSOR_ARCHITECTURE = x86"));
    let x64 = x86.replace("\"x86\"", "\"AMD64\"");
    assert!(!run(&state(&x64))
        .iter()
        .any(|f| f.details.get("check").and_then(|c| c.as_str()) == Some("OsArchitecture")));
    // Not exported: nothing to say.
    assert!(!run(&state(W2003_SOFTWARE))
        .iter()
        .any(|f| f.details.get("check").and_then(|c| c.as_str()) == Some("OsArchitecture")));
}
