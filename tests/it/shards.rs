//! Sharded runs: the samples and a generated fleet analysed in three shards and joined
//! with `exdoctor merge` give the very report of one run over everything.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{self, scratch, stdout_text};

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `analyze --format json` of each shard (GNU parallel runs them when installed, as
/// a fleet would be spread over machines), then `merge` of the shard reports.
fn merge_of_shards(name: &str, shards: &[Vec<PathBuf>], extra: &[&str]) -> std::process::Output {
    let dir = scratch(name);
    let outputs: Vec<PathBuf> = (1..=shards.len()).map(|i| dir.join(format!("shard{i}.json"))).collect();
    let parallel = Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if parallel {
        let jobs: Vec<String> = shards
            .iter()
            .zip(&outputs)
            .map(|(paths, out)| {
                let paths: Vec<&str> = paths.iter().map(|p| path(p)).collect();
                format!(
                    "{} analyze --format json --quiet -o {} {}",
                    env!("CARGO_BIN_EXE_exdoctor"),
                    path(out),
                    paths.join(" ")
                )
            })
            .collect();
        let status = Command::new("parallel")
            .args(["--will-cite", "--jobs", "3", "--halt", "never", ":::"])
            .args(&jobs)
            .status()
            .expect("parallel runs");
        assert!(status.code().is_some_and(|c| c <= 3), "parallel: {status}");
    } else {
        for (paths, out) in shards.iter().zip(&outputs) {
            let mut args = vec!["analyze", "--format", "json", "--quiet", "-o", path(out)];
            args.extend(paths.iter().map(|p| path(p)));
            common::exdoctor(&args);
        }
    }
    let mut args = vec!["merge"];
    args.extend(outputs.iter().map(|p| path(p)));
    args.extend_from_slice(extra);
    common::exdoctor(&args)
}

#[test]
fn samples_in_three_shards_merge_into_the_single_run_byte_for_byte() {
    let samples = common::samples_dir();
    let shards = vec![
        vec![
            samples.join("crl-stall"),
            samples.join("healthy"),
            samples.join("upgrade-order/EXCAS11"),
        ],
        vec![
            samples.join("ntlmssp-inplace-upgrade"),
            samples.join("prereq-gaps"),
            samples.join("upgrade-order/EXHUB13"),
        ],
        vec![samples.join("sp1-interrupted"), samples.join("upgrade-order/EXMBX12")],
    ];
    let single = common::exdoctor(&["analyze", path(&samples), "--format", "json", "--quiet"]);
    let merged = merge_of_shards("shards_samples", &shards, &["--format", "json", "--quiet"]);
    assert_eq!(merged.status.code(), single.status.code());
    assert!(
        merged.stdout == single.stdout,
        "merged JSON differs from the single run:\n{}",
        stdout_text(&merged)
    );
    // The upgrade order spans the shards: only the merge can see it.
    let doc = common::json_doc(&merged);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["rule"].as_str()).collect())
        .unwrap_or_default();
    assert!(rules.contains(&"upgrade-order-violation"), "{rules:?}");
    let third = common::json_doc(&common::exdoctor(&[
        "analyze",
        path(&samples.join("upgrade-order/EXMBX12")),
        "--format",
        "json",
    ]));
    assert!(!third["findings"].to_string().contains("upgrade-order-violation"));
    // The text report is the same too.
    let single_text = common::exdoctor(&["analyze", path(&samples), "--view", "full"]);
    let merged_text = merge_of_shards("shards_samples_text", &shards, &["--view", "full"]);
    assert_eq!(stdout_text(&merged_text), stdout_text(&single_text));
}

#[test]
fn a_generated_fleet_in_three_shards_merges_into_the_single_run_byte_for_byte() {
    let fleet = common::generated_fleet(20);
    let hosts = common::subfolders(&fleet);
    let shards: Vec<Vec<PathBuf>> = (0..3)
        .map(|i| hosts.iter().skip(i).step_by(3).cloned().collect())
        .collect();
    let single = common::exdoctor(&["analyze", path(&fleet), "--format", "json", "--quiet"]);
    let merged = merge_of_shards("shards_fleet", &shards, &["--format", "json", "--quiet"]);
    assert_eq!(merged.status.code(), single.status.code());
    assert!(
        merged.stdout == single.stdout,
        "merged JSON differs from the single run"
    );
    let doc = common::json_doc(&merged);
    assert_eq!(
        doc["hosts"].as_array().map(Vec::len),
        common::json_doc(&single)["hosts"].as_array().map(Vec::len)
    );
    // The build inventory names every host's build: the merge ran it over all hosts.
    let inventory = doc["fleet"]["build-inventory"]["hosts"].as_array().map_or(0, Vec::len);
    assert!(inventory > 7, "{inventory}");
}

#[test]
fn a_host_split_between_shards_is_an_error_and_other_files_are_refused() {
    let samples = common::samples_dir();
    let dir = scratch("shards_split_host");
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    let healthy = samples.join("healthy");
    common::exdoctor(&[
        "analyze",
        path(&healthy.join("System.evtx")),
        "--format",
        "json",
        "-o",
        path(&a),
    ]);
    common::exdoctor(&[
        "analyze",
        path(&healthy.join("Application.evtx")),
        "--format",
        "json",
        "-o",
        path(&b),
    ]);
    let merged = common::exdoctor(&["merge", path(&a), path(&b), "--format", "json"]);
    assert_eq!(merged.status.code(), Some(2));
    let doc = common::json_doc(&merged);
    assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["hosts"][0]["sources"].as_array().map(Vec::len), Some(2));
    assert!(doc["diagnostics"]
        .to_string()
        .contains("its files were split between shards"));
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a report").expect("write");
    let refused = common::exdoctor(&["merge", path(&text)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not an exdoctor JSON report"));
}

#[test]
fn an_organization_whose_template_deletions_span_shards_merges_into_the_single_run() {
    let fleet = crate::ad_templates::organization_fleet("shards_templates");
    crate::ad_templates::add_later_deletions(&fleet);
    let shards = vec![
        vec![fleet.join("EXMBX02"), fleet.join("EXMBX05")],
        vec![fleet.join("EXMBX03")],
        vec![fleet.join("EXCAS21")],
    ];
    let single = common::exdoctor(&["analyze", path(&fleet), "--format", "json", "--quiet"]);
    let merged = merge_of_shards("shards_templates_out", &shards, &["--format", "json", "--quiet"]);
    assert_eq!(merged.status.code(), single.status.code());
    assert!(
        merged.stdout == single.stdout,
        "merged JSON differs from the single run:\n{}",
        stdout_text(&merged)
    );
    // Only the merge sees the organization: EXMBX03's shard alone has no finding about
    // it, the merged report has one naming both hosts with deletions and EXCAS21.
    let organization = |doc: &serde_json::Value| -> Vec<serde_json::Value> {
        doc["findings"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|f| f["rule"] == "ad-templates-removed" && f["subject"] == "organization BEISPIEL")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let alone = common::json_doc(&common::exdoctor(&[
        "analyze",
        path(&fleet.join("EXMBX03")),
        "--format",
        "json",
    ]));
    assert!(organization(&alone).is_empty());
    let found = organization(&common::json_doc(&merged));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["host"], "EXMBX03");
    assert_eq!(found[0]["details"]["other_servers"], serde_json::json!(["EXCAS21"]));
    assert_eq!(found[0]["details"]["deleted_on"].as_array().map(Vec::len), Some(2));
}
