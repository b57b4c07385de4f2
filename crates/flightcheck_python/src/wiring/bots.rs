//! Bot facts shared by the Telegram frameworks (aiogram, python-telegram-bot,
//! pyTelegramBotAPI) and discord.py: instances, catch-all and error handlers, commands,
//! FSM sessions and their storages, rate limits, payments, webhooks and menus.

use super::Walker;
use super::common::{collect_names, is_none_or_empty, is_true, kw, last_seg, short, str_lit};
use flightcheck_core::Framework;
use flightcheck_core::wiring::{
    BotErrorHandler, BotInstance, BotWebhook, CallSite, CatchAllHandler, CommandHandler,
    CommandMenu, Owner, RateLimit, SessionStore,
};
use ruff_python_ast::helpers::any_over_body;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

impl<'a> Walker<'_, '_, 'a> {
    pub(super) fn bot(&mut self, framework: Framework, call_range: TextRange, owner: Owner) {
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
    pub(super) fn payment_or_drop(&mut self, call: &'a ast::ExprCall, name: &str, receiver: &str) {
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
            if self.in_except > 0 {
                self.out.drops_pending_on_error.push(c.span.line);
            }
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

    pub(super) fn catch_all(&mut self, r: TextRange, owner: &Owner) {
        let via = short(self.text(r));
        let span = self.span(r);
        self.out.catch_all.push(CatchAllHandler {
            via,
            span,
            owner: owner.clone(),
        });
    }

    pub(super) fn error_handler(
        &mut self,
        framework: Framework,
        via: String,
        r: TextRange,
        owner: Owner,
    ) {
        let span = self.span(r);
        self.out.error_handlers.push(BotErrorHandler {
            framework,
            via,
            span,
            owner,
        });
    }

    pub(super) fn session(
        &mut self,
        framework: Framework,
        persistent: bool,
        via: String,
        r: TextRange,
    ) {
        if persistent && self.storage_fallback > 0 {
            // `if URL: RedisStorage(...) else: MemoryStorage()`: recorded once, as the
            // in-memory fallback.
            return;
        }
        let span = self.span(r);
        let fallback = !persistent && self.storage_fallback > 0;
        self.out.sessions.push(SessionStore {
            chosen_memory_store: false,
            literal_secret: None,
            framework,
            persistent,
            fallback,
            via,
            span,
            owner: self.owner.clone(),
        });
    }

    pub(super) fn rate_limit(&mut self, via: String, r: TextRange, owner: Owner) {
        let span = self.span(r);
        if self.out.rate_limits.iter().any(|x| x.span == span) {
            return;
        }
        self.out.rate_limits.push(RateLimit { via, span, owner });
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn commands(
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

    /// `MemoryStorage()`, `RedisStorage.from_url(...)`, `StateMemoryStorage()`.
    pub(super) fn storage_call(&mut self, call: &ast::ExprCall) {
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
    pub(super) fn storage_conditional(&mut self, e: &ast::ExprIf) -> bool {
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

    pub(super) fn webhook(&mut self, call: &ast::ExprCall, framework: Option<Framework>) {
        // A path that carries the bot token or a secret (`/{API_TOKEN}/`, `url_path=TOKEN`,
        // aiogram's `TokenBasedRequestHandler`) cannot be guessed either.
        // Only `set_webhook` takes the URL first; `executor.start_webhook(dp, …)` takes the
        // dispatcher, whose bot was built with a token, which says nothing about the path.
        let url_first = last_seg(&call.func) == Some("set_webhook");
        let secret_path = last_seg(&call.func) == Some("TokenBasedRequestHandler")
            || call
                .arguments
                .args
                .first()
                .filter(|_| url_first)
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
        let when = self.if_guards.last().cloned();
        self.out.webhooks.push(BotWebhook {
            framework,
            secret_token,
            via,
            when,
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

    pub(super) fn menu(&mut self, call: &ast::ExprCall) {
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
}

pub(super) fn is_telegram(fw: Framework) -> bool {
    matches!(
        fw,
        Framework::Aiogram | Framework::PythonTelegramBot | Framework::PyTelegramBotApi
    )
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

/// A name of a per-user throttling middleware or decorator.
pub(super) fn throttle_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("throttl")
        || n.contains("ratelimit")
        || n.contains("rate_limit")
        || n.contains("antiflood")
        || n.contains("anti_flood")
        || n.contains("floodcontrol")
        || n.contains("flood_control")
}

pub(super) fn is_discord_error_event(name: &str) -> bool {
    matches!(
        name,
        "on_error" | "on_command_error" | "on_application_command_error" | "on_slash_command_error"
    )
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

/// One branch builds a persistent FSM storage and another an in-memory one.
pub(super) fn storage_branches<'b>(
    body: &'b [Stmt],
    others: impl Iterator<Item = &'b [Stmt]>,
) -> bool {
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

/// `BotCommand(command="start", ...)` / `BotCommand("start", ...)` → `start`.
pub(super) fn bot_command_name(e: &Expr) -> Option<String> {
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
