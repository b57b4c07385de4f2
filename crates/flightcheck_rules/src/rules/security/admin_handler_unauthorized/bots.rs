//! The bot half of `security/admin-handler-unauthorized`: a command, text or inline button
//! whose name says it is for admins (`/ban`, "Broadcast", `admin_stats`), in a bot whose
//! other handlers do check who sends them, with no check of its own.
//!
//! The evidence that a check was meant is in the program itself: some handler, filter or
//! helper of the same project tests the sender. Anything that may check is taken as a check
//! (an unknown filter, a decorator, a middleware the project does not define, a helper that
//! tests the sender), so the rule speaks only where nothing on the way can.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use flightcheck_core::wiring::{BotHandler, BotTrigger};
use flightcheck_core::{Evidence, Finding, Severity};
use std::collections::HashSet;

use super::META;

/// The guard a handler defined in another module gets (its body is not read).
const ELSEWHERE: &str = "handler defined in another module";

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let handlers = split(ctx, |w| &w.bot_handlers, |h| &h.owner);
    if handlers.live.is_empty() {
        return Vec::new();
    }
    let mut checkers: HashSet<&str> = HashSet::new();
    let mut defined: HashSet<&str> = HashSet::new();
    for (_, w) in ctx.all_wiring() {
        checkers.extend(w.sender_checks.iter().map(String::as_str));
        defined.extend(w.exports.iter().map(String::as_str));
    }
    // A middleware runs before every handler of its receiver and the routers included in
    // it. One that checks the sender, or one the project does not define (a library's,
    // or a name not followed), may guard everything: the program is not judged.
    let mut filtered: HashSet<(usize, &str)> = HashSet::new();
    for (file, w) in ctx.all_wiring() {
        for g in &w.bot_root_guards {
            if g.middleware {
                let may_check = match &g.checker {
                    None => true,
                    Some(c) => checkers.contains(c.as_str()) || !defined.contains(c.as_str()),
                };
                if may_check {
                    return Vec::new();
                }
            } else if g.checks_sender {
                // A filter on a router that includes others guards them too: not followed.
                if w.router_parents.contains(&g.receiver) {
                    return Vec::new();
                }
                filtered.insert((file, g.receiver.as_str()));
            }
        }
    }
    // The program checks senders somewhere in code that runs (a test's assertion on a user
    // id is no evidence): a guarded handler, a sender filter or a helper.
    let checks_somewhere = ctx.wiring().any(|(_, w)| !w.sender_checks.is_empty())
        || !filtered.is_empty()
        || handlers
            .live
            .iter()
            .any(|(_, h)| h.guard.as_deref().is_some_and(|g| g != ELSEWHERE));
    if !checks_somewhere {
        return Vec::new();
    }
    let mut unguarded: Vec<(usize, &BotHandler)> = handlers
        .live
        .iter()
        .filter(|(file, h)| {
            h.guard.is_none()
                && !filtered.contains(&(*file, h.receiver.as_str()))
                && !h.calls.iter().any(|c| checkers.contains(c.as_str()))
                && (names_admin_action(&h.via) || names_admin_action(&h.function))
        })
        .copied()
        .collect();
    unguarded.sort_by_key(|(file, h)| (ctx.rel(*file), h.span.line));
    finding(ctx, &unguarded).into_iter().collect()
}

/// One finding per project: the admin handlers with no check, a typed one first.
fn finding(ctx: &ProjectContext, list: &[(usize, &BotHandler)]) -> Option<Finding> {
    let &(file, first) = list
        .iter()
        .find(|(_, h)| h.trigger != BotTrigger::Callback)
        .or_else(|| list.first())?;
    // Anyone can type a command or a text; callback data needs a crafted request.
    let typed = first.trigger != BotTrigger::Callback;
    let n = list.len();
    let what = match first.trigger {
        BotTrigger::Command => "command",
        BotTrigger::Text => "text button",
        BotTrigger::Callback => "inline button",
    };
    let more = if n > 1 {
        format!(
            " and {} more admin handler{}",
            n - 1,
            if n == 2 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let mut f = Finding::new(
        &META,
        format!(
            "The {what} handler `{}` ({}){more} {} what only an admin may do, and nothing checks who sent the update; other handlers of this bot do check",
            if first.function.is_empty() { "inline" } else { &first.function },
            first.via,
            if n == 1 { "does" } else { "do" }
        ),
    )
    .at(ctx.rel(file), first.span)
    .key(format!("{}:bot-admin", ctx.rel(file)));
    if !typed {
        f = f.severity(Severity::High);
    }
    let shown = std::iter::once((file, first))
        .chain(
            list.iter()
                .copied()
                .filter(|(_, h)| !std::ptr::eq(*h, first)),
        )
        .take(5);
    for (file, h) in shown {
        f = f.evidence(evidence_at(
            ctx,
            file,
            h.span,
            format!(
                "{} on `{}`: no filter or decorator besides the trigger, and the body tests no sender id, role or admin list",
                h.via, h.receiver
            ),
        ));
    }
    Some(
        f.evidence(Evidence::searched(
            "searched the registration's filters and decorators, the router's filters, every middleware of the bot, the handler's body and the project helpers it calls for a test of the sender (its id, a role, an admin list, `get_chat_member`): none",
        ))
        .impact(if typed {
            "Any user who sends the command or text gets the admin action: banning users, messaging every user, changing data."
        } else {
            "Any user who sends the button's callback data (a modified client does it without seeing the button) gets the admin action."
        })
        .fix("Put the admin check on the handler (an `IsAdmin()` filter, `filters.User(ADMINS)`) or on the router every admin handler is registered on (`router.message.filter(...)`).")
        .verify("From an account that is not an admin, send the command (or the callback data): expect a refusal and no change."),
    )
}

/// The trigger or handler name says "admin only": an admin panel, banning, broadcasting,
/// money moved by hand.
fn names_admin_action(text: &str) -> bool {
    let lower = text.to_lowercase();
    if ["admin", "админ", "рассылк"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return true;
    }
    // Word tokens of snake_case, camelCase and free text.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if ch.is_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = ch.is_lowercase();
            cur.extend(ch.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "ban"
                | "unban"
                | "mute"
                | "unmute"
                | "kick"
                | "broadcast"
                | "mailing"
                | "sendall"
                | "refund"
                | "payout"
                | "promote"
                | "demote"
                | "addbalance"
                | "setprice"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::names_admin_action;

    #[test]
    fn admin_words_are_words() {
        assert!(names_admin_action(r#"Command("ban")"#));
        assert!(names_admin_action("F.data == \"admin_stats\""));
        assert!(names_admin_action("cmdBroadcast"));
        assert!(names_admin_action("F.text == \"📢 Рассылка\""));
        assert!(!names_admin_action(r#"Command("banner")"#));
        assert!(!names_admin_action("F.data == \"buy_item\""));
        assert!(!names_admin_action("start_handler"));
    }
}
