//! Windows facts: identity (name, domain, FQDN), OS version, prerequisites (.NET,
//! PowerShell, IIS, hotfixes), pending-reboot markers and the time zone.

use serde::{Deserialize, Serialize};

use super::SourceRef;
use crate::registry::view::RegistryView;

/// `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`.
pub(super) const CURRENT_VERSION_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
/// System environment variables (`PROCESSOR_ARCHITECTURE`).
pub(super) const ENVIRONMENT_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";
/// `Services\Tcpip\Parameters`.
pub(super) const TCPIP_KEY: &str = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters";
/// `Control\ComputerName\ComputerName`.
pub(super) const COMPUTER_NAME_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName";
/// `Control\ComputerName\ActiveComputerName`.
pub(super) const ACTIVE_COMPUTER_NAME_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName";
/// `NET Framework Setup\NDP`.
pub(super) const NDP_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP";
/// `PowerShell\1`.
pub(super) const POWERSHELL_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PowerShell\\1";
/// `InetStp`.
pub(super) const IIS_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\InetStp";
/// `SOFTWARE\Microsoft\Updates`.
pub(super) const UPDATES_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates";
/// `Control\Session Manager`.
pub(super) const SESSION_MANAGER_KEY: &str = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager";
/// `Updates\UpdateExeVolatile`.
pub(super) const UPDATE_EXE_VOLATILE_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\UpdateExeVolatile";
/// `Component Based Servicing\RebootPending`.
pub(super) const CBS_REBOOT_PENDING_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending";
/// `WindowsUpdate\Auto Update\RebootRequired`.
pub(super) const WU_REBOOT_REQUIRED_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired";
/// `Control\TimeZoneInformation`.
pub(super) const TIME_ZONE_KEY: &str = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation";

/// Names of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ComputerName\ComputerName` `ComputerName` (NetBIOS name).
    pub computer_name: Option<String>,
    /// `ActiveComputerName` `ComputerName`.
    pub active_computer_name: Option<String>,
    /// Tcpip `Hostname`.
    pub hostname: Option<String>,
    /// Tcpip `Domain` (primary DNS suffix; empty string = none).
    pub domain: Option<String>,
    /// Tcpip `NV Hostname` (name after the next reboot).
    pub nv_hostname: Option<String>,
    /// Tcpip `NV Domain`.
    pub nv_domain: Option<String>,
    /// `Hostname.Domain` (host name falls back to the computer name); `None` when the
    /// domain is missing or empty.
    pub fqdn: Option<String>,
    /// The domain has no dot (`CORP`); `None` when no domain is known.
    pub single_label_domain: Option<bool>,
    /// `NV Hostname`/`NV Domain` differ from the live values, or the computer name
    /// differs from the active one: a rename waits for a reboot.
    pub rename_pending: bool,
    /// File and line of the Tcpip `Parameters` key (else of the computer name key).
    pub source: Option<SourceRef>,
}

/// Windows version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `ProductName`.
    pub product_name: Option<String>,
    /// `CurrentVersion` (5.2, 6.0, 6.1 ...).
    pub current_version: Option<String>,
    /// `CurrentBuildNumber` (3790, 6001 ...).
    pub build_number: Option<u32>,
    /// `CSDVersion`, e.g. "Service Pack 2".
    pub csd_version: Option<String>,
    /// The service pack number from `CSDVersion` (0 without one).
    pub service_pack: u32,
    /// `EditionID` when present.
    pub edition_id: Option<String>,
    /// Server family from `CurrentVersion`: "Windows Server 2003", "Windows Server 2008"...
    pub family: Option<String>,
    /// File and line of the `CurrentVersion` key.
    pub source: Option<SourceRef>,
    /// `PROCESSOR_ARCHITECTURE` of the system environment (`AMD64`, `x86`, `IA64`), when exported.
    pub architecture: Option<String>,
    /// File and line of that value.
    pub architecture_source: Option<SourceRef>,
}

impl OsInfo {
    /// `CurrentVersion` as (major, minor).
    pub fn version(&self) -> Option<(u32, u32)> {
        let v = self.current_version.as_deref()?;
        let (major, minor) = v.split_once('.')?;
        Some((major.trim().parse().ok()?, minor.trim().parse().ok()?))
    }
}

/// One .NET Framework version key under `NDP`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DotNet {
    /// The key name, e.g. `v2.0.50727`.
    pub version_key: String,
    /// `Install`.
    pub install: Option<u32>,
    /// `SP`.
    pub sp: Option<u32>,
    /// `Version` when present.
    pub version: Option<String>,
    /// File and line of the key.
    pub source: Option<SourceRef>,
}

