//! `bot/webhook-secret-missing`: Telegram webhook mode without `secret_token`.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::wiring::{Route, Verification};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "bot/webhook-secret-missing",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Telegram webhook mode without secret_token verification",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 20,
    docs: r#"## What it does
Finds where running code puts the bot in webhook mode (`setWebhook`, telegraf
`createWebhook` / `webhookCallback` / `launch({ webhook })` with an explicit path, grammY
`webhookCallback`, aiogram `SimpleRequestHandler` / `set_webhook`, python-telegram-bot
`run_webhook`, pyTelegramBotAPI `set_webhook`) and reports it when no `secret_token` is
set. Telegram then sends `X-Telegram-Bot-Api-Secret-Token` with every update and the
framework rejects requests without it.

## Why it breaks production
The webhook URL is public. Without the secret anyone who learns it can post fake updates:
commands from any user id, fake payments (`successful_payment`), admin commands.

## Flagged
```python
await bot.set_webhook(f"{BASE_URL}/webhook")
SimpleRequestHandler(dispatcher=dp, bot=bot).register(app, path="/webhook")
```

## Not flagged
```python
await bot.set_webhook(f"{BASE_URL}/webhook", secret_token=WEBHOOK_SECRET)
SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=WEBHOOK_SECRET).register(app, path="/webhook")
```
Blocker when the same bot registers a payment handler (`successful_payment`,
`pre_checkout_query`): a forged payment update then hands out what a payment buys.

One finding per program: the `set_webhook` call and the handler that receives the updates
are listed together in its evidence.

telegraf `bot.launch({ webhook: { domain } })` without a path: telegraf derives a secret
path from the token. Python webhook calls under `if NAME:` / `if not NAME:` (or its `else`)
where `NAME` is a module constant, here or in the module it is imported from, with the other
truth value (`USE_POLLING = True` in `settings.py`): that branch never runs. When every
webhook call runs only under a setting read at run time (`if config.webhook.use_webhook:`,
`if WEBHOOK_URL:` with `WEBHOOK_URL = os.getenv(...)`), webhook mode is one way to deploy
the bot and the repository cannot show which one production uses: medium (high when the
bot takes payments).

A route the project writes itself that hands the request to the bot's dispatcher
(`dp.feed_update`, `application.process_update`, `bot.handleUpdate(req.body)`) and compares
no secret header is the receiving half of a webhook: it is reported with the webhook call,
and on its own when the code never sets the webhook (set by hand). Such a route keeps the
finding at its full severity even when the webhook call runs only in one mode: the route is
registered in every mode.

