//! Baselines end to end: write one, move and reformat code, add and fix problems, and check
//! that only new findings gate while stale entries are reported.

mod common;

use common::{bin, example_copy, insert_line};
use serde_json::Value;
use std::path::Path;

fn scan(root: &Path, args: &[&str]) -> (i32, Value) {
    let out = bin()
        .env_remove("CI")
        .args(["scan", "--format", "json"])
        .args(args)
        .arg(root)
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), report)
}

fn states(report: &Value) -> Vec<(String, String)> {
    report["projects"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["baseline_state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn round_trip_with_moved_code() {
    let dir = example_copy();
    let root = dir.path();
    let baseline = tempfile::NamedTempFile::new().expect("temp file");
    let baseline_path = baseline.path().to_string_lossy().to_string();

    let (code, _) = scan(root, &["--write-baseline", &baseline_path]);
    assert_eq!(code, 0, "writing a baseline accepts the current findings");
    let written = std::fs::read_to_string(&baseline_path).expect("baseline written");
    assert!(written.contains("\"kind\": \"flightcheck-baseline\""));
    let (_, first) = scan(root, &[]);
    let total = first["projects"][0]["findings"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(total > 5);

    // Move code: lines inserted above findings, an import re-spaced.
    for file in ["src/webhook.js", "src/bot.js", "src/handlers/payments.js"] {
        insert_line(root, file, 1, "// moved down by a new header comment");
        insert_line(root, file, 1, "");
    }
    let webhook = root.join("src/webhook.js");
    let text = std::fs::read_to_string(&webhook).expect("read");
    std::fs::write(
        &webhook,
        text.replace("require('./utils/format')", "require( './utils/format' )"),
    )
    .expect("write");

    let (code, report) = scan(root, &["--baseline", &baseline_path]);
    let moved = states(&report);
    assert_eq!(moved.len(), total);
    assert!(
        moved.iter().all(|(_, s)| s == "unchanged"),
        "moved and reformatted findings still match: {moved:?}"
    );
    assert_eq!(
        code, 0,
        "nothing new: the gate passes although blockers remain"
    );
    assert_eq!(report["verdict"], "RED", "the verdict stays honest");
    assert_eq!(report["baseline"]["new"], 0);
    assert_eq!(report["baseline"]["unchanged"], total as u64);

    // A new finding fails the gate; a fixed one becomes a stale entry.
    let env = root.join(".env.production");
    let text = std::fs::read_to_string(&env).expect("read");
    let text = text.replace(
        "PUBLIC_URL=http://localhost:3000",
        "PUBLIC_URL=https://salon.example.com",
    );
    std::fs::write(&env, text + "SENTRY_DSN=\n").expect("write");
    let (code, report) = scan(root, &["--baseline", &baseline_path, "--fail-on", "medium"]);
    assert_eq!(
        code, 1,
        "a new medium finding (an unread empty secret) fails a medium gate"
    );
    assert_eq!(report["baseline"]["new"], 1);
    let stale = report["baseline"]["stale"].as_array().expect("stale");
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["rule"], "config/localhost-in-production");
    assert!(
        states(&report)
            .iter()
            .any(|(rule, s)| rule == "config/empty-secret" && s == "new")
    );
}

#[test]
fn bad_baseline_files_are_usage_errors() {
    let dir = example_copy();
    let bad = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(bad.path(), "{\"not\": \"a baseline\"}").expect("write");
    let out = bin()
        .args(["scan", "--baseline"])
        .arg(bad.path())
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a flightcheck baseline"));

    let out = bin()
        .args(["scan", "--baseline", "/no/such/baseline.json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
