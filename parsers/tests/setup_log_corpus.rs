//! The 11 real ExchangeSetup.log files of the shared corpus against their EXPECTED.md:
//! run counts, last result, setup version and mode, first error line numbers.

mod common;

use std::fs;
use std::path::Path;

use exdoctor_parsers::setup_log::{decode, parse_setup_log, RunResult};

/// One row of the EXPECTED.md table.
struct Expected {
    file: String,
    runs: usize,
    lines: u64,
    result: String,
    version: String,
}

fn expected_rows(dir: &Path) -> Vec<Expected> {
    let text = fs::read_to_string(dir.join("EXPECTED.md")).expect("EXPECTED.md is readable");
    text.lines()
        .filter(|l| l.starts_with("| ") && l.contains(".log"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let number = |s: &str| {
                s.split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("a number")
            };
            Expected {
                file: cells[0].to_string(),
                runs: number(cells[1]) as usize,
                lines: number(cells[2]),
                result: cells[3].to_string(),
                version: cells[4].to_string(),
            }
        })
        .collect()
}

/// First `[ERROR]` line of the last run, and the mode, checked independently with grep.
const FIRST_ERROR_AND_MODE: &[(&str, Option<u32>, &str)] = &[
    (
        "KnownIssues/ExchangeSetup-PrepareSchema-8245.log",
        Some(1629),
        "PrepareSchema",
    ),
    (
        "KnownIssues/ExchangeSetup_ADServiceNotStarted.log",
        Some(500),
        "Install",
    ),
    ("KnownIssues/ExchangeSetup_FIPS_AccessDenied.log", Some(107), "Upgrade"),
    ("KnownIssues/ExchangeSetup_Firewall_Endpoint.log", Some(94), "Install"),
    ("KnownIssues/ExchangeSetup_Service_Disabled.log", Some(115), "Upgrade"),
    ("KnownIssues/MsiIssues/ExchangeSetup_MSI_1.log", Some(104), "Upgrade"),
    ("KnownIssues/MsiIssues/ExchangeSetup_MSI_3.log", Some(75), "Install"),
    (
        "KnownIssues/VirtualDirectories/ExchangeSetup_Vdir_1.log",
        Some(76),
        "Upgrade",
    ),
    (
        "PrerequisiteCheck/DCOutOfSite/ExchangeSetup_DC_Site_1.log",
        None,
        "Upgrade",
    ),
    (
        "PrerequisiteCheck/ExchangeSetup_AD_Prep_Reboot.log",
        Some(24),
        "Upgrade",
    ),
    (
        "PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log",
        Some(828),
        "PrepareSchema",
    ),
];

#[test]
fn every_corpus_log_matches_expected_md() {
    let Some(corpus) = common::corpus_dir() else { return };
    let dir = corpus.join("setup-logs/css-exchange");
    let rows = expected_rows(&dir);
    assert_eq!(rows.len(), 11, "EXPECTED.md lists 11 logs");
    for row in &rows {
        let bytes = fs::read(dir.join(&row.file)).expect("corpus log is readable");
        let decoded = decode(&bytes);
        let log = parse_setup_log(&decoded.text);
        let name = &row.file;
        assert_eq!(log.runs.len(), row.runs, "{name}: runs");
        assert_eq!(log.lines, row.lines, "{name}: lines");
        assert!(log.problems.is_empty(), "{name}: {:?}", log.problems);
        let last = log.last_run().expect("a last run");
        assert_eq!(
            last.header.setup_version.map(|v| v.to_string()).as_deref(),
            Some(row.version.as_str()),
            "{name}"
        );
        let result = row.result.as_str();
        if result.starts_with("didn't complete") {
            assert_eq!(last.result, RunResult::Failed, "{name}: result");
            assert!(last.ended(), "{name}: End of Setup");
            if result.contains("critical stop") {
                assert!(last.critical_stop_line.is_some(), "{name}: critical stop");
            }
        } else if result.starts_with("critical stop") {
            assert_eq!(last.result, RunResult::CriticalStop, "{name}: result");
            assert!(!last.ended(), "{name}: no End of Setup");
        } else if result.starts_with("none") {
            assert_eq!(last.result, RunResult::Incomplete, "{name}: result");
            assert!(last.is_incomplete(), "{name}: incomplete");
        } else {
            panic!("{name}: unknown result text {result}");
        }
        let (_, first_error, mode) = FIRST_ERROR_AND_MODE
            .iter()
            .find(|(f, _, _)| f == name)
            .expect("first-error table covers the file");
        assert_eq!(last.first_error().map(|e| e.line), *first_error, "{name}: first error");
        assert_eq!(last.header.mode().as_deref(), Some(*mode), "{name}: mode");
    }
}

