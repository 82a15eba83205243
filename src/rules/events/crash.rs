//! `service-crash`: SCM 7031/7034 joined with the crash reports of the same process
//! within a minute (Application Error 1000, WER 1001, MSExchange Common 4999 Watson,
//! .NET Runtime 2.0 Error Reporting 5000). One finding per service.

use chrono::Duration;
use exdoctor_parsers::event::Event;

use super::exchange::{is_process_of, key_or_name, label, lookup};
use super::messages::evidence_text;
use super::{utc, SCM};
use crate::model::{Confidence, Finding, RuleId, RuleInfo, Severity};
use crate::model::{HostEvent, HostView};

/// The `service-crash` rule.
pub(crate) const SERVICE_CRASH: RuleInfo = RuleInfo {
    id: RuleId::ServiceCrash,
    title: "A service terminated unexpectedly",
    severity: Severity::Error,
    description: "SCM 7031/7034 (the service terminated unexpectedly), joined within a minute with the crash \
                  reports of its process: Application Error 1000 (faulting module, exception code; 0xE0434F4D \
                  is an unhandled .NET exception), Windows Error Reporting 1001, MSExchange Common 4999 (Watson \
                  parameters: E12, architecture, build, process, module, method, exception) and .NET Runtime \
                  2.0 Error Reporting 5000. Critical for the Information Store, System Attendant, Transport \
                  and AD Topology services. A 4999 with S.ServiceProcess.TimeoutException is not a crash but \
                  a start timeout (see service-start-failure).",
    remediation: &[
        "Read the crash reports of the first crash: the faulting module and exception code (Application Error 1000), the .NET exception and method (MSExchange Common 4999 / .NET Runtime 5000).",
        "Exception 0xE0434F4D means an unhandled .NET exception: the 4999 Watson parameters name it; look for the configuration it complains about (AD access, permissions, missing dependency, corrupt config file).",
        "Check what changed before the first crash (updates, an OS upgrade, service dependencies edited by hand, rollups) and apply the latest Exchange update rollup of the installed service pack.",
        "Start the service again once the cause is fixed and confirm it stays running (SCM 7036 without a following 7031/7034).",
    ],
    references: &["Exchange 2007 Watson event 4999", "netevent.mc (SCM 7031/7034)"],
};

/// Crash reports this close to the SCM event belong to it.
const JOIN_SECONDS: i64 = 60;
/// The exception code of an unhandled .NET (CLR 2.0) exception.
const CLR_EXCEPTION: &str = "0xe0434f4d";

