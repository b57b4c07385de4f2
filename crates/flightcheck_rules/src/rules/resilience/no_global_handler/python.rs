//! `resilience/no-global-handler`, Python half: a plain asyncio service whose forever loop
//! has no guard, and no loop exception handler or top-level guard catches what escapes it.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::rules::resilience::no_graceful_shutdown::{hooks_near, off_service_path};
use flightcheck_core::resilience::{HookKind, LoopRun, UnguardedLoop};
use flightcheck_core::{Evidence, Finding, Framework, Language};

use super::META;

/// Top-level modules of bot, web and job frameworks that run the loop's work themselves
/// and catch exceptions per update, request or job.
const FRAMEWORK_MODULES: [&str; 21] = [
    "uvicorn",
    "hypercorn",
    "gunicorn",
    "starlette",
    "quart",
    "sanic",
    "tornado",
    "websockets",
    "telethon",
    "pyrogram",
    "hikari",
    "interactions",
    "slack_bolt",
    "twitchio",
    "apscheduler",
    "celery",
    "dramatiq",
    "arq",
    "faust",
    "aiokafka",
    "aio_pika",
];

/// Error trackers whose logging integration reports what asyncio's default handler logs.
const ERROR_TRACKERS: [&str; 3] = ["sentry_sdk", "rollbar", "bugsnag"];

fn is_service_framework(f: Framework) -> bool {
    matches!(
        f,
        Framework::Aiogram
            | Framework::PythonTelegramBot
            | Framework::PyTelegramBotApi
            | Framework::DiscordPy
            | Framework::FastApi
            | Framework::Flask
            | Framework::Django
    )
}

/// `from aiohttp import web` / `import aiohttp.web`: an aiohttp server, not only its client.
fn imports_aiohttp_server(ctx: &ProjectContext, file: usize) -> bool {
    ctx.facts(file).is_some_and(|f| {
        f.imports.iter().any(|i| {
            i.specifier.starts_with("aiohttp.web")
                || (i.specifier == "aiohttp" && i.names.iter().any(|n| n == "web"))
        })
    })
}

fn imports_any(ctx: &ProjectContext, file: usize, modules: &[&str]) -> Option<String> {
    ctx.facts(file)?
        .imports
        .iter()
        .find(|i| {
            let top = i.specifier.split('.').next().unwrap_or("");
            modules.contains(&top)
        })
        .map(|i| i.specifier.clone())
}

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut done: Vec<usize> = Vec::new();
    let live_python = |f: usize| {
        ctx.language(f) == Some(Language::Python)
            && !ctx.is_sample_code(f)
            && !off_service_path(ctx.rel(f))
    };
    for file in ctx.reachable_sources().filter(|f| live_python(*f)) {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for run in facts
            .resilience
            .loop_runs
            .iter()
            .filter(|r| ctx.runs(file, &r.owner))
        {
            if done.iter().any(|d| ctx.together(*d, file)) {
                break;
            }
            if let Some(finding) = judge(ctx, file, run) {
                done.push(file);
                out.push(finding);
            }
        }
    }
    out
}

/// The finding for the program `run` starts, if it is a plain asyncio service with an
/// unguarded forever loop and nothing process-wide that catches what escapes it.
fn judge(ctx: &ProjectContext, file: usize, run: &LoopRun) -> Option<Finding> {
    let program: Vec<usize> = ctx
        .reachable_sources()
        .filter(|f| ctx.together(*f, file) && ctx.language(*f) == Some(Language::Python))
        .collect();
    let framework = program.iter().any(|&f| {
        ctx.facts(f).is_some_and(|x| {
            !x.resilience.runners.is_empty()
                || x.frameworks.iter().any(|fw| is_service_framework(*fw))
        }) || imports_any(ctx, f, &FRAMEWORK_MODULES).is_some()
            || imports_aiohttp_server(ctx, f)
    });
    if framework {
        return None;
    }
    let guarded = hooks_near(ctx, file).iter().any(|(_, h)| {
        matches!(
            h.kind,
            HookKind::LoopExceptionHandler | HookKind::UncaughtException | HookKind::GuardedMain
        )
    }) || program
        .iter()
        .any(|&f| imports_any(ctx, f, &ERROR_TRACKERS).is_some());
    if guarded {
        return None;
    }
    // The loop must be in a module this run loads: where reachability fell back to the
    // whole project, `together` pairs every program with every other.
    let loads = ctx.imported_closure(file);
    let (loop_file, forever): (usize, &UnguardedLoop) = loads.iter().find_map(|&f| {
        ctx.facts(f)?
            .resilience
            .unguarded_loops
            .iter()
            .find(|l| ctx.runs(f, &l.owner))
            .map(|l| (f, l))
    })?;
    let n = program.len();
    let mut finding = Finding::new(
        &META,
        format!(
            "`{}` runs an asyncio service with no loop exception handler or top-level guard, and `{}` loops forever with no `except`: one exception stops it for good",
            run.via, forever.function
        ),
    )
    .at(ctx.rel(file), run.span)
    .key(format!("{}:{}", ctx.rel(file), run.via))
    .evidence(evidence_at(
        ctx,
        file,
        run.span,
        "runs the event loop itself: no framework runner catches exceptions per update or request".into(),
    ))
    .evidence(evidence_at(
        ctx,
        loop_file,
        forever.span,
        format!(
            "forever loop in `async def {}` with no broad `except` in or around it",
            forever.function
        ),
    ))
    .evidence(Evidence::searched(format!(
        "searched {n} reachable Python file{} of this program for loop.set_exception_handler, sys.excepthook, a broad try around the module-level run, and sentry_sdk/rollbar/bugsnag",
        if n == 1 { "" } else { "s" }
    )));
    if let Some(entry) = super::entry_evidence(ctx, file) {
        finding = finding.evidence(entry);
    }
    Some(
        finding
            .impact("An exception in one iteration ends the loop: in the main coroutine the service exits with a traceback nobody reports; in a background task the work stops while the process looks alive.")
            .fix("Catch and log broad exceptions per iteration (`try: … except Exception: log.exception(...)`), install loop.set_exception_handler(...) that reports what escapes tasks, and wrap asyncio.run(main()) so a fatal error is reported and the process exits non-zero.")
            .verify("Make one iteration raise in staging (a bad payload, a dropped connection): the error is logged and reported and the loop keeps running."),
    )
}
