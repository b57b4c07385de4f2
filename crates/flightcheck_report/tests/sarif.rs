//! SARIF output on hand-built reports. Every document is checked against the official
//! SARIF 2.1.0 schema and GitHub's requirements (`common::sarif_check`).

mod common;

use common::sarif_check::assert_valid_sarif;
use common::*;
use flightcheck_core::{BaselineState, Category, Evidence, Note, Span};
use flightcheck_report::{Format, RenderOptions, render};
use serde_json::Value;

fn sarif(report: &flightcheck_core::ScanReport) -> Value {
    assert_valid_sarif(&render(Format::Sarif, report, RenderOptions::default()))
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

fn rule<'a>(log: &'a Value, id: &str) -> &'a Value {
    log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("rule {id} listed"))
}

fn result<'a>(log: &'a Value, rule_id: &str) -> &'a Value {
    results(log)
        .iter()
        .find(|r| r["ruleId"] == rule_id)
        .unwrap_or_else(|| panic!("a result of {rule_id}"))
}

fn region(result: &Value) -> &Value {
    &result["locations"][0]["physicalLocation"]["region"]
}

fn uri(result: &Value) -> &str {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("uri")
}

#[test]
fn no_findings_still_lists_every_rule() {
    let p = project(
        ".",
        "quiet-bot",
        &["package.json"],
        Vec::new(),
        &all_categories(),
    );
    let log = sarif(&report(vec![p], &ALL_RULES));
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "flightcheck");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ALL_RULES.map(|m| m.id));
    assert!(results(&log).is_empty());
    let properties = &log["runs"][0]["properties"];
    assert_eq!(properties["verdict"], "GREEN");
    assert_eq!(properties["score"], 100);
}

#[test]
fn rule_descriptors_carry_levels_severities_and_docs() {
    let log = sarif(&typical_report());
    let start = rule(&log, "bot/start-handler-missing");
    assert_eq!(start["name"], "BotStartHandlerMissing");
    assert_eq!(start["shortDescription"]["text"], START.summary);
    assert_eq!(
        start["fullDescription"]["text"],
        "Collects the command handlers that running code registers."
    );
    assert_eq!(start["help"]["markdown"], START.docs);
    assert_eq!(start["help"]["text"], START.docs);
    assert_eq!(start["defaultConfiguration"]["level"], "error");
    assert_eq!(
        start["properties"]["tags"],
        serde_json::json!(["availability"])
    );
    assert_eq!(start["properties"]["security-severity"], "9.5");
    assert_eq!(start["properties"]["problem.severity"], "error");
    assert_eq!(start["properties"]["precision"], "very-high");

    let high = rule(&log, "testing/no-tests");
    assert_eq!(high["defaultConfiguration"]["level"], "error");
    assert_eq!(high["properties"]["security-severity"], "8.0");
    // No docs: help falls back to the summary, and there is no Markdown.
    assert_eq!(high["help"]["text"], NO_TESTS.summary);
    assert!(high["help"].get("markdown").is_none());
    assert_eq!(high["fullDescription"]["text"], NO_TESTS.summary);

    let medium = rule(&log, "bot/no-error-handler");
    assert_eq!(medium["defaultConfiguration"]["level"], "warning");
    assert_eq!(medium["properties"]["security-severity"], "5.5");
    assert_eq!(medium["properties"]["problem.severity"], "warning");

    let low = rule(&log, "config/undocumented-env");
    assert_eq!(low["defaultConfiguration"]["level"], "note");
    assert_eq!(low["properties"]["security-severity"], "3.0");
    assert_eq!(low["properties"]["problem.severity"], "recommendation");

    let security = rule(&log, "security/webhook-unverified");
    assert_eq!(
        security["properties"]["tags"],
        serde_json::json!(["security"])
    );
}

#[test]
fn a_rule_listed_twice_is_described_once_and_unlisted_rules_are_added() {
    let mut r = typical_report();
    r.rules.push(rule_ref(&START));
    // The report does not list the rule of the project-wide finding.
    r.rules.retain(|rule| rule.id != NO_TESTS.id);
    let log = sarif(&r);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), ALL_RULES.len());
    let no_tests = rule(&log, "testing/no-tests");
    assert_eq!(no_tests["shortDescription"]["text"], NO_TESTS.summary);
    assert_eq!(no_tests["defaultConfiguration"]["level"], "error");
}

