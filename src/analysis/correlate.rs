//! Cross-source correlation on one host: findings of different sources that describe the
//! same root cause become one finding with the evidence of all, and confidence high.

use chrono::Duration;

use crate::model::{Confidence, Evidence, Finding, Location, RuleId};
use crate::model::{HostView, RunWindow};

/// How long after an interrupted run's last line its aftermath (reboot) is looked for.
const AFTERMATH: i64 = 6;

/// Applies every correlation to the host's findings.
pub fn correlate(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    merge_same_rule(findings, RuleId::NtlmsspDependency);
    merge_same_rule(findings, RuleId::SetupWatermark);
    interrupted_runs(findings, view);
    registry_state_of_interrupted_runs(findings);
    watermark_steps(findings, view);
    readiness_against_registry(findings);
    stalls(findings, view);
}

/// Findings of one rule from different sources (events and registry for NtLmSsp; setup
/// log and registry for a watermark) are one problem: the first absorbs the others.
fn merge_same_rule(findings: &mut Vec<Finding>, rule: RuleId) {
    let positions: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rule == rule)
        .map(|(i, _)| i)
        .collect();
    let Some((&first, rest)) = positions.split_first() else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    for &i in rest {
        let other = findings[i].clone();
        absorb(&mut findings[first], &other);
        for (k, v) in other.details {
            findings[first].details.entry(k).or_insert(v);
        }
    }
    findings[first].confidence = Confidence::High;
    for &i in rest.iter().rev() {
        findings.remove(i);
    }
}

/// The registry of an interrupted host shows the same interruption: the role's watermark
/// and its unpacked/configured mismatch become evidence of `setup-interrupted`.
fn registry_state_of_interrupted_runs(findings: &mut Vec<Finding>) {
    let Some(interrupted) = findings.iter().position(|f| f.rule == RuleId::SetupInterrupted) else {
        return;
    };
    let registry: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            (f.rule == RuleId::SetupWatermark || f.rule == RuleId::RoleHalfUpgraded)
                && f.evidence.iter().any(|e| matches!(e.location, Location::Key(_)))
        })
        .map(|(i, _)| i)
        .collect();
    if registry.is_empty() {
        return;
    }
    for &i in &registry {
        let other = findings[i].clone();
        let target = &mut findings[interrupted];
        absorb(target, &other);
        for (k, v) in other.details {
            target.details.entry(k).or_insert(v);
        }
        target.confidence = Confidence::High;
        target
            .summary
            .push_str(&format!(" The registry agrees: {}", other.summary));
    }
    for &i in registry.iter().rev() {
        findings.remove(i);
    }
}

/// A watermark id found in a finding's evidence names a step of a task script: cite it.
fn watermark_steps(findings: &mut [Finding], view: &HostView<'_>) {
    for finding in findings
        .iter_mut()
        .filter(|f| f.rule == RuleId::SetupWatermark || f.rule == RuleId::SetupInterrupted)
    {
        let mut cited: Vec<Evidence> = Vec::new();
        for (source, step) in &view.task_steps {
            let mentioned = finding.evidence.iter().any(|e| e.text.contains(&step.id))
                || finding
                    .details
                    .values()
                    .any(|v| v.as_str().is_some_and(|s| s == step.id));
            if mentioned {
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
            if !finding.evidence.contains(&e) {
                finding.push_evidence(e);
            }
        }
    }
}

/// Readiness checks the setup log failed on, matched with the registry finding that shows
/// the same gap today: the registry finding is the root, the log line its history.
fn readiness_against_registry(findings: &mut Vec<Finding>) {
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
    let mut removed = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if f.rule != RuleId::PrereqFailed {
            continue;
        }
        let Some(check) = f
            .details
            .get("check")
            .and_then(|c| c.as_str())
            .map(str::to_ascii_lowercase)
        else {
            continue;
        };
        let Some((_, root_rule, root_check)) = PAIRS.iter().find(|(c, _, _)| *c == check) else {
            continue;
        };
        let root = findings.iter().position(|r| {
            r.rule == *root_rule
                && root_check.is_none_or(|rc| r.details.get("check").and_then(|c| c.as_str()) == Some(rc))
        });
        if let Some(root) = root {
            removed.push((i, root));
        }
    }
    for &(i, root) in &removed {
        let history = findings[i].clone();
        let target = &mut findings[root];
        absorb(target, &history);
        target.confidence = Confidence::High;
        target.summary.push_str(&format!(
            " Setup already stopped on this check: {}.",
            history.title.trim_end_matches('.')
        ));
    }
    let mut indices: Vec<usize> = removed.into_iter().map(|(i, _)| i).collect();
    indices.sort_unstable();
    indices.dedup();
    for i in indices.into_iter().rev() {
        findings.remove(i);
    }
}

