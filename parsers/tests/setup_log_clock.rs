//! The clock of setup logs: the `Local time zone:` header offset, the
//! `$RoleInvocationID` measurement and the UTC/local verdict, on the 11 real corpus logs,
//! the 2007 samples and fabricated logs.

mod common;

use std::fs;
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use exdoctor_parsers::setup_log::{decode, parse_setup_log, utc_offset_minutes, Clock, ClockEvidence, SetupLog};

/// Per corpus log: header zone offset (standard, minutes east of UTC), and the
/// `$RoleInvocationID` line when there is one (grep -n RoleInvocationID: only these two
/// logs have it, each once, in the message of a depth-1 `Executing:` record).
const CORPUS: &[(&str, i32, Option<u32>)] = &[
    ("KnownIssues/ExchangeSetup-PrepareSchema-8245.log", -360, Some(769)),
    ("KnownIssues/ExchangeSetup_ADServiceNotStarted.log", -300, Some(274)),
    ("KnownIssues/ExchangeSetup_FIPS_AccessDenied.log", -360, None),
    ("KnownIssues/ExchangeSetup_Firewall_Endpoint.log", -300, None),
    ("KnownIssues/ExchangeSetup_Service_Disabled.log", -360, None),
    ("KnownIssues/MsiIssues/ExchangeSetup_MSI_1.log", -360, None),
    ("KnownIssues/MsiIssues/ExchangeSetup_MSI_3.log", -360, None),
    ("KnownIssues/VirtualDirectories/ExchangeSetup_Vdir_1.log", -360, None),
    ("PrerequisiteCheck/DCOutOfSite/ExchangeSetup_DC_Site_1.log", -300, None),
    ("PrerequisiteCheck/ExchangeSetup_AD_Prep_Reboot.log", -300, None),
    (
        "PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log",
        -480,
        None,
    ),
];

/// US daylight saving time (since 2007): second Sunday of March to first Sunday of
/// November, 02:00 local.
fn us_dst(local: NaiveDateTime) -> bool {
    let nth_sunday = |month: u32, n: u8| {
        NaiveDate::from_weekday_of_month_opt(local.year(), month, Weekday::Sun, n)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("a valid date")
    };
    local >= nth_sunday(3, 2) && local < nth_sunday(11, 1)
}

fn parse_file<T>(path: &Path, check: impl FnOnce(&SetupLog<'_>) -> T) -> T {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoded = decode(&bytes);
    check(&parse_setup_log(&decoded.text))
}

#[test]
fn corpus_measurements_equal_the_header_zone_with_daylight_saving() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let dir = corpus.join("setup-logs/css-exchange");
    for &(file, header_offset, invocation_line) in CORPUS {
        parse_file(&dir.join(file), |log| {
            assert_eq!(log.utc_offset_minutes(), Some(header_offset), "{file}");
            assert!(
                log.runs.iter().all(|r| r.header.setup_version_major() == Some(15)),
                "{file}"
            );
            let measured = log
                .runs
                .iter()
                .filter_map(|r| r.role_invocation.as_ref())
                .collect::<Vec<_>>();
            let Some(line) = invocation_line else {
                assert!(measured.is_empty(), "{file}");
                assert_eq!(
                    log.clock(),
                    Some(Clock::Utc {
                        evidence: ClockEvidence::Version { major: 15 }
                    }),
                    "{file}"
                );
                return;
            };
            assert_eq!(measured.len(), 1, "{file}");
            let m = measured[0];
            assert_eq!((m.line, m.record_line), (line, line), "{file}");
            let expected = header_offset + if us_dst(m.stamp) { 60 } else { 0 };
            assert_eq!(m.offset_minutes(), Some(expected), "{file}");
            assert_eq!(m.bracket_minus_stamp_minutes, Some(-expected), "{file}");
            assert_eq!(m.bracket_minus_stamp_seconds, Some(i64::from(-expected) * 60), "{file}");
            let verdict = Clock::Utc {
                evidence: ClockEvidence::RoleInvocationId {
                    line,
                    offset_minutes: expected,
                },
            };
            assert_eq!(log.last_run().and_then(|r| r.clock()), Some(verdict), "{file}");
            assert_eq!(log.clock(), Some(verdict), "{file}");
        });
    }
}

#[test]
fn corpus_measured_values() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let dir = corpus.join("setup-logs/css-exchange/KnownIssues");
    // January, Central Standard Time: bracket 23:18:46 UTC, stamp 17:18:46 local.
    parse_file(&dir.join("ExchangeSetup-PrepareSchema-8245.log"), |log| {
        let m = log.role_invocation().expect("measured");
        assert_eq!(m.value.to_string(), "20210108-17184604021904240707");
        assert_eq!(m.stamp.to_string(), "2021-01-08 17:18:46");
        assert_eq!(
            m.bracket_time.map(|t| t.to_string()).as_deref(),
            Some("2021-01-08 23:18:46")
        );
        assert_eq!(
            (m.bracket_minus_stamp_seconds, m.offset_minutes()),
            (Some(21_600), Some(-360))
        );
    });
    // March 21, 2024, Eastern Daylight Time: 4 hours, not the header's 5.
    parse_file(&dir.join("ExchangeSetup_ADServiceNotStarted.log"), |log| {
        let m = log.role_invocation().expect("measured");
        assert_eq!(m.stamp.to_string(), "2024-03-21 12:27:41");
        assert_eq!(
            m.bracket_time.map(|t| t.to_string()).as_deref(),
            Some("2024-03-21 16:27:41")
        );
        assert_eq!(
            (m.bracket_minus_stamp_seconds, m.offset_minutes()),
            (Some(14_400), Some(-240))
        );
        assert_eq!(log.utc_offset_minutes(), Some(-300));
    });
}

