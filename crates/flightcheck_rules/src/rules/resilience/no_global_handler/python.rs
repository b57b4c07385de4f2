//! `resilience/no-global-handler`, Python half: a plain asyncio service whose forever loop
//! has no guard, and no loop exception handler or top-level guard catches what escapes it.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::rules::resilience::asyncio_service::{imports_any, plain_asyncio_services};
use crate::rules::resilience::no_graceful_shutdown::hooks_near;
use flightcheck_core::Severity;
use flightcheck_core::resilience::HookKind;
use flightcheck_core::{Evidence, Finding};

use super::META;

/// Error trackers whose logging integration reports what asyncio's default handler logs.
const ERROR_TRACKERS: [&str; 3] = ["sentry_sdk", "rollbar", "bugsnag"];

/// A deploy definition of this project's code (not a development compose file) that
/// restarts the process when it exits (`restart: always`, `Restart=on-failure`, PM2's
/// default `autorestart`).
fn restarting_deploy<'a>(
    ctx: &ProjectContext<'a>,
) -> Option<&'a flightcheck_project::services::Service> {
    let root = ctx.project.root.as_str();
    ctx.ws.services.iter().find(|s| {
        let mine = root == "." || s.file.starts_with(&format!("{root}/"));
        let restarts = s.restart.as_ref().is_some_and(|(_, r)| {
            let r = r.to_ascii_lowercase();
            !(r.ends_with(": no")
                || r.ends_with("=no")
                || r.ends_with("false")
                || r.ends_with("\"no\"")
                || r.ends_with("'no'"))
        });
        mine && restarts
            && (s.build || s.command.is_some())
            && !flightcheck_project::services::is_dev_compose(&s.file)
    })
}

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
        // The process exits on the exception; a supervisor that restarts it turns "stops
        // for good" into a restart that loses the work in flight.
        if let Some(restart) = restarting_deploy(ctx) {
            finding = finding.severity(Severity::Medium).evidence(Evidence::at(
                &restart.file,
                restart.restart.as_ref().map_or(restart.line, |(l, _)| *l),
                restart
                    .restart
                    .as_ref()
                    .map(|(_, r)| r.clone())
                    .unwrap_or_default(),
                "medium, not high: the deploy restarts the process when it exits, so an exception costs a restart and the work in flight",
            ));
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
