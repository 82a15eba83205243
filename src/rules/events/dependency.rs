//! `service-dependency-missing` and `ntlmssp-dependency`: services that list a service
//! that does not exist (SCM 7003, 7001 `%%1075`). The root is the missing service; the
//! dependants that could not start because of it (7001 `%%1075`/`%%1068`) are folded
//! into its finding. A missing `NtLmSsp` is the in-place OS upgrade signature (KB951402).

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::exchange::{group_key, key_or_name, label};
use super::messages::{evidence_text, win32_code};
use super::{HostView, SCM};
use crate::model::{Confidence, Evidence, Finding};
use crate::model::{HostEvent, RuleId, RuleInfo, Severity};

/// The `ntlmssp-dependency` rule.
pub(crate) const NTLMSSP_DEPENDENCY: RuleInfo = RuleInfo {
    id: RuleId::NtlmsspDependency,
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
};

/// The `service-dependency-missing` rule.
pub(crate) const SERVICE_DEPENDENCY_MISSING: RuleInfo = RuleInfo {
    id: RuleId::ServiceDependencyMissing,
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
};

/// A service and the evidence that shows it (events now; registry values can be added).
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedService {
    /// The service as the evidence names it (display name or key).
    pub name: String,
    /// The events that show it.
    pub evidence: Vec<Evidence>,
}

/// One missing service and what it keeps from starting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DependencyRoot {
    /// The service that does not exist (`NtLmSsp`); `None` when only 7001 `%%1075`
    /// events show that some dependency of `services` is missing.
    pub missing: Option<String>,
    /// Services that list the missing one among their dependencies (7003).
    pub services: Vec<AffectedService>,
    /// Services that could not start because one of `services` could not (7001).
    pub dependants: Vec<AffectedService>,
}

impl DependencyRoot {
    fn is_ntlmssp(&self) -> bool {
        self.missing
            .as_deref()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("NtLmSsp"))
    }
}

/// The roots found on a host and every service they explain (by [`group_key`]).
#[derive(Debug, Default)]
pub(crate) struct Dependencies {
    pub roots: Vec<DependencyRoot>,
    pub blocked: BTreeSet<String>,
}

/// Adds `evidence` to the entry of `name` in `list` (created when absent).
fn add(list: &mut Vec<AffectedService>, name: &str, evidence: Evidence) {
    let key = group_key(name);
    match list.iter_mut().find(|s| group_key(&s.name) == key) {
        Some(s) => s.evidence.push(evidence),
        None => list.push(AffectedService {
            name: name.trim().to_string(),
            evidence: vec![evidence],
        }),
    }
}

/// Finds the missing-dependency roots of the host's SCM events.
pub(crate) fn analyze(host: &HostView<'_>) -> Dependencies {
    let mut roots: Vec<DependencyRoot> = Vec::new();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for e in host.events_of(SCM, &[7003]) {
        let (Some(service), Some(missing)) = (e.event.param(0), e.event.param(1)) else {
            continue;
        };
        let index = match roots.iter().position(|r| {
            r.missing
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(missing.trim()))
        }) {
            Some(i) => i,
            None => {
                roots.push(DependencyRoot {
                    missing: Some(missing.trim().to_string()),
                    ..DependencyRoot::default()
                });
                roots.len() - 1
            }
        };
        add(&mut roots[index].services, service, e.evidence(evidence_text(e)));
        owner.insert(group_key(service), index);
    }
    attach_dependants(host, &mut roots, &mut owner);
    Dependencies {
        roots,
        blocked: owner.into_keys().collect(),
    }
}

/// Folds 7001 `%%1075`/`%%1068` into the root of the service they depend on (also
/// transitively); a `%%1075` whose service has no 7003 becomes a root of its own.
fn attach_dependants(host: &HostView<'_>, roots: &mut Vec<DependencyRoot>, owner: &mut HashMap<String, usize>) {
    let mut pending: Vec<&HostEvent<'_>> = host
        .events_of(SCM, &[7001])
        .filter(|e| matches!(e.event.param(2).and_then(win32_code), Some("1075" | "1068")))
        .collect();
    loop {
        let before = pending.len();
        pending.retain(|e| {
            let (Some(dependant), Some(on)) = (e.event.param(0), e.event.param(1)) else {
                return false;
            };
            let Some(&index) = owner.get(&group_key(on)) else {
                return true;
            };
            add(&mut roots[index].dependants, dependant, e.evidence(evidence_text(e)));
            owner.insert(group_key(dependant), index);
            false
        });
        if pending.len() < before {
            continue;
        }
        // No progress: a %%1075 without a 7003 names a service whose dependency is missing.
        let Some(on) = pending
            .iter()
            .find(|e| e.event.param(2).and_then(win32_code) == Some("1075"))
            .and_then(|e| e.event.param(1))
        else {
            break;
        };
        roots.push(DependencyRoot {
            missing: None,
            services: vec![AffectedService {
                name: on.trim().to_string(),
                evidence: Vec::new(),
            }],
            dependants: Vec::new(),
        });
        owner.insert(group_key(on), roots.len() - 1);
    }
}

