//! `security/input-unvalidated`: an HTTP handler hands request data, unchecked, to a shell
//! command, a file path or a database write of the whole body.

use super::sql_injection::Taint;
use super::sql_injection::js::Tracer as JsTracer;
use super::sql_injection::python::{BodyScan, Tracer as PyTracer};
use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Argument, CallExpression, Expression, ObjectPropertyKind};
use oxc_ast::{AstKind, AstType};
use oxc_semantic::AstNode;
use ruff_python_ast::{self as ast, Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "security/input-unvalidated",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "An HTTP handler passes request data to a shell command, a file path or a database write without validation",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds request data (traced through the handler's variables, as in `security/sql-injection`)
that reaches, unchecked:

- a shell command: `exec`/`execSync`/`spawn`/`execFile` (Node), `os.system`, `os.popen`,
  `subprocess.*(..., shell=True)` (Python);
- a file path: `res.sendFile`, `res.download`, `fs.readFile`/`writeFile`/`createReadStream`/
  `unlink`/`rm` (Node), `open()`, `os.remove`, `shutil.rmtree`, `send_file` (Python);
- a database write of the whole body (mass assignment): `Model.create(req.body)`,
  `insertOne(req.body)`, `prisma.user.update({ data: req.body })`, `{ ...req.body }`,
  `User(**request.json)`, `insert_one(request.get_json())`.

Precision first: a file that uses a validation library or schema — zod, joi, yup,
express-validator, celebrate, class-validator, ajv, superstruct, valibot, TypeBox;
pydantic, marshmallow, WTForms, Django forms, DRF serializers, cerberus — or sanitises paths
(`basename`, `startsWith`) is not flagged. FastAPI parameters are validated by their
annotations and are never request data here; NestJS DTOs behind `ValidationPipe` are not
`req.body`.

## Why it breaks production
Unchecked input in a shell command runs the attacker's commands on the server; in a file path
(`../../.env`) it reads or overwrites any file the process can; a whole body written to a
model sets fields the form never offered (`isAdmin: true`, `balance`, `ownerId`).

## Flagged
```js
app.post('/users/:id', async (req, res) => {
  await User.findByIdAndUpdate(req.params.id, req.body);   // any field, including role
  res.sendFile(path.join(UPLOADS, req.query.file));         // ../../ escapes UPLOADS
});
```

## Not flagged
```js
const Update = z.object({ name: z.string().max(80) });
app.post('/users/:id', async (req, res) => {
  await User.findByIdAndUpdate(req.params.id, Update.parse(req.body));
  res.sendFile(path.basename(req.query.file), { root: UPLOADS });
});
```
```python
@app.post("/users")
async def create(user: UserIn):          # pydantic validates
    db.add(User(**user.model_dump()))
```

## Fix
Validate the request with a schema (zod/joi/express-validator, pydantic/marshmallow/forms)
and pass only the validated fields; pass arguments to commands as an array without a shell;
resolve file names against a fixed directory and reject anything outside it.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&InputJs),
    python: Some(&InputPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Request data reaches a command, a file path or a whole-record write unchecked: command execution, path traversal or mass assignment.",
        fix: "Validate with a schema and pass only validated fields; no shell; resolve files inside a fixed directory.",
        verify: "Send `; id`, `../../etc/passwd` or an extra `isAdmin: true` field: expect a 400, not a command, a file or a changed field.",
    },
};

/// Words that mean the file validates or sanitises its input somewhere.
const VALIDATION_HINTS: &[&str] = &[
    "zod",
    "'joi'",
    "\"joi\"",
    "Joi.",
    "yup",
    "express-validator",
    "celebrate",
    "class-validator",
    "ajv",
    "superstruct",
    "valibot",
    "typebox",
    "validate",
    "Validate",
    "schema:",
    "Schema.parse",
    "schema.parse",
    "sanitize",
    "basename",
    "startsWith",
    "pydantic",
    "marshmallow",
    "wtforms",
    "Form(",
    "serializer",
    "Serializer",
    "cerberus",
    "voluptuous",
    "secure_filename",
    "shlex.quote",
    "is_valid",
    "isValid",
    "allowed",
];

fn validated(source: &str) -> bool {
    VALIDATION_HINTS.iter().any(|h| source.contains(h))
}

struct InputJs;

impl JsFileRule for InputJs {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression]
    }

    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
        let AstKind::CallExpression(call) = node.kind() else {
            return;
        };
        let Some((kind, name)) = js_sink(call) else {
            return;
        };
        let tracer = JsTracer {
            semantic: ctx.semantic,
            source: ctx.source,
        };
        let what = match kind {
            Sink::Shell | Sink::File => {
                let args: Vec<&Expression> = match kind {
                    Sink::File => call
                        .arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .into_iter()
                        .collect(),
                    _ => call
                        .arguments
                        .iter()
                        .filter_map(Argument::as_expression)
                        .collect(),
                };
                args.into_iter().find_map(|a| js_request_value(&tracer, a))
            }
            Sink::WholeBody => call
                .arguments
                .iter()
                .filter_map(Argument::as_expression)
                .find_map(|a| js_whole_body(&tracer, a)),
        };
        let Some(what) = what else {
            return;
        };
        if validated(ctx.source) {
            return;
        }
        ctx.report(META.id, call.span, message(kind, &name, &what), None);
    }
}

