//! What to do about each readiness check: static steps per rule name (KNOWLEDGE
//! "Readiness rules"), code for the checks whose facts come from the log (the domain
//! controller and sites, the process holding files), a generic fallback.

use std::sync::LazyLock;

use exdoctor_parsers::setup_log::Run;
use regex::Regex;

use super::checks::FailedCheck;
use crate::rules::setup_log::known_errors::{fill, Captures};

/// What a warning rule means and what to do, by lowercase rule name (the rules started
/// as `[RuleType:Warning]` seen in real logs).
const WARNING_STEPS: &[(&str, &str, &[&str])] = &[
    (
        "noconnectortostar",
        "The organization has no Send connector with the address space '*': mail to the internet may not flow until one exists.",
        &[
            "Nothing blocks setup. If this organization sends mail to the internet, create a Send connector for the address space '*' after the installation (New-SendConnector -Internet -AddressSpaces *).",
        ],
    ),
    (
        "noe14serverwarning",
        "No Exchange 2010 server is in the organization: once this setup prepares it, Exchange 2010 servers can no longer be installed.",
        &["Nothing blocks setup. Install any Exchange 2010 server the organization still needs before this version."],
    ),
    (
        "noe15serverwarning",
        "No Exchange 2013 server is in the organization: once this setup prepares it, Exchange 2013 servers can no longer be installed.",
        &["Nothing blocks setup. Install any Exchange 2013 server the organization still needs before this version."],
    ),
    (
        "noe16serverwarning",
        "No Exchange 2016 server is in the organization: once this setup prepares it, Exchange 2016 servers can no longer be installed.",
        &["Nothing blocks setup. Install any Exchange 2016 server the organization still needs before this version."],
    ),
];

/// Static remediation: rule names (lowercase; a trailing `*` is a prefix) and steps.
const STEPS: &[(&[&str], &[&str])] = &[
    (
        &["pendingrebootwindowscomponents", "rebootpending", "pendingreboot*"],
        &[
            "Restart the server: a previous installation of Windows components or updates is waiting for a reboot \
             (Component Based Servicing\\RebootPending, PendingFileRenameOperations, WindowsUpdate RebootRequired).",
            "Run setup again after the restart; if the check still fails, find and clear the stale pending-reboot \
             flag (CSS-Exchange SetupAssist lists it).",
        ],
    ),
    (
        &["remoteregexception"],
        &[
            "Start the Remote Registry service and set it to Automatic: Set-Service RemoteRegistry -StartupType \
             Automatic; Start-Service RemoteRegistry.",
            "Run setup again.",
        ],
    ),
    (
        &["msdtcstopped"],
        &[
            "Start the Distributed Transaction Coordinator service (MSDTC) and set it to Automatic.",
            "Run setup again.",
        ],
    ),
    (
        &["iisurlrewritenotinstalled"],
        &[
            "Install the IIS URL Rewrite Module (2.1, x64) - required by Exchange 2016 CU22 / 2019 CU11 and later.",
            "Run setup again.",
        ],
    ),
    (
        &["localdomainisprepped", "domainpreprequired", "localdomainnotprepared"],
        &[
            "Run setup /PrepareDomain (or /PrepareAllDomains) as a member of Domain Admins for this domain.",
            "If it was already run: look for duplicate Microsoft Exchange System Objects (MESO) containers in the \
             domain and remove the duplicate.",
            "Wait for replication, then run setup again.",
        ],
    ),
    (
        &["cannotaccessad"],
        &[
            "Check that the server reaches a domain controller and global catalog: DNS, firewall, time, secure \
             channel (Test-ComputerSecureChannel).",
            "Run setup again.",
        ],
    ),
    (
        &["forestlevelnotwin2003native"],
        &["Raise the forest functional level to the minimum the Exchange version requires.", "Run setup again."],
    ),
    (
        &["netframework20sp1notinstalled", "netframeworknotinstalled"],
        &[
            "Install Microsoft .NET Framework 2.0 Service Pack 1 (KB110806).",
            "Restart if asked, then run setup again.",
        ],
    ),
    (
        &["powershellnotinstalled"],
        &[
            "Install Windows PowerShell 1.0 (KB926139 on Windows Server 2003; the Windows PowerShell feature on \
             Windows Server 2008).",
            "Run setup again.",
        ],
    ),
    (
        &["singlelabeldomain"],
        &[
            "Exchange 2007 SP1 is not supported in a single-label DNS domain (KB300684): configure the DNS clients \
             for single-label names as KB300684 describes, and plan a move to a domain with a multi-label DNS name.",
            "See the registry finding single-label-domain for the host's DNS settings.",
        ],
    ),
    (
        &["additionalumlangpackexists"],
        &[
            "Remove the Unified Messaging language packs other than en-US, upgrade, then reinstall the language packs \
             of the new version.",
        ],
    ),
    (
        &["w3svcdisabledornotinstalled"],
        &["Install IIS and set the World Wide Web Publishing service (W3SVC) to Automatic.", "Run setup again."],
    ),
    (
        &["iis32bitmode"],
        &[
            "Turn off IIS 32-bit mode (adsutil set w3svc/AppPools/Enable32bitAppOnWin64 false) - Exchange 2007 is 64-bit.",
            "Run setup again.",
        ],
    ),
    (
        &["longhorniis7*"],
        &["Add the missing IIS 7 role services (the check name says which one).", "Run setup again."],
    ),
    (
        &["smtpsvcinstalled"],
        &["Remove the IIS SMTP service: a Hub Transport/Edge server cannot coexist with it.", "Run setup again."],
    ),
    (
        &["servernotwin2003"],
        &["Install Exchange 2007 on a supported operating system (Windows Server 2003 SP1 or later x64)."],
    ),
    (
        &["orgnotnativemode"],
        &["Switch the Exchange organization to native mode (no Exchange 5.5 servers left).", "Run setup again."],
    ),
    (
        &["adcfound"],
        &["Remove the Active Directory Connector (ADC) services from the organization.", "Run setup again."],
    ),
];

