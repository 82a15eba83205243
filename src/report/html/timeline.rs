//! The timeline picture of one host, an inline SVG drawn from its
//! [`HostMarks`](crate::analysis::marks::HostMarks): the
//! setup runs as bars coloured by their result (the unfinished task marked at the end
//! of an interrupted one), then one lane each for setup and installer events, restarts,
//! crashes and start failures, on the UTC [`Axis`]. Marks closer than a few pixels are
//! drawn as one, with their count, so the number of elements is bounded by the width
//! whatever the number of events. Every mark has a tooltip (UTC and local time, the
//! event, where it is) and links to the most severe finding that cites it.

use std::collections::BTreeMap;
use std::io;

use chrono::{DateTime, Duration, Utc};

use super::axis::{Axis, Tick, DIVIDER_PX};
use super::clock::{event_time, length, utc, utc_and_local, wall};
use super::escape::{Html, Px};
use crate::analysis::marks::{Lane, MarkEvent, MarkGroup, MarkKind, RunMark, RunOutcome};
use crate::analysis::HostReport;
use crate::model::{Finding, HostZone, Location};

/// Width of the picture (the SVG scales to the page).
const WIDTH: f64 = 1000.0;
/// Where the lanes start (their labels are left of it).
const LEFT: f64 = 112.0;
/// Space right of the lanes.
const RIGHT: f64 = 14.0;
/// Space above the lanes (the dividers' labels).
const TOP: f64 = 18.0;
/// Height of the setup-run row.
const RUN_ROW: f64 = 32.0;
/// Height of an event lane.
const LANE_ROW: f64 = 24.0;
/// Height of the axis labels below the lanes.
const AXIS_ROWS: f64 = 34.0;
/// Marks closer than this are drawn as one.
const MERGE_PX: f64 = 7.0;
/// Width of a character of the labels, about.
const CHAR_PX: f64 = 6.1;

/// A finding of the host with its anchor, most severe first.
pub(super) type Linked<'a> = (&'a Finding, &'a str);

/// Writes the picture of `host` (a note in its place when there is nothing to draw, or
/// the report was read back from JSON).
pub(super) fn write_timeline(h: &mut Html<'_>, host: &HostReport, findings: &[Linked<'_>]) -> io::Result<()> {
    let zone = host.time_zone.as_ref();
    let marks = host.marks.as_ref();
    let dated: Vec<&RunMark> = marks
        .map(|m| m.runs.iter().filter(|r| r.start.is_some() && r.end.is_some()).collect())
        .unwrap_or_default();
    let axis = marks.and_then(|m| {
        let runs: Vec<(DateTime<Utc>, DateTime<Utc>)> = dated
            .iter()
            .filter_map(|r| Some((r.start?, r.end?.max(r.start?))))
            .collect();
        let items: Vec<(DateTime<Utc>, DateTime<Utc>)> = m.groups.iter().map(|g| (g.first.time, g.last.time)).collect();
        Axis::new(&runs, &items, LEFT, WIDTH - RIGHT)
    });
    let height = TOP + RUN_ROW + LANE_ROW * Lane::ALL.len() as f64 + AXIS_ROWS;
    let label = format!("Timeline of {}", host.name);
    h.open(
        "svg",
        &[
            ("class", &"timeline"),
            ("viewBox", &format!("0 0 {WIDTH} {height}")),
            ("role", &"img"),
            ("aria-label", &label),
        ],
    )?;
    let (Some(axis), Some(marks)) = (axis, marks) else {
        let note = if marks.is_none() {
            "No timeline: this report was read back from JSON (exdoctor merge), which does not carry the events."
        } else {
            "Nothing to draw: no dated setup run and no restart, crash, start failure or setup event in the inputs."
        };
        h.element(
            "text",
            &[("class", &"empty"), ("x", &Px(WIDTH / 2.0)), ("y", &Px(height / 2.0))],
            note,
        )?;
        return h.close("svg");
    };
    background(h, &axis)?;
    let bars: Vec<(f64, f64)> = dated.iter().map(|run| bar_extent(&axis, run)).collect();
    let mut labels: Vec<(f64, f64)> = Vec::new();
    let several_logs = dated.iter().any(|r| r.source != dated[0].source);
    for (i, run) in dated.iter().enumerate() {
        let label = place_label(run, i, several_logs, &bars, &mut labels);
        write_run(h, &axis, run, bars[i], label, zone, findings)?;
    }
    for (row, lane) in Lane::ALL.iter().enumerate() {
        let y = TOP + RUN_ROW + LANE_ROW * (row as f64 + 0.5);
        let groups: Vec<&MarkGroup> = marks.groups.iter().filter(|g| g.lane == *lane).collect();
        for cluster in clusters(&axis, &groups) {
            write_cluster(h, &cluster, *lane, y, zone, findings)?;
        }
    }
    h.close("svg")
}

