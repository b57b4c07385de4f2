//! `resilience/unawaited-coroutine`: a call of the project's own `async def` whose
//! coroutine is dropped, so its body never runs.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_python_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/unawaited-coroutine",
    severity: Severity::High,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "An async def of this project called without await: the body never runs",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 5,
    docs: r#"## What it does
Finds expression statements that call an `async def` of the same module —
`notify_admins(text)` where `async def notify_admins` is defined at module level, or
`self.refresh()` inside a class whose own `refresh` is `async def` — in code an entry point
runs. The coroutine object is created and thrown away. The same holds for a call tested
by an `if` without `await` — `if not may_refund(uid):`, or `allowed = is_staff(uid)` then
`if allowed:` in the same function: a coroutine object is always true, so the check passes
for everyone and the callee's body never runs.

Calls of the project's other modules count too: `save_user(u)` after
`from .db import save_user`, `db.save_user(u)` after `from app import db` or
`import app.db as db`, and `repo.save(x)` where `repo = Repo(...)` in the same function or
at module level and `Repo` is a class of this module or imported from one. The import is
resolved like Python does (relative, absolute, `src/` layout) and the target module must
itself define the name with `async def`.

Only definitions known to be async count: undecorated `async def`s (a decorator may return
something else), names bound once (not reassigned or re-imported), and for `self.x()` /
`obj.x()` the class's own method (a sync method of the same name on another class is not
confused with it; inherited methods are not judged). A name the target module only
re-imports from elsewhere is not followed.

## Why it breaks production
Calling an `async def` without `await` runs none of its code: the admin is never notified,
the row is never saved, the cache is never refreshed. Python only prints "coroutine ... was
never awaited" as a RuntimeWarning, usually lost in the logs, and nothing fails.

## Flagged
```python
async def notify_admins(text): ...

async def on_payment(message):
    notify_admins(f"paid: {message.from_user.id}")     # never runs

from .db import save_user                               # db.py: async def save_user
async def on_start(message):
    save_user(message.from_user.id)                     # never saved
```

## Not flagged
```python
await notify_admins(text)
asyncio.create_task(notify_admins(text))               # scheduled
await asyncio.gather(notify_admins(a), notify_admins(b))
return notify_admins(text)                              # the caller awaits
pending = notify_admins(text)                           # kept
```

## Fix
`await` the call, or schedule it with `asyncio.create_task(...)` and keep a reference to
the task.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_python_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in ctx.reachable_sources() {
        if ctx.is_sample_code(file) || ctx.language(file) != Some(Language::Python) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for call in &facts.async_calls.dropped_imports {
            if !ctx.runs(file, &call.owner) {
                continue;
            }
            let key = match &call.submodule {
                Some(sub) => format!("{}:{sub}", call.specifier),
                None => call.specifier.clone(),
            };
            let Some(target) = ctx.resolved(file, &key) else {
                continue;
            };
            let Some(line) = ctx
                .facts(target)
                .and_then(|t| t.async_calls.async_def(&call.name))
            else {
                continue;
            };
            out.push(finding(
                ctx,
                file,
                &call.callee,
                call.function.as_deref(),
                call.span,
                (target, line),
            ));
        }
        for call in &facts.resilience.dropped_coroutines {
            if !ctx.runs(file, &call.owner) {
                continue;
            }
            out.push(finding(
                ctx,
                file,
                &call.callee,
                call.function.as_deref(),
                call.span,
                (file, call.defined_at),
            ));
        }
    }
    out
}

/// A finding for a dropped coroutine of `callee`, whose `async def` is at `defined`.
fn finding(
    ctx: &ProjectContext,
    file: usize,
    callee: &str,
    function: Option<&str>,
    span: Span,
    defined: (usize, u32),
) -> Finding {
    let place = function.map(|f| format!(" in `{f}`")).unwrap_or_default();
    let (def_file, def_line) = defined;
    let elsewhere = if def_file == file {
        String::new()
    } else {
        format!(" (defined in {})", ctx.rel(def_file))
    };
    Finding::new(
            &META,
            format!(
                "`{callee}(...)`{place} calls an `async def`{elsewhere} without `await`: the coroutine is created and dropped, its body never runs",
            ),
        )
        .at(ctx.rel(file), span)
        .key(format!("{}:{callee}", function.unwrap_or("")))
        .evidence(evidence_at(ctx, file, span, "result dropped".into()))
        .evidence(Evidence::at(
            ctx.rel(def_file),
            def_line,
            ctx.snippet(def_file, def_line),
            "defined with async def",
        ))
        .impact("None of the function's code runs; Python only logs a RuntimeWarning that is easy to miss.")
        .fix("Add `await`, or schedule it with asyncio.create_task(...) and keep the task.")
        .verify("Run the path and check the function's effect happens; no 'was never awaited' warning in the logs.")
}
