//! Observability facts of one JS/TS file: error-tracker init and report calls, console
//! output, health-check paths, HTTP servers, Redis clients and the blocking calls that run
//! inside request, bot and Discord handlers (see [`ObservabilityFacts`]).

use flightcheck_core::{
    HealthPath, ObservabilityFacts, Owner, RedisClient, Span, SyncCall, TrackerCall, is_health_path,
};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::ScopeFlags;
use std::collections::{HashMap, HashSet};

/// The error-tracking SDK an npm package belongs to.
fn tracker_sdk(package: &str) -> Option<&'static str> {
    let p = package;
    Some(if p.starts_with("@sentry/") || p == "raven" {
        "sentry"
    } else if p == "rollbar" {
        "rollbar"
    } else if p.starts_with("@bugsnag/") || p == "bugsnag" {
        "bugsnag"
    } else if p.starts_with("@honeybadger-io/") || p == "honeybadger" {
        "honeybadger"
    } else if p.starts_with("@airbrake/") || p == "airbrake" {
        "airbrake"
    } else if p == "raygun" || p == "raygun4js" {
        "raygun"
    } else {
        return None;
    })
}

/// What a local name bound to an import stands for.
#[derive(Debug, Clone)]
enum Bound {
    /// The module object (default or namespace import, `require(...)`).
    Module(String),
    /// One named export of the module.
    Named(String, String),
}

/// One function being walked.
struct Frame {
    /// Its name, when it has one (declaration, variable, method, property).
    name: Option<String>,
    /// The handler registration it is the callback of.
    handler: Option<String>,
}

/// Event names whose listeners run while the program starts or stops, not per update.
const LIFECYCLE_EVENTS: [&str; 16] = [
    "ready",
    "clientReady",
    "listening",
    "close",
    "exit",
    "beforeExit",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "uncaughtException",
    "unhandledRejection",
    "error",
    "warning",
    "shardReady",
    "debug",
    "connect",
];

/// Methods that register a bot update handler (telegraf, grammY, node-telegram-bot-api).
const BOT_METHODS: [&str; 12] = [
    "command",
    "hears",
    "action",
    "start",
    "help",
    "settings",
    "onText",
    "callbackQuery",
    "inlineQuery",
    "chatType",
    "filter",
    "drop",
];

const HTTP_METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "all", "use", "head",
];

/// Discord.js-style command or event module methods (`execute(interaction)`).
const HANDLER_METHODS: [&str; 5] = ["execute", "run", "messageRun", "chatInputRun", "handle"];
const HANDLER_PARAMS: [&str; 6] = ["interaction", "message", "msg", "ctx", "context", "i"];

struct ObsWalk<'s, F: Fn(u32, u32) -> Span> {
    source: &'s str,
    span_of: &'s F,
    out: ObservabilityFacts,
    owner: Owner,
    try_depth: u32,
    bound: HashMap<String, Bound>,
    frames: Vec<Frame>,
    /// Name for the next function visited (from its variable, property or method key).
    pending_name: Option<String>,
    /// Handler registration for the next function visited.
    pending_handler: Option<String>,
    /// A bot or Discord framework is imported: `.on(event, fn)` registers an update handler.
    bot_file: bool,
    /// (calling function or handler, callee name) for functions of this file.
    calls: Vec<(CallSite, String)>,
    /// Blocking calls outside any handler, with the innermost named function around them.
    unplaced: Vec<(String, SyncCall)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CallSite {
    Handler(String),
    Function(String),
}

fn member<'b, 'a>(expr: &'b Expression<'a>) -> Option<(&'b Expression<'a>, &'b str)> {
    match expr.without_parentheses() {
        Expression::StaticMemberExpression(m) => Some((&m.object, m.property.name.as_str())),
        _ => None,
    }
}

fn string_value<'b>(expr: &'b Expression) -> Option<&'b str> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.as_str())
        }
        _ => None,
    }
}

fn is_function_like(expr: &Expression) -> bool {
    matches!(
        expr.without_parentheses(),
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
    )
}

fn first_param_name(params: &FormalParameters) -> Option<String> {
    params
        .items
        .first()
        .and_then(|p| p.pattern.get_identifier_name())
        .map(|n| n.to_string())
}

