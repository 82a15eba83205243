//! Cross-source correlation on one host: findings of different sources that describe the
//! same root cause become one finding ([`Finding::absorb`]) with the evidence of all.
//! Correlation reads the typed [`Fact`]s the rules attach, never `details`.

use chrono::Duration;

use crate::model::{Confidence, Evidence, Finding, HostView, Location, RuleId, RunWindow};
use crate::model::{EventFact, Fact, LdifErrFacts, RegistryFact, SetupLogFact};
use exdoctor_parsers::ldif_err::LdifErrEntry;

/// How long after an interrupted run's last line its aftermath (reboot) is looked for.
const AFTERMATH: i64 = 6;

/// Applies every correlation to the host's findings.
pub(super) fn correlate(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    merge_same_rule(findings, RuleId::NtlmsspDependency);
    merge_same_rule(findings, RuleId::SetupWatermark);
    interrupted_runs(findings, view);
    registry_state_of_interrupted_runs(findings);
    watermark_steps(findings, view);
    readiness_against_registry(findings);
    stalls(findings, view);
    ldif_errors(findings, view);
}

/// The host's findings while some are folded into others: a folded finding leaves a
/// hole, so indices stay valid until [`Slots::into_findings`].
struct Slots(Vec<Option<Finding>>);

impl Slots {
    fn new(findings: &mut Vec<Finding>) -> Slots {
        Slots(std::mem::take(findings).into_iter().map(Some).collect())
    }

