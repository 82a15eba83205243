//! Crash reports of a host (Application Error 1000, Windows Error Reporting 1001,
//! MSExchange Common 4999 Watson, .NET Runtime 2.0 Error Reporting 5000), read once and
//! indexed by process and by provider, so that the report nearest to a time is found by
//! binary search whatever the number of events.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Event;

use super::services::process_stem;
use crate::model::{HostEvent, HostView};

/// The providers of crash reports, in the order their facts are preferred.
pub(crate) const PROVIDERS: [&str; 4] = [
    "Application Error",
    "Windows Error Reporting",
    "MSExchange Common",
    ".NET Runtime 2.0 Error Reporting",
];

/// What one crash report says about the dying process.
#[derive(Debug, Clone)]
pub(crate) struct CrashReport<'h, 'a> {
    pub event: &'h HostEvent<'a>,
    /// Index of its provider in [`PROVIDERS`].
    pub provider: usize,
    /// The process as written (`spoolsv.exe`).
    pub process: String,
    /// Faulting module (native for Application Error / WER, assembly for Watson / CLR).
    pub module: Option<String>,
    /// Native exception code, `0xe0434f4d`.
    pub code: Option<String>,
    /// .NET exception name, `System.InvalidOperationException`.
    pub exception: Option<String>,
    /// Method, from Watson.
    pub method: Option<String>,
    /// Where Windows Error Reporting stored the report (WER 1001).
    pub report_path: Option<String>,
}

/// Whether a Watson 4999 reports a service start timeout (the CRL stall), not a crash.
pub(crate) fn is_start_timeout_report(event: &Event) -> bool {
    event.provider.eq_ignore_ascii_case("MSExchange Common")
        && event.event_id == 4999
        && event
            .data
            .iter()
            .any(|f| f.value.contains("ServiceProcess.TimeoutException"))
}

fn text(event: &Event, index: usize) -> Option<String> {
    event
        .param(index)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// `E0434F4D`, `0xe0434f4d` -> `0xe0434f4d`.
fn exception_code(event: &Event, index: usize) -> Option<String> {
    let raw = text(event, index)?.to_ascii_lowercase();
    let hex = raw.strip_prefix("0x").unwrap_or(&raw);
    (!hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("0x{hex}"))
}

/// The positions of a report's facts: process, module, code, exception, method, path.
type Layout = (
    usize,
    Option<usize>,
    Option<usize>,
    Option<usize>,
    Option<usize>,
    Option<usize>,
);

/// The layout of `event` if it is a crash report.
fn layout(event: &Event) -> Option<(usize, Layout)> {
    let provider = PROVIDERS.iter().position(|p| p.eq_ignore_ascii_case(&event.provider))?;
    let layout = match (provider, event.event_id) {
        (0, 1000) if event.data.len() >= 7 => (0, Some(3), Some(6), None, None, None),
        (0, 1000) => (0, Some(2), None, None, None, None),
        (1, 1001) => match event.param(2).map(str::trim) {
            Some(name) if name.eq_ignore_ascii_case("APPCRASH") => (5, Some(8), Some(11), None, None, Some(16)),
            Some(name) if name.eq_ignore_ascii_case("CLR20r3") => (5, Some(8), None, Some(13), None, Some(16)),
            _ => return None,
        },
        (2, 4999) if !is_start_timeout_report(event) => (4, Some(5), None, Some(7), Some(6), None),
        (3, 5000) => {
            let o = usize::from(event.param(0).is_some_and(|v| v.trim().eq_ignore_ascii_case("clr20r3")));
            (o, Some(o + 3), None, Some(o + 8), None, None)
        }
        _ => return None,
    };
    Some((provider, layout))
}

/// The crash report in `e`, if it is one.
pub(crate) fn report<'h, 'a>(e: &'h HostEvent<'a>) -> Option<CrashReport<'h, 'a>> {
    let ev = e.event;
    let (provider, (p, m, c, x, meth, path)) = layout(ev)?;
    Some(CrashReport {
        event: e,
        provider,
        process: text(ev, p)?,
        module: m.and_then(|i| text(ev, i)),
        code: c.and_then(|i| exception_code(ev, i)),
        exception: x.and_then(|i| text(ev, i)),
        method: meth.and_then(|i| text(ev, i)),
        report_path: path
            .and_then(|i| text(ev, i))
            .map(|p| p.trim_start_matches(r"\\?\").to_string()),
    })
}

/// Positions (into [`Reports::list`]) per provider, in time order.
type PerProvider = [Vec<usize>; 4];

/// The host's crash reports, indexed.
pub(crate) struct Reports<'h, 'a> {
    pub list: Vec<CrashReport<'h, 'a>>,
    by_process: HashMap<String, PerProvider>,
    by_provider: PerProvider,
}

impl<'h, 'a> Reports<'h, 'a> {
    /// Reads every crash report of `host` (its events are in time order).
    pub(crate) fn of(host: &'h HostView<'a>) -> Reports<'h, 'a> {
        let list: Vec<CrashReport<'h, 'a>> = host.events.iter().filter_map(report).collect();
        let mut by_process: HashMap<String, PerProvider> = HashMap::new();
        let mut by_provider = PerProvider::default();
        for (i, r) in list.iter().enumerate() {
            by_process.entry(process_stem(&r.process)).or_default()[r.provider].push(i);
            by_provider[r.provider].push(i);
        }
        Reports {
            list,
            by_process,
            by_provider,
        }
    }

    /// The report of `provider` nearest to `t` among `positions`, within `window`.
    fn nearest(&self, positions: &[usize], t: DateTime<Utc>, window: Duration) -> Option<usize> {
        let after = positions.partition_point(|&i| self.list[i].event.event.time < t);
        [after.checked_sub(1), Some(after)]
            .into_iter()
            .flatten()
            .filter_map(|k| positions.get(k).copied())
            .map(|i| (i, (self.list[i].event.event.time - t).abs()))
            .filter(|(_, d)| *d <= window)
            .min_by_key(|(i, d)| (*d, *i))
            .map(|(i, _)| i)
    }

    /// The nearest report of each provider within `window` of `t` whose process is one
    /// of `stems`.
    pub(crate) fn of_processes(&self, stems: &[String], t: DateTime<Utc>, window: Duration) -> Vec<usize> {
        (0..PROVIDERS.len())
            .filter_map(|p| {
                stems
                    .iter()
                    .filter_map(|s| self.by_process.get(s))
                    .filter_map(|per| self.nearest(&per[p], t, window))
                    .min_by_key(|&i| ((self.list[i].event.event.time - t).abs(), i))
            })
            .collect()
    }

    /// The nearest report of each provider within `window` of `t`, of any process.
    pub(crate) fn of_any_process(&self, t: DateTime<Utc>, window: Duration) -> Vec<usize> {
        (0..PROVIDERS.len())
            .filter_map(|p| self.nearest(&self.by_provider[p], t, window))
            .collect()
    }
}
