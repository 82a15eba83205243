//! Setup logs of fleet hosts, made from the sample hosts' `ExchangeSetup.log` files (the
//! scenario families' own logs): the server, domain, domain controller and organization
//! names are the fleet host's, every timestamp moves by the host's shift in days and is
//! written in the host's culture (`1/14/2008 9:12:33 AM`, `14.01.2008 09:12:33`, ...).
//! Continuation lines, task names, errors and gaps stay as they are, so a fleet host's
//! log tells its family's story exactly as the sample does.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::plan::{HostPlan, Locale, Story};

/// One sample setup log and the identity it was written with.
struct Template {
    text: &'static str,
    locale: Locale,
    server: &'static str,
    netbios: &'static str,
    dns: &'static str,
    org: &'static str,
    dc: &'static str,
}

const FRESH: Template = Template {
    text: include_str!("../../../healthy/ExchangeSetupLogs/ExchangeSetup.log"),
    locale: Locale::EnGb,
    server: "EXMBX05",
    netbios: "CONTOSO",
    dns: "contoso.com",
    org: "Contoso",
    dc: "DC02.contoso.com",
};

const UPGRADE: Template = Template {
    text: include_str!("../../../upgrade-order/EXMBX12/ExchangeSetupLogs/ExchangeSetup.log"),
    locale: Locale::EnUs,
    server: "EXMBX12",
    netbios: "FABRIKAM",
    dns: "fabrikam.com",
    org: "Fabrikam",
    dc: "FABDC01.fabrikam.com",
};

const INTERRUPTED: Template = Template {
    text: include_str!("../../../sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log"),
    locale: Locale::DeDe,
    server: "EXMBX02",
    netbios: "BEISPIEL",
    dns: "beispiel.de",
    org: "BEISPIEL",
    dc: "dc01.beispiel.de",
};

const CRL: Template = Template {
    text: include_str!("../../../crl-stall/ExchangeSetupLogs/ExchangeSetup.log"),
    locale: Locale::DaDk,
    server: "EXHUB04",
    netbios: "CONTOSO",
    dns: "contoso.com",
    org: "Contoso",
    dc: "DC01.contoso.com",
};

const READINESS: Template = Template {
    text: include_str!("../../../prereq-gaps/ExchangeSetupLogs/ExchangeSetup.log"),
    locale: Locale::EnUs,
    server: "EXCAS03",
    netbios: "CORP",
    dns: "CORP",
    org: "Corp",
    dc: "DC01.CORP",
};

/// The task script the interrupted upgrade wrote for the Mailbox role.
const TASK_SCRIPT: &str =
    include_str!("../../../sp1-interrupted/ExchangeSetupLogs/Install-MailboxRole-20071130-1729400000.ps1");
const TASK_SCRIPT_NAME: &str = "Install-MailboxRole-20071130-1729400000.ps1";

fn template(story: Story) -> Option<&'static Template> {
    match story {
        Story::FreshInstall => Some(&FRESH),
        Story::MailboxUpgrade => Some(&UPGRADE),
        Story::Sp1Interrupted => Some(&INTERRUPTED),
        Story::CrlStall => Some(&CRL),
        Story::Readiness => Some(&READINESS),
        Story::Ntlmssp | Story::Steady => None,
    }
}

/// `DC=a,DC=b` of a DNS domain.
fn dn(dns: &str) -> String {
    dns.split('.').map(|p| format!("DC={p}")).collect::<Vec<_>>().join(",")
}

/// `dc=b/dc=a` (the path form of the "Deleteting DS object" lines).
fn path(dns: &str) -> String {
    dns.rsplit('.').map(|p| format!("dc={p}")).collect::<Vec<_>>().join("/")
}

/// The template's names and the host's, longest and most specific first.
fn replacements(t: &Template, host: &HostPlan) -> Vec<(String, String)> {
    let org = host.org;
    vec![
        (t.dc.to_owned(), host.dc.clone()),
        (dn(t.dns), dn(org.dns)),
        (path(t.dns), path(org.dns)),
        (format!("CN={},", t.org), format!("CN={},", org.name)),
        (format!("cn={}/", t.org), format!("cn={}/", org.name)),
        (format!("{}\\", t.netbios), format!("{}\\", org.netbios)),
        (t.server.to_owned(), host.name.clone()),
        (format!(".{}", t.dns), format!(".{}", org.dns)),
        (format!("'{}'", t.dns), format!("'{}'", org.dns)),
    ]
}

