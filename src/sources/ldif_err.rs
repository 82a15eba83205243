//! ldifde error files (`ldif.err`), which Exchange's schema preparation writes beside
//! the setup log (`%TEMP%\ldif.err`): the entries the import could not write, with the
//! domain controller's error. The `ldifde-import-failed` finding of the setup log that
//! names the file takes them as evidence.

use std::io::{self, Write};

use exdoctor_parsers::ldif_err::parse_ldif_err;

use super::write_json_line;
use super::Input;
use crate::model::{Diagnostic, Facts, LdifErrFacts, LdifErrSummary, Loaded};
use crate::model::{SourceDetails, SourceKind, SourceSummary};

/// Reads one ldif.err: its failed entries.
pub fn load(input: &Input<'_>) -> Loaded {
    let mut summary = SourceSummary::new(input.display(), SourceKind::LdifErr);
    match parse_ldif_err(input.bytes()) {
        Ok(file) => {
            summary.records = file.entries.len() as u64;
            summary.details = SourceDetails::LdifErr(LdifErrSummary {
                encoding: file.encoding,
                entries: file.entries.clone(),
                entries_modified: file.entries_modified,
                program_error: file.program_error,
            });
            Loaded {
                summary,
                facts: Facts::LdifErr(LdifErrFacts { entries: file.entries }),
            }
        }
        Err(err) => {
            summary.diagnostics.push(Diagnostic::warning(
                input.display(),
                format!("not an ldifde error file: {err}"),
            ));
            Loaded {
                summary,
                facts: Facts::None,
            }
        }
    }
}

/// The failed entries as JSON lines.
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    match parse_ldif_err(input.bytes()) {
        Ok(file) => {
            for entry in &file.entries {
                write_json_line(out, entry)?;
            }
            Ok(Vec::new())
        }
        Err(err) => Ok(vec![Diagnostic::warning(
            input.display(),
            format!("not an ldifde error file: {err}"),
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const REAL_SHAPE: &str = "Entry DN: CN=ms-Exch-Coexistence-Domains,CN=Schema,CN=Configuration,DC=Solo,DC=local\r\n\
Add error on entry starting on line 78: Unwilling To Perform\r\n\r\n\
The server side error is: 0x20bb Schema update failed: duplicate OID.\r\n\r\n\
The extended server error is:\r\n\r\n\
000020BB: SvcErr: DSID-0326036D, problem 5003 (WILL_NOT_PERFORM), data 8379\r\n\r\n\r\n\
An error has occurred in the program\r\n";

    #[test]
    fn entries_become_summary_and_facts() {
        let input = Input::new(Path::new("ldif.err"), "ldif.err", REAL_SHAPE.as_bytes());
        let loaded = load(&input);
        assert_eq!((loaded.summary.kind, loaded.summary.records), (SourceKind::LdifErr, 1));
        let Facts::LdifErr(facts) = &loaded.facts else {
            panic!("{:?}", loaded.facts)
        };
        let entry = &facts.entries[0];
        assert_eq!(entry.ldif_line, Some(78));
        assert_eq!(
            entry.server_error.as_ref().and_then(|e| e.name()),
            Some("ERROR_DS_DUP_OID")
        );
        let mut out = Vec::new();
        assert!(write_records(&input, &mut out).is_ok_and(|d| d.is_empty()));
        assert_eq!(String::from_utf8_lossy(&out).lines().count(), 1);
    }
}
