//! Resilience facts of one Python file: process hooks (`signal.signal(SIGTERM, …)`,
//! `loop.set_exception_handler`, `sys.excepthook`, a `try` around `asyncio.run`), what keeps
//! the service running (`dp.start_polling`, `app.run_polling`, `bot.infinity_polling`,
//! `bot.run`) and outbound HTTP calls with their timeout.

use crate::{dotted, is_broad};
use flightcheck_core::resilience::{
    DroppedCoroutine, ForeverLoop, HookKind, LoopRun, OutboundCall, ProcessHook, ResilienceFacts,
    ServiceRunner, SwallowedError, TimeoutState, counts_attempts, failure_matters, falls_back,
    names_retry,
};
use flightcheck_core::{FileFacts, Framework, Owner, Span};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

const REQUESTS_METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// class → method → (known to be async, line of the definition).
type ClassMethods = HashMap<String, HashMap<String, (bool, u32)>>;

struct Walk<'s, 'a> {
    source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    imported: &'s HashMap<String, String>,
    frameworks: &'s [Framework],
    owner: Owner,
    functions: Vec<String>,
    /// Per enclosing function, innermost last: it is an `async def`, and how many broad
    /// `try` bodies of that function surround the node.
    frames: Vec<Frame>,
    /// The file imports asyncio (`loop.run_forever()` is asyncio's, not websocket-client's).
    uses_asyncio: bool,
    /// Depth of `except` handler bodies around the node.
    except_depth: u32,
    /// Names (and `self.` attributes) referenced inside `except` handlers, and elsewhere.
    referenced_in_except: HashSet<String>,
    referenced_elsewhere: HashSet<String>,
    /// Names bound to `requests.Session()` in this file (`session`, `self.session`).
    sessions: Vec<String>,
    /// The file mounts an adapter on a session (a timeout may live there).
    mounts_adapter: bool,
    /// Undecorated module-level `async def`s: name → line.
    async_functions: HashMap<String, u32>,
    /// Methods of this file's classes: class → method → (is async and undecorated, line).
    methods: ClassMethods,
    /// Enclosing classes, innermost last.
    classes: Vec<String>,
    /// Names bound to `httpx.Client()` / `httpx.AsyncClient()` in this file.
    httpx_clients: Vec<String>,
    /// The file builds an httpx transport with `retries=`.
    httpx_transport_retries: bool,
    /// Start offsets of `aiohttp.ClientSession()` calls opened by `async with … as s:`
    /// whose every request (`s.get(…, timeout=…)`) passes its own timeout.
    per_request_timeouts: HashSet<u32>,
    /// Retries, breakers and fallbacks around the node, innermost last.
    guards: Vec<String>,
    /// Cross-file async facts (imported async functions, log-only handlers).
    async_calls: crate::async_facts::PyAsyncCalls,
    /// The innermost function's tail, for log-only handlers.
    tails: Vec<Option<crate::async_facts::FunctionTail>>,
    /// Names bound to a collection of signals (`signals = (SIGHUP, SIGTERM)`) or to the
    /// loop variable over one (`for s in signals:`), with the strongest signal they hold:
    /// `loop.add_signal_handler(s, …)` inside that loop handles it.
    signal_names: HashMap<String, HookKind>,
    /// Locals of the innermost function bound to a call's result (`is_admin =
    /// check_admin(m)`): an `if` on one tests what the call returned, which for an
    /// `async def` is a coroutine object, always true.
    call_results: HashMap<String, &'a ast::ExprCall>,
    out: ResilienceFacts,
}

#[derive(Clone, Copy)]
struct Frame {
    is_async: bool,
    broad_tries: u32,
}

