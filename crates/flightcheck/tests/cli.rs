//! End-to-end tests of the `flightcheck` binary: the example project, exit codes, flags,
//! and bad input that must never crash the scan.

mod common;

use common::{bin, example, git, write};
use serde_json::Value;
use std::path::Path;

fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn findings(report: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in report["projects"].as_array().into_iter().flatten() {
        for f in p["findings"].as_array().into_iter().flatten() {
            out.push((
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

/// The JSON report without what legitimately varies between machines (the root path).
fn stable(mut report: Value) -> Value {
    report["root"] = Value::from("<root>");
    report
}

#[test]
fn every_format_gives_the_same_bytes_twice() {
    for format in [
        "pretty", "concise", "markdown", "json", "sarif", "junit", "github",
    ] {
        let run = || {
            bin()
                .arg("scan")
                .arg(example())
                .args(["--format", format, "--no-progress"])
                .output()
                .expect("runs")
                .stdout
        };
        let (first, second) = (run(), run());
        assert!(!first.is_empty(), "{format}");
        assert!(first == second, "{format} differs between two runs");
    }
    let timed = bin()
        .arg("scan")
        .arg(example())
        .args(["--format", "json", "--timings", "--no-progress"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&timed.stdout).expect("json");
    assert!(report["timings"].as_array().is_some_and(|t| !t.is_empty()));
    assert!(String::from_utf8_lossy(&timed.stderr).contains("timings (ms)"));
}

#[test]
fn example_project_json_snapshot() {
    let (code, report) = scan_json(&example(), &[]);
    assert_eq!(code, 1, "blockers fail the default gate");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["verdict"], "RED");
    insta::assert_json_snapshot!("booking_bot_json", stable(report));
}

#[test]
fn example_project_pretty_snapshot() {
    let out = bin().arg("scan").arg(example()).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(&example().to_string_lossy().to_string(), "<root>");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!("booking_bot_pretty", text);
}

/// The exit code of `flightcheck scan EXAMPLE ARGS...`.
fn exit_code(args: &[&str]) -> Option<i32> {
    bin()
        .arg("scan")
        .arg(example())
        .args(args)
        .output()
        .expect("runs")
        .status
        .code()
}

#[test]
fn gate_flags_decide_the_exit_code() {
    assert_eq!(exit_code(&["--fail-on", "never", "--quiet"]), Some(0));
    // Only the low parse error in dead code remains when the others are ignored.
    let ignored = "config/,testing/,integrity/unresolved-import,bot/,data/,security/,availability/";
    assert_eq!(exit_code(&["--ignore", ignored]), Some(0));
    assert_eq!(
        exit_code(&["--ignore", ignored, "--fail-on", "low"]),
        Some(1)
    );
    assert_eq!(
        exit_code(&["--ignore", ignored, "--min-score", "100"]),
        Some(1)
    );
    assert_eq!(
        exit_code(&["--ignore", ignored, "--min-score", "50"]),
        Some(0)
    );
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["scan", "/definitely/not/here"], "no such directory"),
        (
            vec!["scan", ".", "--select", "nosuch/rule"],
            "matches no rule",
        ),
        (
            vec!["scan", ".", "--output", "json"],
            "expected FORMAT=FILE",
        ),
        (
            vec!["scan", ".", "--output", "xml=out.xml"],
            "unknown format",
        ),
        (vec!["scan", ".", "--env", "/no/such.env"], "no such file"),
        (vec!["scan", ".", "--min-score", "101"], "101"),
        (vec!["scan", ".", "--fail-on", "sometimes"], "sometimes"),
        (vec!["rule", "nosuch/rule"], "unknown rule"),
    ];
    for (args, expected) in cases {
        let out = bin().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: stderr {err}");
    }
}

#[test]
fn output_files_match_stdout_and_select_narrows_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("report.json");
    let spec = format!("json={}", file.display());
    let (_, stdout_report) = scan_json(&example(), &["--output", &spec, "--select", "config/"]);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("json");
    assert_eq!(stable(written), stable(stdout_report.clone()));
    let rules: Vec<&str> = stdout_report["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        rules,
        vec![
            "config/empty-secret",
            "config/localhost-in-production",
            "config/undocumented-env",
            "config/placeholder-secret",
            "config/example-insecure-default",
            "config/no-startup-validation",
            "config/permissive-permissions"
        ]
    );
    assert!(
        findings(&stdout_report)
            .iter()
            .all(|(rule, _, _)| rule.starts_with("config/"))
    );
}

#[test]
fn env_flag_marks_the_production_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("package.json"),
        r#"{"name":"svc","main":"index.js","scripts":{"test":"jest"}}"#,
    )
    .expect("write");
    std::fs::write(
        root.join("index.js"),
        "const s = process.env.SIGNING_SECRET;\nmodule.exports = s;\n",
    )
    .expect("write");
    std::fs::write(
        root.join("deploy.env"),
        "SIGNING_SECRET=\nAPI_URL=http://localhost:8080\n",
    )
    .expect("write");
    let (_, without) = scan_json(
        root,
        &[
            "--select",
            "config/empty-secret,config/localhost-in-production",
        ],
    );
    // `deploy.env` is a plain deployed env: the read secret is high, localhost is not judged.
    assert_eq!(
        findings(&without),
        vec![(
            "config/empty-secret".into(),
            "high".into(),
            "deploy.env".into()
        )]
    );
    let env = root.join("deploy.env");
    let (code, with) = scan_json(
        root,
        &[
            "--select",
            "config/empty-secret,config/localhost-in-production",
            "--env",
            env.to_str().expect("utf8"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        findings(&with),
        vec![
            (
                "config/empty-secret".into(),
                "blocker".into(),
                "deploy.env".into()
            ),
            (
                "config/localhost-in-production".into(),
                "high".into(),
                "deploy.env".into()
            )
        ]
    );
}

#[test]
fn rule_command_lists_and_documents() {
    let list = bin().arg("rule").output().expect("runs");
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("integrity/parse-error") && text.contains("blocker"));
    let doc = bin()
        .args(["rule", "config/empty-secret"])
        .output()
        .expect("runs");
    let doc = String::from_utf8_lossy(&doc.stdout);
    for section in [
        "## What it does",
        "## Why it breaks production",
        "## Flagged",
        "## Not flagged",
        "## Fix",
    ] {
        assert!(doc.contains(section), "missing {section}");
    }
    let json = bin()
        .args(["rule", "--format", "json"])
        .output()
        .expect("runs");
    let list: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(flightcheck_rules::registry::all().len())
    );
    let one = bin()
        .args(["rule", "testing/no-tests", "--format", "json"])
        .output()
        .expect("runs");
    let one: Value = serde_json::from_slice(&one.stdout).expect("json");
    assert_eq!(one["severity"], "medium");
    assert!(one["docs"].as_str().is_some_and(|d| d.contains("## Fix")));
    // A category prefix lists that category, as `--select config/` selects it.
    let category = bin().args(["rule", "config/"]).output().expect("runs");
    assert_eq!(category.status.code(), Some(0));
    let text = String::from_utf8_lossy(&category.stdout);
    assert!(text.lines().count() > 3, "{text}");
    assert!(text.lines().all(|l| l.starts_with("config/")), "{text}");
}

