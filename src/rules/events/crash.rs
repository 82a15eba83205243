//! `service-crash`: SCM 7031/7034 joined with the crash reports of the service's process
//! (Application Error 1000, WER 1001, MSExchange Common 4999 Watson, .NET Runtime 2.0
//! Error Reporting 5000). The process is the registry `ImagePath` when exported, else the
//! image of the built-in tables of Exchange and Windows services; a report within a
//! minute of one of those images joins. A service of unknown image takes the reports in
//! the same second. One finding per service; severity by what the service is to
//! Exchange; Exchange advice only for Exchange services.

use std::collections::HashMap;

use chrono::Duration;

use super::messages::evidence_text;
use super::reports::{CrashReport, Reports};
use super::services::{Directory, Service, Subject};
use super::{cited, utc, NOT_EXCHANGE, SCM};
use crate::model::{Confidence, Finding, RuleId, RuleInfo, Severity};
use crate::model::{HostEvent, HostView};

/// The `service-crash` rule.
pub(crate) const SERVICE_CRASH: RuleInfo = RuleInfo {
    id: RuleId::ServiceCrash,
    title: "A service terminated unexpectedly",
    severity: Severity::Error,
    description: "SCM 7031/7034 (the service terminated unexpectedly), joined with the crash reports of its \
                  process: Application Error 1000 (faulting module, exception code; 0xE0434F4D is an unhandled \
                  .NET exception), Windows Error Reporting 1001 (and the folder of the report), MSExchange Common \
                  4999 (Watson parameters: E12, architecture, build, process, module, method, exception) and .NET \
                  Runtime 2.0 Error Reporting 5000. The process is the service's registry ImagePath when exported, \
                  else the image of the built-in Exchange and Windows service tables (reports within a minute), \
                  else a report in the same second. Critical for the Information Store, System Attendant, \
                  Transport and AD Topology services, an error for the other Exchange services and the Windows \
                  services Exchange depends on, a warning for other services. A 4999 with \
                  S.ServiceProcess.TimeoutException is not a crash but a start timeout (see service-start-failure).",
    remediation: &[
        "Read the crash reports of the first crash: the faulting module and exception code (Application Error 1000), the .NET exception and method (MSExchange Common 4999 / .NET Runtime 5000).",
        "Exception 0xE0434F4D means an unhandled .NET exception: the 4999 Watson parameters name it; look for the configuration it complains about (AD access, permissions, missing dependency, corrupt config file).",
        "Check what changed before the first crash (updates, an OS upgrade, service dependencies edited by hand, rollups) and apply the latest Exchange update rollup of the installed service pack.",
        "Start the service again once the cause is fixed and confirm it stays running (SCM 7036 without a following 7031/7034).",
    ],
    references: &["Exchange 2007 Watson event 4999", "netevent.mc (SCM 7031/7034)"],
};

/// Crash reports of a known image this close to the SCM event belong to it.
const JOIN_SECONDS: i64 = 60;
/// A report of an unknown image this close is taken as the service's ("the same second").
const SAME_SECOND_MILLIS: i64 = 1000;
/// The exception code of an unhandled .NET (CLR 2.0) exception.
const CLR_EXCEPTION: &str = "0xe0434f4d";

/// What common exception codes mean.
const EXCEPTION_CODES: &[(&str, &str)] = &[
    ("0xc0000005", "access violation"),
    ("0xc0000374", "heap corruption"),
    ("0xc0000409", "stack buffer overrun"),
    ("0xc00000fd", "stack overflow"),
    ("0x80000003", "breakpoint"),
    ("0xe0434352", "an unhandled .NET exception"),
    (CLR_EXCEPTION, "an unhandled .NET exception"),
];

/// One termination: the SCM event and the reports (indices into [`Reports::list`]).
struct Occurrence<'h, 'a> {
    scm: &'h HostEvent<'a>,
    reports: Vec<usize>,
}

