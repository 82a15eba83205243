//! The failed readiness checks of a run: prerequisite-engine rules that evaluated True,
//! `Failed [Rule:X]` lines, `[REQUIRED]` lines with the rule named by their `Help URL`,
//! and Exchange 2007's "setup cannot continue because ..." errors and warnings.

use exdoctor_parsers::setup_log::{Run, Tag};

use crate::model::{Evidence, Severity};
use crate::rules::setup_log::known_errors::scan::Entry;
use crate::rules::setup_log::SetupLogFile;

/// One failed check with everything the log says about it.
#[derive(Debug, Clone)]
pub(super) struct FailedCheck {
    /// The rule name as logged (`DomainControllerIsOutOfSite`).
    pub name: String,
    /// The `Failed [Rule:X] [Message:...]` or readiness text.
    pub message: Option<String>,
    pub help_url: Option<String>,
    pub severity: Severity,
    /// Started as `[RuleType:Warning]`: setup printed it as `[RECOMENDED]` and went on.
    pub warning_rule: bool,
    pub evidence: Vec<Evidence>,
    /// Which kinds of lines reported it (bits of [`Source`]).
    source_bits: u8,
}

/// The kinds of lines that report a failed check.
#[derive(Debug, Clone, Copy)]
enum Source {
    Evaluation = 1,
    FailedRule = 2,
    Required = 4,
    Legacy = 8,
    Recommended = 16,
}

impl FailedCheck {
    fn new(name: &str, severity: Severity) -> Self {
        FailedCheck {
            name: name.to_string(),
            message: None,
            help_url: None,
            severity,
            warning_rule: false,
            evidence: Vec::new(),
            source_bits: 0,
        }
    }

    /// How many independent kinds of lines report the check.
    pub(super) fn sources(&self) -> u32 {
        self.source_bits.count_ones()
    }

    /// Whether this is the check called `name` (case-insensitive).
    pub(super) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Collects the failed checks of `run` in the order they were first logged.
pub(super) fn failed_checks(file: &SetupLogFile<'_, '_>, run: &Run<'_>, entries: &[Entry]) -> Vec<FailedCheck> {
    let mut checks = Checks::default();
    for e in run.failed_evaluations() {
        let evidence = evidence_at(file, entries, e.line);
        let name = e.name.to_string();
        if e.is_warning_rule() {
            checks.add(&name, Severity::Warning, None, evidence, Source::Evaluation);
            checks.get(&name, Severity::Warning).warning_rule = true;
        } else {
            checks.add(&name, Severity::Error, None, evidence, Source::Evaluation);
        }
    }
    for r in &run.failed_rules {
        let evidence = evidence_at(file, entries, r.line);
        checks.add(
            &r.name.to_string(),
            Severity::Error,
            Some(r.message.to_string()),
            evidence,
            Source::FailedRule,
        );
    }
    required_with_help_urls(file, entries, &mut checks);
    recommended_texts(file, entries, &mut checks);
    // Exchange 2007 has no prerequisite engine lines: its readiness results are texts.
    if run.evaluations.is_empty() && run.failed_rules.is_empty() {
        legacy_texts(file, run, &mut checks);
    }
    checks.list
}

/// The checks found so far, merged by name.
#[derive(Default)]
struct Checks {
    list: Vec<FailedCheck>,
}

impl Checks {
    /// The check called `name`, created with `severity` if new.
    fn get(&mut self, name: &str, severity: Severity) -> &mut FailedCheck {
        let index = match self.list.iter().position(|c| c.is(name)) {
            Some(i) => i,
            None => {
                self.list.push(FailedCheck::new(name, severity));
                self.list.len() - 1
            }
        };
        &mut self.list[index]
    }