#[test]
fn several_paths_are_one_report() {
    let (_, report) = scan_json(&example(), &[]);
    let out = bin()
        .arg("scan")
        .arg(example())
        .arg(example().join("src"))
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let both: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(both["projects"].as_array().map(Vec::len), Some(2));
    assert!(both["counts"]["blocker"].as_u64() >= report["counts"]["blocker"].as_u64());
    // Every path of a merged report names a real file from the repository root.
    for project in both["projects"].as_array().into_iter().flatten() {
        let paths = project["manifests"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(project["deploy_files"].as_array().into_iter().flatten())
            .chain(
                project["entry_points"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| &e["file"]),
            )
            .chain(
                project["claims"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| &c["file"]),
            )
            .filter_map(Value::as_str);
        // Paths start at the repository root (the git top level above the scanned paths).
        let repo = example().join("../..");
        for path in paths {
            assert!(
                repo.join(path).is_file(),
                "{path} is not repository-relative"
            );
        }
    }
}

#[test]
fn hard_coded_tokens_never_appear_in_frames_or_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // A made-up token in the Telegram shape: the bot finding points at this very line.
    let token = "8123456789:AAF1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW";
    std::fs::write(
        root.join("package.json"),
        r#"{"name":"leaky","main":"index.js","dependencies":{"telegraf":"^4.16.3"}}"#,
    )
    .expect("write");
    std::fs::write(
        root.join("index.js"),
        format!("const {{ Telegraf }} = require('telegraf');\nconst bot = new Telegraf('{token}');\nbot.command('help', (ctx) => ctx.reply('hi'));\nbot.launch();\n"),
    )
    .expect("write");
    for format in [
        "json", "pretty", "concise", "markdown", "sarif", "junit", "github",
    ] {
        let out = bin()
            .args(["scan", "--format", format, "--fail-on", "never"])
            .arg(root)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("bot/start-handler-missing"), "{text}");
        assert!(
            !text.contains("AAF1b2C3d4E5"),
            "{format} leaks the token:\n{text}"
        );
        // Formats that show code show the preview; SARIF, JUnit and annotations quote none.
        if ["json", "pretty", "markdown"].contains(&format) {
            assert!(
                text.contains("8123…(46)"),
                "{format} shows no preview:\n{text}"
            );
        }
    }
}

