//! `availability/no-startup-catch-up`: periodic due-work that a restart skips until the
//! next tick.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::config::no_startup_validation::startup_functions;
use flightcheck_core::state::due_work;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "availability/no-startup-catch-up",
    severity: Severity::Low,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "A periodic job (expiry, reminders, cleanup) with no run at startup",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
Finds periodic jobs whose name or body says they handle work that falls due (expiry,
reminders, cleanup, billing, renewals, notifications, unbans) scheduled only with
`setInterval`, node-cron `cron.schedule`, `CronJob`, node-schedule `scheduleJob`, the
`schedule` library, APScheduler `add_job`/`scheduled_job`, python-telegram-bot
`run_repeating`/`run_daily`, or aiocron, when the job function is not also called while
the program starts.

Not flagged: jobs the scheduler runs at start (`runOnInit`, `first=0`,
`next_run_time=datetime.now()`), jobs kept in a persistent store (APScheduler job stores
other than memory; agenda and bullmq are not in-process timers), jobs every minute or
more often (the catch-up comes at once anyway), and jobs whose name says nothing about due
work (status rotation, metrics).

## Why it breaks production
Every deploy or crash restarts the timer. An hourly expiry job restarted at minute 59
waits another hour; a nightly reminder job whose process restarts at 2:59 skips the night.
With frequent deploys, work can be postponed again and again.

## Flagged
```js
setInterval(expireSubscriptions, 60 * 60 * 1000);
```

## Not flagged
```js
expireSubscriptions();
setInterval(expireSubscriptions, 60 * 60 * 1000);
```

## Fix
Call the job once at startup (it should find everything that fell due meanwhile), or use
a scheduler with persistent jobs and misfire handling.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // Following calls from startup costs a pass over every call edge: only when needed.
    let has_jobs = ctx
        .reachable_sources()
        .any(|i| ctx.facts(i).is_some_and(|f| !f.state.jobs.is_empty()));
    if !has_jobs {
        return Vec::new();
    }
    let startup = startup_functions(ctx);
    let mut out = Vec::new();
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        for job in &f.state.jobs {
            if job.runs_at_start || job.period_seconds.is_some_and(|p| p <= 60) {
                continue;
            }
            let described = job.job.as_deref().unwrap_or(job.text.as_str());
            if !due_work(described) {
                continue;
            }
            if job.job.as_deref().is_some_and(|j| startup.contains(j)) {
                continue;
            }
            let every = match job.period_seconds {
                Some(s) if s % 3600 == 0 => format!("every {} h", s / 3600),
                Some(s) if s % 60 == 0 => format!("every {} min", s / 60),
                Some(s) => format!("every {s} s"),
                None => "at fixed times".to_string(),
            };
            let name = job
                .job
                .as_deref()
                .map(|j| format!("`{j}`"))
                .unwrap_or_else(|| "an inline job".to_string());
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "{name} runs {every} via {} and is not run at startup: work due during a restart waits for the next tick",
                        job.scheduler
                    ),
                )
                .at(ctx.rel(i), job.span)
                .key(described.to_string())
                .evidence(evidence_at(ctx, i, job.span, "scheduled here".into()))
                .impact("Expiries, reminders or cleanups due while the process restarts are skipped until the next tick.")
                .fix("Call the job once at startup as well, or use a scheduler with persistent jobs and misfire handling.")
                .verify("Stop the process past a due time, start it, and check the due work runs at once."),
            );
        }
    }
    out
}
