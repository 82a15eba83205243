//! Rule identity and catalog entries: [`RuleId`] is the only way code names a rule, and
//! [`RuleInfo`] is what `exdoctor rules <ID>` shows. Each rule family defines the
//! [`RuleInfo`] of its rules next to their checks (`src/rules/`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Severity;

/// Declares [`RuleId`] with the one spelling of each id, in catalog order.
macro_rules! rule_ids {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)+) => {
        /// The stable id of a rule (KNOWLEDGE.md, rule catalog). Serialized, parsed and
        /// printed as its kebab-case id (`setup-failed`); ordered by that id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $($(#[$doc])* $variant,)+
        }

        impl RuleId {
            /// Every rule, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)+];

            /// The id as reports, filters and `exdoctor rules` spell it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)+
                }
            }
        }
    };
}

rule_ids! {
    /// The last setup run failed.
    SetupFailed = "setup-failed",
    /// The last setup run stopped without a result.
    SetupInterrupted = "setup-interrupted",
    /// A previous failed setup left its watermark.
    SetupWatermark = "setup-watermark",
    /// Setup cannot resume with another action.
    SetupResumeMismatch = "setup-resume-mismatch",
    /// Long pauses at service starts (CRL check).
    SetupStall = "setup-stall",
    /// A readiness check failed.
    PrereqFailed = "prereq-failed",
    /// The setup account lacks a group.
    MissingPermissions = "missing-permissions",
    /// ldifde failed importing a schema file.
    LdifdeImportFailed = "ldifde-import-failed",
    /// The Windows Installer cache lacks the installed package.
    MsiInstallerCache = "msi-installer-cache",
    /// An arbitration mailbox UPN is not unique.
    ArbitrationUpnConflict = "arbitration-upn-conflict",
    /// Setup could not start a disabled service.
    ServiceDisabledDuringSetup = "service-disabled-during-setup",
    /// No RPC endpoints: the Windows Firewall service is stopped.
    EndpointMapperFirewall = "endpoint-mapper-firewall",
    /// An AD object setup creates already exists.
    AdObjectAlreadyExists = "ad-object-already-exists",
    /// Search Foundation configuration failed.
    SearchFoundationFailure = "search-foundation-failure",
    /// A directory setup needs is missing.
    MissingDirectory = "missing-directory",
    /// A system mailbox has no homeMDB.
    MissingHomemdb = "missing-homemdb",
    /// Setup could not mount a database.
    MountDatabaseFailed = "mount-database-failed",
    /// The Microsoft Exchange Security Groups OU is missing.
    SecurityGroupsOuDeleted = "security-groups-ou-deleted",
    /// ServiceControl.ps1 reversed an empty list.
    ServicecontrolReverse = "servicecontrol-reverse",
    /// A virtual directory exists, is missing or appcmd failed.
    VirtualDirectoryFailure = "virtual-directory-failure",
    /// Setup was started from the Bin folder.
    InstallFromBin = "install-from-bin",
    /// Access denied writing an AD object.
    AdAccessDenied = "ad-access-denied",
    /// Access denied to the FIP-FS configuration.
    FipsConfigAccessDenied = "fips-config-access-denied",
    /// More than one ActiveSync virtual directory.
    MultipleEasVdirs = "multiple-eas-vdirs",
    /// An expired certificate is bound to the site.
    CertificateExpired = "certificate-expired",
    /// otherWellKnownObjects points to a deleted object.
    WellKnownObjectInvalid = "well-known-object-invalid",
    /// A well-known group has the wrong group type.
    WellKnownObjectWrongGroupType = "well-known-object-wrong-group-type",
    /// Setup could not set the shared configuration DC.
    SharedConfigDc = "shared-config-dc",
    /// Active Directory validation failed.
    AdValidationFailed = "ad-validation-failed",
    /// An IIS virtual directory was not found (2007).
    IisVdirMissing = "iis-vdir-missing",
    /// A Receive connector has a foreign FQDN (2007).
    ReceiveConnectorFqdn = "receive-connector-fqdn",
    /// A service terminated unexpectedly.
    ServiceCrash = "service-crash",
    /// A service failed to start.
    ServiceStartFailure = "service-start-failure",
    /// A service depends on a service that does not exist.
    ServiceDependencyMissing = "service-dependency-missing",
    /// Exchange services depend on NtLmSsp (in-place OS upgrade).
    NtlmsspDependency = "ntlmssp-dependency",
    /// Windows Installer failed to install a product.
    MsiInstallFailed = "msi-install-failed",
    /// MSExchangeSetup reported a failed component or no completion.
    ExchangeSetupComponentFailed = "exchange-setup-component-failed",
    /// The server went down during a setup run.
    UnexpectedShutdownDuringSetup = "unexpected-shutdown-during-setup",
    /// Exchange cannot discover Active Directory.
    AdTopologyFailure = "ad-topology-failure",
    /// An event log has missing or unreadable records.
    EventLogGap = "event-log-gap",
    /// An event log was cleared.
    EventLogCleared = "event-log-cleared",
    /// A role's unpacked and configured versions differ.
    RoleHalfUpgraded = "role-half-upgraded",
    /// A setup prerequisite is missing.
    PrereqMissing = "prereq-missing",
    /// A reboot is pending.
    PendingReboot = "pending-reboot",
    /// The server is in a single-label DNS domain.
    SingleLabelDomain = "single-label-domain",
    /// The server has no FQDN.
    FqdnMissing = "fqdn-missing",
    /// An Exchange service is disabled.
    ExchangeServiceDisabled = "exchange-service-disabled",
    /// Remote streaming backup is disabled.
    RemoteStreamingBackupDisabled = "remote-streaming-backup-disabled",
    /// The Application log's CustomSD blocks writes.
    EventLogCustomsd = "event-log-customsd",
    /// Servers were upgraded out of order.
    UpgradeOrderViolation = "upgrade-order-violation",
    /// The Exchange build of every host.
    BuildInventory = "build-inventory",
}

