//! Insertion strings recovered from a rendered message. An Event Viewer CSV export holds
//! the message Event Viewer rendered, not the insertion strings; for the events the
//! rules read, the message is matched against the event's en-US message text to get
//! the strings back (`%1` ... `%N`), so that CSV events look like the same events read
//! from EVTX/EVT/XML. Messages that do not match (other languages, other Windows
//! versions' wording, events not listed) give no strings.

/// (provider, event id, en-US message with `%N` insertion points). Only texts known
/// verbatim are listed; whitespace runs match any whitespace run. Templates whose
/// insertion strings cannot be told apart (two adjacent `%N`, or strings that may
/// contain the literal between them, like EventLog 6009 "%1 %2 %3 %4") are left out.
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
    // %4 (the recovery action's number) is not in the message: recovered as "".
    (
        "Service Control Manager",
        7031,
        "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5.",
    ),
    ("Service Control Manager", 7034, "The %1 service terminated unexpectedly. It has done this %2 time(s)."),
    ("Service Control Manager", 7036, "The %1 service entered the %2 state."),
    ("Service Control Manager", 7040, "The start type of the %1 service was changed from %2 to %3."),
    (
        "Service Control Manager",
        7045,
        "A service was installed in the system. Service Name: %1 Service File Name: %2 Service Type: %3 Service Start Type: %4 Service Account: %5",
    ),
    ("EventLog", 6005, "The Event log service was started."),
    ("EventLog", 6006, "The Event log service was stopped."),
    ("EventLog", 6008, "The previous system shutdown at %1 on %2 was unexpected."),
    ("MsiInstaller", 11707, "%1"),
    ("MsiInstaller", 11708, "%1"),
    ("MsiInstaller", 11724, "%1"),
    ("MSExchangeSetup", 1002, "Exchange Server component %1 failed. Error: %2"),
    ("MSExchange ADAccess", 2114, "Process %1 (PID=%2). Topology discovery failed, error %3 (%4)."),
    (
        "MSExchange ADAccess",
        2102,
        "Process %1 (PID=%2). All Domain Controller Servers in use are not responding: %3",
    ),
];

/// Win32 errors that Service Control Manager events insert as `%%N` and Event Viewer
/// renders as their message (texts from WinError.h, as in Microsoft's "System Error Codes
/// (1000-1299)" page).
const SCM_WIN32_ERRORS: &[(&str, &str)] = &[
    (
        "%%1053",
        "The service did not respond to the start or control request in a timely fashion.",
    ),
    (
        "%%1058",
        "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.",
    ),
    ("%%1067", "The process terminated unexpectedly."),
    ("%%1068", "The dependency service or group failed to start."),
    ("%%1069", "The service did not start due to a logon failure."),
    (
        "%%1075",
        "The dependency service does not exist or has been marked for deletion.",
    ),
];

/// One piece of a template.
enum Piece<'t> {
    Text(&'t str),
    Insert(usize),
}

/// Whitespace runs as one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find('%') {
        let digits = rest[pos + 1..].bytes().take_while(u8::is_ascii_digit).count();
        match rest[pos + 1..pos + 1 + digits].parse::<usize>() {
            Ok(n) if n > 0 => {
                if pos > 0 {
                    out.push(Piece::Text(&rest[..pos]));
                }
                out.push(Piece::Insert(n));
                rest = &rest[pos + 1 + digits..];
            }
            _ => {
                out.push(Piece::Text(&rest[..pos + 1]));
                rest = &rest[pos + 1..];
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The insertion strings of `message` for `template` (both squeezed), by position
/// (`%N` at index N-1, "" for a string the message does not show); `None` if the message
/// does not have the template's text.
fn match_template(template: &str, message: &str) -> Option<Vec<String>> {
    let pieces = pieces(template);
    let count = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Insert(n) => Some(*n),
            Piece::Text(_) => None,
        })
        .max()
        .unwrap_or(0);
    let mut strings = vec![String::new(); count];
    let mut pos = 0usize;
    let mut open: Option<usize> = None;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Insert(n) => {
                if open.is_some() {
                    return None; // two adjacent insertion points: not listed
                }
                open = Some(*n);
            }
            Piece::Text(text) => {
                let rest = message.get(pos..)?;
                let at = match open {
                    None => rest.starts_with(text).then_some(0)?,
                    // The last text must end the message; others are the first occurrence.
                    Some(_) if i + 1 == pieces.len() => rest.strip_suffix(text).map(str::len)?,
                    Some(_) => rest.find(text)?,
                };
                if let Some(n) = open.take() {
                    *strings.get_mut(n - 1)? = rest[..at].trim().to_string();
                }
                pos += at + text.len();
            }
        }
    }
    match open {
        Some(n) => *strings.get_mut(n - 1)? = message.get(pos..)?.trim().to_string(),
        None if pos != message.len() => return None,
        None => {}
    }
    Some(strings)
}

