//! `security/no-security-headers`: a web server whose running code sets no security headers.

use super::web_server::{imported, mentioned, public_routes};
use crate::bots::{evidence_at, searched};
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Finding, FixKind, Framework, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "security/no-security-headers",
    severity: Severity::Low,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A web server that sets no security headers (helmet or equivalent)",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 15,
    docs: r#"## What it does
For a project whose running code serves HTTP routes with express, fastify, koa, NestJS,
Flask or FastAPI, looks for security headers: `helmet`, `@fastify/helmet`, `koa-helmet`,
`lusca` imported by running code; `flask_talisman`, `secure` (secure.py); or header names set
by hand in running code (`X-Content-Type-Options`, `Content-Security-Policy`,
`Strict-Transport-Security`, `X-Frame-Options`). One finding per project, listing what was
searched. Pure JSON APIs are flagged too (the headers still stop MIME sniffing and framing
of error pages), at the same low severity.

Not flagged: Django (its `SecurityMiddleware` and clickjacking middleware are in the default
settings), Next.js (headers belong in `next.config.js`), aiohttp, bots whose only routes are
webhooks or health probes.

## Why it breaks production
Without `X-Content-Type-Options`, `X-Frame-Options`/CSP `frame-ancestors` and HSTS, browsers
sniff content types, let other sites frame the pages (clickjacking) and accept a first
request over plain HTTP. Each is a small hole; together they are what a security review or a
scanner reports first.

## Flagged
```js
const app = express();
app.get('/', home);
app.listen(3000);
```

## Not flagged
```js
const helmet = require('helmet');
app.use(helmet());
```
```python
Talisman(app, content_security_policy=None)
```

## Fix
Add `helmet()` (express/Nest), `@fastify/helmet`, `koa-helmet`, `flask-talisman`, or a small
middleware that sets `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
`Strict-Transport-Security` and a Content-Security-Policy.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let covered = |f: Framework| {
        matches!(
            f,
            Framework::Express
                | Framework::Fastify
                | Framework::Koa
                | Framework::NestJs
                | Framework::Flask
                | Framework::FastApi
        )
    };
    let Some(public) = public_routes(ctx, |r| covered(r.framework)) else {
        return Vec::new();
    };
    let packages = [
        "helmet",
        "@fastify/helmet",
        "fastify-helmet",
        "koa-helmet",
        "lusca",
        "flask_talisman",
        "talisman",
        "secure",
        "secweb",
    ];
    if imported(ctx, &packages).is_some() {
        return Vec::new();
    }
    let headers = [
        "X-Content-Type-Options",
        "x-content-type-options",
        "Content-Security-Policy",
        "content-security-policy",
        "Strict-Transport-Security",
        "strict-transport-security",
        "X-Frame-Options",
        "x-frame-options",
    ];
    if mentioned(ctx, &headers, false).is_some() {
        return Vec::new();
    }
    let (file, route) = public.routes[0];
    let names: Vec<&str> = public.frameworks.iter().map(|f| f.as_str()).collect();
    vec![
        Finding::new(
            &META,
            format!(
                "The {} server sets no security headers (no helmet or equivalent, no X-Content-Type-Options/CSP/HSTS set by hand)",
                names.join(", ")
            ),
        )
        .at(ctx.rel(file), route.span)
        .key("no-security-headers")
        .evidence(evidence_at(
            ctx,
            file,
            route.span,
            format!("{} {} is served without security headers", route.method, route.path),
        ))
        .evidence(searched(
            ctx,
            &public.frameworks,
            "helmet, @fastify/helmet, koa-helmet, lusca, flask-talisman, secure, and X-Content-Type-Options/Content-Security-Policy/Strict-Transport-Security/X-Frame-Options set by hand",
        ))
        .impact("Browsers sniff content types, other sites can frame the pages, and HSTS is not set.")
        .fix("Add helmet() / @fastify/helmet / koa-helmet / flask-talisman, or a middleware that sets nosniff, frame and HSTS headers.")
        .verify("`curl -I` a route: expect `X-Content-Type-Options: nosniff`, `X-Frame-Options` (or CSP `frame-ancestors`) and `Strict-Transport-Security`."),
    ]
}