    fn get(&self, i: usize) -> Option<&Finding> {
        self.0.get(i).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut Finding> {
        self.0.get_mut(i).and_then(Option::as_mut)
    }

    /// Indices of the findings still there that `keep` accepts.
    fn positions(&self, keep: impl Fn(&Finding) -> bool) -> Vec<usize> {
        (0..self.0.len()).filter(|&i| self.get(i).is_some_and(&keep)).collect()
    }

    /// Folds finding `from` into finding `into`; `prepare` may trim what `from` brings.
    fn fold(&mut self, from: usize, into: usize, prepare: impl FnOnce(Finding) -> Finding) {
        if from == into || self.get(into).is_none() {
            return;
        }
        if let Some(other) = self.0.get_mut(from).and_then(Option::take) {
            if let Some(target) = self.get_mut(into) {
                target.absorb(prepare(other));
            }
        }
    }

    fn into_findings(self) -> Vec<Finding> {
        self.0.into_iter().flatten().collect()
    }
}

/// Findings of one rule from different sources (events and registry for NtLmSsp; setup
/// log and registry for a watermark) are one problem: the first absorbs the others.
fn merge_same_rule(findings: &mut Vec<Finding>, rule: RuleId) {
    let mut slots = Slots::new(findings);
    let positions = slots.positions(|f| f.rule == rule);
    if let Some((&first, rest)) = positions.split_first() {
        for &i in rest {
            slots.fold(i, first, |other| other);
        }
    }
    *findings = slots.into_findings();
}

/// The registry of an interrupted host shows the same interruption: the role's watermark
/// and its unpacked/configured mismatch become evidence of `setup-interrupted`.
fn registry_state_of_interrupted_runs(findings: &mut Vec<Finding>) {
    let Some(interrupted) = findings.iter().position(|f| f.rule == RuleId::SetupInterrupted) else {
        return;
    };
    let mut slots = Slots::new(findings);
    let from_role_keys = slots.positions(|f| {
        matches!(f.rule, RuleId::SetupWatermark | RuleId::RoleHalfUpgraded)
            && f.has_fact(|x| matches!(x, Fact::Registry(RegistryFact::RoleKey { .. })))
    });
    for i in from_role_keys {
        let summary = slots.get(i).map(|f| f.summary.clone()).unwrap_or_default();
        slots.fold(i, interrupted, |other| other);
        if let Some(target) = slots.get_mut(interrupted) {
            target.summary.push_str(&format!(" The registry agrees: {summary}"));
        }
    }
    *findings = slots.into_findings();
}

/// A watermark that a finding names is a step of a task script: cite the step.
fn watermark_steps(findings: &mut [Finding], view: &HostView<'_>) {
    for finding in findings
        .iter_mut()
        .filter(|f| matches!(f.rule, RuleId::SetupWatermark | RuleId::SetupInterrupted))
    {
        let mut cited: Vec<Evidence> = Vec::new();
        for (source, step) in &view.task_steps {
            let named = finding
                .facts
                .iter()
                .filter_map(Fact::watermark)
                .any(|w| w.trim().eq_ignore_ascii_case(&step.id));
            if named {
                cited.push(Evidence::new(
                    *source,
                    Location::Line(step.line),
                    None,
                    format!(
                        "watermark {} is the step \"{}\"{}: the step that was running when setup stopped",
                        step.id,
                        step.name,
                        if step.fatal { " (fatal)" } else { "" }
                    ),
                ));
                finding.details.insert("failed_step".into(), step.name.clone().into());
            }
        }
        for e in cited {
            if !finding.cites(&e) {
                finding.push_evidence(e);
            }
        }
    }
}

/// The readiness check a `prereq-failed` finding is about, lower case.
fn readiness_check(finding: &Finding) -> Option<String> {
    finding.facts.iter().find_map(|f| match f {
        Fact::SetupLog(SetupLogFact::ReadinessCheck(check)) => Some(check.to_ascii_lowercase()),
        _ => None,
    })
}

/// Readiness checks the setup log failed on, matched with the registry finding that shows
/// the same gap today: the registry finding is the root, the log line its history.
fn readiness_against_registry(findings: &mut Vec<Finding>) {
    /// Readiness check (lower case) -> the registry rule and prerequisite that show it.
    const PAIRS: [(&str, RuleId, Option<&str>); 5] = [
        (
            "netframework20sp1notinstalled",
            RuleId::PrereqMissing,
            Some("NetFramework20SP1"),
        ),
        ("powershellnotinstalled", RuleId::PrereqMissing, Some("PowerShell10")),
        ("rebootpending", RuleId::PendingReboot, None),
        ("pendingrebootwindowscomponents", RuleId::PendingReboot, None),
        ("singlelabeldomain", RuleId::SingleLabelDomain, None),
    ];
    let mut pairs = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if f.rule != RuleId::PrereqFailed {
            continue;
        }
        let Some(check) = readiness_check(f) else {
            continue;
        };
        let Some((_, root_rule, root_check)) = PAIRS.iter().find(|(c, _, _)| *c == check) else {
            continue;
        };
        let root = findings.iter().position(|r| {
            r.rule == *root_rule
                && root_check.is_none_or(|rc| {
                    r.has_fact(|x| matches!(x, Fact::Registry(RegistryFact::PrereqMissing(p)) if p == rc))
                })
        });
        if let Some(root) = root {
            pairs.push((i, root));
        }
    }
    let mut slots = Slots::new(findings);
    for (i, root) in pairs {
        let Some(title) = slots.get(i).map(|f| f.title.clone()) else {
            continue;
        };
        slots.fold(i, root, Finding::into_history);
        if let Some(target) = slots.get_mut(root) {
            target.summary.push_str(&format!(
                " Setup already stopped on this check: {}.",
                title.trim_end_matches('.')
            ));
        }
    }
    *findings = slots.into_findings();
}

/// The run window a setup-log finding speaks about.
fn window_of<'v, 'a>(finding: &Finding, view: &'v HostView<'a>) -> Option<&'v RunWindow<'a>> {
    let (source, index) = finding.facts.iter().find_map(|f| match f {
        Fact::SetupLog(SetupLogFact::Run { source, index }) => Some((source.as_str(), *index)),
        _ => None,
    })?;
    view.runs.iter().find(|w| w.source == source && w.run.index == index)
}

/// The setup run (log and index) a finding is about.
fn run_of(finding: &Finding) -> Option<(&str, usize)> {
    finding.facts.iter().find_map(|f| match f {
        Fact::SetupLog(SetupLogFact::Run { source, index }) => Some((source.as_str(), *index)),
        _ => None,
    })
}

