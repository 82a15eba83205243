//! The known setup errors, one definition each: the catalog entry (`exdoctor rules`)
//! and the signatures that find it (CSS-Exchange SetupLogReviewer's "known issues", plus
//! two Exchange 2007-era signatures), with the title, summary and remediation of the
//! finding each signature produces.
//!
//! Patterns are matched against one record at a time: its tag (`[ERROR] `,
//! `[WARNING] `), message and continuation lines, ignoring letter case (as
//! SetupLogReviewer's PowerShell `-like`/`-match` do). Named captures become `details` and
//! fill the `{name}` placeholders of the templates.

use crate::model::{RuleId, RuleInfo, Severity};

/// Where a signature is searched in the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Each error block: the first `[ERROR]` up to its `[ERROR-REFERENCE]`.
    Blocks,
    /// The error blocks and the readiness (`[REQUIRED]`) records.
    BlocksAndReadiness,
    /// The `[ERROR]`/`[WARNING]` records of the run (2007 logs have no ERROR-REFERENCE).
    Issues,
}

/// What makes two matches of one signature the same finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// The rule id and the captures of the main pattern.
    Captures,
    /// The rule id alone (one root cause whatever the captured texts).
    Id,
}

/// A known error: its catalog entry and the signatures that find it. `exdoctor rules`
/// shows the entry; the signatures make the finding's title, summary and remediation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownError {
    pub info: RuleInfo,
    /// Searched in this order; a finding groups the matches of one known error.
    pub signatures: &'static [Signature],
}

/// One way a known error shows in a log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signature {
    /// The main pattern: each record matching it is evidence.
    pub pattern: &'static str,
    /// Patterns that must also match a record of the same scope.
    pub also: &'static [&'static str],
    /// Patterns whose captures are taken when they match a record of the scope.
    pub extra: &'static [&'static str],
    /// A pattern searched in the whole last run (the match closest before the scope's end).
    pub context: Option<&'static str>,
    /// Whether `context` must match.
    pub context_required: bool,
    /// Prefix of the scope's `[ERROR-REFERENCE]` id.
    pub reference: Option<&'static str>,
    /// Whether `reference` must match (else it only raises the confidence).
    pub reference_required: bool,
    pub scope: Scope,
    pub merge: Merge,
    /// Title template.
    pub title: &'static str,
    /// Summary template.
    pub summary: &'static str,
    /// Remediation step templates.
    pub remediation: &'static [&'static str],
}

/// Reference of the signatures taken from Microsoft's SetupLogReviewer.
const SLR: &[&str] = &["CSS-Exchange SetupLogReviewer (github.com/microsoft/CSS-Exchange, Setup)"];

/// A catalog entry with severity error and the SetupLogReviewer reference.
const fn entry(
    id: RuleId,
    title: &'static str,
    description: &'static str,
    remediation: &'static [&'static str],
) -> RuleInfo {
    RuleInfo {
        id,
        title,
        severity: Severity::Error,
        description,
        remediation,
        references: SLR,
    }
}

/// Defaults of the optional fields.
const BASE: Signature = Signature {
    pattern: "",
    also: &[],
    extra: &[],
    context: None,
    context_required: false,
    reference: None,
    reference_required: false,
    scope: Scope::Blocks,
    merge: Merge::Captures,
    title: "",
    summary: "",
    remediation: &[],
};

/// The remediation of the Windows Installer cache (shared by its five signatures).
const MSI_REMEDIATION: &[&str] = &[
    "Repair the Windows Installer cache for Exchange build {build} ({build_source}): the cached .msi/.msp of that \
     build are missing from C:\\Windows\\Installer.",
    "Restore them from another server of the same build, or with the CSS-Exchange script \
     Setup\\FixInstallerCache.ps1 pointed at the extracted ISO/CU of build {build} (and its Security Updates).",
    "Run setup again in the same mode.",
];

/// The MSI summary (shared by its five signatures).
const MSI_SUMMARY: &str = "Windows Installer failed on an Exchange package; its cached installation source for \
                           build {build} ({build_source}) is missing or unusable: {error_line}";

