//! `availability/in-memory-state`: valuable state kept only in a module-level container.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "availability/in-memory-state",
    severity: Severity::Medium,
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
// restored from a file as the program loads (and saved there): it survives a restart
const balances = new Map(Object.entries(JSON.parse(fs.readFileSync(FILE, 'utf8'))));
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

/// The words of an identifier, lower-case: `pendingPayments` → `pending`, `payments`;
/// `_background_tasks` → `background`, `tasks`.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A word of the name starts with one of the marker words (`orders` ← `order`), so that
/// `_background_tasks` is not a game round and `borders` is not an order.
fn valuable(name: &str) -> Option<&'static str> {
    let words = words(name);
    let has = |w: &str| {
        words
            .iter()
            .any(|x| x.starts_with(w) || (w.contains('_') && name.to_ascii_lowercase().contains(w)))
    };
    if NOT_VALUABLE.iter().any(|w| has(w)) {
        return None;
    }
    VALUABLE.iter().copied().find(|w| has(w))
}

/// Calls that read a file's contents back into a value.
const FILE_READS: [&str; 7] = [
    "readFileSync(",
    "readFile(",
    "readJsonSync(",
    "readJson(",
    "json.load(",
    "pickle.load(",
    "shelve.open(",
];

/// The container is built from a file as the program loads (`new Map(Object.entries(
/// JSON.parse(fs.readFileSync(FILE))))`, `games = json.load(open(FILE))`): the program
/// keeps it on disk and restores it after a restart.
fn restored_from_file(
    ctx: &ProjectContext,
    file: usize,
    state: &flightcheck_core::wiring::MemoryState,
) -> bool {
    (state.span.line..=state.span.end_line.max(state.span.line))
        .take(20)
        .any(|line| {
            let text = ctx.snippet(file, line);
            FILE_READS.iter().any(|r| text.contains(r))
        })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, w) in ctx.wiring() {
        for state in &w.memory_state {
            let Some(word) = valuable(&state.name) else {
                continue;
            };
            if restored_from_file(ctx, file, state) {
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::valuable;

    #[test]
    fn whole_words_decide() {
        assert_eq!(valuable("_background_tasks"), None);
        assert_eq!(valuable("pendingPayments"), Some("payment"));
        assert_eq!(valuable("ACTIVE_GAMES"), Some("game"));
        assert_eq!(valuable("borders"), None);
        assert_eq!(valuable("order_cache"), None);
    }
}
