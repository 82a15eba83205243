//! `service-dependency-missing` and `ntlmssp-dependency`: services that list a service
//! that does not exist (SCM 7003, 7001 `%%1075`). The root is the missing service; the
//! dependants that could not start because of it (7001 `%%1075`/`%%1068`) are folded
//! into its finding. A missing `NtLmSsp` is the in-place OS upgrade signature (KB951402).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::json;

use super::exchange::{key_or_name, label};
use super::messages::{evidence_text, win32_code};
use super::services::Directory;
use super::{cited, listed, HostView, NOT_EXCHANGE, SCM};
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

/// The roots found on a host and every service they explain (by group key).
#[derive(Debug, Default)]
pub(crate) struct Dependencies<'h, 'a> {
    /// Missing services (7003, 7001 `%%1075`/`%%1060`) and what they keep from starting.
    pub roots: Vec<DependencyRoot>,
    /// Services explained by a missing root: no start-failure finding of their own.
    pub blocked: BTreeSet<String>,
    /// Services that failed for a reason of their own (disabled, timeout, ...), with the
    /// 7001 events of the services that could not start because of them, in the order
    /// of their first dependant.
    pub failed: Vec<FailedRoot<'h, 'a>>,
}

/// A service whose own failure (not a missing dependency) kept others from starting.
#[derive(Debug)]
pub(crate) struct FailedRoot<'h, 'a> {
    /// The service as the events name it.
    pub name: String,
    /// Why it failed, as the dependants' 7001 give it (`1058` = disabled).
    pub code: Option<String>,
    /// The 7001 events of the services that could not start because of it, in time order.
    pub dependants: Vec<&'h HostEvent<'a>>,
}

/// Where each service of a root's lists is: (root, dependant list?, group key) -> position.
type Positions = HashMap<(usize, bool, String), usize>;

/// Adds `evidence` to the entry of `name` in the services (or dependants) of root `root`
/// (created when absent), in O(1) through `positions`.
fn add(
    roots: &mut [DependencyRoot],
    positions: &mut Positions,
    (root, dependants): (usize, bool),
    (name, key): (&str, String),
    evidence: Evidence,
) {
    let Some(r) = roots.get_mut(root) else { return };
    let list = if dependants { &mut r.dependants } else { &mut r.services };
    match positions.get(&(root, dependants, key.clone())) {
        Some(&i) => list[i].evidence.push(evidence),
        None => {
            positions.insert((root, dependants, key), list.len());
            list.push(AffectedService {
                name: name.trim().to_string(),
                evidence: vec![evidence],
            });
        }
    }
}

/// The Win32 code of a 7001's third insertion string (`%%1068` -> `1068`).
fn code_of<'a>(e: &HostEvent<'a>) -> Option<&'a str> {
    e.event.param(2).and_then(win32_code)
}

/// The service a chain of 7001 `%%1068` ("its dependency failed") ends at, from service
/// `on` that failed with `code`: while the failure is `%%1068`, follow the 7001 of `on`
/// itself. Memoized per service, so every 7001 costs O(1) amortized.
struct Chains<'h, 'a, 'd> {
    dir: &'d Directory<'d>,
    /// The first 7001 of each dependant (by group key).
    first: HashMap<String, &'h HostEvent<'a>>,
    /// Where a service that failed with `%%1068` leads: (root name, its code).
    memo: HashMap<String, (String, Option<String>)>,
}

impl<'h, 'a> Chains<'h, 'a, '_> {
    fn root(&mut self, on: &str, code: Option<&str>) -> (String, Option<String>) {
        if code != Some("1068") {
            return (on.trim().to_string(), code.map(str::to_string));
        }
        let mut path: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut current = (on.trim().to_string(), Some("1068".to_string()));
        loop {
            let key = self.dir.resolve(&current.0).group_key();
            if let Some(known) = self.memo.get(&key) {
                current = known.clone();
                break;
            }
            if !seen.insert(key.clone()) {
                break;
            }
            path.push(key.clone());
            let next = self
                .first
                .get(&key)
                .and_then(|e| Some((e.event.param(1)?.trim().to_string(), code_of(e))));
            match next {
                Some((next_on, next_code)) => {
                    current = (next_on, next_code.map(str::to_string));
                    if current.1.as_deref() != Some("1068") {
                        break;
                    }
                }
                None => break,
            }
        }
        for key in path {
            self.memo.insert(key, current.clone());
        }
        current
    }
}

