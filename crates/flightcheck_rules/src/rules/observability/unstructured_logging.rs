//! `observability/unstructured-logging`: a service whose only logging is `console.*` or
//! `print`.

use crate::context::ProjectContext;
use crate::ops::{find_import, running_files, searched, service};
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Framework, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "observability/unstructured-logging",
    severity: Severity::Low,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "A service logs only with console.log / print",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
    docs: r#"## What it does
For a project whose running code serves HTTP or runs a chat bot, counts the `console.*`
calls (Node) or `print(...)` calls (Python) in the code entry points reach, and reports
when there are at least three and running code uses no logging library: pino, winston,
bunyan, log4js, consola, signale, tslog, loglevel, roarr (Node; fastify and NestJS bring
their own logger); Python's `logging` module, structlog, loguru, logbook. Python's
`logging` counts as structured enough: it has levels, logger names and formatters.

## Why it breaks production
`console.log` and `print` have no level, no timestamp, no request or user id and no
machine-readable form: in production nobody can filter errors from chatter, correlate a
failure with a user, or alert on error rates. `print` output of a Python service is also
block-buffered under Docker, so the last lines before a crash are lost.

## Flagged
```python
@dp.message(Command("pay"))
async def pay(message):
    print("payment started", message.from_user.id)
    ...
    print("payment failed")
```

## Not flagged
```python
logger = logging.getLogger(__name__)
logger.info("payment started", extra={"user": message.from_user.id})
```

## Fix
Use a logger with levels and structured fields (pino, winston; `logging` with a JSON
formatter, structlog, loguru) and log errors with their stack traces.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn is_logging_package(p: &str) -> bool {
    p.starts_with("@logtape/")
        || p.starts_with("pino")
        || p.starts_with("winston")
        || p.starts_with("@nestjs/")
        || matches!(
            p,
            "bunyan"
                | "log4js"
                | "consola"
                | "signale"
                | "tslog"
                | "loglevel"
                | "roarr"
                | "npmlog"
                | "debug"
                | "morgan"
                | "logging"
                | "structlog"
                | "loguru"
                | "logbook"
                | "logzero"
                | "fastify"
        )
}

/// Fewer calls than this are debugging leftovers, not the program's logging.
const MIN_CALLS: usize = 3;

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let files = running_files(ctx);
    let Some(service) = service(ctx, &files) else {
        return Vec::new();
    };
    if service
        .http
        .iter()
        .any(|f| matches!(f, Framework::Fastify | Framework::NestJs))
        || find_import(ctx, &files, is_logging_package).is_some()
    {
        return Vec::new();
    }
    let mut with_calls: Vec<(usize, &[u32])> = files
        .iter()
        .filter_map(|i| {
            let lines = ctx.facts(*i)?.observability.console_lines.as_slice();
            (!lines.is_empty()).then_some((*i, lines))
        })
        .collect();
    let total: usize = with_calls.iter().map(|(_, l)| l.len()).sum();
    if total < MIN_CALLS {
        return Vec::new();
    }
    with_calls.sort_by_key(|(i, l)| (std::cmp::Reverse(l.len()), *i));
    let python = with_calls
        .iter()
        .any(|(i, _)| ctx.language(*i) == Some(flightcheck_core::Language::Python));
    let call = if python { "print" } else { "console.*" };
    let (first_file, first_lines) = with_calls[0];
    let mut finding = Finding::new(
        &META,
        format!(
            "`{}` ({}) logs only with {call}: {total} call{} in {} file{}, no logging library",
            ctx.project.name,
            service.names(),
            if total == 1 { "" } else { "s" },
            with_calls.len(),
            if with_calls.len() == 1 { "" } else { "s" }
        ),
    )
    .at(
        ctx.rel(first_file),
        flightcheck_core::Span::line(first_lines[0]),
    )
    .key(&ctx.project.root);
    for (file, lines) in with_calls.iter().take(5) {
        finding = finding.evidence(Evidence::at(
            ctx.rel(*file),
            lines[0],
            ctx.snippet(*file, lines[0]),
            format!(
                "{} {call} call{} in this file",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    vec![
        finding
            .evidence(searched(
                &files,
                "pino, winston, bunyan, log4js, consola, signale, tslog, loglevel, logging, structlog, loguru",
            ))
            .impact("No levels, timestamps or request/user ids: errors cannot be filtered, correlated or alerted on.")
            .fix("Log through a leveled, structured logger (pino/winston, logging with a JSON formatter, structlog/loguru).")
            .verify("Check one production log line carries a level, a timestamp and the request or user id."),
    ]
}
