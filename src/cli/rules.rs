//! `exdoctor rules [ID]`: the rule catalog, or one rule with its remediation.

use std::io::{self, Write};

use anyhow::Result;

use super::{RulesArgs, EXIT_INPUT, EXIT_OK};
use crate::model::UnknownRuleId;
use crate::rules::{catalog, rule};

pub(super) fn run(args: &RulesArgs) -> Result<u8> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match &args.id {
        None => {
            if args.json {
                serde_json::to_writer_pretty(&mut out, &catalog())?;
                writeln!(out)?;
            } else {
                for r in catalog() {
                    writeln!(out, "{:<36} {:<8} {}", r.id, r.severity.as_str(), r.title)?;
                }
            }
        }
        Some(id) => {
            let Some(r) = rule(id) else {
                eprintln!("exdoctor: {}", UnknownRuleId(id.clone()));
                return Ok(EXIT_INPUT);
            };
            if args.json {
                serde_json::to_writer_pretty(&mut out, r)?;
                writeln!(out)?;
                return Ok(EXIT_OK);
            }
            writeln!(
                out,
                "{}  ({})\n{}\n\n{}\n",
                r.id,
                r.severity.as_str(),
                r.title,
                r.description
            )?;
            writeln!(out, "Remediation:")?;
            for (i, step) in r.remediation.iter().enumerate() {
                writeln!(out, "  {}. {step}", i + 1)?;
            }
            if !r.references.is_empty() {
                writeln!(out, "\nReferences: {}", r.references.join("; "))?;
            }
        }
    }
    Ok(EXIT_OK)
}
