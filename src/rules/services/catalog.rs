//! Catalog entries of the services and event-log family.

use crate::model::{RuleInfo, Severity};

/// `service-crash`.
pub const SERVICE_CRASH: &str = "service-crash";
/// `service-start-failure`.
pub const SERVICE_START_FAILURE: &str = "service-start-failure";
/// `service-dependency-missing`.
pub const SERVICE_DEPENDENCY_MISSING: &str = "service-dependency-missing";
/// `ntlmssp-dependency`.
pub const NTLMSSP_DEPENDENCY: &str = "ntlmssp-dependency";
/// `msi-install-failed`.
pub const MSI_INSTALL_FAILED: &str = "msi-install-failed";
/// `exchange-setup-component-failed`.
pub const EXCHANGE_SETUP_COMPONENT_FAILED: &str = "exchange-setup-component-failed";
/// `unexpected-shutdown-during-setup`.
pub const UNEXPECTED_SHUTDOWN_DURING_SETUP: &str = "unexpected-shutdown-during-setup";
/// `ad-topology-failure`.
pub const AD_TOPOLOGY_FAILURE: &str = "ad-topology-failure";
/// `event-log-gap`.
pub const EVENT_LOG_GAP: &str = "event-log-gap";

/// Remediation of a start failure caused by the Authenticode CRL check (KB944752).
pub(crate) const CRL_REMEDIATION: &[&str] = &[
    "The managed Exchange services wait for the Authenticode certificate revocation (CRL) check of their signed assemblies; without internet access it times out and SCM gives up after 30 seconds (KB944752).",
    "Let the server reach the CRL URL (crl.microsoft.com) through the proxy: proxycfg -u (Windows 2003) or netsh winhttp set proxy (Windows 2008).",
    "Or disable publisher evidence: <generatePublisherEvidence enabled=\"false\"/> in the <runtime> section of each Exchange service's .exe.config, then start the services.",
    "Or turn off \"Check for publisher's certificate revocation\" (Internet Options, Advanced) for the accounts running setup and the services.",
];

