//! End-to-end tests of the CI formats (`--format sarif|junit|github`) on the example
//! project: SARIF against the official 2.1.0 schema, JUnit as XML, and snapshots of all three.

#[path = "../../flightcheck_report/tests/common/sarif_check.rs"]
mod sarif_check;

mod common;

use common::{bin, example};
use serde_json::Value;
use std::path::Path;

/// Exit code and stdout of `flightcheck scan DIR --format FORMAT`, the root path replaced
/// by `<root>`.
fn scan(dir: &Path, format: &str) -> (Option<i32>, String) {
    let out = bin()
        .arg("scan")
        .arg(dir)
        .args(["--format", format])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .replace(&dir.to_string_lossy().to_string(), "<root>");
    (out.status.code(), text)
}

fn example_findings() -> Vec<Value> {
    let (_, json) = scan(&example(), "json");
    let report: Value = serde_json::from_str(&json).expect("JSON");
    report["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .flat_map(|p| p["findings"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The rule's Markdown documentation as `flightcheck rule ID` prints it.
fn rule_docs(id: &str) -> String {
    let out = bin()
        .args(["rule", id, "--format", "json"])
        .output()
        .expect("runs");
    let rule: Value = serde_json::from_slice(&out.stdout).expect("rule JSON");
    rule["docs"].as_str().expect("docs").to_string()
}

#[test]
fn example_sarif_is_valid_and_complete() {
    let (code, text) = scan(&example(), "sarif");
    assert_eq!(code, Some(1), "the gate still decides the exit code");
    let mut log = sarif_check::assert_valid_sarif(&text);
    let run = &log["runs"][0];

    let findings = example_findings();
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(&findings) {
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(
            result["partialFingerprints"]["flightcheck/v1"],
            finding["fingerprint"]
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            finding["file"]
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            finding["line"]
        );
    }

    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let (_, list) = {
        let out = bin()
            .args(["rule", "--format", "json"])
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8(out.stdout).expect("UTF-8"),
        )
    };
    let listed: Vec<Value> = serde_json::from_str(&list).expect("rule list JSON");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all: Vec<&str> = listed.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, all, "every rule that ran, also those without results");
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(rule["help"]["markdown"], rule_docs(id).trim(), "{id}");
    }

    // The docs belong to the rules (their own tests cover them); keep them out of the
    // snapshot so a wording change in a rule does not churn this one.
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        let placeholder = Value::from(format!("<docs of {}>", rule["id"].as_str().unwrap()));
        rule["fullDescription"]["text"] = placeholder.clone();
        rule["help"]["text"] = placeholder.clone();
        rule["help"]["markdown"] = placeholder;
    }
    insta::assert_json_snapshot!("booking_bot_sarif", log);
}

#[test]
fn example_junit_is_xml_with_a_case_per_rule() {
    let (code, xml) = scan(&example(), "junit");
    assert_eq!(code, Some(1));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    // The suite is named by the project's path from the repository root.
    assert_eq!(suites[0].attribute("name"), Some("examples/booking-bot"));
    let cases = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(root.attribute("tests"), Some(cases.to_string().as_str()));
    let failing_rules: std::collections::BTreeSet<String> = example_findings()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        root.attribute("failures"),
        Some(failing_rules.len().to_string().as_str())
    );
    insta::assert_snapshot!("booking_bot_junit", xml);
}

#[test]
fn example_github_annotations() {
    let (code, text) = scan(&example(), "github");
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), example_findings().len() + 1);
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
    assert!(lines[lines.len() - 1].starts_with("::notice::flightcheck: RED"));
    insta::assert_snapshot!("booking_bot_github", text);
}

#[test]
fn output_flag_writes_ci_formats_from_the_same_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("junit.xml");
    let out = bin()
        .arg("scan")
        .arg(example())
        .args(["--format", "github", "--output"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--output")
        .arg(format!("junit={}", junit.display()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let (_, stdout_sarif) = scan(&example(), "sarif");
    let written = std::fs::read_to_string(&sarif).expect("SARIF written");
    assert_eq!(
        written, stdout_sarif,
        "same SARIF from --output and --format"
    );
    sarif_check::assert_valid_sarif(&written);
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    roxmltree::Document::parse(&xml).expect("well-formed XML");
}

#[test]
fn project_without_manifest_points_project_wide_findings_at_its_readme() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("job.py"), "print('hello')\n").expect("write");
    let (_, text) = scan(dir.path(), "sarif");
    let log = sarif_check::assert_valid_sarif(&text);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let no_tests = results
        .iter()
        .find(|r| r["ruleId"] == "testing/no-tests")
        .expect("a project without tests");
    let location = &no_tests["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "README.md");
    assert_eq!(location["region"]["startLine"], 1);

    let (_, annotations) = scan(dir.path(), "github");
    assert!(
        annotations
            .contains("file=README.md,line=1,col=1,endLine=1,endColumn=1,title=testing/no-tests::"),
        "{annotations}"
    );
}

/// The GitHub Action at the repository root is valid YAML of a composite action, and every
/// `flightcheck` flag it passes exists in `flightcheck scan --help`.
#[test]
fn github_action_is_valid_and_uses_real_flags() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../action.yml");
    let text = std::fs::read_to_string(&path).expect("action.yml");
    let action: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for input in ["path", "fail-on", "args", "upload-sarif"] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    assert!(
        steps
            .iter()
            .any(|s| s["uses"].as_str() == Some("github/codeql-action/upload-sarif@v3"))
    );
    let help = common::bin()
        .args(["scan", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let scan = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("scan"))
        .and_then(|s| s["run"].as_str())
        .expect("scan step");
    let flags: Vec<&str> = scan
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.split('=').next().unwrap_or(w))
        .collect();
    assert!(flags.len() >= 4, "{flags:?}");
    for flag in flags {
        assert!(
            help.contains(flag),
            "{flag} is not a flag of flightcheck scan"
        );
    }
}

/// The release workflow parses, builds on every platform the npm launcher names, and runs
/// the packaging scripts the local checks run (so what is tested here is what ships).
#[test]
fn release_workflow_runs_the_tested_packaging_scripts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text =
        std::fs::read_to_string(root.join(".github/workflows/release.yml")).expect("release.yml");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let build = &workflow["jobs"]["build"];
    let platforms: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("matrix")
        .iter()
        .filter_map(|m| m["platform"].as_str())
        .collect();
    let launcher: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("npm/cli/package.json")).expect("package.json"),
    )
    .expect("json");
    let optional = launcher["optionalDependencies"]
        .as_object()
        .expect("optionalDependencies");
    assert_eq!(optional.len(), platforms.len());
    for platform in &platforms {
        assert!(
            optional.contains_key(&format!("@flightcheck/cli-{platform}")),
            "{platform}"
        );
    }
    let runs: String = build["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    for script in ["scripts/package-python.sh", "scripts/package-npm.sh"] {
        assert!(runs.contains(script), "{script}");
        assert!(root.join(script).is_file(), "{script}");
    }
    assert!(runs.contains("cargo test --workspace --locked"));
}