/// `fs.readFileSync`, `readFileSync` (imported), `execSync`, `child_process.spawnSync`.
fn sync_call_name(callee: &Expression) -> Option<String> {
    let name = match callee.without_parentheses() {
        Expression::Identifier(id) => id.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        _ => return None,
    };
    let blocking = (name.ends_with("Sync")
        && name.len() > 4
        && name.as_bytes()[0].is_ascii_lowercase())
        && (FS_SYNC.contains(&name) || matches!(name, "execSync" | "execFileSync" | "spawnSync"));
    blocking.then(|| match callee.without_parentheses() {
        Expression::StaticMemberExpression(m) => match m.object.without_parentheses() {
            Expression::Identifier(o) => format!("{}.{name}", o.name),
            _ => name.to_string(),
        },
        _ => name.to_string(),
    })
}

const FS_SYNC: [&str; 24] = [
    "readFileSync",
    "writeFileSync",
    "appendFileSync",
    "readdirSync",
    "existsSync",
    "statSync",
    "lstatSync",
    "accessSync",
    "mkdirSync",
    "rmSync",
    "rmdirSync",
    "unlinkSync",
    "renameSync",
    "copyFileSync",
    "openSync",
    "readSync",
    "writeSync",
    "closeSync",
    "fsyncSync",
    "truncateSync",
    "realpathSync",
    "mkdtempSync",
    "cpSync",
    "opendirSync",
];