/// A broad `try` anywhere in `body`, not counting nested functions and classes (their
/// code runs elsewhere).
fn has_broad_try(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Try(t) => {
            t.handlers.iter().any(is_broad)
                || has_broad_try(&t.body)
                || has_broad_try(&t.orelse)
                || has_broad_try(&t.finalbody)
        }
        Stmt::If(i) => {
            has_broad_try(&i.body) || i.elif_else_clauses.iter().any(|c| has_broad_try(&c.body))
        }
        Stmt::With(w) => has_broad_try(&w.body),
        Stmt::For(f) => has_broad_try(&f.body) || has_broad_try(&f.orelse),
        Stmt::While(w) => has_broad_try(&w.body) || has_broad_try(&w.orelse),
        Stmt::Match(m) => m.cases.iter().any(|c| has_broad_try(&c.body)),
        _ => false,
    })
}

/// `while True:`, `while 1:`, `while not stop.is_set():`: a loop meant to run for the
/// life of the process.
fn runs_forever(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(1)),
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => matches!(
            &*u.operand,
            Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "is_set")
        ),
        _ => false,
    }
}

fn keyword<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

/// `**kwargs` passed: any keyword may be in it.
fn has_double_star(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| k.arg.is_none())
}

fn is_none(e: Option<&Expr>) -> bool {
    matches!(e, Some(Expr::NoneLiteral(_)))
}

fn is_false(e: Option<&Expr>) -> bool {
    matches!(e, Some(Expr::BooleanLiteral(b)) if !b.value)
}

