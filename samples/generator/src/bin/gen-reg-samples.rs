//! Writes the registry exports (`.reg`) of the sample hosts described in
//! `samples/README.md` with the regedit writer of [`exdoctor_samples::registry`]. One
//! file (`prereq-gaps/windows.reg`) is a `REGEDIT4` export in the ANSI code page.
//!
//! Usage: `cargo run -p exdoctor-samples --bin gen-reg-samples [SAMPLES_DIR]`
//! (default: the `samples/` folder of the repository).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use exdoctor_samples::registry::{
    admin_tools, configured, exchange_export, render, services_export, windows_exports, Export, Format, Os, RegHost,
    Role, RoleKey, Tz, RTM, SP1,
};
use exdoctor_samples::scenarios::{BACKUP_AGENT, VIRUS_SCANNER};

// ---------------------------------------------------------------------------------
// Hosts
// ---------------------------------------------------------------------------------

fn tz_pacific() -> Tz {
    Tz {
        key_name: "Pacific Standard Time",
        standard_name: "@tzres.dll,-212",
        daylight_name: "@tzres.dll,-211",
        bias: 480,
        active_bias: 420,
        standard_start: (11, 1, 0, 2),
        daylight_start: (3, 2, 0, 2),
    }
}

fn tz_central(active_bias: i32) -> Tz {
    Tz {
        key_name: "Central Standard Time",
        standard_name: "Central Standard Time",
        daylight_name: "Central Daylight Time",
        bias: 360,
        active_bias,
        standard_start: (11, 1, 0, 2),
        daylight_start: (3, 2, 0, 2),
    }
}

fn hosts() -> Vec<(&'static str, RegHost<'static>)> {
    let mailbox_sp1 = || vec![admin_tools(SP1), configured("MailboxRole", SP1)];
    vec![
        (
            "ntlmssp-inplace-upgrade",
            RegHost {
                name: "EXMBX01",
                domain: "contoso.com",
                os: Os::W2008 { enterprise: true },
                tz: tz_pacific(),
                roles: vec![Role::Mailbox],
                role_keys: mailbox_sp1(),
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: true,
                ntlmssp_removed_from: &["MSExchangeServiceHost", "MSExchangeRepl", "MSExchangeSearch"],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: Some(0),
                registered_owner: "Contoso IT",
                ip: "10.10.1.21",
                dns: "10.10.1.10",
                format_windows: Format::V5,
            },
        ),
        (
            "sp1-interrupted",
            RegHost {
                name: "EXMBX02",
                domain: "beispiel.de",
                os: Os::W2003 {
                    r2: true,
                    enterprise: true,
                },
                tz: Tz {
                    key_name: "W. Europe Standard Time",
                    standard_name: "Westeuropäische Normalzeit",
                    daylight_name: "Westeuropäische Sommerzeit",
                    bias: -60,
                    active_bias: -60,
                    standard_start: (10, 5, 0, 3),
                    daylight_start: (3, 5, 0, 2),
                },
                roles: vec![Role::Mailbox, Role::Hub, Role::Cas],
                role_keys: vec![
                    admin_tools(SP1),
                    configured("ClientAccessRole", SP1),
                    configured("HubTransportRole", SP1),
                    RoleKey {
                        name: "MailboxRole",
                        unpacked: SP1,
                        configured: Some(RTM),
                        action: Some("BuildToBuildUpgrade"),
                        watermark: Some("5b3d6f0e"),
                    },
                ],
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: true,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: None,
                registered_owner: "Beispiel GmbH",
                ip: "192.168.20.12",
                dns: "192.168.20.5",
                format_windows: Format::V5,
            },
        ),
        (
            "prereq-gaps",
            RegHost {
                name: "EXCAS03",
                domain: "CORP",
                os: Os::W2003 {
                    r2: false,
                    enterprise: false,
                },
                tz: Tz {
                    key_name: "Eastern Standard Time",
                    standard_name: "Eastern Standard Time",
                    daylight_name: "Eastern Daylight Time",
                    bias: 300,
                    active_bias: 300,
                    standard_start: (11, 1, 0, 2),
                    daylight_start: (3, 2, 0, 2),
                },
                roles: vec![Role::Cas, Role::Hub],
                role_keys: vec![],
                msi: None,
                installed_on_2003: true,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 0,
                powershell: false,
                pending_file_renames: true,
                control_set_paths: false,
                remote_streaming_backup: None,
                registered_owner: "Jürgen Müller",
                ip: "172.16.5.23",
                dns: "172.16.5.10",
                format_windows: Format::Regedit4,
            },
        ),
        (
            "crl-stall",
            RegHost {
                name: "EXHUB04",
                domain: "contoso.com",
                os: Os::W2008 { enterprise: false },
                tz: Tz {
                    key_name: "Romance Standard Time",
                    standard_name: "@tzres.dll,-302",
                    daylight_name: "@tzres.dll,-301",
                    bias: -60,
                    active_bias: -120,
                    standard_start: (10, 5, 0, 3),
                    daylight_start: (3, 5, 0, 2),
                },
                roles: vec![Role::Hub, Role::Cas],
                role_keys: vec![
                    admin_tools(SP1),
                    configured("ClientAccessRole", SP1),
                    configured("HubTransportRole", SP1),
                ],
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: false,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: None,
                registered_owner: "Contoso IT",
                ip: "10.40.1.24",
                dns: "10.40.1.10",
                format_windows: Format::V5,
            },
        ),
        (
            "upgrade-order/EXCAS11",
            RegHost {
                name: "EXCAS11",
                domain: "fabrikam.com",
                os: Os::W2003 {
                    r2: false,
                    enterprise: false,
                },
                tz: tz_central(360),
                roles: vec![Role::Cas],
                role_keys: vec![admin_tools(RTM), configured("ClientAccessRole", RTM)],
                msi: Some((8, 0, 685, 25)),
                installed_on_2003: true,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: None,
                registered_owner: "Fabrikam",
                ip: "10.60.0.31",
                dns: "10.60.0.10",
                format_windows: Format::V5,
            },
        ),
        (
            "upgrade-order/EXMBX12",
            RegHost {
                name: "EXMBX12",
                domain: "fabrikam.com",
                os: Os::W2003 {
                    r2: false,
                    enterprise: true,
                },
                tz: tz_central(360),
                roles: vec![Role::Mailbox],
                role_keys: mailbox_sp1(),
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: true,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: Some(0),
                registered_owner: "Fabrikam",
                ip: "10.60.0.32",
                dns: "10.60.0.10",
                format_windows: Format::V5,
            },
        ),
        (
            "upgrade-order/EXHUB13",
            RegHost {
                name: "EXHUB13",
                domain: "fabrikam.com",
                os: Os::W2003 {
                    r2: false,
                    enterprise: false,
                },
                tz: tz_central(360),
                roles: vec![Role::Hub],
                role_keys: vec![admin_tools(SP1), configured("HubTransportRole", SP1)],
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: true,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: true,
                remote_streaming_backup: None,
                registered_owner: "Fabrikam",
                ip: "10.60.0.33",
                dns: "10.60.0.10",
                format_windows: Format::V5,
            },
        ),
        (
            "healthy",
            RegHost {
                name: "EXMBX05",
                domain: "contoso.com",
                os: Os::W2008 { enterprise: true },
                tz: Tz {
                    key_name: "GMT Standard Time",
                    standard_name: "@tzres.dll,-112",
                    daylight_name: "@tzres.dll,-111",
                    bias: 0,
                    active_bias: -60,
                    standard_start: (10, 5, 0, 2),
                    daylight_start: (3, 5, 0, 1),
                },
                roles: vec![Role::Mailbox, Role::Hub, Role::Cas],
                role_keys: vec![
                    admin_tools(SP1),
                    configured("ClientAccessRole", SP1),
                    configured("HubTransportRole", SP1),
                    configured("MailboxRole", SP1),
                ],
                msi: Some((8, 1, 240, 6)),
                installed_on_2003: false,
                ntlmssp_removed_from: &[],
                dotnet20_sp: 1,
                powershell: true,
                pending_file_renames: false,
                control_set_paths: false,
                remote_streaming_backup: Some(0),
                registered_owner: "Contoso IT",
                ip: "10.50.1.25",
                dns: "10.50.1.10",
                format_windows: Format::V5,
            },
        ),
    ]
}

