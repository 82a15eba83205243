//! `exdoctor merge SHARD.json...`: the JSON reports of shards joined into the report of
//! one run (the fleet rules run over all hosts), then reported as `analyze` does.

use anyhow::{Context, Result};

use super::MergeArgs;
use crate::analysis::merge::{merge, Shard};
use crate::report::read_json;

pub(super) fn run(args: &MergeArgs) -> Result<u8> {
    let suppressions = super::report::suppressions(&args.report)?;
    let mut shards = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let analysis = read_json(&bytes).with_context(|| path.display().to_string())?;
        shards.push(Shard {
            name: path.display().to_string(),
            analysis,
        });
    }
    super::report::emit(merge(shards), suppressions.as_ref(), &args.report)
}
