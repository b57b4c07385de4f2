//! Hand-built reports for the renderer tests: what the pipeline fills today and the fields
//! other work fills (suppressed findings, baseline states, rule docs).

#![allow(dead_code)]

pub mod sarif_check;

use flightcheck_core::{
    BaselineState, BaselineStatus, Category, Counts, Evidence, Finding, FixKind, ProjectReport,
    RuleMeta, RuleRef, ScanReport, Severity, Span, SuppressedFinding, ToolInfo, Verdict,
    WhenUnreachable, score,
};
use std::collections::BTreeMap;

pub static START: RuleMeta = RuleMeta {
    id: "bot/start-handler-missing",
    severity: Severity::Blocker,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "A Telegram bot whose running code registers no /start handler",
    docs: "## What it does\nCollects the command handlers\nthat running code registers.\n\n## Why it breaks production\nNew users get no answer.\n\n## Fix\nRegister `/start`.",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
};

pub static EMPTY_SECRET: RuleMeta = RuleMeta {
    id: "config/empty-secret",
    severity: Severity::Blocker,
    category: Category::Config,
    fix_kind: FixKind::Config,
    summary: "A secret the service reads is empty in the production env",
    docs: "## What it does\nReads production env files.",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
};

pub static NO_TESTS: RuleMeta = RuleMeta {
    id: "testing/no-tests",
    severity: Severity::High,
    category: Category::Testing,
    fix_kind: FixKind::Code,
    summary: "A project with no tests",
    docs: "",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
};

pub static NO_ERROR_HANDLER: RuleMeta = RuleMeta {
    id: "bot/no-error-handler",
    severity: Severity::Medium,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "A bot with no bot-level error handler",
    docs: "## What it does\nLooks for `bot.catch`.",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
};

pub static WEBHOOK_UNVERIFIED: RuleMeta = RuleMeta {
    id: "security/webhook-unverified",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A webhook that accepts unsigned requests",
    docs: "## What it does\nChecks webhook signature verification.",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
};

pub static UNDOCUMENTED_ENV: RuleMeta = RuleMeta {
    id: "config/undocumented-env",
    severity: Severity::Low,
    category: Category::Config,
    fix_kind: FixKind::Config,
    summary: "An env var running code reads that .env.example does not list",
    docs: "## What it does\nCompares env reads with `.env.example`.",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 2,
};

pub const ALL_RULES: [&RuleMeta; 6] = [
    &START,
    &EMPTY_SECRET,
    &NO_TESTS,
    &NO_ERROR_HANDLER,
    &WEBHOOK_UNVERIFIED,
    &UNDOCUMENTED_ENV,
];

pub fn rule_ref(meta: &'static RuleMeta) -> RuleRef {
    RuleRef {
        id: meta.id,
        severity: meta.severity,
        category: meta.category,
        fix_kind: meta.fix_kind,
        summary: meta.summary,
        effort_minutes: meta.effort_minutes,
        docs: meta.docs,
    }
}

pub fn span(line: u32, column: u32, end_line: u32, end_column: u32) -> Span {
    Span {
        line,
        column,
        end_line,
        end_column,
    }
}

/// A finding of `meta` in `file` (`None`: project-wide), with a fingerprint and a fix.
pub fn finding(meta: &'static RuleMeta, file: Option<&str>, span: Span, message: &str) -> Finding {
    let mut f = Finding::new(meta, message).fix(format!("Fix for {}.", meta.id));
    if let Some(file) = file {
        f = f.at(file, span);
    }
    f.fingerprint = format!("v1:{}:{}:{}", meta.id, file.unwrap_or("-"), span.line);
    f
}

pub fn suppressed(
    meta: &'static RuleMeta,
    file: &str,
    line: u32,
    reason: &str,
) -> SuppressedFinding {
    SuppressedFinding {
        rule: meta.id,
        severity: meta.severity,
        file: Some(file.to_string()),
        line,
        message: format!("suppressed {} finding", meta.id),
        fingerprint: format!("v1:suppressed:{}", meta.id),
        suppressed_by: format!("{file}:{}", line.saturating_sub(1).max(1)),
        reason: reason.to_string(),
    }
}

