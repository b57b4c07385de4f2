//! Per-file rules for Python, dispatched by node kind from the one walk that also extracts
//! facts.

use flightcheck_core::{FileFinding, Severity, Span};
use ruff_python_ast::{AnyNodeRef, Expr, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

/// A node handed to a rule.
#[derive(Clone, Copy)]
pub enum PyNode<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

impl PyNode<'_> {
    pub fn kind(&self) -> NodeKind {
        match self {
            Self::Stmt(s) => AnyNodeRef::from(*s).kind(),
            Self::Expr(e) => AnyNodeRef::from(*e).kind(),
        }
    }
}

/// An enclosing function.
#[derive(Debug, Clone)]
pub struct PyScope {
    pub name: String,
    pub is_async: bool,
    /// Local names the function binds only to a `pathlib.Path` it builds
    /// (`p = Path(name)`, `p = Path(base) / "x"`), so `p.read_bytes()` is file I/O.
    pub path_locals: Vec<String>,
    /// A hook the framework runs once before serving: discord.py `setup_hook`/`cog_load`,
    /// a function decorated `@app.on_event("startup")` or `@app.before_serving`. Its
    /// blocking calls delay the start, not users.
    pub startup_hook: bool,
    /// The body ends the process itself (`os.execv(...)`, `sys.exit()`, `os._exit()` as a
    /// statement of its own): a restart or shutdown command, whose blocking calls hold up a
    /// process that is going away anyway.
    pub ends_process: bool,
    /// Where the function starts serving: its first awaited call of a bot's or server's
    /// serve loop (`await dp.start_polling(bot)`, `await client.start(...)`,
    /// `await server.serve()`), at any depth of its own body. What runs before it is
    /// start-up: no user waits on it yet.
    pub serves_from: Option<ruff_text_size::TextSize>,
}

/// Methods whose awaited call runs a bot's or a server's serve loop.
const SERVE_LOOPS: [&str; 8] = [
    "start_polling",
    "run_polling",
    "infinity_polling",
    "polling",
    "start",
    "serve",
    "serve_forever",
    "run_forever",
];

/// Finds the first awaited call of a serve loop (outside nested functions).
struct AwaitsServeLoop(Option<ruff_text_size::TextSize>);

impl<'a> ruff_python_ast::visitor::Visitor<'a> for AwaitsServeLoop {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.0.is_some() {
            return;
        }
        if let Expr::Await(a) = expr
            && let Expr::Call(c) = &*a.value
            && let Expr::Attribute(attr) = &*c.func
            && SERVE_LOOPS.contains(&attr.attr.as_str())
        {
            self.0 = Some(expr.range().start());
            return;
        }
        ruff_python_ast::visitor::walk_expr(self, expr);
    }

    // A nested function's body runs when it is called, not here.
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.0.is_none() && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            ruff_python_ast::visitor::walk_stmt(self, stmt);
        }
    }
}

/// Where the body first awaits a serve loop, at any depth of its own statements (inside a
/// `try` around the whole start-up too).
fn serves_from(body: &[Stmt]) -> Option<ruff_text_size::TextSize> {
    use ruff_python_ast::visitor::Visitor;
    let mut v = AwaitsServeLoop(None);
    for stmt in body {
        v.visit_stmt(stmt);
    }
    v.0
}

/// Whether a top-level statement of `body` replaces or ends the process.
fn ends_process(body: &[Stmt], imported: &HashMap<String, String>) -> bool {
    body.iter().any(|stmt| {
        let Stmt::Expr(e) = stmt else {
            return false;
        };
        let Expr::Call(call) = &*e.value else {
            return false;
        };
        let Expr::Attribute(a) = &*call.func else {
            return false;
        };
        let Expr::Name(module) = &*a.value else {
            return false;
        };
        let attr = a.attr.as_str();
        match imported.get(module.id.as_str()).map(String::as_str) {
            Some("os") => attr.starts_with("exec") || attr == "_exit",
            Some("sys") => attr == "exit",
            _ => false,
        }
    })
}

