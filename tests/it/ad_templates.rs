//! What setup deleted in Active Directory, through the analyzer: the run summaries
//! (text, JSON, `parse`), the timeline mark, the `ad-templates-removed` rule (info after a
//! completed run, an error folded into the run's interruption or failure when the
//! templates were left deleted), and the organization's view across hosts.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use exdoctor::model::{Confidence, Finding, Location, Severity};
use exdoctor::rules::setup_log::{check_setup_log, SetupLogFile};
use exdoctor_parsers::setup_log::{decode, parse_setup_log};
use serde_json::Value;

/// The organization's configuration path of the seed article (`cn=MSXFAQ`, msxfaq.de).
const ORG: &str = "/dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing";

/// The seed article's line: two entries that lost the line break between them.
const SEED_LINE: &str = "[30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=0 [30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=1";

/// A 2007 SP1 upgrade run of EXMBX09: banner and header (lines 1-6), `install-MailboxRole`
/// begun (7), `Remove-AddressTemplates` begun (8), then `body`.
fn run_2007(body: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = [
        "[30.11.2007 17:12:03] [0] **********************************************",
        "[30.11.2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup",
        "[30.11.2007 17:12:03] [0] **********************************************",
        "[30.11.2007 17:12:03] [0] Setup version: 08.01.0240.006.",
        "[30.11.2007 17:12:03] [0] Command Line Parameter Name='mode', Value='Upgrade'.",
        "[30.11.2007 17:12:04] [0] Server Name=EXMBX09",
        "[30.11.2007 17:29:40] [1] Beginning processing install-MailboxRole",
        "[30.11.2007 17:31:22] [2] Beginning processing Remove-AddressTemplates",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    lines.extend(body.iter().cloned());
    lines
}

/// The seed line (line 9: it-IT twice), a `Deleting` de-DE details template and a
/// `Deleteting` en-US address template (lines 10, 11).
fn deletions() -> Vec<String> {
    vec![
        SEED_LINE.to_string(),
        format!("[30.11.2007 17:35:15] [2] Deleting DS object {ORG}/cn=Display-Templates/cn=407/cn=0"),
        format!("[30.11.2007 17:35:16] [2] Deleteting DS object {ORG}/cn=Address-Templates/cn=409"),
    ]
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const END_TASK: &str = "[30.11.2007 17:35:16] [2] Ending processing Remove-AddressTemplates";
const END_ROLE: &str = "[30.11.2007 17:40:00] [1] Ending processing install-MailboxRole";
const COMPLETED: &str = "[30.11.2007 17:40:01] [0] The Exchange Server setup operation completed successfully.";
const FAILED: &str = "[30.11.2007 17:40:01] [0] The Exchange Server setup operation didn't complete.";
const END_OF_SETUP: &str = "[30.11.2007 17:40:02] [0] End of Setup";

/// A completed run with [`deletions`] at lines 9-11.
fn completed_log() -> String {
    let mut body = deletions();
    body.extend(lines(&[END_TASK, END_ROLE, COMPLETED, END_OF_SETUP]));
    run_2007(&body).join("\n") + "\n"
}

/// The findings of the setup-log rules on a log's bytes.
fn findings_of_bytes(bytes: &[u8]) -> Vec<Finding> {
    let decoded = decode(bytes);
    let log = parse_setup_log(&decoded.text);
    check_setup_log(&SetupLogFile::new("ExchangeSetup.log", &log))
}

fn findings_of(text: &str) -> Vec<Finding> {
    findings_of_bytes(text.as_bytes())
}

fn rule<'f>(all: &'f [Finding], id: &str) -> Vec<&'f Finding> {
    all.iter().filter(|f| f.rule == id).collect()
}

