//! Every signature on small synthetic logs: positive cases with their details, and the
//! cases that must not match.

use exdoctor_parsers::setup_log::parse_setup_log;

use super::*;
use crate::model::Location;

/// Builds a one-run 2016 log: `body` lines get a timestamp and depth 1, except lines that
/// start with a space or are empty (continuation lines) and `[0]` lines (depth given).
pub(crate) fn log_text(header: &[&str], body: &[&str]) -> String {
    let mut out = String::new();
    let mut n = 0u32;
    let mut stamp = |depth: &str, text: &str, out: &mut String| {
        n += 1;
        out.push_str(&format!(
            "[03/11/2021 16:{:02}:{:02}.0000] [{depth}] {text}\r\n",
            n / 60,
            n % 60
        ));
    };
    stamp("0", "**********************************************", &mut out);
    stamp("0", "Starting Microsoft Exchange Server 2016 Setup", &mut out);
    stamp("0", "**********************************************", &mut out);
    stamp("0", "Setup version: 15.1.2106.2.", &mut out);
    stamp("0", "Logged on user: SOLO\\Han.", &mut out);
    for line in header {
        stamp("0", line, &mut out);
    }
    for line in body {
        if line.is_empty() || line.starts_with(' ') {
            out.push_str(line);
            out.push_str("\r\n");
        } else if let Some(rest) = line.strip_prefix("[0] ") {
            stamp("0", rest, &mut out);
        } else {
            stamp("1", line, &mut out);
        }
    }
    out
}

/// The findings of `rules` on a synthetic log.
pub(crate) fn findings_of(
    rules: fn(&SetupLogFile<'_, '_>) -> Vec<Finding>,
    header: &[&str],
    body: &[&str],
) -> Vec<Finding> {
    let text = log_text(header, body);
    let log = parse_setup_log(text.as_bytes());
    rules(&SetupLogFile::new("ExchangeSetup.log", &log))
}

/// A string detail of a finding ("" when absent).
pub(crate) fn detail<'f>(f: &'f Finding, key: &str) -> &'f str {
    f.details.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The known-error findings of a synthetic log.
fn findings(header: &[&str], body: &[&str]) -> Vec<Finding> {
    findings_of(check, header, body)
}

/// The single finding of a log, asserting its id.
fn only(id: &str, header: &[&str], body: &[&str]) -> Finding {
    let all = findings(header, body);
    let ids: Vec<&str> = all.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(ids, vec![id], "findings of the {id} case");
    all.into_iter().next().unwrap_or_else(|| unreachable!())
}

const REF: &str = "[ERROR-REFERENCE] Id=SomeComponent___0123456789abcdef Component=EXCHANGE14:\\Current\\Release";

