//! Inline suppressions end to end: `flightcheck-ignore` directives written into a copy of
//! the example project, in JS comments, env-file comments and file-level form.

mod common;

use common::{bin, example_copy, insert_line};
use serde_json::Value;
use std::path::Path;

fn scan(root: &Path) -> Value {
    let out = bin()
        .env_remove("CI")
        .args(["scan", "--format", "json"])
        .arg(root)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn has_finding(report: &Value, rule: &str, file: &str, line: u64) -> bool {
    report["projects"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["rule"] == rule && f["file"] == file && f["line"] == line)
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "{}:{} {}",
                n["file"].as_str().unwrap_or(""),
                n["line"],
                n["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn directives_suppress_report_unknown_and_unused() {
    let dir = example_copy();
    let root = dir.path();
    let before = scan(root);
    assert!(has_finding(
        &before,
        "integrity/unresolved-import",
        "src/webhook.js",
        4
    ));
    assert!(has_finding(
        &before,
        "config/empty-secret",
        ".env.production",
        2
    ));
    assert!(has_finding(
        &before,
        "config/empty-secret",
        ".env.production",
        3
    ));
    let blockers_before = before["counts"]["blocker"].as_u64().expect("count");

    // The line before the import (line 4 → 5 after the insert).
    insert_line(
        root,
        "src/webhook.js",
        4,
        "// flightcheck-ignore integrity/unresolved-import -- generated at build time",
    );
    // A directive inside a string is not a comment.
    insert_line(
        root,
        "src/webhook.js",
        1,
        "const doc = '// flightcheck-ignore security/webhook-unverified';",
    );
    // Env file: only the next line.
    insert_line(
        root,
        ".env.production",
        2,
        "# flightcheck-ignore config/empty-secret -- injected by the platform at deploy",
    );
    // Unknown id, and a directive that silences nothing.
    insert_line(
        root,
        "src/bot.js",
        1,
        "// flightcheck-ignore bot/no-such-rule",
    );
    insert_line(
        root,
        "src/db.js",
        1,
        "// flightcheck-ignore security/webhook-unverified -- stale",
    );
    // File level, by category prefix.
    insert_line(
        root,
        "src/handlers/payments.js",
        1,
        "// flightcheck-ignore-file availability/ -- one instance only, by design",
    );

    let after = scan(root);
    let project = &after["projects"][0];
    assert!(
        !has_finding(&after, "integrity/unresolved-import", "src/webhook.js", 6),
        "the import on the line after the directive is suppressed"
    );
    assert!(
        has_finding(&after, "security/webhook-unverified", "src/webhook.js", 20),
        "a directive in a string literal suppresses nothing"
    );
    assert!(!has_finding(
        &after,
        "config/empty-secret",
        ".env.production",
        3
    ));
    assert!(
        has_finding(&after, "config/empty-secret", ".env.production", 4),
        "only the line after the directive"
    );
    assert!(
        !project["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "availability/in-memory-state"),
        "file-level directive by prefix"
    );

    let suppressed = project["suppressed"].as_array().expect("suppressed");
    let summary: Vec<(String, String, String)> = suppressed
        .iter()
        .map(|s| {
            (
                s["rule"].as_str().unwrap_or("").to_string(),
                s["suppressed_by"].as_str().unwrap_or("").to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(summary.contains(&(
        "integrity/unresolved-import".into(),
        "src/webhook.js:5".into(),
        "generated at build time".into()
    )));
    assert!(summary.contains(&(
        "config/empty-secret".into(),
        ".env.production:2".into(),
        "injected by the platform at deploy".into()
    )));
    assert!(summary.contains(&(
        "availability/in-memory-state".into(),
        "src/handlers/payments.js:1".into(),
        "one instance only, by design".into()
    )));
    // Suppressed findings neither count nor score.
    assert_eq!(
        after["counts"]["blocker"].as_u64().expect("count"),
        blockers_before - 2
    );

    let notes = notes(&after);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("src/bot.js:1 ")
                && n.contains("no rule is named `bot/no-such-rule`")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("src/db.js:1 ") && n.contains("suppresses nothing")),
        "{notes:?}"
    );
}

#[test]
fn a_deselected_rule_is_not_reported_as_unused() {
    let dir = example_copy();
    let root = dir.path();
    insert_line(
        root,
        "src/db.js",
        1,
        "// flightcheck-ignore security/webhook-unverified -- stale",
    );
    let out = bin()
        .args(["scan", "--format", "json", "--select", "config/"])
        .arg(root)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        !notes(&report)
            .iter()
            .any(|n| n.contains("suppresses nothing")),
        "the rule did not run, so the directive cannot be judged"
    );
}