fn string_start(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::FString(f) => f.value.elements().next().and_then(|el| match el {
            ast::InterpolatedStringElement::Literal(l) => Some(l.value.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

impl Walk<'_, '_> {
    /// The qualified name of a dotted callee through the file's imports:
    /// `requests.get`, `signal.signal`, `urllib.request.urlopen`.
    fn qualified(&self, e: &Expr) -> Option<String> {
        let d = dotted(e)?;
        let (head, rest) = match d.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (d.as_str(), None),
        };
        let q = self.imported.get(head)?;
        Some(match rest {
            Some(r) => format!("{q}.{r}"),
            None => q.clone(),
        })
    }

    fn text(&self, r: TextRange) -> String {
        let t = self
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        flightcheck_core::text::truncate(&t.split_whitespace().collect::<Vec<_>>().join(" "), 80)
    }

    fn hook(&mut self, kind: HookKind, r: TextRange) {
        let via = self.text(r);
        self.out.hooks.push(ProcessHook {
            kind,
            via,
            span: (self.span_of)(r),
            owner: self.owner.clone(),
        });
    }

    fn loop_run(&mut self, r: TextRange) {
        let via = self.text(r);
        self.out.loop_runs.push(LoopRun {
            via,
            span: (self.span_of)(r),
            owner: self.owner.clone(),
        });
    }

    fn runner(&mut self, library: &str, via: String, handles_signals: bool, r: TextRange) {
        self.out.runners.push(ServiceRunner {
            via,
            library: library.into(),
            handles_signals,
            caught: false,
            span: (self.span_of)(r),
            owner: self.owner.clone(),
        });
    }

    fn outbound(
        &mut self,
        client: &str,
        call: &ast::ExprCall,
        url: Option<&Expr>,
        timeout: TimeoutState,
    ) {
        let via = dotted(&call.func).unwrap_or_else(|| client.to_string());
        let guard = self.guards.last().cloned().or_else(|| {
            self.functions
                .iter()
                .find(|f| names_retry(f))
                .map(|f| format!("inside `{f}`"))
        });
        self.out.outbound.push(OutboundCall {
            client: client.into(),
            via,
            url: url.and_then(string_start),
            timeout,
            instance: None,
            function: self.functions.last().cloned(),
            in_function: !self.functions.is_empty(),
            guard,
            span: (self.span_of)(call.range()),
            owner: self.owner.clone(),
        });
    }

    fn signal_arg(&self, e: Option<&Expr>) -> Option<HookKind> {
        let e = e?;
        if let Expr::Name(n) = e
            && let Some(kind) = self.signal_names.get(n.id.as_str())
        {
            return Some(*kind);
        }
        let name = dotted(e)?;
        let last = name.rsplit('.').next().unwrap_or(&name);
        match last {
            "SIGTERM" => Some(HookKind::SigTerm),
            "SIGINT" => Some(HookKind::SigInt),
            _ => None,
        }
    }

    /// The strongest signal a collection expression holds: a tuple/list/set literal of
    /// signals, or a name already bound to one.
    fn signal_collection(&self, e: &Expr) -> Option<HookKind> {
        let elts = match e {
            Expr::Tuple(t) => &t.elts,
            Expr::List(l) => &l.elts,
            Expr::Set(s) => &s.elts,
            Expr::Name(n) => return self.signal_names.get(n.id.as_str()).copied(),
            _ => return None,
        };
        let kinds: Vec<HookKind> = elts
            .iter()
            .filter_map(|x| self.signal_arg(Some(x)))
            .collect();
        if kinds.contains(&HookKind::SigTerm) {
            Some(HookKind::SigTerm)
        } else {
            kinds.first().copied()
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        let qualified = self.qualified(&call.func);
        let written = dotted(&call.func);
        let method = match &*call.func {
            Expr::Attribute(a) => Some(a.attr.as_str()),
            _ => None,
        };
        // Hooks.
        match (qualified.as_deref(), method) {
            (Some("signal.signal"), _) => {
                if let Some(kind) = self.signal_arg(call.arguments.args.first()) {
                    self.hook(kind, call.range());
                }
                return;
            }
            (_, Some("add_signal_handler")) => {
                if let Some(kind) = self.signal_arg(call.arguments.args.first()) {
                    self.hook(kind, call.range());
                }
                return;
            }
            (_, Some("set_exception_handler")) => {
                self.hook(HookKind::LoopExceptionHandler, call.range());
                return;
            }
            (Some("asyncio.run" | "uvloop.run"), _) => self.loop_run(call.range()),
            (_, Some("run_until_complete" | "run_forever")) if self.uses_asyncio => {
                self.loop_run(call.range())
            }
            _ => {}
        }
        let has = |f: Framework| self.frameworks.contains(&f);
        // Runners.
        if let (Some(m), Some(w)) = (method, written.as_deref()) {
            let via = format!("{w}()");
            match m {
                "start_polling" | "start_webhook" if has(Framework::Aiogram) => {
                    let handles = !is_false(keyword(call, "handle_signals"));
                    self.runner("aiogram", via, handles, call.range());
                }
                "run_polling" | "run_webhook" if has(Framework::PythonTelegramBot) => {
                    let handles = !is_none(keyword(call, "stop_signals"));
                    self.runner("python-telegram-bot", via, handles, call.range());
                }
                "idle" if has(Framework::PythonTelegramBot) => {
                    self.runner("python-telegram-bot", via, true, call.range());
                }
                // `self.polling()` is the library's own loop (TeleBot.infinity_polling).
                "polling" | "infinity_polling"
                    if has(Framework::PyTelegramBotApi) && !w.starts_with("self.") =>
                {
                    self.runner("pytelegrambotapi", via, false, call.range());
                }
                "run" if has(Framework::DiscordPy) && !call.arguments.args.is_empty() => {
                    self.runner("discord.py", via, true, call.range());
                }
                "start" if has(Framework::DiscordPy) && !call.arguments.args.is_empty() => {
                    self.runner("discord.py", via, false, call.range());
                }
                _ => {}
            }
        }
        // Outbound calls.
        let Some(q) = qualified.as_deref() else {
            self.session_call(call, written.as_deref(), method);
            return;
        };
        let first = call.arguments.args.first();
        if let Some(m) = q.strip_prefix("requests.")
            && REQUESTS_METHODS.contains(&m)
        {
            let url = if m == "request" {
                call.arguments.args.get(1)
            } else {
                first
            };
            let url = url.or_else(|| keyword(call, "url"));
            let state = if keyword(call, "timeout").is_some() || has_double_star(call) {
                TimeoutState::Set
            } else {
                TimeoutState::Missing
            };
            self.outbound("requests", call, url, state);
        } else if matches!(q, "urllib.request.urlopen" | "urllib2.urlopen") {
            let state = if keyword(call, "timeout").is_some()
                || call.arguments.args.len() >= 3
                || has_double_star(call)
            {
                TimeoutState::Set
            } else {
                TimeoutState::Missing
            };
            self.outbound("urllib", call, first, state);
        } else if let Some(m) = q.strip_prefix("httpx.")
            && REQUESTS_METHODS.contains(&m)
        {
            let url = if m == "request" {
                call.arguments.args.get(1)
            } else {
                first
            };
            self.outbound("httpx", call, url, TimeoutState::SafeDefault);
        } else if matches!(q, "httpx.HTTPTransport" | "httpx.AsyncHTTPTransport")
            && keyword(call, "retries").is_some()
        {
            self.httpx_transport_retries = true;
        } else if q == "aiohttp.ClientSession" {
            let state = if keyword(call, "timeout").is_some()
                || has_double_star(call)
                || self
                    .per_request_timeouts
                    .contains(&call.range().start().to_u32())
            {
                TimeoutState::Set
            } else {
                TimeoutState::LongDefault
            };
            self.outbound("aiohttp", call, None, state);
        }
    }

    /// `session.get(url)` on a `requests.Session()` bound in this file.
    fn session_call(&mut self, call: &ast::ExprCall, written: Option<&str>, method: Option<&str>) {
        let (Some(w), Some(m)) = (written, method) else {
            return;
        };
        if m == "mount" {
            self.mounts_adapter = true;
            return;
        }
        let object = w.rsplit_once('.').map(|(o, _)| o).unwrap_or("");
        if REQUESTS_METHODS.contains(&m) && self.httpx_clients.iter().any(|s| s == object) {
            let url = if m == "request" {
                call.arguments.args.get(1)
            } else {
                call.arguments.args.first()
            };
            self.outbound("httpx", call, url, TimeoutState::SafeDefault);
            return;
        }
        if REQUESTS_METHODS.contains(&m) && self.sessions.iter().any(|s| s == object) {
            let state = if keyword(call, "timeout").is_some() || has_double_star(call) {
                TimeoutState::Set
            } else {
                TimeoutState::Missing
            };
            let url = if m == "request" {
                call.arguments.args.get(1)
            } else {
                call.arguments.args.first()
            };
            self.outbound("requests", call, url, state);
        }
    }

    /// `except:` / `except Exception:` whose body is only `pass` or `...` (no comment
    /// saying why), around I/O whose failure matters.
    fn swallowed(&mut self, t: &ast::StmtTry) {
        let Some(first) = t.body.first() else {
            return;
        };
        let last = t.body.last().unwrap_or(first);
        let body_text = self
            .source
            .get(first.range().start().to_usize()..last.range().end().to_usize())
            .unwrap_or("");
        let Some(io) = failure_matters(body_text) else {
            return;
        };
        for handler in &t.handlers {
            let broad = is_broad(handler);
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            let empty = h.body.iter().all(|s| match s {
                Stmt::Pass(_) => true,
                Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_)),
                _ => false,
            });
            let commented = self
                .source
                .get(h.range().start().to_usize()..h.range().end().to_usize())
                .is_some_and(|x| x.contains('#'));
            if broad && empty && !commented {
                self.out.swallowed.push(SwallowedError {
                    io: io.to_string(),
                    function: self.functions.last().cloned(),
                    span: (self.span_of)(h.range()),
                    owner: self.owner.clone(),
                });
            }
        }
    }

    /// A module-level `try:` whose body runs the program (`asyncio.run(main())`,
    /// `main()`, `executor.start_polling`) and catches broadly.
    fn guarded_main(&mut self, t: &ast::StmtTry) {
        let broad = t.handlers.iter().any(is_broad);
        let runs = t
            .body
            .iter()
            .any(|s| matches!(s, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(_))));
        if broad && runs {
            self.hook(HookKind::GuardedMain, t.range());
        }
    }
}

impl Walk<'_, '_> {
    /// A forever loop of an `async def`, and whether a broad `except` guards it.
    fn forever_loop(&mut self, w: &ast::StmtWhile) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        if !frame.is_async || !runs_forever(&w.test) {
            return;
        }
        let guarded = frame.broad_tries > 0 || has_broad_try(&w.body);
        let function = self.functions.last().cloned().unwrap_or_default();
        self.out.forever_loops.push(ForeverLoop {
            function,
            guarded,
            span: (self.span_of)(TextRange::new(w.range().start(), w.test.range().end())),
            owner: self.owner.clone(),
        });
    }

    /// `f(...)` / `self.m(...)` as a statement, where `f`/`m` is this file's `async def`.
    fn dropped_call(&mut self, call: &ast::ExprCall) {
        let defined_at = match &*call.func {
            Expr::Name(n) => self.async_functions.get(n.id.as_str()).copied(),
            Expr::Attribute(a) => match (&*a.value, self.classes.last()) {
                (Expr::Name(obj), Some(class)) if obj.id.as_str() == "self" => self
                    .methods
                    .get(class)
                    .and_then(|m| m.get(a.attr.as_str()))
                    .filter(|(is_async, _)| *is_async)
                    .map(|(_, line)| *line),
                _ => None,
            },
            _ => None,
        };
        let defined_at = match defined_at {
            Some(line) => Some(line),
            None => {
                let span = (self.span_of)(call.range());
                let function = self.functions.last().cloned();
                // `obj.m()` on `obj = ClassName(...)` of this file's class.
                self.async_calls
                    .dropped_call(call, function, span, &self.owner)
                    .and_then(|(class, method)| {
                        self.methods
                            .get(&class)
                            .and_then(|m| m.get(&method))
                            .filter(|(is_async, _)| *is_async)
                            .map(|(_, line)| *line)
                    })
            }
        };
        let (Some(defined_at), Some(callee)) = (defined_at, dotted(&call.func)) else {
            return;
        };
        self.out.dropped_coroutines.push(DroppedCoroutine {
            callee,
            defined_at,
            function: self.functions.last().cloned(),
            span: (self.span_of)(call.range()),
            owner: self.owner.clone(),
        });
    }
}

