//! `exdoctor timeline <PATH>...`: every source merged in UTC order.

use std::io::{self, BufWriter, Write};

use anyhow::{Context, Result};

use super::capped_json::CappedJsonStrings;
use super::{TimelineArgs, TimelineFormat, EXIT_INPUT, EXIT_OK};
use crate::analysis::{load, timeline::timeline};
use crate::model::{cut_text, DiagLevel};
use crate::report::printable;
use crate::sources::write_json_line;

pub(super) fn run(args: &TimelineArgs) -> Result<u8> {
    let pool = super::thread_pool(args.threads)?;
    let (files, diagnostics) = pool.install(|| load(&args.paths, true));
    let entries = timeline(&files);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let max_text = if args.max_text == 0 { usize::MAX } else { args.max_text };
    for entry in entries
        .iter()
        .filter(|e| args.host.is_empty() || args.host.iter().any(|h| h.eq_ignore_ascii_case(&e.host)))
    {
        match args.format {
            TimelineFormat::Text => {
                writeln!(
                    out,
                    "{}  {:<10} {} {}  {}",
                    entry.time,
                    printable(&entry.host),
                    printable(&entry.source),
                    printable(&entry.location.to_string()),
                    printable(&cut_text(&entry.text, max_text))
                )
            }
            TimelineFormat::Jsonl => write_json_line(&mut CappedJsonStrings::new(&mut out, max_text), entry),
        }
        .context("writing the timeline")?;
    }
    out.flush()?;
    super::print_diagnostics(&diagnostics);
    Ok(if diagnostics.iter().any(|d| d.level == DiagLevel::Error) {
        EXIT_INPUT
    } else {
        EXIT_OK
    })
}