impl RuleId {
    /// The id whose spelling equals `text`, ignoring ASCII case.
    pub fn parse(text: &str) -> Option<RuleId> {
        let text = text.trim();
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for RuleId {
    /// The id, honouring width and alignment (`{:<36}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A rule id that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRuleId(pub String);

impl fmt::Display for UnknownRuleId {
    /// Names the closest ids, if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no rule with id '{}'", self.0)?;
        let near = super::closest(&self.0, RuleId::ALL.iter().map(|id| id.as_str()), 5);
        if !near.is_empty() {
            write!(f, "; closest: {}", near.join(", "))?;
        }
        f.write_str(" (see `exdoctor rules`)")
    }
}

impl std::error::Error for UnknownRuleId {}

impl FromStr for RuleId {
    type Err = UnknownRuleId;

    /// Case-insensitive: `Setup-Failed` is `setup-failed`.
    fn from_str(text: &str) -> Result<RuleId, UnknownRuleId> {
        RuleId::parse(text).ok_or_else(|| UnknownRuleId(text.to_string()))
    }
}

/// Compares with an id as written (tests and JSON checks); code names rules by variant.
impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<RuleId> for &str {
    fn eq(&self, other: &RuleId) -> bool {
        *self == other.as_str()
    }
}

impl Ord for RuleId {
    /// By id, so that findings sort the same whatever the catalog order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleId, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A catalog entry: the stable id and what `exdoctor rules <ID>` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The rule's id.
    pub id: RuleId,
    /// One-line title (findings may refine it with what they found).
    pub title: &'static str,
    /// Default severity (findings may raise or lower it with a reason).
    pub severity: Severity,
    /// What the rule looks for and why it matters.
    pub description: &'static str,
    /// Default remediation steps, in order.
    pub remediation: &'static [&'static str],
    /// KB articles, documents and tools the rule is based on.
    pub references: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SetupFailed` -> `setup-failed`: the convention that keeps variant and id together.
    fn kebab(name: &str) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    #[test]
    fn ids_are_the_kebab_case_of_their_variant_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for id in RuleId::ALL {
            assert_eq!(id.as_str(), kebab(&format!("{id:?}")), "{id:?}");
            assert!(seen.insert(id.as_str()), "duplicate id {id}");
        }
    }

    #[test]
    fn parse_serialize_round_trip_case_insensitively() {
        for id in RuleId::ALL {
            let json = serde_json::to_string(id).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<RuleId>(&json).ok(), Some(*id));
            assert_eq!(id.as_str().to_ascii_uppercase().parse::<RuleId>(), Ok(*id));
        }
        assert!("setup-fail".parse::<RuleId>().is_err());
        assert_eq!(RuleId::parse(" Setup-Failed "), Some(RuleId::SetupFailed));
    }

    #[test]
    fn order_is_by_id() {
        assert!(RuleId::BuildInventory < RuleId::SetupFailed);
        assert!(RuleId::ServiceCrash < RuleId::ServiceStartFailure);
    }
}
