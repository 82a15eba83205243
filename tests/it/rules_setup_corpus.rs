//! The setup-log signature rules on the 11 real CSS-Exchange logs of the shared corpus:
//! each yields the findings its EXPECTED.md row names, with the named details.

use crate::common;

use std::fs;

use exdoctor::model::{Confidence, Finding, Severity};
use exdoctor::rules::setup_log::{check_setup_log, SetupLogFile};
use exdoctor_parsers::setup_log::{decode, parse_setup_log};

/// The findings of one corpus log (None without the corpus).
fn corpus_findings(relative: &str) -> Option<Vec<Finding>> {
    let corpus = common::corpus_dir()?;
    let bytes = fs::read(corpus.join("setup-logs/css-exchange").join(relative)).expect("corpus log is readable");
    let decoded = decode(&bytes);
    let log = parse_setup_log(&decoded.text);
    Some(check_setup_log(&SetupLogFile::new(relative, &log)))
}

fn detail<'f>(f: &'f Finding, key: &str) -> &'f str {
    f.details.get(key).and_then(|v| v.as_str()).unwrap_or_default()
}

/// The only finding of `rule`.
fn one<'f>(all: &'f [Finding], rule: &str) -> &'f Finding {
    let matching: Vec<&Finding> = all.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(matching.len(), 1, "one {rule} finding in {:#?}", ids(all));
    matching[0]
}

fn ids(all: &[Finding]) -> Vec<&str> {
    all.iter().map(|f| f.rule.as_str()).collect()
}

/// A known error explains the failure: no separate generic setup-failed.
fn no_generic_failure(all: &[Finding]) {
    assert!(!all.iter().any(|f| f.rule == "setup-failed"), "{:?}", ids(all));
}

/// A known-error log: file, rule id, details.
type Known = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The known-error logs of EXPECTED.md.
const KNOWN: &[Known] = &[
    (
        "KnownIssues/ExchangeSetup-PrepareSchema-8245.log",
        "ldifde-import-failed",
        &[
            ("error_code", "8245"),
            ("schema_file", "PostExchange2003_schema80.ldf"),
            ("error_file", "C:\\Users\\Han\\AppData\\Local\\Temp\\ldif.err"),
        ],
    ),
    (
        "KnownIssues/ExchangeSetup_Service_Disabled.log",
        "service-disabled-during-setup",
        &[("service", "MSExchangeServiceHost")],
    ),
    (
        "KnownIssues/MsiIssues/ExchangeSetup_MSI_1.log",
        "msi-installer-cache",
        &[
            ("build", "15.0.995.29"),
            ("product_code", "8466eaed-7024-4aee-9d13-f3a55b98d114"),
        ],
    ),
    (
        "KnownIssues/MsiIssues/ExchangeSetup_MSI_3.log",
        "msi-installer-cache",
        &[
            ("build", "15.0.1130.7"),
            ("package_file", "exchangeserver.msi"),
            ("error_code", "1603"),
        ],
    ),
    (
        "KnownIssues/VirtualDirectories/ExchangeSetup_Vdir_1.log",
        "virtual-directory-failure",
        &[
            ("object", "ExSvr1\\OWA (Exchange Back End)"),
            ("domain_controller", "DC2.Solo.local"),
        ],
    ),
    (
        "KnownIssues/ExchangeSetup_FIPS_AccessDenied.log",
        "fips-config-access-denied",
        &[],
    ),
    (
        "KnownIssues/ExchangeSetup_ADServiceNotStarted.log",
        "shared-config-dc",
        &[("service", "MSExchangeADTopology")],
    ),
    (
        "KnownIssues/ExchangeSetup_Firewall_Endpoint.log",
        "endpoint-mapper-firewall",
        &[],
    ),
];