impl<F: Fn(u32, u32) -> Span> ObsWalk<'_, F> {
    fn span(&self, s: oxc_span::Span) -> Span {
        (self.span_of)(s.start, s.end)
    }

    fn text(&self, s: oxc_span::Span) -> String {
        let t = self
            .source
            .get(s.start as usize..s.end as usize)
            .unwrap_or("");
        let first = t.lines().next().unwrap_or("");
        flightcheck_core::text::truncate(first.trim(), 80)
    }

    fn bind_import(&mut self, local: &str, package: &str, imported: Option<&str>) {
        let value = match imported {
            Some(name) if name != "default" => Bound::Named(package.to_string(), name.to_string()),
            _ => Bound::Module(package.to_string()),
        };
        self.bound.insert(local.to_string(), value);
    }

    /// The package a name refers to, with the named export if any.
    fn resolve<'b>(&'b self, expr: &'b Expression) -> Option<(&'b str, Option<&'b str>)> {
        match expr.without_parentheses() {
            Expression::Identifier(id) => match self.bound.get(id.name.as_str())? {
                Bound::Module(p) => Some((p.as_str(), None)),
                Bound::Named(p, n) => Some((p.as_str(), Some(n.as_str()))),
            },
            Expression::StaticMemberExpression(m) => {
                let (p, _) = self.resolve(&m.object)?;
                Some((p, Some(m.property.name.as_str())))
            }
            _ => None,
        }
    }

    fn innermost_handler(&self) -> Option<&str> {
        self.frames.iter().rev().find_map(|f| f.handler.as_deref())
    }

    fn innermost_name(&self) -> Option<&str> {
        self.frames.iter().rev().find_map(|f| f.name.as_deref())
    }

    fn call_site(&self) -> Option<CallSite> {
        for f in self.frames.iter().rev() {
            if let Some(h) = &f.handler {
                return Some(CallSite::Handler(h.clone()));
            }
            if let Some(n) = &f.name {
                return Some(CallSite::Function(n.clone()));
            }
        }
        None
    }

    fn tracker(&mut self, package: &str, method: Option<&str>, is_new: bool, span: oxc_span::Span) {
        let Some(sdk) = package_of(package).and_then(tracker_sdk) else {
            return;
        };
        let init = if is_new {
            true
        } else {
            matches!(method, Some("init" | "start" | "configure" | "initialize"))
        };
        let report = !is_new
            && matches!(
                method,
                Some(
                    "captureException"
                        | "captureMessage"
                        | "captureEvent"
                        | "notify"
                        | "setupExpressErrorHandler"
                        | "setupFastifyErrorHandler"
                        | "setupKoaErrorHandler"
                )
            );
        if !(init || report) {
            return;
        }
        let call = TrackerCall {
            sdk: sdk.to_string(),
            via: self.text(span),
            span: self.span(span),
            owner: self.owner.clone(),
        };
        if init {
            self.out.tracker_inits.push(call);
        } else {
            self.out.tracker_reports.push(call);
        }
    }

    fn redis_new(&mut self, callee: &Expression, span: oxc_span::Span) {
        let Some((package, export)) = self.resolve(callee) else {
            return;
        };
        let package = package_of(package).unwrap_or("").to_string();
        let export = export.map(str::to_string);
        let cluster = matches!(export.as_deref(), Some("Cluster"));
        match package.as_str() {
            "ioredis" | "redis" if cluster => {
                let via = self.text(span);
                self.out.redis_resilience.push(via);
            }
            "ioredis" | "bull" | "bullmq" | "bee-queue" => {
                if package.starts_with("bull") || package == "bee-queue" {
                    if !matches!(export.as_deref(), None | Some("Queue" | "Worker")) {
                        return;
                    }
                } else if export.is_some() && export.as_deref() != Some("Redis") {
                    return;
                }
                self.redis_client(span);
            }
            _ => {}
        }
    }

    fn redis_client(&mut self, span: oxc_span::Span) {
        let client = RedisClient {
            via: self.text(span),
            guarded: self.try_depth > 0,
            span: self.span(span),
            owner: self.owner.clone(),
        };
        self.out.redis_clients.push(client);
    }

    /// Which handler a function argument of this call becomes, if the call registers one.
    fn handler_registration(&self, call: &CallExpression) -> Option<String> {
        let (object, method) = member(&call.callee)?;
        let receiver = match object.without_parentheses() {
            Expression::Identifier(id) => id.name.to_string(),
            Expression::StaticMemberExpression(m) => m.property.name.to_string(),
            Expression::ThisExpression(_) => "this".into(),
            _ => return None,
        };
        if matches!(
            receiver.as_str(),
            "process" | "console" | "Promise" | "axios"
        ) || receiver.contains("request")
        {
            return None;
        }
        let first = call.arguments.first().and_then(|a| a.as_expression());
        let first_str = first.and_then(string_value);
        let path_like = first_str.is_some_and(|s| s.starts_with('/'));
        if HTTP_METHODS.contains(&method)
            && (path_like || (method == "use" && first.is_some_and(is_function_like)))
        {
            return Some(match first_str {
                Some(p) => format!("{receiver}.{method}('{p}', …)"),
                None => format!("{receiver}.{method}(…)"),
            });
        }
        if !self.bot_file {
            return None;
        }
        if BOT_METHODS.contains(&method) {
            return Some(match first_str {
                Some(c) => format!("{receiver}.{method}('{c}', …)"),
                None => format!("{receiver}.{method}(…)"),
            });
        }
        if matches!(method, "on" | "once" | "addListener")
            && let Some(event) = first_str
            && !LIFECYCLE_EVENTS.contains(&event)
            && method != "once"
        {
            return Some(format!("{receiver}.{method}('{event}', …)"));
        }
        if method == "on" && first.is_some_and(|e| !matches!(e, Expression::StringLiteral(_))) {
            // grammY filter queries and telegraf's `message(...)` filters.
            return Some(format!("{receiver}.on(…)"));
        }
        None
    }

    fn enter(&mut self, own_name: Option<String>, params: &FormalParameters) {
        let name = own_name.or_else(|| self.pending_name.take());
        let mut handler = self.pending_handler.take();
        if handler.is_none()
            && let Some(n) = &name
            && HANDLER_METHODS.contains(&n.as_str())
            && first_param_name(params).is_some_and(|p| HANDLER_PARAMS.contains(&p.as_str()))
        {
            handler = Some(format!(
                "{n}({})",
                first_param_name(params).unwrap_or_default()
            ));
        }
        self.pending_name = None;
        self.frames.push(Frame { name, handler });
    }
}

/// `@sentry/node/preload` → `@sentry/node`.
fn package_of(specifier: &str) -> Option<&str> {
    flightcheck_core::package_name(specifier)
}

