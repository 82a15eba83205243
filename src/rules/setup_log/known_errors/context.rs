//! Known errors that need more than their signature: facts from the run header or the
//! prerequisite settings, and remediation that depends on what was captured.

use std::sync::LazyLock;

use exdoctor_parsers::ldif_err::{ds_error_message, ds_error_name};
use exdoctor_parsers::setup_log::Run;
use regex::Regex;

use super::matcher::Captures;
use crate::model::RuleId;

/// The inner error of `shared-config-dc` when the AD Topology service was not running
/// (sic: "coundn't").
const TOPOLOGY_NOT_RUNNING: &str =
    "Topology Provider coundn't find the Microsoft Exchange Active Directory Topology service";

/// `... in the domain X and site Y, and wait for replication ...`.
static SCHEMA_MASTER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)in the domain (?P<domain>[^\s,]+) and site (?P<site>[^\s,]+?)[,.]?\s").ok());

/// Adds the facts a rule needs beyond its captures.
pub(super) fn enrich(id: RuleId, details: &mut Captures, run: &Run<'_>) {
    for key in ["schema_path", "package"] {
        if let Some(name) = details.get(key).map(|p| file_name(p).to_string()) {
            let out = if key == "schema_path" {
                "schema_file"
            } else {
                "package_file"
            };
            details.insert(out.to_string(), name);
        }
    }
    match id {
        RuleId::MsiInstallerCache => installed_build(details, run),
        RuleId::LdifdeImportFailed => ldifde_error(details),
        RuleId::SharedConfigDc if details.get("inner_error").is_some_and(|e| topology_not_running(e)) => {
            details.insert("service".into(), "MSExchangeADTopology".into());
        }
        RuleId::AdValidationFailed => schema_master(details, run),
        _ => {}
    }
}

/// The name and meaning of ldifde's exit code (a Win32 directory-service error: 8245 is
/// ERROR_DS_UNWILLING_TO_PERFORM), when known.
fn ldifde_error(details: &mut Captures) {
    let Some(code) = details.get("error_code").and_then(|c| c.parse::<u32>().ok()) else {
        return;
    };
    if let (Some(name), Some(message)) = (ds_error_name(code), ds_error_message(code)) {
        details.insert("error_name".into(), name.to_string());
        details.insert("error_meaning".into(), message.trim_end_matches('.').to_string());
    }
}

/// The build whose installer cache is needed: the backup copy of the previously installed
/// version (an upgrade in progress), else the locally installed version.
fn installed_build(details: &mut Captures, run: &Run<'_>) {
    let header = &run.header;
    let (build, source) = match (header.backup_version, header.installed_version) {
        (Some(b), _) => (b.to_string(), "the build installed before this upgrade"),
        (None, Some(v)) => (v.to_string(), "the locally installed build"),
        (None, None) => return,
    };
    details.insert("build".into(), build);
    details.insert("build_source".into(), source.into());
}

/// Whether a shared-config-DC inner error says the AD Topology service was not reachable.
fn topology_not_running(inner: &str) -> bool {
    let lower = inner.to_ascii_lowercase();
    lower.contains(&TOPOLOGY_NOT_RUNNING.to_ascii_lowercase())
        || (lower.contains("topology provider") && lower.contains("active directory topology service"))
}

/// The schema master's domain and site (from the message) and the server's (settings).
fn schema_master(details: &mut Captures, run: &Run<'_>) {
    let inner = details.get("inner_error").map(|e| format!("{e} ")).unwrap_or_default();
    let found = SCHEMA_MASTER.as_ref().and_then(|re| re.captures(&inner));
    if let Some((d, s)) = found.as_ref().and_then(|c| Some((c.name("domain")?, c.name("site")?))) {
        details.insert("schema_master_domain".into(), d.as_str().to_string());
        details.insert("schema_master_site".into(), s.as_str().to_string());
    }
    if let Some(fqdn) = last_setting(run, "ComputerNameDnsFullyQualified") {
        if let Some((_, domain)) = fqdn.split_once('.') {
            details.insert("server_domain".into(), domain.to_string());
        }
        details.insert("server".into(), fqdn);
    }
    if let Some(site) = last_setting(run, "SiteName") {
        details.insert("server_site".into(), site);
    }
}