/// A positive case: rule id, body lines, expected details.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// One positive case per signature (every table row).
const POSITIVE: &[Case] = &[
    (
        "ldifde-import-failed",
        &[
            "[ERROR] There was an error while running 'ldifde.exe' to import the schema file 'C:\\Windows\\Temp\\ExchangeSetup\\Setup\\Data\\PostExchange2003_schema80.ldf'. The error code is: 8245. More details can be found in the error file: 'C:\\Users\\Han\\AppData\\Local\\Temp\\ldif.err'",
            "[ERROR-REFERENCE] Id=ADSchemaComponent___f5739a161f954a38b6c398d83738bb16 Component=EXCHANGE14:\\Current",
        ],
        &[("error_code", "8245"), ("schema_file", "PostExchange2003_schema80.ldf"), ("error_file", "C:\\Users\\Han\\AppData\\Local\\Temp\\ldif.err")],
    ),
    (
        "msi-installer-cache",
        &[
            "[ERROR] Couldn't remove product with code 8466eaed-7024-4aee-9d13-f3a55b98d114. The installation source for this product is not available. Verify that the source exists and that you can access it. Error code is 1612.",
            REF,
        ],
        &[("product_code", "8466eaed-7024-4aee-9d13-f3a55b98d114"), ("error_code", "1612"), ("build", "15.0.995.29")],
    ),
    (
        "msi-installer-cache",
        &["[ERROR] Unable to remove product with code 8466eaed-7024-4aee-9d13-f3a55b98d114. Fatal error during installation. Error code is 1603.", REF],
        &[("product_code", "8466eaed-7024-4aee-9d13-f3a55b98d114"), ("error_code", "1603")],
    ),
    (
        "msi-installer-cache",
        &["[ERROR] Installing product D:\\CU\\exchangeserver.msi failed. The installation source for this product is not available. Error code is 1612.", REF],
        &[("package", "D:\\CU\\exchangeserver.msi"), ("package_file", "exchangeserver.msi")],
    ),
    (
        "msi-installer-cache",
        &["[ERROR] Installing product C:\\ExchangeCU23\\exchangeserver.msi failed. Fatal error during installation. Error code is 1603."],
        &[("package_file", "exchangeserver.msi"), ("error_code", "1603"), ("build", "15.0.995.29")],
    ),
    (
        "msi-installer-cache",
        &[
            "Installing a new product. Package: C:\\ExchangeCU23\\exchangeserver.msi. Property values: DISABLEERRORREPORTING=1",
            "[ERROR] Object reference not set to an instance of an object.",
        ],
        &[("package_file", "exchangeserver.msi")],
    ),
    (
        "arbitration-upn-conflict",
        &["[ERROR] Microsoft.Exchange.Data.Directory.ADConstraintViolationException: The UPN value provided for addition/modification is not unique forest-wide.", REF],
        &[],
    ),
    (
        "service-disabled-during-setup",
        &[
            "[ERROR] Service 'Microsoft Exchange Service Host (MSExchangeServiceHost)' cannot be started due to the following error: Cannot start service MSExchangeServiceHost on computer '.'.",
            "[ERROR] Cannot start service MSExchangeServiceHost on computer '.'.",
            "[ERROR] The service cannot be started, either because it is disabled or because it has no enabled devices associated with it",
            REF,
        ],
        &[("service", "MSExchangeServiceHost")],
    ),
    (
        "endpoint-mapper-firewall",
        &[
            "[ERROR] There are no more endpoints available from the endpoint mapper. (Exception from HRESULT: 0x800706D9)",
            "0.  ErrorRecord: System.Runtime.InteropServices.COMException (0x800706D9): There are no more endpoints available from the endpoint mapper. (Exception from HRESULT: 0x800706D9)",
            REF,
        ],
        &[],
    ),
    (
        "ad-object-already-exists",
        &["[ERROR] Active Directory operation failed on DC1.contoso.com. The object 'CN=Folder Hierarchies,CN=Exchange Administrative Group,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com' already exists.", REF],
        &[("domain_controller", "DC1.contoso.com")],
    ),
    (
        // The real lines write `installconfig.ps1` (CSS-Exchange Setup/Tests,
        // ExchangeSetup_Search_Foundation_Failure_Install.log and ..._Failure.log).
        "search-foundation-failure",
        &[
            "[ERROR] Failure configuring SearchFoundation through installconfig.ps1 - Old nodes belonging to the system 'Fsis', already exist in 'D:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\Search\\Ceres\\HostController\\Data'. Rerun the configuration in attach mode, if you need to reuse them.",
            "[ERROR-REFERENCE] Id=SearchFoundationComponent___9f5053e82ecb4a8f9790bdf498c0664d Component=EXCHANGE14:\\Current\\Release\\Shared\\Datacenter\\Setup",
        ],
        &[("fsis_nodes", "Old nodes belonging to the system 'Fsis', already exist")],
    ),
    (
        "search-foundation-failure",
        &[
            "[ERROR] Failure configuring SearchFoundation through installconfig.ps1 - Error occurred while configuring Search Foundation for Exchange.System.TimeoutException: Timed out waiting for Admin node to be up and running",
            "[ERROR-REFERENCE] Id=SearchFoundationComponent___9f5053e82ecb4a8f9790bdf498c0664d Component=EXCHANGE14:\\Current\\Release\\Shared\\Datacenter\\Setup",
        ],
        &[],
    ),
    (
        "missing-directory",
        &["[ERROR] System.Management.Automation.ItemNotFoundException: Cannot find path 'D:\\Exchange\\Logging\\HttpProxy' because it does not exist.", REF],
        &[("path", "D:\\Exchange\\Logging\\HttpProxy")],
    ),
    ("missing-homemdb", &["[ERROR] Database is mandatory on UserMailbox.", REF], &[]),
    (
        "mount-database-failed",
        &["[ERROR] System.InvalidOperationException: Failed to mount database \"Mailbox Database 0123\". Error: An Active Manager operation failed.", REF],
        &[("database", "Mailbox Database 0123")],
    ),
    (
        "security-groups-ou-deleted",
        &[
            "[ERROR] Object reference not set to an instance of an object.",
            "[ERROR] System.NullReferenceException: Object reference not set to an instance of an object.",
            "   at Microsoft.Exchange.Management.Tasks.InitializeExchangeUniversalGroups.CreateOrMoveEWPGroup(ADGroup ewp)",
            REF,
        ],
        &[],
    ),
    (
        "servicecontrol-reverse",
        &[
            "[ERROR] The following error was generated when \"$error.Clear(); & $RoleBinPath\\ServiceControl.ps1 -Operation:DisableServices\" was run:",
            "[ERROR] System.Management.Automation.MethodInvocationException: Exception calling \"Reverse\" with \"1\" argument(s): \"Value cannot be null.\"",
            REF,
        ],
        &[],
    ),
    (
        "virtual-directory-failure",
        &["[ERROR] The operation couldn't be performed because object 'ExSvr1\\OWA (Exchange Back End)' couldn't be found on 'DC2.Solo.local'.", REF],
        &[("object", "ExSvr1\\OWA (Exchange Back End)"), ("domain_controller", "DC2.Solo.local")],
    ),
    (
        "virtual-directory-failure",
        &["[ERROR] The virtual directory 'PowerShell' already exists under 'ExSvr1.contoso.com/Default Web Site'.", REF],
        &[("vdir", "PowerShell"), ("parent", "ExSvr1.contoso.com/Default Web Site")],
    ),
    (
        "virtual-directory-failure",
        &[
            "[ERROR] Process execution failed with exit code 183.",
            "[ERROR] The following error was generated when \"& $env:windir\\system32\\inetSrv\\appCmd.exe set config\" was run.",
            REF,
        ],
        &[("exit_code", "183")],
    ),
    (
        "install-from-bin",
        &["[ERROR] The term 'D:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\ManageScheduledTask.ps1' is not recognized as the name of a cmdlet.", REF],
        &[("script", "D:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\ManageScheduledTask.ps1")],
    ),
    (
        "ad-access-denied",
        &[
            "Used domain controller DC1.contoso.com to read object CN=Microsoft Exchange System Objects,DC=contoso,DC=com.",
            "[ERROR] Active Directory operation failed on DC1.contoso.com. This error is not retriable. Additional information: Insufficient access rights to perform the operation.",
            "Active directory response: 00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0",
            "[ERROR-REFERENCE] Id=DomainGlobalConfig___27a706ffe123425f9ee60cb02b930e81 Component=EXCHANGE14:\\Current",
        ],
        &[("domain_controller", "DC1.contoso.com"), ("object", "CN=Microsoft Exchange System Objects,DC=contoso,DC=com")],
    ),
    (
        "fips-config-access-denied",
        &[
            "[ERROR] Upgrade of Configuration.xml was unsuccessful, Exception calling \"Upgrade\" with \"0\" argument(s): \"Access to the path is denied.\"",
            "[ERROR-REFERENCE] Id=BridgeheadComponent___9FAA17C4-73D7-4E6D-9012-6274971434D5 Component=EXCHANGE14:\\Current",
        ],
        &[],
    ),
    (
        "multiple-eas-vdirs",
        &[
            "[ERROR] Cannot process argument transformation on parameter 'Identity'. Cannot convert 'System.Object[]' to the type 'Microsoft.Exchange.Configuration.Tasks.VirtualDirectoryIdParameter' required by parameter 'Identity'.",
            "[ERROR-REFERENCE] Id=CafeComponent___e1130a13a4d84a08aee6a6f4b8d4e9d2 Component=EXCHANGE14:\\Current",
        ],
        &[],
    ),
    (
        "certificate-expired",
        &[
            "Installing certificate signed by 'CN=Contoso CA' for site 'Exchange Back End'. Certificate is valid from 01/01/2019 00:00:00 until 01/01/2020 00:00:00.",
            "[ERROR] The certificate is expired.",
            REF,
        ],
        &[("issuer", "CN=Contoso CA"), ("site", "Exchange Back End"), ("valid_until", "01/01/2020 00:00:00")],
    ),
    (
        "well-known-object-invalid",
        &["[ERROR] The well-known object entry B:32:C262A929D691B74A9E068728F8F842EA:CN=Organization Management\\0ADEL:9f1d,CN=Deleted Objects,DC=contoso,DC=com on the otherWellKnownObjects attribute in the container object CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com points to an invalid DN or a deleted object. Remove the entry, and then rerun the task.", REF],
        &[("container", "CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com")],
    ),
    (
        "well-known-object-wrong-group-type",
        &["[ERROR] The well-known object entry with the GUID \"6c01d2a7f083b54d8b4a3d5c3b4d5e6f\", which is on the \"CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com\" container object's otherWellKnownObjects attribute, refers to a group \"CN=Exchange Servers,OU=Microsoft Exchange Security Groups,DC=contoso,DC=com\" of the wrong group type. Either delete the entry or change the group type.", REF],
        &[("group", "CN=Exchange Servers,OU=Microsoft Exchange Security Groups,DC=contoso,DC=com")],
    ),
    (
        "shared-config-dc",
        &[
            "An error ocurred while setting shared config DC. Error: Topology Provider coundn't find the Microsoft Exchange Active Directory Topology service on end point 'TopologyClientTcpEndpoint (localhost)'.",
            "Waiting 30 seconds before attempting again.",
            "[ERROR] Unable to set shared config DC.",
            "[ERROR-REFERENCE] Id=AllADRolesCommonServiceControl___ee47ab1c06fb47919398e2e95ed99c6c Component=EXCHANGE14:\\Current",
        ],
        &[("service", "MSExchangeADTopology")],
    ),
    (
        "ad-validation-failed",
        &["[0] [ERROR] Setup encountered a problem while validating the state of Active Directory: Exchange organization-level objects have not been created, and setup cannot create them because the local computer is not in the same domain and site as the schema master.  Run setup with the /prepareAD parameter on a computer in the domain Solo and site SiteA, and wait for replication to complete.  See the Exchange setup log for more information on this error."],
        &[("schema_master_domain", "Solo"), ("schema_master_site", "SiteA")],
    ),
    (
        "iis-vdir-missing",
        &["[WARNING] IIS://EXCAS01.contoso.com/W3SVC/1/ROOT/owa was not found. Please make sure you have typed it correctly."],
        &[("server", "EXCAS01.contoso.com"), ("vdir", "owa")],
    ),
    (
        "receive-connector-fqdn",
        &["[ERROR] The AuthMechanism parameter on a Receive connector is set to the value ExchangeServer, but the FQDN parameter is not set to the server's FQDN."],
        &[],
    ),
];

