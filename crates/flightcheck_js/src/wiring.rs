//! Wiring facts of JavaScript/TypeScript: bots and their handlers (telegraf, grammY,
//! node-telegram-bot-api, discord.js), HTTP routes and how they verify callers (express,
//! fastify, koa-router), tables and migrations (knex, supabase-js, SQL strings,
//! sequelize/typeorm models, migration runners), and module-level state.
//!
//! Recognition is by shape and by what the file imports; when a shape is ambiguous
//! (`promise.catch` vs `bot.catch`, `Array.from` vs `supabase.from`) nothing is recorded.

use flightcheck_core::sql;
use flightcheck_core::wiring::*;
use flightcheck_core::{Framework, Span};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::Scoping;
use oxc_span::GetSpan;
use std::collections::{HashMap, HashSet};

mod data;

/// Extracts the wiring of `program`. `frameworks` are the ones the file imports.
pub fn extract<'a, F: Fn(u32, u32) -> Span>(
    path: &str,
    program: &'a Program<'a>,
    source: &'a str,
    scoping: &Scoping,
    frameworks: &[Framework],
    span_of: &F,
) -> Wiring {
    let telegram = frameworks.iter().copied().find(|f| {
        matches!(
            f,
            Framework::Telegraf | Framework::Grammy | Framework::NodeTelegramBotApi
        )
    });
    let mut x = WiringVisitor {
        source,
        scoping,
        span_of,
        frameworks,
        telegram,
        discord: frameworks.contains(&Framework::DiscordJs),
        http: frameworks.iter().copied().find(|f| {
            matches!(
                f,
                Framework::Express | Framework::Fastify | Framework::Koa | Framework::NestJs
            )
        }),
        owner: None,
        wiring: Wiring::default(),
        loop_literals: Vec::new(),
        after_launch: 0,
        pending_method: None,
        body_method: None,
        open_launch: None,
        in_launch_then: 0,
        seen_chains: HashSet::new(),
        bot_names: HashSet::new(),
        bot_tokens: Vec::new(),
        module_containers: Vec::new(),
        uses: HashSet::new(),
        functions: named_functions(program),
        verified_receivers: HashMap::new(),
        route_receivers: Vec::new(),
        knexfile: is_knexfile(path),
        in_store_fallback: 0,
        path: path.to_string(),
        path_consts: HashMap::new(),
        inits: HashMap::new(),
        data_literals: HashSet::new(),
        web_session_locals: Vec::new(),
    };
    for stmt in &program.body {
        let Statement::VariableDeclaration(decl) = stmt else {
            continue;
        };
        for d in &decl.declarations {
            if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init)
                && let Some(p) = data::path_literal(init, &x.path_consts)
            {
                x.path_consts.insert(id.name.to_string(), p);
            }
        }
    }
    x.web_session_locals = web_session_locals(program);
    x.wiring.module_locals = module_locals(program);
    x.visit_program(program);
    x.finish();
    x.wiring
}

/// Packages whose default export makes a web login session, with the option that names
/// its store (none: the process memory).
/// (`cookie-session` has no store: the session is the signed cookie.)
const WEB_SESSION_PACKAGES: [(&str, Framework, &str); 4] = [
    ("express-session", Framework::Express, "store"),
    ("@fastify/session", Framework::Fastify, "store"),
    ("fastify-session", Framework::Fastify, "store"),
    ("cookie-session", Framework::Express, ""),
];

