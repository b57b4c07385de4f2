//! python-telegram-bot: `CommandHandler` registrations and the `Application.builder()`
//! chain.

use super::Walker;
use super::common::{int_value, is_none_or_empty, kw, last_seg, short, str_list};
use flightcheck_core::Framework;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

impl<'a> Walker<'_, '_, 'a> {
    /// PTB `CommandHandler("start", fn)`; `direct` = registered by `add_handler(s)` on the
    /// receiver, with a non-default group when `group` is set.
    pub(super) fn ptb_command(&mut self, call: &ast::ExprCall, direct: Option<(&str, bool)>) {
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

    /// `Application.builder()....build()` / `ApplicationBuilder()....build()`.
    pub(super) fn ptb_builder(&mut self, call: &ast::ExprCall) {
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
}

/// `group=` of PTB `add_handler`: anything but the default group 0.
pub(super) fn non_default_group(group: Option<&Expr>) -> bool {
    match group {
        None => false,
        Some(g) if int_value(g) == Some(0) => false,
        Some(g) if last_seg(g) == Some("DEFAULT_GROUP") => false,
        Some(_) => true,
    }
}