/// The rows, their labels, the focus periods, the dividers and the axis.
fn background(h: &mut Html<'_>, axis: &Axis) -> io::Result<()> {
    let bottom = TOP + RUN_ROW + LANE_ROW * Lane::ALL.len() as f64;
    for period in axis.periods.iter().filter(|p| p.focus) {
        h.void(
            "rect",
            &[
                ("class", &"focus"),
                ("x", &Px(period.x0)),
                ("y", &Px(TOP)),
                ("width", &Px(period.x1 - period.x0)),
                ("height", &Px(bottom - TOP)),
            ],
        )?;
    }
    let rows = std::iter::once(("Setup runs", TOP, RUN_ROW)).chain(
        Lane::ALL
            .iter()
            .enumerate()
            .map(|(i, lane)| (lane.label(), TOP + RUN_ROW + LANE_ROW * i as f64, LANE_ROW)),
    );
    for (i, (name, y, row)) in rows.enumerate() {
        h.void(
            "line",
            &[
                ("class", &"row"),
                ("x1", &Px(LEFT)),
                ("x2", &Px(WIDTH - RIGHT)),
                ("y1", &Px(y + row)),
                ("y2", &Px(y + row)),
            ],
        )?;
        h.element(
            "text",
            &[
                ("class", &if i == 0 { "lane-label runs" } else { "lane-label" }),
                ("x", &Px(LEFT - 8.0)),
                ("y", &Px(y + row / 2.0 + 4.0)),
            ],
            name,
        )?;
    }
    for (x, quiet) in axis.dividers() {
        h.void(
            "rect",
            &[
                ("class", &"divider"),
                ("x", &Px(x - DIVIDER_PX / 2.0 + 4.0)),
                ("y", &Px(TOP)),
                ("width", &Px(DIVIDER_PX - 8.0)),
                ("height", &Px(bottom - TOP)),
            ],
        )?;
        if quiet > Duration::zero() {
            h.open(
                "text",
                &[("class", &"divider-label"), ("x", &Px(x)), ("y", &Px(TOP - 5.0))],
            )?;
            h.element("title", &[], format!("{} without a drawn event", length(quiet)))?;
            h.text(length(quiet))?;
            h.close("text")?;
        }
    }
    write_ticks(h, &axis.ticks(), bottom)?;
    h.void(
        "line",
        &[
            ("class", &"axis"),
            ("x1", &Px(LEFT)),
            ("x2", &Px(WIDTH - RIGHT)),
            ("y1", &Px(bottom)),
            ("y2", &Px(bottom)),
        ],
    )
}

/// Grid lines, times and (at the first tick and where the day changes) dates.
fn write_ticks(h: &mut Html<'_>, ticks: &[Tick], bottom: f64) -> io::Result<()> {
    let mut last_date = String::new();
    let mut last_x = f64::MIN;
    for tick in ticks {
        h.void(
            "line",
            &[
                ("class", &"grid"),
                ("x1", &Px(tick.x)),
                ("x2", &Px(tick.x)),
                ("y1", &Px(TOP)),
                ("y2", &Px(bottom + 4.0)),
            ],
        )?;
        let daily = tick.step_seconds >= 86_400;
        let time = if tick.step_seconds == 0 {
            tick.time.format("%H:%M").to_string()
        } else if daily {
            tick.time.format("%m-%d").to_string()
        } else {
            tick.time.format("%H:%M").to_string()
        };
        h.element(
            "text",
            &[("class", &"tick"), ("x", &Px(tick.x)), ("y", &Px(bottom + 15.0))],
            time,
        )?;
        let date = if daily {
            tick.time.format("%Y").to_string()
        } else {
            tick.time.format("%Y-%m-%d").to_string()
        };
        // A date label needs room: about 70 px after the previous one.
        if date != last_date && tick.x - last_x > 70.0 {
            h.element(
                "text",
                &[("class", &"tick date"), ("x", &Px(tick.x)), ("y", &Px(bottom + 28.0))],
                &date,
            )?;
            last_date = date;
            last_x = tick.x;
        }
    }
    Ok(())
}