/// The findings of the roots: `ntlmssp-dependency` for NtLmSsp, else
/// `service-dependency-missing`.
pub(crate) fn findings(host: &HostView<'_>, deps: &Dependencies) -> Vec<Finding> {
    deps.roots
        .iter()
        .map(|root| {
            if root.is_ntlmssp() {
                ntlmssp_finding(root, os_upgrade_evidence(host))
            } else {
                missing_finding(root)
            }
        })
        .collect()
}

/// `A, B and C`.
fn names(list: &[AffectedService]) -> String {
    let labels: Vec<String> = list.iter().map(|s| label(&s.name)).collect();
    match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn keys(list: &[AffectedService]) -> Vec<String> {
    list.iter().map(|s| key_or_name(&s.name)).collect()
}

/// Evidence of the root (services, then dependants) and how many events it holds.
fn root_evidence(root: &DependencyRoot) -> Vec<Evidence> {
    root.services
        .iter()
        .chain(&root.dependants)
        .flat_map(|s| s.evidence.iter().cloned())
        .collect()
}

fn with_evidence(mut finding: Finding, evidence: Vec<Evidence>) -> Finding {
    let count = evidence.len().max(1) as u64;
    for e in evidence {
        finding.push_evidence(e);
    }
    finding.count(count)
}

fn dependants_sentence(root: &DependencyRoot) -> String {
    if root.dependants.is_empty() {
        String::new()
    } else {
        format!(" Because of it {} could not start either.", names(&root.dependants))
    }
}

/// The `ntlmssp-dependency` finding of `root` (services listing NtLmSsp, with their
/// evidence), with `os_upgrade` (the 6009 banners of the in-place upgrade) appended.
/// More evidence (e.g. the services' `DependOnService` values) can be added to
/// `root.services` before calling, or pushed onto the finding afterwards.
pub fn ntlmssp_finding(root: &DependencyRoot, os_upgrade: Vec<Evidence>) -> Finding {
    let rule = &NTLMSSP_DEPENDENCY;
    let upgraded = !os_upgrade.is_empty();
    let mut summary = format!(
        "{} depend on NtLmSsp, a service Windows Server 2008 no longer has: they cannot start.",
        names(&root.services)
    );
    summary.push_str(&dependants_sentence(root));
    if upgraded {
        summary.push_str(" The OS banners show Windows upgraded in place from 5.2 to 6.0 under Exchange 2007 (unsupported, KB951402).");
    } else {
        summary
            .push_str(" This is the signature of an unsupported in-place upgrade to Windows Server 2008 (KB951402).");
    }
    let mut evidence = root_evidence(root);
    let sources: BTreeSet<&str> = evidence.iter().map(|e| e.source.as_str()).collect();
    let confidence = if upgraded || sources.len() > 1 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let count = evidence.len().max(1) as u64;
    evidence.extend(os_upgrade);
    with_evidence(Finding::new(rule, summary).subject("NtLmSsp"), evidence)
        .count(count)
        .confidence(confidence)
        .detail("missing", "NtLmSsp")
        .detail("services", json!(keys(&root.services)))
        .detail("dependants", json!(keys(&root.dependants)))
        .detail("in_place_upgrade", upgraded)
}

/// The `service-dependency-missing` finding of a root other than NtLmSsp.
fn missing_finding(root: &DependencyRoot) -> Finding {
    let rule = &SERVICE_DEPENDENCY_MISSING;
    let first = root.services.first().map(|s| key_or_name(&s.name)).unwrap_or_default();
    let mut summary = match &root.missing {
        Some(missing) => format!(
            "{} depend(s) on the service {missing}, which does not exist.",
            names(&root.services)
        ),
        None => format!(
            "A dependency of {} does not exist or is marked for deletion (7001 %%1075).",
            names(&root.services)
        ),
    };
    summary.push_str(&dependants_sentence(root));
    let missing = root.missing.as_deref().unwrap_or("<missing service>");
    let steps = vec![
        format!("Show the dependencies: sc qc {first} (DEPENDENCIES lists {missing})."),
        format!(
            "If {missing} should exist, install or repair it; otherwise set the list without it: sc config {first} depend= <the other dependencies separated by />."
        ),
        format!("Start {first} and then its dependants: net start {first}."),
    ];
    with_evidence(
        Finding::new(rule, summary).subject(root.missing.clone().unwrap_or_else(|| format!("dependency of {first}"))),
        root_evidence(root),
    )
    .remediation(steps)
    .detail("missing", root.missing.clone())
    .detail("services", json!(keys(&root.services)))
    .detail("dependants", json!(keys(&root.dependants)))
}

/// The major version of a 6009 banner (`5.02.` -> 5).
fn banner_major(e: &HostEvent<'_>) -> Option<u32> {
    e.event.param(0)?.trim().split('.').next()?.parse().ok()
}

/// The last 6009 banner of the old OS and the first of the newer one, when the host's
/// banners show its major version going up (an in-place upgrade).
pub(crate) fn os_upgrade_evidence(host: &HostView<'_>) -> Vec<Evidence> {
    let mut previous: Option<(&HostEvent<'_>, u32)> = None;
    for e in host.events_of("EventLog", &[6009]) {
        let Some(major) = banner_major(e) else { continue };
        if let Some((old, old_major)) = previous {
            if major > old_major {
                return vec![old.evidence(evidence_text(old)), e.evidence(evidence_text(e))];
            }
        }
        previous = Some((e, major));
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, view};

    #[test]
    fn a_missing_dependency_is_one_root_with_its_dependants_folded() {
        let events = [
            event(SCM, 7003, 10, "2009-01-01T10:00:00Z", &["Print Spooler", "HTTP"]),
            event(
                SCM,
                7001,
                11,
                "2009-01-01T10:00:01Z",
                &["Fax", "Print Spooler", "%%1075"],
            ),
            event(SCM, 7001, 12, "2009-01-01T10:00:02Z", &["Fax Helper", "Fax", "%%1068"]),
        ];
        let host = view(&events);
        let deps = analyze(&host);
        assert_eq!(deps.roots.len(), 1);
        assert_eq!(deps.blocked.len(), 3);
        let findings = findings(&host, &deps);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule, RuleId::ServiceDependencyMissing);
        assert_eq!(f.count, 3);
        assert!(
            f.summary.contains("Print Spooler depend(s) on the service HTTP"),
            "{}",
            f.summary
        );
        assert!(
            f.summary.contains("Fax and Fax Helper could not start"),
            "{}",
            f.summary
        );
        assert!(f.remediation[0].contains("sc qc Print Spooler"));
    }

    #[test]
    fn a_1075_without_7003_is_its_own_root_and_1068_alone_is_not() {
        let events = [
            event(
                SCM,
                7001,
                5,
                "2009-01-01T10:00:00Z",
                &["Fax", "Print Spooler", "%%1075"],
            ),
            event(
                SCM,
                7001,
                6,
                "2009-01-01T10:00:00Z",
                &["Telnet", "TCP/IP NetBIOS Helper", "%%1068"],
            ),
        ];
        let host = view(&events);
        let deps = analyze(&host);
        assert_eq!(deps.roots.len(), 1);
        assert_eq!(deps.roots[0].missing, None);
        assert!(deps.blocked.contains("fax") && !deps.blocked.contains("telnet"));
        assert_eq!(findings(&host, &deps)[0].count, 1);
    }

    #[test]
    fn os_banners_show_an_in_place_upgrade_only_when_the_version_goes_up() {
        let events = [
            event(
                "EventLog",
                6009,
                1,
                "2008-03-14T20:58:00Z",
                &["5.02.", "3790", "Service Pack 2", "Free"],
            ),
            event(
                "EventLog",
                6009,
                2,
                "2008-03-14T23:41:00Z",
                &["6.00.", "6001", "Service Pack 1", "Free"],
            ),
            event(
                "EventLog",
                6009,
                3,
                "2008-03-15T10:00:00Z",
                &["6.00.", "6001", "Service Pack 1", "Free"],
            ),
        ];
        let ev = os_upgrade_evidence(&view(&events));
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].location, crate::model::Location::Record(1));
        assert_eq!(ev[1].location, crate::model::Location::Record(2));
        assert!(os_upgrade_evidence(&view(&events[1..])).is_empty());
    }
}