/// Header of an upgrade whose previous build is 15.0.995.29.
const UPGRADE_HEADER: &[&str] = &[
    "The backup copy of the previously installed version is '15.0.995.29'.",
    "The locally installed version is 15.0.1497.2.",
];

#[test]
fn every_signature_has_a_positive_case_yielding_its_details() {
    for (id, body, details) in POSITIVE {
        let f = only(id, UPGRADE_HEADER, body);
        for (key, value) in *details {
            assert_eq!(detail(&f, key), *value, "{id}: details.{key}");
        }
        assert!(!f.evidence.is_empty() && !f.remediation.is_empty(), "{id}");
        assert!(!f.title.contains("(not logged)"), "{id}: {}", f.title);
    }
    for known in table::KNOWN_ERRORS {
        let rule = &known.info;
        assert!(
            POSITIVE.iter().any(|(id, _, _)| *id == rule.id.as_str()),
            "no positive case for {}",
            rule.id
        );
    }
}

/// `line` with the letter case of its text changed by `change`; the tag setup writes
/// (`[0] `, `[ERROR] `, `[WARNING] `) and `[ERROR-REFERENCE]` lines keep theirs.
fn recased(line: &str, change: fn(&str) -> String) -> String {
    if line.starts_with("[ERROR-REFERENCE]") {
        return line.to_string();
    }
    let mut rest = line;
    let mut out = String::new();
    for tag in ["[0] ", "[ERROR] ", "[WARNING] "] {
        if let Some(after) = rest.strip_prefix(tag) {
            out.push_str(tag);
            rest = after;
        }
    }
    out.push_str(&change(rest));
    out
}

