//! `gen-fleet`'s library: same seed, same bytes; every event log reads back with the
//! record counts the generator reports; empty channels are the empty shape Windows
//! writes; renamed hosts carry EventLog 6011 with both names; the problems follow the
//! chosen distribution.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evtx::{EvtxParser, ParserSettings};
use exdoctor_parsers::evt::read_events;
use exdoctor_samples::evtx_writer::empty_evtx;
use exdoctor_samples::fleet::{
    distribution, host_files, plan, write_files, FleetOptions, HostFile, HostPlan, Problem, Story, Windows,
};

const K: usize = 300;

fn opts(seed: u64, hosts: usize) -> FleetOptions {
    FleetOptions {
        hosts,
        seed,
        events_per_log: K,
        zip: false,
        preallocate: true,
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn write_fleet(dir: &Path, o: &FleetOptions) {
    for p in plan(o.hosts, o.seed) {
        let files = host_files(&p, o).unwrap();
        write_files(dir, &p.name, &files, o.zip).unwrap();
    }
}

#[test]
fn same_seed_gives_identical_bytes_in_folders_and_zips() {
    for zip in [false, true] {
        let o = FleetOptions { zip, ..opts(7, 4) };
        let (a, b) = (scratch(&format!("det-a-{zip}")), scratch(&format!("det-b-{zip}")));
        write_fleet(&a, &o);
        write_fleet(&b, &o);
        let (ta, tb) = (tree(&a), tree(&b));
        assert_eq!(ta.len(), tb.len());
        assert!(ta.len() >= if zip { 4 } else { 4 * 3 }, "{} files", ta.len());
        for (path, bytes) in &ta {
            assert!(tb.get(path) == Some(bytes), "{path} differs between two runs");
        }
        let c = scratch(&format!("det-c-{zip}"));
        write_fleet(&c, &FleetOptions { seed: 8, ..o.clone() });
        assert_ne!(tree(&c), ta, "another seed gives another fleet");
    }
}

/// Hosts of a 60-host plan covering every problem, both Windows versions and a rename.
fn varied_hosts() -> Vec<HostPlan> {
    let all = plan(60, 3);
    let mut picked: Vec<HostPlan> = Vec::new();
    for problem in Problem::ALL {
        if let Some(h) = all
            .iter()
            .find(|h| h.problem == problem && !picked.iter().any(|p| p.name == h.name))
        {
            picked.push(h.clone());
        }
    }
    for want in [
        |h: &HostPlan| h.renamed_from.is_some() && h.story == Story::Steady,
        |h: &HostPlan| h.renamed_from.is_some() && h.story != Story::Steady,
        |h: &HostPlan| h.windows == Windows::Server2003 && h.problem == Problem::Healthy,
    ] {
        if let Some(h) = all.iter().find(|h| want(h) && !picked.iter().any(|p| p.name == h.name)) {
            picked.push(h.clone());
        }
    }
    assert_eq!(
        picked.len(),
        Problem::ALL.len() + 3,
        "seed 3 no longer covers every case"
    );
    picked
}

fn evtx_records(path: &str, bytes: &[u8]) -> Vec<serde_json::Value> {
    let settings = ParserSettings::new().validate_checksums(true).num_threads(1);
    let mut parser = EvtxParser::from_buffer(bytes.to_vec())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .with_configuration(settings);
    parser
        .records_json_value()
        .map(|r| r.unwrap_or_else(|e| panic!("{path}: {e}")).data)
        .collect()
}

fn file<'a>(files: &'a [HostFile], path: &str) -> Option<&'a HostFile> {
    files.iter().find(|f| f.path == path)
}

#[test]
fn every_event_log_reads_back_with_its_record_count() {
    for h in varied_hosts() {
        let files = host_files(&h, &opts(3, 60)).unwrap();
        let mut empty = 0;
        for f in files.iter().filter(|f| f.path.ends_with(".evtx")) {
            let records = evtx_records(&format!("{}/{}", h.name, f.path), &f.bytes);
            assert_eq!(Some(records.len() as u64), f.records, "{} {}", h.name, f.path);
            if records.is_empty() {
                empty += 1;
                assert_eq!(
                    f.bytes,
                    empty_evtx(),
                    "{} {}: not the Windows empty shape",
                    h.name,
                    f.path
                );
            }
            // Record ids run without gaps.
            let ids: Vec<u64> = records
                .iter()
                .map(|r| r["Event"]["System"]["EventRecordID"].as_u64().unwrap())
                .collect();
            assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{} {}", h.name, f.path);
        }
        for f in files.iter().filter(|f| f.path.ends_with(".Evt")) {
            let log = read_events(&f.bytes, "System");
            assert!(
                log.integrity.problems.is_empty(),
                "{} {}: {:?}",
                h.name,
                f.path,
                log.integrity.problems
            );
            assert_eq!(Some(log.events.len() as u64), f.records, "{} {}", h.name, f.path);
        }
        let (sys, app, sec) = match h.windows {
            Windows::Server2008 => {
                // Four channels are empty on every host, at most three more were cleared.
                assert!((4..=7).contains(&empty), "{}: {empty} empty channels", h.name);
                assert!(file(&files, "winevt/Logs/Microsoft-Windows-PowerShell%4Admin.evtx").is_some());
                assert!(files.iter().filter(|f| f.path.starts_with("winevt/Logs/")).count() >= 80);
                (
                    "winevt/Logs/System.evtx",
                    "winevt/Logs/Application.evtx",
                    "winevt/Logs/Security.evtx",
                )
            }
            Windows::Server2003 => (
                "EventLogs/SysEvent.Evt",
                "EventLogs/AppEvent.Evt",
                "EventLogs/SecEvent.Evt",
            ),
        };
        let count = |p: &str| file(&files, p).and_then(|f| f.records).unwrap_or(0) as usize;
        assert_eq!(count(sec), 3 * K / 2, "{} {sec}", h.name);
        if h.story == Story::Steady {
            // Noise fills the logs up to K exactly; a problem adds its own events.
            let extra = usize::from(h.problem != Problem::Healthy) * 200;
            assert!(
                (K..=K + extra).contains(&count(sys)),
                "{} {sys}: {}",
                h.name,
                count(sys)
            );
            assert!(
                (K..=K + extra).contains(&count(app)),
                "{} {app}: {}",
                h.name,
                count(app)
            );
        } else {
            assert!(count(sys) >= K && count(app) >= K, "{}", h.name);
        }
        assert_eq!(
            file(&files, "ExchangeSetupLogs/ExchangeSetup.log").is_some(),
            h.has_setup_log && h.story != Story::Steady && h.story != Story::Ntlmssp,
            "{}",
            h.name
        );
        assert_eq!(file(&files, "windows.reg").is_some(), h.has_registry, "{}", h.name);
        assert_eq!(
            file(&files, "exchange.reg").is_some(),
            h.has_registry && h.build.is_some(),
            "{}",
            h.name
        );
    }
}