/// Undecorated `async def`s at module level and the methods of module-level classes. A
/// decorator may turn the coroutine function into something else, and a name bound twice
/// may be a sync function at call time: neither is known to be async.
fn async_definitions(
    body: &[Stmt],
    span_of: &dyn Fn(TextRange) -> Span,
) -> (HashMap<String, u32>, ClassMethods) {
    let mut functions = HashMap::new();
    let mut rebound: Vec<String> = Vec::new();
    let mut classes: ClassMethods = HashMap::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(def) => {
                let name = def.name.to_string();
                if functions.contains_key(&name) || !def.is_async || !def.decorator_list.is_empty()
                {
                    rebound.push(name);
                } else {
                    functions.insert(name, span_of(def.range()).line);
                }
            }
            Stmt::ClassDef(class) => {
                let mut methods: HashMap<String, (bool, u32)> = HashMap::new();
                for s in &class.body {
                    if let Stmt::FunctionDef(def) = s {
                        let known = def.is_async
                            && def.decorator_list.is_empty()
                            && !methods.contains_key(def.name.as_str());
                        methods.insert(def.name.to_string(), (known, span_of(def.range()).line));
                    }
                }
                if classes.contains_key(class.name.as_str()) {
                    classes.insert(class.name.to_string(), HashMap::new());
                } else {
                    classes.insert(class.name.to_string(), methods);
                }
            }
            Stmt::Assign(a) => rebound.extend(a.targets.iter().filter_map(dotted)),
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                for alias in match stmt {
                    Stmt::Import(i) => &i.names,
                    Stmt::ImportFrom(i) => &i.names,
                    _ => continue,
                } {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name);
                    rebound.push(local.split('.').next().unwrap_or("").to_string());
                }
            }
            _ => {}
        }
    }
    for name in rebound {
        functions.remove(&name);
    }
    (functions, classes)
}