/// Every signature also matches its line in lower and in upper case: SetupLogReviewer
/// matches with PowerShell `-like`/`-match`, which ignore case.
#[test]
fn every_signature_matches_in_any_letter_case() {
    for (id, body, details) in POSITIVE {
        for (name, change) in [
            ("lower", str::to_lowercase as fn(&str) -> String),
            ("upper", str::to_uppercase as fn(&str) -> String),
        ] {
            let lines: Vec<String> = body.iter().map(|l| recased(l, change)).collect();
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let all = findings(UPGRADE_HEADER, &lines);
            let ids: Vec<&str> = all.iter().map(|f| f.rule.as_str()).collect();
            assert_eq!(ids, vec![*id], "{name}-case copy of the {id} case: {lines:#?}");
            for (key, value) in *details {
                assert!(
                    detail(&all[0], key).eq_ignore_ascii_case(value),
                    "{id} ({name} case): details.{key} = {:?}",
                    detail(&all[0], key)
                );
            }
        }
    }
}

#[test]
fn the_table_compiles_completely_and_uses_catalog_ids() {
    let signatures: usize = table::KNOWN_ERRORS.iter().map(|k| k.signatures.len()).sum();
    assert_eq!(TABLE.signatures.len(), signatures);
    assert_eq!(TABLE.prefilter.len(), signatures);
    for compiled in &TABLE.signatures {
        let id = compiled.rule.info.id;
        assert!(
            crate::rules::catalog().iter().any(|r| r.id == id),
            "{id} not in the catalog"
        );
    }
    assert_eq!(table::KNOWN_ERRORS.len(), 24);
}