## Fix
Generate a random secret, pass it as `secret_token` to `setWebhook` and to the framework's
webhook handler, and keep it in the secret store.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let hooks = split(ctx, |w| &w.webhooks, |h| &h.owner);
    // A program that sets or checks the secret anywhere (`setWebhook(..., secret_token)`
    // with a plain handler) is protected; judge each program on its own.
    let unsecured: Vec<_> = hooks
        .live
        .iter()
        .filter(|(file, h)| !never_runs(ctx, *file, h))
        .filter(|(file, h)| {
            !h.secret_token
                && !hooks
                    .live
                    .iter()
                    .any(|(f, o)| o.secret_token && ctx.together(*f, *file))
        })
        .collect();
    // One finding per program: `set_webhook(url)` and the handler that receives the
    // updates are two halves of one missing secret.
    let mut programs: Vec<Vec<&(usize, &flightcheck_core::wiring::BotWebhook)>> = Vec::new();
    for hook in &unsecured {
        match programs.iter_mut().find(|p| ctx.together(p[0].0, hook.0)) {
            Some(p) => p.push(hook),
            None => programs.push(vec![hook]),
        }
    }
    // Routes the project writes itself that hand the update to the bot (`await
    // dp.feed_update(bot, update)`) and compare no secret header: the receiving half, which
    // exists whatever mode the code sets the webhook in (or when it is set by hand).
    let routes = split(ctx, |w| &w.routes, |r| &r.owner);
    let secured = |file: usize| {
        hooks
            .live
            .iter()
            .any(|(f, o)| o.secret_token && ctx.together(*f, file))
    };
    let receivers: Vec<(usize, &Route)> = routes
        .live
        .iter()
        .filter(|(f, r)| {
            r.feeds_bot.is_some() && r.verification == Verification::None && !secured(*f)
        })
        .map(|(f, r)| (*f, *r))
        .collect();
    let payments = split(ctx, |w| &w.payment_handlers, |c| &c.owner);
    let mut out: Vec<Finding> = programs
        .into_iter()
        .map(|places| {
            let (file, h) = places[0];
            // A forged `successful_payment` update reaches the bot's own payment handler: the
            // goods are handed out for a payment that never happened.
            let payment = payments
                .live
                .iter()
                .find(|(f, _)| places.iter().any(|(w, _)| ctx.together(*f, *w)));
            let mut message = format!("Telegram webhook without secret_token: `{}`", h.via);
            if places.len() > 1 {
                message.push_str(&format!(
                    " (and {} more webhook call{} of the same program)",
                    places.len() - 1,
                    if places.len() == 2 { "" } else { "s" }
                ));
            }
            let mut finding = Finding::new(&META, message)
                .at(ctx.rel(*file), h.span)
                .key(h.via.clone());
            for (f, other) in &places {
                finding = finding.evidence(evidence_at(
                    ctx,
                    *f,
                    other.span,
                    "webhook mode, no secret_token".into(),
                ));
            }
            if let Some((pay_file, pay)) = payment {
                finding = finding
                    .severity(Severity::Blocker)
                    .evidence(evidence_at(
                        ctx,
                        *pay_file,
                        pay.span,
                        "a payment handler of the same bot: a forged successful_payment update reaches it".into(),
                    ))
                    .evidence(Evidence::searched(
                        "blocker, not high: this bot takes payments, so a forged update hands out what a payment buys",
                    ));
            }
            // Every webhook call runs only when a setting read at run time says so
            // (`if config.webhook.use_webhook:`): webhook mode is one way to deploy this bot,
            // and the repository cannot show which one production uses.
            let switches: Vec<&str> = places
                .iter()
                .filter_map(|(f, h)| runtime_switch(ctx, *f, h))
                .collect();
            let receiver = receivers
                .iter()
                .find(|(f, _)| places.iter().any(|(w, _)| ctx.together(*f, *w)));
            if let Some((f, r)) = receiver {
                finding = finding.evidence(evidence_at(
                    ctx,
                    *f,
                    r.span,
                    format!(
                        "{} {} hands every request to `{}` and compares no secret header",
                        r.method,
                        r.path,
                        r.feeds_bot.as_deref().unwrap_or("")
                    ),
                ));
            }
            // The route that receives updates is registered whatever the mode: the URL
            // can be forged even when the code sets the webhook only in one mode.
            if switches.len() == places.len() && receiver.is_none() {
                let lower = if finding.severity == Severity::Blocker {
                    Severity::High
                } else {
                    Severity::Medium
                };
                finding = finding.severity(lower).evidence(Evidence::searched(format!(
                    "{}, not {}: webhook mode runs only when `{}` is set at run time; in polling mode there is no URL to forge",
                    lower.as_str(),
                    if lower == Severity::High { "blocker" } else { "high" },
                    switches[0]
                )));
            }
            finding
                .impact("Anyone who learns the webhook URL can post fake updates: any user id, fake payments, admin commands.")
                .fix("Pass a random `secret_token` to setWebhook and to the webhook handler.")
                .verify("POST a fake update to the webhook URL without the header: expect 401/403.")
        })
        .collect();
    // A receiving route of a program that sets no webhook in code (set by hand with
    // `curl …/setWebhook`): the route alone is the finding.
    let mut reported: Vec<usize> = Vec::new();
    for (file, r) in &receivers {
        if unsecured.iter().any(|(w, _)| ctx.together(*w, *file))
            || reported.iter().any(|f| ctx.together(*f, *file))
        {
            continue;
        }
        reported.push(*file);
        let mut finding = Finding::new(
            &META,
            format!(
                "Telegram webhook route {} {} hands updates to the bot (`{}`) without checking the secret token",
                r.method,
                r.path,
                r.feeds_bot.as_deref().unwrap_or("")
            ),
        )
        .at(ctx.rel(*file), r.span)
        .key(format!("{} {}", r.method, r.path))
        .evidence(evidence_at(
            ctx,
            *file,
            r.span,
            "the route feeds the bot's dispatcher and compares no `X-Telegram-Bot-Api-Secret-Token` header".into(),
        ));
        if let Some((pay_file, pay)) = payments.live.iter().find(|(f, _)| ctx.together(*f, *file)) {
            finding = finding.severity(Severity::Blocker).evidence(evidence_at(
                ctx,
                *pay_file,
                pay.span,
                "a payment handler of the same bot: a forged successful_payment update reaches it"
                    .into(),
            ));
        }
        out.push(
            finding
                .impact("Anyone who learns the webhook URL can post fake updates: any user id, fake payments, admin commands.")
                .fix("Pass a random `secret_token` to setWebhook, and refuse requests whose `X-Telegram-Bot-Api-Secret-Token` header does not match it (constant-time compare).")
                .verify("POST a fake update to the webhook URL without the header: expect 401/403."),
        );
    }
    out
}