/// Whether `e` cites the event `m` (its record, or its row or element in an export).
fn cites(evidence: &crate::model::Evidence, m: &MarkEvent) -> bool {
    evidence.source == m.source && evidence.location == m.location
}

/// The most severe finding that cites one of `groups`' events: its first or last, or
/// an event of the same file between them.
fn explaining<'a>(groups: &[&MarkGroup], findings: &[Linked<'a>]) -> Option<Linked<'a>> {
    findings.iter().copied().find(|(finding, _)| {
        finding.evidence.iter().any(|e| {
            groups.iter().any(|g| {
                cites(e, &g.first)
                    || cites(e, &g.last)
                    || (e.source == g.first.source
                        && matches!(
                            e.location,
                            Location::Record(_) | Location::Row { .. } | Location::Element(_)
                        )
                        && e.time.is_some_and(|t| {
                            (g.first.time.naive_utc()..=g.last.time.naive_utc()).contains(&t.sort_key())
                        }))
            })
        })
    })
}

/// The finding that cites a line of the run's log.
fn explaining_run<'a>(run: &RunMark, findings: &[Linked<'a>]) -> Option<Linked<'a>> {
    findings.iter().copied().find(|(finding, _)| {
        finding.evidence.iter().any(|e| {
            e.source == run.source
                && matches!(e.location, Location::Line(l) if (run.first_line..=run.last_line).contains(&l))
        })
    })
}

/// Opens a mark: a link to the finding that explains it, else a group.
fn open_mark(h: &mut Html<'_>, class: &str, count: u64, link: Option<Linked<'_>>) -> io::Result<&'static str> {
    match link {
        Some((_, anchor)) => {
            let href = format!("#{anchor}");
            h.open("a", &[("class", &class), ("href", &href), ("data-count", &count)])?;
            Ok("a")
        }
        None => {
            h.open("g", &[("class", &class), ("data-count", &count)])?;
            Ok("g")
        }
    }
}

/// `explained by setup-interrupted: Exchange setup was interrupted (click)`.
fn explanation(link: Option<Linked<'_>>) -> String {
    link.map(|(f, _)| format!("\nExplained by {}: {} (click to go there)", f.rule.as_str(), f.title))
        .unwrap_or_default()
}

/// Where a run's bar is drawn (at least 4 px wide).
fn bar_extent(axis: &Axis, run: &RunMark) -> (f64, f64) {
    match (run.start, run.end) {
        (Some(start), Some(end)) => {
            let x1 = axis.x(start);
            (x1, axis.x(end.max(start)).max(x1 + 4.0))
        }
        _ => (0.0, 0.0),
    }
}

/// A run's label and where it goes: inside its bar, else right of it, else left of it,
/// wherever it covers no other bar and no label placed before; the long form first,
/// then `run N`; `None` when neither fits (the tooltip has it all).
fn place_label(
    run: &RunMark,
    index: usize,
    several_logs: bool,
    bars: &[(f64, f64)],
    placed: &mut Vec<(f64, f64)>,
) -> Option<(f64, &'static str, String)> {
    let (x1, x2) = bars.get(index).copied()?;
    let free = |from: f64, to: f64| {
        from >= LEFT
            && to <= WIDTH - RIGHT
            && !placed.iter().any(|(a, b)| from < *b && *a < to)
            && !bars
                .iter()
                .enumerate()
                .any(|(j, (a, b))| j != index && from < *b + 2.0 && *a - 2.0 < to)
    };
    for text in [run_label(run, several_logs), format!("run {}", run.index + 1)] {
        let width = text.chars().count() as f64 * CHAR_PX;
        let candidates = [
            (x1 + 5.0, x1 + 5.0 + width, "run-label inside", x2 - x1 >= width + 10.0),
            (x2 + 9.0, x2 + 9.0 + width, "run-label", true),
            (x1 - 6.0 - width, x1 - 6.0, "run-label", true),
        ];
        if let Some((from, to, class, _)) = candidates
            .into_iter()
            .find(|(from, to, _, fits)| *fits && free(*from, *to))
        {
            placed.push((from, to));
            return Some((from, class, text));
        }
    }
    None
}

