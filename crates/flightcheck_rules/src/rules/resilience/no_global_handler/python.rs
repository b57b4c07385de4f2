//! `resilience/no-global-handler`, Python half: a plain asyncio service whose forever loop
//! has no guard, and no loop exception handler or top-level guard catches what escapes it.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::rules::resilience::asyncio_service::{imports_any, plain_asyncio_services};
use crate::rules::resilience::no_graceful_shutdown::hooks_near;
use flightcheck_core::resilience::HookKind;
use flightcheck_core::{Evidence, Finding};

use super::META;

/// Error trackers whose logging integration reports what asyncio's default handler logs.
const ERROR_TRACKERS: [&str; 3] = ["sentry_sdk", "rollbar", "bugsnag"];

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut done: Vec<usize> = Vec::new();
    for service in plain_asyncio_services(ctx) {
        let file = service.file;
        if done.iter().any(|d| ctx.together(*d, file)) {
            continue;
        }
        let Some(&(loop_file, forever)) = service.loops.iter().find(|(_, l)| !l.guarded) else {
            continue;
        };
        let guarded = hooks_near(ctx, file).iter().any(|(_, h)| {
            matches!(
                h.kind,
                HookKind::LoopExceptionHandler
                    | HookKind::UncaughtException
                    | HookKind::GuardedMain
            )
        }) || service
            .program
            .iter()
            .any(|&f| imports_any(ctx, f, &ERROR_TRACKERS).is_some());
        if guarded {
            continue;
        }
        done.push(file);
        let run = service.run;
        let n = service.program.len();
        let mut finding = service
            .finding(
                ctx,
                &META,
                format!(
                    "`{}` runs an asyncio service with no loop exception handler or top-level guard, and `{}` loops forever with no `except`: one exception stops it for good",
                    run.via, forever.function
                ),
                "runs the event loop itself: no framework runner catches exceptions per update or request",
            )
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
        out.push(
            finding
                .impact("An exception in one iteration ends the loop: in the main coroutine the service exits with a traceback nobody reports; in a background task the work stops while the process looks alive.")
                .fix("Catch and log broad exceptions per iteration (`try: … except Exception: log.exception(...)`), install loop.set_exception_handler(...) that reports what escapes tasks, and wrap asyncio.run(main()) so a fatal error is reported and the process exits non-zero.")
                .verify("Make one iteration raise in staging (a bad payload, a dropped connection): the error is logged and reported and the loop keeps running."),
        );
    }
    out
}
