//! Registry exports (`.reg`): `parse` prints every key and value as JSON lines,
//! `analyze` summarizes the host state that one file shows.

use std::io::{self, Write};

use exdoctor_parsers::reg::{parse_reg, RegData, RegFile};
use serde::Serialize;

use super::write_json_line;
use super::Input;
use crate::model::{Diagnostic, Loaded};
use crate::model::{Facts, RegistryFacts, SourceSummary};
use crate::model::{RegistrySummary, SourceDetails, SourceKind};
use crate::registry::{HostState, RegistryView};

/// One JSONL record of `exdoctor parse file.reg`.
#[derive(Serialize)]
struct Record<'r> {
    /// `value`, `value_deleted`, `key` (a key without values) or `key_deleted`.
    record: &'static str,
    key: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'r str>,
    line: u64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    data: Option<&'r RegData<'r>>,
}

/// The parse problems of `file` as warnings about `path`.
pub(crate) fn diagnostics(path: &str, file: &RegFile<'_>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = file
        .diagnostics
        .iter()
        .map(|d| Diagnostic::warning(path, d.to_string()))
        .collect();
    let more = file.problem_count.saturating_sub(file.diagnostics.len() as u64);
    if more > 0 {
        out.push(Diagnostic::warning(path, format!("{more} more problems not listed")));
    }
    out
}

/// The keys `view` left out (deeper or longer than Windows allows) as warnings about
/// the files that hold them.
fn view_diagnostics(view: &RegistryView) -> Vec<Diagnostic> {
    let source = |index: usize| view.sources().get(index).map_or("", String::as_str);
    let mut out: Vec<Diagnostic> = view
        .problems()
        .iter()
        .map(|p| Diagnostic::warning(source(p.origin.source), p.to_string()))
        .collect();
    let more = view.problem_count().saturating_sub(view.problems().len() as u64);
    if more > 0 {
        let last = view.sources().len().saturating_sub(1);
        out.push(Diagnostic::warning(
            source(last),
            format!("{more} more keys skipped, not listed"),
        ));
    }
    out
}

/// The name a pending rename will give the machine: `NV Hostname` differing from the
/// live `Hostname`, or `ComputerName` differing from `ActiveComputerName`.
fn pending_name(state: &HostState) -> Option<String> {
    let id = &state.identity;
    let differs = |next: &Option<String>, live: &Option<String>| match (next, live) {
        (Some(next), Some(live)) if !next.trim().is_empty() && !next.eq_ignore_ascii_case(live) => Some(next.clone()),
        _ => None,
    };
    differs(&id.nv_hostname, &id.hostname).or_else(|| differs(&id.computer_name, &id.active_computer_name))
}