#[test]
fn known_issue_logs_yield_their_known_error_with_details() {
    for (file, rule, details) in KNOWN {
        let Some(all) = corpus_findings(file) else { return };
        assert_eq!(ids(&all).first(), Some(rule), "{file}: first finding");
        let f = one(&all, rule);
        for (key, value) in *details {
            assert_eq!(detail(f, key), *value, "{file}: {rule} details.{key}");
        }
        assert!(!f.evidence.is_empty() && !f.remediation.is_empty(), "{file}");
        // Each line of the log is cited once, even when the folded setup-failed cites it too.
        let mut lines: Vec<String> = f
            .evidence
            .iter()
            .map(|e| format!("{} {}", e.source, e.location))
            .collect();
        let cited = lines.len();
        lines.sort();
        lines.dedup();
        assert_eq!(lines.len(), cited, "{file}: {:#?}", f.evidence);
        assert!(
            !all.iter().any(|x| x.rule == "prereq-failed"),
            "{file}: {:?}",
            ids(&all)
        );
        no_generic_failure(&all);
    }
}

#[test]
fn ldifde_title_and_msi_remediation_use_the_captures() {
    let Some(all) = corpus_findings("KnownIssues/ExchangeSetup-PrepareSchema-8245.log") else {
        return;
    };
    let f = one(&all, "ldifde-import-failed");
    assert_eq!(
        f.title,
        "ldifde failed importing PostExchange2003_schema80.ldf (error 8245)"
    );
    assert_eq!(f.count, 3, "three identical ldifde lines, one finding");
    let Some(all) = corpus_findings("KnownIssues/MsiIssues/ExchangeSetup_MSI_1.log") else {
        return;
    };
    let f = one(&all, "msi-installer-cache");
    assert!(
        f.remediation[0].starts_with("Repair the Windows Installer cache for Exchange build 15.0.995.29 (the build installed before this upgrade)"),
        "{:?}",
        f.remediation
    );
    let Some(all) = corpus_findings("KnownIssues/MsiIssues/ExchangeSetup_MSI_3.log") else {
        return;
    };
    let f = one(&all, "msi-installer-cache");
    assert_eq!(f.count, 3, "the 1603 line is logged three times");
    let lines: Vec<String> = f.evidence.iter().map(|e| e.location.to_string()).collect();
    assert_eq!(lines, vec!["line 75", "line 77", "line 79"]);
}

#[test]
fn shared_config_dc_keeps_the_topology_service_running() {
    let Some(all) = corpus_findings("KnownIssues/ExchangeSetup_ADServiceNotStarted.log") else {
        return;
    };
    let f = one(&all, "shared-config-dc");
    assert!(detail(f, "inner_error")
        .starts_with("Topology Provider coundn't find the Microsoft Exchange Active Directory Topology service"));
    assert!(f.remediation[0].contains("MSExchangeADTopology") && f.remediation[0].contains("whole setup"));
    assert_eq!(f.confidence, Confidence::High, "error + ERROR-REFERENCE + inner error");
    assert!(
        f.evidence.iter().any(|e| e.location.to_string() == "line 494"),
        "the inner error line"
    );
    assert!(f.evidence.iter().any(|e| e
        .text
        .starts_with("[ERROR-REFERENCE] Id=AllADRolesCommonServiceControl")));
}

#[test]
fn ad_prep_reboot_yields_ad_validation_and_five_prereqs() {
    let Some(all) = corpus_findings("PrerequisiteCheck/ExchangeSetup_AD_Prep_Reboot.log") else {
        return;
    };
    let ad = one(&all, "ad-validation-failed");
    assert!(detail(ad, "inner_error").contains("not in the same domain and site as the schema master"));
    assert_eq!(detail(ad, "schema_master_domain"), "Solo");
    assert_eq!(detail(ad, "schema_master_site"), "SiteA");
    assert_eq!(detail(ad, "server_site"), "Default-First-Site-Name");
    assert_eq!(detail(ad, "server_domain"), "Skywalker.Child.Solo.local");
    assert!(
        ad.summary.contains("schema master is in domain Solo, site SiteA"),
        "{}",
        ad.summary
    );
    assert!(ad.summary.contains("site Default-First-Site-Name"), "{}", ad.summary);
    let checks: Vec<String> = all
        .iter()
        .filter(|f| f.rule == "prereq-failed")
        .map(|f| detail(f, "check").to_ascii_lowercase())
        .collect();
    for expected in [
        "PendingRebootWindowsComponents",
        "ProcessNeedsToBeClosedOnUpgrade",
        "RemoteRegException",
        "MSDTCStopped",
        "IisUrlRewriteNotInstalled",
    ] {
        assert!(
            checks.contains(&expected.to_ascii_lowercase()),
            "{expected} in {checks:?}"
        );
        let f = all
            .iter()
            .find(|f| detail(f, "check").eq_ignore_ascii_case(expected))
            .expect("checked above");
        assert!(
            f.title.to_ascii_lowercase().contains(&expected.to_ascii_lowercase()),
            "{}",
            f.title
        );
    }
    assert!(
        !checks.contains(&"adiniterrorrule".to_string()),
        "folded into ad-validation-failed"
    );
    no_generic_failure(&all);
}