impl<'a, F: Fn(u32, u32) -> Span> Visit<'a> for ObsWalk<'_, F> {
    fn visit_program(&mut self, it: &Program<'a>) {
        for stmt in &it.body {
            let owner = top_level_name(stmt);
            let saved = std::mem::replace(&mut self.owner, owner);
            self.visit_statement(stmt);
            self.owner = saved;
        }
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        if it.import_kind.is_type() {
            return;
        }
        let package = it.source.value.to_string();
        for s in it.specifiers.iter().flatten() {
            match s {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    let imported = s.imported.name().to_string();
                    self.bind_import(&s.local.name, &package, Some(&imported));
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    self.bind_import(&s.local.name, &package, None);
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    self.bind_import(&s.local.name, &package, None);
                }
            }
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            // `const Sentry = require('@sentry/node')`, `const { init } = require(...)`.
            let required = match init.without_parentheses() {
                Expression::CallExpression(c) if c.callee.is_specific_id("require") => c
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .and_then(string_value),
                Expression::StaticMemberExpression(m) => match m.object.without_parentheses() {
                    Expression::CallExpression(c) if c.callee.is_specific_id("require") => c
                        .arguments
                        .first()
                        .and_then(|a| a.as_expression())
                        .and_then(string_value),
                    _ => None,
                },
                _ => None,
            };
            if let Some(package) = required {
                let package = package.to_string();
                match &it.id {
                    BindingPattern::BindingIdentifier(id) => {
                        let export = match init.without_parentheses() {
                            Expression::StaticMemberExpression(m) => {
                                Some(m.property.name.to_string())
                            }
                            _ => None,
                        };
                        self.bind_import(&id.name, &package, export.as_deref());
                    }
                    BindingPattern::ObjectPattern(p) => {
                        for prop in &p.properties {
                            if let (Some(key), Some(local)) =
                                (prop.key.static_name(), prop.value.get_identifier_name())
                            {
                                self.bind_import(&local, &package, Some(&key));
                            }
                        }
                    }
                    _ => {}
                }
            }
            if let BindingPattern::BindingIdentifier(id) = &it.id
                && is_function_like(init)
            {
                self.pending_name = Some(id.name.to_string());
            }
        }
        walk::walk_variable_declarator(self, it);
        self.pending_name = None;
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        self.enter(it.id.as_ref().map(|id| id.name.to_string()), &it.params);
        walk::walk_function(self, it, flags);
        self.frames.pop();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.enter(None, &it.params);
        walk::walk_arrow_function_expression(self, it);
        self.frames.pop();
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.pending_name = it.key.static_name().map(|n| n.to_string());
        walk::walk_method_definition(self, it);
        self.pending_name = None;
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let key = it.key.static_name();
        if is_function_like(&it.value) {
            self.pending_name = key.as_ref().map(|n| n.to_string());
        }
        match (key.as_deref(), it.value.without_parentheses()) {
            (Some("sentinels"), _) => {
                let via = self.text(it.span);
                self.out.redis_resilience.push(via);
            }
            (Some("enableOfflineQueue"), Expression::BooleanLiteral(b)) if !b.value => {
                let via = self.text(it.span);
                self.out.redis_resilience.push(via);
            }
            _ => {}
        }
        walk::walk_object_property(self, it);
        self.pending_name = None;
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        self.try_depth += 1;
        self.visit_block_statement(&it.block);
        self.try_depth -= 1;
        if let Some(handler) = &it.handler {
            self.visit_catch_clause(handler);
        }
        if let Some(finalizer) = &it.finalizer {
            self.visit_block_statement(finalizer);
        }
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        if let Some((package, export)) = self.resolve(&it.callee) {
            let (package, export) = (package.to_string(), export.map(str::to_string));
            let constructs_client = match tracker_sdk(package_of(&package).unwrap_or("")) {
                Some("rollbar") => true,
                Some("airbrake") => export.as_deref() == Some("Notifier"),
                Some("raygun") => export.as_deref() == Some("Client"),
                _ => false,
            };
            if constructs_client {
                self.tracker(&package, None, true, it.span);
            }
        }
        self.redis_new(&it.callee, it.span);
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        // Error trackers: `Sentry.init(...)`, `init(...)` imported from `@sentry/node`.
        if let Some((package, method)) = self.resolve(&it.callee) {
            let (package, method) = (package.to_string(), method.map(str::to_string));
            self.tracker(&package, method.as_deref(), false, it.span);
            let package = package_of(&package).unwrap_or("");
            if package == "redis" && method.as_deref() == Some("createClient") {
                self.redis_client(it.span);
            }
            if package == "redis"
                && matches!(method.as_deref(), Some("createCluster" | "createSentinel"))
            {
                let via = self.text(it.span);
                self.out.redis_resilience.push(via);
            }
        }
        if let Some((object, method)) = member(&it.callee) {
            if object.is_specific_id("console")
                && matches!(
                    method,
                    "log" | "error" | "warn" | "info" | "debug" | "trace"
                )
            {
                let line = self.span(it.span).line;
                self.out.console_lines.push(line);
            }
            if matches!(method, "createServer" | "listen") && self.out.http_server.is_none() {
                self.out.http_server = Some(self.span(it.span));
            }
        }
        // Health routes: `app.get('/health', …)`, `@Get('healthz')`, `router.route('/ready')`.
        if let Some(path) = it
            .arguments
            .first()
            .and_then(|a| a.as_expression())
            .and_then(string_value)
        {
            let callee = match it.callee.without_parentheses() {
                Expression::Identifier(id) => Some(id.name.as_str()),
                Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
                _ => None,
            };
            let route_callee = callee.is_some_and(|c| {
                matches!(
                    c,
                    "get"
                        | "head"
                        | "all"
                        | "route"
                        | "use"
                        | "Get"
                        | "Head"
                        | "All"
                        | "Controller"
                )
            });
            if is_health_path(path)
                && !path.contains(char::is_whitespace)
                && path.len() < 80
                && (route_callee || path.starts_with('/') && callee.is_some_and(|c| c != "on"))
            {
                let span = self.span(it.span);
                self.out.health_paths.push(HealthPath {
                    path: path.to_string(),
                    span,
                });
            }
        }
        // Calls of functions of this file, for the handler closure.
        let callee_name = match it.callee.without_parentheses() {
            Expression::Identifier(id) => Some(id.name.to_string()),
            Expression::StaticMemberExpression(m)
                if matches!(
                    m.object.without_parentheses(),
                    Expression::ThisExpression(_)
                ) =>
            {
                Some(m.property.name.to_string())
            }
            _ => None,
        };
        if let (Some(callee), Some(site)) = (callee_name, self.call_site()) {
            self.calls.push((site, callee));
        }
        // Blocking calls.
        if let Some(call) = sync_call_name(&it.callee) {
            let span = self.span(it.span);
            let handler = self.innermost_handler().map(str::to_string);
            let fact = SyncCall {
                call,
                handler: handler.clone(),
                span,
                owner: self.owner.clone(),
            };
            match (handler, self.innermost_name()) {
                (Some(_), _) => self.out.sync_calls.push(fact),
                (None, Some(name)) => {
                    let name = name.to_string();
                    self.unplaced.push((name, fact));
                }
                (None, None) => {}
            }
        }
        // Handler callbacks.
        let registration = self.handler_registration(it);
        self.visit_expression(&it.callee);
        for a in &it.arguments {
            if let Some(e) = a.as_expression()
                && is_function_like(e)
                && let Some(r) = &registration
            {
                self.pending_handler = Some(r.clone());
            }
            self.visit_argument(a);
            self.pending_handler = None;
        }
    }
}