/// Finds the dependency roots of the host's SCM events: missing services (7003, 7001
/// `%%1075`, `%%1060`) and services that failed on their own (7001 `%%1058` disabled,
/// or any other error), following chains of `%%1068` to the service that really failed.
pub(crate) fn analyze<'h, 'a>(host: &'h HostView<'a>, dir: &Directory<'_>) -> Dependencies<'h, 'a> {
    let mut deps = Dependencies::default();
    let mut positions = Positions::new();
    let mut owner: HashMap<String, usize> = HashMap::new();
    let mut missing_index: HashMap<String, usize> = HashMap::new();
    for e in host.events_of(SCM, &[7003]) {
        let (Some(service), Some(missing)) = (e.event.param(0), e.event.param(1)) else {
            continue;
        };
        let index = *missing_index
            .entry(missing.trim().to_ascii_lowercase())
            .or_insert_with(|| {
                deps.roots.push(DependencyRoot {
                    missing: Some(missing.trim().to_string()),
                    ..DependencyRoot::default()
                });
                deps.roots.len() - 1
            });
        let key = dir.resolve(service).group_key();
        add(
            &mut deps.roots,
            &mut positions,
            (index, false),
            (service, key.clone()),
            e.evidence(evidence_text(e)),
        );
        owner.insert(key, index);
    }
    let failures: Vec<&HostEvent<'_>> = host.events_of(SCM, &[7001]).collect();
    let mut failed_index: HashMap<String, usize> = HashMap::new();
    let mut chains = Chains {
        dir,
        first: HashMap::new(),
        memo: HashMap::new(),
    };
    for e in &failures {
        if let Some(dependant) = e.event.param(0) {
            chains.first.entry(dir.resolve(dependant).group_key()).or_insert(*e);
        }
    }
    for e in failures {
        let (Some(dependant), Some(on)) = (e.event.param(0), e.event.param(1)) else {
            continue;
        };
        let (root, code) = chains.root(on, code_of(e));
        let root_key = dir.resolve(&root).group_key();
        let direct = dir.resolve(on).group_key() == root_key;
        let evidence = e.evidence(evidence_text(e));
        let missing_root = match (owner.get(&root_key), code.as_deref()) {
            (Some(&i), _) => Some((i, false)),
            (None, Some("1075")) => {
                deps.roots.push(DependencyRoot {
                    missing: None,
                    services: vec![AffectedService {
                        name: root.clone(),
                        evidence: Vec::new(),
                    }],
                    dependants: Vec::new(),
                });
                positions.insert((deps.roots.len() - 1, false, root_key.clone()), 0);
                owner.insert(root_key.clone(), deps.roots.len() - 1);
                Some((deps.roots.len() - 1, false))
            }
            (None, Some("1060")) => {
                let i = *missing_index.entry(root_key.clone()).or_insert_with(|| {
                    deps.roots.push(DependencyRoot {
                        missing: Some(root.clone()),
                        ..DependencyRoot::default()
                    });
                    deps.roots.len() - 1
                });
                Some((i, direct))
            }
            _ => None,
        };
        match missing_root {
            Some((i, in_services)) => {
                let key = dir.resolve(dependant).group_key();
                add(
                    &mut deps.roots,
                    &mut positions,
                    (i, !in_services),
                    (dependant, key.clone()),
                    evidence,
                );
                deps.blocked.insert(key);
            }
            None => {
                let i = *failed_index.entry(root_key.clone()).or_insert_with(|| {
                    deps.failed.push(FailedRoot {
                        name: root.clone(),
                        code,
                        dependants: Vec::new(),
                    });
                    deps.failed.len() - 1
                });
                deps.failed[i].dependants.push(e);
            }
        }
    }
    deps.blocked.extend(owner.into_keys());
    deps
}

/// The findings of the roots: `ntlmssp-dependency` for NtLmSsp, else
/// `service-dependency-missing`.
pub(crate) fn findings(host: &HostView<'_>, dir: &Directory<'_>, deps: &Dependencies) -> Vec<Finding> {
    deps.roots
        .iter()
        .map(|root| {
            if root.is_ntlmssp() {
                ntlmssp_finding(root, os_upgrade_evidence(host))
            } else {
                let exchange = root
                    .services
                    .iter()
                    .chain(&root.dependants)
                    .any(|s| dir.resolve(&s.name).subject.matters_to_exchange());
                let finding = missing_finding(root);
                if exchange {
                    finding
                } else {
                    let summary = format!("{} {}: {NOT_EXCHANGE}.", finding.summary, dir.why_warning());
                    Finding {
                        summary,
                        ..finding.severity(Severity::Warning)
                    }
                }
            }
        })
        .collect()
}

/// `A, B and C`; after [`MAX_NAMED`] names, `A, B, ... and N more`.
fn names(list: &[AffectedService]) -> String {
    let labels: Vec<String> = list.iter().take(MAX_NAMED).map(|s| label(&s.name)).collect();
    if list.len() > MAX_NAMED {
        format!("{} and {} more", labels.join(", "), list.len() - MAX_NAMED)
    } else {
        listed(&labels)
    }
}

/// At most this many services are named in a summary; the rest are counted.
const MAX_NAMED: usize = 10;

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

/// `finding` with the cited part of `evidence` and its count.
fn with_evidence(mut finding: Finding, evidence: &[Evidence]) -> Finding {
    let (head, tail) = cited(evidence);
    for e in head.iter().chain(tail) {
        finding.push_evidence(e.clone());
    }
    finding.count(evidence.len().max(1) as u64)
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
    let evidence = root_evidence(root);
    let sources: BTreeSet<&str> = evidence.iter().map(|e| e.source.as_str()).collect();
    let confidence = if upgraded || sources.len() > 1 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let mut finding = with_evidence(Finding::new(rule, summary).subject("NtLmSsp"), &evidence);
    for e in os_upgrade {
        finding.push_evidence(e);
    }
    finding
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
        &root_evidence(root),
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
        let dir = Directory::new(&host);
        let deps = analyze(&host, &dir);
        assert_eq!(deps.roots.len(), 1);
        assert_eq!(deps.blocked.len(), 3);
        let findings = findings(&host, &dir, &deps);
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
        // Nothing Exchange needs, on a host without Exchange: a warning.
        assert_eq!(f.severity, crate::model::Severity::Warning);
        assert!(f
            .summary
            .ends_with("The logs show no Exchange on this host: a warning for this triage."));
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
        let dir = Directory::new(&host);
        let deps = analyze(&host, &dir);
        assert_eq!(deps.roots.len(), 1);
        assert_eq!(deps.roots[0].missing, None);
        assert!(deps.blocked.contains("fax") && !deps.blocked.contains("telnet"));
        assert_eq!(findings(&host, &dir, &deps)[0].count, 1);
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