    fn add(
        &mut self,
        name: &str,
        severity: Severity,
        message: Option<String>,
        evidence: Option<Evidence>,
        source: Source,
    ) {
        let check = self.get(name, severity);
        check.source_bits |= source as u8;
        if check.message.is_none() {
            check.message = message.filter(|m| !m.is_empty());
        }
        if let Some(e) = evidence {
            if !check.evidence.iter().any(|x| x.location == e.location) {
                check.evidence.push(e);
            }
        }
    }
}

/// Evidence for the record at `line`.
pub(super) fn evidence_at(file: &SetupLogFile<'_, '_>, entries: &[Entry], line: u32) -> Option<Evidence> {
    entry_at(entries, line).map(|e| e.evidence(file))
}

/// The record at `line` (entries are in file order).
pub(super) fn entry_at(entries: &[Entry], line: u32) -> Option<&Entry> {
    entries
        .binary_search_by_key(&line, |e| e.line)
        .ok()
        .and_then(|i| entries.get(i))
}

/// `[REQUIRED] text` followed by `Help URL: ...setupreadiness.<Rule>.aspx`.
fn required_with_help_urls(file: &SetupLogFile<'_, '_>, entries: &[Entry], checks: &mut Checks) {
    let mut pending: Option<&Entry> = None;
    for entry in entries {
        if entry.tag == Tag::Required {
            pending = Some(entry);
            continue;
        }
        let Some(required) = pending.take() else { continue };
        let Some(url) = entry.text.strip_prefix("Help URL:").map(str::trim) else {
            continue;
        };
        let Some(name) = rule_of_help_url(url) else { continue };
        let message = required.text.trim_start_matches("[REQUIRED] ").trim().to_string();
        checks.add(
            name,
            Severity::Error,
            Some(message),
            Some(required.evidence(file)),
            Source::Required,
        );
        let check = checks.get(name, Severity::Error);
        check.help_url.get_or_insert_with(|| url.to_string());
        check.evidence.push(entry.evidence(file));
    }
}

/// Warning rules and a text of the `[RECOMENDED]` line setup prints for them (no Help
/// URL names the rule): lowercase rule name, lowercase words that must all occur.
const RECOMMENDED: &[(&str, &[&str])] = &[
    ("noconnectortostar", &["send connector", "address space of '*'"]),
    ("noe14serverwarning", &["no exchange server 2010 roles"]),
    ("noe15serverwarning", &["no exchange server 2013 roles"]),
    ("noe16serverwarning", &["no exchange server 2016 roles"]),
];

/// The `[RECOMENDED]` line of each warning rule that evaluated True: its message and
/// evidence.
fn recommended_texts(file: &SetupLogFile<'_, '_>, entries: &[Entry], checks: &mut Checks) {
    for entry in entries.iter().filter(|e| e.tag == Tag::Recommended) {
        let text = entry.text.trim_start_matches("[RECOMENDED] ").trim();
        let lower = text.to_ascii_lowercase();
        let Some(check) = checks.list.iter_mut().find(|c| {
            c.warning_rule
                && RECOMMENDED
                    .iter()
                    .any(|(rule, words)| c.name.eq_ignore_ascii_case(rule) && words.iter().all(|w| lower.contains(w)))
        }) else {
            continue;
        };
        check.source_bits |= Source::Recommended as u8;
        check.message.get_or_insert_with(|| text.to_string());
        let e = entry.evidence(file);
        if !check.evidence.iter().any(|x| x.location == e.location) {
            check.evidence.push(e);
        }
    }
}

/// `...ms.exch.setupreadiness.PendingRebootWindowsComponents.aspx` -> the rule name.
pub(super) fn rule_of_help_url(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    let start = lower.find("setupreadiness.")? + "setupreadiness.".len();
    let rest = url.get(start..)?;
    let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_')?;
    Some(&rest[..end]).filter(|n| !n.is_empty())
}

/// Exchange 2007 readiness texts and the check names they stand for (first match wins;
/// all lowercase keywords must occur).
const LEGACY: &[(&[&str], &str)] = &[
    (&["previous setup failure"], ""),
    (
        &[".net framework 2.0", "service pack 1"],
        "NetFramework20SP1NotInstalled",
    ),
    (&[".net framework 2.0", "sp1"], "NetFramework20SP1NotInstalled"),
    (&[".net framework"], "NetFrameworkNotInstalled"),
    (&["powershell"], "PowerShellNotInstalled"),
    (&["reboot"], "RebootPending"),
    (&["restart"], "RebootPending"),
    (&["single-label"], "SingleLabelDomain"),
    (&["unified messaging", "language pack"], "AdditionalUMLangPackExists"),
    (&["32-bit"], "IIS32BitMode"),
    (&["world wide web"], "W3SVCDisabledOrNotInstalled"),
    (&["w3svc"], "W3SVCDisabledOrNotInstalled"),
    (&["smtp"], "SMTPSvcInstalled"),
    (&["native mode"], "OrgNotNativeMode"),
    (&["active directory connector"], "ADCFound"),
    (&["windows server 2003"], "ServerNotWin2003"),
];

/// The check name of a 2007 readiness text: `Some("")` for texts another rule owns
/// (the watermark), `None` when the text is not a readiness failure.
pub(super) fn legacy_name(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let is_readiness = lower.contains("setup cannot continue") || lower.contains("single-label");
    if !is_readiness {
        return None;
    }
    let named = LEGACY.iter().find(|(words, _)| words.iter().all(|w| lower.contains(w)));
    Some(named.map_or("SetupCannotContinue", |(_, name)| name))
}

/// 2007: `[ERROR]`/`[WARNING]` readiness texts of the run.
fn legacy_texts(file: &SetupLogFile<'_, '_>, run: &Run<'_>, checks: &mut Checks) {
    let mut issues: Vec<_> = run
        .readiness
        .iter()
        .chain(run.warnings.iter())
        .chain(run.errors.iter())
        .filter(|i| matches!(i.tag, Tag::Error | Tag::Warning) && !i.ignored)
        .collect();
    issues.sort_by_key(|i| i.line);
    issues.dedup_by_key(|i| i.line);
    for issue in issues {
        let text = issue.message.to_string();
        let Some(name) = legacy_name(&text).filter(|n| !n.is_empty()) else {
            continue;
        };
        let severity = if issue.tag == Tag::Warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        checks.add(
            name,
            severity,
            Some(text.trim().to_string()),
            Some(file.issue_evidence(issue)),
            Source::Legacy,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_url_names_the_rule() {
        let url = "http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.PendingRebootWindowsComponents.aspx";
        assert_eq!(rule_of_help_url(url), Some("PendingRebootWindowsComponents"));
        assert_eq!(rule_of_help_url("http://example.com/x.aspx"), None);
    }

    #[test]
    fn legacy_texts_map_to_check_names() {
        let net = "Microsoft Exchange Server 2007 setup cannot continue because Microsoft .NET Framework 2.0 Service Pack 1 is not installed.";
        assert_eq!(legacy_name(net), Some("NetFramework20SP1NotInstalled"));
        let ps =
            "Microsoft Exchange Server 2007 setup cannot continue because Windows PowerShell 1.0 is not installed.";
        assert_eq!(legacy_name(ps), Some("PowerShellNotInstalled"));
        let reboot = "Microsoft Exchange Server 2007 setup cannot continue because a reboot from a previous installation is pending.";
        assert_eq!(legacy_name(reboot), Some("RebootPending"));
        let single = "The Active Directory domain 'CORP' has a single-label DNS name.";
        assert_eq!(legacy_name(single), Some("SingleLabelDomain"));
        let watermark =
            "Setup cannot continue because a previous setup failure occurred while installing a server role.";
        assert_eq!(legacy_name(watermark), Some(""));
        assert_eq!(legacy_name("The performance counter definition file is invalid."), None);
    }
}