/// The top-level declaration a statement declares (the wiring's [`Owner`]).
fn top_level_name(stmt: &Statement) -> Owner {
    let decl_name = |d: &Declaration| -> Option<String> {
        match d {
            Declaration::FunctionDeclaration(f) => f.id.as_ref().map(|i| i.name.to_string()),
            Declaration::ClassDeclaration(c) => c.id.as_ref().map(|i| i.name.to_string()),
            Declaration::VariableDeclaration(v) => {
                let [d] = v.declarations.as_slice() else {
                    return None;
                };
                let deferred = d.init.as_ref().is_some_and(|i| {
                    is_function_like(i)
                        || matches!(i.without_parentheses(), Expression::ClassExpression(_))
                });
                match (&d.id, deferred) {
                    (BindingPattern::BindingIdentifier(id), true) => Some(id.name.to_string()),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    match stmt {
        Statement::FunctionDeclaration(f) => f.id.as_ref().map(|i| i.name.to_string()),
        Statement::ClassDeclaration(c) => c.id.as_ref().map(|i| i.name.to_string()),
        Statement::VariableDeclaration(_) => stmt.as_declaration().and_then(decl_name),
        Statement::ExportDeclaration(e) => decl_name(&e.declaration),
        _ => None,
    }
}

/// Fills `facts.observability` for `program`. `frameworks` are the file's imported
/// frameworks (a bot framework makes `.on(event, fn)` an update handler).
pub(crate) fn extract<'a, F: Fn(u32, u32) -> Span>(
    program: &Program<'a>,
    source: &str,
    span_of: &F,
    frameworks: &[flightcheck_core::Framework],
) -> ObservabilityFacts {
    let mut walk = ObsWalk {
        source,
        span_of,
        out: ObservabilityFacts::default(),
        owner: None,
        try_depth: 0,
        bound: HashMap::new(),
        frames: Vec::new(),
        pending_name: None,
        pending_handler: None,
        bot_file: frameworks.iter().any(|f| f.platform().is_some()),
        calls: Vec::new(),
        unplaced: Vec::new(),
    };
    walk.visit_program(program);
    // Functions of this file that handlers call, directly or through each other.
    let mut reached: HashMap<String, String> = HashMap::new();
    let mut queue: Vec<(String, String)> = walk
        .calls
        .iter()
        .filter_map(|(site, callee)| match site {
            CallSite::Handler(h) => Some((callee.clone(), h.clone())),
            CallSite::Function(_) => None,
        })
        .collect();
    let mut by_caller: HashMap<&str, Vec<&str>> = HashMap::new();
    for (site, callee) in &walk.calls {
        if let CallSite::Function(f) = site {
            by_caller
                .entry(f.as_str())
                .or_default()
                .push(callee.as_str());
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    while let Some((name, handler)) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(callees) = by_caller.get(name.as_str()) {
            for c in callees {
                queue.push((c.to_string(), handler.clone()));
            }
        }
        reached.entry(name).or_insert(handler);
    }
    for (function, mut fact) in walk.unplaced {
        if let Some(handler) = reached.get(&function) {
            fact.handler = Some(format!("`{function}`, called by {handler}"));
            walk.out.sync_calls.push(fact);
        }
    }
    walk.out
}

#[cfg(test)]
mod tests {
    use crate::analyze;

    #[test]
    fn sync_calls_in_handlers_and_their_helpers_only() {
        let f = analyze(
            "index.js",
            "const fs = require('fs');\nconst { Telegraf } = require('telegraf');\nconst bot = new Telegraf('x');\nconst cfg = fs.readFileSync('c.json');\nfunction load() { return fs.readFileSync('db.json'); }\nfunction boot() { fs.mkdirSync('data'); }\nboot();\nbot.command('a', (ctx) => load());\nbot.once('ready', () => fs.writeFileSync('r', ''));\n",
            &[],
        );
        let calls = &f.observability.sync_calls;
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert_eq!(calls[0].span.line, 5);
        assert_eq!(
            calls[0].handler.as_deref(),
            Some("`load`, called by bot.command('a', …)")
        );
    }

    #[test]
    fn trackers_console_health_redis() {
        let f = analyze(
            "index.ts",
            "import * as Sentry from '@sentry/node';\nimport { init } from '@sentry/node';\nimport Redis from 'ioredis';\ninit({ dsn: 'x' });\nSentry.captureException(new Error('e'));\nconsole.log('hi');\napp.get('/healthz', (req, res) => res.end());\nconst r = new Redis();\nconst c = new Redis.Cluster([]);\n",
            &[],
        );
        let o = &f.observability;
        assert_eq!(o.tracker_inits.len(), 1, "{o:?}");
        assert_eq!(o.tracker_reports.len(), 1);
        assert_eq!(o.console_lines, vec![6]);
        assert_eq!(o.health_paths.len(), 1);
        assert_eq!(o.redis_clients.len(), 1);
        assert_eq!(o.redis_resilience.len(), 1);
    }
}