/// Generic steps for a check without its own remediation.
const GENERIC: &[&str] = &[
    "Fix what the check reports: {message}",
    "Read the readiness help topic for {check}: {help_url}",
    "Run setup again.",
];

/// `... because the powershell (19404) has open files ...`.
static PROCESS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"because the (?P<process>.+?) has open files").ok());

/// `Setup can't use the domain controller 'X' because it belongs to Active Directory site 'Y'`.
static OUT_OF_SITE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"domain controller '(?P<dc>[^']*)' because it belongs to Active Directory site '(?P<site>[^']*)'").ok()
});

/// Details, summary and remediation of one failed check.
pub(super) struct Remedy {
    pub details: Captures,
    pub summary: String,
    pub steps: Vec<String>,
}

/// The remedy of `check` in `run`.
pub(super) fn remedy(check: &FailedCheck, run: &Run<'_>) -> Remedy {
    let mut details = Captures::new();
    details.insert("check".into(), check.name.clone());
    if let Some(m) = &check.message {
        details.insert("message".into(), m.clone());
    }
    if let Some(u) = &check.help_url {
        details.insert("help_url".into(), u.clone());
    }
    if check.warning_rule {
        return warning(details, check);
    }
    let base = check
        .message
        .clone()
        .unwrap_or_else(|| format!("The readiness check {} failed.", check.name));
    if check.is("DomainControllerIsOutOfSite") {
        return out_of_site(details, check, run);
    }
    if check.is("ProcessNeedsToBeClosedOnUpgrade") {
        return process_open(details, check, base);
    }
    let steps = static_steps(&check.name)
        .map(|s| s.iter().map(|x| fill(x, &details)).collect())
        .unwrap_or_else(|| generic(&details));
    Remedy {
        details,
        summary: base,
        steps,
    }
}

/// A rule started as `[RuleType:Warning]`: setup printed it as `[RECOMENDED]` and went
/// on, so it is never the cause of a failed run.
fn warning(mut details: Captures, check: &FailedCheck) -> Remedy {
    details.insert("rule_type".into(), "Warning".into());
    let known = WARNING_STEPS
        .iter()
        .find(|(name, _, _)| check.name.eq_ignore_ascii_case(name));
    let meaning = known
        .map(|(_, meaning, _)| meaning.to_string())
        .or_else(|| check.message.clone())
        .unwrap_or_else(|| format!("The readiness rule {} evaluated True.", check.name));
    let summary = format!(
        "Readiness warning {} (a [RuleType:Warning] rule): setup printed it as [RECOMENDED] and went on; it did not \
         stop the run. {meaning}",
        check.name
    );
    let steps = match known {
        Some((_, _, steps)) => steps.iter().map(|s| s.to_string()).collect(),
        None => vec![format!(
            "Nothing blocks setup. Read the warning and decide whether it matters for this organization: {}",
            check
                .message
                .as_deref()
                .unwrap_or("see the [RECOMENDED] lines of the log")
        )],
    };
    Remedy {
        details,
        summary,
        steps,
    }
}

/// The static steps of a rule name.
fn static_steps(name: &str) -> Option<&'static [&'static str]> {
    let lower = name.to_ascii_lowercase();
    STEPS
        .iter()
        .find(|(names, _)| {
            names.iter().any(|n| match n.strip_suffix('*') {
                Some(prefix) => lower.starts_with(prefix),
                None => lower == *n,
            })
        })
        .map(|(_, steps)| *steps)
}

/// Generic steps, without the help URL line when none was logged.
fn generic(details: &Captures) -> Vec<String> {
    GENERIC
        .iter()
        .filter(|s| !s.contains("{help_url}") || details.contains_key("help_url"))
        .filter(|s| !s.contains("{message}") || details.contains_key("message"))
        .map(|s| fill(s, details))
        .collect()
}

