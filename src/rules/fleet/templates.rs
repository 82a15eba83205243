//! `ad-templates-removed` across hosts. PrepareAD runs once per organization, and the
//! address and details templates it deletes are the organization's, not one server's:
//! when the analysis holds more of the organization than the host whose log holds the
//! deletions (another host with deletions of it, or a server in its forest), one finding
//! per organization names the hosts whose logs hold them, what the latest left behind,
//! and the organization's other servers. It sits on the host of the latest deletions,
//! with the subject `organization <name>`; the per-run finding of each log stays as the
//! per-file rule made it.
//!
//! The rule reads [`Host::ad_deletions`], taken from the setup-log summaries that a
//! report carries, so that `exdoctor merge` gives the finding of one run over all hosts.
//! One organization = the name the deletion paths give (`cn=BEISPIEL`) and the forest
//! they start in (`dc=beispiel,dc=de`); a server belongs to it when its DNS domain is in
//! that forest (the fleet rules' "same organization": same last two labels).

use serde_json::json;

use super::{dns_domain, org_suffix, organization_subject};
use crate::model::{AdChangesSummary, Confidence, Evidence, Finding, Host, Location, LoggedDeletions, Severity};
use crate::rules::setup_log::ad_templates::AD_TEMPLATES_REMOVED;

/// One log's deletions, with the host it belongs to.
struct Deletions<'h> {
    host: &'h str,
    logged: &'h LoggedDeletions,
}

impl Deletions<'_> {
    fn deleted(&self) -> &AdChangesSummary {
        &self.logged.deleted
    }

    /// `2007-11-30` (the log's clock), or `date unknown`.
    fn day(&self) -> &str {
        self.deleted()
            .first_time
            .as_deref()
            .and_then(|t| t.get(..10))
            .unwrap_or("date unknown")
    }

    /// `left deleted`, or `replaced`.
    fn outcome(&self) -> &'static str {
        if self.deleted().left_deleted() {
            "left deleted"
        } else {
            "replaced"
        }
    }

    /// `EXMBX02 (2007-11-30, 73 details templates of 24 locales, left deleted)`.
    fn label(&self) -> String {
        format!(
            "{} ({}, {}, {})",
            self.host,
            self.day(),
            self.deleted().what(),
            self.outcome()
        )
    }
}

/// Whether two sets of deletions are of one organization: same organization name and
/// same forest, each compared when both sides know it, and at least one of them known.
fn same_org(a: &AdChangesSummary, b: &AdChangesSummary) -> bool {
    let name = match (a.organizations.first(), b.organizations.first()) {
        (Some(x), Some(y)) => Some(x.eq_ignore_ascii_case(y)),
        _ => None,
    };
    let forest = match (&a.forest, &b.forest) {
        (Some(x), Some(y)) => Some(org_suffix(x) == org_suffix(y)),
        _ => None,
    };
    match (name, forest) {
        (None, None) => false,
        (n, f) => n.unwrap_or(true) && f.unwrap_or(true),
    }
}

/// Names listed in a summary at most; the details list them all.
const NAMED: usize = 8;