/// Parses the registry exports of one host (in the given order; later files win on
/// conflicts) and reads their [`HostState`]. Files that are not regedit exports are left
/// out with an error diagnostic; parse problems of the others are warnings.
pub fn host_state_of(inputs: &[Input<'_>]) -> (HostState, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut parsed: Vec<(&str, RegFile<'_>)> = Vec::with_capacity(inputs.len());
    for input in inputs {
        match parse_reg(input.bytes()) {
            Ok(file) => {
                diagnostics.extend(self::diagnostics(input.display(), &file));
                parsed.push((input.display(), file));
            }
            Err(err) => diagnostics.push(Diagnostic::error(input.display(), err.to_string())),
        }
    }
    let refs: Vec<(&str, &RegFile<'_>)> = parsed.iter().map(|(path, file)| (*path, file)).collect();
    let view = RegistryView::from_files(&refs);
    diagnostics.extend(view_diagnostics(&view));
    (HostState::from_view(&view), diagnostics)
}

/// Parses one `.reg` file once: its summary and the parsed keys (owned) for the host.
pub fn load(input: &Input<'_>) -> Loaded {
    let mut summary = SourceSummary::new(input.display(), SourceKind::Reg);
    let file = match parse_reg(input.bytes()) {
        Ok(file) => file,
        Err(err) => {
            summary.errors = 1;
            summary.details = SourceDetails::RegistryError { error: err.to_string() };
            summary
                .diagnostics
                .push(Diagnostic::error(input.display(), err.to_string()));
            return Loaded {
                summary,
                facts: Facts::None,
            };
        }
    };
    let view = RegistryView::from_files(&[(input.display(), &file)]);
    summary.records = file.value_count() as u64;
    summary.errors = file.problem_count + view.problem_count();
    summary.diagnostics = diagnostics(input.display(), &file);
    summary.diagnostics.extend(view_diagnostics(&view));
    let state = HostState::from_view(&view);
    drop(view);
    let details = RegistrySummary {
        header: file.header,
        encoding: file.encoding,
        keys: file.keys.len(),
        values: summary.records,
        deleted_keys: file.deleted_keys.len(),
        lines: file.line_count,
        host_state: state,
    };
    let facts = Facts::Registry(RegistryFacts {
        host_name: details.host_state.host_name().map(str::to_string),
        fqdn: details.host_state.identity.fqdn.clone(),
        pending_name: pending_name(&details.host_state),
        file: file.into_owned(),
    });
    summary.details = SourceDetails::Registry(Box::new(details));
    Loaded { summary, facts }
}

/// Writes every key deletion, key and value of the file as JSON lines: key deletions
/// first, then keys in order with their values (the order in which they apply).
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    let file = match parse_reg(input.bytes()) {
        Ok(file) => file,
        Err(err) => return Ok(vec![Diagnostic::error(input.display(), err.to_string())]),
    };
    for deletion in &file.deleted_keys {
        let record = Record {
            record: "key_deleted",
            key: &deletion.path,
            name: None,
            line: deletion.line,
            data: None,
        };
        write_json_line(out, &record)?;
    }
    for key in &file.keys {
        if key.values.is_empty() {
            let record = Record {
                record: "key",
                key: &key.path,
                name: None,
                line: key.line,
                data: None,
            };
            write_json_line(out, &record)?;
        }
        for value in &key.values {
            let record = Record {
                record: if value.data.is_some() { "value" } else { "value_deleted" },
                key: &key.path,
                name: Some(&value.name),
                line: value.line,
                data: value.data.as_ref(),
            };
            write_json_line(out, &record)?;
        }
    }
    Ok(diagnostics(input.display(), &file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_inputs_and_reports_unreadable_ones() {
        let services = b"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\
              \"Hostname\"=\"EX1\"\r\n\"Domain\"=\"corp.example\"\r\njunk\r\n";
        let wine = b"WINE REGISTRY Version 2\n";
        let inputs = [
            Input::new(std::path::Path::new("services.reg"), "services.reg", services),
            Input::new(std::path::Path::new("wine.reg"), "wine.reg", wine),
        ];
        let (state, diags) = host_state_of(&inputs);
        assert_eq!(state.identity.fqdn.as_deref(), Some("EX1.corp.example"));
        assert_eq!(state.sources, vec!["services.reg"]);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].level, crate::model::DiagLevel::Warning);
        assert!(diags[0].message.starts_with("line 5:"), "{}", diags[0].message);
        assert_eq!(diags[1].level, crate::model::DiagLevel::Error);
        assert_eq!(diags[1].path, "wine.reg");
    }

    fn input(text: &[u8]) -> Input<'_> {
        Input::new(std::path::Path::new("test.reg"), "test.reg", text)
    }

    #[test]
    fn records_as_jsonl() {
        let file = input(
            b"REGEDIT4\n[-HKEY_LOCAL_MACHINE\\Gone]\n[HKEY_LOCAL_MACHINE\\Empty]\n[HKEY_LOCAL_MACHINE\\A]\n\
              \"s\"=\"x\"\n\"m\"=hex(7):61,00,62,00,00\n\"d\"=-\nbad\n",
        );
        let mut out = Vec::new();
        let diags = write_records(&file, &mut out).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            vec![
                r#"{"record":"key_deleted","key":"HKEY_LOCAL_MACHINE\\Gone","line":2}"#,
                r#"{"record":"key","key":"HKEY_LOCAL_MACHINE\\Empty","line":3}"#,
                r#"{"record":"value","key":"HKEY_LOCAL_MACHINE\\A","name":"s","line":5,"type":"REG_SZ","data":"x"}"#,
                r#"{"record":"value","key":"HKEY_LOCAL_MACHINE\\A","name":"m","line":6,"type":"REG_MULTI_SZ","data":["a","b"]}"#,
                r#"{"record":"value_deleted","key":"HKEY_LOCAL_MACHINE\\A","name":"d","line":7}"#,
            ]
        );
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.starts_with("line 8:"), "{}", diags[0].message);
    }

    #[test]
    fn summary_of_a_wine_file_is_an_error() {
        let summary = load(&input(b"WINE REGISTRY Version 2\n")).summary;
        assert_eq!(summary.errors, 1);
        assert_eq!(summary.diagnostics.len(), 1);
        assert_eq!(summary.diagnostics[0].level, crate::model::DiagLevel::Error);
    }
}
