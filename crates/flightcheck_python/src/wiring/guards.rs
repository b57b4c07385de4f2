//! Who may set a bot handler off: the handlers users reach by a command, a text or an inline
//! button (aiogram 3 and 2, pyTelegramBotAPI, python-telegram-bot), the filters and
//! middlewares every handler of a router passes, and the functions that check the sender.
//! `security/admin-handler-unauthorized` judges them.
//!
//! Everything here errs towards "guarded": a filter, decorator or middleware this module
//! cannot read counts as a check, so the rule stays silent where it cannot see.

use super::common::{kw, last_seg, short};
use super::{Index, Module};
use crate::dotted;
use flightcheck_core::Framework;
use flightcheck_core::wiring::{BotHandler, BotRootGuard, BotTrigger, Owner};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// What this module says about who may set its bot handlers off.
#[derive(Default)]
pub(super) struct Guards {
    pub handlers: Vec<BotHandler>,
    pub root_guards: Vec<BotRootGuard>,
    pub sender_checks: Vec<String>,
    pub router_parents: Vec<String>,
}

pub(super) fn extract<'a>(body: &'a [Stmt], idx: &Index<'a>, m: &Module<'_>) -> Guards {
    let telegram = m.frameworks.iter().copied().find(|f| {
        matches!(
            f,
            Framework::Aiogram | Framework::PyTelegramBotApi | Framework::PythonTelegramBot
        )
    });
    let mut g = Guards::default();
    let Some(framework) = telegram else {
        return g;
    };
    let mut walk = Walk {
        m,
        idx,
        framework,
        out: &mut g,
        owner: None,
        depth: 0,
        skip: Vec::new(),
    };
    for s in body {
        walk.visit_stmt(s);
    }
    g.sender_checks.sort();
    g.sender_checks.dedup();
    g.router_parents.sort();
    g.router_parents.dedup();
    g
}

struct Walk<'g, 'm, 's, 'a> {
    m: &'m Module<'s>,
    idx: &'m Index<'a>,
    framework: Framework,
    out: &'g mut Guards,
    owner: Owner,
    depth: u32,
    /// Ranges whose handlers only a conversation state reaches (PTB `states={...}`).
    skip: Vec<TextRange>,
}

/// How one filter of a registration reads.
enum FilterKind {
    Trigger(BotTrigger),
    /// A conversation state: only an earlier handler puts a user there.
    State,
    /// Says nothing about the sender (`F.chat.type == "private"`, `content_types=...`).
    Neutral,
    /// Anything else: it may check the sender.
    Guard,
}

