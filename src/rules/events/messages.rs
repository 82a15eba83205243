//! Event messages rebuilt from insertion strings (logs store only provider, id and
//! data): a template per event the family cites, `%N` = insertion string N; other
//! events fall back to `param1=..., param2=...`.

use exdoctor_parsers::event::Event;

use crate::model::HostEvent;

/// The (provider, event id) pairs the rules read, next to their message templates: the
/// analysis passes [`rule_event`] to every event-log source as the filter of what to keep
/// (EVT, EVTX, exports), so summaries count the same events. Provider names are compared
/// case-insensitively; the id is the low 16 bits.
pub const RULE_EVENTS: &[(&str, u16)] = &[
    ("Service Control Manager", 7000),
    ("Service Control Manager", 7001),
    ("Service Control Manager", 7003),
    ("Service Control Manager", 7009),
    ("Service Control Manager", 7011),
    ("Service Control Manager", 7022),
    ("Service Control Manager", 7023),
    ("Service Control Manager", 7024),
    ("Service Control Manager", 7031),
    ("Service Control Manager", 7034),
    ("Service Control Manager", 7036),
    ("Service Control Manager", 7040),
    ("Service Control Manager", 7045),
    ("Microsoft-Windows-Eventlog", 104),
    ("Microsoft-Windows-Eventlog", 1102),
    ("Security", 517),
    ("EventLog", 6005),
    ("EventLog", 6006),
    ("EventLog", 6008),
    ("EventLog", 6009),
    ("USER32", 1074),
    ("MsiInstaller", 1033),
    ("MsiInstaller", 1034),
    ("MsiInstaller", 1036),
    ("MsiInstaller", 11707),
    ("MsiInstaller", 11708),
    ("MsiInstaller", 11724),
    ("MSExchangeSetup", 1000),
    ("MSExchangeSetup", 1001),
    ("MSExchangeSetup", 1002),
    ("Application Error", 1000),
    ("Application Hang", 1002),
    ("Windows Error Reporting", 1001),
    ("MSExchange Common", 4999),
    ("MSExchange ADAccess", 2114),
    ("MSExchange ADAccess", 2102),
    ("MSExchange ADAccess", 2090),
    ("MSExchange ADAccess", 2138),
    (".NET Runtime 2.0 Error Reporting", 5000),
];

/// The entry of [`RULE_EVENTS`] matching `provider` (case-insensitive) and `event_id`,
/// returned with the catalog's spelling of the provider; `None` if the rules ignore it.
pub fn rule_event(provider: &str, event_id: u16) -> Option<(&'static str, u16)> {
    RULE_EVENTS
        .iter()
        .copied()
        .find(|(p, id)| *id == event_id && p.eq_ignore_ascii_case(provider))
}

/// True when the rules use events of `provider` with `event_id` (see [`RULE_EVENTS`]).
pub fn is_rule_event(provider: &str, event_id: u16) -> bool {
    rule_event(provider, event_id).is_some()
}

