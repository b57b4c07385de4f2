//! JUnit XML on hand-built reports; every document must parse as XML.

mod common;

use common::*;
use flightcheck_core::{BaselineState, Category, ScanReport, Span};
use flightcheck_report::{Format, RenderOptions, render};

fn junit(report: &ScanReport) -> String {
    render(Format::Junit, report, RenderOptions::default())
}

/// The parsed document, or a panic naming the parse error and the text.
fn parse(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"))
}

fn suites<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect()
}

fn case<'a, 'i>(suite: roxmltree::Node<'a, 'i>, rule: &str) -> roxmltree::Node<'a, 'i> {
    suite
        .children()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(rule))
        .unwrap_or_else(|| panic!("a test case for {rule}"))
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name(tag))
}

#[test]
fn one_suite_per_project_one_case_per_rule() {
    let xml = junit(&typical_report());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.ends_with('\n'));
    assert!(
        !xml.contains("timestamp") && !xml.contains("time="),
        "no clock in the output"
    );
    let doc = parse(&xml);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("6"));
    // start-handler, empty-secret, no-tests, webhook-unverified, undocumented-env.
    assert_eq!(root.attribute("failures"), Some("5"));
    let suites = suites(&doc);
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(suite.attribute("name"), Some("booking-bot"));
    let names: Vec<&str> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ALL_RULES.map(|m| m.id));
    let passing = case(suite, "bot/no-error-handler");
    assert_eq!(passing.attribute("classname"), Some("booking-bot"));
    assert!(
        passing.children().all(|n| !n.is_element()),
        "a passing case is empty"
    );
}

#[test]
fn failure_lists_findings_with_place_message_and_fix() {
    let xml = junit(&typical_report());
    let doc = parse(&xml);
    let suite = suites(&doc)[0];
    let failure = child(case(suite, "bot/start-handler-missing"), "failure").expect("failure");
    assert_eq!(failure.attribute("type"), Some("blocker"));
    assert_eq!(
        failure.attribute("message"),
        Some("blocker: The running telegraf bot registers no /start handler")
    );
    let text = failure.text().unwrap_or_default();
    assert!(
        text.starts_with(
            "[BLOCKER] src/bot.js:18:15: The running telegraf bot registers no /start handler\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  evidence: src/legacy/engine.js:12: a /start handler exists here"),
        "{text}"
    );
    assert!(
        text.contains("  evidence: searched 11 reachable source files"),
        "{text}"
    );
    assert!(
        text.contains("  fix: Fix for bot/start-handler-missing.\n"),
        "{text}"
    );

    let project_wide = child(case(suite, "testing/no-tests"), "failure").expect("failure");
    assert_eq!(project_wide.attribute("type"), Some("high"));
    assert!(
        project_wide
            .text()
            .unwrap_or_default()
            .starts_with("[HIGH] project-wide: ")
    );
}

#[test]
fn several_findings_of_a_rule_are_one_failure_typed_by_the_worst() {
    let low = finding(&START, Some("src/a.js"), Span::line(3), "first, downgraded")
        .severity(flightcheck_core::Severity::Low);
    let blocker = finding(&START, Some("src/b.js"), Span::line(9), "second, blocker");
    let p = project(
        ".",
        "bot",
        &["package.json"],
        vec![low, blocker],
        &all_categories(),
    );
    let xml = junit(&report(vec![p], &ALL_RULES));
    let doc = parse(&xml);
    let failure = child(case(suites(&doc)[0], START.id), "failure").expect("failure");
    assert_eq!(failure.attribute("type"), Some("blocker"));
    assert_eq!(
        failure.attribute("message"),
        Some("2 findings, worst blocker: second, blocker")
    );
    let text = failure.text().unwrap();
    assert!(
        text.contains("[LOW] src/a.js:3:1: first, downgraded"),
        "{text}"
    );
    assert!(
        text.contains("[BLOCKER] src/b.js:9:1: second, blocker"),
        "{text}"
    );
}