fn write_run(
    h: &mut Html<'_>,
    axis: &Axis,
    run: &RunMark,
    (x1, x2): (f64, f64),
    label: Option<(f64, &'static str, String)>,
    zone: Option<&HostZone>,
    findings: &[Linked<'_>],
) -> io::Result<()> {
    let (Some(start), Some(end)) = (run.start, run.end) else {
        return Ok(());
    };
    let y = TOP + RUN_ROW / 2.0;
    let link = explaining_run(run, findings);
    let outcome = run.outcome.as_str();
    let class = format!("run run-{outcome}{}", if run.zone_known { "" } else { " zone-unknown" });
    let tag = open_mark(h, &class, 1, link)?;
    h.element("title", &[], run_tooltip(run, start, end, zone, link))?;
    if run.zone_known && run.slack >= Duration::minutes(10) {
        let (s1, s2) = (axis.x(start - run.slack), axis.x(end + run.slack));
        h.void(
            "rect",
            &[
                ("class", &"slack"),
                ("x", &Px(s1)),
                ("y", &Px(y - 10.0)),
                ("width", &Px((s2 - s1).max(3.0))),
                ("height", &Px(20.0)),
            ],
        )?;
    }
    h.void(
        "rect",
        &[
            ("class", &"bar"),
            ("x", &Px(x1)),
            ("y", &Px(y - 7.0)),
            ("width", &Px(x2 - x1)),
            ("height", &Px(14.0)),
            ("rx", &Px(3.0)),
        ],
    )?;
    if run.outcome != RunOutcome::Succeeded {
        glyph(h, Shape::Cross, "k-bad end", x2, y)?;
    }
    if let Some((x, class, text)) = label {
        h.element("text", &[("class", &class), ("x", &Px(x)), ("y", &Px(y + 4.0))], text)?;
    }
    h.close(tag)
}

/// `run 1: Upgrade, interrupted in start-SetupService`; the log's file name first when
/// the host's runs come from several logs (`ExchangeSetup_MSI_1.log run 1: ...`).
fn run_label(run: &RunMark, several_logs: bool) -> String {
    let mut label = if several_logs {
        format!("{} run {}", crate::model::file_name(&run.source), run.index + 1)
    } else {
        format!("run {}", run.index + 1)
    };
    if let Some(mode) = &run.mode {
        label.push_str(&format!(": {mode}"));
    }
    label.push_str(&format!(", {}", run.outcome.as_str()));
    if run.outcome == RunOutcome::Interrupted {
        if let Some(task) = &run.unfinished_task {
            label.push_str(&format!(" in {task}"));
        }
    }
    label
}

fn run_tooltip(
    run: &RunMark,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: Option<&HostZone>,
    link: Option<Linked<'_>>,
) -> String {
    let mut lines = vec![format!(
        "Setup run {} of {} (lines {}-{}): {}",
        run.index + 1,
        run.source,
        run.first_line,
        run.last_line,
        run.outcome.as_str()
    )];
    let header: Vec<String> = [
        run.mode.as_ref().map(|m| format!("mode {m}")),
        run.setup_version.as_ref().map(|v| format!("setup {v}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !header.is_empty() {
        lines.push(header.join(", "));
    }
    if let Some(task) = &run.unfinished_task {
        lines.push(format!("unfinished task: {task}"));
    }
    let clock = if run.utc_clock { "UTC" } else { "local" };
    for (what, t, log) in [("start", start, run.log_start), ("end", end, run.log_end)] {
        let written = log
            .map(|l| format!("; the log writes {} ({clock})", wall(l)))
            .unwrap_or_default();
        if run.zone_known {
            lines.push(format!("{what} {}{written}", utc_and_local(t, zone)));
        } else {
            lines.push(format!(
                "{what} {} (local, zone unknown; drawn as if UTC)",
                wall(t.naive_utc())
            ));
        }
    }
    lines.push(format!("took {}", length(end - start)));
    if run.zone_known {
        lines.push(format!(
            "placed in UTC within ± {} (clock conversion)",
            length(run.slack)
        ));
    } else {
        lines.push(format!(
            "the host's time zone is unknown: the real UTC time may be up to {} either way",
            length(run.slack)
        ));
    }
    format!("{}{}", lines.join("\n"), explanation(link))
}

/// Marks of one lane drawn as one.
struct Cluster<'m> {
    x1: f64,
    x2: f64,
    count: u64,
    kinds: BTreeMap<MarkKind, u64>,
    groups: Vec<&'m MarkGroup>,
}

impl Cluster<'_> {
    fn first(&self) -> Option<&MarkEvent> {
        self.groups.first().map(|g| &g.first)
    }

    fn last(&self) -> Option<&MarkEvent> {
        self.groups.last().map(|g| &g.last)
    }

    /// The kind that colours it: the first failure among its kinds, else its most
    /// frequent kind.
    fn main_kind(&self) -> Option<MarkKind> {
        self.kinds
            .keys()
            .copied()
            .find(|k| k.is_failure())
            .or_else(|| self.kinds.iter().max_by_key(|(_, n)| **n).map(|(k, _)| *k))
    }
}

/// The groups of one lane (in time order) as drawn: neighbours closer than
/// [`MERGE_PX`] in one period are one cluster.
fn clusters<'m>(axis: &Axis, groups: &[&'m MarkGroup]) -> Vec<Cluster<'m>> {
    let mut out: Vec<Cluster<'m>> = Vec::new();
    for group in groups {
        let (x1, x2) = (axis.x(group.first.time), axis.x(group.last.time));
        let joins = out.last().is_some_and(|c| {
            x1 - c.x2 < MERGE_PX
                && c.last()
                    .is_some_and(|last| axis.same_period(last.time, group.first.time))
        });
        match out.last_mut() {
            Some(cluster) if joins => {
                cluster.x2 = cluster.x2.max(x2);
                cluster.count += group.count;
                for (kind, n) in &group.kinds {
                    *cluster.kinds.entry(*kind).or_default() += n;
                }
                cluster.groups.push(group);
            }
            _ => out.push(Cluster {
                x1,
                x2,
                count: group.count,
                kinds: group.kinds.clone(),
                groups: vec![group],
            }),
        }
    }
    out
}

