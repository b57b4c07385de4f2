//! `security/code-injection`: request or chat-message data handed to `eval` and its kin,
//! which run it as code in the server process.

use super::sql_injection::Taint;
use super::sql_injection::js::Tracer as JsTracer;
use super::sql_injection::python::{BodyScan, Tracer as PyTracer, traced_sinks};
use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Argument, Expression};
use oxc_ast::{AstKind, AstType};
use oxc_semantic::AstNode;
use oxc_span::GetSpan;
use ruff_python_ast::{self as ast, Expr, NodeKind};

pub static META: RuleMeta = RuleMeta {
    id: "security/code-injection",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Request or chat-message data is run as code (`eval`, `new Function`, `vm`, `exec`)",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds calls that run a string as code, and traces their argument through the function's
variables as in `security/sql-injection`:
- Node: `eval(x)`, `new Function(..., x)`, `Function(x)`, `vm.runInNewContext(x)`,
  `vm.runInThisContext(x)`, `vm.runInContext(x)`, `vm.compileFunction(x)`, `new vm.Script(x)`;
- Python: `eval(x)`, `exec(x)`, `compile(x, …)`;

and reports the call when any part of the code comes from the request or the chat message:
`req.body.type`, `"handlers." + req.query.name`, a variable every assignment of which is
request data or a literal (`let data; if (req.body.type) data = req.body; else data =
req.query;`), `ctx.callbackQuery.data`, aiogram's `call.data`, `message.text`,
`request.args.get("expr")`.

High, not blocker, when the code is the result of a project helper called with request data
(`eval(helpers.get_callback_data(call.data))`): the helper most likely hands a part of the
data back, but what it returns was not traced.

Not flagged: code built only from literals and constants, values the tracer cannot follow
(a call result, a field of `this`), function parameters not traced to the request,
`JSON.parse`, `ast.literal_eval`, a local function or an import that happens to be called `eval`, and
code nothing runs.

## Why it breaks production
Whoever sends the request or the message writes code the server runs with its own
rights: read the environment (every token and database password), the files, the database,
or start a shell. `"handlers." + type` looks like a dispatch table, but
`type=constructor.constructor('return process')().mainModule.require('child_process').execSync('id')`
is a remote shell. A bot is no safer: callback data is sent by the client, and anyone can
craft it.

## Flagged
```js
app.post('/hook', (req, res) => {
  const handler = eval('handlers.' + req.body.type);
  handler(req.body);
  res.sendStatus(200);
});
```
```python
@router.callback_query(F.data.startswith("calc:"))
async def calc(call: CallbackQuery):
    await call.answer(str(eval(call.data)))
```

## Not flagged
```js
const handler = Object.hasOwn(handlers, req.body.type) ? handlers[req.body.type] : null;
```
```python
value = ast.literal_eval(call.data)
```

## Fix
Look the name up in a fixed map (`Object.hasOwn(handlers, type) && handlers[type]`, a
`dict` of handlers), parse data with `JSON.parse`/`json.loads`/`ast.literal_eval`, and never
build code from input.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&CodeInjectionJs),
    python: Some(&CodeInjectionPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Anyone who can send a request or a message runs code in the server process: every secret in its environment, its files and its database are theirs.",
        fix: "Look names up in a fixed map and parse data with JSON.parse / json.loads / ast.literal_eval; never build code from input.",
        verify: "Send `1+1` or `constructor` as the value: the service must reject it, not evaluate it.",
    },
};

fn message(sink: &str, what: &str) -> String {
    format!(
        "`{sink}` runs code built from {what}: whoever sends it runs code in the server process"
    )
}

struct CodeInjectionJs;

/// The name of a code-running call and the arguments that become code.
fn js_sink<'b, 'a>(
    callee: &'b Expression<'a>,
    args: &'b [Argument<'a>],
    is_new: bool,
    global: impl Fn(&oxc_ast::ast::IdentifierReference<'a>) -> bool,
) -> Option<(String, Vec<&'b Expression<'a>>)> {
    let exprs = |all: bool| -> Vec<&'b Expression<'a>> {
        let it = args.iter().filter_map(Argument::as_expression);
        if all {
            it.collect()
        } else {
            it.take(1).collect()
        }
    };
    match callee.get_inner_expression() {
        Expression::Identifier(id) if global(id) => match id.name.as_str() {
            "eval" if !is_new => Some(("eval".into(), exprs(false))),
            // `new Function('a', 'b', body)`: every argument is source text.
            "Function" => Some(("Function".into(), exprs(true))),
            _ => None,
        },
        other => {
            let m = other.as_member_expression()?;
            let method = m.static_property_name()?;
            let Expression::Identifier(object) = m.object().get_inner_expression() else {
                return None;
            };
            let name = format!("{}.{method}", object.name);
            let runs = match (object.name.as_str(), method) {
                ("vm", "Script") => is_new,
                (
                    "vm",
                    "runInNewContext" | "runInThisContext" | "runInContext" | "compileFunction",
                ) => !is_new,
                ("window" | "globalThis" | "global", "eval") => !is_new,
                _ => false,
            };
            runs.then(|| (name, exprs(false)))
        }
    }
}

