//! Where the rule looks: each setup run's window (from 2 h before its start to its end,
//! widened by its clock's uncertainty) as an index searched by time, and the host's
//! System logs that must cover the time after it.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::super::{utc, SCM};
use crate::model::{HostLog, HostView, RunWindow};

/// Stops this long before a run's start count as stops for the run.
const BEFORE_RUN_HOURS: i64 = 2;
/// The System log must reach this long past a run's end (plus the run's clock
/// uncertainty) for the rule to judge: time to start the services again by hand.
pub(super) const GRACE_MINUTES: i64 = 30;

/// Uncertainty of a System log whose times are local of an unknown zone.
const LOCAL_LOG_HOURS: i64 = 14;

/// One setup run's window: stops from 2 h before its start to its end, widened by the
/// uncertainty of its clock.
pub(super) struct Span<'h, 'a> {
    /// The run.
    pub(super) run: &'h RunWindow<'a>,
    /// The run's first line in UTC.
    pub(super) start: DateTime<Utc>,
    /// Its last line in UTC.
    pub(super) end: DateTime<Utc>,
    /// The uncertainty on each side.
    pub(super) slack: Duration,
}

impl Span<'_, '_> {
    /// The first moment a stop counts for the run.
    pub(super) fn from(&self) -> DateTime<Utc> {
        self.start - Duration::hours(BEFORE_RUN_HOURS) - self.slack
    }

    /// The last moment a stop counts for the run.
    pub(super) fn to(&self) -> DateTime<Utc> {
        self.end + self.slack
    }

    /// Where the System log must reach for the rule to judge the run.
    pub(super) fn needed_until(&self) -> DateTime<Utc> {
        self.to() + Duration::minutes(GRACE_MINUTES)
    }

    /// Whether `t` is inside the run itself (widened), not only before it.
    pub(super) fn during(&self, t: DateTime<Utc>) -> bool {
        t >= self.start - self.slack && t <= self.to()
    }

    /// `2007-11-30T14:12:03Z..16:38:47Z (2 h before the run's start to its end, widened by 2 min)`.
    pub(super) fn window_text(&self) -> String {
        format!(
            "{}..{} (from {BEFORE_RUN_HOURS} h before the run's start to its end, widened by {} for the uncertainty of the run's clock)",
            utc(self.from()),
            utc(self.to()),
            duration_text(self.slack)
        )
    }
}

/// The run windows as elementary segments: `bounds[i]..bounds[i+1]` belongs to run
/// `chosen[i]` (a run the time is inside, the latest started; else the next run to
/// start), so that a time finds its run by binary search.
pub(super) struct StopWindows<'h, 'a> {
    /// The runs' windows, in the host's run order.
    pub(super) spans: Vec<Span<'h, 'a>>,
    /// Where each segment starts, ascending.
    bounds: Vec<DateTime<Utc>>,
    /// The run (index into `spans`) of each segment, if any.
    chosen: Vec<Option<usize>>,
}

impl<'h, 'a> StopWindows<'h, 'a> {
    pub(super) fn new(view: &'h HostView<'a>, extra_slack: Duration) -> StopWindows<'h, 'a> {
        let spans: Vec<Span<'h, 'a>> = view
            .runs
            .iter()
            .filter_map(|run| {
                let (a, b) = (run.start?, run.end?);
                Some(Span {
                    run,
                    start: a.min(b),
                    end: a.max(b),
                    slack: run.slack() + extra_slack,
                })
            })
            .collect();
        // (time, what happens): 0 = enters "before", 1 = enters "during", 2 = leaves.
        let mut marks: Vec<(DateTime<Utc>, u8, usize)> = Vec::with_capacity(spans.len() * 3);
        for (i, s) in spans.iter().enumerate() {
            marks.push((s.from(), 0, i));
            marks.push((s.start - s.slack, 1, i));
            marks.push((s.to() + Duration::nanoseconds(1), 2, i));
        }
        marks.sort_unstable();
        let mut before: BTreeSet<(DateTime<Utc>, usize)> = BTreeSet::new();
        let mut during: BTreeSet<(DateTime<Utc>, usize)> = BTreeSet::new();
        let (mut bounds, mut chosen) = (Vec::new(), Vec::new());
        let mut k = 0;
        while k < marks.len() {
            let t = marks[k].0;
            while k < marks.len() && marks[k].0 == t {
                let (_, what, i) = marks[k];
                let key = (spans[i].start, i);
                match what {
                    0 => {
                        before.insert(key);
                    }
                    1 => {
                        before.remove(&key);
                        during.insert(key);
                    }
                    _ => {
                        during.remove(&key);
                    }
                }
                k += 1;
            }
            bounds.push(t);
            chosen.push(during.last().or(before.first()).map(|&(_, i)| i));
        }
        StopWindows { spans, bounds, chosen }
    }

    /// The run a stop at `t` counts for.
    pub(super) fn at(&self, t: DateTime<Utc>) -> Option<&Span<'h, 'a>> {
        let i = self.bounds.partition_point(|b| *b <= t);
        let chosen = self.chosen.get(i.checked_sub(1)?).copied().flatten()?;
        self.spans.get(chosen)
    }
}

/// The host's System logs: the logs of the System channel, and any log holding SCM events.
pub(super) fn system_logs<'h, 'a>(view: &'h HostView<'a>) -> Vec<&'h HostLog<'a>> {
    let scm_sources: BTreeSet<&str> = view
        .events
        .iter()
        .filter(|e| e.event.provider.eq_ignore_ascii_case(SCM))
        .map(|e| e.source)
        .collect();
    view.logs
        .iter()
        .filter(|l| l.channel.eq_ignore_ascii_case("System") || scm_sources.contains(l.source))
        .collect()
}

/// The uncertainty a System log in local time of an unknown zone adds to every window.
pub(super) fn local_slack(logs: &[&HostLog<'_>]) -> Duration {
    if logs.iter().any(|l| l.local_time) {
        Duration::hours(LOCAL_LOG_HOURS)
    } else {
        Duration::zero()
    }
}

/// `45 min`, `3 h 12 min`, `2 d 5 h`.
pub(super) fn duration_text(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 1440, (minutes % 1440) / 60, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}