/// Message templates by (provider, event id); `%N` is the N-th insertion string.
const TEMPLATES: &[(&str, u16, &str)] = &[
    ("Service Control Manager", 7000, "The %1 service failed to start due to the following error: %2"),
    (
        "Service Control Manager",
        7001,
        "The %1 service depends on the %2 service which failed to start because of the following error: %3",
    ),
    ("Service Control Manager", 7003, "The %1 service depends on the following nonexistent service: %2"),
    (
        "Service Control Manager",
        7009,
        "A timeout was reached (%1 milliseconds) while waiting for the %2 service to connect.",
    ),
    (
        "Service Control Manager",
        7011,
        "A timeout (%1 milliseconds) was reached while waiting for a transaction response from the %2 service.",
    ),
    ("Service Control Manager", 7022, "The %1 service hung on starting."),
    ("Service Control Manager", 7023, "The %1 service terminated with the following error: %2"),
    ("Service Control Manager", 7024, "The %1 service terminated with service-specific error %2."),
    (
        "Service Control Manager",
        7031,
        "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5.",
    ),
    ("Service Control Manager", 7034, "The %1 service terminated unexpectedly. It has done this %2 time(s)."),
    ("Service Control Manager", 7036, "The %1 service entered the %2 state."),
    (
        "Service Control Manager",
        7040,
        "The start type of the %1 service was changed from %2 to %3.",
    ),
    (
        "Service Control Manager",
        7045,
        "A service was installed in the system. Service Name: %1. Service File Name: %2. Service Type: %3. Service Start Type: %4. Service Account: %5.",
    ),
    ("EventLog", 6005, "The Event log service was started."),
    ("EventLog", 6006, "The Event log service was stopped."),
    ("EventLog", 6008, "The previous system shutdown at %1 on %2 was unexpected."),
    ("EventLog", 6009, "Microsoft (R) Windows (R) %1 %2 %3 %4."),
    (
        "USER32",
        1074,
        "The process %1 has initiated the %5 of computer %2 on behalf of user %7 for the following reason: %3 (reason code %4).",
    ),
    (
        "MsiInstaller",
        1033,
        "Windows Installer installed the product. Product Name: %1. Product Version: %2. Product Language: %3. Installation success or error status: %4.",
    ),
    (
        "MsiInstaller",
        1036,
        "Windows Installer installed an update. Product Name: %1. Product Version: %2. Product Language: %3. Update Name: %4. Installation success or error status: %5.",
    ),
    ("MsiInstaller", 11707, "%1"),
    ("MsiInstaller", 11708, "%1"),
    ("MSExchangeSetup", 1000, "Exchange Server setup (build %1) started."),
    ("MSExchangeSetup", 1001, "Exchange Server setup (build %1) completed successfully."),
    ("MSExchangeSetup", 1002, "Exchange Server component %1 failed. Error: %2"),
    (
        "MSExchange Common",
        4999,
        "Watson report about to be sent for process id: %1, with parameters: %2, %3, %4, %5, %6, %7, %8, %9, %10.",
    ),
    (
        "MSExchange ADAccess",
        2114,
        "Process %1 (PID=%2). Topology discovery failed, error %3 (%4).",
    ),
    (
        "MSExchange ADAccess",
        2102,
        "Process %1 (PID=%2). All Domain Controller Servers in use are not responding: %3",
    ),
];

/// Application Error 1000 on Windows Server 2008 (10 or more strings) and 2003 (5).
const APP_ERROR_2008: &str = "Faulting application %1, version %2, time stamp 0x%3, faulting module %4, version %5, time stamp 0x%6, exception code 0x%7, fault offset 0x%8, process id 0x%9.";
const APP_ERROR_2003: &str = "Faulting application %1, version %2, faulting module %3, version %4, fault address 0x%5.";
/// Windows Error Reporting 1001: bucket, type, event name, response, cab, then P1..P10.
const WER: &str = "Event Name: %3. P1: %6, P2: %7, P4: %9, P5: %10, P7: %12, P8: %13.";
/// .NET Runtime 2.0 Error Reporting 5000: event type, then P1..P10.
const CLR: &str = "EventType %1, P1 %2, P2 %3, P4 %5, P5 %6, P7 %8, P8 %9, P9 %10.";

/// Meaning of the Win32 errors SCM events cite as `%%N` (system error messages).
const WIN32_ERRORS: &[(&str, &str)] = &[
    ("1", "incorrect function"),
    ("2", "the system cannot find the file specified"),
    ("3", "the system cannot find the path specified"),
    ("5", "access is denied"),
    ("21", "the device is not ready"),
    ("31", "a device attached to the system is not functioning"),
    ("50", "the request is not supported"),
    ("193", "the image is not a valid Win32 application"),
    (
        "1053",
        "the service did not respond to the start or control request in a timely fashion",
    ),
    ("1058", "the service is disabled"),
    ("1060", "the specified service does not exist as an installed service"),
    ("1062", "the service has not been started"),
    ("1067", "the process terminated unexpectedly"),
    ("1068", "the dependency service or group failed to start"),
    ("1069", "the service did not start due to a logon failure"),
    (
        "1075",
        "the dependency service does not exist or has been marked for deletion",
    ),
    (
        "1079",
        "the account of this service differs from the account of the other services in its process",
    ),
    (
        "1792",
        "an attempt was made to log on, but the network logon service was not started",
    ),
    (
        "2147942414",
        "HRESULT 0x8007000E, E_OUTOFMEMORY: not enough memory resources",
    ),
];

/// The meaning of Win32 error `code` (`1058`), when known.
pub(crate) fn win32_meaning(code: &str) -> Option<&'static str> {
    WIN32_ERRORS.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// `Provider Id: message` for evidence, e.g. `Service Control Manager 7003: The ... service
