//! `resilience/no-global-handler`: a long-running Node service with no process-wide handler
//! for unhandled rejections and uncaught exceptions.

use super::no_graceful_shutdown::{hooks_near, live_runners, package_near};
use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::resilience::HookKind;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/no-global-handler",
    severity: Severity::High,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "A long-running Node service with no unhandledRejection/uncaughtException handler",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
For a Node program that keeps serving — `app.listen(...)`, telegraf `bot.launch()`,
grammY `bot.start()`, discord.js `client.login()`, node-telegram-bot-api polling — looks in
the files the same entry point reaches for `process.on('unhandledRejection', …)`,
`process.on('uncaughtException', …)` (also `once`/`addListener`/`prependListener`),
`process.setUncaughtExceptionCaptureCallback`, or an SDK that installs such handlers
(`@sentry/node` and the other Sentry Node SDKs, whose default integrations register them).
One finding per program, at what runs it. NestJS, Express, Fastify, telegraf and grammY
install no process-wide handler.

Python is not flagged: aiogram, python-telegram-bot, discord.py, FastAPI/uvicorn, Flask and
Django catch exceptions per update or request and keep running, an exception in the main
coroutine ends the program visibly (non-zero exit, restart policy), and exceptions lost in
background tasks are `resilience/dangling-task`'s subject.

## Why it breaks production
Since Node 15 an unhandled promise rejection ends the process. One forgotten `await`, one
failed API call in a handler without `catch`, and every user of the bot or service is cut
off until something restarts it — and the crash loop repeats on the next bad input.

## Flagged
```js
const bot = new Telegraf(process.env.BOT_TOKEN);
bot.on('text', async (ctx) => { await api.lookup(ctx.message.text); });
bot.launch();
```

## Not flagged
```js
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => { logger.fatal({ err }); process.exit(1); });
bot.launch();
```

## Fix
Register both handlers at startup: log with context and report to error tracking; for
`uncaughtException`, exit after logging (the process state is unknown) and let the process
manager restart it.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

const HANDLER_SDKS: [&str; 5] = [
    "@sentry/node",
    "@sentry/bun",
    "@sentry/nextjs",
    "@sentry/nestjs",
    "@sentry/serverless",
];

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let runners = live_runners(ctx);
    // Every Node program of the project must have one; report the first that lacks it.
    for &(f, r) in runners.iter().filter(|(f, _)| {
        matches!(
            ctx.language(*f),
            Some(Language::JavaScript | Language::TypeScript)
        )
    }) {
        let hooks = hooks_near(ctx, f);
        let handled = hooks.iter().any(|(_, h)| {
            matches!(
                h.kind,
                HookKind::UnhandledRejection | HookKind::UncaughtException
            )
        }) || package_near(ctx, f, &HANDLER_SDKS).is_some();
        if handled {
            continue;
        }
        let n = ctx
            .reachable_sources()
            .filter(|x| ctx.together(*x, f))
            .count();
        let mut finding = Finding::new(
            &META,
            format!(
                "No process.on('unhandledRejection') / ('uncaughtException') handler in the program that runs `{}`",
                r.via
            ),
        )
        .at(ctx.rel(f), r.span)
        .key(format!("{}:{}", ctx.rel(f), r.via))
        .evidence(evidence_at(ctx, f, r.span, format!("{} keeps this process serving", r.library)))
        .evidence(Evidence::searched(format!(
            "searched {n} reachable file{} of this program for process.on('unhandledRejection'|'uncaughtException'), setUncaughtExceptionCaptureCallback and Sentry Node SDKs",
            if n == 1 { "" } else { "s" }
        )));
        if let Some(entry) = ctx.entries.iter().find(|e| ctx.together(e.file, f)) {
            finding = finding.evidence(Evidence::at(
                &entry.decl_file,
                entry.decl_line,
                entry.detail.clone(),
                format!("entry point ({})", entry.source),
            ));
        }
        return vec![
            finding
                .impact("Since Node 15 one unhandled rejection ends the process: every user is cut off until a restart, and the next bad input crashes it again.")
                .fix("At startup add process.on('unhandledRejection') and process.on('uncaughtException') handlers that log with context and report to error tracking (exit after an uncaught exception).")
                .verify("Throw from an async handler in staging: the error is logged and reported, and the service keeps answering."),
        ];
    }
    Vec::new()
}
