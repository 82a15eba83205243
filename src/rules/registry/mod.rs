//! Host state from the registry exports: half-upgraded roles and setup watermarks,
//! the NtLmSsp dependency, missing prerequisites, pending reboot, name and domain,
//! disabled Exchange services, remote streaming backup and the Application log ACL.
//! Nothing is reported about parts of the registry that were not exported
//! ([`Coverage`](crate::registry::host_state::Coverage)).

pub(crate) mod custom_sd;
pub(crate) mod identity;
mod ntlmssp;
pub(crate) mod prereq;
pub(crate) mod roles;
pub(crate) mod service_settings;

pub use custom_sd::{judge_custom_sd, SdVerdict};

use crate::model::HostView;
use crate::model::{Evidence, Finding, Location};
use crate::registry::host_state::SourceRef;
use crate::registry::HostState;

/// `Windows NT\CurrentVersion` (OS evidence).
pub(crate) const CURRENT_VERSION_KEY: &str = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
/// `...\Session Manager\Environment` (system environment variables).
pub(crate) const ENVIRONMENT_KEY: &str = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";
/// `.NET 2.0` key.
pub(crate) const NDP20_KEY: &str = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v2.0.50727";
/// `PowerShell\1`.
pub(crate) const POWERSHELL_KEY: &str = "HKLM\\SOFTWARE\\Microsoft\\PowerShell\\1";
/// `InetStp`.
pub(crate) const IIS_KEY: &str = "HKLM\\SOFTWARE\\Microsoft\\InetStp";
/// `SOFTWARE\Microsoft\Updates` (hotfixes).
pub(crate) const UPDATES_KEY: &str = "HKLM\\SOFTWARE\\Microsoft\\Updates";

/// Runs the family's rules on one host (nothing without registry exports).
pub fn check(host: &HostView<'_>) -> Vec<Finding> {
    let Some(state) = host.registry else {
        return Vec::new();
    };
    let mut out = roles::check(state);
    out.extend(ntlmssp::check(state));
    out.extend(prereq::check(state));
    out.extend(identity::check(state));
    out.extend(service_settings::check(state));
    out.extend(custom_sd::check(state));
    out
}

/// `HKEY_LOCAL_MACHINE\...` shortened to `HKLM\...` for evidence.
pub(crate) fn short_key(key: &str) -> String {
    match key.get(..19) {
        Some(root) if root.eq_ignore_ascii_case("HKEY_LOCAL_MACHINE\\") => format!("HKLM\\{}", &key[19..]),
        _ => key.to_string(),
    }
}

/// Evidence at registry `key`, in the export `source` names (with its line in the
/// text), else in the host's first export.
pub(crate) fn key_evidence(state: &HostState, source: Option<&SourceRef>, key: &str, text: &str) -> Evidence {
    let (file, text) = match source {
        Some(s) => (s.file.clone(), format!("{text} (line {})", s.line)),
        None => (
            state.sources.first().cloned().unwrap_or_else(|| "registry".into()),
            text.to_string(),
        ),
    };
    Evidence::new(file, Location::Key(short_key(key)), None, text)
}

/// `A, B and C`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// How reports name a role key: `MailboxRole` -> `Mailbox`.
pub(crate) fn role_label(key: &str) -> String {
    let label = match key.to_ascii_lowercase().as_str() {
        "mailboxrole" => "Mailbox",
        "clientaccessrole" => "Client Access",
        "hubtransportrole" => "Hub Transport",
        "unifiedmessagingrole" => "Unified Messaging",
        "gatewayrole" | "edgetransportrole" | "edgerole" => "Edge Transport",
        "admintools" => "Management Tools",
        "clusteredmailboxserver" => "Clustered Mailbox Server",
        "frontendtransportrole" => "Front End Transport",
        "cafe" | "caferole" => "Client Access (front end)",
        _ => return key.to_string(),
    };
    label.to_string()
}

#[cfg(test)]
mod tests;
