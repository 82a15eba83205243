//! The same files given twice (a host folder named twice, a bundle beside its
//! extracted folder) are analysed once: one `setup-stall`, not one per copy, and a
//! diagnostic names each copy. Identical files of two different hosts stay two.

use std::fs;

use exdoctor_samples::hostile::{raw_zip, RawMember};

use crate::common;

#[test]
fn a_host_folder_given_twice_and_zipped_is_analysed_once() {
    let dir = common::scratch("hostile_duplicates");
    let folder = common::samples_dir().join("crl-stall");
    let members: Vec<RawMember> = common::sample_files("crl-stall")
        .iter()
        .map(|(name, path)| RawMember::deflated(&format!("crl-stall/{name}"), &fs::read(path).expect("read")))
        .collect();
    let files = members.len();
    let bundle = dir.join("crl-stall.zip");
    fs::write(&bundle, raw_zip(&members)).expect("write");
    let once = common::exdoctor(&["analyze", "--format", "json", folder.to_str().expect("path")]);
    // The extracted copy a consultant keeps beside the bundle.
    let extracted = dir.join("extracted/crl-stall");
    for (name, path) in common::sample_files("crl-stall") {
        let target = extracted.join(&name);
        fs::create_dir_all(target.parent().expect("parent")).expect("folder");
        fs::copy(&path, &target).expect("copy");
    }
    let again = extracted.display().to_string();
    let thrice = common::exdoctor(&[
        "analyze",
        "--format",
        "json",
        folder.to_str().expect("path"),
        &again,
        bundle.to_str().expect("path"),
    ]);
    assert_eq!(thrice.status.code(), Some(0));
    let (once, thrice): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&once.stdout).expect("JSON"),
        serde_json::from_slice(&thrice.stdout).expect("JSON"),
    );
    assert_eq!(common::finding_rules(&thrice), common::finding_rules(&once));
    assert_eq!(
        common::finding_rules(&thrice)
            .iter()
            .filter(|r| *r == "setup-stall")
            .count(),
        1
    );
    assert_eq!(common::all_sources(&thrice).len(), files, "each file analysed once");
    let copies: Vec<&str> = thrice["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .filter(|m| m.starts_with("same content as "))
        .collect();
    assert_eq!(copies.len(), 2 * files, "{copies:#?}");
}

#[test]
fn identical_exports_of_two_hosts_are_both_kept() {
    let dir = common::scratch("hostile_identical_hosts");
    // A prerequisite export names no computer: the folder names the host.
    let export = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v2.0.50727]\r\n\"Install\"=dword:00000001\r\n\"SP\"=dword:00000002\r\n";
    for host in ["EXCAS01", "EXCAS02"] {
        fs::create_dir_all(dir.join(host)).expect("folder");
        fs::write(dir.join(host).join("ndp.reg"), export).expect("write");
    }
    let run = common::exdoctor(&["analyze", "--format", "json", dir.to_str().expect("path")]);
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(common::host_names(&doc), ["EXCAS01", "EXCAS02"]);
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(0));
}
