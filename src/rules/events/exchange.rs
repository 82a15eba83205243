//! The Exchange 2007 services: service key, display name (what SCM events carry), image,
//! and how much their failure matters. Lookups are case-insensitive by key or display
//! name.

use super::services::shown;

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

/// How reports name a service: `Microsoft Exchange Information Store (MSExchangeIS)`,
/// other names escaped and cut for display.
pub(crate) fn label(name: &str) -> String {
    match lookup(name) {
        Some(s) => format!("{} ({})", s.display, s.key),
        None => shown(name),
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
    fn services_are_found_by_key_and_display_name() {
        assert_eq!(lookup("msexchangeis").map(|s| s.key), Some("MSExchangeIS"));
        assert_eq!(
            lookup("Microsoft Exchange Information Store").map(|s| s.critical),
            Some(true)
        );
        assert!(lookup("Print Spooler").is_none());
        assert_eq!(
            label("MSExchangeSA"),
            "Microsoft Exchange System Attendant (MSExchangeSA)"
        );
        assert_eq!(label("Fax\u{7}"), "Fax\\u{7}");
        assert_eq!(key_or_name("Microsoft Exchange Transport"), "MSExchangeTransport");
    }
}
