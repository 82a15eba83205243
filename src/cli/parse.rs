//! `exdoctor parse <FILE>`: the parsed records of one file as JSON lines.

use std::io::{self, BufWriter, Write};

use anyhow::{bail, Context, Result};

use super::capped_json::CappedJsonStrings;
use super::{ParseArgs, EXIT_INPUT, EXIT_OK};
use crate::ingest::{sniff, InputFile};
use crate::model::DiagLevel;
use crate::report::{write_diagnostics, TextStyle};
use crate::sources::write_records;

pub(super) fn run(args: &ParseArgs) -> Result<u8> {
    let input = InputFile::open(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(kind) = sniff(&name, input.bytes()) else {
        bail!(
            "{}: format not recognised (expected ExchangeSetup.log, .evtx, .evt, event XML/CSV export or .reg)",
            input.display()
        );
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let diagnostics = if args.max_text == 0 {
        write_records(&input.as_input(), kind, &mut out)?
    } else {
        let mut capped = CappedJsonStrings::new(&mut out, args.max_text);
        write_records(&input.as_input(), kind, &mut capped)?
    };
    out.flush()?;
    if !diagnostics.is_empty() {
        write_diagnostics(&diagnostics, TextStyle::Plain, &mut io::stderr().lock())?;
    }
    let unreadable = diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    Ok(if unreadable { EXIT_INPUT } else { EXIT_OK })
}
