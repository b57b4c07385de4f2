//! GitHub Actions annotations on hand-built reports.

mod common;

use common::*;
use flightcheck_core::{BaselineState, ScanReport, Span};
use flightcheck_report::{Format, RenderOptions, render};

fn github(report: &ScanReport) -> Vec<String> {
    let text = render(Format::Github, report, RenderOptions::default());
    assert!(text.ends_with('\n'));
    text.lines().map(str::to_string).collect()
}

#[test]
fn one_annotation_per_finding_in_triage_order_then_the_summary() {
    let lines = github(&typical_report());
    assert_eq!(
        lines,
        [
            // Triage order: the forged-payment webhook (money) first, then the crash, then
            // the config edit. Several lines: GitHub takes no columns.
            "::error file=src/webhook.js,line=18,endLine=62,title=security/webhook-unverified::[blocker] POST /webhook verifies the sender only when a secret is set%0AFix: Fix for security/webhook-unverified.",
            "::error file=src/bot.js,line=18,col=15,endLine=18,endColumn=50,title=bot/start-handler-missing::[blocker] The running telegraf bot registers no /start handler%0AFix: Fix for bot/start-handler-missing.",
            "::error file=.env.production,line=2,col=1,endLine=2,endColumn=1,title=config/empty-secret::[blocker] `BOT_TOKEN` is empty in `.env.production`%0AFix: Fix for config/empty-secret.",
            // Project-wide: line 1 of the manifest.
            "::error file=package.json,line=1,col=1,endLine=1,endColumn=1,title=testing/no-tests::[high] `bot` has no test files (project-wide finding)%0AFix: Fix for testing/no-tests.",
            "::notice file=src/webhook.js,line=52,col=13,endLine=52,endColumn=38,title=config/undocumented-env::[low] `ADMIN_CHAT_ID` is read but missing from .env.example%0AFix: Fix for config/undocumented-env.",
            "::notice::flightcheck: RED NOT PRODUCTION READY · score 84/100 · 3 blocker, 1 high, 0 medium, 1 low",
        ]
    );
}

#[test]
fn medium_is_a_warning_and_unchanged_baseline_findings_are_notices() {
    let medium = finding(
        &NO_ERROR_HANDLER,
        Some("bot.py"),
        Span::line(7),
        "no error handler",
    );
    let p = project(
        ".",
        "bot",
        &["requirements.txt"],
        vec![medium],
        &all_categories(),
    );
    let lines = github(&report(vec![p], &ALL_RULES));
    assert!(
        lines[0].starts_with("::warning file=bot.py,line=7,"),
        "{}",
        lines[0]
    );

    let r = with_baseline(
        typical_report(),
        &[Some(BaselineState::Unchanged), Some(BaselineState::New)],
    );
    let lines = github(&r);
    let secret = lines
        .iter()
        .find(|l| l.contains("title=config/empty-secret"))
        .expect("annotated");
    assert!(
        secret.starts_with("::notice file=.env.production,")
            && secret.contains("::[blocker, in baseline: does not fail the gate] `BOT_TOKEN`"),
        "{secret}"
    );
    let summary = lines.last().unwrap();
    assert!(
        summary.ends_with("· baseline flightcheck-baseline.json: 1 new, 1 unchanged, 0 fixed"),
        "{summary}"
    );
}

#[test]
fn messages_and_properties_cannot_break_out_of_the_command() {
    let mut f = finding(
        &START,
        Some("src/a,b:c%.js"),
        Span::line(3),
        "100% broken:\nline two\r\n::error::injected",
    );
    f.fix = String::new();
    let p = project(".", "bot", &["package.json"], vec![f], &all_categories());
    let lines = github(&report(vec![p], &ALL_RULES));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        "::error file=src/a%2Cb%3Ac%25.js,line=3,col=1,endLine=3,endColumn=1,title=bot/start-handler-missing::[blocker] 100%25 broken:%0Aline two\\u{d}%0A::error::injected"
    );
}

#[test]
fn summary_counts_suppressed_findings() {
    let mut r = typical_report();
    r.projects[0]
        .suppressed
        .push(suppressed(&NO_ERROR_HANDLER, "src/bot.js", 30, ""));
    let lines = github(&r);
    assert!(
        lines.last().unwrap().ends_with("· 1 suppressed"),
        "{lines:?}"
    );
}

#[test]
fn what_lowers_confidence_comes_first_as_warnings() {
    let mut r = typical_report();
    r.projects[0]
        .warnings
        .push("reachability fell back: every file counts as running".into());
    r.notes.push(
        flightcheck_core::Note::file("src/rates.js", "skipped: binary content")
            .lowering_confidence(),
    );
    r.notes
        .push(flightcheck_core::Note::general("an ordinary note"));
    let lines = github(&r);
    assert_eq!(
        lines[..2],
        [
            "::warning title=flightcheck confidence::reachability fell back: every file counts as running",
            "::warning title=flightcheck confidence::src/rates.js: skipped: binary content: its code was not reviewed",
        ]
    );
    assert!(!lines.iter().any(|l| l.contains("an ordinary note")));
}
