//! `bot/no-error-handler`: a bot with no bot-level error handler.

use crate::bots::{Platform, chat_frameworks, finding_at_bot, near, programs, searched, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Framework, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "bot/no-error-handler",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "No bot-level error handler",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 20,
    docs: r#"## What it does
Looks in running code for the bot's error handler: telegraf/grammY `bot.catch(...)`,
node-telegram-bot-api `bot.on('polling_error')`, aiogram `@dp.errors()` /
`@router.errors()` / `errors_handler`, python-telegram-bot `add_error_handler`,
pyTelegramBotAPI `exception_handler`, discord.js `client.on('error')` (or an event module
named `error`), discord.py `on_error` / `on_command_error`.

## Why it breaks production
What happens on an exception in a handler depends on the framework: telegraf rethrows it
and polling ends (the process dies on the unhandled rejection, or, when the launch promise
is caught, keeps running without answering anyone); grammY stops the bot. Both are `high`; discord.js crashes
on an unhandled `error` event. Python frameworks log the traceback and go on (reported as
`low`), but the user gets no answer and nobody is told.

## Flagged
```js
const bot = new Telegraf(process.env.BOT_TOKEN);
bot.command('book', book);   // a throw here takes the bot down
bot.launch();
```

## Not flagged
```js
bot.catch((err, ctx) => { log.error({ err, update: ctx.update }); return ctx.reply('Something went wrong'); });
```
```python
@dp.errors()
async def on_error(event: ErrorEvent): ...
```

## Fix
Register an error handler that logs with context, reports to error tracking and answers
the user.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    !chat_frameworks(ctx, Platform::Telegram).is_empty()
        || !chat_frameworks(ctx, Platform::Discord).is_empty()
}

/// Frameworks whose default on an unhandled handler error is to stop the bot.
fn stops_on_error(f: Framework) -> bool {
    matches!(
        f,
        Framework::Telegraf | Framework::Grammy | Framework::DiscordJs
    )
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let handlers = split(ctx, |w| &w.error_handlers, |h| &h.owner);
    let mut frameworks = chat_frameworks(ctx, Platform::Telegram);
    frameworks.extend(chat_frameworks(ctx, Platform::Discord));
    let mut out = Vec::new();
    for (file, bot) in programs(ctx, None) {
        if near(ctx, file, &handlers.live) || has_error_event_module(ctx, file) {
            continue;
        }
        let framework = bot.framework;
        let mut finding = finding_at_bot(
            ctx,
            &META,
            format!(
                "The {} bot has no bot-level error handler",
                framework.as_str()
            ),
            file,
            bot,
        )
        .evidence(searched(
            ctx,
            &frameworks,
            "bot.catch / errors handler / add_error_handler / on('error') / on_error",
        ));
        if matches!(framework, Framework::Telegraf | Framework::Grammy) {
            // The library rethrows and polling ends: every user loses the bot on the first
            // handler error. When the launch promise is caught the process even stays up,
            // so no restart policy brings the bot back.
            let caught = launch_caught(ctx, file);
            finding = finding.severity(Severity::High).evidence(Evidence::searched(format!(
                "high, not medium: {} rethrows a handler error and polling ends{}",
                framework.as_str(),
                if caught {
                    "; the launch promise is caught, so the process keeps running without answering anyone"
                } else {
                    ", and the rejection ends the process"
                }
            )));
        }
        if stops_on_error(framework) {
            finding = finding.impact(match framework {
                Framework::Telegraf => "An exception in any handler is rethrown; the unhandled rejection ends the process and the bot goes offline.",
                Framework::Grammy => "grammY stops the bot on an error no handler catches.",
                _ => "discord.js throws on an `error` event nobody listens to: the process crashes.",
            });
        } else {
            finding = finding
                .severity(Severity::Low)
                .evidence(Evidence::searched(format!(
                    "low, not medium: {} logs handler exceptions and keeps running",
                    framework.as_str()
                )))
                .impact("Failed updates are only logged: the user gets no answer and nobody is alerted.");
        }
        out.push(
            finding
                .fix("Register an error handler that logs with context, reports to error tracking and answers the user.")
                .verify("Make a handler throw in staging: the bot stays up and the error is reported."),
        );
    }
    out
}

/// Whether a telegraf/grammY launch of the bot's program handles its promise
/// (`await bot.launch()` inside `try`, `bot.launch().catch(...)`).
fn launch_caught(ctx: &ProjectContext, bot_file: usize) -> bool {
    ctx.reachable_sources()
        .filter(|i| ctx.together(*i, bot_file))
        .filter_map(|i| ctx.facts(i))
        .flat_map(|f| f.resilience.runners.iter())
        .any(|r| matches!(r.library.as_str(), "telegraf" | "grammy") && r.caught)
}

/// Event loaders name events after their files: `events/error.js`, `events/client/error.ts`.
fn has_error_event_module(ctx: &ProjectContext, bot_file: usize) -> bool {
    ctx.reachable_sources()
        .filter(|i| ctx.together(*i, bot_file))
        .any(|i| {
            let rel = ctx.rel(i);
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            let stem = name.split('.').next().unwrap_or(name);
            matches!(stem, "error" | "shardError" | "on_error")
                && dir
                    .split('/')
                    .any(|c| c == "events" || c == "event" || c == "listeners")
        })
}
