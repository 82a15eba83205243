//! `exdoctor check PATH...`: a Nagios / Icinga service check (Monitoring Plugins
//! guidelines): the plugin output on stdout, the state as exit code, and UNKNOWN (3)
//! for anything that keeps the check from being done, usage errors included.

use std::io::{self, Write};

use anyhow::{bail, Result};

use super::CheckArgs;
use crate::analysis::analyze;
use crate::report::{plugin_text, write_check, Filter, PluginState, Thresholds};

/// Runs the check; never fails: an error is the UNKNOWN state with its message.
pub(super) fn run(args: &CheckArgs) -> u8 {
    match check(args) {
        Ok(state) => state.exit_code(),
        Err(err) => unknown(&format!("{err:#}")),
    }
}

/// Prints `EXDOCTOR UNKNOWN - <message>` and returns its exit code.
pub(super) fn unknown(message: &str) -> u8 {
    println!("EXDOCTOR UNKNOWN - {}", plugin_text(message));
    PluginState::Unknown.exit_code()
}

fn check(args: &CheckArgs) -> Result<PluginState> {
    if args.critical < args.warning {
        bail!(
            "--critical {} is below --warning {}: a critical finding must be at least as severe as a warning one",
            args.critical,
            args.warning
        );
    }
    let pool = super::thread_pool(args.threads)?;
    let analysis = pool.install(|| analyze(&args.paths));
    let filter = Filter {
        hosts: args.host.clone(),
        ..Filter::default()
    };
    let shown = filter.apply(&analysis);
    let thresholds = Thresholds {
        warning: args.warning,
        critical: args.critical,
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let state = write_check(&shown, thresholds, &mut out)?;
    out.flush()?;
    Ok(state)
}