#[test]
fn ldifde_title_names_the_schema_file_and_error_code() {
    let f = only("ldifde-import-failed", &[], POSITIVE[0].1);
    assert_eq!(
        f.title,
        "ldifde failed importing PostExchange2003_schema80.ldf (error 8245)"
    );
    assert_eq!(f.confidence, Confidence::High, "error + ADSchemaComponent reference");
    // 8245 is ERROR_DS_UNWILLING_TO_PERFORM (winerror.h), not a constraint violation.
    assert_eq!(detail(&f, "error_name"), "ERROR_DS_UNWILLING_TO_PERFORM");
    assert!(
        f.summary
            .ends_with("Error 8245 is ERROR_DS_UNWILLING_TO_PERFORM: The server is unwilling to process the request."),
        "{}",
        f.summary
    );
    let text = format!("{} {}", f.summary, f.remediation.join(" "));
    assert!(!text.contains("constraint violation"), "{text}");
}

#[test]
fn repeated_lines_are_one_finding_with_a_count() {
    let line = "[ERROR] Installing product C:\\CU23\\exchangeserver.msi failed. Fatal error during installation. Error code is 1603.";
    let f = only(
        "msi-installer-cache",
        UPGRADE_HEADER,
        &[line, "[ERROR] Fatal error during installation", line, line],
    );
    assert_eq!(f.count, 3);
    let lines: Vec<&Location> = f.evidence.iter().map(|e| &e.location).collect();
    assert_eq!(
        lines,
        vec![&Location::Line(8), &Location::Line(10), &Location::Line(11)]
    );
}

#[test]
fn msi_build_is_the_backup_copy_else_the_installed_version() {
    let body = POSITIVE[1].1;
    let f = only("msi-installer-cache", UPGRADE_HEADER, body);
    assert!(
        f.remediation[0].contains("15.0.995.29 (the build installed before this upgrade)"),
        "{:?}",
        f.remediation
    );
    let f = only(
        "msi-installer-cache",
        &["The locally installed version is 15.0.1497.2."],
        body,
    );
    assert_eq!(detail(&f, "build"), "15.0.1497.2");
    assert!(f.remediation[0].contains("(the locally installed build)"));
}

#[test]
fn shared_config_dc_reads_the_inner_error_logged_before_the_first_error() {
    let f = only(
        "shared-config-dc",
        &[],
        POSITIVE.iter().find(|p| p.0 == "shared-config-dc").map_or(&[], |p| p.1),
    );
    assert!(detail(&f, "inner_error").starts_with("Topology Provider coundn't find"));
    assert!(
        f.remediation[0].contains("keep it running for the whole setup"),
        "{:?}",
        f.remediation
    );
    assert_eq!(f.confidence, Confidence::High);
    let other = only(
        "shared-config-dc",
        &[],
        &[
            "An error ocurred while setting shared config DC. Error: The LDAP server is unavailable.",
            "[ERROR] Unable to set shared config DC.",
        ],
    );
    assert_eq!(detail(&other, "inner_error"), "The LDAP server is unavailable.");
    assert!(other.remediation[0].contains("The LDAP server is unavailable."));
}