/// Whether `def` is a hook its framework runs once before serving.
fn is_startup_hook(def: &ruff_python_ast::StmtFunctionDef) -> bool {
    if matches!(def.name.as_str(), "setup_hook" | "cog_load") {
        return true;
    }
    def.decorator_list.iter().any(|d| match &d.expression {
        // `@app.on_event("startup")`
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "on_event")
                && c.arguments.args.first().is_some_and(
                    |a| matches!(a, Expr::StringLiteral(s) if s.value.to_str() == "startup"),
                )
        }
        // `@app.before_serving` (Quart), `@app.on_startup`
        Expr::Attribute(a) => matches!(a.attr.as_str(), "before_serving" | "on_startup"),
        _ => false,
    })
}

impl PyScope {
    /// The scope of `def`, with its path locals resolved through `imported`.
    pub(crate) fn of(
        def: &ruff_python_ast::StmtFunctionDef,
        imported: &HashMap<String, String>,
    ) -> Self {
        let mut bound: Vec<(String, bool)> = Vec::new();
        collect_bindings(&def.body, imported, &mut bound);
        let path_locals = bound
            .iter()
            .filter(|(name, _)| bound.iter().filter(|(n, _)| n == name).all(|(_, p)| *p))
            .map(|(name, _)| name.clone())
            .fold(Vec::new(), |mut out: Vec<String>, n| {
                if !out.contains(&n) {
                    out.push(n);
                }
                out
            });
        Self {
            name: def.name.to_string(),
            is_async: def.is_async,
            path_locals,
            startup_hook: is_startup_hook(def),
            ends_process: ends_process(&def.body, imported),
            serves_from: serves_from(&def.body),
        }
    }
}

/// `Path(...)` / `pathlib.Path(...)` / `PurePath(...)` as imported in this file.
fn is_path_constructor(func: &Expr, imported: &HashMap<String, String>) -> bool {
    let qualified = match func {
        Expr::Name(n) => imported.get(n.id.as_str()).cloned(),
        Expr::Attribute(a) => match &*a.value {
            Expr::Name(m) => imported
                .get(m.id.as_str())
                .map(|q| format!("{q}.{}", a.attr.as_str())),
            _ => None,
        },
        _ => None,
    };
    matches!(
        qualified.as_deref(),
        Some("pathlib.Path" | "pathlib.PurePath")
    )
}

/// A value that is a path built right there: `Path(...)`, `Path(...) / "x"`, or `p / "x"`
/// where `p` is already known to be one.
fn builds_path(value: &Expr, imported: &HashMap<String, String>, known: &[(String, bool)]) -> bool {
    match value {
        Expr::Call(c) => is_path_constructor(&c.func, imported),
        Expr::BinOp(b) if b.op == ruff_python_ast::Operator::Div => match &*b.left {
            Expr::Name(n) => known.iter().any(|(k, p)| *p && k == n.id.as_str()),
            left => builds_path(left, imported, known),
        },
        _ => false,
    }
}

