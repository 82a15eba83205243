//! `exdoctor timeline <PATH>...`: every source merged in UTC order.

use anyhow::{Context, Result};

use super::capped_json::CappedJsonStrings;
use super::output::Output;
use super::{TimelineArgs, TimelineFormat, UsageError, EXIT_INPUT, EXIT_OK};
use crate::analysis::{hosts_of, load, timeline::timeline};
use crate::model::{closest, cut_text, DiagLevel};
use crate::report::{printable, write_diagnostics, TextStyle, TimeWindow};
use crate::sources::write_json_line;

pub(super) fn run(args: &TimelineArgs) -> Result<u8> {
    let pool = super::thread_pool(args.threads)?;
    let (files, diagnostics) = pool.install(|| load(&args.paths, true));
    let groups: Vec<_> = match args.host.is_empty() {
        true => Vec::new(),
        false => hosts_of(&files).into_iter().map(|h| h.group).collect(),
    };
    for name in &args.host {
        if !groups.iter().any(|g| g.answers_to(name)) {
            let near = closest(name, groups.iter().map(|g| g.name.as_str()), 5);
            return Err(UsageError(format!(
                "no host named '{name}' in the timeline{}",
                if near.is_empty() {
                    String::new()
                } else {
                    format!(" (closest: {})", near.join(", "))
                }
            ))
            .into());
        }
    }
    let entries = timeline(&files, &args.host);
    let window = TimeWindow {
        since: args.since,
        until: args.until,
    };
    let max_text = if args.max_text == 0 { usize::MAX } else { args.max_text };
    let mut output = Output::open(args.output.as_deref())?;
    let out = output.writer();
    for entry in entries.iter().filter(|e| window.contains(e.time)) {
        match args.format {
            TimelineFormat::Text => {
                writeln!(
                    out,
                    "{}  {:<10} {} {}  {}",
                    entry.time.labelled(),
                    printable(&entry.host),
                    printable(&entry.source),
                    printable(&entry.location.to_string()),
                    printable(&cut_text(&entry.text, max_text))
                )
            }
            TimelineFormat::Jsonl => write_json_line(&mut CappedJsonStrings::new(&mut *out, max_text), entry),
        }
        .context("writing the timeline")?;
    }
    output.finish()?;
    if !diagnostics.is_empty() {
        write_diagnostics(&diagnostics, TextStyle::Plain, &mut std::io::stderr().lock())?;
    }
    Ok(if diagnostics.iter().any(|d| d.level == DiagLevel::Error) {
        EXIT_INPUT
    } else {
        EXIT_OK
    })
}
