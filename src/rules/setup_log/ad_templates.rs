//! `ad-templates-removed`: the organization's address and details templates that a
//! PrepareAD run deleted (`Deleteting DS object .../cn=Display-Templates/cn=410/cn=0`,
//! sic). After a completed run they were replaced by the shipped ones (info); when the
//! run stopped before the work around the deletions ended, they are left deleted (error,
//! folded into the run's interruption or failure by [`fold_unrestored`]).
//!
//! The log shows the deletions only: the re-import of the shipped templates and its
//! effect on Outlook are inferred, so the findings say so and carry a low confidence.

use exdoctor_parsers::setup_log::{Run, RunResult};
use serde_json::json;

use super::SetupLogFile;
use crate::model::{
    setup_run_subject, AdChangesSummary, Confidence, Evidence, Fact, Finding, RuleId, RuleInfo, SetupLogFact, Severity,
    TemplatesState,
};

/// The `ad-templates-removed` rule.
pub(crate) const AD_TEMPLATES_REMOVED: RuleInfo = RuleInfo {
    id: RuleId::AdTemplatesRemoved,
    title: "Setup replaced the organization's address and details templates",
    severity: Severity::Info,
    description: "An Exchange 2007 SP1 upgrade that runs PrepareAD deletes the organization's address and \
                  details templates of every locale, one 'Deleteting DS object .../cn=Addressing/\
                  cn=Display-Templates/cn=<LCID>/...' line per object (sic), and imports the shipped ones \
                  again. After a completed run, templates customized with the Details Templates Editor are \
                  back to the shipped ones (info). When the run stopped or failed after the deletions and \
                  before their task, or the role or organization task they ran in, ended, nothing shows that \
                  the shipped templates were imported again: the organization is left without them and Outlook \
                  shows no details or address templates for those locales until PrepareAD runs again (error, \
                  reported inside the run's interruption or failure finding). The log shows the deletions; the \
                  re-import and its effect on Outlook are inferred, hence the low confidence. Across hosts \
                  (PrepareAD runs once per organization, the templates are the organization's): when the analysis \
                  holds more of the organization than the host whose log holds the deletions, one info finding per \
                  organization, on the host of the latest deletions, names the hosts whose logs hold deletions of \
                  it, what the latest left, and the organization's other servers.",
    remediation: &[
        "If the templates were customized with the Details Templates Editor, re-apply the customizations (and export them before the next service pack or PrepareAD).",
        "Check in Outlook (address book, the properties of a user) that the details templates of your locales look as expected.",
    ],
    references: &[
        "msxfaq.de: Service Packs für Exchange 2007 (SP1 removes the address templates)",
        "Details Templates Editor (Exchange Management Console, Toolbox)",
    ],
};

/// The finding about the last run that logged deletions; `None` when no run did.
pub fn check(file: &SetupLogFile<'_, '_>) -> Option<Finding> {
    let (run, deleted) = file
        .log
        .runs
        .iter()
        .rev()
        .find_map(|run| Some((run, AdChangesSummary::of(file.log, run)?)))?;
    let later = file.log.runs.get(run.index + 1..).unwrap_or_default();
    let reimport = deleted.restored_by_run.and_then(|i| file.log.runs.get(i));
    let left_deleted = deleted.left_deleted();
    // The run's subject, as the run rules name it: one deleting run, one problem.
    let subject = setup_run_subject(run.first_time.and_then(|t| file.log.resolve(&t)), run.index, file.path);
    let mut finding = if left_deleted {
        not_restored(run, &deleted, later, subject)
    } else {
        replaced(run, &deleted, reimport, subject)
    };
    finding = finding
        .confidence(Confidence::Low)
        .detail("deleted", deleted_detail(&deleted))
        .detail("templates", serde_json::to_value(deleted.state).unwrap_or_default())
        .detail("restored", !left_deleted)
        .detail("run", run.index + 1)
        .fact(Fact::SetupLog(SetupLogFact::Run {
            source: file.path.to_string(),
            index: run.index,
        }));
    if left_deleted {
        finding.push_fact(Fact::SetupLog(SetupLogFact::TemplatesLeftDeleted));
    }
    for e in evidence(file, run, &deleted) {
        finding.push_evidence(e);
    }
    if let Some(r) = reimport {
        let line = r.result_line.unwrap_or(r.last_line);
        finding.push_evidence(file.evidence(
            line,
            r.last_time.as_ref(),
            format!(
                "run {} (PrepareAD) completed: the shipped templates were imported again",
                r.index + 1
            ),
        ));
    }
    Some(finding)
}

