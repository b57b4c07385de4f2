//! Wiring facts of one Python module: bots, command handlers, menus, sessions, webhooks,
//! HTTP routes, tables, migrations and module-level state (see [`Wiring`]).
//!
//! Runs as a second walk over the module `analyze_for` already parsed. It recognises
//! framework spellings by name, qualified through the module's imports where that is
//! possible; when a spelling is ambiguous it extracts nothing.
//!
//! This file holds the entry, the module index and the walk with its dispatch (by
//! statement, decorator and call). What a spelling means lives with its framework:
//! `aiogram` (command filters and registrations, shared with pyTelegramBotAPI), `ptb`
//! (python-telegram-bot), `bots` (what every bot framework records, discord.py included),
//! `routes` and `verify` (HTTP routes of FastAPI, Flask, aiohttp and Django, and how their
//! handlers check callers), `tables` (ORM models, SQL, migrations), `data` (data kept in
//! local files), `state` (module-level state), `common` (syntax helpers).

use self::bots::{is_discord_error_event, is_telegram, storage_branches, throttle_like};
use self::common::{
    fstring_text, has_kw, is_none_or_empty, is_true, kw, last_seg, short, str_list, str_lit,
};
use self::data::path_literal;
use self::ptb::non_default_group;
use self::state::{container_of, local_bindings, subscript_root};
use self::tables::{ModelKind, spawned_migration};
use crate::dotted;
use flightcheck_core::wiring::{BotInstance, DeclUse, MemoryState, Owner, Wiring};
use flightcheck_core::{Framework, Span};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

mod aiogram;
mod bots;
mod common;
mod data;
mod guards;
mod ptb;
mod routes;
mod state;
mod tables;
mod verify;

/// What the wiring walk needs from the first walk.
pub(crate) struct Module<'s> {
    pub source: &'s str,
    pub span_of: &'s dyn Fn(TextRange) -> Span,
    /// Local name → qualified name bound by imports (`commands` → `discord.ext.commands`).
    pub imported: &'s HashMap<String, String>,
    /// Frameworks the module imports.
    pub frameworks: &'s [Framework],
}

/// Extracts the wiring facts of a parsed module.
pub(crate) fn extract(body: &[Stmt], module: &Module<'_>) -> Wiring {
    let idx = Index::build(body);
    let mut w = Walker {
        m: module,
        idx: &idx,
        out: Wiring::default(),
        uses: HashSet::new(),
        owner: None,
        depth: 0,
        scopes: Vec::new(),
        class: None,
        assign: None,
        handled: HashSet::new(),
        sql_args: HashSet::new(),
        not_sql: HashSet::new(),
        in_conversation: 0,
        storage_fallback: 0,
        if_guards: Vec::new(),
        in_except: 0,
        models: HashMap::new(),
        bot_classes: HashSet::new(),
        memory_writes: HashMap::new(),
        path_consts: HashMap::new(),
        data_literals: HashSet::new(),
    };
    for stmt in body {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(&*a.value)),
            Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()),
            _ => continue,
        };
        if let (Expr::Name(n), Some(v)) = (target, value)
            && let Some(p) = path_literal(v, &w.path_consts)
        {
            w.path_consts.insert(n.id.to_string(), p);
        }
    }
    for stmt in body {
        w.visit_stmt(stmt);
    }
    let mut wiring = w.finish();
    wiring.handler_verdicts = routes::handler_verdicts(body, &idx, module);
    wiring.bool_consts = bool_consts(body, &idx);
    let guards = guards::extract(body, &idx, module);
    wiring.bot_handlers = guards.handlers;
    wiring.bot_root_guards = guards.root_guards;
    wiring.sender_checks = guards.sender_checks;
    wiring.router_parents = guards.router_parents;
    wiring
}

/// Module-level names bound once, to `True` or `False` (`USE_POLLING = True`).
fn bool_consts(body: &[Stmt], idx: &Index<'_>) -> Vec<(String, bool)> {
    body.iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign(a) => match (&a.targets[..], &*a.value) {
                ([Expr::Name(n)], Expr::BooleanLiteral(b)) => Some((n.id.to_string(), b.value)),
                _ => None,
            },
            _ => None,
        })
        .filter(|(n, _)| matches!(idx.single_assigns.get(n.as_str()), Some(Some(_))))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Module index: what the walk needs to know ahead of source order.

#[derive(Default)]
struct Index<'a> {
    /// Top-level def/class/assigned names.
    top_names: HashSet<String>,
    /// Names a module-level `from … import` binds.
    imported_top: HashSet<String>,
    /// Every function of the module by name (the first definition wins).
    funcs: HashMap<String, &'a ast::StmtFunctionDef>,
    /// Names assigned exactly once, to their value.
    single_assigns: HashMap<String, Option<&'a Expr>>,
    /// Module-level mutable containers: name → (container, statement range).
    containers: HashMap<String, (&'static str, TextRange)>,
    /// Classes of the module by name (the first definition wins).
    classes: HashMap<String, &'a ast::StmtClassDef>,
}

