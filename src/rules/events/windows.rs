//! Windows services the event rules name: service key, the display names SCM events
//! carry (they changed between Windows versions), the process image when the service
//! runs in a process of its own (services hosted by svchost.exe or lsass.exe share a
//! process, so a crash report of that process does not name them), and whether Exchange
//! depends on the service.

/// One Windows service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WindowsService {
    /// Service key under `HKLM\SYSTEM\CurrentControlSet\Services`.
    pub key: &'static str,
    /// Display names, newest first.
    pub displays: &'static [&'static str],
    /// Executable of its own process, when it has one.
    pub image: Option<&'static str>,
    /// Exchange 2007 needs it (its own dependencies, IIS, RPC, directory access).
    pub exchange_needs: bool,
}

const fn win(
    key: &'static str,
    displays: &'static [&'static str],
    image: Option<&'static str>,
    exchange_needs: bool,
) -> WindowsService {
    WindowsService {
        key,
        displays,
        image,
        exchange_needs,
    }
}

/// The Windows services Exchange depends on, and common ones seen failing beside them.
pub(crate) const SERVICES: &[WindowsService] = &[
    win(
        "W3SVC",
        &["World Wide Web Publishing Service", "World Wide Web Publishing"],
        None,
        true,
    ),
    win("IISADMIN", &["IIS Admin Service"], Some("inetinfo.exe"), true),
    win("WAS", &["Windows Process Activation Service"], None, true),
    win("RpcSs", &["Remote Procedure Call (RPC)"], None, true),
    win("LanmanServer", &["Server"], None, true),
    win("LanmanWorkstation", &["Workstation"], None, true),
    win("Netlogon", &["Netlogon", "Net Logon"], None, true),
    win("EventLog", &["Windows Event Log", "Event Log"], None, true),
    win("WinMgmt", &["Windows Management Instrumentation"], None, true),
    win(
        "MSDTC",
        &["Distributed Transaction Coordinator"],
        Some("msdtc.exe"),
        true,
    ),
    win("RemoteRegistry", &["Remote Registry"], None, true),
    win("HTTPFilter", &["HTTP SSL"], None, true),
    win("MpsSvc", &["Windows Firewall", "Windows Defender Firewall"], None, true),
    win("NtLmSsp", &["NT LM Security Support Provider"], None, true),
    win("ClusSvc", &["Cluster Service"], Some("clussvc.exe"), true),
    win("W32Time", &["Windows Time"], None, true),
    win("Spooler", &["Print Spooler"], Some("spoolsv.exe"), false),
    win("NlaSvc", &["Network Location Awareness"], None, false),
    win("netprofm", &["Network List Service"], None, false),
    win("iphlpsvc", &["IP Helper"], None, false),
    win("Dnscache", &["DNS Client"], None, false),
    win("Dhcp", &["DHCP Client"], None, false),
    win("BITS", &["Background Intelligent Transfer Service"], None, false),
    win("wuauserv", &["Windows Update", "Automatic Updates"], None, false),
    win(
        "TermService",
        &["Remote Desktop Services", "Terminal Services"],
        None,
        false,
    ),
    win("SNMP", &["SNMP Service"], Some("snmp.exe"), false),
    win(
        "WinDefend",
        &["Windows Defender Antivirus Service", "Windows Defender"],
        Some("MsMpEng.exe"),
        false,
    ),
];

/// The Windows service called `name` (key or a display name, case-insensitive).
pub(crate) fn lookup(name: &str) -> Option<&'static WindowsService> {
    let name = name.trim();
    SERVICES
        .iter()
        .find(|s| s.key.eq_ignore_ascii_case(name) || s.displays.iter().any(|d| d.eq_ignore_ascii_case(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_found_by_key_and_every_display_name() {
        assert_eq!(lookup("print spooler").map(|s| s.image), Some(Some("spoolsv.exe")));
        assert_eq!(lookup("Event Log").map(|s| s.key), Some("EventLog"));
        assert_eq!(lookup("Windows Event Log").map(|s| s.exchange_needs), Some(true));
        assert_eq!(lookup("netprofm").map(|s| s.exchange_needs), Some(false));
        assert!(lookup("outmgo").is_none());
    }
}
