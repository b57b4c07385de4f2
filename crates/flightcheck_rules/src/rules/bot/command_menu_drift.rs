//! `bot/command-menu-drift`: the menu and the handlers disagree.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::BTreeSet;

pub static META: RuleMeta = RuleMeta {
    id: "bot/command-menu-drift",
    severity: Severity::Low,
    category: Category::Docs,
    fix_kind: FixKind::Code,
    summary: "The command menu lists a command with no handler, or a handled command is missing from it",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Compares the commands that running code passes to `setMyCommands` / `set_my_commands`
(when written literally) with the commands running code handles. A menu entry without a
handler, or a handled command (other than `/start`) missing from the menu, is reported.
Bots that register commands from a computed list are skipped.

## Why it breaks production
A menu entry without a handler is a button that does nothing; a handled command missing
from the menu is a feature users never discover.

## Flagged
```js
bot.telegram.setMyCommands([{ command: 'book', description: 'Book' }, { command: 'help', description: 'Help' }]);
bot.command('book', book);   // no /help handler
```

## Not flagged
```js
bot.telegram.setMyCommands([{ command: 'book', description: 'Book' }]);
bot.start(welcome);
bot.command('book', book);
```

## Fix
Generate the menu from the same list the handlers are registered from, so they cannot drift.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    if ctx.wiring().any(|(_, w)| w.dynamic_commands) {
        return Vec::new();
    }
    let menus = split(ctx, |w| &w.menus, |m| &m.owner);
    let commands = split(ctx, |w| &w.commands, |c| &c.owner);
    // Only when every running menu is literal: otherwise the list is not known.
    if menus.live.is_empty() || menus.live.iter().any(|(_, m)| m.commands.is_none()) {
        return Vec::new();
    }
    let listed: BTreeSet<&str> = menus
        .live
        .iter()
        .flat_map(|(_, m)| m.commands.iter().flatten().map(String::as_str))
        .collect();
    let handled: BTreeSet<&str> = commands
        .live
        .iter()
        .map(|(_, c)| c.command.as_str())
        .collect();
    let Some(&(menu_file, menu)) = menus.live.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for cmd in listed.difference(&handled) {
        out.push(
            Finding::new(
                &META,
                format!("The command menu lists /{cmd}, but no running code handles it"),
            )
            .at(ctx.rel(menu_file), menu.span)
            .key(format!("menu-without-handler:{cmd}"))
            .evidence(evidence_at(ctx, menu_file, menu.span, "the menu".into()))
            .evidence(Evidence::searched(format!(
                "running code handles: {}",
                handled
                    .iter()
                    .map(|c| format!("/{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
            .impact("Users tap a menu entry and nothing happens.")
            .fix(format!("Handle /{cmd} or remove it from the menu."))
            .verify(format!("Send /{cmd} and expect an answer.")),
        );
    }
    for cmd in handled.difference(&listed).filter(|c| **c != "start") {
        let Some(&(file, c)) = commands.live.iter().find(|(_, c)| c.command == *cmd) else {
            continue;
        };
        // Admin and developer commands are kept out of the menu on purpose.
        if is_private_command(cmd, ctx.rel(file)) {
            continue;
        }
        out.push(
            Finding::new(
                &META,
                format!("/{cmd} is handled but missing from the command menu"),
            )
            .at(ctx.rel(file), c.span)
            .key(format!("handler-not-in-menu:{cmd}"))
            .evidence(evidence_at(ctx, file, c.span, "the handler".into()))
            .evidence(evidence_at(
                ctx,
                menu_file,
                menu.span,
                "the menu, without it".into(),
            ))
            .impact("Users never discover the command.")
            .fix(format!("Add /{cmd} to the `setMyCommands` list."))
            .verify("Press `/` in the chat and find the command."),
        );
    }
    out
}

/// Commands meant for the bot's operators, which a public menu should not list.
fn is_private_command(command: &str, file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    [
        "admin",
        "owner",
        "moder",
        "debug",
        "dev",
        "staff",
        "superuser",
    ]
    .iter()
    .any(|w| command.contains(w) || f.contains(w))
}