#[test]
fn renamed_hosts_log_6011_with_both_names() {
    let renamed: Vec<HostPlan> = varied_hosts()
        .into_iter()
        .filter(|h| h.renamed_from.is_some())
        .collect();
    assert!(renamed.len() >= 2, "{}", renamed.len());
    assert!(renamed.iter().any(|h| h.story == Story::Steady) && renamed.iter().any(|h| h.story != Story::Steady));
    for h in renamed {
        let old = h.renamed_from.clone().unwrap();
        assert!(old.starts_with("WIN-") && old.len() == 15, "{old}");
        let files = host_files(&h, &opts(3, 60)).unwrap();
        let sys = file(&files, "winevt/Logs/System.evtx").unwrap();
        let records = evtx_records("System.evtx", &sys.bytes);
        let computer = |r: &serde_json::Value| r["Event"]["System"]["Computer"].as_str().unwrap().to_owned();
        let renames: Vec<&serde_json::Value> = records
            .iter()
            .filter(|r| r["Event"]["System"]["EventID"]["#text"].as_u64() == Some(6011))
            .collect();
        assert_eq!(renames.len(), 1, "{}", h.name);
        let data = &renames[0]["Event"]["EventData"]["Data"]["#text"];
        assert_eq!(data[0].as_str(), Some(old.as_str()), "{}", h.name);
        assert_eq!(data[1].as_str(), Some(h.name.as_str()), "{}", h.name);
        assert_eq!(computer(renames[0]), h.fqdn);
        // Early records carry the old name, later ones the new; the switch happens once.
        let names: Vec<String> = records.iter().map(computer).collect();
        assert_eq!(names[0], old, "{}", h.name);
        assert_eq!(names.last(), Some(&h.fqdn), "{}", h.name);
        let switches = names.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(switches, 1, "{}", h.name);
        // The other logs switch at the same time (Security has records on both sides).
        let sec = evtx_records(
            "Security.evtx",
            &file(&files, "winevt/Logs/Security.evtx").unwrap().bytes,
        );
        assert!(sec.iter().any(|r| computer(r) == old) || sec.len() < 50, "{}", h.name);
        assert!(sec.iter().any(|r| computer(r) == h.fqdn), "{}", h.name);
    }
}

#[test]
fn problems_follow_the_distribution() {
    let expected = [
        (Problem::Healthy, 60),
        (Problem::Sp1Interrupted, 10),
        (Problem::CrlStall, 6),
        (Problem::ReadinessFailure, 6),
        (Problem::NtlmsspInPlaceUpgrade, 4),
        (Problem::ServiceCrash, 7),
        (Problem::AdTopology, 4),
        (Problem::MsiFailure, 3),
    ];
    assert_eq!(distribution(100), expected);
    for (seed, hosts) in [(1, 100), (99, 100), (5, 1000)] {
        let fleet = plan(hosts, seed);
        for (problem, n) in distribution(hosts) {
            assert_eq!(
                fleet.iter().filter(|h| h.problem == problem).count(),
                n,
                "{problem:?} seed {seed}"
            );
        }
        assert_eq!(distribution(hosts)[1].1, hosts / 10);
        let renamed = fleet.iter().filter(|h| h.renamed_from.is_some()).count();
        let no_log = fleet.iter().filter(|h| !h.has_setup_log).count();
        let no_reg = fleet.iter().filter(|h| !h.has_registry).count();
        assert!(
            renamed * 20 >= hosts && renamed * 4 <= hosts,
            "renamed {renamed} of {hosts}"
        );
        assert!(no_log * 4 >= hosts && no_reg * 50 >= hosts, "{no_log} {no_reg}");
        let w2003 = fleet.iter().filter(|h| h.windows == Windows::Server2003).count();
        assert!(
            w2003 * 5 >= hosts && w2003 * 5 <= hosts * 4,
            "{w2003} Windows 2003 hosts"
        );
        // Every role at RTM and at SP1 somewhere in the fleet.
        let rtm_cas = fleet
            .iter()
            .any(|h| h.build == Some("8.0.685.25") && h.roles.len() == 1);
        let sp1_mailbox = fleet.iter().any(|h| h.build == Some("8.1.240.6"));
        assert!(rtm_cas && sp1_mailbox);
    }
    assert_eq!(distribution(1000)[0], (Problem::Healthy, 600));
    assert_eq!(distribution(1000)[7], (Problem::MsiFailure, 30));
}
