//! Archive reading on hand-made archives: the shapes a zip library would hide or
//! choke on (names listed twice, overlapping members, lying sizes, bombs, nesting).

use exdoctor_samples::hostile::{gzip, raw_zip as zip, RawMember as Raw};

use super::*;
use crate::model::DiagLevel;

const LOG: &[u8] = b"[1/1/2008 1:00:00 AM] [0] x\r\n";
const REG: &[u8] = b"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n";

/// A member handed on: path (its components joined with `/`), path shown, bytes.
type Opened = (String, String, Vec<u8>);

/// A path as its components joined with `/`: the same on every platform, and a name
/// holding a `\` stays one component where `\` is no separator.
fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A shown path or message with the separators Windows writes as `/` (member names
/// never hold a `\`: it separates their folders).
fn shown(text: &str) -> String {
    text.replace('\\', "/")
}

/// Members handed on and diagnostics (shown path: message).
fn open_with(limits: &Limits, name: &str, bytes: &[u8]) -> (Vec<Opened>, Vec<String>) {
    let mut members = Vec::new();
    let diagnostics = unpack(limits, Path::new(name), name, bytes, true, &mut |input| {
        members.push((slashed(input.path()), shown(input.display()), input.bytes().to_vec()));
    });
    let diagnostics = diagnostics
        .iter()
        .map(|d| shown(&format!("{}: {}", d.path, d.message)))
        .collect();
    (members, diagnostics)
}

fn open(name: &str, bytes: &[u8]) -> (Vec<Opened>, Vec<String>) {
    open_with(&Limits::default(), name, bytes)
}

#[test]
fn members_are_read_in_memory_under_the_archive_name() {
    let bytes = zip(&[
        Raw::deflated("EX01/ExchangeSetupLogs/ExchangeSetup.log", LOG),
        Raw::stored("../evil.reg", REG),
        Raw::stored("EX01\\registry\\exchange.reg", REG),
        Raw::stored("EX01/notes.txt", b"just notes"),
        Raw::stored("EX01/", b""),
    ]);
    assert!(is_zip(&bytes));
    let (members, diags) = open("bundle.zip", &bytes);
    let paths: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "bundle.zip/EX01/ExchangeSetupLogs/ExchangeSetup.log",
            "bundle.zip/EX01/registry/exchange.reg"
        ]
    );
    assert_eq!(members[0].2, LOG);
    assert_eq!(diags, ["bundle.zip: member '../evil.reg' skipped: unsafe path"]);
}

#[test]
fn backslash_names_are_folders_and_drive_or_share_names_are_unsafe() {
    // Windows PowerShell 5.1's Compress-Archive writes `EX01\Logs\...` member names.
    let bytes = zip(&[
        Raw::stored(r"EX01\ExchangeSetupLogs\ExchangeSetup.log", LOG),
        Raw::stored(r"C:\evil.reg", REG),
        Raw::stored(r"\\server\share\evil.reg", REG),
        Raw::stored("EX01/evil.reg:stream", REG),
    ]);
    let (members, diags) = open("bundle.zip", &bytes);
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, "bundle.zip/EX01/ExchangeSetupLogs/ExchangeSetup.log");
    assert_eq!(members[0].1, "bundle.zip/EX01/ExchangeSetupLogs/ExchangeSetup.log");
    assert_eq!(
        diags,
        [
            "bundle.zip: member 'C:/evil.reg' skipped: unsafe path",
            "bundle.zip: member '//server/share/evil.reg' skipped: unsafe path",
            "bundle.zip: member 'EX01/evil.reg:stream' skipped: unsafe path",
        ]
    );
}

#[test]
fn a_damaged_archive_is_an_error() {
    let mut bytes = zip(&[Raw::deflated("a.log", LOG)]);
    bytes.truncate(bytes.len() / 2);
    let mut members = 0;
    let diags = unpack(
        &Limits::default(),
        Path::new("broken.zip"),
        "broken.zip",
        &bytes,
        true,
        &mut |_| members += 1,
    );
    assert_eq!(members, 0);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].level, DiagLevel::Error);
    assert!(
        diags[0].message.starts_with("not a readable zip archive"),
        "{}",
        diags[0].message
    );
}

