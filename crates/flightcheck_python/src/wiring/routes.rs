//! HTTP routes of FastAPI, Flask, aiohttp and Django: registered by decorator or by call,
//! with their prefixes, dependencies and how their handlers verify callers.

use super::common::{kw, last_seg, str_list, str_lit};
use super::verify::VerifyScan;
use super::{Index, Module, Walker};
use flightcheck_core::Framework;
use flightcheck_core::wiring::{HandlerRef, HandlerVerdict, Owner, Route, Verification};
use ruff_python_ast::helpers::any_over_body;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashSet;

impl<'a> Walker<'_, '_, 'a> {
    pub(super) fn route_decorator(
        &mut self,
        def: &'a ast::StmtFunctionDef,
        dec: &'a ast::Decorator,
        call: &'a ast::ExprCall,
        method: &str,
        other_decorators: &[&'a ast::Decorator],
        owner: &Owner,
    ) {
        let framework = if self.has(Framework::FastApi) {
            Framework::FastApi
        } else if self.has(Framework::Flask) {
            Framework::Flask
        } else if self.has(Framework::Aiohttp) {
            Framework::Aiohttp
        } else {
            return;
        };
        let args = &call.arguments.args;
        let (methods, path_arg) = match method {
            "route" if framework == Framework::Aiohttp => {
                let Some(m) = args.first().and_then(str_lit) else {
                    return;
                };
                (vec![m], args.get(1))
            }
            "route" | "api_route" => {
                let methods = match kw(call, "methods") {
                    Some(m) => match str_list(m) {
                        Some(v) => v,
                        None => vec!["ALL".into()],
                    },
                    None => vec!["GET".into()],
                };
                (methods, args.first())
            }
            m => (vec![m.to_string()], args.first()),
        };
        // `@x.get` must carry a path (literal or computed), or it is some other `.get`.
        let path_arg = path_arg
            .or_else(|| kw(call, "path"))
            .or_else(|| kw(call, "rule"));
        let Some(path_arg) = path_arg else {
            return;
        };
        let path = format!(
            "{}{}",
            self.router_prefix(&call.func),
            str_lit(path_arg).unwrap_or_default()
        );
        let mut middlewares = Vec::new();
        let mut deps: Vec<&'a Expr> = Vec::new();
        if let Some(Expr::List(l)) = kw(call, "dependencies") {
            for d in &l.elts {
                let Expr::Call(c) = d else { continue };
                if matches!(last_seg(&c.func), Some("Depends" | "Security")) {
                    if let Some(f) = c.arguments.args.first() {
                        middlewares.push(self.text(f.range()).to_string());
                        deps.push(f);
                    }
                } else {
                    // A factory returning `Depends(...)`: `require_permission("orders.update")`.
                    middlewares.push(self.text(c.func.range()).to_string());
                }
            }
        }
        for d in other_decorators {
            let callee = match &d.expression {
                Expr::Call(c) => &*c.func,
                e => e,
            };
            middlewares.push(self.text(callee.range()).to_string());
            deps.push(callee);
        }
        self.push_route(
            framework,
            methods,
            path,
            Some(def),
            middlewares,
            deps,
            dec.range(),
            owner.clone(),
        );
    }

    /// The prefix of the router a route decorator belongs to, when the module makes that
    /// router once: `router = APIRouter(prefix="/auth/oauth")`, Flask
    /// `bp = Blueprint("x", __name__, url_prefix="/pay")`. Part of the route's path.
    fn router_prefix(&self, decorator_func: &Expr) -> String {
        let Expr::Attribute(a) = decorator_func else {
            return String::new();
        };
        let Expr::Name(receiver) = &*a.value else {
            return String::new();
        };
        let Some(Some(Expr::Call(c))) = self.idx.single_assigns.get(receiver.id.as_str()) else {
            return String::new();
        };
        if !matches!(last_seg(&c.func), Some("APIRouter" | "Blueprint")) {
            return String::new();
        }
        kw(c, "prefix")
            .or_else(|| kw(c, "url_prefix"))
            .and_then(str_lit)
            .map(|p| p.trim_end_matches('/').to_string())
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn push_route(
        &mut self,
        framework: Framework,
        methods: Vec<String>,
        path: String,
        handler: Option<&'a ast::StmtFunctionDef>,
        mut middlewares: Vec<String>,
        mut deps: Vec<&'a Expr>,
        r: TextRange,
        owner: Owner,
    ) {
        let feeds_bot = handler.and_then(feeds_bot);
        let (verification, reads_body, confirmed_by, confirmed_by_answer) = match handler {
            Some(def) => {
                for p in def.parameters.iter_non_variadic_params() {
                    if let Some(Expr::Call(c)) = p.default()
                        && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                        && let Some(f) = c.arguments.args.first()
                    {
                        middlewares.push(self.text(f.range()).to_string());
                        deps.push(f);
                    }
                    // `admin: CurrentAdmin`, where `CurrentAdmin = Annotated[Admin,
                    // Depends(get_current_admin)]` lives in another module: the alias names
                    // the dependency (judged by `authenticated` like middleware names).
                    if let Some(Expr::Name(alias)) = p.annotation()
                        && (self.idx.imported_top.contains(alias.id.as_str())
                            || matches!(
                                self.idx.single_assigns.get(alias.id.as_str()),
                                Some(Some(Expr::Subscript(s))) if last_seg(&s.value) == Some("Annotated")
                            ))
                    {
                        middlewares.push(alias.id.to_string());
                    }
                    if let Some(Expr::Subscript(s)) = p.annotation()
                        && last_seg(&s.value) == Some("Annotated")
                        && let Expr::Tuple(t) = &*s.slice
                    {
                        for m in t.elts.iter().skip(1) {
                            if let Expr::Call(c) = m
                                && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                                && let Some(f) = c.arguments.args.first()
                            {
                                middlewares.push(self.text(f.range()).to_string());
                                deps.push(f);
                            }
                        }
                    }
                }
                let mut scan = VerifyScan::new(self.idx, self.m.source);
                for d in &deps {
                    scan.dependency(d);
                }
                scan.function(def, true);
                let verification = match scan.result() {
                    Verification::None => match path_key_refused(def, &path) {
                        Some(how) => Verification::Verified(how),
                        None => Verification::None,
                    },
                    v => v,
                };
                (
                    verification,
                    reads_body(def, framework == Framework::FastApi) && acts(def),
                    std::mem::take(&mut scan.confirmations),
                    std::mem::take(&mut scan.answer_confirmations),
                )
            }
            None => (Verification::None, false, Vec::new(), Vec::new()),
        };
        let span = self.span(r);
        for m in methods {
            self.out.routes.push(Route {
                elsewhere: None,
                delegated_to: None,
                feeds_bot: feeds_bot.clone(),
                framework,
                method: m.to_ascii_uppercase(),
                path: path.clone(),
                middlewares: middlewares.clone(),
                verification: verification.clone(),
                reads_body,
                confirmed_by: confirmed_by.clone(),
                confirmed_by_answer: confirmed_by_answer.clone(),
                span,
                owner: owner.clone(),
            });
        }
    }

    /// A route registered by a call whose handler is `handler`: resolved to a function of
    /// this module, or skipped when it lives elsewhere and the route looks like a webhook
    /// (its verification cannot be judged from here).
    pub(super) fn route_call(
        &mut self,
        framework: Framework,
        methods: Vec<String>,
        path_arg: Option<&Expr>,
        handler: Option<&'a Expr>,
        r: TextRange,
    ) {
        let path = path_arg.and_then(str_lit).unwrap_or_default();
        let Some(handler) = handler else {
            return;
        };
        let def = match handler {
            Expr::Name(n) => self.idx.funcs.get(n.id.as_str()).copied(),
            // `handler.on_event`, `handler = EventHandler(…)` with the class defined here.
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(base) => match self.idx.single_assigns.get(base.id.as_str()) {
                    Some(Some(Expr::Call(c))) => match &*c.func {
                        Expr::Name(class) => {
                            self.idx.classes.get(class.id.as_str()).and_then(|c| {
                                c.body.iter().find_map(|s| match s {
                                    Stmt::FunctionDef(f) if f.name.as_str() == a.attr.as_str() => {
                                        Some(f)
                                    }
                                    _ => None,
                                })
                            })
                        }
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let elsewhere = def
            .is_none()
            .then(|| self.handler_elsewhere(handler))
            .flatten();
        if def.is_none()
            && elsewhere.is_none()
            && (looks_like_webhook(&path) || looks_like_webhook(self.text(handler.range())))
        {
            return;
        }
        let owner = self.owner.clone();
        let first = self.out.routes.len();
        self.push_route(
            framework,
            methods,
            path,
            def,
            Vec::new(),
            Vec::new(),
            r,
            owner,
        );
        for route in &mut self.out.routes[first..] {
            route.elsewhere.clone_from(&elsewhere);
        }
    }

    /// A handler another module of the project defines, as this module's imports name it:
    /// an imported function (`on_payment`), a function of an imported module
    /// (`webhooks.on_payment`), or a method of an instance of an imported class
    /// (`handler.on_payment`, where `handler = WebhookHandler(…)` is the only binding of
    /// `handler` in the module).
    fn handler_elsewhere(&self, handler: &Expr) -> Option<HandlerRef> {
        let split = |q: &str| {
            q.rsplit_once('.')
                .map(|(m, n)| (m.to_string(), n.to_string()))
        };
        match handler {
            Expr::Name(n) => {
                let (specifier, name) = split(self.m.imported.get(n.id.as_str())?)?;
                Some(HandlerRef { specifier, name })
            }
            Expr::Attribute(a) => {
                let Expr::Name(base) = &*a.value else {
                    return None;
                };
                let method = a.attr.to_string();
                if let Some(Some(Expr::Call(c))) = self.idx.single_assigns.get(base.id.as_str())
                    && let Expr::Name(class) = &*c.func
                    && let Some(q) = self.m.imported.get(class.id.as_str())
                {
                    let (specifier, class) = split(q)?;
                    return Some(HandlerRef {
                        specifier,
                        name: format!("{class}.{method}"),
                    });
                }
                // `import handlers.webhook as webhooks`: the module itself.
                let module = self.m.imported.get(base.id.as_str())?;
                (!self.idx.single_assigns.contains_key(base.id.as_str())).then(|| HandlerRef {
                    specifier: module.clone(),
                    name: method,
                })
            }
            _ => None,
        }
    }
}

/// A path or handler name that says "webhook or callback".
fn looks_like_webhook(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "webhook", "hook", "callback", "stripe", "payment", "ipn", "notify", "twilio", "telegram",
        "github", "paypal", "monero",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// The first call by which the handler hands an update to a chat bot's dispatcher: aiogram
/// `dp.feed_update(bot, update)` / `feed_webhook_update` / `feed_raw_update` /
/// `process_update`, python-telegram-bot `application.process_update(update)` or
/// `application.update_queue.put(update)`, pyTelegramBotAPI `bot.process_new_updates([…])`.
fn feeds_bot(def: &ast::StmtFunctionDef) -> Option<String> {
    let found: std::cell::Cell<Option<&'static str>> = std::cell::Cell::new(None);
    any_over_body(&def.body, &|e: &Expr| {
        if let Expr::Call(c) = e
            && let Expr::Attribute(a) = &*c.func
        {
            let name = a.attr.as_str();
            let queue = name == "put"
                && matches!(&*a.value, Expr::Attribute(q) if q.attr.as_str() == "update_queue");
            if queue
                || matches!(
                    name,
                    "feed_update"
                        | "feed_webhook_update"
                        | "feed_raw_update"
                        | "process_update"
                        | "process_new_updates"
                )
            {
                const NAMES: [&str; 5] = [
                    "feed_update",
                    "feed_webhook_update",
                    "feed_raw_update",
                    "process_update",
                    "process_new_updates",
                ];
                found.set(if queue {
                    Some("update_queue.put")
                } else {
                    NAMES.iter().find(|n| **n == name).copied()
                });
                return true;
            }
        }
        false
    });
    found.get().map(str::to_string)
}

/// The handler reads the request body: `await request.json()`, `request.get_json()`,
/// `request.POST`, or (FastAPI) a body-model parameter.
fn reads_body(def: &ast::StmtFunctionDef, fastapi: bool) -> bool {
    let mut names: HashSet<String> = ["request".to_string(), "req".to_string()].into();
    for p in def.parameters.iter_non_variadic_params() {
        names.insert(p.parameter.name.to_string());
        if fastapi && is_body_param(p) {
            return true;
        }
    }
    const BODY: [&str; 14] = [
        "json",
        "body",
        "read",
        "get_json",
        "data",
        "POST",
        "form",
        "text",
        "post",
        "get_data",
        "files",
        "stream",
        "content",
        "multipart",
    ];
    any_over_body(&def.body, |e| match e {
        Expr::Attribute(a) => {
            BODY.contains(&a.attr.as_str())
                && matches!(&*a.value, Expr::Name(n) if names.contains(n.id.as_str()))
        }
        _ => false,
    })
}

/// The handler does something with the request besides reading, logging and answering
/// it: it calls anything but a logger, a body reader, a dict accessor, a conversion builtin
/// or a response constructor. A handler that only logs what it received (a stub waiting
/// for its logic) changes nothing a forged request could abuse.
fn acts(def: &ast::StmtFunctionDef) -> bool {
    const INERT: [&str; 45] = [
        "decode",
        "encode",
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
        "print",
        "getLogger",
        "get",
        "json",
        "body",
        "read",
        "text",
        "form",
        "get_json",
        "get_data",
        "loads",
        "dumps",
        "len",
        "str",
        "int",
        "float",
        "bool",
        "dict",
        "list",
        "tuple",
        "isinstance",
        "getattr",
        "hasattr",
        "strip",
        "lower",
        "upper",
        "items",
        "keys",
        "values",
        "HTTPException",
        "JSONResponse",
        "PlainTextResponse",
        "Response",
        "jsonify",
        "json_response",
    ];
    /// Names the handler reads.
    struct Loads<'a>(HashSet<&'a str>);
    impl<'a> Visitor<'a> for Loads<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.ctx.is_load()
            {
                self.0.insert(n.id.as_str());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut loads = Loads(HashSet::new());
    loads.visit_body(&def.body);
    /// Calls that do something, and writes into shared state (`ORDERS[id] = "paid"`,
    /// `self.orders[...] = ...`, `del cache[k]`).
    struct Effects<'a, 'l> {
        acts: bool,
        loads: &'l HashSet<&'a str>,
    }
    impl<'a> Visitor<'a> for Effects<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            let stores = |t: &Expr| matches!(t, Expr::Subscript(_) | Expr::Attribute(_));
            // `db = get_db()` with `db` never read: a value fetched with nothing from the
            // request passed in and then dropped changes nothing a forged call chooses.
            if let Stmt::Assign(a) = stmt
                && let [Expr::Name(target)] = a.targets.as_slice()
                && !self.loads.contains(target.id.as_str())
                && let Expr::Call(c) = &*a.value
                && c.arguments.is_empty()
                && matches!(&*c.func, Expr::Name(_) | Expr::Attribute(_))
            {
                return;
            }
            match stmt {
                Stmt::Assign(a) if a.targets.iter().any(stores) => self.acts = true,
                Stmt::AugAssign(a) if stores(&a.target) => self.acts = true,
                Stmt::AnnAssign(a) if stores(&a.target) => self.acts = true,
                Stmt::Delete(d) if d.targets.iter().any(stores) => self.acts = true,
                Stmt::Global(_) | Stmt::Nonlocal(_) => self.acts = true,
                _ => {}
            }
            if !self.acts {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr
                && last_seg(&c.func).is_none_or(|name| !INERT.contains(&name))
            {
                self.acts = true;
            }
            if !self.acts {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut effects = Effects {
        acts: false,
        loads: &loads.0,
    };
    for s in &def.body {
        effects.visit_stmt(s);
    }
    effects.acts
}

/// A FastAPI parameter bound to the request body.
fn is_body_param(p: &ast::ParameterWithDefault) -> bool {
    if let Some(Expr::Call(c)) = p.default() {
        match last_seg(&c.func) {
            Some("Body" | "Form" | "File") => return true,
            Some("Depends" | "Security" | "Header" | "Query" | "Path" | "Cookie") => return false,
            _ => {}
        }
    }
    let Some(mut ann) = p.annotation() else {
        return false;
    };
    if let Expr::Subscript(s) = ann
        && last_seg(&s.value) == Some("Annotated")
        && let Expr::Tuple(t) = &*s.slice
    {
        for m in t.elts.iter().skip(1) {
            if let Expr::Call(c) = m {
                match last_seg(&c.func) {
                    Some("Body" | "Form" | "File") => return true,
                    Some("Depends" | "Security" | "Header" | "Query" | "Path" | "Cookie") => {
                        return false;
                    }
                    _ => {}
                }
            }
        }
        match t.elts.first() {
            Some(first) => ann = first,
            None => return false,
        }
    }
    if let Expr::Subscript(s) = ann
        && last_seg(&s.value) == Some("Optional")
    {
        ann = &s.slice;
    }
    if let Expr::BinOp(b) = ann
        && matches!(b.op, ast::Operator::BitOr)
    {
        ann = &b.left;
    }
    let ty = match ann {
        Expr::Subscript(s) => last_seg(&s.value),
        e => last_seg(e),
    };
    match ty {
        Some("dict" | "Dict") => true,
        Some(
            "Request" | "Response" | "BackgroundTasks" | "WebSocket" | "HTTPConnection"
            | "AsyncSession" | "Session" | "Connection" | "UUID" | "Decimal" | "Optional" | "List"
            | "Any" | "Literal",
        ) => false,
        Some(t) => t.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
        None => false,
    }
}

/// Module-level functions and methods of module-level classes that read a request body,
/// each with how it checks its sender (see [`HandlerVerdict`]). Each body is read once:
/// the functions listed do not nest in one another.
pub(super) fn handler_verdicts(
    body: &[Stmt],
    idx: &Index<'_>,
    module: &Module<'_>,
) -> Vec<HandlerVerdict> {
    let mut defs: Vec<(String, &ast::StmtFunctionDef)> = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => defs.push((f.name.to_string(), f)),
            Stmt::ClassDef(c) => {
                for s in &c.body {
                    if let Stmt::FunctionDef(f) = s {
                        defs.push((format!("{}.{}", c.name, f.name), f));
                    }
                }
            }
            _ => {}
        }
    }
    defs.into_iter()
        .filter(|(_, def)| reads_body(def, false) && acts(def))
        .map(|(name, def)| {
            let mut scan = VerifyScan::new(idx, module.source);
            scan.function(def, true);
            let line = (module.span_of)(def.range()).line;
            HandlerVerdict {
                name,
                verification: scan.result(),
                confirmed_by: std::mem::take(&mut scan.confirmations),
                confirmed_by_answer: std::mem::take(&mut scan.answer_confirmations),
                line,
            }
        })
        .collect()
}

/// `POST /webhook/<webhook_key>` whose handler passes `webhook_key` to a call (a lookup)
/// and refuses with 401/403 under an `if not …:` branch: the URL itself is the per-user
/// secret (IFTTT-style webhooks), checked against the stored keys.
fn path_key_refused(def: &ast::StmtFunctionDef, path: &str) -> Option<String> {
    let params: Vec<&str> = path
        .split('/')
        .filter_map(|seg| {
            let inner = seg
                .strip_prefix('<')
                .and_then(|r| r.strip_suffix('>'))
                .or_else(|| seg.strip_prefix('{').and_then(|r| r.strip_suffix('}')))?;
            Some(inner.rsplit(':').next().unwrap_or(inner))
        })
        .filter(|p| !p.is_empty())
        .collect();
    let key = params.into_iter().find(|p| {
        any_over_body(&def.body, &|e: &Expr| {
            matches!(e, Expr::Call(c) if c.arguments.args.iter().chain(c.arguments.keywords.iter().map(|k| &k.value)).any(|a| {
                ruff_python_ast::helpers::any_over_expr(a, &|x: &Expr| matches!(x, Expr::Name(n) if n.id.as_str() == *p))
            }))
        })
    })?;
    /// An `if not <found>:` branch that answers 401/403.
    struct Refusal(bool);
    impl<'a> Visitor<'a> for Refusal {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::If(i) = stmt
                && matches!(&*i.test, Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not))
                && super::verify::rejects(&i.body, true)
                && any_over_body(&i.body, &|e: &Expr| {
                    matches!(super::common::int_value(e), Some(401 | 403))
                })
            {
                self.0 = true;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    let mut refusal = Refusal(false);
    refusal.visit_body(&def.body);
    refusal
        .0
        .then(|| format!("the path key `{key}` is looked up and an unknown one refused (403)"))
}
