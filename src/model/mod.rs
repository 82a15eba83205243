//! The data the rules read and write: the per-file facts, the host and its view (events
//! in UTC order, setup runs as UTC windows), findings with their evidence, input
//! diagnostics and the rule catalog's entry type.
//!
//! The model imports nothing of the analyzer but the registry's host state; sources
//! fill it, rules read it, analysis and report consume it.

mod ad_changes;
mod closest;
mod coverage;
mod cut;
mod diagnostic;
mod fact;
mod facts;
mod finding;
mod host;
mod host_view;
mod identity;
mod rule;
mod setup_log_file;
mod source;
mod summary;
mod suppressed;
mod zone;

pub use ad_changes::{
    AdChangesSummary, ContainerDeletions, DeletingTask, LocaleDeletions, LoggedDeletions, TemplatesState,
};
pub use closest::closest;
pub use coverage::CoverageGap;
pub use cut::{cut_json, cut_marker, cut_message, cut_text, MAX_MESSAGE_BYTES};
pub use diagnostic::{DiagLevel, Diagnostic};
pub use fact::{EventFact, Fact, RegistryFact, SetupLogFact};
pub use facts::{
    EventLogFacts, Facts, LdifErrFacts, Milestone, RegistryFacts, RunFacts, SetupLogFacts, TaskScriptFacts,
    TaskStepFacts,
};
pub use finding::{Confidence, Evidence, Finding, Location, Severity, Timestamp};
pub use host::{host_answers_to, Attribution, Host, HostGroup, Rename};
pub use host_view::{HostEvent, HostLog, HostView, RunWindow};
pub use identity::{file_name, fingerprint, setup_run_subject, Status, FINGERPRINT_LEN, HOST_WIDE};
pub use rule::{RuleId, RuleInfo, UnknownRuleId};
pub use setup_log_file::SetupLogFile;
pub use source::{ContentId, Loaded, LoadedFile, SourceKind, SourceSummary};
pub use summary::{
    first_listed, ErrorReferenceSummary, EvaluationSummary, EventLogSummary, EvtSummary, FailedRuleSummary, GapCount,
    GapSummary, IssueSummary, LdifErrSummary, ParameterSummary, RegistrySummary, ResumeMismatchSummary, ResumeSummary,
    RuleEventCount, RunHeaderSummary, RunSummary, SetupLogSummary, SourceDetails, TaskScriptSummary, TaskStepSummary,
    TaskSummary, Unlisted, MAX_LISTED,
};
pub use suppressed::{Suppressed, SuppressedBy};
pub use zone::{utc_offset, Daylight, HostZone};
