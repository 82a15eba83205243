//! The UTC axis of a timeline picture, in periods: each period is linear and labelled
//! with its own ticks, and a divider between two periods says how long the host was
//! quiet there. The setup runs get periods of their own (a focus, with some time around
//! them) and most of the width, so a 30-minute upgrade stays readable next to weeks of
//! events; the events before, between and after them fill the rest, cut where one quiet
//! gap dominates a stretch.

use chrono::{DateTime, Duration, Utc};

/// Width of the divider between two periods.
pub(super) const DIVIDER_PX: f64 = 26.0;
/// Narrowest period.
const MIN_PX: f64 = 64.0;
/// Share of the width the setup runs' periods get when other periods are drawn too.
const FOCUS_SHARE: f64 = 0.6;
/// Setup runs closer than this share one focus period.
const RUN_JOIN_HOURS: i64 = 2;
/// At most this many focus periods (the closest are joined).
const MAX_FOCUS: usize = 3;
/// At most this many periods in all (the closest are joined).
const MAX_PERIODS: usize = 8;
/// A quiet gap cuts a stretch when it is at least this share of the stretch ...
const DOMINANT_GAP: f64 = 0.6;
/// ... and at least this long.
const DOMINANT_GAP_HOURS: i64 = 6;
/// Ticks at least this far apart.
const TICK_PX: f64 = 64.0;

/// Tick steps, in seconds.
const STEPS: &[i64] = &[
    60,
    120,
    300,
    600,
    900,
    1_800,
    3_600,
    7_200,
    10_800,
    21_600,
    43_200,
    86_400,
    2 * 86_400,
    7 * 86_400,
    14 * 86_400,
    28 * 86_400,
    91 * 86_400,
    364 * 86_400,
];

/// A stretch of time drawn linearly between `x0` and `x1`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Period {
    /// Its start.
    pub(super) from: DateTime<Utc>,
    /// Its end.
    pub(super) to: DateTime<Utc>,
    /// Where it starts.
    pub(super) x0: f64,
    /// Where it ends.
    pub(super) x1: f64,
    /// It holds setup runs.
    pub(super) focus: bool,
    /// The time its marks span (without the padding around them).
    pub(super) marks: Span,
}

impl Period {
    fn seconds(&self) -> f64 {
        (self.to - self.from).num_milliseconds() as f64 / 1000.0
    }

    fn x(&self, t: DateTime<Utc>) -> f64 {
        let seconds = self.seconds();
        if seconds <= 0.0 {
            return (self.x0 + self.x1) / 2.0;
        }
        let at = (t - self.from).num_milliseconds() as f64 / 1000.0;
        self.x0 + (self.x1 - self.x0) * (at / seconds).clamp(0.0, 1.0)
    }
}

/// A tick of the axis.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tick {
    /// Where.
    pub(super) x: f64,
    /// When.
    pub(super) time: DateTime<Utc>,
    /// The step of its period's ticks (a lone tick of a narrow period: 0).
    pub(super) step_seconds: i64,
}

/// The axis of one picture.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    /// Its periods, in time order.
    pub(super) periods: Vec<Period>,
}

/// A time span (`from <= to`).
type Span = (DateTime<Utc>, DateTime<Utc>);

impl Axis {
    /// The axis between `x0` and `x1` for the setup runs `runs` and the event marks
    /// `items` (spans of UTC times); `None` when both are empty.
    pub(super) fn new(runs: &[Span], items: &[Span], x0: f64, x1: f64) -> Option<Axis> {
        let mut items: Vec<Span> = items.to_vec();
        items.sort();
        let windows = focus_windows(runs, &items);
        let mut spans: Vec<(Span, bool)> = Vec::new();
        let mut lower: Option<DateTime<Utc>> = None;
        for slot in 0..=windows.len() {
            let upper = windows.get(slot).map(|w| w.0);
            let inside: Vec<Span> = items
                .iter()
                .filter(|(from, _)| lower.is_none_or(|l| *from > l) && upper.is_none_or(|u| *from < u))
                .map(|&(from, to)| (from, upper.map_or(to, |u| to.min(u))))
                .collect();
            spans.extend(split_at_dominant_gaps(&inside, 2).into_iter().map(|s| (s, false)));
            if let Some(window) = windows.get(slot) {
                spans.push((*window, true));
                lower = Some(window.1);
            }
        }
        while spans.len() > MAX_PERIODS {
            join_closest(&mut spans);
        }
        if spans.is_empty() {
            return None;
        }
        // Each stretch padded so its first and last marks are not on its edges, never
        // into the one before it.
        let mut padded: Vec<(Span, bool)> = Vec::with_capacity(spans.len());
        for &((from, to), focus) in &spans {
            let pad = if focus {
                Duration::zero()
            } else {
                ((to - from) / 25).max(Duration::minutes(1))
            };
            let floor = padded.last().map_or(from - pad, |((_, before), _)| *before);
            padded.push((((from - pad).max(floor).min(from), to + pad), focus));
        }
        let widths = widths(&padded, x1 - x0 - DIVIDER_PX * (padded.len() - 1) as f64);
        let mut x = x0;
        let periods = padded
            .into_iter()
            .zip(widths)
            .zip(spans)
            .map(|((((from, to), focus), width), (marks, _))| {
                let period = Period {
                    from,
                    to,
                    x0: x,
                    x1: x + width,
                    focus,
                    marks,
                };
                x += width + DIVIDER_PX;
                period
            })
            .collect();
        Some(Axis { periods })
    }