/// depends on the following nonexistent service: NtLmSsp`.
pub(crate) fn evidence_text(e: &HostEvent<'_>) -> String {
    format!("{}: {}", e.label(), render(e.event))
}

/// The event's message.
pub(crate) fn render(event: &Event) -> String {
    match template(event) {
        Some(t) => fill(t, event),
        None => fallback(event),
    }
}

fn template(event: &Event) -> Option<&'static str> {
    let provider = event.provider.as_str();
    if provider.eq_ignore_ascii_case("Application Error") && event.event_id == 1000 {
        return Some(if event.data.len() >= 7 {
            APP_ERROR_2008
        } else {
            APP_ERROR_2003
        });
    }
    if provider.eq_ignore_ascii_case("Windows Error Reporting") && event.event_id == 1001 && event.data.len() >= 13 {
        return Some(WER);
    }
    if provider.eq_ignore_ascii_case(".NET Runtime 2.0 Error Reporting") && event.event_id == 5000 {
        return (event.data.len() >= 10).then_some(CLR);
    }
    TEMPLATES
        .iter()
        .find(|(p, id, _)| *id == event.event_id && p.eq_ignore_ascii_case(provider))
        .map(|(_, _, t)| *t)
}

/// Replaces `%N` in `template` with insertion string N (empty when absent).
fn fill(template: &str, event: &Event) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) if n > 0 => {
                out.push_str(&insertion(event.param(n - 1).unwrap_or("")));
                rest = &after[digits..];
            }
            _ => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim_end().to_string()
}

/// An insertion string; `%%1053` gets its meaning appended.
fn insertion(value: &str) -> String {
    let value = value.trim();
    match value.strip_prefix("%%").and_then(win32_meaning) {
        Some(meaning) => format!("{value} ({meaning})"),
        None => value.to_string(),
    }
}

/// `param1=a, param2=b` (named fields keep their names), empty values skipped.
fn fallback(event: &Event) -> String {
    let parts: Vec<String> = event
        .data
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.value.trim().is_empty())
        .map(|(i, f)| {
            let name = f.name.clone().unwrap_or_else(|| format!("param{}", i + 1));
            format!("{name}={}", f.value.trim())
        })
        .collect();
    if parts.is_empty() {
        "(no insertion strings)".to_string()
    } else {
        parts.join(", ")
    }
}

/// The Win32 error number of an SCM insertion string: `%%1053` -> `1053`.
pub(crate) fn win32_code(value: &str) -> Option<&str> {
    value.trim().strip_prefix("%%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_events_are_looked_up_case_insensitively() {
        assert_eq!(
            rule_event("service control manager", 7031),
            Some(("Service Control Manager", 7031))
        );
        assert!(is_rule_event("MSExchange ADAccess", 2114));
        assert!(!is_rule_event("Service Control Manager", 7035));
        assert!(!is_rule_event("MSExchangeSetup", 7036));
        assert_eq!(RULE_EVENTS.len(), 39);
    }

    use crate::rules::events::testing::event;

    #[test]
    fn scm_messages_are_rebuilt_from_insertion_strings() {
        let e = event(
            "Service Control Manager",
            7003,
            18431,
            "2008-03-14T23:41:40Z",
            &["Microsoft Exchange Information Store", "NtLmSsp"],
        );
        assert_eq!(
            render(&e),
            "The Microsoft Exchange Information Store service depends on the following nonexistent service: NtLmSsp"
        );
        let e = event(
            "Service Control Manager",
            7000,
            1,
            "2008-03-14T23:41:40Z",
            &["Microsoft Exchange Transport", "%%1053"],
        );
        assert!(render(&e).ends_with(
            "error: %%1053 (the service did not respond to the start or control request in a timely fashion)"
        ));
    }

    #[test]
    fn unknown_events_fall_back_to_parameters_and_percent_signs_survive() {
        let e = event(
            "MSExchange ADAccess",
            2138,
            1,
            "2008-03-14T23:41:40Z",
            &["a", "", "100%"],
        );
        assert_eq!(render(&e), "param1=a, param3=100%");
        let e = event("EventLog", 6008, 1, "2008-03-14T23:41:40Z", &["5:41:02 PM"]);
        assert_eq!(
            render(&e),
            "The previous system shutdown at 5:41:02 PM on  was unexpected."
        );
    }
}
