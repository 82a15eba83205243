//! `msi-install-failed`: MsiInstaller 11708, or 1033/1036 with a failure status, one
//! finding per Windows Installer transaction (events within a minute of each other),
//! placed in the setup run it happened in. An Exchange product, or any product inside an
//! Exchange setup run, is an error with Exchange advice; another product (EMET, an agent)
//! is a warning with generic Windows Installer advice.

use chrono::Duration;
use exdoctor_parsers::event::Event;

use super::messages::evidence_text;
use super::{cited, run_evidence, run_label, utc, RunIndex, NOT_EXCHANGE};
use crate::model::{Confidence, Finding, RuleId, RuleInfo, Severity};
use crate::model::{HostEvent, HostView};

/// The `msi-install-failed` rule.
pub(crate) const MSI_INSTALL_FAILED: RuleInfo = RuleInfo {
    id: RuleId::MsiInstallFailed,
    title: "Windows Installer failed to install a product",
    severity: Severity::Error,
    description: "MsiInstaller 11708 (installation operation failed) or 1033/1036 with a non-zero status \
                  (1603 fatal error, 1612 installation source not available, 1618 another installation in \
                  progress), correlated with the setup run it happened in. An error for Exchange products and \
                  for any product installed during an Exchange setup run; a warning, with generic Windows \
                  Installer advice, for other products.",
    remediation: &[
        "Look up the status: 1603 = fatal error during installation (see the verbose MSI log: setup writes ExchangeSetupLogs\\*.msilog), 1612 = the installation source is not available (run setup from the full media path), 1618 = another installation is in progress (wait for it or reboot).",
        "Fix the cause and run Exchange setup again in the same mode.",
    ],
    references: &["Windows Installer error codes (1603, 1612, 1618)"],
};

const MSI: &str = "MsiInstaller";
/// Events of one failed transaction are this close to each other.
const TRANSACTION_SECONDS: i64 = 60;
/// Statuses that are not failures: success, success with a reboot required/initiated.
const SUCCESS: &[u32] = &[0, 3010, 1641];

/// What a Windows Installer status means, and what to do about it during an Exchange
/// setup.
const STATUSES: &[(u32, &str, &str)] = &[
    (
        1603,
        "a fatal error occurred during installation",
        "Status 1603 is a generic fatal error: the cause is in the verbose Windows Installer log of the run (ExchangeSetupLogs\\*.msilog, search for \"return value 3\").",
    ),
    (
        1612,
        "the installation source for this product is not available",
        "Status 1612: the installation source is missing. Run setup from the complete media at the path used for the original install, or restore the cached package in %windir%\\Installer.",
    ),
    (
        1618,
        "another installation is already in progress",
        "Status 1618: another Windows Installer transaction was running (Windows Update, another setup). Wait for it to finish or reboot, then rerun setup.",
    ),
    (1602, "the user cancelled the installation", "Status 1602: the installation was cancelled; rerun setup."),
    (
        1638,
        "another version of this product is already installed",
        "Status 1638: another version is installed; upgrade it (setup.com /mode:upgrade) instead of installing.",
    ),
];

/// Windows Installer statuses beyond [`STATUSES`] (system error messages).
const OTHER_STATUSES: &[(u32, &str)] = &[
    (1601, "the Windows Installer service could not be accessed"),
    (
        1605,
        "this action is only valid for products that are currently installed",
    ),
    (1619, "the installation package could not be opened"),
    (
        1620,
        "the installation package could not be opened (not a valid Windows Installer package)",
    ),
    (1625, "the installation is forbidden by system policy"),
    (1633, "the installation package is not supported by this processor type"),
];

/// The meaning of a Windows Installer status.
fn meaning(code: u32) -> Option<&'static str> {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == code)
        .map(|(_, m, _)| *m)
        .or_else(|| OTHER_STATUSES.iter().find(|(s, _)| *s == code).map(|(_, m)| *m))
}

/// The status of a 1033 (`%4`) or 1036 (`%5`); tolerant of the other position.
fn status(event: &Event) -> Option<u32> {
    let positions: &[usize] = match event.event_id {
        1033 => &[3, 4],
        1036 => &[4, 3],
        _ => &[],
    };
    positions
        .iter()
        .find_map(|&i| event.param(i).and_then(|v| v.trim().parse().ok()))
}

fn is_failure(event: &Event) -> bool {
    match event.event_id {
        11708 => true,
        1033 | 1036 => status(event).is_some_and(|s| !SUCCESS.contains(&s)),
        _ => false,
    }
}

/// The product: `%1` of 1033/1036, or `Product: X -- ...` of 11708.
fn product(event: &Event) -> Option<String> {
    let first = event.param(0)?.trim();
    let name = match event.event_id {
        11708 => first.strip_prefix("Product: ")?.split(" -- ").next()?,
        _ => first,
    };
    (!name.is_empty()).then(|| name.to_string())
}

/// Runs the rule.
pub(crate) fn check(host: &HostView<'_>, runs: &RunIndex<'_, '_>) -> Vec<Finding> {
    let mut transactions: Vec<Vec<&HostEvent<'_>>> = Vec::new();
    for e in host
        .events_of(MSI, &[11708, 1033, 1036])
        .filter(|e| is_failure(e.event))
    {
        let joins = transactions
            .last()
            .and_then(|t| t.last())
            .is_some_and(|last| e.event.time - last.event.time <= Duration::seconds(TRANSACTION_SECONDS));
        match transactions.last_mut() {
            Some(t) if joins => t.push(e),
            _ => transactions.push(vec![e]),
        }
    }
    transactions.iter().map(|t| finding(runs, t)).collect()
}

