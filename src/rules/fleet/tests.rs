use exdoctor_parsers::reg::parse_reg;

use super::*;
use crate::model::{HostGroup, RuleId};
use crate::registry::host_state_from_files;

/// A host named `name` in `domain` with the given v8.0 roles (`(key, configured)`)
/// and optional extra values for each role key.
fn host(name: &str, domain: &str, roles: &[(&str, &str, &str)]) -> Host {
    let mut text = format!(
        "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\"Hostname\"=\"{name}\"\r\n\"Domain\"=\"{domain}\"\r\n"
    );
    for (role, version, extra) in roles {
        text.push_str(&format!(
            "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\{role}]\r\n\"UnpackedVersion\"=\"{version}\"\r\n\"ConfiguredVersion\"=\"{version}\"\r\n{extra}"
        ));
    }
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    Host {
        group: HostGroup {
            name: name.to_string(),
            ..HostGroup::default()
        },
        registry: Some(host_state_from_files(&[("t.reg", &file)])),
        zone: None,
    }
}

fn violations(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.rule == RuleId::UpgradeOrderViolation)
        .map(|f| f.host.as_str())
        .collect()
}

#[test]
fn nothing_without_exchange_registry() {
    let bare = Host {
        group: HostGroup {
            name: "EX1".into(),
            ..HostGroup::default()
        },
        registry: None,
        zone: None,
    };
    assert!(check(&[bare]).is_empty());
    assert!(check(&[host("EX2", "corp.example", &[])]).is_empty());
}

#[test]
fn order_is_per_organization_and_per_service_pack() {
    let cas = host("CAS1", "fabrikam.com", &[("ClientAccessRole", "8.0.685.25", "")]);
    let mbx_child = host("MBX1", "emea.fabrikam.com", &[("MailboxRole", "8.1.240.6", "")]);
    let mbx_other = host("MBX2", "contoso.com", &[("MailboxRole", "8.1.240.6", "")]);
    let hub_same = host("HUB1", "fabrikam.com", &[("HubTransportRole", "8.0.708.3", "")]);
    let f = check(&[cas, mbx_child, mbx_other, hub_same]);
    // CAS1 and HUB1 (same org) are left behind by MBX1; MBX2 is another organization;
    // HUB1 is on an RTM rollup like CAS1 (same service pack): one finding per lagging
    // server, each naming MBX1.
    assert_eq!(violations(&f), vec!["CAS1", "HUB1"]);
    for v in f.iter().filter(|f| f.rule == RuleId::UpgradeOrderViolation) {
        assert_eq!(v.details["ahead"].as_array().map(Vec::len), Some(1), "{}", v.host);
        assert_eq!(v.details["ahead"][0]["host"], "MBX1");
        assert!(v.remediation[0].starts_with(&format!("Upgrade {} (", v.host)));
    }
    assert_eq!(f.iter().filter(|f| f.rule == RuleId::BuildInventory).count(), 4);

    // CAS upgraded first: no violation.
    let cas = host("CAS1", "fabrikam.com", &[("ClientAccessRole", "8.1.240.6", "")]);
    let mbx = host("MBX1", "fabrikam.com", &[("MailboxRole", "8.0.685.25", "")]);
    assert!(violations(&check(&[cas, mbx])).is_empty());
}

#[test]
fn half_upgraded_cluster() {
    let cms = host(
        "CCR1",
        "fabrikam.com",
        &[
            ("MailboxRole", "8.1.240.6", ""),
            (
                "ClusteredMailboxServer",
                "8.0.685.25",
                "\"Action\"=\"BuildToBuildUpgrade\"\r\n\"Watermark\"=\"abc\"\r\n",
            ),
        ],
    );
    let f = check(&[cms]);
    assert_eq!(violations(&f), vec!["CCR1"]);
    let v = &f[0];
    assert_eq!(v.details["cluster"], true);
    assert!(v.remediation.iter().any(|s| s.contains("/upgradecms")));
}

#[test]
fn inventory_names_support_state() {
    let sp3 = host("EX3", "corp.example", &[("MailboxRole", "8.3.83.6", "")]);
    let f = check(&[sp3]);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].summary.contains("Exchange 2007 SP3 (8.3.83.6)"),
        "{}",
        f[0].summary
    );
    assert!(
        f[0].summary.contains("SP3 was the last supported level"),
        "{}",
        f[0].summary
    );
    assert_eq!(f[0].details["supported"], false);
}