#[derive(Clone, Copy)]
enum Sink {
    Shell,
    File,
    WholeBody,
}

fn message(kind: Sink, name: &str, what: &str) -> String {
    match kind {
        Sink::Shell => {
            format!("`{name}` runs a command built from request data ({what}) with no validation")
        }
        Sink::File => {
            format!("`{name}` uses a file path from request data ({what}) with no validation")
        }
        Sink::WholeBody => format!(
            "`{name}` writes the whole request body ({what}) to the database with no validation schema: any field can be set"
        ),
    }
}

fn js_sink(call: &CallExpression) -> Option<(Sink, String)> {
    let shell = [
        "exec",
        "execSync",
        "spawn",
        "spawnSync",
        "execFile",
        "execFileSync",
    ];
    if let Expression::Identifier(id) = &call.callee {
        let name = id.name.as_str();
        return shell
            .contains(&name)
            .then(|| (Sink::Shell, name.to_string()));
    }
    let member = call.callee.as_member_expression()?;
    let method = member.static_property_name()?;
    let object = match member.object() {
        Expression::Identifier(i) => i.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        _ => "",
    };
    let name = format!("{object}.{method}");
    let lower = object.to_ascii_lowercase();
    if shell.contains(&method) && (lower.contains("child") || lower == "cp" || lower == "shell") {
        return Some((Sink::Shell, name));
    }
    let fs_methods = [
        "readFile",
        "readFileSync",
        "writeFile",
        "writeFileSync",
        "createReadStream",
        "createWriteStream",
        "unlink",
        "unlinkSync",
        "rm",
        "rmSync",
        "appendFile",
        "appendFileSync",
    ];
    if (matches!(object, "fs" | "fsp" | "promises" | "fse") && fs_methods.contains(&method))
        || (matches!(object, "res" | "response" | "reply")
            && matches!(method, "sendFile" | "download"))
    {
        return Some((Sink::File, name));
    }
    // `crypto.createHmac(alg, key).update(body)` hashes the body (a signature check); no
    // database is written.
    if let Expression::CallExpression(inner) = member.object().get_inner_expression()
        && let Some(m) = inner.callee.as_member_expression()
        && matches!(
            m.static_property_name(),
            Some(
                "createHmac"
                    | "createHash"
                    | "createCipheriv"
                    | "createDecipheriv"
                    | "createSign"
                    | "createVerify"
            )
        )
    {
        return None;
    }
    let writes = [
        "create",
        "insertOne",
        "insertMany",
        "insert",
        "updateOne",
        "updateMany",
        "findByIdAndUpdate",
        "findOneAndUpdate",
        "upsert",
        "update",
        "bulkCreate",
    ];
    writes.contains(&method).then_some((Sink::WholeBody, name))
}

/// Request data in a shell/file argument, looking inside `path.join(...)` too.
fn js_request_value(tracer: &JsTracer, e: &Expression) -> Option<String> {
    if let Expression::CallExpression(c) = e.get_inner_expression()
        && let Some(m) = c.callee.as_member_expression()
        && matches!(m.static_property_name(), Some("join" | "resolve"))
        && matches!(m.object(), Expression::Identifier(i) if i.name.as_str() == "path")
    {
        return c
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .find_map(|a| js_request_value(tracer, a));
    }
    match tracer.value(e, 0) {
        Taint::Request(what) => Some(what),
        _ => None,
    }
}

/// The whole request body (not one field of it): `req.body`, `ctx.request.body`, a
/// variable holding it, `{ ...req.body }`, `{ data: req.body }`.
fn js_whole_body(tracer: &JsTracer, e: &Expression) -> Option<String> {
    let e = e.get_inner_expression();
    let text = tracer
        .source
        .get(e.span_start()..e.span_end())
        .unwrap_or("");
    if matches!(text, "req.body" | "request.body" | "ctx.request.body") {
        return Some(format!("`{text}`"));
    }
    match e {
        Expression::Identifier(id) => {
            let reference = id.reference_id.get()?;
            let symbol = tracer
                .semantic
                .scoping()
                .get_reference(reference)
                .symbol_id()?;
            match tracer.semantic.symbol_declaration(symbol).kind() {
                AstKind::VariableDeclarator(d)
                    if matches!(d.id, oxc_ast::ast::BindingPattern::BindingIdentifier(_)) =>
                {
                    let init = d.init.as_ref()?;
                    js_whole_body(tracer, init).map(|w| format!("`{}` = {w}", id.name.as_str()))
                }
                _ => None,
            }
        }
        Expression::ObjectExpression(o) => o.properties.iter().find_map(|p| match p {
            ObjectPropertyKind::SpreadProperty(s) => js_whole_body(tracer, &s.argument),
            ObjectPropertyKind::ObjectProperty(p)
                if p.key.static_name().as_deref() == Some("data") =>
            {
                js_whole_body(tracer, &p.value)
            }
            _ => None,
        }),
        _ => None,
    }
}