/// The deletions in short for the finding's details (the run summary has them all):
/// total, lines, counts per container and per locale, tasks, organization and forest.
fn deleted_detail(deleted: &AdChangesSummary) -> serde_json::Value {
    let containers: serde_json::Map<String, serde_json::Value> = deleted
        .by_container
        .iter()
        .map(|c| (c.container.clone(), c.count.into()))
        .collect();
    let locales: serde_json::Map<String, serde_json::Value> =
        deleted.by_locale.iter().map(|l| (l.label(), l.count.into())).collect();
    json!({
        "total": deleted.total,
        "lines": [deleted.first_line, deleted.last_line],
        "first_time": deleted.first_time,
        "containers": containers,
        "locales": locales,
        "tasks": deleted.tasks.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "organization": deleted.organizations.first(),
        "forest": deleted.forest,
    })
}

/// `Run 1 deleted 73 details templates of 24 locales of organization BEISPIEL
/// (beispiel.de) at lines 596-668 (Remove-AddressTemplates)`.
fn deleted_sentence(run: &Run<'_>, deleted: &AdChangesSummary) -> String {
    format!(
        "Run {} deleted {}{} at {} ({})",
        run.index + 1,
        deleted.what(),
        deleted
            .organization_label()
            .map(|o| format!(" of {o}"))
            .unwrap_or_default(),
        deleted.lines(),
        deleted.task_names()
    )
}

/// The info finding: the templates were replaced by the shipped ones.
fn replaced(run: &Run<'_>, deleted: &AdChangesSummary, reimport: Option<&Run<'_>>, subject: String) -> Finding {
    let how = match (reimport, deleted.state) {
        (Some(r), _) => format!(
            "stopped before the work around them ended, but run {} (PrepareAD) completed afterwards",
            r.index + 1
        ),
        (None, TemplatesState::Replaced) => "completed".to_string(),
        (None, _) => "did not complete, but the task that deleted them and the work around it ended first".to_string(),
    };
    let summary = format!(
        "{} and {how}: the templates of {} were replaced by the shipped ones. Customizations made with the \
         Details Templates Editor are gone and must be re-applied (inferred: the log shows the deletions, not \
         the re-import).",
        deleted_sentence(run, deleted),
        locales_phrase(deleted),
    );
    Finding::new(&AD_TEMPLATES_REMOVED, summary)
        .subject(subject)
        .title(format!(
            "Setup replaced the {}",
            deleted.what().split_once(' ').map_or("templates", |(_, rest)| rest)
        ))
}

/// `locales ar-SA, zh-TW, it-IT`, `locale it-IT`, or `the deleted objects`.
fn locales_phrase(deleted: &AdChangesSummary) -> String {
    match deleted.by_locale.len() {
        0 => "the deleted objects".to_string(),
        1 => format!("locale {}", deleted.locale_list()),
        _ => format!("locales {}", deleted.locale_list()),
    }
}

/// The error finding: the run stopped before the templates were imported again.
fn not_restored(run: &Run<'_>, deleted: &AdChangesSummary, later: &[Run<'_>], subject: String) -> Finding {
    let open: Vec<String> = deleted
        .tasks
        .iter()
        .filter(|t| t.end_line.is_none())
        .filter_map(|t| Some(format!("{} (line {})", t.name.as_deref()?, t.begin_line?)))
        .collect();
    let why = match deleted.state {
        TemplatesState::DeletingTaskUnfinished if !open.is_empty() => {
            format!(", and stopped before {} ended", open.join(", "))
        }
        TemplatesState::EnclosingTaskUnfinished => {
            let enclosing: Vec<String> = deleted
                .unfinished_enclosing
                .iter()
                .map(|t| format!("{} (line {})", t.name, t.line))
                .collect();
            let own: Vec<String> = deleted
                .tasks
                .iter()
                .filter_map(|t| Some(format!("{} itself ended at line {}", t.name.as_deref()?, t.end_line?)))
                .collect();
            format!(
                ", and stopped before {}, which the deletions ran in, ended; {}nothing in the log shows the shipped \
                 templates were imported again",
                enclosing.join(" > "),
                if own.is_empty() {
                    String::new()
                } else {
                    format!("{}, but ", own.join(", "))
                }
            )
        }
        _ => ", and stopped before it completed".to_string(),
    };
    let mut summary = format!(
        "{}{why}. Templates deleted and not restored: run setup /PrepareAD again. Until then Outlook shows no \
         details or address templates for {} (inferred: the log shows the deletions, not the re-import).",
        deleted_sentence(run, deleted),
        locales_phrase(deleted),
    );
    if !later.is_empty() {
        let runs: Vec<String> = later
            .iter()
            .map(|r| {
                format!(
                    "run {}, mode {}, {}",
                    r.index + 1,
                    r.header.mode().unwrap_or_else(|| "?".into()),
                    result_word(r.result)
                )
            })
            .collect();
        summary.push_str(&format!(" The later runs ({}) did not run PrepareAD.", runs.join("; ")));
    }
    let version = run.header.setup_version.map(|v| format!(" ({v})")).unwrap_or_default();
    let mut steps = vec![format!(
        "Run setup.com /PrepareAD again from the same setup files{version}, as a member of Enterprise Admins: it imports the shipped address and details templates. Resuming the stopped setup is not enough: it continues from its watermark, after the step that deleted them (inferred)."
    )];
    if let Some(container) = container_dn(run) {
        steps.push(format!(
            "Check with ADSI Edit (Configuration partition) that {container} holds a container per locale again, and in Outlook that the details templates show."
        ));
    }
    steps.push(AD_TEMPLATES_REMOVED.remediation[0].to_string());
    Finding::new(&AD_TEMPLATES_REMOVED, summary)
        .subject(subject)
        .title("Templates deleted and not restored: run setup /PrepareAD again")
        .severity(Severity::Error)
        .remediation(steps)
}

