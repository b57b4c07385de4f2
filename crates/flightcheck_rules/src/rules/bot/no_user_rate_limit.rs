//! `bot/no-user-rate-limit`: no per-user throttling.

use crate::bots::{Platform, chat_frameworks, finding_at_bot, near, programs, searched, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "bot/no-user-rate-limit",
    severity: Severity::Low,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "No per-user throttling of commands or messages",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Looks for per-user throttling in the bot's code and dependencies: telegraf-ratelimit,
`@grammyjs/ratelimiter`, aiogram throttling middleware, pyTelegramBotAPI/PTB rate limiters,
discord.js command cooldowns, or any limiter/throttle/cooldown of the project's own.

## Why it breaks production
One user (or a script) can send hundreds of commands a second: every one costs database
queries and paid API calls (LLMs, payments, SMS), and Telegram starts rate-limiting the
bot for everyone.

## Flagged
```js
bot.on('text', async (ctx) => ctx.reply(await openai.chat(ctx.message.text)));
```

## Not flagged
```js
bot.use(rateLimit({ window: 3000, limit: 1 }));
```

## Fix
Add a per-user limiter middleware in front of expensive handlers.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    !chat_frameworks(ctx, Platform::Telegram).is_empty()
        || !chat_frameworks(ctx, Platform::Discord).is_empty()
}

/// Throttling packages.
const LIMITER_PACKAGES: &[&str] = &[
    "telegraf-ratelimit",
    "@grammyjs/ratelimiter",
    "@grammyjs/transformer-throttler",
    "grammy-ratelimiter",
    "bottleneck",
    "rate-limiter-flexible",
    "limiter",
    "p-throttle",
    "aiolimiter",
    "aiogram-throttling",
    "cachetools",
    "pyrate-limiter",
    "limits",
];

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let deps_have_limiter = ctx.project.package_json.as_ref().is_some_and(|p| {
        LIMITER_PACKAGES
            .iter()
            .any(|l| p.dependencies.contains_key(*l))
    }) || LIMITER_PACKAGES
        .iter()
        .any(|l| ctx.project.python_deps.contains(*l));
    if deps_have_limiter {
        return Vec::new();
    }
    let limits = split(ctx, |w| &w.rate_limits, |r| &r.owner);
    let mut frameworks = chat_frameworks(ctx, Platform::Telegram);
    frameworks.extend(chat_frameworks(ctx, Platform::Discord));
    programs(ctx, None)
        .into_iter()
        .filter(|(file, _)| !near(ctx, *file, &limits.live))
        .map(|(file, bot)| {
            finding_at_bot(ctx, &META, "The bot does not throttle users".to_string(), file, bot)
                .evidence(searched(ctx, &frameworks, "a rate limiter, throttling middleware or cooldown"))
                .impact("One user can flood the bot and its paid back ends; Telegram then limits the bot for everyone.")
                .fix("Add a per-user limiter middleware (`telegraf-ratelimit`, `@grammyjs/ratelimiter`, aiogram throttling middleware).")
                .verify("Send 20 commands in a second: the bot answers the first and throttles the rest.")
        })
        .collect()
}