/// A project with these findings, scored like the pipeline does; `applicable` are the
/// categories a rule of which ran on it.
pub fn project(
    path: &str,
    name: &str,
    manifests: &[&str],
    findings: Vec<Finding>,
    applicable: &[Category],
) -> ProjectReport {
    let card = score(&findings, applicable, &BTreeMap::new());
    ProjectReport {
        path: path.to_string(),
        name: name.to_string(),
        manifests: manifests.iter().map(|m| m.to_string()).collect(),
        languages: Vec::new(),
        frameworks: Vec::new(),
        package_manager: None,
        python_runtime: None,
        entry_points: Vec::new(),
        warnings: Vec::new(),
        env_files: Vec::new(),
        deploy_files: Vec::new(),
        files: Default::default(),
        unreachable: Vec::new(),
        verdict: card.verdict,
        counts: Counts::of(&findings),
        score: card,
        findings,
        suppressed: Vec::new(),
        silenced_by_role: Vec::new(),
        claims: Vec::new(),
    }
}

/// Every category: a project on which all rules ran.
pub fn all_categories() -> Vec<Category> {
    Category::ALL.to_vec()
}

pub fn report(projects: Vec<ProjectReport>, rules: &[&'static RuleMeta]) -> ScanReport {
    let mut counts = Counts::default();
    for p in &projects {
        counts.add(&p.counts);
    }
    let verdict = projects
        .iter()
        .map(|p| p.verdict)
        .max()
        .unwrap_or(Verdict::Green);
    let score = projects.iter().map(|p| p.score.score).min().unwrap_or(100);
    ScanReport {
        schema_version: 1,
        tool: ToolInfo {
            name: "flightcheck",
            version: "0.1.0",
        },
        root: ".".to_string(),
        verdict,
        score,
        counts,
        projects,
        rules: rules.iter().map(|m| rule_ref(m)).collect(),
        notes: Vec::new(),
        timings: Vec::new(),
        rule_timings: Vec::new(),
        baseline: None,
    }
}

/// One project `.` (manifest `package.json`) with a finding per kind worth rendering.
pub fn typical_report() -> ScanReport {
    let start = finding(
        &START,
        Some("src/bot.js"),
        span(18, 15, 18, 50),
        "The running telegraf bot registers no /start handler",
    )
    .evidence(Evidence::at(
        "src/bot.js",
        18,
        "const bot = new Telegraf(process.env.BOT_TOKEN);",
        "the bot that runs",
    ))
    .evidence(Evidence::searched(
        "searched 11 reachable source files for a /start handler",
    ))
    .evidence(Evidence::at(
        "src/legacy/engine.js",
        12,
        "this.bot.start((ctx) => ctx.reply('Welcome!'));",
        "a /start handler exists here, but it does not run",
    ));
    let secret = finding(
        &EMPTY_SECRET,
        Some(".env.production"),
        span(2, 1, 2, 1),
        "`BOT_TOKEN` is empty in `.env.production`",
    );
    let no_tests = finding(&NO_TESTS, None, Span::default(), "`bot` has no test files");
    let webhook = finding(
        &WEBHOOK_UNVERIFIED,
        Some("src/webhook.js"),
        span(18, 3, 62, 5),
        "POST /webhook verifies the sender only when a secret is set",
    );
    let env = finding(
        &UNDOCUMENTED_ENV,
        Some("src/webhook.js"),
        span(52, 13, 52, 38),
        "`ADMIN_CHAT_ID` is read but missing from .env.example",
    );
    let p = project(
        ".",
        "booking-bot",
        &["package.json"],
        vec![secret, no_tests, start, webhook, env],
        &all_categories(),
    );
    report(vec![p], &ALL_RULES)
}

pub fn with_baseline(mut report: ScanReport, states: &[Option<BaselineState>]) -> ScanReport {
    let findings = &mut report.projects[0].findings;
    for (f, state) in findings.iter_mut().zip(states) {
        f.baseline_state = *state;
    }
    let new = states
        .iter()
        .filter(|s| **s == Some(BaselineState::New))
        .count() as u32;
    let unchanged = states
        .iter()
        .filter(|s| **s == Some(BaselineState::Unchanged))
        .count() as u32;
    report.baseline = Some(BaselineStatus {
        file: "flightcheck-baseline.json".to_string(),
        unchanged,
        new,
        stale: Vec::new(),
    });
    report
}