/// The CSS class of a lane's marks (`mark lane-restarts`).
fn lane_class(lane: Lane) -> &'static str {
    match lane {
        Lane::Setup => "mark lane-setup",
        Lane::Restarts => "mark lane-restarts",
        Lane::Crashes => "mark lane-crashes",
        Lane::StartFailures => "mark lane-start-failures",
    }
}

fn write_cluster(
    h: &mut Html<'_>,
    cluster: &Cluster<'_>,
    lane: Lane,
    y: f64,
    zone: Option<&HostZone>,
    findings: &[Linked<'_>],
) -> io::Result<()> {
    let (Some(first), Some(last), Some(kind)) = (cluster.first(), cluster.last(), cluster.main_kind()) else {
        return Ok(());
    };
    let link = explaining(&cluster.groups, findings);
    let tag = open_mark(h, lane_class(lane), cluster.count, link)?;
    h.element("title", &[], cluster_tooltip(cluster, first, last, zone, link))?;
    let color = kind_class(kind);
    if cluster.count == 1 {
        glyph(h, shape(kind), color, cluster.x1, y)?;
    } else if cluster.x2 - cluster.x1 < 10.0 {
        let digits = count_text(cluster.count);
        let width = 8.0 + digits.len() as f64 * 6.2;
        let x = (cluster.x1 + cluster.x2) / 2.0;
        h.void(
            "rect",
            &[
                ("class", &format!("pill {color}")),
                ("x", &Px(x - width / 2.0)),
                ("y", &Px(y - 7.0)),
                ("width", &Px(width)),
                ("height", &Px(14.0)),
                ("rx", &Px(7.0)),
            ],
        )?;
        h.element(
            "text",
            &[("class", &"pill-text"), ("x", &Px(x)), ("y", &Px(y + 3.5))],
            digits,
        )?;
    } else {
        let (x1, x2) = (cluster.x1 - 4.0, cluster.x2 + 4.0);
        h.void(
            "rect",
            &[
                ("class", &format!("stretch {color}")),
                ("x", &Px(x1)),
                ("y", &Px(y - 6.0)),
                ("width", &Px(x2 - x1)),
                ("height", &Px(12.0)),
                ("rx", &Px(4.0)),
            ],
        )?;
        let digits = count_text(cluster.count);
        if x2 - x1 >= digits.len() as f64 * 6.2 + 10.0 {
            h.element(
                "text",
                &[
                    ("class", &"stretch-text"),
                    ("x", &Px((x1 + x2) / 2.0)),
                    ("y", &Px(y + 3.5)),
                ],
                digits,
            )?;
        }
    }
    h.close(tag)
}

/// `12`, `9.4k`, `60k`.
fn count_text(count: u64) -> String {
    match count {
        0..=999 => count.to_string(),
        1_000..=9_999 => format!("{:.1}k", count as f64 / 1000.0),
        _ => format!("{}k", count / 1000),
    }
}

fn cluster_tooltip(
    cluster: &Cluster<'_>,
    first: &MarkEvent,
    last: &MarkEvent,
    zone: Option<&HostZone>,
    link: Option<Linked<'_>>,
) -> String {
    let place = |m: &MarkEvent| format!("{} {}", m.source, m.location);
    let text = if cluster.count == 1 {
        format!(
            "{}\n{}\n{}\n{}",
            event_time(first.time, first.local_time, zone),
            first.kind.label(),
            first.text,
            place(first)
        )
    } else {
        let kinds: Vec<String> = cluster
            .kinds
            .iter()
            .map(|(kind, n)| format!("{n} × {}", kind.label()))
            .collect();
        format!(
            "{} events in {}, {} to {}\n{}\nfirst: {} {} ({})\nlast: {} {} ({})",
            cluster.count,
            length(last.time - first.time),
            utc(first.time),
            utc(last.time),
            kinds.join("\n"),
            event_time(first.time, first.local_time, zone),
            first.text,
            place(first),
            event_time(last.time, last.local_time, zone),
            last.text,
            place(last)
        )
    };
    format!("{text}{}", explanation(link))
}

/// The shapes of the marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Pointing up (a boot).
    Up,
    /// Pointing down (a clean shutdown).
    Down,
    /// Pointing right (a start).
    Right,
    /// A cross (a failure, an unexpected stop).
    Cross,
    /// A diamond.
    Diamond,
    /// A circle.
    Circle,
    /// A square.
    Square,
}

