//! Catalog entries of the host-state (registry) family.

use crate::model::{RuleInfo, Severity};

/// `role-half-upgraded`.
pub const ROLE_HALF_UPGRADED: &str = "role-half-upgraded";
/// `prereq-missing`.
pub const PREREQ_MISSING: &str = "prereq-missing";
/// `pending-reboot`.
pub const PENDING_REBOOT: &str = "pending-reboot";
/// `single-label-domain`.
pub const SINGLE_LABEL_DOMAIN: &str = "single-label-domain";
/// `fqdn-missing`.
pub const FQDN_MISSING: &str = "fqdn-missing";
/// `exchange-service-disabled`.
pub const EXCHANGE_SERVICE_DISABLED: &str = "exchange-service-disabled";
/// `remote-streaming-backup-disabled`.
pub const REMOTE_STREAMING_BACKUP_DISABLED: &str = "remote-streaming-backup-disabled";
/// `event-log-customsd`.
pub const EVENT_LOG_CUSTOMSD: &str = "event-log-customsd";

/// Catalog entries of this family (`setup-watermark` and `ntlmssp-dependency` found in
/// the registry reuse the entries of `setup_runs` and `services`).
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: ROLE_HALF_UPGRADED,
        title: "Exchange role is half-upgraded",
        severity: Severity::Error,
        description: "The role's registry key (HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\<Role>, or \
                      ExchangeServer\\v14|v15) has an UnpackedVersion different from its ConfiguredVersion, or an \
                      UnpackedVersion without any ConfiguredVersion: setup copied the files of one build but \
                      configured the role only up to another (or never). The role runs on binaries it was not \
                      configured for until setup completes. AdminTools has no ConfiguredVersion and is not checked.",
        remediation: &[
            "Run setup.com /mode:upgrade (from the media of the UnpackedVersion build) again on this server.",
            "Repeat until ConfiguredVersion equals UnpackedVersion in the role key; when a run fails, the first [ERROR] of its ExchangeSetup.log is the cause to fix first.",
            "Do not edit UnpackedVersion/ConfiguredVersion by hand.",
        ],
        references: &["Fix Exchange Server 2007 Setup failures using the registry (2008)"],
    },
    RuleInfo {
        id: PREREQ_MISSING,
        title: "An Exchange setup prerequisite is missing",
        severity: Severity::Error,
        description: "The registry shows a prerequisite of the server's Exchange target (Exchange 2007 SP1 unless \
                      the server runs Exchange 2010 or later) missing: .NET Framework 2.0 SP1 (NDP\\v2.0.50727 \
                      Install=1, SP>=1), Windows PowerShell 1.0 (PowerShell\\1 Install=1), Windows Server 2003 SP2 \
                      or Windows Server 2008, IIS with the World Wide Web Publishing service for Client Access and \
                      Mailbox, MMC 3.0. Only checked when the SOFTWARE keys were exported. The 2007 daylight-saving \
                      update KB931836 is reported as information.",
        remediation: &[
            "Install the missing prerequisite (the finding names it and how), reboot if it asks to, and run setup again.",
        ],
        references: &["Exchange 2007 setup readiness checks (ms.exch.setupreadiness.*)", "ExBPA.PreReqs.xml"],
    },
    RuleInfo {
        id: PENDING_REBOOT,
        title: "A reboot is pending",
        severity: Severity::Warning,
        description: "One of the pending-reboot markers is set: Session Manager PendingFileRenameOperations, \
                      Updates\\UpdateExeVolatile Flags != 0, Component Based Servicing\\RebootPending or \
                      WindowsUpdate\\Auto Update\\RebootRequired. Exchange setup refuses to run (readiness check \
                      RebootPending / PendingRebootWindowsComponents) and files may still be locked.",
        remediation: &[
            "Reboot the server.",
            "Check that the marker is gone after the reboot (a PendingFileRenameOperations entry that comes back is written by an installed program at every start: find and fix that program).",
            "Run setup again.",
        ],
        references: &["CSS-Exchange SetupAssist (pending reboot checks)"],
    },
    RuleInfo {
        id: SINGLE_LABEL_DOMAIN,
        title: "The server is in a single-label DNS domain",
        severity: Severity::Warning,
        description: "The primary DNS suffix (Tcpip Parameters Domain) has no dot, e.g. CORP. Single-label DNS \
                      domains need extra DNS configuration for domain members (KB300684); Exchange 2007 SP1 setup \
                      first blocked them and later only warned, and they are not a supported configuration for \
                      later Exchange versions.",
        remediation: &[
            "Make sure DNS resolution works for the single-label domain as described in KB300684 (AllowSingleLabelDnsDomain / UpdateTopLevelDomainZones on the members).",
            "Plan a domain rename or a migration to a domain with a multi-label DNS name (corp.example.com) before upgrading Exchange further.",
        ],
        references: &["KB300684"],
    },
    RuleInfo {
        id: FQDN_MISSING,
        title: "The server has no fully qualified domain name",
        severity: Severity::Error,
        description: "Tcpip Parameters has no Domain (primary DNS suffix) or an empty one, so the server's FQDN is \
                      just its host name; or a rename is pending (NV Hostname/NV Domain differ from the live \
                      values). Exchange setup reads the FQDN for the server object, certificates and AD lookups \
                      and can hang or configure the wrong name.",
        remediation: &[
            "Set the primary DNS suffix: System Properties, Computer Name, Change, More..., Primary DNS suffix of this computer (or join the domain properly).",
            "Reboot so that the live name and the NV values agree.",
            "Check with ipconfig /all that the Host Name and Primary Dns Suffix are right, then run setup.",
        ],
        references: &["Exchange 2007 setup readiness: server FQDN"],
    },
    RuleInfo {
        id: EXCHANGE_SERVICE_DISABLED,
        title: "An Exchange service is disabled",
        severity: Severity::Error,
        description: "An Exchange service key has Start = 4 (disabled). Setup cannot start it (\"The service cannot \
                      be started, either because it is disabled...\") and the role does not work.",
        remediation: &[
            "Set the service back to Automatic: sc config <service> start= auto (or in services.msc).",
            "Start it (net start <service>), then run setup again if a setup run failed on it.",
        ],
        references: &["CSS-Exchange SetupLogReviewer (service disabled during setup)"],
    },
    RuleInfo {
        id: REMOTE_STREAMING_BACKUP_DISABLED,
        title: "Remote streaming backup is disabled on a mailbox server",
        severity: Severity::Info,
        description: "Exchange 2007 SP1 turns off the streaming backup API for remote clients: \
                      MSExchangeIS\\ParametersSystem \"Enable Remote Streaming Backup\" is 0 or absent. Network \
                      backup products that use the streaming API fail, and on CCR nodes a reseed from the other \
                      node (Update-StorageGroupCopy) needs it: there it is a warning.",
        remediation: &[
            "Set HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeIS\\ParametersSystem \"Enable Remote Streaming Backup\" (DWORD) to 1.",
            "Restart the Microsoft Exchange Information Store service (on a CCR node: on both nodes, at a quiet time).",
            "Leave it at 0 on a single mailbox server that is backed up locally with VSS: then this finding needs no action.",
        ],
        references: &["Exchange 2007 SP1 release notes (streaming backup)", "Seed document: CCR reseed after SP1"],
    },
    RuleInfo {
        id: EVENT_LOG_CUSTOMSD,
        title: "The Application event log's CustomSD blocks writes",
        severity: Severity::Warning,
        description: "EventLog\\Application CustomSD (an SDDL security descriptor) denies or does not grant write \
                      access (0x2) to the accounts Exchange setup and its services run as (Administrators, \
                      LocalSystem): setup and the services cannot write their events, and setup can fail on it. \
                      The Windows default descriptor is not reported.",
        remediation: &[
            "Restore the default descriptor: O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573), or remove the deny entry for the setup accounts.",
            "If a group policy (Event Log security settings) sets it, change the policy, then gpupdate /force.",
            "Run setup again.",
        ],
        references: &["CSS-Exchange issue 1457 (Application log CustomSD)"],
    },
];
