//! Every rule ships fixture projects beside its source file:
//! `src/rules/<category>/<rule>/fixtures/flagged_*` must produce findings of that rule (their
//! findings are snapshotted) and `ok_*` twins must produce none.
//!
//! Rules that judge the other rules' findings (`after`) need those rules to run: their
//! fixtures are scanned without `--select`, with a `flightcheck.toml` in the fixture choosing
//! the rules, and only the judging rule's findings are kept.

use flightcheck_rules::{ScanOptions, registry, scan};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn fixture_dir(rule_id: &str) -> PathBuf {
    let (category, name) = rule_id.split_once('/').expect("rule ids are category/name");
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/rules")
        .join(category)
        .join(name.replace('-', "_"))
        .join("fixtures")
}

fn run_case(rule_id: &str, case: &Path) -> Vec<Value> {
    let judges = registry::find(rule_id).is_some_and(|r| r.after.is_some());
    let report = scan(&ScanOptions {
        root: case.to_path_buf(),
        jobs: 2,
        select: if judges {
            Vec::new()
        } else {
            vec![rule_id.to_string()]
        },
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("scan of {} failed: {e}", case.display()));
    report
        .all_findings()
        .filter(|(_, f)| f.rule == rule_id)
        .map(|(_, f)| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "file": f.file,
                "line": f.span.line,
                "column": f.span.column,
                "message": f.message,
                "evidence": f.evidence.iter().map(|e| json!({"file": e.file, "line": e.line, "snippet": e.snippet, "note": e.note})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[test]
fn every_rule_has_flagged_and_not_flagged_fixtures_that_behave() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let id = rule.meta.id;
        let dir = fixture_dir(id);
        let mut cases: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => {
                failures.push(format!("{id}: no fixtures folder at {}", dir.display()));
                continue;
            }
        };
        cases.sort();
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let flagged: Vec<&PathBuf> = cases
            .iter()
            .filter(|c| name(c).starts_with("flagged_"))
            .collect();
        let ok: Vec<&PathBuf> = cases
            .iter()
            .filter(|c| name(c).starts_with("ok_"))
            .collect();
        if flagged.is_empty() || ok.is_empty() {
            failures.push(format!(
                "{id}: needs at least one flagged_* and one ok_* fixture"
            ));
        }
        for case in flagged {
            let findings = run_case(id, case);
            if findings.is_empty() {
                failures.push(format!("{id}: {} produced no finding", name(case)));
                continue;
            }
            insta::with_settings!({ snapshot_suffix => format!("{}__{}", id.replace('/', "__"), name(case)), prepend_module_to_snapshot => false }, {
                insta::assert_json_snapshot!("fixture", findings);
            });
        }
        for case in ok {
            let findings = run_case(id, case);
            if !findings.is_empty() {
                failures.push(format!(
                    "{id}: {} must not be flagged, got {}",
                    name(case),
                    serde_json::to_string_pretty(&findings).unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}
