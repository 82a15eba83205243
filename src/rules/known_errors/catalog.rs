//! Catalog entries of the known setup errors.

use crate::model::{RuleInfo, Severity};

/// Reference of the signatures taken from Microsoft's SetupLogReviewer.
const SLR: &[&str] = &["CSS-Exchange SetupLogReviewer (github.com/microsoft/CSS-Exchange, Setup)"];

/// A catalog entry with severity error and the SetupLogReviewer reference.
const fn entry(
    id: &'static str,
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

/// The known-error rules.
pub const RULES: &[RuleInfo] = &[
    entry(
        "ldifde-import-failed",
        "ldifde failed importing a schema file",
        "/PrepareSchema stopped: ldifde.exe returned an error importing one of Exchange's .ldf schema files.",
        &[
            "Open the ldif.err file named in the error and find the failing entry.",
            "Fix that object in Active Directory, wait for replication, run setup /PrepareSchema again.",
        ],
    ),
    entry(
        "msi-installer-cache",
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
    entry(
        "arbitration-upn-conflict",
        "An arbitration mailbox UPN is not unique in the forest",
        "ADConstraintViolationException: the UPN of an arbitration mailbox is used by another object.",
        &["Do not delete arbitration mailboxes; fix the duplicate UPN, then run setup again."],
    ),
    entry(
        "service-disabled-during-setup",
        "Setup could not start a disabled service",
        "A service setup needs to start is disabled.",
        &[
            "Set the MSExchange* services to Automatic.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "endpoint-mapper-firewall",
        "No RPC endpoints available: Windows Firewall service not running",
        "COMException 0x800706D9 (no more endpoints available from the endpoint mapper): the Windows Firewall \
         service is stopped.",
        &[
            "Start the Windows Firewall service (MpsSvc).",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "ad-object-already-exists",
        "Active Directory object already exists",
        "Setup failed creating an AD object that already exists (or that the account cannot see).",
        &[
            "For CN=Folder Hierarchies: create the msExchPFTree object (msExchPFTreeType=1).",
            "Otherwise check inherited permissions and Deny entries on the object.",
        ],
    ),
    entry(
        "search-foundation-failure",
        "Search Foundation configuration failed",
        "InstallConfig.ps1 failed configuring Search Foundation (often old Fsis nodes left behind).",
        &[
            "Stop the search services, delete Nodes\\Fsis, reinstall Search Foundation.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "missing-directory",
        "Setup needs a missing directory",
        "ItemNotFoundException: a setup script expected a directory that does not exist.",
        &[
            "Create the directory named in the error.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "missing-homemdb",
        "A system mailbox has no mailbox database",
        "'Database is mandatory on UserMailbox': a system/arbitration mailbox has no homeMDB.",
        &["Set the homeMDB of the system mailbox to an existing database, then run setup again."],
    ),
    entry(
        "mount-database-failed",
        "Setup could not mount a mailbox database",
        "Failed to mount database during setup.",
        &[
            "Mount the database and fix what prevents it.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "security-groups-ou-deleted",
        "The 'Microsoft Exchange Security Groups' OU is missing",
        "NullReferenceException in InitializeExchangeUniversalGroups.CreateOrMoveEWPGroup: the OU was deleted.",
        &[
            "Recreate the OU 'Microsoft Exchange Security Groups' at the domain root.",
            "Run setup /PrepareAD again.",
        ],
    ),
    entry(
        "servicecontrol-reverse",
        "ServiceControl.ps1 failed reversing an empty service list",
        "MethodInvocationException calling Reverse in ServiceControl.ps1: StopServices found no services.",
        &[
            "Guard StopServices against an empty list of services.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "virtual-directory-failure",
        "Virtual directory problem",
        "A virtual directory already exists, is missing, or appcmd.exe failed configuring IIS.",
        &[
            "Fix or recreate the virtual directories named in the error.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "install-from-bin",
        "Setup was started from the Exchange Bin folder",
        "ManageScheduledTask.ps1 not recognized: setup ran from <Exchange>\\Bin.",
        &["Run .\\setup.exe from the root of the setup media."],
    ),
    entry(
        "ad-access-denied",
        "Access denied writing an Active Directory object",
        "INSUFF_ACCESS_RIGHTS in DomainGlobalConfig: setup cannot write an AD object.",
        &["Fix the write permissions (inheritance, Deny entries) of the object named in the log, then rerun setup."],
    ),
    entry(
        "fips-config-access-denied",
        "Access denied to the FIP-FS Configuration.xml",
        "Setup could not upgrade FIP-FS\\Data\\Configuration.xml: access denied.",
        &[
            "Fix the permissions of FIP-FS\\Data\\Configuration.xml.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "multiple-eas-vdirs",
        "More than one ActiveSync virtual directory",
        "Cannot convert System.Object[] to VirtualDirectoryIdParameter: several EAS vdirs exist.",
        &[
            "Remove the extra ActiveSync virtual directory.",
            "Run setup again in the same mode.",
        ],
    ),
    entry(
        "certificate-expired",
        "An expired certificate is bound to the web site",
        "Setup failed installing an expired certificate.",
        &["Replace the certificate.", "Reboot, then run setup again."],
    ),
    entry(
        "well-known-object-invalid",
        "otherWellKnownObjects points to a deleted object",
        "A well-known object entry of the Exchange container points to an invalid DN or a deleted object.",
        &[
            "Restore the deleted objects or fix otherWellKnownObjects.",
            "Run setup /PrepareAD again.",
        ],
    ),
    entry(
        "well-known-object-wrong-group-type",
        "An Exchange well-known group has the wrong group type",
        "A well-known Exchange group is not a universal security group.",
        &[
            "Change the group type to Universal Security.",
            "Run setup /PrepareAD again.",
        ],
    ),
    entry(
        "shared-config-dc",
        "Setup could not set the shared configuration DC",
        "'Unable to set shared config DC': usually the MSExchangeADTopology service stopped during setup.",
        &[
            "If the inner error says the Topology Provider couldn't find the AD Topology service: keep \
             MSExchangeADTopology running for the whole setup.",
            "Otherwise fix the inner error, then run setup again.",
        ],
    ),
    entry(
        "ad-validation-failed",
        "Active Directory validation failed",
        "Setup encountered a problem while validating the state of Active Directory.",
        &["Fix what the message says (e.g. run /PrepareAD in the schema master's domain and site)."],
    ),
    RuleInfo {
        references: &["annoying.dk 2008-09-30 (Exchange 2007 SP1 CAS upgrade)"],
        ..entry(
            "iis-vdir-missing",
            "IIS virtual directory not found (Exchange 2007)",
            "IIS://<server>/W3SVC/1/ROOT/<vdir> was not found; MSExchangeSetup 1002 'Unable to create Internet \
             Information Services (IIS) directory entry'.",
            &[
                "Recreate the missing virtual directory or remove its stale AD object.",
                "Run setup again.",
            ],
        )
    },
    RuleInfo {
        references: &["Exchange 2007 SP1: Receive connector FQDN with AuthMechanism ExchangeServer"],
        ..entry(
            "receive-connector-fqdn",
            "Receive connector with ExchangeServer authentication has a foreign FQDN (Exchange 2007)",
            "A Receive connector has AuthMechanism ExchangeServer and an FQDN that is not the server's.",
            &[
                "Set the connector FQDN to the server's FQDN or NetBIOS name.",
                "Run setup again.",
            ],
        )
    },
];