/// The terminations of one service.
struct Crashes<'h, 'a> {
    service: Service,
    list: Vec<Occurrence<'h, 'a>>,
    /// The reports were joined by time alone (the service's image is unknown).
    by_time: bool,
}

/// Runs the rule.
pub(crate) fn check(host: &HostView<'_>, dir: &Directory<'_>) -> Vec<Finding> {
    let reports = Reports::of(host);
    let mut services: Vec<Crashes<'_, '_>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for scm in host.events_of(SCM, &[7031, 7034]) {
        let Some(name) = super::scm_service(scm.event) else {
            continue;
        };
        let service = dir.resolve(name);
        let t = scm.event.time;
        let mut stems = service.images.clone();
        stems.push(service.key.to_ascii_lowercase());
        stems.push(name.replace(' ', "").to_ascii_lowercase());
        let mut joined = reports.of_processes(&stems, t, Duration::seconds(JOIN_SECONDS));
        let by_time = joined.is_empty() && service.images.is_empty();
        if by_time {
            joined = reports.of_any_process(t, Duration::milliseconds(SAME_SECOND_MILLIS));
        }
        let slot = *index.entry(service.group_key()).or_insert_with(|| {
            services.push(Crashes {
                service,
                list: Vec::new(),
                by_time: false,
            });
            services.len() - 1
        });
        let crashes = &mut services[slot];
        crashes.by_time |= by_time && !joined.is_empty();
        crashes.list.push(Occurrence { scm, reports: joined });
    }
    services.iter().map(|c| finding(host, dir, &reports, c)).collect()
}

/// The facts the reports of a service give, the first found in provider order.
struct Facts {
    process: Option<String>,
    module: Option<String>,
    code: Option<String>,
    exception: Option<String>,
    method: Option<String>,
    report_path: Option<String>,
}

impl Facts {
    fn of(reports: &Reports<'_, '_>, list: &[Occurrence<'_, '_>]) -> Facts {
        let mut joined: Vec<&CrashReport<'_, '_>> = list
            .iter()
            .flat_map(|o| &o.reports)
            .map(|&i| &reports.list[i])
            .collect();
        joined.sort_by_key(|r| r.provider);
        let pick = |f: fn(&CrashReport<'_, '_>) -> Option<String>| joined.iter().find_map(|r| f(r));
        Facts {
            process: pick(|r| Some(r.process.clone())),
            module: pick(|r| r.module.clone()),
            code: pick(|r| r.code.clone()),
            exception: pick(|r| r.exception.clone()),
            method: pick(|r| r.method.clone()),
            report_path: pick(|r| r.report_path.clone()),
        }
    }
}