/// A minimal log: banner, start, version, optional zone, `extra` records, end.
fn fabricated(stamp_prefix: &str, version: &str, zone: Option<&str>, extra: &[String]) -> String {
    let mut lines = vec![
        format!("[{stamp_prefix}:00] [0] **********************************************"),
        format!("[{stamp_prefix}:00] [0] Starting Microsoft Exchange Server Setup"),
        format!("[{stamp_prefix}:00] [0] Setup version: {version}."),
    ];
    if let Some(zone) = zone {
        lines.push(format!("[{stamp_prefix}:00] [0] Local time zone: {zone}."));
    }
    lines.extend(extra.iter().cloned());
    lines.push(format!("[{stamp_prefix}:59] [0] End of Setup"));
    lines.join("\r\n")
}

#[test]
fn fabricated_2007_log_with_the_stamp_equal_to_its_bracket_is_local() {
    let text = fabricated(
        "30.11.2007 17:31",
        "08.01.0240.006",
        None,
        &["[30.11.2007 17:31:20] [1] Executing: $RoleInvocationID = '20071130-1731200000'".into()],
    );
    let log = parse_setup_log(text.as_bytes());
    let m = log.role_invocation().expect("measured");
    assert_eq!(
        (m.line, m.bracket_minus_stamp_seconds, m.offset_minutes()),
        (4, Some(0), Some(0))
    );
    let local = Some(Clock::Local {
        evidence: ClockEvidence::RoleInvocationId {
            line: 4,
            offset_minutes: 0,
        },
    });
    assert_eq!(log.clock(), local);
    assert_eq!(log.last_run().and_then(|r| r.clock()), local);

    // The same inside a script body: the line is the continuation line's.
    let text = fabricated(
        "30.11.2007 17:31",
        "08.01.0240.006",
        None,
        &[
            "[30.11.2007 17:31:20] [1] Executing: ".into(),
            "          $error.Clear();".into(),
            "          $RoleInvocationID = '20071130-173119';".into(),
        ],
    );
    let log = parse_setup_log(text.as_bytes());
    let m = log.role_invocation().expect("measured");
    assert_eq!((m.line, m.record_line, m.bracket_minus_stamp_seconds), (6, 4, Some(1)));
    assert!(log.clock().is_some_and(|c| !c.is_utc()));
}

#[test]
fn a_measurement_that_disagrees_with_the_version_wins() {
    // A 15.x log whose brackets are local time.
    let text = fabricated(
        "03/11/2021 15:43",
        "15.1.2106.2",
        Some("(UTC-06:00) Central Time (US & Canada)"),
        &["[03/11/2021 15:43:05.0713] [1] Executing: $RoleInvocationID = '20210311-154305'".into()],
    );
    let log = parse_setup_log(text.as_bytes());
    assert_eq!(
        log.clock(),
        Some(Clock::Local {
            evidence: ClockEvidence::RoleInvocationId {
                line: 5,
                offset_minutes: 0
            }
        })
    );
    // An 8.x log whose brackets are UTC (W. Europe, winter: +60).
    let text = fabricated(
        "30.11.2007 16:31",
        "08.01.0240.006",
        None,
        &["[30.11.2007 16:31:20] [1] Executing: $RoleInvocationID = '20071130-173120'".into()],
    );
    let log = parse_setup_log(text.as_bytes());
    assert_eq!(
        log.clock(),
        Some(Clock::Utc {
            evidence: ClockEvidence::RoleInvocationId {
                line: 4,
                offset_minutes: 60
            }
        })
    );
}

#[test]
fn without_the_line_the_version_decides() {
    for (version, clock) in [
        (
            "08.01.0240.006",
            Some(Clock::Local {
                evidence: ClockEvidence::Version { major: 8 },
            }),
        ),
        (
            "14.3.123.4",
            Some(Clock::Local {
                evidence: ClockEvidence::Version { major: 14 },
            }),
        ),
        (
            "15.2.792.3",
            Some(Clock::Utc {
                evidence: ClockEvidence::Version { major: 15 },
            }),
        ),
        ("unknown", None),
    ] {
        let text = fabricated("03/11/2021 15:43", version, None, &[]);
        let log = parse_setup_log(text.as_bytes());
        assert!(log.role_invocation().is_none());
        assert_eq!(log.clock(), clock, "{version}");
    }
}

#[test]
fn samples_2007_are_local_by_version_and_name_no_zone() {
    for host in [
        "sp1-interrupted",
        "healthy",
        "crl-stall",
        "prereq-gaps",
        "upgrade-order/EXMBX12",
    ] {
        let path = common::samples_dir()
            .join(host)
            .join("ExchangeSetupLogs/ExchangeSetup.log");
        parse_file(&path, |log| {
            assert_eq!(log.utc_offset_minutes(), None, "{host}");
            assert!(log.role_invocation().is_none(), "{host}");
            assert_eq!(
                log.clock(),
                Some(Clock::Local {
                    evidence: ClockEvidence::Version { major: 8 }
                }),
                "{host}"
            );
        });
    }
}

#[test]
fn header_offset_helper() {
    assert_eq!(utc_offset_minutes("(UTC-06:00) Central Time (US & Canada)"), Some(-360));
    assert_eq!(utc_offset_minutes("(GMT+01:00) Amsterdam, Berlin"), Some(60));
    assert_eq!(utc_offset_minutes("(UTC) Coordinated Universal Time"), Some(0));
    assert_eq!(utc_offset_minutes("Pacific Standard Time"), None);
}
