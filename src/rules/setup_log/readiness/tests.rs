//! Readiness and permission findings on small synthetic logs.

use super::*;
use crate::model::RuleId;
use crate::rules::setup_log::known_errors::tests::{detail, findings_of};

fn findings(header: &[&str], body: &[&str]) -> Vec<Finding> {
    findings_of(check, header, body)
}

fn checks_of(all: &[Finding]) -> Vec<&str> {
    all.iter()
        .filter(|f| f.rule == RuleId::PrereqFailed)
        .map(|f| detail(f, "check"))
        .collect()
}

fn evaluated(kind: &str, name: &str, value: &str) -> String {
    format!("Evaluated [{kind}:{name}] [HasException:False] [Value:\"{value}\"] [ParentValue:\"<NULL>\"] [Thread:8] [Duration:00:00:00]")
}

#[test]
fn a_failed_rule_is_one_finding_named_after_it() {
    let eval = evaluated("Rule", "MSDTCStopped", "True");
    let body = [
        "Beginning processing test-SetupPrerequisites",
        eval.as_str(),
        "Failed [Rule:MSDTCStopped] [Message:The Distributed Transaction Coordinator service is stopped.]",
        "[REQUIRED] The Distributed Transaction Coordinator service is stopped.",
        "Help URL: http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.MSDTCStopped.aspx",
        "Ending processing test-SetupPrerequisites",
    ];
    let all = findings(&[], &body);
    assert_eq!(checks_of(&all), vec!["MSDTCStopped"]);
    let f = &all[0];
    assert_eq!(f.title, "Readiness check failed: MSDTCStopped");
    assert_eq!(f.confidence, Confidence::High);
    assert_eq!(f.evidence.len(), 4);
    assert!(f.remediation[0].contains("MSDTC"));
    assert!(detail(f, "help_url").ends_with("MSDTCStopped.aspx"));
}

#[test]
fn rules_that_passed_are_not_reported() {
    let eval = evaluated("Rule", "MSDTCStopped", "False");
    assert!(findings(&[], &[eval.as_str()]).is_empty());
}

#[test]
fn required_lines_are_named_by_their_help_url() {
    let body = [
        "[REQUIRED] Setup can't continue with the upgrade because the powershell (19404) has open files. Close the process, and then restart Setup.",
        "Help URL: http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.ProcessNeedsToBeClosedOnUpgrade.aspx",
    ];
    let all = findings(&[], &body);
    assert_eq!(checks_of(&all), vec!["ProcessNeedsToBeClosedOnUpgrade"]);
    assert_eq!(detail(&all[0], "process"), "powershell (19404)");
    assert!(all[0].remediation[0].starts_with("Close powershell (19404)"));
}

#[test]
fn dc_out_of_site_names_the_dc_and_says_its_empty_site_is_unknown() {
    let site = evaluated("Setting", "SiteName", "NorthAmerica");
    let dc_site = evaluated("Setting", "DomainControllerSiteName", "");
    let dc = evaluated("Setting", "DomainController", "DC2.Solo.local");
    let rule = evaluated("Rule", "DomainControllerIsOutOfSite", "True");
    let body = [site.as_str(), dc_site.as_str(), dc.as_str(), rule.as_str()];
    let all = findings(&[], &body);
    assert_eq!(checks_of(&all), vec!["DomainControllerIsOutOfSite"]);
    let f = &all[0];
    assert_eq!(detail(f, "domain_controller"), "DC2.Solo.local");
    assert!(f.details.get("domain_controller_site").is_none());
    assert_eq!(detail(f, "server_site"), "NorthAmerica");
    assert_eq!(
        f.summary,
        "Setup used the domain controller DC2.Solo.local, whose Active Directory site is unknown (the log gives it \
         empty), but this server is in site 'NorthAmerica': setup must use a domain controller in its own site."
    );
    assert!(!f.summary.contains("NULL") && f.remediation.iter().all(|s| !s.contains("NULL")));
}

#[test]
fn dc_out_of_site_falls_back_to_the_message_and_never_prints_a_placeholder() {
    let body = ["Failed [Rule:DomainControllerIsOutOfSite] [Message:Setup can't use the domain controller 'DC9.contoso.com' because it belongs to Active Directory site 'Remote'. Setup must use a domain controller in the same site as this computer.]"];
    let all = findings(&[], &body);
    let f = &all[0];
    assert_eq!(detail(f, "domain_controller"), "DC9.contoso.com");
    assert_eq!(detail(f, "domain_controller_site"), "Remote");
    assert!(f.details.get("server_site").is_none());
    assert!(
        f.summary.contains("this server is in a site the log does not name")
            && f.summary
                .contains("The check says: \"Setup can't use the domain controller 'DC9.contoso.com'"),
        "{}",
        f.summary
    );
    let text = format!("{} {}", f.summary, f.remediation.join(" "));
    assert!(!text.contains("NULL VALUE") && !text.contains("site site"), "{text}");
    assert!(f.remediation[1].contains("nltest /dsgetsite"), "{:?}", f.remediation);
}