#[test]
fn schema_admin_log_yields_two_enterprise_admins_needs() {
    let Some(all) = corpus_findings("PrerequisiteCheck/ExchangeSetup_SchemaAdmin_PrepareSchema.log") else {
        return;
    };
    let needs: Vec<(&str, &str, &str)> = all
        .iter()
        .filter(|f| f.rule == "missing-permissions")
        .map(|f| (detail(f, "operation"), detail(f, "group"), detail(f, "user")))
        .collect();
    assert_eq!(
        needs,
        vec![
            ("/PrepareSchema", "Enterprise Admins", "SOLO\\Han"),
            ("/PrepareAD", "Enterprise Admins", "SOLO\\Han")
        ]
    );
    assert!(
        !all.iter().any(|f| f.rule == "prereq-failed"),
        "SchemaUpdateRequired folded: {:?}",
        ids(&all)
    );
    assert_eq!(all[0].rule, "missing-permissions");
    no_generic_failure(&all);
}

#[test]
fn dc_out_of_site_names_the_dc_and_says_its_empty_site_is_unknown() {
    let Some(all) = corpus_findings("PrerequisiteCheck/DCOutOfSite/ExchangeSetup_DC_Site_1.log") else {
        return;
    };
    let f = one(&all, "prereq-failed");
    assert_eq!(f.title, "Readiness check failed: DomainControllerIsOutOfSite");
    assert_eq!(detail(f, "check"), "DomainControllerIsOutOfSite");
    assert_eq!(detail(f, "domain_controller"), "DC2.Solo.local");
    assert_eq!(detail(f, "server_site"), "NorthAmerica");
    assert!(
        f.details.get("domain_controller_site").is_none(),
        "the log gives the DC's site empty"
    );
    assert!(
        f.summary
            .contains("whose Active Directory site is unknown (the log gives it empty)")
            && f.summary
                .contains("The check says: \"Setup can't use the domain controller 'NorthAmerica'"),
        "{}",
        f.summary
    );
    let text = format!("{} {}", f.summary, f.remediation.join(" "));
    assert!(!text.contains("NULL VALUE"), "{text}");
    assert!(f
        .remediation
        .iter()
        .any(|s| s.contains("DC2.Solo.local") && s.contains("unknown")));
    no_generic_failure(&all);
}

/// Every corpus log: a rule started as `[RuleType:Warning]` never yields a finding at
/// error or above (setup prints it as `[RECOMENDED]` and goes on).
#[test]
fn no_error_finding_comes_from_a_warning_rule() {
    let Some(corpus) = common::corpus_dir() else { return };
    let mut logs = Vec::new();
    let mut dirs = vec![corpus.join("setup-logs/css-exchange")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("corpus folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "log") {
                logs.push(path);
            }
        }
    }
    assert_eq!(logs.len(), 11, "the 11 logs of EXPECTED.md");
    let mut warning_rules_seen = 0;
    for path in logs {
        let bytes = fs::read(&path).expect("readable");
        let decoded = decode(&bytes);
        let log = parse_setup_log(&decoded.text);
        let warning_rules: Vec<String> = log
            .runs
            .iter()
            .flat_map(|r| &r.evaluations)
            .filter(|e| e.is_warning_rule())
            .map(|e| e.name.to_string().to_ascii_lowercase())
            .collect();
        warning_rules_seen += warning_rules.len();
        let name = path.display().to_string();
        let all = check_setup_log(&SetupLogFile::new(&name, &log));
        for f in all.iter().filter(|f| f.severity >= Severity::Error) {
            let check = detail(f, "check").to_ascii_lowercase();
            assert!(
                !warning_rules.contains(&check),
                "{name}: {} at {} from a warning rule",
                f.title,
                f.severity
            );
        }
    }
    assert!(warning_rules_seen > 0, "the corpus has rules started as warnings");
}