    /// Where `t` is drawn: in the period that holds it; a time of a quiet gap at the
    /// start of the next period.
    pub(super) fn x(&self, t: DateTime<Utc>) -> f64 {
        for period in &self.periods {
            if t <= period.to {
                return period.x(t);
            }
        }
        self.periods.last().map_or(0.0, |p| p.x1)
    }

    /// Whether `a` and `b` are drawn in the same period.
    pub(super) fn same_period(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
        let index = |t: DateTime<Utc>| self.periods.iter().position(|p| t <= p.to);
        index(a) == index(b)
    }

    /// The ticks of every period: round UTC times, at least [`TICK_PX`] apart; a period
    /// too narrow for two gets one at its middle.
    pub(super) fn ticks(&self) -> Vec<Tick> {
        self.periods.iter().flat_map(period_ticks).collect()
    }

    /// The quiet time between the marks of each period and those of the next, with the
    /// divider's middle.
    pub(super) fn dividers(&self) -> Vec<(f64, Duration)> {
        self.periods
            .windows(2)
            .map(|pair| {
                let quiet = (pair[1].marks.0 - pair[0].marks.1).max(Duration::zero());
                ((pair[0].x1 + pair[1].x0) / 2.0, quiet)
            })
            .collect()
    }
}

/// The windows around the setup runs: each run padded (a quarter of its length, 2 min
/// to 2 h) and widened to the events that follow or precede it closely (the reboot
/// after an interrupted run), runs closer than [`RUN_JOIN_HOURS`] joined, at most
/// [`MAX_FOCUS`]. `items` are sorted by start.
fn focus_windows(runs: &[Span], items: &[Span]) -> Vec<Span> {
    let mut windows: Vec<(Span, bool)> = runs
        .iter()
        .map(|&(start, end)| {
            let pad = ((end - start) / 4).clamp(Duration::minutes(2), Duration::hours(2));
            (widen_to_neighbours((start - pad, end + pad), items), true)
        })
        .collect();
    windows.sort_by_key(|w| w.0);
    let mut joined: Vec<(Span, bool)> = Vec::new();
    for window in windows {
        match joined.last_mut() {
            Some(last) if window.0 .0 - last.0 .1 < Duration::hours(RUN_JOIN_HOURS) => {
                last.0 .1 = last.0 .1.max(window.0 .1);
            }
            _ => joined.push(window),
        }
    }
    while joined.len() > MAX_FOCUS {
        join_closest(&mut joined);
    }
    joined.into_iter().map(|(span, _)| span).collect()
}

/// `window` widened, event by event, to the items that start (end) within reach of its
/// end (start): half its length, at least 30 min; it grows by its length at most, at
/// least 2 h.
fn widen_to_neighbours(window: Span, items: &[Span]) -> Span {
    let length = window.1 - window.0;
    let reach = (length / 2).max(Duration::minutes(30));
    let growth = length.max(Duration::hours(2));
    // An event the window takes in is not drawn on its edge.
    let margin = (length / 25).max(Duration::minutes(1));
    let (mut from, mut to) = window;
    for item in items.iter().filter(|item| item.0 > window.1) {
        if item.0 - to > reach || item.1 - window.1 > growth {
            break;
        }
        to = to.max(item.1 + margin);
    }
    let mut before: Vec<&Span> = items.iter().filter(|item| item.1 < window.0).collect();
    before.sort_by_key(|item| std::cmp::Reverse(item.1));
    for item in before {
        if from - item.1 > reach || window.0 - item.0 > growth {
            break;
        }
        from = from.min(item.0 - margin);
    }
    (from, to)
}

