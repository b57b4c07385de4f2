//! The project's bots as the `bot/*` rules see them: which chat frameworks run, and the
//! handlers, menus and stores that running code registers. Code that no entry point runs
//! (an unreachable file, or a function/class nothing calls) satisfies and triggers nothing;
//! it is only mentioned in evidence.

use crate::context::ProjectContext;
pub use flightcheck_core::Platform;
use flightcheck_core::{Evidence, Framework, Owner, Span};

/// Chat frameworks imported by reachable code of the project, in a stable order.
pub fn chat_frameworks(ctx: &ProjectContext, platform: Platform) -> Vec<Framework> {
    let mut out: Vec<Framework> = ctx
        .reachable_sources()
        .filter_map(|i| ctx.facts(i))
        .flat_map(|f| f.frameworks.iter().copied())
        .filter(|f| f.platform() == Some(platform))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the project runs a bot of `platform`: reachable code imports its framework.
pub fn runs_bot(ctx: &ProjectContext, platform: Platform) -> bool {
    !chat_frameworks(ctx, platform).is_empty()
}

/// Items of every reachable file's wiring, with their file, split into the ones whose code
/// runs and the ones in dead declarations (for evidence).
pub struct Split<'a, T> {
    pub live: Vec<(usize, &'a T)>,
    pub dead: Vec<(usize, &'a T)>,
}

pub fn split<'a, T>(
    ctx: &ProjectContext<'a>,
    items: impl Fn(&'a flightcheck_core::Wiring) -> &'a [T],
    owner: impl Fn(&T) -> &Owner,
) -> Split<'a, T> {
    let mut live = Vec::new();
    let mut dead = Vec::new();
    for (file, wiring) in ctx.all_wiring() {
        for item in items(wiring) {
            if ctx.runs(file, owner(item)) {
                live.push((file, item));
            } else {
                dead.push((file, item));
            }
        }
    }
    Split { live, dead }
}

/// Why a fact in dead code does not count, for the evidence.
pub fn dead_reason(ctx: &ProjectContext, file: usize, owner: &Owner) -> String {
    if !ctx.is_reachable(file) {
        format!("`{}` is not imported by any entry point", ctx.rel(file))
    } else {
        match owner {
            Some(name) => format!("`{name}` is never called or constructed by running code"),
            None => "this code does not run".to_string(),
        }
    }
}

/// Evidence pointing at a fact in a file.
pub fn evidence_at(ctx: &ProjectContext, file: usize, span: Span, note: String) -> Evidence {
    Evidence::at(ctx.rel(file), span.line, ctx.snippet(file, span.line), note)
}

/// "searched N reachable files (telegraf)" for absence findings.
pub fn searched(ctx: &ProjectContext, frameworks: &[Framework], what: &str) -> Evidence {
    let n = ctx.reachable_sources().count();
    let names: Vec<&str> = frameworks.iter().map(|f| f.as_str()).collect();
    Evidence::searched(format!(
        "searched {n} reachable source file{} ({}) for {what}",
        if n == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

/// The running bots of a platform, one per program: bots whose files run together (one
/// entry point reaches both, like aiogram's `Bot` and `Dispatcher`) are one bot; an example
/// folder of ten separate bots is ten.
pub fn programs<'a>(
    ctx: &ProjectContext<'a>,
    platform: Option<Platform>,
) -> Vec<(usize, &'a flightcheck_core::BotInstance)> {
    let bots = split(ctx, |w| &w.bots, |b| &b.owner);
    let commands = split(ctx, |w| &w.commands, |c| &c.owner);
    let catch_all = split(ctx, |w| &w.catch_all, |c| &c.owner);
    let mut out: Vec<(usize, &flightcheck_core::BotInstance)> = Vec::new();
    // The bot object its program's handlers are registered on stands for the program: a
    // second instance of the same token that only sends messages (a queue consumer's
    // notifier) is not where a missing error handler belongs.
    let registers = |file: usize| {
        commands.live.iter().any(|(f, _)| *f == file)
            || catch_all.live.iter().any(|(f, _)| *f == file)
    };
    let mut live = bots.live;
    live.sort_by_key(|(file, _)| !registers(*file));
    for (file, bot) in live {
        let wanted = match platform {
            Some(p) => bot.framework.platform() == Some(p),
            None => bot.framework.platform().is_some(),
        };
        // A Telegram bot object that handles no updates (a notifier sending messages from a
        // script) is not a chat bot that users talk to.
        let serves = bot.framework.platform() != Some(Platform::Telegram)
            || near(ctx, file, &commands.live)
            || near(ctx, file, &catch_all.live);
        if wanted && serves && !out.iter().any(|(f, _)| ctx.together(*f, file)) {
            out.push((file, bot));
        }
    }
    out
}

/// Whether some item runs in the same program as `file`.
pub fn near<T>(ctx: &ProjectContext, file: usize, items: &[(usize, &T)]) -> bool {
    items.iter().any(|(f, _)| ctx.together(*f, file))
}

/// Evidence for facts that would satisfy a rule but sit in dead code: "`what` here, but it
/// does not run: <why>".
pub fn dead_evidence<T>(
    ctx: &ProjectContext,
    mut finding: flightcheck_core::Finding,
    dead: &[&(usize, &T)],
    span: impl Fn(&T) -> Span,
    owner: impl Fn(&T) -> &Owner,
    what: &str,
) -> flightcheck_core::Finding {
    for (file, item) in dead.iter().map(|d| **d) {
        finding = finding.evidence(evidence_at(
            ctx,
            file,
            span(item),
            format!(
                "{what} here, but it does not run: {}",
                dead_reason(ctx, file, owner(item))
            ),
        ));
    }
    finding
}

/// A finding about what a running bot lacks, located at the bot object.
pub fn finding_at_bot(
    ctx: &ProjectContext,
    meta: &'static flightcheck_core::RuleMeta,
    message: String,
    file: usize,
    bot: &flightcheck_core::BotInstance,
) -> flightcheck_core::Finding {
    flightcheck_core::Finding::new(meta, message)
        .at(ctx.rel(file), bot.span)
        .key(format!("{}:{}", ctx.rel(file), bot.name))
        .evidence(evidence_at(ctx, file, bot.span, "the bot that runs".into()))
}
