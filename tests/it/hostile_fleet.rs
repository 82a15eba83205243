//! Fleet rules over a large organization: each lagging server's `upgrade-order-violation`
//! cited every server upgraded ahead of it, and each server's `build-inventory` listed
//! every host with its build, so reports grew with the square of the fleet (2,000 hosts
//! of one small `.reg` each: 11 s, 3.3 GB, a 579 MB report). Now a few are named and the
//! rest counted: four times the hosts, about four times the work and the report.

use std::fs;
use std::path::Path;

use crate::common;
use crate::measure::{self, assert_linear_time, assert_peak_memory};

/// `n` Exchange 2007 servers of one organization, each a folder with one export: the
/// even ones Client Access on RTM, the odd ones Mailbox on SP1 (each on its own build).
fn fleet(dir: &Path, n: usize) -> u64 {
    let mut bytes = 0;
    for i in 0..n {
        let name = format!("EX{i:05}");
        let (role, version) = if i % 2 == 0 {
            ("ClientAccessRole", "8.0.685.25".to_string())
        } else {
            ("MailboxRole", format!("8.1.240.{i}"))
        };
        let export = format!(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\
             \"ComputerName\"=\"{name}\"\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\{role}]\r\n\
             \"ConfiguredVersion\"=\"{version}\"\r\n\"UnpackedVersion\"=\"{version}\"\r\n"
        );
        fs::create_dir_all(dir.join(&name)).expect("folder");
        fs::write(dir.join(&name).join("exchange.reg"), &export).expect("write");
        bytes += export.len() as u64;
    }
    bytes
}

#[test]
fn a_large_mixed_organization_gives_findings_of_bounded_size_in_linear_time() {
    let root = common::scratch("hostile_fleet");
    let (small, large) = (root.join("small"), root.join("large"));
    fleet(&small, 250);
    let input = fleet(&large, 1_000);
    let run = |p: &Path| measure::exdoctor(&["analyze", "--format", "json", p.to_str().expect("path")]);
    let (a, b) = (run(&small), run(&large));
    assert_eq!(b.output.status.code(), Some(0));
    let (small_report, large_report) = (a.output.stdout.len() as f64, b.output.stdout.len() as f64);
    assert!(
        large_report < 5.0 * small_report,
        "reports of {small_report} and {large_report} bytes for 250 and 1,000 hosts"
    );
    let doc = measure::json(&b);
    let findings = doc["findings"].as_array().expect("findings");
    let lagging: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "upgrade-order-violation")
        .collect();
    assert_eq!(lagging.len(), 500, "one finding per Client Access server on RTM");
    let first = lagging[0];
    assert_eq!(first["host"], "EX00000");
    assert_eq!(
        first["evidence"].as_array().map(Vec::len),
        Some(11),
        "its role and 10 servers ahead"
    );
    assert_eq!(first["details"]["ahead_unlisted"], 490);
    assert!(first["title"]
        .as_str()
        .is_some_and(|t| t.ends_with("EX00019 and 490 more upgraded first")));
    let inventory = findings
        .iter()
        .find(|f| f["rule"] == "build-inventory")
        .expect("an inventory finding");
    assert!(
        inventory["summary"].as_str().is_some_and(|s| s.contains(
            "The 1000 hosts of this analysis run 501 different builds: 8.0.685.25 (RTM) on 500 host(s) (EX00000, EX00002, EX00004 and 497 more); "
        ) && s.ends_with("491 newer builds.")),
        "{}",
        inventory["summary"]
    );
    assert_eq!(inventory["details"]["fleet_builds"].as_array().map(Vec::len), Some(20));
    assert_eq!(inventory["details"]["fleet_builds_unlisted"], 980);
    assert_linear_time("1,000 servers of one organization", &a, &b, 4.0, 1.0);
    assert_peak_memory("1,000 servers of one organization", &b, input, 400, 64);
}
