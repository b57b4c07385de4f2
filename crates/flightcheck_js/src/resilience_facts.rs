//! Resilience facts of one JS/TS file: process hooks (`process.on('SIGTERM')`,
//! `unhandledRejection`), what keeps the service running (`app.listen`, `bot.launch()`,
//! `client.login`), and outbound HTTP calls with their timeout.

use flightcheck_core::resilience::{
    DroppedCoroutine, HookKind, OutboundCall, ProcessHook, ResilienceFacts, ServiceRunner,
    SwallowedError, TimeoutState, counts_attempts, failure_matters, falls_back, names_retry,
};
use flightcheck_core::{FileFacts, Framework, Owner, Span};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::ScopeFlags;
use oxc_semantic::Scoping;
use oxc_span::GetSpan;
use std::collections::{HashMap, HashSet};

/// Top-level functions that register a process listener for the event their first
/// parameter names (`function attach(event, fn) { process.addListener(event, fn) }`): a call
/// `attach('unhandledRejection', h)` installs that hook.
fn process_hook_helpers(program: &Program) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for stmt in &program.body {
        let Statement::FunctionDeclaration(f) = stmt else {
            continue;
        };
        let (Some(id), Some(body)) = (&f.id, &f.body) else {
            continue;
        };
        let Some(first) = f
            .params
            .items
            .first()
            .and_then(|p| p.pattern.get_binding_identifier())
        else {
            continue;
        };
        let registers = body.statements.iter().any(|st| {
            let Statement::ExpressionStatement(e) = st else {
                return false;
            };
            let Expression::CallExpression(call) = e.expression.without_parentheses() else {
                return false;
            };
            let callee = callee_name(&call.callee).unwrap_or_default();
            matches!(
                callee.as_str(),
                "process.on" | "process.once" | "process.addListener" | "process.prependListener"
            ) && call
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .is_some_and(|a| {
                    matches!(a.without_parentheses(), Expression::Identifier(i) if i.name == first.name)
                })
        });
        if registers {
            out.insert(id.name.to_string());
        }
    }
    out
}

struct Walk<'s, F: Fn(u32, u32) -> Span> {
    /// See [`process_hook_helpers`].
    hook_helpers: std::collections::HashSet<String>,
    /// Top-level async functions of this file that can reject (their body is not one
    /// `try/catch`): name → line.
    async_functions: HashMap<String, u32>,
    /// Async methods of this file's classes: class → method → line.
    async_methods: HashMap<String, HashMap<String, u32>>,
    classes: Vec<String>,
    /// Functions of any kind around the node (arrows and anonymous ones included).
    depth: u32,
    scoping: &'s Scoping,
    source: &'s str,
    span_of: &'s F,
    owner: Owner,
    functions: Vec<String>,
    /// Local names of HTTP client modules: `axios` → `axios`, `fetch` → `node-fetch`.
    clients: HashMap<String, &'static str>,
    /// axios instances created in this file (`const api = axios.create({...})`), with
    /// whether their config sets a timeout.
    instances: HashMap<String, bool>,
    /// Names of bot objects of this file, with their framework.
    bots: HashMap<String, Framework>,
    /// Names bound to modules of this project (`const app = require('./app')`): a server
    /// built in another file may be started here.
    project_locals: HashSet<String>,
    /// Names bound to `run` of `@grammyjs/runner`.
    runner_locals: HashSet<String>,
    http_server_file: bool,
    browser_file: bool,
    /// Receivers of `.destroy()` calls (`client.destroy()`).
    destroyed: Vec<String>,
    /// Retries, breakers and fallbacks around the node, innermost last (`pRetry(...)`).
    guards: Vec<String>,
    /// Spans of the `try` blocks (with a `catch`) around the node.
    try_blocks: Vec<(u32, u32)>,
    /// Cross-file async facts (imported async functions, library promises, log-only catches).
    async_calls: crate::async_facts::JsAsyncCalls,
    /// The innermost function's tail, for log-only catches.
    tails: Vec<Option<crate::async_facts::FunctionTail>>,
    out: ResilienceFacts,
}

const AXIOS_METHODS: [&str; 8] = [
    "get", "delete", "head", "options", "post", "put", "patch", "request",
];

fn callee_name(expr: &Expression) -> Option<String> {
    match expr.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => {
            let object = callee_name(&m.object)?;
            Some(format!("{object}.{}", m.property.name))
        }
        Expression::ThisExpression(_) => Some("this".into()),
        _ => None,
    }
}

fn string_value<'b>(expr: &'b Expression) -> Option<&'b str> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) => t.quasis.first().map(|q| q.value.raw.as_str()),
        _ => None,
    }
}

/// What an options argument says about a timeout: `Some(true)` when it names one of `keys`
/// (or cannot be read: a variable, a spread), `Some(false)` when it is a literal object
/// without them, `None` when there is no argument.
fn options_have(arg: Option<&Argument>, keys: &[&str]) -> Option<bool> {
    let arg = arg?;
    let Some(Expression::ObjectExpression(obj)) =
        arg.as_expression().map(|e| e.without_parentheses())
    else {
        return Some(true);
    };
    Some(obj.properties.iter().any(|p| {
        match p {
            ObjectPropertyKind::SpreadProperty(_) => true,
            ObjectPropertyKind::ObjectProperty(p) => p
                .key
                .static_name()
                .is_some_and(|k| keys.contains(&k.as_ref())),
        }
    }))
}