fn lines_of(f: &Finding) -> Vec<u32> {
    f.evidence
        .iter()
        .filter_map(|e| match e.location {
            Location::Line(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn sample(relative: &str) -> String {
    common::samples_dir().join(relative).display().to_string()
}

fn analyze_json(path: &Path) -> Value {
    let out = common::exdoctor(&["analyze", &path.display().to_string(), "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("analyze --format json")
}

#[test]
fn completed_run_gives_one_info_finding_listing_the_locales() {
    let all = findings_of(&completed_log());
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = &all[0];
    assert_eq!(f.rule, "ad-templates-removed");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.confidence, Confidence::Low, "the consequences are inferred");
    assert_eq!(
        f.subject, "setup run 2007-11-30T17:12:03 ExchangeSetup.log",
        "the deleting run, as the run rules name it"
    );
    assert_eq!(
        f.title,
        "Setup replaced the details templates and 1 address template of 3 locales"
    );
    assert_eq!(
        f.summary,
        "Run 1 deleted 3 details templates and 1 address template of 3 locales of organization MSXFAQ (msxfaq.de) \
         at lines 9-11 (Remove-AddressTemplates) and completed: the templates of locales de-DE, en-US, it-IT were \
         replaced by the shipped ones. Customizations made with the Details Templates Editor are gone and must be \
         re-applied (inferred: the log shows the deletions, not the re-import)."
    );
    // First and last deletion lines with the counts per container, and the task's end.
    assert_eq!(lines_of(f), vec![9, 11, 12]);
    assert!(
        f.evidence[0].text.starts_with("Deleteting DS object /dc=de/dc=msxfaq/")
            && f.evidence[0]
                .text
                .ends_with("/cn=410/cn=0 (first of 4 deletions: Display-Templates 3, Address-Templates 1)"),
        "{}",
        f.evidence[0].text
    );
    assert!(f.evidence[1]
        .text
        .ends_with("/cn=Address-Templates/cn=409 (last of 4 deletions: Display-Templates 3, Address-Templates 1)"));
    assert_eq!(f.details["templates"], "replaced");
    assert_eq!(f.details["restored"], true);
    let deleted = &f.details["deleted"];
    assert_eq!(
        deleted["locales"],
        serde_json::json!({"de-DE": 1, "en-US": 1, "it-IT": 2})
    );
    assert_eq!(
        deleted["containers"],
        serde_json::json!({"Display-Templates": 3, "Address-Templates": 1})
    );
    assert_eq!(deleted["lines"], serde_json::json!([9, 11]));
    assert_eq!(deleted["tasks"], serde_json::json!(["Remove-AddressTemplates"]));
    assert_eq!(
        (deleted["organization"].as_str(), deleted["forest"].as_str()),
        (Some("MSXFAQ"), Some("msxfaq.de"))
    );
    assert!(
        f.remediation[0].contains("Details Templates Editor"),
        "{:?}",
        f.remediation
    );
}

#[test]
fn crlf_and_utf16_logs_give_the_same_finding() {
    let lf = findings_of(&completed_log());
    let crlf_text = completed_log().replace('\n', "\r\n");
    for (name, all) in [
        ("CRLF", findings_of(&crlf_text)),
        ("UTF-16LE", findings_of_bytes(&utf16le(&completed_log()))),
        ("UTF-16LE CRLF", findings_of_bytes(&utf16le(&crlf_text))),
    ] {
        assert_eq!(all.len(), 1, "{name}");
        assert_eq!(all[0].summary, lf[0].summary, "{name}");
        assert_eq!(all[0].evidence, lf[0].evidence, "{name}");
    }
}

#[test]
fn run_that_stops_right_after_deletions_is_one_interruption_naming_them() {
    let mut body = deletions();
    body.push("[30.11.2007 17:35:17] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=C0A/cn=0".into());
    let all = findings_of(&(run_2007(&body).join("\n") + "\n"));
    assert!(rule(&all, "ad-templates-removed").is_empty(), "folded: {all:#?}");
    let interrupted = rule(&all, "setup-interrupted");
    assert_eq!(interrupted.len(), 1, "{all:#?}");
    let f = interrupted[0];
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.summary.contains(
            "Run 1 deleted 4 details templates and 1 address template of 4 locales of organization MSXFAQ \
             (msxfaq.de) at lines 9-12 (Remove-AddressTemplates), and stopped before Remove-AddressTemplates \
             (line 8) ended. Templates deleted and not restored: run setup /PrepareAD again. Until then Outlook \
             shows no details or address templates for locales de-DE, en-US, it-IT, es-ES (inferred: the log \
             shows the deletions, not the re-import)."
        ),
        "{}",
        f.summary
    );
    assert!(
        f.summary.starts_with("The last setup run (mode Upgrade"),
        "{}",
        f.summary
    );
    // The interruption's own evidence (the unfinished tasks, the last line written), then
    // the first deletion; the deleting task's "never ended" line and the last deletion
    // (the last line written) are lines the interruption already cites, kept once.
    assert_eq!(lines_of(f), vec![7, 8, 12, 9]);
    assert!(
        f.evidence[2].text.contains("last line written") && f.evidence[2].text.contains("/cn=C0A/cn=0"),
        "{}",
        f.evidence[2].text
    );
    assert!(
        f.evidence[3]
            .text
            .contains("(first of 5 deletions: Display-Templates 4, Address-Templates 1)"),
        "{}",
        f.evidence[3].text
    );
    assert_eq!(f.details["templates"], "deleting-task-unfinished");
    assert!(
        f.references.iter().any(|r| r.contains("msxfaq.de")),
        "{:?}",
        f.references
    );
    assert_eq!(f.details["restored"], false);
    assert_eq!(f.details["deleted"]["total"], 5);
    let steps = f.remediation.join("\n");
    assert!(
        steps.contains("Run setup again in the same mode (setup.com /mode:upgrade)"),
        "{steps}"
    );
    assert!(
        steps.contains("Run setup.com /PrepareAD again from the same setup files (08.01.0240.006), as a member of Enterprise Admins"),
        "{steps}"
    );
    assert!(
        steps.contains("cn=Display-Templates,cn=Addressing,cn=MSXFAQ,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=msxfaq,dc=de holds a container per locale again"),
        "{steps}"
    );
}

#[test]
fn a_failed_run_after_deletions_folds_them_into_its_failure() {
    let mut body = deletions();
    body.extend(lines(&[
        "[30.11.2007 17:35:20] [2] [ERROR] The operation could not be performed because the server is busy.",
        FAILED,
        END_OF_SETUP,
    ]));
    let all = findings_of(&(run_2007(&body).join("\n") + "\n"));
    assert!(rule(&all, "ad-templates-removed").is_empty(), "{all:#?}");
    let failed = rule(&all, "setup-failed");
    assert_eq!(failed.len(), 1, "{all:#?}");
    assert!(
        failed[0].summary.contains("first error at line 12"),
        "{}",
        failed[0].summary
    );
    assert!(
        failed[0]
            .summary
            .contains("and stopped before Remove-AddressTemplates (line 8) ended. Templates deleted and not restored: run setup /PrepareAD again."),
        "{}",
        failed[0].summary
    );
    assert!(lines_of(failed[0]).contains(&9) && lines_of(failed[0]).contains(&11));
}

#[test]
fn a_known_error_that_explains_the_failure_takes_the_deletions_too() {
    let mut body = deletions();
    body.extend(lines(&[
        "[30.11.2007 17:35:20] [2] [ERROR] Database is mandatory on UserMailbox.",
        FAILED,
        END_OF_SETUP,
    ]));
    let all = findings_of(&(run_2007(&body).join("\n") + "\n"));
    let ids: Vec<String> = all.iter().map(|f| f.rule.to_string()).collect();
    assert_eq!(ids, vec!["missing-homemdb"], "{all:#?}");
    let f = &all[0];
    assert!(
        f.summary
            .contains("Templates deleted and not restored: run setup /PrepareAD again."),
        "{}",
        f.summary
    );
    assert!(f
        .remediation
        .iter()
        .any(|s| s.starts_with("Run setup.com /PrepareAD again")));
    assert_eq!(f.details["restored"], false);
}

#[test]
fn the_template_work_ended_before_a_later_failure_is_info_beside_it() {
    let mut body = deletions();
    body.extend(lines(&[
        END_TASK,
        END_ROLE,
        "[30.11.2007 17:41:00] [1] Beginning processing install-ClientAccessRole",
        "[30.11.2007 17:41:20] [1] [ERROR] The operation could not be performed because the server is busy.",
        FAILED,
        END_OF_SETUP,
    ]));
    let all = findings_of(&(run_2007(&body).join("\n") + "\n"));
    let templates = rule(&all, "ad-templates-removed");
    assert_eq!(templates.len(), 1, "{all:#?}");
    assert_eq!(templates[0].severity, Severity::Info);
    assert_eq!(templates[0].details["templates"], "work-ended");
    assert!(
        templates[0].summary.contains(
            "did not complete, but the task that deleted them and the work around it ended first: the templates of locales de-DE, en-US, it-IT were replaced"
        ),
        "{}",
        templates[0].summary
    );
    let failed = rule(&all, "setup-failed");
    assert_eq!(failed.len(), 1);
    assert!(!failed[0].summary.contains("PrepareAD"), "{}", failed[0].summary);
}

#[test]
fn the_deleting_task_ended_inside_a_role_that_never_did() {
    let mut body = deletions();
    body.extend(lines(&[
        END_TASK,
        "[30.11.2007 17:38:41] [2] Beginning processing start-SetupService",
    ]));
    let all = findings_of(&(run_2007(&body).join("\n") + "\n"));
    let f = rule(&all, "setup-interrupted");
    assert_eq!(f.len(), 1, "{all:#?}");
    assert_eq!(f[0].details["templates"], "enclosing-task-unfinished");
    assert!(
        f[0].summary.contains(
            "and stopped before install-MailboxRole (line 7), which the deletions ran in, ended; \
             Remove-AddressTemplates itself ended at line 12, but nothing in the log shows the shipped templates \
             were imported again. Templates deleted and not restored"
        ),
        "{}",
        f[0].summary
    );
    assert!(lines_of(f[0]).contains(&12), "the deleting task's end is evidence");
}

#[test]
fn later_runs_decide_whether_an_earlier_run_left_them_deleted() {
    let mut first = deletions();
    first.push("[30.11.2007 17:35:17] [2] Service checkpoint has progressed.".into());
    let stopped = run_2007(&first);
    let resumed = lines(&[
        "[01.12.2007 09:00:00] [0] Starting Microsoft Exchange Server 2007 Setup",
        "[01.12.2007 09:00:00] [0] Setup version: 08.01.0240.006.",
        "[01.12.2007 09:00:00] [0] Command Line Parameter Name='mode', Value='Upgrade'.",
        "[01.12.2007 09:30:00] [0] The Exchange Server setup operation completed successfully.",
        "[01.12.2007 09:30:01] [0] End of Setup",
    ]);
    let prepare = lines(&[
        "[01.12.2007 10:00:00] [0] Starting Microsoft Exchange Server 2007 Setup",
        "[01.12.2007 10:00:00] [0] Setup version: 08.01.0240.006.",
        "[01.12.2007 10:00:00] [0] ExSetup was started with the following command: '/PrepareAD'.",
        "[01.12.2007 10:00:00] [0] Command Line Parameter Name='preparead', Value=''.",
        "[01.12.2007 10:05:00] [0] The Exchange Server setup operation completed successfully.",
        "[01.12.2007 10:05:01] [0] End of Setup",
    ]);

    // Resumed in upgrade mode and completed: nothing re-ran PrepareAD.
    let text = [stopped.clone(), resumed.clone()].concat().join("\n") + "\n";
    let all = findings_of(&text);
    let f = rule(&all, "ad-templates-removed");
    assert_eq!(f.len(), 1, "standalone: the last run completed: {all:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].title,
        "Templates deleted and not restored: run setup /PrepareAD again"
    );
    assert!(
        f[0].summary
            .ends_with("The later runs (run 2, mode Upgrade, completed) did not run PrepareAD."),
        "{}",
        f[0].summary
    );

    let left_deleted_subject = f[0].subject.clone();

    // A completed /PrepareAD afterwards imported them again.
    let text = [stopped, resumed, prepare].concat().join("\n") + "\n";
    let all = findings_of(&text);
    let f = rule(&all, "ad-templates-removed");
    assert_eq!(f.len(), 1, "{all:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].subject, left_deleted_subject,
        "one deleting run, one problem, whatever later runs did"
    );
    assert!(
        f[0].summary
            .contains("stopped before the work around them ended, but run 3 (PrepareAD) completed afterwards"),
        "{}",
        f[0].summary
    );
    assert!(
        lines_of(f[0]).contains(&(12 + 5 + 5)),
        "the PrepareAD run's result line"
    );
}

#[test]
fn x500_and_malformed_paths_are_counted_and_diagnosed() {
    let dir = common::scratch("ad-templates-paths");
    let mut body = lines(&[
        "[30.11.2007 17:35:15] [2] Deleting DS object /o=MSXFAQ/ou=First Administrative Group/cn=Configuration/cn=Addressing/cn=Display-Templates/cn=409/cn=0",
        "[30.11.2007 17:35:15] [2] Deleting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn",
    ]);
    body.extend(lines(&[END_TASK, END_ROLE, COMPLETED, END_OF_SETUP]));
    let log = dir.join("ExchangeSetup.log");
    fs::write(&log, run_2007(&body).join("\r\n") + "\r\n").expect("write the log");
    let doc = analyze_json(&log);
    let run = &doc["hosts"][0]["sources"][0]["details"]["runs"][0];
    let deleted = &run["ad_changes"];
    assert_eq!(deleted["total"], 2);
    assert_eq!(deleted["malformed"], 1);
    assert_eq!(deleted["organizations"], serde_json::json!(["MSXFAQ"]));
    assert_eq!(
        deleted["forest"], "msxfaq.de",
        "from the second path: the first is X.500"
    );
    assert_eq!(deleted["by_locale"][0]["culture"], "en-US");
    assert_eq!(deleted["by_locale"][1]["lcid"], "410");
    let diagnostics = doc["diagnostics"].to_string();
    assert!(
        diagnostics.contains("malformed DS object path (component 10 has no '='), kept as text"),
        "{diagnostics}"
    );
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule"], "ad-templates-removed");
    assert!(finding["summary"]
        .as_str()
        .is_some_and(|s| s.contains("locales en-US, it-IT")));
}

#[test]
fn no_deletions_no_finding_and_no_summary() {
    let mut body = lines(&[END_TASK, END_ROLE, COMPLETED, END_OF_SETUP]);
    body.insert(
        0,
        "[30.11.2007 17:35:15] [2] Creating DS object /dc=de/dc=msxfaq/cn=x".into(),
    );
    assert!(findings_of(&(run_2007(&body).join("\n") + "\n")).is_empty());
    // Nor in any sample or corpus log but the interrupted upgrade's.
    let mut logs = vec![common::samples_dir()];
    logs.extend(common::corpus_dir().map(|c| c.join("setup-logs")));
    let doc: Value = {
        let mut args = vec![
            "analyze".to_string(),
            "--format".into(),
            "json".into(),
            "--quiet".into(),
        ];
        args.extend(logs.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        serde_json::from_slice(&common::exdoctor(&args).stdout).expect("JSON")
    };
    let with: Vec<String> = common::all_sources(&doc)
        .iter()
        .filter(|s| {
            s["details"]["runs"]
                .as_array()
                .is_some_and(|runs| runs.iter().any(|r| r.get("ad_changes").is_some()))
        })
        .map(|s| s["path"].as_str().unwrap_or_default().replace('\\', "/"))
        .collect();
    assert_eq!(with.len(), 1, "{with:?}");
    assert!(
        with[0].ends_with("sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log"),
        "{with:?}"
    );
    let findings = doc["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["rule"] == "ad-templates-removed"));
}

#[test]
fn sp1_interrupted_sample_reports_its_deletions_everywhere() {
    // The finding: the interruption holds the deletions (Remove-AddressTemplates ended at
    // 669, install-MailboxRole from 530 never did).
    let doc = analyze_json(&common::samples_dir().join("sp1-interrupted"));
    let findings = doc["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["rule"] == "ad-templates-removed"));
    let f = findings
        .iter()
        .find(|f| f["rule"] == "setup-interrupted")
        .expect("setup-interrupted");
    let summary = f["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains(
            "Run 1 deleted 73 details templates of 24 locales of organization BEISPIEL (beispiel.de) at lines \
             596-668 (Remove-AddressTemplates), and stopped before install-MailboxRole (line 530), which the \
             deletions ran in, ended; Remove-AddressTemplates itself ended at line 669"
        ),
        "{summary}"
    );
    assert!(summary.contains("run setup /PrepareAD again"), "{summary}");
    assert_eq!(f["details"]["deleted"]["total"], 73);
    assert_eq!(
        f["details"]["deleted"]["locales"].as_object().map(|l| l.len()),
        Some(24)
    );
    assert_eq!(f["details"]["deleted"]["locales"]["it-IT"], 4);
    assert_eq!(f["details"]["templates"], "enclosing-task-unfinished");
    let evidence: Vec<&str> = f["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["location"].as_str())
        .collect();
    for line in ["line 596", "line 668", "line 669"] {
        assert!(evidence.contains(&line), "{line}: {evidence:?}");
    }
    assert_eq!(evidence.iter().filter(|l| **l == "line 530").count(), 1);

    // The run summary: JSON and text.
    let setup = common::all_sources(&doc)
        .into_iter()
        .find(|s| s["kind"] == "setup_log")
        .expect("setup log");
    let deleted = &setup["details"]["runs"][0]["ad_changes"];
    assert_eq!(
        (deleted["first_line"].as_u64(), deleted["last_line"].as_u64()),
        (Some(596), Some(668))
    );
    assert_eq!(deleted["by_container"][0]["container"], "Display-Templates");
    assert_eq!(deleted["by_container"][0]["count"], 73);
    assert_eq!(deleted["by_locale"].as_array().map(Vec::len), Some(24));
    assert_eq!(deleted["tasks"][0]["name"], "Remove-AddressTemplates");
    assert_eq!(deleted["tasks"][0]["end_line"], 669);
    assert_eq!(deleted["unfinished_enclosing"][0]["name"], "install-MailboxRole");
    let text = common::stdout_text(&common::exdoctor(&["analyze", &sample("sp1-interrupted")]));
    assert!(
        text.contains(
            "deleted in Active Directory: 73 details templates of 24 locales (Remove-AddressTemplates, lines \
             596-668) at 2007-11-30 17:35:15+01:00, organization BEISPIEL (beispiel.de)"
        ),
        "{text}"
    );
    assert!(text.contains("per locale: ar-SA 3, zh-TW 3, "), "{text}");
    assert!(
        text.contains("inside install-MailboxRole (line 530), which never ended"),
        "{text}"
    );

    // The timeline mark, in UTC.
    let out = common::exdoctor(&["timeline", &sample("sp1-interrupted"), "--format", "jsonl"]);
    let mark: Vec<Value> = common::stdout_text(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["text"].as_str().is_some_and(|t| t.starts_with("setup deleted")))
        .collect();
    assert_eq!(mark.len(), 1);
    assert_eq!(
        mark[0]["text"],
        "setup deleted 73 details templates of 24 locales (organization BEISPIEL; Remove-AddressTemplates, lines 596-668)"
    );
    assert_eq!(mark[0]["location"], "line 596");
    assert_eq!(mark[0]["time"], "2007-11-30T16:35:15.000Z");

    // `parse`: the run line and one ad_change line per deletion.
    let out = common::exdoctor(&["parse", &sample("sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log")]);
    let records: Vec<Value> = common::stdout_text(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    let changes: Vec<&Value> = records.iter().filter(|r| r["type"] == "ad_change").collect();
    assert_eq!(changes.len(), 73);
    let first = changes[0];
    assert_eq!(first["line"], 596);
    assert_eq!(first["verb"], "Deleteting");
    assert_eq!(first["time"], "2007-11-30T17:35:15");
    assert_eq!(first["task"], "Remove-AddressTemplates");
    assert_eq!(first["organization"], "BEISPIEL");
    assert_eq!(first["forest"], "beispiel.de");
    assert_eq!(first["locale"]["culture"], "ar-SA");
    assert_eq!(
        first["dn"],
        "cn=0,cn=401,cn=Display-Templates,cn=Addressing,cn=BEISPIEL,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=beispiel,dc=de"
    );
    let run = records.iter().find(|r| r["type"] == "run").expect("run line");
    assert_eq!(run["ad_changes"]["total"], 73);
}

/// A second host of BEISPIEL (registry only), a host of another organization, and the
/// interrupted upgrade: the interruption names the host whose log holds the deletions
/// and the organization's other server, not the other organization's.
/// The `ad-templates-removed` findings of an analysis made across hosts (one per
/// organization: their summary opens with what PrepareAD is).
fn organization_findings(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "ad-templates-removed")
        .filter(|f| {
            f["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with("PrepareAD runs once per organization"))
        })
        .collect()
}

/// A fleet in `name`: the sp1-interrupted sample as EXMBX02 (organization BEISPIEL,
/// beispiel.de), the healthy one as EXMBX05 (contoso.com), and EXCAS21 of beispiel.de
/// (a registry export only).
pub(crate) fn organization_fleet(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    common::copy_dir(&common::samples_dir().join("sp1-interrupted"), &dir.join("EXMBX02"));
    common::copy_dir(&common::samples_dir().join("healthy"), &dir.join("EXMBX05"));
    fs::create_dir_all(dir.join("EXCAS21")).expect("dir");
    fs::write(
        dir.join("EXCAS21/windows.reg"),
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\"Hostname\"=\"EXCAS21\"\r\n\"Domain\"=\"beispiel.de\"\r\n",
    )
    .expect("write reg");
    dir
}

/// Adds EXMBX03 to a fleet of [`organization_fleet`]: EXMBX02's log, one week later.
pub(crate) fn add_later_deletions(dir: &Path) {
    let log = fs::read_to_string(dir.join("EXMBX02/ExchangeSetupLogs/ExchangeSetup.log")).expect("log");
    fs::create_dir_all(dir.join("EXMBX03/ExchangeSetupLogs")).expect("dir");
    fs::write(
        dir.join("EXMBX03/ExchangeSetupLogs/ExchangeSetup.log"),
        log.replace("EXMBX02", "EXMBX03").replace("30.11.2007", "07.12.2007"),
    )
    .expect("write log");
}

#[test]
fn in_a_fleet_the_organization_finding_names_its_hosts() {
    let dir = organization_fleet("ad-templates-fleet");
    let doc = analyze_json(&dir);
    let org = organization_findings(&doc);
    assert_eq!(org.len(), 1, "{org:#?}");
    let f = org[0];
    assert_eq!(
        (f["host"].as_str(), f["severity"].as_str(), f["confidence"].as_str()),
        (Some("EXMBX02"), Some("info"), Some("low"))
    );
    assert_eq!(
        f["title"],
        "Organization BEISPIEL: templates deleted by setup on EXMBX02 and not restored"
    );
    let summary = f["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains(
            "The log of EXMBX02 holds deletions of organization BEISPIEL (beispiel.de): 73 details templates of 24 \
             locales on 2007-11-30, left deleted. That run stopped before the shipped templates were imported again \
             (see the setup finding on EXMBX02)"
        ) && summary.ends_with("The organization's other servers in this analysis: EXCAS21."),
        "{summary}"
    );
    assert_eq!(f["details"]["other_servers"], serde_json::json!(["EXCAS21"]));
    assert_eq!(f["details"]["deleted_on"][0]["host"], "EXMBX02");
    assert_eq!(f["details"]["deleted_on"][0]["lines"], serde_json::json!([596, 668]));
    assert_eq!(f["details"]["deleted_on"][0]["restored"], false);
    assert_eq!(f["evidence"].as_array().map(Vec::len), Some(1));
    assert_eq!(f["evidence"][0]["location"], "line 596");
    assert!(f["remediation"][0]
        .as_str()
        .unwrap_or_default()
        .starts_with("Run setup.com /PrepareAD once for the organization"));
    // The host's own finding is the per-run one, untouched by the fleet.
    let interrupted = doc["findings"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["rule"] == "setup-interrupted"))
        .expect("setup-interrupted");
    assert!(!interrupted["summary"]
        .as_str()
        .unwrap_or_default()
        .contains("PrepareAD runs once"));

    // A second host with later deletions of the organization: one finding, on the host
    // of the latest, naming both.
    add_later_deletions(&dir);
    let doc = analyze_json(&dir);
    let org = organization_findings(&doc);
    assert_eq!(org.len(), 1, "{org:#?}");
    let f = org[0];
    assert_eq!(f["host"], "EXMBX03");
    let summary = f["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains(
            "The logs of EXMBX02 (2007-11-30, 73 details templates of 24 locales, left deleted) and EXMBX03 \
             (2007-12-07, 73 details templates of 24 locales, left deleted) hold deletions of organization BEISPIEL \
             (beispiel.de); the latest are EXMBX03's."
        ),
        "{summary}"
    );
    let hosts: Vec<&str> = f["details"]["deleted_on"]
        .as_array()
        .map(|d| d.iter().filter_map(|x| x["host"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(hosts, ["EXMBX02", "EXMBX03"]);
    assert_eq!(f["details"]["other_servers"], serde_json::json!(["EXCAS21"]));
    assert_eq!(f["evidence"].as_array().map(Vec::len), Some(2));
    assert_eq!(f["subject"], "organization BEISPIEL");
    // The fleet overview's line of the rule names the host of the organization finding.
    let text = common::stdout_text(&common::exdoctor(&["analyze", &dir.display().to_string()]));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("ad-templates-removed "))
        .unwrap_or_else(|| panic!("no overview line:\n{text}"));
    assert!(line.contains("INFO") && line.ends_with("1 host: EXMBX03"), "{line}");

    // Two hosts of the organization, the log of the other deleting host alone: still
    // one finding (no other server, but another host's deletions).
    fs::remove_dir_all(dir.join("EXCAS21")).expect("remove");
    let doc = analyze_json(&dir);
    let org = organization_findings(&doc);
    assert_eq!(org.len(), 1, "{org:#?}");
    assert_eq!(org[0]["details"]["other_servers"], serde_json::json!([]));

    // Alone, a host gains no organization finding.
    let alone = analyze_json(&dir.join("EXMBX02"));
    assert!(organization_findings(&alone).is_empty());
    let per_run: Vec<&Value> = alone["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "ad-templates-removed")
        .collect();
    assert!(per_run.is_empty(), "folded into setup-interrupted: {per_run:#?}");
}

#[test]
fn deletions_outside_any_task_of_a_stopped_run_are_left_deleted() {
    let text = [
        "[30.11.2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup".to_string(),
        format!("[30.11.2007 17:35:14] [2] Deleting DS object {ORG}/cn=Display-Templates/cn=409/cn=0"),
        "[30.11.2007 17:35:14] [2] Beginning processing Remove-AddressTemplates".to_string(),
        format!("[30.11.2007 17:35:15] [2] Deleting DS object {ORG}/cn=Display-Templates/cn=409/cn=1"),
        END_TASK.to_string(),
    ]
    .join("\n");
    let all = findings_of(&text);
    let f = rule(&all, "setup-interrupted");
    assert_eq!(f.len(), 1, "{all:#?}");
    assert!(
        f[0].summary.contains(
            "Run 1 deleted 2 details templates of 1 locale of organization MSXFAQ (msxfaq.de) at lines 2-4 \
             (outside any task, Remove-AddressTemplates), and stopped before it completed. Templates deleted and \
             not restored"
        ),
        "{}",
        f[0].summary
    );
    assert_eq!(f[0].details["templates"], "run-stopped");
}