/// The Windows Installer cache signatures share all but their pattern.
const MSI: Signature = Signature {
    extra: &[r"Error code is (?P<error_code>\d+)"],
    merge: Merge::Id,
    title: "Windows Installer cache is missing the Exchange build {build} package",
    summary: MSI_SUMMARY,
    remediation: MSI_REMEDIATION,
    ..BASE
};

/// Every known error, in the order findings are reported.
pub(crate) const KNOWN_ERRORS: &[&KnownError] = &[
    &LDIFDE_IMPORT_FAILED,
    &MSI_INSTALLER_CACHE,
    &ARBITRATION_UPN_CONFLICT,
    &SERVICE_DISABLED_DURING_SETUP,
    &ENDPOINT_MAPPER_FIREWALL,
    &AD_OBJECT_ALREADY_EXISTS,
    &SEARCH_FOUNDATION_FAILURE,
    &MISSING_DIRECTORY,
    &MISSING_HOMEMDB,
    &MOUNT_DATABASE_FAILED,
    &SECURITY_GROUPS_OU_DELETED,
    &SERVICECONTROL_REVERSE,
    &VIRTUAL_DIRECTORY_FAILURE,
    &INSTALL_FROM_BIN,
    &AD_ACCESS_DENIED,
    &FIPS_CONFIG_ACCESS_DENIED,
    &MULTIPLE_EAS_VDIRS,
    &CERTIFICATE_EXPIRED,
    &WELL_KNOWN_OBJECT_INVALID,
    &WELL_KNOWN_OBJECT_WRONG_GROUP_TYPE,
    &SHARED_CONFIG_DC,
    &AD_VALIDATION_FAILED,
    &IIS_VDIR_MISSING,
    &RECEIVE_CONNECTOR_FQDN,
];

/// The `ldifde-import-failed` known error.
pub(crate) const LDIFDE_IMPORT_FAILED: KnownError = KnownError {
    info: entry(
        RuleId::LdifdeImportFailed,
        "ldifde failed importing a schema file",
        "/PrepareSchema stopped: ldifde.exe returned an error importing one of Exchange's .ldf schema files.",
        &[
            "Open the ldif.err file named in the error and find the failing entry.",
            "Fix that object in Active Directory, wait for replication, run setup /PrepareSchema again.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"\[ERROR\] There was an error while running 'ldifde\.exe' to import the schema file '(?P<schema_path>[^']*)'\. The error code is: (?P<error_code>\d+)\. More details can be found in the error file: '(?P<error_file>[^']*)'",
            reference: Some("ADSchemaComponent___"),
            title: "ldifde failed importing {schema_file} (error {error_code})",
            summary: "The schema update stopped: ldifde.exe returned error {error_code} importing {schema_path}; \
                      the failing object is described in {error_file}.",
            remediation: &[
                "Open {error_file} on the server that ran /PrepareSchema and find the entry (DN) that failed and why: \
                 the server-side error names the cause.",
                "Fix that object in Active Directory (a conflicting attribute or class, e.g. a duplicate OID or \
                 lDAPDisplayName from a third-party schema extension).",
                "Wait for AD replication, then run setup /PrepareSchema again with Schema Admins and Enterprise Admins rights.",
            ],
            ..BASE
        },
    ],
};

/// The `msi-installer-cache` known error.
pub(crate) const MSI_INSTALLER_CACHE: KnownError = KnownError {
    info: entry(
        RuleId::MsiInstallerCache,
        "Windows Installer cache is missing the installed Exchange package",
        "Setup could not remove or patch the installed Exchange product because its cached .msi/.msp files \
         (C:\\Windows\\Installer) are missing.",
        &[
            "Find the installed build (backup copy of the previously installed version, else the locally installed \
             version).",
            "Repair the Windows Installer cache for that build (CSS-Exchange FixInstallerCache.ps1, or copy the \
             files from a server of the same build).",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"Couldn't remove product with code (?P<product_code>[0-9A-Fa-f-]+)\. The installation source for this product is not available",
            ..MSI
        },
        Signature {
            pattern: r"Unable to remove product with code (?P<product_code>[0-9A-Fa-f-]+)\. Fatal error during installation",
            ..MSI
        },
        Signature {
            pattern: r"\[ERROR\] Installing product (?P<package>.+?) failed\. The installation source for this product is not available",
            ..MSI
        },
        Signature {
            pattern: r"\[ERROR\] Installing product (?P<package>.+?\.msi) failed\. Fatal error during installation\. Error code is (?P<error_code>1603)\.",
            title: "Windows Installer cache is missing the Exchange build {build} package ({package_file}, error {error_code})",
            ..MSI
        },
        Signature {
            pattern: r"\[ERROR\] Object reference not set to an instance of an object\.",
            context: Some(r"Installing a new product\. Package: (?P<package>.+?\.msi)"),
            context_required: true,
            title: "Windows Installer cache is missing the Exchange build {build} package ({package_file})",
            ..MSI
        },
    ],
};

