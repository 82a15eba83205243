//! Findings as RFC 5424 syslog messages, one per finding:
//!
//! `<PRI>1 TIMESTAMP HOSTNAME exdoctor PROCID MSGID [exdoctor@32473 host=".." rule=".."
//! fingerprint=".." status=".." severity=".." subject=".."] BOM{the finding as JSON}`
//!
//! PRI is facility `user` (1) with the severity mapped (critical 2, error 3, warning 4,
//! info 6; a resolved finding is a notice, 5); HOSTNAME is the analysed server the
//! finding is about; MSGID the rule id (RFC 5424 caps it at 32 characters, the one longer
//! id is cut; the SD `rule` has it whole). 32473 is the enterprise number RFC 5612
//! reserves for documentation: exdoctor has none of its own. A message is at most
//! [`MAX_MESSAGE`] bytes (unless its identity alone is longer): a finding too large for
//! it loses evidence from the end (the JSON
//! says how many pieces in `evidence_omitted`), then its remediation, references and
//! details, then the end of its summary (`truncated`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::model::{Finding, Severity};

/// Largest message, header included: rsyslog's default maximum is 8 KiB.
pub const MAX_MESSAGE: usize = 8000;

/// The SD-ID of exdoctor's structured data.
pub const SD_ID: &str = "exdoctor@32473";

/// Facility `user`.
const FACILITY_USER: u8 = 1;

/// The RFC 5424 severity of a finding.
pub fn syslog_severity(finding: &Finding) -> u8 {
    if finding.is_resolved() {
        return 5;
    }
    match finding.severity {
        Severity::Critical => 2,
        Severity::Error => 3,
        Severity::Warning => 4,
        Severity::Info => 6,
    }
}

/// The message of `finding`, sent at `now` by process `pid`.
pub fn syslog_message(finding: &Finding, now: DateTime<Utc>, pid: u32) -> Vec<u8> {
    let pri = FACILITY_USER * 8 + syslog_severity(finding);
    let hostname = header_field(&finding.host, 255);
    let msgid = header_field(finding.rule.as_str(), 32);
    let mut params = vec![
        ("host", finding.host.as_str()),
        ("rule", finding.rule.as_str()),
        ("fingerprint", finding.fingerprint.as_str()),
    ];
    if let Some(status) = finding.status {
        params.push(("status", status.as_str()));
    }
    params.push(("severity", finding.severity.as_str()));
    params.push(("subject", finding.subject.as_str()));
    let sd: String = params
        .iter()
        .map(|(name, value)| format!(" {name}=\"{}\"", param_value(value)))
        .collect();
    let head = format!(
        "<{pri}>1 {} {hostname} exdoctor {pid} {msgid} [{SD_ID}{sd}] \u{feff}",
        now.format("%Y-%m-%dT%H:%M:%S%.6fZ")
    );
    let body = fitted_json(finding, MAX_MESSAGE.saturating_sub(head.len()));
    let mut message = head.into_bytes();
    message.extend_from_slice(body.as_bytes());
    message
}

/// A header field: printable US-ASCII only (others become `_`), at most `max` characters,
/// the NILVALUE `-` when empty.
fn header_field(text: &str, max: usize) -> String {
    let field: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(max)
        .collect();
    if field.is_empty() {
        "-".to_string()
    } else {
        field
    }
}

/// A PARAM-VALUE: `"`, `\` and `]` escaped with a backslash; line breaks and other
/// control characters become spaces (receivers that frame by line would split there).
fn param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' | '\\' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The finding as JSON in at most `budget` bytes (see the module documentation).
fn fitted_json(finding: &Finding, budget: usize) -> String {
    let mut value = serde_json::to_value(finding).unwrap_or(Value::Null);
    let text = |v: &Value| serde_json::to_string(v).unwrap_or_default();
    let mut json = text(&value);
    if json.len() <= budget {
        return json;
    }
    let Some(obj) = value.as_object_mut() else {
        return json;
    };
    // The most evidence that fits, found by bisection: a finding may cite thousands of
    // events, and serializing once per piece dropped would take quadratic time.
    let evidence: Vec<Value> = obj
        .get("evidence")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !evidence.is_empty() {
        let with = |obj: &mut serde_json::Map<String, Value>, kept: usize| {
            obj.insert("evidence".into(), Value::Array(evidence[..kept].to_vec()));
            obj.insert("evidence_omitted".into(), ((evidence.len() - kept) as u64).into());
            text(&Value::Object(obj.clone()))
        };
        // `fits` holds for 0 or is the fallback; `evidence.len()` is known not to fit.
        let (mut fits, mut over) = (0, evidence.len());
        while over - fits > 1 {
            let mid = fits + (over - fits) / 2;
            if with(obj, mid).len() <= budget {
                fits = mid;
            } else {
                over = mid;
            }
        }
        json = with(obj, fits);
    }
    for key in ["remediation", "references", "details"] {
        if json.len() <= budget {
            return json;
        }
        obj.remove(key);
        json = text(&Value::Object(obj.clone()));
    }
    if json.len() > budget {
        obj.insert("truncated".into(), true.into());
        let summary = obj
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut keep = summary.len();
        loop {
            json = text(&Value::Object(obj.clone()));
            if json.len() <= budget || keep == 0 {
                break;
            }
            keep = keep.saturating_sub(json.len() - budget);
            while !summary.is_char_boundary(keep) {
                keep -= 1;
            }
            obj.insert("summary".into(), summary[..keep].into());
        }
    }
    json
}

#[cfg(test)]
mod tests;
