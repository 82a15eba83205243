//! Rules on the runs of a setup log: failed, interrupted, watermark, resume mismatch,
//! stalls. Known errors and readiness checks that explain a failure live in their own
//! families; `check_setup_log` folds the generic failure into them.

use exdoctor_parsers::setup_log::{EvaluationKind, Run, RunResult, Task};
use serde_json::json;

use super::SetupLogFile;
use crate::model::{setup_run_subject, Confidence, Evidence, Fact, Finding, RuleId, RuleInfo, SetupLogFact, Severity};

/// Gaps at least this long next to a service start or native-image step are stalls.
pub const STALL_MIN_SECONDS: i64 = 600;

/// The `setup-failed` rule.
pub(crate) const SETUP_FAILED: RuleInfo = RuleInfo {
    id: RuleId::SetupFailed,
    title: "Exchange setup failed",
    severity: Severity::Error,
    description: "The last setup run ended with \"The Exchange Server setup operation didn't complete\" or a \
                  critical stop. The root cause is the first [ERROR] of that run (errors setup ignored itself \
                  are skipped), with its context up to the [ERROR-REFERENCE]. When a known error or a readiness \
                  check explains the failure, that finding is reported instead and this one is folded into it.",
    remediation: &[
        "Read the first error of the last run and the lines up to its ERROR-REFERENCE: that is the root cause; later errors are consequences.",
        "Fix the cause, then run setup again in the same mode (setup.com /mode:<mode>); for a failed install or upgrade setup resumes where it stopped.",
    ],
    references: &["TechNet Magazine Exchange Q&A, Sep 2007 (setup logs)", "CSS-Exchange SetupLogReviewer"],
};

/// The `setup-interrupted` rule.
pub(crate) const SETUP_INTERRUPTED: RuleInfo = RuleInfo {
    id: RuleId::SetupInterrupted,
    title: "Exchange setup was interrupted",
    severity: Severity::Error,
    description: "The last setup run has a start but no result and no End of Setup: setup was killed, the \
                  server rebooted or crashed, or the log was cut short. The unfinished task (Beginning \
                  processing without Ending processing) is the step that was running.",
    remediation: &[
        "Find out why setup stopped: look at the time of the last line and the events right after it (unexpected shutdown 6008, reboot 1074/6005, service crashes).",
        "Fix that cause; reboot first if files may still be locked by a half-finished MSI operation.",
        "Run setup again in the same mode (for a service pack: setup.com /mode:upgrade); it resumes from the watermark. Do not delete the Watermark/Action registry values by hand.",
    ],
    references: &["Exchange Team blog: How does Exchange 2007 setup know to resume a failed setup? (2007-05-21)"],
};

/// The `setup-watermark` rule.
pub(crate) const SETUP_WATERMARK: RuleInfo = RuleInfo {
    id: RuleId::SetupWatermark,
    title: "A previous setup left a watermark",
    severity: Severity::Error,
    description: "A previous setup failed while installing or upgrading a server role and left the Watermark \
                  (and Action) values in the role's registry key; setup refuses other operations until the \
                  pending one is finished. Seen as the InstallWatermark readiness rule, the 2007 text \"setup \
                  cannot continue because a previous setup failure occurred while installing a server role\", \
                  or the registry values themselves.",
    remediation: &[
        "Do not delete the Watermark value by hand: finish the pending operation by running setup again in the pending mode (the GUI offers to resume; setup.com /mode:<Action>).",
        "If the Install-<Role>-<date>.ps1 script of the failed run is in ExchangeSetupLogs, the watermark ID names the step that failed: fix that step's cause first.",
        "Only when Microsoft support directs it: export the role key, remove Watermark and Action, and rerun setup.",
    ],
    references: &["Exchange Team blog 2007-05-21 (setup resume)", "Fix Exchange Server 2007 Setup failures using the registry (2008)", "CSS-Exchange SetupAssist"],
};

