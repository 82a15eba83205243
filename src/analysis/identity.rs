//! Finding identity: every finding gets its fingerprint once its host is known, and two
//! findings with one fingerprint (the same rule, host and subject, e.g. one readiness
//! check failing in two setup logs of a host) are one problem: the first absorbs the
//! other ([`Finding::absorb`]).

use std::collections::HashMap;

use crate::model::Finding;

/// Sets each finding's fingerprint and folds findings of the same identity, keeping
/// the order of the first of each.
pub(super) fn identify(findings: &mut Vec<Finding>) {
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for mut finding in findings.drain(..) {
        finding.identify();
        match first_of.get(&finding.fingerprint) {
            Some(&i) => kept[i].absorb(finding),
            None => {
                first_of.insert(finding.fingerprint.clone(), kept.len());
                kept.push(finding);
            }
        }
    }
    *findings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RuleId;
    use crate::model::{Confidence, Evidence, Location};
    use crate::rules;

    fn check(host: &str, subject: &str, source: &str) -> Finding {
        let mut f = Finding::new(rules::info(RuleId::PrereqFailed), "summary")
            .subject(subject)
            .evidence(Evidence::new(source, Location::Line(7), None, "failed"));
        f.host = host.to_string();
        f
    }

    #[test]
    fn one_identity_is_one_finding_with_the_evidence_of_both() {
        let mut findings = vec![
            check("EX1", "RebootPending", "a/ExchangeSetup.log"),
            check("EX1", "MSDTCStopped", "a/ExchangeSetup.log"),
            check("EX1", "rebootpending", "b/ExchangeSetup.log"),
            check("EX2", "RebootPending", "c/ExchangeSetup.log"),
        ];
        identify(&mut findings);
        let subjects: Vec<(&str, &str)> = findings.iter().map(|f| (f.host.as_str(), f.subject.as_str())).collect();
        assert_eq!(
            subjects,
            [
                ("EX1", "RebootPending"),
                ("EX1", "MSDTCStopped"),
                ("EX2", "RebootPending")
            ]
        );
        assert_eq!(findings[0].evidence.len(), 2);
        assert_eq!(findings[0].confidence, Confidence::High);
        assert_ne!(findings[0].fingerprint, findings[2].fingerprint);
        assert!(findings.iter().all(|f| f.fingerprint.len() == 32));
    }
}
