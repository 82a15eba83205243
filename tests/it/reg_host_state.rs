//! HostState read from the sample hosts' registry exports (samples/*/*.reg), and the
//! `parse` / `analyze` commands on them.

use crate::common;

use std::path::Path;

use exdoctor::registry::host_state::{RoleState, StartMode};
use exdoctor::registry::{host_state_from_files, Build, HostState, RegistryView};
use exdoctor_parsers::reg::{parse_reg, RegFile};

/// All `.reg` files of a sample folder, parsed, in name order.
fn load(folder: &str) -> Vec<(String, RegFile<'static>)> {
    common::sample_reg_paths(folder)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{e}"));
            let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(file.diagnostics.is_empty(), "{}: {:?}", p.display(), file.diagnostics);
            (p.display().to_string(), file.into_owned())
        })
        .collect()
}

fn state(folder: &str) -> HostState {
    let files = load(folder);
    let refs: Vec<(&str, &RegFile<'static>)> = files.iter().map(|(p, f)| (p.as_str(), f)).collect();
    host_state_from_files(&refs)
}

fn build(s: &str) -> Build {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn exmbx02_mailbox_role_half_upgraded_with_watermark() {
    let s = state("sp1-interrupted");
    assert_eq!(s.host_name(), Some("EXMBX02"));
    assert_eq!(s.identity.fqdn.as_deref(), Some("EXMBX02.beispiel.de"));
    assert_eq!(s.identity.single_label_domain, Some(false));
    let os = s.os.as_ref().unwrap_or_else(|| panic!("os"));
    assert_eq!(
        (os.version(), os.build_number, os.service_pack),
        (Some((5, 2)), Some(3790), 2)
    );
    assert_eq!(os.family.as_deref(), Some("Windows Server 2003"));
    assert_eq!(s.exchange.len(), 1);
    let v8 = &s.exchange[0];
    assert_eq!(v8.version_key, "v8.0");
    let names: Vec<&str> = v8.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["AdminTools", "ClientAccessRole", "HubTransportRole", "MailboxRole"]
    );
    let mailbox = &v8.roles[3];
    assert_eq!(mailbox.unpacked_version.as_deref(), Some("8.1.240.6"));
    assert_eq!(mailbox.configured_version.as_deref(), Some("8.0.685.25"));
    assert_ne!(mailbox.unpacked_build, mailbox.configured_build);
    assert_eq!(mailbox.unpacked_level.as_deref(), Some("SP1"));
    assert_eq!(mailbox.configured_level.as_deref(), Some("RTM"));
    assert_eq!(mailbox.action.as_deref(), Some("BuildToBuildUpgrade"));
    assert_eq!(mailbox.watermark.as_deref(), Some("5b3d6f0e"));
    assert_eq!(mailbox.state, RoleState::Incomplete);
    assert_eq!(
        mailbox.install_path.as_deref(),
        Some("C:\\Program Files\\Microsoft\\Exchange Server\\")
    );
    let source = mailbox.source.as_ref().unwrap_or_else(|| panic!("source"));
    assert!(source.file.ends_with("exchange.reg"), "{}", source.file);
    assert_eq!(v8.roles[0].state, RoleState::Installed);
    assert_eq!(v8.roles[1].state, RoleState::Configured);
    assert_eq!(v8.roles[2].configured_build, Some(build("8.1.240.6")));
    assert_eq!(v8.setup.as_ref().and_then(|m| m.build), Some(build("08.01.0240.006")));
    assert_eq!(s.exchange_build(), Some(build("8.1.240.6")));
    let tz = s.time_zone.as_ref().unwrap_or_else(|| panic!("tz"));
    assert_eq!(tz.standard_name.as_deref(), Some("Westeuropäische Normalzeit"));
    assert_eq!(tz.key_name, None);
    assert_eq!(tz.utc_offset_minutes(), Some(60));
    assert_eq!(tz.daylight_start.map(|r| (r.month, r.week, r.hour)), Some((3, 5, 2)));
    assert_eq!(s.remote_streaming_backup, None);
}

#[test]
fn exmbx01_ntlmssp_dependency_on_windows_2008() {
    let s = state("ntlmssp-inplace-upgrade");
    let os = s.os.as_ref().unwrap_or_else(|| panic!("os"));
    assert_eq!(os.version(), Some((6, 0)));
    assert_eq!(os.build_number, Some(6001));
    assert_eq!(os.product_name.as_deref(), Some("Windows Server® 2008 Enterprise"));
    let services = s.services.as_ref().unwrap_or_else(|| panic!("services"));
    assert!(!services.ntlmssp_present);
    assert!(s.coverage.services);
    for name in ["MSExchangeIS", "MSExchangeSA"] {
        let svc = s.service(name).unwrap_or_else(|| panic!("{name}"));
        assert!(svc.depends_on("ntlmssp"), "{name}: {:?}", svc.depend_on_service);
        assert_eq!(svc.start_mode, Some(StartMode::Automatic));
    }
    for name in [
        "MSExchangeServiceHost",
        "MSExchangeRepl",
        "MSExchangeSearch",
        "MSExchangeMailSubmission",
    ] {
        let svc = s.service(name).unwrap_or_else(|| panic!("{name}"));
        assert!(!svc.depends_on("NtLmSsp"), "{name}");
    }
    let is = s.service("msexchangeis").unwrap_or_else(|| panic!("IS"));
    assert_eq!(
        is.depend_on_service,
        vec!["MSExchangeSA", "RPCSS", "LanmanServer", "LanmanWorkstation", "NtLmSsp"]
    );
    assert_eq!(is.display_name.as_deref(), Some("Microsoft Exchange Information Store"));
    assert_eq!(
        is.image_path.as_deref(),
        Some("\"C:\\Program Files\\Microsoft\\Exchange Server\\bin\\store.exe\"")
    );
    let dependants: Vec<&str> = services
        .exchange()
        .filter(|svc| svc.depends_on("NtLmSsp"))
        .map(|svc| svc.name.as_str())
        .collect();
    assert_eq!(dependants, vec!["MSExchangeIS", "MSExchangeSA"]);
    assert_eq!(
        s.time_zone.as_ref().and_then(|t| t.key_name.as_deref()),
        Some("Pacific Standard Time")
    );
    assert_eq!(s.time_zone.as_ref().and_then(|t| t.utc_offset_minutes()), Some(-480));
    assert_eq!(s.remote_streaming_backup.as_ref().map(|r| r.value), Some(0));
    assert!(!s.pending_reboot.pending);
    assert_eq!(s.exchange[0].roles.len(), 2);
}

#[test]
fn excas03_prerequisite_gaps_single_label_domain_pending_reboot() {
    let s = state("prereq-gaps");
    assert_eq!(s.identity.domain.as_deref(), Some("CORP"));
    assert_eq!(s.identity.single_label_domain, Some(true));
    assert_eq!(s.identity.fqdn.as_deref(), Some("EXCAS03.CORP"));
    let dotnet = s.prerequisites.dotnet20().unwrap_or_else(|| panic!(".NET 2.0"));
    assert_eq!((dotnet.install, dotnet.sp), (Some(1), Some(0)));
    assert_eq!(s.prerequisites.powershell, None);
    assert!(s.coverage.software);
    assert!(!s.prerequisites.has_hotfix("KB926139"));
    assert!(s.prerequisites.has_hotfix("kb931836"));
    assert_eq!(s.prerequisites.iis.as_ref().and_then(|i| i.major_version), Some(6));
    assert!(s.pending_reboot.pending);
    let renames = &s.pending_reboot.file_rename_operations;
    assert_eq!(renames.len(), 6);
    assert_eq!(renames[0], "\\??\\C:\\WINDOWS\\system32\\drivers\\SET3A.tmp");
    assert_eq!(renames[5], "");
    assert_eq!(s.pending_reboot.update_exe_volatile_flags, Some(0));
    assert!(!s.pending_reboot.cbs_reboot_pending);
    // Readiness failed before anything was unpacked: no Exchange keys at all.
    assert!(s.exchange.is_empty());
    assert!(!s.coverage.exchange);
    assert!(s
        .services
        .as_ref()
        .is_some_and(|sv| sv.ntlmssp_present && sv.exchange().count() == 0));
    assert_eq!(
        s.service("W3SVC").and_then(|w| w.start_mode),
        Some(StartMode::Automatic)
    );
    assert_eq!(s.time_zone.as_ref().and_then(|t| t.bias), Some(300));
}

#[test]
fn excas03_windows_export_is_regedit4_windows_1252() {
    let dir = common::samples_dir().join("prereq-gaps");
    let bytes = std::fs::read(dir.join("windows.reg")).unwrap_or_default();
    assert!(bytes.starts_with(b"REGEDIT4\r\n"));
    assert!(bytes.windows(4).any(|w| w == b"J\xfcrg"));
    let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let view = RegistryView::from_files(&[("windows.reg", &file)]);
    let owner = view
        .value(
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
            "RegisteredOwner",
        )
        .and_then(|v| v.data.as_str().map(str::to_string));
    assert_eq!(owner.as_deref(), Some("Jürgen Müller"));
}

#[test]
fn upgrade_order_hosts_builds() {
    let cas = state("upgrade-order/EXCAS11");
    let mbx = state("upgrade-order/EXMBX12");
    let hub = state("upgrade-order/EXHUB13");
    assert_eq!(cas.exchange_build(), Some(build("8.0.685.25")));
    assert_eq!(cas.exchange_build().and_then(|b| b.level()).as_deref(), Some("RTM"));
    assert_eq!(cas.exchange[0].roles[1].name, "ClientAccessRole");
    assert_eq!(cas.exchange[0].roles[1].state, RoleState::Configured);
    assert_eq!(mbx.exchange_build(), Some(build("8.1.240.6")));
    assert!(mbx.exchange_build() > cas.exchange_build());
    assert_eq!(mbx.exchange[0].roles[1].name, "MailboxRole");
    assert_eq!(hub.exchange[0].roles[1].name, "HubTransportRole");
    assert_eq!(hub.exchange[0].roles[1].configured_level.as_deref(), Some("SP1"));
    // EXHUB13 was exported through ControlSet001 with SYSTEM\Select.
    assert_eq!(hub.control_set, 1);
    assert_eq!(
        hub.services.as_ref().map(|s| s.key.as_str()),
        Some("HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services")
    );
    assert_eq!(hub.identity.fqdn.as_deref(), Some("EXHUB13.fabrikam.com"));
    assert!(hub
        .service("MSExchangeTransport")
        .is_some_and(|t| t.depends_on("NtLmSsp")));
    assert_eq!(
        hub.time_zone.as_ref().and_then(|t| t.standard_name.as_deref()),
        Some("Central Standard Time")
    );
}

#[test]
fn exmbx05_healthy_host() {
    let s = state("healthy");
    assert_eq!(s.identity.fqdn.as_deref(), Some("EXMBX05.contoso.com"));
    assert!(!s.identity.rename_pending);
    assert_eq!(s.prerequisites.dotnet20().and_then(|d| d.sp), Some(1));
    let ps = s
        .prerequisites
        .powershell
        .as_ref()
        .unwrap_or_else(|| panic!("PowerShell"));
    assert_eq!((ps.install, ps.version.as_deref()), (Some(1), Some("1.0")));
    assert_eq!(s.prerequisites.iis.as_ref().and_then(|i| i.major_version), Some(7));
    assert!(!s.pending_reboot.pending);
    assert!(s.pending_reboot.markers.is_empty());
    assert!(s.exchange[0]
        .roles
        .iter()
        .all(|r| matches!(r.state, RoleState::Configured | RoleState::Installed)));
    assert_eq!(s.exchange[0].roles.len(), 4);
    let services = s.services.as_ref().unwrap_or_else(|| panic!("services"));
    assert!(!services.ntlmssp_present);
    assert_eq!(services.exchange().count(), 17);
    assert!(services.exchange().all(|svc| !svc.depends_on("NtLmSsp")));
    assert!(services
        .exchange()
        .all(|svc| matches!(svc.start_mode, Some(StartMode::Automatic | StartMode::Manual))));
    assert_eq!(s.remote_streaming_backup.as_ref().map(|r| r.value), Some(0));
    let tz = s.time_zone.as_ref().unwrap_or_else(|| panic!("tz"));
    assert_eq!(tz.key_name.as_deref(), Some("GMT Standard Time"));
    assert_eq!(tz.active_time_bias, Some(-60));
    assert_eq!(tz.daylight_bias, Some(-60));
    assert_eq!(
        tz.daylight_start.map(|r| (r.month, r.week, r.day_of_week, r.hour)),
        Some((3, 5, 0, 1))
    );
    assert!(s.event_log_custom_sd.is_some());
    // The state serializes for the JSON report.
    let json = serde_json::to_value(&s).unwrap_or_default();
    assert_eq!(json["exchange"][0]["roles"][3]["configured_build"], "8.1.240.6");
    assert_eq!(json["services"]["list"][0]["start_mode"], "automatic");
}

#[test]
fn exhub04_crl_stall_host() {
    let s = state("crl-stall");
    assert_eq!(
        s.os.as_ref().and_then(|o| o.edition_id.as_deref()),
        Some("ServerStandard")
    );
    let roles: Vec<(&str, RoleState)> = s.exchange[0].roles.iter().map(|r| (r.name.as_str(), r.state)).collect();
    assert_eq!(
        roles,
        vec![
            ("AdminTools", RoleState::Installed),
            ("ClientAccessRole", RoleState::Configured),
            ("HubTransportRole", RoleState::Configured)
        ]
    );
    assert_eq!(s.time_zone.as_ref().and_then(|t| t.active_time_bias), Some(-120));
}

#[test]
fn every_sample_export_is_exact_regedit_layout() {
    for folder in [
        "ntlmssp-inplace-upgrade",
        "sp1-interrupted",
        "prereq-gaps",
        "crl-stall",
        "upgrade-order/EXCAS11",
        "upgrade-order/EXMBX12",
        "upgrade-order/EXHUB13",
        "healthy",
    ] {
        for (path, file) in load(folder) {
            assert!(file.keys.len() > 3, "{path}");
            let bytes = std::fs::read(Path::new(&path)).unwrap_or_default();
            let text = if bytes.starts_with(&[0xFF, 0xFE]) {
                let units: Vec<u16> = bytes[2..]
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                bytes.iter().map(|&b| char::from(b)).collect()
            };
            assert!(!text.replace("\r\n", "").contains('\n'), "{path}: bare LF");
            assert!(text.ends_with("\r\n\r\n"), "{path}");
            for line in text.split("\r\n") {
                if line.starts_with('[') {
                    continue;
                }
                if line.contains("=hex") || line.starts_with("  ") {
                    assert!(line.chars().count() <= 80, "{path}: {line}");
                }
            }
        }
    }
}

#[test]
fn parse_command_prints_values_as_jsonl() {
    let path = common::samples_dir().join("sp1-interrupted/exchange.reg");
    let out = common::exdoctor(&["parse", &path.display().to_string()]);
    assert!(out.status.success());
    let text = common::stdout_text(&out);
    let watermark = text
        .lines()
        .find(|l| l.contains("\"name\":\"Watermark\""))
        .unwrap_or_else(|| panic!("no Watermark line in {text}"));
    let v: serde_json::Value = serde_json::from_str(watermark).unwrap_or_default();
    assert_eq!(v["record"], "value");
    assert_eq!(
        v["key"],
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole"
    );
    assert_eq!(v["type"], "REG_SZ");
    assert_eq!(v["data"], "5b3d6f0e");
    assert_eq!(text.lines().count(), 20 + 3);
}

#[test]
fn analyze_command_reports_the_host_state_of_a_file() {
    let path = common::samples_dir().join("prereq-gaps/services.reg");
    let out = common::exdoctor(&["analyze", "--format", "json", &path.display().to_string()]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_str(&common::stdout_text(&out)).unwrap_or_default();
    let details = &doc["hosts"][0]["sources"][0]["details"];
    assert_eq!(details["encoding"], "utf-16le");
    assert_eq!(details["host_state"]["identity"]["domain"], "CORP");
    assert_eq!(details["host_state"]["identity"]["single_label_domain"], true);
    assert_eq!(details["host_state"]["services"]["ntlmssp_present"], true);
    let text = common::stdout_text(&common::exdoctor(&["analyze", &path.display().to_string()]));
    assert!(
        text.contains("host: EXCAS03 (FQDN EXCAS03.CORP), single-label domain"),
        "{text}"
    );
}

#[test]
fn every_sample_host_is_x64() {
    for folder in [
        "healthy",
        "sp1-interrupted",
        "prereq-gaps",
        "crl-stall",
        "ntlmssp-inplace-upgrade",
        "upgrade-order/EXCAS11",
    ] {
        let files = load(folder);
        let refs: Vec<(&str, &RegFile<'_>)> = files.iter().map(|(p, f)| (p.as_str(), f)).collect();
        let state = host_state_from_files(&refs);
        assert_eq!(
            state.os.as_ref().and_then(|o| o.architecture.as_deref()),
            Some("AMD64"),
            "{folder}"
        );
    }
}