/// The run window a setup-log finding speaks about (its first evidence's file and its
/// `run` detail).
fn window_of<'v, 'a>(finding: &Finding, view: &'v HostView<'a>) -> Option<&'v RunWindow<'a>> {
    let source = finding.evidence.first()?.source.as_str();
    let run = finding.details.get("run").and_then(|r| r.as_u64())?;
    view.runs
        .iter()
        .find(|w| w.source == source && (w.run.index + 1) as u64 == run)
}

/// Moves the evidence of `from` into `into` (skipping duplicates).
fn absorb(into: &mut Finding, from: &Finding) {
    for e in &from.evidence {
        if !into.evidence.contains(e) {
            into.push_evidence(e.clone());
        }
    }
}

/// An interrupted run absorbs "setup started but never completed" (same fact from the
/// event log) and gains the reboot and installer events of its window as evidence.
fn interrupted_runs(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    let open_end = Duration::hours(AFTERMATH);
    let mut removed: Vec<usize> = Vec::new();
    for i in 0..findings.len() {
        if findings[i].rule != RuleId::SetupInterrupted {
            continue;
        }
        let Some(window) = window_of(&findings[i], view) else {
            continue;
        };
        let mut agreed = false;
        // MSExchangeSetup 1000 without 1001 inside the window: the same interruption.
        let mut folded = Vec::new();
        for (j, other) in findings.iter().enumerate() {
            let same_run = other.rule == RuleId::ExchangeSetupComponentFailed
                && other.details.get("completed").and_then(|c| c.as_bool()) == Some(false)
                && other
                    .evidence
                    .iter()
                    .filter_map(|e| e.time.and_then(|t| t.utc()))
                    .any(|t| window.contains(t, open_end));
            if same_run && !removed.contains(&j) {
                folded.push(j);
            }
        }
        for &j in &folded {
            let other = findings[j].clone();
            absorb(&mut findings[i], &other);
            agreed = true;
        }
        // The unexpected shutdown explains the interruption: cite it (it stays a finding).
        let shutdown: Vec<Evidence> = findings
            .iter()
            .filter(|f| f.rule == RuleId::UnexpectedShutdownDuringSetup)
            .flat_map(|f| {
                f.evidence
                    .iter()
                    .filter(|e| e.location.to_string().starts_with("record"))
                    .cloned()
            })
            .collect();
        // Installer activity and the next boot after the last line.
        let end = window.end;
        let mut extra: Vec<Evidence> = view
            .events
            .iter()
            .filter(|e| {
                e.event.provider.eq_ignore_ascii_case("MsiInstaller") && window.contains(e.event.time, Duration::zero())
            })
            .take(3)
            .map(|e| e.evidence(format!("{} during the run", e.label())))
            .collect();
        if let Some(end) = end {
            let next_boot = view.events.iter().find(|e| {
                e.event.time > end
                    && e.event.provider.eq_ignore_ascii_case("EventLog")
                    && matches!(e.event.event_id, 6005 | 6008 | 6009)
            });
            if let Some(boot) = next_boot {
                let minutes = (boot.event.time - end).num_minutes();
                extra.push(boot.evidence(format!(
                    "{}: the system started again {minutes} min after the last setup line",
                    boot.label()
                )));
                findings[i]
                    .details
                    .insert("next_boot_after_minutes".into(), minutes.into());
            }
        }
        let finding = &mut findings[i];
        for e in shutdown.into_iter().chain(extra) {
            if !finding.evidence.contains(&e) {
                finding.push_evidence(e);
                agreed = true;
            }
        }
        if agreed {
            finding.confidence = Confidence::High;
        }
        removed.extend(folded);
    }
    removed.sort_unstable();
    removed.dedup();
    for j in removed.into_iter().rev() {
        findings.remove(j);
    }
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
            && f.details.get("cause").and_then(|c| c.as_str()) == Some("crl-check-timeout")
            && f.evidence
                .iter()
                .filter_map(|e| e.time.and_then(|t| t.utc()))
                .all(|t| window.contains(t, Duration::zero()))
    });
    let Some(crl) = crl else { return };
    let other = findings[crl].clone();
    let stall_finding = &mut findings[stall];
    absorb(stall_finding, &other);
    stall_finding.confidence = Confidence::High;
    if let Some(services) = other.details.get("services") {
        stall_finding.details.insert("services".into(), services.clone());
    }
    stall_finding.summary.push_str(&format!(
        " The event log confirms it: {} (KB944752).",
        other.summary.trim_end_matches('.')
    ));
    findings.remove(crl);
}
