//! `flightcheck.toml` end to end: each setting changes the scan, invalid files stop it with
//! exit code 2 and a position, `--show-config` and `--config` work, nearest file wins.

mod common;

use common::{bin, example_copy};
use serde_json::Value;
use std::path::Path;

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .env_remove("CI")
        .arg("scan")
        .args(args)
        .arg(root)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(root: &Path) -> Value {
    let (_, stdout, stderr) = run(root, &["--format", "json"]);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("json ({e}): {stderr}"))
}

fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["findings"].as_array().into_iter().flatten())
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(findings: &[(String, String, String)], rule: &str) -> bool {
    findings.iter().any(|(r, _, _)| r == rule)
}

#[test]
fn every_setting_changes_the_scan() {
    let dir = example_copy();
    let root = dir.path();
    let before = findings(&report(root));
    assert!(has(&before, "testing/no-tests"));
    assert!(has(&before, "data/migrations-not-run"));
    assert!(before.contains(&(
        "bot/no-user-rate-limit".into(),
        "low".into(),
        "src/bot.js".into()
    )));
    // A `legacy/` folder nothing imports is archived code: it raises nothing.
    assert!(
        !before
            .iter()
            .any(|(r, _, f)| r == "integrity/parse-error" && f == "src/legacy/engine.js")
    );

    std::fs::write(
        root.join("flightcheck.toml"),
        r#"ignore = ["testing/"]
entry-points = ["src/legacy/engine.js"]

[severity]
"bot/no-user-rate-limit" = "medium"

[per-path-ignores]
"migrations/**" = ["data/migrations-not-run"]

[weights]
config = 0
"#,
    )
    .expect("write");
    let after_report = report(root);
    let after = findings(&after_report);
    assert!(!has(&after, "testing/no-tests"), "ignored by prefix");
    assert!(
        !has(&after, "data/migrations-not-run"),
        "per-path ignore on the migrations folder"
    );
    assert!(after.contains(&(
        "bot/no-user-rate-limit".into(),
        "medium".into(),
        "src/bot.js".into()
    )));
    assert!(
        after.contains(&(
            "integrity/parse-error".into(),
            "blocker".into(),
            "src/legacy/engine.js".into()
        )),
        "an extra entry point makes the legacy engine running code"
    );
    let config_category = after_report["projects"][0]["score"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "config")
        .cloned()
        .expect("config category");
    assert_eq!(config_category["weight"], 0);
    let entry_sources: Vec<&str> = after_report["projects"][0]["entry_points"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    assert!(
        entry_sources
            .iter()
            .any(|s| s.contains("flightcheck.toml") && s.contains("entry-points")),
        "{entry_sources:?}"
    );
}

#[test]
fn production_env_names_the_deployed_file() {
    let dir = example_copy();
    let root = dir.path();
    std::fs::create_dir_all(root.join("deploy")).expect("mkdir");
    std::fs::write(root.join("deploy/live.env"), "BOT_TOKEN=\n").expect("write");
    std::fs::write(
        root.join("flightcheck.toml"),
        "production-env = [\"deploy/live.env\"]\n",
    )
    .expect("write");
    let f = findings(&report(root));
    assert!(f.contains(&(
        "config/empty-secret".into(),
        "blocker".into(),
        "deploy/live.env".into()
    )));
    assert!(
        !f.iter().any(|(r, s, file)| r == "config/empty-secret"
            && s == "blocker"
            && file == ".env.production"),
        "only the named file is production now: {f:?}"
    );
}

#[test]
fn invalid_configs_stop_the_scan_with_a_position() {
    let dir = example_copy();
    let root = dir.path();
    for (text, expected) in [
        (
            "ignore = [\"testing/\"]\nselct = [\"bot/\"]\n",
            "flightcheck.toml:2:1:",
        ),
        (
            "\n\nignore = [\"bot/no-such-rule\"]\n",
            "flightcheck.toml:3:11:",
        ),
        (
            "entry-points = [\"src/missing.js\"]\n",
            "flightcheck.toml:1:17:",
        ),
        ("[weights]\nsecurty = 3\n", "flightcheck.toml:2:1:"),
        ("select = [\n", "flightcheck.toml:"),
    ] {
        std::fs::write(root.join("flightcheck.toml"), text).expect("write");
        let (code, stdout, stderr) = run(root, &["--format", "json"]);
        assert_eq!(code, 2, "{text:?}: {stderr}");
        assert!(stdout.is_empty(), "no report on an invalid config");
        assert!(stderr.contains(expected), "{text:?}: {stderr}");
    }
}

#[test]
fn show_config_and_explicit_config() {
    let dir = example_copy();
    let root = dir.path();
    let (code, stdout, _) = run(root, &["--show-config"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("# source: built-in defaults"), "{stdout}");
    assert!(stdout.contains("security = 15"), "{stdout}");

    let elsewhere = tempfile::tempdir().expect("tempdir");
    let file = elsewhere.path().join("ci.toml");
    std::fs::write(&file, "select = [\"config/\"]\n").expect("write");
    let file_arg = file.to_string_lossy().to_string();
    let (code, stdout, _) = run(root, &["--show-config", "--config", &file_arg]);
    assert_eq!(code, 0);
    assert!(stdout.contains("select = [\"config/\"]"), "{stdout}");
    assert!(stdout.contains("ci.toml"), "{stdout}");

    let (_, stdout, _) = run(root, &["--format", "json", "--config", &file_arg]);
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let rules: Vec<String> = findings(&report).into_iter().map(|f| f.0).collect();
    assert!(!rules.is_empty());
    assert!(rules.iter().all(|r| r.starts_with("config/")), "{rules:?}");

    let (code, _, stderr) = run(root, &["--config", "/no/such/flightcheck.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no such file"), "{stderr}");
}

#[test]
fn the_nearest_file_wins_in_a_monorepo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for name in ["api", "bot"] {
        let project = root.join(name);
        std::fs::create_dir_all(&project).expect("mkdir");
        std::fs::write(
            project.join("package.json"),
            format!("{{\"name\":\"{name}\",\"main\":\"index.js\"}}"),
        )
        .expect("write");
        std::fs::write(project.join("index.js"), "console.log('up');\n").expect("write");
    }
    std::fs::write(root.join("flightcheck.toml"), "ignore = [\"testing/\"]\n").expect("write");
    std::fs::write(
        root.join("bot/flightcheck.toml"),
        "select = [\"testing/\"]\n",
    )
    .expect("write");
    let report = report(root);
    let by_project: Vec<(String, Vec<String>)> = report["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or("").to_string(),
                p["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f["rule"].as_str().map(str::to_string))
                    .collect(),
            )
        })
        .collect();
    let api = &by_project.iter().find(|(p, _)| p == "api").expect("api").1;
    let bot = &by_project.iter().find(|(p, _)| p == "bot").expect("bot").1;
    assert!(
        !api.contains(&"testing/no-tests".to_string()),
        "root config: {api:?}"
    );
    assert!(
        bot.contains(&"testing/no-tests".to_string()),
        "bot's own config: {bot:?}"
    );

    let (_, shown, _) = run(root, &["--show-config"]);
    assert!(shown.contains("# project: api"), "{shown}");
    assert!(shown.contains("# source: flightcheck.toml"), "{shown}");
    assert!(shown.contains("# source: bot/flightcheck.toml"), "{shown}");
}