impl<'a> Index<'a> {
    fn build(body: &'a [Stmt]) -> Self {
        let mut idx = Index::default();
        idx.top_level(body);
        struct All<'i, 'a> {
            idx: &'i mut Index<'a>,
        }
        impl<'a> Visitor<'a> for All<'_, 'a> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                match stmt {
                    Stmt::FunctionDef(f) => {
                        self.idx.funcs.entry(f.name.to_string()).or_insert(f);
                    }
                    Stmt::ClassDef(c) => {
                        self.idx.classes.entry(c.name.to_string()).or_insert(c);
                    }
                    Stmt::Assign(a) => {
                        if let [Expr::Name(n)] = &a.targets[..] {
                            self.idx
                                .single_assigns
                                .entry(n.id.to_string())
                                .and_modify(|v| *v = None)
                                .or_insert(Some(&*a.value));
                        }
                    }
                    // `url: str = f"{BASE}/{TOKEN}"` binds as surely as the plain form.
                    Stmt::AnnAssign(a) => {
                        if let (Expr::Name(n), Some(value)) = (&*a.target, a.value.as_deref()) {
                            self.idx
                                .single_assigns
                                .entry(n.id.to_string())
                                .and_modify(|v| *v = None)
                                .or_insert(Some(value));
                        }
                    }
                    _ => {}
                }
                visitor::walk_stmt(self, stmt);
            }
        }
        let mut all = All { idx: &mut idx };
        for s in body {
            all.visit_stmt(s);
        }
        idx
    }

    fn top_level(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            if let Stmt::ImportFrom(i) = stmt {
                for alias in &i.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.imported_top.insert(local.to_string());
                }
            }
            match stmt {
                Stmt::FunctionDef(f) => {
                    self.top_names.insert(f.name.to_string());
                }
                Stmt::ClassDef(c) => {
                    self.top_names.insert(c.name.to_string());
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        self.target_names(t);
                    }
                    if let [Expr::Name(n)] = &a.targets[..]
                        && let Some(c) = container_of(&a.value)
                    {
                        self.containers.insert(n.id.to_string(), (c, stmt.range()));
                    }
                }
                Stmt::AnnAssign(a) => {
                    self.target_names(&a.target);
                    if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value)
                        && let Some(c) = container_of(v)
                    {
                        self.containers.insert(n.id.to_string(), (c, stmt.range()));
                    }
                }
                Stmt::If(i) => {
                    self.top_level(&i.body);
                    for c in &i.elif_else_clauses {
                        self.top_level(&c.body);
                    }
                }
                Stmt::Try(t) => {
                    self.top_level(&t.body);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        self.top_level(&h.body);
                    }
                    self.top_level(&t.orelse);
                    self.top_level(&t.finalbody);
                }
                Stmt::With(w) => self.top_level(&w.body),
                _ => {}
            }
        }
    }

    fn target_names(&mut self, t: &Expr) {
        match t {
            Expr::Name(n) => {
                self.top_names.insert(n.id.to_string());
            }
            Expr::Tuple(tu) => tu.elts.iter().for_each(|e| self.target_names(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target_names(e)),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// The walk.

struct ClassCtx {
    name: String,
    discord_bot: bool,
}

struct Walker<'m, 's, 'a> {
    m: &'m Module<'s>,
    idx: &'m Index<'a>,
    out: Wiring,
    uses: HashSet<(Owner, String)>,
    owner: Owner,
    /// 0 at module level; +1 per enclosing def/class.
    depth: u32,
    /// Locally bound names of the enclosing functions.
    scopes: Vec<HashSet<String>>,
    /// The class whose body is being visited directly.
    class: Option<ClassCtx>,
    /// `target = <value>`: the value's range and the target as written.
    assign: Option<(TextRange, String)>,
    /// Calls already turned into facts by an enclosing call (start offsets).
    handled: HashSet<u32>,
    /// String arguments of SQL-running calls (start offsets).
    sql_args: HashSet<u32>,
    /// Bare string statements (docstrings): not SQL.
    not_sql: HashSet<u32>,
    in_conversation: u32,
    storage_fallback: u32,
    models: HashMap<String, ModelKind>,
    bot_classes: HashSet<String>,
    memory_writes: HashMap<String, Vec<u32>>,
    /// Module-level names bound to a path literal (`DB_PATH = "bot.db"`).
    path_consts: HashMap<String, String>,
    /// String literals already recorded as part of a data store call (start offsets).
    data_literals: HashSet<u32>,
    /// `if NAME:` / `if not NAME:` branches around the node, innermost last: the name and
    /// the truth value under which the branch runs.
    if_guards: Vec<(String, bool)>,
    /// Depth of enclosing `except` clauses: code there runs only when the `try` failed.
    in_except: u32,
}

impl<'a> Walker<'_, '_, 'a> {
    /// Visits one branch of an `if`, under the condition it runs with, when known.
    fn branch(&mut self, guard: Option<(String, bool)>, body: &'a [Stmt]) {
        let pushed = guard.is_some();
        if let Some(g) = guard {
            self.if_guards.push(g);
        }
        for s in body {
            self.visit_stmt(s);
        }
        if pushed {
            self.if_guards.pop();
        }
    }

    fn finish(mut self) -> Wiring {
        let mut names: Vec<&String> = self.memory_writes.keys().collect();
        names.sort();
        for name in names {
            let Some((container, range)) = self.idx.containers.get(name) else {
                continue;
            };
            let mut writes = self.memory_writes.get(name).cloned().unwrap_or_default();
            writes.sort_unstable();
            writes.dedup();
            self.out.memory_state.push(MemoryState {
                name: name.clone(),
                container: (*container).to_string(),
                span: (self.m.span_of)(*range),
                writes,
            });
        }
        self.out
            .memory_state
            .sort_by_key(|s| (s.span.line, s.span.column));
        self.out
    }

    fn span(&self, r: TextRange) -> Span {
        (self.m.span_of)(r)
    }

    fn text(&self, r: TextRange) -> &str {
        self.m
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    fn has(&self, fw: Framework) -> bool {
        self.m.frameworks.contains(&fw)
    }

    /// The first Telegram framework the module imports.
    fn telegram(&self) -> Option<Framework> {
        self.m.frameworks.iter().copied().find(|f| is_telegram(*f))
    }

    /// `a.b` with its first name replaced by what the import bound it to.
    fn qualify(&self, e: &Expr) -> Option<String> {
        let d = dotted(e)?;
        let (first, rest) = match d.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (d.as_str(), None),
        };
        let Some(q) = self.m.imported.get(first) else {
            return Some(d);
        };
        Some(match rest {
            Some(r) => format!("{q}.{r}"),
            None => q.clone(),
        })
    }

    /// Whether the name was bound by an import (as opposed to defined here or unknown).
    fn is_imported(&self, e: &Expr) -> bool {
        dotted(e)
            .as_deref()
            .and_then(|d| d.split('.').next())
            .is_some_and(|f| self.m.imported.contains_key(f))
    }

    /// `e` names something of `package` (qualified), or is not imported and the module
    /// imports `fw`.
    fn is_from(&self, e: &Expr, packages: &[&str], fw: Framework) -> bool {
        if self.is_imported(e) {
            let q = self.qualify(e).unwrap_or_default();
            let top = q.split('.').next().unwrap_or("");
            packages.contains(&top)
        } else {
            self.has(fw)
        }
    }

    fn inner_owner(&self, name: &str) -> Owner {
        if self.depth == 0 {
            Some(name.to_string())
        } else {
            self.owner.clone()
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(name))
    }

    fn conversation(&mut self, r: TextRange) {
        let span = self.span(r);
        match &self.out.conversation_state {
            Some(s) if (s.line, s.column) <= (span.line, span.column) => {}
            _ => self.out.conversation_state = Some(span),
        }
    }

    // ---- decorators ---------------------------------------------------------------------

    fn on_function(&mut self, def: &'a ast::StmtFunctionDef) {
        let owner = self.owner.clone();
        let fname = def.name.as_str();
        let mut route_decorators: Vec<(&'a ast::Decorator, &'a ast::ExprCall, &'a str)> =
            Vec::new();
        for dec in &def.decorator_list {
            let e = &dec.expression;
            let (callee, call) = match e {
                Expr::Call(c) => (&*c.func, Some(c)),
                other => (other, None),
            };
            let Some(method) = last_seg(callee) else {
                continue;
            };
            let receiver = match callee {
                Expr::Attribute(a) => self.text(a.value.range()).to_string(),
                _ => String::new(),
            };
            match (method, call) {
                ("message", Some(c)) if !receiver.is_empty() => {
                    self.aiogram3_registration(
                        &receiver,
                        &c.arguments.args,
                        c,
                        dec.range(),
                        &owner,
                    );
                }
                ("message_handler", Some(c)) if !receiver.is_empty() => {
                    self.message_handler_registration(
                        &receiver,
                        &c.arguments.args,
                        c,
                        Some(def.is_async),
                        dec.range(),
                        &owner,
                    );
                }
                ("errors" | "error", _) if !receiver.is_empty() => {
                    if self.has(Framework::Aiogram) && method == "errors"
                        || self.has(Framework::Aiogram)
                            && !self.has(Framework::DiscordPy)
                            && call.is_some()
                    {
                        let via = format!("@{}", self.text(e.range()));
                        self.error_handler(Framework::Aiogram, via, dec.range(), owner.clone());
                    } else if self.has(Framework::DiscordPy)
                        && method == "error"
                        && (receiver == "tree" || receiver.ends_with(".tree"))
                    {
                        let via = format!("@{}", self.text(e.range()));
                        self.error_handler(Framework::DiscordPy, via, dec.range(), owner.clone());
                    }
                }
                ("errors_handler", _) if self.has(Framework::Aiogram) => {
                    let via = format!("@{}", self.text(e.range()));
                    self.error_handler(Framework::Aiogram, via, dec.range(), owner.clone());
                }
                ("event", None)
                    if self.has(Framework::DiscordPy) && is_discord_error_event(fname) =>
                {
                    let via = format!("@{} {fname}", self.text(e.range()));
                    self.error_handler(Framework::DiscordPy, via, dec.range(), owner.clone());
                }
                ("listen" | "listener", _) if self.has(Framework::DiscordPy) => {
                    let event = call
                        .and_then(|c| c.arguments.args.first())
                        .and_then(str_lit)
                        .unwrap_or_else(|| fname.to_string());
                    if is_discord_error_event(&event) {
                        let via = format!("@{} {fname}", self.text(e.range()));
                        self.error_handler(Framework::DiscordPy, via, dec.range(), owner.clone());
                    }
                }
                ("cooldown" | "dynamic_cooldown", Some(_)) if self.has(Framework::DiscordPy) => {
                    let via = format!("@{}", short(self.text(e.range())));
                    self.rate_limit(via, dec.range(), owner.clone());
                }
                (
                    "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "route"
                    | "api_route",
                    Some(c),
                ) if !receiver.is_empty() => route_decorators.push((dec, c, method)),
                (name, _) if throttle_like(name) && self.telegram().is_some() => {
                    let via = format!("@{}", short(self.text(e.range())));
                    self.rate_limit(via, dec.range(), owner.clone());
                }
                _ => {}
            }
        }
        // Methods of a discord.py bot subclass.
        if self.depth > 0
            && let Some(class) = &self.class
            && class.discord_bot
            && is_discord_error_event(fname)
        {
            let via = format!("{}.{fname}", class.name);
            self.error_handler(Framework::DiscordPy, via, def.name.range(), owner.clone());
        }
        for (dec, call, method) in route_decorators.iter().copied() {
            let other: Vec<&'a ast::Decorator> = def
                .decorator_list
                .iter()
                .filter(|d| {
                    !route_decorators
                        .iter()
                        .any(|(r, _, _)| std::ptr::eq(*r, *d))
                })
                .collect();
            self.route_decorator(def, dec, call, method, &other, &owner);
        }
    }

    // ---- calls --------------------------------------------------------------------------

    fn on_call(&mut self, call: &'a ast::ExprCall) {
        let start = call.range().start().to_u32();
        self.data_store(call);
        if self.handled.contains(&start) {
            return;
        }
        let func = &*call.func;
        let Some(name) = last_seg(func) else {
            return;
        };
        let args = &call.arguments.args;
        let receiver_expr = match func {
            Expr::Attribute(a) => Some(&*a.value),
            _ => None,
        };
        let receiver = receiver_expr
            .map(|r| self.text(r.range()).to_string())
            .unwrap_or_default();
        let owner = self.owner.clone();
        self.payment_or_drop(call, name, &receiver);
        match name {
            // ---- bots
            n if self.bot_classes.contains(n) && !self.is_imported(func) => {
                self.bot(Framework::DiscordPy, call.range(), owner);
            }
            "Bot" | "Client" | "AutoShardedBot" | "AutoShardedClient" | "InteractionBot" => {
                if self.is_imported(func) {
                    let q = self.qualify(func).unwrap_or_default();
                    let top = q.split('.').next().unwrap_or("");
                    if matches!(top, "discord" | "nextcord" | "disnake") {
                        self.bot(Framework::DiscordPy, call.range(), owner);
                    } else if top == "aiogram" && name == "Bot" {
                        self.bot(Framework::Aiogram, call.range(), owner);
                    }
                } else if name == "Bot" && self.has(Framework::Aiogram) {
                    self.bot(Framework::Aiogram, call.range(), owner);
                } else if self.bot_classes.contains(name) {
                    self.bot(Framework::DiscordPy, call.range(), owner);
                }
            }
            "Dispatcher" if self.is_from(func, &["aiogram"], Framework::Aiogram) => {
                self.bot(Framework::Aiogram, call.range(), owner);
                let aiogram2 = !args.is_empty()
                    || has_kw(call, "bot")
                    || self.m.imported.values().any(|q| {
                        q.starts_with("aiogram.contrib")
                            || q.starts_with("aiogram.utils.executor")
                            || q == "aiogram.dispatcher.FSMContext"
                            || q == "aiogram.dispatcher.Dispatcher"
                    });
                let storage = kw(call, "storage").filter(|s| !matches!(s, Expr::NoneLiteral(_)));
                let disabled = kw(call, "disable_fsm").is_some_and(is_true);
                if !aiogram2 && storage.is_none() && !disabled {
                    self.session(
                        Framework::Aiogram,
                        false,
                        "Dispatcher() without storage= (aiogram 3 keeps FSM state in MemoryStorage)"
                            .into(),
                        call.range(),
                    );
                }
            }
            "TeleBot" | "AsyncTeleBot"
                if self.is_from(func, &["telebot"], Framework::PyTelegramBotApi) =>
            {
                self.bot(Framework::PyTelegramBotApi, call.range(), owner.clone());
                if let Some(h) = kw(call, "exception_handler").filter(|h| !is_none_or_empty(h)) {
                    let via = format!("exception_handler={}", short(self.text(h.range())));
                    self.error_handler(Framework::PyTelegramBotApi, via, call.range(), owner);
                }
            }
            "Updater" if self.is_from(func, &["telegram"], Framework::PythonTelegramBot) => {
                self.bot(Framework::PythonTelegramBot, call.range(), owner);
                match kw(call, "persistence").filter(|p| !is_none_or_empty(p)) {
                    Some(p) => {
                        let via = format!("Updater(persistence={})", short(self.text(p.range())));
                        self.session(Framework::PythonTelegramBot, true, via, call.range());
                    }
                    None => self.session(
                        Framework::PythonTelegramBot,
                        false,
                        "Updater() without persistence".into(),
                        call.range(),
                    ),
                }
            }
            "build" => self.ptb_builder(call),
            // ---- sessions
            n if n.ends_with("Storage") || (n == "from_url" && receiver.ends_with("Storage")) => {
                self.storage_call(call);
            }
            // ---- conversation state
            "ConversationHandler"
                if self.is_from(func, &["telegram"], Framework::PythonTelegramBot) =>
            {
                self.conversation(call.range());
            }
            "State"
                if (args.is_empty() || str_lit(&args[0]).is_some())
                    && (self.is_from(func, &["aiogram"], Framework::Aiogram)
                        || self.is_from(func, &["telebot"], Framework::PyTelegramBotApi)) =>
            {
                self.conversation(call.range());
            }
            "register_next_step_handler" | "register_next_step_handler_by_chat_id"
                if self.has(Framework::PyTelegramBotApi) =>
            {
                self.conversation(call.range());
            }
            // ---- webhooks
            "SimpleRequestHandler" | "TokenBasedRequestHandler" if self.has(Framework::Aiogram) => {
                self.webhook(call, Some(Framework::Aiogram));
            }
            "set_webhook" | "start_webhook" | "run_webhook" | "run_webhooks"
                if receiver_expr.is_some() =>
            {
                let fw = self.telegram();
                if fw.is_some() || has_kw(call, "secret_token") {
                    self.webhook(call, fw);
                }
            }
            // ---- menus
            "set_my_commands" if receiver_expr.is_some() => self.menu(call),
            // ---- handlers
            "CommandHandler" => self.ptb_command(call, None),
            "MessageHandler"
                if self.in_conversation == 0
                    && self.is_from(func, &["telegram"], Framework::PythonTelegramBot)
                    && args.first().and_then(dotted).is_some_and(|f| {
                        matches!(
                            f.as_str(),
                            "filters.ALL" | "filters.TEXT" | "Filters.all" | "Filters.text"
                        )
                    }) =>
            {
                self.catch_all(call.range(), &owner);
            }
            "add_handler" if receiver_expr.is_some() => {
                let handler = args.first().or_else(|| kw(call, "handler"));
                let group = args.get(1).or_else(|| kw(call, "group"));
                if let Some(Expr::Call(h)) = handler
                    && last_seg(&h.func) == Some("CommandHandler")
                {
                    self.ptb_command(h, Some((&receiver, non_default_group(group))));
                }
            }
            "add_handlers" if receiver_expr.is_some() => {
                let handlers = args.first().or_else(|| kw(call, "handlers"));
                let group = non_default_group(args.get(1).or_else(|| kw(call, "group")));
                let each = |w: &mut Self, list: &Expr, group: bool| {
                    let elts: &[Expr] = match list {
                        Expr::List(l) => &l.elts,
                        Expr::Tuple(t) => &t.elts,
                        _ => &[],
                    };
                    for e in elts {
                        if let Expr::Call(h) = e
                            && last_seg(&h.func) == Some("CommandHandler")
                        {
                            w.ptb_command(h, Some((&receiver, group)));
                        }
                    }
                };
                match handlers {
                    Some(Expr::Dict(d)) => {
                        for item in &d.items {
                            let g = non_default_group(item.key.as_ref());
                            each(self, &item.value, g);
                        }
                    }
                    Some(list) => each(self, list, group),
                    None => {}
                }
            }
            "register" => {
                // aiogram 3: `router.message.register(fn, Command("x"))`, `dp.errors.register(fn)`.
                if let Some(Expr::Attribute(event)) = receiver_expr {
                    let recv = self.text(event.value.range()).to_string();
                    match event.attr.as_str() {
                        "message" if !args.is_empty() => {
                            self.aiogram3_registration(
                                &recv,
                                &args[1..],
                                call,
                                call.range(),
                                &owner,
                            );
                        }
                        "errors" | "error" if self.has(Framework::Aiogram) => {
                            let via = short(self.text(call.range()));
                            self.error_handler(Framework::Aiogram, via, call.range(), owner);
                        }
                        _ => {}
                    }
                }
            }
            "register_message_handler" if receiver_expr.is_some() && !args.is_empty() => {
                let is_async = match &args[0] {
                    Expr::Name(n) => self.idx.funcs.get(n.id.as_str()).map(|f| f.is_async),
                    _ => None,
                };
                self.message_handler_registration(
                    &receiver,
                    &args[1..],
                    call,
                    is_async,
                    call.range(),
                    &owner,
                );
            }
            "register_errors_handler" if self.has(Framework::Aiogram) => {
                let via = short(self.text(call.range()));
                self.error_handler(Framework::Aiogram, via, call.range(), owner);
            }
            "add_error_handler"
                if receiver_expr.is_some()
                    && (self.has(Framework::PythonTelegramBot) || self.telegram().is_none()) =>
            {
                let via = short(self.text(call.range()));
                self.error_handler(Framework::PythonTelegramBot, via, call.range(), owner);
            }
            // ---- rate limits
            "middleware" | "outer_middleware" | "setup_middleware" | "setup" | "add_middleware"
                if receiver_expr.is_some() && self.telegram().is_some() =>
            {
                if let Some(arg) = args.first() {
                    let target = match arg {
                        Expr::Call(c) => &*c.func,
                        e => e,
                    };
                    if last_seg(target).is_some_and(throttle_like) {
                        let via = short(self.text(call.range()));
                        self.rate_limit(via, call.range(), owner);
                        if let Expr::Call(c) = arg {
                            self.handled.insert(c.range().start().to_u32());
                        }
                    }
                }
            }
            n if throttle_like(n) && n.ends_with("Middleware") && self.telegram().is_some() => {
                let via = short(self.text(call.range()));
                self.rate_limit(via, call.range(), owner);
            }
            // ---- routes
            "add_url_rule" if self.has(Framework::Flask) => {
                let methods = match kw(call, "methods") {
                    Some(m) => str_list(m).unwrap_or_else(|| vec!["ALL".into()]),
                    None => vec!["GET".into()],
                };
                let handler = kw(call, "view_func").or_else(|| args.get(2));
                self.route_call(
                    Framework::Flask,
                    methods,
                    args.first(),
                    handler,
                    call.range(),
                );
            }
            "add_api_route" if self.has(Framework::FastApi) => {
                let methods = match kw(call, "methods") {
                    Some(m) => str_list(m).unwrap_or_else(|| vec!["ALL".into()]),
                    None => vec!["GET".into()],
                };
                let handler = args.get(1).or_else(|| kw(call, "endpoint"));
                self.route_call(
                    Framework::FastApi,
                    methods,
                    args.first(),
                    handler,
                    call.range(),
                );
            }
            "add_get" | "add_post" | "add_put" | "add_patch" | "add_delete" | "add_head"
                if self.has(Framework::Aiohttp) =>
            {
                let method = name.trim_start_matches("add_").to_string();
                self.route_call(
                    Framework::Aiohttp,
                    vec![method],
                    args.first(),
                    args.get(1),
                    call.range(),
                );
            }
            "add_route" if self.has(Framework::Aiohttp) && args.len() >= 3 => {
                if let Some(m) = str_lit(&args[0]) {
                    let m = if m == "*" { "ALL".to_string() } else { m };
                    self.route_call(
                        Framework::Aiohttp,
                        vec![m],
                        args.get(1),
                        args.get(2),
                        call.range(),
                    );
                }
            }
            "get" | "post" | "put" | "patch" | "delete" | "head" | "route"
                if self
                    .qualify(func)
                    .is_some_and(|q| q.starts_with("aiohttp.web.")) =>
            {
                if name == "route" {
                    if let Some(m) = args.first().and_then(str_lit) {
                        self.route_call(
                            Framework::Aiohttp,
                            vec![m],
                            args.get(1),
                            args.get(2),
                            call.range(),
                        );
                    }
                } else {
                    self.route_call(
                        Framework::Aiohttp,
                        vec![name.to_string()],
                        args.first(),
                        args.get(1),
                        call.range(),
                    );
                }
            }
            "path" | "re_path" | "url"
                if self.qualify(func).is_some_and(|q| {
                    matches!(
                        q.as_str(),
                        "django.urls.path" | "django.urls.re_path" | "django.conf.urls.url"
                    )
                }) =>
            {
                let view = args.get(1).or_else(|| kw(call, "view"));
                let include =
                    matches!(view, Some(Expr::Call(c)) if last_seg(&c.func) == Some("include"));
                if !include {
                    self.route_call(
                        Framework::Django,
                        vec!["ALL".into()],
                        args.first(),
                        view,
                        call.range(),
                    );
                }
            }
            // ---- data
            "create_table" | "rename_table"
                if receiver == "op"
                    || self.qualify(func).is_some_and(|q| q.starts_with("alembic")) =>
            {
                let arg = if name == "create_table" {
                    args.first().or_else(|| kw(call, "table_name"))
                } else {
                    args.get(1).or_else(|| kw(call, "new_table_name"))
                };
                if let Some(t) = arg.and_then(str_lit) {
                    let via = format!("op.{name}");
                    self.table_create(&t, &via, call.range());
                }
            }
            "Table"
                if self.is_from(func, &["sqlalchemy"], Framework::SqlAlchemy)
                    && args.len() >= 2 =>
            {
                if let Some(t) = str_lit(&args[0]) {
                    self.table_query(&t, "SQLAlchemy Table".into(), call.range(), owner);
                }
            }
            "upgrade" => {
                // `alembic.command.upgrade` is recorded where it is named (below), called
                // or handed to an executor.
                let q = self.qualify(func).unwrap_or_default();
                if q != "alembic.command.upgrade"
                    && self.has(Framework::Aerich)
                    && self.is_aerich_command(receiver_expr)
                {
                    self.migration("aerich", false, call.range());
                }
            }
            "call_command" if args.first().and_then(str_lit).as_deref() == Some("migrate") => {
                self.migration("django", false, call.range());
            }
            "register_tortoise" if kw(call, "generate_schemas").is_some_and(is_true) => {
                self.migration("tortoise generate_schemas", true, call.range());
            }
            "generate_schemas" if receiver == "Tortoise" => {
                self.migration("tortoise generate_schemas", true, call.range());
            }
            "CreateModel" | "RenameModel" | "AlterModelTable" if receiver == "migrations" => {
                let table = match name {
                    "CreateModel" => {
                        let options_table = kw(call, "options").and_then(|o| match o {
                            Expr::Dict(d) => d.items.iter().find_map(|i| {
                                (i.key.as_ref().and_then(str_lit).as_deref() == Some("db_table"))
                                    .then(|| str_lit(&i.value))
                                    .flatten()
                            }),
                            _ => None,
                        });
                        options_table
                            .or_else(|| kw(call, "name").or(args.first()).and_then(str_lit))
                    }
                    "RenameModel" => kw(call, "new_name").or(args.get(1)).and_then(str_lit),
                    _ => kw(call, "table").or(args.get(1)).and_then(str_lit),
                };
                if let Some(t) = table {
                    let via = format!("migrations.{name}");
                    self.table_create(&t, &via, call.range());
                }
            }
            _ => {}
        }
        // Spawned migration commands: `subprocess.run(["alembic", "upgrade", "head"])`,
        // `os.system("alembic upgrade head")`.
        if matches!(
            name,
            "run"
                | "call"
                | "check_call"
                | "check_output"
                | "Popen"
                | "system"
                | "create_subprocess_exec"
                | "create_subprocess_shell"
        ) && let Some(tool) = spawned_migration(args)
        {
            self.migration(tool, false, call.range());
        }
        // SQL text arguments.
        let sql_call = matches!(
            name,
            "execute"
                | "executemany"
                | "executescript"
                | "fetch"
                | "fetchrow"
                | "fetchval"
                | "fetch_all"
                | "fetch_one"
                | "fetch_val"
                | "exec_driver_sql"
                | "raw"
                | "read_sql"
                | "read_sql_query"
        ) && receiver_expr.is_some()
            || name == "text"
                && self
                    .qualify(func)
                    .is_some_and(|q| q.starts_with("sqlalchemy"));
        if sql_call && let Some(a) = args.first() {
            self.sql_args.insert(a.range().start().to_u32());
        }
    }

    // ---- classes ------------------------------------------------------------------------

    fn on_class(&mut self, class: &'a ast::StmtClassDef) -> bool {
        let name = class.name.as_str();
        let owner = self.inner_owner(name);
        let bases = class.bases();
        let mut discord_bot = false;
        for base in bases {
            let last = last_seg(base).unwrap_or("");
            let q = self.qualify(base).unwrap_or_default();
            let top = q.split('.').next().unwrap_or("");
            if (matches!(top, "discord" | "nextcord" | "disnake")
                && matches!(
                    last,
                    "Bot" | "Client" | "AutoShardedBot" | "AutoShardedClient" | "InteractionBot"
                ))
                || self.bot_classes.contains(last)
            {
                discord_bot = true;
            }
            if last == "StatesGroup" {
                self.conversation(base.range());
            }
            if last == "ExceptionHandler"
                && self.is_from(base, &["telebot"], Framework::PyTelegramBotApi)
            {
                self.error_handler(
                    Framework::PyTelegramBotApi,
                    format!("class {name}(ExceptionHandler)"),
                    class.name.range(),
                    owner.clone(),
                );
            }
        }
        if discord_bot {
            self.bot_classes.insert(name.to_string());
            let span = self.span(class.name.range());
            self.out.bots.push(BotInstance {
                framework: Framework::DiscordPy,
                name: name.to_string(),
                span,
                owner: owner.clone(),
            });
        }
        self.models(class, &owner);
        discord_bot
    }
}

/// A decorator that hands the function to an object (`@dp.message(...)`, `@app.get("/")`,
/// `@bot.event`), not one that only wraps it (`@functools.lru_cache`, `@typing.overload`).
fn registers_function(decorator: &ast::Decorator) -> bool {
    let target = match &decorator.expression {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let Expr::Attribute(attr) = target else {
        return false;
    };
    let root = match &*attr.value {
        Expr::Name(n) => n.id.as_str(),
        _ => return true,
    };
    !matches!(
        root,
        "functools"
            | "typing"
            | "abc"
            | "contextlib"
            | "asyncio"
            | "dataclasses"
            | "pytest"
            | "unittest"
            | "mock"
            | "enum"
            | "typing_extensions"
            | "staticmethod"
            | "classmethod"
    )
}

// ---------------------------------------------------------------------------------------

impl<'a> Visitor<'a> for Walker<'_, '_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.on_function(def);
                for d in &def.decorator_list {
                    self.visit_decorator(d);
                }
                // `@router.message(...)` / `@app.get("/")` / `@client.event` register the
                // function with an object as the module loads: it runs whoever imports it.
                if self.depth == 0 && def.decorator_list.iter().any(registers_function) {
                    let key = (None, def.name.to_string());
                    if self.uses.insert(key) {
                        self.out.decl_uses.push(DeclUse {
                            from: None,
                            to: def.name.to_string(),
                        });
                    }
                }
                self.visit_parameters(&def.parameters);
                if let Some(r) = &def.returns {
                    self.visit_annotation(r);
                }
                let prev_owner = self.owner.clone();
                if self.depth == 0 {
                    self.owner = Some(def.name.to_string());
                }
                let prev_class = self.class.take();
                self.depth += 1;
                self.scopes.push(local_bindings(&def.parameters, &def.body));
                self.visit_body(&def.body);
                self.scopes.pop();
                self.depth -= 1;
                self.class = prev_class;
                self.owner = prev_owner;
            }
            Stmt::ClassDef(class) => {
                for d in &class.decorator_list {
                    self.visit_decorator(d);
                }
                if let Some(args) = &class.arguments {
                    self.visit_arguments(args);
                }
                let discord_bot = self.on_class(class);
                let prev_owner = self.owner.clone();
                if self.depth == 0 {
                    self.owner = Some(class.name.to_string());
                }
                let prev_class = self.class.replace(ClassCtx {
                    name: class.name.to_string(),
                    discord_bot,
                });
                // Class bodies are not function scopes: module names stay visible.
                let prev_scopes = std::mem::take(&mut self.scopes);
                self.scopes = prev_scopes.clone();
                self.depth += 1;
                self.visit_body(&class.body);
                self.depth -= 1;
                self.scopes = prev_scopes;
                self.class = prev_class;
                self.owner = prev_owner;
            }
            Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)) => {
                self.not_sql.insert(e.value.range().start().to_u32());
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Assign(a) => {
                if let [target] = &a.targets[..] {
                    self.assign = Some((a.value.range(), self.text(target.range()).to_string()));
                    // discord.py: `bot.tree.on_error = handler`, `client.on_error = handler`.
                    if let Expr::Attribute(t) = target
                        && is_discord_error_event(t.attr.as_str())
                        && self.has(Framework::DiscordPy)
                    {
                        let via = short(self.text(stmt.range()));
                        let owner = self.owner.clone();
                        self.error_handler(Framework::DiscordPy, via, stmt.range(), owner);
                    }
                }
                for t in &a.targets {
                    self.write_target(t, stmt.range());
                }
                visitor::walk_stmt(self, stmt);
                self.assign = None;
            }
            Stmt::AnnAssign(a) => {
                self.write_target(&a.target, stmt.range());
                if let Some(v) = &a.value {
                    self.assign = Some((v.range(), self.text(a.target.range()).to_string()));
                }
                visitor::walk_stmt(self, stmt);
                self.assign = None;
            }
            Stmt::AugAssign(a) => {
                self.write_target(&a.target, stmt.range());
                visitor::walk_stmt(self, stmt);
            }
            Stmt::If(i) => {
                // `if REDIS_URL: storage = RedisStorage(...) else: storage = MemoryStorage()`.
                let fallback =
                    storage_branches(&i.body, i.elif_else_clauses.iter().map(|c| &c.body[..]));
                self.storage_fallback += u32::from(fallback);
                // `if USE_POLLING:` / `if not USE_POLLING:`: which branch runs depends on a
                // name; the body runs when it is truthy (or falsy), an `else` the other way.
                // `if config.webhook.use_webhook:` names a setting read at run time.
                let dotted = |e: &Expr| match e {
                    Expr::Name(n) => Some(n.id.to_string()),
                    Expr::Attribute(_) => {
                        let t = self.text(e.range());
                        (t.len() <= 120
                            && t.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                        .then(|| t.to_string())
                    }
                    _ => None,
                };
                // `if config["Bot"]["UpdateMethod"] == 'polling':` compares a setting read at
                // run time with a literal: the branch runs when the operator configures so.
                let setting = |e: &Expr| {
                    let t = self.text(e.range());
                    (matches!(e, Expr::Subscript(_) | Expr::Attribute(_) | Expr::Name(_))
                        && t.len() <= 120
                        && !t.contains('\n')
                        && !t.contains('('))
                    .then(|| t.to_string())
                };
                let tested = match &*i.test {
                    Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => {
                        dotted(&u.operand).map(|n| (n, false))
                    }
                    Expr::Compare(c)
                        if c.comparators.len() == 1
                            && matches!(
                                c.ops.first(),
                                Some(ast::CmpOp::Eq | ast::CmpOp::NotEq)
                            )
                            && matches!(
                                c.comparators.first(),
                                Some(Expr::StringLiteral(_) | Expr::BooleanLiteral(_))
                            ) =>
                    {
                        let eq = matches!(c.ops.first(), Some(ast::CmpOp::Eq));
                        setting(&c.left).map(|n| {
                            (
                                format!("{n} == {}", self.text(c.comparators[0].range())),
                                eq,
                            )
                        })
                    }
                    Expr::Subscript(_) => setting(&i.test).map(|n| (n, true)),
                    e => dotted(e).map(|n| (n, true)),
                };
                self.visit_expr(&i.test);
                self.branch(tested.clone(), &i.body);
                for clause in &i.elif_else_clauses {
                    match &clause.test {
                        Some(t) => {
                            self.visit_expr(t);
                            self.branch(None, &clause.body);
                        }
                        None => {
                            let other = tested.as_ref().map(|(n, b)| (n.clone(), !b));
                            self.branch(other, &clause.body);
                        }
                    }
                }
                self.storage_fallback -= u32::from(fallback);
            }
            Stmt::Try(t) => {
                let fallback = storage_branches(
                    &t.body,
                    t.handlers.iter().map(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        &h.body[..]
                    }),
                );
                self.storage_fallback += u32::from(fallback);
                self.visit_body(&t.body);
                self.in_except += 1;
                for h in &t.handlers {
                    self.visit_except_handler(h);
                }
                self.in_except -= 1;
                self.visit_body(&t.orelse);
                self.visit_body(&t.finalbody);
                self.storage_fallback -= u32::from(fallback);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(c) = expr
            && let Expr::Name(n) = &*c.func
        {
            let call = (n.id.to_string(), self.if_guards.last().cloned());
            // Capped, not deduplicated here (a search per call would be quadratic).
            if self.out.name_calls.len() < 10_000 {
                self.out.name_calls.push(call);
            }
        }
        if let Expr::Call(c) = expr
            && self.depth == 0
            && self.owner.is_none()
            && let Expr::Name(n) = &*c.func
            && !self
                .out
                .import_time_calls
                .iter()
                .any(|x| x == n.id.as_str())
        {
            self.out.import_time_calls.push(n.id.to_string());
        }
        match expr {
            Expr::Name(n) if n.ctx == ast::ExprContext::Load => {
                self.decl_use(n.id.as_str());
                if n.id.as_str() == "FSMContext" && self.has(Framework::Aiogram) {
                    self.conversation(n.range());
                }
            }
            Expr::Attribute(a) => {
                if a.attr.as_str() == "create_all" && last_seg(&a.value) == Some("metadata") {
                    self.migration("sqlalchemy create_all", true, a.range());
                }
                // `command.upgrade(cfg, "head")`, or the function handed to a thread:
                // `loop.run_in_executor(None, command.upgrade, cfg, "head")`.
                if a.attr.as_str() == "upgrade"
                    && self.qualify(expr).as_deref() == Some("alembic.command.upgrade")
                {
                    self.migration("alembic", false, a.range());
                }
                if a.attr.as_str() == "FSMContext" && self.has(Framework::Aiogram) {
                    self.conversation(a.range());
                }
            }
            Expr::If(e) if self.storage_conditional(e) => {
                visitor::walk_expr(self, expr);
                return;
            }
            // A dispatch table `{"/start": self.handle_start, "/help": ...}`: the commands a
            // hand-written router answers by looking the text up.
            Expr::Dict(d)
                if d.items.len() >= 2
                    && d.items.iter().all(|item| {
                        matches!(&item.key, Some(Expr::StringLiteral(s)) if s.value.to_str().starts_with('/'))
                            && matches!(&item.value, Expr::Name(_) | Expr::Attribute(_))
                    }) =>
            {
                if let Some(framework) = self.telegram() {
                    let names: Vec<String> = d
                        .items
                        .iter()
                        .filter_map(|item| match &item.key {
                            Some(Expr::StringLiteral(s)) => {
                                let cmd = s.value.to_str().strip_prefix('/')?;
                                (!cmd.is_empty()
                                    && cmd.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'))
                                .then(|| cmd.to_string())
                            }
                            _ => None,
                        })
                        .collect();
                    if !names.is_empty() {
                        let via = format!("`{}`", short(self.text(d.range())));
                        let owner = self.owner.clone();
                        self.commands(framework, "", names, &via, true, false, d.range(), &owner);
                    }
                }
            }
            // `if message.text == "/start":` / `text in ("/start", "/help")` inside a handler
            // that takes every message: the command is answered by hand.
            Expr::Compare(c)
                if self.owner.is_some()
                    && c.ops
                        .iter()
                        .any(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::In)) =>
            {
                if let Some(framework) = self.telegram() {
                    let mut names = Vec::new();
                    for side in std::iter::once(&*c.left).chain(c.comparators.iter()) {
                        let literals: Vec<&Expr> = match side {
                            Expr::Tuple(t) => t.elts.iter().collect(),
                            Expr::List(l) => l.elts.iter().collect(),
                            Expr::Set(s) => s.elts.iter().collect(),
                            other => vec![other],
                        };
                        for lit in literals {
                            if let Expr::StringLiteral(s) = lit
                                && let Some(cmd) = s.value.to_str().strip_prefix('/')
                                && !cmd.is_empty()
                                && cmd
                                    .chars()
                                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                            {
                                names.push(cmd.to_string());
                            }
                        }
                    }
                    if !names.is_empty() {
                        let via = format!("`{}`", short(self.text(c.range())));
                        let owner = self.owner.clone();
                        self.commands(framework, "", names, &via, true, false, c.range(), &owner);
                    }
                }
            }
            Expr::Call(call) => {
                self.on_call(call);
                // `router.message.filter(F.chat.type.in_({"group", "supergroup"}))`.
                if let Expr::Attribute(filter) = &*call.func
                    && filter.attr.as_str() == "filter"
                    && let Expr::Attribute(updates) = &*filter.value
                    && updates.attr.as_str() == "message"
                    && let Some(receiver) = dotted(&updates.value)
                    && flightcheck_core::wiring::filters_to_groups(self.text(call.range()))
                    && !self.out.group_only_receivers.contains(&receiver)
                {
                    self.out.group_only_receivers.push(receiver);
                }
                // Memory writes: `pending.append(x)`, `games[chat].add(u)`.
                if let Expr::Attribute(a) = &*call.func
                    && matches!(
                        a.attr.as_str(),
                        "append"
                            | "add"
                            | "update"
                            | "setdefault"
                            | "insert"
                            | "extend"
                            | "appendleft"
                    )
                {
                    let root = match &*a.value {
                        Expr::Name(n) => Some(n.id.as_str()),
                        other => subscript_root(other),
                    };
                    if let Some(root) = root {
                        let root = root.to_string();
                        self.memory_write(&root, call.range());
                    }
                }
                let conversation = last_seg(&call.func) == Some("ConversationHandler");
                self.in_conversation += u32::from(conversation);
                visitor::walk_expr(self, expr);
                self.in_conversation -= u32::from(conversation);
                return;
            }
            Expr::StringLiteral(s) => {
                let text = s.value.to_str().to_string();
                self.sql(&text, s.range());
                self.sqlite_literal(&text, s.range());
            }
            Expr::FString(f) => {
                let text = fstring_text(f);
                self.sql(&text, f.range());
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests;
