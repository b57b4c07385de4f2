//! `bot/duplicate-command-handler`: one command registered twice on one bot.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "bot/duplicate-command-handler",
    severity: Severity::Medium,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "The same command is registered twice on one bot; the later handler never runs",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Groups the command handlers that running code registers directly on the same bot, router
or composer object in the same file, by command. Telegram frameworks dispatch an update to
the first matching handler; unless that handler hands the update on (`next()` in
telegraf/grammY, extra filters or a state in aiogram, another handler group in
python-telegram-bot), every later registration of the same command is dead code. In
telegraf, `bot.start(a)` and `bot.command('start', b)` are the same command.

## Why it breaks production
Someone edited the second handler (new help text, a fixed flow) and users still get the
first one: the fix never ships, and nobody notices because the code looks right.

## Flagged
```js
bot.command('help', (ctx) => ctx.reply(HELP));
bot.command('help', (ctx) => ctx.reply(`${HELP}\nCall us!`)); // never runs
```

## Not flagged
```js
bot.command('help', async (ctx, next) => { await track(ctx); return next(); });
bot.command('help', (ctx) => ctx.reply(HELP));
```
```python
@router.message(Command("start"), F.chat.type == "private")
@router.message(Command("start"), F.chat.type == "group")
```

## Fix
Delete the dead registration, or merge the two handlers into one.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let commands = split(ctx, |w| &w.commands, |c| &c.owner);
    let mut groups: BTreeMap<(usize, &str, &str), Vec<&flightcheck_core::CommandHandler>> =
        BTreeMap::new();
    for (file, c) in &commands.live {
        if c.direct && !c.receiver.is_empty() {
            groups
                .entry((*file, c.receiver.as_str(), c.command.as_str()))
                .or_default()
                .push(c);
        }
    }
    let mut out = Vec::new();
    for ((file, receiver, command), mut handlers) in groups {
        handlers.sort_by_key(|c| (c.span.line, c.span.column));
        let first = handlers[0];
        if handlers.len() < 2 || first.passes_on {
            continue;
        }
        for later in &handlers[1..] {
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "/{command} is registered twice on `{receiver}`; this later handler never runs"
                    ),
                )
                .at(ctx.rel(file), later.span)
                .key(format!("{receiver}:{command}"))
                .evidence(evidence_at(ctx, file, later.span, format!("`{}`: dead", later.via)))
                .evidence(evidence_at(
                    ctx,
                    file,
                    first.span,
                    format!("`{}`: registered first, answers every /{command} and does not hand it on", first.via),
                ))
                .impact(format!("Changes made to the second /{command} handler never reach users."))
                .fix("Delete one registration or merge the two handlers.")
                .verify(format!("Send /{command} and check which reply arrives.")),
            );
        }
    }
    out
}