trait SpanOffsets {
    fn span_start(&self) -> usize;
    fn span_end(&self) -> usize;
}

impl SpanOffsets for Expression<'_> {
    fn span_start(&self) -> usize {
        oxc_span::GetSpan::span(self).start as usize
    }
    fn span_end(&self) -> usize {
        oxc_span::GetSpan::span(self).end as usize
    }
}

struct InputPy;

impl PyFileRule for InputPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Stmt(Stmt::FunctionDef(func)) = node else {
            return;
        };
        let body = BodyScan::of(func);
        let mut found = Vec::new();
        {
            let tracer = PyTracer::new(func, &body.assigned, ctx);
            for call in &body.calls {
                let Some((kind, name)) = py_sink(call, ctx) else {
                    continue;
                };
                let what = match kind {
                    Sink::Shell => call
                        .arguments
                        .args
                        .iter()
                        .find_map(|a| request_taint(&tracer, a)),
                    Sink::File => call
                        .arguments
                        .args
                        .first()
                        .and_then(|a| request_taint(&tracer, a)),
                    Sink::WholeBody => call
                        .arguments
                        .keywords
                        .iter()
                        .filter(|k| k.arg.is_none())
                        .map(|k| &k.value)
                        .chain(call.arguments.args.iter())
                        .find_map(|a| py_whole_body(a, &body, ctx, 0)),
                };
                if let Some(what) = what {
                    found.push((call.range(), message(kind, &name, &what)));
                }
            }
        }
        if found.is_empty() || validated(ctx.source) {
            return;
        }
        for (range, text) in found {
            ctx.report(META.id, range, text, None);
        }
    }
}

fn request_taint<'a>(tracer: &PyTracer<'a, '_, '_>, e: &'a Expr) -> Option<String> {
    // `os.path.join(BASE, name)`: look at the parts.
    if let Expr::Call(c) = e
        && let Expr::Attribute(a) = &*c.func
        && a.attr.as_str() == "join"
    {
        return c
            .arguments
            .args
            .iter()
            .find_map(|x| request_taint(tracer, x));
    }
    match tracer.value(e, 0) {
        Taint::Request(what) => Some(what),
        _ => None,
    }
}

fn py_sink(call: &ast::ExprCall, ctx: &PyRuleContext) -> Option<(Sink, String)> {
    let func = ctx.text(&*call.func);
    let shell_kw = call.arguments.keywords.iter().any(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "shell")
            && matches!(k.value, Expr::BooleanLiteral(ref b) if b.value)
    });
    let kind = match func {
        "os.system" | "os.popen" => Sink::Shell,
        "subprocess.run"
        | "subprocess.call"
        | "subprocess.Popen"
        | "subprocess.check_output"
        | "subprocess.check_call"
            if shell_kw =>
        {
            Sink::Shell
        }
        "open" | "os.remove" | "os.unlink" | "shutil.rmtree" | "send_file" | "flask.send_file" => {
            Sink::File
        }
        _ => {
            let last = func.rsplit('.').next().unwrap_or(func);
            let class_like = last.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            let splat = call.arguments.keywords.iter().any(|k| k.arg.is_none());
            if matches!(last, "insert_one" | "insert_many" | "update_one" | "create")
                || (class_like && splat)
            {
                Sink::WholeBody
            } else {
                return None;
            }
        }
    };
    Some((kind, func.to_string()))
}

/// The whole parsed body: `request.json`, `request.get_json()`, `request.form`,
/// `await request.json()`, or a local variable holding it.
fn py_whole_body(e: &Expr, body: &BodyScan, ctx: &PyRuleContext, depth: u8) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let e = match e {
        Expr::Await(a) => &*a.value,
        other => other,
    };
    let text = ctx.text(e);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(
        compact.as_str(),
        "request.json"
            | "request.get_json()"
            | "request.get_json(force=True)"
            | "request.form"
            | "request.json()"
            | "request.data"
            | "request.POST"
            | "request.form.to_dict()"
    ) {
        return Some(format!("`{text}`"));
    }
    if let Expr::Name(n) = e {
        let values = body.assigned.get(n.id.as_str())?;
        if values.len() != 1 {
            return None;
        }
        return py_whole_body(values[0], body, ctx, depth + 1)
            .map(|w| format!("`{}` = {w}", n.id.as_str()));
    }
    None
}