/// The shape of a kind's mark.
pub(super) fn shape(kind: MarkKind) -> Shape {
    match kind {
        MarkKind::SetupStarted => Shape::Right,
        MarkKind::SetupFinished => Shape::Square,
        MarkKind::SetupFailed | MarkKind::UnexpectedShutdown => Shape::Cross,
        MarkKind::MsiSucceeded | MarkKind::MsiFailed | MarkKind::ShutdownRequested | MarkKind::ServiceError => {
            Shape::Diamond
        }
        MarkKind::Boot => Shape::Up,
        MarkKind::CleanShutdown => Shape::Down,
        MarkKind::ServiceCrash | MarkKind::ProcessCrash => Shape::Circle,
        MarkKind::StartFailure => Shape::Square,
    }
}

/// The colour class of a kind's mark.
pub(super) fn kind_class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::SetupStarted => "k-start",
        MarkKind::SetupFinished | MarkKind::MsiSucceeded => "k-ok",
        MarkKind::Boot => "k-boot",
        MarkKind::CleanShutdown | MarkKind::ShutdownRequested => "k-neutral",
        MarkKind::SetupFailed
        | MarkKind::MsiFailed
        | MarkKind::UnexpectedShutdown
        | MarkKind::ServiceCrash
        | MarkKind::ProcessCrash => "k-bad",
        MarkKind::StartFailure | MarkKind::ServiceError => "k-warn",
    }
}

