//! `event-log-customsd`: judging the Application log's `CustomSD` (SDDL) for the
//! accounts Exchange setup and its services write events as: the administrator running
//! setup (Administrators) and LocalSystem. Write is the event-log right 0x2.

use serde_json::json;

use super::key_evidence;
use crate::model::{Finding, RuleId, RuleInfo, Severity};
use crate::registry::HostState;

/// The `event-log-customsd` rule.
pub(crate) const EVENT_LOG_CUSTOMSD: RuleInfo = RuleInfo {
    id: RuleId::EventLogCustomsd,
    title: "The Application event log's CustomSD blocks writes",
    severity: Severity::Warning,
    description: "EventLog\\Application CustomSD (an SDDL security descriptor) denies or does not grant write \
                  access (0x2) to the accounts Exchange setup and its services run as (Administrators, \
                  LocalSystem): setup and the services cannot write their events, and setup can fail on it. \
                  The Windows default descriptor is not reported.",
    remediation: &[
        "Restore the default descriptor: O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573), or remove the deny entry for the setup accounts.",
        "If a group policy (Event Log security settings) sets it, change the policy, then gpupdate /force.",
        "Run setup again.",
    ],
    references: &["CSS-Exchange issue 1457 (Application log CustomSD)"],
};

/// The event-log write right (`ELF_LOGFILE_WRITE`).
const WRITE: u32 = 0x2;

/// The verdict on a `CustomSD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdVerdict {
    /// Administrators and LocalSystem may write (the Windows defaults are here).
    Allows,
    /// Writes by the setup accounts are denied or not granted: the reasons.
    Restricts(Vec<String>),
    /// Not an SDDL string this judgement understands.
    Unparsed,
}

/// One ACE of the DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ace {
    text: String,
    allow: bool,
    write: bool,
    sid: String,
}

/// The trustees whose write access matters, with the SIDs that include them.
const PRINCIPALS: [(&str, &[&str]); 2] = [
    (
        "Administrators (the account running setup)",
        &["BA", "S-1-5-32-544", "WD", "S-1-1-0", "AU", "S-1-5-11", "IU", "S-1-5-4"],
    ),
    (
        "LocalSystem (the Exchange services)",
        &["SY", "S-1-5-18", "WD", "S-1-1-0", "AU", "S-1-5-11"],
    ),
];

/// Whether an ACE's rights string includes write: hex/decimal masks or generic letters.
fn grants_write(rights: &str) -> Option<bool> {
    let r = rights.trim();
    if let Some(hex) = r.strip_prefix("0x").or_else(|| r.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok().map(|m| m & WRITE != 0);
    }
    if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) {
        return r.parse::<u32>().ok().map(|m| m & WRITE != 0);
    }
    if r.len() % 2 != 0 || !r.is_ascii() {
        return None;
    }
    let pairs: Vec<&str> = (0..r.len()).step_by(2).filter_map(|i| r.get(i..i + 2)).collect();
    Some(
        pairs
            .iter()
            .any(|p| matches!(p.to_ascii_uppercase().as_str(), "GA" | "GW" | "FA" | "FW" | "KA" | "KW")),
    )
}

/// The DACL's ACEs; `None` when there is no DACL (a NULL DACL allows everything);
/// `Err(())` when unparsable.
fn dacl(sddl: &str) -> Result<Option<Vec<Ace>>, ()> {
    let Some(start) = sddl.find("D:") else {
        return Ok(None);
    };
    let mut rest = &sddl[start + 2..];
    // DACL flags (P, AI, AR, NO_ACCESS_CONTROL) up to the first ACE.
    let flags_end = rest.find(['(', ':']).unwrap_or(rest.len());
    if rest[..flags_end].contains("NO_ACCESS_CONTROL") {
        return Ok(None);
    }
    rest = &rest[flags_end..];
    let mut aces = Vec::new();
    while let Some(body) = rest.strip_prefix('(') {
        let end = body.find(')').ok_or(())?;
        let text = &body[..end];
        let fields: Vec<&str> = text.split(';').collect();
        if fields.len() < 6 {
            return Err(());
        }
        let allow = match fields[0].trim().to_ascii_uppercase().as_str() {
            "A" | "OA" | "XA" => true,
            "D" | "OD" | "XD" => false,
            _ => {
                rest = &body[end + 1..];
                continue; // audit/alarm/label entries do not grant or deny
            }
        };
        let inherit_only = fields[1].to_ascii_uppercase().contains("IO");
        let write = grants_write(fields[2]).ok_or(())?;
        if !inherit_only {
            aces.push(Ace {
                text: format!("({text})"),
                allow,
                write,
                sid: fields[5].trim().to_ascii_uppercase(),
            });
        }
        rest = &body[end + 1..];
    }
    Ok(Some(aces))
}

/// Judges a `CustomSD` for the accounts setup runs as.
pub fn judge_custom_sd(sddl: &str) -> SdVerdict {
    let aces = match dacl(sddl.trim()) {
        Err(()) => return SdVerdict::Unparsed,
        Ok(None) => return SdVerdict::Allows,
        Ok(Some(aces)) => aces,
    };
    let mut reasons = Vec::new();
    for (who, sids) in PRINCIPALS {
        let covers = |a: &&Ace| sids.contains(&a.sid.as_str());
        if let Some(deny) = aces.iter().filter(covers).find(|a| !a.allow && a.write) {
            reasons.push(format!("denies write to {who}: {}", deny.text));
        } else if !aces.iter().filter(covers).any(|a| a.allow && a.write) {
            reasons.push(format!("grants no write (0x2) to {who}"));
        }
    }
    if reasons.is_empty() {
        SdVerdict::Allows
    } else {
        SdVerdict::Restricts(reasons)
    }
}

/// The finding when the Application log's CustomSD restricts the setup accounts.
pub(super) fn check(state: &HostState) -> Option<Finding> {
    let sd = state.event_log_custom_sd.as_ref()?;
    let SdVerdict::Restricts(reasons) = judge_custom_sd(&sd.value) else {
        return None;
    };
    let summary = format!(
        "The Application event log's CustomSD {}: Exchange setup and its services cannot write their events.",
        super::join_and(&reasons)
    );
    Some(
        Finding::new(&EVENT_LOG_CUSTOMSD, summary)
            .subject(format!("{}\\{}", sd.key, sd.name))
            .evidence(key_evidence(
                state,
                sd.source.as_ref(),
                &sd.key,
                &format!("{} = {}", sd.name, sd.value),
            ))
            .detail("custom_sd", sd.value.clone())
            .detail("reasons", json!(reasons)),
    )
}
