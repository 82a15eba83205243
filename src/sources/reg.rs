//! Registry exports (`.reg`): `parse` prints every key and value as JSON lines,
//! `analyze` summarizes the host state that one file shows.

use std::io::{self, Write};

use exdoctor_parsers::reg::{parse_reg, RegData, RegFile};
use serde::Serialize;
use serde_json::json;

use super::write_json_line;
use super::Input;
use crate::model::SourceKind;
use crate::model::{Diagnostic, Loaded};
use crate::model::{Facts, RegistryFacts, SourceSummary};
use crate::registry::host_state::{ExchangeInstall, HostState, RoleState};
use crate::registry::host_state_from_files;

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
    (host_state_from_files(&refs), diagnostics)
}

/// Parses one `.reg` file once: its summary and the parsed keys (owned) for the host.
pub fn load(input: &Input<'_>) -> Loaded {
    let mut summary = SourceSummary::new(input.display(), SourceKind::Reg);
    let file = match parse_reg(input.bytes()) {
        Ok(file) => file,
        Err(err) => {
            summary.errors = 1;
            summary.text.push(format!("not read: {err}"));
            summary.details = json!({ "error": err.to_string() });
            summary
                .diagnostics
                .push(Diagnostic::error(input.display(), err.to_string()));
            return Loaded {
                summary,
                facts: Facts::None,
            };
        }
    };
    summary.records = file.value_count() as u64;
    summary.errors = file.problem_count;
    summary.diagnostics = diagnostics(input.display(), &file);
    let state = host_state_from_files(&[(input.display(), &file)]);
    summary.text.push(format!(
        "{} export ({}), {} keys, {} values, {} key deletions, {} lines",
        match file.header {
            exdoctor_parsers::reg::RegHeader::V5 => "regedit v5",
            exdoctor_parsers::reg::RegHeader::Regedit4 => "REGEDIT4",
        },
        serde_json::to_value(file.encoding)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        file.keys.len(),
        summary.records,
        file.deleted_keys.len(),
        file.line_count
    ));
    summary.text.extend(host_state_lines(&state));
    summary.details = json!({
        "header": file.header,
        "encoding": file.encoding,
        "keys": file.keys.len(),
        "values": summary.records,
        "deleted_keys": file.deleted_keys.len(),
        "lines": file.line_count,
        "host_state": state,
    });
    let facts = Facts::Registry(RegistryFacts {
        host_name: state.host_name().map(str::to_string),
        fqdn: state.identity.fqdn.clone(),
        file: file.into_owned(),
    });
    Loaded { summary, facts }
}

/// The host state as short text lines (only what the file contains).
pub fn host_state_lines(state: &HostState) -> Vec<String> {
    let mut lines = Vec::new();
    let id = &state.identity;
    if let Some(host) = state.host_name() {
        let mut line = format!("host: {host}");
        match (&id.fqdn, &id.domain) {
            (Some(fqdn), _) => line.push_str(&format!(" (FQDN {fqdn})")),
            (None, Some(_)) => line.push_str(" (no DNS domain set)"),
            (None, None) => {}
        }
        if id.single_label_domain == Some(true) {
            line.push_str(", single-label domain");
        }
        if id.rename_pending {
            line.push_str(", rename pending");
        }
        lines.push(line);
    }
    if let Some(os) = &state.os {
        lines.push(format!(
            "os: {} {}.{} {}",
            os.product_name.as_deref().or(os.family.as_deref()).unwrap_or("Windows"),
            os.current_version.as_deref().unwrap_or("?"),
            os.build_number.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
            os.csd_version.as_deref().unwrap_or("no service pack")
        ));
    }
    for install in &state.exchange {
        lines.extend(exchange_lines(install));
    }
    if let Some(services) = &state.services {
        lines.push(format!(
            "services: {} ({} Exchange), NtLmSsp {}",
            services.list.len(),
            services.exchange().count(),
            if services.ntlmssp_present { "present" } else { "absent" }
        ));
        for svc in services.exchange() {
            let mut line = format!(
                "  {}: {}",
                svc.name,
                svc.start_mode.map(|m| m.as_str()).unwrap_or("start not set")
            );
            if !svc.depend_on_service.is_empty() {
                line.push_str(&format!(", depends on {}", svc.depend_on_service.join(", ")));
            }
            lines.push(line);
        }
    }
    let pre = &state.prerequisites;
    for dotnet in &pre.dotnet {
        lines.push(format!(
            ".NET {}: Install={} SP={}",
            dotnet.version_key,
            opt(dotnet.install),
            opt(dotnet.sp)
        ));
    }
    if let Some(ps) = &pre.powershell {
        lines.push(format!(
            "PowerShell 1.0: Install={} version {}",
            opt(ps.install),
            ps.version.as_deref().unwrap_or("?")
        ));
    }
    if let Some(iis) = &pre.iis {
        lines.push(format!("IIS {}.{}", opt(iis.major_version), opt(iis.minor_version)));
    }
    if !pre.hotfixes.is_empty() {
        let ids: Vec<&str> = pre.hotfixes.iter().map(|h| h.id.as_str()).collect();
        lines.push(format!("hotfixes: {}", ids.join(", ")));
    }
    if state.pending_reboot.pending {
        lines.push(format!("pending reboot: {}", state.pending_reboot.markers.join("; ")));
    }
    if let Some(tz) = &state.time_zone {
        let offset = tz.utc_offset_minutes().unwrap_or(0);
        lines.push(format!(
            "time zone: {} (UTC{}{:02}:{:02})",
            tz.name().unwrap_or("?"),
            if offset < 0 { '-' } else { '+' },
            offset.abs() / 60,
            offset.abs() % 60
        ));
    }
    if let Some(rsb) = &state.remote_streaming_backup {
        lines.push(format!("remote streaming backup: {}", rsb.value));
    }
    if let Some(sd) = &state.event_log_custom_sd {
        lines.push(format!("Application event log CustomSD: {}", sd.value));
    }
    lines
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

fn exchange_lines(install: &ExchangeInstall) -> Vec<String> {
    let mut lines = vec![format!("{} ({}):", install.product, install.version_key)];
    if let Some(setup) = &install.setup {
        lines.push(format!(
            "  MSI build {} at {}",
            setup.build.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
            setup.install_path.as_deref().unwrap_or("?")
        ));
    }
    for role in &install.roles {
        let mut line = format!(
            "  {}: unpacked {}",
            role.name,
            role.unpacked_version.as_deref().unwrap_or("-")
        );
        if let Some(level) = &role.unpacked_level {
            line.push_str(&format!(" ({level})"));
        }
        line.push_str(&format!(
            ", configured {}",
            role.configured_version.as_deref().unwrap_or("-")
        ));
        if let Some(level) = &role.configured_level {
            line.push_str(&format!(" ({level})"));
        }
        if let Some(action) = &role.action {
            line.push_str(&format!(", action {action}"));
        }
        if let Some(watermark) = &role.watermark {
            line.push_str(&format!(", watermark {watermark}"));
        }
        if role.state != RoleState::Configured && role.state != RoleState::Installed {
            line.push_str(&format!(
                " [{}]",
                serde_json::to_value(role.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ));
        }
        lines.push(line);
    }
    lines
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