/// The `setup-resume-mismatch` rule.
pub(crate) const SETUP_RESUME_MISMATCH: RuleInfo = RuleInfo {
    id: RuleId::SetupResumeMismatch,
    title: "Setup cannot resume with a different action",
    severity: Severity::Error,
    description: "Setup previously failed while performing one action (e.g. Install) and was now started \
                  with another (e.g. BuildToBuildUpgrade); it refuses until the first action is finished.",
    remediation: &[
        "Run setup in the mode of the failed action first (e.g. setup.com /mode:install) until it completes.",
        "Then run the action you wanted (e.g. setup.com /mode:upgrade).",
    ],
    references: &["Watermark action mismatch (setup previously failed while performing the action)"],
};

/// The `setup-stall` rule.
pub(crate) const SETUP_STALL: RuleInfo = RuleInfo {
    id: RuleId::SetupStall,
    title: "Setup stalled at service starts (CRL check timeout)",
    severity: Severity::Warning,
    description: "Pauses of ten minutes or more between consecutive lines of a run while services start or \
                  .NET native images are generated: the Authenticode certificate revocation (CRL) check of \
                  the signed Exchange assemblies times out on servers without internet access, and every \
                  managed service start waits for it (KB944752).",
    remediation: &[
        "Let the server reach the CRL URL (crl.microsoft.com) through the proxy: proxycfg -u (Windows 2003) or netsh winhttp set proxy (Windows 2008).",
        "Or disable publisher evidence for the Exchange services: <generatePublisherEvidence enabled=\"false\"/> in the <runtime> section of each service's .exe.config.",
        "Or turn off \"Check for publisher's certificate revocation\" (Internet Options, Advanced, for the account running setup and the services) during the install, and back on afterwards.",
    ],
    references: &["KB944752", "Configuring Exchange Servers Without Internet Access"],
};

/// Runs the family's rules on the last run of one setup log.
pub fn check(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let Some(run) = file.log.last_run() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let resume = run.resume.map(|r| {
        file.evidence(
            r.line,
            None,
            format!(
                "Setup failed previously while performing the action {}; looking for the failed task {}",
                r.previous_action,
                r.task_id.map(|t| t.to_string()).unwrap_or_else(|| "?".into())
            ),
        )
    });
    match run.result {
        RunResult::Failed | RunResult::CriticalStop => out.push(failed(file, run)),
        RunResult::Incomplete if run.has_start_banner && !run.ended() => out.push(interrupted(file, run)),
        _ => {}
    }
    if let (Some(resume), Some(first)) = (resume, out.first_mut()) {
        first.push_evidence(resume);
    }
    out.extend(watermark(file, run));
    out.extend(resume_mismatch(file, run));
    out.extend(stall(file, run));
    out
}

/// Mode and version as "mode Upgrade, setup 08.01.0240.006".
fn run_label(run: &Run<'_>) -> String {
    format!(
        "mode {}, setup {}",
        run.header.mode().unwrap_or_else(|| "?".into()),
        run.header.setup_version.map_or_else(|| "?".into(), |v| v.to_string())
    )
}

