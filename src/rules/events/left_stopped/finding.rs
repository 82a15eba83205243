//! The findings: one per service setup does not manage, one per run for the services it
//! manages, each with the stop, the start type and its source, the run, and the last
//! System event that shows the log covers the time after it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use exdoctor_parsers::setup_log::RunResult;
use serde_json::json;

use super::super::messages::evidence_text;
use super::super::{run_evidence, run_label, utc};
use super::host::{Host, LeftStopped, StartSource};
use super::scm::{change_phrase, change_text, Change, StartType};
use super::window::{duration_text, Span};
use super::{SERVICE_LEFT_STOPPED, STEP_CHECK, STEP_NEXT_TIME};
use crate::model::{setup_run_subject, Confidence, EventFact, Evidence, Fact, Finding, Location, Severity, Timestamp};
use crate::rules::registry::key_evidence;

impl<'h, 'a> Host<'h, 'a> {
    /// The last System event: the log covers the time after the run.
    pub(super) fn coverage_evidence(&self, span: &Span<'_, '_>) -> Evidence {
        let last = self.coverage.last;
        let time = if self.coverage.local {
            Timestamp::Local(last.naive_utc())
        } else {
            Timestamp::Utc(last)
        };
        Evidence::new(
            self.coverage.source,
            Location::File,
            Some(time),
            format!(
                "last event of the System log at {}: it covers {} after the run ended",
                utc(last),
                duration_text(last - span.end)
            ),
        )
    }

    /// Evidence of the start type and a sentence saying where it comes from.
    pub(super) fn start_evidence(&self, left: &LeftStopped<'_, '_, '_>) -> (Evidence, String) {
        let label = left.service.label();
        match &left.start {
            StartSource::Registry(info) => {
                let text = format!("{label}: Start = 2 (automatic)");
                let evidence = match self.view.registry {
                    Some(state) => key_evidence(state, info.source.as_ref(), &info.key, &text),
                    None => Evidence::new("registry", Location::Key(info.key.clone()), None, text),
                };
                (evidence, "It starts automatically (registry Start = 2).".to_string())
            }
            StartSource::Changed(c) if c.to == Some(StartType::Auto) => (
                c.event.evidence(change_text(c)),
                format!(
                    "Its start type was {} at {}.",
                    change_phrase(c),
                    utc(c.event.event.time)
                ),
            ),
            StartSource::Changed(c) => (
                c.event.evidence(change_text(c)),
                format!(
                    "It started automatically until its start type was {} at {}.",
                    change_phrase(c),
                    utc(c.event.event.time)
                ),
            ),
            StartSource::Boot(up) => {
                let boot = self.boot_before(up.event.time).unwrap_or(up.event.time);
                (
                    up.evidence(format!(
                        "{}; {} s after the system started: an automatic start",
                        evidence_text(up),
                        (up.event.time - boot).num_seconds()
                    )),
                    format!(
                        "It starts automatically (seen running since the boot at {}).",
                        utc(boot)
                    ),
                )
            }
        }
    }

