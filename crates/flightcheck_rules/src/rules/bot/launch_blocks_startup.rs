//! `bot/launch-blocks-startup`: startup work written after `await bot.launch()` in a
//! telegraf bot, which waits until the bot stops.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    AfterLaunch, AwaitedLaunch, Category, Evidence, Finding, FixKind, Framework, RuleMeta,
    Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "bot/launch-blocks-startup",
    severity: Severity::High,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "Startup work after `await bot.launch()` in telegraf never runs: launch() resolves only when polling stops",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
In a project whose telegraf version is 4.11 or later (the declared range admits it: `^4.x`,
`~4.16`, `latest`), finds `await bot.launch()` in long-polling mode (no `webhook` option)
that is followed, in the same function, by work other than logging, or that sits in a
lifecycle hook its framework awaits before it serves (NestJS `onModuleInit`,
`onApplicationBootstrap`).

- **High** when an HTTP server is started after it (`app.listen(...)`), or when the launch is
  in a NestJS lifecycle hook: Nest waits for the hook, so `app.listen()` and the other
  modules' start never run.
- **Medium** when signal handlers (`process.once('SIGTERM', ...)`) or other startup steps
  follow.

Not flagged: nothing but logging after it (`console.log('bot started')` only never prints),
`bot.launch()` without `await` (or with `.catch`), webhook mode, telegraf older than 4.11.

## Why it breaks production
Since telegraf 4.11, the promise `launch()` returns in long-polling mode resolves only when
polling stops (telegraf issues #1749, #1989). Everything after `await bot.launch()` waits
for the bot to stop: the health-check server never listens, so the platform restarts the
container over and over; signal handlers are never registered, so a deploy kills the bot
mid-update; a NestJS app never finishes `init()` and serves no HTTP route.

## Flagged
```js
await bot.launch();
app.listen(process.env.PORT);          // never reached
```
```ts
async onModuleInit() {
  await this.bot.launch();             // Nest waits here forever
}
```

## Not flagged
```js
bot.launch();                          // not awaited
app.listen(process.env.PORT);
await bot.launch(() => console.log('started'));   // nothing after it
```

## Fix
Do not await it: `bot.launch().catch(onLaunchError)`, or use the `onLaunch` callback
(`bot.launch(() => ...)`) for work that needs the bot started; start servers and register
signal handlers before launching.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

/// The declared telegraf range admits 4.11 or later, where polling `launch()` resolves only
/// when the bot stops.
fn telegraf_hangs(range: &str) -> bool {
    let r = range.trim();
    if matches!(r, "latest" | "*" | "" | "x") {
        return true;
    }
    let caret = r.starts_with('^') || r.starts_with(">=") || r.starts_with('>');
    let digits = r.trim_start_matches(['^', '~', '>', '=', 'v', ' ']);
    let mut parts = digits.split('.');
    let major: Option<u32> = parts.next().and_then(|p| p.parse().ok());
    let minor: Option<u32> = parts
        .next()
        .and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok());
    match (major, minor) {
        (Some(m), _) if m > 4 => true,
        (Some(4), _) if caret => true,
        (Some(4), Some(minor)) => minor >= 11,
        (Some(4), None) => true,
        _ => false,
    }
}

fn declared_telegraf(ctx: &ProjectContext) -> Option<String> {
    ctx.project
        .package_json
        .as_ref()
        .and_then(|p| p.versions.get("telegraf").cloned())
}

fn applies(ctx: &ProjectContext) -> bool {
    runs_bot(ctx, Platform::Telegram)
        && crate::bots::chat_frameworks(ctx, Platform::Telegram).contains(&Framework::Telegraf)
        && declared_telegraf(ctx).is_some_and(|r| telegraf_hangs(&r))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let range = declared_telegraf(ctx).unwrap_or_default();
    let launches = split(ctx, |w| &w.awaited_launches, |l: &AwaitedLaunch| &l.owner);
    let mut out = Vec::new();
    for (file, launch) in launches.live {
        let (severity, what, impact) = match (&launch.startup_hook, &launch.blocked) {
            (Some(hook), _) => (
                Severity::High,
                format!(
                    "`await bot.launch()` in NestJS `{hook}`: Nest waits for this hook before it finishes starting, and polling `launch()` resolves only when the bot stops, so `app.listen()` and every later start step never run"
                ),
                "The application never finishes starting: no HTTP route (health check, webhook, API) is served while the bot runs.",
            ),
            (None, Some((text, AfterLaunch::Server, _))) => (
                Severity::High,
                format!(
                    "`{text}` comes after `await bot.launch()`, which resolves only when polling stops: the server never listens while the bot runs"
                ),
                "The HTTP server never starts: health checks fail, so the platform restarts the service again and again, and its routes answer nothing.",
            ),
            (None, Some((text, AfterLaunch::SignalHandlers, _))) => (
                Severity::Medium,
                format!(
                    "`{text}` comes after `await bot.launch()`, which resolves only when polling stops: the signal handlers are never registered"
                ),
                "A deploy or restart kills the bot mid-update instead of stopping polling cleanly.",
            ),
            (None, Some((text, AfterLaunch::Other, _))) => (
                Severity::Medium,
                format!(
                    "`{text}` comes after `await bot.launch()`, which resolves only when polling stops: this startup step never runs while the bot serves"
                ),
                "Startup work after the launch waits until the bot stops, so the bot serves without it.",
            ),
            (None, None) => continue,
        };
        let mut finding = Finding::new(&META, what)
            .severity(severity)
            .at(ctx.rel(file), launch.span)
            .key(format!("{}:{}", ctx.rel(file), launch.span.line))
            .evidence(evidence_at(
                ctx,
                file,
                launch.span,
                "awaited in long-polling mode (no `webhook` option)".into(),
            ));
        if let Some((_, _, span)) = &launch.blocked {
            finding = finding.evidence(evidence_at(
                ctx,
                file,
                *span,
                "waits until polling stops".into(),
            ));
        }
        out.push(
            finding
                .evidence(Evidence::searched(format!(
                    "the project declares telegraf `{range}`, which admits 4.11 or later: there polling `launch()` resolves only when the bot stops (telegraf issues #1749, #1989)"
                )))
                .impact(impact)
                .fix("Do not await the launch: `bot.launch().catch(handleLaunchError)`, or put the work in the `onLaunch` callback (`bot.launch(() => ...)`); start servers and register signal handlers before launching.")
                .verify("Start the bot locally with polling: the lines after the launch run (the server answers, the log line after it prints)."),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::telegraf_hangs;

    #[test]
    fn ranges_that_admit_telegraf_4_11() {
        assert!(telegraf_hangs("^4.16.3"));
        assert!(telegraf_hangs("^4.0.0"));
        assert!(telegraf_hangs("~4.12.2"));
        assert!(telegraf_hangs("4.16.3"));
        assert!(telegraf_hangs("latest"));
        assert!(!telegraf_hangs("~4.10.0"));
        assert!(!telegraf_hangs("4.4.2"));
        assert!(!telegraf_hangs("^3.38.0"));
    }
}
