//! Plain asyncio services: Python programs that run their own event loop
//! (`asyncio.run(main())`, `loop.run_forever()`) with no bot, web or job framework driving
//! it, and the forever loops that keep them busy. `resilience/no-global-handler` and
//! `resilience/no-graceful-shutdown` judge them.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::rules::resilience::no_graceful_shutdown::off_service_path;
use flightcheck_core::resilience::{ForeverLoop, LoopRun};
use flightcheck_core::{Finding, Framework, Language, RuleMeta};

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

pub(crate) fn imports_any(ctx: &ProjectContext, file: usize, modules: &[&str]) -> Option<String> {
    ctx.facts(file)?
        .imports
        .iter()
        .find(|i| {
            let top = i.specifier.split('.').next().unwrap_or("");
            modules.contains(&top)
        })
        .map(|i| i.specifier.clone())
}

/// A live event-loop run of a program no framework drives, with the forever loops of the
/// modules it loads.
pub(crate) struct AsyncioService<'a> {
    pub file: usize,
    pub run: &'a LoopRun,
    /// Reachable Python files of the same program.
    pub program: Vec<usize>,
    /// Forever loops, in code that runs, of modules the run's file loads. Where
    /// reachability fell back to the whole project, `together` pairs every program with
    /// every other; imports do not.
    pub loops: Vec<(usize, &'a ForeverLoop)>,
}

impl AsyncioService<'_> {
    /// A finding of `meta` at the run, keyed by it, with the run as first evidence.
    pub(crate) fn finding(
        &self,
        ctx: &ProjectContext,
        meta: &'static RuleMeta,
        message: String,
        run_note: &str,
    ) -> Finding {
        let rel = ctx.rel(self.file);
        Finding::new(meta, message)
            .at(rel, self.run.span)
            .key(format!("{rel}:{}", self.run.via))
            .evidence(evidence_at(ctx, self.file, self.run.span, run_note.into()))
    }
}

/// Every such run (several per program are possible: rules report one per program).
pub(crate) fn plain_asyncio_services<'a>(ctx: &ProjectContext<'a>) -> Vec<AsyncioService<'a>> {
    let mut out = Vec::new();
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
                continue;
            }
            let loops: Vec<(usize, &ForeverLoop)> = ctx
                .imported_closure(file)
                .into_iter()
                .filter_map(|f| ctx.facts(f).map(|x| (f, x)))
                .flat_map(|(f, x)| {
                    x.resilience
                        .forever_loops
                        .iter()
                        .filter(move |l| ctx.runs(f, &l.owner))
                        .map(move |l| (f, l))
                })
                .collect();
            if loops.is_empty() {
                continue;
            }
            out.push(AsyncioService {
                file,
                run,
                program,
                loops,
            });
        }
    }
    out
}
