//! `docs/readiness-claim-contradicted`: the docs claim production readiness while the scan
//! finds blockers. Judges the other rules' findings, so it runs after them (`Rule::after`).

use crate::context::ProjectContext;
use crate::registry::{Measured, Rule};
use flightcheck_core::redact::redact_line;
use flightcheck_core::{
    Category, Counts, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::workspace::{in_example_dir, in_fixture_dir, is_test_file};

pub static META: RuleMeta = RuleMeta {
    id: "docs/readiness-claim-contradicted",
    severity: Severity::Medium,
    category: Category::Docs,
    fix_kind: FixKind::Code,
    summary: "The docs claim production readiness while this scan finds blockers",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
Reads the readiness claims in the project's Markdown and reST docs (README, `docs/`; not
changelogs, policy files or tool folders such as `.github/`): "production ready",
"production-grade", "battle-tested", "100% test coverage", "all tests passing", and scores
such as "Readiness: 95/100". Negated claims and goals ("not production ready yet", "we aim
to be production ready") and claims inside code blocks are not claims.

It runs after every other rule of the project, once `flightcheck.toml` and inline
suppressions were applied, and reports each claim when the scan found at least one
`blocker` in the product, with the claim's file and line, its text, and the measured
verdict, score and blocker count beside it (the blockers are listed in the evidence).
Blockers in examples, docs, tests and fixtures do not count: a library's README that calls
its API production-ready is not contradicted by an example bot without `/start`.

Only the rules that ran count: with `--select`/`--ignore` or a `select` in
`flightcheck.toml`, the claim is compared with that subset. A claim next to a `YELLOW`
verdict (high findings, no blocker) is qualified, not contradicted: the rule stays silent,
and the report's *Claims vs evidence* section still shows every claim beside the verdict.

## Why it breaks production
A README that says "production ready, 95/100" is what a team lead, a customer or the next
maintainer believes before deploying. When the same repository holds a reachable syntax
error, a committed token or an unverified payment webhook, the claim sends it to
production with the blocker in it; the claim, not the code, is what gets reviewed.

## Flagged
```markdown
<!-- README.md -->
Production-ready Telegram bot for salon bookings. Readiness score: 95/100.
```
while the scan finds a blocker, e.g. `src/index.js` does not parse
(`integrity/parse-error`) or `.env.production` leaves `BOT_TOKEN` empty.

## Not flagged
The same README when the scan finds no blocker; "This bot is not production ready yet";
"Goal: production-ready by v1.0"; a claim inside a fenced code block or in `CHANGELOG.md`;
a blocker the team suppressed with a reason (`# flightcheck-ignore config/empty-secret --
set by the platform`).

## Fix
Fix the blockers the evidence lists, or until then replace the claim with what was measured
(or a link to the flightcheck report). A claim the team accepts for a reason can be
suppressed on the line before it: `<!-- flightcheck-ignore docs/readiness-claim-contradicted
-- reason -->`.
"#,
};

pub static RULE: Rule = Rule::after(&META, applies, judge);

fn applies(ctx: &ProjectContext) -> bool {
    !ctx.claims.is_empty()
}

/// Blockers listed in the evidence of each finding.
const LISTED_BLOCKERS: usize = 5;

/// A blocker in the product: not in examples, docs, tests or fixtures, which show how to use
/// the project rather than what it ships.
fn in_product(f: &Finding) -> bool {
    f.file
        .as_deref()
        .is_none_or(|file| !(in_example_dir(file) || is_test_file(file) || in_fixture_dir(file)))
}

fn judge(ctx: &ProjectContext, measured: &Measured) -> Vec<Finding> {
    let counts = Counts::of(measured.findings);
    let product_blockers = measured
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker && in_product(f))
        .count();
    if product_blockers == 0 {
        return Vec::new();
    }
    let mut out: Vec<Finding> = ctx
        .claims
        .iter()
        .map(|claim| {
            Finding::new(&META, String::new())
                .at(&claim.file, Span::line(claim.line))
                .key(&claim.text)
        })
        .collect();
    // The score the report will show, this rule's own findings included.
    let card = measured.score_with(&out);
    let plural = |n: u32, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let blockers = plural(product_blockers as u32, "blocker");
    let others = measured.ran.len().saturating_sub(1) as u32;
    let summary = format!(
        "measured by {}: {}, {} high, {} medium, {} low; verdict {} ({}), score {}/100",
        plural(others, "other rule"),
        plural(counts.blocker, "blocker"),
        counts.high,
        counts.medium,
        counts.low,
        card.verdict.as_str(),
        card.verdict.headline(),
        card.score,
    );
    let blocker_evidence: Vec<Evidence> = measured
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker && in_product(f))
        .take(LISTED_BLOCKERS)
        .map(|f| Evidence {
            file: f.file.clone(),
            line: f.file.as_ref().map(|_| f.span.line),
            snippet: None,
            note: format!("blocker `{}`: {}", f.rule, f.message),
        })
        .collect();
    for (finding, claim) in out.iter_mut().zip(&ctx.claims) {
        let text = redact_line(&claim.text);
        finding.message = format!(
            "`{}:{}` claims \"{text}\", but this scan finds {blockers} in `{}` (verdict {}, score {}/100)",
            claim.file,
            claim.line,
            ctx.project.name,
            card.verdict.as_str(),
            card.score
        );
        finding.evidence.push(Evidence::at(
            &claim.file,
            claim.line,
            text.clone(),
            "the readiness claim",
        ));
        finding.evidence.push(Evidence::searched(summary.clone()));
        finding.evidence.extend(blocker_evidence.iter().cloned());
        if product_blockers > LISTED_BLOCKERS {
            finding.evidence.push(Evidence::searched(format!(
                "and {} more blockers in the report",
                product_blockers - LISTED_BLOCKERS
            )));
        }
        finding.impact = "Readers trust the claim and deploy the project with its blockers; the review that should stop them reads the README, not the code.".into();
        finding.fix = format!(
            "Fix the {blockers} listed in the evidence, or replace the claim with the measured verdict until then."
        );
        finding.verify = "Run `flightcheck scan` without --select: no blocker remains, or the claim is gone from the docs.".into();
    }
    out
}
