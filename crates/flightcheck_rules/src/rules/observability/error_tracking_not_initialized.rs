//! `observability/error-tracking-not-initialized`: errors are reported to an SDK that is
//! never initialised.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::ops::{preloaded, running_files};
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, TrackerCall, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "observability/error-tracking-not-initialized",
    severity: Severity::High,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "Errors are reported to an error tracker that is never initialised",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
Finds running code that reports errors to an error-tracking SDK
(`Sentry.captureException`, `captureMessage`, `setupExpressErrorHandler`,
`sentry_sdk.capture_exception`, `Bugsnag.notify`, `Honeybadger.notify`,
`rollbar.report_exc_info`) when no initialisation of that SDK exists: no `Sentry.init` /
`sentry_sdk.init`, `new Rollbar({...})`, `Bugsnag.start`, `Honeybadger.configure`, Airbrake
`new Notifier`, Raygun `new Client().init`, anywhere in the repository's non-test code
(a Next.js `sentry.*.config.ts` or an `instrument.ts` loaded with `--import` counts even
though nothing imports it), and no preload of the SDK in a start script, `NODE_OPTIONS` or
the deploy files (`node -r @sentry/node/preload`). One finding per SDK and project.

## Why it breaks production
An SDK that was never initialised has no DSN and no client: every
`captureException` is a silent no-op. The team believes errors are tracked while every
report is dropped, so a broken payment flow stays invisible.

## Flagged
```js
const Sentry = require('@sentry/node');
bot.catch((err) => Sentry.captureException(err));   // Sentry.init is never called
```

## Not flagged
```js
const Sentry = require('@sentry/node');
Sentry.init({ dsn: process.env.SENTRY_DSN });
bot.catch((err) => Sentry.captureException(err));
```
`node --require @sentry/node/preload index.js`, and an init in `instrument.mjs` started with
`node --import ./instrument.mjs`.

## Fix
Call the SDK's init at the very start of the program (before the framework is imported),
with the DSN from the environment, and check the DSN is set in production.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let files = running_files(ctx);
    // Reports made by running code, per SDK.
    let mut reports: Vec<(&str, Vec<(usize, &TrackerCall)>)> = Vec::new();
    for &file in &files {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for r in &facts.observability.tracker_reports {
            if !ctx.runs(file, &r.owner) {
                continue;
            }
            match reports.iter_mut().find(|(sdk, _)| *sdk == r.sdk) {
                Some((_, list)) => list.push((file, r)),
                None => reports.push((r.sdk.as_str(), vec![(file, r)])),
            }
        }
    }
    if reports.is_empty() {
        return Vec::new();
    }
    // Inits anywhere in the repository's non-test code: preloaded instrument files and
    // framework config files are not reached through imports.
    let mut inits: Vec<&str> = Vec::new();
    for (i, state) in ctx.files.iter().enumerate() {
        let Some(facts) = state.facts.as_ref() else {
            continue;
        };
        if facts.observability.tracker_inits.is_empty()
            || flightcheck_project::workspace::is_test_file(&ctx.ws.files[i].rel)
        {
            continue;
        }
        inits.extend(
            facts
                .observability
                .tracker_inits
                .iter()
                .map(|c| c.sdk.as_str()),
        );
    }
    let mut out = Vec::new();
    for (sdk, list) in reports {
        if inits.contains(&sdk) {
            continue;
        }
        let preload_words: &[&str] = match sdk {
            "sentry" => &["@sentry", "sentry_sdk", "sentry-sdk"],
            other => &[other][..],
        };
        if preloaded(ctx, preload_words).is_some() {
            continue;
        }
        let (file, first) = list[0];
        let mut finding = Finding::new(
            &META,
            format!(
                "`{}` reports errors to {sdk} but {sdk} is never initialised: every report is dropped",
                first.via
            ),
        )
        .at(ctx.rel(file), first.span)
        .key(format!("{}:{sdk}", ctx.project.root));
        for (f, call) in list.iter().take(3) {
            finding = finding.evidence(evidence_at(ctx, *f, call.span, "report call".into()));
        }
        out.push(
            finding
                .evidence(Evidence::searched(format!(
                    "searched {} of the repository (without tests), the package.json scripts and the deploy files for an init or preload of {sdk}",
                    flightcheck_core::text::count_of(ctx.files.iter().filter(|s| s.facts.is_some()).count(), "source file", "source files")
                )))
                .impact("Every error report is a silent no-op: failures in production reach nobody.")
                .fix("Initialise the SDK at the start of the program with the DSN from the environment.")
                .verify("Trigger a test error in staging and check that it arrives in the tracker."),
        );
    }
    out
}
