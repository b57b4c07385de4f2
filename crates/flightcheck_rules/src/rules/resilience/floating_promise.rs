//! `resilience/floating-promise`: a call of the file's own async function whose promise is
//! dropped, so its rejection becomes an unhandled rejection.

use super::no_graceful_shutdown::{browser_path, hooks_near, off_service_path};
use crate::bots::evidence_at;
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
is low: its rejection ends the process as the program starts, which is what a failed
start should do; `main().catch(...)` only makes the exit deliberate.

Functions imported from the project's own files count too — `import { save } from './db'`,
`const { save } = require('./db')`, `db.save()` after `const db = require('./db')` or
`import * as db from './db'` — when the import resolves to a file that defines the name as
a top-level async function (or `exports.save = async …`). So do library calls whose
promise rejects on failure, as statements: `fs.promises.writeFile(...)` and functions of
`fs/promises`, a bare global `fetch(...)`, Prisma writes (`prisma.user.create(...)`) and
writes on a `mongoose.model(...)` bound in the file (`User.create(...)`). Knex chains are
not judged.

Only functions known to reject count: a function whose whole body is one
`try { … } catch { … }` handles its own errors and is not flagged; names declared twice,
getters and overloads are not judged. Passing an async function as a callback
(`bot.on('text', handler)`) is fine.

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

import { writeFile } from 'fs/promises';
writeFile('state.json', data);  // a failed write is an unhandled rejection
prisma.order.create({ data });  // same for a failed insert
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

/// One dropped promise: of this file's async function, an imported one, or a library API.
struct Dropped<'a> {
    callee: &'a str,
    function: Option<&'a str>,
    owner: &'a flightcheck_core::Owner,
    span: flightcheck_core::Span,
    /// Where the async function is defined (file, line); `None` for library APIs.
    defined: Option<(usize, u32)>,
}

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
        let mut dropped: Vec<Dropped> = Vec::new();
        for call in &facts.resilience.dropped_coroutines {
            dropped.push(Dropped {
                callee: &call.callee,
                function: call.function.as_deref(),
                owner: &call.owner,
                span: call.span,
                defined: Some((file, call.defined_at)),
            });
        }
        for call in &facts.async_calls.dropped_imports {
            let Some(target) = ctx.resolved(file, &call.specifier) else {
                continue;
            };
            let Some(line) = ctx
                .facts(target)
                .and_then(|t| t.async_calls.async_def(&call.name))
            else {
                continue;
            };
            dropped.push(Dropped {
                callee: &call.callee,
                function: call.function.as_deref(),
                owner: &call.owner,
                span: call.span,
                defined: Some((target, line)),
            });
        }
        for call in &facts.async_calls.dropped_library {
            dropped.push(Dropped {
                callee: &call.callee,
                function: call.function.as_deref(),
                owner: &call.owner,
                span: call.span,
                defined: None,
            });
        }
        for call in dropped {
            if !ctx.runs(file, call.owner) {
                continue;
            }
            let top_level = call.function.is_none() && call.owner.is_none();
            // With a process-wide handler the rejection is logged, not fatal.
            let guarded = top_level
                && hooks_near(ctx, file)
                    .iter()
                    .any(|(_, h)| h.kind == HookKind::UnhandledRejection);
            let (severity, place) = match call.function {
                // The classic `main();` runs once as the program starts: a rejection ends the
                // process (Node >= 15), which is what a failed start should do anyway.
                None if top_level && !guarded => (
                    Severity::Low,
                    " at module level: a rejection ends the process (Node ≥ 15), as a failed start should; only the exit is unplanned"
                        .to_string(),
                ),
                None if top_level => (
                    Severity::Medium,
                    " at module level (the process-wide unhandledRejection handler only logs it)"
                        .to_string(),
                ),
                Some(f) => (Severity::Medium, format!(" in `{f}`")),
                None => (Severity::Medium, String::new()),
            };
            let what = match call.defined {
                Some((f, _)) if f != file => format!(" (async, defined in {})", ctx.rel(f)),
                Some(_) => String::new(),
                None => " (a library call that rejects on failure)".to_string(),
            };
            let mut finding = Finding::new(
                &META,
                format!(
                    "`{}()`{what} returns a promise nobody awaits or catches{place}",
                    call.callee
                ),
            )
            .severity(severity)
            .at(ctx.rel(file), call.span)
            .key(format!("{}:{}", call.function.unwrap_or(""), call.callee))
            .evidence(evidence_at(ctx, file, call.span, "promise dropped".into()));
            if let Some((def_file, line)) = call.defined {
                finding = finding.evidence(Evidence::at(
                    ctx.rel(def_file),
                    line,
                    ctx.snippet(def_file, line),
                    "declared async here",
                ));
            }
            out.push(
                finding
                .impact("A rejection of this promise is unhandled: Node ≥ 15 exits, and the caller carries on as if the work succeeded.")
                .fix("`await` it, or chain `.catch(err => …)` that logs and reports; use `void` only for fire-and-forget work that catches its own errors.")
                .verify("Make the function throw: the error is logged where it is called and the process keeps running."),
            );
        }
    }
    out
}
