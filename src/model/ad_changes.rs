//! What a setup run deleted in Active Directory (`Deleteting DS object <path>` lines),
//! owned and summed up once: the run summary shows it, the timeline marks it and the
//! templates rule words its finding with it.

use exdoctor_parsers::setup_log::{AdChange, AdContainer, Run, RunResult, SetupLog};
use exdoctor_parsers::timestamp::RawTimestamp;
use serde::{Deserialize, Serialize};

use super::{SourceDetails, SourceSummary, TaskSummary};

/// The deletions of one run: counts per container and locale, where they are in the log,
/// the tasks they ran in, and whether those tasks (and the work around them) ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdChangesSummary {
    /// Objects deleted.
    pub total: usize,
    /// Line of the first deletion.
    pub first_line: u32,
    /// Line of the last deletion.
    pub last_line: u32,
    /// Time of the first deletion (the log's clock, ISO 8601 without zone).
    pub first_time: Option<String>,
    /// Time of the last deletion.
    pub last_time: Option<String>,
    /// The Exchange organizations the paths name (`cn=<org>` below `cn=Microsoft
    /// Exchange`, or `o=<org>`), in order of first appearance.
    pub organizations: Vec<String>,
    /// The DNS name of the forest root the paths start in (`/dc=de/dc=msxfaq/...` ->
    /// `msxfaq.de`); absent for `/o=` paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forest: Option<String>,
    /// Deletions per container, in order of first appearance.
    pub by_container: Vec<ContainerDeletions>,
    /// Deletions per template locale, by ascending LCID.
    pub by_locale: Vec<LocaleDeletions>,
    /// Deletions with no locale (not below a template container, or a malformed path).
    pub without_locale: usize,
    /// Deletions whose path is malformed (kept as text; the log's diagnostics say why).
    pub malformed: usize,
    /// The tasks the deletions ran in, in order of first deletion.
    pub tasks: Vec<DeletingTask>,
    /// Some deletions ran in a task that never logged its `Ending processing`, or
    /// outside any task in a run that did not complete.
    pub unfinished: bool,
    /// Tasks open before the first deletion that never ended (other than the deleting
    /// tasks): the work the deletions were part of, such as `install-MailboxRole`.
    pub unfinished_enclosing: Vec<TaskSummary>,
    /// How far the work around the deletions got in this run (see [`TemplatesState`]).
    pub state: TemplatesState,
    /// 0-based index of a later run of the log, in mode PrepareAD, that completed: it
    /// imported the shipped templates again, whatever this run left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restored_by_run: Option<usize>,
}

/// The deletions of one setup log as a host's report carries them: those of its last
/// run that deleted anything (the run the `ad-templates-removed` finding is about). The
/// fleet rules read these, so that `exdoctor merge` can run them again from reports.
#[derive(Debug, Clone)]
pub struct LoggedDeletions {
    /// The log, as shown in evidence.
    pub source: String,
    /// 0-based index of the run in the log.
    pub run: usize,
    /// What the run deleted.
    pub deleted: AdChangesSummary,
}

impl LoggedDeletions {
    /// The deletions of each setup log among `sources` (the per-file summaries of a
    /// host), in the order of the sources.
    pub fn of_sources<'s>(sources: impl IntoIterator<Item = &'s SourceSummary>) -> Vec<LoggedDeletions> {
        sources
            .into_iter()
            .filter_map(|source| {
                let SourceDetails::SetupLog(log) = &source.details else {
                    return None;
                };
                log.runs.iter().rev().find_map(|run| {
                    Some(LoggedDeletions {
                        source: source.path.clone(),
                        run: run.index,
                        deleted: run.ad_changes.clone()?,
                    })
                })
            })
            .collect()
    }
}

/// Deletions in one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerDeletions {
    /// `Display-Templates`, `Address-Templates`, or the name of another container.
    pub container: String,
    /// What the objects are, for a reader: `details templates`, `address templates`,
    /// `objects under <container>`.
    pub kind: String,
    /// Objects deleted in it.
    pub count: usize,
}

impl ContainerDeletions {
    /// `73 details templates`, `1 address template`, `2 objects under cn=x`.
    fn phrase(&self) -> String {
        let kind = match (self.count, self.kind.as_str()) {
            (1, "details templates") => "details template".to_string(),
            (1, "address templates") => "address template".to_string(),
            (1, other) => other.replacen("objects", "object", 1),
            (_, other) => other.to_string(),
        };
        format!("{} {kind}", self.count)
    }
}

