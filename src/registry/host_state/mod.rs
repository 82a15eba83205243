//! The state of one host as read from its registry exports: identity, OS, Exchange
//! roles and builds, services, prerequisites, pending reboot, time zone and the few
//! settings the rules look at. Built from a [`RegistryView`]; serializable for the
//! JSON report. Fields are `None`/empty when the exports do not contain the key: see
//! [`Coverage`] to tell "not exported" from "absent on the host".

mod exchange;
mod services;
mod system;

use exdoctor_parsers::reg::RegFile;
use serde::{Deserialize, Serialize};

use super::build::Build;
use super::view::{Origin, RegistryView};

pub use exchange::{ExchangeInstall, ExchangeRole, MsiSetup, RoleState};
pub use services::{ServiceInfo, Services, StartMode};
pub use system::{
    DotNet, Hotfix, Identity, Iis, OsInfo, PendingReboot, PowerShell, Prerequisites, TimeZone, TransitionRule,
};

/// `HKLM\SYSTEM\CurrentControlSet\Services`.
pub const SERVICES_KEY: &str = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services";
/// `HKLM\SOFTWARE\Microsoft`.
pub const MICROSOFT_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft";
/// The key of the Remote Streaming Backup setting.
pub const STREAMING_BACKUP_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeIS\\ParametersSystem";
/// The value name of the Remote Streaming Backup setting.
pub const STREAMING_BACKUP_VALUE: &str = "Enable Remote Streaming Backup";
/// The Application event log key (CustomSD).
pub const EVENTLOG_APPLICATION_KEY: &str =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application";

/// Which parts of the registry the exports contain, so rules can tell a missing key
/// from one that was not collected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// `Windows NT\CurrentVersion` is present.
    pub os: bool,
    /// Some key under `HKLM\SOFTWARE\Microsoft` other than the Exchange keys was
    /// exported (prerequisite checks are meaningful).
    pub software: bool,
    /// The `Services` key has subkeys (service checks are meaningful).
    pub services: bool,
    /// `SOFTWARE\Microsoft\Exchange` or `...\ExchangeServer` was exported.
    pub exchange: bool,
}

/// A file and line, for evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The export's path.
    pub file: String,
    /// 1-based line of the key or value.
    pub line: u64,
}

impl SourceRef {
    fn from_origin(view: &RegistryView, origin: Option<Origin>) -> Option<SourceRef> {
        let origin = origin?;
        Some(SourceRef {
            file: view.sources().get(origin.source)?.clone(),
            line: origin.line,
        })
    }
}

/// A DWORD setting with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DwordSetting {
    /// Key path.
    pub key: String,
    /// Value name.
    pub name: String,
    /// The value.
    pub value: u32,
    /// File and line.
    pub source: Option<SourceRef>,
}

/// A string setting with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSetting {
    /// Key path.
    pub key: String,
    /// Value name.
    pub name: String,
    /// The value.
    pub value: String,
    /// File and line.
    pub source: Option<SourceRef>,
}

/// Everything the registry exports tell about one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostState {
    /// The export files, in the order they were merged.
    pub sources: Vec<String>,
    /// What the exports cover.
    pub coverage: Coverage,
    /// The control set `CurrentControlSet` resolved to.
    pub control_set: u32,
    /// Computer name, host name, domain, FQDN.
    pub identity: Identity,
    /// Windows version (`None` when `Windows NT\CurrentVersion` is not exported).
    pub os: Option<OsInfo>,
    /// Exchange installations per version key (`v8.0`, `v14`, `v15`), in that order.
    pub exchange: Vec<ExchangeInstall>,
    /// `HKLM\SOFTWARE\Microsoft\Exchange\Setup` (also holds Exchange 2003 leftovers).
    pub exchange_setup: Option<MsiSetup>,
    /// Services (`None` when the `Services` key was not exported).
    pub services: Option<Services>,
    /// .NET, PowerShell, IIS, hotfixes.
    pub prerequisites: Prerequisites,
    /// The four pending-reboot markers.
    pub pending_reboot: PendingReboot,
    /// `Control\TimeZoneInformation`.
    pub time_zone: Option<TimeZone>,
    /// `MSExchangeIS\ParametersSystem` "Enable Remote Streaming Backup" (absent = `None`).
    pub remote_streaming_backup: Option<DwordSetting>,
    /// `EventLog\Application` `CustomSD` (SDDL), when set.
    pub event_log_custom_sd: Option<TextSetting>,
}