    /// One finding for a service setup does not manage (backup agent, virus scanner, ...).
    pub(super) fn service_finding(&self, left: &LeftStopped<'_, '_, '_>) -> Finding {
        let rule = &SERVICE_LEFT_STOPPED;
        let (service, span, t) = (left.service, left.span, left.stop.event.time);
        let label = service.label();
        let when = if span.during(t) {
            "during".to_string()
        } else {
            format!("{} before", duration_text(span.start - t))
        };
        let (start_evidence, start_text) = self.start_evidence(left);
        let mut summary = format!(
            "{label} entered the stopped state at {}, {when} {}, and is not seen running again up to the end \
             of the System log ({}, {} after the run ended). {start_text}",
            utc(t),
            run_label(span.run),
            utc(self.coverage.last),
            duration_text(self.coverage.last - span.end),
        );
        let told = match &left.start {
            StartSource::Changed(c) => Some(c.event.event.record_id),
            _ => None,
        };
        summary.push_str(&who_text(&left.changes, told));
        summary.push_str(&format!(" Window checked: stops from {}.", span.window_text()));
        let disabled = left
            .changes
            .last()
            .is_some_and(|c| c.to.is_some_and(|t| t != StartType::Auto));
        let name = service.command_name();
        let mut steps = vec![if disabled {
            format!("Set it back to automatic start and start it: sc config {name} start= auto, then sc start {name}.")
        } else {
            format!("Start it: sc start {name} (or services.msc), and check that it stays running.")
        }];
        steps.extend([STEP_CHECK.to_string(), STEP_NEXT_TIME.to_string()]);
        let mut finding = Finding::new(rule, summary)
            .subject(service.key())
            .title(format!("{label} was left stopped after a setup run"))
            .confidence(self.confidence(span, &left.start))
            .remediation(steps);
        finding = self
            .common_details(finding, span, t)
            .detail("start_type_source", left.start.name())
            .detail("service", service.key())
            .detail("display_name", service.name.clone())
            .detail(
                "stopped_by",
                left.changes.iter().rev().find_map(|c| c.sid().map(str::to_string)),
            );
        finding.push_evidence(left.stop.evidence(evidence_text(left.stop)));
        for c in &left.changes {
            finding.push_evidence(c.event.evidence(change_text(c)));
        }
        if !finding.evidence.contains(&start_evidence) {
            finding.push_evidence(start_evidence);
        }
        finding.push_evidence(run_evidence(span.run));
        finding.push_evidence(self.coverage_evidence(span));
        finding
    }