impl<'s, F: Fn(u32, u32) -> Span> Walk<'s, F> {
    fn span(&self, span: oxc_span::Span) -> Span {
        (self.span_of)(span.start, span.end)
    }

    fn text(&self, span: oxc_span::Span) -> String {
        let t = self
            .source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        flightcheck_core::text::truncate(&t.split_whitespace().collect::<Vec<_>>().join(" "), 80)
    }

    fn hook(&mut self, kind: HookKind, span: oxc_span::Span) {
        let via = self.text(span);
        let span = self.span(span);
        self.out.hooks.push(ProcessHook {
            kind,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    fn outbound(
        &mut self,
        client: &str,
        call: &CallExpression,
        url: Option<&Expression>,
        timeout: TimeoutState,
        instance: Option<String>,
    ) {
        let via = callee_name(&call.callee).unwrap_or_else(|| client.to_string());
        let url = url.and_then(string_value).map(str::to_string);
        let span = self.span(call.span);
        let guard = self.guards.last().cloned().or_else(|| {
            self.functions
                .iter()
                .find(|f| names_retry(f))
                .map(|f| format!("inside `{f}`"))
        });
        let guard = guard.or_else(|| {
            (client == "got" && got_retries(call))
                .then(|| "got retries GET requests twice by default".to_string())
        });
        self.out.outbound.push(OutboundCall {
            client: client.to_string(),
            via,
            url,
            timeout,
            instance,
            function: self.functions.last().cloned(),
            in_function: self.depth > 0,
            guard,
            span,
            owner: self.owner.clone(),
        });
    }

    fn import_local(&mut self, specifier: &str, local: &str) {
        if specifier.starts_with('.') {
            self.project_locals.insert(local.to_string());
        }
        let client = match specifier {
            "axios" => "axios",
            "node-fetch" | "cross-fetch" | "isomorphic-fetch" => "node-fetch",
            "got" => "got",
            "undici" => "undici",
            _ => return,
        };
        self.clients.insert(local.to_string(), client);
    }

    /// Handlers of `route(path).post(...)`: every argument is a handler or middleware, the
    /// last one the handler.
    fn route_chain_callbacks(&mut self, call: &CallExpression) {
        self.handler_args(call, Some(0));
    }

    /// The promise of the call at `span` is handled where it is made: `await`ed inside a
    /// `try` block with a `catch`, or chained with `.catch(`.
    fn promise_caught(&self, span: oxc_span::Span) -> bool {
        let after = self.source.get(span.end as usize..).unwrap_or("");
        if after.trim_start().starts_with(".catch(") {
            return true;
        }
        let before = self.source.get(..span.start as usize).unwrap_or("");
        before.trim_end().ends_with("await")
            && self
                .try_blocks
                .iter()
                .any(|(s, e)| *s <= span.start && span.end <= *e)
    }

    /// Route and event handlers: whether their awaited work is caught.
    fn handler_callbacks(&mut self, call: &CallExpression, object: &str, method: &str) {
        let route = matches!(
            method,
            "get" | "post" | "put" | "patch" | "delete" | "all" | "use"
        );
        let event = matches!(method, "on" | "once");
        if object.is_empty() || object == "process" || !(route || event) {
            return;
        }
        // The handler of a verb route may be passed by name (`router.post('/x',
        // controller.create)`), after the path; `use` mounts routers and middleware, which
        // are not handlers, and event names are not handlers either.
        let by_name_from = (route && method != "use").then_some(1);
        self.handler_args(call, by_name_from);
    }

    /// Classifies a call's arguments: inline async functions (caught or not) and, when
    /// `by_name_from` is set, the last argument passed by name at or after that index.
    fn handler_args(&mut self, call: &CallExpression, by_name_from: Option<usize>) {
        let n = call.arguments.len();
        for (i, arg) in call.arguments.iter().enumerate() {
            let Some(e) = arg.as_expression().map(|e| e.without_parentheses()) else {
                continue;
            };
            let guarded = match e {
                Expression::ArrowFunctionExpression(f) if f.r#async => match &f.body {
                    ArrowFunctionBody::FunctionBody(b) => {
                        self.catches_awaits(&b.statements, response_param(&f.params))
                    }
                    // `async (req, res) => res.json(await load())`: nothing catches it.
                    _ => false,
                },
                Expression::FunctionExpression(f) if f.r#async => f
                    .body
                    .as_ref()
                    .is_some_and(|b| self.catches_awaits(&b.statements, response_param(&f.params))),
                Expression::Identifier(_) | Expression::StaticMemberExpression(_)
                    if by_name_from.is_some_and(|from| i >= from) && i + 1 == n =>
                {
                    let name = self
                        .source
                        .get(e.span().start as usize..e.span().end as usize)
                        .unwrap_or("")
                        .to_string();
                    self.out.async_callbacks.by_name.push(name);
                    continue;
                }
                _ => continue,
            };
            if guarded {
                self.out.async_callbacks.guarded += 1;
            } else {
                let span = self.span(e.span());
                self.out.async_callbacks.unguarded.push(span);
            }
        }
    }

    /// Whether the handler's work sits in a `try` whose `catch` neither rethrows nor
    /// awaits. Statements outside it may only read and answer: no `await`, no `throw`, and
    /// no call but on the response (`const { code } = req.query; if (!code) return
    /// res.redirect('/')`): in an async function what is awaited or thrown outside the
    /// `try`, also by a helper called there (`hasValidSignature(req)`), is a rejection.
    fn catches_awaits(&self, statements: &[Statement], response: Option<&str>) -> bool {
        let mut tries = 0;
        let all = statements.iter().all(|st| match st {
            Statement::TryStatement(t) => {
                tries += 1;
                t.handler.as_ref().is_some_and(|h| {
                    let catch = self
                        .source
                        .get(h.body.span.start as usize..h.body.span.end as usize)
                        .unwrap_or("");
                    !catch.contains("throw") && !catch.contains("await")
                })
            }
            other => !may_reject(other, response),
        });
        all && tries > 0
    }

    fn call(&mut self, call: &CallExpression) {
        // `router.route('/x').post(handler)`: the chained form has no path argument.
        if let Expression::StaticMemberExpression(m) = call.callee.without_parentheses()
            && matches!(
                m.property.name.as_str(),
                "get" | "post" | "put" | "patch" | "delete" | "all"
            )
            && let Expression::CallExpression(inner) = m.object.without_parentheses()
            && matches!(inner.callee.without_parentheses(), Expression::StaticMemberExpression(r) if r.property.name == "route")
        {
            self.route_chain_callbacks(call);
        }
        let Some(name) = callee_name(&call.callee) else {
            return;
        };
        let (object, method) = name.rsplit_once('.').unwrap_or(("", name.as_str()));
        self.handler_callbacks(call, object, method);
        // Process hooks, directly or through a helper of this file.
        if (object == "process"
            && matches!(method, "on" | "once" | "addListener" | "prependListener"))
            || (object.is_empty() && self.hook_helpers.contains(method))
        {
            let kind = match call
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .and_then(string_value)
            {
                Some("unhandledRejection") => Some(HookKind::UnhandledRejection),
                Some("uncaughtException" | "uncaughtExceptionMonitor") => {
                    Some(HookKind::UncaughtException)
                }
                Some("SIGTERM") => Some(HookKind::SigTerm),
                Some("SIGINT") => Some(HookKind::SigInt),
                _ => None,
            };
            if let Some(kind) = kind {
                self.hook(kind, call.span);
            }
            return;
        }
        if method == "setUncaughtExceptionCaptureCallback" && object == "process" {
            self.hook(HookKind::UncaughtException, call.span);
            return;
        }
        if method == "enableShutdownHooks" {
            self.hook(HookKind::ShutdownLibrary, call.span);
            return;
        }
        if method == "destroy" {
            self.destroyed.push(object.to_string());
        }
        // Service runners.
        // `run(bot)` of @grammyjs/runner runs a grammY bot.
        if object.is_empty()
            && self.runner_locals.contains(method)
            && let Some(Expression::Identifier(b)) = call
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .map(|e| e.without_parentheses())
            && self.bots.get(b.name.as_str()) == Some(&Framework::Grammy)
        {
            let span = self.span(call.span);
            let caught = self.promise_caught(call.span);
            self.out.runners.push(ServiceRunner {
                via: format!("{name}({})", b.name),
                library: "grammy".to_string(),
                handles_signals: false,
                caught,
                span,
                owner: self.owner.clone(),
            });
        }
        // `global.client.login()` is the `client` bound as `global.client = new Client()`.
        let object = object.strip_prefix("global.").unwrap_or(object);
        let receiver = object.rsplit('.').next().unwrap_or(object);
        // `app.listen(PORT)` on an app another module of the project builds.
        let imported_server = self.project_locals.contains(object)
            && call.arguments.first().is_some_and(|a| {
                a.as_expression().is_some_and(|e| {
                    matches!(e.without_parentheses(), Expression::NumericLiteral(_))
                        || self
                            .source
                            .get(e.span().start as usize..e.span().end as usize)
                            .is_some_and(|t| t.to_ascii_lowercase().contains("port"))
                })
            });
        if !object.is_empty() {
            let bot = self
                .bots
                .get(object)
                .or_else(|| self.bots.get(receiver))
                .copied();
            let runner = match (bot, method) {
                (Some(Framework::Telegraf), "launch") => Some("telegraf"),
                (Some(Framework::Grammy), "start") => Some("grammy"),
                (Some(Framework::DiscordJs), "login") => Some("discord.js"),
                (Some(Framework::NodeTelegramBotApi), "startPolling" | "openWebHook") => {
                    Some("node-telegram-bot-api")
                }
                (None, "listen")
                    if (self.http_server_file && !call.arguments.is_empty()) || imported_server =>
                {
                    Some("http")
                }
                _ => None,
            };
            if let Some(library) = runner {
                let via = format!("{name}()");
                let span = self.span(call.span);
                let caught = self.promise_caught(call.span);
                self.out.runners.push(ServiceRunner {
                    via,
                    library: library.to_string(),
                    handles_signals: false,
                    caught,
                    span,
                    owner: self.owner.clone(),
                });
            }
        }
        if self.browser_file {
            return;
        }
        // Outbound calls.
        let first = call.arguments.first().and_then(|a| a.as_expression());
        if object.is_empty() {
            let client = match self.clients.get(method) {
                Some(c) => Some(*c),
                None if method == "fetch" => Some("fetch"),
                None => None,
            };
            match client {
                Some(c @ ("fetch" | "node-fetch")) => {
                    let keys: &[&str] = if c == "fetch" {
                        &["signal"]
                    } else {
                        &["signal", "timeout"]
                    };
                    let has = options_have(call.arguments.get(1), keys).unwrap_or(false)
                        // `fetch(request)`: a Request object may carry its signal.
                        || !matches!(first.map(|e| e.without_parentheses()), Some(Expression::StringLiteral(_) | Expression::TemplateLiteral(_) | Expression::Identifier(_) | Expression::StaticMemberExpression(_) | Expression::BinaryExpression(_)));
                    let state = if has {
                        TimeoutState::Set
                    } else {
                        TimeoutState::Missing
                    };
                    self.outbound(c, call, first, state, None);
                }
                Some("axios") => {
                    // `axios(config)` or `axios(url, config)`.
                    let config = if matches!(
                        first.map(|e| e.without_parentheses()),
                        Some(Expression::ObjectExpression(_))
                    ) {
                        call.arguments.first()
                    } else {
                        call.arguments.get(1)
                    };
                    let has = options_have(config, &["timeout", "signal"]).unwrap_or(false);
                    let url = if call.arguments.len() > 1 || string_value_opt(first) {
                        first
                    } else {
                        None
                    };
                    self.outbound(
                        "axios",
                        call,
                        url,
                        if has {
                            TimeoutState::Set
                        } else {
                            TimeoutState::Missing
                        },
                        None,
                    );
                }
                Some("got") => {
                    let has = options_have(call.arguments.get(1), &["timeout", "signal"])
                        .unwrap_or(false);
                    self.outbound(
                        "got",
                        call,
                        first,
                        if has {
                            TimeoutState::Set
                        } else {
                            TimeoutState::Missing
                        },
                        None,
                    );
                }
                Some("undici") if method == "request" => {
                    let has = options_have(
                        call.arguments.get(1),
                        &["headersTimeout", "bodyTimeout", "signal"],
                    )
                    .unwrap_or(false);
                    self.outbound(
                        "undici",
                        call,
                        first,
                        if has {
                            TimeoutState::Set
                        } else {
                            TimeoutState::LongDefault
                        },
                        None,
                    );
                }
                _ => {}
            }
            return;
        }
        if !AXIOS_METHODS.contains(&method) {
            // `const api = axios.create(...)` is seen at the declarator.
            return;
        }
        let instance = self.instances.get(object).copied();
        let is_axios = self.clients.get(object).copied() == Some("axios");
        let is_got = self.clients.get(object).copied() == Some("got");
        if !(is_axios || is_got || instance.is_some()) {
            return;
        }
        let config_at = match method {
            "request" => 0,
            "post" | "put" | "patch" => 2,
            _ => 1,
        };
        let config_at = if is_got { 1 } else { config_at };
        let has = options_have(call.arguments.get(config_at), &["timeout", "signal"])
            .unwrap_or(false)
            || instance == Some(true);
        let client = if is_got { "got" } else { "axios" };
        let url = if method == "request" { None } else { first };
        let state = if has {
            TimeoutState::Set
        } else {
            TimeoutState::Missing
        };
        let inst = instance.map(|_| object.to_string());
        self.outbound(client, call, url, state, inst);
    }
}

impl<'s, F: Fn(u32, u32) -> Span> Walk<'s, F> {
    /// `.catch(handler)` whose handler neither rethrows nor rejects.
    fn settling_catch(&self, call: &CallExpression) -> Option<String> {
        let Expression::StaticMemberExpression(m) = call.callee.without_parentheses() else {
            return None;
        };
        if m.property.name != "catch" {
            return None;
        }
        let handler = call.arguments.first()?.as_expression()?;
        if !is_function(handler.without_parentheses()) {
            return None;
        }
        let sp = handler.span();
        let text = self.source.get(sp.start as usize..sp.end as usize)?;
        (!text.contains("throw") && !text.contains("reject") && !text.contains("next("))
            .then(|| ".catch(…) returning a default".to_string())
    }

    fn loop_counts_attempts(&self, span: oxc_span::Span) -> bool {
        self.source
            .get(span.start as usize..span.end as usize)
            .is_some_and(counts_attempts)
    }

    fn in_loop(&mut self, attempts: bool, walk: impl FnOnce(&mut Self)) {
        if attempts {
            self.guards.push("a loop counting attempts".into());
        }
        walk(self);
        if attempts {
            self.guards.pop();
        }
    }

    /// `f()` / `this.m()` as a statement, where `f`/`m` is this file's async function.
    fn floating_call(&mut self, call: &CallExpression) {
        let defined_at = match call.callee.without_parentheses() {
            // The name must be the top-level declaration, not a parameter or local that
            // shadows it (`new Promise((resolve) => … resolve(x))`).
            Expression::Identifier(id)
                if id.reference_id.get().is_some_and(|r| {
                    self.scoping.get_reference(r).symbol_id().is_some_and(|s| {
                        self.scoping.symbol_scope_id(s) == self.scoping.root_scope_id()
                    })
                }) =>
            {
                self.async_functions.get(id.name.as_str()).copied()
            }
            Expression::StaticMemberExpression(m)
                if matches!(m.object, Expression::ThisExpression(_)) =>
            {
                self.classes.last().and_then(|c| {
                    self.async_methods
                        .get(c)
                        .and_then(|ms| ms.get(m.property.name.as_str()))
                        .copied()
                })
            }
            _ => None,
        };
        if self.browser_file {
            return;
        }
        let function = self
            .functions
            .last()
            .cloned()
            .or_else(|| (self.depth > 0).then(|| "an anonymous function".to_string()));
        let (Some(defined_at), Some(callee)) = (defined_at, callee_name(&call.callee)) else {
            if defined_at.is_none() {
                let span = self.span(call.span);
                self.async_calls
                    .dropped_call(call, self.scoping, function, span, &self.owner);
            }
            return;
        };
        let span = self.span(call.span);
        self.out.dropped_coroutines.push(DroppedCoroutine {
            callee,
            defined_at,
            function,
            span,
            owner: self.owner.clone(),
        });
    }
}

/// A body whose awaited work sits in a `try { … } catch { … }` handles its own errors: a
/// top-level `try` with a `catch`, and no `await` in the statements outside it. Its promise
/// does not reject (unless the catch rethrows, which is not judged).
pub(crate) fn catches_everything(body: &FunctionBody, source: &str) -> bool {
    let mut has_try = false;
    body.statements
        .iter()
        .all(|s| awaits_only_in_try(s, source, &mut has_try))
        && has_try
}

/// Every `await` of `stmt` sits in a `try` block with a `catch`; blocks, `if`s and loops
/// are looked into (a retry loop around `try { await … } catch { … }`).
fn awaits_only_in_try(stmt: &Statement, source: &str, has_try: &mut bool) -> bool {
    let mut all =
        |stmts: &[&Statement]| stmts.iter().all(|s| awaits_only_in_try(s, source, has_try));
    match stmt {
        Statement::TryStatement(t) if t.handler.is_some() => {
            *has_try = true;
            true
        }
        Statement::BlockStatement(b) => all(&b.body.iter().collect::<Vec<_>>()),
        // The loop head (`for (…; …; …)`) must not await.
        Statement::ForStatement(f)
            if !text_awaits(
                oxc_span::Span::new(f.span.start, f.body.span().start),
                source,
            ) =>
        {
            all(&[&f.body])
        }
        Statement::ForOfStatement(f) if !f.r#await => {
            text_of(f.right.span(), source).is_some_and(|t| !t.contains("await")) && all(&[&f.body])
        }
        Statement::WhileStatement(w) if !text_awaits(w.test.span(), source) => all(&[&w.body]),
        _ => !text_awaits(stmt.span(), source),
    }
}

fn text_of(sp: oxc_span::Span, source: &str) -> Option<&str> {
    source.get(sp.start as usize..sp.end as usize)
}

fn text_awaits(sp: oxc_span::Span, source: &str) -> bool {
    text_of(sp, source).is_none_or(|t| t.contains("await"))
}

/// Top-level async functions and async class methods that can reject.
fn async_definitions<F: Fn(u32, u32) -> Span>(
    program: &Program,
    source: &str,
    span_of: &F,
) -> (HashMap<String, u32>, HashMap<String, HashMap<String, u32>>) {
    let mut functions = HashMap::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut methods: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let line = |sp: oxc_span::Span| span_of(sp.start, sp.end).line;
    for stmt in &program.body {
        let decl = match stmt {
            Statement::ExportDeclaration(e) => Some(&e.declaration),
            other => other.as_declaration(),
        };
        match decl {
            Some(Declaration::FunctionDeclaration(f)) => {
                if let Some(id) = &f.id {
                    *seen.entry(id.name.to_string()).or_default() += 1;
                    if f.r#async
                        && f.body
                            .as_ref()
                            .is_some_and(|b| !catches_everything(b, source))
                    {
                        functions.insert(id.name.to_string(), line(f.span));
                    }
                }
            }
            Some(Declaration::VariableDeclaration(v)) => {
                for d in &v.declarations {
                    let BindingPattern::BindingIdentifier(id) = &d.id else {
                        continue;
                    };
                    *seen.entry(id.name.to_string()).or_default() += 1;
                    let rejects = match d.init.as_ref().map(|i| i.without_parentheses()) {
                        Some(Expression::ArrowFunctionExpression(a)) => {
                            a.r#async
                                && match &a.body {
                                    ArrowFunctionBody::FunctionBody(b) => {
                                        !catches_everything(b, source)
                                    }
                                    _ => true,
                                }
                        }
                        Some(Expression::FunctionExpression(f)) => {
                            f.r#async
                                && f.body
                                    .as_ref()
                                    .is_some_and(|b| !catches_everything(b, source))
                        }
                        _ => false,
                    };
                    if rejects && v.kind == VariableDeclarationKind::Const {
                        functions.insert(id.name.to_string(), line(d.span));
                    }
                }
            }
            Some(Declaration::ClassDeclaration(c)) => {
                let Some(id) = &c.id else { continue };
                let mut ms = HashMap::new();
                let mut sync_names = Vec::new();
                for el in &c.body.body {
                    if let ClassElement::MethodDefinition(m) = el
                        && let Some(name) = m.key.static_name()
                    {
                        let rejects = m.value.r#async
                            && m.value
                                .body
                                .as_ref()
                                .is_some_and(|b| !catches_everything(b, source));
                        if rejects {
                            ms.insert(name.to_string(), line(m.span));
                        } else {
                            sync_names.push(name.to_string());
                        }
                    }
                }
                // A getter/setter or overload of the same name: not known to be async.
                for n in sync_names {
                    ms.remove(&n);
                }
                methods.insert(id.name.to_string(), ms);
            }
            _ => {}
        }
    }
    // A name declared twice (a redeclaration, an overload) is not known to be async.
    functions.retain(|name, _| seen.get(name).copied().unwrap_or(0) == 1);
    (functions, methods)
}

/// got retries GET (and other idempotent) requests twice by default: `got(url)`,
/// `got.get(url)`, or options that cannot be read. Not `got.post` or `method: 'POST'`.
fn got_retries(call: &CallExpression) -> bool {
    let method =
        callee_name(&call.callee).and_then(|n| n.rsplit_once('.').map(|(_, m)| m.to_string()));
    if matches!(method.as_deref(), Some("post" | "patch")) {
        return false;
    }
    if method.is_some() {
        return true;
    }
    match call
        .arguments
        .get(1)
        .and_then(|a| a.as_expression())
        .map(|e| e.without_parentheses())
    {
        Some(Expression::ObjectExpression(obj)) => !obj.properties.iter().any(|p| {
            matches!(p, ObjectPropertyKind::ObjectProperty(p)
                if p.key.static_name().is_some_and(|k| k == "method")
                    && p.value.without_parentheses().is_string_literal()
                    && !matches!(string_value(&p.value), Some(m) if m.eq_ignore_ascii_case("get")))
        }),
        _ => true,
    }
}

fn string_value_opt(e: Option<&Expression>) -> bool {
    e.and_then(string_value).is_some()
}

impl<'a, 's, F: Fn(u32, u32) -> Span> Visit<'a> for Walk<'s, F> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        self.async_calls.import(it);
        let spec = it.source.value.as_str();
        for s in it.specifiers.iter().flatten() {
            match s {
                ImportDeclarationSpecifier::ImportDefaultSpecifier(d) => {
                    self.import_local(spec, &d.local.name)
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(n) => {
                    self.import_local(spec, &n.local.name)
                }
                ImportDeclarationSpecifier::ImportSpecifier(n) => {
                    let imported = n.imported.name();
                    // `import { request } from 'undici'`, `import { default as fetch } from
                    // 'node-fetch'`.
                    if spec == "@grammyjs/runner" && imported == "run" {
                        self.runner_locals.insert(n.local.name.to_string());
                    }
                    if (spec == "undici" && imported == "request")
                        || (spec == "node-fetch" && imported == "default")
                    {
                        self.import_local(spec, &n.local.name);
                    }
                }
            }
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if self.depth == 0 {
            self.async_calls.declarator(it);
        }
        // `const { run } = require('@grammyjs/runner')`.
        if let (BindingPattern::ObjectPattern(o), Some(Expression::CallExpression(c))) =
            (&it.id, it.init.as_ref().map(|e| e.without_parentheses()))
            && matches!(&c.callee, Expression::Identifier(r) if r.name == "require")
            && c.arguments
                .first()
                .and_then(|a| a.as_expression())
                .and_then(string_value)
                == Some("@grammyjs/runner")
        {
            for p in &o.properties {
                if p.key.static_name().as_deref() == Some("run")
                    && let BindingPattern::BindingIdentifier(id) = &p.value
                {
                    self.runner_locals.insert(id.name.to_string());
                }
            }
        }
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            let init = init.without_parentheses();
            // `const axios = require('axios')`, `const fetch = require('node-fetch')`.
            if let Expression::CallExpression(c) = init
                && matches!(&c.callee, Expression::Identifier(r) if r.name == "require")
                && let Some(spec) = c
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .and_then(string_value)
            {
                self.import_local(spec, &id.name);
            }
            // `const api = axios.create({ timeout })`.
            if let Expression::CallExpression(c) = init
                && let Some(name) = callee_name(&c.callee)
                && let Some((object, "create")) = name.rsplit_once('.')
                && self.clients.get(object).copied() == Some("axios")
            {
                let has =
                    options_have(c.arguments.first(), &["timeout", "signal"]).unwrap_or(false);
                self.instances.insert(id.name.to_string(), has);
            }
            if is_function(init) {
                self.functions.push(id.name.to_string());
                walk::walk_variable_declarator(self, it);
                self.functions.pop();
                return;
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        // `axios.defaults.timeout = 5000`, `api.defaults.timeout = 5000`.
        if let AssignmentTarget::StaticMemberExpression(m) = &it.left
            && m.property.name == "timeout"
            && let Some(name) = callee_name(&m.object)
            && let Some((object, "defaults")) = name.rsplit_once('.')
        {
            if self.clients.get(object).copied() == Some("axios") {
                self.out.default_timeouts.push("axios".into());
            } else if let Some(set) = self.instances.get_mut(object) {
                *set = true;
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        if it.r#async {
            self.out.asynchronous += 1;
        }
        self.depth += 1;
        self.tails.push(crate::async_facts::FunctionTail::of(
            match &it.body {
                ArrowFunctionBody::FunctionBody(b) => Some(&**b),
                _ => None,
            },
            it.return_type.as_deref(),
            self.source,
        ));
        walk::walk_arrow_function_expression(self, it);
        self.tails.pop();
        self.depth -= 1;
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if it.r#async {
            self.out.asynchronous += 1;
        }
        let named = it.id.as_ref().map(|id| id.name.to_string());
        if let Some(n) = &named {
            self.functions.push(n.clone());
        }
        self.depth += 1;
        self.tails.push(crate::async_facts::FunctionTail::of(
            it.body.as_deref(),
            it.return_type.as_deref(),
            self.source,
        ));
        walk::walk_function(self, it, flags);
        self.tails.pop();
        self.depth -= 1;
        if named.is_some() {
            self.functions.pop();
        }
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let name = it.key.static_name().map(|n| n.to_string());
        if let Some(n) = &name {
            self.functions.push(n.clone());
        }
        walk::walk_method_definition(self, it);
        if name.is_some() {
            self.functions.pop();
        }
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        if !self.browser_file
            && let Some(handler) = &it.handler
        {
            let span = self.span(handler.span);
            self.async_calls.logged_only(
                it,
                self.tails.last().copied().flatten(),
                self.source,
                self.functions.last().cloned(),
                span,
                &self.owner,
            );
        }
        // `catch {}` with nothing in it, not even a comment saying why.
        if let Some(handler) = &it.handler
            && handler.body.body.is_empty()
            && !self.browser_file
        {
            let text = |sp: oxc_span::Span| {
                self.source
                    .get(sp.start as usize..sp.end as usize)
                    .unwrap_or("")
            };
            let catch_text = text(handler.body.span);
            if !catch_text.contains("//")
                && !catch_text.contains("/*")
                && let Some(io) = failure_matters(text(it.block.span))
            {
                let span = self.span(handler.span);
                self.out.swallowed.push(SwallowedError {
                    io: io.to_string(),
                    function: self.functions.last().cloned(),
                    span,
                    owner: self.owner.clone(),
                });
            }
        }
        // A catch that falls back to a cached value: the call's failure does not fail the
        // user's operation.
        let fallback = it.handler.as_ref().is_some_and(|h| {
            self.source
                .get(h.body.span.start as usize..h.body.span.end as usize)
                .is_some_and(falls_back)
        });
        if fallback {
            self.guards.push("a catch with a cached fallback".into());
        }
        if it.handler.is_some() {
            self.try_blocks
                .push((it.block.span.start, it.block.span.end));
            self.visit_block_statement(&it.block);
            self.try_blocks.pop();
            if let Some(handler) = &it.handler {
                self.visit_catch_clause(handler);
            }
            if let Some(finalizer) = &it.finalizer {
                self.visit_block_statement(finalizer);
            }
        } else {
            walk::walk_try_statement(self, it);
        }
        if fallback {
            self.guards.pop();
        }
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        let attempts = self.loop_counts_attempts(it.span);
        self.in_loop(attempts, |w| walk::walk_for_statement(w, it));
    }

    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        let attempts = self.loop_counts_attempts(it.span);
        self.in_loop(attempts, |w| walk::walk_while_statement(w, it));
    }

    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        let attempts = self.loop_counts_attempts(it.span);
        self.in_loop(attempts, |w| walk::walk_do_while_statement(w, it));
    }