/// The setting the webhook call's branch tests, when its value is not a module constant
/// (`config.webhook.use_webhook`, `WEBHOOK_URL = os.getenv(...)`).
fn runtime_switch<'a>(
    ctx: &'a ProjectContext,
    file: usize,
    h: &'a flightcheck_core::wiring::BotWebhook,
) -> Option<&'a str> {
    // The call's own branch, or (for a call inside a function) the branch every call of that
    // function in the file sits in: `if config.use_webhook: main_webhook()`.
    let when = h.when.as_ref().or_else(|| {
        let owner = h.owner.as_deref()?;
        let calls: Vec<&Option<(String, bool)>> = ctx
            .facts(file)?
            .wiring
            .name_calls
            .iter()
            .filter(|(n, _)| n == owner)
            .map(|(_, g)| g)
            .collect();
        let first = calls.first()?.as_ref()?;
        calls
            .iter()
            .all(|g| g.as_ref().is_some_and(|(n, _)| n == &first.0))
            .then_some(first)
    })?;
    constant_value(ctx, file, &when.0)
        .is_none()
        .then_some(when.0.as_str())
}

/// The truth value of module constant `name`, here or in the module it is imported from.
fn constant_value(ctx: &ProjectContext, file: usize, name: &str) -> Option<bool> {
    let value_in = |f: usize| {
        ctx.facts(f).and_then(|fa| {
            fa.wiring
                .bool_consts
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| *v)
        })
    };
    value_in(file).or_else(|| {
        let facts = ctx.facts(file)?;
        let import = facts
            .imports
            .iter()
            .find(|i| i.names.iter().any(|n| n == name))?;
        value_in(ctx.resolved(file, &import.specifier)?)
    })
}

/// The webhook call sits under `if NAME:` / `if not NAME:`, and `NAME` is a module constant
/// (`USE_POLLING = True`, here or in the module it is imported from) with the other truth
/// value: the branch never runs.
fn never_runs(ctx: &ProjectContext, file: usize, h: &flightcheck_core::wiring::BotWebhook) -> bool {
    let Some((name, runs_when)) = &h.when else {
        return false;
    };
    constant_value(ctx, file, name).is_some_and(|v| v != *runs_when)
}
