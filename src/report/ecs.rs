//! Findings as Elastic Common Schema documents, one JSON object per line, for Filebeat,
//! Elastic Agent, Fluent Bit or Vector without an ingest pipeline. The mapping:
//!
//! | ECS field | From |
//! |---|---|
//! | `@timestamp`, `event.created` | when the run ended |
//! | `event.kind` | `alert` |
//! | `event.category`, `event.type` | `host`; `start` (new), `end` (resolved), else `info` |
//! | `event.severity` | 1 info, 2 warning, 3 error, 4 critical |
//! | `event.start`, `event.end` | first and last seen, when known in UTC |
//! | `event.reason` | the finding's title |
//! | `event.dataset`, `event.module`, `event.provider` | `exdoctor.finding`, `exdoctor`, `exdoctor` |
//! | `message` | the summary |
//! | `log.level` | the severity's name |
//! | `rule.id`, `rule.name`, `rule.description`, `rule.ruleset`, `rule.version` | the rule id, its catalog title and description, `exdoctor`, the exdoctor version |
//! | `host.name`, `host.hostname`, `host.domain`, `host.os.full` | the host as exdoctor names it, its DNS domain and Windows version when known |
//! | `labels.fingerprint`, `labels.subject`, `labels.status` | identity and status (`--state`) |
//! | `observer.vendor`, `observer.product`, `observer.version` | `exdoctor` |
//! | `exdoctor.*` | confidence, count, evidence, remediation, references, details |

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::analysis::{Analysis, HostReport};
use crate::model::{Finding, Severity, Status};
use crate::rules;
use crate::sources::write_json_line;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// Writes one ECS document per finding of `analysis`, a run that ended at `now`.
pub fn write_ecs(analysis: &Analysis, now: DateTime<Utc>, out: &mut dyn Write) -> io::Result<()> {
    for finding in &analysis.findings {
        let host = analysis.hosts.iter().find(|h| h.name == finding.host);
        write_json_line(out, &ecs_document(finding, host, now))?;
    }
    Ok(())
}

/// The ECS document of one finding.
pub fn ecs_document(finding: &Finding, host: Option<&HostReport>, now: DateTime<Utc>) -> Value {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let rule = rules::info(finding.rule);
    let mut event = json!({
        "kind": "alert",
        "category": ["host"],
        "type": [match finding.status {
            Some(Status::New) => "start",
            Some(Status::Resolved) => "end",
            _ => "info",
        }],
        "severity": match finding.severity {
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
            Severity::Critical => 4,
        },
        "created": time(now),
        "reason": finding.title,
        "dataset": "exdoctor.finding",
        "module": "exdoctor",
        "provider": "exdoctor",
    });
    for (key, t) in [("start", finding.first_seen), ("end", finding.last_seen)] {
        if let Some(utc) = t.and_then(|t| t.utc()) {
            event[key] = time(utc).into();
        }
    }
    let mut labels = Map::new();
    labels.insert("fingerprint".into(), finding.fingerprint.clone().into());
    labels.insert("subject".into(), finding.subject.clone().into());
    if let Some(status) = finding.status {
        labels.insert("status".into(), status.as_str().into());
    }
    json!({
        "@timestamp": time(now),
        "ecs": {"version": ECS_VERSION},
        "message": finding.summary,
        "log": {"level": finding.severity.as_str()},
        "event": event,
        "rule": {
            "id": finding.rule.as_str(),
            "name": rule.title,
            "description": rule.description,
            "ruleset": "exdoctor",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "host": host_fields(&finding.host, host),
        "labels": labels,
        "observer": {"vendor": "exdoctor", "product": "exdoctor", "version": env!("CARGO_PKG_VERSION")},
        "exdoctor": {
            "confidence": finding.confidence,
            "count": finding.count,
            "evidence": finding.evidence,
            "remediation": finding.remediation,
            "references": finding.references,
            "details": finding.details,
        },
    })
}

/// `host.*`: the name, and the domain and OS when the host's report has them.
fn host_fields(name: &str, host: Option<&HostReport>) -> Value {
    let mut fields = json!({"name": name, "hostname": name});
    let domain = host
        .and_then(|h| h.fqdn.as_deref())
        .and_then(|fqdn| fqdn.split_once('.'))
        .map(|(_, domain)| domain.to_lowercase());
    if let Some(domain) = domain {
        fields["domain"] = domain.into();
    }
    if let Some(os) = host.and_then(|h| h.os.as_deref()) {
        fields["os"] = json!({"full": os});
    }
    fields
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{Evidence, Location, RuleId, Timestamp};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 24, 10, 30, 12).single().expect("a time")
    }

    #[test]
    fn a_finding_maps_to_the_ecs_fields() {
        let seen = Utc.with_ymd_and_hms(2008, 3, 15, 0, 55, 38).single().expect("a time");
        let mut f = Finding::new(
            rules::info(RuleId::ServiceCrash),
            "MSExchangeRepl terminated 10 time(s).",
        )
        .subject("MSExchangeRepl")
        .title("Microsoft Exchange Replication Service (MSExchangeRepl) terminated unexpectedly")
        .count(10)
        .evidence(Evidence::new(
            "System.evtx",
            Location::Record(18517),
            Some(Timestamp::Utc(seen)),
            "7031",
        ));
        f.host = "EXMBX01".into();
        f.status = Some(Status::New);
        f.identify();
        let host = HostReport {
            name: "EXMBX01".into(),
            fqdn: Some("EXMBX01.Contoso.com".into()),
            os: Some("Windows Server 2008 Enterprise (6.0.6001, Service Pack 1)".into()),
            ..HostReport::default()
        };
        let doc = ecs_document(&f, Some(&host), now());
        assert_eq!(doc["@timestamp"], "2024-05-24T10:30:12.000Z");
        assert_eq!(doc["ecs"]["version"], ECS_VERSION);
        assert_eq!(doc["event"]["kind"], "alert");
        assert_eq!(doc["event"]["type"], json!(["start"]));
        assert_eq!(doc["event"]["severity"], 3);
        assert_eq!(doc["event"]["start"], "2008-03-15T00:55:38.000Z");
        assert_eq!(doc["event"]["end"], "2008-03-15T00:55:38.000Z");
        assert_eq!(doc["rule"]["id"], "service-crash");
        assert_eq!(doc["rule"]["name"], rules::info(RuleId::ServiceCrash).title);
        assert_eq!(doc["host"]["name"], "EXMBX01");
        assert_eq!(doc["host"]["domain"], "contoso.com");
        assert_eq!(
            doc["host"]["os"]["full"],
            "Windows Server 2008 Enterprise (6.0.6001, Service Pack 1)"
        );
        assert_eq!(doc["message"], "MSExchangeRepl terminated 10 time(s).");
        assert_eq!(doc["log"]["level"], "error");
        assert_eq!(doc["labels"]["fingerprint"], f.fingerprint);
        assert_eq!(doc["labels"]["status"], "new");
        assert_eq!(doc["labels"]["subject"], "MSExchangeRepl");
        assert_eq!(doc["exdoctor"]["count"], 10);
        assert_eq!(doc["exdoctor"]["evidence"][0]["location"], "record 18517");

        f.status = Some(Status::Resolved);
        f.first_seen = Some(Timestamp::Local(seen.naive_utc()));
        let doc = ecs_document(&f, None, now());
        assert_eq!(doc["event"]["type"], json!(["end"]));
        assert_eq!(doc["event"]["start"], Value::Null, "local times are not ECS dates");
        assert_eq!(doc["host"], json!({"name": "EXMBX01", "hostname": "EXMBX01"}));
    }
}
