//! `prereq-missing`: the prerequisites of the host's Exchange target (Exchange 2007 SP1
//! unless the host runs Exchange 2010 or later, whose prerequisites are not checked
//! here), read from the exported SOFTWARE and Services keys.

use serde_json::json;

use super::{
    key_evidence, short_key, CURRENT_VERSION_KEY, ENVIRONMENT_KEY, IIS_KEY, NDP20_KEY, POWERSHELL_KEY, UPDATES_KEY,
};
use crate::model::{Confidence, Evidence, Fact, Finding, Location, RegistryFact, RuleId, RuleInfo, Severity};
use crate::registry::host_state::{SourceRef, StartMode};
use crate::registry::{Build, HostState};

/// The `prereq-missing` rule.
pub(crate) const PREREQ_MISSING: RuleInfo = RuleInfo {
    id: RuleId::PrereqMissing,
    title: "An Exchange setup prerequisite is missing",
    severity: Severity::Error,
    description: "The registry shows a prerequisite of the server's Exchange target (Exchange 2007 SP1 unless \
                  the server runs Exchange 2010 or later) missing: .NET Framework 2.0 SP1 (NDP\\v2.0.50727 \
                  Install=1, SP>=1), Windows PowerShell 1.0 (PowerShell\\1 Install=1), Windows Server 2003 SP2 \
                  or Windows Server 2008, IIS with the World Wide Web Publishing service for Client Access and \
                  Mailbox, MMC 3.0. Only checked when the SOFTWARE keys were exported. The 2007 daylight-saving \
                  update KB931836 is reported as information.",
    remediation: &[
        "Install the missing prerequisite (the finding names it and how), reboot if it asks to, and run setup again.",
    ],
    references: &[
        "Exchange 2007 setup readiness checks (ms.exch.setupreadiness.*)",
        "ExBPA.PreReqs.xml",
    ],
};

/// One missing prerequisite.
struct Missing {
    check: &'static str,
    what: String,
    evidence: Evidence,
    steps: Vec<String>,
    references: Vec<&'static str>,
    severity: Severity,
}

impl Missing {
    fn new(check: &'static str, what: impl Into<String>, evidence: Evidence, steps: Vec<String>) -> Missing {
        Missing {
            check,
            what: what.into(),
            evidence,
            steps,
            references: Vec::new(),
            severity: Severity::Error,
        }
    }
}

/// What the checks need to know about the host.
struct Target<'s> {
    state: &'s HostState,
    /// "Exchange 2007 SP1" or the installed 2007 level when higher.
    name: String,
    /// Roles known from the registry; `None` for a host without Exchange role keys.
    roles: Option<Vec<String>>,
    /// Windows Server 2003 (5.2) rather than 2008.
    w2003: bool,
    /// A file that holds the SOFTWARE keys, for evidence of absent keys.
    software_source: Option<&'s SourceRef>,
    /// At least one prerequisite key (NDP, PowerShell, InetStp) was exported: only then
    /// is an absent one missing rather than not collected.
    prereq_keys_exported: bool,
}

impl Target<'_> {
    /// Evidence that `key` is absent from the exports (pointing at the file that holds
    /// the other SOFTWARE keys).
    fn absent(&self, key: &str, text: &str) -> Evidence {
        let file = self
            .software_source
            .map(|s| s.file.clone())
            .or_else(|| self.state.sources.first().cloned())
            .unwrap_or_else(|| "registry".into());
        Evidence::new(file, Location::Key(short_key(key)), None, text)
    }

    fn needs_iis(&self) -> bool {
        self.roles.as_ref().is_none_or(|roles| {
            roles.iter().any(|r| {
                let r = r.to_ascii_lowercase();
                r == "clientaccessrole" || r == "mailboxrole" || r == "clusteredmailboxserver"
            })
        })
    }
}