/// Windows PowerShell 1.0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerShell {
    /// `PowerShell\1` `Install`.
    pub install: Option<u32>,
    /// `PowerShell\1\PowerShellEngine` `PowerShellVersion`.
    pub version: Option<String>,
    /// File and line of the key.
    pub source: Option<SourceRef>,
}

/// IIS (`InetStp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Iis {
    /// `MajorVersion` (6 on 2003, 7 on 2008).
    pub major_version: Option<u32>,
    /// `MinorVersion`.
    pub minor_version: Option<u32>,
    /// File and line of the key.
    pub source: Option<SourceRef>,
}

/// A hotfix key under `SOFTWARE\Microsoft\Updates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotfix {
    /// The key name, e.g. `KB926139`.
    pub id: String,
    /// The product key, e.g. "Windows Server 2003".
    pub product: String,
    /// The service-pack level key, e.g. `SP2` (`None` when the hotfix is directly
    /// under the product).
    pub level: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `InstalledDate`.
    pub installed_date: Option<String>,
}

/// Prerequisites of Exchange setup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prerequisites {
    /// Every `NDP\v*` key.
    pub dotnet: Vec<DotNet>,
    /// `PowerShell\1` (`None` when the key is absent).
    pub powershell: Option<PowerShell>,
    /// `InetStp` (`None` when the key is absent).
    pub iis: Option<Iis>,
    /// Hotfixes, in key order.
    pub hotfixes: Vec<Hotfix>,
}

impl Prerequisites {
    /// The .NET 2.0 key (`v2.0.50727`).
    pub fn dotnet20(&self) -> Option<&DotNet> {
        self.dotnet
            .iter()
            .find(|d| d.version_key.eq_ignore_ascii_case("v2.0.50727"))
    }

    /// Whether a hotfix with this id (e.g. "KB926139") is listed.
    pub fn has_hotfix(&self, id: &str) -> bool {
        self.hotfixes.iter().any(|h| h.id.eq_ignore_ascii_case(id))
    }
}

/// The pending-reboot markers (KNOWLEDGE 1.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReboot {
    /// Any marker below is set.
    pub pending: bool,
    /// `Session Manager` `PendingFileRenameOperations` (source, target pairs; a
    /// target of "" = delete), empty when the value is absent.
    pub file_rename_operations: Vec<String>,
    /// Where `PendingFileRenameOperations` was read.
    pub file_rename_source: Option<SourceRef>,
    /// `Updates\UpdateExeVolatile` `Flags` (pending when != 0).
    pub update_exe_volatile_flags: Option<u32>,
    /// `Component Based Servicing\RebootPending` exists.
    pub cbs_reboot_pending: bool,
    /// `WindowsUpdate\Auto Update\RebootRequired` exists.
    pub windows_update_reboot_required: bool,
    /// The key paths of the markers that are set (for evidence).
    pub markers: Vec<String>,
    /// File and line of each marker, parallel to `markers`.
    pub marker_sources: Vec<Option<SourceRef>>,
}

/// A daylight-saving transition rule (`SYSTEMTIME` in "day-in-month" form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRule {
    /// Month 1-12.
    pub month: u16,
    /// Week of the month 1-5 (5 = last).
    pub week: u16,
    /// Day of the week, 0 = Sunday.
    pub day_of_week: u16,
    /// Local hour of the change.
    pub hour: u16,
    /// Minute of the change.
    pub minute: u16,
}

/// `Control\TimeZoneInformation`. Biases are minutes, UTC = local + bias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZone {
    /// `TimeZoneKeyName` (Vista/2008+), e.g. "Pacific Standard Time".
    pub key_name: Option<String>,
    /// `StandardName` (a display name on 2003, localized; `@tzres.dll,-NNN` on 2008).
    pub standard_name: Option<String>,
    /// `DaylightName`.
    pub daylight_name: Option<String>,
    /// `Bias` (e.g. 480 for UTC-8, -60 for UTC+1).
    pub bias: Option<i32>,
    /// `StandardBias`.
    pub standard_bias: Option<i32>,
    /// `DaylightBias` (usually -60).
    pub daylight_bias: Option<i32>,
    /// `ActiveTimeBias` at export time.
    pub active_time_bias: Option<i32>,
    /// `StandardStart` (return to standard time), `None` without DST.
    pub standard_start: Option<TransitionRule>,
    /// `DaylightStart`, `None` without DST.
    pub daylight_start: Option<TransitionRule>,
}

