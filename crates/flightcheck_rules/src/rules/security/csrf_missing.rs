//! `security/csrf-missing`: a cookie-session web app with state-changing routes and no CSRF
//! protection.

use super::web_server::{browser_routes, imported, mentioned};
use crate::bots::{evidence_at, searched};
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Finding, FixKind, Framework, Language, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "security/csrf-missing",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A cookie/session-authenticated web app with state-changing routes and no CSRF protection",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 45,
    docs: r#"## What it does
Sign-in, sign-out and sign-up routes are not counted (login CSRF is a minor risk), and when
every state-changing route is an inline handler with no middleware before it that never
reads the session or the logged-in user, nothing is reported: anyone can call such routes
directly, so the defect is missing authentication, not CSRF.

Applies only to web apps that keep the login in a cookie session: running code imports
`express-session`, `cookie-session`, `koa-session`, `@fastify/session`,
`@fastify/secure-session`, or `flask_login` / Flask's `session`; or a Django settings file
lists `SessionMiddleware` in `MIDDLEWARE` without `CsrfViewMiddleware`. When such an app has
running POST/PUT/PATCH/DELETE routes (webhooks excluded), it looks for CSRF protection:
`csurf`, `csrf-csrf`, `csrf-sync`, `lusca`, `tiny-csrf`, `@fastify/csrf-protection`,
`koa-csrf`, Flask-WTF (`CSRFProtect`, `FlaskForm`), Flask-SeaSurf, or any hand-written token
check that mentions CSRF in running code.

High by default; medium when a Node app parses only JSON bodies (a cross-site form cannot
send one), or when the session cookie is set `sameSite: 'strict'|'lax'`
(`SESSION_COOKIE_SAMESITE`), which stops most cross-site posts but not same-site ones or
top-level GET-triggered changes. Django with its default `CsrfViewMiddleware` and
token-only APIs (`Authorization: Bearer`, no session library) are not flagged.

## Why it breaks production
The browser sends the session cookie with every request to the site, including a form that
another site posts in a hidden frame. Without a token the app cannot tell the user's own
click from the attacker's page: password and email changes, transfers and deletions run as
the logged-in victim.

## Flagged
```js
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post('/account/email', requireLogin, updateEmail);
```

## Not flagged
```js
const { doubleCsrf } = require('csrf-csrf');
const { doubleCsrfProtection } = doubleCsrf({ getSecret: () => process.env.CSRF_SECRET });
app.use(doubleCsrfProtection);
```
```python
csrf = CSRFProtect(app)      # Flask-WTF
```

## Fix
Add CSRF tokens (csrf-csrf / csrf-sync for express, `@fastify/csrf-protection`, Flask-WTF's
`CSRFProtect`, Django's `CsrfViewMiddleware`), and set the session cookie `sameSite: 'lax'`
(or `strict`) and `secure`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

const SESSION_PACKAGES: &[&str] = &[
    "express-session",
    "cookie-session",
    "koa-session",
    "koa-generic-session",
    "@fastify/session",
    "@fastify/secure-session",
    "@fastify/cookie-session",
    "fastify-session",
    "flask_login",
    "flask_session",
];

const CSRF_PACKAGES: &[&str] = &[
    "csurf",
    "csrf-csrf",
    "csrf-sync",
    "lusca",
    "tiny-csrf",
    "@fastify/csrf-protection",
    "koa-csrf",
    "@dr.pogodin/csurf",
    "flask_wtf",
    "flask_seasurf",
    "wtforms",
];

/// Packages that parse form or multipart bodies, the ones a cross-site form can send.
const FORM_PARSERS: &[&str] = &[
    "multer",
    "formidable",
    "busboy",
    "connect-busboy",
    "express-fileupload",
    "@fastify/formbody",
    "@fastify/multipart",
    "koa-body",
    "koa-bodyparser",
];

/// Sign-in, sign-out and sign-up routes: a forged login (login CSRF) is a minor risk, not
/// the forged state change this rule is about.
fn is_login_route(path: &str) -> bool {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "login"
            | "logout"
            | "signin"
            | "signout"
            | "signup"
            | "register"
            | "sign-in"
            | "sign-up"
            | "sign-out"
            | "log-in"
            | "log-out"
    )
}

