//! `observability/no-error-tracking`: a service or bot with no error tracking at all.

use crate::context::ProjectContext;
use crate::ops::{find_import, preloaded, project_finding, running_files, searched, service};
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "observability/no-error-tracking",
    severity: Severity::Low,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "A long-running service or bot reports its errors nowhere",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
For a project whose running code serves HTTP or runs a chat bot, searches the code that
entry points reach for an error-tracking SDK: Sentry (`@sentry/*`, `sentry_sdk`, raven),
Rollbar, Bugsnag, Honeybadger, Airbrake, Raygun, or an APM agent that records errors
(dd-trace / ddtrace, newrelic, Elastic APM), imported or preloaded by a start script or
the deploy files. One finding per project.

## Why it breaks production
Errors end up in a log nobody reads, or in no log at all. Nobody is alerted when a payment
handler starts throwing after a deploy; the first report comes from a user, days later,
without a stack trace.

## Flagged
```python
dp = Dispatcher()
dp.include_router(router)   # no sentry_sdk, rollbar, bugsnag...
await dp.start_polling(bot)
```

## Not flagged
```python
import sentry_sdk
sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])
```

## Fix
Add an error tracker (Sentry, Rollbar, Bugsnag…), initialise it at startup with a DSN from
the environment, and make the framework's error handler report to it.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Packages (npm names or Python top-level modules) of error trackers and APM agents that
/// record errors.
pub fn is_tracking_package(p: &str) -> bool {
    p.starts_with("@sentry/")
        || p.starts_with("@bugsnag/")
        || p.starts_with("@honeybadger-io/")
        || p.starts_with("@airbrake/")
        || matches!(
            p,
            "sentry_sdk"
                | "raven"
                | "rollbar"
                | "bugsnag"
                | "honeybadger"
                | "airbrake"
                | "pybrake"
                | "raygun"
                | "raygun4js"
                | "raygun4py"
                | "dd-trace"
                | "ddtrace"
                | "newrelic"
                | "elastic-apm-node"
                | "elasticapm"
                | "@appsignal/nodejs"
                | "appsignal"
        )
}

const TRACKING_PRELOADS: [&str; 7] = [
    "@sentry",
    "sentry_sdk",
    "dd-trace",
    "ddtrace",
    "newrelic",
    "elastic-apm",
    "appsignal",
];

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let files = running_files(ctx);
    let Some(service) = service(ctx, &files) else {
        return Vec::new();
    };
    if find_import(ctx, &files, is_tracking_package).is_some()
        || preloaded(ctx, &TRACKING_PRELOADS).is_some()
    {
        return Vec::new();
    }
    vec![
        project_finding(
            ctx,
            &META,
            format!(
                "`{}` ({}) has no error tracking: no error-tracking SDK is imported by running code",
                ctx.project.name,
                service.names()
            ),
        )
        .evidence(searched(
            &files,
            "Sentry, Rollbar, Bugsnag, Honeybadger, Airbrake, Raygun, dd-trace/ddtrace, newrelic, Elastic APM",
        ))
        .impact("Production errors reach nobody; the first report comes from a user, without a stack trace.")
        .fix("Initialise an error tracker (Sentry, Rollbar, Bugsnag...) at startup and report from the global error handlers.")
        .verify("Trigger a test error in staging and check it arrives in the tracker."),
    ]
}