#[test]
fn timings_go_to_stderr_per_phase_and_rule() {
    let out = bin()
        .arg("scan")
        .arg(example())
        .args(["--format", "json", "--timings"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for phase in [
        "discover",
        "parse",
        "resolve",
        "reachability",
        "rules",
        "total",
    ] {
        assert!(stderr.contains(phase), "{phase} in {stderr}");
    }
    assert!(stderr.contains("bot/start-handler-missing"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout stays JSON");
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let timed: Vec<&str> = report["rule_timings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["phase"].as_str())
        .collect();
    assert!(timed.len() > 10, "{timed:?}");
    assert!(timed.iter().all(|t| rules.contains(t)), "{timed:?}");
    // Python-only rules do not apply to this Node project, so they are not timed.
    assert!(!timed.contains(&"perf/blocking-io-in-async"));
}

#[test]
fn monorepos_are_scored_per_project_and_rolled_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in [
        (
            "api",
            "const express = require('express');\nconst app = express();\napp.get('/', (q, r) => r.send('ok'));\napp.listen(3000);\n",
        ),
        ("worker", "setInterval(() => console.log('tick'), 1000);\n"),
    ] {
        let project = dir.path().join(name);
        std::fs::create_dir_all(&project).expect("mkdir");
        std::fs::write(
            project.join("package.json"),
            format!("{{\"name\":\"{name}\",\"main\":\"index.js\"}}"),
        )
        .expect("write");
        std::fs::write(project.join("index.js"), body).expect("write");
    }
    let (_, report) = scan_json(dir.path(), &[]);
    let paths: Vec<&str> = report["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, ["api", "worker"]);
    let out = bin().arg("scan").arg(dir.path()).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let rollup = text.split("Projects\n").nth(1).expect("a roll-up section");
    assert!(rollup.contains("  api "), "{rollup}");
    assert!(rollup.contains("  worker "), "{rollup}");
    assert!(rollup.contains("  overall "), "{rollup}");
}

/// Writes `files` (path, content) under a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
    }
    dir
}

#[test]
fn roles_entry_kinds_and_reachability_warnings_are_reported() {
    let dir = tree(&[
        (
            "package.json",
            r#"{ "name": "svc", "scripts": { "start": "node src/index.js" }, "bin": { "svc-init": "bin/init.js" } }"#,
        ),
        (
            "src/index.js",
            "const fs = require('fs');\nfor (const f of fs.readdirSync(__dirname)) require(__dirname + '/' + f);\n",
        ),
        (
            "src/plugin.js",
            "module.exports = () => { let a = 1; let a = 2; };\n",
        ),
        ("bin/init.js", "require('../src/missing-template');\n"),
        ("Archived/v1.js", "let x = 1;\nlet x = 2;\n"),
    ]);
    let (_, report) = scan_json(dir.path(), &[]);
    let project = &report["projects"][0];
    let kinds: Vec<(String, String)> = project["entry_points"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or_default().to_string(),
                e["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(kinds.contains(&("src/index.js".into(), "service".into())));
    assert!(kinds.contains(&("bin/init.js".into(), "script".into())));
    let warnings = project["warnings"].as_array().cloned().unwrap_or_default();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap_or_default().contains("src/index.js:2")),
        "{warnings:?}"
    );
    let roles: Vec<(String, String, String)> = project["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["role"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // The loader's folder is possibly running: its parse error is at most medium.
    assert!(roles.contains(&(
        "integrity/parse-error".into(),
        "medium".into(),
        "possibly-running".into()
    )));
    // A CLI's stale import is a script's problem: low.
    assert!(roles.contains(&(
        "integrity/unresolved-import".into(),
        "low".into(),
        "script".into()
    )));
    let pretty = bin().arg("scan").arg(dir.path()).output().expect("runs");
    let text = String::from_utf8_lossy(&pretty.stdout);
    let first_finding = text.find("── ").unwrap_or(text.len());
    let warning = text
        .find("warning: reachability fell back")
        .unwrap_or(usize::MAX);
    assert!(warning < first_finding, "{text}");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = bin().args(["completions", shell]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("scan") && script.contains("fail-on"),
            "{shell}: {script}"
        );
    }
    let bad = bin().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

/// `scan services/bot` reports paths from the repository root in every format, whichever
/// directory it runs from, and the same for one path or several.
#[test]
fn paths_are_relative_to_the_repository_root_in_every_format() {
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    git(root, &["init", "-q"]);
    write(
        root,
        "services/bot/package.json",
        r#"{"name":"bot","main":"index.js","scripts":{"start":"node index.js"},"dependencies":{"telegraf":"^4.16.3"}}"#,
    );
    write(
        root,
        "services/bot/index.js",
        "const { Telegraf } = require('telegraf');\nconst { helper } = require('./missing');\nconst bot = new Telegraf(process.env.BOT_TOKEN);\nbot.start((ctx) => ctx.reply(helper()));\nbot.launch();\n",
    );
    write(
        root,
        "services/api/package.json",
        r#"{"name":"api","main":"a.js"}"#,
    );
    write(root, "services/api/a.js", "module.exports = 1;\n");
    let expected = "services/bot/index.js";
    for (cwd, arg) in [
        (root.to_path_buf(), "services/bot"),
        (root.join("services"), "bot"),
    ] {
        for format in [
            "pretty", "concise", "json", "sarif", "github", "junit", "markdown",
        ] {
            let out = bin()
                .current_dir(&cwd)
                .args([
                    "scan",
                    arg,
                    "--no-progress",
                    "--fail-on",
                    "never",
                    "--format",
                    format,
                ])
                .output()
                .expect("runs");
            assert_eq!(out.status.code(), Some(0), "{format}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains(expected),
                "{format} from {}:\n{text}",
                cwd.display()
            );
            assert!(
                !text.contains(" index.js:2") && !text.contains("\"index.js\""),
                "{format}: a path relative to the scanned directory\n{text}"
            );
        }
    }
    // Several paths: the same paths, no extra prefix.
    let out = bin()
        .current_dir(root)
        .args([
            "scan",
            "services/bot",
            "services/api",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let files: Vec<&str> = report["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"services/bot/index.js"), "{files:?}");
    let paths: Vec<&str> = report["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, ["services/bot", "services/api"]);
    // A config error names the file from the repository root too.
    write(
        root,
        "services/bot/flightcheck.toml",
        "select = [\"no/such-rule\"]\n",
    );
    let out = bin()
        .current_dir(root)
        .args(["scan", "services/bot"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("services/bot/flightcheck.toml:"),
        "{stderr}"
    );
}

/// What lowers confidence in the verdict (a reachable file not read, history not read)
/// reaches every format, `--quiet` and `--summary` included.
#[test]
fn every_format_carries_the_confidence_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    common::write_service_importing_binary(root);
    let cases: [&[&str]; 9] = [
        &["--format", "pretty"],
        &["--format", "pretty", "--quiet"],
        &["--format", "pretty", "--summary"],
        &["--format", "concise"],
        &["--format", "markdown"],
        &["--format", "github"],
        &["--format", "sarif"],
        &["--format", "junit"],
        &["--format", "json"],
    ];
    for args in cases {
        let out = bin()
            .args(["scan", "--no-progress", "--fail-on", "never"])
            .args(args)
            .arg(root)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        // Text formats write `rates.js: skipped: …`; SARIF and JSON give the file apart.
        assert!(
            text.contains("skipped: binary content") && text.contains("rates.js"),
            "{args:?}:\n{text}"
        );
        assert!(text.contains("git history not read"), "{args:?}:\n{text}");
    }
}

/// A file name in capitals is a path, not a credential: messages keep it.
#[test]
fn upper_case_file_names_survive_redaction_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "package.json",
        r#"{"name":"x","main":"index.js","dependencies":{"telegraf":"^4.16.3"}}"#,
    );
    write(
        root,
        "index.js",
        "const { Telegraf } = require('telegraf');\nconst bot = new Telegraf(process.env.BOT_TOKEN);\nbot.command('help', (ctx) => ctx.reply('hi'));\nbot.launch();\n",
    );
    write(
        root,
        "DASHBOARD_MODERNIZATION_PLAN2.md",
        "# Plan\n\nStatus: production ready, 100/100.\n",
    );
    for format in [
        "json", "pretty", "concise", "markdown", "sarif", "junit", "github",
    ] {
        let out = bin()
            .args([
                "scan",
                "--no-progress",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .arg(root)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("DASHBOARD_MODERNIZATION_PLAN2.md:3"),
            "{format}:\n{text}"
        );
        assert!(!text.contains("DASH…"), "{format}:\n{text}");
    }
}

/// `--show high` hides medium and low findings from the human formats and says how many,
/// while the gate and the verdict line still count them.
#[test]
fn show_hides_lower_findings_and_says_how_many() {
    for (format, said) in [
        ("pretty", "24 findings below high not shown"),
        ("concise", "note: 24 lower findings not shown"),
        ("markdown", "24 findings below the severity shown"),
    ] {
        let out = bin()
            .arg("scan")
            .arg(example())
            .args(["--no-progress", "--show", "high", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: blockers still fail the gate"
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(said), "{format}:\n{text}");
        assert!(
            !text.contains("MEDIUM ") && !text.contains("| M1 |"),
            "{format}:\n{text}"
        );
        assert!(
            text.contains("18 medium"),
            "{format}: counts keep every finding"
        );
    }
}