impl JsFileRule for CodeInjectionJs {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression, AstType::NewExpression]
    }

    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
        let semantic = ctx.semantic;
        // `eval` and `Function` the program itself does not declare.
        let global = |id: &oxc_ast::ast::IdentifierReference<'a>| {
            id.reference_id
                .get()
                .is_none_or(|r| semantic.scoping().get_reference(r).symbol_id().is_none())
        };
        let (span, sink) = match node.kind() {
            AstKind::CallExpression(c) => (c.span, js_sink(&c.callee, &c.arguments, false, global)),
            AstKind::NewExpression(n) => (n.span, js_sink(&n.callee, &n.arguments, true, global)),
            _ => return,
        };
        let Some((name, code)) = sink else { return };
        let tracer = JsTracer {
            semantic: ctx.semantic,
            source: ctx.source,
        };
        let found = code.iter().find_map(|e| match tracer.value(e, 0) {
            Taint::Request(what) => Some((what, None)),
            _ => js_through_helper(&tracer, e).map(|what| (what, Some(Severity::High))),
        });
        if let Some((what, severity)) = found {
            let span = code.first().map_or(span, |e| span.merge(e.span()));
            ctx.report(META.id, span, message(&name, &what), severity);
        }
    }
}

/// Calls that turn their argument into plain data or a quoted literal, never into code.
const PARSERS: &[&str] = &[
    "JSON.parse",
    "JSON.stringify",
    "encodeURIComponent",
    "json.dumps",
    "repr",
    "Number",
    "parseInt",
    "parseFloat",
    "Boolean",
    "String",
    "int",
    "float",
    "bool",
    "len",
    "str",
    "json.loads",
    "ast.literal_eval",
    "literal_eval",
];

/// `const code = helper(req.body.x)`: a call of something other than a parser with request
/// data as an argument, the value the helper returns untraced.
fn js_through_helper<'a>(tracer: &JsTracer<'_, 'a>, e: &Expression<'a>) -> Option<String> {
    let call = match e.get_inner_expression() {
        Expression::CallExpression(c) => c,
        Expression::Identifier(id) => match tracer.declared_init(id)?.get_inner_expression() {
            Expression::CallExpression(c) => c,
            _ => return None,
        },
        _ => return None,
    };
    let callee = tracer
        .source
        .get(call.callee.span().start as usize..call.callee.span().end as usize)?;
    if PARSERS.contains(&callee) {
        return None;
    }
    call.arguments
        .iter()
        .filter_map(Argument::as_expression)
        .find_map(|a| match tracer.value(a, 0) {
            Taint::Request(what) => Some(format!("`{callee}(…)` of {what}")),
            _ => None,
        })
}

struct CodeInjectionPy;

/// Python twin of [`js_through_helper`]: the code is, or a variable is assigned, a call of a
/// non-parser with request data as an argument.
fn py_through_helper<'a>(
    tracer: &PyTracer<'a, '_, '_>,
    e: &'a Expr,
    body: &BodyScan<'a>,
    ctx: &PyRuleContext,
) -> Option<String> {
    let candidates: Vec<&'a Expr> = match e {
        Expr::Name(n) => body.assigned.get(n.id.as_str())?.clone(),
        other => vec![other],
    };
    candidates.into_iter().find_map(|v| {
        let Expr::Call(call) = v else { return None };
        let callee = ctx.text(&*call.func);
        if PARSERS.contains(&callee) {
            return None;
        }
        call.arguments
            .args
            .iter()
            .find_map(|a| match tracer.value(a, 0) {
                Taint::Request(what) => Some(format!("`{callee}(…)` of {what}")),
                _ => None,
            })
    })
}

/// The builtin a call runs code with, and the argument that is the code.
fn py_sink<'a>(call: &'a ast::ExprCall, ctx: &PyRuleContext) -> Option<(String, &'a Expr)> {
    let func = ctx.text(&*call.func);
    let name = func.strip_prefix("builtins.").unwrap_or(func);
    if !matches!(name, "eval" | "exec" | "compile") {
        return None;
    }
    let code = call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "source"))
            .map(|k| &k.value)
    })?;
    Some((name.to_string(), code))
}

impl PyFileRule for CodeInjectionPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let read: &PyRuleContext = ctx;
        let found = traced_sinks(node, read, py_sink, |tracer, code, body| {
            match tracer.value(code, 0) {
                Taint::Request(what) => Some((what, Severity::Blocker)),
                _ => py_through_helper(tracer, code, body, read).map(|what| (what, Severity::High)),
            }
        });
        for (range, name, (what, severity)) in found {
            // `from simpleeval import eval`: an imported name, not the builtin.
            if ctx
                .imported_as(&name)
                .is_some_and(|full| full != format!("builtins.{name}"))
            {
                continue;
            }
            ctx.report(META.id, range, message(&name, &what), Some(severity));
        }
    }
}
