//! `bot/start-handler-missing`: a Telegram bot whose running code registers no `/start`.

use crate::bots::{
    Platform, chat_frameworks, dead_evidence, finding_at_bot, near, programs, runs_bot, searched,
    split,
};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "bot/start-handler-missing",
    severity: Severity::Blocker,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "A Telegram bot whose running code registers no /start handler",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
Collects the command handlers that running code registers, in every framework's spelling:
telegraf `bot.start(fn)` (which *is* the /start handler), `bot.command('start')`,
`bot.hears(/^\/start/)`, commands registered in a loop over a literal list; grammY
`bot.command('start')` and composers; node-telegram-bot-api `onText(/\/start/)` and
`msg.text === '/start'`; aiogram `CommandStart()`, `Command("start")`,
`commands=["start"]`; python-telegram-bot `CommandHandler("start")`; pyTelegramBotAPI
`message_handler(commands=["start"])`; in Python, a handler that compares the message text
by hand (`if message.text.lower() == "/start":`, `text in ("/start", "/go")`). A handler counts only when the code registering it
runs: its file is imported from an entry point and the function or class holding it is
called or constructed. Handlers in dead code are named in the evidence.

## Why it breaks production
Telegram sends `/start` as the first message of every new user. A bot with no handler for
it answers nothing: the user sees a dead bot and leaves before any other feature matters.

## Flagged
```js
// src/bot.js (running)
bot.command('help', showHelp);
// src/legacy/engine.js: not imported by any entry point
this.bot.start((ctx) => ctx.reply('Welcome!'));
```

## Not flagged
```js
bot.start((ctx) => ctx.reply('Welcome!'));
```
```python
@router.message(CommandStart())
async def start(message: Message): ...
```
aiogram's text filters count too: `F.text == "/start"`, `F.text.startswith("/start")`, and
so does a hand-written router's dispatch table (`{"/start": self.handle_start, "/help":
self.handle_help}`).
A bot that registers commands from a computed list (a command loader), or through a trigger
built at run time (`composer.hears(new RegExp(...), ...)`), is not flagged: its
set of commands cannot be known without running it. Neither is a group or channel bot whose
every command is filtered to non-private chats (`router.message.filter(F.chat.type.in_(
{"group", "supergroup"}))`, `F.chat.type == "group"` beside the command filter,
`filters.ChatType.GROUPS`): nobody opens a private chat with it.

## Fix
Register a `/start` handler on the running bot that greets the user and says what the bot
does (and handles deep-link payloads if you use them).
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let frameworks = chat_frameworks(ctx, Platform::Telegram);
    let commands = split(ctx, |w| &w.commands, |c| &c.owner);
    let catch_all = split(ctx, |w| &w.catch_all, |c| &c.owner);
    let mut out = Vec::new();
    for (bot_file, bot) in programs(ctx, Some(Platform::Telegram)) {
        let mine: Vec<_> = commands
            .live
            .iter()
            .filter(|(f, _)| ctx.together(*f, bot_file))
            .collect();
        // A program that registers no command at all is not a command bot (a notifier,
        // an inline-only or a passport bot): /start is then not the front door.
        if mine.is_empty() || mine.iter().any(|(_, c)| c.command == "start") {
            continue;
        }
        // A group or channel bot: every command is filtered to non-private chats, where
        // nobody starts a conversation with `/start`.
        let group_only = mine.iter().all(|(f, c)| {
            flightcheck_core::wiring::filters_to_groups(&c.via)
                || ctx
                    .facts(*f)
                    .is_some_and(|facts| facts.wiring.group_only_receivers.contains(&c.receiver))
        });
        if group_only {
            continue;
        }
        // A command loader (names from files or config) may well register /start.
        if ctx
            .wiring()
            .any(|(f, w)| w.dynamic_commands && ctx.together(f, bot_file))
        {
            continue;
        }
        // A catch-all message handler answers /start too.
        if near(ctx, bot_file, &catch_all.live) {
            continue;
        }
        let names: Vec<&str> = frameworks.iter().map(|f| f.as_str()).collect();
        let mut finding = finding_at_bot(
            ctx,
            &META,
            format!(
                "The running {} bot registers no /start handler: new users get no answer",
                names.join("/")
            ),
            bot_file,
            bot,
        );
        let live: Vec<String> = mine
            .iter()
            .map(|(_, c)| format!("/{}", c.command))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !live.is_empty() {
            finding = finding.evidence(flightcheck_core::Evidence::searched(format!(
                "running code handles {}",
                live.join(", ")
            )));
        }
        let dead: Vec<_> = commands
            .dead
            .iter()
            .filter(|(_, c)| c.command == "start")
            .collect();
        finding = dead_evidence(
            ctx,
            finding,
            &dead,
            |c| c.span,
            |c| &c.owner,
            "a /start handler exists",
        );
        out.push(
            finding
                .evidence(searched(ctx, &frameworks, "a /start handler in any spelling"))
                .impact("Every new user's first message goes unanswered; the bot looks dead.")
                .fix("Register `/start` on the running bot (e.g. `bot.start(ctx => ctx.reply(...))`, `@router.message(CommandStart())`).")
                .verify("Send /start to the bot from a new account and expect a greeting."),
        );
    }
    out
}
