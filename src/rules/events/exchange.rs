//! The Exchange 2007 services: service key, display name (what SCM events carry), image,
//! and how much their failure matters. Lookups are case-insensitive by key or display
//! name, and by process name for crash reports.

/// One Exchange 2007 service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExchangeService {
    /// Service key under `HKLM\SYSTEM\CurrentControlSet\Services`.
    pub key: &'static str,
    /// Display name, as SCM events name the service.
    pub display: &'static str,
    /// Executable in the Exchange `Bin` folder.
    pub image: &'static str,
    /// A crash of this service stops mail flow or the mailbox databases.
    pub critical: bool,
    /// A .NET service: its start waits for the Authenticode CRL check (KB944752).
    pub managed: bool,
}

const fn svc(
    key: &'static str,
    display: &'static str,
    image: &'static str,
    critical: bool,
    managed: bool,
) -> ExchangeService {
    ExchangeService {
        key,
        display,
        image,
        critical,
        managed,
    }
}

/// The Exchange 2007 services of every role.
pub(crate) const SERVICES: &[ExchangeService] = &[
    svc(
        "MSExchangeADTopology",
        "Microsoft Exchange Active Directory Topology Service",
        "Microsoft.Exchange.Directory.TopologyService.exe",
        true,
        true,
    ),
    svc(
        "MSExchangeSA",
        "Microsoft Exchange System Attendant",
        "mad.exe",
        true,
        false,
    ),
    svc(
        "MSExchangeIS",
        "Microsoft Exchange Information Store",
        "store.exe",
        true,
        false,
    ),
    svc(
        "MSExchangeTransport",
        "Microsoft Exchange Transport",
        "MSExchangeTransport.exe",
        true,
        true,
    ),
    svc(
        "MSExchangeServiceHost",
        "Microsoft Exchange Service Host",
        "Microsoft.Exchange.ServiceHost.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeAntispamUpdate",
        "Microsoft Exchange Anti-spam Update",
        "Microsoft.Exchange.AntispamUpdateSvc.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeEdgeSync",
        "Microsoft Exchange EdgeSync",
        "Microsoft.Exchange.EdgeSyncSvc.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeFDS",
        "Microsoft Exchange File Distribution",
        "MSExchangeFDS.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeMailSubmission",
        "Microsoft Exchange Mail Submission",
        "MSExchangeMailSubmission.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeMailboxAssistants",
        "Microsoft Exchange Mailbox Assistants",
        "MSExchangeMailboxAssistants.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeSearch",
        "Microsoft Exchange Search Indexer",
        "Microsoft.Exchange.Search.ExSearch.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeRepl",
        "Microsoft Exchange Replication Service",
        "MSExchangeRepl.exe",
        false,
        true,
    ),
    svc(
        "msftesql-Exchange",
        "Microsoft Search (Exchange)",
        "msftesql.exe",
        false,
        false,
    ),
    svc(
        "MSExchangeTransportLogSearch",
        "Microsoft Exchange Transport Log Search",
        "MSExchangeTransportLogSearch.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeUM",
        "Microsoft Exchange Unified Messaging",
        "umservice.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeIMAP4",
        "Microsoft Exchange IMAP4",
        "Microsoft.Exchange.Imap4Service.exe",
        false,
        true,
    ),
    svc(
        "MSExchangePOP3",
        "Microsoft Exchange POP3",
        "Microsoft.Exchange.Pop3Service.exe",
        false,
        true,
    ),
    svc(
        "MSExchangeMonitoring",
        "Microsoft Exchange Monitoring",
        "Microsoft.Exchange.Monitoring.exe",
        false,
        true,
    ),
    svc(
        "ADAM_MSExchange",
        "Microsoft Exchange ADAM",
        "dsamain.exe",
        false,
        false,
    ),
];

/// The Exchange service called `name` (key or display name, case-insensitive).
pub(crate) fn lookup(name: &str) -> Option<&'static ExchangeService> {
    let name = name.trim();
    SERVICES
        .iter()
        .find(|s| s.key.eq_ignore_ascii_case(name) || s.display.eq_ignore_ascii_case(name))
}

/// `store.exe`, `C:\...\store.exe` or `store` -> `store`.
pub(crate) fn process_stem(process: &str) -> String {
    let file = process.rsplit(['\\', '/']).next().unwrap_or(process).trim();
    let lower = file.to_ascii_lowercase();
    lower.strip_suffix(".exe").map(str::to_owned).unwrap_or(lower)
}

/// Whether a crash report's process (`store.exe`, `msexchangerepl`, ...) is the service
/// `name`: its image or its key for an Exchange service, its name without spaces otherwise.
pub(crate) fn is_process_of(process: &str, name: &str) -> bool {
    let stem = process_stem(process);
    if stem.is_empty() {
        return false;
    }
    match lookup(name) {
        Some(s) => stem == process_stem(s.image) || stem.eq_ignore_ascii_case(s.key),
        None => stem == name.replace(' ', "").to_ascii_lowercase(),
    }
}

/// The grouping key of a service named `name`: its Exchange key, else its lowercase name.
pub(crate) fn group_key(name: &str) -> String {
    lookup(name).map_or_else(|| name.trim().to_ascii_lowercase(), |s| s.key.to_ascii_lowercase())
}

/// How reports name a service: `Microsoft Exchange Information Store (MSExchangeIS)`.
pub(crate) fn label(name: &str) -> String {
    match lookup(name) {
        Some(s) => format!("{} ({})", s.display, s.key),
        None => name.trim().to_string(),
    }
}

/// The service key when known, else the name as found.
pub(crate) fn key_or_name(name: &str) -> String {
    lookup(name).map_or_else(|| name.trim().to_string(), |s| s.key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_found_by_key_display_name_and_process() {
        assert_eq!(lookup("msexchangeis").map(|s| s.key), Some("MSExchangeIS"));
        assert_eq!(
            lookup("Microsoft Exchange Information Store").map(|s| s.critical),
            Some(true)
        );
        assert!(lookup("Print Spooler").is_none());
        assert!(is_process_of(
            "Microsoft.Exchange.ServiceHost.exe",
            "Microsoft Exchange Service Host"
        ));
        assert!(is_process_of(
            "msexchangerepl",
            "Microsoft Exchange Replication Service"
        ));
        assert!(is_process_of("C:\\Bin\\store.exe", "MSExchangeIS"));
        assert!(!is_process_of("store.exe", "Microsoft Exchange Search Indexer"));
        assert!(is_process_of("spoolsv", "spoolsv"));
        assert_eq!(
            label("MSExchangeSA"),
            "Microsoft Exchange System Attendant (MSExchangeSA)"
        );
        assert_eq!(group_key("Microsoft Exchange Transport"), "msexchangetransport");
    }
}
