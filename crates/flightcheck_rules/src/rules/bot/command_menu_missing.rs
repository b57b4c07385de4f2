//! `bot/command-menu-missing`: a Telegram bot that never sets its command menu while it runs.

use crate::bots::{
    Platform, chat_frameworks, dead_evidence, evidence_at, finding_at_bot, programs, runs_bot,
    searched, split,
};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Finding, FixKind, Framework, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "bot/command-menu-missing",
    severity: Severity::Medium,
    category: Category::Docs,
    fix_kind: FixKind::Code,
    summary: "A Telegram bot never calls setMyCommands / set_my_commands while it runs",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
Looks for a `setMyCommands` / `set_my_commands` call in code that runs while the bot is
serving. A call that only runs in dead code does not count, and neither does a call placed
where it never executes during service: in telegraf 4, `bot.launch()` resolves only when
polling stops, so `bot.launch().then(() => bot.telegram.setMyCommands(...))` (or a call
after `await bot.launch()`) sets the menu only at shutdown.

## Why it breaks production
Without a command menu users must guess commands; the `/` button in Telegram shows
nothing, and features nobody finds are features nobody uses. The menu can also be set by
hand in @BotFather, which is why this is medium: check that it was.

## Flagged
```js
bot.launch().then(() => bot.telegram.setMyCommands([{ command: 'book', description: 'Book' }]));
```

## Not flagged
```js
await bot.telegram.setMyCommands([{ command: 'book', description: 'Book' }]);
await bot.launch();
```
```python
await bot.set_my_commands([BotCommand(command="start", description="Start")])
await dp.start_polling(bot)
```

## Fix
Call `setMyCommands` before starting to poll (or in a startup hook such as aiogram's
`on_startup` or PTB's `post_init`), with every command the bot handles.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let frameworks = chat_frameworks(ctx, Platform::Telegram);
    let telegraf = frameworks.contains(&Framework::Telegraf);
    let menus = split(ctx, |w| &w.menus, |m| &m.owner);
    let commands = split(ctx, |w| &w.commands, |c| &c.owner);
    let mut out = Vec::new();
    for (bot_file, bot) in programs(ctx, Some(Platform::Telegram)) {
        // A bot whose only command is /start (an echo bot, an inline bot) has no menu to show.
        if !commands
            .live
            .iter()
            .any(|(f, c)| c.command != "start" && ctx.together(*f, bot_file))
        {
            continue;
        }
        let mine: Vec<_> = menus
            .live
            .iter()
            .filter(|(f, _)| ctx.together(*f, bot_file))
            .collect();
        // `ineffective` describes telegraf's launch(); it holds only in a telegraf project.
        if mine
            .iter()
            .any(|(_, m)| m.ineffective.is_none() || !telegraf)
        {
            continue;
        }
        if let Some(&&(file, menu)) = mine.iter().find(|(_, m)| m.ineffective.is_some()) {
            let why = menu.ineffective.clone().unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    format!("The command menu is set only after the bot stops: {why}"),
                )
                .at(ctx.rel(file), menu.span)
                .key(ctx.snippet(file, menu.span.line))
                .evidence(evidence_at(ctx, file, menu.span, why.clone()))
                .impact("Users never see the command menu while the bot runs.")
                .fix("Call `bot.telegram.setMyCommands([...])` before `bot.launch()` (await it first), not in `launch().then(...)`.")
                .verify("Restart the bot, open the chat and press `/`: the menu lists the commands."),
            );
            continue;
        }
        let mut finding = finding_at_bot(
            ctx,
            &META,
            "The bot never sets its command menu (setMyCommands / set_my_commands)".to_string(),
            bot_file,
            bot,
        );
        let dead: Vec<_> = menus.dead.iter().collect();
        finding = dead_evidence(
            ctx,
            finding,
            &dead,
            |m| m.span,
            |m| &m.owner,
            "a menu is set",
        );
        out.push(
            finding
                .evidence(searched(ctx, &frameworks, "setMyCommands / set_my_commands"))
                .impact("Users see no command list behind the `/` button and must guess commands.")
                .fix("Set the menu at startup with every command the bot handles (or confirm it was set in @BotFather).")
                .verify("Open the chat and press `/`: the menu lists the commands."),
        );
    }
    out
}