/// Module-level names bound to a module of the project (a relative specifier):
/// `import admin from './admin'`, `const admin = require('./admin')`, `import { create }
/// from './users'`, `const { create } = require('./users')`.
fn module_locals(program: &Program) -> Vec<ModuleLocal> {
    let mut out = Vec::new();
    let mut push = |local: &str, specifier: &str, imported: Option<&str>| {
        out.push(ModuleLocal {
            local: local.to_string(),
            specifier: specifier.to_string(),
            imported: imported.map(str::to_string),
        })
    };
    for stmt in &program.body {
        match stmt {
            Statement::ImportDeclaration(import) if import.source.value.starts_with('.') => {
                let spec = import.source.value.as_str();
                for s in import.specifiers.iter().flatten() {
                    match s {
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(d) => {
                            push(&d.local.name, spec, None)
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(n) => {
                            push(&n.local.name, spec, None)
                        }
                        ImportDeclarationSpecifier::ImportSpecifier(n) => {
                            push(&n.local.name, spec, Some(&n.imported.name()))
                        }
                    }
                }
            }
            Statement::VariableDeclaration(decl) => {
                for d in &decl.declarations {
                    let Some(Expression::CallExpression(c)) =
                        d.init.as_ref().map(|e| e.without_parentheses())
                    else {
                        continue;
                    };
                    if !matches!(&c.callee, Expression::Identifier(r) if r.name == "require") {
                        continue;
                    }
                    let Some(Argument::StringLiteral(sp)) = c.arguments.first() else {
                        continue;
                    };
                    if !sp.value.starts_with('.') {
                        continue;
                    }
                    match &d.id {
                        BindingPattern::BindingIdentifier(id) => push(&id.name, &sp.value, None),
                        BindingPattern::ObjectPattern(o) => {
                            for p in &o.properties {
                                if let (Some(key), BindingPattern::BindingIdentifier(id)) =
                                    (p.key.static_name(), &p.value)
                                {
                                    push(&id.name, &sp.value, Some(&key));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Module-level names bound to a web session package: `import session from
/// 'express-session'`, `const session = require('express-session')`.
fn web_session_locals(program: &Program) -> Vec<(String, usize)> {
    let package = |spec: &str| WEB_SESSION_PACKAGES.iter().position(|(p, _, _)| *p == spec);
    let mut out = Vec::new();
    for stmt in &program.body {
        match stmt {
            Statement::ImportDeclaration(import) => {
                let Some(i) = package(import.source.value.as_str()) else {
                    continue;
                };
                for spec in import.specifiers.iter().flatten() {
                    if let ImportDeclarationSpecifier::ImportDefaultSpecifier(d) = spec {
                        out.push((d.local.name.to_string(), i));
                    } else if let ImportDeclarationSpecifier::ImportNamespaceSpecifier(n) = spec {
                        out.push((n.local.name.to_string(), i));
                    }
                }
            }
            Statement::VariableDeclaration(decl) => {
                for d in &decl.declarations {
                    if let (
                        BindingPattern::BindingIdentifier(id),
                        Some(Expression::CallExpression(c)),
                    ) = (&d.id, d.init.as_ref().map(|e| e.without_parentheses()))
                        && matches!(&c.callee, Expression::Identifier(r) if r.name == "require")
                        && let Some(Argument::StringLiteral(s)) = c.arguments.first()
                        && let Some(i) = package(s.value.as_str())
                    {
                        out.push((id.name.to_string(), i));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

struct WiringVisitor<'s, 'a, F: Fn(u32, u32) -> Span> {
    source: &'a str,
    scoping: &'s Scoping,
    span_of: &'s F,
    frameworks: &'s [Framework],
    telegram: Option<Framework>,
    discord: bool,
    http: Option<Framework>,
    owner: Owner,
    wiring: Wiring,
    /// `for (const c of ['a', 'b'])`: the loop variable and the literal values it takes.
    loop_literals: Vec<(String, Vec<String>)>,
    /// Statements after `await bot.launch()` (telegraf 4: runs only once polling stops).
    after_launch: u32,
    /// The name of the class method whose body is visited next (taken by that body).
    pending_method: Option<String>,
    /// The class method whose body is being visited (not set in nested functions).
    body_method: Option<String>,
    /// An awaited polling launch of the current function with no startup work found after
    /// it yet: the enclosing statement lists are searched as they continue.
    open_launch: Option<Span>,
    /// Inside the callback of `bot.launch().then(...)`.
    in_launch_then: u32,
    /// Root calls of query chains already recorded (a chain is visited once per link).
    seen_chains: HashSet<(u32, u32)>,
    /// Names bound to bot instances in this file (`bot`, `this.bot`, `client`).
    bot_names: HashSet<String>,
    /// The token expressions Telegram bots of this file are constructed with
    /// (`Config.TELEGRAM_BOT_KEY` of `new TelegramBot(Config.TELEGRAM_BOT_KEY)`): a webhook
    /// URL that embeds one has a path only Telegram knows.
    bot_tokens: Vec<String>,
    /// Module-level containers: name, container kind, span.
    module_containers: Vec<(String, String, Span)>,
    uses: HashSet<(Owner, String)>,
    /// Bodies of the file's named functions (`function f`, `const f = () => {}`), to look
    /// into handlers and helpers passed by name.
    functions: HashMap<&'a str, &'a FunctionBody<'a>>,
    /// Receivers (`router`, `app`) with verifying middleware mounted by `use(...)`.
    verified_receivers: HashMap<String, String>,
    /// Receiver of each route, by index into `wiring.routes`.
    route_receivers: Vec<String>,
    /// The file is a knexfile: its `migrations.directory` configures the knex CLI.
    knexfile: bool,
    /// Inside the other branch of `redisUrl ? new RedisSession(...) : session()`.
    in_store_fallback: u32,
    /// The file's path relative to the scan root (Next.js routes live in their path).
    path: String,
    /// Module-level constants bound to a path literal (`const DB_FILE = 'db.json'`).
    path_consts: HashMap<String, String>,
    /// The string-like initializer of each variable declared so far, by name (the latest
    /// one): a webhook path held in a local (`const path = \`/bot${token}\``) is read
    /// through it.
    inits: HashMap<String, oxc_span::Span>,
    /// String literals already recorded as part of a data store (start offsets).
    data_literals: HashSet<u32>,
    /// Module-level names bound to a web session package (index into
    /// `WEB_SESSION_PACKAGES`).
    web_session_locals: Vec<(String, usize)>,
}

fn is_knexfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("knexfile.")
}

/// Bodies of named functions declared at the top level or inside top-level functions.
fn named_functions<'a>(program: &'a Program<'a>) -> HashMap<&'a str, &'a FunctionBody<'a>> {
    let mut out = HashMap::new();
    fn add_decl<'a>(stmt: &'a Statement<'a>, out: &mut HashMap<&'a str, &'a FunctionBody<'a>>) {
        match stmt {
            Statement::FunctionDeclaration(f) => {
                if let (Some(id), Some(body)) = (&f.id, &f.body) {
                    out.insert(id.name.as_str(), &**body);
                    for s in &body.statements {
                        add_decl(s, out);
                    }
                }
            }
            Statement::VariableDeclaration(d) => add_vars(d, out),
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::FunctionDeclaration(f) => {
                    if let (Some(id), Some(body)) = (&f.id, &f.body) {
                        out.insert(id.name.as_str(), &**body);
                    }
                }
                Declaration::VariableDeclaration(d) => add_vars(d, out),
                _ => {}
            },
            _ => {}
        }
    }
    fn add_vars<'a>(
        d: &'a VariableDeclaration<'a>,
        out: &mut HashMap<&'a str, &'a FunctionBody<'a>>,
    ) {
        for decl in &d.declarations {
            if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&decl.id, &decl.init)
                && let Some(body) = function_body(init)
            {
                out.insert(id.name.as_str(), body);
            }
        }
    }
    for stmt in &program.body {
        add_decl(stmt, &mut out);
    }
    out
}

/// `object.property` as (object, property name).
fn member<'b, 'a>(expr: &'b Expression<'a>) -> Option<(&'b Expression<'a>, &'b str)> {
    match expr.without_parentheses() {
        Expression::StaticMemberExpression(m) => Some((&m.object, m.property.name.as_str())),
        _ => None,
    }
}

/// A literal string: `'x'` or `` `x` `` without substitutions.
fn string_value<'b>(expr: &'b Expression) -> Option<&'b str> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.as_str())
        }
        _ => None,
    }
}

fn arg<'b, 'a>(call: &'b CallExpression<'a>, i: usize) -> Option<&'b Expression<'a>> {
    call.arguments.get(i).and_then(|a| a.as_expression())
}

fn is_function_like(expr: &Expression) -> bool {
    matches!(
        expr.without_parentheses(),
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
    )
}

/// A handler argument: a function, or a name/member that refers to one.
fn is_handler_like(expr: &Expression) -> bool {
    is_function_like(expr)
        || matches!(
            expr.without_parentheses(),
            Expression::Identifier(_)
                | Expression::StaticMemberExpression(_)
                | Expression::CallExpression(_)
        )
}

/// The commands a regex trigger stands for: `/^\/start/`, `/\/start (.+)/` → `start`;
/// `/^\/(start|help)/` and `(?:start|help)` → `start`, `help`.
fn regex_commands(pattern: &str) -> Vec<String> {
    let p = pattern.strip_prefix('^').unwrap_or(pattern);
    let Some(p) = p.strip_prefix("\\/").or_else(|| p.strip_prefix('/')) else {
        return Vec::new();
    };
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase()
    };
    if let Some(group) = p.strip_prefix("(?:").or_else(|| p.strip_prefix('(')) {
        let Some((inside, _)) = group.split_once(')') else {
            return Vec::new();
        };
        let names: Vec<String> = inside.split('|').map(word).collect();
        // Only a group of plain alternatives (`start|help`) names commands.
        if names.iter().all(|n| !n.is_empty())
            && inside
                .split('|')
                .zip(&names)
                .all(|(a, n)| a.len() == n.len())
        {
            return names;
        }
        return Vec::new();
    }
    let name = word(p);
    if name.is_empty() {
        Vec::new()
    } else {
        vec![name]
    }
}

/// Command names of a trigger argument: `'start'`, `['a', 'b']`, `'/start'`.
fn command_names(expr: &Expression) -> Option<Vec<String>> {
    let one = |s: &str| s.trim_start_matches('/').to_ascii_lowercase();
    match expr.without_parentheses() {
        Expression::ArrayExpression(a) => a
            .elements
            .iter()
            .map(|e| e.as_expression().and_then(string_value).map(one))
            .collect(),
        e => string_value(e).map(|s| vec![one(s)]),
    }
}

/// Object property `key` of an object literal.
fn property<'b, 'a>(obj: &'b ObjectExpression<'a>, key: &str) -> Option<&'b ObjectProperty<'a>> {
    obj.properties.iter().find_map(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some(key) => {
            Some(&**p)
        }
        _ => None,
    })
}

fn has_any_key(obj: &ObjectExpression, keys: &[&str]) -> bool {
    keys.iter().any(|k| property(obj, k).is_some())
}

/// Methods that end a knex/supabase query chain with a read or a write.
fn chain_access(methods: &[&str]) -> Option<TableAccess> {
    const WRITE: &[&str] = &[
        "insert",
        "update",
        "del",
        "delete",
        "increment",
        "decrement",
        "upsert",
        "merge",
        "truncate",
    ];
    const READ: &[&str] = &[
        "select",
        "where",
        "first",
        "pluck",
        "count",
        "orderBy",
        "whereIn",
        "join",
        "leftJoin",
        "innerJoin",
        "limit",
        "eq",
        "sum",
        "max",
        "min",
        "andWhere",
        "whereNot",
        "whereNull",
        "returning",
        "modify",
        "forUpdate",
        "distinct",
        "groupBy",
        "then",
        "match",
        "single",
        "maybeSingle",
        "in",
        "neq",
        "gt",
        "lt",
        "gte",
        "lte",
        "like",
        "ilike",
        "is",
        "order",
        "range",
        "onConflict",
    ];
    if methods.iter().any(|m| WRITE.contains(m)) {
        Some(TableAccess::Write)
    } else if methods.iter().any(|m| READ.contains(m)) {
        Some(TableAccess::Read)
    } else {
        None
    }
}

/// A plausible table name (`users`, `public.users`, `users as u`).
fn table_literal(s: &str) -> Option<String> {
    let s = s.trim();
    let name = s.split_whitespace().next()?;
    let name = name.rsplit('.').next()?;
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    ok.then(|| name.to_ascii_lowercase())
}

/// Objects whose `.from(x)` is not a table.
const NOT_A_CLIENT: &[&str] = &[
    "Array",
    "Buffer",
    "Object",
    "Uint8Array",
    "Promise",
    "Set",
    "Map",
    "Observable",
    "rxjs",
    "Readable",
    "stream",
    "Stream",
    "moment",
    "dayjs",
    "DateTime",
    "Decimal",
    "BigNumber",
];

const QUERY_ROOT_NAMES: &[&str] = &[
    "knex",
    "db",
    "database",
    "trx",
    "tx",
    "conn",
    "connection",
    "k",
    "pg",
    "sql",
    "query",
];

impl<'s, 'a, F: Fn(u32, u32) -> Span> WiringVisitor<'s, 'a, F> {
    /// `await bot.launch()` in polling mode: what follows it waits until the bot stops.
    fn launch_awaited_at(&mut self, stmt: &Statement<'a>) {
        if !launch_has_webhook(stmt) {
            self.open_launch = Some(self.span(stmt.span()));
        }
    }

    /// Looks for startup work in `rest`, the statements after the one that holds an open
    /// awaited launch (the launch itself, or a `try`/block around it); records the launch
    /// when some is found.
    fn continue_launch(&mut self, rest: &[Statement<'a>]) {
        let Some(span) = self.open_launch else {
            return;
        };
        // The statement that matters most: a server that never listens, then signal
        // handlers never registered, then any other step.
        let rank = |k: AfterLaunch| match k {
            AfterLaunch::Server => 0,
            AfterLaunch::SignalHandlers => 1,
            AfterLaunch::Other => 2,
        };
        let blocked = rest
            .iter()
            .filter(|s| !self.is_logging(s))
            .map(|s| {
                let text = self.text(s.span());
                let first = text.lines().next().unwrap_or("").trim();
                let kind = if text.contains(".listen(") {
                    AfterLaunch::Server
                } else if (text.contains("process.on") || text.contains("process.once"))
                    && text.contains("SIG")
                {
                    AfterLaunch::SignalHandlers
                } else {
                    AfterLaunch::Other
                };
                (
                    flightcheck_core::text::truncate(first, 80),
                    kind,
                    self.span(s.span()),
                )
            })
            .min_by_key(|(_, kind, _)| rank(*kind));
        if blocked.is_some() {
            self.open_launch = None;
            self.awaited_launch(span, blocked);
        }
    }

    /// Records an awaited launch with the work it holds up, or alone in a lifecycle hook
    /// its framework awaits before serving.
    fn awaited_launch(&mut self, span: Span, blocked: Option<(String, AfterLaunch, Span)>) {
        let startup_hook = self
            .body_method
            .as_deref()
            .filter(|m| matches!(*m, "onModuleInit" | "onApplicationBootstrap"))
            .map(str::to_string);
        if blocked.is_none() && startup_hook.is_none() {
            return;
        }
        self.wiring.awaited_launches.push(AwaitedLaunch {
            span,
            blocked,
            startup_hook,
            owner: self.owner.clone(),
        });
    }

    /// A statement that only logs (`console.log(...)`, `this.logger.log(...)`,
    /// `logger.info(...)`).
    fn is_logging(&self, stmt: &Statement<'a>) -> bool {
        let Statement::ExpressionStatement(e) = stmt else {
            return false;
        };
        let expr = match e.expression.without_parentheses() {
            Expression::AwaitExpression(a) => a.argument.without_parentheses(),
            other => other,
        };
        let Expression::CallExpression(c) = expr else {
            return false;
        };
        let callee = self.text(c.callee.span()).to_ascii_lowercase();
        callee.starts_with("console.")
            || callee.contains("logger.")
            || callee.starts_with("log.")
            || matches!(callee.as_str(), "log" | "debug" | "info")
    }

    fn span(&self, span: oxc_span::Span) -> Span {
        (self.span_of)(span.start, span.end)
    }

    fn text(&self, span: oxc_span::Span) -> &'a str {
        self.source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Receiver text, shortened for the evidence.
    fn receiver(&self, expr: &Expression) -> String {
        let t = self.text(expr.span());
        if t.len() > 40 || t.contains('\n') {
            String::new()
        } else {
            t.to_string()
        }
    }

    fn telegram_or_guess(&self) -> Framework {
        self.telegram.unwrap_or(Framework::Telegraf)
    }

    /// Whether `receiver` is plausibly a Telegram bot/composer/scene object.
    fn is_bot_receiver(&self, receiver: &str) -> bool {
        if self.bot_names.contains(receiver) {
            return true;
        }
        let last = receiver
            .rsplit('.')
            .next()
            .unwrap_or(receiver)
            .to_ascii_lowercase();
        last.contains("bot")
            || last.contains("composer")
            || last.contains("scene")
            || last.contains("router")
            || last == "stage"
            || last == "wizard"
            || last == "feature"
            || last == "handler"
            || last == "handlers"
    }

    fn push_command(
        &mut self,
        receiver: String,
        command: String,
        via: String,
        passes_on: bool,
        direct: bool,
        span: oxc_span::Span,
    ) {
        let framework = self.telegram_or_guess();
        let span = self.span(span);
        self.wiring.commands.push(CommandHandler {
            framework,
            receiver,
            command,
            via,
            passes_on,
            direct,
            span,
            owner: self.owner.clone(),
        });
    }

    /// Whether a handler chain may hand the update on: a function that calls `next()`, or a
    /// handler whose body we cannot see.
    fn handlers_pass_on(&self, handlers: &[&Expression<'a>]) -> bool {
        handlers.iter().any(|h| match h.without_parentheses() {
            Expression::FunctionExpression(f) => {
                let body = f.body.as_ref().map(|b| self.text(b.span)).unwrap_or("");
                f.params.items.len() >= 2 && body.contains("next(")
            }
            Expression::ArrowFunctionExpression(f) => {
                f.params.items.len() >= 2 && self.text(f.body.span()).contains("next(")
            }
            // A named handler declared elsewhere: its body is out of sight, so the two
            // registrations may well cooperate.
            _ => handlers.len() > 1,
        })
    }

    fn telegram_call(&mut self, call: &CallExpression<'a>) {
        // grammY's adapter as a plain function: `webhookCallback(bot, 'express', {
        // secretToken })`, also exported as a Next.js route (`export const POST =
        // webhookCallback(bot, 'std/http')`).
        if self.telegram == Some(Framework::Grammy) && call.callee.is_specific_id("webhookCallback")
        {
            // Options the scan cannot read (a variable) may carry the secret: not reported.
            let secret = call.arguments.iter().skip(2).any(|a| {
                match a.as_expression().map(|e| e.without_parentheses()) {
                    Some(Expression::ObjectExpression(o)) => {
                        has_any_key(o, &["secretToken", "secret_token"])
                    }
                    _ => true,
                }
            });
            self.push_webhook(secret, "webhookCallback(...)".to_string(), call.span);
            return;
        }
        let Some((object, method)) = member(&call.callee) else {
            return;
        };
        let receiver = self.receiver(object);
        let handlers: Vec<&Expression<'a>> = call
            .arguments
            .iter()
            .skip(1)
            .filter_map(|a| a.as_expression())
            .collect();
        let in_telegram_file = self.telegram.is_some();
        match method {
            // telegraf: `bot.start(fn)` IS the /start handler; `bot.help(fn)`, `bot.settings(fn)`.
            "start" | "help" | "settings"
                if self.telegram != Some(Framework::Grammy)
                    && self.telegram != Some(Framework::NodeTelegramBotApi)
                    && !call.arguments.is_empty()
                    && call
                        .arguments
                        .iter()
                        .all(|a| a.as_expression().is_some_and(is_handler_like))
                    && call.arguments.iter().any(|a| {
                        a.as_expression().is_some_and(is_function_like) || in_telegram_file
                    })
                    && self.is_bot_receiver(&receiver) =>
            {
                let all: Vec<&Expression<'a>> = call
                    .arguments
                    .iter()
                    .filter_map(|a| a.as_expression())
                    .collect();
                let passes = self.handlers_pass_on(&all);
                self.push_command(
                    receiver.clone(),
                    method.to_string(),
                    format!("{receiver}.{method}(...)"),
                    passes,
                    true,
                    call.span,
                );
            }
            "command"
                if call.arguments.len() >= 2
                    && handlers.iter().all(|h| is_handler_like(h))
                    && (in_telegram_file || self.is_bot_receiver(&receiver)) =>
            {
                let Some(trigger) = arg(call, 0) else { return };
                let passes = self.handlers_pass_on(&handlers);
                if let Some(names) = command_names(trigger) {
                    for name in names {
                        self.push_command(
                            receiver.clone(),
                            name.clone(),
                            format!("{receiver}.command('{name}', ...)"),
                            passes,
                            true,
                            call.span,
                        );
                    }
                } else if let Some(values) = self.loop_values(trigger) {
                    for name in values {
                        self.push_command(
                            receiver.clone(),
                            name.clone(),
                            format!("{receiver}.command(...) in a loop over a literal list"),
                            true,
                            true,
                            call.span,
                        );
                    }
                } else {
                    self.wiring.dynamic_commands = true;
                }
            }
            "hears" | "onText"
                if call.arguments.len() >= 2
                    && (in_telegram_file || self.is_bot_receiver(&receiver)) =>
            {
                let Some(trigger) = arg(call, 0) else { return };
                let commands = match trigger.without_parentheses() {
                    Expression::RegExpLiteral(r) => regex_commands(r.regex.pattern.text.as_str()),
                    e => match string_value(e) {
                        Some(s) => s
                            .starts_with('/')
                            .then(|| s.trim_start_matches('/').to_ascii_lowercase())
                            .into_iter()
                            .collect(),
                        // `hears(new RegExp(`^/(${aliases.join("|")})`), ...)`, a trigger built
                        // at run time: which commands it answers is not known here.
                        None => {
                            self.wiring.dynamic_commands = true;
                            Vec::new()
                        }
                    },
                };
                for command in commands {
                    let passes = self.handlers_pass_on(&handlers);
                    self.push_command(
                        receiver.clone(),
                        command,
                        format!("{receiver}.{method}({})", self.text(trigger.span())),
                        passes,
                        false,
                        call.span,
                    );
                }
            }
            "setMyCommands" => {
                let commands = arg(call, 0).and_then(|a| match a.without_parentheses() {
                    Expression::ArrayExpression(arr) => arr
                        .elements
                        .iter()
                        .map(
                            |e| match e.as_expression().map(|e| e.without_parentheses()) {
                                Some(Expression::ObjectExpression(o)) => property(o, "command")
                                    .and_then(|p| string_value(&p.value))
                                    .map(|s| s.trim_start_matches('/').to_ascii_lowercase()),
                                _ => None,
                            },
                        )
                        .collect::<Option<Vec<_>>>(),
                    _ => None,
                });
                // Whether `launch()` is telegraf's is the rule's call: it knows the project's
                // framework even when this file does not import it.
                let ineffective = if self.telegram.is_none_or(|t| t == Framework::Telegraf)
                    && (self.in_launch_then > 0 || self.after_launch > 0)
                {
                    Some(if self.in_launch_then > 0 {
                        "it runs in `bot.launch().then(...)`, and in telegraf 4 `launch()` resolves only when polling stops, so the menu is never set while the bot runs".to_string()
                    } else {
                        "it runs after `await bot.launch()`, and in telegraf 4 `launch()` resolves only when polling stops, so the menu is never set while the bot runs".to_string()
                    })
                } else {
                    None
                };
                let span = self.span(call.span);
                self.wiring.menus.push(CommandMenu {
                    framework: self.telegram,
                    commands,
                    ineffective,
                    span,
                    owner: self.owner.clone(),
                });
            }
            "catch"
                if self.is_known_bot(&receiver)
                    && !self.discord
                    && arg(call, 0).is_some_and(is_handler_like) =>
            {
                self.push_error_handler(format!("{receiver}.catch(...)"), call.span);
            }
            "on" | "once" => {
                let event = arg(call, 0).and_then(|e| {
                    string_value(e)
                        .map(str::to_string)
                        .or_else(|| member(e).map(|(o, p)| format!("{}.{p}", self.text(o.span()))))
                        .or_else(|| Some(self.text(e.span()).to_string()))
                });
                let Some(event) = event else { return };
                let is_error = match self.telegram {
                    Some(Framework::NodeTelegramBotApi) => {
                        matches!(event.as_str(), "polling_error" | "webhook_error" | "error")
                    }
                    _ => false,
                } || (self.discord
                    && matches!(
                        event.as_str(),
                        "error" | "Events.Error" | "shardError" | "Events.ShardError"
                    ));
                // `bot.on('message', fn)`, `bot.on(message('text'), fn)`: answers every text.
                let catch_all = self.telegram.is_some()
                    && method == "on"
                    && self.is_bot_receiver(&receiver)
                    && call.arguments.len() >= 2
                    && match arg(call, 0).map(|e| e.without_parentheses()) {
                        Some(Expression::CallExpression(f)) => {
                            self.text(f.span) == "message('text')"
                                || self.text(f.span) == "message(\"text\")"
                        }
                        _ => matches!(event.as_str(), "message" | "text" | "message:text"),
                    };
                if catch_all {
                    let span = self.span(call.span);
                    self.wiring.catch_all.push(CatchAllHandler {
                        via: format!(
                            "{receiver}.on({}, ...)",
                            arg(call, 0).map(|e| self.text(e.span())).unwrap_or("")
                        ),
                        span,
                        owner: self.owner.clone(),
                    });
                }
                if is_error && !matches!(receiver.as_str(), "process") {
                    self.push_error_handler(format!("{receiver}.on('{event}', ...)"), call.span);
                }
                // node-telegram-bot-api: `bot.on('message', (msg) => { if (msg.text === '/start') ... })`
                // is found through the literal comparison (see visit_binary_expression).
            }
            "setWebhook" | "setWebHook" | "createWebhook" | "webhookCallback" => {
                if !in_telegram_file && !self.is_bot_receiver(&receiver) {
                    return;
                }
                let secret = call.arguments.iter().any(|a| {
                    match a.as_expression().map(|e| e.without_parentheses()) {
                        Some(Expression::ObjectExpression(o)) => {
                            has_any_key(o, &["secret_token", "secretToken"])
                            // telegraf `createWebhook({ domain })`: secret path from the token.
                            || (method == "createWebhook" && !has_any_key(o, &["path"]))
                        }
                        // A path or URL built from configuration or the token
                        // (`process.env.HOOK_PATH`, `/bot${token}`) may well be secret,
                        // also through the locals it is built from.
                        Some(e) => {
                            let secretish = |t: &str| {
                                let t = t.to_ascii_lowercase();
                                t.contains("token")
                                    || t.contains("secret")
                                    || t.contains("process.env")
                                    || t.contains("hook_path")
                                    || t.contains("hookpath")
                            };
                            let text = self.text(e.span());
                            secretish(text)
                                || self.bot_tokens.iter().any(|t| text.contains(t.as_str()))
                                || text
                                    .split(|c: char| {
                                        !(c.is_ascii_alphanumeric() || c == '_' || c == '$')
                                    })
                                    .filter_map(|w| self.inits.get(w))
                                    .any(|span| secretish(self.text(*span)))
                        }
                        None => false,
                    }
                });
                self.push_webhook(secret, format!("{receiver}.{method}(...)"), call.span);
            }
            "launch" if self.telegram == Some(Framework::Telegraf) => {
                if let Some(Expression::ObjectExpression(o)) =
                    arg(call, 0).map(|e| e.without_parentheses())
                    && let Some(hook) = property(o, "webhook")
                {
                    // Without an explicit path telegraf serves a secret path derived from
                    // the token, which forged updates cannot guess.
                    let secret = matches!(hook.value.without_parentheses(), Expression::ObjectExpression(h) if has_any_key(h, &["secretToken", "secret_token"]) || !has_any_key(h, &["path", "hookPath"]));
                    self.push_webhook(
                        secret,
                        format!("{receiver}.launch({{ webhook }})"),
                        call.span,
                    );
                }
            }
            _ => {}
        }
    }

    fn is_known_bot(&self, receiver: &str) -> bool {
        self.bot_names.contains(receiver) || matches!(receiver, "bot" | "this.bot")
    }

    fn push_error_handler(&mut self, via: String, span: oxc_span::Span) {
        let framework = if self.discord && self.telegram.is_none() {
            Framework::DiscordJs
        } else {
            self.telegram_or_guess()
        };
        let span = self.span(span);
        self.wiring.error_handlers.push(BotErrorHandler {
            framework,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    fn push_webhook(&mut self, secret_token: bool, via: String, span: oxc_span::Span) {
        let span = self.span(span);
        self.wiring.webhooks.push(BotWebhook {
            when: None,
            framework: self.telegram,
            secret_token,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    /// The literal values a loop variable takes.
    fn loop_values(&self, expr: &Expression) -> Option<Vec<String>> {
        let Expression::Identifier(id) = expr.without_parentheses() else {
            return None;
        };
        self.loop_literals
            .iter()
            .rev()
            .find(|(n, _)| n == id.name.as_str())
            .map(|(_, v)| v.clone())
    }

    fn call_site(&self, span: oxc_span::Span) -> CallSite {
        // One line: a call written over several lines reads as one in messages.
        let text = self
            .text(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        CallSite {
            via: flightcheck_core::text::truncate(&text, 80),
            span: self.span(span),
            owner: self.owner.clone(),
        }
    }

    /// `autoIndex` off: `false`, or an expression that is false in production
    /// (`process.env.NODE_ENV !== 'production'`).
    fn auto_index_off(&self, options: Option<&Expression>) -> bool {
        let Some(Expression::ObjectExpression(o)) = options.map(|e| e.without_parentheses()) else {
            return false;
        };
        property(o, "autoIndex").is_some_and(|p| match p.value.without_parentheses() {
            Expression::BooleanLiteral(b) => !b.value,
            v => {
                let t = self.text(v.span());
                t.contains("NODE_ENV") || t.contains("production")
            }
        })
    }

    /// Whether an object literal (or one nested in it) declares `unique: true`.
    fn declares_unique(o: &ObjectExpression) -> bool {
        o.properties.iter().any(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) => {
                (p.key.static_name().as_deref() == Some("unique")
                    && matches!(p.value.without_parentheses(), Expression::BooleanLiteral(b) if b.value))
                    || match p.value.without_parentheses() {
                        Expression::ObjectExpression(inner) => Self::declares_unique(inner),
                        Expression::ArrayExpression(a) => a.elements.iter().any(|e| {
                            matches!(e.as_expression().map(|x| x.without_parentheses()), Some(Expression::ObjectExpression(inner)) if Self::declares_unique(inner))
                        }),
                        _ => false,
                    }
            }
            ObjectPropertyKind::SpreadProperty(_) => false,
        })
    }

    /// `new Schema({ email: { type: String, unique: true } }, { autoIndex: false })`.
    fn mongoose_schema(&mut self, it: &NewExpression<'a>) {
        if !self.frameworks.contains(&Framework::Mongoose) {
            return;
        }
        let is_schema = match it.callee.without_parentheses() {
            Expression::Identifier(id) => id.name == "Schema",
            Expression::StaticMemberExpression(m) => m.property.name == "Schema",
            _ => false,
        };
        if !is_schema {
            return;
        }
        let first = it.arguments.first().and_then(|a| a.as_expression());
        if let Some(Expression::ObjectExpression(o)) = first.map(|e| e.without_parentheses())
            && Self::declares_unique(o)
        {
            let c = self.call_site(it.span);
            self.wiring.mongo_indexes.unique.push(c);
        }
        if self.auto_index_off(it.arguments.get(1).and_then(|a| a.as_expression())) {
            let c = self.call_site(it.span);
            self.wiring.mongo_indexes.auto_index_off.push(c);
        }
    }

    /// `mongoose.connect(uri, { autoIndex: false })`, `mongoose.set('autoIndex', false)`,
    /// `schema.index({ … }, { unique: true })`, `Model.syncIndexes()`.
    fn mongoose_index_call(&mut self, call: &CallExpression<'a>) {
        if !self.frameworks.contains(&Framework::Mongoose) {
            return;
        }
        let Some((object, method)) = member(&call.callee) else {
            return;
        };
        match method {
            "connect" | "createConnection" if self.auto_index_off(arg(call, 1)) => {
                let c = self.call_site(call.span);
                self.wiring.mongo_indexes.auto_index_off.push(c);
            }
            "set"
                if arg(call, 0).and_then(string_value) == Some("autoIndex")
                    && matches!(arg(call, 1).map(|e| e.without_parentheses()), Some(Expression::BooleanLiteral(b)) if !b.value) =>
            {
                let c = self.call_site(call.span);
                self.wiring.mongo_indexes.auto_index_off.push(c);
            }
            "index" => {
                if let Some(Expression::ObjectExpression(o)) =
                    arg(call, 1).map(|e| e.without_parentheses())
                    && Self::declares_unique(o)
                {
                    let c = self.call_site(call.span);
                    self.wiring.mongo_indexes.unique.push(c);
                }
            }
            "syncIndexes" | "createIndexes" | "ensureIndexes" | "createIndex" | "cleanIndexes" => {
                let c = self.call_site(call.span);
                self.wiring.mongo_indexes.builds.push(c);
            }
            // `User.init()` builds the model's indexes.
            "init" if matches!(object.without_parentheses(), Expression::Identifier(i) if i.name.chars().next().is_some_and(|c| c.is_ascii_uppercase())) =>
            {
                let c = self.call_site(call.span);
                self.wiring.mongo_indexes.builds.push(c);
            }
            _ => {}
        }
    }

    /// Telegram payment handlers (`bot.on('pre_checkout_query')`,
    /// `bot.on(message('successful_payment'))`, grammY `'message:successful_payment'`) and
    /// launches that drop queued updates (`launch({ dropPendingUpdates: true })`, grammY
    /// `start({ drop_pending_updates: true })`, `deleteWebhook({ drop_pending_updates: true })`).
    fn payment_or_drop(&mut self, call: &CallExpression<'a>) {
        let Expression::StaticMemberExpression(m) = call.callee.without_parentheses() else {
            return;
        };
        let event = |e: &Expression| -> Option<String> {
            match e.without_parentheses() {
                Expression::CallExpression(inner) => {
                    arg(inner, 0).and_then(string_value).map(str::to_string)
                }
                other => string_value(other).map(str::to_string),
            }
        };
        let handles_payment = matches!(m.property.name.as_str(), "on" | "once")
            && arg(call, 0)
                .and_then(event)
                .is_some_and(|e| e.ends_with("successful_payment") || e == "pre_checkout_query");
        let drops = call.arguments.iter().any(|a| {
            a.as_expression().is_some_and(|e| match e.without_parentheses() {
                Expression::ObjectExpression(o) => ["dropPendingUpdates", "drop_pending_updates"]
                    .iter()
                    .any(|k| property(o, k).is_some_and(|p| matches!(p.value.without_parentheses(), Expression::BooleanLiteral(b) if b.value))),
                _ => false,
            })
        });
        if !(handles_payment || drops) {
            return;
        }
        let c = self.call_site(call.span);
        if handles_payment {
            self.wiring.payment_handlers.push(c);
        } else {
            self.wiring.drops_pending_updates.push(c);
        }
    }

    /// A web login session: `session({ ... })` of express-session, or
    /// `fastify.register(fastifySession, { ... })`; its store is the `store` option.
    fn web_session_call(&mut self, call: &CallExpression<'a>) {
        let local_package = |e: &Expression| match e.without_parentheses() {
            Expression::Identifier(id) => self
                .web_session_locals
                .iter()
                .find(|(n, _)| n == id.name.as_str())
                .map(|(_, i)| *i),
            _ => None,
        };
        let (package, options) = match call.callee.without_parentheses() {
            // `fastify.register(session, { ... })`
            Expression::StaticMemberExpression(m) if m.property.name == "register" => {
                match arg(call, 0).and_then(&local_package) {
                    Some(i) => (i, arg(call, 1)),
                    None => return,
                }
            }
            callee => match local_package(callee) {
                Some(i) => (i, arg(call, 0)),
                None => return,
            },
        };
        let Some((_, framework, store_key)) = WEB_SESSION_PACKAGES.get(package) else {
            return;
        };
        let options = options.and_then(|e| match e.without_parentheses() {
            Expression::ObjectExpression(o) => Some(o),
            _ => None,
        });
        // Options built elsewhere (`session(sessionConfig)`) are not known: say nothing.
        let Some(options) = options else {
            return;
        };
        if options
            .properties
            .iter()
            .any(|p| matches!(p, ObjectPropertyKind::SpreadProperty(_)))
        {
            return;
        }
        // The signing secret written in the code: `secret: 'x'`, `keys: ['x', 'y']`.
        let literal_secret = ["secret", "keys"].iter().find_map(|k| {
            let p = property(options, k)?;
            match p.value.without_parentheses() {
                Expression::ArrayExpression(a) => a
                    .elements
                    .iter()
                    .find_map(|e| e.as_expression().and_then(string_value))
                    .map(str::to_string),
                v => string_value(v).map(str::to_string),
            }
        });
        // cookie-session keeps the session in the signed cookie: nothing lives in memory.
        let cookie_based = store_key.is_empty();
        let store = (!cookie_based)
            .then(|| property(options, store_key))
            .flatten();
        let persistent = cookie_based
            || store.is_some_and(|p| {
                let t = self.text(p.value.span()).to_ascii_lowercase();
                !t.contains("memory")
            });
        let via = match store {
            _ if cookie_based => "the session in a signed cookie".to_string(),
            Some(p) => format!("{store_key}: {}", self.text(p.value.span())),
            None => format!("no `{store_key}` option"),
        };
        let chosen_memory_store = !persistent
            && store.is_some_and(|p| {
                let t: String = self
                    .text(p.value.span())
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                !t.ends_with(".MemoryStore()") && t != "newMemoryStore()"
            });
        let span = self.span(call.span);
        self.wiring.web_sessions.push(SessionStore {
            chosen_memory_store,
            literal_secret,
            framework: *framework,
            persistent,
            fallback: false,
            via: flightcheck_core::text::truncate(&via, 80),
            span,
            owner: self.owner.clone(),
        });
    }

    /// `session()` from telegraf/grammY, `new LocalSession(...)`.
    fn session_call(&mut self, call: &CallExpression<'a>) {
        let name = match call.callee.without_parentheses() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) if m.property.name == "session" => "session",
            _ => return,
        };
        if name != "session" || self.telegram.is_none() {
            return;
        }
        let framework = self.telegram_or_guess();
        let store_key = if framework == Framework::Grammy {
            "storage"
        } else {
            "store"
        };
        let options = arg(call, 0).and_then(|e| match e.without_parentheses() {
            Expression::ObjectExpression(o) => Some(o),
            _ => None,
        });
        let persistent = match options {
            Some(o) => match property(o, store_key)
                .or_else(|| property(o, "storage"))
                .or_else(|| property(o, "store"))
            {
                Some(p) => {
                    let t = self.text(p.value.span()).to_ascii_lowercase();
                    // `new MemorySessionStorage()` is the default spelled out.
                    !(t.contains("memory") || t.starts_with("new map"))
                }
                None => false,
            },
            // `session(store)` in older telegraf-session packages: a store object passed.
            None => call.arguments.first().is_some_and(|a| {
                a.as_expression().is_some_and(|e| {
                    !matches!(e.without_parentheses(), Expression::ObjectExpression(_))
                })
            }),
        };
        let via = if persistent {
            format!("session({{ {store_key}: ... }})")
        } else {
            format!("session() without a {store_key}")
        };
        let span = self.span(call.span);
        self.wiring.sessions.push(SessionStore {
            chosen_memory_store: false,
            literal_secret: None,
            framework,
            persistent,
            fallback: !persistent && self.in_store_fallback > 0,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    /// `new Telegraf(token)`, `new Bot(token)`, `new TelegramBot(token, {...})`, `new Client(...)`.
    fn bot_construction(
        &mut self,
        callee: &Expression<'a>,
        args: &[Argument<'a>],
        span: oxc_span::Span,
        bound_to: &str,
    ) {
        let name = match callee.without_parentheses() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) => m.property.name.as_str(),
            _ => return,
        };
        let framework = match (name, self.telegram) {
            ("Telegraf", Some(Framework::Telegraf)) => Framework::Telegraf,
            ("Bot", Some(Framework::Grammy)) => Framework::Grammy,
            ("TelegramBot", Some(Framework::NodeTelegramBotApi)) => Framework::NodeTelegramBotApi,
            ("Client" | "SapphireClient" | "AkairoClient" | "CommandoClient", _)
                if self.discord =>
            {
                Framework::DiscordJs
            }
            // `new Bot()` of `class Bot extends Client` declared earlier in this file.
            _ => match self
                .wiring
                .bots
                .iter()
                .find(|b| b.name == name && b.owner.as_deref() == Some(name))
            {
                Some(class) => class.framework,
                None => return,
            },
        };
        if framework == Framework::NodeTelegramBotApi
            && let Some(Expression::ObjectExpression(o)) = args
                .get(1)
                .and_then(|a| a.as_expression())
                .map(|e| e.without_parentheses())
            && let Some(hook) = property(o, "webHook")
            && !matches!(hook.value.without_parentheses(), Expression::BooleanLiteral(b) if !b.value)
        {
            self.push_webhook(false, "new TelegramBot(token, { webHook })".into(), span);
        }
        if !bound_to.is_empty() {
            self.bot_names.insert(bound_to.to_string());
        }
        if framework != Framework::DiscordJs
            && let Some(token) = args.first().and_then(|a| a.as_expression())
            && !matches!(token.without_parentheses(), Expression::StringLiteral(_))
        {
            let text = self.text(token.span()).trim();
            if text.len() >= 3 && text.len() <= 120 {
                self.bot_tokens.push(text.to_string());
            }
        }
        let span = self.span(span);
        self.wiring.bots.push(BotInstance {
            framework,
            name: bound_to.to_string(),
            span,
            owner: self.owner.clone(),
        });
    }

    /// A knex/supabase query chain whose outermost call is `call`.
    fn query_chain(&mut self, call: &CallExpression<'a>) {
        // Walk down `a(...).b(...).c(...)` collecting method names.
        let mut methods: Vec<&'a str> = Vec::new();
        let mut current: &CallExpression<'a> = call;
        // SAFETY of lifetimes: every link lives in the same arena as `call`.
        loop {
            match current.callee.without_parentheses() {
                Expression::StaticMemberExpression(m) => {
                    let prop: &str = m.property.name.as_str();
                    // `.from('t')` / `.table('t')` / `.into('t')` / `.join('t', ...)` name a table.
                    if let Expression::CallExpression(inner) = m.object.without_parentheses() {
                        if matches!(
                            prop,
                            "from"
                                | "table"
                                | "into"
                                | "join"
                                | "leftJoin"
                                | "innerJoin"
                                | "rightJoin"
                        ) {
                            self.table_link(current, prop, &methods, false);
                        }
                        methods.push(self.text(m.property.span));
                        current = inner;
                        continue;
                    }
                    // Root `x.from('t')` (supabase, knex) or `knex.table('t')`.
                    if matches!(prop, "from" | "table" | "into") {
                        let root = self.text(m.object.span());
                        let root_name = root.rsplit('.').next().unwrap_or(root);
                        if !NOT_A_CLIENT.contains(&root_name) {
                            self.table_link(current, prop, &methods, true);
                        }
                    }
                    break;
                }
                Expression::Identifier(id) => {
                    // Root `db('t')`.
                    let name = id.name.as_str();
                    if current.arguments.len() == 1
                        && (QUERY_ROOT_NAMES.contains(&name)
                            || name.ends_with("Db")
                            || name.ends_with("DB")
                            || name.ends_with("knex"))
                        && let Some(access) = chain_access(&methods)
                        && let Some(table) = arg(current, 0)
                            .and_then(string_value)
                            .and_then(table_literal)
                        && self
                            .seen_chains
                            .insert((current.span.start, current.span.end))
                    {
                        let span = self.span(current.span);
                        self.wiring.table_queries.push(TableQuery {
                            table,
                            access,
                            via: format!("{name}('...')"),
                            span,
                            owner: self.owner.clone(),
                        });
                    }
                    break;
                }
                _ => break,
            }
        }
    }

    /// A `.from('t')`-style link of a chain; `methods` are the links above it.
    fn table_link(
        &mut self,
        link: &CallExpression<'a>,
        method: &str,
        methods: &[&str],
        root: bool,
    ) {
        if link.arguments.is_empty() || !self.seen_chains.insert((link.span.start, link.span.end)) {
            return;
        }
        let Some(table) = arg(link, 0).and_then(string_value).and_then(table_literal) else {
            return;
        };
        // A root `.from()` needs a query method after it (supabase `.select()`, knex `.where()`).
        let Some(mut access) = chain_access(methods) else {
            return;
        };
        if !root && matches!(method, "join" | "leftJoin" | "innerJoin" | "rightJoin") {
            access = TableAccess::Read;
        }
        let via = if root && method == "from" {
            format!(".from('{table}')")
        } else {
            format!(".{method}('{table}')")
        };
        let span = self.span(link.span);
        self.wiring.table_queries.push(TableQuery {
            table,
            access,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    /// `knex.schema.createTable('t')`, `migrate.latest()`, `sequelize.sync()`, `define('M')`.
    fn data_call(&mut self, call: &CallExpression<'a>) {
        let Some((object, method)) = member(&call.callee) else {
            // node-pg-migrate `runner({ dir })` / drizzle `migrate(db, { migrationsFolder })`.
            if let Expression::Identifier(id) = call.callee.without_parentheses()
                && matches!(id.name.as_str(), "migrate" | "runner" | "runMigrations")
                && self.imports_migrator()
            {
                let directory = call.arguments.iter().find_map(|a| {
                    match a.as_expression().map(|e| e.without_parentheses()) {
                        Some(Expression::ObjectExpression(o)) => {
                            ["dir", "migrationsFolder", "directory"]
                                .iter()
                                .find_map(|k| {
                                    property(o, k)
                                        .and_then(|p| string_value(&p.value))
                                        .map(str::to_string)
                                })
                        }
                        _ => None,
                    }
                });
                let tool = if self.frameworks.contains(&Framework::Drizzle) {
                    "drizzle migrate()"
                } else {
                    "node-pg-migrate"
                };
                self.push_migration(tool, directory, false, call.span);
            }
            return;
        };
        let object_text = self.text(object.span());
        match method {
            "createTable" | "createTableIfNotExists" | "createTableLike"
                if object_text.ends_with("schema") || object_text.contains(".schema") =>
            {
                if let Some(table) = arg(call, 0).and_then(string_value).and_then(table_literal) {
                    let span = self.span(call.span);
                    self.wiring.table_creates.push(TableCreate {
                        table,
                        via: format!("{method}()"),
                        span,
                    });
                }
            }
            "renameTable" if object_text.ends_with("schema") => {
                if let Some(table) = arg(call, 1).and_then(string_value).and_then(table_literal) {
                    let span = self.span(call.span);
                    self.wiring.table_creates.push(TableCreate {
                        table,
                        via: "renameTable()".into(),
                        span,
                    });
                }
            }
            "latest" | "up" if object_text.ends_with("migrate") => {
                let directory = arg(call, 0).and_then(|e| match e.without_parentheses() {
                    Expression::ObjectExpression(o) => property(o, "directory")
                        .and_then(|p| string_value(&p.value))
                        .map(str::to_string),
                    _ => None,
                });
                self.push_migration("knex migrate.latest()", directory, false, call.span);
            }
            "up" if object_text.to_ascii_lowercase().contains("umzug")
                || object_text.to_ascii_lowercase().contains("migrator") =>
            {
                self.push_migration("umzug up()", None, false, call.span);
            }
            "runMigrations" => {
                self.push_migration("typeorm runMigrations()", None, false, call.span)
            }
            // `dataSource.synchronize()` creates every entity's table, like
            // `synchronize: true` in the options.
            "synchronize" if self.frameworks.contains(&Framework::TypeOrm) => {
                self.push_migration("typeorm synchronize()", None, true, call.span)
            }
            "sync"
                if self.frameworks.contains(&Framework::Sequelize)
                    || object_text.to_ascii_lowercase().contains("sequelize") =>
            {
                self.push_migration("sequelize.sync()", None, true, call.span);
            }
            "define"
                if self.frameworks.contains(&Framework::Sequelize)
                    || object_text.to_ascii_lowercase().contains("sequelize") =>
            {
                let options = arg(call, 2).and_then(|e| match e.without_parentheses() {
                    Expression::ObjectExpression(o) => Some(o),
                    _ => None,
                });
                let table_name = options
                    .and_then(|o| property(o, "tableName"))
                    .and_then(|p| string_value(&p.value))
                    .and_then(table_literal);
                if let Some(model) = arg(call, 0).and_then(string_value) {
                    // Sequelize pluralises model names unless told otherwise; only an explicit
                    // tableName is certain.
                    if let Some(table) = table_name {
                        let span = self.span(call.span);
                        self.wiring.table_queries.push(TableQuery {
                            table,
                            access: TableAccess::Read,
                            via: format!("sequelize model `{model}`"),
                            span,
                            owner: self.owner.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn imports_migrator(&self) -> bool {
        self.frameworks.contains(&Framework::NodePgMigrate)
            || self.frameworks.contains(&Framework::Drizzle)
    }

    fn push_migration(
        &mut self,
        tool: &str,
        directory: Option<String>,
        creates_models: bool,
        span: oxc_span::Span,
    ) {
        let span = self.span(span);
        self.wiring.migration_runs.push(MigrationRun {
            tool: tool.to_string(),
            directory,
            creates_models,
            span,
            owner: self.owner.clone(),
        });
    }

    /// SQL in a string: tables it queries or creates; a migration command it spawns.
    fn sql_text(&mut self, text: &str, span: oxc_span::Span) {
        if text.len() > 20_000 {
            return;
        }
        if sql::looks_like_sql(text) {
            let fact_span = self.span(span);
            for created in sql::tables_created(text) {
                self.wiring.table_creates.push(TableCreate {
                    table: created.table,
                    via: "CREATE TABLE in an SQL string".into(),
                    span: fact_span,
                });
            }
            for (column, declared, at) in flightcheck_core::narrow_id_columns_in_sql(text) {
                let span = flightcheck_core::line_in_literal(self.text(span), text, at, fact_span);
                self.wiring
                    .narrow_id_columns
                    .push(flightcheck_core::NarrowIdColumn {
                        column,
                        declared,
                        via: "a `CREATE TABLE` in an SQL string".into(),
                        span,
                    });
            }
            for (t, access) in sql::tables_queried(text) {
                self.wiring.table_queries.push(TableQuery {
                    table: t.table,
                    access,
                    via: "SQL string".into(),
                    span: fact_span,
                    owner: self.owner.clone(),
                });
            }
        }
    }

    /// `app.use('/admin', requireAdmin, adminRouter)`, `router.use(auth)`,
    /// `app.use('/api', require('./routes/api'))`.
    fn router_use(&mut self, call: &CallExpression<'a>, object: &Expression<'a>) {
        let args: Vec<&Expression<'a>> = call
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect();
        let prefix = args
            .first()
            .and_then(|a| string_value(a))
            .filter(|p| p.starts_with('/'))
            .map(str::to_string);
        let rest = if prefix.is_some() {
            &args[1..]
        } else {
            &args[..]
        };
        let Some(last) = rest.last() else { return };
        let target = match last.without_parentheses() {
            Expression::Identifier(id) => Some(id.name.to_string()),
            Expression::StaticMemberExpression(_) => Some(self.text(last.span()).to_string()),
            Expression::CallExpression(c) if matches!(&c.callee, Expression::Identifier(r) if r.name == "require") => {
                arg(c, 0).and_then(string_value).map(str::to_string)
            }
            _ => None,
        };
        let middlewares = rest[..rest.len() - 1]
            .iter()
            .map(|m| self.text(m.span()).chars().take(60).collect::<String>())
            .collect();
        let receiver = self.receiver(object);
        let span = self.span(call.span);
        self.wiring.router_uses.push(RouterUse {
            receiver,
            prefix,
            target,
            middlewares,
            span,
            owner: self.owner.clone(),
        });
    }

    /// Columns of a TypeORM entity named for a Telegram id and stored as a 32-bit integer:
    /// `@Column() chatId: number` (TypeORM maps `number` to `integer`), `@Column('int')`,
    /// `@Column({ type: 'integer' })`, `@PrimaryColumn()` likewise. `bigint`, `varchar` and
    /// a `transformer` leave the column alone.
    fn typeorm_narrow_id_columns(&mut self, class: &Class<'a>, entity: &str) {
        for element in &class.body.body {
            let ClassElement::PropertyDefinition(p) = element else {
                continue;
            };
            let Some(name) = p.key.static_name() else {
                continue;
            };
            if !flightcheck_core::is_telegram_id_column(&name) {
                continue;
            }
            let number = p
                .type_annotation
                .as_ref()
                .is_some_and(|t| matches!(t.type_annotation, TSType::TSNumberKeyword(_)));
            for d in &p.decorators {
                let Expression::CallExpression(c) = d.expression.without_parentheses() else {
                    continue;
                };
                if !(c.callee.is_specific_id("Column") || c.callee.is_specific_id("PrimaryColumn"))
                {
                    continue;
                }
                let int_type = |t: &str| matches!(t, "int" | "integer" | "int4" | "mediumint");
                let mut declared_type: Option<String> = None;
                let mut transformed = false;
                for a in c.arguments.iter().filter_map(|a| a.as_expression()) {
                    match a.without_parentheses() {
                        Expression::ObjectExpression(o) => {
                            if let Some(t) =
                                property(o, "type").and_then(|p| string_value(&p.value))
                            {
                                declared_type = Some(t.to_ascii_lowercase());
                            }
                            transformed |= property(o, "transformer").is_some();
                        }
                        e => {
                            if let Some(t) = string_value(e) {
                                declared_type = Some(t.to_ascii_lowercase());
                            }
                        }
                    }
                }
                let narrow = match &declared_type {
                    Some(t) => int_type(t),
                    None => number,
                };
                if narrow && !transformed {
                    let span = self.span(p.span);
                    let declared: String = self
                        .text(p.span)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .chars()
                        .take(100)
                        .collect();
                    self.wiring
                        .narrow_id_columns
                        .push(flightcheck_core::NarrowIdColumn {
                            column: name.to_string(),
                            declared,
                            via: format!("typeorm entity `{entity}`"),
                            span,
                        });
                }
            }
        }
    }

    /// Routes: `app.post('/path', mw, handler)`, `fastify.route({ method, url, handler })`.
    fn route_call(&mut self, call: &CallExpression<'a>) {
        let Some(framework) = self.http else { return };
        let Some((object, method)) = member(&call.callee) else {
            return;
        };
        if method == "use" {
            self.router_use(call, object);
            // `router.use(verifySignature)`, `app.use('/webhook', verifyWebhook)`: every route
            // of that router passes the check.
            let receiver = self.receiver(object);
            if let Some(mw) = call
                .arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .map(|e| self.text(e.span()))
                .find(|t| verifying_name(t))
            {
                let mw: String = mw.chars().take(60).collect();
                self.verified_receivers.entry(receiver).or_insert(mw);
            }
            return;
        }
        let verb = match method {
            "get" | "post" | "put" | "patch" | "delete" | "all" | "options" => {
                method.to_ascii_uppercase()
            }
            _ => return,
        };
        let Some(path) = arg(call, 0).and_then(string_value) else {
            return;
        };
        if !path.starts_with('/') || call.arguments.len() < 2 {
            return;
        }
        let receiver = self.receiver(object);
        if receiver.contains("axios")
            || receiver.contains("request")
            || receiver.contains("http") && !receiver.contains("server")
        {
            return;
        }
        let rest: Vec<&Expression<'a>> = call
            .arguments
            .iter()
            .skip(1)
            .filter_map(|a| a.as_expression())
            .collect();
        let Some(handler) = rest.last().copied() else {
            return;
        };
        if !is_handler_like(handler) {
            return;
        }
        let middlewares: Vec<String> = rest[..rest.len() - 1]
            .iter()
            .map(|m| {
                let t = self.text(m.span());
                t.chars().take(60).collect::<String>()
            })
            .collect();
        let mut verification = Verification::None;
        if let Some(mw) = middlewares.iter().find(|m| verifying_name(m)) {
            verification = Verification::Verified(format!("middleware `{mw}`"));
        }
        // A handler defined elsewhere is out of sight: `reads_body` stays false, so no rule
        // judges what it does with the request.
        let mut reads_body = false;
        let mut delegated_to = None;
        let mut feeds_bot = None;
        let body = function_body(handler).or_else(|| match handler.without_parentheses() {
            Expression::Identifier(id) => self.functions.get(id.name.as_str()).copied(),
            _ => None,
        });
        if let Some(body) = body {
            let mut scan = VerifyScan::new(self.source, &self.functions);
            scan.request_param = first_param_name(handler);
            scan.visit_function_body(body);
            reads_body = scan.reads_body;
            delegated_to = scan.delegated_to.clone();
            feeds_bot = scan.feeds_bot.clone();
            if verification == Verification::None {
                verification = scan.result();
            }
        } else if verification == Verification::None && verifying_name(self.text(handler.span())) {
            verification =
                Verification::Verified(format!("handler `{}`", self.text(handler.span())));
        }
        let span = self.span(call.span);
        self.route_receivers.push(receiver);
        self.wiring.routes.push(Route {
            confirmed_by_answer: Vec::new(),
            framework,
            method: verb,
            path: path.to_string(),
            middlewares,
            verification,
            reads_body,
            confirmed_by: Vec::new(),
            elsewhere: None,
            delegated_to,
            feeds_bot,
            span,
            owner: self.owner.clone(),
        });
    }

    fn record_use(&mut self, name: &str) {
        if self.owner.as_deref() == Some(name) {
            return;
        }
        if self.uses.insert((self.owner.clone(), name.to_string())) {
            self.wiring.decl_uses.push(DeclUse {
                from: self.owner.clone(),
                to: name.to_string(),
            });
        }
    }

    /// Module-level containers written inside functions become [`MemoryState`]; routes of
    /// routers with verifying middleware are verified.
    fn finish(&mut self) {
        for (route, receiver) in self.wiring.routes.iter_mut().zip(&self.route_receivers) {
            if route.verification != Verification::None {
                continue;
            }
            if let Some(mw) = self.verified_receivers.get(receiver) {
                route.verification =
                    Verification::Verified(format!("middleware `{mw}` mounted on `{receiver}`"));
            }
        }
        let containers = std::mem::take(&mut self.module_containers);
        let text = self.source;
        for (name, container, span) in containers {
            let mut writes = Vec::new();
            for pattern in [
                format!("{name}.set("),
                format!("{name}.add("),
                format!("{name}.push("),
                format!("{name}["),
            ] {
                for (pos, _) in text.match_indices(&pattern) {
                    // `name[x] = ...` only (not reads).
                    if pattern.ends_with('[') {
                        let after = &text[pos + pattern.len()..];
                        let close = after.find(']').unwrap_or(after.len());
                        let tail = after[close..].trim_start_matches(']').trim_start();
                        if !tail.starts_with('=') || tail.starts_with("==") {
                            continue;
                        }
                    }
                    let before = text[..pos].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                        continue;
                    }
                    let line = text[..pos].matches('\n').count() as u32 + 1;
                    writes.push(line);
                }
            }
            writes.sort_unstable();
            writes.dedup();
            // Writes on the declaration line itself are initialisation.
            writes.retain(|l| *l != span.line);
            if !writes.is_empty() {
                self.wiring.memory_state.push(MemoryState {
                    name,
                    container,
                    span,
                    writes,
                });
            }
        }
    }

    fn module_container(&mut self, name: &str, init: &Expression<'a>, span: oxc_span::Span) {
        let container = match init.without_parentheses() {
            Expression::NewExpression(n) => match n.callee.without_parentheses() {
                Expression::Identifier(id)
                    if matches!(id.name.as_str(), "Map" | "Set" | "Collection" | "WeakMap") =>
                {
                    id.name.to_string()
                }
                Expression::StaticMemberExpression(m) if m.property.name == "Collection" => {
                    "Collection".into()
                }
                _ => return,
            },
            Expression::ObjectExpression(o) if o.properties.is_empty() => "object".into(),
            Expression::ArrayExpression(a) if a.elements.is_empty() => "array".into(),
            _ => return,
        };
        let span = self.span(span);
        self.module_containers
            .push((name.to_string(), container, span));
    }
}

/// Middleware or function names that verify a caller.
fn verifying_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    let verb =
        l.contains("verif") || l.contains("valid") || l.contains("check") || l.contains("auth");
    let what = l.contains("sign")
        || l.contains("secret")
        || l.contains("hmac")
        || l.contains("webhook")
        || l.contains("token")
        || l.contains("stripe")
        || l.contains("twilio")
        || l.contains("hash")
        || l.contains("initdata");
    (verb && what) || l.contains("webhookcallback") || l.contains("twilio.webhook")
}

fn function_body<'b, 'a>(expr: &'b Expression<'a>) -> Option<&'b FunctionBody<'a>> {
    match expr.without_parentheses() {
        Expression::FunctionExpression(f) => f.body.as_deref(),
        Expression::ArrowFunctionExpression(f) => match &f.body {
            ArrowFunctionBody::FunctionBody(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

/// The name of an inline handler's first parameter (`req` of `async (req, res) => …`).
fn first_param_name<'a>(expr: &Expression<'a>) -> Option<&'a str> {
    let params = match expr.without_parentheses() {
        Expression::FunctionExpression(f) => &f.params,
        Expression::ArrowFunctionExpression(f) => &f.params,
        _ => return None,
    };
    match &params.items.first()?.pattern {
        BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
        _ => None,
    }
}

/// Looks through a handler body for a signature/secret check and whether it only runs when
/// a secret is configured.
struct VerifyScan<'s, 'a> {
    source: &'a str,
    /// Named functions of the file: a helper the handler calls is looked into.
    functions: &'s HashMap<&'a str, &'a FunctionBody<'a>>,
    /// Helpers being looked into (no loops, bounded depth).
    inside: Vec<&'a str>,
    /// Tests of enclosing `if`s that check a value is set (`if (secret)`).
    presence_guards: Vec<String>,
    verified: Option<String>,
    fail_open: Option<String>,
    reads_body: bool,
    /// The handler's request parameter (`req` of `(req, res) => …`).
    request_param: Option<&'a str>,
    /// The first call that receives the request object itself and whose body this file
    /// does not show.
    delegated_to: Option<String>,
    /// The first call that hands the update to a bot (`bot.handleUpdate(req.body)`).
    feeds_bot: Option<String>,
    /// Locals of the handler and what they were initialised from (`const SIGN = body.SIGN`,
    /// `const { SIGN } = req.body`): a test on a local reads what its initialiser reads.
    locals: HashMap<&'a str, &'a str>,
}

impl<'s, 'a> VerifyScan<'s, 'a> {
    fn new(source: &'a str, functions: &'s HashMap<&'a str, &'a FunctionBody<'a>>) -> Self {
        Self {
            source,
            functions,
            inside: Vec::new(),
            presence_guards: Vec::new(),
            verified: None,
            fail_open: None,
            reads_body: false,
            request_param: None,
            delegated_to: None,
            feeds_bot: None,
            locals: HashMap::new(),
        }
    }

    /// Whether `text` reads the incoming request, directly or through the handler's locals
    /// (`SIGN` ← `body.SIGN` ← `req.body`), a few steps deep.
    fn reads_request_through_locals(&self, text: &str, depth: usize) -> bool {
        if reads_request(text) {
            return true;
        }
        if depth == 0 {
            return false;
        }
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .filter(|w| !w.is_empty())
            .filter_map(|w| self.locals.get(w))
            .any(|init| self.reads_request_through_locals(init, depth - 1))
    }

    fn text(&self, span: oxc_span::Span) -> &'a str {
        self.source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn found(&mut self, how: String) {
        if let Some(guard) = self.presence_guards.last() {
            if self.fail_open.is_none() {
                self.fail_open = Some(format!(
                    "{how}, but only inside `if ({guard})`: when it is not set the request is accepted unverified"
                ));
            }
        } else if self.verified.is_none() {
            self.verified = Some(how);
        }
    }

    fn result(self) -> Verification {
        // One unconditional check is enough, whatever else the handler does.
        match (self.verified, self.fail_open) {
            (Some(v), _) => Verification::Verified(v),
            (None, Some(f)) => Verification::FailOpen(f),
            (None, None) => Verification::None,
        }
    }
}

/// The first call in a block that passes a value the request carries (directly or through
/// the handler's locals) as an argument.
struct RequestCalls<'v, 's, 'a> {
    scan: &'v VerifyScan<'s, 'a>,
    found: Option<&'a str>,
}

impl<'a> Visit<'a> for RequestCalls<'_, '_, 'a> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if self.found.is_none()
            && it.arguments.iter().any(|a| {
                self.scan
                    .reads_request_through_locals(self.scan.text(a.span()), 4)
            })
        {
            self.found = Some(self.scan.text(it.callee.span()));
        }
        walk::walk_call_expression(self, it);
    }
}

/// A constant-time comparison helper (`crypto.timingSafeEqual`, a project's own
/// `timingSafeEquals`, `safeCompare`, `secureCompare`): what it compares is a secret.
fn constant_time_compare(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.starts_with("timingsafe")
        || l.starts_with("constanttime")
        || matches!(
            l.as_str(),
            "safecompare" | "securecompare" | "safeequal" | "safeequals"
        )
}

/// An expression reads the incoming request (`req.params.secret`, `req.get('x-key')`,
/// `request.headers`, koa's `ctx.request`/`ctx.get(...)`).
fn reads_request(text: &str) -> bool {
    [
        "req.",
        "request.",
        "ctx.request",
        "ctx.get(",
        "ctx.headers",
        "ctx.query",
        "ctx.params",
    ]
    .iter()
    .any(|r| text.contains(r))
}

/// A statement answers the caller with 401 or 403: it refuses who is calling.
fn rejects_caller(text: &str) -> bool {
    (text.contains("401") || text.contains("403"))
        && (text.contains("status") || text.contains("Status") || text.contains("throw"))
}

fn short_text(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flightcheck_core::text::truncate(&one_line, 60).to_string()
}

/// A name that holds a secret the handler checks against (`secret`, `WEBHOOK_KEY`,
/// `config.token`, `signingSecret`).
fn secret_like(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.contains("secret") || l.contains("key") || l.contains("token") || l.contains("signing")
}

/// Whether `text` uses `name` (an identifier or member chain) as a whole word.
fn mentions_name(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

/// `if (secret)`, `if (process.env.X)`, `if (config.webhookSecret)`: a presence test.
fn presence_test<'b>(test: &'b Expression) -> Option<&'b Expression<'b>> {
    match test.without_parentheses() {
        e @ (Expression::Identifier(_) | Expression::StaticMemberExpression(_)) => Some(e),
        _ => None,
    }
}

impl<'a> Visit<'a> for VerifyScan<'_, 'a> {
    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        // `if (req.params.secret !== process.env.HOOK_SECRET) return res.sendStatus(403)`:
        // the handler refuses the caller (401/403) on a value the request carries.
        let test = self.text(it.test.span());
        // `if (secret && header !== secret)`: with the secret unset the test is false and
        // the request goes through, so what the test checks runs only when it is set.
        let unless_unset = match it.test.without_parentheses() {
            // The guard is the value the rest of the test checks the request against
            // (`expected && provided !== expected`), or a secret by name.
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::And => {
                let rest = self.text(l.right.span());
                presence_test(&l.left)
                    .map(|e| self.text(e.span()))
                    .filter(|g| {
                        (secret_like(g) || mentions_name(rest, g))
                            && !self.reads_request_through_locals(g, 4)
                    })
            }
            _ => None,
        };
        if let Some(guard) = unless_unset {
            self.presence_guards.push(guard.to_string());
        }
        if self.reads_request_through_locals(test, 4)
            && rejects_caller(self.text(it.consequent.span()))
        {
            self.found(format!("`if ({})` refuses the caller", short_text(test)));
        }
        self.visit_expression(&it.test);
        if unless_unset.is_some() {
            self.presence_guards.pop();
        }
        let guard = presence_test(&it.test)
            .map(|e| self.text(e.span()).to_string())
            .filter(|g| secret_like(g));
        if let Some(g) = &guard {
            self.presence_guards.push(g.clone());
        }
        self.visit_statement(&it.consequent);
        if guard.is_some() {
            self.presence_guards.pop();
        }
        if let Some(alt) = &it.alternate {
            self.visit_statement(alt);
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let callee = self.text(it.callee.span());
        let last = callee.rsplit('.').next().unwrap_or(callee);
        // telegraf/grammY `bot.handleUpdate(update)`, node-telegram-bot-api
        // `bot.processUpdate(update)`.
        if self.feeds_bot.is_none() && matches!(last, "handleUpdate" | "processUpdate") {
            self.feeds_bot = Some(callee.chars().take(80).collect());
        }
        // `provider.handleWebhook(req, …)`: the whole request goes where this file cannot
        // follow (a helper of this file is looked into below instead).
        let local_helper = matches!(it.callee.without_parentheses(), Expression::Identifier(id)
            if self.functions.contains_key(id.name.as_str()));
        if self.delegated_to.is_none()
            && !local_helper
            && let Some(param) = self.request_param
            && it.arguments.iter().any(|a| {
                matches!(a.as_expression().map(Expression::without_parentheses),
                    Some(Expression::Identifier(id)) if id.name.as_str() == param)
            })
        {
            self.delegated_to = Some(callee.chars().take(80).collect());
        }
        if matches!(
            last,
            "timingSafeEqual"
                | "constructEvent"
                | "constructEventAsync"
                | "validateRequest"
                | "validateRequestWithBody"
                | "verifySignature"
                | "verify"
        ) && !callee.starts_with("jwt.")
            || verifying_name(last)
            || constant_time_compare(last)
        {
            self.found(format!("`{callee}(...)`"));
        }
        // A helper of this file: what it checks, the handler checks (under the same `if`).
        if let Expression::Identifier(id) = it.callee.without_parentheses()
            && let Some(body) = self.functions.get(id.name.as_str()).copied()
            && self.inside.len() < 3
            && !self.inside.contains(&id.name.as_str())
        {
            self.inside.push(
                self.functions
                    .get_key_value(id.name.as_str())
                    .map(|(k, _)| *k)
                    .unwrap_or(""),
            );
            self.visit_function_body(body);
            self.inside.pop();
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if matches!(
            it.operator,
            BinaryOperator::StrictEquality
                | BinaryOperator::StrictInequality
                | BinaryOperator::Equality
                | BinaryOperator::Inequality
        ) {
            let l = self.text(it.left.span()).to_ascii_lowercase();
            let r = self.text(it.right.span()).to_ascii_lowercase();
            let secretish = |s: &str| {
                s.contains("secret")
                    || s.contains("signature")
                    || s.contains("x-telegram-bot-api-secret-token")
                    || s.contains("hmac")
            };
            if secretish(&l) && secretish(&r)
                || (secretish(&l) || secretish(&r))
                    && (l.contains("header") || r.contains("header"))
            {
                self.found(format!("`{}`", self.text(it.span)));
            }
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            let from = self.text(init.span());
            match &it.id {
                BindingPattern::BindingIdentifier(id) => {
                    self.locals.insert(id.name.as_str(), from);
                }
                BindingPattern::ObjectPattern(o) => {
                    for prop in &o.properties {
                        if let BindingPattern::BindingIdentifier(id) = &prop.value {
                            self.locals.insert(id.name.as_str(), from);
                        }
                    }
                }
                _ => {}
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        // `try { await process(id, req.headers['x-signature'], body) } catch (e) { return
        // reply.status(401) }`: the handler hands what the request carries to code that
        // throws when it does not check out, and refuses the caller then.
        if let Some(handler) = &it.handler
            && rejects_caller(self.text(handler.body.span()))
        {
            let mut calls = RequestCalls {
                scan: self,
                found: None,
            };
            calls.visit_block_statement(&it.block);
            if let Some(callee) = calls.found {
                self.found(format!(
                    "`{callee}(...)` gets what the request carries and the handler answers 401/403 when it throws"
                ));
            }
        }
        walk::walk_try_statement(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        // `req.body`, or a fetch-style `await request.json()` / `.text()` / `.formData()`.
        let fetch_body = matches!(
            it.property.name.as_str(),
            "json" | "text" | "formData" | "arrayBuffer"
        ) && matches!(self.text(it.object.span()), "req" | "request");
        if it.property.name == "body" || it.property.name == "rawBody" || fetch_body {
            self.reads_body = true;
        }
        walk::walk_static_member_expression(self, it);
    }
}

impl<'a, F: Fn(u32, u32) -> Span> Visit<'a> for WiringVisitor<'_, 'a, F> {
    fn visit_program(&mut self, it: &Program<'a>) {
        for (i, stmt) in it.body.iter().enumerate() {
            self.top_level(stmt);
            // Top-level `await bot.launch()` in an ES module.
            if self.telegram.is_none_or(|t| t == Framework::Telegraf) && awaits_launch(stmt) {
                self.launch_awaited_at(stmt);
            }
            self.continue_launch(&it.body[i + 1..]);
        }
        self.open_launch = None;
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        // `bot.launch().then(() => bot.telegram.setMyCommands(...))`
        let launch_then = self.telegram.is_none_or(|t| t == Framework::Telegraf)
            && member(&it.callee).is_some_and(|(o, p)| {
                p == "then"
                    && matches!(o.without_parentheses(), Expression::CallExpression(c) if member(&c.callee).is_some_and(|(_, m)| m == "launch"))
            });
        // `['help', 'about'].forEach((name) => bot.command(name, ...))`
        if let Some((object, "forEach" | "map")) = member(&it.callee)
            && let Expression::ArrayExpression(a) = object.without_parentheses()
            && let Some(values) = a
                .elements
                .iter()
                .map(|e| {
                    e.as_expression()
                        .and_then(string_value)
                        .map(|s| s.trim_start_matches('/').to_ascii_lowercase())
                })
                .collect::<Option<Vec<_>>>()
            && let Some(param) = arg(it, 0).and_then(|f| match f.without_parentheses() {
                Expression::ArrowFunctionExpression(f) => f.params.items.first(),
                Expression::FunctionExpression(f) => f.params.items.first(),
                _ => None,
            })
            && let BindingPattern::BindingIdentifier(p) = &param.pattern
        {
            self.loop_literals.push((p.name.to_string(), values));
            walk::walk_call_expression(self, it);
            self.loop_literals.pop();
            return;
        }
        self.telegram_call(it);
        self.session_call(it);
        self.payment_or_drop(it);
        self.mongoose_index_call(it);
        if !self.web_session_locals.is_empty() {
            self.web_session_call(it);
        }
        self.query_chain(it);
        self.data_call(it);
        self.data_call_store(it);
        self.route_call(it);
        if launch_then {
            self.visit_expression(&it.callee);
            self.in_launch_then += 1;
            for a in &it.arguments {
                self.visit_argument(a);
            }
            self.in_launch_then -= 1;
        } else {
            walk::walk_call_expression(self, it);
        }
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        // `redisUrl ? new RedisSession(...) : session()`: memory only when Redis is not set.
        let persistent_branch = {
            let t = self.text(it.consequent.span()).to_ascii_lowercase();
            ["redis", "mongo", "postgres", "sql", "firestore", "dynamo"]
                .iter()
                .any(|w| t.contains(w))
        };
        self.visit_expression(&it.test);
        self.visit_expression(&it.consequent);
        if persistent_branch {
            self.in_store_fallback += 1;
        }
        self.visit_expression(&it.alternate);
        if persistent_branch {
            self.in_store_fallback -= 1;
        }
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        // TypeORM `@Entity('users')` / `@Entity({ name: 'users' })` / `@Entity()`.
        if self.frameworks.contains(&Framework::TypeOrm)
            && let Some(id) = &it.id
        {
            for d in &it.decorators {
                let Expression::CallExpression(c) = d.expression.without_parentheses() else {
                    continue;
                };
                if !c.callee.is_specific_id("Entity") {
                    continue;
                }
                let named = arg(c, 0).and_then(|a| match a.without_parentheses() {
                    Expression::ObjectExpression(o) => {
                        property(o, "name").and_then(|p| string_value(&p.value))
                    }
                    e => string_value(e),
                });
                let table = named
                    .and_then(table_literal)
                    .unwrap_or_else(|| id.name.to_ascii_lowercase());
                let span = self.span(d.span);
                self.wiring.table_queries.push(TableQuery {
                    table,
                    access: TableAccess::Read,
                    via: format!("typeorm entity model `{}`", id.name),
                    span,
                    owner: Some(id.name.to_string()),
                });
                self.typeorm_narrow_id_columns(it, id.name.as_str());
            }
        }
        // `class MyBot extends Client` (discord.js) / `extends Telegraf`: the class is the bot.
        if let (Some(heritage), Some(id)) = (&it.heritage, &it.id) {
            let base = self.text(heritage.expression.span());
            let base = base.rsplit('.').next().unwrap_or(base);
            let framework = match base {
                "Client" | "SapphireClient" | "AkairoClient" if self.discord => {
                    Some(Framework::DiscordJs)
                }
                "Telegraf" if self.telegram == Some(Framework::Telegraf) => {
                    Some(Framework::Telegraf)
                }
                "Bot" if self.telegram == Some(Framework::Grammy) => Some(Framework::Grammy),
                _ => None,
            };
            if let Some(framework) = framework {
                let span = self.span(it.span);
                self.wiring.bots.push(BotInstance {
                    framework,
                    name: id.name.to_string(),
                    span,
                    owner: Some(id.name.to_string()),
                });
            }
        }
        walk::walk_class(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.typeorm_table(it);
        self.mongoose_schema(it);
        self.bot_construction(&it.callee, &it.arguments, it.span, "");
        self.data_new(it);
        walk::walk_new_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        // Only values that can be a path or URL (literals, templates, concatenations,
        // `process.env.X || '…'`), not objects such as the bot itself.
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init)
            && matches!(
                init.without_parentheses(),
                Expression::StringLiteral(_)
                    | Expression::TemplateLiteral(_)
                    | Expression::BinaryExpression(_)
                    | Expression::LogicalExpression(_)
                    | Expression::StaticMemberExpression(_)
            )
        {
            self.inits.insert(id.name.to_string(), init.span());
        }
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init)
            && let Expression::NewExpression(n) = init.without_parentheses()
        {
            // `const table = new Table({ name: 'user', ... })` creates a table as surely as
            // the inline form does.
            self.typeorm_table(n);
            self.mongoose_schema(n);
            self.named_new(n, id.name.as_str());
            return;
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        // `this.bot = new Telegraf(token)`
        if let Expression::NewExpression(n) = it.right.without_parentheses() {
            let target = self.text(it.left.span()).to_string();
            if target.len() <= 40 {
                self.named_new(n, &target);
                return;
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        let values = match it.right.without_parentheses() {
            Expression::ArrayExpression(a) => a
                .elements
                .iter()
                .map(|e| {
                    e.as_expression()
                        .and_then(string_value)
                        .map(|s| s.trim_start_matches('/').to_ascii_lowercase())
                })
                .collect::<Option<Vec<_>>>(),
            _ => None,
        };
        let var = match &it.left {
            ForStatementLeft::VariableDeclaration(d) => {
                d.declarations.first().and_then(|d| match &d.id {
                    BindingPattern::BindingIdentifier(id) => Some(id.name.to_string()),
                    _ => None,
                })
            }
            _ => None,
        };
        if let (Some(values), Some(var)) = (values, var) {
            self.loop_literals.push((var, values));
            walk::walk_for_of_statement(self, it);
            self.loop_literals.pop();
        } else {
            walk::walk_for_of_statement(self, it);
        }
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.pending_method = it.key.static_name().map(|n| n.to_string());
        walk::walk_method_definition(self, it);
        self.pending_method = None;
    }

    fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
        let method = self.pending_method.take();
        let saved_method = std::mem::replace(&mut self.body_method, method);
        let saved_open = self.open_launch.take();
        let saved = self.after_launch;
        self.after_launch = 0;
        walk::walk_function_body(self, it);
        // Nothing but logging follows the launch in this function: it matters only in a
        // lifecycle hook its framework awaits.
        if let Some(span) = self.open_launch.take() {
            self.awaited_launch(span, None);
        }
        self.after_launch = saved;
        self.open_launch = saved_open;
        self.body_method = saved_method;
    }

    /// Every statement list (a function body, a block, a `try`): what follows
    /// `await bot.launch()` in it runs only once polling stops.
    fn visit_statements(&mut self, it: &oxc_allocator::Vec<'a, Statement<'a>>) {
        let saved = self.after_launch;
        // A launch opened before this list (a `catch` or `else` beside the block that holds
        // it) is continued by the list around them, not by this one.
        let inherited = self.open_launch.take();
        for (i, stmt) in it.iter().enumerate() {
            self.visit_statement(stmt);
            if self.telegram.is_none_or(|t| t == Framework::Telegraf) && awaits_launch(stmt) {
                self.after_launch += 1;
                self.launch_awaited_at(stmt);
            }
            self.continue_launch(&it[i + 1..]);
        }
        if self.open_launch.is_none() {
            self.open_launch = inherited;
        }
        self.after_launch = saved;
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.sql_text(it.value.as_str(), it.span);
        self.data_literal(it.value.as_str(), it.span);
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        // `SELECT * FROM ${table}` has no literal table; placeholders become `?`.
        let text: String = it
            .quasis
            .iter()
            .map(|q| q.value.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ? ");
        self.sql_text(&text, it.span);
        walk::walk_template_literal(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        // `msg.text === '/start'` (node-telegram-bot-api style dispatch by hand).
        if self.telegram.is_some()
            && matches!(
                it.operator,
                BinaryOperator::StrictEquality | BinaryOperator::Equality
            )
        {
            for side in [&it.left, &it.right] {
                if let Some(s) = string_value(side)
                    && let Some(cmd) = s.strip_prefix('/')
                    && !cmd.is_empty()
                    && cmd.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.push_command(
                        String::new(),
                        cmd.to_ascii_lowercase(),
                        format!("`{}`", self.text(it.span)),
                        true,
                        false,
                        it.span,
                    );
                }
            }
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_switch_case(&mut self, it: &SwitchCase<'a>) {
        if self.telegram.is_some()
            && let Some(s) = it.test.as_ref().and_then(string_value)
            && let Some(cmd) = s.strip_prefix('/')
            && !cmd.is_empty()
            && cmd.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.push_command(
                String::new(),
                cmd.to_ascii_lowercase(),
                format!("case '{s}'"),
                true,
                false,
                it.span,
            );
        }
        walk::walk_switch_case(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if self.wiring.conversation_state.is_none() && self.telegram.is_some() {
            let p = it.property.name.as_str();
            let o = self.text(it.object.span());
            let state = (p == "session" && o.ends_with("ctx"))
                || (p == "scene" && o.ends_with("ctx"))
                || (p == "conversation" && o.ends_with("ctx"))
                || (o == "Scenes" && matches!(p, "WizardScene" | "BaseScene" | "Stage"));
            if state {
                self.wiring.conversation_state = Some(self.span(it.span));
            }
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if self.wiring.conversation_state.is_none()
            && self.telegram.is_some()
            && matches!(
                it.name.as_str(),
                "WizardScene" | "BaseScene" | "conversations" | "createConversation" | "Stage"
            )
        {
            self.wiring.conversation_state = Some(self.span(it.span));
        }
        if self.wiring.rate_limits.is_empty() {
            let l = it.name.to_ascii_lowercase();
            if (self.telegram.is_some() || self.discord)
                && (l.contains("ratelimit")
                    || l.contains("throttl")
                    || l.contains("cooldown")
                    || l.contains("limiter"))
            {
                let span = self.span(it.span);
                self.wiring.rate_limits.push(RateLimit {
                    via: it.name.to_string(),
                    span,
                    owner: self.owner.clone(),
                });
            }
        }
        if let Some(reference) = it.reference_id.get()
            && let Some(symbol) = self.scoping.get_reference(reference).symbol_id()
            && self.scoping.symbol_scope_id(symbol) == self.scoping.root_scope_id()
        {
            let name = self.scoping.symbol_name(symbol).to_string();
            self.record_use(&name);
        }
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let key = it.key.static_name();
        // knexfile: `migrations: { directory: './db/migrations' }` tells the knex CLI where
        // the migrations are.
        if self.knexfile
            && key.as_deref() == Some("migrations")
            && let Expression::ObjectExpression(o) = it.value.without_parentheses()
            && let Some(dir) = property(o, "directory").and_then(|p| string_value(&p.value))
        {
            let span = self.span(it.span);
            self.wiring.migration_configs.push(MigrationConfig {
                tool: "knex".into(),
                directory: dir.to_string(),
                span,
            });
        }
        // TypeORM `synchronize: true` creates every entity's table at startup.
        if self.frameworks.contains(&Framework::TypeOrm)
            && key.as_deref() == Some("synchronize")
            && matches!(it.value.without_parentheses(), Expression::BooleanLiteral(b) if b.value)
        {
            self.push_migration("typeorm synchronize", None, true, it.span);
        }
        // discord.js event modules: `module.exports = { name: Events.Error, execute }`.
        if self.discord
            && it.key.static_name().as_deref() == Some("name")
            && matches!(
                self.text(it.value.span()),
                "'error'" | "\"error\"" | "Events.Error"
            )
        {
            self.push_error_handler(
                format!("event module `name: {}`", self.text(it.value.span())),
                it.span,
            );
        }
        // A command module of a loader: `{ command: 'start', ... }` / `{ name: 'start', ... }`.
        if self.telegram.is_some()
            && matches!(
                it.key.static_name().as_deref(),
                Some("command" | "name" | "trigger")
            )
            && let Some(s) = string_value(&it.value)
            && s.trim_start_matches('/') == "start"
        {
            self.push_command(
                String::new(),
                "start".into(),
                format!("command module `{}`", self.text(it.span)),
                true,
                false,
                it.span,
            );
        }
        walk::walk_object_property(self, it);
    }
}

/// `await bot.launch()` as a statement (or `await bot.launch(...).then(...)`).
/// `await bot.launch({ webhook: ... })`: webhook mode, where `launch()` returns once the
/// server is set up.
fn launch_has_webhook(stmt: &Statement) -> bool {
    let Statement::ExpressionStatement(e) = stmt else {
        return false;
    };
    let Expression::AwaitExpression(a) = e.expression.without_parentheses() else {
        return false;
    };
    let Expression::CallExpression(c) = a.argument.without_parentheses() else {
        return false;
    };
    c.arguments.iter().any(
        |arg| match arg.as_expression().map(|e| e.without_parentheses()) {
            Some(Expression::ObjectExpression(o)) => property(o, "webhook").is_some(),
            _ => false,
        },
    )
}

fn awaits_launch(stmt: &Statement) -> bool {
    let Statement::ExpressionStatement(e) = stmt else {
        return false;
    };
    let Expression::AwaitExpression(a) = e.expression.without_parentheses() else {
        return false;
    };
    matches!(a.argument.without_parentheses(), Expression::CallExpression(c) if member(&c.callee).is_some_and(|(_, m)| m == "launch"))
}

impl<'a, F: Fn(u32, u32) -> Span> WiringVisitor<'_, 'a, F> {
    /// A top-level statement: declarations own what is inside them; everything else runs at
    /// module load.
    fn top_level(&mut self, stmt: &Statement<'a>) {
        match stmt {
            Statement::FunctionDeclaration(f) => {
                let name = f.id.as_ref().map(|i| i.name.to_string());
                self.owned(name, |v| {
                    v.visit_function(f, oxc_semantic::ScopeFlags::Function)
                });
            }
            Statement::ClassDeclaration(c) => {
                let name = c.id.as_ref().map(|i| i.name.to_string());
                self.owned(name, |v| v.visit_class(c));
            }
            Statement::VariableDeclaration(d) => self.top_level_variables(d),
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::FunctionDeclaration(f) => {
                    let name = f.id.as_ref().map(|i| i.name.to_string());
                    // Next.js app router: `export async function POST(request)` in route.ts.
                    if let (Some(verb), Some(path), Some(body)) = (
                        name.as_deref()
                            .filter(|n| matches!(*n, "GET" | "POST" | "PUT" | "PATCH" | "DELETE")),
                        self.next_api_path(true),
                        &f.body,
                    ) {
                        self.next_route(verb, path, body, f.span);
                    }
                    self.wiring.exports.extend(name.clone());
                    self.owned(name, |v| {
                        v.visit_function(f, oxc_semantic::ScopeFlags::Function)
                    });
                }
                Declaration::ClassDeclaration(c) => {
                    let name = c.id.as_ref().map(|i| i.name.to_string());
                    self.wiring.exports.extend(name.clone());
                    self.owned(name, |v| v.visit_class(c));
                }
                Declaration::VariableDeclaration(d) => {
                    for decl in &d.declarations {
                        if let BindingPattern::BindingIdentifier(id) = &decl.id {
                            self.wiring.exports.push(id.name.to_string());
                        }
                    }
                    self.top_level_variables(d);
                }
                _ => walk::walk_export_declaration(self, e),
            },
            Statement::ExportNamedDeclaration(e) => {
                // `export { a, b as c }`: the local names are exported.
                for s in &e.specifiers {
                    self.wiring.exports.push(s.local.name().to_string());
                }
                walk::walk_export_named_declaration(self, e);
            }
            Statement::ExportDefaultDeclaration(e) => {
                self.wiring.exports.push("default".into());
                match &e.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                        if let (Some(path), Some(body)) = (self.next_api_path(false), &f.body) {
                            self.next_route("ALL", path, body, f.span);
                        }
                        if let Some(id) = &f.id {
                            self.wiring.exports.push(id.name.to_string());
                        }
                        self.visit_function(f, oxc_semantic::ScopeFlags::Function);
                    }
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                        if let Some(id) = &c.id {
                            self.wiring.exports.push(id.name.to_string());
                        }
                        self.visit_class(c);
                    }
                    _ => walk::walk_export_default_declaration(self, e),
                }
            }
            other => self.visit_statement(other),
        }
    }

    /// The URL path of a Next.js API file: `pages/api/webhooks/stripe.ts` →
    /// `/api/webhooks/stripe`; with `app_router`, `app/api/hook/route.ts` → `/api/hook`.
    fn next_api_path(&self, app_router: bool) -> Option<String> {
        let rel = self.path.trim_start_matches("./");
        let rel = rel
            .split_once("src/")
            .map(|(_, r)| r)
            .filter(|_| rel.starts_with("src/"))
            .unwrap_or(rel);
        let stem = rel.rsplit_once('.').map(|(s, _)| s)?;
        if app_router {
            let dir = stem.strip_suffix("/route")?;
            let dir = dir
                .strip_prefix("app/")
                .or_else(|| dir.split_once("/app/").map(|(_, d)| d))?;
            // Route groups `(marketing)` do not appear in the URL.
            let parts: Vec<&str> = dir
                .split('/')
                .filter(|p| !(p.starts_with('(') && p.ends_with(')')))
                .collect();
            Some(format!("/{}", parts.join("/")))
        } else {
            let api = stem
                .strip_prefix("pages/api/")
                .or_else(|| stem.split_once("/pages/api/").map(|(_, d)| d))?;
            let api = api.strip_suffix("/index").unwrap_or(api);
            Some(format!("/api/{api}"))
        }
    }

    /// A Next.js API handler as a route, with its body scanned for sender verification.
    fn next_route(
        &mut self,
        verb: &str,
        path: String,
        body: &FunctionBody<'a>,
        span: oxc_span::Span,
    ) {
        let mut scan = VerifyScan::new(self.source, &self.functions);
        scan.visit_function_body(body);
        let reads_body = scan.reads_body;
        let delegated_to = scan.delegated_to.clone();
        let feeds_bot = scan.feeds_bot.clone();
        let verification = scan.result();
        let span = self.span(span);
        self.route_receivers.push(String::new());
        self.wiring.routes.push(Route {
            confirmed_by_answer: Vec::new(),
            framework: Framework::NextJs,
            method: verb.to_string(),
            path,
            middlewares: Vec::new(),
            verification,
            reads_body,
            confirmed_by: Vec::new(),
            elsewhere: None,
            delegated_to,
            feeds_bot,
            span,
            owner: None,
        });
    }

    /// `name = new X(...)`: records a bot bound to `name`, then walks the arguments and
    /// callee only (visiting the `new` again would record the bot a second time, unnamed).
    /// TypeORM migrations: `queryRunner.createTable(new Table({ name: 'payments', ... }))`.
    fn typeorm_table(&mut self, it: &NewExpression<'a>) {
        if self.frameworks.contains(&Framework::TypeOrm)
            && it.callee.is_specific_id("Table")
            && let Some(Expression::ObjectExpression(o)) = it
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .map(|e| e.without_parentheses())
            && let Some(table) = property(o, "name")
                .and_then(|p| string_value(&p.value))
                .and_then(table_literal)
        {
            let span = self.span(it.span);
            self.wiring.table_creates.push(TableCreate {
                table,
                via: "typeorm new Table()".into(),
                span,
            });
        }
    }

    fn named_new(&mut self, n: &NewExpression<'a>, name: &str) {
        self.bot_construction(&n.callee, &n.arguments, n.span, name);
        self.data_new(n);
        for a in &n.arguments {
            self.visit_argument(a);
        }
        self.visit_expression(&n.callee);
    }

    fn top_level_variables(&mut self, d: &VariableDeclaration<'a>) {
        for decl in &d.declarations {
            let name = match &decl.id {
                BindingPattern::BindingIdentifier(id) => Some(id.name.to_string()),
                _ => None,
            };
            let deferred = decl.init.as_ref().is_some_and(|i| {
                is_function_like(i)
                    || matches!(i.without_parentheses(), Expression::ClassExpression(_))
            });
            if let (Some(n), Some(init)) = (&name, &decl.init) {
                self.module_container(n, init, decl.span);
            }
            if deferred {
                self.owned(name, |v| v.visit_variable_declarator(decl));
            } else {
                self.visit_variable_declarator(decl);
            }
        }
    }

    fn owned(&mut self, name: Option<String>, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.owner, name);
        f(self);
        self.owner = saved;
    }
}

#[cfg(test)]
mod regex_command_tests {
    use super::regex_commands;

    #[test]
    fn alternatives_in_a_group_are_each_a_command() {
        assert_eq!(regex_commands(r"^\/start"), ["start"]);
        assert_eq!(regex_commands(r"\/start (.+)"), ["start"]);
        assert_eq!(regex_commands(r"^\/(start|help)"), ["start", "help"]);
        assert_eq!(regex_commands(r"^\/(?:start|menu)$"), ["start", "menu"]);
        assert!(regex_commands(r"^\/(start.*|x)").is_empty());
        assert!(regex_commands(r"hello").is_empty());
    }
}