#[test]
fn folder_hierarchies_gets_the_pf_tree_remediation() {
    let f = only(
        "ad-object-already-exists",
        &[],
        POSITIVE
            .iter()
            .find(|p| p.0 == "ad-object-already-exists")
            .map_or(&[], |p| p.1),
    );
    assert!(f.remediation[0].contains("msExchPFTreeType = 1"));
}

#[test]
fn ignored_errors_are_benign() {
    let body = &[
        "[ERROR] The service cannot be started, either because it is disabled or because it has no enabled devices associated with it",
        "=== IGNORING PREVIOUS ERRORS ===",
        "The operation completed.",
    ];
    assert!(findings(&[], body).is_empty());
}

#[test]
fn reference_bound_signatures_need_their_error_reference() {
    let access = &[
        "[ERROR] Upgrade of Configuration.xml was unsuccessful: \"Access to the path is denied.\"",
        "[ERROR-REFERENCE] Id=ClientAccessOwaComponent___62bd834915a7470798aa47ba1f2b6800 Component=X",
    ];
    assert!(findings(&[], access).is_empty());
    let insuff = &["[ERROR] problem 4003 (INSUFF_ACCESS_RIGHTS), data 0", REF];
    assert!(findings(&[], insuff).is_empty());
    let eas = &[
        "[ERROR] Cannot convert 'System.Object[]' to the type 'X.VirtualDirectoryIdParameter'.",
        REF,
    ];
    assert!(findings(&[], eas).is_empty());
}

#[test]
fn signatures_outside_error_blocks_do_not_match() {
    let body = &[
        "Couldn't remove product with code 8466eaed-7024-4aee-9d13-f3a55b98d114. The installation source for this product is not available.",
        "The Exchange Server setup operation completed successfully.",
    ];
    assert!(findings(UPGRADE_HEADER, body).is_empty());
}

#[test]
fn context_dependent_signatures_need_their_context() {
    assert!(findings(
        &[],
        &["[ERROR] Object reference not set to an instance of an object.", REF]
    )
    .is_empty());
    assert!(findings(
        &[],
        &["[ERROR] System.NullReferenceException: Object reference not set.", REF]
    )
    .is_empty());
    assert!(findings(
        &[],
        &["[ERROR] Exception calling \"Reverse\" with \"1\" argument(s)", REF]
    )
    .is_empty());
}

#[test]
fn iis_2007_signature_needs_a_warning_or_error_record() {
    assert!(findings(
        &[],
        &["Virtual directory 'IIS://EX1/W3SVC/1/ROOT/owa was not found' was configured."]
    )
    .is_empty());
}

#[test]
fn only_the_last_run_is_searched() {
    let mut text = log_text(
        &[],
        &["[ERROR] Database is mandatory on UserMailbox.", REF, "[0] End of Setup"],
    );
    text.push_str(&log_text(
        &[],
        &[
            "[0] The Exchange Server setup operation completed successfully.",
            "[0] End of Setup",
        ],
    ));
    let log = parse_setup_log(text.as_bytes());
    assert_eq!(log.runs.len(), 2);
    assert!(check(&SetupLogFile::new("x", &log)).is_empty());
}

#[test]
fn distinct_problems_are_all_reported() {
    let body = &[
        "[ERROR] Database is mandatory on UserMailbox.",
        REF,
        "Doing something else.",
        "[ERROR] System.Management.Automation.ItemNotFoundException: Cannot find path 'C:\\X' because it does not exist.",
        REF,
    ];
    let ids: Vec<&str> = findings(&[], body).iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(ids, vec!["missing-directory", "missing-homemdb"]);
}

#[test]
fn fill_replaces_known_and_marks_missing_placeholders() {
    let mut values = Captures::new();
    values.insert("a".into(), "1".into());
    assert_eq!(fill("x{a}y{b}z{", &values), "x1y(not logged)z{");
}
