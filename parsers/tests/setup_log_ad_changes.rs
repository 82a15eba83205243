//! AD objects deleted by setup (`Deleteting DS object <path>`): entries, DNs, locales,
//! the task they ran in, and the per-run summary, over LF, CRLF and UTF-16LE logs, the
//! seed article's line and the sp1-interrupted sample.

mod common;

use std::fs;

use exdoctor_parsers::setup_log::{
    decode, parse_setup_log, AdContainer, ContainerCount, LocaleCount, PathProblem, PathRoot, RunResult, SetupLog, Text,
};
use exdoctor_parsers::ParseError;

/// The seed article's log excerpt (line 81 of its text), verbatim: two entries that
/// lost the line break between them.
const SEED_LINE: &str = "[30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=0 [30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=1";

const SEED_PATH_0: &str = "/dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=0";
const SEED_DN_0: &str = "cn=0,cn=410,cn=Display-Templates,cn=Addressing,cn=MSXFAQ,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=msxfaq,dc=de";
const SEED_DN_1: &str = "cn=1,cn=410,cn=Display-Templates,cn=Addressing,cn=MSXFAQ,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=msxfaq,dc=de";

/// A 2007 upgrade run: header, `install-MailboxRole` and `Remove-AddressTemplates` begun
/// (lines 1..=8), `body` from line 9, then optionally both tasks' ends and the run's end.
fn log_2007(body: &[&str], ended: bool) -> String {
    let mut lines = vec![
        "[30.11.2007 17:12:03] [0] **********************************************",
        "[30.11.2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup",
        "[30.11.2007 17:12:03] [0] **********************************************",
        "[30.11.2007 17:12:03] [0] Setup version: 08.01.0240.006.",
        "[30.11.2007 17:29:40] [1] Beginning processing install-MailboxRole",
        "[30.11.2007 17:31:20] [1] Executing: ",
        "          Remove-AddressTemplates -DomainController $RoleDomainController",
        "[30.11.2007 17:31:22] [2] Beginning processing Remove-AddressTemplates",
    ];
    lines.extend_from_slice(body);
    if ended {
        lines.extend_from_slice(&[
            "[30.11.2007 17:35:16] [2] Ending processing Remove-AddressTemplates",
            "[30.11.2007 17:40:00] [1] Ending processing install-MailboxRole",
            "[30.11.2007 17:40:01] [0] The Exchange Server setup operation completed successfully.",
            "[30.11.2007 17:40:02] [0] End of Setup",
        ]);
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// (line, path, DN, LCID, task name) of one change.
type Facts = (u32, String, Option<String>, Option<u32>, Option<String>);

/// [`Facts`] of every change of the last run.
fn facts(log: &SetupLog<'_>) -> Vec<Facts> {
    let run = log.last_run().expect("a run");
    run.ad_changes
        .iter()
        .map(|c| {
            (
                c.line,
                c.path.to_string(),
                c.dn(),
                c.locale().map(|l| l.lcid),
                run.ad_change_task(c).map(|t| t.name.to_string()),
            )
        })
        .collect()
}

#[test]
fn seed_line_with_two_entries_gives_two_changes() {
    let text = log_2007(&[SEED_LINE], true);
    let log = parse_setup_log(text.as_bytes());
    let run = log.last_run().expect("a run");
    assert_eq!(run.ad_changes.len(), 2);
    let (a, b) = (&run.ad_changes[0], &run.ad_changes[1]);
    assert_eq!((a.line, b.line), (9, 9));
    assert_eq!(a.path, Text(SEED_PATH_0.as_bytes()));
    assert_eq!(a.dn().as_deref(), Some(SEED_DN_0));
    assert_eq!(b.dn().as_deref(), Some(SEED_DN_1));
    for c in [a, b] {
        assert_eq!(c.verb, Text(b"Deleteting"));
        assert_eq!(c.root(), PathRoot::Domain);
        assert_eq!(c.organization(), Some(Text(b"MSXFAQ")));
        assert_eq!(c.container(), Some(AdContainer::DisplayTemplates));
        let locale = c.locale().expect("locale");
        assert_eq!(
            (locale.text, locale.lcid, locale.culture),
            (Text(b"410"), 0x410, Some("it-IT"))
        );
        assert_eq!(c.timestamp_text, Text(b"30.11.2007 17:35:15"));
        assert_eq!(
            log.resolve(&c.time).map(|t| t.to_string()).as_deref(),
            Some("2007-11-30 17:35:15")
        );
        assert_eq!(c.problem, None);
        let task = run.ad_change_task(c).expect("task");
        assert_eq!(
            (task.name, task.begin_line, task.end_line),
            (Text(b"Remove-AddressTemplates"), 8, Some(10))
        );
    }
    let summary = run.ad_change_summary().expect("summary");
    assert_eq!(summary.total, 2);
    assert_eq!((summary.first_line, summary.last_line), (9, 9));
    assert!(!summary.unfinished);
    assert!(summary.unfinished_enclosing.is_empty());
    assert!(log.problems.is_empty(), "{:?}", log.problems);
}

#[test]
fn both_spellings_one_entry_per_line() {
    let text = log_2007(
        &[
            "[30.11.2007 17:35:15] [2] Deleteting DS object /dc=com/dc=contoso/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=Contoso/cn=Addressing/cn=Address-Templates/cn=409",
            "[30.11.2007 17:35:15] [2] Deleting DS object /dc=com/dc=contoso/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=Contoso/cn=Addressing/cn=Display-Templates/cn=407/cn=2",
        ],
        true,
    );
    let log = parse_setup_log(text.as_bytes());
    let run = log.last_run().expect("a run");
    let verbs: Vec<String> = run.ad_changes.iter().map(|c| c.verb.to_string()).collect();
    assert_eq!(verbs, ["Deleteting", "Deleting"]);
    assert_eq!(run.ad_changes[0].container(), Some(AdContainer::AddressTemplates));
    assert_eq!(run.ad_changes[0].locale().and_then(|l| l.culture), Some("en-US"));
    assert_eq!(
        run.ad_changes[1].dn().as_deref(),
        Some("cn=2,cn=407,cn=Display-Templates,cn=Addressing,cn=Contoso,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=contoso,dc=com")
    );
    assert_eq!(run.ad_changes[1].locale().and_then(|l| l.culture), Some("de-DE"));
    let summary = run.ad_change_summary().expect("summary");
    assert_eq!(
        summary.by_container,
        [
            ContainerCount {
                container: AdContainer::AddressTemplates,
                count: 1
            },
            ContainerCount {
                container: AdContainer::DisplayTemplates,
                count: 1
            }
        ]
    );
    assert_eq!(summary.organizations, [Text(b"Contoso")]);
}

#[test]
fn lf_crlf_and_utf16le_logs_give_the_same_changes() {
    let text = log_2007(
        &[
            SEED_LINE,
            "[30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=C0A/cn=0",
        ],
        false,
    );
    let lf = parse_setup_log(text.as_bytes());
    let expected = facts(&lf);
    assert_eq!(expected.len(), 3);
    assert_eq!(expected[2].0, 10);
    assert_eq!(expected[2].3, Some(0xC0A));
    assert_eq!(expected[2].4.as_deref(), Some("Remove-AddressTemplates"));

    let crlf = text.replace('\n', "\r\n");
    assert_eq!(facts(&parse_setup_log(crlf.as_bytes())), expected);
    // CRLF paths carry no `\r`.
    assert!(parse_setup_log(crlf.as_bytes())
        .last_run()
        .is_some_and(|r| r.ad_changes.iter().all(|c| !c.path.as_bytes().contains(&b'\r'))));

    for bom in [true, false] {
        for body in [text.clone(), crlf.clone()] {
            let bytes = utf16le(&body, bom);
            let decoded = decode(&bytes);
            let log = parse_setup_log(&decoded.text);
            assert_eq!(facts(&log), expected, "UTF-16LE, BOM {bom}");
        }
    }
}

#[test]
fn x500_path_is_kept_with_its_organization_and_dn() {
    let text = log_2007(
        &["[30.11.2007 17:35:15] [2] Deleting DS object /o=MSXFAQ/ou=First Administrative Group/cn=Configuration/cn=Addressing/cn=Display-Templates/cn=409/cn=0"],
        true,
    );
    let log = parse_setup_log(text.as_bytes());
    let c = &log.last_run().expect("run").ad_changes[0];
    assert_eq!(c.root(), PathRoot::Organization);
    assert_eq!(c.organization(), Some(Text(b"MSXFAQ")));
    assert_eq!(c.container(), Some(AdContainer::DisplayTemplates));
    assert_eq!(c.locale().map(|l| l.lcid), Some(0x409));
    assert_eq!(
        c.dn().as_deref(),
        Some("cn=0,cn=409,cn=Display-Templates,cn=Addressing,cn=Configuration,ou=First Administrative Group,o=MSXFAQ")
    );
}

#[test]
fn malformed_path_is_kept_as_text_with_a_diagnostic() {
    let text = log_2007(
        &[
            "[30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn",
            "[30.11.2007 17:35:15] [2] Deleting DS object /dc=de//cn=x",
        ],
        true,
    );
    let log = parse_setup_log(text.as_bytes());
    let run = log.last_run().expect("run");
    assert_eq!(run.ad_changes.len(), 2);
    let (a, b) = (&run.ad_changes[0], &run.ad_changes[1]);
    assert!(a.path.as_bytes().ends_with(b"/cn=410/cn"));
    assert_eq!(a.problem, Some(PathProblem::MissingEquals { index: 9 }));
    assert_eq!(a.dn(), None);
    // What the well-formed head of the path says survives.
    assert_eq!(a.organization(), Some(Text(b"MSXFAQ")));
    assert_eq!(a.locale().and_then(|l| l.culture), Some("it-IT"));
    assert_eq!(b.path, Text(b"/dc=de//cn=x"));
    assert_eq!(b.problem, Some(PathProblem::EmptyComponent { index: 1 }));
    assert_eq!(
        log.problems,
        [
            ParseError::Line {
                line: 9,
                message: "malformed DS object path (component 10 has no '='), kept as text: /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn".into()
            },
            ParseError::Line {
                line: 10,
                message: "malformed DS object path (component 2 is empty), kept as text: /dc=de//cn=x".into()
            },
        ]
    );
    assert_eq!(run.ad_change_summary().map(|s| s.malformed), Some(2));
}

#[test]
fn run_stopping_right_after_deletions_is_unfinished() {
    let text = log_2007(&[SEED_LINE], false);
    let log = parse_setup_log(text.as_bytes());
    let run = log.last_run().expect("run");
    assert_eq!(run.result, RunResult::Incomplete);
    let summary = run.ad_change_summary().expect("summary");
    assert_eq!(summary.total, 2);
    assert_eq!(summary.tasks.len(), 1);
    let task = summary.tasks[0];
    assert_eq!(task.name, Some(Text(b"Remove-AddressTemplates")));
    assert_eq!((task.begin_line, task.end_line, task.changes), (Some(8), None, 2));
    assert!(!task.ended());
    assert!(summary.unfinished);
    // The role task around it never ended either.
    let enclosing: Vec<String> = summary
        .unfinished_enclosing
        .iter()
        .map(|&i| run.tasks[i].name.to_string())
        .collect();
    assert_eq!(enclosing, ["install-MailboxRole"]);
}

#[test]
fn lines_without_ds_object_add_nothing() {
    let text = log_2007(
        &[
            "[30.11.2007 17:35:15] [2] Deleting file C:\\temp\\x.ldf",
            "[30.11.2007 17:35:15] [2] Removed DS object /dc=de/cn=x",
        ],
        true,
    );
    let log = parse_setup_log(text.as_bytes());
    assert!(log
        .last_run()
        .is_some_and(|r| r.ad_changes.is_empty() && r.ad_change_summary().is_none()));
}

#[test]
fn sp1_interrupted_sample_deletes_73_display_templates_in_24_locales() {
    let path = common::samples_dir().join("sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log");
    let bytes = fs::read(&path).expect("sample is readable");
    let decoded = decode(&bytes);
    let log = parse_setup_log(&decoded.text);
    assert_eq!(log.runs.len(), 1);
    let run = &log.runs[0];
    assert_eq!(run.ad_changes.len(), 73);
    assert!(run.ad_changes.iter().all(|c| c.verb == Text(b"Deleteting")
        && c.problem.is_none()
        && c.organization() == Some(Text(b"BEISPIEL"))
        && c.dn().is_some_and(|dn| dn.ends_with(",cn=Display-Templates,cn=Addressing,cn=BEISPIEL,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=beispiel,dc=de"))));
    let summary = run.ad_change_summary().expect("summary");
    assert_eq!(summary.total, 73);
    assert_eq!((summary.first_line, summary.last_line), (596, 668));
    assert_eq!(
        summary.by_container,
        [ContainerCount {
            container: AdContainer::DisplayTemplates,
            count: 73
        }]
    );
    // grep "DS object" | sed 's#.*cn=Display-Templates/cn=\([^/]*\)/.*#\1#' | sort | uniq -c
    let expected: &[(u32, &str, usize)] = &[
        (0x401, "ar-SA", 3),
        (0x404, "zh-TW", 3),
        (0x405, "cs-CZ", 3),
        (0x406, "da-DK", 3),
        (0x407, "de-DE", 3),
        (0x408, "el-GR", 3),
        (0x409, "en-US", 3),
        (0x40B, "fi-FI", 3),
        (0x40C, "fr-FR", 3),
        (0x40D, "he-IL", 3),
        (0x40E, "hu-HU", 3),
        (0x410, "it-IT", 4),
        (0x411, "ja-JP", 3),
        (0x412, "ko-KR", 3),
        (0x413, "nl-NL", 3),
        (0x414, "nb-NO", 3),
        (0x415, "pl-PL", 3),
        (0x416, "pt-BR", 3),
        (0x419, "ru-RU", 3),
        (0x41D, "sv-SE", 3),
        (0x41F, "tr-TR", 3),
        (0x804, "zh-CN", 3),
        (0x816, "pt-PT", 3),
        (0xC0A, "es-ES", 3),
    ];
    let expected: Vec<LocaleCount> = expected
        .iter()
        .map(|&(lcid, culture, count)| LocaleCount {
            lcid,
            culture: Some(culture),
            count,
        })
        .collect();
    assert_eq!(summary.by_locale, expected);
    assert_eq!((summary.without_locale, summary.malformed), (0, 0));
    assert_eq!(summary.organizations, [Text(b"BEISPIEL")]);
    assert_eq!(summary.tasks.len(), 1);
    let task = summary.tasks[0];
    assert_eq!(task.name, Some(Text(b"Remove-AddressTemplates")));
    assert_eq!(
        (task.begin_line, task.end_line, task.changes),
        (Some(595), Some(669), 73)
    );
    assert!(!summary.unfinished);
    // The Mailbox role task the deletions belong to never ended: the run stopped in it.
    let enclosing: Vec<(String, u32)> = summary
        .unfinished_enclosing
        .iter()
        .map(|&i| (run.tasks[i].name.to_string(), run.tasks[i].begin_line))
        .collect();
    assert_eq!(enclosing, [("install-MailboxRole".to_string(), 530)]);
    assert!(run.is_incomplete());
    assert!(log.problems.is_empty(), "{:?}", log.problems);
}

/// Touches everything a caller can reach from the deletions and the clock.
fn walk(bytes: &[u8]) {
    let decoded = decode(bytes);
    let log = parse_setup_log(&decoded.text);
    for run in &log.runs {
        for c in &run.ad_changes {
            assert!(c.line >= run.first_line && u64::from(c.line) <= log.lines.max(1));
            let _ = (c.dn(), run.ad_change_task(c), c.container().map(|k| k.to_string()));
            let _ = (c.root(), c.organization(), c.locale());
            if let Some(problem) = c.problem {
                assert!(c.dn().is_none(), "{problem}");
            }
        }
        if let Some(s) = run.ad_change_summary() {
            assert_eq!(s.total, run.ad_changes.len());
            assert!(s.first_line <= s.last_line);
            assert!(s.tasks.iter().map(|t| t.changes).sum::<usize>() == s.total);
        }
        let _ = (run.clock(), run.header.utc_offset_minutes());
    }
    let _ = (log.clock(), log.role_invocation(), log.utc_offset_minutes());
}

#[test]
fn every_truncation_and_mutation_of_deletion_lines_is_safe() {
    let text = log_2007(
        &[
            SEED_LINE,
            "[30.11.2007 17:35:15] [2] Deleting DS object /o=MSXFAQ/ou=AG/cn=Addressing/cn=Address-Templates/cn=FFFFFFFF/cn=0 Deleting DS object //",
            "[30.11.2007 17:35:16] [1] Executing: $RoleInvocationID = '20071130-173516'",
        ],
        false,
    );
    let bytes = text.as_bytes();
    for end in 0..=bytes.len() {
        walk(&bytes[..end]);
    }
    const INJECT: &[u8] = b"[]/=0123456789 .:\r\n\xff\x00DS object Deleteting";
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let mut copy = bytes.to_vec();
        for _ in 0..1 + next() % 6 {
            let at = (next() % copy.len() as u64) as usize;
            let b = INJECT[(next() % INJECT.len() as u64) as usize];
            match next() % 3 {
                0 => copy[at] = b,
                1 => copy.insert(at, b),
                _ => {
                    copy.remove(at);
                }
            }
        }
        walk(&copy);
    }
}