    fn visit_expression_statement(&mut self, it: &ExpressionStatement<'a>) {
        if let Expression::CallExpression(call) = it.expression.without_parentheses() {
            self.floating_call(call);
        }
        walk::walk_expression_statement(self, it);
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let name = it
            .id
            .as_ref()
            .map(|i| i.name.to_string())
            .unwrap_or_default();
        self.classes.push(name);
        walk::walk_class(self, it);
        self.classes.pop();
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        // winston's logger and transport options install process handlers:
        // `handleExceptions: true` / `exceptionHandlers: [...]` listen for
        // uncaughtException, `handleRejections: true` / `rejectionHandlers: [...]` for
        // unhandledRejection.
        for p in &it.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else {
                continue;
            };
            let on = !matches!(
                p.value.without_parentheses(),
                Expression::BooleanLiteral(b) if !b.value
            );
            let kind = match p.key.static_name().as_deref() {
                Some("handleExceptions" | "exceptionHandlers") if on => {
                    Some(HookKind::UncaughtException)
                }
                Some("handleRejections" | "rejectionHandlers") if on => {
                    Some(HookKind::UnhandledRejection)
                }
                _ => None,
            };
            if let Some(kind) = kind {
                self.hook(kind, p.span);
            }
        }
        walk::walk_object_expression(self, it);
    }

    fn visit_await_expression(&mut self, it: &AwaitExpression<'a>) {
        self.out.asynchronous += 1;
        walk::walk_await_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        if matches!(&it.callee, Expression::Identifier(id) if id.name == "Promise") {
            self.out.asynchronous += 1;
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if is_asynchronous_call(it) {
            self.out.asynchronous += 1;
        }
        self.call(it);
        // `pRetry(() => fetch(url))`, `withRetry(...)`, `breaker.fire(...)`; or
        // `fetch(url).then(…).catch(() => defaults)`: a promise catch that settles with a value
        // instead of rethrowing.
        let wrapper = callee_name(&it.callee)
            .filter(|n| names_retry(n))
            .map(|n| format!("{n}(…)"))
            .or_else(|| self.settling_catch(it));
        if let Some(w) = &wrapper {
            self.guards.push(format!("`{w}`"));
        }
        walk::walk_call_expression(self, it);
        if wrapper.is_some() {
            self.guards.pop();
        }
    }
}