/// `A`, `A and B`, `A, B and C`; past [`NAMED`] items, `A, B, ... and 12 more`.
fn and_list(items: &[String]) -> String {
    if items.len() > NAMED {
        return format!("{} and {} more", items[..NAMED].join(", "), items.len() - NAMED);
    }
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The deletions of every host, grouped by organization; each group in time order (the
/// log's clock), then host and log.
fn organizations(hosts: &[Host]) -> Vec<Vec<Deletions<'_>>> {
    let mut all: Vec<Deletions<'_>> = hosts
        .iter()
        .flat_map(|h| {
            h.ad_deletions.iter().map(|logged| Deletions {
                host: &h.group.name,
                logged,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        (&a.deleted().first_time, a.host, &a.logged.source).cmp(&(&b.deleted().first_time, b.host, &b.logged.source))
    });
    let mut groups: Vec<Vec<Deletions<'_>>> = Vec::new();
    for d in all {
        match groups
            .iter_mut()
            .find(|g| g.iter().any(|o| same_org(o.deleted(), d.deleted())))
        {
            Some(group) => group.push(d),
            None => groups.push(vec![d]),
        }
    }
    groups
}

/// One finding per organization whose deletions concern more than one host of the
/// analysis (see the module documentation).
pub(super) fn check(hosts: &[Host]) -> Vec<Finding> {
    organizations(hosts)
        .iter()
        .filter_map(|group| organization_finding(hosts, group))
        .collect()
}

/// The finding of one organization's deletions, `None` when they concern only the host
/// whose log holds them.
fn organization_finding(hosts: &[Host], group: &[Deletions<'_>]) -> Option<Finding> {
    let latest = group.last()?;
    let mut deleting: Vec<&str> = group.iter().map(|d| d.host).collect();
    deleting.sort_unstable();
    deleting.dedup();
    let name = group.iter().find_map(|d| d.deleted().organizations.first().cloned());
    let forest = group.iter().find_map(|d| d.deleted().forest.clone());
    let servers: Vec<String> = forest
        .as_deref()
        .map(|forest| {
            hosts
                .iter()
                .filter(|h| !deleting.contains(&h.group.name.as_str()))
                .filter(|h| dns_domain(h).is_some_and(|dns| org_suffix(&dns) == org_suffix(forest)))
                .map(|h| h.group.name.clone())
                .collect()
        })
        .unwrap_or_default();
    if deleting.len() < 2 && servers.is_empty() {
        return None;
    }
    let org = match (&name, &forest) {
        (Some(org), Some(forest)) => format!("organization {org} ({forest})"),
        (Some(org), None) => format!("organization {org}"),
        (None, Some(forest)) => format!("the organization in {forest}"),
        (None, None) => "the organization".to_string(),
    };
    let short = name.clone().or_else(|| forest.clone()).unwrap_or_default();
    let left_deleted = latest.deleted().left_deleted();
    let logs = if group.len() == 1 {
        format!(
            "The log of {} holds deletions of {org}: {} on {}, {}.",
            latest.host,
            latest.deleted().what(),
            latest.day(),
            latest.outcome()
        )
    } else {
        let labels: Vec<String> = group.iter().map(Deletions::label).collect();
        format!(
            "The logs of {} hold deletions of {org}; the latest are {}'s.",
            and_list(&labels),
            latest.host
        )
    };
    let which = if group.len() == 1 {
        "That run"
    } else {
        "The latest run that deleted them"
    };
    let outcome = if left_deleted {
        format!(
            "{which} stopped before the shipped templates were imported again (see the \
             setup finding on {}): until setup /PrepareAD runs again, once, from any server of the organization, \
             the users of every server of it see no details or address templates of those locales in Outlook \
             (inferred).",
            latest.host
        )
    } else {
        format!(
            "{which} completed: the shipped templates replaced them, so customizations made with the Details \
             Templates Editor are gone for the users of every server of the organization (inferred)."
        )
    };
    let mut summary = format!(
        "PrepareAD runs once per organization, and the address and details templates are the organization's, not \
         one server's. {logs} {outcome}"
    );
    if !servers.is_empty() {
        summary.push_str(&format!(
            " The organization's other servers in this analysis: {}.",
            and_list(&servers)
        ));
    }
    let title = if left_deleted {
        format!(
            "Organization {short}: templates deleted by setup on {} and not restored",
            latest.host
        )
    } else {
        format!("Organization {short}: templates replaced by setup on {}", latest.host)
    };
    let mut remediation: Vec<String> = AD_TEMPLATES_REMOVED.remediation.iter().map(|s| s.to_string()).collect();
    if left_deleted {
        remediation.insert(
            0,
            format!(
                "Run setup.com /PrepareAD once for the organization, as a member of Enterprise Admins, from the \
                 setup files that deleted the templates (see the finding on {}): it imports the shipped address and \
                 details templates for every server.",
                latest.host
            ),
        );
    }
    let mut finding = Finding::new(&AD_TEMPLATES_REMOVED, summary)
        .subject(organization_subject(&short))
        .title(title)
        .severity(Severity::Info)
        .confidence(Confidence::Low)
        .remediation(remediation)
        .detail("organization", name.clone())
        .detail("forest", forest.clone())
        .detail(
            "deleted_on",
            group
                .iter()
                .map(|d| {
                    json!({
                        "host": d.host,
                        "source": d.logged.source,
                        "run": d.logged.run + 1,
                        "lines": [d.deleted().first_line, d.deleted().last_line],
                        "time": d.deleted().first_time,
                        "total": d.deleted().total,
                        "restored": !d.deleted().left_deleted(),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .detail("other_servers", servers);
    for d in cited(group) {
        let deleted = d.deleted();
        finding.push_evidence(Evidence::new(
            d.logged.source.clone(),
            Location::Line(deleted.first_line),
            None,
            format!(
                "{}: setup run {} deleted {} ({}) on {} (the log's clock), {}",
                d.host,
                d.logged.run + 1,
                deleted.what(),
                deleted.place(),
                d.day(),
                d.outcome()
            ),
        ));
    }
    finding.host = latest.host.to_string();
    Some(finding)
}

/// The deletions cited as evidence: all of them up to [`NAMED`], else the first ones
/// and the latest (the details list them all).
fn cited<'g, 'h>(group: &'g [Deletions<'h>]) -> Vec<&'g Deletions<'h>> {
    if group.len() <= NAMED {
        return group.iter().collect();
    }
    group[..NAMED - 1].iter().chain(group.last()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deleted(org: Option<&str>, forest: Option<&str>) -> AdChangesSummary {
        AdChangesSummary {
            total: 1,
            first_line: 1,
            last_line: 1,
            first_time: None,
            last_time: None,
            organizations: org.map(str::to_string).into_iter().collect(),
            forest: forest.map(str::to_string),
            by_container: Vec::new(),
            by_locale: Vec::new(),
            without_locale: 1,
            malformed: 0,
            tasks: Vec::new(),
            unfinished: false,
            unfinished_enclosing: Vec::new(),
            state: crate::model::TemplatesState::Replaced,
            restored_by_run: None,
        }
    }

    /// A host `name`.beispiel.de (or of `domain`), with deletions of organization
    /// BEISPIEL on `day` when given.
    fn host(name: &str, domain: &str, day: Option<&str>, left_deleted: bool) -> Host {
        let ad_deletions = day
            .map(|day| {
                let mut d = deleted(Some("BEISPIEL"), Some("beispiel.de"));
                d.first_time = Some(format!("{day}T17:35:15"));
                if left_deleted {
                    d.state = crate::model::TemplatesState::DeletingTaskUnfinished;
                }
                LoggedDeletions {
                    source: format!("{name}/ExchangeSetup.log"),
                    run: 0,
                    deleted: d,
                }
            })
            .into_iter()
            .collect();
        Host {
            group: crate::model::HostGroup {
                name: name.to_string(),
                fqdn: Some(format!("{name}.{domain}")),
                ..Default::default()
            },
            registry: None,
            zone: None,
            ad_deletions,
        }
    }

    #[test]
    fn one_finding_per_organization_on_the_host_of_the_latest_deletions() {
        let a = host("EXA", "beispiel.de", Some("2007-11-30"), true);
        let b = host("EXB", "beispiel.de", Some("2007-12-07"), false);
        let c = host("EXC", "emea.beispiel.de", None, false);
        let other = host("EXD", "contoso.com", None, false);
        assert!(check(std::slice::from_ref(&a)).is_empty(), "alone");
        assert!(check(&[a.clone(), other.clone()]).is_empty(), "another organization");

        let found = check(&[a.clone(), b, c, other]);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!((f.host.as_str(), f.severity), ("EXB", Severity::Info));
        assert_eq!(f.title, "Organization BEISPIEL: templates replaced by setup on EXB");
        assert!(
            f.summary.contains(
                "The logs of EXA (2007-11-30, 1 object, left deleted) and EXB (2007-12-07, 1 object, replaced)"
            ) && f.summary.contains("The latest run that deleted them completed")
                && f.summary
                    .ends_with("The organization's other servers in this analysis: EXC."),
            "{}",
            f.summary
        );
        assert_eq!(f.details["other_servers"], json!(["EXC"]));
        assert_eq!(f.evidence.len(), 2);
        assert!(!f.remediation[0].contains("/PrepareAD once"), "{:?}", f.remediation);

        let found = check(&[a, host("EXC", "beispiel.de", None, false)]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].title,
            "Organization BEISPIEL: templates deleted by setup on EXA and not restored"
        );
        assert!(found[0].remediation[0].starts_with("Run setup.com /PrepareAD once for the organization"));
    }

    #[test]
    fn long_groups_cite_the_first_and_the_latest() {
        let hosts: Vec<Host> = (1..=12)
            .map(|i| {
                host(
                    &format!("EX{i:02}"),
                    "beispiel.de",
                    Some(&format!("2008-01-{i:02}")),
                    false,
                )
            })
            .collect();
        let found = check(&hosts);
        assert_eq!(found.len(), 1);
        let cited: Vec<&str> = found[0].evidence.iter().map(|e| e.source.as_str()).collect();
        assert_eq!(cited.len(), NAMED);
        assert_eq!(cited.first().copied(), Some("EX01/ExchangeSetup.log"));
        assert_eq!(cited.last().copied(), Some("EX12/ExchangeSetup.log"));
        assert!(found[0].summary.contains("and 4 more"), "{}", found[0].summary);
        assert_eq!(found[0].details["deleted_on"].as_array().map(Vec::len), Some(12));
    }

    #[test]
    fn one_organization_by_name_and_forest() {
        let beispiel = deleted(Some("BEISPIEL"), Some("beispiel.de"));
        assert!(same_org(
            &beispiel,
            &deleted(Some("beispiel"), Some("emea.beispiel.de"))
        ));
        assert!(
            same_org(&beispiel, &deleted(Some("BEISPIEL"), None)),
            "an X.500 path of it"
        );
        assert!(same_org(&beispiel, &deleted(None, Some("beispiel.de"))));
        assert!(!same_org(&beispiel, &deleted(Some("Contoso"), Some("beispiel.de"))));
        assert!(!same_org(&beispiel, &deleted(Some("BEISPIEL"), Some("contoso.com"))));
        assert!(
            !same_org(&deleted(None, None), &deleted(None, None)),
            "nothing known: not matched"
        );
        assert!(!same_org(&deleted(Some("A"), None), &deleted(None, Some("a.com"))));
    }

    #[test]
    fn long_lists_are_cut_in_the_summary() {
        let names: Vec<String> = (1..=10).map(|i| format!("EX{i:02}")).collect();
        assert_eq!(
            and_list(&names),
            "EX01, EX02, EX03, EX04, EX05, EX06, EX07, EX08 and 2 more"
        );
        assert_eq!(and_list(&names[..3]), "EX01, EX02 and EX03");
        assert_eq!(and_list(&names[..1]), "EX01");
        assert_eq!(and_list(&[]), "");
    }
}
