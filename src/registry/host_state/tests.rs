//! Host-state extraction on small hand-written exports: the cases the sample hosts do
//! not cover (Exchange 2010/2013+, every reboot marker, renames, control sets).

use exdoctor_parsers::reg::parse_reg;

use super::*;

fn state_of(text: &str) -> HostState {
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    host_state_from_files(&[("t.reg", &file)])
}

#[test]
fn exchange_2010_and_2013_roles_and_legacy_setup() {
    let s = state_of(
        "REGEDIT4\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\MailboxRole]\r\n\
         \"ConfiguredVersion\"=\"15.1.2106.2\"\r\n\"UnpackedVersion\"=\"15.1.2375.7\"\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\UnifiedMessagingRole]\r\n\
         \"UnpackedVersion\"=\"15.1.2375.7\"\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup]\r\n\
         \"MsiInstallPath\"=\"D:\\\\Exchange\\\\\"\r\n\"MsiProductMajor\"=dword:0000000f\r\n\
         \"MsiProductMinor\"=dword:00000001\r\n\"MsiBuildMajor\"=dword:00000947\r\n\"MsiBuildMinor\"=dword:00000007\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v14\\HubTransportRole]\r\n\
         \"Action\"=\"Install\"\r\n\"Watermark\"=\"CafeComponent___e1130a13\"\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v14\\Misc]\r\n\"x\"=\"y\"\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup]\r\n\
         \"MsiProductMajor\"=dword:00000006\r\n\"MsiProductMinor\"=dword:00000005\r\n\
         \"MsiBuildMajor\"=dword:00001c44\r\n\"MsiBuildMinor\"=dword:00000000\r\n",
    );
    let keys: Vec<&str> = s.exchange.iter().map(|i| i.version_key.as_str()).collect();
    assert_eq!(keys, vec!["v14", "v15"]);
    let v14 = &s.exchange[0];
    assert_eq!(v14.product, "Exchange 2010");
    assert_eq!(v14.roles.len(), 1, "Misc is no role key");
    assert_eq!(v14.roles[0].state, RoleState::Incomplete);
    assert_eq!(v14.roles[0].action.as_deref(), Some("Install"));
    let v15 = &s.exchange[1];
    assert_eq!(v15.roles[0].state, RoleState::VersionMismatch);
    assert_eq!(v15.roles[1].state, RoleState::Unconfigured);
    assert_eq!(v15.roles[0].install_path.as_deref(), Some("D:\\Exchange\\"));
    let msi = v15.setup.as_ref().and_then(|m| m.build);
    assert_eq!(msi.map(|b| b.to_string()).as_deref(), Some("15.1.2375.7"));
    assert_eq!(msi.and_then(|b| b.name()).as_deref(), Some("Exchange 2016"));
    // Highest configured build wins over unpacked ones.
    assert_eq!(
        s.exchange_build().map(|b| b.to_string()).as_deref(),
        Some("15.1.2106.2")
    );
    let legacy = s.exchange_setup.as_ref().and_then(|m| m.build);
    assert_eq!(legacy.map(|b| b.to_string()).as_deref(), Some("6.5.7236.0"));
    assert!(s.coverage.exchange);
}

#[test]
fn every_pending_reboot_marker() {
    let s = state_of(
        "REGEDIT4\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\UpdateExeVolatile]\r\n\"Flags\"=dword:00000001\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending]\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired]\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager]\r\n\
         \"PendingFileRenameOperations\"=hex(7):00\r\n",
    );
    let p = &s.pending_reboot;
    assert!(p.pending);
    assert_eq!(p.update_exe_volatile_flags, Some(1));
    assert!(p.cbs_reboot_pending);
    assert!(p.windows_update_reboot_required);
    // An empty PendingFileRenameOperations is no marker.
    assert!(p.file_rename_operations.is_empty());
    assert!(p.file_rename_source.is_some());
    assert_eq!(p.markers.len(), 3);
    assert!(p.markers[0].ends_with("UpdateExeVolatile\\Flags"));
}

#[test]
fn identity_rename_pending_and_missing_domain() {
    let s = state_of(
        "REGEDIT4\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\
         \"Hostname\"=\"OLDNAME\"\r\n\"NV Hostname\"=\"NEWNAME\"\r\n\"Domain\"=\"\"\r\n\"NV Domain\"=\"\"\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\
         \"ComputerName\"=\"NEWNAME\"\r\n",
    );
    let id = &s.identity;
    assert_eq!(s.host_name(), Some("OLDNAME"));
    assert_eq!(id.domain.as_deref(), Some(""));
    assert_eq!(id.fqdn, None);
    assert_eq!(id.single_label_domain, None);
    assert!(id.rename_pending);
}

#[test]
fn control_set_from_select_and_signed_biases() {
    let s = state_of(
        "REGEDIT4\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\"Current\"=dword:00000002\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\MSExchangeIS]\r\n\"Start\"=dword:00000002\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\MSExchangeIS]\r\n\"Start\"=dword:00000004\r\n\
         \"DependOnService\"=hex(7):4e,74,4c,6d,53,73,70,00,00\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\MSExchangeIS\\ParametersSystem]\r\n\
         \"Enable Remote Streaming Backup\"=dword:00000001\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\EventLog\\Application]\r\n\
         \"CustomSD\"=\"O:BAG:SYD:(D;;0xf0007;;;AN)\"\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Control\\TimeZoneInformation]\r\n\
         \"Bias\"=dword:ffffffc4\r\n\"StandardName\"=\"W. Europe Standard Time\"\r\n\
         \"DaylightBias\"=dword:ffffffc4\r\n\"DaylightStart\"=hex:00,00,03,00,00,00,05,00,02,00,00,00,00,00,00,00\r\n\
         \"StandardStart\"=hex:00,00,00,00\r\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\Windows Server 2003\\KB123456]\r\n\
         \"Description\"=\"Hotfix\"\r\n",
    );
    assert_eq!(s.control_set, 2);
    let is = s.service("MSExchangeIS").unwrap_or_else(|| panic!("IS"));
    assert_eq!(is.start_mode, Some(StartMode::Disabled));
    assert!(is.depends_on("NTLMSSP"));
    assert!(is.exchange);
    let rsb = s.remote_streaming_backup.as_ref().unwrap_or_else(|| panic!("RSB"));
    assert_eq!(rsb.value, 1);
    assert!(rsb.key.contains("ControlSet002"));
    assert_eq!(rsb.source.as_ref().map(|r| r.line), Some(10));
    assert_eq!(
        s.event_log_custom_sd.as_ref().map(|c| c.value.as_str()),
        Some("O:BAG:SYD:(D;;0xf0007;;;AN)")
    );
    let tz = s.time_zone.as_ref().unwrap_or_else(|| panic!("tz"));
    assert_eq!((tz.bias, tz.daylight_bias), (Some(-60), Some(-60)));
    assert_eq!(tz.utc_offset_minutes(), Some(60));
    assert_eq!(tz.name(), Some("W. Europe Standard Time"));
    assert_eq!(
        tz.daylight_start,
        Some(TransitionRule {
            month: 3,
            week: 5,
            day_of_week: 0,
            hour: 2,
            minute: 0
        })
    );
    assert_eq!(tz.standard_start, None, "too short / month 0 = no rule");
    let fix = &s.prerequisites.hotfixes[0];
    assert_eq!((fix.id.as_str(), fix.level.as_deref()), ("KB123456", None));
    assert!(!s.coverage.os);
    assert!(s.coverage.software);
}