impl<'a> Walk<'_, '_, '_, 'a> {
    fn text(&self, r: TextRange) -> &str {
        self.m
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    fn skipped(&self, r: TextRange) -> bool {
        self.skip.iter().any(|s| s.contains_range(r))
    }

    fn on_function(&mut self, def: &'a ast::StmtFunctionDef) {
        if sender_test(def.body.as_slice(), self.m.source).is_some() {
            self.out.sender_checks.push(def.name.to_string());
        }
        let mut registrations = Vec::new();
        let mut other_decorator = None;
        for dec in &def.decorator_list {
            match registration_event(&dec.expression) {
                Some((receiver, event, call)) => registrations.push((receiver, event, call)),
                None => other_decorator = Some(dec.range()),
            }
        }
        for (receiver, event, call) in registrations {
            let receiver = self.text(receiver.range()).to_string();
            let mut guard = other_decorator.map(|r| short(self.text(r)));
            let filters: Vec<&Expr> = call.arguments.args.iter().collect();
            self.registration(&receiver, event, &filters, call, Some(def), &mut guard);
        }
    }

    /// One registration of `def` (or of a handler this module does not define) on
    /// `receiver` for `event` (`message`, `callback_query`, ...), with its filters.
    fn registration(
        &mut self,
        receiver: &str,
        event: &str,
        filters: &[&Expr],
        call: &ast::ExprCall,
        def: Option<&'a ast::StmtFunctionDef>,
        guard: &mut Option<String>,
    ) {
        let callback = event.starts_with("callback_query");
        let mut trigger = None;
        for f in filters {
            match self.filter_kind(f, callback) {
                FilterKind::Trigger(t) => trigger = trigger.or(Some((t, f.range()))),
                FilterKind::State => return,
                FilterKind::Neutral => {}
                FilterKind::Guard => {
                    guard.get_or_insert_with(|| short(self.text(f.range())));
                }
            }
        }
        for k in &call.arguments.keywords {
            let Some(arg) = k.arg.as_ref().map(|a| a.as_str()) else {
                guard.get_or_insert_with(|| "**kwargs".to_string());
                continue;
            };
            match arg {
                "commands" => trigger = trigger.or(Some((BotTrigger::Command, k.range()))),
                "text" | "regexp" | "text_contains" | "text_startswith" if !callback => {
                    trigger = trigger.or(Some((BotTrigger::Text, k.range())))
                }
                "text" | "text_contains" | "text_startswith" | "regexp" => {
                    trigger = trigger.or(Some((BotTrigger::Callback, k.range())))
                }
                // aiogram 2: `state="*"` is every state, no state included.
                "state" => {
                    if !matches!(&k.value, Expr::StringLiteral(s) if s.value.to_str() == "*")
                        && !matches!(&k.value, Expr::NoneLiteral(_))
                    {
                        return;
                    }
                }
                "func" => match self.lambda_kind(&k.value, callback) {
                    FilterKind::Trigger(t) => trigger = trigger.or(Some((t, k.range()))),
                    FilterKind::State => return,
                    FilterKind::Neutral => {}
                    FilterKind::Guard => {
                        guard.get_or_insert_with(|| short(self.text(k.range())));
                    }
                },
                "content_types" | "chat_types" | "flags" | "run_task" | "pass_bot" => {}
                _ => {
                    guard.get_or_insert_with(|| short(self.text(k.range())));
                }
            }
        }
        // A callback handler with no data filter still takes crafted callback data.
        let trigger = match trigger {
            Some(t) => t,
            None if callback && filters.is_empty() => (BotTrigger::Callback, call.range()),
            None => return,
        };
        self.push(receiver, trigger, def, guard.take(), call.range());
    }

    fn push(
        &mut self,
        receiver: &str,
        (trigger, trigger_range): (BotTrigger, TextRange),
        def: Option<&'a ast::StmtFunctionDef>,
        mut guard: Option<String>,
        at: TextRange,
    ) {
        if self.skipped(at) {
            return;
        }
        let mut calls = Vec::new();
        let function = match def {
            Some(d) => {
                // A decorator other than a registration (`@admin_only`) may check.
                if guard.is_none() {
                    guard = d
                        .decorator_list
                        .iter()
                        .find(|dec| registration_event(&dec.expression).is_none())
                        .map(|dec| short(self.text(dec.range())));
                }
                if guard.is_none() {
                    guard = sender_test(d.body.as_slice(), self.m.source);
                }
                calls = called_names(d.body.as_slice());
                d.name.to_string()
            }
            // A handler another module defines: its body is not read here, so it may check.
            None => {
                guard.get_or_insert_with(|| "handler defined in another module".to_string());
                String::new()
            }
        };
        self.out.handlers.push(BotHandler {
            framework: self.framework,
            receiver: receiver.to_string(),
            trigger,
            via: short(self.text(trigger_range)),
            function,
            guard,
            calls,
            span: (self.m.span_of)(at),
            owner: self.owner.clone(),
        });
    }

    /// aiogram filters: `Command("ban")`, `F.text == "…"`, `F.data == "…"`, a state, a
    /// `CallbackData.filter()`; anything unknown may check the sender.
    fn filter_kind(&self, f: &Expr, callback: bool) -> FilterKind {
        match self.filter_shape(f, callback) {
            // `F.chat.id == ADMIN_CHAT`: a chat, but the admins' one.
            FilterKind::Neutral
                if mentions_sender(&without_strings(self.text(f.range())).to_ascii_lowercase()) =>
            {
                FilterKind::Guard
            }
            kind => kind,
        }
    }

    fn filter_shape(&self, f: &Expr, callback: bool) -> FilterKind {
        match f {
            Expr::Call(c) => {
                let name = last_seg(&c.func).unwrap_or("");
                match name {
                    "Command" | "CommandStart" | "Commands" => {
                        FilterKind::Trigger(BotTrigger::Command)
                    }
                    "Text" | "Regexp" | "TextFilter" => FilterKind::Trigger(if callback {
                        BotTrigger::Callback
                    } else {
                        BotTrigger::Text
                    }),
                    "StateFilter" => FilterKind::State,
                    "ChatTypeFilter" => FilterKind::Neutral,
                    // `MyCallback.filter(F.action == "x")`: callback data of a factory.
                    "filter" if callback => FilterKind::Trigger(BotTrigger::Callback),
                    // `F.text.startswith("…")`, `F.data.in_(…)`, `F.text.regexp(…)`.
                    _ => self.magic_kind(&c.func, callback),
                }
            }
            Expr::Compare(cmp) => self.magic_kind(&cmp.left, callback),
            // `AdminStates.waiting`, a state group's attribute.
            Expr::Attribute(a) if state_like(&a.value) => FilterKind::State,
            Expr::Name(n) if state_like(f) || n.id.as_str() == "state" => FilterKind::State,
            // `Command("ban") & F.chat.type == "private"`: the trigger with a narrowing;
            // `(F.data == "new") | (F.data == "drop")`: either trigger reaches the handler,
            // so both sides must be triggers.
            Expr::BinOp(b) if matches!(b.op, ast::Operator::BitAnd | ast::Operator::BitOr) => {
                let either = matches!(b.op, ast::Operator::BitOr);
                let left = self.filter_kind(&b.left, callback);
                let right = self.filter_kind(&b.right, callback);
                match (left, right) {
                    (FilterKind::Guard, _) | (_, FilterKind::Guard) => FilterKind::Guard,
                    (FilterKind::State, _) | (_, FilterKind::State) => FilterKind::State,
                    (FilterKind::Trigger(t), FilterKind::Trigger(_)) => FilterKind::Trigger(t),
                    (FilterKind::Trigger(t), _) | (_, FilterKind::Trigger(t)) if !either => {
                        FilterKind::Trigger(t)
                    }
                    _ => FilterKind::Neutral,
                }
            }
            _ => self.magic_kind(f, callback),
        }
    }

    /// A magic filter (`F.text…`, `F.data…`, `F.chat.type…`, `F.photo`).
    fn magic_kind(&self, e: &Expr, callback: bool) -> FilterKind {
        let Some(d) = dotted(magic_root(e)) else {
            return FilterKind::Guard;
        };
        match d.as_str() {
            "F.text" | "F.caption" => FilterKind::Trigger(BotTrigger::Text),
            "F.data" => FilterKind::Trigger(BotTrigger::Callback),
            _ if d.starts_with("F.chat") || d.starts_with("F.content_type") => FilterKind::Neutral,
            _ if d.starts_with("F.") && d.matches('.').count() == 1 => {
                // `F.photo`, `F.document`: content, not the sender.
                if callback {
                    FilterKind::Guard
                } else {
                    FilterKind::Neutral
                }
            }
            _ => FilterKind::Guard,
        }
    }

    /// pyTelegramBotAPI `func=lambda m: ...`.
    fn lambda_kind(&self, e: &Expr, callback: bool) -> FilterKind {
        let Expr::Lambda(l) = e else {
            return FilterKind::Guard;
        };
        let body = without_strings(self.text(l.body.range())).to_ascii_lowercase();
        if mentions_sender(&body) {
            FilterKind::Guard
        } else if body.contains(".data") {
            FilterKind::Trigger(BotTrigger::Callback)
        } else if body.contains(".text") {
            FilterKind::Trigger(if callback {
                BotTrigger::Callback
            } else {
                BotTrigger::Text
            })
        } else if body == "true" {
            FilterKind::Neutral
        } else {
            FilterKind::Guard
        }
    }

    fn on_call(&mut self, call: &'a ast::ExprCall) {
        let Some(method) = last_seg(&call.func) else {
            return;
        };
        let receiver_expr = match &*call.func {
            Expr::Attribute(a) => Some(&*a.value),
            _ => None,
        };
        let args = &call.arguments.args;
        match method {
            // aiogram 3: `router.message.register(fn, Command("x"))`.
            "register" => {
                if let Some(Expr::Attribute(event)) = receiver_expr
                    && is_event(event.attr.as_str())
                    && let Some(first) = args.first()
                {
                    let recv = self.text(event.value.range()).to_string();
                    let def = self.handler_def(first);
                    let filters: Vec<&Expr> = args[1..].iter().collect();
                    let mut guard = None;
                    self.registration(&recv, event.attr.as_str(), &filters, call, def, &mut guard);
                }
            }
            // aiogram 2 / pyTelegramBotAPI.
            "register_message_handler" | "register_callback_query_handler" => {
                if let (Some(r), Some(first)) = (receiver_expr, args.first()) {
                    let recv = self.text(r.range()).to_string();
                    let def = self.handler_def(first);
                    let filters: Vec<&Expr> = args[1..].iter().collect();
                    let event = method.trim_start_matches("register_");
                    let mut guard = None;
                    self.registration(&recv, event, &filters, call, def, &mut guard);
                }
            }
            // `router.message.filter(IsAdmin())`: every handler of the router passes it.
            "filter" => {
                if let Some(Expr::Attribute(event)) = receiver_expr
                    && is_event(event.attr.as_str())
                    && dotted(&event.value).is_some()
                {
                    let recv = self.text(event.value.range()).to_string();
                    let via = short(self.text(call.range()));
                    let checks_sender = args
                        .iter()
                        .any(|f| matches!(self.filter_kind(f, false), FilterKind::Guard));
                    self.out.root_guards.push(BotRootGuard {
                        receiver: recv,
                        via,
                        middleware: false,
                        checker: None,
                        checks_sender,
                        span: (self.m.span_of)(call.range()),
                    });
                }
            }
            // aiogram 3 `dp.update.outer_middleware(M())`, `router.message.middleware(M())`;
            // aiogram 2 `dp.middleware.setup(M())`, `dp.setup_middleware(M())`; telebot
            // `bot.setup_middleware(M())`.
            "middleware" | "outer_middleware" | "setup" | "setup_middleware" => {
                let on_router = match receiver_expr {
                    Some(Expr::Attribute(a)) => {
                        is_event(a.attr.as_str()) || a.attr.as_str() == "middleware"
                    }
                    Some(_) => method == "setup_middleware" || method == "middleware",
                    None => false,
                };
                if !on_router
                    || (method == "setup"
                        && !self.text(call.func.range()).ends_with("middleware.setup"))
                {
                    return;
                }
                let Some(m) = args.first() else {
                    return;
                };
                let class = match m {
                    Expr::Call(c) => &*c.func,
                    other => other,
                };
                // The framework's own middlewares (i18n, chat actions, callback answers)
                // never look at who is sending.
                if self.library_middleware(class) {
                    return;
                }
                let checker = last_seg(class).map(str::to_string);
                let receiver = receiver_expr
                    .map(|r| self.text(r.range()).to_string())
                    .unwrap_or_default();
                self.out.root_guards.push(BotRootGuard {
                    receiver,
                    via: short(self.text(call.range())),
                    middleware: true,
                    checker,
                    checks_sender: false,
                    span: (self.m.span_of)(call.range()),
                });
            }
            "include_router" | "include_routers" => {
                if let Some(r) = receiver_expr {
                    let recv = self.text(r.range()).to_string();
                    self.out.router_parents.push(recv);
                }
            }
            // python-telegram-bot.
            "CommandHandler" | "CallbackQueryHandler" | "MessageHandler"
                if self.framework == Framework::PythonTelegramBot =>
            {
                self.ptb_handler(method, call);
            }
            // `TypeHandler(Update, check)` in an early group runs before every handler.
            "TypeHandler" if self.framework == Framework::PythonTelegramBot => {
                let checker = args.get(1).and_then(dotted);
                self.out.root_guards.push(BotRootGuard {
                    receiver: String::new(),
                    via: short(self.text(call.range())),
                    middleware: true,
                    checker,
                    checks_sender: false,
                    span: (self.m.span_of)(call.range()),
                });
            }
            _ => {}
        }
    }

    fn ptb_handler(&mut self, method: &str, call: &'a ast::ExprCall) {
        let args = &call.arguments.args;
        let (handler, trigger) = match method {
            "CommandHandler" => (
                args.get(1).or_else(|| kw(call, "callback")),
                BotTrigger::Command,
            ),
            "CallbackQueryHandler" => (
                args.first().or_else(|| kw(call, "callback")),
                BotTrigger::Callback,
            ),
            _ => {
                // Only a message handler matching a text someone types: `filters.Regex(...)`,
                // `filters.Text([...])`.
                let f = args.first().or_else(|| kw(call, "filters"));
                let typed = f.is_some_and(|f| {
                    let t = self.text(f.range());
                    t.contains("Regex(") || t.contains("Text([") || t.contains("Text((")
                });
                if !typed {
                    return;
                }
                (
                    args.get(1).or_else(|| kw(call, "callback")),
                    BotTrigger::Text,
                )
            }
        };
        let Some(handler) = handler else {
            return;
        };
        let mut guard = None;
        let filters = match method {
            "CommandHandler" => kw(call, "filters").or_else(|| args.get(2)),
            "MessageHandler" => args.first().or_else(|| kw(call, "filters")),
            _ => None,
        };
        if let Some(f) = filters {
            let t = self.text(f.range());
            let lower = without_strings(t).to_ascii_lowercase();
            if t.contains("filters.User") || t.contains("filters.Chat(") || mentions_sender(&lower)
            {
                guard = Some(short(t));
            }
        }
        let def = self.handler_def(handler);
        let trigger_range = match method {
            "CallbackQueryHandler" => kw(call, "pattern").map_or(call.range(), |p| p.range()),
            _ => args.first().map_or(call.range(), |a| a.range()),
        };
        self.push(
            "application",
            (trigger, trigger_range),
            def,
            guard,
            call.range(),
        );
    }

    /// A middleware class of the bot framework itself (`aiogram.utils.i18n.SimpleI18nMiddleware`).
    fn library_middleware(&self, class: &Expr) -> bool {
        let Some(d) = dotted(class) else {
            return false;
        };
        let first = d.split('.').next().unwrap_or("");
        self.m.imported.get(first).is_some_and(|q| {
            let top = q.split('.').next().unwrap_or("");
            matches!(top, "aiogram" | "telebot" | "telegram")
        })
    }

    /// The module's own function a registration names (`fn`, `self.fn`, `handlers.fn` is
    /// another module's: `None`).
    fn handler_def(&self, e: &Expr) -> Option<&'a ast::StmtFunctionDef> {
        match e {
            Expr::Name(n) => self.idx.funcs.get(n.id.as_str()).copied(),
            _ => None,
        }
    }
}