fn finding(host: &HostView<'_>, dir: &Directory<'_>, reports: &Reports<'_, '_>, crashes: &Crashes<'_, '_>) -> Finding {
    let rule = &SERVICE_CRASH;
    let (service, list) = (&crashes.service, &crashes.list);
    let facts = Facts::of(reports, list);
    let reported = list.iter().any(|o| !o.reports.is_empty());
    let (first, last) = (
        list.first().map(|o| o.scm.event.time),
        list.last().map(|o| o.scm.event.time),
    );
    let mut summary = format!("{} terminated unexpectedly {} time(s)", service.label(), list.len());
    match (first, last) {
        (Some(f), Some(l)) if f != l => summary.push_str(&format!(" from {} to {}", utc(f), utc(l))),
        (Some(f), _) => summary.push_str(&format!(" at {}", utc(f))),
        _ => {}
    }
    if reported {
        summary.push_str(&cause(&facts, crashes.by_time));
    } else {
        summary.push_str(&no_report(host, list));
    }
    let severity = match service.subject {
        Subject::ExchangeCritical => Severity::Critical,
        Subject::Exchange | Subject::ExchangeDependency => Severity::Error,
        Subject::Other => Severity::Warning,
    };
    if severity == Severity::Warning {
        summary.push_str(&format!(" {}: {NOT_EXCHANGE}.", dir.why_warning()));
    }
    let remediation = if service.exchange.is_some() {
        rule.remediation.iter().map(|s| s.to_string()).collect()
    } else {
        windows_steps(service, &facts)
    };
    let mut finding = Finding::new(rule, summary)
        .subject(service.key.clone())
        .title(format!("{} terminated unexpectedly", service.label()))
        .severity(severity)
        .confidence(if reported && !crashes.by_time {
            Confidence::High
        } else {
            Confidence::Medium
        })
        .count(list.len() as u64)
        .remediation(remediation)
        .detail("service", service.key.clone())
        .detail("process", facts.process.clone())
        .detail("module", facts.module.clone())
        .detail("exception_code", facts.code.clone())
        .detail("exception", facts.exception.clone())
        .detail("method", facts.method.clone())
        .detail("report_path", facts.report_path.clone())
        .detail("crash_reports", list.iter().map(|o| o.reports.len()).sum::<usize>());
    if service.exchange.is_none() {
        finding.references = vec!["netevent.mc (SCM 7031/7034)".to_string()];
    }
    let (head, tail) = cited(list);
    for (i, o) in head.iter().chain(tail).enumerate() {
        finding.push_evidence(o.scm.evidence(evidence_text(o.scm)));
        if i == 0 || i + 1 == head.len() + tail.len() {
            for &r in &o.reports {
                let e = reports.list[r].event;
                let evidence = e.evidence(evidence_text(e));
                if !finding.cites(&evidence) {
                    finding.push_evidence(evidence);
                }
            }
        }
    }
    finding
}

/// `; its process spoolsv.exe crashed: faulting module x.dll, exception code 0xc0000005
/// (access violation); report: C:\ProgramData\...`.
fn cause(facts: &Facts, by_time: bool) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &facts.module {
        parts.push(format!("faulting module {m}"));
    }
    let meaning = facts
        .code
        .as_deref()
        .and_then(|c| EXCEPTION_CODES.iter().find(|(code, _)| *code == c))
        .map(|(_, meaning)| *meaning);
    match (facts.code.as_deref(), &facts.exception, meaning) {
        (Some(CLR_EXCEPTION), Some(x), _) => parts.push(format!(
            "exception code {CLR_EXCEPTION} (an unhandled .NET exception: {x})"
        )),
        (Some(c), _, Some(meaning)) => parts.push(format!("exception code {c} ({meaning})")),
        (Some(c), _, None) => parts.push(format!("exception code {c}")),
        (None, Some(x), _) => parts.push(format!("exception {x}")),
        (None, None, _) => {}
    }
    let process = facts.process.as_deref().unwrap_or("its process");
    let mut out = if parts.is_empty() {
        format!("; crash report of {process}")
    } else {
        format!("; {process} crashed: {}", parts.join(", "))
    };
    if let Some(path) = &facts.report_path {
        out.push_str(&format!("; Windows Error Reporting stored the report in {path}"));
    }
    out.push('.');
    if by_time {
        out.push_str(" (The service's image is not known: the report was matched by its time, in the same second.)");
    }
    out
}

/// Why no crash report is cited: none in an Application log that covers the crash, or
/// no Application log covering it.
fn no_report(host: &HostView<'_>, list: &[Occurrence<'_, '_>]) -> String {
    let covered = list
        .iter()
        .filter(|o| host.log_covers("Application", o.scm.event.time))
        .count();
    if covered == list.len() {
        ". No crash report of its process (Application Error 1000, WER 1001, Watson 4999, .NET 5000) in the Application log within a minute.".to_string()
    } else if covered == 0 {
        ". No Application log covering that time was collected, so its crash reports (Application Error 1000, WER 1001) could not be read: collect the Application log.".to_string()
    } else {
        format!(
            ". No crash report of its process within a minute; the Application log covers {covered} of the {} terminations.",
            list.len()
        )
    }
}