/// Deletions of one template locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleDeletions {
    /// The LCID in hex as paths write it, upper case (`410`, `C0A`).
    pub lcid: String,
    /// Its culture name (`it-IT`); absent for an LCID not in the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub culture: Option<String>,
    /// Objects deleted under it.
    pub count: usize,
}

impl LocaleDeletions {
    /// The culture name, else `LCID 0x<lcid>`.
    pub fn label(&self) -> String {
        self.culture.clone().unwrap_or_else(|| format!("LCID 0x{}", self.lcid))
    }
}

/// A task deletions ran in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletingTask {
    /// Its name; absent for deletions logged while no task was open.
    pub name: Option<String>,
    /// Line of its `Beginning processing`.
    pub begin_line: Option<u32>,
    /// Line of its `Ending processing`; absent when it never ended.
    pub end_line: Option<u32>,
    /// Deletions logged in it.
    pub deletions: usize,
}

/// How far the work around a run's deletions got: whether the organization was left
/// without the templates setup deleted (the re-import of the shipped templates is not
/// logged; it is inferred from the work that holds the deletions having ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplatesState {
    /// The run completed: the shipped templates were imported again.
    Replaced,
    /// The run did not complete, but the deleting task and every task open around it
    /// ended: the template work was done before the run stopped.
    WorkEnded,
    /// The task that logged the deletions never ended.
    DeletingTaskUnfinished,
    /// The deleting task ended, but a task it ran in (the role or organization task that
    /// would import the shipped templates) never did.
    EnclosingTaskUnfinished,
    /// Deletions were logged outside any task (their tasks, if any, ended) and the run
    /// did not complete.
    RunStopped,
}

impl TemplatesState {
    /// Whether the templates are left deleted (as far as the log shows).
    pub fn unrestored(self) -> bool {
        !matches!(self, TemplatesState::Replaced | TemplatesState::WorkEnded)
    }
}

