//! The rules, grouped by the evidence they read: [`setup_log`] (one ExchangeSetup.log,
//! on its borrowed parse), [`events`] (a host's event logs), [`registry`] (a host's
//! registry state) and [`fleet`] (all hosts). Each rule's catalog entry ([`RuleInfo`])
//! is defined once, next to its check; [`info`] maps every [`RuleId`] to it and
//! `exdoctor rules` is generated from [`catalog`]. [`check_host`] runs the per-host
//! families and the correlation that folds findings of one root cause into one. Rules
//! never read files.

mod correlate;
pub mod events;
pub mod fleet;
pub mod registry;
pub mod setup_log;

use crate::model::{Finding, HostView, RuleId, RuleInfo};
use setup_log::known_errors::table as ke;

/// All findings of one host: its setup logs' findings (from [`setup_log`], already
/// placed in UTC), then the event-log and registry rules on `view`, then correlation
/// (one root cause, one finding). The one place a finding gets its host.
pub fn check_host(view: &HostView<'_>, setup_log_findings: Vec<Finding>) -> Vec<Finding> {
    let mut findings = setup_log_findings;
    findings.extend(events::check(view));
    findings.extend(registry::check(view));
    correlate::correlate(&mut findings, view);
    for finding in &mut findings {
        finding.host.clone_from(&view.name);
    }
    findings
}

/// Every rule, in catalog order.
pub fn catalog() -> Vec<&'static RuleInfo> {
    RuleId::ALL.iter().map(|id| info(*id)).collect()
}

/// The catalog entry of `id` (any letter case), if it is a rule id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RuleId::parse(id).map(info)
}

