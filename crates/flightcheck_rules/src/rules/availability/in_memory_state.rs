//! `availability/in-memory-state`: valuable state kept only in a module-level container.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "availability/in-memory-state",
    severity: Severity::High,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "Valuable state (games with stakes, pending payments, queues) kept only in memory",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 120,
    docs: r#"## What it does
Finds module-level containers (`new Map()`, `{}`, `[]`, `dict`, `defaultdict`, `deque`)
that running code writes to from its functions, and whose name says they hold something
a user pays for or waits on: games, bets, stakes, orders, payments, invoices, bookings,
carts, queues, pending items, balances, wallets, lobbies, auctions.

## Why it breaks production
A restart or deploy empties the container: pending payments are never confirmed, games
with stakes vanish mid-round, queued jobs are dropped. Two instances each see half the
state.

## Flagged
```js
const activeGames = new Map();
bot.action('join', (ctx) => activeGames.set(ctx.from.id, { stake: 10 }));
```

## Not flagged
```js
const cooldowns = new Map();   // losing a cooldown costs nothing
const cache = new Map();       // a cache can be rebuilt
```

## Fix
Keep the state in the database or Redis, keyed by user, and load it on demand; make
in-flight operations resumable after a restart.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

const VALUABLE: &[&str] = &[
    "game",
    "match",
    "bet",
    "stake",
    "wager",
    "payment",
    "invoice",
    "order",
    "cart",
    "checkout",
    "booking",
    "reservation",
    "queue",
    "pending",
    "balance",
    "wallet",
    "lobby",
    "auction",
    "escrow",
    "transaction",
    "deposit",
    "withdraw",
    "ticket",
    "lottery",
    "duel",
    "round",
    "subscription",
    "purchase",
];

const NOT_VALUABLE: &[&str] = &[
    "cache",
    "cooldown",
    "ratelimit",
    "rate_limit",
    "limit",
    "throttle",
    "timer",
    "timeout",
    "handler",
    "command",
    "listener",
    "client",
    "connection",
    "lock",
    "mutex",
    "logger",
    "count",
    "stat",
    "metric",
    "seen",
    "debounce",
    "regex",
    "pattern",
    "order_by",
    "sort",
];

fn valuable(name: &str) -> Option<&'static str> {
    let l = name.to_ascii_lowercase();
    if NOT_VALUABLE.iter().any(|w| l.contains(w)) {
        return None;
    }
    VALUABLE.iter().copied().find(|w| l.contains(w))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, w) in ctx.wiring() {
        for state in &w.memory_state {
            let Some(word) = valuable(&state.name) else {
                continue;
            };
            let mut finding = Finding::new(
                &META,
                format!(
                    "`{}` ({}) holds {word} state only in process memory",
                    state.name, state.container
                ),
            )
            .at(ctx.rel(file), state.span)
            .key(state.name.clone())
            .evidence(evidence_at(
                ctx,
                file,
                state.span,
                "module-level container".into(),
            ));
            for line in state.writes.iter().take(3) {
                finding = finding.evidence(Evidence::at(
                    ctx.rel(file),
                    *line,
                    ctx.snippet(file, *line),
                    "written here",
                ));
            }
            out.push(
                finding
                    .impact("A restart or deploy loses it: pending payments, games with stakes and queued work vanish.")
                    .fix("Persist it (database or Redis) keyed by user and make in-flight operations resumable.")
                    .verify("Start the flow, restart the process, and check the state is still there."),
            );
        }
    }
    out
}
