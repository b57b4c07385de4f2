//! `resilience/dangling-task`: an asyncio task whose reference is dropped.

use crate::registry::{FileTexts, Rule};
use flightcheck_core::text::truncate;
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "resilience/dangling-task",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "An asyncio task whose reference is not kept",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Finds statements that start an asyncio task and throw the task away:
`asyncio.create_task(...)` and `asyncio.ensure_future(...)` (also imported under another
name, or with `from asyncio import create_task`), and `create_task(...)` on an event loop
(`loop`, `self.loop`, `bot.loop`, `asyncio.get_event_loop()`). Only code that an entry point
reaches is checked.

## Why it breaks production
The event loop keeps only a weak reference to tasks. A task nobody holds can be
garbage-collected in the middle of its work: the reminder is never sent, the payment is
never confirmed, and nothing is logged. If the task fails, its exception is only reported
as "Task exception was never retrieved" at garbage collection, if at all.

## Flagged
```python
async def on_paid(order):
    asyncio.create_task(send_receipt(order))   # may vanish mid-run

class Music(commands.Cog):
    def __init__(self, bot):
        self.bot.loop.create_task(self.ticker())
```

## Not flagged
```python
task = asyncio.create_task(send_receipt(order))        # kept
background.add(asyncio.create_task(job()))             # kept in a set
async with asyncio.TaskGroup() as tg:
    tg.create_task(job())                              # the group holds it
await asyncio.create_task(job())                       # awaited
```

## Fix
Keep a reference until the task is done, and see its result:
```python
background = set()
task = asyncio.create_task(send_receipt(order))
background.add(task)
task.add_done_callback(background.discard)
```
or run the work in an `asyncio.TaskGroup`.
"#,
};

pub static RULE: Rule = Rule::python(
    &META,
    &DanglingTask,
    FileTexts {
        impact: "The task can be garbage-collected before it finishes; its work silently stops and its exceptions are lost.",
        fix: "Keep the task in a collection until it is done (add_done_callback(set.discard)) or use asyncio.TaskGroup.",
        verify: "ruff check --select RUF006 on the file, and read the task's lifetime: something must hold it until it completes.",
    },
);

struct DanglingTask;

/// Whether `expr` is an asyncio event loop by the names code gives loops.
fn is_event_loop(expr: &Expr, ctx: &PyRuleContext) -> bool {
    let named_loop = |name: &str| name == "loop" || name.ends_with("_loop");
    match expr {
        Expr::Name(n) => named_loop(n.id.as_str()),
        Expr::Attribute(a) => named_loop(a.attr.as_str()),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(a) => {
                matches!(
                    a.attr.as_str(),
                    "get_event_loop" | "get_running_loop" | "new_event_loop"
                ) && matches!(&*a.value, Expr::Name(m) if ctx.imported_as(m.id.as_str()) == Some("asyncio"))
            }
            _ => false,
        },
        _ => false,
    }
}

impl PyFileRule for DanglingTask {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtExpr]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Stmt(Stmt::Expr(stmt)) = node else {
            return;
        };
        let Expr::Call(call) = &*stmt.value else {
            return;
        };
        let spawns = match &*call.func {
            Expr::Attribute(a) => match a.attr.as_str() {
                name @ ("create_task" | "ensure_future") => {
                    let on_asyncio = matches!(&*a.value, Expr::Name(m) if ctx.imported_as(m.id.as_str()) == Some("asyncio"));
                    on_asyncio || (name == "create_task" && is_event_loop(&a.value, ctx))
                }
                _ => false,
            },
            Expr::Name(n) => matches!(
                ctx.imported_as(n.id.as_str()),
                Some("asyncio.create_task" | "asyncio.ensure_future")
            ),
            _ => false,
        };
        if spawns {
            // The call on one line, however it was wrapped.
            let one_line = ctx
                .text(call)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let text = truncate(&one_line.replace("( ", "(").replace(" )", ")"), 80);
            ctx.report(
                META.id,
                call.range(),
                format!("`{text}` starts a task and drops the only reference to it"),
                None,
            );
        }
    }
}