impl AdChangesSummary {
    /// The deletions of `run` summed up, times resolved with the log's date order; `None`
    /// when the run deleted nothing.
    pub fn of(log: &SetupLog<'_>, run: &Run<'_>) -> Option<AdChangesSummary> {
        let s = run.ad_change_summary()?;
        let time = |ts: &RawTimestamp| log.resolve(ts).map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string());
        let first = run.ad_changes.iter().find(|c| c.line == s.first_line);
        let last = run.ad_changes.iter().rev().find(|c| c.line == s.last_line);
        let restored_by_run = log.runs.get(run.index + 1..).unwrap_or_default().iter().find_map(|r| {
            (r.result == RunResult::Completed && r.header.mode().is_some_and(|m| m.eq_ignore_ascii_case("PrepareAD")))
                .then_some(r.index)
        });
        let mut summary = AdChangesSummary {
            total: s.total,
            first_line: s.first_line,
            last_line: s.last_line,
            first_time: first.and_then(|c| time(&c.time)),
            last_time: last.and_then(|c| time(&c.time)),
            organizations: s.organizations.iter().map(|o| o.to_string()).collect(),
            forest: run.ad_changes.iter().find_map(AdChange::forest_dns),
            by_container: s
                .by_container
                .iter()
                .map(|c| ContainerDeletions {
                    container: c.container.to_string(),
                    kind: match c.container {
                        AdContainer::DisplayTemplates => "details templates".to_string(),
                        AdContainer::AddressTemplates => "address templates".to_string(),
                        AdContainer::Other(name) => format!("objects under {name}"),
                    },
                    count: c.count,
                })
                .collect(),
            by_locale: s
                .by_locale
                .iter()
                .map(|l| LocaleDeletions {
                    lcid: format!("{:X}", l.lcid),
                    culture: l.culture.map(str::to_string),
                    count: l.count,
                })
                .collect(),
            without_locale: s.without_locale,
            malformed: s.malformed,
            tasks: s
                .tasks
                .iter()
                .map(|t| DeletingTask {
                    name: t.name.map(|n| n.to_string()),
                    begin_line: t.begin_line,
                    end_line: t.end_line,
                    deletions: t.changes,
                })
                .collect(),
            unfinished: s.unfinished,
            unfinished_enclosing: s
                .unfinished_enclosing
                .iter()
                .filter_map(|&i| run.tasks.get(i))
                .map(|t| TaskSummary {
                    name: t.name.to_string(),
                    depth: t.depth,
                    line: t.begin_line,
                    time: time(&t.begin),
                })
                .collect(),
            state: TemplatesState::Replaced,
            restored_by_run,
        };
        summary.state = summary.state_after(run.result);
        Some(summary)
    }

    /// Whether the templates are left deleted as far as the log shows: the run stopped
    /// before the work around them ended, and no later PrepareAD run completed.
    pub fn left_deleted(&self) -> bool {
        self.state.unrestored() && self.restored_by_run.is_none()
    }

    /// How far the work around the deletions got in a run that ended with `result`.
    ///
    /// A completed run imported the shipped templates again. In a run that did not
    /// complete, the deletions' own task must have ended *and* every task open around
    /// them: the re-import is not logged, and when the role or organization task that
    /// holds `Remove-AddressTemplates` stops after it, nothing shows that the shipped
    /// templates came back (a resumed setup continues from its watermark, after that step).
    fn state_after(&self, result: RunResult) -> TemplatesState {
        if result == RunResult::Completed {
            TemplatesState::Replaced
        } else if self.tasks.iter().any(|t| t.name.is_some() && t.end_line.is_none()) {
            TemplatesState::DeletingTaskUnfinished
        } else if self.unfinished {
            TemplatesState::RunStopped
        } else if !self.unfinished_enclosing.is_empty() {
            TemplatesState::EnclosingTaskUnfinished
        } else {
            TemplatesState::WorkEnded
        }
    }

    /// `73 details templates of 24 locales`, `2 details templates and 1 address template
    /// of 1 locale`, `3 objects under cn=x`.
    pub fn what(&self) -> String {
        let parts: Vec<String> = self.by_container.iter().map(ContainerDeletions::phrase).collect();
        let mut text = match parts.as_slice() {
            [] if self.total == 1 => "1 object".to_string(),
            [] => format!("{} objects", self.total),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        let locales = self.by_locale.len();
        if locales > 0 {
            text.push_str(&format!(" of {locales} locale{}", if locales == 1 { "" } else { "s" }));
        }
        text
    }

    /// `Remove-AddressTemplates, lines 596-668` (or `line 596`; `outside any task`).
    pub fn place(&self) -> String {
        format!("{}, {}", self.task_names(), self.lines())
    }

    /// `lines 596-668`, or `line 596`.
    pub fn lines(&self) -> String {
        if self.first_line == self.last_line {
            format!("line {}", self.first_line)
        } else {
            format!("lines {}-{}", self.first_line, self.last_line)
        }
    }

    /// The deleting tasks' names (`Remove-AddressTemplates`; `outside any task`).
    pub fn task_names(&self) -> String {
        self.tasks
            .iter()
            .map(|t| t.name.as_deref().unwrap_or("outside any task"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The locales' culture names, comma-separated (`ar-SA, zh-TW, it-IT`).
    pub fn locale_list(&self) -> String {
        self.by_locale
            .iter()
            .map(LocaleDeletions::label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The organization as a reader names it: `organization BEISPIEL (beispiel.de)`.
    pub fn organization_label(&self) -> Option<String> {
        let org = self.organizations.first()?;
        Some(match &self.forest {
            Some(forest) => format!("organization {org} ({forest})"),
            None => format!("organization {org}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exdoctor_parsers::setup_log::parse_setup_log;

    const HEAD: &str = "[30.11.2007 17:12:03] [0] **********************************************\n\
[30.11.2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup\n\
[30.11.2007 17:29:40] [1] Beginning processing install-MailboxRole\n\
[30.11.2007 17:31:22] [2] Beginning processing Remove-AddressTemplates\n";
    const ORG: &str = "/dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing";

    fn summary(body: &str) -> (AdChangesSummary, RunResult) {
        let text = format!("{HEAD}{body}");
        let log = parse_setup_log(text.as_bytes());
        let run = log.last_run().unwrap_or_else(|| panic!("a run"));
        (
            AdChangesSummary::of(&log, run).unwrap_or_else(|| panic!("deletions")),
            run.result,
        )
    }

    #[test]
    fn counts_words_and_states() {
        let body = format!(
            "[30.11.2007 17:35:15] [2] Deleteting DS object {ORG}/cn=Display-Templates/cn=410/cn=0\n\
[30.11.2007 17:35:15] [2] Deleteting DS object {ORG}/cn=Display-Templates/cn=410/cn=1\n\
[30.11.2007 17:35:16] [2] Deleting DS object {ORG}/cn=Address-Templates/cn=C0A\n"
        );
        let (s, result) = summary(&body);
        assert_eq!((s.total, s.first_line, s.last_line), (3, 5, 7));
        assert_eq!(s.first_time.as_deref(), Some("2007-11-30T17:35:15"));
        assert_eq!(s.last_time.as_deref(), Some("2007-11-30T17:35:16"));
        assert_eq!(s.organizations, vec!["MSXFAQ".to_string()]);
        assert_eq!(s.forest.as_deref(), Some("msxfaq.de"));
        assert_eq!(s.what(), "2 details templates and 1 address template of 2 locales");
        assert_eq!(s.place(), "Remove-AddressTemplates, lines 5-7");
        assert_eq!(s.locale_list(), "it-IT, es-ES");
        assert_eq!(s.by_locale[1].lcid, "C0A");
        assert_eq!(
            s.organization_label().as_deref(),
            Some("organization MSXFAQ (msxfaq.de)")
        );
        assert_eq!(s.state, TemplatesState::DeletingTaskUnfinished);
        assert_eq!(s.state, s.state_after(result));
        assert!(s.left_deleted());
        assert_eq!(s.state_after(RunResult::Completed), TemplatesState::Replaced);

        let ended = format!("{body}[30.11.2007 17:35:16] [2] Ending processing Remove-AddressTemplates\n");
        let (s, _) = summary(&ended);
        assert_eq!(s.state, TemplatesState::EnclosingTaskUnfinished);
        assert_eq!(s.unfinished_enclosing[0].name, "install-MailboxRole");
        assert_eq!(s.unfinished_enclosing[0].line, 3);

        let all_ended = format!("{ended}[30.11.2007 17:40:00] [1] Ending processing install-MailboxRole\n");
        let (s, _) = summary(&all_ended);
        assert_eq!(s.state, TemplatesState::WorkEnded);
        assert!(!s.left_deleted());
    }

    #[test]
    fn a_later_completed_prepare_ad_run_restores() {
        let later = |mode: &str, result: &str| {
            format!(
                "{HEAD}[30.11.2007 17:35:15] [2] Deleteting DS object {ORG}/cn=Display-Templates/cn=410/cn=0\n\
[30.11.2007 18:00:00] [0] **********************************************\n\
[30.11.2007 18:00:00] [0] Starting Microsoft Exchange Server 2007 Setup\n\
[30.11.2007 18:00:00] [0] Setup version: 08.01.0240.006.\n\
[30.11.2007 18:00:00] [0] Logged on user: BEISPIEL\\Administrator.\n\
[30.11.2007 18:00:01] [0] Command Line Parameter Name='mode', Value='{mode}'.\n\
[30.11.2007 18:05:00] [0] {result}\n\
[30.11.2007 18:05:00] [0] End of Setup\n"
            )
        };
        for (mode, result, restored) in [
            (
                "PrepareAD",
                "The Exchange Server setup operation completed successfully.",
                Some(1),
            ),
            (
                "Upgrade",
                "The Exchange Server setup operation completed successfully.",
                None,
            ),
            (
                "PrepareAD",
                "The Exchange Server setup operation didn't complete.",
                None,
            ),
        ] {
            let text = later(mode, result);
            let log = parse_setup_log(text.as_bytes());
            let first = log.runs.first().unwrap_or_else(|| panic!("a run"));
            let s = AdChangesSummary::of(&log, first).unwrap_or_else(|| panic!("deletions"));
            assert_eq!(log.runs.len(), 2, "{mode} {result}");
            assert_eq!(s.state, TemplatesState::DeletingTaskUnfinished);
            assert_eq!(s.restored_by_run, restored, "{mode} {result}");
            assert_eq!(s.left_deleted(), restored.is_none(), "{mode} {result}");
        }
    }

    #[test]
    fn deletions_outside_any_task_of_a_stopped_run() {
        let text = format!(
            "[30.11.2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup\n\
[30.11.2007 17:35:15] [2] Deleting DS object {ORG}/cn=Display-Templates/cn=409/cn=0\n"
        );
        let log = parse_setup_log(text.as_bytes());
        let run = log.last_run().unwrap_or_else(|| panic!("a run"));
        let s = AdChangesSummary::of(&log, run).unwrap_or_else(|| panic!("deletions"));
        assert_eq!(s.what(), "1 details template of 1 locale");
        assert_eq!(s.place(), "outside any task, line 2");
        assert_eq!(s.state, TemplatesState::RunStopped);
    }
}
