//! Classification of record messages: what a line means for its run.

use super::text::Text;
use super::{EvaluationKind, RunHeader};

/// What a record tells the run builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fact<'a> {
    /// `****...` banner line at depth 0.
    Banner,
    /// `Starting Microsoft Exchange [Server] [2019 |Subscription Edition ]Setup`.
    Start {
        product: Text<'a>,
    },
    EndOfSetup,
    Completed,
    Failed,
    CriticalStop,
    BeginTask(Text<'a>),
    EndTask(Text<'a>),
    Evaluated {
        kind: EvaluationKind,
        name: Text<'a>,
        has_exception: bool,
        value: Text<'a>,
        parent_value: Text<'a>,
    },
    FailedRule {
        name: Text<'a>,
        message: Text<'a>,
    },
    /// `Started [Rule:X] [Parent:Y] [RuleType:Warning]`: the rule's type.
    StartedRule {
        name: Text<'a>,
        rule_type: Text<'a>,
    },
    HelpUrl(Text<'a>),
    Resume {
        action: Text<'a>,
        task_id: Option<Text<'a>>,
    },
    ResumeMismatch {
        previous: Text<'a>,
        requested: Text<'a>,
    },
    IgnoringPreviousErrors,
    /// Starts with `Deleteting ` (sic) or `Deleting `: may hold `DS object <path>` deletions.
    DeleteDsObject,
    /// `Executing: ...`: may assign `$RoleInvocationID` (in the message or the script body).
    Executing,
    /// A header fact was stored (or nothing special).
    Other,
}

/// Classifies a message; header facts of depth-0 lines are written into `header`.
#[inline]
pub(super) fn classify<'a>(depth: u8, message: Text<'a>, header: &mut RunHeader<'a>) -> Fact<'a> {
    let bytes = message.as_bytes();
    let Some(&first) = bytes.first() else {
        return Fact::Other;
    };
    match first {
        b'*' if depth == 0 && bytes.len() >= 10 && bytes.iter().all(|&b| b == b'*') => return Fact::Banner,
        b'B' => {
            if let Some(name) = message.strip_prefix("Beginning processing ") {
                return Fact::BeginTask(task_name(name));
            }
        }
        b'E' => {
            if let Some(name) = message.strip_prefix("Ending processing ") {
                return Fact::EndTask(task_name(name));
            }
            if let Some(rest) = message.strip_prefix("Evaluated ") {
                return evaluated(rest).unwrap_or(Fact::Other);
            }
            if depth == 0 && message.trim().as_bytes() == b"End of Setup" {
                return Fact::EndOfSetup;
            }
            if message.starts_with("Executing:") {
                return Fact::Executing;
            }
        }
        b'D' if super::ad_changes::is_deletion_message(bytes) => return Fact::DeleteDsObject,
        b'F' => {
            if let Some(rest) = message.strip_prefix("Failed [Rule:") {
                return failed_rule(rest);
            }
        }
        b'H' => {
            if let Some(url) = message.strip_prefix("Help URL:") {
                return Fact::HelpUrl(url.trim());
            }
        }
        b'S' => {
            if let Some(rest) = message.strip_prefix("Started [Rule:") {
                return started_rule(rest);
            }
            if message.starts_with("Setup is stopping now because of one or more critical errors") {
                return Fact::CriticalStop;
            }
            if let Some(rest) = message.strip_prefix("Setup failed previously while performing the action ") {
                return resume(rest);
            }
            if message.starts_with("Setup previously failed while performing the action") {
                if let Some(fact) = resume_mismatch(message) {
                    return fact;
                }
            }
            if depth == 0 {
                if let Some(start) = start_banner(message) {
                    return start;
                }
            }
        }
        b'=' if IGNORING.find(bytes).is_some() => return Fact::IgnoringPreviousErrors,
        _ => {}
    }
    if depth == 0 {
        return header_fact(message, header);
    }
    Fact::Other
}

/// `Starting Microsoft Exchange (Server )?(\d{4} |Subscription Edition )?Setup`.
fn start_banner(message: Text<'_>) -> Option<Fact<'_>> {
    let rest = message.strip_prefix("Starting Microsoft Exchange ")?;
    let rest = rest.strip_prefix("Server ").unwrap_or(rest);
    let body = rest.trim_end_dot();
    let product = body.as_bytes().strip_suffix(b"Setup")?;
    let product = Text(product).trim();
    let valid = product.is_empty()
        || product.as_bytes() == b"Subscription Edition"
        || (product.len() == 4 && product.as_bytes().iter().all(u8::is_ascii_digit));
    valid.then_some(Fact::Start { product })
}

/// Task name without trailing whitespace or dot.
fn task_name(name: Text<'_>) -> Text<'_> {
    name.trim_end_dot()
}

/// `[Rule:X] [HasException:False] [Value:"True"] [ParentValue:"..."] [Thread:n] ...`.
fn evaluated(rest: Text<'_>) -> Option<Fact<'_>> {
    let mut kind = None;
    let mut name = Text::default();
    let mut has_exception = false;
    let mut value = Text::default();
    let mut parent_value = Text::default();
    for (key, val) in bracket_fields(rest.as_bytes()) {
        match key {
            b"Rule" => {
                kind = Some(EvaluationKind::Rule);
                name = Text(val);
            }
            b"Setting" => {
                kind = Some(EvaluationKind::Setting);
                name = Text(val);
            }
            b"HasException" => has_exception = val.eq_ignore_ascii_case(b"True"),
            b"Value" => value = Text(val),
            b"ParentValue" => parent_value = Text(val),
            _ => {}
        }
    }
    Some(Fact::Evaluated {
        kind: kind?,
        name,
        has_exception,
        value,
        parent_value,
    })
}

/// Iterates `[Key:Value]` groups; a value in double quotes may contain `]`.
fn bracket_fields(mut s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let open = s.iter().position(|&b| b == b'[')?;
        s = &s[open + 1..];
        let colon = s.iter().position(|&b| b == b':' || b == b']')?;
        if s[colon] == b']' {
            s = &s[colon + 1..];
            return Some((&b""[..], &b""[..]));
        }
        let key = &s[..colon];
        s = &s[colon + 1..];
        let value;
        if s.first() == Some(&b'"') {
            let body = &s[1..];
            let end = quoted_value_end(body);
            value = &body[..end];
            s = body.get(end + 2..).unwrap_or_default();
        } else {
            let end = s.iter().position(|&b| b == b']').unwrap_or(s.len());
            value = &s[..end];
            s = s.get(end + 1..).unwrap_or_default();
        }
        Some((key, value))
    })
}

/// Index of the `"` that is followed by `]` (end of a quoted bracket value).
fn quoted_value_end(body: &[u8]) -> usize {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'"', &body[from..]) {
        let at = from + i;
        if body.get(at + 1) == Some(&b']') {
            return at;
        }
        from = at + 1;
    }
    body.len()
}

/// After `Started [Rule:`: `X] [Parent:Y] [RuleType:Z]`.
fn started_rule(rest: Text<'_>) -> Fact<'_> {
    let bytes = rest.as_bytes();
    let name_end = bytes.iter().position(|&b| b == b']').unwrap_or(bytes.len());
    let after = bytes.get(name_end + 1..).unwrap_or_default();
    let rule_type = bracket_fields(after)
        .find(|(key, _)| *key == b"RuleType")
        .map_or(Text::default(), |(_, value)| Text(value));
    Fact::StartedRule {
        name: Text(&bytes[..name_end]),
        rule_type,
    }
}

/// After `Failed [Rule:`: `X] [Message:...]`.
fn failed_rule(rest: Text<'_>) -> Fact<'_> {
    let bytes = rest.as_bytes();
    let name_end = bytes.iter().position(|&b| b == b']').unwrap_or(bytes.len());
    let name = Text(&bytes[..name_end]);
    let after = Text(bytes.get(name_end + 1..).unwrap_or_default());
    let message = match after.split_once("[Message:") {
        Some((_, m)) => {
            let m = m.as_bytes();
            Text(m.strip_suffix(b"]").unwrap_or(m))
        }
        None => Text::default(),
    };
    Fact::FailedRule {
        name,
        message: message.trim(),
    }
}

/// After `Setup failed previously while performing the action `: `X.  Looking for the failed task with ID Y.`
fn resume(rest: Text<'_>) -> Fact<'_> {
    let (action, task_id) = match rest.split_once("Looking for the failed task with ID ") {
        Some((action, id)) => (action.trim_end_dot(), Some(id.trim_end_dot())),
        None => (rest.trim_end_dot(), None),
    };
    Fact::Resume { action, task_id }
}

/// `Setup previously failed while performing the action "X". You can't resume setup by performing the action 'Y'.`
fn resume_mismatch(message: Text<'_>) -> Option<Fact<'_>> {
    let (before, after) = message.split_once("resume setup by performing the action")?;
    let previous = quoted(before).unwrap_or_default();
    let requested = quoted(after).unwrap_or_else(|| after.trim_end_dot());
    Some(Fact::ResumeMismatch { previous, requested })
}

/// The first text in double or single quotes.
fn quoted(t: Text<'_>) -> Option<Text<'_>> {
    t.between("\"", "\"").or_else(|| t.between("'", "'"))
}

/// Header facts of depth-0 lines; stores them and returns `Other`, or a result fact.
fn header_fact<'a>(message: Text<'a>, header: &mut RunHeader<'a>) -> Fact<'a> {
    let bytes = message.as_bytes();
    match bytes[0] {
        b'L' => {
            if let Some(v) = message.strip_prefix("Local time zone:") {
                header.time_zone = Some(v.trim_end_dot());
            } else if let Some(v) = message.strip_prefix("Logged on user:") {
                header.user = Some(v.trim_end_dot());
            }
        }
        b'O' => {
            if let Some(v) = message.strip_prefix("Operating system version:") {
                header.os_version = Some(v.trim_end_dot());
            }
        }
        b'S' => {
            if let Some(v) = message.strip_prefix("Setup version:") {
                header.setup_version = Some(v.trim_end_dot());
            } else if let Some(v) = message.strip_prefix("Setup will use the domain controller ") {
                header.domain_controller = quoted(v).or(Some(v.trim_end_dot()));
            } else if let Some(v) = message.strip_prefix("Setup will use the global catalog ") {
                header.global_catalog = quoted(v).or(Some(v.trim_end_dot()));
            } else if let Some(v) =
                message.strip_prefix("Setup will search for an Exchange Server object for the local machine with name ")
            {
                header.server_name = quoted(v);
            } else if let Some(v) = message.strip_prefix("Schema Update Required Status") {
                header.schema_update_required = status(v);
            }
        }
        b'C' => {
            if let Some(v) = message.strip_prefix("Command Line Parameter Name='") {
                if let Some((name, value)) = v.split_once("', Value='") {
                    let value = value.trim_end_dot();
                    let value = Text(value.as_bytes().strip_suffix(b"'").unwrap_or(value.as_bytes()));
                    header.parameters.push(super::Parameter { name, value });
                }
            }
        }
        b'R' => {
            if let Some(v) = message.strip_prefix("RuntimeAssembly was started with the following command:") {
                header.command_line = Some(quoted_outer(v.trim_end_dot()));
            }
        }
        b'T' => return the_line(message, header),
        _ => {}
    }
    if header.organization_update_required.is_none() {
        if let Some(v) = message.strip_prefix("Organization Configuration Update Required Status") {
            header.organization_update_required = status(v);
        }
    }
    if header.domain_update_required.is_none() {
        if let Some(v) = message.strip_prefix("Domain Configuration Update Required Status") {
            header.domain_update_required = status(v);
        }
    }
    Fact::Other
}

/// Lines starting with `T`: results, installation mode, versions, roles.
fn the_line<'a>(message: Text<'a>, header: &mut RunHeader<'a>) -> Fact<'a> {
    if let Some(at) = SETUP_OPERATION.find(message.as_bytes()) {
        let rest = &message.as_bytes()[at + SETUP_OPERATION.needle().len()..];
        if rest.starts_with(b"completed successfully") {
            return Fact::Completed;
        }
        if rest.starts_with(b"didn't complete") || rest.starts_with(b"did not complete") {
            return Fact::Failed;
        }
    }
    if let Some(v) = message.strip_prefix("The installation mode is set to:") {
        header.installation_mode = quoted(v).or(Some(v.trim_end_dot()));
    } else if let Some(v) = message.strip_prefix("The locally installed version is ") {
        header.installed_version = Some(v.trim_end_dot());
    } else if let Some(v) = message.strip_prefix("The backup copy of the previously installed version is ") {
        header.backup_version = quoted(v).or(Some(v.trim_end_dot()));
    } else if let Some(v) = message.strip_prefix("The following roles have been unpacked:") {
        header.roles_unpacked = Some(v.trim());
    } else if let Some(v) = message.strip_prefix("The following roles are installed:") {
        header.roles_installed = Some(v.trim());
    }
    Fact::Other
}

/// Finds `=== IGNORING PREVIOUS ERRORS ===` without building a searcher per line (a
/// searcher built in `classify` also bloats its frame, which every record pays for).
static IGNORING: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("IGNORING PREVIOUS ERRORS"));

/// Finds the result lines' common part once, without building a searcher per line.
static SETUP_OPERATION: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("setup operation "));

/// `: 'True'` -> Some(true).
fn status(v: Text<'_>) -> Option<bool> {
    let q = quoted(v)?;
    if q.as_bytes().eq_ignore_ascii_case(b"True") {
        Some(true)
    } else if q.as_bytes().eq_ignore_ascii_case(b"False") {
        Some(false)
    } else {
        None
    }
}

/// `'/mode:x /y'` -> `/mode:x /y` (outer single quotes only).
fn quoted_outer(v: Text<'_>) -> Text<'_> {
    let t = v.trim();
    let b = t.as_bytes();
    match (b.first(), b.last()) {
        (Some(b'\''), Some(b'\'')) if b.len() >= 2 => Text(&b[1..b.len() - 1]),
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(depth: u8, s: &'static str) -> (Fact<'static>, RunHeader<'static>) {
        let mut h = RunHeader::default();
        let f = classify(depth, Text(s.as_bytes()), &mut h);
        (f, h)
    }

    #[test]
    fn start_banners_of_every_version() {
        for (line, product) in [
            ("Starting Microsoft Exchange Server 2019 Setup", "2019"),
            ("Starting Microsoft Exchange Server 2007 Setup", "2007"),
            ("Starting Microsoft Exchange 2007 Setup", "2007"),
            (
                "Starting Microsoft Exchange Server Subscription Edition Setup",
                "Subscription Edition",
            ),
            ("Starting Microsoft Exchange Server Setup", ""),
        ] {
            assert_eq!(
                fact(0, line).0,
                Fact::Start {
                    product: Text(product.as_bytes())
                },
                "{line}"
            );
        }
        assert_eq!(
            fact(0, "Starting Microsoft Exchange Server 2019 Setup wizard").0,
            Fact::Other
        );
        assert_eq!(fact(1, "Starting Microsoft Exchange Server 2019 Setup").0, Fact::Other);
    }

    #[test]
    fn deletions_and_executing() {
        for line in [
            "Deleteting DS object /dc=de/cn=x",
            "Deleting DS object /o=X/cn=y",
            "Deleting DS object",
            // Only the verb is checked here; the scan finds no entry in it.
            "Deleting file C:\\x",
        ] {
            assert_eq!(fact(2, line).0, Fact::DeleteDsObject, "{line}");
        }
        for line in ["DS object /dc=de", "Deletingx DS object /dc=de", "Deleting"] {
            assert_eq!(fact(2, line).0, Fact::Other, "{line}");
        }
        assert_eq!(
            fact(1, "Executing: $RoleInvocationID = '20210108-17184604021904240707'").0,
            Fact::Executing
        );
        assert_eq!(fact(1, "Executing: ").0, Fact::Executing);
    }

    #[test]
    fn header_facts() {
        let (_, h) = fact(0, "Command Line Parameter Name='mode', Value='Upgrade'.");
        assert_eq!(h.parameter("MODE"), Some(Text(b"Upgrade")));
        assert_eq!(h.mode().as_deref(), Some("Upgrade"));
        let (_, h) = fact(0, "Schema Update Required Status : 'True'.");
        assert_eq!(h.schema_update_required, Some(true));
        let (_, h) = fact(0, "Organization Configuration Update Required Status : 'False'.");
        assert_eq!(h.organization_update_required, Some(false));
        let (_, h) = fact(
            0,
            "The backup copy of the previously installed version is '15.0.995.29'.",
        );
        assert_eq!(h.backup_version, Some(Text(b"15.0.995.29")));
        let (_, h) = fact(0, "Setup will use the domain controller 'DC2.Solo.local'.");
        assert_eq!(h.domain_controller, Some(Text(b"DC2.Solo.local")));
        let (_, h) = fact(
            0,
            "RuntimeAssembly was started with the following command: '/mode:Install /sourcedir:D:'.",
        );
        assert_eq!(h.command_line, Some(Text(b"/mode:Install /sourcedir:D:")));
        let (_, h) = fact(0, "Command Line Parameter Name='prepareschema', Value=''.");
        assert_eq!(h.mode().as_deref(), Some("PrepareSchema"));
    }

    #[test]
    fn prerequisite_lines() {
        let (f, _) = fact(1, "Evaluated [Rule:PendingRebootWindowsComponents] [HasException:False] [Value:\"True\"] [ParentValue:\"<NULL>\"] [Thread:7] [Duration:00:00:00]");
        assert_eq!(
            f,
            Fact::Evaluated {
                kind: EvaluationKind::Rule,
                name: Text(b"PendingRebootWindowsComponents"),
                has_exception: false,
                value: Text(b"True"),
                parent_value: Text(b"<NULL>"),
            }
        );
        let (f, _) = fact(1, "Failed [Rule:DomainControllerIsOutOfSite] [Message:Setup can't use the domain controller 'NorthAmerica' because it belongs to Active Directory site ''. Setup must use a domain controller in the same site as this computer (DC2.Solo.local).]");
        let Fact::FailedRule { name, message } = f else {
            panic!("failed rule")
        };
        assert_eq!(name, Text(b"DomainControllerIsOutOfSite"));
        assert!(message.to_string().ends_with("(DC2.Solo.local)."));
        let (f, _) = fact(
            1,
            "Help URL: http://technet.microsoft.com/library(EXCHG.150)/ms.exch.setupreadiness.MSDTCStopped.aspx",
        );
        assert!(matches!(f, Fact::HelpUrl(u) if u.contains("MSDTCStopped")));
        let (f, _) = fact(
            1,
            "Started [Rule:NoConnectorToStar] [Parent:RootAnalysisMember] [RuleType:Warning]",
        );
        assert_eq!(
            f,
            Fact::StartedRule {
                name: Text(b"NoConnectorToStar"),
                rule_type: Text(b"Warning"),
            }
        );
        let (f, _) = fact(1, "Evaluated [Setting:ComputerNameDnsFullyQualified] [HasException:False] [Value:\"Ex[1].x\"] [ParentValue:\"<NULL>\"]");
        assert!(matches!(f, Fact::Evaluated { value, .. } if value == Text(b"Ex[1].x")));
    }

    #[test]
    fn results_and_resume() {
        assert_eq!(
            fact(
                0,
                "The Exchange Server setup operation didn't complete.  More details can be found in ExchangeSetup.log"
            )
            .0,
            Fact::Failed
        );
        assert_eq!(
            fact(0, "The Exchange Server setup operation completed successfully.").0,
            Fact::Completed
        );
        assert_eq!(
            fact(1, "Setup is stopping now because of one or more critical errors.").0,
            Fact::CriticalStop
        );
        assert_eq!(
            fact(1, "Setup failed previously while performing the action Install.  Looking for the failed task with ID AllADRolesCommonServiceControl___ee47.").0,
            Fact::Resume { action: Text(b"Install"), task_id: Some(Text(b"AllADRolesCommonServiceControl___ee47")) }
        );
        assert_eq!(
            fact(0, "Setup previously failed while performing the action \"Install\". You can't resume setup by performing the action 'BuildToBuildUpgrade'.").0,
            Fact::ResumeMismatch { previous: Text(b"Install"), requested: Text(b"BuildToBuildUpgrade") }
        );
    }
}
