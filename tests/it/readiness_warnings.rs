//! Readiness rules started as `[RuleType:Warning]` (issue 10, item 2): setup prints them
//! as `[RECOMENDED]` and goes on, so a completed run that logged one is not an error and
//! does not fail `--fail-on error`.

use crate::common;

/// A completed Exchange 2019 run whose NoConnectorToStar and NoE15ServerWarning rules
/// evaluated True, in the shape of the real logs.
const COMPLETED_WITH_WARNINGS: &str = "\
[12/19/2020 04:16:10.0000] [0] **********************************************\r
[12/19/2020 04:16:10.0001] [0] Starting Microsoft Exchange Server 2019 Setup\r
[12/19/2020 04:16:10.0002] [0] **********************************************\r
[12/19/2020 04:16:10.0003] [0] Setup version: 15.2.792.3.\r
[12/19/2020 04:16:40.0000] [1] Beginning processing test-SetupPrerequisites\r
[12/19/2020 04:16:49.0614] [1] Started [Rule:NoConnectorToStar] [Parent:RootAnalysisMember] [RuleType:Warning]\r
[12/19/2020 04:16:49.0615] [1] Started [Rule:NoE15ServerWarning] [Parent:RootAnalysisMember] [RuleType:Warning]\r
[12/19/2020 04:16:49.0634] [1] Evaluated [Rule:NoConnectorToStar] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:5] [Duration:00:00:00.0200075]\r
[12/19/2020 04:16:49.0635] [1] Evaluated [Rule:NoE15ServerWarning] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:6] [Duration:00:00:00.0019979]\r
[12/19/2020 04:17:00.0261] [1] [RECOMENDED] Setup will prepare the organization for Exchange Server 2019 by using 'Setup /PrepareAD'. No Exchange Server 2013 roles have been detected in this topology. After this operation, you will not be able to install any Exchange Server 2013 servers.\r
[12/19/2020 04:17:00.0268] [1] [RECOMENDED] Setup can't detect a Send connector with an address space of '*'. Mail flow to the Internet may not work properly.\r
[12/19/2020 04:17:00.0308] [1] Ending processing test-SetupPrerequisites\r
[12/19/2020 04:40:00.0000] [0] The Exchange Server setup operation completed successfully.\r
[12/19/2020 04:40:00.0001] [0] End of Setup\r
[12/19/2020 04:40:00.0002] [0] **********************************************\r
";

#[test]
fn a_completed_run_with_warning_rules_reports_warnings_and_passes_fail_on_error() {
    let dir = std::env::temp_dir().join(format!("exdoctor-readiness-warnings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log = dir.join("ExchangeSetup.log");
    std::fs::write(&log, COMPLETED_WITH_WARNINGS).expect("write log");
    let path = log.to_string_lossy().into_owned();
    let out = common::exdoctor(&["analyze", &path, "--format", "json", "--fail-on", "error"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let got: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["title"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "prereq-failed".to_string(),
                "warning".to_string(),
                "Readiness warning: NoConnectorToStar".to_string()
            ),
            (
                "prereq-failed".to_string(),
                "warning".to_string(),
                "Readiness warning: NoE15ServerWarning".to_string()
            ),
        ]
    );
    assert_eq!(out.status.code(), Some(0), "no finding at error or above");
    let out = common::exdoctor(&["analyze", &path, "--quiet", "--fail-on", "warning"]);
    assert_eq!(out.status.code(), Some(1), "the warnings are still shown");
    let _ = std::fs::remove_dir_all(&dir);
}