/// An interrupted run absorbs "setup started but never completed" (same fact from the
/// event log) and the unexpected shutdown of the same run (the shutdown is why it was
/// interrupted: one root cause, one finding), and gains the installer events of its
/// window and the next boot as evidence.
fn interrupted_runs(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    let open_end = Duration::hours(AFTERMATH);
    let mut slots = Slots::new(findings);
    for i in slots.positions(|f| f.rule == RuleId::SetupInterrupted) {
        let Some(window) = slots.get(i).and_then(|f| window_of(f, view)) else {
            continue;
        };
        let run = (window.source, window.run.index);
        let mut agreed = false;
        // MSExchangeSetup 1000 without 1001 inside the window: the same interruption.
        let same_run = slots.positions(|other| {
            other.rule == RuleId::ExchangeSetupComponentFailed
                && other.has_fact(|x| *x == Fact::Event(EventFact::SetupNeverCompleted))
                && other
                    .evidence
                    .iter()
                    .filter_map(|e| e.time.and_then(|t| t.utc()))
                    .any(|t| window.contains(t, open_end))
        });
        for j in same_run {
            slots.fold(j, i, Finding::into_history);
            agreed = true;
        }
        // The server went down during this run: the cause of the interruption.
        for j in slots.positions(|f| f.rule == RuleId::UnexpectedShutdownDuringSetup && run_of(f) == Some(run)) {
            let Some((summary, first_step)) = slots
                .get(j)
                .map(|f| (f.summary.clone(), f.remediation.first().cloned()))
            else {
                continue;
            };
            slots.fold(j, i, |f| f);
            if let Some(target) = slots.get_mut(i) {
                target.summary.push_str(&format!(" {summary}"));
                if let (Some(step), Some(first)) = (first_step, target.remediation.first_mut()) {
                    *first = step;
                }
            }
            agreed = true;
        }
        // Installer activity and the next boot after the last line.
        let mut extra: Vec<Evidence> = window
            .start
            .zip(window.end)
            .map(|(start, end)| view.events_between(start - window.slack(), end + window.slack()))
            .unwrap_or_default()
            .iter()
            .filter(|e| {
                e.event.provider.eq_ignore_ascii_case("MsiInstaller") && window.contains(e.event.time, Duration::zero())
            })
            .take(3)
            .map(|e| e.evidence(format!("{} during the run", e.label())))
            .collect();
        let Some(finding) = slots.get_mut(i) else {
            continue;
        };
        if let Some(end) = window.end {
            let after = view.events.partition_point(|e| e.event.time <= end);
            let next_boot = view.events[after..].iter().find(|e| {
                e.event.provider.eq_ignore_ascii_case("EventLog") && matches!(e.event.event_id, 6005 | 6008 | 6009)
            });
            if let Some(boot) = next_boot {
                let minutes = (boot.event.time - end).num_minutes();
                extra.push(boot.evidence(format!(
                    "{}: the system started again {minutes} min after the last setup line",
                    boot.label()
                )));
                finding.details.insert("next_boot_after_minutes".into(), minutes.into());
            }
        }
        for e in extra {
            if !finding.cites(&e) {
                finding.push_evidence(e);
                agreed = true;
            }
        }
        if agreed {
            finding.confidence = Confidence::High;
        }
    }
    *findings = slots.into_findings();
}

/// A stalled setup run absorbs the CRL-timeout service start failures of its window.
fn stalls(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    let Some(stall) = findings.iter().position(|f| f.rule == RuleId::SetupStall) else {
        return;
    };
    let Some(window) = window_of(&findings[stall], view).cloned() else {
        return;
    };
    let crl = findings.iter().position(|f| {
        f.rule == RuleId::ServiceStartFailure
            && f.has_fact(|x| matches!(x, Fact::Event(EventFact::CrlStartTimeout { .. })))
            && f.evidence
                .iter()
                .filter_map(|e| e.time.and_then(|t| t.utc()))
                .all(|t| window.contains(t, Duration::zero()))
    });
    let Some(crl) = crl else { return };
    let other = findings.remove(crl);
    let stall = if crl < stall { stall - 1 } else { stall };
    let services = other.facts.iter().find_map(|f| match f {
        Fact::Event(EventFact::CrlStartTimeout { services }) => Some(services.clone()),
        _ => None,
    });
    let summary = other.summary.clone();
    let stall_finding = &mut findings[stall];
    stall_finding.absorb(other.into_history());
    if let Some(services) = services {
        stall_finding.details.insert("services".into(), services.into());
    }
    stall_finding.summary.push_str(&format!(
        " The event log confirms it: {} (KB944752).",
        summary.trim_end_matches('.')
    ));
}

