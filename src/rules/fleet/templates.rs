//! The templates a PrepareAD run deleted, seen across hosts. PrepareAD runs once per
//! organization: the address and details templates are the organization's, so the one
//! host whose log holds the deletions speaks for every server of it. In a fleet, each
//! finding that carries deletions ([`AdTemplatesFact`], on the templates finding or on
//! the interruption it was folded into) names that host, the other hosts whose logs hold
//! deletions of the same organization, and the organization's other servers in the
//! analysis. One organization = the name the deletion paths give (`cn=BEISPIEL`) and
//! the forest they start in (`dc=beispiel,dc=de`); a server belongs to it when its DNS
//! domain is in that forest (the fleet rules' "same organization": same last two labels).

use serde_json::json;

use super::{dns_domain, org_suffix};
use crate::model::{AdTemplatesFact, Fact, Finding, Host, Location, SetupLogFact, Timestamp};

/// One finding's deletions, with the host whose log holds them.
struct Deletions<'f> {
    finding: usize,
    host: String,
    fact: &'f AdTemplatesFact,
    /// Time of the last deletion (from the finding's evidence, in UTC when known).
    time: Option<Timestamp>,
}

/// Whether two sets of deletions are of one organization: same organization name and
/// same forest, each compared when both sides know it, and at least one of them known.
fn same_org(a: &AdTemplatesFact, b: &AdTemplatesFact) -> bool {
    let name = match (&a.organization, &b.organization) {
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

/// `organization BEISPIEL (beispiel.de)`.
fn org_label(fact: &AdTemplatesFact) -> String {
    match (&fact.organization, &fact.forest) {
        (Some(org), Some(forest)) => format!("organization {org} ({forest})"),
        (Some(org), None) => format!("organization {org}"),
        (None, Some(forest)) => format!("the organization in {forest}"),
        (None, None) => "the organization".to_string(),
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

/// Names, in every finding that carries deletions, the host whose log holds them and
/// the organization's other hosts of the analysis (see the module documentation). A
/// host analysed alone gains nothing.
pub fn name_organization_hosts(hosts: &[Host], findings: &mut [Finding]) {
    let mut all: Vec<Deletions<'_>> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        for fact in &f.facts {
            if let Fact::SetupLog(SetupLogFact::AdTemplates(fact)) = fact {
                let time = f
                    .evidence
                    .iter()
                    .find(|e| e.source == fact.source && e.location == Location::Line(fact.last_line))
                    .and_then(|e| e.time);
                all.push(Deletions {
                    finding: i,
                    host: f.host.clone(),
                    fact,
                    time,
                });
            }
        }
    }
    all.sort_by(|a, b| {
        (a.time.map(|t| t.sort_key()), &a.host, &a.fact.source).cmp(&(
            b.time.map(|t| t.sort_key()),
            &b.host,
            &b.fact.source,
        ))
    });
    let mut notes: Vec<(usize, String, serde_json::Value)> = Vec::new();
    for d in &all {
        let others: Vec<&Deletions<'_>> = all
            .iter()
            .filter(|o| o.host != d.host && same_org(o.fact, d.fact))
            .collect();
        let mut servers: Vec<String> = d
            .fact
            .forest
            .as_deref()
            .map(|forest| {
                hosts
                    .iter()
                    .filter(|h| h.group.name != d.host && !others.iter().any(|o| o.host == h.group.name))
                    .filter(|h| dns_domain(h).is_some_and(|dns| org_suffix(&dns) == org_suffix(forest)))
                    .map(|h| h.group.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        servers.sort();
        if others.is_empty() && servers.is_empty() {
            continue;
        }
        let org = org_label(d.fact);
        let mut text = format!(
            "PrepareAD runs once per organization: the deletions of {org} are in the log of {}",
            d.host
        );
        if !others.is_empty() {
            let also: Vec<String> = others
                .iter()
                .map(|o| {
                    format!(
                        "{} ({}{})",
                        o.host,
                        o.time
                            .map(|t| format!("{}, ", t.sort_key().format("%Y-%m-%d")))
                            .unwrap_or_default(),
                        if o.fact.unrestored { "left deleted" } else { "replaced" }
                    )
                })
                .collect();
            text.push_str(&format!("; the logs of {} hold deletions of it too", and_list(&also)));
        }
        if !servers.is_empty() {
            text.push_str(&format!(
                "; the templates are the whole organization's, so this concerns its other servers in this analysis too: {}",
                and_list(&servers)
            ));
        }
        text.push('.');
        let detail = json!({
            "organization": d.fact.organization,
            "forest": d.fact.forest,
            "deleted_on": std::iter::once(d).chain(others.iter().copied()).map(|x| json!({
                "host": x.host,
                "source": x.fact.source,
                "lines": [x.fact.first_line, x.fact.last_line],
                "time": x.time,
                "restored": !x.fact.unrestored,
            })).collect::<Vec<_>>(),
            "other_servers": servers,
        });
        notes.push((d.finding, text, detail));
    }
    for (i, text, detail) in notes {
        if let Some(f) = findings.get_mut(i) {
            f.summary.push(' ');
            f.summary.push_str(&text);
            f.details.insert("organization_hosts".into(), detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(org: Option<&str>, forest: Option<&str>) -> AdTemplatesFact {
        AdTemplatesFact {
            source: "x".into(),
            run: 0,
            organization: org.map(str::to_string),
            forest: forest.map(str::to_string),
            first_line: 1,
            last_line: 2,
            unrestored: true,
        }
    }

    #[test]
    fn one_organization_by_name_and_forest() {
        let beispiel = fact(Some("BEISPIEL"), Some("beispiel.de"));
        assert!(same_org(&beispiel, &fact(Some("beispiel"), Some("emea.beispiel.de"))));
        assert!(
            same_org(&beispiel, &fact(Some("BEISPIEL"), None)),
            "an X.500 path of it"
        );
        assert!(same_org(&beispiel, &fact(None, Some("beispiel.de"))));
        assert!(!same_org(&beispiel, &fact(Some("Contoso"), Some("beispiel.de"))));
        assert!(!same_org(&beispiel, &fact(Some("BEISPIEL"), Some("contoso.com"))));
        assert!(
            !same_org(&fact(None, None), &fact(None, None)),
            "nothing known: not matched"
        );
        assert!(!same_org(&fact(Some("A"), None), &fact(None, Some("a.com"))));
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