/// `p.then(…)`, `p.catch(…)`, `p.finally(…)`, `setTimeout(…)`, `setInterval(…)`,
/// `setImmediate(…)`, `emitter.on(…)`/`once`/`addListener`: code that runs, or rejects,
/// outside the call that set it up.
fn is_asynchronous_call(call: &CallExpression) -> bool {
    match &call.callee {
        Expression::StaticMemberExpression(m) => matches!(
            m.property.name.as_str(),
            "then" | "catch" | "finally" | "on" | "once" | "addListener"
        ),
        Expression::Identifier(id) => {
            matches!(
                id.name.as_str(),
                "setTimeout" | "setInterval" | "setImmediate"
            )
        }
        _ => false,
    }
}

fn is_function(e: &Expression) -> bool {
    matches!(
        e,
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
    )
}

/// The top-level declaration a statement declares, as [`Owner`]: code inside a function or
/// class runs only when it is used.
fn statement_owner(stmt: &Statement) -> Owner {
    let decl = match stmt {
        Statement::ExportDeclaration(e) => Some(&e.declaration),
        Statement::ExportDefaultDeclaration(e) => {
            return match &e.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                    f.id.as_ref().map(|i| i.name.to_string())
                }
                ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                    c.id.as_ref().map(|i| i.name.to_string())
                }
                _ => None,
            };
        }
        other => other.as_declaration(),
    };
    match decl? {
        Declaration::FunctionDeclaration(f) => f.id.as_ref().map(|i| i.name.to_string()),
        Declaration::ClassDeclaration(c) => c.id.as_ref().map(|i| i.name.to_string()),
        Declaration::VariableDeclaration(v) => {
            let [d] = v.declarations.as_slice() else {
                return None;
            };
            let deferred = d.init.as_ref().is_some_and(|i| {
                is_function(i.without_parentheses())
                    || matches!(i.without_parentheses(), Expression::ClassExpression(_))
            });
            match (&d.id, deferred) {
                (BindingPattern::BindingIdentifier(id), true) => Some(id.name.to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Fills `facts.resilience` for `program` (imports, frameworks and wiring are already there).
pub(crate) fn extract<'a, F: Fn(u32, u32) -> Span>(
    path: &str,
    program: &Program<'a>,
    scoping: &Scoping,
    source: &str,
    span_of: &F,
    facts: &mut FileFacts,
) {
    let bots = facts
        .wiring
        .bots
        .iter()
        .filter(|b| !b.name.is_empty())
        .map(|b| {
            let name = b.name.trim_start_matches("this.");
            (name.trim_start_matches("global.").to_string(), b.framework)
        })
        .collect();
    let http_server_file = facts.frameworks.iter().any(|f| {
        matches!(
            f,
            Framework::Express | Framework::Fastify | Framework::Koa | Framework::NestJs
        )
    }) || facts.imports.iter().any(|i| {
        matches!(
            i.specifier.as_str(),
            "http" | "https" | "node:http" | "node:https" | "http2" | "node:http2"
        )
    });
    let browser_file = source.trim_start().starts_with("'use client'")
        || source.trim_start().starts_with("\"use client\"")
        || path.ends_with(".jsx")
        || path.ends_with(".tsx")
        || path.ends_with(".vue")
        || path.ends_with(".svelte");
    let hook_helpers = process_hook_helpers(program);
    let (async_functions, async_methods) = async_definitions(program, source, span_of);
    let mut async_calls = crate::async_facts::JsAsyncCalls::new(&async_functions, program, source);
    async_calls.set_export_lines(program, |at| span_of(at, at).line);
    let mut w = Walk {
        async_calls,
        tails: Vec::new(),
        async_functions,
        async_methods,
        classes: Vec::new(),
        depth: 0,
        scoping,
        source,
        span_of,
        owner: None,
        functions: Vec::new(),
        clients: HashMap::new(),
        instances: HashMap::new(),
        bots,
        project_locals: HashSet::new(),
        runner_locals: HashSet::new(),
        http_server_file,
        browser_file,
        destroyed: Vec::new(),
        guards: Vec::new(),
        try_blocks: Vec::new(),
        hook_helpers,
        out: ResilienceFacts::default(),
    };
    for stmt in &program.body {
        w.owner = statement_owner(stmt);
        w.visit_statement(stmt);
    }
    // `client.login()` then `client.destroy()` in the same file: a credentials check, not
    // a bot that keeps running.
    let destroyed = std::mem::take(&mut w.destroyed);
    w.out.runners.retain(|r| {
        !(r.library == "discord.js"
            && destroyed
                .iter()
                .any(|d| r.via.strip_suffix(".login()") == Some(d.as_str())))
    });
    facts.resilience = w.out;
    facts.async_calls = w.async_calls.out;
}

/// The name of a route handler's second parameter (`res`): calls on it answer the request.
fn response_param<'a>(params: &FormalParameters<'a>) -> Option<&'a str> {
    match &params.items.get(1)?.pattern {
        BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
        _ => None,
    }
}

/// The identifier a call chain starts from: `res` of `res.status(400).json({})`.
fn chain_root<'e>(mut e: &'e Expression<'e>) -> Option<&'e str> {
    loop {
        match e.without_parentheses() {
            Expression::Identifier(id) => return Some(id.name.as_str()),
            Expression::StaticMemberExpression(m) => e = &m.object,
            Expression::ComputedMemberExpression(m) => e = &m.object,
            Expression::CallExpression(c) => e = &c.callee,
            _ => return None,
        }
    }
}

/// Whether a statement can reject its async function: it awaits, throws, or calls anything
/// but the response, outside the functions it defines.
fn may_reject(statement: &Statement, response: Option<&str>) -> bool {
    struct Finds<'r> {
        found: bool,
        response: Option<&'r str>,
    }
    impl<'a> Visit<'a> for Finds<'_> {
        fn visit_await_expression(&mut self, _: &AwaitExpression<'a>) {
            self.found = true;
        }
        fn visit_throw_statement(&mut self, _: &ThrowStatement<'a>) {
            self.found = true;
        }
        fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
            if self.response.is_none() || chain_root(&it.callee) != self.response {
                self.found = true;
            }
            walk::walk_call_expression(self, it);
        }
        fn visit_new_expression(&mut self, _: &NewExpression<'a>) {
            self.found = true;
        }
        fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
            self.found |= it.r#await;
            walk::walk_for_of_statement(self, it);
        }
        fn visit_function(&mut self, _: &Function<'a>, _: ScopeFlags) {}
        fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}
    }
    let mut finds = Finds {
        found: false,
        response,
    };
    finds.visit_statement(statement);
    finds.found
}