/// What one crash report says about the dying process.
#[derive(Debug, Clone)]
struct CrashReport<'h, 'a> {
    event: &'h HostEvent<'a>,
    process: String,
    /// Faulting module (native for Application Error / WER, assembly for Watson / CLR).
    module: Option<String>,
    /// Native exception code, `0xe0434f4d`.
    code: Option<String>,
    /// .NET exception name, `System.InvalidOperationException`.
    exception: Option<String>,
    /// Method, from Watson.
    method: Option<String>,
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

/// The crash report in `e`, if it is one.
fn report<'h, 'a>(e: &'h HostEvent<'a>) -> Option<CrashReport<'h, 'a>> {
    let ev = e.event;
    let provider = ev.provider.to_ascii_lowercase();
    // (process, module, code, exception, method) positions.
    let (p, m, c, x, meth) = match (provider.as_str(), ev.event_id) {
        ("application error", 1000) if ev.data.len() >= 7 => (0, Some(3), Some(6), None, None),
        ("application error", 1000) => (0, Some(2), None, None, None),
        ("windows error reporting", 1001) => match ev.param(2).map(str::trim) {
            Some(name) if name.eq_ignore_ascii_case("APPCRASH") => (5, Some(8), Some(11), None, None),
            Some(name) if name.eq_ignore_ascii_case("CLR20r3") => (5, Some(8), None, Some(13), None),
            _ => return None,
        },
        ("msexchange common", 4999) if !is_start_timeout_report(ev) => (4, Some(5), None, Some(7), Some(6)),
        (".net runtime 2.0 error reporting", 5000) => {
            let o = usize::from(ev.param(0).is_some_and(|v| v.trim().eq_ignore_ascii_case("clr20r3")));
            (o, Some(o + 3), None, Some(o + 8), None)
        }
        _ => return None,
    };
    Some(CrashReport {
        event: e,
        process: text(ev, p)?,
        module: m.and_then(|i| text(ev, i)),
        code: c.and_then(|i| exception_code(ev, i)),
        exception: x.and_then(|i| text(ev, i)),
        method: meth.and_then(|i| text(ev, i)),
    })
}

/// One termination: the SCM event and the reports of the same process around it.
struct Occurrence<'h, 'a> {
    scm: &'h HostEvent<'a>,
    reports: Vec<CrashReport<'h, 'a>>,
}

/// The reports of `service`'s process within the join window of `scm`, the nearest
/// one per provider.
fn reports_for<'h, 'a>(host: &'h HostView<'a>, scm: &HostEvent<'_>, service: &str) -> Vec<CrashReport<'h, 'a>> {
    let t = scm.event.time;
    let mut out: Vec<CrashReport<'h, 'a>> = Vec::new();
    for r in host
        .events_near(t, Duration::seconds(JOIN_SECONDS))
        .filter_map(report)
        .filter(|r| is_process_of(&r.process, service))
    {
        let distance = (r.event.event.time - t).abs();
        match out
            .iter_mut()
            .find(|o| o.event.event.provider == r.event.event.provider)
        {
            Some(o) if (o.event.event.time - t).abs() > distance => *o = r,
            Some(_) => {}
            None => out.push(r),
        }
    }
    out
}

/// Runs the rule.
pub(crate) fn check(host: &HostView<'_>) -> Vec<Finding> {
    let mut services: Vec<(String, Vec<Occurrence<'_, '_>>)> = Vec::new();
    for scm in host.events_of(SCM, &[7031, 7034]) {
        let Some(name) = super::scm_service(scm.event) else {
            continue;
        };
        let occurrence = Occurrence {
            scm,
            reports: reports_for(host, scm, name),
        };
        let key = key_or_name(name).to_ascii_lowercase();
        match services
            .iter_mut()
            .find(|(n, _)| key_or_name(n).to_ascii_lowercase() == key)
        {
            Some((_, list)) => list.push(occurrence),
            None => services.push((name.to_string(), vec![occurrence])),
        }
    }
    services.iter().map(|(name, list)| finding(name, list)).collect()
}

/// The first value `pick` finds in the reports, preferring providers in `order`.
fn first_of(list: &[Occurrence<'_, '_>], pick: impl Fn(&CrashReport<'_, '_>) -> Option<String>) -> Option<String> {
    const ORDER: [&str; 4] = [
        "Application Error",
        "Windows Error Reporting",
        "MSExchange Common",
        ".NET Runtime 2.0 Error Reporting",
    ];
    ORDER.iter().find_map(|provider| {
        list.iter()
            .flat_map(|o| &o.reports)
            .filter(|r| r.event.event.provider.eq_ignore_ascii_case(provider))
            .find_map(&pick)
    })
}

fn finding(name: &str, list: &[Occurrence<'_, '_>]) -> Finding {
    let rule = &SERVICE_CRASH;
    let module = first_of(list, |r| r.module.clone());
    let code = first_of(list, |r| r.code.clone());
    let exception = first_of(list, |r| r.exception.clone());
    let method = first_of(list, |r| r.method.clone());
    let reported = list.iter().any(|o| !o.reports.is_empty());
    let (first, last) = (
        list.first().map(|o| o.scm.event.time),
        list.last().map(|o| o.scm.event.time),
    );
    let mut summary = format!("{} terminated unexpectedly {} time(s)", label(name), list.len());
    if let (Some(f), Some(l)) = (first, last) {
        summary.push_str(&format!(" from {} to {}", utc(f), utc(l)));
    }
    summary.push_str(&cause(
        module.as_deref(),
        code.as_deref(),
        exception.as_deref(),
        reported,
    ));
    let critical = lookup(name).is_some_and(|s| s.critical);
    let mut finding = Finding::new(rule, summary)
        .subject(key_or_name(name))
        .title(format!("{} terminated unexpectedly", label(name)))
        .severity(if critical { Severity::Critical } else { Severity::Error })
        .confidence(if reported { Confidence::High } else { Confidence::Medium })
        .count(list.len() as u64)
        .detail("service", key_or_name(name))
        .detail("module", module)
        .detail("exception_code", code)
        .detail("exception", exception)
        .detail("method", method)
        .detail("crash_reports", list.iter().map(|o| o.reports.len()).sum::<usize>());
    for (i, o) in list.iter().enumerate() {
        finding.push_evidence(o.scm.evidence(evidence_text(o.scm)));
        if i == 0 || i + 1 == list.len() {
            for r in &o.reports {
                finding.push_evidence(r.event.evidence(evidence_text(r.event)));
            }
        }
    }
    finding
}

/// `; faulting module kernel32.dll, exception code 0xe0434f4d (an unhandled .NET
/// exception: System.InvalidOperationException).`
fn cause(module: Option<&str>, code: Option<&str>, exception: Option<&str>, reported: bool) -> String {
    if !reported {
        return ". No crash report of its process (Application Error 1000, WER 1001, Watson 4999, .NET 5000) within a minute.".to_string();
    }
    let mut parts = Vec::new();
    if let Some(m) = module {
        parts.push(format!("faulting module {m}"));
    }
    match (code, exception) {
        (Some(CLR_EXCEPTION), Some(x)) => parts.push(format!(
            "exception code {CLR_EXCEPTION} (an unhandled .NET exception: {x})"
        )),
        (Some(CLR_EXCEPTION), None) => {
            parts.push(format!("exception code {CLR_EXCEPTION} (an unhandled .NET exception)"))
        }
        (Some(c), _) => parts.push(format!("exception code {c}")),
        (None, Some(x)) => parts.push(format!("exception {x}")),
        (None, None) => {}
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        format!("; {}.", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, view};

    const IS: &str = "Microsoft Exchange Information Store";

    #[test]
    fn a_crash_joined_with_its_reports_is_high_confidence_and_critical_for_the_store() {
        let events = [
            event(
                "Application Error",
                1000,
                40,
                "2008-03-15T10:00:01Z",
                &[
                    "store.exe",
                    "8.1.240.6",
                    "4745fb4a",
                    "ntdll.dll",
                    "6.0",
                    "1",
                    "C0000005",
                    "0001",
                ],
            ),
            event(
                SCM,
                7031,
                41,
                "2008-03-15T10:00:02Z",
                &[IS, "1", "60000", "1", "Restart the service"],
            ),
            event(SCM, 7034, 42, "2008-03-15T10:30:00Z", &[IS, "2"]),
        ];
        let findings = check(&view(&events));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            (f.rule, f.severity, f.confidence, f.count),
            (RuleId::ServiceCrash, Severity::Critical, Confidence::High, 2)
        );
        assert_eq!(f.details["module"], "ntdll.dll");
        assert_eq!(f.details["exception_code"], "0xc0000005");
        assert_eq!(f.details["service"], "MSExchangeIS");
        assert_eq!(f.evidence.len(), 3);
    }

    #[test]
    fn a_stop_is_not_a_crash_and_a_bare_7031_is_medium_confidence() {
        let events = [
            event(SCM, 7036, 1, "2008-03-15T10:00:00Z", &[IS, "stopped"]),
            event(SCM, 7036, 2, "2008-03-15T10:00:30Z", &["Print Spooler", "stopped"]),
        ];
        assert!(check(&view(&events)).is_empty());
        let events = [event(
            SCM,
            7031,
            3,
            "2008-03-15T10:00:00Z",
            &[IS, "1", "60000", "1", "Restart the service"],
        )];
        let findings = check(&view(&events));
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].confidence, findings[0].count), (Confidence::Medium, 1));
        assert_eq!(findings[0].severity, Severity::Critical);
    }

    #[test]
    fn a_non_exchange_service_crash_is_an_error_not_critical() {
        let events = [
            event(
                "Application Error",
                1000,
                1,
                "2008-03-15T10:00:00Z",
                &["spoolsv.exe", "6.0", "ntdll.dll", "6.0", "0001a2b3"],
            ),
            event(SCM, 7034, 2, "2008-03-15T10:00:01Z", &["Print Spooler", "1"]),
            event(SCM, 7034, 3, "2008-03-15T11:00:01Z", &["Print Spooler", "2"]),
        ];
        let findings = check(&view(&events));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.severity, f.count), (Severity::Error, 2));
        assert_eq!(f.details["service"], "Print Spooler");
        // The 2003 form of Application Error 1000 has no exception code; the image is
        // not the service's name, so it is not joined.
        assert_eq!(f.confidence, Confidence::Medium);
    }

    #[test]
    fn clr_reports_name_the_exception_and_join_by_image() {
        let events = [
            event(
                ".NET Runtime 2.0 Error Reporting",
                5000,
                1,
                "2008-03-15T10:00:00Z",
                &[
                    "clr20r3",
                    "msexchangetransport.exe",
                    "8.1.240.6",
                    "4745fb4a",
                    "m.e.transport",
                    "8.1.240.6",
                    "x",
                    "1",
                    "2",
                    "system.nullreferenceexception",
                    "NIL",
                ],
            ),
            event(
                SCM,
                7034,
                2,
                "2008-03-15T10:00:02Z",
                &["Microsoft Exchange Transport", "1"],
            ),
        ];
        let f = &check(&view(&events))[0];
        assert_eq!((f.severity, f.confidence), (Severity::Critical, Confidence::High));
        assert_eq!(f.details["exception"], "system.nullreferenceexception");
        assert_eq!(f.details["module"], "m.e.transport");
        assert!(f.evidence[1]
            .text
            .starts_with(".NET Runtime 2.0 Error Reporting 5000: EventType clr20r3, P1 msexchangetransport.exe"));
    }

    #[test]
    fn a_report_of_another_process_or_a_start_timeout_is_not_joined() {
        let events = [
            event(
                "MSExchange Common",
                4999,
                7,
                "2008-03-15T10:00:00Z",
                &[
                    "1",
                    "E12",
                    "c-RTL-AMD64",
                    "08.01.0240.006",
                    "store",
                    "store.exe",
                    "x",
                    "S.ServiceProcess.TimeoutException",
                ],
            ),
            event(
                "Application Error",
                1000,
                8,
                "2008-03-15T10:00:01Z",
                &["mad.exe", "1", "2", "kernel32.dll", "4", "5", "e0434f4d"],
            ),
            event(
                SCM,
                7031,
                9,
                "2008-03-15T10:00:02Z",
                &[IS, "1", "60000", "1", "Restart the service"],
            ),
        ];
        let f = &check(&view(&events))[0];
        assert_eq!(f.confidence, Confidence::Medium);
        assert_eq!(f.details["crash_reports"], 0);
        assert!(f.summary.contains("No crash report"), "{}", f.summary);
    }
}
