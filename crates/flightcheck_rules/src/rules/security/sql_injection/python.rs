//! The Python half of `security/sql-injection`: per function, SQL built by f-string, `%`,
//! `.format()` or `+` and handed to a query call, with the interpolated values traced
//! through the function's own assignments.

use super::{META, Taint, identifier_like, message};
use flightcheck_core::Severity;
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;
use std::collections::HashMap;

pub(super) struct SqlInjectionPy;

/// How deep a value is traced through assignments (`a = b; b = c; ...`).
const MAX_DEPTH: u8 = 6;

impl PyFileRule for SqlInjectionPy {
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
        if body.sinks.is_empty() {
            return;
        }
        let tracer = Tracer::new(func, &body.assigned, ctx);
        let mut found = Vec::new();
        for (call, sink) in &body.sinks {
            let Some(sql) = call.arguments.args.first() else {
                continue;
            };
            let Some((how, taint)) = tracer.built_sql(sql, 0) else {
                continue;
            };
            let (severity, text) = match &taint {
                Taint::Request(what) => (None, message(&how, what, sink, true)),
                Taint::Param(what) => (Some(Severity::Medium), message(&how, what, sink, false)),
                Taint::Safe | Taint::Unknown => continue,
            };
            found.push((call.range(), text, severity));
        }
        for (range, text, severity) in found {
            ctx.report(META.id, range, text, severity);
        }
    }
}

/// The function's assignments by name and its query calls; nested functions and classes
/// are left to their own visit.
#[derive(Default)]
pub(in crate::rules::security) struct BodyScan<'a> {
    pub assigned: HashMap<&'a str, Vec<&'a Expr>>,
    sinks: Vec<(&'a ast::ExprCall, String)>,
    /// Every call in the body (for `security/input-unvalidated`).
    pub calls: Vec<&'a ast::ExprCall>,
}

impl<'a> BodyScan<'a> {
    /// The assignments and calls of `func`'s own body (nested functions and classes are
    /// their own scans).
    pub(in crate::rules::security) fn of(func: &'a ast::StmtFunctionDef) -> Self {
        let mut body = Self::default();
        for stmt in &func.body {
            body.visit_stmt(stmt);
        }
        body
    }
}