/// The catalog entry of a rule: where each rule is defined.
pub fn info(id: RuleId) -> &'static RuleInfo {
    match id {
        RuleId::SetupFailed => &setup_log::runs::SETUP_FAILED,
        RuleId::SetupInterrupted => &setup_log::runs::SETUP_INTERRUPTED,
        RuleId::SetupWatermark => &setup_log::runs::SETUP_WATERMARK,
        RuleId::SetupResumeMismatch => &setup_log::runs::SETUP_RESUME_MISMATCH,
        RuleId::SetupStall => &setup_log::runs::SETUP_STALL,
        RuleId::PrereqFailed => &setup_log::readiness::PREREQ_FAILED,
        RuleId::MissingPermissions => &setup_log::readiness::MISSING_PERMISSIONS,
        RuleId::LdifdeImportFailed => &ke::LDIFDE_IMPORT_FAILED.info,
        RuleId::MsiInstallerCache => &ke::MSI_INSTALLER_CACHE.info,
        RuleId::ArbitrationUpnConflict => &ke::ARBITRATION_UPN_CONFLICT.info,
        RuleId::ServiceDisabledDuringSetup => &ke::SERVICE_DISABLED_DURING_SETUP.info,
        RuleId::EndpointMapperFirewall => &ke::ENDPOINT_MAPPER_FIREWALL.info,
        RuleId::AdObjectAlreadyExists => &ke::AD_OBJECT_ALREADY_EXISTS.info,
        RuleId::SearchFoundationFailure => &ke::SEARCH_FOUNDATION_FAILURE.info,
        RuleId::MissingDirectory => &ke::MISSING_DIRECTORY.info,
        RuleId::MissingHomemdb => &ke::MISSING_HOMEMDB.info,
        RuleId::MountDatabaseFailed => &ke::MOUNT_DATABASE_FAILED.info,
        RuleId::SecurityGroupsOuDeleted => &ke::SECURITY_GROUPS_OU_DELETED.info,
        RuleId::ServicecontrolReverse => &ke::SERVICECONTROL_REVERSE.info,
        RuleId::VirtualDirectoryFailure => &ke::VIRTUAL_DIRECTORY_FAILURE.info,
        RuleId::InstallFromBin => &ke::INSTALL_FROM_BIN.info,
        RuleId::AdAccessDenied => &ke::AD_ACCESS_DENIED.info,
        RuleId::FipsConfigAccessDenied => &ke::FIPS_CONFIG_ACCESS_DENIED.info,
        RuleId::MultipleEasVdirs => &ke::MULTIPLE_EAS_VDIRS.info,
        RuleId::CertificateExpired => &ke::CERTIFICATE_EXPIRED.info,
        RuleId::WellKnownObjectInvalid => &ke::WELL_KNOWN_OBJECT_INVALID.info,
        RuleId::WellKnownObjectWrongGroupType => &ke::WELL_KNOWN_OBJECT_WRONG_GROUP_TYPE.info,
        RuleId::SharedConfigDc => &ke::SHARED_CONFIG_DC.info,
        RuleId::AdValidationFailed => &ke::AD_VALIDATION_FAILED.info,
        RuleId::IisVdirMissing => &ke::IIS_VDIR_MISSING.info,
        RuleId::ReceiveConnectorFqdn => &ke::RECEIVE_CONNECTOR_FQDN.info,
        RuleId::ServiceCrash => &events::crash::SERVICE_CRASH,
        RuleId::ServiceStartFailure => &events::start_failure::SERVICE_START_FAILURE,
        RuleId::ServiceDependencyMissing => &events::dependency::SERVICE_DEPENDENCY_MISSING,
        RuleId::NtlmsspDependency => &events::dependency::NTLMSSP_DEPENDENCY,
        RuleId::MsiInstallFailed => &events::msi::MSI_INSTALL_FAILED,
        RuleId::ExchangeSetupComponentFailed => &events::setup::EXCHANGE_SETUP_COMPONENT_FAILED,
        RuleId::UnexpectedShutdownDuringSetup => &events::setup::UNEXPECTED_SHUTDOWN_DURING_SETUP,
        RuleId::AdTopologyFailure => &events::topology::AD_TOPOLOGY_FAILURE,
        RuleId::EventLogGap => &events::integrity::EVENT_LOG_GAP,
        RuleId::EventLogCleared => &events::cleared::EVENT_LOG_CLEARED,
        RuleId::RoleHalfUpgraded => &registry::roles::ROLE_HALF_UPGRADED,
        RuleId::PrereqMissing => &registry::prereq::PREREQ_MISSING,
        RuleId::PendingReboot => &registry::identity::PENDING_REBOOT,
        RuleId::SingleLabelDomain => &registry::identity::SINGLE_LABEL_DOMAIN,
        RuleId::FqdnMissing => &registry::identity::FQDN_MISSING,
        RuleId::ExchangeServiceDisabled => &registry::service_settings::EXCHANGE_SERVICE_DISABLED,
        RuleId::RemoteStreamingBackupDisabled => &registry::service_settings::REMOTE_STREAMING_BACKUP_DISABLED,
        RuleId::EventLogCustomsd => &registry::custom_sd::EVENT_LOG_CUSTOMSD,
        RuleId::UpgradeOrderViolation => &fleet::UPGRADE_ORDER_VIOLATION,
        RuleId::BuildInventory => &fleet::BUILD_INVENTORY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Like ripgrep's default-types table test: the table is complete and consistent.
    #[test]
    fn every_id_maps_to_its_own_complete_entry() {
        let all = catalog();
        assert_eq!(all.len(), RuleId::ALL.len());
        for (id, rule) in RuleId::ALL.iter().zip(&all) {
            assert_eq!(rule.id, *id, "info({id}) points at the entry of {}", rule.id);
            assert!(
                !rule.title.is_empty() && !rule.description.is_empty() && !rule.remediation.is_empty(),
                "{id}"
            );
            assert!(!rule.title.ends_with('.'), "{id}: titles do not end with a period");
        }
        assert_eq!(rule("SETUP-failed").map(|r| r.id), Some(RuleId::SetupFailed));
        assert!(rule("no-such-rule").is_none());
    }

    #[test]
    fn every_known_error_is_in_the_catalog_once() {
        assert_eq!(ke::KNOWN_ERRORS.len(), 24);
        for known in ke::KNOWN_ERRORS {
            let id = known.info.id;
            assert_eq!(ke::KNOWN_ERRORS.iter().filter(|k| k.info.id == id).count(), 1, "{id}");
            assert_eq!(info(id), &known.info, "{id}");
            assert!(!known.signatures.is_empty(), "{id}");
        }
    }
}