/// DomainControllerIsOutOfSite: the DC and its site from the settings (the Failed message
/// has been seen with the values swapped), else from the message and the header. A site
/// the log leaves empty or does not log is said to be unknown, and the message's own
/// names are quoted.
fn out_of_site(mut details: Captures, check: &FailedCheck, run: &Run<'_>) -> Remedy {
    let from_message = check
        .message
        .as_deref()
        .and_then(|m| OUT_OF_SITE.as_ref()?.captures(m))
        .and_then(|c| Some((c.name("dc")?.as_str().to_string(), c.name("site")?.as_str().to_string())));
    let known = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let dc = known(last_setting(run, "DomainController"))
        .or_else(|| known(run.header.domain_controller.map(|d| d.to_string())))
        .or_else(|| known(from_message.as_ref().map(|(dc, _)| dc.clone())));
    let dc_site = known(last_setting(run, "DomainControllerSiteName"))
        .or_else(|| known(from_message.as_ref().map(|(_, site)| site.clone())));
    let site = known(last_setting(run, "SiteName"));
    let dc_text = dc.clone().unwrap_or_else(|| "(not logged)".into());
    let dc_site_text = dc_site
        .as_deref()
        .map_or_else(|| "unknown (the log gives it empty)".to_string(), |s| format!("'{s}'"));
    let site_text = site
        .as_deref()
        .map_or_else(|| "a site the log does not name".to_string(), |s| format!("site '{s}'"));
    let mut summary = format!(
        "Setup used the domain controller {dc_text}, whose Active Directory site is {dc_site_text}, but this server \
         is in {site_text}: setup must use a domain controller in its own site."
    );
    if let Some(m) = &check.message {
        summary.push_str(&format!(" The check says: \"{}\"", m.trim()));
    }
    let own_site = site
        .as_deref()
        .map_or_else(|| "this server's site".to_string(), |s| format!("site {s}"));
    let mut steps = vec![format!(
        "Domain controller: {dc_text}; its site: {dc_site_text}; this server: {site_text}."
    )];
    steps.push(format!(
        "Make sure a writable domain controller and global catalog exist in {own_site}{} and that the subnets and \
         the DC's server object are in the right sites (AD Sites and Services){}.",
        if site.is_none() {
            " (nltest /dsgetsite on this server names it)"
        } else {
            ""
        },
        if dc_site.is_none() {
            "; an empty DC site means the DC's site could not be determined"
        } else {
            ""
        }
    ));
    steps.push(format!(
        "Run setup again, if needed with /DomainController:<a DC in {own_site}>{}.",
        dc.as_deref().map(|d| format!(" (setup used {d})")).unwrap_or_default()
    ));
    for (key, value) in [
        ("domain_controller", dc),
        ("domain_controller_site", dc_site),
        ("server_site", site),
    ] {
        if let Some(v) = value {
            details.insert(key.into(), v);
        }
    }
    Remedy {
        details,
        summary,
        steps,
    }
}

/// ProcessNeedsToBeClosedOnUpgrade: name the process holding Exchange files.
fn process_open(mut details: Captures, check: &FailedCheck, base: String) -> Remedy {
    let process = check
        .message
        .as_deref()
        .and_then(|m| Some(PROCESS.as_ref()?.captures(m)?.name("process")?.as_str().to_string()));
    let who = process
        .clone()
        .unwrap_or_else(|| "the process named in the message".into());
    let steps = vec![
        format!(
            "Close {who} and every other Exchange Management Shell, Exchange Management Console, PowerShell/ISE or \
             monitoring session that has Exchange files open (Exchange 2007 SP1 also blocks on open PowerShell)."
        ),
        "Run setup again.".into(),
    ];
    if let Some(p) = process {
        details.insert("process".into(), p);
    }
    Remedy {
        details,
        summary: base,
        steps,
    }
}

/// The last logged value of a prerequisite setting.
fn last_setting(run: &Run<'_>, name: &str) -> Option<String> {
    run.setting(name).last().map(|e| e.value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_match_names_case_insensitively_and_by_prefix() {
        assert!(static_steps("IISURLRewriteNotInstalled").is_some());
        assert!(static_steps("LonghornIIS7HttpCompressionNotInstalled").is_some());
        assert!(static_steps("SomethingNew").is_none());
    }

    #[test]
    fn generic_steps_name_the_message_and_help_url() {
        let mut details = Captures::new();
        details.insert("check".into(), "SomethingNew".into());
        details.insert("message".into(), "Do X.".into());
        let steps = generic(&details);
        assert_eq!(
            steps,
            vec![
                "Fix what the check reports: Do X.".to_string(),
                "Run setup again.".into()
            ]
        );
    }
}