/// Catalog entries of this family.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: SERVICE_CRASH,
        title: "A service terminated unexpectedly",
        severity: Severity::Error,
        description: "SCM 7031/7034 (the service terminated unexpectedly), joined within a minute with the crash \
                      reports of its process: Application Error 1000 (faulting module, exception code; 0xE0434F4D \
                      is an unhandled .NET exception), Windows Error Reporting 1001, MSExchange Common 4999 (Watson \
                      parameters: E12, architecture, build, process, module, method, exception) and .NET Runtime \
                      2.0 Error Reporting 5000. Critical for the Information Store, System Attendant, Transport \
                      and AD Topology services. A 4999 with S.ServiceProcess.TimeoutException is not a crash but \
                      a start timeout (see service-start-failure).",
        remediation: &[
            "Read the crash reports of the first crash: the faulting module and exception code (Application Error 1000), the .NET exception and method (MSExchange Common 4999 / .NET Runtime 5000).",
            "Exception 0xE0434F4D means an unhandled .NET exception: the 4999 Watson parameters name it; look for the configuration it complains about (AD access, permissions, missing dependency, corrupt config file).",
            "Check what changed before the first crash (updates, an OS upgrade, service dependencies edited by hand, rollups) and apply the latest Exchange update rollup of the installed service pack.",
            "Start the service again once the cause is fixed and confirm it stays running (SCM 7036 without a following 7031/7034).",
        ],
        references: &["Exchange 2007 Watson event 4999", "netevent.mc (SCM 7031/7034)"],
    },
    RuleInfo {
        id: SERVICE_START_FAILURE,
        title: "A service failed to start",
        severity: Severity::Error,
        description: "SCM 7000/7009/7011/7022/7023/7024 grouped per service. When several managed Exchange services \
                      time out at start (%%1053, 30000 ms), the Authenticode CRL check is timing out on a server \
                      without internet access (KB944752); a single failure next to MSExchange ADAccess topology \
                      errors is reported as ad-topology-failure. Failures explained by a missing dependency are \
                      reported under that dependency.",
        remediation: &[
            "Read the error of the failure (%%1053 timeout, %%1069 logon failure, a service-specific error) and the events of the service just before it.",
            "Fix the cause (account password, disabled dependency, configuration) and start the service: net start <service>.",
            "If several Exchange services time out at start on a server without internet access, follow KB944752 (CRL check): allow crl.microsoft.com through the proxy or set generatePublisherEvidence to false.",
        ],
        references: &["KB944752", "netevent.mc (SCM 7000/7009/7011/7022/7023/7024)"],
    },
    RuleInfo {
        id: SERVICE_DEPENDENCY_MISSING,
        title: "A service depends on a service that does not exist",
        severity: Severity::Error,
        description: "SCM 7003 (the service depends on a nonexistent service) or 7001 with %%1075: the service \
                      lists in DependOnService a service that is not installed, so it and every service depending \
                      on it cannot start. The dependants' 7001 events are evidence of this one root cause.",
        remediation: &[
            "Show the service's dependencies: sc qc <service> (DEPENDENCIES).",
            "Install or repair the missing service if it should exist; otherwise correct the list: sc config <service> depend= <service1>/<service2> (the complete list without the missing one).",
            "Start the service, then its dependants: net start <service>.",
        ],
        references: &["sc config (dependencies)", "netevent.mc (SCM 7001/7003)"],
    },
    RuleInfo {
        id: NTLMSSP_DEPENDENCY,
        title: "Exchange services depend on NtLmSsp: Windows upgraded in place under Exchange 2007",
        severity: Severity::Critical,
        description: "Exchange 2007 services still list NtLmSsp in DependOnService, a service Windows Server 2008 no \
                      longer has: SCM 7003 names NtLmSsp and the dependants fail with 7001 %%1075. This is the \
                      signature of an in-place upgrade of Windows Server 2003 to 2008 under an installed Exchange \
                      2007 (EventLog 6009 banners 5.02 then 6.00 on the same host), which is not supported \
                      (KB951402). Affected per KB951402: System Attendant, Information Store, Service Host, \
                      Transport, Anti-spam Update, File Distribution, Mail Submission, Search Indexer, Replication, \
                      Microsoft Search (Exchange).",
        remediation: &[
            "The server is in an unsupported state: an in-place upgrade of the operating system under Exchange 2007 is not supported (KB951402).",
            "Back up the databases and the server's configuration first.",
            "Rebuild the server on a clean installation of Windows Server 2008 with Exchange 2007 SP1 or later: move the mailboxes to another server, or use database portability, or reinstall with setup /m:RecoverServer on a server of the same name.",
            "Removing NtLmSsp from the services' dependencies (sc config <service> depend= ...) only gets some services started and is not a fix; other services then crash.",
        ],
        references: &["KB951402"],
    },
    RuleInfo {
        id: MSI_INSTALL_FAILED,
        title: "Windows Installer failed to install a product",
        severity: Severity::Error,
        description: "MsiInstaller 11708 (installation operation failed) or 1033/1036 with a non-zero status \
                      (1603 fatal error, 1612 installation source not available, 1618 another installation in \
                      progress), correlated with the setup run it happened in.",
        remediation: &[
            "Look up the status: 1603 = fatal error during installation (see the verbose MSI log: setup writes ExchangeSetupLogs\\*.msilog), 1612 = the installation source is not available (run setup from the full media path), 1618 = another installation is in progress (wait for it or reboot).",
            "Fix the cause and run Exchange setup again in the same mode.",
        ],
        references: &["Windows Installer error codes (1603, 1612, 1618)"],
    },
    RuleInfo {
        id: EXCHANGE_SETUP_COMPONENT_FAILED,
        title: "Exchange setup reported a failed component or never completed",
        severity: Severity::Error,
        description: "MSExchangeSetup 1002 (Exchange Server component %1 failed, error %2), or a 1000 (setup \
                      started, build %1) without the 1001 (completed) that a successful run writes.",
        remediation: &[
            "Open ExchangeSetupLogs\\ExchangeSetup.log at the time of the event: the first [ERROR] of that run is the cause; for a missing 1001 the log's last lines show where setup stopped.",
            "Fix the cause and run setup again in the same mode (setup.com /mode:<mode>); it resumes from the watermark.",
        ],
        references: &["Exchange setup application events (MSExchangeSetup 1000/1001/1002)"],
    },
    RuleInfo {
        id: UNEXPECTED_SHUTDOWN_DURING_SETUP,
        title: "The server went down during an Exchange setup run",
        severity: Severity::Error,
        description: "EventLog 6008 (the previous system shutdown was unexpected; logged at the next boot) or a \
                      USER32 1074 restart inside the time window of a setup run: setup was cut off in the \
                      middle of its tasks, leaving the role half configured.",
        remediation: &[
            "Find out why the server went down (power, bugcheck: System log around the shutdown, memory dumps; a restart by a person or a program: USER32 1074).",
            "Do not delete the setup watermark; run setup again in the same mode (for a service pack: setup.com /mode:upgrade) so it resumes the interrupted role.",
        ],
        references: &["Exchange Team blog: How does Exchange 2007 setup know to resume a failed setup? (2007-05-21)"],
    },
    RuleInfo {
        id: AD_TOPOLOGY_FAILURE,
        title: "Exchange cannot discover Active Directory",
        severity: Severity::Critical,
        description: "MSExchange ADAccess 2114 (topology discovery failed), 2102 (all domain controllers in use \
                      are not responding), 2090 or 2138: the AD Topology service found no usable domain \
                      controller or global catalog, so no Exchange service can work.",
        remediation: &[
            "Check DNS and the domain controllers the server uses: nltest /dsgetdc:<domain>, dcdiag, and that the site has a reachable global catalog.",
            "Check that the Exchange server is a member of the Exchange Servers group and that \"Manage auditing and security log\" (SeSecurityPrivilege) is granted to Exchange Servers in the Default Domain Controllers Policy.",
            "Restart the Microsoft Exchange Active Directory Topology service and confirm discovery succeeds (ADAccess 2080).",
        ],
        references: &["MSExchange ADAccess 2114/2102"],
    },
    RuleInfo {
        id: EVENT_LOG_GAP,
        title: "Event log has missing or unreadable records",
        severity: Severity::Warning,
        description: "Record numbers of the event log are not continuous, or records or chunks could not be \
                      decoded: events may be missing from the analysis (input integrity, not a server problem).",
        remediation: &[
            "Collect the log again from the server (wevtutil epl System System.evtx, or Save As in Event Viewer) and analyze the new copy.",
            "If the log on the server itself is damaged, also export it as XML (wevtutil qe System /f:xml) so the readable records survive.",
        ],
        references: &[],
    },
];