fn target(state: &HostState) -> Option<Target<'_>> {
    if !state.coverage.software || state.exchange.iter().any(|i| i.version_key != "v8.0") {
        return None;
    }
    let sp1: Build = Build {
        major: 8,
        minor: 1,
        build: 240,
        revision: 6,
    };
    let installed = state.exchange_build().filter(|b| b.major == 8 && *b > sp1);
    let name = installed
        .and_then(|b| b.name())
        .unwrap_or_else(|| "Exchange 2007 SP1".to_string());
    let roles: Vec<String> = state
        .exchange
        .iter()
        .flat_map(|i| &i.roles)
        .filter(|r| !r.name.eq_ignore_ascii_case("AdminTools"))
        .map(|r| r.name.clone())
        .collect();
    let prereq = &state.prerequisites;
    let software_source = state
        .os
        .as_ref()
        .and_then(|o| o.source.as_ref())
        .or_else(|| prereq.dotnet.iter().find_map(|d| d.source.as_ref()))
        .or_else(|| prereq.iis.as_ref().and_then(|i| i.source.as_ref()));
    Some(Target {
        state,
        name,
        roles: (!roles.is_empty()).then_some(roles),
        w2003: state.os.as_ref().and_then(|o| o.version()) == Some((5, 2)),
        software_source,
        prereq_keys_exported: !prereq.dotnet.is_empty() || prereq.powershell.is_some() || prereq.iis.is_some(),
    })
}

fn dotnet(t: &Target<'_>) -> Option<Missing> {
    let steps = vec![
        "Install Microsoft .NET Framework 2.0 Service Pack 1 (x64), or .NET Framework 3.5 SP1 which contains it, and reboot.".to_string(),
        "Run setup again.".to_string(),
    ];
    let evidence = match t.state.prerequisites.dotnet20() {
        Some(d) if d.install == Some(1) && d.sp.unwrap_or(0) >= 1 => return None,
        Some(d) => {
            let text = format!(
                "Install = {}; SP = {}{}",
                d.install.map_or_else(|| "absent".into(), |v| v.to_string()),
                d.sp.map_or_else(|| "absent".into(), |v| v.to_string()),
                d.version
                    .as_ref()
                    .map(|v| format!("; Version = {v}"))
                    .unwrap_or_default()
            );
            key_evidence(t.state, d.source.as_ref(), NDP20_KEY, &text)
        }
        None if t.prereq_keys_exported => {
            t.absent(NDP20_KEY, "no NDP\\v2.0.50727 key: .NET Framework 2.0 is not installed")
        }
        None => return None,
    };
    Some(Missing::new(
        "NetFramework20SP1",
        ".NET Framework 2.0 SP1",
        evidence,
        steps,
    ))
}

fn powershell(t: &Target<'_>) -> Option<Missing> {
    let ps = t.state.prerequisites.powershell.as_ref();
    if ps.is_some_and(|p| p.install == Some(1)) {
        return None;
    }
    let evidence = match ps {
        Some(p) => key_evidence(
            t.state,
            p.source.as_ref(),
            POWERSHELL_KEY,
            &format!(
                "Install = {}",
                p.install.map_or_else(|| "absent".into(), |v| v.to_string())
            ),
        ),
        None if t.prereq_keys_exported => t.absent(
            POWERSHELL_KEY,
            "no PowerShell\\1 key: Windows PowerShell 1.0 is not installed",
        ),
        None => return None,
    };
    let install = if t.w2003 {
        "Install Windows PowerShell 1.0 for Windows Server 2003 x64 (KB926139 for English; the localized package for other languages)."
    } else {
        "Add the Windows PowerShell feature: ServerManagerCmd -i PowerShell."
    };
    let mut m = Missing::new(
        "PowerShell10",
        "Windows PowerShell 1.0",
        evidence,
        vec![install.to_string(), "Run setup again.".to_string()],
    );
    m.references = vec!["KB926139"];
    Some(m)
}