/// Every simple-name binding of `body` (not nested functions or classes), in order, with
/// whether its value is a path built right there. Loop targets, `with … as`, walrus and
/// other bindings count as not paths.
fn collect_bindings(
    body: &[Stmt],
    imported: &HashMap<String, String>,
    out: &mut Vec<(String, bool)>,
) {
    for stmt in body {
        match stmt {
            Stmt::Assign(a) => {
                let is_path = builds_path(&a.value, imported, out);
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        out.push((n.id.to_string(), is_path));
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    let is_path = a
                        .value
                        .as_deref()
                        .is_some_and(|v| builds_path(v, imported, out));
                    out.push((n.id.to_string(), is_path));
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    out.push((n.id.to_string(), false));
                }
            }
            Stmt::For(f) => {
                if let Expr::Name(n) = &*f.target {
                    out.push((n.id.to_string(), false));
                }
                collect_bindings(&f.body, imported, out);
                collect_bindings(&f.orelse, imported, out);
            }
            Stmt::While(w) => {
                collect_bindings(&w.body, imported, out);
                collect_bindings(&w.orelse, imported, out);
            }
            Stmt::If(i) => {
                collect_bindings(&i.body, imported, out);
                for c in &i.elif_else_clauses {
                    collect_bindings(&c.body, imported, out);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(Expr::Name(n)) = item.optional_vars.as_deref() {
                        out.push((n.id.to_string(), false));
                    }
                }
                collect_bindings(&w.body, imported, out);
            }
            Stmt::Try(t) => {
                collect_bindings(&t.body, imported, out);
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_bindings(&h.body, imported, out);
                }
                collect_bindings(&t.orelse, imported, out);
                collect_bindings(&t.finalbody, imported, out);
            }
            Stmt::Match(m) => {
                for c in &m.cases {
                    collect_bindings(&c.body, imported, out);
                }
            }
            _ => {}
        }
    }
}

/// What a rule sees while the walk visits a node.
pub struct PyRuleContext<'s> {
    pub source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    pub(crate) findings: Vec<FileFinding>,
    /// Enclosing functions, innermost last (lambdas count, as sync functions).
    pub(crate) scopes: Vec<PyScope>,
    /// Local names bound by imports so far: `aio` → `asyncio`, `create_task` →
    /// `asyncio.create_task`.
    pub(crate) imported: HashMap<String, String>,
}

impl<'s> PyRuleContext<'s> {
    pub(crate) fn new(source: &'s str, span_of: &'s dyn Fn(TextRange) -> Span) -> Self {
        Self {
            source,
            span_of,
            findings: Vec::new(),
            scopes: Vec::new(),
            imported: HashMap::new(),
        }
    }

    pub fn report(
        &mut self,
        rule: &'static str,
        range: TextRange,
        message: impl Into<String>,
        severity: Option<Severity>,
    ) {
        let offsets = (range.start().to_usize(), range.end().to_usize());
        let span = (self.span_of)(range);
        self.findings.push(FileFinding::new(
            rule,
            self.source,
            offsets,
            span,
            message.into(),
            severity,
        ));
    }

    /// The innermost enclosing function, if any.
    pub fn function(&self) -> Option<&PyScope> {
        self.scopes.last()
    }

    /// The qualified name a local name was imported as (`aio` → `asyncio`).
    pub fn imported_as(&self, local: &str) -> Option<&str> {
        self.imported.get(local).map(String::as_str)
    }

    /// The source text of a node.
    pub fn text(&self, node: &impl Ranged) -> &'s str {
        let r = node.range();
        self.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }
}

/// A rule that inspects Python syntax nodes of one file.
pub trait PyFileRule: Sync + Send {
    fn id(&self) -> &'static str;
    /// The node kinds this rule wants; the walk calls [`PyFileRule::check`] only for them.
    fn node_kinds(&self) -> &'static [NodeKind];
    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>);
}

/// Rules indexed by the node kind they want.
pub(crate) struct Dispatch<'r> {
    by_kind: HashMap<NodeKind, Vec<&'r dyn PyFileRule>>,
}

impl<'r> Dispatch<'r> {
    pub(crate) fn new(rules: &[&'r dyn PyFileRule]) -> Self {
        let mut by_kind: HashMap<NodeKind, Vec<&'r dyn PyFileRule>> = HashMap::new();
        for rule in rules {
            for kind in rule.node_kinds() {
                by_kind.entry(*kind).or_default().push(*rule);
            }
        }
        Self { by_kind }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }

    pub(crate) fn run(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        if let Some(rules) = self.by_kind.get(&node.kind()) {
            for rule in rules {
                rule.check(node, ctx);
            }
        }
    }
}
