//! Wiring facts of one Python module: bots, command handlers, menus, sessions, webhooks,
//! HTTP routes, tables, migrations and module-level state (see [`Wiring`]).
//!
//! Runs as a second walk over the module `analyze_for` already parsed. It recognises
//! framework spellings by name, qualified through the module's imports where that is
//! possible; when a spelling is ambiguous it extracts nothing.

use crate::dotted;
use std::collections::{HashMap, HashSet};

use flightcheck_core::sql::{looks_like_sql, tables_created, tables_queried};
use flightcheck_core::wiring::{
    BotErrorHandler, BotInstance, BotWebhook, CallSite, CatchAllHandler, CommandHandler,
    CommandMenu, DeclUse, HandlerRef, HandlerVerdict, MemoryState, MigrationRun, Owner, RateLimit,
    Route, SessionStore, TableAccess, TableCreate, TableQuery, Verification, Wiring,
};
use flightcheck_core::wiring::{DataStore, DataStoreKind, is_data_path, sqlite_url_path};
use flightcheck_core::{Framework, Span};
use ruff_python_ast::helpers::{any_over_body, any_over_expr};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

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
    wiring.handler_verdicts = handler_verdicts(body, &idx, module);
    wiring
}

/// Module-level functions and methods of module-level classes that read a request body,
/// each with how it checks its sender (see [`HandlerVerdict`]). Each body is read once:
/// the functions listed do not nest in one another.
fn handler_verdicts(body: &[Stmt], idx: &Index<'_>, module: &Module<'_>) -> Vec<HandlerVerdict> {
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
        .filter(|(_, def)| reads_body(def, false))
        .map(|(name, def)| {
            let mut scan = VerifyScan::new(idx, module.source);
            scan.function(def, true);
            let line = (module.span_of)(def.range()).line;
            HandlerVerdict {
                name,
                verification: scan.result(),
                confirmed_by: std::mem::take(&mut scan.confirmations),
                line,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Small syntax helpers.

/// The last name of a name/attribute (`c` of `a.b.c`).
fn last_seg(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

fn str_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// A string, or a list/tuple/set of strings.
fn str_list(e: &Expr) -> Option<Vec<String>> {
    let elts = match e {
        Expr::StringLiteral(_) => return str_lit(e).map(|s| vec![s]),
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        _ => return None,
    };
    elts.iter().map(str_lit).collect()
}

fn kw<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

fn has_kw(call: &ast::ExprCall, name: &str) -> bool {
    kw(call, name).is_some()
}

fn is_none_or_empty(e: &Expr) -> bool {
    match e {
        Expr::NoneLiteral(_) => true,
        Expr::StringLiteral(s) => s.value.to_str().is_empty(),
        Expr::BooleanLiteral(b) => !b.value,
        _ => false,
    }
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::BooleanLiteral(b) if b.value)
}

fn int_value(e: &Expr) -> Option<u64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

/// A command name as Telegram sees it: without `/`, lower case; `None` for text that is
/// not one command word.
fn norm_cmd(s: &str) -> Option<String> {
    let t = s.trim().trim_start_matches('/');
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    Some(t.to_lowercase())
}

/// The first line of `text`, at most 120 characters.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    let mut out: String = line.chars().take(120).collect();
    if out.len() < text.trim_end().len() {
        out.push('…');
    }
    out
}

fn is_telegram(fw: Framework) -> bool {
    matches!(
        fw,
        Framework::Aiogram | Framework::PythonTelegramBot | Framework::PyTelegramBotApi
    )
}

/// A path or handler name that says "webhook or callback".
/// Names (`Name` loads) inside an expression.
fn collect_names<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match e {
        Expr::Name(n) => out.push(n.id.as_str()),
        Expr::BinOp(b) => {
            collect_names(&b.left, out);
            collect_names(&b.right, out);
        }
        Expr::FString(f) => {
            for part in f.value.elements() {
                if let ast::InterpolatedStringElement::Interpolation(i) = part {
                    collect_names(&i.expression, out);
                }
            }
        }
        Expr::Call(c) => {
            collect_names(&c.func, out);
            for a in c.arguments.args.iter() {
                collect_names(a, out);
            }
        }
        Expr::Attribute(a) => collect_names(&a.value, out),
        Expr::Tuple(t) => {
            for x in &t.elts {
                collect_names(x, out);
            }
        }
        _ => {}
    }
}

fn looks_like_webhook(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "webhook", "hook", "callback", "stripe", "payment", "ipn", "notify", "twilio", "telegram",
        "github", "paypal", "monero",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// A call name that verifies a signature or secret: `verify_signature`, `validate_token`,
/// `check_hmac`.
fn verify_like_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["verify", "valid", "check", "require", "authenticat"]
        .iter()
        .any(|k| n.contains(k))
        && [
            "sign",
            "secret",
            "token",
            "hmac",
            "webhook",
            "hash",
            // Telegram Web App `initData` carries an HMAC; an OAuth callback is proven by
            // the `state` it was issued with.
            "init_data",
            "initdata",
            "oauth_state",
        ]
        .iter()
        .any(|k| n.contains(k))
}

/// A name of a per-user throttling middleware or decorator.
fn throttle_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("throttl")
        || n.contains("ratelimit")
        || n.contains("rate_limit")
        || n.contains("antiflood")
        || n.contains("anti_flood")
        || n.contains("floodcontrol")
        || n.contains("flood_control")
}

/// Mutable container constructor of a module-level value.
fn container_of(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        Expr::Call(c) => match last_seg(&c.func)? {
            "dict" => Some("dict"),
            "list" => Some("list"),
            "set" => Some("set"),
            "defaultdict" => Some("defaultdict"),
            "OrderedDict" => Some("OrderedDict"),
            "deque" => Some("deque"),
            "Counter" => Some("Counter"),
            _ => None,
        },
        _ => None,
    }
}