/// `Started [Rule:X] [Parent:RootAnalysisMember] [RuleType:T]`.
fn started(name: &str, rule_type: &str) -> String {
    format!("Started [Rule:{name}] [Parent:RootAnalysisMember] [RuleType:{rule_type}]")
}

#[test]
fn a_warning_rule_that_evaluated_true_is_a_warning_never_the_cause_of_the_failure() {
    let lines = [
        "Beginning processing test-SetupPrerequisites".to_string(),
        started("NoConnectorToStar", "Warning"),
        started("NoE15ServerWarning", "Warning"),
        started("MSDTCStopped", "Error"),
        evaluated("Rule", "NoConnectorToStar", "True"),
        evaluated("Rule", "NoE15ServerWarning", "True"),
        evaluated("Rule", "MSDTCStopped", "True"),
        "Failed [Rule:MSDTCStopped] [Message:The Distributed Transaction Coordinator service is stopped.]".into(),
        "[REQUIRED] The Distributed Transaction Coordinator service is stopped.".into(),
        "Help URL: http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.MSDTCStopped.aspx".into(),
        "[RECOMENDED] Setup will prepare the organization for Exchange Server 2019 by using 'Setup /PrepareAD'. No Exchange Server 2013 roles have been detected in this topology. After this operation, you will not be able to install any Exchange Server 2013 servers.".into(),
        "[RECOMENDED] Setup can't detect a Send connector with an address space of '*'. Mail flow to the Internet may not work properly.".into(),
        "Ending processing test-SetupPrerequisites".into(),
        "[0] The Exchange Server setup operation didn't complete.".into(),
    ];
    let body: Vec<&str> = lines.iter().map(String::as_str).collect();
    let all = findings_of(crate::rules::setup_log::check_setup_log, &[], &body);
    let summary: Vec<(&str, Severity, &str)> = all
        .iter()
        .map(|f| (f.rule.as_str(), f.severity, detail(f, "check")))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("prereq-failed", Severity::Error, "MSDTCStopped"),
            ("prereq-failed", Severity::Warning, "NoConnectorToStar"),
            ("prereq-failed", Severity::Warning, "NoE15ServerWarning"),
        ]
    );
    let msdtc = &all[0];
    assert!(
        msdtc
            .evidence
            .iter()
            .any(|e| e.text.contains("setup operation didn't complete")),
        "the failed run is folded into the real cause"
    );
    let star = &all[1];
    assert_eq!(star.title, "Readiness warning: NoConnectorToStar");
    assert_eq!(detail(star, "rule_type"), "Warning");
    assert_eq!(
        star.confidence,
        Confidence::High,
        "evaluation and [RECOMENDED] line agree"
    );
    assert!(star.summary.contains("did not stop the run"), "{}", star.summary);
    assert!(star
        .evidence
        .iter()
        .any(|e| e.text.starts_with("[RECOMENDED] Setup can't detect a Send connector")));
    assert!(all[2]
        .summary
        .contains("Exchange 2013 servers can no longer be installed"));
}

#[test]
fn a_failed_run_with_only_warning_rules_keeps_its_generic_failure() {
    let lines = [
        started("NoConnectorToStar", "Warning"),
        evaluated("Rule", "NoConnectorToStar", "True"),
        "[ERROR] Something else went wrong.".into(),
        "[0] The Exchange Server setup operation didn't complete.".into(),
    ];
    let body: Vec<&str> = lines.iter().map(String::as_str).collect();
    let all = findings_of(crate::rules::setup_log::check_setup_log, &[], &body);
    let ids: Vec<(&str, Severity)> = all.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
    assert_eq!(
        ids,
        vec![("prereq-failed", Severity::Warning), ("setup-failed", Severity::Error)]
    );
}

#[test]
fn unknown_rules_get_the_generic_remediation() {
    let body = [
        "Failed [Rule:BrandNewCheck] [Message:Do the new thing.]",
        "[REQUIRED] Do the new thing.",
        "Help URL: http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.BrandNewCheck.aspx",
    ];
    let all = findings(&[], &body);
    assert_eq!(all[0].remediation[0], "Fix what the check reports: Do the new thing.");
    assert!(all[0].remediation[1].contains("ms.exch.setupreadiness.BrandNewCheck.aspx"));
}

