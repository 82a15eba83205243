//! What the host's System log does not cover for the rule: the setup runs it ends
//! before, said in the host's report instead of a finding.

use super::super::utc;
use super::window::{duration_text, local_slack, system_logs, Span, StopWindows, GRACE_MINUTES};
use crate::model::{CoverageGap, HostView, RuleId, Timestamp};

/// What the host's System log does not cover for this rule: the setup runs it ends
/// before (plus the grace time and the run's clock uncertainty). Empty without a System
/// log or without runs.
pub(crate) fn coverage_gaps(view: &HostView<'_>) -> Vec<CoverageGap> {
    let logs = system_logs(view);
    if logs.is_empty() {
        return Vec::new();
    }
    let runs = StopWindows::new(view, local_slack(&logs));
    let furthest = logs.iter().filter_map(|l| Some((l.last?, l.source))).max();
    let last = furthest.map(|(t, _)| t);
    let uncovered: Vec<&Span<'_, '_>> = runs
        .spans
        .iter()
        .filter(|s| last.is_none_or(|l| l < s.needed_until()))
        .collect();
    let Some(latest) = uncovered
        .iter()
        .max_by_key(|s| (s.needed_until(), s.run.source, s.run.run.index))
    else {
        return Vec::new();
    };
    let log_source = furthest.map_or(logs[0].source, |(_, s)| s);
    let mut sources = vec![log_source.to_string()];
    for s in &uncovered {
        if !sources.iter().any(|x| x == s.run.source) {
            sources.push(s.run.source.to_string());
        }
    }
    let ends = match last {
        Some(t) => format!("The System log ({log_source}) ends at {}", utc(t)),
        None => format!("The System log ({log_source}) holds no events"),
    };
    let runs_text = if uncovered.len() == 1 {
        format!(
            "setup run {} of {} (ended {})",
            latest.run.run.index + 1,
            latest.run.source,
            utc(latest.end)
        )
    } else {
        format!(
            "{} setup runs (the last: run {} of {}, ended {})",
            uncovered.len(),
            latest.run.run.index + 1,
            latest.run.source,
            utc(latest.end)
        )
    };
    let which = if uncovered.len() == 1 { "the run" } else { "these runs" };
    let message = format!(
        "{ends}, before {runs_text} plus {GRACE_MINUTES} min and the run's clock uncertainty of {} \
         ({}): whether services stopped for {which} were started again cannot be told, service-left-stopped \
         did not judge it.",
        duration_text(latest.slack),
        utc(latest.needed_until())
    );
    let local = logs.iter().any(|l| l.local_time);
    vec![CoverageGap {
        rule: RuleId::ServiceLeftStopped,
        sources,
        covered_until: last.map(|t| {
            if local {
                Timestamp::Local(t.naive_utc())
            } else {
                Timestamp::Utc(t)
            }
        }),
        needed_until: Timestamp::Utc(latest.needed_until()),
        message,
    }]
}