fn os(t: &Target<'_>) -> Option<Missing> {
    let os = t.state.os.as_ref()?;
    let version = os.version()?;
    let exchange = t.state.exchange_build();
    let sp3 = exchange.is_some_and(|b| b.major == 8 && b.minor >= 3);
    let text = format!(
        "CurrentVersion = {}; CSDVersion = {}; ProductName = {}",
        os.current_version.as_deref().unwrap_or("?"),
        os.csd_version.as_deref().unwrap_or("(none)"),
        os.product_name.as_deref().unwrap_or("?")
    );
    let evidence = key_evidence(t.state, os.source.as_ref(), CURRENT_VERSION_KEY, &text);
    let (check, what, step) = match version {
        (5, 2) if os.service_pack < 2 => (
            "OsServicePack",
            "Windows Server 2003 Service Pack 2",
            "Install Windows Server 2003 SP2 (x64) and reboot.",
        ),
        v if v < (5, 2) => (
            "OsVersion",
            "Windows Server 2003 SP2 or Windows Server 2008 (x64)",
            "Exchange 2007 needs Windows Server 2003 SP2 or Windows Server 2008 (x64): install it on a supported OS.",
        ),
        (6, 1) if !sp3 => (
            "OsVersion",
            "Exchange 2007 SP3 for Windows Server 2008 R2",
            "Windows Server 2008 R2 is supported only from Exchange 2007 SP3: install SP3, or use Windows Server 2008.",
        ),
        v if v > (6, 1) => (
            "OsVersion",
            "a Windows version Exchange 2007 supports",
            "Exchange 2007 does not run on this Windows version: use Windows Server 2003 SP2 or 2008 (R2 with SP3).",
        ),
        _ => return None,
    };
    Some(Missing::new(
        check,
        what,
        evidence,
        vec![step.to_string(), "Run setup again.".to_string()],
    ))
}

/// Exchange 2007 production servers run only on x64 Windows (the 32-bit build is for
/// evaluation and the management tools).
fn architecture(t: &Target<'_>) -> Option<Missing> {
    let os = t.state.os.as_ref()?;
    let arch = os.architecture.as_deref()?;
    if arch.eq_ignore_ascii_case("AMD64") || arch.eq_ignore_ascii_case("x64") {
        return None;
    }
    let evidence = key_evidence(
        t.state,
        os.architecture_source.as_ref(),
        ENVIRONMENT_KEY,
        &format!("PROCESSOR_ARCHITECTURE = {arch}"),
    );
    Some(Missing::new(
        "OsArchitecture",
        "a 64-bit (x64) Windows",
        evidence,
        vec![
            format!("This Windows is {arch}: Exchange 2007 production servers need x64 Windows Server 2003 SP2 or 2008 (the 32-bit build is only for evaluation and the management tools)."),
            "Install the server on x64 Windows and move the data to it; an in-place change of architecture is not possible.".to_string(),
        ],
    ))
}

fn iis(t: &Target<'_>) -> Vec<Missing> {
    if !t.needs_iis() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if t.state.prerequisites.iis.is_none() && t.prereq_keys_exported {
        let step = if t.w2003 {
            "Install IIS with the WWW service (Add/Remove Windows Components, Application Server) and ASP.NET, then reboot if asked."
        } else {
            "Add the Web Server (IIS) role with the role services Exchange needs (ServerManagerCmd -i Web-Server Web-ISAPI-Ext Web-Metabase Web-Lgcy-Mgmt-Console Web-Basic-Auth Web-Digest-Auth Web-Windows-Auth Web-Dyn-Compression)."
        };
        let e = t.absent(IIS_KEY, "no InetStp key: IIS is not installed");
        out.push(Missing::new(
            "IIS",
            "IIS",
            e,
            vec![step.to_string(), "Run setup again.".to_string()],
        ));
    }
    if let Some(services) = t.state.services.as_ref().filter(|_| t.state.coverage.services) {
        let w3svc = services.get("W3SVC");
        // An absent W3SVC counts only when IIS itself was exported (else only the
        // Tcpip or some other service key may have been collected).
        let iis_exported = t.state.prerequisites.iis.is_some() || services.get("IISADMIN").is_some();
        let problem = match w3svc {
            None if !iis_exported => None,
            None => Some(key_evidence(
                t.state,
                None,
                &format!("{}\\W3SVC", services.key),
                "no W3SVC service key: the World Wide Web Publishing service is not installed",
            )),
            Some(s) if s.start_mode == Some(StartMode::Disabled) => {
                Some(key_evidence(t.state, s.source.as_ref(), &s.key, "Start = 4 (disabled)"))
            }
            Some(_) => None,
        };
        if let Some(e) = problem {
            out.push(Missing::new(
                "W3SVC",
                "the World Wide Web Publishing service (W3SVC)",
                e,
                vec![
                    "Install the WWW service of IIS and set World Wide Web Publishing to Automatic: sc config W3SVC start= auto; net start W3SVC.".to_string(),
                    "Run setup again.".to_string(),
                ],
            ));
        }
    }
    out
}

