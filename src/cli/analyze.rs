//! `exdoctor analyze <PATH>...`: analyse everything, then report (see `report`).

use anyhow::Result;

use super::progress::LoadBar;
use super::AnalyzeArgs;
use crate::analysis::{analyze_with_progress, LoadProgress, Progress};

pub(super) fn run(args: &AnalyzeArgs) -> Result<u8> {
    let suppressions = super::report::suppressions(&args.report)?;
    let pool = super::thread_pool(args.threads)?;
    let bar = LoadBar::new(args.report.quiet);
    let update = |p: &LoadProgress| bar.update(p);
    let progress = bar.is_shown().then_some(&update as Progress<'_>);
    let analysis = pool.install(|| analyze_with_progress(&args.paths, progress));
    drop(bar);
    super::report::emit(analysis, suppressions.as_ref(), &args.report)
}