impl<'a> Visitor<'a> for BodyScan<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(a) => {
                for target in &a.targets {
                    if let Expr::Name(n) = target {
                        self.assigned
                            .entry(n.id.as_str())
                            .or_default()
                            .push(&a.value);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                    self.assigned.entry(n.id.as_str()).or_default().push(value);
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    self.assigned
                        .entry(n.id.as_str())
                        .or_default()
                        .push(&a.value);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Lambda(_) = expr {
            return;
        }
        if let Expr::Named(n) = expr
            && let Expr::Name(name) = &*n.target
        {
            self.assigned
                .entry(name.id.as_str())
                .or_default()
                .push(&n.value);
        }
        if let Expr::Call(call) = expr {
            self.calls.push(call);
            if let Some(sink) = sink_name(&call.func) {
                self.sinks.push((call, sink));
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// The query call as written (`cursor.execute`, `text`), when `func` is one.
fn sink_name(func: &Expr) -> Option<String> {
    match func {
        Expr::Attribute(a) => {
            let method = a.attr.as_str();
            let is_sink = matches!(
                method,
                "execute"
                    | "executemany"
                    | "executescript"
                    | "fetch"
                    | "fetchrow"
                    | "fetchval"
                    | "fetch_all"
                    | "fetch_one"
                    | "fetch_val"
                    | "raw"
                    | "mogrify"
                    | "text"
            );
            if !is_sink {
                return None;
            }
            let receiver = match &*a.value {
                Expr::Name(n) => n.id.as_str().to_string(),
                Expr::Attribute(inner) => inner.attr.as_str().to_string(),
                Expr::Call(_) => "(...)".to_string(),
                _ => "…".to_string(),
            };
            Some(format!("{receiver}.{method}"))
        }
        Expr::Name(n) if n.id.as_str() == "text" => Some("text".to_string()),
        _ => None,
    }
}

pub(in crate::rules::security) struct Tracer<'a, 'c, 's> {
    assigned: &'c HashMap<&'a str, Vec<&'a Expr>>,
    /// Parameters of this function: name → is request data (an HTTP route's path/query
    /// parameter without a validating type).
    params: HashMap<&'a str, bool>,
    function: &'a str,
    ctx: &'c PyRuleContext<'s>,
}

/// The sink calls of the Python function `node` (the calls `sink` picks, with the value it
/// names), each judged by `judge` with the function's tracer: the shared walk of the Python
/// taint rules. Owned results, so the caller can report through `ctx` afterwards.
pub(in crate::rules::security) fn traced_sinks<'a, S, T>(
    node: PyNode<'a>,
    ctx: &PyRuleContext<'_>,
    sink: impl Fn(&'a ast::ExprCall, &PyRuleContext) -> Option<(S, &'a Expr)>,
    judge: impl Fn(&Tracer<'a, '_, '_>, &'a Expr, &BodyScan<'a>) -> Option<T>,
) -> Vec<(ruff_text_size::TextRange, S, T)> {
    let PyNode::Stmt(Stmt::FunctionDef(func)) = node else {
        return Vec::new();
    };
    let body = BodyScan::of(func);
    let tracer = Tracer::new(func, &body.assigned, ctx);
    let mut found = Vec::new();
    for call in &body.calls {
        let Some((name, value)) = sink(call, ctx) else {
            continue;
        };
        if let Some(verdict) = judge(&tracer, value, &body) {
            found.push((call.range(), name, verdict));
        }
    }
    found
}

impl<'a, 'c, 's> Tracer<'a, 'c, 's> {
    pub(in crate::rules::security) fn new(
        func: &'a ast::StmtFunctionDef,
        assigned: &'c HashMap<&'a str, Vec<&'a Expr>>,
        ctx: &'c PyRuleContext<'s>,
    ) -> Self {
        let route = func
            .decorator_list
            .iter()
            .any(|d| is_route_decorator(&d.expression));
        let mut params = HashMap::new();
        for p in func.parameters.iter_non_variadic_params() {
            let name = p.parameter.name.as_str();
            if matches!(name, "self" | "cls") {
                continue;
            }
            // A typed parameter is validated (FastAPI converts `int`, pydantic models) or is
            // not a string at all; `Depends(...)` defaults are injected objects.
            let annotation = p.parameter.annotation.as_deref().map(|a| ctx.text(a));
            let numeric = annotation.is_some_and(|a| {
                matches!(
                    a.trim(),
                    "int" | "float" | "bool" | "UUID" | "uuid.UUID" | "datetime"
                )
            });
            if numeric {
                continue;
            }
            let injected = p
                .default
                .as_deref()
                .is_some_and(|d| matches!(d, Expr::Call(_)));
            let stringish = annotation
                .is_none_or(|a| matches!(a.trim(), "str" | "Optional[str]" | "str | None"));
            params.insert(
                name,
                route && !injected && stringish && !is_object_param(name),
            );
        }
        Self {
            assigned,
            params,
            function: func.name.as_str(),
            ctx,
        }
    }

    /// When `sql` is SQL text built by interpolation: how it was built and the worst
    /// value interpolated into it.
    fn built_sql(&self, sql: &'a Expr, depth: u8) -> Option<(String, Taint)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match sql {
            Expr::Name(n) => {
                let values = self.assigned.get(n.id.as_str())?;
                let mut best: Option<(String, Taint)> = None;
                for v in values {
                    if let Some((how, t)) = self.built_sql(v, depth + 1) {
                        best = Some(match best {
                            Some((h, bt)) if bt.rank() >= t.rank() => (h, bt),
                            _ => (how, t),
                        });
                    }
                }
                best
            }
            Expr::Call(c) if sink_name(&c.func).as_deref() == Some("text") => {
                self.built_sql(c.arguments.args.first()?, depth + 1)
            }
            Expr::FString(f) => {
                if !super::looks_like_sql_parts(&flightcheck_python::fstring_template(f, " x ")) {
                    return None;
                }
                let mut taint = Taint::Safe;
                for el in f.value.elements() {
                    if let ast::InterpolatedStringElement::Interpolation(i) = el {
                        taint = taint.worst(self.value(&i.expression, depth + 1));
                    }
                }
                Some(("an f-string".to_string(), taint))
            }
            Expr::BinOp(b) if matches!(b.op, ast::Operator::Mod) => {
                let Expr::StringLiteral(s) = &*b.left else {
                    return None;
                };
                if !super::looks_like_sql_parts(s.value.to_str()) {
                    return None;
                }
                Some((
                    "`%` formatting".to_string(),
                    self.value(&b.right, depth + 1),
                ))
            }
            Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
                let mut parts = Vec::new();
                flatten_add(sql, &mut parts);
                let statics: String = parts
                    .iter()
                    .map(|p| match p {
                        Expr::StringLiteral(s) => s.value.to_str().to_string(),
                        _ => " x ".to_string(),
                    })
                    .collect();
                if !super::looks_like_sql_parts(&statics) {
                    return None;
                }
                let mut taint = Taint::Safe;
                for p in parts
                    .iter()
                    .filter(|p| !matches!(p, Expr::StringLiteral(_)))
                {
                    taint = taint.worst(self.value(p, depth + 1));
                }
                Some(("string concatenation".to_string(), taint))
            }
            Expr::Call(c) => {
                let Expr::Attribute(a) = &*c.func else {
                    return None;
                };
                if a.attr.as_str() != "format" {
                    return None;
                }
                let Expr::StringLiteral(s) = &*a.value else {
                    return None;
                };
                if !super::looks_like_sql_parts(s.value.to_str()) {
                    return None;
                }
                let mut taint = Taint::Safe;
                for arg in c.arguments.args.iter() {
                    taint = taint.worst(self.value(arg, depth + 1));
                }
                for kw in c.arguments.keywords.iter() {
                    taint = taint.worst(self.value(&kw.value, depth + 1));
                }
                Some(("`.format()`".to_string(), taint))
            }
            _ => None,
        }
    }

    /// Where an interpolated value comes from.
    pub(in crate::rules::security) fn value(&self, e: &'a Expr, depth: u8) -> Taint {
        if depth > MAX_DEPTH {
            return Taint::Unknown;
        }
        if let Some(what) = request_data(e, self.ctx) {
            return Taint::Request(what);
        }
        match e {
            Expr::StringLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::BytesLiteral(_) => Taint::Safe,
            Expr::Name(n) => {
                let name = n.id.as_str();
                if is_constant_name(name) {
                    return Taint::Safe;
                }
                if let Some(values) = self.assigned.get(name) {
                    return values
                        .iter()
                        .fold(Taint::Safe, |t, v| t.worst(self.value(v, depth + 1)));
                }
                match self.params.get(name) {
                    Some(true) => Taint::Request(format!(
                        "`{name}`, a parameter of the route handler `{}`",
                        self.function
                    )),
                    Some(false) if !identifier_like(name) => {
                        Taint::Param(format!("`{name}`, a parameter of `{}`", self.function))
                    }
                    _ => Taint::Unknown,
                }
            }
            Expr::Call(c) => {
                // Casts and counts give numbers; `", ".join(...)` of placeholders is safe.
                if let Expr::Name(f) = &*c.func
                    && matches!(
                        f.id.as_str(),
                        "int" | "float" | "len" | "bool" | "abs" | "round"
                    )
                {
                    return Taint::Safe;
                }
                if let Expr::Attribute(a) = &*c.func {
                    if a.attr.as_str() == "join" && matches!(&*a.value, Expr::StringLiteral(_)) {
                        return c
                            .arguments
                            .args
                            .iter()
                            .fold(Taint::Safe, |t, arg| t.worst(self.value(arg, depth + 1)));
                    }
                    // A method of a value (`name.strip()`, `text.split()[1]`) keeps its origin.
                    if matches!(
                        a.attr.as_str(),
                        "strip"
                            | "lower"
                            | "upper"
                            | "split"
                            | "replace"
                            | "get"
                            | "lstrip"
                            | "rstrip"
                            | "removeprefix"
                            | "removesuffix"
                            | "casefold"
                    ) {
                        return self.value(&a.value, depth + 1);
                    }
                }
                Taint::Unknown
            }
            Expr::Subscript(s) => {
                // `ALLOWED[key]`, `{"a": "x"}[key]`: a lookup in a literal map is whitelisted.
                if matches!(&*s.value, Expr::Dict(_))
                    || matches!(&*s.value, Expr::Name(n) if is_constant_name(n.id.as_str()))
                {
                    return Taint::Safe;
                }
                self.value(&s.value, depth + 1)
            }
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(n)
                    if matches!(n.id.as_str(), "self" | "cls" | "settings" | "config") =>
                {
                    Taint::Unknown
                }
                _ => {
                    if is_constant_name(a.attr.as_str()) {
                        Taint::Safe
                    } else {
                        self.value(&a.value, depth + 1)
                    }
                }
            },
            Expr::BinOp(b) => {
                if matches!(b.op, ast::Operator::Mult) {
                    // `["?"] * len(ids)`: repeated placeholders.
                    return self.value(&b.left, depth + 1);
                }
                self.value(&b.left, depth + 1)
                    .worst(self.value(&b.right, depth + 1))
            }
            Expr::Tuple(t) => t
                .elts
                .iter()
                .fold(Taint::Safe, |acc, x| acc.worst(self.value(x, depth + 1))),
            Expr::List(t) => t
                .elts
                .iter()
                .fold(Taint::Safe, |acc, x| acc.worst(self.value(x, depth + 1))),
            Expr::Dict(d) => d.items.iter().fold(Taint::Safe, |acc, x| {
                acc.worst(self.value(&x.value, depth + 1))
            }),
            Expr::Generator(g) => self.value(&g.elt, depth + 1),
            Expr::ListComp(g) => self.value(&g.elt, depth + 1),
            Expr::FString(f) => {
                let mut taint = Taint::Safe;
                for el in f.value.elements() {
                    if let ast::InterpolatedStringElement::Interpolation(i) = el {
                        taint = taint.worst(self.value(&i.expression, depth + 1));
                    }
                }
                taint
            }
            Expr::If(i) => self
                .value(&i.body, depth + 1)
                .worst(self.value(&i.orelse, depth + 1)),
            Expr::Await(a) => self.value(&a.value, depth + 1),
            // `request.args.get("base") or DEFAULT`: either operand may be the value.
            Expr::BoolOp(b) => b
                .values
                .iter()
                .fold(Taint::Safe, |acc, x| acc.worst(self.value(x, depth + 1))),
            _ => Taint::Unknown,
        }
    }
}

/// Request or chat-message data, read directly: `request.args[...]`, `request.form.get()`,
/// `message.text`, `call.data`, `context.args`, `update.message.text`.
fn request_data(e: &Expr, ctx: &PyRuleContext) -> Option<String> {
    let mut chain = Vec::new();
    let mut cur = e;
    loop {
        match cur {
            Expr::Attribute(a) => {
                chain.push(a.attr.as_str());
                cur = &a.value;
            }
            Expr::Call(c) => cur = &c.func,
            Expr::Subscript(s) => cur = &s.value,
            Expr::Await(a) => cur = &a.value,
            Expr::Name(n) => {
                chain.push(n.id.as_str());
                break;
            }
            _ => return None,
        }
    }
    chain.reverse();
    let root = chain.first().copied()?;
    let hit = match root {
        "request" | "req" => chain.get(1).is_some_and(|a| {
            matches!(
                *a,
                "args"
                    | "form"
                    | "json"
                    | "values"
                    | "data"
                    | "get_json"
                    | "GET"
                    | "POST"
                    | "body"
                    | "query_params"
                    | "path_params"
                    | "match_info"
                    | "query"
                    | "headers"
                    | "cookies"
                    | "post"
            )
        }),
        "message" | "msg" => chain
            .get(1)
            .is_some_and(|a| matches!(*a, "text" | "caption" | "content")),
        "call" | "callback" | "callback_query" | "query" | "cq" => {
            chain.get(1).is_some_and(|a| *a == "data") && chain.len() == 2
        }
        "context" | "ctx" => chain.get(1).is_some_and(|a| *a == "args"),
        "command" => chain.get(1).is_some_and(|a| *a == "args"),
        "update" => chain
            .iter()
            .any(|a| matches!(*a, "text" | "data" | "caption")),
        _ => false,
    };
    hit.then(|| format!("`{}`", ctx.text(e)))
}

fn flatten_add<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
            flatten_add(&b.left, out);
            flatten_add(&b.right, out);
        }
        _ => out.push(e),
    }
}

/// `TABLE`, `USERS_TABLE`: a module constant by convention.
fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// Parameters that hold framework objects rather than values.
fn is_object_param(name: &str) -> bool {
    matches!(
        name,
        "request"
            | "req"
            | "message"
            | "msg"
            | "call"
            | "update"
            | "context"
            | "ctx"
            | "state"
            | "db"
            | "session"
            | "conn"
            | "cursor"
            | "bot"
            | "background_tasks"
            | "response"
    )
}

/// `@app.get("/x")`, `@router.post(...)`, `@app.route(...)`, `@bp.route(...)`.
pub(in crate::rules::security) fn is_route_decorator(e: &Expr) -> bool {
    let Expr::Call(c) = e else {
        return false;
    };
    let Expr::Attribute(a) = &*c.func else {
        return false;
    };
    matches!(
        a.attr.as_str(),
        "get" | "post" | "put" | "patch" | "delete" | "route" | "api_route"
    ) && c
        .arguments
        .args
        .first()
        .is_some_and(|p| matches!(p, Expr::StringLiteral(s) if s.value.to_str().starts_with('/')))
}
