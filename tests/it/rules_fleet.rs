//! The across-hosts rules on the sample hosts: upgrade order (samples/upgrade-order)
//! and the build inventory.

use crate::common;

use exdoctor::analysis::{hosts_of, load};
use exdoctor::model::Host;
use exdoctor::model::{Finding, Location, Severity};
use exdoctor::rules::fleet;

fn hosts(folder: &str) -> Vec<Host> {
    let (files, _) = load(&[common::samples_dir().join(folder)], false);
    hosts_of(&files)
}

fn of<'f>(findings: &'f [Finding], rule: &str, host: &str) -> Vec<&'f Finding> {
    findings.iter().filter(|f| f.rule == rule && f.host == host).collect()
}

#[test]
fn upgrade_order_mailbox_and_hub_ahead_of_client_access() {
    let hosts = hosts("upgrade-order");
    let names: Vec<&str> = hosts.iter().map(|h| h.group.name.as_str()).collect();
    assert_eq!(names, vec!["EXCAS11", "EXHUB13", "EXMBX12"]);
    let findings = fleet::check(&hosts);

    // One finding for the server left behind, naming the two upgraded ahead of it.
    let cas = of(&findings, "upgrade-order-violation", "EXCAS11");
    assert_eq!(cas.len(), 1, "{findings:#?}");
    let f = cas[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.title,
        "EXCAS11 (Client Access) was left behind: EXHUB13 and EXMBX12 upgraded first"
    );
    assert!(
        f.summary
            .contains("EXCAS11 still runs Client Access on 8.0.685.25 (RTM)")
            && f.summary
                .contains("EXHUB13 (Hub Transport on 8.1.240.6 (SP1)) and EXMBX12 (Mailbox on 8.1.240.6 (SP1))"),
        "{}",
        f.summary
    );
    let ahead: Vec<&str> = f.details["ahead"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["host"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ahead, ["EXHUB13", "EXMBX12"]);
    assert_eq!(f.details["build"], "8.0.685.25");
    assert!(
        f.remediation[0].contains("Upgrade EXCAS11 (Client Access) to SP1"),
        "{:?}",
        f.remediation
    );
    // Evidence from the three registries.
    assert!(f.evidence.iter().any(|e| e.source.contains("EXCAS11")
        && e.location == Location::Key("HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\ClientAccessRole".into())));
    for host in ["EXHUB13", "EXMBX12"] {
        assert!(f
            .evidence
            .iter()
            .any(|e| e.source.contains(host) && e.text.contains("8.1.240.6")));
        assert!(of(&findings, "upgrade-order-violation", host).is_empty(), "{host}");
    }

    for host in ["EXCAS11", "EXHUB13", "EXMBX12"] {
        let inv = of(&findings, "build-inventory", host);
        assert_eq!(inv.len(), 1, "{host}");
        assert_eq!(inv[0].severity, Severity::Info);
        assert!(inv[0].summary.contains("April 2017"), "{}", inv[0].summary);
        assert!(
            inv[0].summary.contains(
                "different builds: EXCAS11 8.0.685.25 (RTM); EXHUB13 8.1.240.6 (SP1); EXMBX12 8.1.240.6 (SP1)"
            ),
            "{}",
            inv[0].summary
        );
    }
    let cas = of(&findings, "build-inventory", "EXCAS11")[0];
    assert_eq!(cas.details["level"], "RTM");
    assert!(cas.summary.contains("RTM was out of support"), "{}", cas.summary);
}

#[test]
fn one_host_alone_gets_only_its_inventory() {
    let findings = fleet::check(&hosts("healthy"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, "build-inventory");
    assert_eq!(findings[0].host, "EXMBX05");
    assert!(
        findings[0].summary.contains("Exchange 2007 SP1 (8.1.240.6)"),
        "{}",
        findings[0].summary
    );
    assert!(!findings[0].summary.contains("different builds"));
    // A host without Exchange role keys is not in the inventory.
    assert!(fleet::check(&hosts("prereq-gaps")).is_empty());
}