fn parse_corpus_file(relative: &str, check: impl FnOnce(&exdoctor_parsers::setup_log::SetupLog<'_>)) {
    let Some(corpus) = common::corpus_dir() else { return };
    let bytes = fs::read(corpus.join("setup-logs/css-exchange").join(relative)).expect("readable");
    let decoded = decode(&bytes);
    let log = parse_setup_log(&decoded.text);
    check(&log);
}

#[test]
fn invalid_mode_first_run_is_its_own_17_line_run() {
    parse_corpus_file("PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log", |log| {
        let first = &log.runs[0];
        assert_eq!(first.first_line, 1);
        assert_eq!(first.end_of_setup_line, Some(17));
        assert_eq!(first.last_line, 18, "closing banner belongs to the run");
        assert_eq!(first.result, RunResult::Failed);
        assert_eq!(first.errors.len(), 1);
        assert_eq!(
            first.errors[0].message.to_string(),
            "The mode 'prepareschema' is not a valid mode."
        );
        assert_eq!(
            first.header.command_line.map(|c| c.to_string()).as_deref(),
            Some("/mode:prepareschema /IAcceptExchangeServerLicenseTerms /sourcedir:D:\"")
        );
        let second = &log.runs[1];
        assert_eq!(second.first_line, 19, "second run starts at its own banner");
        assert_eq!(second.header.schema_update_required, Some(true));
        assert_eq!(second.header.organization_update_required, Some(true));
        assert_eq!(
            second.header.domain_controller.map(|d| d.to_string()).as_deref(),
            Some("Solo-DC1.Solo.com")
        );
        assert_eq!(second.header.user.map(|d| d.to_string()).as_deref(), Some("SOLO\\Han"));
        assert_eq!(
            second.header.time_zone.map(|d| d.to_string()).as_deref(),
            Some("(UTC-08:00) Pacific Time (US & Canada)")
        );
        let value = |name: &str| second.setting(name).map(|e| e.value.to_string()).collect::<Vec<_>>();
        assert_eq!(value("SchemaAdmin"), ["True"]);
        assert_eq!(value("EnterpriseAdmin"), ["False"]);
    });
}

#[test]
fn prerequisite_failures_resume_markers_and_references() {
    parse_corpus_file("PrerequisiteCheck/DCOutOfSite/ExchangeSetup_DC_Site_1.log", |log| {
        let run = &log.runs[0];
        assert_eq!(run.failed_rules.len(), 1);
        let rule = &run.failed_rules[0];
        assert_eq!(
            (rule.line, rule.name.to_string().as_str()),
            (538, "DomainControllerIsOutOfSite")
        );
        assert!(rule
            .help_url
            .is_some_and(|u| u.contains("ms.exch.setupreadiness.DomainControllerIsOutOfSite")));
        assert!(run
            .readiness
            .iter()
            .any(|r| r.message.contains("belongs to Active Directory site ''")));
        assert_eq!(
            run.header.backup_version.map(|v| v.to_string()).as_deref(),
            Some("15.0.1395.4")
        );
    });
    parse_corpus_file("PrerequisiteCheck/ExchangeSetup_AD_Prep_Reboot.log", |log| {
        let failed: Vec<String> = log.runs[0]
            .failed_evaluations()
            .iter()
            .map(|e| e.name.to_string())
            .collect();
        for rule in [
            "PendingRebootWindowsComponents",
            "ProcessNeedsToBeClosedOnUpgrade",
            "MSDTCStopped",
            "IisUrlRewriteNotInstalled",
        ] {
            assert!(
                failed.iter().any(|f| f.eq_ignore_ascii_case(rule)),
                "{rule} in {failed:?}"
            );
        }
    });
    parse_corpus_file("KnownIssues/ExchangeSetup_ADServiceNotStarted.log", |log| {
        let run = &log.runs[0];
        let resume = run.resume.expect("resumed run");
        assert_eq!(resume.line, 292);
        assert_eq!(resume.previous_action.to_string(), "Install");
        assert_eq!(
            resume.task_id.map(|t| t.to_string()).as_deref(),
            Some("AllADRolesCommonServiceControl___ee47ab1c06fb47919398e2e95ed99c6c")
        );
        let block = &run.error_blocks[run.first_error().and_then(|e| e.block).expect("error in a block")];
        let reference = block.reference.expect("ERROR-REFERENCE closes the block");
        assert!(reference.id.starts_with("AllADRolesCommonServiceControl___ee47"));
        assert_eq!((block.first_line, block.last_line, block.errors), (500, 551, 4));
        let context = log.slice(block.start, block.end);
        assert!(
            context.contains("System.Exception: Unable to set shared config DC."),
            "continuations are context"
        );
        // The inner cause is logged before the first [ERROR], inside the run.
        let run_text = log.slice(run.start_offset, run.end_offset);
        assert!(run_text
            .contains("Topology Provider coundn't find the Microsoft Exchange Active Directory Topology service"));
    });
    parse_corpus_file("KnownIssues/ExchangeSetup_Firewall_Endpoint.log", |log| {
        let run = &log.runs[0];
        // The 10/01/2020 line inside the 03/05/2021 run: backward step, no false gap.
        assert!(run.backward_steps >= 1);
        assert!(run.gaps.iter().all(|g| g.seconds < 86_400), "{:?}", run.gaps);
        let unfinished: Vec<String> = run.unfinished_tasks().map(|t| t.name.to_string()).collect();
        assert!(unfinished.contains(&"install-UMService".to_string()), "{unfinished:?}");
    });
}

#[test]
fn evaluations_carry_the_rule_type_of_their_started_line() {
    let text = "[12/19/2020 04:16:40.0000] [0] **********************************************\r\n\
[12/19/2020 04:16:40.0000] [0] Starting Microsoft Exchange Server 2016 Setup\r\n\
[12/19/2020 04:16:49.0614] [1] Started [Rule:NoConnectorToStar] [Parent:RootAnalysisMember] [RuleType:Warning]\r\n\
[12/19/2020 04:16:49.0615] [1] Started [Rule:GlobalServerInstall] [Parent:RootAnalysisMember] [RuleType:Error]\r\n\
[12/19/2020 04:16:49.0634] [1] Evaluated [Rule:NoConnectorToStar] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:5] [Duration:00:00:00.0200075]\r\n\
[12/19/2020 04:16:49.0635] [1] Evaluated [Rule:GlobalServerInstall] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:6] [Duration:00:00:00.0200075]\r\n\
[12/19/2020 04:16:49.0636] [1] Evaluated [Rule:NeverStarted] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:6] [Duration:00:00:00.0200075]\r\n";
    let log = parse_setup_log(text.as_bytes());
    let types: Vec<(String, Option<String>, bool)> = log.runs[0]
        .evaluations
        .iter()
        .map(|e| {
            (
                e.name.to_string(),
                e.rule_type.map(|t| t.to_string()),
                e.is_warning_rule(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("NoConnectorToStar".to_string(), Some("Warning".to_string()), true),
            ("GlobalServerInstall".to_string(), Some("Error".to_string()), false),
            ("NeverStarted".to_string(), None, false),
        ]
    );
    parse_corpus_file("PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log", |log| {
        let run = log.runs.last().expect("runs");
        let typed = |name: &str| {
            run.evaluations
                .iter()
                .find(|e| e.name.as_bytes() == name.as_bytes())
                .and_then(|e| e.rule_type)
                .map(|t| t.to_string())
        };
        assert_eq!(typed("SchemaUpdateRequired").as_deref(), Some("Error"));
        assert_eq!(typed("NoE15ServerWarning").as_deref(), Some("Warning"));
    });
}
