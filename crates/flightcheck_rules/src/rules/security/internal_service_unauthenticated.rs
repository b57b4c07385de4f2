//! `security/internal-service-unauthenticated`: a published HTTP service that trusts the
//! user id the request names.

use super::web_server::{has_route_middleware, inline_handler_text};
use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_project::services::{ServiceKind, is_dev_compose};

pub static META: RuleMeta = RuleMeta {
    id: "security/internal-service-unauthenticated",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A published HTTP service whose routes act on a user id taken from the request, with no authentication anywhere",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 60,
    docs: r#"## What it does
Node (Express-style routers): for a project whose production compose file builds it and
publishes a port on every host interface, reports running routes whose inline handler
reads a user, tenant, owner, account or customer id from the request (`req.params.userId`,
`req.body.user_id`, `req.query.tenantId`), when the project authenticates nothing: no
middleware on any route, no `use(...)` of a name or member on any app or router (it may
check), and no authentication package imported by running code (jsonwebtoken, express-jwt,
passport, express-session, cookie-session, @fastify/jwt, jose, firebase-admin,
@clerk/…, @supabase/supabase-js auth).

Not flagged: services that compose does not publish (`expose:` only, or bound to
loopback), development compose files, handlers defined elsewhere, services with any
middleware or auth package, and code nothing runs.

## Why it breaks production
"Internal" services get published by a `ports:` line and forgotten. When the service takes
the user id from the request and checks nothing, anyone who reaches the port can read and
change every user's data by changing a number in the URL.

## Flagged
```js
app.get('/users/:userId/orders', async (req, res) => res.json(await db.orders(req.params.userId)));
```
with `ports: ["8080:8080"]` on the service in `docker-compose.yml`.

## Not flagged
```js
app.get('/me/orders', requireAuth, async (req, res) => res.json(await db.orders(req.user.id)));
```

## Fix
Authenticate every request (a session, a signed token, or a shared secret between
services) and take the user from the verified identity, not from the URL or body; or stop
publishing the port (`expose:` instead of `ports:`) when only other containers call it.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.all_wiring().any(|(_, w)| !w.routes.is_empty())
}

/// Packages whose import means the service authenticates somewhere.
const AUTH_PACKAGES: [&str; 14] = [
    "jsonwebtoken",
    "express-jwt",
    "passport",
    "express-session",
    "cookie-session",
    "@fastify/jwt",
    "@fastify/session",
    "jose",
    "firebase-admin",
    "@clerk/express",
    "@clerk/clerk-sdk-node",
    "express-basic-auth",
    "@auth/express",
    "express-openid-connect",
];

/// A request field that names whose data to act on: `userId`, `user_id`, `tenantId`…
fn identity_field(text: &str) -> Option<String> {
    for source in ["req.params.", "req.body.", "req.query."] {
        for (at, _) in text.match_indices(source) {
            let field: String = text[at + source.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let lower = field.to_ascii_lowercase().replace('_', "");
            let names_owner = ["user", "tenant", "owner", "account", "customer", "member"]
                .iter()
                .any(|w| lower.starts_with(w));
            if names_owner && lower.ends_with("id") {
                return Some(format!("{source}{field}"));
            }
        }
    }
    None
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // The service a production compose file builds and publishes.
    let Some((service, port)) = ctx
        .services()
        .filter(|s| s.kind == ServiceKind::Compose && s.build && !is_dev_compose(&s.file))
        .filter(|s| {
            s.exempt
                .as_deref()
                .is_none_or(|e| !e.starts_with("a development setup"))
        })
        .find_map(|s| {
            let port = s.compose.as_ref()?.ports.iter().find(|p| p.is_public())?;
            Some((s, port))
        })
    else {
        return Vec::new();
    };
    // Anything that may authenticate makes the rule silent.
    let authenticates = ctx.reachable_sources().any(|f| {
        ctx.facts(f).is_some_and(|facts| {
            facts.imports.iter().any(|i| {
                AUTH_PACKAGES
                    .iter()
                    .any(|p| i.specifier == *p || i.specifier.starts_with(&format!("{p}/")))
                    || i.specifier.starts_with("@clerk/")
            }) || facts.wiring.router_uses.iter().any(|u| {
                u.prefix.is_none() && u.target.as_deref().is_some_and(|t| !t.starts_with('.'))
                    || !u.middlewares.is_empty()
            })
        })
    });
    if authenticates {
        return Vec::new();
    }
    let routes = split(ctx, |w| &w.routes, |r| &r.owner);
    if routes.live.iter().any(|(_, r)| has_route_middleware(r)) {
        return Vec::new();
    }
    let trusting: Vec<(usize, &flightcheck_core::Route, String)> = routes
        .live
        .iter()
        .filter_map(|(file, r)| {
            let text = inline_handler_text(ctx, *file, r)?;
            identity_field(&text).map(|f| (*file, *r, f))
        })
        .collect();
    let Some((file, first, field)) = trusting.first() else {
        return Vec::new();
    };
    let n = trusting.len();
    let mut finding = Finding::new(
        &META,
        format!(
            "`{}` is published on port {} and {} {}{} act{} on the user named by the request (`{field}`) with no authentication anywhere",
            service.name,
            port.raw,
            first.method,
            first.path,
            if n > 1 { format!(" and {} more route{}", n - 1, if n == 2 { "" } else { "s" }) } else { String::new() },
            if n == 1 { "s" } else { "" }
        ),
    )
    .at(ctx.rel(*file), first.span)
    .key(format!("{} {}", service.file, service.name));
    for (f, r, field) in trusting.iter().take(4) {
        finding = finding.evidence(evidence_at(
            ctx,
            *f,
            r.span,
            format!("{} {} trusts `{field}`", r.method, r.path),
        ));
    }
    vec![
        finding
            .evidence(Evidence::at(
                &service.file,
                port.line,
                format!("- \"{}\"", port.raw),
                format!("`{}` published on every host interface", service.name),
            ))
            .evidence(Evidence::searched(
                "searched running code for route or router middleware and for authentication packages (jsonwebtoken, express-jwt, passport, sessions, @fastify/jwt, jose, firebase-admin, Clerk, basic auth): none",
            ))
            .impact("Anyone who reaches the port reads and changes every user's data by changing the id in the request.")
            .fix("Authenticate requests (session, signed token or a shared service secret) and take the user from the verified identity; or publish nothing (`expose:`) when only other containers call the service.")
            .verify("From outside the host, request another user's id: expect 401/403."),
    ]
}

#[cfg(test)]
mod tests {
    use super::identity_field;

    #[test]
    fn fields_that_name_an_owner() {
        assert_eq!(
            identity_field("db.orders(req.params.userId)").as_deref(),
            Some("req.params.userId")
        );
        assert_eq!(
            identity_field("{ owner: req.body.owner_id }").as_deref(),
            Some("req.body.owner_id")
        );
        assert_eq!(
            identity_field("req.query.tenantID").as_deref(),
            Some("req.query.tenantID")
        );
        assert!(identity_field("req.params.id").is_none());
        assert!(identity_field("req.body.userName").is_none());
    }
}