/// The backup agent and the virus scanner of `sp1-interrupted/` (fictitious products),
/// exported after the interrupted upgrade: the agent automatic, the scanner still
/// disabled as the administrator left it before SP1.
fn hooked_services(services: &mut Export) {
    let hooked = [
        (
            "NwBackupAgent",
            BACKUP_AGENT,
            2,
            "\"C:\\Program Files\\Northwind\\Backup\\nwagent.exe\"",
            "Backs up Exchange storage groups and files for the Northwind backup server.",
        ),
        (
            "PswAvExchange",
            VIRUS_SCANNER,
            4,
            "\"C:\\Program Files\\Proseware\\AV for Exchange\\pswavex.exe\"",
            "Scans Exchange mail for viruses (VSAPI and transport agents).",
        ),
    ];
    for (key, display, start, image, description) in hooked {
        services
            .key(key)
            .dword("Type", 0x10)
            .dword("Start", start)
            .dword("ErrorControl", 1)
            .expand("ImagePath", image)
            .sz("DisplayName", display)
            .sz("ObjectName", "LocalSystem")
            .sz("Description", description);
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

fn main() -> Result<()> {
    let samples = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    for (folder, host) in hosts() {
        let dir = samples.join(folder);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if let Some(ex) = exchange_export(&host) {
            write(&dir.join("exchange.reg"), &render(&[ex], Format::V5))?;
        }
        let mut services = services_export(&host);
        if folder == "sp1-interrupted" {
            hooked_services(&mut services);
        }
        write(&dir.join("services.reg"), &render(&[services], Format::V5))?;
        write(
            &dir.join("windows.reg"),
            &render(&windows_exports(&host), host.format_windows),
        )?;
    }
    Ok(())
}
