//! `resilience/no-graceful-shutdown`: a server or bot loop that nothing stops cleanly on
//! SIGTERM.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::resilience::{HookKind, ProcessHook, ServiceRunner};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/no-graceful-shutdown",
    severity: Severity::Medium,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "A server or bot loop that nothing stops cleanly on SIGTERM",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Finds what keeps the service running — `app.listen(...)`/`server.listen(...)` (Express,
Fastify, Koa, NestJS, `http`), telegraf `bot.launch()`, grammY `bot.start()`,
node-telegram-bot-api polling, discord.js `client.login()`, pyTelegramBotAPI
`bot.polling()`/`infinity_polling()`, discord.py `await bot.start()`, aiogram
`start_polling(handle_signals=False)`, PTB `run_polling(stop_signals=None)` — in code an
entry point runs, and looks in the same program for a SIGTERM handler
(`process.on('SIGTERM')`, `signal.signal(SIGTERM, …)`, `loop.add_signal_handler(SIGTERM, …)`),
a graceful-shutdown library (`@godaddy/terminus`, `http-terminator`, `close-with-grace`,
`stoppable`, `lightship`, `fastify-graceful-shutdown`, `http-graceful-shutdown`,
`async-exit-hook`) or NestJS `app.enableShutdownHooks()`.

A plain asyncio service — code an entry point runs calls `asyncio.run(...)`,
`loop.run_until_complete(...)` or `loop.run_forever()`, no bot, web or job framework drives
the program, and a coroutine of a module it loads loops forever (`while True:` in an
`async def`) — is judged the same way: it needs `loop.add_signal_handler(SIGTERM, …)` or
`signal.signal(SIGTERM, …)`. `asyncio.run` turns SIGINT into a cancellation, not SIGTERM.

Runners that already stop cleanly on SIGTERM/SIGINT are not flagged: aiogram 3
`start_polling`/`start_webhook` (handle_signals=True by default), aiogram 2
`executor.start_polling`, python-telegram-bot `run_polling`/`run_webhook` and v13
`updater.idle()`, discord.py `bot.run()`, and web apps served by uvicorn, gunicorn,
hypercorn or Django's servers (no runner is recorded for them).

## Why it breaks production
Every deploy, scale-in and container restart sends SIGTERM. Node and Python die on it at
once by default: requests in flight are cut off, a bot's update being handled is lost
half-done, database connections are dropped without a commit. With only a SIGINT handler,
SIGTERM (what Docker, Kubernetes and systemd send) still kills the process.

## Flagged
```js
const bot = new Telegraf(process.env.BOT_TOKEN);
bot.launch();                       // SIGTERM kills it mid-update
```
```python
bot = telebot.TeleBot(TOKEN)
bot.infinity_polling()
```
```python
async def worker():
    while True:
        await process(await queue.get())

asyncio.run(worker())               # SIGTERM kills it mid-job
```

## Not flagged
```js
bot.launch();
process.once('SIGTERM', () => bot.stop('SIGTERM'));
```
```python
await dp.start_polling(bot)         # aiogram handles SIGTERM/SIGINT itself
application.run_polling()           # so does python-telegram-bot
```

## Fix
On SIGTERM stop taking new work (`bot.stop()`, `server.close()`), let work in flight
finish, close database and queue connections, then exit.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Packages that install SIGTERM handling for a server.
pub(crate) const SHUTDOWN_PACKAGES: [&str; 10] = [
    "@godaddy/terminus",
    "http-terminator",
    "close-with-grace",
    "stoppable",
    "lightship",
    "fastify-graceful-shutdown",
    "http-graceful-shutdown",
    "@moebius/http-graceful-shutdown",
    "async-exit-hook",
    "exit-hook",
];

/// Files under a test, sample, example or scripts directory (`ecosystem-tests/`,
/// `code-samples/`, `scripts/verify.js`): tooling and one-off scripts, not the service.
pub(crate) fn off_service_path(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("test")
            || c.contains("sample")
            || c.contains("example")
            || c.contains("demo")
            || matches!(c.as_str(), "scripts" | "script" | "bin" | "tools")
    })
}

/// Code served to browsers (`client/`, `public/`, `static/`, `frontend/`): a browser call
/// ends with the page, and the user can retry.
pub(crate) fn browser_path(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "client" | "public" | "static" | "frontend" | "www" | "assets" | "browser" | "web"
        )
    })
}

/// Runners of code that runs, with their file: what keeps a program serving.
pub(crate) fn live_runners<'a>(ctx: &ProjectContext<'a>) -> Vec<(usize, &'a ServiceRunner)> {
    let mut out = Vec::new();
    for file in ctx.reachable_sources() {
        // A `bin/` file the deploy starts (`node ./bin/www`) is the service itself.
        let service = ctx
            .files
            .get(file)
            .is_some_and(|s| s.role == flightcheck_core::Role::Service);
        if ctx.is_sample_code(file) || (off_service_path(ctx.rel(file)) && !service) {
            continue;
        }
        if let Some(f) = ctx.facts(file) {
            out.extend(
                f.resilience
                    .runners
                    .iter()
                    .filter(|r| ctx.runs(file, &r.owner))
                    .map(|r| (file, r)),
            );
        }
    }
    out
}

/// Hooks of code that runs in the same program as `file`.
pub(crate) fn hooks_near<'a>(
    ctx: &ProjectContext<'a>,
    file: usize,
) -> Vec<(usize, &'a ProcessHook)> {
    let mut out = Vec::new();
    for f in ctx.reachable_sources() {
        if !ctx.together(f, file) {
            continue;
        }
        if let Some(facts) = ctx.facts(f) {
            out.extend(
                facts
                    .resilience
                    .hooks
                    .iter()
                    .filter(|h| ctx.runs(f, &h.owner))
                    .map(|h| (f, h)),
            );
        }
    }
    out
}

