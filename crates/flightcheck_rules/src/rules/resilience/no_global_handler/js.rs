//! `resilience/no-global-handler`, JavaScript/TypeScript half: a Node program that keeps
//! serving with no `unhandledRejection`/`uncaughtException` handler.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::rules::resilience::no_graceful_shutdown::{hooks_near, live_runners, package_near};
use flightcheck_core::resilience::HookKind;
use flightcheck_core::{Evidence, Finding, Language, Severity};

use super::META;

/// Chat clients whose event handlers run outside any HTTP framework's error handling and
/// have no error hook of their own.
const BOT_CLIENTS: [&str; 4] = [
    "discord.js",
    "necord",
    "@discordjs/core",
    "node-telegram-bot-api",
];

/// Bot libraries that hand a handler's error to `bot.catch` when one is registered.
const CATCHING_BOTS: [&str; 2] = ["telegraf", "grammy"];

/// Server frameworks that catch a route handler's errors and rejections themselves.
const CATCHING_FRAMEWORKS: [&str; 4] = ["fastify", "@nestjs/core", "koa", "@hapi/hapi"];

const HANDLER_SDKS: [&str; 5] = [
    "@sentry/node",
    "@sentry/bun",
    "@sentry/nextjs",
    "@sentry/nestjs",
    "@sentry/serverless",
];

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
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
            "searched {n} reachable file{} of this program for process.on('unhandledRejection'|'uncaughtException'), setUncaughtExceptionCaptureCallback, Sentry",
            if n == 1 { "" } else { "s" }
        )));
        if let Some(entry) = super::entry_evidence(ctx, f) {
            finding = finding.evidence(entry);
        }
        // Fastify, NestJS, Koa, hapi and Express 5 catch what a request handler throws or
        // rejects and answer 500; only code outside a request (timers, event listeners,
        // startup) can end such a process. Express 4 and the bot libraries do not catch
        // rejections.
        // Express 5 forwards a rejected route handler to its error handler too.
        let express_major = ctx
            .project
            .package_json
            .as_ref()
            .and_then(|p| p.versions.get("express"))
            .and_then(|r| flightcheck_project::manifest::range_major(r));
        // Express 4 patched to forward rejections (`require('express-async-errors')`) or
        // routed through a promise-aware router behaves as Express 5 does.
        let patched = package_near(
            ctx,
            f,
            &[
                "express-async-errors",
                "express-promise-router",
                "@awaitjs/express",
            ],
        );
        // NestJS runs on Express (`@nestjs/platform-express`) and its files import
        // `express` for types, but its exception layer catches what a controller throws or
        // rejects before Express sees it.
        let nest = package_near(ctx, f, &["@nestjs/core"]);
        let catching = match package_near(ctx, f, &["express"]).filter(|_| nest.is_none()) {
            Some(_) if express_major.is_some_and(|m| m >= 5) => Some("express 5".to_string()),
            Some(_) if patched.is_some() => patched.map(|(_, p)| format!("express with {p}")),
            Some(_) => None,
            None => package_near(ctx, f, &CATCHING_FRAMEWORKS).map(|(_, framework)| framework),
        };
        // telegraf and grammY hand what a handler throws or rejects to `bot.catch`: with one
        // registered, only code outside the update pipeline can end the process.
        let bot_catch = matches!(r.library.as_str(), "telegraf" | "grammy")
            .then(|| {
                ctx.wiring()
                    .filter(|(x, _)| ctx.together(*x, f))
                    .find_map(|(x, w)| w.error_handlers.first().map(|h| (x, h)))
            })
            .flatten();
        let bot_library = matches!(r.library.as_str(), "telegraf" | "grammy");
        if bot_library && bot_catch.is_none() {
            // What ends a telegraf or grammY bot on a handler error is the missing
            // `bot.catch`: the library rethrows and polling ends, whether or not the
            // rejection then reaches the process. `bot/no-error-handler` reports that, high;
            // a process-level handler would only log it.
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(format!(
                "medium, not high: a handler error ends this {} bot through its missing bot.catch (bot/no-error-handler){}; process-level handlers matter for timers, listeners and promises nobody awaits",
                r.library,
                if r.caught {
                    ", and the launch promise is caught here, so the process keeps running"
                } else {
                    ""
                }
            )));
        } else if let Some((x, h)) = bot_catch {
            finding = finding
                .severity(Severity::Medium)
                .evidence(evidence_at(ctx, x, h.span, format!("`{}` catches what handlers throw", h.via)))
                .evidence(Evidence::searched(
                    "medium, not high: the bot's error handler receives handler errors; a rejection outside an update (timers, startup, promises nobody awaits) is what would end the process",
                ));
        } else if r.library == "http"
            && let Some(framework) = &catching
            && let Some((x, client)) = package_near(ctx, f, &BOT_CLIENTS).or_else(|| {
                // telegraf and grammY without a `bot.catch` anywhere in the program.
                package_near(ctx, f, &CATCHING_BOTS).filter(|_| {
                    !ctx.wiring()
                        .any(|(w, wiring)| ctx.together(w, f) && !wiring.error_handlers.is_empty())
                })
            })
        {
            // A Nest or Fastify app that also runs a Discord or Telegram client (necord,
            // nestjs-telegraf): the framework catches requests, not the client's events.
            finding = finding.evidence(Evidence::searched(format!(
                "high: {framework} catches what route handlers throw, but this program also runs `{client}` (imported by `{}`), whose event handlers no framework catches",
                ctx.rel(x)
            )));
        } else if r.library == "http"
            && let Some(framework) = catching
        {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(format!(
                "medium, not high: {framework} catches errors of route handlers; a rejection outside a request is what would end the process"
            )));
        } else if r.library == "http" {
            // Express 4: what a route handler rejects escapes. Show one that lets a
            // rejection out; when every handler is inline and catches its awaited work,
            // only code outside a request can end the process.
            let program: Vec<usize> = ctx
                .reachable_sources()
                .filter(|x| ctx.together(*x, f))
                .collect();
            let callbacks = program
                .iter()
                .filter_map(|x| ctx.facts(*x).map(|fa| (*x, &fa.resilience.async_callbacks)));
            // telegraf and grammY handlers of a bot with a `bot.catch`: the bot's error
            // handler receives what they reject, whatever file registers them (a
            // `Composer` the bot mounts).
            let bot_caught = |x: usize| {
                program.iter().any(|w| {
                    ctx.facts(*w)
                        .is_some_and(|fa| !fa.wiring.error_handlers.is_empty())
                }) && ctx.facts(x).is_some_and(|fa| {
                    fa.imports.iter().any(|i| {
                        let s = i.specifier.as_str();
                        s == "telegraf" || s == "grammy" || s.starts_with("telegraf/")
                    })
                })
            };
            let (mut guarded, mut unknown, mut escaping) = (0, 0, None);
            for (x, c) in callbacks {
                guarded += c.guarded;
                if bot_caught(x) {
                    guarded += c.unguarded.len() as u32 + c.by_name.len() as u32;
                    continue;
                }
                if escaping.is_none()
                    && let Some(span) = c.unguarded.first()
                {
                    escaping = Some((x, *span));
                }
                for handler in &c.by_name {
                    match by_name_handler(ctx, x, handler) {
                        Some(HandlerRejects::No) => guarded += 1,
                        Some(HandlerRejects::Yes(file, line)) => {
                            if escaping.is_none() {
                                escaping = Some((file, flightcheck_core::Span::line(line)));
                            }
                        }
                        None => unknown += 1,
                    }
                }
            }
            match escaping {
                Some((x, span)) => {
                    finding =
                        finding.evidence(evidence_at(ctx, x, span, "its rejection escapes".into()));
                }
                // Express catches what a synchronous handler throws; a program with no
                // asynchronous code of its own (no async function, promise, timer or
                // listener) has nothing that can reject or throw outside a request.
                None if unknown == 0
                    && guarded == 0
                    && program.iter().all(|x| {
                        ctx.facts(*x)
                            .is_none_or(|fa| fa.resilience.asynchronous == 0)
                    }) =>
                {
                    finding = finding.severity(Severity::Low).evidence(Evidence::searched(format!(
                        "low, not high: none of the {} file{} of this program has asynchronous code (async functions, await, promises, timers, event listeners), and Express 4 answers 500 when a synchronous handler throws",
                        program.len(),
                        if program.len() == 1 { "" } else { "s" }
                    )));
                }
                None if unknown == 0 && guarded > 0 => {
                    finding = finding.severity(Severity::Medium).evidence(Evidence::searched(format!(
                        "medium, not high: every async route handler ({guarded}) catches what it awaits; a rejection outside a request is what would end the process"
                    )));
                }
                None => {}
            }
        }
        return vec![
            finding
                .impact("Since Node 15 an unhandled rejection ends the process: every user is cut off until it restarts.")
                .fix("At startup, add process.on('unhandledRejection'/'uncaughtException') handlers that log, report to error tracking, and exit after an uncaught exception.")
                .verify("Throw from an async handler in staging: the error is logged and reported."),
        ];
    }
    Vec::new()
}