/// Joins the two neighbouring spans with the shortest gap between them (a focus when
/// either was).
fn join_closest(spans: &mut Vec<(Span, bool)>) {
    let closest = spans
        .windows(2)
        .enumerate()
        .min_by_key(|(_, pair)| pair[1].0 .0 - pair[0].0 .1)
        .map(|(i, _)| i);
    if let Some(i) = closest {
        let next = spans.remove(i + 1);
        let span = &mut spans[i];
        span.0 .1 = span.0 .1.max(next.0 .1);
        span.1 |= next.1;
    }
}

/// The stretch of `items` (sorted by start), cut at a quiet gap that dominates it (at
/// least [`DOMINANT_GAP`] of the stretch and [`DOMINANT_GAP_HOURS`]), `depth` times at
/// most.
fn split_at_dominant_gaps(items: &[Span], depth: u32) -> Vec<Span> {
    let Some(first) = items.first() else {
        return Vec::new();
    };
    // The items as disjoint chunks.
    let mut chunks: Vec<Span> = vec![*first];
    for &(from, to) in &items[1..] {
        match chunks.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => chunks.push((from, to)),
        }
    }
    let whole = (chunks[0].0, chunks.iter().map(|c| c.1).max().unwrap_or(chunks[0].1));
    let widest = chunks
        .windows(2)
        .enumerate()
        .map(|(i, pair)| (pair[1].0 - pair[0].1, i))
        .max_by_key(|(gap, i)| (*gap, std::cmp::Reverse(*i)));
    match widest {
        Some((gap, i))
            if depth > 0
                && gap >= Duration::hours(DOMINANT_GAP_HOURS)
                && gap.num_seconds() as f64 > DOMINANT_GAP * (whole.1 - whole.0).num_seconds() as f64 =>
        {
            let mut out = split_at_dominant_gaps(&chunks[..=i], depth - 1);
            out.extend(split_at_dominant_gaps(&chunks[i + 1..], depth - 1));
            out
        }
        _ => vec![whole],
    }
}

/// The width of each period out of `available`: by the square root of its length (the
/// focus periods share [`FOCUS_SHARE`] when there are others), at least [`MIN_PX`].
fn widths(periods: &[(Span, bool)], available: f64) -> Vec<f64> {
    let weight = |((from, to), _): &(Span, bool)| ((*to - *from).num_seconds().max(1) as f64).sqrt();
    let mixed = periods.iter().any(|p| p.1) && periods.iter().any(|p| !p.1);
    let share = |focus: bool| match (mixed, focus) {
        (false, _) => 1.0,
        (true, true) => FOCUS_SHARE,
        (true, false) => 1.0 - FOCUS_SHARE,
    };
    let total = |focus: bool| {
        periods
            .iter()
            .filter(|p| p.1 == focus)
            .map(weight)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE)
    };
    let (focus_total, other_total) = (total(true), total(false));
    let mut widths: Vec<f64> = periods
        .iter()
        .map(|p| {
            let group_total = if p.1 { focus_total } else { other_total };
            available * share(p.1) * weight(p) / group_total
        })
        .collect();
    if widths.iter().all(|w| *w >= MIN_PX) || available < MIN_PX * periods.len() as f64 {
        if available < MIN_PX * periods.len() as f64 {
            return vec![available / periods.len() as f64; periods.len()];
        }
        return widths;
    }
    // Narrow periods get the minimum, the others give it up in proportion.
    let short: f64 = widths.iter().filter(|w| **w < MIN_PX).map(|w| MIN_PX - w).sum();
    let wide: f64 = widths.iter().filter(|w| **w >= MIN_PX).sum();
    for w in &mut widths {
        *w = if *w < MIN_PX { MIN_PX } else { *w - short * (*w / wide) };
    }
    widths
}