impl TimeZone {
    /// The best name: `TimeZoneKeyName`, else `StandardName`.
    pub fn name(&self) -> Option<&str> {
        self.key_name.as_deref().or(self.standard_name.as_deref())
    }

    /// The standard-time offset from UTC in minutes (UTC+1 = 60).
    pub fn utc_offset_minutes(&self) -> Option<i32> {
        Some(-(self.bias? + self.standard_bias.unwrap_or(0)))
    }
}

pub(super) fn identity(view: &RegistryView) -> Identity {
    let tcpip = view.key(TCPIP_KEY);
    let text = |name: &str| tcpip.and_then(|k| k.text_value(name));
    // An empty Domain is meaningful (no primary DNS suffix): keep "" apart from absent.
    let raw = |name: &str| tcpip.and_then(|k| k.str_value(name)).map(|s| s.trim().to_string());
    let computer_name = view.key(COMPUTER_NAME_KEY).and_then(|k| k.text_value("ComputerName"));
    let active_computer_name = view
        .key(ACTIVE_COMPUTER_NAME_KEY)
        .and_then(|k| k.text_value("ComputerName"));
    let hostname = text("Hostname");
    let domain = raw("Domain");
    let nv_hostname = text("NV Hostname");
    let nv_domain = raw("NV Domain");
    let host = hostname.clone().or_else(|| computer_name.clone());
    let fqdn = match (&host, &domain) {
        (Some(h), Some(d)) if !d.is_empty() => Some(format!("{h}.{d}")),
        _ => None,
    };
    let single_label_domain = domain.as_deref().filter(|d| !d.is_empty()).map(|d| !d.contains('.'));
    let differs = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
        _ => false,
    };
    let rename_pending = differs(&nv_hostname, &hostname)
        || differs(&nv_domain, &domain)
        || differs(&computer_name, &active_computer_name);
    let source = tcpip
        .and_then(|k| k.origin())
        .or_else(|| view.key(COMPUTER_NAME_KEY).and_then(|k| k.origin()));
    Identity {
        source: SourceRef::from_origin(view, source),
        computer_name,
        active_computer_name,
        hostname,
        domain,
        nv_hostname,
        nv_domain,
        fqdn,
        single_label_domain,
        rename_pending,
    }
}

pub(super) fn os(view: &RegistryView) -> Option<OsInfo> {
    let key = view.key(CURRENT_VERSION_KEY)?;
    let architecture = view
        .key(ENVIRONMENT_KEY)
        .and_then(|k| k.value("PROCESSOR_ARCHITECTURE"));
    let current_version = key.text_value("CurrentVersion");
    let csd_version = key.text_value("CSDVersion");
    let service_pack = csd_version
        .as_deref()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let family = current_version.as_deref().and_then(|v| {
        Some(match v.trim() {
            "5.0" => "Windows 2000 Server",
            "5.2" => "Windows Server 2003",
            "6.0" => "Windows Server 2008",
            "6.1" => "Windows Server 2008 R2",
            "6.2" => "Windows Server 2012",
            "6.3" => "Windows Server 2012 R2 or later",
            _ => return None,
        })
    });
    Some(OsInfo {
        product_name: key.text_value("ProductName"),
        build_number: key.text_value("CurrentBuildNumber").and_then(|s| s.parse().ok()),
        csd_version,
        service_pack,
        edition_id: key.text_value("EditionID"),
        family: family.map(str::to_string),
        current_version,
        source: SourceRef::from_origin(view, key.origin()),
        architecture: architecture.as_ref().and_then(|v| v.data.as_str()).map(str::to_string),
        architecture_source: architecture.and_then(|v| SourceRef::from_origin(view, Some(v.origin))),
    })
}

pub(super) fn prerequisites(view: &RegistryView) -> Prerequisites {
    let dotnet = view
        .key(NDP_KEY)
        .map(|ndp| {
            ndp.subkeys()
                .filter(|k| k.name().starts_with(['v', 'V']))
                .map(|k| DotNet {
                    version_key: k.name().to_string(),
                    install: k.u32_value("Install"),
                    sp: k.u32_value("SP"),
                    version: k.text_value("Version"),
                    source: SourceRef::from_origin(view, k.origin()),
                })
                .collect()
        })
        .unwrap_or_default();
    let powershell = view.key(POWERSHELL_KEY).map(|k| PowerShell {
        install: k.u32_value("Install"),
        version: k
            .subkey("PowerShellEngine")
            .and_then(|e| e.text_value("PowerShellVersion")),
        source: SourceRef::from_origin(view, k.origin()),
    });
    let iis = view.key(IIS_KEY).map(|k| Iis {
        major_version: k.u32_value("MajorVersion"),
        minor_version: k.u32_value("MinorVersion"),
        source: SourceRef::from_origin(view, k.origin()),
    });
    Prerequisites {
        dotnet,
        powershell,
        iis,
        hotfixes: hotfixes(view),
    }
}

