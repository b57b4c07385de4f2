//! `bot/in-memory-session`: conversation state kept in process memory.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "bot/in-memory-session",
    severity: Severity::Medium,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "Conversation / FSM / session state kept in process memory",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
    docs: r#"## What it does
Finds the session or FSM store of a running bot and reports it when it lives in process
memory while the bot keeps per-user conversation state (`ctx.session`, scenes, wizard
steps, aiogram `StatesGroup` / `FSMContext`, PTB `ConversationHandler`, grammY
conversations):
- telegraf `session()` without a `store`, grammY `session()` without `storage`;
- aiogram `MemoryStorage()` — also when it is only the fallback for a missing Redis URL
  (say so: production then depends on one env var being set), and aiogram 3's
  `Dispatcher()` without `storage=`, which defaults to memory;
- python-telegram-bot without `persistence`; pyTelegramBotAPI `StateMemoryStorage`.
A store that nothing uses for state loses nothing and is not reported.

## Why it breaks production
Every deploy, crash or restart wipes the state: users in the middle of booking, paying or
filling a form are silently thrown out, and their next message hits a handler that expects
a state that no longer exists.

## Flagged
```js
bot.use(session());                      // telegraf, memory
bot.action('pay', (ctx) => { ctx.session.step = 'confirm'; });
```
```python
dp = Dispatcher(storage=MemoryStorage())  # with StatesGroup flows
```

## Not flagged
```js
bot.use(session({ store: Redis({ url: process.env.REDIS_URL }) }));
```
```python
dp = Dispatcher(storage=RedisStorage.from_url(REDIS_URL))
app = Application.builder().token(TOKEN).persistence(PicklePersistence("state.pickle")).build()
```

## Fix
Use a persistent store: `@telegraf/session` with Redis/Mongo/SQL, grammY storage adapters,
aiogram `RedisStorage`, PTB `PicklePersistence` or a database persistence.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let sessions = split(ctx, |w| &w.sessions, |s| &s.owner);
    let mut out = Vec::new();
    for (file, s) in sessions.live.iter().filter(|(_, s)| !s.persistent) {
        // State kept by the same program; a memory store nothing uses for state loses nothing.
        let Some((state_file, state_span)) = ctx
            .wiring()
            .filter(|(f, _)| ctx.together(*f, *file))
            .find_map(|(i, w)| w.conversation_state.map(|s| (i, s)))
        else {
            continue;
        };
        // A persistent store in the same program: the memory one is a dev default.
        if sessions
            .live
            .iter()
            .any(|(f, o)| o.persistent && !o.fallback && ctx.together(*f, *file))
        {
            continue;
        }
        let message = if s.fallback {
            format!(
                "Conversation state falls back to process memory ({}) when the persistent store is not configured",
                s.via
            )
        } else {
            format!("Conversation state is kept in process memory ({})", s.via)
        };
        let mut finding = Finding::new(&META, message)
            .at(ctx.rel(*file), s.span)
            .key(s.via.clone())
            .evidence(evidence_at(ctx, *file, s.span, format!("{}: the store", s.framework.as_str())))
            .evidence(evidence_at(ctx, state_file, state_span, "per-user state is kept here".into()))
            .impact("Every restart or deploy wipes users' progress mid-flow (bookings, payments, forms).")
            .fix("Configure a persistent session/FSM store (Redis, Mongo, SQL, PTB persistence).")
            .verify("Start a multi-step flow, restart the bot, continue: the flow resumes.");
        if s.fallback {
            finding = finding
                .severity(Severity::Low)
                .evidence(flightcheck_core::Evidence::searched(
                    "low, not medium: a persistent store is used when its setting is present; production depends on that one env var",
                ));
        }
        out.push(finding);
    }
    out
}