    /// One finding for the services setup manages that one run left stopped.
    pub(super) fn run_finding(&self, span: &Span<'_, '_>, left: &[&LeftStopped<'_, '_, '_>]) -> Finding {
        let rule = &SERVICE_LEFT_STOPPED;
        let exchange = left.iter().any(|l| l.service.is_exchange());
        let names: Vec<String> = left.iter().map(|l| l.service.key().to_string()).collect();
        let first = left.iter().map(|l| l.stop.event.time).min().unwrap_or(span.start);
        let last = left.iter().map(|l| l.stop.event.time).max().unwrap_or(span.start);
        let when = match (first == last, left.iter().all(|l| span.during(l.stop.event.time))) {
            (true, true) => format!("at {} during", utc(first)),
            (true, false) => format!("at {}, before", utc(first)),
            (false, true) => format!("between {} and {} during", utc(first), utc(last)),
            (false, false) => format!("between {} and {}, around", utc(first), utc(last)),
        };
        let labels: Vec<String> = left.iter().map(|l| l.service.label()).collect();
        let (title, who) = match &labels[..] {
            [one] => (
                format!("{one} was left stopped after a setup run"),
                format!("{one}, a service setup stops and starts itself, entered the stopped state"),
            ),
            _ => (
                format!(
                    "{} {} were left stopped after a setup run",
                    left.len(),
                    if exchange {
                        "Exchange services"
                    } else {
                        "services setup manages"
                    }
                ),
                format!(
                    "{} services that setup stops and starts itself entered the stopped state",
                    left.len()
                ),
            ),
        };
        let mut summary = format!(
            "{who} {when} {}, and {} not seen running again up to the end of the System log ({}, {} after the \
             run ended){}. {}",
            run_label(span.run),
            if left.len() == 1 { "is" } else { "are" },
            utc(self.coverage.last),
            duration_text(self.coverage.last - span.end),
            if left.len() == 1 {
                String::new()
            } else {
                format!(": {}", labels.join(", "))
            },
            starts_text(left),
        );
        let changes: Vec<Change<'_, '_>> = left.iter().flat_map(|l| l.changes.iter().copied()).collect();
        summary.push_str(&who_text(&changes, None));
        summary.push_str(&format!(" Window checked: stops from {}.", span.window_text()));
        let rerun = span.run.run.result != RunResult::Completed;
        let mut steps = Vec::new();
        if rerun {
            steps.push(format!(
                "Run setup again in the same mode (setup.com /mode:{}): it stops and starts these services itself.",
                span.run.run.mode.as_deref().unwrap_or("<mode>")
            ));
        }
        let starts: Vec<String> = left
            .iter()
            .map(|l| format!("sc start {}", l.service.command_name()))
            .collect();
        steps.push(format!(
            "Start them{}: {} (set any whose start type was changed back to automatic first: sc config <service> start= auto).",
            if rerun { " if setup does not" } else { "" },
            starts.join(", then ")
        ));
        steps.push(
            "If one does not stay running, read its SCM errors (7000/7009/7024/7031): that is a separate problem (service-start-failure, service-crash)."
                .to_string(),
        );
        let confidence = left
            .iter()
            .map(|l| self.confidence(span, &l.start))
            .min()
            .unwrap_or(Confidence::Low);
        let mut finding = Finding::new(rule, summary)
            .subject(setup_run_subject(
                span.run.run.start,
                span.run.run.index,
                span.run.source,
            ))
            .title(title)
            .severity(if exchange { Severity::Error } else { rule.severity })
            .confidence(confidence)
            .count(left.len() as u64)
            .remediation(steps)
            .fact(Fact::Event(EventFact::SetupServicesLeftStopped {
                source: span.run.source.to_string(),
                index: span.run.run.index,
                services: names.clone(),
            }));
        let sources: BTreeMap<&str, &str> = left
            .iter()
            .zip(&names)
            .map(|(l, name)| (name.as_str(), l.start.name()))
            .collect();
        finding = self
            .common_details(finding, span, first)
            .detail("services", json!(names))
            .detail("start_type_sources", json!(sources));
        for l in left {
            finding.push_evidence(l.stop.evidence(evidence_text(l.stop)));
        }
        for l in left {
            for c in &l.changes {
                let e = c.event.evidence(change_text(c));
                if !finding.evidence.contains(&e) {
                    finding.push_evidence(e);
                }
            }
            let (e, _) = self.start_evidence(l);
            if !finding.evidence.contains(&e) {
                finding.push_evidence(e);
            }
        }
        finding.push_evidence(run_evidence(span.run));
        finding.push_evidence(self.coverage_evidence(span));
        finding
    }

    /// The details every finding of the rule carries.
    pub(super) fn common_details(&self, finding: Finding, span: &Span<'_, '_>, stopped: DateTime<Utc>) -> Finding {
        finding
            .detail("stopped_at", utc(stopped))
            .detail("run", span.run.run.index + 1)
            .detail("run_source", span.run.source)
            .detail("window_from", utc(span.from()))
            .detail("window_to", utc(span.to()))
            .detail("system_log_end", utc(self.coverage.last))
    }
}

/// How the services of a run finding are known to start automatically: `They start
/// automatically (registry Start = 2).`, or each source with its services.
pub(super) fn starts_text(left: &[&LeftStopped<'_, '_, '_>]) -> String {
    let names = |pick: fn(&StartSource<'_, '_>) -> bool| -> Vec<String> {
        left.iter()
            .filter(|l| pick(&l.start))
            .map(|l| l.service.key().to_string())
            .collect()
    };
    let registry = names(|s| matches!(s, StartSource::Registry(_)));
    let they = if left.len() == 1 { "It starts" } else { "They start" };
    if registry.len() == left.len() {
        return format!("{they} automatically (registry Start = 2).");
    }
    let parts: Vec<String> = [
        ("registry Start = 2", registry),
        (
            "a start-type change (SCM 7040) by a person",
            names(|s| matches!(s, StartSource::Changed(_))),
        ),
        (
            "seen running since a boot",
            names(|s| matches!(s, StartSource::Boot(_))),
        ),
    ]
    .into_iter()
    .filter(|(_, services)| !services.is_empty())
    .map(|(how, services)| format!("{how}: {}", services.join(", ")))
    .collect();
    format!("{they} automatically ({}).", parts.join("; "))
}

/// ` The start type of X was changed from auto start to disabled by S-1-5-21-...-500 at
/// ...` for each change but the one the summary already tells (`told`: its record).
pub(super) fn who_text(changes: &[Change<'_, '_>], told: Option<u64>) -> String {
    changes
        .iter()
        .filter(|c| Some(c.event.event.record_id) != told)
        .map(|c| {
            format!(
                " The start type of {} was {} at {}.",
                c.event.event.param(0).map_or("?", str::trim),
                change_phrase(c),
                utc(c.event.event.time)
            )
        })
        .collect()
}