#[test]
fn a_name_listed_twice_is_read_twice() {
    let other = b"[1/2/2008 1:00:00 AM] [0] y\r\n";
    let bytes = zip(&[
        Raw::deflated("EX01/ExchangeSetup.log", LOG),
        Raw::deflated("EX01/ExchangeSetup.log", other),
    ]);
    let (members, diags) = open("b.zip", &bytes);
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].1, "b.zip/EX01/ExchangeSetup.log");
    assert_eq!(
        members[1].0, "b.zip/EX01/ExchangeSetup.log",
        "same path: same host folder, same format hints"
    );
    assert_eq!(members[1].1, "b.zip/EX01/ExchangeSetup.log~2");
    assert_eq!(
        (members[0].2.as_slice(), members[1].2.as_slice()),
        (LOG, other.as_slice())
    );
    assert_eq!(
        diags,
        ["b.zip/EX01/ExchangeSetup.log~2: the archive lists 'EX01/ExchangeSetup.log' 2 times; this copy is analysed as b.zip/EX01/ExchangeSetup.log~2"]
    );
}

#[test]
fn nested_zips_are_opened_stored_or_deflated_never_read_as_logs() {
    let inner = zip(&[Raw::stored("EX02/ExchangeSetup.log", LOG)]);
    let deflated_inner = zip(&[Raw::deflated("EX03/System.reg", REG)]);
    let outer = zip(&[
        Raw::stored("hosts/ex02.zip", &inner),
        Raw::deflated("hosts/ex03.zip", &deflated_inner),
    ]);
    let (members, diags) = open("fleet.zip", &outer);
    let paths: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "fleet.zip/hosts/ex02.zip/EX02/ExchangeSetup.log",
            "fleet.zip/hosts/ex03.zip/EX03/System.reg"
        ]
    );
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn nesting_stops_at_the_depth_limit() {
    let level3 = zip(&[Raw::stored("deep.log", LOG)]);
    let level2 = zip(&[Raw::stored("l3.zip", &level3)]);
    let level1 = zip(&[Raw::stored("l2.zip", &level2)]);
    let (members, diags) = open("l1.zip", &level1);
    assert_eq!(members.len(), 1, "three levels are read");
    let level4 = zip(&[Raw::stored("l1.zip", &level1)]);
    let (members, diags4) = open("l0.zip", &level4);
    assert!(members.is_empty());
    assert!(diags.is_empty());
    assert_eq!(
        diags4,
        ["l0.zip/l1.zip/l2.zip/l3.zip: skipped: an archive nested more than 3 levels deep"]
    );
}

#[test]
fn members_sharing_their_data_are_read_once() {
    let mut bomb = vec![Raw::deflated("a.log", LOG)];
    for name in ["b.log", "c.log"] {
        bomb.push(Raw {
            same_data_as: Some(0),
            ..Raw::deflated(name, LOG)
        });
    }
    let (members, diags) = open("overlap.zip", &zip(&bomb));
    assert_eq!(members.len(), 1);
    assert_eq!(
        diags,
        [
            "overlap.zip/b.log: skipped: its data overlaps member 'a.log' (a zip-bomb construction)",
            "overlap.zip/c.log: skipped: its data overlaps member 'a.log' (a zip-bomb construction)"
        ]
    );
}

#[test]
fn sizes_caps_ratio_and_budget_are_enforced() {
    let limits = Limits {
        text_member: 1000,
        event_log_member: 4000,
        nested_archive: 4000,
        per_archive: 2500,
        archive_floor: 2500,
        max_ratio: 10,
        ratio_floor: 500,
        max_depth: 3,
    };
    let big_log: Vec<u8> = LOG.iter().copied().cycle().take(1200).collect();
    let fine_log: Vec<u8> = LOG.iter().copied().cycle().take(900).collect();
    let mut lying = Raw::deflated("lying.log", &fine_log);
    lying.size = 100;
    let mut damaged = Raw::deflated("crc.log", LOG);
    damaged.crc32 ^= 1;
    let bomb = Raw::deflated("bomb.log", &fine_log);
    let bomb_compressed = bomb.payload.len();
    let bytes = zip(&[
        Raw::deflated("big.log", &big_log),
        bomb,
        Raw::stored("ok1.log", &fine_log),
        lying,
        damaged,
        Raw::stored("ok2.log", &fine_log),
        Raw::stored("ok3.log", &fine_log),
    ]);
    let (members, diags) = open_with(&limits, "z.zip", &bytes);
    let names: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(names, ["z.zip/ok1.log", "z.zip/crc.log", "z.zip/ok2.log"]);
    assert_eq!(
        diags,
        [
            "z.zip/big.log: skipped: a text log or export of 1.2 KiB inside an archive is suspicious (limit 1000 bytes); extract it and analyse the file directly".to_string(),
            format!("z.zip/bomb.log: skipped: 900 bytes from {bomb_compressed} bytes compressed is a compression ratio above 10:1 (a zip bomb)"),
            "z.zip/lying.log: skipped: decompresses to more than its declared 100 bytes".to_string(),
            "z.zip/crc.log: damaged: the CRC-32 of the data does not match the archive's; analysed as read".to_string(),
            "z.zip/ok3.log: skipped: the archive's budget of 2.4 KiB of decompressed data is used up (10 times its size, at least 2.4 KiB, at most 2.4 KiB)".to_string(),
        ]
    );
}