/// Whether `body` makes at least one request on `session` (`session.get(...)`, `.post`,
/// `.request`...) and every such request passes `timeout=`.
fn every_request_times_out(body: &[Stmt], session: &str) -> bool {
    struct Requests<'n> {
        session: &'n str,
        seen: bool,
        untimed: bool,
    }
    impl<'a> Visitor<'a> for Requests<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr
                && let Expr::Attribute(a) = &*c.func
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == self.session)
                && (REQUESTS_METHODS.contains(&a.attr.as_str()) || a.attr.as_str() == "ws_connect")
            {
                self.seen = true;
                if keyword(c, "timeout").is_none() && !has_double_star(c) {
                    self.untimed = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut r = Requests {
        session,
        seen: false,
        untimed: false,
    };
    for s in body {
        r.visit_stmt(s);
    }
    r.seen && !r.untimed
}

impl<'a> Visitor<'a> for Walk<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // `@retry(...)`, `@backoff.on_exception(...)`, `@stamina.retry(...)`.
                let decorator = def.decorator_list.iter().find_map(|d| {
                    let e = match &d.expression {
                        Expr::Call(c) => &*c.func,
                        other => other,
                    };
                    dotted(e).filter(|n| names_retry(n))
                });
                if let Some(d) = &decorator {
                    self.guards.push(format!("`@{d}`"));
                }
                self.functions.push(def.name.to_string());
                self.tails
                    .push(crate::async_facts::FunctionTail::of(def, self.source));
                self.async_calls.enter_function();
                self.frames.push(Frame {
                    is_async: def.is_async,
                    broad_tries: 0,
                });
                let outer_results = std::mem::take(&mut self.call_results);
                visitor::walk_stmt(self, stmt);
                self.call_results = outer_results;
                self.frames.pop();
                self.async_calls.leave_function();
                self.tails.pop();
                self.functions.pop();
                if decorator.is_some() {
                    self.guards.pop();
                }
                return;
            }
            Stmt::For(_) | Stmt::While(_) => {
                if let Stmt::While(w) = stmt {
                    self.forever_loop(w);
                }
                if let Stmt::For(f) = stmt
                    && let Expr::Name(target) = &*f.target
                    && let Some(kind) = self.signal_collection(&f.iter)
                {
                    self.signal_names.insert(target.id.to_string(), kind);
                }
                let r = stmt.range();
                let attempts = self
                    .source
                    .get(r.start().to_usize()..r.end().to_usize())
                    .is_some_and(counts_attempts);
                if attempts {
                    self.guards.push("a loop counting attempts".into());
                }
                visitor::walk_stmt(self, stmt);
                if attempts {
                    self.guards.pop();
                }
                return;
            }
            Stmt::ClassDef(class) => {
                self.classes.push(class.name.to_string());
                visitor::walk_stmt(self, stmt);
                self.classes.pop();
                return;
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = &*e.value {
                    self.dropped_call(call);
                }
            }
            Stmt::Assign(a) => {
                if let ([Expr::Name(n)], Some(_)) = (&a.targets[..], self.frames.last()) {
                    match &*a.value {
                        Expr::Call(c) => {
                            self.call_results.insert(n.id.to_string(), c);
                        }
                        _ => {
                            self.call_results.remove(n.id.as_str());
                        }
                    }
                }
                self.async_calls.assign(a);
                if let Some(kind) = self.signal_collection(&a.value) {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            self.signal_names.insert(n.id.to_string(), kind);
                        }
                    }
                }
                if let Expr::Call(c) = &*a.value
                    && self.qualified(&c.func).as_deref() == Some("requests.Session")
                {
                    self.sessions.extend(a.targets.iter().filter_map(dotted));
                }
                if let Expr::Call(c) = &*a.value
                    && matches!(
                        self.qualified(&c.func).as_deref(),
                        Some("httpx.Client" | "httpx.AsyncClient")
                    )
                {
                    self.httpx_clients
                        .extend(a.targets.iter().filter_map(dotted));
                }
                // `sys.excepthook = handler`.
                if a.targets.iter().any(|t| {
                    dotted(t).is_some_and(|d| {
                        d.ends_with("excepthook")
                            && self.qualified(t).as_deref() == Some("sys.excepthook")
                    })
                }) {
                    self.hook(HookKind::UncaughtException, a.range());
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let (Expr::Call(c), Some(var)) = (&item.context_expr, &item.optional_vars)
                        && matches!(
                            self.qualified(&c.func).as_deref(),
                            Some("httpx.Client" | "httpx.AsyncClient")
                        )
                        && let Some(name) = dotted(var)
                    {
                        self.httpx_clients.push(name);
                    }
                    // `async with aiohttp.ClientSession() as s:` whose requests each pass
                    // `timeout=`: the session's default never applies.
                    if let (Expr::Call(c), Some(Expr::Name(var))) =
                        (&item.context_expr, item.optional_vars.as_deref())
                        && self.qualified(&c.func).as_deref() == Some("aiohttp.ClientSession")
                        && every_request_times_out(&w.body, var.id.as_str())
                    {
                        self.per_request_timeouts.insert(c.range().start().to_u32());
                    }
                    if let (Expr::Call(c), Some(var)) = (&item.context_expr, &item.optional_vars)
                        && self.qualified(&c.func).as_deref() == Some("requests.Session")
                        && let Some(name) = dotted(var)
                    {
                        self.sessions.push(name);
                    }
                }
            }
            Stmt::Try(t) => {
                self.swallowed(t);
                self.async_calls.logged_only(
                    t,
                    self.tails.last().copied().flatten(),
                    self.source,
                    self.functions.last().cloned(),
                    self.span_of,
                    &self.owner,
                );
                if self.functions.is_empty() {
                    self.guarded_main(t);
                }
                // An `except` that falls back to a cached value: the call's failure does
                // not fail the user's operation.
                let fallback = t.handlers.iter().any(|h| {
                    let r = h.range();
                    self.source
                        .get(r.start().to_usize()..r.end().to_usize())
                        .is_some_and(falls_back)
                });
                let broad = t.handlers.iter().any(is_broad);
                if broad && let Some(frame) = self.frames.last_mut() {
                    frame.broad_tries += 1;
                }
                if fallback {
                    self.guards
                        .push("an `except` with a cached fallback".into());
                }
                visitor::walk_stmt(self, stmt);
                if fallback {
                    self.guards.pop();
                }
                if broad && let Some(frame) = self.frames.last_mut() {
                    frame.broad_tries -= 1;
                }
                return;
            }
            // `if check_admin(m):`, `if not is_paid(order):`, or `ok = check_admin(m)` …
            // `if ok:`: the test of an `async def`'s call without `await` is a coroutine
            // object, always true, and the body of the callee never runs.
            Stmt::If(i) if !self.frames.is_empty() => {
                let tested = match &*i.test {
                    Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => &*u.operand,
                    other => other,
                };
                let call = match tested {
                    Expr::Call(c) => Some(c),
                    Expr::Name(n) => self.call_results.get(n.id.as_str()).copied(),
                    _ => None,
                };
                if let Some(c) = call {
                    self.dropped_call(c);
                }
            }
            Stmt::If(i) if self.functions.is_empty() && crate::is_main_guard(&i.test) => {
                for s in &i.body {
                    if let Stmt::Try(t) = s {
                        self.guarded_main(t);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.call(call);
        }
        // Where the file's functions are referenced: `helper(...)`, `self.helper`,
        // `asyncio.to_thread(self.helper, …)`.
        let referenced = match expr {
            Expr::Name(n) if n.ctx == ast::ExprContext::Load => Some(n.id.as_str()),
            Expr::Attribute(a) if matches!(&*a.value, Expr::Name(o) if o.id.as_str() == "self") => {
                Some(a.attr.as_str())
            }
            _ => None,
        };
        if let Some(name) = referenced {
            let set = if self.except_depth > 0 {
                &mut self.referenced_in_except
            } else {
                &mut self.referenced_elsewhere
            };
            set.insert(name.to_string());
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        self.except_depth += 1;
        visitor::walk_except_handler(self, handler);
        self.except_depth -= 1;
    }
}

/// Fills `facts.resilience` for `body`; `imported` maps local names to what they were
/// imported as.
pub(crate) fn extract(
    body: &[Stmt],
    source: &str,
    span_of: &dyn Fn(TextRange) -> Span,
    imported: &HashMap<String, String>,
    facts: &mut FileFacts,
) {
    let frameworks = facts.frameworks.clone();
    let (async_functions, methods) = async_definitions(body, span_of);
    let async_calls = crate::async_facts::PyAsyncCalls::new(body, &async_functions, &methods);
    let mut w = Walk {
        async_calls,
        tails: Vec::new(),
        async_functions,
        methods,
        classes: Vec::new(),
        source,
        span_of,
        imported,
        frameworks: &frameworks,
        owner: None,
        functions: Vec::new(),
        frames: Vec::new(),
        except_depth: 0,
        referenced_in_except: HashSet::new(),
        referenced_elsewhere: HashSet::new(),
        uses_asyncio: imported
            .values()
            .any(|q| q == "asyncio" || q.starts_with("asyncio.")),
        sessions: Vec::new(),
        mounts_adapter: false,
        httpx_clients: Vec::new(),
        httpx_transport_retries: false,
        per_request_timeouts: HashSet::new(),
        guards: Vec::new(),
        signal_names: HashMap::new(),
        call_results: HashMap::new(),
        out: ResilienceFacts::default(),
    };
    for stmt in body {
        // A decorated function or class is registered by its decorator as the module loads
        // (`@dp.message(...)`, `@app.get(...)`, `@bot.command()`): its code runs.
        w.owner = match stmt {
            Stmt::FunctionDef(d) if d.decorator_list.is_empty() => Some(d.name.to_string()),
            Stmt::ClassDef(c) if c.decorator_list.is_empty() => Some(c.name.to_string()),
            _ => None,
        };
        w.visit_stmt(stmt);
    }
    if w.mounts_adapter {
        // A mounted adapter may carry the timeout (a `TimeoutHTTPAdapter`): session calls
        // of this file are not judged.
        let sessions = w.sessions.clone();
        w.out.outbound.retain(|c| {
            !(c.client == "requests"
                && sessions.iter().any(|s| c.via.starts_with(&format!("{s}."))))
        });
    }
    if w.httpx_transport_retries {
        // A transport with `retries=` retries failed connections of the file's clients.
        for c in w.out.outbound.iter_mut().filter(|c| c.client == "httpx") {
            c.guard
                .get_or_insert_with(|| "an httpx transport with `retries=`".into());
        }
    }
    // A private function (`_name`: other modules do not call it) this file refers to only
    // from `except` handlers is itself the fallback of a failed attempt: its calls are the
    // retry, not calls without one.
    for c in w.out.outbound.iter_mut() {
        if let Some(f) = &c.function
            && f.starts_with('_')
            && w.referenced_in_except.contains(f)
            && !w.referenced_elsewhere.contains(f)
        {
            c.guard.get_or_insert_with(|| {
                format!("`{f}` runs only from `except` handlers: a fallback")
            });
        }
    }
    facts.resilience = w.out;
    facts.async_calls = w.async_calls.out;
}