/// The last logged value of a prerequisite setting.
fn last_setting(run: &Run<'_>, name: &str) -> Option<String> {
    run.setting(name)
        .last()
        .map(|e| e.value.to_string())
        .filter(|v| !v.is_empty())
}

/// The last component of a Windows or URL path.
fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// A sentence added to the summary, when the context says more.
pub(super) fn summary_suffix(id: RuleId, details: &Captures) -> Option<String> {
    match id {
        RuleId::AdValidationFailed => {
            let domain = details.get("schema_master_domain")?;
            let site = details.get("schema_master_site")?;
            let here = |k: &str| details.get(k).map_or("not logged", String::as_str);
            Some(format!(
                "The schema master is in domain {domain}, site {site}; this server ({}) is in domain {}, site {}.",
                here("server"),
                here("server_domain"),
                here("server_site")
            ))
        }
        RuleId::LdifdeImportFailed => {
            let name = details.get("error_name")?;
            let meaning = details.get("error_meaning")?;
            let code = details.get("error_code")?;
            Some(format!("Error {code} is {name}: {meaning}."))
        }
        RuleId::SearchFoundationFailure if details.contains_key("fsis_nodes") => {
            Some("Old nodes of the system 'Fsis' already exist.".into())
        }
        _ => None,
    }
}

/// Remediation that replaces the template's when the captures call for it.
pub(super) fn remediation_override(id: RuleId, details: &Captures) -> Option<Vec<String>> {
    let steps: Vec<String> = match id {
        RuleId::SharedConfigDc if details.contains_key("service") => vec![
            "The Microsoft Exchange Active Directory Topology service (MSExchangeADTopology) was not running when \
             setup needed it: start it and keep it running for the whole setup (do not stop it, and make sure \
             nothing - scripts, monitoring, antivirus - stops it while setup runs)."
                .into(),
            "Check the System/Application event logs for why MSExchangeADTopology stopped or failed to start (its \
             dependencies, DC reachability)."
                .into(),
            "Run setup again in the same mode (it resumes the failed task).".into(),
        ],
        RuleId::AdObjectAlreadyExists
            if details
                .get("object")
                .is_some_and(|o| o.to_ascii_lowercase().starts_with("cn=folder hierarchies")) =>
        {
            vec![
                "The public folder hierarchy container exists without its tree object: create an msExchPFTree object \
                 in CN=Folder Hierarchies (ADSI Edit) with msExchPFTreeType = 1."
                    .into(),
                "Run setup again in the same mode.".into(),
            ]
        }
        RuleId::AdValidationFailed => {
            let domain = details.get("schema_master_domain")?;
            let site = details.get("schema_master_site")?;
            vec![
                format!(
                    "Run setup /PrepareAD on a computer in domain {domain} and Active Directory site {site} (where the \
                     schema master is), with Enterprise Admins and Schema Admins rights."
                ),
                "Wait for Active Directory replication to reach this server's site.".into(),
                "Run setup again on this server.".into(),
            ]
        }
        _ => return None,
    };
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_master_domain_and_site_are_read_from_the_message() {
        let inner = "Exchange organization-level objects have not been created, and setup cannot create them because \
                     the local computer is not in the same domain and site as the schema master.  Run setup with the \
                     /prepareAD parameter on a computer in the domain Solo and site SiteA, and wait for replication to \
                     complete.";
        let caps = SCHEMA_MASTER.as_ref().and_then(|re| re.captures(inner));
        assert_eq!(
            caps.as_ref().and_then(|c| c.name("domain")).map(|m| m.as_str()),
            Some("Solo")
        );
        assert_eq!(
            caps.as_ref().and_then(|c| c.name("site")).map(|m| m.as_str()),
            Some("SiteA")
        );
    }

    #[test]
    fn topology_inner_error_is_recognised() {
        assert!(topology_not_running(
            "Topology Provider coundn't find the Microsoft Exchange Active Directory Topology service on end point \
             'TopologyClientTcpEndpoint (localhost)'."
        ));
        assert!(!topology_not_running("The LDAP server is unavailable."));
    }

    #[test]
    fn file_name_of_windows_paths() {
        assert_eq!(
            file_name(r"C:\Temp\ExchangeSetup\Setup\Data\PostExchange2003_schema80.ldf"),
            "PostExchange2003_schema80.ldf"
        );
        assert_eq!(file_name("plain"), "plain");
    }
}