/// Whether a product name is an Exchange product (the server, its language packs,
/// rollups and updates).
fn is_exchange_product(product: &str) -> bool {
    product.to_ascii_lowercase().contains("exchange")
}

fn finding(runs: &RunIndex<'_, '_>, events: &[&HostEvent<'_>]) -> Finding {
    let rule = &MSI_INSTALL_FAILED;
    let named = events.iter().find_map(|e| product(e.event));
    let product = named.clone().unwrap_or_else(|| "a product".into());
    let code = events.iter().find_map(|e| status(e.event));
    let known = code.and_then(|c| STATUSES.iter().find(|(s, _, _)| *s == c));
    let time = events.first().map(|e| e.event.time).unwrap_or_default();
    let run = runs.at(time, Duration::zero());
    let exchange = run.is_some() || named.as_deref().is_some_and(is_exchange_product);
    let mut summary = format!("Windows Installer failed to install {product} at {}", utc(time));
    match (code, code.and_then(meaning)) {
        (Some(c), Some(m)) => summary.push_str(&format!(" (status {c}: {m})")),
        (Some(c), None) => summary.push_str(&format!(" (status {c})")),
        _ => {}
    }
    if let Some(r) = run {
        summary.push_str(&format!(", during {}", run_label(r)));
    }
    summary.push('.');
    let steps: Vec<String> = if exchange {
        let mut steps: Vec<String> = known.map(|(_, _, step)| step.to_string()).into_iter().collect();
        steps.extend(rule.remediation.iter().skip(1).map(|s| s.to_string()));
        steps
    } else {
        summary.push_str(&format!(
            " Not an Exchange product and not during an Exchange setup run: {NOT_EXCHANGE}."
        ));
        generic_steps(&product, code)
    };
    let mut finding = Finding::new(rule, summary)
        .subject(format!("{product} at {}", utc(time)))
        .remediation(steps)
        .severity(if exchange { rule.severity } else { Severity::Warning })
        .count(events.len() as u64)
        .confidence(if run.is_some() {
            Confidence::High
        } else {
            Confidence::Medium
        })
        .detail("product", product.clone())
        .detail("status", code)
        .detail("run", run.map(|r| r.run.index + 1));
    if !exchange {
        finding.references = vec!["Windows Installer error codes (msiexec return values)".to_string()];
    }
    let (head, tail) = cited(events);
    for e in head.iter().chain(tail) {
        finding.push_evidence(e.evidence(evidence_text(e)));
    }
    if let Some(r) = run {
        finding.push_evidence(run_evidence(r));
    }
    finding
}

/// Windows Installer advice for a product that is not Exchange's.
fn generic_steps(product: &str, code: Option<u32>) -> Vec<String> {
    let mut steps = Vec::new();
    if let Some(c) = code {
        steps.push(match meaning(c) {
            Some(m) => format!("Status {c} means {m}."),
            None => format!("Look up Windows Installer status {c} (msiexec return values)."),
        });
    }
    steps.push(format!(
        "Install {product} again with a verbose log: msiexec /i <package>.msi /l*v %TEMP%\\install.log, and search the log for \"return value 3\": the action just before it failed."
    ));
    steps.push("Fix what the log names (prerequisites, a running process holding files, rights, a pending reboot), then install again.".to_string());
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, run, view, window};
    use exdoctor_parsers::setup_log::RunResult;

    #[test]
    fn one_failed_transaction_is_one_finding_placed_in_its_run() {
        let events = [
            event(
                MSI,
                1033,
                3,
                "2008-01-19T15:00:00Z",
                &[
                    "Microsoft Exchange Server",
                    "8.1.240.6",
                    "1033",
                    "0",
                    "Microsoft Corporation",
                ],
            ),
            event(
                MSI,
                11708,
                4,
                "2008-01-19T15:20:00Z",
                &["Product: Microsoft Exchange Server -- Installation operation failed."],
            ),
            event(
                MSI,
                1033,
                5,
                "2008-01-19T15:20:00Z",
                &[
                    "Microsoft Exchange Server",
                    "8.1.240.6",
                    "1033",
                    "1603",
                    "Microsoft Corporation",
                ],
            ),
            event(
                MSI,
                1036,
                6,
                "2008-01-19T18:00:00Z",
                &[
                    "Microsoft Exchange Server",
                    "8.1.240.6",
                    "1033",
                    "Update",
                    "3010",
                    "Microsoft",
                ],
            ),
        ];
        let facts = run("2008-01-19T14:59:00Z", "2008-01-19T15:25:00Z", RunResult::Failed, true);
        let mut host = view(&events);
        host.runs.push(window(&facts));
        let findings = check(&host, &RunIndex::new(&host));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            (f.rule, f.count, f.confidence),
            (RuleId::MsiInstallFailed, 2, Confidence::High)
        );
        assert_eq!(f.details["status"], 1603);
        assert_eq!(f.details["product"], "Microsoft Exchange Server");
        assert!(
            f.summary.contains("status 1603: a fatal error") && f.summary.contains("setup run 1"),
            "{}",
            f.summary
        );
        assert!(f.remediation[0].starts_with("Status 1603"));
    }
}