#[test]
fn result_has_level_message_with_fix_location_and_fingerprint() {
    let log = sarif(&typical_report());
    assert_eq!(results(&log).len(), 5);
    let start = result(&log, "bot/start-handler-missing");
    assert_eq!(start["level"], "error");
    let message = start["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with("The running telegraf bot registers no /start handler"),
        "{message}"
    );
    assert!(
        message.contains("\n- searched 11 reachable source files"),
        "{message}"
    );
    assert!(
        message.ends_with("Fix: Fix for bot/start-handler-missing."),
        "{message}"
    );
    assert_eq!(uri(start), "src/bot.js");
    assert_eq!(
        start["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    assert_eq!(
        region(start),
        &serde_json::json!({"startLine": 18, "startColumn": 15, "endLine": 18, "endColumn": 50})
    );
    assert_eq!(
        start["partialFingerprints"]["flightcheck/v1"],
        "v1:bot/start-handler-missing:src/bot.js:18"
    );
    assert!(
        start.get("baselineState").is_none(),
        "no baseline, no state"
    );
    let properties = &start["properties"];
    assert_eq!(properties["severity"], "blocker");
    assert_eq!(properties["category"], "availability");
    assert_eq!(properties["fix_kind"], "code");
    assert_eq!(properties["effort_minutes"], 15);
    assert_eq!(properties["project"], ".");

    let low = result(&log, "config/undocumented-env");
    assert_eq!(low["level"], "note");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
}

#[test]
fn evidence_with_a_place_becomes_related_locations() {
    let log = sarif(&typical_report());
    let start = result(&log, "bot/start-handler-missing");
    let related = start["relatedLocations"]
        .as_array()
        .expect("related locations");
    // The evidence at the result's own line is the primary location, not a related one;
    // the searched note has no place.
    assert_eq!(related.len(), 1, "{related:?}");
    let engine = &related[0];
    assert_eq!(engine["id"], 1);
    assert_eq!(
        engine["physicalLocation"]["artifactLocation"]["uri"],
        "src/legacy/engine.js"
    );
    assert_eq!(engine["physicalLocation"]["region"]["startLine"], 12);
    assert_eq!(
        engine["physicalLocation"]["region"]["snippet"]["text"],
        "this.bot.start((ctx) => ctx.reply('Welcome!'));"
    );
    assert_eq!(
        engine["message"]["text"],
        "a /start handler exists here, but it does not run"
    );
    // A finding without evidence has no related locations at all.
    assert!(
        result(&log, "config/empty-secret")
            .get("relatedLocations")
            .is_none()
    );
}

#[test]
fn project_wide_finding_points_at_line_one_of_the_manifest() {
    let log = sarif(&typical_report());
    let no_tests = result(&log, "testing/no-tests");
    assert_eq!(uri(no_tests), "package.json");
    assert_eq!(region(no_tests)["startLine"], 1);
    assert_eq!(no_tests["properties"]["project_wide"], true);
    assert!(
        no_tests["message"]["text"]
            .as_str()
            .unwrap()
            .contains("(project-wide finding)")
    );

    // A nested project: its manifest path is already relative to the root.
    let nested = project(
        "apps/bot",
        "bot",
        &["apps/bot/pyproject.toml"],
        vec![finding(&NO_TESTS, None, Span::default(), "no tests")],
        &all_categories(),
    );
    // No manifest at all: README.md in the project directory.
    let bare = project(
        "scripts",
        "scripts",
        &[],
        vec![finding(&NO_TESTS, None, Span::default(), "no tests")],
        &all_categories(),
    );
    let log = sarif(&report(vec![nested, bare], &ALL_RULES));
    let uris: Vec<&str> = results(&log).iter().map(uri).collect();
    assert_eq!(uris, ["apps/bot/pyproject.toml", "scripts/README.md"]);
}

#[test]
fn suppressed_findings_are_not_results() {
    let mut r = typical_report();
    r.projects[0].suppressed.push(suppressed(
        &NO_ERROR_HANDLER,
        "src/bot.js",
        30,
        "handled by the framework",
    ));
    let log = sarif(&r);
    assert_eq!(results(&log).len(), 5);
    assert!(
        results(&log)
            .iter()
            .all(|r| r["ruleId"] != "bot/no-error-handler")
    );
    // The rule is still listed, and the roll-up says one finding was suppressed.
    rule(&log, "bot/no-error-handler");
    assert_eq!(log["runs"][0]["properties"]["projects"][0]["suppressed"], 1);
}

#[test]
fn monorepo_results_come_from_every_project_with_a_roll_up() {
    let api = project(
        "services/api",
        "api",
        &["services/api/package.json"],
        vec![finding(
            &WEBHOOK_UNVERIFIED,
            Some("services/api/src/webhook.js"),
            span(4, 1, 9, 2),
            "unsigned webhook",
        )],
        &all_categories(),
    );
    let bot = project(
        "services/bot",
        "bot",
        &["services/bot/requirements.txt"],
        vec![
            finding(
                &NO_ERROR_HANDLER,
                Some("services/bot/main.py"),
                span(3, 1, 3, 20),
                "no handler",
            ),
            finding(&NO_TESTS, None, Span::default(), "no tests"),
        ],
        &[Category::Observability, Category::Testing],
    );
    let log = sarif(&report(vec![api, bot], &ALL_RULES));
    let got: Vec<(&str, &str, &str)> = results(&log)
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                uri(r),
                r["properties"]["project"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "security/webhook-unverified",
                "services/api/src/webhook.js",
                "services/api"
            ),
            (
                "bot/no-error-handler",
                "services/bot/main.py",
                "services/bot"
            ),
            (
                "testing/no-tests",
                "services/bot/requirements.txt",
                "services/bot"
            ),
        ]
    );
    let properties = &log["runs"][0]["properties"];
    assert_eq!(properties["verdict"], "RED");
    let projects = properties["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(projects[0]["path"], "services/api");
    assert_eq!(projects[0]["verdict"], "RED");
    assert_eq!(projects[1]["path"], "services/bot");
    assert_eq!(projects[1]["verdict"], "YELLOW");
    assert!(projects[1]["score"].as_u64().unwrap() < 100);
    assert_eq!(projects[1]["counts"]["high"], 1);
}

