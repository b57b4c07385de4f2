//! `resilience/floating-promise`: a call of the file's own async function whose promise is
//! dropped, so its rejection becomes an unhandled rejection.

use super::no_graceful_shutdown::{browser_path, hooks_near, off_service_path};
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::resilience::HookKind;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/floating-promise",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "An async function of this project called without await, .catch or void",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 5,
    docs: r#"## What it does
Finds expression statements that call an async function of the same file — a top-level
`async function f`, `const f = async () => …`, or `this.m()` inside a class whose own `m`
is `async` — without `await`, `return`, assignment, `.then/.catch/.finally` or `void`, in
code an entry point runs. A call at module level (the classic `main();` of an entry point)
is high: its rejection ends the process.

Only functions known to reject count: a function whose whole body is one
`try { … } catch { … }` handles its own errors and is not flagged; names declared twice,
getters and overloads are not judged; functions imported from other files are not judged
yet. Passing an async function as a callback (`bot.on('text', handler)`) is fine.

## Why it breaks production
A promise nobody awaits has nobody to handle its rejection. Since Node 15 an unhandled
rejection ends the process (unless a process-wide handler is installed): one failed call
takes the whole bot or service down. Even with a handler, the caller carries on as if the
work had succeeded.

## Flagged
```js
async function main() {
  await db.connect();
  bot.launch();
}
main();                         // a failed connect is an unhandled rejection

async function saveScore(id, n) { await db.scores.update(id, n); }
bot.action('win', (ctx) => { saveScore(ctx.from.id, 10); ctx.reply('Saved!'); });
```

## Not flagged
```js
main().catch((err) => { console.error(err); process.exit(1); });
await saveScore(id, 10);
void refreshCache();            // explicitly fire-and-forget
bot.on('text', handleText);     // an async callback registered with the framework
```

## Fix
`await` the call, or chain `.catch(...)` that logs and reports; mark deliberate
fire-and-forget calls with `void` after making the function catch its own errors.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in ctx.reachable_sources() {
        if ctx.is_sample_code(file)
            || off_service_path(ctx.rel(file))
            || browser_path(ctx.rel(file))
            || !matches!(
                ctx.language(file),
                Some(Language::JavaScript | Language::TypeScript)
            )
        {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for call in &facts.resilience.dropped_coroutines {
            if !ctx.runs(file, &call.owner) {
                continue;
            }
            let top_level = call.function.is_none() && call.owner.is_none();
            // With a process-wide handler the rejection is logged, not fatal.
            let guarded = top_level
                && hooks_near(ctx, file)
                    .iter()
                    .any(|(_, h)| h.kind == HookKind::UnhandledRejection);
            let (severity, place) = match &call.function {
                None if top_level && !guarded => (
                    Severity::High,
                    " at module level: a rejection ends the process (Node ≥ 15)".to_string(),
                ),
                None if top_level => (
                    Severity::Medium,
                    " at module level (the process-wide unhandledRejection handler only logs it)"
                        .to_string(),
                ),
                Some(f) => (Severity::Medium, format!(" in `{f}`")),
                None => (Severity::Medium, String::new()),
            };
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "`{}()` returns a promise nobody awaits or catches{place}",
                        call.callee
                    ),
                )
                .severity(severity)
                .at(ctx.rel(file), call.span)
                .key(format!("{}:{}", call.function.as_deref().unwrap_or(""), call.callee))
                .evidence(Evidence::at(
                    ctx.rel(file),
                    call.span.line,
                    ctx.snippet(file, call.span.line),
                    "promise dropped",
                ))
                .evidence(Evidence::at(
                    ctx.rel(file),
                    call.defined_at,
                    ctx.snippet(file, call.defined_at),
                    "declared async here",
                ))
                .impact("A rejection of this promise is unhandled: Node ≥ 15 exits, and the caller carries on as if the work succeeded.")
                .fix("`await` it, or chain `.catch(err => …)` that logs and reports; use `void` only for fire-and-forget work that catches its own errors.")
                .verify("Make the function throw: the error is logged where it is called and the process keeps running."),
            );
        }
    }
    out
}