/// The `arbitration-upn-conflict` known error.
pub(crate) const ARBITRATION_UPN_CONFLICT: KnownError = KnownError {
    info: entry(
        RuleId::ArbitrationUpnConflict,
        "An arbitration mailbox UPN is not unique in the forest",
        "ADConstraintViolationException: the UPN of an arbitration mailbox is used by another object.",
        &["Do not delete arbitration mailboxes; fix the duplicate UPN, then run setup again."],
    ),
    signatures: &[
        Signature {
            pattern: r"(?s)ADConstraintViolationException.+?UPN value provided for addition/modification is not unique forest-wide",
            title: "An arbitration mailbox UPN is not unique in the forest",
            summary: "Setup could not create or update an arbitration mailbox: its UPN is already used by another \
                      object in the forest (known issue).",
            remediation: &[
                "Do not delete the arbitration mailboxes.",
                "Find the object holding the same userPrincipalName (Get-ADObject -LDAPFilter \"(userPrincipalName=SystemMailbox*)\") \
                 and correct the duplicate UPN, then run setup again.",
            ],
            ..BASE
        },
    ],
};

/// The `service-disabled-during-setup` known error.
pub(crate) const SERVICE_DISABLED_DURING_SETUP: KnownError = KnownError {
    info: entry(
        RuleId::ServiceDisabledDuringSetup,
        "Setup could not start a disabled service",
        "A service setup needs to start is disabled.",
        &[
            "Set the MSExchange* services to Automatic.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"The service cannot be started, either because it is disabled or because it has no enabled devices associated with it",
        extra: &[r"Cannot start service (?P<service>[^\s']+) on computer"],
        title: "Setup could not start {service}: the service is disabled",
        summary: "Setup had to start {service} but the service is disabled (an earlier failed run or an admin left \
                      the Exchange services disabled).",
        remediation: &[
            "Set {service} and the other MSExchange* services back to their default start type (Automatic): \
                 Get-Service MSExchange* | Set-Service -StartupType Automatic (and W3SVC, WAS, IISADMIN).",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `endpoint-mapper-firewall` known error.
pub(crate) const ENDPOINT_MAPPER_FIREWALL: KnownError = KnownError {
    info: entry(
        RuleId::EndpointMapperFirewall,
        "No RPC endpoints available: Windows Firewall service not running",
        "COMException 0x800706D9 (no more endpoints available from the endpoint mapper): the Windows Firewall \
         service is stopped.",
        &[
            "Start the Windows Firewall service (MpsSvc).",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"COMException \(0x800706D9\): There are no more endpoints available from the endpoint mapper",
            title: "No RPC endpoints available: Windows Firewall service not running",
            summary: "Setup failed with 0x800706D9 (no more endpoints available from the endpoint mapper): setup \
                      configures firewall rules and needs the Windows Firewall service.",
            remediation: &[
                "Start the Windows Firewall service (MpsSvc) and set it to Automatic; the firewall profile itself may stay off.",
                "Run setup again in the same mode.",
            ],
            ..BASE
        },
    ],
};

/// The `ad-object-already-exists` known error.
pub(crate) const AD_OBJECT_ALREADY_EXISTS: KnownError = KnownError {
    info: entry(
        RuleId::AdObjectAlreadyExists,
        "Active Directory object already exists",
        "Setup failed creating an AD object that already exists (or that the account cannot see).",
        &[
            "For CN=Folder Hierarchies: create the msExchPFTree object (msExchPFTreeType=1).",
            "Otherwise check inherited permissions and Deny entries on the object.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"Active Directory operation failed on (?P<domain_controller>\S+?)\. The object '(?P<object>.+?)' already exists\.",
        title: "Active Directory object already exists: {object}",
        summary: "Setup could not create {object} on {domain_controller}: an object with that name already exists \
                      (or is hidden from the setup account).",
        remediation: &[
            "Check {object} on {domain_controller}: if it exists, check its inherited permissions and any Deny \
                 entries that hide it from the setup account.",
            "Run setup again once the account can read the object.",
        ],
        ..BASE
    }],
};

/// The `search-foundation-failure` known error.
pub(crate) const SEARCH_FOUNDATION_FAILURE: KnownError = KnownError {
    info: entry(
        RuleId::SearchFoundationFailure,
        "Search Foundation configuration failed",
        "InstallConfig.ps1 failed configuring Search Foundation (often old Fsis nodes left behind).",
        &[
            "Stop the search services, delete Nodes\\Fsis, reinstall Search Foundation.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"Failure configuring SearchFoundation through InstallConfig\.ps1",
            extra: &[r"(?P<fsis_nodes>Old nodes belonging to the system 'Fsis', already exist)"],
            title: "Search Foundation configuration failed",
            summary: "Setup failed configuring Search Foundation (InstallConfig.ps1).",
            remediation: &[
                "Stop the Microsoft Exchange Search and Search Host Controller services.",
                "Delete the old Fsis nodes: <Exchange>\\Bin\\Search\\Ceres\\HostController\\Data\\Nodes\\Fsis.",
                "Reinstall Search Foundation (<Exchange>\\Bin\\Search\\Ceres\\Installer\\InstallConfig.ps1 -action u, then -action i), \
                 then run setup again.",
            ],
            ..BASE
        },
    ],
};

/// The `missing-directory` known error.
pub(crate) const MISSING_DIRECTORY: KnownError = KnownError {
    info: entry(
        RuleId::MissingDirectory,
        "Setup needs a missing directory",
        "ItemNotFoundException: a setup script expected a directory that does not exist.",
        &[
            "Create the directory named in the error.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"ItemNotFoundException: Cannot find path '(?P<path>.+?)' because it does not exist",
        title: "Setup needs a missing directory: {path}",
        summary: "A setup script expected the path {path}, which does not exist.",
        remediation: &[
            "Create the directory {path} (empty is fine).",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `missing-homemdb` known error.
pub(crate) const MISSING_HOMEMDB: KnownError = KnownError {
    info: entry(
        RuleId::MissingHomemdb,
        "A system mailbox has no mailbox database",
        "'Database is mandatory on UserMailbox': a system/arbitration mailbox has no homeMDB.",
        &["Set the homeMDB of the system mailbox to an existing database, then run setup again."],
    ),
    signatures: &[
        Signature {
            pattern: r"\[ERROR\] Database is mandatory on UserMailbox",
            title: "A system mailbox has no mailbox database (homeMDB)",
            summary: "Setup found a system/arbitration mailbox without a homeMDB: 'Database is mandatory on UserMailbox'.",
            remediation: &[
                "Find the arbitration/system mailboxes whose homeMDB is empty or points to a deleted database \
                 (Get-Mailbox -Arbitration | Format-List Name,Database).",
                "Set homeMDB to an existing database (ADSI Edit or Set-Mailbox -Arbitration -Database), then run setup again.",
            ],
            ..BASE
        },
    ],
};

/// The `mount-database-failed` known error.
pub(crate) const MOUNT_DATABASE_FAILED: KnownError = KnownError {
    info: entry(
        RuleId::MountDatabaseFailed,
        "Setup could not mount a mailbox database",
        "Failed to mount database during setup.",
        &[
            "Mount the database and fix what prevents it.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r#"System\.InvalidOperationException: Failed to mount database "(?P<database>.+?)""#,
        title: "Setup could not mount database {database}",
        summary: "Setup failed because the mailbox database {database} could not be mounted.",
        remediation: &[
            "Mount {database} (Mount-Database) and fix what prevents it (event log: disk space, dirty shutdown, logs).",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `security-groups-ou-deleted` known error.
pub(crate) const SECURITY_GROUPS_OU_DELETED: KnownError = KnownError {
    info: entry(
        RuleId::SecurityGroupsOuDeleted,
        "The 'Microsoft Exchange Security Groups' OU is missing",
        "NullReferenceException in InitializeExchangeUniversalGroups.CreateOrMoveEWPGroup: the OU was deleted.",
        &[
            "Recreate the OU 'Microsoft Exchange Security Groups' at the domain root.",
            "Run setup /PrepareAD again.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"InitializeExchangeUniversalGroups\.CreateOrMoveEWPGroup",
        also: &[r"NullReferenceException"],
        title: "The 'Microsoft Exchange Security Groups' OU is missing",
        summary: "PrepareAD failed with a NullReferenceException creating the Exchange Windows Permissions group: \
                      the OU 'Microsoft Exchange Security Groups' was deleted.",
        remediation: &[
            "Recreate the OU \"Microsoft Exchange Security Groups\" at the root of the domain.",
            "Run setup /PrepareAD again.",
        ],
        ..BASE
    }],
};

/// The `servicecontrol-reverse` known error.
pub(crate) const SERVICECONTROL_REVERSE: KnownError = KnownError {
    info: entry(
        RuleId::ServicecontrolReverse,
        "ServiceControl.ps1 failed reversing an empty service list",
        "MethodInvocationException calling Reverse in ServiceControl.ps1: StopServices found no services.",
        &[
            "Guard StopServices against an empty list of services.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r#"MethodInvocationException: Exception calling "Reverse" with "1" argument"#,
        also: &[r"ServiceControl\.ps1"],
        title: "ServiceControl.ps1 failed reversing an empty service list",
        summary: "ServiceControl.ps1 called Reverse on an empty list of services (StopServices found no services).",
        remediation: &[
            "Make StopServices in ServiceControl.ps1 return early when it finds no services (guard the \
                 [array]::Reverse call), or install the services it expects.",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `virtual-directory-failure` known error.
pub(crate) const VIRTUAL_DIRECTORY_FAILURE: KnownError = KnownError {
    info: entry(
        RuleId::VirtualDirectoryFailure,
        "Virtual directory problem",
        "A virtual directory already exists, is missing, or appcmd.exe failed configuring IIS.",
        &[
            "Fix or recreate the virtual directories named in the error.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"\[ERROR\] The virtual directory '(?P<vdir>.+?)' already exists under '?(?P<parent>[^']+?)'?\.?$",
            title: "Virtual directory {vdir} already exists",
            summary: "Setup could not create the virtual directory {vdir}: it already exists under {parent}.",
            remediation: &[
                "Remove the leftover virtual directory {vdir} from IIS (and its AD object) or repair it.",
                "Run setup again in the same mode.",
            ],
            ..BASE
        },
        Signature {
            pattern: r"\[ERROR\] The operation couldn't be performed because object '(?P<object>.+?(?:Default Web Site|Exchange Back End).*?)' couldn't be found on '(?P<domain_controller>[^']+)'",
            title: "Virtual directory {object} not found on {domain_controller}",
            summary:
                "Setup needed the virtual directory {object} but it is not in Active Directory on {domain_controller}.",
            remediation: &[
                "Recreate {object} (New-*VirtualDirectory for that vdir on the right web site) or remove the broken \
                 IIS/AD leftovers so setup can create it.",
                "Wait for replication to {domain_controller}, then run setup again in the same mode.",
            ],
            ..BASE
        },
        Signature {
            pattern: r"Process execution failed with exit code (?P<exit_code>-?\d+)",
            also: &[r"inetsrv\\appcmd\.exe"],
            title: "appcmd.exe failed configuring IIS (exit code {exit_code})",
            summary: "Setup's call to inetsrv\\appcmd.exe failed with exit code {exit_code} while configuring the \
                      virtual directories.",
            remediation: &[
                "Check IIS configuration (applicationHost.config) for broken or duplicate sites/vdirs and fix them.",
                "Run setup again in the same mode.",
            ],
            ..BASE
        },
    ],
};

/// The `install-from-bin` known error.
pub(crate) const INSTALL_FROM_BIN: KnownError = KnownError {
    info: entry(
        RuleId::InstallFromBin,
        "Setup was started from the Exchange Bin folder",
        "ManageScheduledTask.ps1 not recognized: setup ran from <Exchange>\\Bin.",
        &["Run .\\setup.exe from the root of the setup media."],
    ),
    signatures: &[Signature {
        pattern: r"The term '(?P<script>[^']*\\Bin\\ManageScheduledTask\.ps1)' is not recognized",
        title: "Setup was started from the Exchange Bin folder",
        summary: "Setup could not find {script}: it was started from <Exchange>\\Bin instead of the setup media.",
        remediation: &[
            "Run setup from the root of the setup media as .\\setup.exe (not from the Exchange Bin folder).",
        ],
        ..BASE
    }],
};

/// The `ad-access-denied` known error.
pub(crate) const AD_ACCESS_DENIED: KnownError = KnownError {
    info: entry(
        RuleId::AdAccessDenied,
        "Access denied writing an Active Directory object",
        "INSUFF_ACCESS_RIGHTS in DomainGlobalConfig: setup cannot write an AD object.",
        &["Fix the write permissions (inheritance, Deny entries) of the object named in the log, then rerun setup."],
    ),
    signatures: &[Signature {
        pattern: r"INSUFF_ACCESS_RIGHTS",
        reference: Some("DomainGlobalConfig___27a706ffe123425f9ee60cb02b930e81"),
        reference_required: true,
        context: Some(r"Used domain controller (?P<domain_controller>\S+) to read object (?P<object>.+?)\.?$"),
        title: "Access denied writing {object}",
        summary: "Setup lacked write rights (INSUFF_ACCESS_RIGHTS) on {object} read from {domain_controller}.",
        remediation: &[
            "Check the permissions of {object} on {domain_controller}: inheritance must be enabled and no Deny \
                 entry may block the Exchange groups / the setup account.",
            "Run setup /PrepareAD or /PrepareDomain again as needed, then rerun setup.",
        ],
        ..BASE
    }],
};

/// The `fips-config-access-denied` known error.
pub(crate) const FIPS_CONFIG_ACCESS_DENIED: KnownError = KnownError {
    info: entry(
        RuleId::FipsConfigAccessDenied,
        "Access denied to the FIP-FS Configuration.xml",
        "Setup could not upgrade FIP-FS\\Data\\Configuration.xml: access denied.",
        &[
            "Fix the permissions of FIP-FS\\Data\\Configuration.xml.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"Access to the path.*?is denied",
        reference: Some("BridgeheadComponent___9FAA17C4-73D7-4E6D-9012-6274971434D5"),
        reference_required: true,
        title: "Access denied to the FIP-FS Configuration.xml",
        summary: "Setup could not upgrade the FIP-FS (malware filter) Configuration.xml: access to the path is denied.",
        remediation: &[
            "Give SYSTEM and Administrators full control on <Exchange>\\FIP-FS\\Data\\Configuration.xml (and the \
                 folder); check that antivirus does not lock it.",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `multiple-eas-vdirs` known error.
pub(crate) const MULTIPLE_EAS_VDIRS: KnownError = KnownError {
    info: entry(
        RuleId::MultipleEasVdirs,
        "More than one ActiveSync virtual directory",
        "Cannot convert System.Object[] to VirtualDirectoryIdParameter: several EAS vdirs exist.",
        &[
            "Remove the extra ActiveSync virtual directory.",
            "Run setup again in the same mode.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"Cannot convert 'System\.Object\[\]' to the type '[^']*VirtualDirectoryIdParameter'",
        reference: Some("CafeComponent___e1130a13"),
        reference_required: true,
        title: "More than one ActiveSync virtual directory on the server",
        summary: "Setup got several Exchange ActiveSync virtual directories where it expected one.",
        remediation: &[
            "List them (Get-ActiveSyncVirtualDirectory -Server <server>) and remove the extra one \
                 (Remove-ActiveSyncVirtualDirectory).",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `certificate-expired` known error.
pub(crate) const CERTIFICATE_EXPIRED: KnownError = KnownError {
    info: entry(
        RuleId::CertificateExpired,
        "An expired certificate is bound to the web site",
        "Setup failed installing an expired certificate.",
        &["Replace the certificate.", "Reboot, then run setup again."],
    ),
    signatures: &[Signature {
        pattern: r"\[ERROR\] The certificate is expired\.",
        context: Some(
            r"Installing certificate signed by '(?P<issuer>.*?)' for site '(?P<site>.*?)'\. Certificate is valid from (?P<valid_from>.+?) until (?P<valid_until>.+?)\.?$",
        ),
        title: "An expired certificate is bound to the web site",
        summary: "Setup failed because the certificate it had to install (issuer {issuer}, site {site}, valid \
                      until {valid_until}) is expired.",
        remediation: &[
            "Replace the expired certificate (issuer {issuer}) bound to {site} with a valid one (IIS bindings, \
                 Enable-ExchangeCertificate).",
            "Reboot the server, then run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `well-known-object-invalid` known error.
pub(crate) const WELL_KNOWN_OBJECT_INVALID: KnownError = KnownError {
    info: entry(
        RuleId::WellKnownObjectInvalid,
        "otherWellKnownObjects points to a deleted object",
        "A well-known object entry of the Exchange container points to an invalid DN or a deleted object.",
        &[
            "Restore the deleted objects or fix otherWellKnownObjects.",
            "Run setup /PrepareAD again.",
        ],
    ),
    signatures: &[
        Signature {
            pattern: r"\[ERROR\] The well-known object entry (?P<entry>.+?) on the otherWellKnownObjects attribute in the container object (?P<container>.+?) points to an invalid DN or a deleted object",
            title: "otherWellKnownObjects points to a deleted object",
            summary: "The well-known object entry {entry} of {container} points to an invalid DN or a deleted object.",
            remediation: &[
                "Restore the deleted Exchange object (AD Recycle Bin) or fix the otherWellKnownObjects value of {container} \
                 (ADSI Edit) to point to the existing group.",
                "Run setup /PrepareAD again.",
            ],
            ..BASE
        },
    ],
};

/// The `well-known-object-wrong-group-type` known error.
pub(crate) const WELL_KNOWN_OBJECT_WRONG_GROUP_TYPE: KnownError = KnownError {
    info: entry(
        RuleId::WellKnownObjectWrongGroupType,
        "An Exchange well-known group has the wrong group type",
        "A well-known Exchange group is not a universal security group.",
        &[
            "Change the group type to Universal Security.",
            "Run setup /PrepareAD again.",
        ],
    ),
    signatures: &[Signature {
        pattern: r#"The well-known object entry with the GUID "(?P<guid>.+?)", which is on the "(?P<container>.+?)" container object's otherWellKnownObjects attribute, refers to a group "(?P<group>.+?)" of the wrong group type"#,
        title: "Exchange group {group} has the wrong group type",
        summary: "The well-known group {group} (GUID {guid}, on {container}) is not a universal security group.",
        remediation: &[
            "Change the group type of {group} to Universal Security.",
            "Run setup /PrepareAD again.",
        ],
        ..BASE
    }],
};

/// The `shared-config-dc` known error.
pub(crate) const SHARED_CONFIG_DC: KnownError = KnownError {
    info: entry(
        RuleId::SharedConfigDc,
        "Setup could not set the shared configuration DC",
        "'Unable to set shared config DC': usually the MSExchangeADTopology service stopped during setup.",
        &[
            "If the inner error says the Topology Provider couldn't find the AD Topology service: keep \
             MSExchangeADTopology running for the whole setup.",
            "Otherwise fix the inner error, then run setup again.",
        ],
    ),
    signatures: &[Signature {
        pattern: r"\[ERROR\] Unable to set shared config DC",
        reference: Some("AllADRolesCommonServiceControl___ee47"),
        context: Some(r"An error ocurred while setting shared config DC\. Error: (?P<inner_error>.+?)\s*$"),
        title: "Setup could not set the shared configuration DC",
        summary: "Setup could not set the shared configuration domain controller: {inner_error}",
        remediation: &[
            "Read the inner error ({inner_error}) and fix it: the Microsoft Exchange Active Directory Topology \
                 service must reach a domain controller.",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `ad-validation-failed` known error.
pub(crate) const AD_VALIDATION_FAILED: KnownError = KnownError {
    info: entry(
        RuleId::AdValidationFailed,
        "Active Directory validation failed",
        "Setup encountered a problem while validating the state of Active Directory.",
        &["Fix what the message says (e.g. run /PrepareAD in the schema master's domain and site)."],
    ),
    signatures: &[Signature {
        pattern: r"Setup encountered a problem while validating the state of Active Directory: (?P<inner_error>.*?)\s*See the Exchange setup log",
        scope: Scope::BlocksAndReadiness,
        merge: Merge::Id,
        title: "Active Directory validation failed",
        summary: "Setup encountered a problem while validating the state of Active Directory: {inner_error}",
        remediation: &[
            "Fix what the message says: {inner_error}",
            "Run setup again once AD has replicated.",
        ],
        ..BASE
    }],
};

/// The `iis-vdir-missing` known error.
pub(crate) const IIS_VDIR_MISSING: KnownError = KnownError {
    info: RuleInfo {
        references: &["annoying.dk 2008-09-30 (Exchange 2007 SP1 CAS upgrade)"],
        ..entry(
            RuleId::IisVdirMissing,
            "IIS virtual directory not found (Exchange 2007)",
            "IIS://<server>/W3SVC/1/ROOT/<vdir> was not found; MSExchangeSetup 1002 'Unable to create Internet \
             Information Services (IIS) directory entry'.",
            &[
                "Recreate the missing virtual directory or remove its stale AD object.",
                "Run setup again.",
            ],
        )
    },
    signatures: &[Signature {
        pattern: r"\[WARNING\] (?P<vdir_path>IIS://(?P<server>[^/\s]+)/W3SVC/\d+/ROOT/(?P<vdir>[^\s]+?)) was not found",
        scope: Scope::Issues,
        title: "IIS virtual directory {vdir} not found",
        summary: "Setup could not find the IIS directory entry {vdir_path} (Exchange 2007).",
        remediation: &[
            "Check the Default Web Site of {server} in IIS Manager: recreate the missing {vdir} virtual directory \
                 (Exchange Management Shell New-*VirtualDirectory) or remove the stale AD object of it.",
            "Run setup again in the same mode.",
        ],
        ..BASE
    }],
};

/// The `receive-connector-fqdn` known error.
pub(crate) const RECEIVE_CONNECTOR_FQDN: KnownError = KnownError {
    info: RuleInfo {
        references: &["Exchange 2007 SP1: Receive connector FQDN with AuthMechanism ExchangeServer"],
        ..entry(
            RuleId::ReceiveConnectorFqdn,
            "Receive connector with ExchangeServer authentication has a foreign FQDN (Exchange 2007)",
            "A Receive connector has AuthMechanism ExchangeServer and an FQDN that is not the server's.",
            &[
                "Set the connector FQDN to the server's FQDN or NetBIOS name.",
                "Run setup again.",
            ],
        )
    },
    signatures: &[
        Signature {
            pattern: r"AuthMechanism parameter on a Receive connector.*?set to the value ExchangeServer",
            scope: Scope::Issues,
            title: "A Receive connector with ExchangeServer authentication has a foreign FQDN",
            summary: "A Receive connector uses AuthMechanism ExchangeServer but its FQDN is not this server's name \
                      (Exchange 2007 SP1 upgrade check).",
            remediation: &[
                "Set the FQDN of that Receive connector to the server's FQDN or NetBIOS name (Set-ReceiveConnector -Fqdn), \
                 or remove ExchangeServer from its AuthMechanism.",
                "Run setup again in the same mode.",
            ],
            ..BASE
        },
    ],
};