/// Whether a route's handler relies on the session: `Some(true)` when middleware sits
/// before it or its inline handler reads the session or the logged-in user, `Some(false)`
/// for an inline handler that does neither, `None` when the handler is defined elsewhere.
fn session_guarded(ctx: &ProjectContext, file: usize, r: &flightcheck_core::Route) -> Option<bool> {
    if super::web_server::has_route_middleware(r) {
        return Some(true);
    }
    let text = super::web_server::inline_handler_text(ctx, file, r)?;
    Some(
        [
            "req.session",
            "req.user",
            "isAuthenticated",
            "request.session",
            "request.user",
            "ctx.session",
            "ctx.state.user",
        ]
        .iter()
        .any(|w| text.contains(w)),
    )
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let session = session_evidence(ctx);
    let Some((session_file, session_line, session_how)) = session else {
        return Vec::new();
    };
    let state_changing = |r: &flightcheck_core::Route| {
        (matches!(r.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            || (r.framework == Framework::Django && r.method == "ALL"))
            && !is_login_route(&r.path)
    };
    let Some(public) = browser_routes(ctx, state_changing) else {
        return Vec::new();
    };
    // CSRF rides a session that authorises something. When every state-changing route is an
    // inline handler that neither sits behind a middleware nor reads the session's user,
    // anyone can call it directly: the defect is missing authentication, not CSRF.
    if public
        .routes
        .iter()
        .all(|(file, r)| session_guarded(ctx, *file, r) == Some(false))
    {
        return Vec::new();
    }
    if imported(ctx, CSRF_PACKAGES).is_some() {
        return Vec::new();
    }
    // A hand-written token check names itself (`csrfToken`, `X-CSRF-Token`, `_csrf`).
    if mentioned(ctx, &["csrf", "CSRF", "Csrf", "xsrf", "XSRF"], false).is_some() {
        return Vec::new();
    }
    let same_site = mentioned(
        ctx,
        &[
            "sameSite: 'lax'",
            "sameSite: 'strict'",
            "sameSite: \"lax\"",
            "sameSite: \"strict\"",
            "sameSite: 'Lax'",
            "sameSite: 'Strict'",
            "SESSION_COOKIE_SAMESITE",
            "samesite=\"Lax\"",
            "samesite=\"Strict\"",
        ],
        true,
    );
    let (file, route) = public.routes[0];
    let n = public.routes.len();
    let mut finding = Finding::new(
        &META,
        format!(
            "Cookie-session app ({session_how}) with {n} state-changing route{} and no CSRF protection",
            if n == 1 { "" } else { "s" }
        ),
    )
    .at(ctx.rel(file), route.span)
    .key("csrf-missing")
    .evidence(evidence_at(
        ctx,
        file,
        route.span,
        format!("{} {} changes state with the session cookie alone", route.method, route.path),
    ))
    .evidence(flightcheck_core::Evidence::at(
        ctx.rel(session_file),
        session_line,
        ctx.snippet(session_file, session_line),
        format!("the login lives in a cookie session ({session_how})"),
    ))
    .evidence(searched(
        ctx,
        &public.frameworks,
        "csurf, csrf-csrf, csrf-sync, lusca, tiny-csrf, @fastify/csrf-protection, koa-csrf, Flask-WTF, Flask-SeaSurf, CsrfViewMiddleware and any csrf/xsrf token check",
    ))
    .impact("Another site can make the logged-in user's browser post forms to the app: settings, transfers and deletions run as the victim.")
    .fix("Add CSRF tokens (csrf-csrf/csrf-sync, @fastify/csrf-protection, Flask-WTF CSRFProtect, Django CsrfViewMiddleware) and a sameSite=lax session cookie.")
    .verify("From a page on another origin, auto-submit a form to a state-changing route while logged in: expect 403.");
    // A Node app whose only body parser is JSON: a cross-site form can send only
    // urlencoded, multipart or text/plain bodies, which such routes never see parsed (and a
    // JSON body from another origin needs a CORS preflight). Routes that act without a
    // body stay exposed, so the risk is lower, not gone.
    let node_only = public
        .frameworks
        .iter()
        .all(|f| matches!(f, Framework::Express | Framework::Fastify | Framework::Koa));
    let json_only = node_only
        && mentioned(ctx, &["json("], false).is_some()
        && mentioned(
            ctx,
            &["urlencoded(", ".text(", "formBody", "form-body"],
            false,
        )
        .is_none()
        && imported(ctx, FORM_PARSERS).is_none();
    if json_only && same_site.is_none() {
        finding = finding.severity(Severity::Medium).evidence(searched(
            ctx,
            &public.frameworks,
            "urlencoded, multipart and text body parsers (none: the app parses only JSON, which a cross-site form cannot send, so medium, not high; routes that act without a body remain exposed)",
        ));
    }
    if let Some((f, line, what)) = same_site {
        finding = finding
            .severity(Severity::Medium)
            .evidence(flightcheck_core::Evidence::at(
                ctx.rel(f),
                line,
                ctx.snippet(f, line),
                format!("`{what}` limits cross-site cookies: reduces, does not remove, the risk"),
            ));
    }
    vec![finding]
}

/// Where the app keeps its login in a cookie session: a session library imported by
/// running code, Flask's `session`, or Django settings without the CSRF middleware.
fn session_evidence(ctx: &ProjectContext) -> Option<(usize, u32, String)> {
    if let Some((file, span, spec)) = imported(ctx, SESSION_PACKAGES) {
        return Some((file, span.line, format!("`{spec}`")));
    }
    for file in ctx.reachable_sources() {
        if ctx.language(file) != Some(Language::Python) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for import in &facts.imports {
            if import.specifier == "flask" && import.names.iter().any(|n| n == "session") {
                return Some((file, import.span.line, "Flask `session`".to_string()));
            }
        }
    }
    // Django: the CSRF middleware is on by default; only a MIDDLEWARE list that keeps
    // sessions and drops it is unprotected.
    for &file in &ctx.sources {
        if ctx.language(file) != Some(Language::Python) {
            continue;
        }
        let Some(text) = ctx.files[file].text.as_deref() else {
            continue;
        };
        if let Some(at) = text.find("django.contrib.sessions.middleware.SessionMiddleware")
            && !text.contains("django.middleware.csrf.CsrfViewMiddleware")
            && text.contains("MIDDLEWARE")
        {
            let line = text[..at].matches('\n').count() as u32 + 1;
            return Some((
                file,
                line,
                "Django SessionMiddleware without CsrfViewMiddleware".to_string(),
            ));
        }
    }
    None
}