/// MMC 3.0 and the 2007 time zone update: only on Windows Server 2003 with hotfix keys exported.
fn updates(t: &Target<'_>) -> Vec<Missing> {
    let Some(os) = t.state.os.as_ref().filter(|_| t.w2003) else {
        return Vec::new();
    };
    let prereq = &t.state.prerequisites;
    if prereq.hotfixes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let r2 = os.product_name.as_deref().is_some_and(|p| p.contains("R2"));
    if os.service_pack < 2 && !r2 && !prereq.has_hotfix("KB907265") {
        let e = t.absent(
            UPDATES_KEY,
            "no KB907265 among the installed updates: MMC 3.0 is not installed",
        );
        let mut m = Missing::new(
            "Mmc30",
            "Microsoft Management Console 3.0",
            e,
            vec!["Install MMC 3.0 (KB907265), or Windows Server 2003 SP2 which contains it.".to_string()],
        );
        m.references = vec!["KB907265"];
        out.push(m);
    }
    if !prereq.has_hotfix("KB931836") {
        let e = t.absent(UPDATES_KEY, "no KB931836 among the installed updates");
        let mut m = Missing::new(
            "KB931836",
            "the 2007 daylight-saving time update KB931836",
            e,
            vec![
                "Install KB931836 (or a later cumulative time zone update) so that calendar times are right."
                    .to_string(),
            ],
        );
        m.references = vec!["KB931836"];
        m.severity = Severity::Info;
        out.push(m);
    }
    out
}

fn finding(t: &Target<'_>, m: Missing) -> Finding {
    let rule = &PREREQ_MISSING;
    let roles = t.roles.as_ref().map_or_else(
        || "fresh install: no Exchange roles in the registry".to_string(),
        |r| format!("roles {}", r.join(", ")),
    );
    let summary = format!("{} is missing for {} ({roles}).", capitalized(&m.what), t.name);
    let confidence = if t.roles.is_none() && matches!(m.check, "IIS" | "W3SVC") {
        Confidence::Low
    } else {
        Confidence::Medium
    };
    let mut f = Finding::new(rule, summary)
        .subject(m.check)
        .title(format!("Prerequisite missing: {}", m.what))
        .severity(m.severity)
        .confidence(confidence)
        .evidence(m.evidence)
        .remediation(m.steps)
        .fact(Fact::Registry(RegistryFact::PrereqMissing(m.check.to_string())))
        .detail("check", m.check)
        .detail("target", t.name.clone())
        .detail("roles", json!(t.roles));
    f.references.extend(m.references.iter().map(|r| r.to_string()));
    f
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The missing prerequisites of the host, one finding each.
pub(super) fn check(state: &HostState) -> Vec<Finding> {
    let Some(t) = target(state) else {
        return Vec::new();
    };
    let mut missing: Vec<Missing> = [dotnet(&t), powershell(&t), os(&t), architecture(&t)]
        .into_iter()
        .flatten()
        .collect();
    missing.extend(iis(&t));
    missing.extend(updates(&t));
    missing.into_iter().map(|m| finding(&t, m)).collect()
}