const SCHEMA_HEADER: &[&str] = &[
    "Schema Update Required Status : 'True'.",
    "Organization Configuration Update Required Status : 'True'.",
    "Domain Configuration Update Required Status : 'True'.",
];

#[test]
fn schema_and_org_updates_without_enterprise_admins_are_two_permission_findings() {
    let schema = evaluated("Setting", "SchemaAdmin", "True");
    let enterprise = evaluated("Setting", "EnterpriseAdmin", "False");
    let rule = evaluated("Rule", "SchemaUpdateRequired", "True");
    let failed = "Failed [Rule:SchemaUpdateRequired] [Message:The Active Directory schema isn't up-to-date, and this user account isn't a member of the 'Schema Admins' and/or 'Enterprise Admins' groups.]";
    let all = findings(
        SCHEMA_HEADER,
        &[schema.as_str(), enterprise.as_str(), rule.as_str(), failed],
    );
    let needs: Vec<(RuleId, &str, &str)> = all
        .iter()
        .map(|f| (f.rule, detail(f, "operation"), detail(f, "group")))
        .collect();
    assert_eq!(
        needs,
        vec![
            (RuleId::MissingPermissions, "/PrepareSchema", "Enterprise Admins"),
            (RuleId::MissingPermissions, "/PrepareAD", "Enterprise Admins"),
        ],
        "SchemaUpdateRequired folded, no Schema Admins need (SchemaAdmin=True)"
    );
    assert_eq!(detail(&all[0], "user"), "SOLO\\Han");
    assert_eq!(all[0].confidence, Confidence::High);
    assert!(all[0].details.get("checks").is_some());
}

#[test]
fn organization_management_need_prints_the_sid_or_suspects_prepare_ad() {
    let ex_org = evaluated("Setting", "ExOrgAdmin", "False");
    let sid = evaluated("Setting", "SidExOrgAdmins", "S-1-5-21-1-2-3-1107");
    let first = evaluated("Rule", "DelegatedMailboxFirstInstall", "True");
    let all = findings(&[], &[ex_org.as_str(), sid.as_str(), first.as_str()]);
    assert_eq!(
        all.len(),
        1,
        "DelegatedMailboxFirstInstall folded into missing-permissions"
    );
    assert_eq!(detail(&all[0], "group"), "Organization Management");
    assert_eq!(detail(&all[0], "sid"), "S-1-5-21-1-2-3-1107");
    assert!(all[0].remediation[0].contains("S-1-5-21-1-2-3-1107"));
    let all = findings(&[], &[ex_org.as_str(), first.as_str()]);
    assert!(all[0].remediation[0].contains("/PrepareAD has probably not been run"));
}

#[test]
fn permission_rules_without_settings_still_name_the_group() {
    let body = ["Failed [Rule:GlobalUpdateRequired] [Message:Global updates need to be made to Active Directory, and this user account isn't a member of the 'Enterprise Admins' group.]"];
    let all = findings(&[], &body);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].rule, RuleId::MissingPermissions);
    assert_eq!(detail(&all[0], "operation"), "/PrepareAD");
    assert_eq!(all[0].confidence, Confidence::Medium);
}

#[test]
fn the_ad_validation_rule_is_left_to_the_known_error() {
    let body = ["Failed [Rule:AdInitErrorRule] [Message:Setup encountered a problem while validating the state of Active Directory: X.  See the Exchange setup log for more information on this error.]"];
    assert!(findings(&[], &body).is_empty());
}

#[test]
fn exchange_2007_readiness_texts_are_checks_with_their_severity() {
    let body = [
        "[WARNING] The Active Directory domain 'CORP' has a single-label DNS name. Exchange Server 2007 SP1 is not supported in domains with single-label DNS names; see Microsoft Knowledge Base article 300684.",
        "[ERROR] Microsoft Exchange Server 2007 setup cannot continue because Windows PowerShell 1.0 is not installed. Install Windows PowerShell (KB926139) and run setup again.",
        "[ERROR] Setup cannot continue because a previous setup failure occurred while installing a server role.",
    ];
    let all = findings(&[], &body);
    let got: Vec<(&str, Severity)> = all.iter().map(|f| (detail(f, "check"), f.severity)).collect();
    assert_eq!(
        got,
        vec![
            ("PowerShellNotInstalled", Severity::Error),
            ("SingleLabelDomain", Severity::Warning)
        ],
        "errors first; the watermark text belongs to setup-watermark"
    );
}

#[test]
fn catalog_has_both_rules() {
    let ids: Vec<RuleId> = [&PREREQ_FAILED, &MISSING_PERMISSIONS].iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![RuleId::PrereqFailed, RuleId::MissingPermissions]);
}