impl<'a> Visitor<'a> for Walk<'_, '_, '_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.on_function(def);
                let saved = self.owner.clone();
                if self.depth == 0 {
                    self.owner = Some(def.name.to_string());
                }
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth -= 1;
                self.owner = saved;
            }
            Stmt::ClassDef(class) => {
                // A middleware class whose `__call__` (or any method) checks the sender.
                let checks = class.body.iter().any(|s| {
                    matches!(s, Stmt::FunctionDef(f) if sender_test(f.body.as_slice(), self.m.source).is_some())
                });
                if checks {
                    self.out.sender_checks.push(class.name.to_string());
                }
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            // PTB `ConversationHandler(states={...})`: handlers only a state reaches.
            if last_seg(&call.func) == Some("ConversationHandler") {
                for name in ["states", "fallbacks"] {
                    if let Some(v) = kw(call, name) {
                        self.skip.push(v.range());
                    }
                }
            }
            self.on_call(call);
        }
        visitor::walk_expr(self, expr);
    }
}

/// `@router.message(...)`, `@dp.callback_query(...)`, `@dp.message_handler(...)`,
/// `@bot.callback_query_handler(...)`: the receiver, the event and the call.
fn registration_event(e: &Expr) -> Option<(&Expr, &str, &ast::ExprCall)> {
    let Expr::Call(call) = e else {
        return None;
    };
    let Expr::Attribute(a) = &*call.func else {
        return None;
    };
    let event = a.attr.as_str();
    match event {
        "message" | "callback_query" | "edited_message" => Some((&a.value, event, call)),
        "message_handler" | "callback_query_handler" => Some((&a.value, event, call)),
        _ => None,
    }
}