#[test]
fn suppressed_and_baseline_findings_do_not_fail() {
    let mut r = with_baseline(
        typical_report(),
        &[Some(BaselineState::Unchanged), Some(BaselineState::New)],
    );
    r.projects[0].suppressed.push(suppressed(
        &NO_ERROR_HANDLER,
        "src/bot.js",
        30,
        "handled upstream",
    ));
    let xml = junit(&r);
    let doc = parse(&xml);
    let suite = suites(&doc)[0];

    let unchanged = case(suite, "config/empty-secret");
    assert!(
        child(unchanged, "failure").is_none(),
        "unchanged since the baseline: passes"
    );
    let out = child(unchanged, "system-out")
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        out.contains(
            "in baseline, not failing: [BLOCKER] .env.production:2:1: `BOT_TOKEN` is empty"
        ),
        "{out}"
    );
    assert!(
        child(case(suite, "testing/no-tests"), "failure").is_some(),
        "new: fails"
    );

    let silenced = case(suite, "bot/no-error-handler");
    assert!(child(silenced, "failure").is_none());
    let out = child(silenced, "system-out")
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        out.contains("suppressed by src/bot.js:29: [MEDIUM] src/bot.js:30: suppressed bot/no-error-handler finding (handled upstream)"),
        "{out}"
    );
    assert_eq!(doc.root_element().attribute("failures"), Some("4"));
}

#[test]
fn rules_of_categories_that_do_not_apply_are_skipped() {
    // Only availability and config rules apply to this project.
    let p = project(
        "bots/echo",
        "echo",
        &["bots/echo/package.json"],
        Vec::new(),
        &[Category::Availability, Category::Config],
    );
    let xml = junit(&report(vec![p], &ALL_RULES));
    let doc = parse(&xml);
    let suite = suites(&doc)[0];
    assert_eq!(suite.attribute("name"), Some("bots/echo"));
    let skipped = child(case(suite, "security/webhook-unverified"), "skipped").expect("skipped");
    assert_eq!(
        skipped.attribute("message"),
        Some("category security does not apply to this project's stack")
    );
    assert!(child(case(suite, "bot/start-handler-missing"), "skipped").is_none());
    assert_eq!(doc.root_element().attribute("skipped"), Some("3"));
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

#[test]
fn one_suite_per_project_in_a_monorepo() {
    let api = project(
        "services/api",
        "api",
        &["services/api/package.json"],
        vec![finding(
            &WEBHOOK_UNVERIFIED,
            Some("services/api/app.js"),
            Span::line(4),
            "unsigned",
        )],
        &all_categories(),
    );
    let bot = project(
        "services/bot",
        "bot",
        &["services/bot/setup.py"],
        Vec::new(),
        &all_categories(),
    );
    let xml = junit(&report(vec![api, bot], &ALL_RULES));
    let doc = parse(&xml);
    let suites = suites(&doc);
    let names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["services/api", "services/bot"]);
    assert_eq!(suites[0].attribute("failures"), Some("1"));
    assert_eq!(suites[1].attribute("failures"), Some("0"));
    assert_eq!(doc.root_element().attribute("tests"), Some("12"));
    let api_case = case(suites[0], "security/webhook-unverified");
    assert_eq!(api_case.attribute("classname"), Some("services/api"));
}

#[test]
fn markup_and_characters_xml_forbids_survive_as_well_formed_xml() {
    let nasty = "a <b> & \"c\" 'd' \u{0}\u{1b}[31m\u{7}\u{FFFF} ]]> end";
    let mut f = finding(&START, Some("src/<odd>&\"name\".js"), Span::line(2), nasty);
    f.fix = "use `a && b` <carefully>\r\nthen \u{8}retry".to_string();
    let p = project(
        ".",
        "bot & \"friends\" <3",
        &["package.json"],
        vec![f],
        &all_categories(),
    );
    let xml = junit(&report(vec![p], &ALL_RULES));
    let doc = parse(&xml);
    let suite = suites(&doc)[0];
    assert_eq!(suite.attribute("name"), Some("bot & \"friends\" <3"));
    let failure = child(case(suite, START.id), "failure").expect("failure");
    assert_eq!(
        failure.attribute("message"),
        Some("blocker: a <b> & \"c\" 'd' \u{FFFD}\u{FFFD}[31m\u{FFFD}\u{FFFD} ]]> end")
    );
    let text = failure.text().unwrap();
    assert!(text.contains("src/<odd>&\"name\".js:2:1"), "{text}");
    assert!(text.contains("use `a && b` <carefully>"), "{text}");
    assert!(text.contains("then \u{FFFD}retry"), "{text}");
}