/// The last component of a Windows or Unix path, lower case.
fn file_name(path: &str) -> String {
    path.rsplit(['\\', '/'])
        .next()
        .unwrap_or(path)
        .trim()
        .to_ascii_lowercase()
}

/// `ldif.err` line 5: `Add error on entry starting on line 78 (CN=...): Unwilling To
/// Perform; server error 0x20bb ERROR_DS_DUP_OID: Schema update failed: duplicate OID.`
fn ldif_entry_text(entry: &LdifErrEntry) -> String {
    let mut text = format!(
        "{} error on entry starting on line {}",
        entry.operation.as_deref().unwrap_or("Import"),
        entry.ldif_line.map_or_else(|| "?".to_string(), |l| l.to_string())
    );
    if let Some(dn) = &entry.dn {
        text.push_str(&format!(" ({dn})"));
    }
    if let Some(reason) = &entry.reason {
        text.push_str(&format!(": {reason}"));
    }
    if let Some(e) = &entry.server_error {
        text.push_str(&format!(
            "; server error {:#x} {}{}",
            e.code,
            e.name().map(|n| format!("{n}: ")).unwrap_or_default(),
            e.text
        ));
    }
    if let Some(x) = &entry.extended_error {
        text.push_str(&format!(
            "; extended error {}",
            x.text.lines().next().unwrap_or_default()
        ));
    }
    text
}

/// An ldifde import that failed takes the entries of the `ldif.err` it names (matched by
/// file name among the host's ldifde error files) as evidence: the object that failed
/// and the domain controller's error are the actual cause.
fn ldif_errors(findings: &mut [Finding], view: &HostView<'_>) {
    for finding in findings.iter_mut().filter(|f| f.rule == RuleId::LdifdeImportFailed) {
        let Some(named) = finding.facts.iter().find_map(|f| match f {
            Fact::SetupLog(SetupLogFact::LdifErrorFile(path)) => Some(file_name(path)),
            _ => None,
        }) else {
            continue;
        };
        let files: Vec<&(&str, &LdifErrFacts)> = view
            .ldif_errors
            .iter()
            .filter(|(source, _)| file_name(source) == named)
            .collect();
        let Some(first) = files.iter().flat_map(|(_, l)| &l.entries).next() else {
            continue;
        };
        let mut sentence = format!(" The error file {named} names the entry that failed");
        if let Some(dn) = &first.dn {
            sentence.push_str(&format!(", {dn}"));
        }
        match &first.server_error {
            Some(e) => sentence.push_str(&format!(
                ": {} ({}).",
                e.text.trim().trim_end_matches('.'),
                e.name().map_or_else(|| format!("{:#x}", e.code), str::to_string)
            )),
            None => sentence.push('.'),
        }
        finding.summary.push_str(&sentence);
        if let Some(dn) = &first.dn {
            finding.details.insert("failed_entry".into(), dn.clone().into());
        }
        if let Some(e) = &first.server_error {
            finding
                .details
                .insert("server_error".into(), format!("{:#x} {}", e.code, e.text).into());
            if let Some(name) = e.name() {
                finding.details.insert("server_error_name".into(), name.into());
            }
        }
        if let (Some(step), Some(dn)) = (finding.remediation.first_mut(), &first.dn) {
            *step = format!(
                "{named} names the entry that failed: {dn}{}; find the existing schema object it conflicts with.",
                first
                    .server_error
                    .as_ref()
                    .map(|e| format!(" ({})", e.text.trim().trim_end_matches('.')))
                    .unwrap_or_default()
            );
        }
        for (source, l) in files {
            for entry in &l.entries {
                let line = u32::try_from(entry.line).unwrap_or(u32::MAX);
                finding.push_evidence(Evidence::new(
                    *source,
                    Location::Line(line),
                    None,
                    ldif_entry_text(entry),
                ));
            }
        }
        finding.confidence = Confidence::High;
    }
}