#[test]
fn baseline_states_become_sarif_baseline_state() {
    let r = with_baseline(
        typical_report(),
        &[
            Some(BaselineState::Unchanged),
            Some(BaselineState::New),
            None,
        ],
    );
    let log = sarif(&r);
    let states: Vec<Option<&str>> = results(&log)
        .iter()
        .map(|r| r.get("baselineState").map(|s| s.as_str().unwrap()))
        .collect();
    assert_eq!(states, [Some("unchanged"), Some("new"), None, None, None]);
    let baseline = &log["runs"][0]["properties"]["baseline"];
    assert_eq!(baseline["file"], "flightcheck-baseline.json");
    assert_eq!(baseline["new"], 1);
    assert_eq!(baseline["unchanged"], 1);
}

#[test]
fn zero_lines_and_columns_are_clamped_to_one() {
    let zero =
        finding(&START, Some("src/bot.js"), Span::default(), "no position").evidence(Evidence {
            file: Some("src/other.js".into()),
            line: Some(0),
            snippet: None,
            note: String::new(),
        });
    let column_zero = finding(&EMPTY_SECRET, Some(".env"), span(3, 0, 3, 0), "column 0");
    let backwards = finding(
        &UNDOCUMENTED_ENV,
        Some("a.js"),
        span(9, 8, 2, 3),
        "end before start",
    );
    let p = project(
        ".",
        "bot",
        &["package.json"],
        vec![zero, column_zero, backwards],
        &all_categories(),
    );
    let log = sarif(&report(vec![p], &ALL_RULES));
    let regions: Vec<&Value> = results(&log).iter().map(region).collect();
    assert_eq!(
        regions,
        [
            &serde_json::json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}),
            &serde_json::json!({"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1}),
            &serde_json::json!({"startLine": 9, "startColumn": 8, "endLine": 9, "endColumn": 8}),
        ]
    );
    let related = &results(&log)[0]["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
    assert!(
        related.get("message").is_none(),
        "an empty note is no message"
    );
}

#[test]
fn paths_that_are_not_plain_uris_are_encoded() {
    let f = finding(
        &START,
        Some("./src/my bot/100% [v2]#1.js"),
        span(1, 1, 1, 2),
        "odd path",
    );
    let p = project(".", "bot", &["package.json"], vec![f], &all_categories());
    let log = sarif(&report(vec![p], &ALL_RULES));
    assert_eq!(
        uri(&results(&log)[0]),
        "src/my%20bot/100%25%20%5Bv2%5D%231.js"
    );
}

#[test]
fn notes_are_tool_execution_notifications() {
    let mut r = typical_report();
    r.notes
        .push(Note::at("src/big.min.js", 1, "skipped a minified bundle"));
    r.notes.push(Note::general("no source files"));
    let log = sarif(&r);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["message"]["text"], "skipped a minified bundle");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/big.min.js"
    );
    assert!(notes[1].get("locations").is_none());
}

#[test]
fn the_schema_check_rejects_what_github_would() {
    // The validator must be able to fail: a region with line 0 breaks the schema.
    let mut log = sarif(&typical_report());
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let broken = serde_json::to_string(&log).unwrap();
    let outcome = std::panic::catch_unwind(|| assert_valid_sarif(&broken));
    assert!(outcome.is_err(), "startLine 0 must be rejected");

    let mut log = sarif(&typical_report());
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("src/my bot.js");
    let broken = serde_json::to_string(&log).unwrap();
    let outcome = std::panic::catch_unwind(|| assert_valid_sarif(&broken));
    assert!(outcome.is_err(), "a space in a URI must be rejected");
}
