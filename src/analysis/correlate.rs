//! Cross-source correlation on one host: findings of different sources that describe the
//! same root cause become one finding with the evidence of all, and confidence high.

use chrono::Duration;

use crate::findings::{Confidence, Evidence, Finding};
use crate::rules::host::{HostView, RunWindow};
use crate::rules::services::{
    EXCHANGE_SETUP_COMPONENT_FAILED, SERVICE_START_FAILURE, UNEXPECTED_SHUTDOWN_DURING_SETUP,
};
use crate::rules::setup_runs::{SETUP_INTERRUPTED, SETUP_STALL};

/// How long after an interrupted run's last line its aftermath (reboot) is looked for.
const AFTERMATH: i64 = 6;

/// Applies every correlation to the host's findings.
pub fn correlate(findings: &mut Vec<Finding>, view: &HostView<'_>) {
    interrupted_runs(findings, view);
    stalls(findings, view);
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
        if findings[i].rule != SETUP_INTERRUPTED {
            continue;
        }
        let Some(window) = window_of(&findings[i], view) else {
            continue;
        };
        let mut agreed = false;
        // MSExchangeSetup 1000 without 1001 inside the window: the same interruption.
        let mut folded = Vec::new();
        for (j, other) in findings.iter().enumerate() {
            let same_run = other.rule == EXCHANGE_SETUP_COMPONENT_FAILED
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
            .filter(|f| f.rule == UNEXPECTED_SHUTDOWN_DURING_SETUP)
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
                findings[i] = findings[i].clone().detail("next_boot_after_minutes", minutes);
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
    let Some(stall) = findings.iter().position(|f| f.rule == SETUP_STALL) else {
        return;
    };
    let Some(window) = window_of(&findings[stall], view).cloned() else {
        return;
    };
    let crl = findings.iter().position(|f| {
        f.rule == SERVICE_START_FAILURE
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