/// The name a subscript/attribute chain is rooted at (`x` of `x[k][j]`).
fn subscript_root(e: &Expr) -> Option<&str> {
    match e {
        Expr::Subscript(s) => match &*s.value {
            Expr::Name(n) => Some(n.id.as_str()),
            inner @ Expr::Subscript(_) => subscript_root(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Names a statement list binds locally (not descending into nested functions/classes).
fn local_bindings(params: &ast::Parameters, body: &[Stmt]) -> HashSet<String> {
    struct Binder {
        names: HashSet<String>,
        globals: HashSet<String>,
    }
    impl<'a> Visitor<'a> for Binder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(f) => {
                    self.names.insert(f.name.to_string());
                }
                Stmt::ClassDef(c) => {
                    self.names.insert(c.name.to_string());
                }
                Stmt::Global(g) => {
                    for n in &g.names {
                        self.globals.insert(n.to_string());
                    }
                }
                Stmt::Nonlocal(g) => {
                    for n in &g.names {
                        self.globals.insert(n.to_string());
                    }
                }
                Stmt::Import(i) => {
                    for a in &i.names {
                        let n = a.asname.as_ref().unwrap_or(&a.name).as_str();
                        self.names
                            .insert(n.split('.').next().unwrap_or(n).to_string());
                    }
                    visitor::walk_stmt(self, stmt);
                }
                Stmt::ImportFrom(i) => {
                    for a in &i.names {
                        self.names
                            .insert(a.asname.as_ref().unwrap_or(&a.name).to_string());
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(n) if n.ctx == ast::ExprContext::Store => {
                    self.names.insert(n.id.to_string());
                }
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut b = Binder {
        names: HashSet::new(),
        globals: HashSet::new(),
    };
    for p in params.iter() {
        b.names.insert(p.name().to_string());
    }
    for s in body {
        b.visit_stmt(s);
    }
    b.names.retain(|n| !b.globals.contains(n));
    b.names
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum ModelKind {
    Django,
    Tortoise,
}

struct ClassCtx {
    name: String,
    discord_bot: bool,
}

/// What a filter expression of a handler registration says about commands.
enum CmdFilter {
    Names(Vec<String>, bool),
    Dynamic,
    Other,
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
}

impl<'a> Walker<'_, '_, 'a> {
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

    // ---- facts ------------------------------------------------------------------------

    fn bot(&mut self, framework: Framework, call_range: TextRange, owner: Owner) {
        let name = match &self.assign {
            Some((r, t)) if *r == call_range => t.clone(),
            _ => String::new(),
        };
        let span = self.span(call_range);
        self.out.bots.push(BotInstance {
            framework,
            name,
            span,
            owner,
        });
    }

    /// Telegram payment handlers and launches that drop queued updates.
    fn payment_or_drop(&mut self, call: &'a ast::ExprCall, name: &str, receiver: &str) {
        let bot_call = |this: &Self| CallSite {
            via: short(this.text(call.range())),
            span: this.span(call.range()),
            owner: this.owner.clone(),
        };
        // `drop_pending_updates=True` (Bot API calls, PTB `run_polling`), telebot's
        // `skip_pending=True`, and aiogram 2's `executor.start_polling(dp,
        // skip_updates=True)` (aiogram 3 passes unknown keywords to handlers: no effect).
        let aiogram2_executor = matches!(name, "start_polling" | "start_webhook")
            && (receiver == "executor"
                || self
                    .qualify(&call.func)
                    .is_some_and(|q| q.starts_with("aiogram.utils.executor")));
        let drops = kw(call, "drop_pending_updates").is_some_and(is_true)
            || kw(call, "skip_pending").is_some_and(is_true)
            || (aiogram2_executor && kw(call, "skip_updates").is_some_and(is_true));
        if drops {
            let c = bot_call(self);
            self.out.drops_pending_updates.push(c);
        }
        // `@dp.pre_checkout_query()`, `dp.register_pre_checkout_query_handler(f)`, PTB
        // `PreCheckoutQueryHandler(f)`, telebot `pre_checkout_query_handler`; a message
        // handler filtered on `successful_payment` (aiogram `F.successful_payment`,
        // `content_types=ContentType.SUCCESSFUL_PAYMENT`, PTB `filters.SUCCESSFUL_PAYMENT`).
        let pre_checkout = matches!(
            name,
            "pre_checkout_query"
                | "pre_checkout_query_handler"
                | "register_pre_checkout_query_handler"
                | "PreCheckoutQueryHandler"
        );
        let message_handler = matches!(
            name,
            "message" | "message_handler" | "register_message_handler" | "MessageHandler"
        );
        let successful_payment = message_handler
            && call
                .arguments
                .args
                .iter()
                .chain(call.arguments.keywords.iter().map(|k| &k.value))
                .any(|a| {
                    self.text(a.range())
                        .to_ascii_lowercase()
                        .contains("successful_payment")
                });
        if pre_checkout || successful_payment {
            let c = bot_call(self);
            self.out.payment_handlers.push(c);
        }
    }

    fn catch_all(&mut self, r: TextRange, owner: &Owner) {
        let via = short(self.text(r));
        let span = self.span(r);
        self.out.catch_all.push(CatchAllHandler {
            via,
            span,
            owner: owner.clone(),
        });
    }

    fn error_handler(&mut self, framework: Framework, via: String, r: TextRange, owner: Owner) {
        let span = self.span(r);
        self.out.error_handlers.push(BotErrorHandler {
            framework,
            via,
            span,
            owner,
        });
    }

    fn session(&mut self, framework: Framework, persistent: bool, via: String, r: TextRange) {
        if persistent && self.storage_fallback > 0 {
            // `if URL: RedisStorage(...) else: MemoryStorage()`: recorded once, as the
            // in-memory fallback.
            return;
        }
        let span = self.span(r);
        let fallback = !persistent && self.storage_fallback > 0;
        self.out.sessions.push(SessionStore {
            literal_secret: None,
            framework,
            persistent,
            fallback,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    fn rate_limit(&mut self, via: String, r: TextRange, owner: Owner) {
        let span = self.span(r);
        if self.out.rate_limits.iter().any(|x| x.span == span) {
            return;
        }
        self.out.rate_limits.push(RateLimit { via, span, owner });
    }

    #[allow(clippy::too_many_arguments)]
    fn commands(
        &mut self,
        framework: Framework,
        receiver: &str,
        names: Vec<String>,
        via: &str,
        passes_on: bool,
        direct: bool,
        r: TextRange,
        owner: &Owner,
    ) {
        let span = self.span(r);
        for command in names.iter().filter_map(|n| norm_cmd(n)) {
            self.out.commands.push(CommandHandler {
                framework,
                receiver: receiver.to_string(),
                command,
                via: short(via),
                passes_on,
                direct,
                span,
                owner: owner.clone(),
            });
        }
    }

    fn table_query(&mut self, table: &str, via: String, r: TextRange, owner: Owner) {
        let span = self.span(r);
        self.out.table_queries.push(TableQuery {
            table: table.to_ascii_lowercase(),
            access: TableAccess::Read,
            via,
            span,
            owner,
        });
    }

    fn table_create(&mut self, table: &str, via: &str, r: TextRange) {
        let span = self.span(r);
        self.out.table_creates.push(TableCreate {
            table: table.to_ascii_lowercase(),
            via: via.to_string(),
            span,
        });
    }

    fn migration(&mut self, tool: &str, creates_models: bool, r: TextRange) {
        let span = self.span(r);
        if self.out.migration_runs.iter().any(|m| m.span == span) {
            return;
        }
        self.out.migration_runs.push(MigrationRun {
            tool: tool.to_string(),
            directory: None,
            creates_models,
            span,
            owner: self.owner.clone(),
        });
    }

    // ---- telegram command filters -------------------------------------------------------

    /// aiogram filter: `Command("start")`, `CommandStart()`, `F.text == "/start"`,
    /// `F.text.startswith("/start")`,
    /// `Command("a") & F.chat.type == "private"`.
    fn aiogram_filter(&self, e: &Expr) -> CmdFilter {
        match e {
            Expr::Call(c) => match last_seg(&c.func) {
                // `CommandStart(deep_link=True)`, `Command("x", magic=F.args)`: narrower than
                // the bare command, so a later registration can still run.
                Some("CommandStart") => {
                    let narrowed = !c.arguments.args.is_empty()
                        || c.arguments.keywords.iter().any(|k| {
                            !k.arg.as_ref().is_some_and(|a| {
                                matches!(a.as_str(), "ignore_case" | "ignore_mention" | "prefix")
                            })
                        });
                    CmdFilter::Names(vec!["start".into()], narrowed)
                }
                // aiogram 2's built-in command filters.
                Some(name @ ("CommandHelp" | "CommandSettings" | "CommandPrivacy")) => {
                    let command = name.trim_start_matches("Command").to_ascii_lowercase();
                    CmdFilter::Names(vec![command], !c.arguments.args.is_empty())
                }
                Some("Command") => {
                    let narrowed = c.arguments.keywords.iter().any(|k| {
                        !k.arg.as_ref().is_some_and(|a| {
                            matches!(
                                a.as_str(),
                                "commands" | "ignore_case" | "ignore_mention" | "prefix"
                            )
                        })
                    });
                    let mut names = Vec::new();
                    let sources = c.arguments.args.iter().chain(kw(c, "commands"));
                    for a in sources {
                        match str_list(a) {
                            Some(v) => names.extend(v),
                            None => match bot_command_name(a) {
                                Some(n) => names.push(n),
                                None => return CmdFilter::Dynamic,
                            },
                        }
                    }
                    if names.is_empty() {
                        CmdFilter::Dynamic
                    } else {
                        CmdFilter::Names(names, narrowed)
                    }
                }
                // `F.text.startswith("/start")`: the command, with or without a payload.
                Some("startswith") if dotted(&c.func).as_deref() == Some("F.text.startswith") => {
                    match c.arguments.args.first().and_then(str_lit) {
                        Some(t) if t.starts_with('/') && t.len() > 1 => {
                            CmdFilter::Names(vec![t], false)
                        }
                        _ => CmdFilter::Other,
                    }
                }
                _ => CmdFilter::Other,
            },
            Expr::Compare(cmp)
                if matches!(cmp.ops[..], [ast::CmpOp::Eq])
                    && dotted(&cmp.left).as_deref() == Some("F.text") =>
            {
                match cmp.comparators.first().and_then(str_lit) {
                    Some(t) if t.starts_with('/') => CmdFilter::Names(vec![t], false),
                    _ => CmdFilter::Other,
                }
            }
            Expr::BinOp(b) if matches!(b.op, ast::Operator::BitAnd) => {
                for side in [&*b.left, &*b.right] {
                    match self.aiogram_filter(side) {
                        CmdFilter::Names(n, _) => return CmdFilter::Names(n, true),
                        CmdFilter::Dynamic => return CmdFilter::Dynamic,
                        CmdFilter::Other => {}
                    }
                }
                CmdFilter::Other
            }
            _ => CmdFilter::Other,
        }
    }

    /// aiogram 3 registration: the filters of `@x.message(...)` / `x.message.register(fn, ...)`.
    fn aiogram3_registration(
        &mut self,
        receiver: &str,
        filters: &[Expr],
        call: &ast::ExprCall,
        r: TextRange,
        owner: &Owner,
    ) {
        if !self.has(Framework::Aiogram) {
            return;
        }
        let scene_receiver = self
            .m
            .imported
            .get(receiver)
            .is_some_and(|q| q == "aiogram.fsm.scene.on");
        if filters.is_empty() && call.arguments.keywords.is_empty() && !scene_receiver {
            // `@router.message()`: answers every message, `/start` included.
            self.catch_all(r, owner);
            return;
        }
        let mut found: Option<(Vec<String>, bool, TextRange)> = None;
        let mut others = 0;
        for f in filters {
            match self.aiogram_filter(f) {
                CmdFilter::Names(n, extra) if found.is_none() => {
                    found = Some((n, extra, f.range()))
                }
                CmdFilter::Dynamic => {
                    self.out.dynamic_commands = true;
                    return;
                }
                _ => others += 1,
            }
        }
        let extra_kw = call
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.as_ref().is_none_or(|a| a.as_str() != "flags"));
        // aiogram scenes: `@on.message(Command("x"))` in a `Scene` runs only inside the scene.
        let scene = scene_receiver;
        if scene {
            self.conversation(r);
        }
        if let Some((names, extra, frange)) = found {
            let passes_on = extra || others > 0 || extra_kw || scene;
            let via = self.text(frange).to_string();
            let receiver = if scene { "" } else { receiver };
            self.commands(
                Framework::Aiogram,
                receiver,
                names,
                &via,
                passes_on,
                !scene,
                r,
                owner,
            );
        }
    }

    /// aiogram 2 / pyTelegramBotAPI: `message_handler(commands=[...])`,
    /// `register_message_handler(fn, commands=[...])`.
    fn message_handler_registration(
        &mut self,
        receiver: &str,
        filters: &[Expr],
        call: &ast::ExprCall,
        is_async: Option<bool>,
        r: TextRange,
        owner: &Owner,
    ) {
        let framework = match (
            self.has(Framework::Aiogram),
            self.has(Framework::PyTelegramBotApi),
        ) {
            (true, false) => Framework::Aiogram,
            (false, true) => Framework::PyTelegramBotApi,
            // Neither or both imported: aiogram handlers are coroutines, telebot's usually not.
            _ => match is_async {
                Some(true) => Framework::Aiogram,
                Some(false) => Framework::PyTelegramBotApi,
                None => return,
            },
        };
        let always = |k: &ast::Keyword| {
            k.arg.as_ref().is_some_and(|a| a.as_str() == "func")
                && matches!(&k.value, Expr::Lambda(l) if is_true(&l.body))
        };
        if filters.is_empty() && call.arguments.keywords.iter().all(always) {
            // `@dp.message_handler()`, `@bot.message_handler(func=lambda m: True)`.
            self.catch_all(r, owner);
            return;
        }
        let mut names = Vec::new();
        let mut passes_on = false;
        for f in filters {
            match self.aiogram_filter(f) {
                CmdFilter::Names(n, extra) => {
                    names.extend(n);
                    passes_on |= extra;
                }
                CmdFilter::Dynamic => {
                    self.out.dynamic_commands = true;
                    return;
                }
                CmdFilter::Other => passes_on = true,
            }
        }
        for k in &call.arguments.keywords {
            let Some(arg) = &k.arg else {
                passes_on = true;
                continue;
            };
            match arg.as_str() {
                "commands" => match str_list(&k.value) {
                    Some(v) => names.extend(v),
                    None => {
                        self.out.dynamic_commands = true;
                        return;
                    }
                },
                "run_task"
                | "content_types"
                | "commands_prefix"
                | "commands_ignore_caption"
                | "commands_ignore_mention"
                | "pass_bot"
                | "callback" => {}
                _ => passes_on = true,
            }
        }
        if names.is_empty() {
            return;
        }
        let via = self.text(r).to_string();
        self.commands(framework, receiver, names, &via, passes_on, true, r, owner);
    }

    /// PTB `CommandHandler("start", fn)`; `direct` = registered by `add_handler(s)` on the
    /// receiver, with a non-default group when `group` is set.
    fn ptb_command(&mut self, call: &ast::ExprCall, direct: Option<(&str, bool)>) {
        if !self.ptb_handler(call) {
            return;
        }
        self.handled.insert(call.range().start().to_u32());
        let Some(arg) = call.arguments.args.first().or_else(|| kw(call, "command")) else {
            return;
        };
        let Some(names) = str_list(arg) else {
            self.out.dynamic_commands = true;
            return;
        };
        let filters = kw(call, "filters")
            .or_else(|| call.arguments.args.get(2))
            .is_some_and(|f| !is_none_or_empty(f))
            || kw(call, "has_args").is_some_and(|f| !matches!(f, Expr::NoneLiteral(_)));
        let conversation = self.in_conversation > 0;
        let (receiver, direct, group) = match direct {
            Some((recv, group)) if !conversation => (recv.to_string(), true, group),
            _ => (String::new(), false, false),
        };
        let via = self.text(call.range()).to_string();
        let owner = self.owner.clone();
        self.commands(
            Framework::PythonTelegramBot,
            &receiver,
            names,
            &via,
            filters || group || conversation,
            direct,
            call.range(),
            &owner,
        );
    }

    fn ptb_handler(&self, call: &ast::ExprCall) -> bool {
        last_seg(&call.func) == Some("CommandHandler")
            && (self.is_from(&call.func, &["telegram"], Framework::PythonTelegramBot)
                || (!self.is_imported(&call.func) && self.telegram().is_none()))
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

    fn route_decorator(
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
        let (verification, reads_body, confirmed_by) = match handler {
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
                (
                    scan.result(),
                    reads_body(def, framework == Framework::FastApi),
                    std::mem::take(&mut scan.confirmations),
                )
            }
            None => (Verification::None, false, Vec::new()),
        };
        let span = self.span(r);
        for m in methods {
            self.out.routes.push(Route {
                elsewhere: None,
                framework,
                method: m.to_ascii_uppercase(),
                path: path.clone(),
                middlewares: middlewares.clone(),
                verification: verification.clone(),
                reads_body,
                confirmed_by: confirmed_by.clone(),
                span,
                owner: owner.clone(),
            });
        }
    }

    /// A route registered by a call whose handler is `handler`: resolved to a function of
    /// this module, or skipped when it lives elsewhere and the route looks like a webhook
    /// (its verification cannot be judged from here).
    fn route_call(
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

    fn is_aerich_command(&self, receiver: Option<&Expr>) -> bool {
        match receiver {
            Some(Expr::Call(c)) => last_seg(&c.func) == Some("Command"),
            Some(Expr::Name(n)) => matches!(
                self.idx.single_assigns.get(n.id.as_str()),
                Some(Some(Expr::Call(c))) if last_seg(&c.func) == Some("Command")
            ),
            _ => false,
        }
    }

    /// `Application.builder()....build()` / `ApplicationBuilder()....build()`.
    fn ptb_builder(&mut self, call: &ast::ExprCall) {
        let mut methods: Vec<(&str, &ast::ExprCall)> = Vec::new();
        let mut cur = call;
        let root_ok = loop {
            let Expr::Attribute(a) = &*cur.func else {
                break last_seg(&cur.func) == Some("ApplicationBuilder");
            };
            methods.push((a.attr.as_str(), cur));
            match &*a.value {
                Expr::Call(inner) => cur = inner,
                other => {
                    break a.attr.as_str() == "builder" && last_seg(other) == Some("Application");
                }
            }
        };
        if !root_ok
            || !self.is_from(&call.func, &["telegram"], Framework::PythonTelegramBot)
                && !self.has(Framework::PythonTelegramBot)
        {
            return;
        }
        let owner = self.owner.clone();
        self.bot(Framework::PythonTelegramBot, call.range(), owner);
        match methods.iter().find(|(m, _)| *m == "persistence") {
            Some((_, c)) => {
                let arg = c
                    .arguments
                    .args
                    .first()
                    .map(|a| self.text(a.range()))
                    .unwrap_or("");
                let via = format!("Application.builder().persistence({})", short(arg));
                self.session(Framework::PythonTelegramBot, true, via, call.range());
            }
            None => self.session(
                Framework::PythonTelegramBot,
                false,
                "Application.builder() without persistence".into(),
                call.range(),
            ),
        }
    }

    /// `MemoryStorage()`, `RedisStorage.from_url(...)`, `StateMemoryStorage()`.
    fn storage_call(&mut self, call: &ast::ExprCall) {
        let class = match &*call.func {
            Expr::Attribute(a) if a.attr.as_str() == "from_url" => last_seg(&a.value),
            f => last_seg(f),
        };
        let Some(class) = class else { return };
        let Some(persistent) = storage_kind(class) else {
            return;
        };
        let framework = if class.starts_with("State") && self.has(Framework::PyTelegramBotApi) {
            Framework::PyTelegramBotApi
        } else if self.has(Framework::Aiogram) {
            Framework::Aiogram
        } else if self.has(Framework::PyTelegramBotApi) {
            Framework::PyTelegramBotApi
        } else {
            return;
        };
        let via = short(self.text(call.range()));
        self.session(framework, persistent, via, call.range());
    }

    /// `RedisStorage(...) if url else MemoryStorage()`: one in-memory fallback store.
    fn storage_conditional(&mut self, e: &ast::ExprIf) -> bool {
        let (Some((pa, ca)), Some((pb, cb))) = (storage_of(&e.body), storage_of(&e.orelse)) else {
            return false;
        };
        if pa == pb {
            return false;
        }
        let (memory, persistent) = if pa { (cb, ca) } else { (ca, cb) };
        self.handled.insert(persistent.range().start().to_u32());
        self.handled.insert(memory.range().start().to_u32());
        self.storage_fallback += 1;
        self.storage_call(memory);
        self.storage_fallback -= 1;
        true
    }

    fn webhook(&mut self, call: &ast::ExprCall, framework: Option<Framework>) {
        // A path that carries the bot token or a secret (`/{API_TOKEN}/`, `url_path=TOKEN`,
        // aiogram's `TokenBasedRequestHandler`) cannot be guessed either.
        let secret_path = last_seg(&call.func) == Some("TokenBasedRequestHandler")
            || call
                .arguments
                .args
                .first()
                .into_iter()
                .chain(
                    ["url", "url_path", "webhook_url", "path"]
                        .iter()
                        .filter_map(|k| kw(call, k)),
                )
                .any(|e| self.names_secret(e, 0));
        let secret_token =
            kw(call, "secret_token").is_some_and(|s| !is_none_or_empty(s)) || secret_path;
        let via = short(self.text(call.range()));
        let span = self.span(call.range());
        self.out.webhooks.push(BotWebhook {
            framework,
            secret_token,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    /// The expression's text, or a module-level string it is built from, mentions a token or
    /// a secret.
    fn names_secret(&self, e: &Expr, depth: u32) -> bool {
        let t = self.text(e.range()).to_ascii_lowercase();
        if t.contains("token") || t.contains("secret") {
            return true;
        }
        if depth > 2 {
            return false;
        }
        let mut found = false;
        let mut names = Vec::new();
        collect_names(e, &mut names);
        for n in names {
            if let Some(Some(value)) = self.idx.single_assigns.get(n) {
                found |= self.names_secret(value, depth + 1);
            }
        }
        found
    }

    fn menu(&mut self, call: &ast::ExprCall) {
        let arg = call.arguments.args.first().or_else(|| kw(call, "commands"));
        let list = match arg {
            Some(Expr::Name(n)) => self
                .idx
                .single_assigns
                .get(n.id.as_str())
                .copied()
                .flatten(),
            other => other,
        };
        let commands = list.and_then(menu_commands);
        let span = self.span(call.range());
        self.out.menus.push(CommandMenu {
            framework: self.telegram(),
            commands,
            ineffective: None,
            span,
            owner: self.owner.clone(),
        });
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

    /// ORM models: SQLAlchemy `__tablename__`, SQLModel `table=True`, Django and tortoise.
    fn models(&mut self, class: &'a ast::StmtClassDef, owner: &Owner) {
        let name = class.name.as_str();
        let assigned = |key: &str| -> Option<&'a Expr> {
            class.body.iter().find_map(|s| match s {
                Stmt::Assign(a) => match &a.targets[..] {
                    [Expr::Name(n)] if n.id.as_str() == key => Some(&*a.value),
                    _ => None,
                },
                Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
                    (Expr::Name(n), Some(v)) if n.id.as_str() == key => Some(&**v),
                    _ => None,
                },
                _ => None,
            })
        };
        if let Some(v) = assigned("__tablename__") {
            if let Some(t) = str_lit(v) {
                let via = format!("SQLAlchemy model `{name}`");
                self.table_query(&t, via, class.name.range(), owner.clone());
            }
            return;
        }
        let bases = class.bases();
        if bases.iter().any(|b| last_seg(b) == Some("SQLModel"))
            && class
                .arguments
                .as_ref()
                .and_then(|a| a.find_keyword("table"))
                .is_some_and(|k| is_true(&k.value))
        {
            let via = format!("SQLModel model `{name}`");
            self.table_query(name, via, class.name.range(), owner.clone());
            return;
        }
        let mut kind = None;
        for b in bases {
            let last = last_seg(b).unwrap_or("");
            if let Some(k) = self.models.get(last) {
                kind = Some(*k);
            } else if last == "Model" && self.is_imported(b) {
                let q = self.qualify(b).unwrap_or_default();
                if q.starts_with("django.") {
                    kind = Some(ModelKind::Django);
                } else if q.starts_with("tortoise") {
                    kind = Some(ModelKind::Tortoise);
                }
            }
        }
        let Some(kind) = kind else { return };
        self.models.insert(name.to_string(), kind);
        let meta = class.body.iter().find_map(|s| match s {
            Stmt::ClassDef(c) if c.name.as_str() == "Meta" => Some(c),
            _ => None,
        });
        let meta_value = |key: &str| -> Option<&'a Expr> {
            meta?.body.iter().find_map(|s| match s {
                Stmt::Assign(a) => match &a.targets[..] {
                    [Expr::Name(n)] if n.id.as_str() == key => Some(&*a.value),
                    _ => None,
                },
                _ => None,
            })
        };
        if meta_value("abstract").is_some_and(is_true)
            || meta_value("proxy").is_some_and(is_true)
            || meta_value("managed")
                .is_some_and(|v| matches!(v, Expr::BooleanLiteral(b) if !b.value))
        {
            return;
        }
        let (key, label) = match kind {
            ModelKind::Django => ("db_table", "Django"),
            ModelKind::Tortoise => ("table", "tortoise"),
        };
        let table = meta_value(key)
            .and_then(str_lit)
            .unwrap_or_else(|| name.to_ascii_lowercase());
        let via = format!("{label} model `{name}`");
        self.table_query(&table, via, class.name.range(), owner.clone());
    }

    // ---- module-level state -------------------------------------------------------------

    fn memory_write(&mut self, name: &str, r: TextRange) {
        if self.depth == 0 || !self.idx.containers.contains_key(name) || self.is_local(name) {
            return;
        }
        if self.class.is_some() && self.scopes.is_empty() {
            return;
        }
        let line = self.span(r).line;
        self.memory_writes
            .entry(name.to_string())
            .or_default()
            .push(line);
    }

    fn write_target(&mut self, target: &Expr, r: TextRange) {
        if let Some(root) = subscript_root(target) {
            let root = root.to_string();
            self.memory_write(&root, r);
        }
    }

    // ---- SQL ----------------------------------------------------------------------------

    fn sql(&mut self, text: &str, r: TextRange) {
        let start = r.start().to_u32();
        if self.not_sql.contains(&start) {
            return;
        }
        let in_call = self.sql_args.contains(&start);
        let is_sql = looks_like_sql(text) || in_call && sql_keyword_start(text);
        if !is_sql {
            return;
        }
        let owner = self.owner.clone();
        for (t, access) in tables_queried(text) {
            let span = self.span(r);
            self.out.table_queries.push(TableQuery {
                table: t.table,
                access,
                via: "SQL string".into(),
                span,
                owner: owner.clone(),
            });
        }
        for t in tables_created(text) {
            self.table_create(&t.table, "CREATE TABLE in SQL string", r);
        }
    }

    fn push_data(&mut self, kind: DataStoreKind, via: String, path: Option<String>, r: TextRange) {
        let span = self.span(r);
        let owner = self.owner.clone();
        self.out.data_stores.push(DataStore {
            kind,
            via,
            path,
            span,
            owner,
        });
    }

    /// Data kept in local files: SQLite drivers and engines, file-backed stores, JSON files
    /// opened for writing.
    fn data_store(&mut self, call: &'a ast::ExprCall) {
        let func = &*call.func;
        let Some(name) = last_seg(func) else { return };
        let args = &call.arguments.args;
        let first = args.first();
        let kind_and_path: Option<(DataStoreKind, Option<String>, bool)> =
            match name {
                "connect"
                | "SqliteDatabase"
                | "SqliteExtDatabase"
                | "SqliteQueueDatabase"
                | "SqliteDict" => {
                    let q = self.qualify(func).unwrap_or_default();
                    let is_sqlite = name != "connect"
                        || matches!(
                            q.as_str(),
                            "sqlite3.connect" | "aiosqlite.connect" | "sqlite3.dbapi2.connect"
                        );
                    let path = first.and_then(|e| path_literal(e, &self.path_consts));
                    (is_sqlite && !path.as_deref().is_some_and(|p| p.contains(":memory:")))
                        .then_some((DataStoreKind::Sqlite, path, true))
                }
                "create_engine" | "create_async_engine" => first
                    .and_then(|e| path_literal(e, &self.path_consts))
                    .and_then(|url| sqlite_url_path(&url))
                    .map(|p| (DataStoreKind::Sqlite, Some(p), true)),
                "TinyDB" => Some((
                    DataStoreKind::FileStore,
                    first.and_then(|e| path_literal(e, &self.path_consts)),
                    true,
                )),
                "open" | "load" => {
                    let q = self.qualify(func).unwrap_or_default();
                    match q.as_str() {
                        "shelve.open" | "pickledb.load" => Some((
                            DataStoreKind::FileStore,
                            first.and_then(|e| path_literal(e, &self.path_consts)),
                            true,
                        )),
                        "open" | "aiofiles.open" | "io.open" | "codecs.open" => {
                            let mode = args
                                .get(1)
                                .or(kw(call, "mode"))
                                .and_then(str_lit)
                                .unwrap_or_default();
                            let path = first
                                .and_then(|e| path_literal(e, &self.path_consts))
                                .filter(|p| is_json_data(p));
                            (mode.contains(['w', 'a', '+']) && path.is_some()).then_some((
                                DataStoreKind::JsonFile,
                                path,
                                false,
                            ))
                        }
                        _ => None,
                    }
                }
                "PicklePersistence" => Some((
                    DataStoreKind::FileStore,
                    kw(call, "filepath")
                        .or(kw(call, "filename"))
                        .or(first)
                        .and_then(|e| path_literal(e, &self.path_consts)),
                    false,
                )),
                // `Path("users.json").write_text(json.dumps(users))`
                "write_text" => match func {
                    Expr::Attribute(a) => path_literal(&a.value, &self.path_consts)
                        .filter(|p| is_json_data(p))
                        .map(|p| (DataStoreKind::JsonFile, Some(p), false)),
                    _ => None,
                },
                _ => None,
            };
        let Some((kind, path, marks_first)) = kind_and_path else {
            return;
        };
        if marks_first && let Some(e) = first {
            self.data_literals.insert(e.range().start().to_u32());
        }
        let via = short(self.text(call.range()));
        self.push_data(kind, via, path, call.range());
    }

    /// `sqlite:///bot.db` in code (an engine URL, a settings default) and Django's sqlite3
    /// backend.
    fn sqlite_literal(&mut self, text: &str, r: TextRange) {
        let start = r.start().to_u32();
        if self.not_sql.contains(&start) || self.data_literals.contains(&start) {
            return;
        }
        if text == "django.db.backends.sqlite3" {
            self.push_data(
                DataStoreKind::SqliteUrl,
                "Django `ENGINE: django.db.backends.sqlite3`".into(),
                None,
                r,
            );
        } else if let Some(path) = sqlite_url_path(text) {
            self.push_data(
                DataStoreKind::SqliteUrl,
                format!("`{}`", short(text)),
                Some(path),
                r,
            );
        }
    }

    fn decl_use(&mut self, name: &str) {
        let known = self.idx.top_names.contains(name) || self.idx.imported_top.contains(name);
        if !known || self.is_local(name) {
            return;
        }
        if self.owner.as_deref() == Some(name) {
            return;
        }
        let key = (self.owner.clone(), name.to_string());
        if self.uses.insert(key) {
            self.out.decl_uses.push(DeclUse {
                from: self.owner.clone(),
                to: name.to_string(),
            });
        }
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

fn is_discord_error_event(name: &str) -> bool {
    matches!(
        name,
        "on_error" | "on_command_error" | "on_application_command_error" | "on_slash_command_error"
    )
}

/// `group=` of PTB `add_handler`: anything but the default group 0.
fn non_default_group(group: Option<&Expr>) -> bool {
    match group {
        None => false,
        Some(g) if int_value(g) == Some(0) => false,
        Some(g) if last_seg(g) == Some("DEFAULT_GROUP") => false,
        Some(_) => true,
    }
}

/// A storage constructor call and whether it persists.
fn storage_of(x: &Expr) -> Option<(bool, &ast::ExprCall)> {
    let Expr::Call(c) = x else { return None };
    let class = match &*c.func {
        Expr::Attribute(a) if a.attr.as_str() == "from_url" => last_seg(&a.value),
        f => last_seg(f),
    };
    class.and_then(storage_kind).map(|p| (p, c))
}

/// `Some(persistent)` for an FSM/state storage class name.
fn storage_kind(class: &str) -> Option<bool> {
    if !class.ends_with("Storage") {
        return None;
    }
    if class.contains("Memory") {
        return Some(false);
    }
    let persistent = [
        "Redis", "Mongo", "Sql", "SQL", "Postgres", "Pg", "Pickle", "Json", "JSON", "File",
        "Mysql", "MySQL", "Database", "Db", "DB",
    ];
    persistent.iter().any(|p| class.contains(p)).then_some(true)
}

/// `BotCommand(command="start", ...)` / `BotCommand("start", ...)` → `start`.
fn bot_command_name(e: &Expr) -> Option<String> {
    let Expr::Call(c) = e else { return None };
    if last_seg(&c.func) != Some("BotCommand") {
        return None;
    }
    kw(c, "command")
        .or(c.arguments.args.first())
        .and_then(str_lit)
}

/// The commands of a literal `set_my_commands` list.
fn menu_commands(list: &Expr) -> Option<Vec<String>> {
    let elts = match list {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return None,
    };
    let mut out = Vec::new();
    for e in elts {
        let name = match e {
            Expr::Call(_) => bot_command_name(e)?,
            Expr::Tuple(t) => str_lit(t.elts.first()?)?,
            Expr::List(l) => str_lit(l.elts.first()?)?,
            Expr::Dict(d) => d.items.iter().find_map(|i| {
                (i.key.as_ref().and_then(str_lit).as_deref() == Some("command"))
                    .then(|| str_lit(&i.value))
                    .flatten()
            })?,
            _ => return None,
        };
        out.push(norm_cmd(&name)?);
    }
    Some(out)
}

/// A migration tool started as a process: `["alembic", "upgrade", "head"]`,
/// `"alembic upgrade head"`, `"python manage.py migrate"`.
fn spawned_migration(args: &[Expr]) -> Option<&'static str> {
    let mut words: Vec<String> = Vec::new();
    for a in args {
        match a {
            Expr::List(_) | Expr::Tuple(_) => {
                words.extend(str_list(a).unwrap_or_default());
            }
            Expr::StringLiteral(_) => {
                if let Some(s) = str_lit(a) {
                    words.extend(s.split_whitespace().map(str::to_string));
                }
            }
            _ => {}
        }
    }
    let has = |w: &str| {
        words
            .iter()
            .any(|x| x == w || x.ends_with(&format!("/{w}")))
    };
    if has("alembic") && has("upgrade") {
        Some("alembic")
    } else if has("manage.py") && has("migrate") {
        Some("django")
    } else if has("aerich") && has("upgrade") {
        Some("aerich")
    } else {
        None
    }
}

/// Text passed to `execute()` and friends that starts like a statement, in any case.
fn sql_keyword_start(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        return false;
    }
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        first.as_str(),
        "select" | "insert" | "update" | "delete" | "with" | "create" | "replace" | "alter"
    )
}

/// The text of an f-string with each interpolation replaced by `$0` (no table name).
fn fstring_text(f: &ast::ExprFString) -> String {
    crate::fstring_template(f, "$0")
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

// ---------------------------------------------------------------------------------------
// Verification of a route handler.

struct VerifyScan<'i, 'a> {
    idx: &'i Index<'a>,
    source: &'i str,
    /// The condition that must hold for the code being scanned to run (`if SECRET:`).
    guard: Option<String>,
    verified: Option<String>,
    fail_open: Option<String>,
    hmac_new: Option<Option<String>>,
    compares: bool,
    depth: u32,
    seen: HashSet<String>,
    in_handler: bool,
    /// Locals holding the client's address (`ip = request.client.host`).
    client_vars: HashSet<String>,
    /// Locals assigned from a call, with the callee (`p = await get_payment_status(id)`).
    fetched: HashMap<String, String>,
    /// Callees whose result a rejecting branch checks (see `Route::confirmed_by`).
    confirmations: Vec<String>,
    /// Locals holding what the request carries (`form = await request.form()`,
    /// `signature = form["signature"]`, `sig = request.headers.get(...)`).
    request_vars: HashSet<String>,
    /// Locals computed by a call from at least one name the request did not supply
    /// (`expected = sign(PRIVATE_KEY + data)`): a value derived from the server's secret.
    computed_vars: HashSet<String>,
}

impl<'i, 'a> VerifyScan<'i, 'a> {
    fn new(idx: &'i Index<'a>, source: &'i str) -> Self {
        Self {
            idx,
            source,
            guard: None,
            verified: None,
            fail_open: None,
            hmac_new: None,
            compares: false,
            depth: 0,
            seen: HashSet::new(),
            in_handler: false,
            client_vars: HashSet::new(),
            fetched: HashMap::new(),
            confirmations: Vec::new(),
            request_vars: HashSet::new(),
            computed_vars: HashSet::new(),
        }
    }

    /// `e` reads the request: `request.form`, `await request.json()`, `request.headers[..]`,
    /// or a subscript/`get` of a local that holds request data.
    fn carries_request(&self, e: &Expr) -> bool {
        match e {
            Expr::Await(a) => self.carries_request(&a.value),
            Expr::Call(c) => {
                reads_request(&c.func)
                    || matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "get" && self.carries_request(&a.value))
            }
            Expr::Subscript(s) => self.carries_request(&s.value),
            Expr::Attribute(a) => {
                matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request")
                    || self.carries_request(&a.value)
            }
            Expr::Name(n) => {
                n.id.as_str() == "request" || self.request_vars.contains(n.id.as_str())
            }
            _ => false,
        }
    }

    /// `a == b` / `a != b` between a local the request carries and one computed from
    /// something else: the handler recomputes a value (a signature) and compares.
    fn compares_computed_with_request(&self, test: &Expr) -> bool {
        let Expr::Compare(c) = test else {
            return false;
        };
        if !c
            .ops
            .iter()
            .all(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq))
        {
            return false;
        }
        let Some(right) = c.comparators.first() else {
            return false;
        };
        let name = |e: &Expr| match e {
            Expr::Name(n) => Some(n.id.to_string()),
            _ => None,
        };
        let (Some(l), Some(r)) = (name(&c.left), name(right)) else {
            return false;
        };
        (self.request_vars.contains(&l) && self.computed_vars.contains(&r))
            || (self.request_vars.contains(&r) && self.computed_vars.contains(&l))
    }

    /// `name = <value>`: remember locals that hold the client address or a call's result.
    fn track_assignment(&mut self, name: &str, value: &Expr) {
        let inner = match value {
            Expr::Await(a) => &*a.value,
            e => e,
        };
        if self.carries_request(value) {
            self.request_vars.insert(name.to_string());
            return;
        }
        // A call over names the request did not supply (a key, a secret) besides what it
        // did: `sign(KEY + data + KEY)`, `hmac_sha256(secret, body)`.
        if let Expr::Call(c) = inner {
            let mut own = false;
            for arg in c
                .arguments
                .args
                .iter()
                .chain(c.arguments.keywords.iter().map(|k| &k.value))
            {
                let mut names = Vec::new();
                collect_names(arg, &mut names);
                if names
                    .iter()
                    .any(|n| *n != "request" && !self.request_vars.contains(*n))
                {
                    own = true;
                }
            }
            if own {
                self.computed_vars.insert(name.to_string());
            }
        }
        let reads_address = reads_client_address(value)
            || matches!(inner, Expr::Call(c) if matches!(&*c.func, Expr::Name(n)
                if self.idx.funcs.get(n.id.as_str()).is_some_and(|f| body_reads_client_address(&f.body))));
        if reads_address {
            self.client_vars.insert(name.to_string());
        } else if let Expr::Call(c) = inner
            && !reads_request(&c.func)
            && let Some(callee) = dotted(&c.func)
        {
            self.fetched.insert(name.to_string(), callee);
        }
    }

    /// The test reads the client address (directly or through a local holding it).
    fn mentions_client_address(&self, test: &Expr) -> bool {
        reads_client_address(test)
            || any_over_expr(
                test,
                &mut |x: &Expr| matches!(x, Expr::Name(n) if self.client_vars.contains(n.id.as_str())),
            )
    }

    /// Callees whose result's status the test compares: `p.get("status") != "succeeded"`,
    /// `p["status"] == "paid"`, `p.status != "succeeded"`.
    fn status_checks(&self, test: &Expr) -> Vec<String> {
        let mut out = Vec::new();
        let _ = any_over_expr(test, &mut |x: &Expr| {
            if let Expr::Compare(c) = x {
                for side in std::iter::once(&*c.left).chain(c.comparators.iter()) {
                    if let Some(var) = status_of(side)
                        && let Some(callee) = self.fetched.get(var)
                        && !out.contains(callee)
                    {
                        out.push(callee.clone());
                    }
                }
            }
            false
        });
        out
    }

    fn text(&self, r: TextRange) -> &str {
        self.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    fn hit(&mut self, how: String) {
        match &self.guard {
            Some(g) => {
                if self.fail_open.is_none() {
                    self.fail_open = Some(format!("{how} runs only when `{g}`"));
                }
            }
            None => {
                if self.verified.is_none() {
                    self.verified = Some(how);
                }
            }
        }
    }

    fn result(&self) -> Verification {
        if let Some(v) = &self.verified {
            return Verification::Verified(v.clone());
        }
        match (&self.hmac_new, self.compares) {
            (Some(None), true) => return Verification::Verified("hmac.new(...) compared".into()),
            (Some(Some(g)), true) if self.fail_open.is_none() => {
                return Verification::FailOpen(format!(
                    "hmac.new(...) compared runs only when `{g}`"
                ));
            }
            _ => {}
        }
        match &self.fail_open {
            Some(f) => Verification::FailOpen(f.clone()),
            None => Verification::None,
        }
    }

    /// A dependency or decorator of the route: verifying by name, or by its body when it
    /// is a function of this module.
    fn dependency(&mut self, e: &Expr) {
        let Some(name) = last_seg(e) else { return };
        if verify_like_name(name) {
            self.hit(name.to_string());
            return;
        }
        if let Expr::Name(n) = e
            && let Some(f) = self.idx.funcs.get(n.id.as_str()).copied()
        {
            self.function(f, false);
        }
    }

    fn function(&mut self, f: &'a ast::StmtFunctionDef, handler: bool) {
        if self.depth > 3 || !self.seen.insert(f.name.to_string()) {
            return;
        }
        self.depth += 1;
        let prev = std::mem::replace(&mut self.in_handler, handler);
        // `Depends(verify)` defaults of a dependency's own parameters.
        for p in f.parameters.iter_non_variadic_params() {
            if let Some(Expr::Call(c)) = p.default()
                && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                && let Some(d) = c.arguments.args.first()
            {
                self.dependency(d);
            }
        }
        self.visit_body(&f.body);
        self.in_handler = prev;
        self.depth -= 1;
    }

    /// `SECRET`, `settings.secret`, `os.getenv("X")`, `SECRET is not None`: a condition on
    /// configuration (or on an optional header). `Some(true)` when it holds if the secret is
    /// set, `Some(false)` for the negation.
    fn config_test(e: &Expr) -> Option<bool> {
        match e {
            Expr::Name(_) | Expr::Attribute(_) => Some(true),
            Expr::Call(c) => {
                matches!(last_seg(&c.func), Some("get" | "getenv" | "bool")).then_some(true)
            }
            // `if self.secret and self.client:`: the body runs only when every one is set.
            Expr::BoolOp(b) if matches!(b.op, ast::BoolOp::And) => b
                .values
                .iter()
                .all(|v| Self::config_test(v) == Some(true))
                .then_some(true),
            Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => {
                Self::config_test(&u.operand).map(|b| !b)
            }
            Expr::Compare(c) if c.comparators.len() == 1 => {
                let other = &c.comparators[0];
                if !is_none_or_empty(other)
                    || !matches!(&*c.left, Expr::Name(_) | Expr::Attribute(_))
                {
                    return None;
                }
                match c.ops.first()? {
                    ast::CmpOp::IsNot | ast::CmpOp::NotEq => Some(true),
                    ast::CmpOp::Is | ast::CmpOp::Eq => Some(false),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A comparison of a secret/signature/token value: `header != WEBHOOK_SECRET`.
    fn secret_compare(e: &Expr) -> bool {
        any_over_expr(e, &mut |x: &Expr| match x {
            Expr::Compare(c) => {
                c.ops
                    .iter()
                    .any(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq))
                    && !c.comparators.iter().any(is_none_or_empty)
                    && std::iter::once(&*c.left)
                        .chain(c.comparators.iter())
                        .any(mentions_secret)
            }
            _ => false,
        })
    }
}

/// An operand that names a secret: `x_telegram_bot_api_secret_token`, `settings.WEBHOOK_SECRET`,
/// `request.headers.get("X-Hub-Signature-256")`.
fn mentions_secret(e: &Expr) -> bool {
    const WORDS: [&str; 5] = ["secret", "signature", "token", "hmac", "api_key"];
    any_over_expr(e, &mut |x: &Expr| {
        let text = match x {
            Expr::Name(n) => n.id.to_ascii_lowercase(),
            Expr::Attribute(a) => a.attr.to_ascii_lowercase(),
            Expr::StringLiteral(s) => s.value.to_str().to_ascii_lowercase(),
            _ => return false,
        };
        WORDS.iter().any(|w| text.contains(w)) || text.contains("x-hub-sig")
    })
}

/// `request.client.host`, `request.remote_addr`, aiohttp's `request.remote`, Flask's
/// `access_route`, or a proxy header naming the client (`X-Forwarded-For`, `X-Real-IP`).
fn reads_client_address(e: &Expr) -> bool {
    any_over_expr(e, &mut |x: &Expr| match x {
        Expr::Attribute(a) => {
            (a.attr.as_str() == "host"
                && matches!(&*a.value, Expr::Attribute(inner) if inner.attr.as_str() == "client"))
                || matches!(a.attr.as_str(), "remote_addr" | "access_route")
                || (a.attr.as_str() == "remote"
                    && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request"))
        }
        Expr::StringLiteral(s) => matches!(
            s.value.to_str().to_ascii_lowercase().as_str(),
            "x-forwarded-for" | "x-real-ip" | "cf-connecting-ip"
        ),
        _ => false,
    })
}

/// A module-level helper that reads the client address (`def _client_ip(request): …`).
fn body_reads_client_address(body: &[Stmt]) -> bool {
    any_over_body(body, &|x: &Expr| reads_client_address(x))
}

/// A read of the request itself (`await request.json()`, `request.get_json()`), not a
/// call that fetches state from elsewhere.
fn reads_request(func: &Expr) -> bool {
    let Expr::Attribute(a) = func else {
        return false;
    };
    matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request")
        || matches!(
            a.attr.as_str(),
            "json" | "body" | "form" | "get_json" | "get_data" | "text" | "read" | "post"
        )
}

/// The local whose status `e` reads: `p.get("status")`, `p["status"]`, `p.status`.
fn status_of(e: &Expr) -> Option<&str> {
    const FIELDS: [&str; 4] = ["status", "paid", "state", "payment_status"];
    let (base, field) = match e {
        Expr::Call(c) if last_seg(&c.func) == Some("get") => {
            let Expr::Attribute(a) = &*c.func else {
                return None;
            };
            let Some(Expr::StringLiteral(key)) = c.arguments.args.first() else {
                return None;
            };
            (&*a.value, key.value.to_str().to_string())
        }
        Expr::Subscript(s) => {
            let Expr::StringLiteral(key) = &*s.slice else {
                return None;
            };
            (&*s.value, key.value.to_str().to_string())
        }
        Expr::Attribute(a) => (&*a.value, a.attr.to_string()),
        _ => return None,
    };
    let Expr::Name(n) = base else {
        return None;
    };
    FIELDS.contains(&field.as_str()).then_some(n.id.as_str())
}

/// The block rejects the request: raises, aborts, or answers 400/401/403/5xx.
/// Callees of the calls the statements make directly (`x = f(...)`, `await f(...)`,
/// `f(...)`), as dotted names.
fn direct_callees(body: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    for stmt in body {
        let value = match stmt {
            Stmt::Assign(a) => Some(&*a.value),
            Stmt::AnnAssign(a) => a.value.as_deref(),
            Stmt::Expr(e) => Some(&*e.value),
            Stmt::Return(r) => r.value.as_deref(),
            _ => None,
        };
        let value = match value {
            Some(Expr::Await(a)) => Some(&*a.value),
            v => v,
        };
        if let Some(Expr::Call(c)) = value
            && let Some(callee) = dotted(&c.func)
            && !out.contains(&callee)
        {
            out.push(callee);
        }
    }
    out
}

fn rejects(body: &[Stmt], in_handler: bool) -> bool {
    struct Finder {
        found: bool,
        in_handler: bool,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Raise(_) => self.found = true,
                Stmt::Return(r)
                    if !self.in_handler
                        && r.value
                            .as_deref()
                            .is_some_and(|v| matches!(v, Expr::BooleanLiteral(b) if !b.value)) =>
                {
                    self.found = true;
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            let hit = match expr {
                Expr::NumberLiteral(_) => {
                    matches!(int_value(expr), Some(400 | 401 | 403 | 500 | 503))
                }
                Expr::Name(_) | Expr::Attribute(_) => last_seg(expr).is_some_and(|n| {
                    [
                        "Forbidden",
                        "Unauthorized",
                        "HTTP_401",
                        "HTTP_403",
                        "HTTP_400",
                        "PermissionDenied",
                        "BadRequest",
                        "NotAuthenticated",
                    ]
                    .iter()
                    .any(|k| n.contains(k))
                        || n == "abort"
                }),
                Expr::StringLiteral(s) => {
                    let t = s.value.to_str().to_ascii_lowercase();
                    [
                        "forbidden",
                        "unauthorized",
                        "invalid signature",
                        "invalid token",
                    ]
                    .iter()
                    .any(|k| t.contains(k))
                }
                _ => false,
            };
            self.found |= hit;
            visitor::walk_expr(self, expr);
        }
    }
    let mut f = Finder {
        found: false,
        in_handler,
    };
    for s in body {
        f.visit_stmt(s);
    }
    f.found
}

fn ends_in_exit(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

impl<'a> Visitor<'a> for VerifyScan<'_, 'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        let saved = self.guard.clone();
        for stmt in body {
            self.visit_stmt(stmt);
            // `if not SECRET: return True` in a verifier: the rest runs only with a secret.
            if let Stmt::If(i) = stmt
                && Self::config_test(&i.test) == Some(false)
                && i.elif_else_clauses.is_empty()
                && ends_in_exit(&i.body)
                && !rejects(&i.body, self.in_handler)
                && !self.in_handler
                && self.guard.is_none()
            {
                self.guard = Some(self.text(i.test.range()).to_string());
            }
        }
        self.guard = saved;
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => {
                if let Expr::Name(n) = &a.targets[0] {
                    self.track_assignment(n.id.as_str(), &a.value);
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(v)) = (&*a.target, a.value.as_deref()) {
                    self.track_assignment(n.id.as_str(), v);
                }
            }
            _ => {}
        }
        // `try: result = handle_webhook(payload, sig_header=sig) except ValueError: raise
        // HTTPBadRequest`: the request is refused when a callee of the `try` raises, as
        // when a branch checks its result.
        if let Stmt::Try(t) = stmt
            && self.in_handler
            && t.handlers.iter().any(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                rejects(&h.body, true)
            })
        {
            for callee in direct_callees(&t.body) {
                if !self.confirmations.contains(&callee) {
                    self.confirmations.push(callee);
                }
            }
        }
        let Stmt::If(i) = stmt else {
            visitor::walk_stmt(self, stmt);
            return;
        };
        let test_text = self.text(i.test.range()).to_string();
        // `if expected == signature: act` or `if expected != signature: raise`: a value the
        // handler recomputes, compared with the one the request carries.
        if self.in_handler
            && self.compares_computed_with_request(&i.test)
            && (rejects(&i.body, true)
                || matches!(&*i.test, Expr::Compare(c) if c.ops.iter().all(|o| matches!(o, ast::CmpOp::Eq))))
        {
            self.hit(format!("`{}`", short(&test_text)));
        }
        if rejects(&i.body, self.in_handler) {
            // `if not allowed(client_ip): raise HTTPException(403)`: an address allowlist.
            if self.mentions_client_address(&i.test) {
                self.hit(format!("client address checked: `{}`", short(&test_text)));
            }
            for callee in self.status_checks(&i.test) {
                if !self.confirmations.contains(&callee) {
                    self.confirmations.push(callee);
                }
            }
        }
        let saved = self.guard.clone();
        match Self::config_test(&i.test) {
            Some(true) => {
                let else_rejects = i
                    .elif_else_clauses
                    .iter()
                    .any(|c| c.test.is_none() && rejects(&c.body, self.in_handler));
                if !else_rejects && self.guard.is_none() {
                    self.guard = Some(test_text);
                }
                self.visit_body(&i.body);
                self.guard = saved.clone();
                for c in &i.elif_else_clauses {
                    self.visit_body(&c.body);
                }
            }
            Some(false) => {
                let body_rejects = rejects(&i.body, self.in_handler);
                self.visit_body(&i.body);
                if !body_rejects && self.guard.is_none() {
                    self.guard = Some(match test_text.strip_prefix("not ") {
                        Some(inner) => inner.trim().to_string(),
                        None => format!("not ({test_text})"),
                    });
                }
                for c in &i.elif_else_clauses {
                    self.visit_body(&c.body);
                }
                self.guard = saved;
            }
            None => {
                let branch_rejects = rejects(&i.body, self.in_handler)
                    || i.elif_else_clauses
                        .iter()
                        .any(|c| rejects(&c.body, self.in_handler));
                if Self::secret_compare(&i.test) && branch_rejects {
                    // `if SECRET and header != SECRET: raise ...`: skipped without a secret.
                    let gate = match &*i.test {
                        Expr::BoolOp(b) if matches!(b.op, ast::BoolOp::And) => b
                            .values
                            .iter()
                            .find(|v| Self::config_test(v) == Some(true))
                            .map(|v| self.text(v.range()).to_string()),
                        _ => None,
                    };
                    let how = format!("`{}` compared", short(&test_text));
                    match gate {
                        Some(g) if self.guard.is_none() => {
                            self.guard = Some(g);
                            self.hit(how);
                            self.guard = saved.clone();
                        }
                        _ => self.hit(how),
                    }
                }
                self.visit_expr(&i.test);
                self.visit_body(&i.body);
                for c in &i.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.visit_expr(t);
                    }
                    self.visit_body(&c.body);
                }
            }
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                let func = &*c.func;
                let name = last_seg(func).unwrap_or("");
                let d = dotted(func).unwrap_or_default();
                if name == "compare_digest"
                    || name == "construct_event"
                    || name == "construct_from" && d.contains("Webhook")
                    || d.contains("WebhookSignature")
                {
                    self.hit(format!("{d}()"));
                } else if name == "validate"
                    && c.func.as_attribute_expr().is_some_and(|a| {
                        self.text(a.value.range())
                            .to_ascii_lowercase()
                            .contains("validator")
                    })
                {
                    self.hit(format!("{}()", short(self.text(func.range()))));
                } else if d == "hmac.new" || d == "hmac.HMAC" {
                    if self.hmac_new.is_none() {
                        self.hmac_new = Some(self.guard.clone());
                    }
                } else if verify_like_name(name) {
                    self.hit(format!("{name}()"));
                } else if let Expr::Name(n) = func
                    && let Some(f) = self.idx.funcs.get(n.id.as_str()).copied()
                {
                    self.function(f, false);
                }
            }
            Expr::Compare(c)
                if c.ops
                    .iter()
                    .any(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq)) =>
            {
                self.compares = true;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
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
                visitor::walk_stmt(self, stmt);
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
                visitor::walk_stmt(self, stmt);
                self.storage_fallback -= u32::from(fallback);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
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

/// The path literal an expression names: a string, a module-level constant, the last
/// literal part of `os.path.join(...)`, `Path(...)`, `BASE / "data" / "bot.db"`.
fn path_literal(e: &Expr, consts: &HashMap<String, String>) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::FString(f) => {
            let t = fstring_text(f);
            let tail = t
                .rsplit("$0")
                .next()
                .unwrap_or(&t)
                .trim_start_matches(['/', '\\']);
            (!tail.is_empty()).then(|| tail.to_string())
        }
        Expr::Name(n) => consts.get(n.id.as_str()).cloned(),
        Expr::Call(c) => {
            let name = last_seg(&c.func)?;
            if matches!(
                name,
                "join" | "Path" | "PurePath" | "joinpath" | "str" | "abspath" | "resolve"
            ) {
                c.arguments
                    .args
                    .last()
                    .and_then(|a| path_literal(a, consts))
            } else {
                None
            }
        }
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Div | ast::Operator::Add) => {
            path_literal(&b.right, consts)
        }
        _ => None,
    }
}

/// A `.json` file that holds data (not configuration, cache, logs or test output).
fn is_json_data(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json") && is_data_path(path)
}

/// One branch builds a persistent FSM storage and another an in-memory one.
fn storage_branches<'b>(body: &'b [Stmt], others: impl Iterator<Item = &'b [Stmt]>) -> bool {
    let kinds = |b: &[Stmt]| {
        let mut persistent = false;
        let mut memory = false;
        any_over_body(b, |e| {
            if let Expr::Call(c) = e {
                let class = match &*c.func {
                    Expr::Attribute(a) if a.attr.as_str() == "from_url" => last_seg(&a.value),
                    f => last_seg(f),
                };
                match class.and_then(storage_kind) {
                    Some(true) => persistent = true,
                    Some(false) => memory = true,
                    None => {}
                }
            }
            false
        });
        (persistent, memory)
    };
    let (p0, m0) = kinds(body);
    let mut p = p0;
    let mut m = m0;
    let mut other_seen = false;
    for o in others {
        let (po, mo) = kinds(o);
        p |= po;
        m |= mo;
        other_seen = true;
    }
    other_seen && p && m
}

#[cfg(test)]
mod tests;
