//! The invariants of ARCHITECTURE.md that a test can check on the source text: the
//! top-level modules of src/ import each other in one direction only, and no rule id
//! is spelled as a string outside its definition.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use exdoctor::model::RuleId;

/// The crate's src/ folder.
fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file of src/ belongs to (`src/rules/events/crash.rs` ->
/// `rules`); `None` for lib.rs and main.rs.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The code of a file without comments (docs mention paths that are not imports).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

/// `module -> modules it names as crate::X`, from the code of src/.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = src_dir();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let Some(module) = top_module(&src, &file) else {
            continue;
        };
        let text = fs::read_to_string(&file).unwrap_or_default();
        let deps = graph.entry(module.clone()).or_default();
        for line in code_lines(&text) {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    deps.insert(name);
                }
                rest = after;
            }
        }
    }
    graph
}

/// A cycle of the graph, if any (depth-first search with colors).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_import_each_other_in_one_direction() {
    let graph = import_graph();
    assert!(graph.contains_key("model") && graph.contains_key("rules"), "{graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between src/ modules: {}", cycle.join(" -> "));
    }
    // The layering of ARCHITECTURE.md, edge by edge.
    let forbidden: &[(&str, &[&str])] = &[
        (
            "platform",
            &[
                "model", "registry", "sources", "ingest", "rules", "analysis", "report", "cli",
            ],
        ),
        (
            "registry",
            &["model", "sources", "ingest", "rules", "analysis", "report", "cli"],
        ),
        ("model", &["sources", "ingest", "rules", "analysis", "report", "cli"]),
        ("sources", &["ingest", "rules", "analysis", "report", "cli"]),
        ("ingest", &["rules", "analysis", "report", "cli"]),
        ("rules", &["sources", "ingest", "analysis", "report", "cli"]),
        ("analysis", &["report", "cli"]),
        ("report", &["cli"]),
        ("state", &["sources", "ingest", "rules", "analysis", "report", "cli"]),
    ];
    for (module, not) in forbidden {
        let deps = graph.get(*module).cloned().unwrap_or_default();
        for n in *not {
            assert!(!deps.contains(*n), "{module} must not import {n} (imports {deps:?})");
        }
    }
}

#[test]
fn the_graph_check_finds_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

/// The code of a source file outside its test modules (`#[cfg(test)]` at column 0
/// starts them; files named tests.rs are test modules).
fn production_code(file: &Path) -> String {
    if file.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = fs::read_to_string(file).unwrap_or_default();
    match text.find("\n#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[test]
fn no_rule_id_is_spelled_outside_its_definition() {
    let src = src_dir();
    let definition = src.join("model").join("rule.rs");
    let mut found = Vec::new();
    for file in rust_files(&src).into_iter().filter(|f| *f != definition) {
        let code = production_code(&file);
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for id in RuleId::ALL {
                if line.contains(&format!("\"{}\"", id.as_str())) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "rule ids spelled as strings (use RuleId):\n{}",
        found.join("\n")
    );
    // The check is real: the definition itself spells every id.
    let defined = fs::read_to_string(&definition).unwrap_or_default();
    assert!(RuleId::ALL
        .iter()
        .all(|id| defined.contains(&format!("\"{}\"", id.as_str()))));
}
