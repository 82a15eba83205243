//! `exchange-service-disabled` and `remote-streaming-backup-disabled`.

use serde_json::json;

use super::key_evidence;
use crate::model::{Finding, RuleId, RuleInfo, Severity, HOST_WIDE};
use crate::registry::host_state::{StartMode, STREAMING_BACKUP_KEY, STREAMING_BACKUP_VALUE};
use crate::registry::HostState;

/// The `remote-streaming-backup-disabled` rule.
pub(crate) const REMOTE_STREAMING_BACKUP_DISABLED: RuleInfo = RuleInfo {
    id: RuleId::RemoteStreamingBackupDisabled,
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
};

/// The `exchange-service-disabled` rule.
pub(crate) const EXCHANGE_SERVICE_DISABLED: RuleInfo = RuleInfo {
    id: RuleId::ExchangeServiceDisabled,
    title: "An Exchange service is disabled",
    severity: Severity::Error,
    description: "An Exchange service key has Start = 4 (disabled). Setup cannot start it (\"The service cannot \
                  be started, either because it is disabled...\") and the role does not work.",
    remediation: &[
        "Set the service back to Automatic: sc config <service> start= auto (or in services.msc).",
        "Start it (net start <service>), then run setup again if a setup run failed on it.",
    ],
    references: &["CSS-Exchange SetupLogReviewer (service disabled during setup)"],
};

fn disabled(state: &HostState) -> Option<Finding> {
    let services = state.services.as_ref()?;
    let off: Vec<_> = services
        .exchange()
        .filter(|s| s.start_mode == Some(StartMode::Disabled))
        .collect();
    if off.is_empty() {
        return None;
    }
    let names: Vec<String> = off.iter().map(|s| s.name.clone()).collect();
    let summary = format!(
        "{} {} disabled (Start = 4): setup cannot start {} and the role does not work.",
        super::join_and(&names),
        if names.len() == 1 { "is" } else { "are" },
        if names.len() == 1 { "it" } else { "them" }
    );
    let mut steps: Vec<String> = names
        .iter()
        .map(|n| format!("sc config {n} start= auto && net start {n}"))
        .collect();
    steps.push("Find out who disabled them (group policy, a hardening script, an earlier troubleshooting step) so that it does not happen again, then run setup again if it failed.".into());
    let mut finding = Finding::new(&EXCHANGE_SERVICE_DISABLED, summary)
        .subject(HOST_WIDE)
        .remediation(steps)
        .count(off.len() as u64)
        .detail("services", json!(names));
    for s in off {
        let name = s.display_name.as_deref().unwrap_or(&s.name);
        finding.push_evidence(key_evidence(
            state,
            s.source.as_ref(),
            &s.key,
            &format!("{name}: Start = 4"),
        ));
    }
    Some(finding)
}

/// Whether the host is a CCR/cluster node: a ClusteredMailboxServer key or the Cluster service.
fn clustered(state: &HostState) -> bool {
    let cms = state
        .exchange
        .iter()
        .flat_map(|i| &i.roles)
        .any(|r| r.name.eq_ignore_ascii_case("ClusteredMailboxServer"));
    cms || state.service("ClusSvc").is_some()
}

fn streaming_backup(state: &HostState) -> Option<Finding> {
    // Only Exchange 2007 mailbox servers configured at SP1 or later.
    let mailbox = state
        .exchange
        .iter()
        .filter(|i| i.version_key == "v8.0")
        .flat_map(|i| &i.roles)
        .filter(|r| r.name.eq_ignore_ascii_case("MailboxRole") || r.name.eq_ignore_ascii_case("ClusteredMailboxServer"))
        .find(|r| r.configured_build.is_some_and(|b| b.major == 8 && b.minor >= 1))?;
    let setting = state.remote_streaming_backup.as_ref();
    if setting.is_some_and(|s| s.value != 0) {
        return None;
    }
    // Absence only counts when the Information Store's key was exported.
    let store = state.service("MSExchangeIS");
    if setting.is_none() && store.is_none() {
        return None;
    }
    let ccr = clustered(state);
    let evidence = match setting {
        Some(s) => key_evidence(state, s.source.as_ref(), &s.key, &format!("{} = {}", s.name, s.value)),
        None => key_evidence(
            state,
            store.and_then(|s| s.source.as_ref()),
            STREAMING_BACKUP_KEY,
            &format!("{STREAMING_BACKUP_VALUE} is not set (SP1 default: disabled)"),
        ),
    };
    let build = mailbox.configured_version.clone().unwrap_or_default();
    let mut summary = format!(
        "Remote streaming backup is disabled on this Exchange 2007 mailbox server ({build}): network backups through the streaming API fail."
    );
    let mut finding = Finding::new(&REMOTE_STREAMING_BACKUP_DISABLED, String::new())
        .subject(format!("{STREAMING_BACKUP_KEY}\\{STREAMING_BACKUP_VALUE}"));
    if ccr {
        summary.push_str(" This is a cluster (CCR) node: reseeding a database copy from the other node needs it.");
        finding = finding.severity(Severity::Warning);
    }
    finding.summary = summary;
    Some(
        finding
            .evidence(evidence)
            .detail("value", setting.map(|s| s.value))
            .detail("clustered", ccr)
            .detail("build", build),
    )
}

/// The service findings of the host.
pub(super) fn check(state: &HostState) -> Vec<Finding> {
    [disabled(state), streaming_backup(state)]
        .into_iter()
        .flatten()
        .collect()
}