/// Draws a mark's shape centred at (`x`, `y`).
pub(super) fn glyph(h: &mut Html<'_>, shape: Shape, color: &str, x: f64, y: f64) -> io::Result<()> {
    let p = |dx: f64, dy: f64| format!("{},{}", Px(x + dx), Px(y + dy));
    let path = match shape {
        Shape::Up => format!("M{} L{} L{} Z", p(-6.0, 5.0), p(0.0, -6.0), p(6.0, 5.0)),
        Shape::Down => format!("M{} L{} L{} Z", p(-6.0, -5.0), p(0.0, 6.0), p(6.0, -5.0)),
        Shape::Right => format!("M{} L{} L{} Z", p(-5.0, -6.0), p(6.0, 0.0), p(-5.0, 6.0)),
        Shape::Cross => format!(
            "M{} L{} M{} L{}",
            p(-5.0, -5.0),
            p(5.0, 5.0),
            p(-5.0, 5.0),
            p(5.0, -5.0)
        ),
        Shape::Diamond => format!(
            "M{} L{} L{} L{} Z",
            p(0.0, -6.0),
            p(6.0, 0.0),
            p(0.0, 6.0),
            p(-6.0, 0.0)
        ),
        Shape::Circle => {
            return h.void(
                "circle",
                &[
                    ("class", &format!("glyph {color}")),
                    ("cx", &Px(x)),
                    ("cy", &Px(y)),
                    ("r", &Px(5.0)),
                ],
            )
        }
        Shape::Square => format!(
            "M{} H{} V{} H{} Z",
            p(-5.0, -5.0),
            Px(x + 5.0),
            Px(y + 5.0),
            Px(x - 5.0)
        ),
    };
    let class = if shape == Shape::Cross {
        format!("glyph cross {color}")
    } else {
        format!("glyph {color}")
    };
    h.void("path", &[("class", &class), ("d", &path)])
}

/// The key to the pictures: the run bars, each kind's mark, counts and stretches.
pub(super) fn write_legend(h: &mut Html<'_>) -> io::Result<()> {
    h.raw("<div class=\"legend\"><span class=\"legend-title\">Reading the timelines</span>")?;
    for outcome in [RunOutcome::Succeeded, RunOutcome::Failed, RunOutcome::Interrupted] {
        h.raw("<span class=\"key\"><svg viewBox=\"0 0 22 14\" width=\"22\" height=\"14\">")?;
        h.open("g", &[("class", &format!("run run-{}", outcome.as_str()))])?;
        h.void(
            "rect",
            &[
                ("class", &"bar"),
                ("x", &Px(1.0)),
                ("y", &Px(3.0)),
                ("width", &Px(20.0)),
                ("height", &Px(8.0)),
                ("rx", &Px(2.0)),
            ],
        )?;
        h.raw("</g></svg>")?;
        h.text(format!("setup run {}", outcome.as_str()))?;
        h.raw("</span>")?;
    }
    for kind in MarkKind::ALL {
        h.raw("<span class=\"key\"><svg viewBox=\"0 0 14 14\" width=\"14\" height=\"14\">")?;
        glyph(h, shape(kind), kind_class(kind), 7.0, 7.0)?;
        h.raw("</svg>")?;
        h.text(kind.label())?;
        h.raw("</span>")?;
    }
    h.raw(
        "<span class=\"key\"><svg viewBox=\"0 0 22 14\" width=\"22\" height=\"14\"><rect class=\"pill k-bad\" x=\"1\" y=\"0\" width=\"20\" height=\"14\" rx=\"7\"/><text class=\"pill-text\" x=\"11\" y=\"10.5\">12</text></svg>\
         events too close to draw apart, with their count</span>\
         <span class=\"key\"><svg viewBox=\"0 0 22 14\" width=\"22\" height=\"14\"><rect class=\"stretch k-warn\" x=\"1\" y=\"1\" width=\"20\" height=\"12\" rx=\"4\"/></svg>\
         a dense stretch of events</span>\
         <span class=\"key\"><svg viewBox=\"0 0 22 14\" width=\"22\" height=\"14\"><rect class=\"divider\" x=\"6\" y=\"0\" width=\"10\" height=\"14\"/></svg>\
         a quiet stretch left out (its length above it)</span></div>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_short() {
        assert_eq!(count_text(12), "12");
        assert_eq!(count_text(9_412), "9.4k");
        assert_eq!(count_text(60_000), "60k");
    }
}