fn is_event(name: &str) -> bool {
    matches!(
        name,
        "message" | "callback_query" | "edited_message" | "update"
    )
}

/// The `F.x.y` part of `F.x.y.startswith(...)` / `F.x.y.in_(...)`.
fn magic_root(e: &Expr) -> &Expr {
    match e {
        Expr::Call(c) => match &*c.func {
            Expr::Attribute(a) => magic_root(&a.value),
            other => other,
        },
        Expr::Attribute(a)
            if matches!(
                a.attr.as_str(),
                "startswith" | "endswith" | "in_" | "contains" | "regexp" | "lower" | "casefold"
            ) =>
        {
            magic_root(&a.value)
        }
        other => other,
    }
}

/// A state group's state (`Form.name`, `AdminStates.waiting`): the class name says state.
fn state_like(e: &Expr) -> bool {
    dotted(e).is_some_and(|d| {
        let first = d.split('.').next().unwrap_or("");
        first.ends_with("State") || first.ends_with("States") || first.ends_with("Form")
    })
}

/// Words of a role or a permission (lower case, substrings).
const ROLE_WORDS: [&str; 15] = [
    "admin",
    "owner",
    "moder",
    "staff",
    "role",
    "perm",
    "access",
    "allow",
    "auth",
    "whitelist",
    "white_list",
    "superuser",
    "sudo",
    "privileg",
    "rights",
];