/// `text` with every occurrence of the pairs' left sides replaced (leftmost first, the
/// earlier pair winning at the same position; replaced text is not searched again).
fn replace_all(text: &str, pairs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while !rest.is_empty() {
        let next = pairs
            .iter()
            .filter_map(|(from, to)| rest.find(from.as_str()).map(|at| (at, from.len(), to)))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, len, to)) => {
                out.push_str(&rest[..at]);
                out.push_str(to);
                rest = &rest[at + len..];
            }
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    out
}

/// Moves the `-yyyyMMdd-` date of task script names (`Install-XRole-20080928-1847550000.ps1`).
fn shift_script_dates(line: &str, days: i64) -> String {
    let mut out = line.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find(".ps1").map(|i| i + from) {
        from = at + 4;
        // -yyyyMMdd-HHmmssffff.ps1: the date sits 19 bytes before ".ps1".
        let Some(start) = at.checked_sub(19) else { continue };
        let Some(date) = out.get(start..start + 8) else {
            continue;
        };
        let Ok(day) = NaiveDate::parse_from_str(date, "%Y%m%d") else {
            continue;
        };
        let moved = (day + Duration::days(days)).format("%Y%m%d").to_string();
        out.replace_range(start..start + 8, &moved);
    }
    out
}

/// A timestamp of the template's culture, moved and written in the host's.
fn retime(stamp: &str, t: &Template, host: &HostPlan) -> Option<String> {
    let time: NaiveDateTime = t.locale.parse(stamp)?;
    Some(host.locale.render(time + Duration::days(host.shift_days)))
}

/// The host's `ExchangeSetup.log`, or `None` when its story has no setup run.
pub(crate) fn setup_log(host: &HostPlan) -> Option<Vec<u8>> {
    let t = template(host.story)?;
    let pairs = replacements(t, host);
    let single_label = !host.org.dns.contains('.');
    let mut out = String::with_capacity(t.text.len() + t.text.len() / 8);
    for line in t.text.split_inclusive('\n') {
        if !single_label && line.contains("has a single-label DNS name") {
            continue;
        }
        let line = match line.strip_prefix('[').and_then(|l| l.split_once("] [")) {
            Some((stamp, rest)) => match retime(stamp, t, host) {
                Some(stamp) => format!("[{stamp}] [{rest}"),
                None => line.to_owned(),
            },
            None => line.to_owned(),
        };
        let line = replace_all(&line, &pairs);
        out.push_str(&shift_script_dates(&line, host.shift_days));
    }
    Some(out.into_bytes())
}

/// The task script an interrupted upgrade leaves beside the log (file name, bytes).
pub(crate) fn task_script(host: &HostPlan) -> Option<(String, Vec<u8>)> {
    if host.story != Story::Sp1Interrupted {
        return None;
    }
    let mut pairs = replacements(&INTERRUPTED, host);
    let written = NaiveDateTime::parse_from_str("2007-11-30 17:29:40", "%Y-%m-%d %H:%M:%S").ok()?;
    pairs.insert(
        0,
        (
            INTERRUPTED.locale.render(written),
            host.locale.render(written + Duration::days(host.shift_days)),
        ),
    );
    let text = shift_script_dates(&replace_all(TASK_SCRIPT, &pairs), host.shift_days);
    Some((shift_script_dates(TASK_SCRIPT_NAME, host.shift_days), text.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_is_leftmost_and_single_pass() {
        let pairs = vec![("ab".to_owned(), "b".to_owned()), ("b".to_owned(), "X".to_owned())];
        assert_eq!(replace_all("abab-b", &pairs), "bb-X");
        assert_eq!(dn("contoso.com"), "DC=contoso,DC=com");
        assert_eq!(path("beispiel.de"), "dc=de/dc=beispiel");
        assert_eq!(
            shift_script_dates(
                "'C:\\ExchangeSetupLogs\\Install-MailboxRole-20071130-1729400000.ps1'",
                3
            ),
            "'C:\\ExchangeSetupLogs\\Install-MailboxRole-20071203-1729400000.ps1'"
        );
    }
}