fn is_hotfix_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    (upper.starts_with("KB") || upper.starts_with('Q')) && upper.chars().skip(1).any(|c| c.is_ascii_digit())
}

fn hotfixes(view: &RegistryView) -> Vec<Hotfix> {
    let Some(updates) = view.key(UPDATES_KEY) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for product in updates.subkeys() {
        for child in product.subkeys() {
            let (level, fixes): (Option<String>, Vec<_>) = if is_hotfix_name(child.name()) {
                (None, vec![child])
            } else {
                (
                    Some(child.name().to_string()),
                    child.subkeys().filter(|k| is_hotfix_name(k.name())).collect(),
                )
            };
            for fix in fixes {
                out.push(Hotfix {
                    id: fix.name().to_string(),
                    product: product.name().to_string(),
                    level: level.clone(),
                    description: fix.text_value("Description"),
                    installed_date: fix.text_value("InstalledDate"),
                });
            }
        }
    }
    out
}

pub(super) fn pending_reboot(view: &RegistryView) -> PendingReboot {
    let mut state = PendingReboot::default();
    if let Some(session) = view.key(SESSION_MANAGER_KEY) {
        if let Some(value) = session.value("PendingFileRenameOperations") {
            state.file_rename_operations = session.multi_value("PendingFileRenameOperations").unwrap_or_default();
            state.file_rename_source = SourceRef::from_origin(view, Some(value.origin));
            if !state.file_rename_operations.is_empty() {
                state
                    .markers
                    .push(format!("{}\\PendingFileRenameOperations", session.path()));
                state.marker_sources.push(state.file_rename_source.clone());
            }
        }
    }
    if let Some(volatile) = view.key(UPDATE_EXE_VOLATILE_KEY) {
        state.update_exe_volatile_flags = volatile.u32_value("Flags");
        if state.update_exe_volatile_flags.is_some_and(|f| f != 0) {
            state.markers.push(format!("{}\\Flags", volatile.path()));
            let origin = volatile.value("Flags").map(|v| v.origin);
            state.marker_sources.push(SourceRef::from_origin(view, origin));
        }
    }
    if let Some(key) = view.key(CBS_REBOOT_PENDING_KEY) {
        state.cbs_reboot_pending = true;
        state.markers.push(key.path().to_string());
        state.marker_sources.push(SourceRef::from_origin(view, key.origin()));
    }
    if let Some(key) = view.key(WU_REBOOT_REQUIRED_KEY) {
        state.windows_update_reboot_required = true;
        state.markers.push(key.path().to_string());
        state.marker_sources.push(SourceRef::from_origin(view, key.origin()));
    }
    state.pending = !state.markers.is_empty();
    state
}

fn transition(bytes: Option<&[u8]>) -> Option<TransitionRule> {
    let bytes = bytes?;
    let word = |i: usize| -> Option<u16> { Some(u16::from_le_bytes([*bytes.get(i)?, *bytes.get(i + 1)?])) };
    let rule = TransitionRule {
        month: word(2)?,
        day_of_week: word(4)?,
        week: word(6)?,
        hour: word(8)?,
        minute: word(10)?,
    };
    (rule.month != 0).then_some(rule)
}

pub(super) fn time_zone(view: &RegistryView) -> Option<TimeZone> {
    let key = view.key(TIME_ZONE_KEY)?;
    // Biases are DWORDs holding signed minutes.
    let signed = |name: &str| key.u32_value(name).map(|v| v as i32);
    let bytes = |name: &str| key.value(name).and_then(|v| v.data.as_bytes());
    Some(TimeZone {
        key_name: key.text_value("TimeZoneKeyName"),
        standard_name: key.text_value("StandardName"),
        daylight_name: key.text_value("DaylightName"),
        bias: signed("Bias"),
        standard_bias: signed("StandardBias"),
        daylight_bias: signed("DaylightBias"),
        active_time_bias: signed("ActiveTimeBias"),
        standard_start: transition(bytes("StandardStart")),
        daylight_start: transition(bytes("DaylightStart")),
    })
}
