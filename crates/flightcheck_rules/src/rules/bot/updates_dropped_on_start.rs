//! `bot/updates-dropped-on-start`: a payment bot that throws away the updates queued while
//! it was down, successful payments among them.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "bot/updates-dropped-on-start",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A bot that takes Telegram payments drops the updates queued while it was down",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Reports a running Telegram bot that handles payments (a `pre_checkout_query` handler, or a
message handler for `successful_payment`) and, in the same program, starts by dropping the
updates Telegram queued while it was down:
- `drop_pending_updates=True` / `{ drop_pending_updates: true }` (Bot API `deleteWebhook`,
  `setWebhook`, python-telegram-bot `run_polling`/`run_webhook`, grammY `bot.start`);
- telegraf `bot.launch({ dropPendingUpdates: true })`;
- aiogram 2 `executor.start_polling(dp, skip_updates=True)`;
- pyTelegramBotAPI `infinity_polling(skip_pending=True)`.

Medium: the update is lost only when the bot restarts in the seconds between a user's
payment and its delivery (Telegram sends `successful_payment` after the bot has answered the
`pre_checkout_query`), and the payment provider's records still show the charge, so it is
rare and can be repaired by hand; it is still money taken for nothing.

Low, not medium, when the payment flow keeps its state in memory (a module-level dict the
payment handler's module fills, an in-memory FSM storage such as aiogram's `MemoryStorage`):
a restart then loses a pending payment whether or not the queue is dropped, and the memory
state is the larger half of the problem (`bot/in-memory-session`, `availability/in-memory-state`).
Low, too, when the dropping call sits in an `except` clause (Python): a fallback that runs
only when the normal start failed (webhook mode, then polling), not on every restart.
Not flagged: bots without payment handlers (dropping stale commands is a fair choice
there), aiogram 3's `dp.start_polling(bot, skip_updates=True)` (aiogram 3 hands unknown
keywords to the handlers: nothing is dropped), and code nothing runs.

## Why it breaks production
Telegram sends `successful_payment` after the user has paid. If the bot restarts (a deploy,
a crash loop) between the payment and the delivery, the update waits in Telegram's queue,
and a start that drops pending updates throws it away: the user is charged and never
receives the order, and the bot has no record that the payment happened.

## Flagged
```python
@dp.message_handler(content_types=ContentType.SUCCESSFUL_PAYMENT)
async def paid(message): ...

executor.start_polling(dp, skip_updates=True)
```

## Not flagged
```python
@dp.message_handler(content_types=ContentType.SUCCESSFUL_PAYMENT)
async def paid(message): ...

executor.start_polling(dp)
```

## Fix
Keep pending updates (remove `drop_pending_updates`/`skip_updates`), and make the
`successful_payment` handler idempotent on `telegram_payment_charge_id` so a replayed
update cannot deliver twice. To ignore stale commands, filter old messages by date in
command handlers only, never in payment handlers.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.all_wiring()
        .any(|(_, w)| !w.drops_pending_updates.is_empty())
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let drops = split(ctx, |w| &w.drops_pending_updates, |c| &c.owner);
    let payments = split(ctx, |w| &w.payment_handlers, |c| &c.owner);
    let mut out = Vec::new();
    for (file, drop) in &drops.live {
        let Some((pay_file, pay)) = payments.live.iter().find(|(f, _)| ctx.together(*f, *file))
        else {
            continue;
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "The bot drops the updates queued while it was down (`{}`), and it takes payments: a `successful_payment` that arrives during a restart is thrown away",
                drop.via
            ),
        )
        .at(ctx.rel(*file), drop.span)
        .key(format!("{}:{}", ctx.rel(*file), drop.span.line))
        .evidence(evidence_at(ctx, *file, drop.span, "pending updates are dropped at start".into()))
        .evidence(evidence_at(ctx, *pay_file, pay.span, "a payment handler of the same bot".into()))
        .evidence(Evidence::searched(
            "medium, not high: only a restart in the seconds between a payment and its delivery loses the update; the provider's records still show the charge",
        ));
        let on_error = ctx
            .facts(*file)
            .is_some_and(|f| f.wiring.drops_pending_on_error.contains(&drop.span.line));
        if on_error {
            finding = finding.severity(Severity::Low).evidence(Evidence::searched(
                "low, not medium: the drop sits in an `except` clause, so it runs only when the normal start failed (a fallback), not on every restart",
            ));
        } else if let Some((x, span, note)) = state_in_memory(ctx, *file, *pay_file) {
            finding = finding
                .severity(Severity::Low)
                .evidence(evidence_at(ctx, x, span, note))
                .evidence(Evidence::searched(
                    "low, not medium: the payment flow's state is in memory, so a restart loses a pending payment even when no update is dropped",
                ));
        }
        out.push(
            finding
            .impact("A user who pays while the bot restarts is charged and never gets the order; nothing records the payment.")
            .fix("Stop dropping pending updates at start; make the successful_payment handler idempotent on telegram_payment_charge_id.")
            .verify("Stop the bot, pay a test invoice (Telegram test payments), start the bot: the order is delivered."),
        );
    }
    out
}

/// Where the payment flow keeps its state in memory: a module-level container the payment
/// handler's module fills, or a non-persistent FSM/session storage of the same program.
fn state_in_memory(
    ctx: &ProjectContext,
    file: usize,
    pay_file: usize,
) -> Option<(usize, Span, String)> {
    let container = ctx.facts(pay_file).and_then(|f| {
        f.wiring
            .memory_state
            .iter()
            .find(|m| !m.writes.is_empty())
            .map(|m| {
                (
                    pay_file,
                    m.span,
                    format!("`{}` keeps payment-flow state in memory", m.name),
                )
            })
    });
    container.or_else(|| {
        ctx.wiring()
            .filter(|(x, _)| ctx.together(*x, file))
            .find_map(|(x, w)| {
                w.sessions.iter().find(|s| !s.persistent).map(|s| {
                    (
                        x,
                        s.span,
                        format!("`{}`: handler state lives in memory", s.via),
                    )
                })
            })
    })
}