#[test]
fn gzip_files_and_members_are_decompressed() {
    let (members, diags) = open("logs/System.reg.gz", &gzip(REG));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, "logs/System.reg");
    assert_eq!(members[0].1, "logs/System.reg.gz");
    assert_eq!(members[0].2, REG);
    let bytes = zip(&[Raw::stored("EX01/ExchangeSetup.log.gz", &gzip(LOG))]);
    let (members, _) = open("b.zip", &bytes);
    assert_eq!(members[0].0, "b.zip/EX01/ExchangeSetup.log");
    assert_eq!(members[0].1, "b.zip/EX01/ExchangeSetup.log.gz");
    // A gzip bomb stops at the ratio limit, named as such.
    let limits = Limits {
        ratio_floor: 1000,
        ..Limits::default()
    };
    let zeros: Vec<u8> = LOG.iter().copied().chain(std::iter::repeat_n(b' ', 200_000)).collect();
    let (members, diags) = open_with(&limits, "bomb.log.gz", &gzip(&zeros));
    assert!(members.is_empty());
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].contains("is a compression ratio above 100:1 (a zip bomb)"),
        "{diags:?}"
    );
    // Unrecognised content named explicitly is said so.
    let (_, diags) = open("notes.txt.gz", &gzip(b"hello"));
    assert_eq!(
        diags,
        ["notes.txt.gz: format not recognised after decompression; file skipped"]
    );
}

#[test]
fn encrypted_and_unsupported_members_are_skipped_with_a_reason() {
    let mut encrypted = Raw::stored("secret.log", LOG);
    encrypted.flags = 1;
    let mut bzip2 = Raw::stored("old.log", LOG);
    bzip2.method = 12;
    let (members, diags) = open("x.zip", &zip(&[encrypted, bzip2]));
    assert!(members.is_empty());
    assert_eq!(
        diags,
        [
            "x.zip/secret.log: skipped: encrypted",
            "x.zip/old.log: skipped: compression method 12 (only stored and deflate are read)"
        ]
    );
}

#[test]
fn zip64_archives_of_a_zip_library_are_read() {
    use std::io::Write;
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut writer = ::zip::ZipWriter::new(&mut buffer);
        let small = ::zip::write::SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Stored);
        let large = small
            .compression_method(::zip::CompressionMethod::Deflated)
            .large_file(true);
        writer
            .start_file("EX01/ExchangeSetup.log", large)
            .unwrap_or_else(|e| panic!("{e}"));
        writer.write_all(LOG).unwrap_or_else(|e| panic!("{e}"));
        // More members than a 16-bit count holds: a zip64 end record.
        for i in 0..70_000 {
            writer
                .start_file(format!("n/{i}.txt"), small)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        writer.finish().unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = buffer.into_inner();
    let directory = directory::read(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(directory.members.len(), 70_001);
    assert!(directory.problems.is_empty(), "{:?}", directory.problems);
    let (members, diags) = open("big.zip", &bytes);
    assert_eq!(members.len(), 1, "{diags:?}");
    assert_eq!(members[0].2, LOG);
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn many_small_members_cannot_add_up_to_a_bomb() {
    let limits = Limits {
        ratio_floor: 500,
        archive_floor: 1000,
        max_ratio: 2,
        ..Limits::default()
    };
    let line: Vec<u8> = LOG.iter().copied().cycle().take(400).collect();
    let names = [
        "m0.log", "m1.log", "m2.log", "m3.log", "m4.log", "m5.log", "m6.log", "m7.log", "m8.log", "m9.log",
    ];
    let bytes = zip(&names.map(|n| Raw::deflated(n, &line)));
    let budget = 2 * bytes.len();
    let (members, diags) = open_with(&limits, "small.zip", &bytes);
    assert_eq!(members.len(), budget / 400, "{diags:?}");
    assert_eq!(diags.len(), 10 - budget / 400);
    assert!(diags[0].contains("the archive's budget of"), "{diags:?}");
}