fn result_word(result: RunResult) -> &'static str {
    match result {
        RunResult::Completed => "completed",
        RunResult::Failed => "failed",
        RunResult::CriticalStop => "stopped on a critical error",
        RunResult::Incomplete => "no result",
    }
}

/// The DN of the template container of the run's first well-formed template deletion
/// (`cn=Display-Templates,cn=Addressing,cn=BEISPIEL,...,dc=de`).
fn container_dn(run: &Run<'_>) -> Option<String> {
    run.ad_changes.iter().find_map(|c| {
        let dn = c.dn()?;
        let lower = dn.to_ascii_lowercase();
        ["cn=display-templates,", "cn=address-templates,"]
            .iter()
            .filter_map(|name| lower.find(name))
            .min()
            .and_then(|at| dn.get(at..))
            .map(str::to_string)
    })
}

/// The first and last deletion lines, the deleting tasks' begin and end, and the
/// unfinished tasks the deletions ran in (worded as the interruption finding words
/// them, so that a fold keeps one copy).
fn evidence(file: &SetupLogFile<'_, '_>, run: &Run<'_>, deleted: &AdChangesSummary) -> Vec<Evidence> {
    let mut out = Vec::new();
    let counts: Vec<String> = deleted
        .by_container
        .iter()
        .map(|c| format!("{} {}", c.container, c.count))
        .collect();
    let first = run.ad_changes.first();
    let last = run.ad_changes.last().filter(|_| run.ad_changes.len() > 1);
    for (change, which) in [(first, "first"), (last, "last")] {
        let Some(c) = change else { continue };
        out.push(file.evidence(
            c.line,
            Some(&c.time),
            format!(
                "{} DS object {} ({which} of {} deletions: {})",
                c.verb,
                c.path,
                deleted.total,
                counts.join(", ")
            ),
        ));
    }
    for task in &deleted.tasks {
        let (Some(name), Some(begin)) = (&task.name, task.begin_line) else {
            continue;
        };
        let begun = run.tasks.iter().find(|x| x.begin_line == begin);
        match task.end_line {
            Some(end) => {
                let ended = begun.and_then(|x| x.end.as_ref());
                out.push(file.evidence(
                    end,
                    ended,
                    format!("Ending processing {name}: the task that deleted them ended"),
                ));
            }
            None => out.push(file.evidence(
                begin,
                begun.map(|x| &x.begin),
                format!("Beginning processing {name} (never ended)"),
            )),
        }
    }
    for t in &deleted.unfinished_enclosing {
        let begun = run.tasks.iter().find(|x| x.begin_line == t.line);
        out.push(file.evidence(
            t.line,
            begun.map(|x| &x.begin),
            format!("Beginning processing {} (never ended)", t.name),
        ));
    }
    out
}

/// Folds an unrestored-templates finding into `into`, the finding that reports how the
/// same run ended (its interruption, its failure, or the known error or readiness check
/// that explains the failure): one root cause, one finding, with the deletions as its
/// evidence, their sentence in its summary, PrepareAD in its remediation and their
/// references. Leaves `templates` alone when it is not about that run or not an error.
pub(super) fn fold_unrestored(templates: &mut Option<Finding>, into: &mut Finding) {
    let Some(t) = templates.as_ref() else { return };
    let same_run = t.facts.iter().any(|fact| match fact {
        Fact::SetupLog(run @ SetupLogFact::Run { .. }) => into.facts.contains(&Fact::SetupLog(run.clone())),
        _ => false,
    });
    let left_deleted = t.has_fact(|f| matches!(f, Fact::SetupLog(SetupLogFact::TemplatesLeftDeleted)));
    if !same_run || !left_deleted {
        return;
    }
    let Some(t) = templates.take() else { return };
    into.summary.push(' ');
    into.summary.push_str(&t.summary);
    let (steps, references) = (t.remediation.clone(), t.references.clone());
    into.absorb(t);
    for step in steps {
        if !into.remediation.contains(&step) {
            into.remediation.push(step);
        }
    }
    for reference in references {
        if !into.references.contains(&reference) {
            into.references.push(reference);
        }
    }
}
