//! aiogram command filters and handler registrations: aiogram 3's `@router.message(...)`
//! and `.register(...)`, aiogram 2's `message_handler(commands=[...])`, which
//! pyTelegramBotAPI shares.

use super::Walker;
use super::bots::bot_command_name;
use super::common::{is_true, kw, last_seg, str_list, str_lit};
use crate::dotted;
use flightcheck_core::Framework;
use flightcheck_core::wiring::Owner;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

/// What a filter expression of a handler registration says about commands.
enum CmdFilter {
    Names(Vec<String>, bool),
    Dynamic,
    Other,
}

impl<'a> Walker<'_, '_, 'a> {
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
    pub(super) fn aiogram3_registration(
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
        // `StateFilter("*")` (any state) and `F.text` (every text, commands included)
        // narrow nothing a /start would miss.
        let open = |f: &Expr| {
            let t = self.text(f.range()).replace(' ', "");
            matches!(
                t.as_str(),
                "StateFilter('*')" | "StateFilter(\"*\")" | "F.text" | "F"
            )
        };
        if filters.iter().all(open) && call.arguments.keywords.is_empty() && !scene_receiver {
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
    pub(super) fn message_handler_registration(
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
        // `func=lambda m: True`; `state='*'` (in any conversation state) and
        // `content_types=ContentType.ANY` narrow nothing either.
        let always = |k: &ast::Keyword| match k.arg.as_ref().map(|a| a.as_str()) {
            Some("func") => matches!(&k.value, Expr::Lambda(l) if is_true(&l.body)),
            Some("state") => matches!(&k.value, Expr::StringLiteral(s) if s.value.to_str() == "*"),
            Some("content_types") => {
                let t = self.text(k.value.range()).to_ascii_lowercase();
                t.ends_with(".any") || t == "'any'" || t == "\"any\""
            }
            _ => false,
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
}