/// Words that name the sender of an update (lower case, substrings).
const SENDER_WORDS: [&str; 9] = [
    "manager",
    "from_user",
    "effective_user",
    "user.id",
    "user_id",
    "chat.id",
    "chat_id",
    "get_chat_member",
    "status",
];

/// `text` with the contents of its string literals dropped: `c.data == "admin_x"` names
/// admin in the data, not in a test of the sender.
fn without_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for ch in text.chars() {
        match quote {
            Some(q) if ch == q => {
                quote = None;
                out.push(ch);
            }
            Some(_) => {}
            None => {
                if ch == '"' || ch == '\'' {
                    quote = Some(ch);
                }
                out.push(ch);
            }
        }
    }
    out
}

/// A test mentions a role or the sender. Broad on purpose: a test that mentions any of them
/// counts as a check, so the rule stays silent.
fn mentions_sender(lower: &str) -> bool {
    ROLE_WORDS
        .iter()
        .chain(SENDER_WORDS.iter())
        .any(|w| lower.contains(w))
}

/// The first test in `body` about the sender, as written: an `if`/`assert`/`while` test or
/// a comparison mentioning the sender or a role, or a call of a checking function
/// (`is_admin(uid)`, `get_chat_member(...)`).
fn sender_test(body: &[Stmt], source: &str) -> Option<String> {
    struct Find<'s> {
        source: &'s str,
        found: Option<String>,
    }
    impl Find<'_> {
        fn consider(&mut self, r: TextRange) {
            if self.found.is_some() {
                return;
            }
            let t = self
                .source
                .get(r.start().to_usize()..r.end().to_usize())
                .unwrap_or("");
            if mentions_sender(&without_strings(t).to_ascii_lowercase()) {
                self.found = Some(short(t));
            }
        }
    }
    impl<'a> Visitor<'a> for Find<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::If(i) => {
                    self.consider(i.test.range());
                    for c in &i.elif_else_clauses {
                        if let Some(t) = &c.test {
                            self.consider(t.range());
                        }
                    }
                }
                Stmt::Assert(a) => self.consider(a.test.range()),
                Stmt::While(w) => self.consider(w.test.range()),
                // A nested function is its own code.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Compare(c) => self.consider(c.range()),
                Expr::If(i) => self.consider(i.test.range()),
                Expr::Call(c) => {
                    if let Some(name) = last_seg(&c.func)
                        && is_check_call(name)
                        && self.found.is_none()
                    {
                        self.found = Some(short(
                            self.source
                                .get(c.range().start().to_usize()..c.range().end().to_usize())
                                .unwrap_or(""),
                        ));
                    }
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut f = Find {
        source,
        found: None,
    };
    for s in body {
        f.visit_stmt(s);
        if f.found.is_some() {
            break;
        }
    }
    f.found
}

/// A call that asks whether the sender may act: a question verb and a role word
/// (`is_admin(uid)`, `check_user_role(...)`, `has_permission`), or Telegram's
/// `get_chat_member`.
fn is_check_call(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("get_chat_member") || lower == "getchatmember" {
        return true;
    }
    const VERBS: [&str; 10] = [
        "is_",
        "has_",
        "check",
        "ensure",
        "require",
        "verify",
        "can_",
        "get_role",
        "get_user_role",
        "only",
    ];
    VERBS.iter().any(|v| lower.contains(v)) && ROLE_WORDS.iter().any(|r| lower.contains(r))
}

/// Last segments of the functions `body` calls.
fn called_names(body: &[Stmt]) -> Vec<String> {
    struct Calls(Vec<String>);
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr
                && let Some(n) = last_seg(&c.func)
            {
                self.0.push(n.to_string());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut c = Calls(Vec::new());
    for s in body {
        c.visit_stmt(s);
    }
    c.0.sort();
    c.0.dedup();
    c.0
}