/// The subject of a finding about `run`: its start and the log's file name.
fn run_subject(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> String {
    setup_run_subject(run.first_time.and_then(|t| file.log.resolve(&t)), run.index, file.path)
}

/// The run's details for the reader and its identity for correlation.
fn run_details(finding: Finding, file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Finding {
    finding
        .fact(Fact::SetupLog(SetupLogFact::Run {
            source: file.path.to_string(),
            index: run.index,
        }))
        .detail("run", run.index + 1)
        .detail("mode", run.header.mode())
        .detail("setup_version", run.header.setup_version.map(|v| v.to_string()))
}

fn failed(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Finding {
    let rule = &SETUP_FAILED;
    let first = run.first_error();
    let summary = match first {
        Some(e) => format!(
            "The last setup run ({}) failed; first error at line {}: {}",
            run_label(run),
            e.line,
            e.message.to_str_lossy().trim()
        ),
        None => format!(
            "The last setup run ({}) failed without logging an [ERROR] line.",
            run_label(run)
        ),
    };
    let mut finding = run_details(Finding::new(rule, summary).subject(run_subject(file, run)), file, run);
    if let Some(e) = first {
        finding.push_evidence(file.issue_evidence(e));
        finding = finding.detail("first_error_line", e.line);
        if let Some(reference) = e.block.and_then(|b| run.error_blocks.get(b)).and_then(|b| b.reference) {
            finding.push_evidence(file.evidence(
                reference.line,
                None,
                format!(
                    "[ERROR-REFERENCE] Id={} Component={}",
                    reference.id, reference.component
                ),
            ));
            finding = finding.detail("error_reference", reference.id.to_string());
        }
    }
    if let Some(line) = run.result_line {
        let text = match run.result {
            RunResult::CriticalStop => "Setup is stopping now because of one or more critical errors.",
            _ => "The Exchange Server setup operation didn't complete.",
        };
        finding.push_evidence(file.evidence(line, run.last_time.as_ref(), text));
    }
    finding
}

fn interrupted(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Finding {
    let rule = &SETUP_INTERRUPTED;
    let unfinished: Vec<&Task<'_>> = run.unfinished_tasks().collect();
    let chain = unfinished
        .iter()
        .map(|t| t.name.to_string())
        .collect::<Vec<_>>()
        .join(" > ");
    let last = file.log.run_records(run).last();
    let last_time = run.last_time.and_then(|t| file.log.resolve(&t));
    let summary = format!(
        "The last setup run ({}) has no result and no End of Setup; it stopped{}{}.",
        run_label(run),
        last_time
            .map(|t| format!(" at {}", t.format("%Y-%m-%d %H:%M:%S")))
            .unwrap_or_default(),
        if chain.is_empty() {
            String::new()
        } else {
            format!(" inside {chain}")
        }
    );
    let mut finding = run_details(Finding::new(rule, summary).subject(run_subject(file, run)), file, run)
        .confidence(Confidence::Medium);
    for t in &unfinished {
        finding.push_evidence(file.evidence(
            t.begin_line,
            Some(&t.begin),
            format!("Beginning processing {} (never ended)", t.name),
        ));
    }
    if let Some(rec) = last {
        finding.push_evidence(file.evidence(
            rec.line,
            Some(&rec.timestamp),
            format!("last line written: {}", rec.message.to_str_lossy().trim()),
        ));
        finding = finding.detail("last_line", rec.line);
    }
    if let Some(innermost) = unfinished.last() {
        finding = finding.detail("unfinished_task", innermost.name.to_string());
    }
    if let Some(outermost) = unfinished.first() {
        finding = finding.detail("unfinished_role_task", outermost.name.to_string());
    }
    if let Some(mode) = run.header.mode() {
        let mut steps: Vec<String> = finding.remediation.clone();
        if let Some(last) = steps.last_mut() {
            *last = format!(
                "Run setup again in the same mode (setup.com /mode:{}); it resumes from the watermark. Do not delete the Watermark/Action registry values by hand.",
                mode.to_ascii_lowercase()
            );
        }
        finding = finding.remediation(steps);
    }
    finding
}

fn watermark(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Option<Finding> {
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut roles: Vec<String> = Vec::new();
    let mut watermarks: Vec<String> = Vec::new();
    for e in &run.evaluations {
        let is_rule = e.kind == EvaluationKind::Rule && e.name.as_bytes().eq_ignore_ascii_case(b"InstallWatermark");
        if is_rule && e.is_failed_rule() {
            evidence.push(file.evidence(
                e.line,
                None,
                format!("Evaluated [Rule:InstallWatermark] [Value:\"{}\"]", e.value),
            ));
        }
        let is_setting = e.kind == EvaluationKind::Setting && e.name.as_bytes().eq_ignore_ascii_case(b"Watermarks");
        if is_setting && !e.value.is_empty() && e.value.as_bytes() != b"<NULL>" {
            roles.push(format!("{} = {}", e.parent_value, e.value));
            watermarks.push(e.value.to_string());
            evidence.push(file.evidence(e.line, None, format!("Watermark of {}: {}", e.parent_value, e.value)));
        }
    }
    for r in &run.readiness {
        let text = r.message.to_str_lossy();
        let lower = text.to_ascii_lowercase();
        if lower.contains("previous setup failure") || lower.contains("watermark") {
            evidence.push(file.issue_evidence(r));
        }
    }
    if evidence.is_empty() {
        return None;
    }
    let summary = if roles.is_empty() {
        "Setup found the watermark of a previous failed setup and will not run another operation until it is finished."
            .to_string()
    } else {
        format!(
            "Setup found watermarks of a previous failed setup: {}.",
            roles.join("; ")
        )
    };
    let mut finding = Finding::new(&SETUP_WATERMARK, summary)
        .subject(run_subject(file, run))
        .detail("roles", json!(roles));
    for w in watermarks {
        finding.push_fact(Fact::SetupLog(SetupLogFact::Watermark(w)));
    }
    for e in evidence {
        finding.push_evidence(e);
    }
    Some(run_details(finding, file, run))
}

fn resume_mismatch(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Option<Finding> {
    let m = run.resume_mismatch?;
    let (previous, requested) = (m.previous_action.to_string(), m.requested_action.to_string());
    let finding = Finding::new(
        &SETUP_RESUME_MISMATCH,
        format!("Setup previously failed while performing \"{previous}\" and cannot resume with \"{requested}\"."),
    )
    .subject(run_subject(file, run))
    .evidence(file.evidence(m.line, None, format!("Setup previously failed while performing the action \"{previous}\". You can't resume setup by performing the action '{requested}'.")))
    .detail("previous_action", previous.clone())
    .detail("requested_action", requested)
    .remediation(vec![
        format!("Run setup in the mode of the failed action first: setup.com /mode:{}, until it completes.", previous.to_ascii_lowercase()),
        "Then run the action you wanted.".to_string(),
    ]);
    Some(run_details(finding, file, run))
}

/// Messages around a gap that point at a service start or a native-image step.
fn stall_context(message: &str) -> bool {
    const MARKERS: [&str; 8] = [
        "start-setupservice",
        "waiting for service",
        "starting service",
        "service checkpoint",
        "ngen",
        "native image",
        "starting services",
        "to reach status 'running'",
    ];
    let lower = message.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

fn stall(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Option<Finding> {
    let long: Vec<_> = run.gaps.iter().filter(|g| g.seconds >= STALL_MIN_SECONDS).collect();
    if long.is_empty() {
        return None;
    }
    let wanted: Vec<u32> = long.iter().flat_map(|g| [g.after_line, g.before_line]).collect();
    let messages: Vec<(u32, String)> = file
        .log
        .run_records(run)
        .filter(|r| wanted.contains(&r.line))
        .map(|r| (r.line, r.message.to_str_lossy().trim().to_string()))
        .collect();
    let message = |line: u32| {
        messages
            .iter()
            .find(|(l, _)| *l == line)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    };
    let stalls: Vec<_> = long
        .into_iter()
        .filter(|g| stall_context(message(g.after_line)) || stall_context(message(g.before_line)))
        .collect();
    if stalls.is_empty() {
        return None;
    }
    let total: i64 = stalls.iter().map(|g| g.seconds).sum();
    let longest = stalls.iter().max_by_key(|g| g.seconds)?;
    let summary = format!(
        "{} pause(s) of 10 minutes or more while services started or native images were generated, {} min in total; the longest, {} min, after line {} ({}).",
        stalls.len(),
        total / 60,
        longest.seconds / 60,
        longest.after_line,
        message(longest.after_line)
    );
    let confidence = if stalls.len() >= 2 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let mut finding = Finding::new(&SETUP_STALL, summary)
        .subject(run_subject(file, run))
        .confidence(confidence)
        .count(stalls.len() as u64)
        .detail("total_minutes", total / 60)
        .detail("longest_minutes", longest.seconds / 60);
    for g in &stalls {
        finding.push_evidence(file.evidence(
            g.after_line,
            Some(&g.from),
            format!("{} min without a line after: {}", g.seconds / 60, message(g.after_line)),
        ));
        finding.see_raw(file, &g.to);
    }
    Some(run_details(finding, file, run))
}

impl Finding {
    /// Widens first/last seen with a setup-log timestamp.
    fn see_raw(&mut self, file: &SetupLogFile<'_, '_>, ts: &exdoctor_parsers::timestamp::RawTimestamp) {
        if let Some(t) = file.time(ts) {
            self.see(t);
        }
    }
}
