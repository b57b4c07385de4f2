//! `resilience/no-global-handler`: a long-running service with no process-wide handler for
//! the errors nothing else catches.
//!
//! The JavaScript/TypeScript half (`no_global_handler/js.rs`) judges Node programs that keep
//! serving; the Python half (`no_global_handler/python.rs`) judges plain asyncio services.

mod js;
mod python;

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/no-global-handler",
    severity: Severity::High,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "A long-running service with no process-wide handler for uncaught errors",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
**Node.** For a program that keeps serving — `app.listen(...)`, telegraf `bot.launch()`,
grammY `bot.start()`, discord.js `client.login()`, node-telegram-bot-api polling — looks in
the files the same entry point reaches for `process.on('unhandledRejection', …)`,
`process.on('uncaughtException', …)` (also `once`/`addListener`/`prependListener`, and
through a helper of the file that registers the event its first parameter names:
`attach('unhandledRejection', h)`),
`process.setUncaughtExceptionCaptureCallback`, or an SDK that installs such handlers
(`@sentry/node` and the other Sentry Node SDKs, whose default integrations register them).
Launch shapes recognised: `app.listen(PORT)` also on an app another module of the
project builds (`const app = require('./app')`), grammY's runner `run(bot)`
(`@grammyjs/runner`), a client kept on `global.client`, `this.client.login()`.
One finding per program, at what runs it. NestJS, Express, Fastify, telegraf and grammY
install no process-wide handler. Medium, not high, for a Fastify, NestJS (also on
`@nestjs/platform-express`: its exception layer catches what a controller throws before
Express sees it; type-only imports of `express` do not make a program Express; not when
the same program runs discord.js, necord or node-telegram-bot-api, or telegraf or grammY
with no `bot.catch`: no HTTP framework catches their event handlers), Koa or hapi server
without Express, for Express 5 (its `package.json` declares `express` at 5 or later) and
for Express 4 patched by `express-async-errors`, `express-promise-router` or
`@awaitjs/express`, and for an Express 4 program whose async route handlers all catch
what they await (a handler's statements outside its `try` may only be ones that neither
await nor throw, such as reading the query and answering early) — inline handlers, and handlers passed by name (`users.create`,
`listOrders`, `route('/x').post(...)`) followed through the file's imports to the project
module that exports them; a handler that cannot be followed keeps the finding high, and one
that lets a rejection out is shown as evidence — and for a
telegraf or grammY bot: with `bot.catch(...)` it receives what handlers throw; without it,
a handler error ends the bot through the missing `bot.catch` (`bot/no-error-handler`, high),
which is where that finding belongs: the framework catches what a route handler throws or rejects, so only code
outside a request (timers, event listeners, startup) can end the process. Low for an
Express 4 program with no asynchronous code of its own (no async function, `await`,
`.then`/`.catch`, `new Promise`, timer or event listener in any of its files): Express
answers 500 when a synchronous handler throws, so nothing is left that can end it.

**Python.** For a plain asyncio service — code an entry point runs calls `asyncio.run(...)`,
`loop.run_until_complete(...)` or `loop.run_forever()`, and a coroutine of the same program
loops forever (`while True:` / `while not stop.is_set():` in an `async def`) with no broad
`except` in or around the loop — looks for `loop.set_exception_handler(...)`,
`sys.excepthook = …`, a broad `try`/`except Exception` around the module-level call that
runs the program, or an error tracker (`sentry_sdk`, `rollbar`, `bugsnag`, whose logging
integrations report what asyncio's default handler logs). Programs driven by a framework
runner are not judged: aiogram, python-telegram-bot, pyTelegramBotAPI, discord.py and its
forks, Telethon, Pyrogram, FastAPI/Starlette/uvicorn, aiohttp, Flask, Django, websockets,
Tornado, Sanic, Quart, APScheduler and task queues catch exceptions per update, request or
job and keep running; tasks whose reference is dropped are `resilience/dangling-task`'s
subject. When a deploy definition of the project restarts the process on exit
(`restart: unless-stopped`, `Restart=on-failure`), the Python finding is medium: an
exception costs a restart and the work in flight, not the service.

## Why it breaks production
Since Node 15 an unhandled promise rejection ends the process. One forgotten `await`, one
failed API call in a handler without `catch`, and every user of the bot or service is cut
off until something restarts it — and the crash loop repeats on the next bad input.

In an asyncio service one exception in an iteration of the worker loop ends that loop. In
the main coroutine it ends the program with a traceback nobody reports; in a background task
the task stops for good while the process keeps running and looks healthy, and asyncio logs
"Task exception was never retrieved" only when the task is garbage-collected, if ever.

## Flagged
```js
const bot = new Telegraf(process.env.BOT_TOKEN);
bot.on('text', async (ctx) => { await api.lookup(ctx.message.text); });
bot.launch();
```
```python
async def poll_prices():
    while True:
        await publish(await fetch_prices())   # one bad response ends the loop
        await asyncio.sleep(60)

asyncio.run(poll_prices())
```

## Not flagged
```js
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => { logger.fatal({ err }); process.exit(1); });
bot.launch();
```
```python
async def poll_prices():
    while True:
        try:
            await publish(await fetch_prices())
        except Exception:
            log.exception("price poll failed")   # the loop goes on
        await asyncio.sleep(60)
```

## Fix
Node: register both handlers at startup: log with context and report to error tracking; for
`uncaughtException`, exit after logging (the process state is unknown) and let the process
manager restart it.

Python: catch and log broad exceptions per iteration of long-running loops, install
`loop.set_exception_handler(...)` that logs and reports what escapes tasks, and wrap the
top-level `asyncio.run(main())` so a fatal error is reported and the process exits non-zero
for the process manager to restart.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = js::check(ctx);
    out.extend(python::check(ctx));
    out
}

/// The entry point that runs `file`: its own first, else one of the same program.
fn entry_evidence(ctx: &ProjectContext, file: usize) -> Option<Evidence> {
    let entry = ctx
        .entries
        .iter()
        .find(|e| e.file == file)
        .or_else(|| ctx.entries.iter().find(|e| ctx.together(e.file, file)))?;
    Some(Evidence::at(
        &entry.decl_file,
        entry.decl_line,
        entry.detail.clone(),
        format!("entry point ({})", entry.source),
    ))
}
