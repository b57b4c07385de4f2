//! `security/no-rate-limit`: a public HTTP API with no rate limiting anywhere in the
//! running code.

use super::web_server::{imported, mentioned, proxy_configs, public_routes};
use crate::bots::{evidence_at, searched};
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Framework, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "security/no-rate-limit",
    severity: Severity::Medium,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A public HTTP API with no rate limiting",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
For a project whose running code serves HTTP routes (express, fastify, koa, NestJS,
Next.js API routes, FastAPI, Flask, aiohttp, Django), looks for rate limiting imported by
running code: `express-rate-limit`, `express-slow-down`, `rate-limiter-flexible`,
`@fastify/rate-limit`, `@nestjs/throttler`, `koa-ratelimit`, `@upstash/ratelimit`; `slowapi`,
`flask_limiter`, `fastapi_limiter`, `django_ratelimit`/`ratelimit`, DRF throttling
(`DEFAULT_THROTTLE_CLASSES`). One finding per project, at the first public route, listing
what was searched.

Not flagged: bots whose only HTTP routes are webhooks or health/metrics probes (the chat
platform is the only caller; `bot/no-user-rate-limit` covers users flooding the bot), and
projects without running routes (a Next.js front end without API routes). When the repository
holds a reverse-proxy config (nginx, traefik, Caddy), the limit may live there: the finding is
lowered to low and names the file.

## Why it breaks production
Without a limit one client can send thousands of requests a second: brute-force the login,
enumerate ids, scrape everything, or run up the bill of the paid APIs behind the routes
(OpenAI, SMS, email). The service slows down for everyone while it happens.

## Flagged
```js
const app = express();
app.post('/api/login', login);
app.listen(3000);
```

## Not flagged
```js
const rateLimit = require('express-rate-limit');
app.use(rateLimit({ windowMs: 60_000, limit: 100 }));
```
```python
limiter = Limiter(key_func=get_remote_address)      # slowapi
app.state.limiter = limiter
```

## Fix
Add a limiter middleware in front of the routes (a global limit plus a tighter one on login,
signup and expensive endpoints), keyed by client IP or user id, with a shared store (Redis)
when more than one instance runs — or set `limit_req` in the proxy in front of the service.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

const NPM: &[&str] = &[
    "express-rate-limit",
    "express-slow-down",
    "rate-limiter-flexible",
    "@fastify/rate-limit",
    "fastify-rate-limit",
    "@nestjs/throttler",
    "koa-ratelimit",
    "koa2-ratelimit",
    "@upstash/ratelimit",
    "express-brute",
    "limiter",
    "bottleneck",
    "hono-rate-limiter",
];
const PYTHON: &[&str] = &[
    "slowapi",
    "flask_limiter",
    "fastapi_limiter",
    "django_ratelimit",
    "ratelimit",
    "limits",
    "aiolimiter",
    "ratelimiter",
];

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let Some(public) = public_routes(ctx, |_| true) else {
        return Vec::new();
    };
    let mut packages: Vec<&str> = NPM.to_vec();
    packages.extend_from_slice(PYTHON);
    if imported(ctx, &packages).is_some() {
        return Vec::new();
    }
    // DRF throttling and hand-written limiters are configured in settings or middleware.
    let by_setting = mentioned(
        ctx,
        &[
            "DEFAULT_THROTTLE_CLASSES",
            "DEFAULT_THROTTLE_RATES",
            "ThrottlerModule",
            "rateLimit(",
        ],
        true,
    );
    if by_setting.is_some() {
        return Vec::new();
    }
    let (file, route) = public.routes[0];
    let n = public.routes.len();
    let proxies = proxy_configs(ctx);
    let mut finding = Finding::new(
        &META,
        format!(
            "{n} public HTTP route{} ({}) and no rate limiting in running code",
            if n == 1 { "" } else { "s" },
            names(&public.frameworks)
        ),
    )
    .at(ctx.rel(file), route.span)
    .key("no-rate-limit")
    .evidence(evidence_at(
        ctx,
        file,
        route.span,
        format!("{} {} is served without a limit", route.method, route.path),
    ))
    .evidence(searched(
        ctx,
        &public.frameworks,
        "express-rate-limit, rate-limiter-flexible, @fastify/rate-limit, @nestjs/throttler, koa-ratelimit, slowapi, flask-limiter, fastapi-limiter, django-ratelimit, DRF throttle settings",
    ))
    .impact("One client can brute-force logins, scrape every record or run up the bill of paid APIs behind the routes.")
    .fix("Add a limiter middleware (express-rate-limit, @fastify/rate-limit, slowapi, flask-limiter…) with a shared store, tighter on login and expensive routes.")
    .verify("Send 200 requests in a few seconds to one route: expect 429 responses after the limit.");
    if !proxies.is_empty() {
        finding = finding.severity(Severity::Low).evidence(Evidence::searched(format!(
            "a reverse-proxy config is in the repository ({}); a limit set there was not checked",
            proxies.join(", ")
        )));
    }
    vec![finding]
}

fn names(frameworks: &[Framework]) -> String {
    frameworks
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