/// The insertion strings (`%1` first) of an event whose rendered message is all that
/// is known (Event Viewer CSV export), for the events whose en-US message text is known:
/// Service Control Manager 7000-7045, EventLog 6005/6006/6008, MsiInstaller 11707/11708/
/// 11724, MSExchangeSetup 1002, MSExchange ADAccess 2102/2114. A string missing from the
/// message (7031's `%4`) is "". For Service Control Manager, a Win32 error message in a
/// string becomes the `%%N` code the event stores (`%%1053` ...), as in EVTX.
///
/// `None` when the event is not listed or the message does not have its text (another
/// language or wording): the caller then has no insertion strings, only the message.
pub fn recover_insertion_strings(provider: &str, event_id: u16, message: &str) -> Option<Vec<String>> {
    let (_, _, template) = TEMPLATES
        .iter()
        .find(|(p, id, _)| *id == event_id && p.eq_ignore_ascii_case(provider))?;
    let mut strings = match_template(&squeeze(template), &squeeze(message))?;
    if provider.eq_ignore_ascii_case("Service Control Manager") {
        for value in &mut strings {
            if let Some((code, _)) = SCM_WIN32_ERRORS.iter().find(|(_, text)| {
                value.eq_ignore_ascii_case(text) || value.eq_ignore_ascii_case(text.trim_end_matches('.'))
            }) {
                *value = (*code).to_string();
            }
        }
    }
    Some(strings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scm_messages_give_their_strings_back() {
        assert_eq!(
            recover_insertion_strings(
                "Service Control Manager",
                7036,
                "The Microsoft Exchange Information Store service entered the stopped state."
            ),
            Some(vec![
                "Microsoft Exchange Information Store".to_string(),
                "stopped".into()
            ])
        );
        assert_eq!(
            recover_insertion_strings(
                "Service Control Manager",
                7000,
                "The MSExchangeIS service failed to start due to the following error: \r\n\
                 The service did not respond to the start or control request in a timely fashion."
            ),
            Some(vec!["MSExchangeIS".to_string(), "%%1053".into()])
        );
        // A service name holding the literal that follows it: the first occurrence wins
        // only where the rest still matches.
        assert_eq!(
            recover_insertion_strings("Service Control Manager", 7022, "The Foo service hung on starting."),
            Some(vec!["Foo".to_string()])
        );
    }

    #[test]
    fn other_wording_or_events_give_none() {
        assert_eq!(
            recover_insertion_strings(
                "Service Control Manager",
                7036,
                "Der Dienst \"Informationsspeicher\" befindet sich jetzt im Status \"Beendet\"."
            ),
            None
        );
        assert_eq!(recover_insertion_strings("Foo", 1, "anything"), None);
        assert_eq!(
            recover_insertion_strings("EventLog", 6005, "The Event log service was started. extra"),
            None
        );
        assert_eq!(
            recover_insertion_strings("EventLog", 6005, "The Event log service was started."),
            Some(vec![])
        );
    }
}