/// Remediation for a service that is not Exchange's: read its crash report, fix the
/// program it belongs to, no Exchange advice.
fn windows_steps(service: &Service, facts: &Facts) -> Vec<String> {
    let process = facts.process.as_deref().unwrap_or("the service's process");
    let module = facts
        .module
        .as_deref()
        .map(|m| format!(" (faulting module {m})"))
        .unwrap_or_default();
    let mut steps = vec![format!(
        "Read the crash report of {process}{module}: Application Error 1000 and Windows Error Reporting 1001 in the Application log{}.",
        facts
            .report_path
            .as_deref()
            .map(|p| format!(", and the report files in {p}"))
            .unwrap_or_default()
    )];
    steps.push(
        "Find the product the faulting module belongs to (a driver, a plug-in, an antivirus hook) and update, repair or remove it; a crash in a system DLL points at the program that called it."
            .to_string(),
    );
    steps.push(format!(
        "Check the service's recovery actions (sc qfailure {}) and start it again once the cause is fixed (net start {}).",
        service.key, service.key
    ));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{at, event, view};

    const IS: &str = "Microsoft Exchange Information Store";

    fn crashes(events: &[exdoctor_parsers::event::Event]) -> Vec<Finding> {
        let host = view(events);
        check(&host, &Directory::new(&host))
    }

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
        let findings = crashes(&events);
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
        assert!(crashes(&events).is_empty());
        let events = [event(
            SCM,
            7031,
            3,
            "2008-03-15T10:00:00Z",
            &[IS, "1", "60000", "1", "Restart the service"],
        )];
        let findings = crashes(&events);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].confidence, findings[0].count), (Confidence::Medium, 1));
        assert_eq!(findings[0].severity, Severity::Critical);
    }

    #[test]
    fn a_non_exchange_service_crash_is_a_warning_joined_through_the_image_table() {
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
        let findings = crashes(&events);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.severity, f.count), (Severity::Warning, 2));
        assert_eq!(f.details["service"], "Spooler");
        assert_eq!(f.title, "Print Spooler (Spooler) terminated unexpectedly");
        // The 2003 form of Application Error 1000 names spoolsv.exe, the Print
        // Spooler's image in the built-in table.
        assert_eq!(f.confidence, Confidence::High);
        assert_eq!(f.details["module"], "ntdll.dll");
        let advice = f.remediation.join(" ");
        assert!(
            !advice.contains("Exchange") && advice.contains("sc qfailure Spooler"),
            "{advice}"
        );
    }

    /// Application Error 1000 P1..P8 of the spooler crash (process, version, stamp,
    /// module, version, stamp, code, offset); WER 1001 carries the same as P1..P8.
    const SPOOLSV_CRASH: [&str; 8] = [
        "spoolsv.exe",
        "6.3.9600.17415",
        "54504ade",
        "ntdll.dll",
        "6.3.9600.17936",
        "55c9d3b9",
        "c0000005",
        "0000000000032d2c",
    ];

    #[test]
    fn spooler_crash_with_application_error_and_two_wer_reports_in_the_same_second() {
        let wer = |record: u64, time: &str| {
            let mut params = vec!["", "0", "APPCRASH", "Not available", "0"];
            params.extend(SPOOLSV_CRASH);
            params.extend([
                "",
                "",
                "",
                "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_spoolsv.exe_1",
            ]);
            event("Windows Error Reporting", 1001, record, time, &params)
        };
        let mut app_error = SPOOLSV_CRASH.to_vec();
        app_error.push("728");
        let events = [
            event("Application Error", 1000, 100, "2020-09-19T03:29:35Z", &app_error),
            wer(101, "2020-09-19T03:29:35Z"),
            wer(102, "2020-09-19T03:29:35Z"),
            event(
                SCM,
                7031,
                60176,
                "2020-09-19T03:29:35Z",
                &["Print Spooler", "1", "5000", "1", "Restart the service"],
            ),
        ];
        let f = &crashes(&events)[0];
        assert_eq!((f.severity, f.confidence), (Severity::Warning, Confidence::High));
        assert_eq!(f.details["process"], "spoolsv.exe");
        assert_eq!(f.details["exception_code"], "0xc0000005");
        assert_eq!(
            f.details["report_path"],
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_spoolsv.exe_1"
        );
        assert!(
            f.summary.contains(
                "spoolsv.exe crashed: faulting module ntdll.dll, exception code 0xc0000005 (access violation)"
            ) && f.summary.contains("WER\\ReportArchive"),
            "{}",
            f.summary
        );
        assert!(!f.summary.contains("No crash report"));
        assert_eq!(f.details["crash_reports"], 2, "the nearest report of each provider");
    }

    #[test]
    fn a_service_of_unknown_image_takes_the_report_of_the_same_second_only() {
        let report = |record: u64, time: &str| {
            event(
                "Application Error",
                1000,
                record,
                time,
                &["agent.exe", "1.0", "0", "agent.dll", "1.0", "0", "c0000409", "10", "1"],
            )
        };
        let events = [
            report(1, "2020-01-01T10:00:00.300Z"),
            event(SCM, 7034, 2, "2020-01-01T10:00:00.900Z", &["Backup Agent", "1"]),
            report(3, "2020-01-01T11:00:00Z"),
            event(SCM, 7034, 4, "2020-01-01T11:00:30Z", &["Backup Agent", "2"]),
        ];
        let f = &crashes(&events)[0];
        assert_eq!(f.details["crash_reports"], 1, "the 30 s distant report is not taken");
        assert_eq!(f.details["exception_code"], "0xc0000409");
        assert_eq!(f.confidence, Confidence::Medium, "joined by time alone");
        assert!(f.summary.contains("matched by its time"), "{}", f.summary);
    }

    #[test]
    fn the_registry_image_path_joins_a_service_to_its_process() {
        use crate::registry::host_state_from_files;
        use exdoctor_parsers::reg::parse_reg;
        let reg = "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\BkAgent]\r\n\"DisplayName\"=\"Backup Agent\"\r\n\"ImagePath\"=\"\\\"C:\\\\Program Files\\\\Backup\\\\bkagent.exe\\\" -service\"\r\n";
        let file = parse_reg(reg.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let state = host_state_from_files(&[("services.reg", &file)]);
        let events = [
            event(
                "Application Error",
                1000,
                1,
                "2020-01-01T10:00:00Z",
                &["bkagent.exe", "1.0", "0", "bk.dll", "1.0", "0", "c0000005", "10", "1"],
            ),
            event(SCM, 7034, 2, "2020-01-01T10:00:40Z", &["Backup Agent", "1"]),
        ];
        let mut host = view(&events);
        host.registry = Some(&state);
        let f = &check(&host, &Directory::new(&host))[0];
        assert_eq!(f.details["service"], "BkAgent");
        assert_eq!(
            (f.confidence, f.details["crash_reports"].clone()),
            (Confidence::High, 1.into())
        );
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
        let f = &crashes(&events)[0];
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
        let mut host = view(&events);
        let integrity = exdoctor_parsers::event::LogIntegrity::default();
        host.logs.push(crate::model::HostLog {
            source: "Application.evtx",
            channel: "Application",
            integrity: &integrity,
            first: Some(at("2008-03-15T09:00:00Z")),
            last: Some(at("2008-03-15T11:00:00Z")),
        });
        let f = &check(&host, &Directory::new(&host))[0];
        assert_eq!(f.confidence, Confidence::Medium);
        assert_eq!(f.details["crash_reports"], 0);
        assert!(
            f.summary.contains("No crash report of its process") && f.summary.contains("in the Application log"),
            "{}",
            f.summary
        );
        // Without an Application log covering the crash, it does not say "no report".
        let f = &crashes(&events)[0];
        assert!(
            f.summary
                .contains("No Application log covering that time was collected"),
            "{}",
            f.summary
        );
    }
}
