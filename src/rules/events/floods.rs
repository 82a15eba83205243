//! Start failures of services that are neither Exchange's nor ones Exchange depends on:
//! one `service-start-failure` warning per cause (error code) of the host, naming the
//! services (the first ten and a count, names escaped and cut), instead of one finding
//! per service. When SCM 7045 installs of those services came just before their
//! failures, the finding says so: many short-lived services installed and failing at
//! once is what remote-execution tools and malware leave behind.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::services::{cut, shown, Directory};
use super::start_failure::SERVICE_START_FAILURE;
use super::start_failure::{cause_text, group_summary, group_title, span, windows_steps, Group};
use super::{cite, listed, NOT_EXCHANGE, SCM};
use crate::model::{Evidence, Finding, HostEvent, HostView, Severity};

/// At most this many service names in a summary; the rest are counted.
const MAX_NAMED: usize = 10;
/// Each name in a list is cut after this many characters.
const NAME_CHARS: usize = 40;
/// Installs and failures cited as evidence of a flood (the first ones and the last).
const CITED_INSTALLS: usize = 3;
const CITED_FAILURES: usize = 5;
/// An install this long before a service's first failure belongs to it.
const INSTALL_WINDOW_HOURS: i64 = 24;

/// The findings of the non-Exchange `groups`: one per cause, in the order of each
/// cause's first failure.
pub(crate) fn findings(host: &HostView<'_>, dir: &Directory<'_>, groups: Vec<Group<'_, '_>>) -> Vec<Finding> {
    let installs = installs(host, dir);
    let mut causes: Vec<(String, Vec<Group<'_, '_>>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for g in groups {
        let cause = g.cause();
        let i = *index.entry(cause.clone()).or_insert_with(|| {
            causes.push((cause, Vec::new()));
            causes.len() - 1
        });
        causes[i].1.push(g);
    }
    causes
        .iter()
        .map(|(cause, groups)| match groups.as_slice() {
            [one] => single(one, dir, &installs),
            many => flood(cause, many, dir, &installs),
        })
        .collect()
}

/// The host's SCM 7045 service installs, by group key, in time order.
fn installs<'h, 'a>(host: &'h HostView<'a>, dir: &Directory<'_>) -> HashMap<String, Vec<&'h HostEvent<'a>>> {
    let mut out: HashMap<String, Vec<&HostEvent<'_>>> = HashMap::new();
    for e in host.events_of(SCM, &[7045]) {
        if let Some(name) = e.event.param(0).filter(|n| !n.trim().is_empty()) {
            out.entry(dir.resolve(name).group_key()).or_default().push(e);
        }
    }
    out
}

/// The install of `g`'s service shortly before its first failure.
fn install_of<'h, 'a>(
    g: &Group<'_, '_>,
    installs: &HashMap<String, Vec<&'h HostEvent<'a>>>,
) -> Option<&'h HostEvent<'a>> {
    let first = g.times().min()?;
    let list = installs.get(&g.service.group_key())?;
    let before = list.partition_point(|e| e.event.time <= first);
    let e = *list.get(before.checked_sub(1)?)?;
    (first - e.event.time <= Duration::hours(INSTALL_WINDOW_HOURS)).then_some(e)
}

/// `3 min`, `2 h 5 min`, `12 s`.
fn duration_text(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// What the installs before the failures say: `244 services installed and failed
/// within 3 min`, who installed them and an image.
struct Installed {
    count: usize,
    sentence: String,
    evidence: Vec<Evidence>,
}

fn installed(groups: &[&Group<'_, '_>], installs: &HashMap<String, Vec<&HostEvent<'_>>>) -> Option<Installed> {
    let pairs: Vec<(&HostEvent<'_>, DateTime<Utc>)> = groups
        .iter()
        .filter_map(|g| Some((install_of(g, installs)?, g.times().max()?)))
        .collect();
    let first = pairs.iter().map(|(e, _)| e.event.time).min()?;
    let last = pairs.iter().map(|(_, t)| *t).max()?;
    let sample = pairs.first().map(|(e, _)| e)?;
    let image = sample.event.param(1).map(str::trim).filter(|i| !i.is_empty());
    let account = sample.event.param(4).map(str::trim).filter(|a| !a.is_empty());
    let what = if pairs.len() == 1 {
        "It was installed (SCM 7045) and failed".to_string()
    } else {
        format!("{} services installed (SCM 7045) and failed", pairs.len())
    };
    let mut sentence = format!(" {what} within {}", duration_text(last - first));
    if let Some(image) = image {
        sentence.push_str(&format!("; image {}", shown(image)));
    }
    if let Some(account) = account {
        sentence.push_str(&format!(", running as {}", shown(account)));
    }
    sentence.push('.');
    if pairs.len() > 1 {
        sentence.push_str(
            " Many short-lived services installed and failing at once is what remote-execution tools \
             (PsExec-style) and malware leave behind: check who installed them and what their images ran.",
        );
    }
    let installs: Vec<&HostEvent<'_>> = pairs.iter().map(|(e, _)| *e).collect();
    let (head, tail) = cite(&installs, CITED_INSTALLS);
    let evidence = head
        .iter()
        .chain(tail)
        .map(|e| e.evidence(super::messages::evidence_text(e)))
        .collect();
    Some(Installed {
        count: pairs.len(),
        sentence,
        evidence,
    })
}

/// Steps when services were installed in bulk before failing.
fn install_steps() -> [String; 2] {
    [
        "Find who installed the services and what they ran: the SCM 7045 events (image path, account), the Security log (4697, logons at that time)."
            .to_string(),
        "Remove the leftover services (sc delete <name>) once they are understood; treat the host as compromised if nobody expected them."
            .to_string(),
    ]
}

/// The warning of one non-Exchange service.
fn single(g: &Group<'_, '_>, dir: &Directory<'_>, installs: &HashMap<String, Vec<&HostEvent<'_>>>) -> Finding {
    let mut summary = group_summary(g, dir);
    let installed = installed(&[g], installs);
    if let Some(i) = &installed {
        summary.push_str(&i.sentence);
    }
    summary.push_str(&format!(" {}: {NOT_EXCHANGE}.", dir.why_warning()));
    let mut steps = windows_steps(g);
    if installed.is_some() {
        steps.extend(install_steps());
    }
    let mut finding = base(summary, steps, g.service.key.clone())
        .title(group_title(g))
        .count(g.occurrences() as u64)
        .detail("service", g.service.key.clone())
        .detail("cause", g.cause());
    for e in installed.into_iter().flat_map(|i| i.evidence).chain(g.evidence()) {
        finding.push_evidence(e);
    }
    finding
}

/// One warning for the services that failed with the same `cause`.
fn flood(
    cause: &str,
    groups: &[Group<'_, '_>],
    dir: &Directory<'_>,
    installs: &HashMap<String, Vec<&HostEvent<'_>>>,
) -> Finding {
    let refs: Vec<&Group<'_, '_>> = groups.iter().collect();
    let count = groups.len();
    let names: Vec<String> = groups
        .iter()
        .take(MAX_NAMED)
        .map(|g| cut(&g.service.label(), NAME_CHARS))
        .collect();
    let named = if count > MAX_NAMED {
        format!("{} and {} more", names.join(", "), count - MAX_NAMED)
    } else {
        listed(&names)
    };
    let events: usize = groups.iter().map(Group::occurrences).sum();
    let mut summary = format!(
        "{count} services failed to start {} with the same error, {}: {named}.",
        span(groups.iter().flat_map(|g| g.times())),
        cause_text(cause)
    );
    let installed = installed(&refs, installs);
    if let Some(i) = &installed {
        summary.push_str(&i.sentence);
    }
    summary.push_str(&format!(" {}: {NOT_EXCHANGE}.", dir.why_warning()));
    let mut steps = vec![
        format!(
            "Look up the error, {}, and the configuration of each service: sc qc <service> (image path, account, dependencies).",
            cause_text(cause)
        ),
        "Fix the cause, or set the services that are not needed to Disabled.".to_string(),
    ];
    if installed.is_some() {
        steps.extend(install_steps());
    }
    let keys: Vec<String> = groups.iter().map(|g| g.service.key.clone()).collect();
    let mut finding = base(summary, steps, format!("start failures: {}", cause_text(cause)))
        .title(format!("{count} services failed to start: {}", cause_text(cause)))
        .count(events as u64)
        .detail("services", json!(keys))
        .detail("service_count", count)
        .detail("cause", cause)
        .detail("installed", installed.as_ref().map_or(0, |i| i.count));
    let mut evidence: Vec<Evidence> = installed.into_iter().flat_map(|i| i.evidence).collect();
    let (head, tail) = cite(groups, CITED_FAILURES);
    for g in head.iter().chain(tail) {
        evidence.extend(g.evidence().into_iter().take(1));
    }
    for e in evidence {
        finding.push_evidence(e);
    }
    finding
}

/// A `service-start-failure` warning about `subject` with generic Windows remediation.
fn base(summary: String, steps: Vec<String>, subject: String) -> Finding {
    let mut finding = Finding::new(&SERVICE_START_FAILURE, summary)
        .subject(subject)
        .severity(Severity::Warning)
        .remediation(steps);
    finding.references = vec!["netevent.mc (SCM 7000/7001/7009/7023/7045)".to_string()];
    finding
}
