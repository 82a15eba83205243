//! The project's own sample setup logs: every timestamp culture and the scenarios the
//! rules build on (interrupted upgrade, readiness failure, healthy run, CRL stall).

use crate::common;

use std::fs;

use exdoctor_parsers::setup_log::{decode, parse_setup_log, RunResult, SetupLog, Tag};
use exdoctor_parsers::timestamp::{DateOrder, OrderReason};

fn with_sample(relative: &str, check: impl FnOnce(&SetupLog<'_>)) {
    let path = common::samples_dir()
        .join(relative)
        .join("ExchangeSetupLogs/ExchangeSetup.log");
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoded = decode(&bytes);
    let log = parse_setup_log(&decoded.text);
    check(&log);
}

fn local(log: &SetupLog<'_>, ts: &exdoctor_parsers::timestamp::RawTimestamp) -> String {
    log.resolve(ts)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[test]
fn german_sp1_upgrade_interrupted_in_the_mailbox_role() {
    with_sample("sp1-interrupted", |log| {
        assert_eq!(
            (log.date_order, log.order_reason),
            (DateOrder::DayFirst, OrderReason::FirstFieldAbove12)
        );
        assert_eq!(log.runs.len(), 1);
        let run = &log.runs[0];
        assert_eq!(run.result, RunResult::Incomplete);
        assert!(run.is_incomplete());
        assert_eq!(run.product.map(|p| p.to_string()).as_deref(), Some("2007"));
        assert_eq!(
            run.header.setup_version.map(|v| v.to_string()).as_deref(),
            Some("08.01.0240.006")
        );
        assert_eq!(run.header.mode().as_deref(), Some("Upgrade"));
        assert_eq!(
            run.header.installation_mode.map(|v| v.to_string()).as_deref(),
            Some("BuildToBuildUpgrade")
        );
        assert_eq!(
            run.header.user.map(|v| v.to_string()).as_deref(),
            Some("BEISPIEL\\Administrator")
        );
        assert_eq!(
            run.header.domain_controller.map(|v| v.to_string()).as_deref(),
            Some("dc01.beispiel.de")
        );
        assert_eq!(local(log, &run.first_time.expect("start")), "2007-11-30 17:12:03");
        assert_eq!(local(log, &run.last_time.expect("end")), "2007-11-30 17:38:47");
        let unfinished: Vec<(String, u8)> = run.unfinished_tasks().map(|t| (t.name.to_string(), t.depth)).collect();
        assert_eq!(
            unfinished,
            [
                ("install-MailboxRole".to_string(), 1),
                ("start-SetupService".to_string(), 2)
            ]
        );
        let mailbox = run.unfinished_tasks().next().expect("mailbox task");
        assert_eq!(local(log, &mailbox.begin), "2007-11-30 17:29:40");
        let finished: Vec<String> = run
            .tasks
            .iter()
            .filter(|t| t.depth == 1 && t.end_line.is_some())
            .map(|t| t.name.to_string())
            .collect();
        assert!(
            finished.contains(&"install-BridgeheadRole".to_string())
                && finished.contains(&"install-ClientAccessRole".to_string())
        );
        let deletions: Vec<_> = log
            .records()
            .filter(|r| r.message.starts_with("Deleteting DS object /dc=de/dc=beispiel/"))
            .collect();
        assert_eq!(deletions.len(), 73);
        assert!(deletions
            .iter()
            .all(|r| r.depth == 2 && r.timestamp_text.to_string() == "30.11.2007 17:35:15"));
        assert!(run.errors.is_empty());
        assert_eq!(run.warnings.len(), 1);
    });
}

#[test]
fn us_english_readiness_failure_in_two_runs_with_12_hour_times() {
    with_sample("prereq-gaps", |log| {
        assert_eq!(log.date_order, DateOrder::MonthFirst);
        assert_eq!(log.runs.len(), 2);
        let (first, last) = (&log.runs[0], &log.runs[1]);
        assert_eq!((first.first_line, first.last_line, last.first_line), (1, 98, 99));
        assert_eq!(
            first.header.mode().as_deref(),
            Some("Install"),
            "GUI run: mode from the installation-mode line"
        );
        assert_eq!(
            last.header.parameter("roles").map(|r| r.to_string()).as_deref(),
            Some("ca,ht")
        );
        assert_eq!(local(log, &last.first_time.expect("start")), "2008-01-14 09:31:02");
        assert!(first.gaps.is_empty(), "the pause between runs is not a gap of run 1");
        assert_eq!(last.result, RunResult::Failed);
        assert!(last.critical_stop_line.is_some());
        assert_eq!(last.first_error().map(|e| e.line), Some(191));
        let readiness: Vec<(Tag, bool)> = last
            .readiness
            .iter()
            .map(|r| (r.tag, r.message.contains("setup cannot continue because")))
            .collect();
        assert_eq!(
            readiness,
            [
                (Tag::Warning, false),
                (Tag::Error, true),
                (Tag::Error, true),
                (Tag::Error, true)
            ]
        );
        assert!(last.readiness[0].message.contains("single-label DNS name"));
        assert!(last.readiness[2]
            .message
            .contains("Windows PowerShell 1.0 is not installed"));
    });
}

#[test]
fn healthy_en_gb_run_across_midnight_is_day_first_by_continuity() {
    with_sample("healthy", |log| {
        assert_eq!(
            (log.date_order, log.order_reason),
            (DateOrder::DayFirst, OrderReason::Continuity)
        );
        let run = &log.runs[0];
        assert_eq!(run.result, RunResult::Completed);
        assert_eq!(local(log, &run.first_time.expect("start")), "2008-06-05 23:20:11");
        assert_eq!(local(log, &run.last_time.expect("end")), "2008-06-06 00:41:03");
        assert_eq!(run.errors.len(), 1, "one benign error");
        assert!(run.errors[0].ignored, "followed by IGNORING PREVIOUS ERRORS");
        assert!(run.first_error().is_none());
        assert!(run.errors[0]
            .continuation
            .contains("at System.ServiceProcess.ServiceController.GenerateNames()"));
        assert!(run.gaps.iter().all(|g| g.seconds < 600), "{:?}", run.gaps);
        assert_eq!(run.unfinished_tasks().count(), 0);
        assert_eq!(run.backward_steps, 0);
    });
}

#[test]
fn danish_crl_stall_has_the_long_gaps() {
    with_sample("crl-stall", |log| {
        assert_eq!(log.date_order, DateOrder::DayFirst);
        let run = &log.runs[0];
        assert_eq!(run.result, RunResult::Completed);
        assert_eq!(run.backward_steps, 0);
        let long: Vec<i64> = run
            .gaps
            .iter()
            .filter(|g| g.seconds >= 10 * 60)
            .map(|g| g.seconds / 60)
            .collect();
        assert_eq!(long, [33, 13, 24, 19, 16, 17, 15, 16]);
        let before = |minutes: i64| {
            let gap = run.gaps.iter().find(|g| g.seconds / 60 == minutes).expect("gap");
            log.records()
                .find(|r| r.line == gap.after_line)
                .expect("record before the gap")
                .message
                .to_string()
        };
        assert_eq!(
            before(33),
            "Waiting for service 'MSExchangeADTopology' to reach status 'Running'."
        );
        assert!(before(13).contains("ngen.exe"), "{}", before(13));
    });
}

#[test]
fn mailbox_sp1_upgrade_completed() {
    with_sample("upgrade-order/EXMBX12", |log| {
        let run = &log.runs[0];
        assert_eq!(run.result, RunResult::Completed);
        assert_eq!(run.header.mode().as_deref(), Some("Upgrade"));
        assert_eq!(
            run.header.roles_installed.map(|r| r.to_string()).as_deref(),
            Some("MailboxRole AdminToolsRole")
        );
    });
}

#[test]
fn parse_prints_file_runs_and_every_record_as_jsonl() {
    let path = common::samples_dir().join("sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log");
    let output = common::exdoctor(&["parse", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = common::stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines[0]["type"], "file");
    assert_eq!(lines[0]["date_order"], "day-first");
    assert_eq!(lines[1]["type"], "run");
    assert_eq!(lines[1]["result"], "incomplete");
    assert_eq!(lines[1]["unfinished_tasks"][0]["name"], "install-MailboxRole");
    let records: Vec<_> = lines.iter().filter(|l| l["type"] == "record").collect();
    assert_eq!(records.len() as u64, lines[0]["records"].as_u64().expect("count"));
    assert_eq!(records[0]["time"], "2007-11-30T17:12:03");
    let executing = records
        .iter()
        .find(|r| r["message"] == "Executing: ")
        .expect("an Executing record");
    assert!(executing["continuation"]
        .as_str()
        .is_some_and(|c| c.contains("if ($RoleIsDatacenter")));
}
