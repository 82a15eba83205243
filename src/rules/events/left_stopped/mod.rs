//! `service-left-stopped`: an automatic-start service that entered the stopped state
//! (SCM 7036) shortly before or during an Exchange setup run and is not seen running
//! again while the System log still covers the time after the run. The upgrade guides'
//! advice: stop the services that hook into Exchange (backup agent, virus scanner)
//! before a service pack, and start them again afterwards.
//!
//! Services setup stops and starts itself (Exchange, IIS, the Windows services Exchange
//! depends on) are one finding per run, which correlation folds into the run's
//! `setup-interrupted` when the run was interrupted. [`coverage_gaps`] tells the host's
//! input summary when the System log ends too early to judge.
//!
//! One pass over the host's events (sorted by time) collects each service's states and
//! start-type changes; the run windows are an index of elementary segments, so each stop
//! finds its run by binary search: O(n log n) in the events.
//!
//! [`scm`] reads the SCM events, [`service`] names the services, [`window`] places the
//! runs' windows, [`host`] judges each service, [`finding`] writes the findings and
//! [`coverage`] what the System log does not cover.

mod coverage;
mod finding;
mod host;
mod scm;
mod service;
mod window;

use std::collections::BTreeMap;

use super::services::Directory;
use crate::model::{Finding, HostView, RuleId, RuleInfo, Severity};
pub(crate) use coverage::coverage_gaps;
use host::{Host, LeftStopped};

/// The `service-left-stopped` rule.
pub(crate) const SERVICE_LEFT_STOPPED: RuleInfo = RuleInfo {
    id: RuleId::ServiceLeftStopped,
    title: "A service stopped for a setup run was not started again",
    severity: Severity::Warning,
    description: "An automatic-start service (registry Start = 2, a start-type change away from auto start by a \
                  person around the run, or without registry seen started at boot and running for an hour or \
                  more) entered the stopped state (SCM 7036) from 2 hours before an Exchange setup run's start to \
                  the run's end, and the System log shows no \"running\" for it afterwards, up to its last event \
                  at least 30 minutes after the run ended (reboots included). The upgrade guides advise stopping \
                  the services that hook into Exchange (backup agent, virus scanner) before a service pack and \
                  starting them again afterwards; one that stays stopped is noticed when a backup is missing. \
                  Services setup stops and starts itself (Exchange, IIS, the Windows services Exchange depends \
                  on) are reported only when they are not running after the run, as one finding per run (an \
                  error when Exchange services are among them); after an interrupted run they are part of \
                  setup-interrupted. A setup log whose clock or zone is unknown widens the window by its \
                  uncertainty and lowers the confidence. Nothing is reported when the System log ends less than 30 \
                  minutes after the run (the host's input summary says so), for trigger-start services, services whose start type \
                  Windows itself changes (7040 by SYSTEM), services that stop on their own within 15 minutes of \
                  starting, stops that are part of a shutdown, and state texts in a language the rule does not \
                  read (it reads English, German, French and Spanish).",
    remediation: &[
        "Start the service (sc start <service>, or services.msc); if its start type was changed for the upgrade (SCM 7040), set it back first: sc config <service> start= auto.",
        STEP_CHECK,
        "For Exchange services left stopped by a failed or interrupted run, run setup again in the same mode (setup.com /mode:<mode>): it stops and starts them itself.",
        STEP_NEXT_TIME,
    ],
    references: &[
        "Exchange 2007 SP1 upgrade notes (seed document): stop the services that hook into Exchange (backup agent, virus scanner) before SP1 and start them again afterwards",
        "Exchange 2007 update rollup troubleshooting: Services Are Not Automatically Restarted",
        "netevent.mc (SCM 7036, 7040)",
    ],
};

/// Remediation: what the stopped service should have done meanwhile.
pub(super) const STEP_CHECK: &str = "Check what it protects since it stopped: for a backup agent the backups since then (run one now), for a virus scanner that it scans mail again with current signatures.";
/// Remediation: the habit that prevents it.
pub(super) const STEP_NEXT_TIME: &str = "Before the next service pack or update rollup, write down the services you stop and start them again when setup has finished.";

/// Runs `service-left-stopped` on one host.
pub(crate) fn check(view: &HostView<'_>, directory: &Directory<'_>) -> Vec<Finding> {
    let Some(host) = Host::new(view, directory) else {
        return Vec::new();
    };
    let candidates = host.candidates();
    let mut findings: Vec<Finding> = candidates
        .iter()
        .filter(|l| !l.service.setup_managed())
        .map(|l| host.service_finding(l))
        .collect();
    // The services setup manages: one finding per run.
    let mut per_run: BTreeMap<(&str, usize), Vec<&LeftStopped<'_, '_, '_>>> = BTreeMap::new();
    for l in candidates.iter().filter(|l| l.service.setup_managed()) {
        per_run
            .entry((l.span.run.source, l.span.run.run.index))
            .or_default()
            .push(l);
    }
    for left in per_run.values_mut() {
        left.sort_by(|a, b| (a.stop.event.time, &a.service.name).cmp(&(b.stop.event.time, &b.service.name)));
        if let Some(first) = left.first() {
            findings.push(host.run_finding(first.span, left));
        }
    }
    findings
}

#[cfg(test)]
mod tests;