/// A reachable import of one of `packages` in the program of `file`.
pub(crate) fn package_near(
    ctx: &ProjectContext,
    file: usize,
    packages: &[&str],
) -> Option<(usize, String)> {
    ctx.reachable_sources()
        .filter(|f| ctx.together(*f, file))
        .find_map(|f| {
            let facts = ctx.facts(f)?;
            facts
                .imports
                .iter()
                .find(|i| {
                    // A type-only import loads nothing: `import type { Request } from
                    // 'express'` in a NestJS or Fastify app does not make it Express.
                    i.kind != flightcheck_core::ImportKind::TypeOnly
                        && !i.erased
                        && packages
                            .iter()
                            .any(|p| i.specifier == *p || i.specifier.starts_with(&format!("{p}/")))
                })
                .map(|i| (f, i.specifier.clone()))
        })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let runners = live_runners(ctx);
    let mut out = Vec::new();
    let mut done: Vec<usize> = Vec::new();
    for &(file, runner) in &runners {
        if runner.handles_signals || done.iter().any(|d| ctx.together(*d, file)) {
            continue;
        }
        let hooks = hooks_near(ctx, file);
        if hooks
            .iter()
            .any(|(_, h)| matches!(h.kind, HookKind::SigTerm | HookKind::ShutdownLibrary))
            || package_near(ctx, file, &SHUTDOWN_PACKAGES).is_some()
        {
            continue;
        }
        done.push(file);
        let n = ctx
            .reachable_sources()
            .filter(|f| ctx.together(*f, file))
            .count();
        let mut finding = Finding::new(
            &META,
            format!(
                "`{}` ({}) runs with no SIGTERM handling: a deploy or restart kills work in flight",
                runner.via, runner.library
            ),
        )
        .at(ctx.rel(file), runner.span)
        .key(format!("{}:{}", ctx.rel(file), runner.via))
        .evidence(evidence_at(ctx, file, runner.span, format!("{} keeps the process serving and does not stop on SIGTERM by itself", runner.library)))
        .evidence(Evidence::searched(format!(
            "searched {n} reachable file{} of this program for process.on('SIGTERM') / signal.signal(SIGTERM) / add_signal_handler / a graceful-shutdown package",
            if n == 1 { "" } else { "s" }
        )));
        finding = with_sigint_only(ctx, finding, &hooks);
        out.push(
            finding
                .impact("Every deploy or restart sends SIGTERM: requests and bot updates in flight are cut off and connections are dropped uncleanly.")
                .fix("On SIGTERM stop taking work (bot.stop(), server.close()), let in-flight work finish, close connections, then exit.")
                .verify("Send SIGTERM (docker stop) during a slow request or update: it completes and the process exits cleanly."),
        );
    }
    out.extend(asyncio_services(ctx, &done));
    out
}

/// Plain asyncio services (no framework runner) with no SIGTERM handling: one finding per
/// program not already reported.
fn asyncio_services(ctx: &ProjectContext, reported: &[usize]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut done: Vec<usize> = reported.to_vec();
    for service in crate::rules::resilience::asyncio_service::plain_asyncio_services(ctx) {
        let file = service.file;
        if done.iter().any(|d| ctx.together(*d, file)) {
            continue;
        }
        let hooks = hooks_near(ctx, file);
        if hooks
            .iter()
            .any(|(_, h)| matches!(h.kind, HookKind::SigTerm | HookKind::ShutdownLibrary))
        {
            continue;
        }
        done.push(file);
        let run = service.run;
        let n = service.program.len();
        let mut finding = service.finding(
            ctx,
            &META,
            format!(
                "`{}` runs an asyncio service with no SIGTERM handling: a deploy or restart kills work in flight",
                run.via
            ),
            "runs the event loop itself: Python's default SIGTERM action ends the process at once",
        );
        if let Some((loop_file, forever)) = service.loops.first() {
            finding = finding.evidence(evidence_at(
                ctx,
                *loop_file,
                forever.span,
                format!(
                    "the work in flight: forever loop in `async def {}`",
                    forever.function
                ),
            ));
        }
        finding = finding.evidence(Evidence::searched(format!(
            "searched {n} reachable Python file{} of this program for signal.signal(SIGTERM) / loop.add_signal_handler(SIGTERM)",
            if n == 1 { "" } else { "s" }
        )));
        finding = with_sigint_only(ctx, finding, &hooks);
        out.push(
            finding
                .impact("Every deploy or restart sends SIGTERM: the job or message being processed is cut off half-done and connections are dropped uncleanly.")
                .fix("loop.add_signal_handler(signal.SIGTERM, stop_event.set) at startup; let the forever loop finish its iteration when the event is set, then close connections and return.")
                .verify("Send SIGTERM (docker stop) while an iteration runs: it completes, connections close, and the process exits 0."),
        );
    }
    out
}

/// Shows up to two SIGINT-only handlers: they look like shutdown handling but miss the
/// signal that deploys send.
fn with_sigint_only(
    ctx: &ProjectContext,
    mut finding: Finding,
    hooks: &[(usize, &ProcessHook)],
) -> Finding {
    for (f, h) in hooks
        .iter()
        .filter(|(_, h)| h.kind == HookKind::SigInt)
        .take(2)
    {
        finding = finding.evidence(evidence_at(
            ctx,
            *f,
            h.span,
            "handles SIGINT only: Docker, Kubernetes and systemd stop with SIGTERM".into(),
        ));
    }
    finding
}
