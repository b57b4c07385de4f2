//! `security/session-store-memory`: web login sessions kept in the process's memory.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "security/session-store-memory",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Web login sessions kept in the default in-memory store",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds where running code creates a web session (`session({ ... })` of `express-session`,
`fastify.register(fastifySession, { ... })` of `@fastify/session`) and reports it when the
options object has no `store`, or a store that lives in memory (`new session.MemoryStore()`).
The session function is recognised by its import (`import session from
'express-session'`, `const session = require('express-session')`), not by its name.

Not flagged: a `store` that is not in memory (connect-redis, connect-mongo,
connect-pg-simple, connect-session-sequelize, a custom class whose name does not say memory), options built elsewhere
(`session(config)`, `{ ...config }`: not known, so silent), `cookie-session` and
`koa-session` (they keep the session in the cookie, not in memory), and code nothing runs.

Medium, not high, when the code picks an in-memory store itself (`store: new
MemorySessionStore()` of its own, the `memorystore` package) instead of the library's
default: such a store may expire sessions, but every restart still logs everyone out.

## Why it breaks production
express-session's default `MemoryStore` is documented as "not designed for a production
environment": it never evicts expired sessions, so memory grows with every visitor until
the process is killed, and every restart or deploy logs every user out. With two instances
behind a load balancer, a user's session exists on only one of them.

## Flagged
```js
const session = require('express-session');
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
```

## Not flagged
```js
const RedisStore = require('connect-redis').default;
app.use(session({ store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET }));
```

## Fix
Give the session a shared store: `connect-redis`, `connect-mongo`, `connect-pg-simple`,
`@fastify/session` with a Redis store.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.all_wiring().any(|(_, w)| !w.web_sessions.is_empty())
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let sessions = split(ctx, |w| &w.web_sessions, |s| &s.owner);
    let mut out = Vec::new();
    for (file, s) in sessions.live.iter().filter(|(_, s)| !s.persistent) {
        // A memory store the code picks itself may expire sessions; what is certain is that
        // a restart logs everyone out: medium.
        let (severity, what) = if s.chosen_memory_store {
            (Severity::Medium, "they vanish on every restart")
        } else {
            (
                Severity::High,
                "they grow without bound and vanish on every restart",
            )
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "Login sessions are kept in process memory ({}, {}): {what}",
                s.framework.as_str(),
                s.via
            ),
        )
        .severity(severity);
        if s.chosen_memory_store {
            finding = finding.evidence(Evidence::searched(
                "medium, not high: the code chooses this in-memory store itself rather than the library's default, which never evicts; it may expire sessions, but a restart or a second instance still loses them",
            ));
        }
        out.push(
            finding
            .at(ctx.rel(*file), s.span)
            .key(format!("{}:{}", ctx.rel(*file), s.span.line))
            .evidence(evidence_at(ctx, *file, s.span, "the session middleware".into()))
            .evidence(Evidence::searched(format!(
                "searched the options object of this call for a `store` that is not in memory: {}",
                s.via
            )))
            .impact("Memory grows with every visitor until the process is killed; every restart or deploy logs every user out; a second instance does not see the first one's sessions.")
            .fix("Pass a shared store: `store: new RedisStore({ client })` (connect-redis), connect-mongo or connect-pg-simple.")
            .verify("Log in, restart the service, reload the page: you are still logged in."),
        );
    }
    out
}