/// The ticks of one period.
fn period_ticks(period: &Period) -> Vec<Tick> {
    let seconds = period.seconds();
    let width = period.x1 - period.x0;
    let step = (seconds > 0.0)
        .then(|| {
            STEPS
                .iter()
                .copied()
                .find(|step| *step as f64 * width / seconds >= TICK_PX)
        })
        .flatten();
    let ticks: Vec<Tick> = match step {
        Some(step) => {
            let first = period.from.timestamp().div_euclid(step) * step + step;
            (0..)
                .map(|i| first + i * step)
                .map_while(|s| DateTime::<Utc>::from_timestamp(s, 0).filter(|t| *t <= period.to))
                .map(|time| Tick {
                    x: period.x(time),
                    time,
                    step_seconds: step,
                })
                .collect()
        }
        None => Vec::new(),
    };
    if ticks.len() >= 2 {
        return ticks;
    }
    let middle = period.from + (period.to - period.from) / 2;
    vec![Tick {
        x: period.x(middle),
        time: middle,
        step_seconds: 0,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2007, 11, day, hour, minute, 0)
            .single()
            .unwrap_or_default()
    }

    fn point(t: DateTime<Utc>) -> Span {
        (t, t)
    }

    #[test]
    fn without_runs_one_linear_period_spans_the_events() {
        let items = [point(at(1, 0, 0)), point(at(2, 0, 0)), point(at(3, 0, 0))];
        let axis = Axis::new(&[], &items, 100.0, 1000.0).unwrap_or_else(|| panic!("an axis"));
        assert_eq!(axis.periods.len(), 1);
        let p = &axis.periods[0];
        assert_eq!((p.x0, p.x1), (100.0, 1000.0));
        assert!(axis.x(at(1, 0, 0)) < axis.x(at(2, 0, 0)) && axis.x(at(2, 0, 0)) < axis.x(at(3, 0, 0)));
        assert!((axis.x(at(2, 0, 0)) - 550.0).abs() < 1.0, "{}", axis.x(at(2, 0, 0)));
        assert!(axis.dividers().is_empty());
        assert_eq!(Axis::new(&[], &[], 0.0, 1.0), None);
    }

    #[test]
    fn a_dominant_quiet_gap_cuts_the_axis() {
        // Two clumps a month apart: two periods with a divider that says so.
        let items = [
            point(at(1, 10, 0)),
            point(at(1, 11, 0)),
            point(at(29, 10, 0)),
            point(at(29, 12, 0)),
        ];
        let axis = Axis::new(&[], &items, 0.0, 1000.0).unwrap_or_else(|| panic!("an axis"));
        assert_eq!(axis.periods.len(), 2, "{axis:?}");
        let dividers = axis.dividers();
        assert_eq!(dividers.len(), 1);
        assert_eq!(dividers[0].1, Duration::hours(28 * 24 - 1), "{dividers:?}");
        assert!(!axis.same_period(at(1, 10, 0), at(29, 10, 0)));
    }

    #[test]
    fn a_setup_run_gets_most_of_the_width_next_to_weeks_of_events() {
        // Daily boots for four weeks, then a 26-minute upgrade and the reboot after it.
        let mut items: Vec<Span> = (1..29).map(|d| point(at(d, 8, 0))).collect();
        items.push(point(at(29, 16, 45)));
        items.push(point(at(29, 17, 5)));
        let runs = [(at(29, 16, 12), at(29, 16, 38))];
        let axis = Axis::new(&runs, &items, 0.0, 1000.0).unwrap_or_else(|| panic!("an axis"));
        let focus: Vec<&Period> = axis.periods.iter().filter(|p| p.focus).collect();
        assert_eq!(focus.len(), 1, "{axis:?}");
        assert!(focus[0].x1 - focus[0].x0 >= 500.0, "{axis:?}");
        let run_width = axis.x(at(29, 16, 38)) - axis.x(at(29, 16, 12));
        assert!(run_width > 200.0, "{run_width}");
        // The reboot after the run sits in the focus (even beyond its padding), the boots
        // before it to its left.
        assert!(axis.same_period(at(29, 17, 5), at(29, 16, 12)));
        assert_eq!(axis.dividers().len(), 1, "{axis:?}");
        assert!(axis.x(at(28, 8, 0)) < focus[0].x0);
        // Ticks are in order and inside the picture.
        let ticks = axis.ticks();
        assert!(ticks.windows(2).all(|t| t[0].x < t[1].x), "{ticks:?}");
        assert!(ticks.iter().all(|t| (0.0..=1000.0).contains(&t.x)));
    }

    #[test]
    fn many_runs_and_clumps_stay_within_the_period_limit() {
        let runs: Vec<Span> = (1..29).map(|d| (at(d, 1, 0), at(d, 1, 30))).collect();
        let items: Vec<Span> = (1..29).map(|d| point(at(d, 13, 0))).collect();
        let axis = Axis::new(&runs, &items, 0.0, 1000.0).unwrap_or_else(|| panic!("an axis"));
        assert!(axis.periods.len() <= MAX_PERIODS, "{}", axis.periods.len());
        assert!(axis.periods.iter().all(|p| p.x1 - p.x0 >= MIN_PX - 0.01), "{axis:?}");
        assert!(axis.periods.last().is_some_and(|p| p.x1 <= 1000.01));
    }
}