/// Whether a route handler passed by name can reject.
enum HandlerRejects {
    /// An async function of the project whose body does not catch everything.
    Yes(usize, u32),
    /// A function the target module exports that is not such an async function.
    No,
}

/// Resolves `controller.create` / `createUser` through the importing file's module
/// bindings to the project file that defines it; `None` when it cannot be followed.
fn by_name_handler(ctx: &ProjectContext, file: usize, handler: &str) -> Option<HandlerRejects> {
    let wiring = &ctx.facts(file)?.wiring;
    let (local, member) = match handler.split_once('.') {
        Some((l, m)) if !m.contains('.') => (l, Some(m)),
        Some(_) => return None,
        None => (handler, None),
    };
    let binding = wiring.module_locals.iter().find(|m| m.local == local)?;
    let name = match (member, binding.imported.as_deref()) {
        (Some(m), None) => m,
        (None, Some(imported)) => imported,
        _ => return None,
    };
    let target = ctx.resolved(file, &binding.specifier)?;
    let facts = ctx.facts(target)?;
    if let Some(line) = facts.async_calls.async_def(name) {
        return Some(HandlerRejects::Yes(target, line));
    }
    let exports = &facts.integrity.exports;
    (!exports.opaque && exports.names.iter().any(|e| e == name)).then_some(HandlerRejects::No)
}