impl HostState {
    /// Reads the host state from a merged view.
    pub fn from_view(view: &RegistryView) -> HostState {
        let exchange = exchange::installs(view);
        let services = services::services(view);
        let coverage = Coverage {
            os: view.key(system::CURRENT_VERSION_KEY).is_some(),
            software: view.key(MICROSOFT_KEY).is_some_and(|k| {
                k.subkeys().any(|s| {
                    !s.name().eq_ignore_ascii_case("Exchange") && !s.name().eq_ignore_ascii_case("ExchangeServer")
                })
            }),
            services: services.as_ref().is_some_and(|s| !s.list.is_empty()),
            exchange: view.key(exchange::EXCHANGE_KEY).is_some() || view.key(exchange::EXCHANGE_SERVER_KEY).is_some(),
        };
        HostState {
            sources: view.sources().to_vec(),
            coverage,
            control_set: view.control_set(),
            identity: system::identity(view),
            os: system::os(view),
            exchange,
            exchange_setup: exchange::msi_setup(view, exchange::LEGACY_SETUP_KEY),
            services,
            prerequisites: system::prerequisites(view),
            pending_reboot: system::pending_reboot(view),
            time_zone: system::time_zone(view),
            remote_streaming_backup: dword_setting(view, STREAMING_BACKUP_KEY, STREAMING_BACKUP_VALUE),
            event_log_custom_sd: text_setting(view, EVENTLOG_APPLICATION_KEY, "CustomSD"),
        }
    }

    /// The host's short name: Tcpip `Hostname`, else `ComputerName`.
    pub fn host_name(&self) -> Option<&str> {
        self.identity
            .hostname
            .as_deref()
            .or(self.identity.computer_name.as_deref())
    }

    /// The highest configured Exchange build of any role (unpacked when none is
    /// configured), with the MSI build as a fallback.
    pub fn exchange_build(&self) -> Option<Build> {
        let configured = self
            .exchange
            .iter()
            .flat_map(|i| &i.roles)
            .filter_map(|r| r.configured_build)
            .max();
        let unpacked = || {
            self.exchange
                .iter()
                .flat_map(|i| &i.roles)
                .filter_map(|r| r.unpacked_build)
                .max()
        };
        let msi = || self.exchange.iter().filter_map(|i| i.setup.as_ref()?.build).max();
        configured.or_else(unpacked).or_else(msi)
    }

    /// The service called `name` (case-insensitive).
    pub fn service(&self, name: &str) -> Option<&ServiceInfo> {
        self.services.as_ref()?.get(name)
    }
}

fn dword_setting(view: &RegistryView, key: &str, name: &str) -> Option<DwordSetting> {
    let node = view.key(key)?;
    let value = node.value(name)?;
    Some(DwordSetting {
        key: node.path().to_string(),
        name: value.name.clone(),
        value: value.data.as_u32()?,
        source: SourceRef::from_origin(view, Some(value.origin)),
    })
}

fn text_setting(view: &RegistryView, key: &str, name: &str) -> Option<TextSetting> {
    let node = view.key(key)?;
    let value = node.value(name)?;
    Some(TextSetting {
        key: node.path().to_string(),
        name: value.name.clone(),
        value: value.data.as_str()?.to_string(),
        source: SourceRef::from_origin(view, Some(value.origin)),
    })
}

/// Builds the host state of one host from its parsed exports, given as
/// `(source path, parsed file)` in the order they should be merged (later files win on
/// conflicts).
pub fn host_state_from_files<'f, 'a: 'f>(files: &[(&str, &'f RegFile<'a>)]) -> HostState {
    HostState::from_view(&RegistryView::from_files(files))
}

#[cfg(test)]
mod tests;
