//! `security/admin-handler-unauthorized`: admin routes that change data and check nobody.

use super::web_server::{has_route_middleware, inline_handler_text};
use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::HashMap;

mod bots;

pub static META: RuleMeta = RuleMeta {
    id: "security/admin-handler-unauthorized",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Admin routes that change data with no check of who calls them",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Node (Express-style routers and Fastify routes, whose route options `{ preHandler: … }`
count as middleware): reports a running `POST`/`PUT`/`PATCH`/`DELETE` route whose
full path has an `admin`, `refund`, `payout`, `withdraw` or `broadcast` segment — its own path joined with the prefix it is mounted under
(`app.use('/admin', adminRouter)` with `adminRouter` imported from the route's file) — when
nothing on the way checks the caller:
- no middleware on the route (`router.post('/x', requireAdmin, handler)`) or on the mount
  (`app.use('/admin', requireAdmin, adminRouter)`);
- no middleware its router or the mounting app applies to every route
  (`router.use(auth)`, `app.use(authenticate)`: any `use` of a name or member counts,
  since it may check);
- an inline handler that reads no session, user, header, cookie or token.
One finding per file of admin routes, with every route listed.

Not judged: handlers defined elsewhere (passed by name), routers mounted by a computed path
or a loader, programs with a Fastify hook (`addHook(...)`, which may check every route),
provider callbacks (`/webhooks/refund`: `security/webhook-unverified` judges those),
web frameworks other than Express-style routers and Fastify, and code nothing runs.

Bots (aiogram 3 and 2, pyTelegramBotAPI, python-telegram-bot): a running handler of a
command, a typed text or an inline button whose trigger or function name says it is for
admins (`admin…`, ban, unban, mute, kick, broadcast, mailing, refund, payout, promote), in a
bot that does check senders somewhere (another handler's filter or body, a router filter, a
helper), when nothing on its way can check the sender:
- no filter besides the trigger (`IsAdmin()`, `F.from_user.id.in_(ADMINS)`,
  `filters.User(...)`, any filter not known to be a trigger counts as a check) and no other
  decorator (`@admin_only`);
- no sender filter on its router (`router.message.filter(IsAdmin())`);
- no middleware that checks, or that the project does not define (a library's middleware
  may check; aiogram's own i18n and chat-action middlewares do not);
- no test of the sender, a role or an admin list in its body (`if uid not in ADMINS`,
  `if user.role != "admin"`, `get_chat_member`), and no call of a project helper that has one.
Handlers behind a conversation state (`@router.message(Form.text)`) are not judged: only an
earlier handler puts a user there. One finding per project lists the handlers; blocker when a
command or typed text reaches one, high when only inline-button callback data does (a client
must craft it). Discord and Node bots are not judged yet.

## Why it breaks production
An admin route is the most powerful door of the service: it adds and deletes products,
changes prices, bans users. With no check, anyone who finds the path — from the admin page's
HTML, a guessed `/admin/...` URL, or a scanner — can do all of it.

## Flagged
```js
// index.js
app.use('/admin', require('./routes/admin'));
// routes/admin.js
router.post('/products/delete', (req, res) => { products.remove(req.body.id); res.redirect('/admin'); });
```

```python
@router.message(Command("stats"), IsAdmin())
async def stats(message): ...

@router.message(Command("ban"))          # the filter was forgotten here
async def ban_user(message):
    storage.ban(int(message.text.split()[1]))
```

## Not flagged
```python
router = Router()
router.message.filter(IsAdmin())         # every handler of the router passes it

@router.message(Command("ban"))
async def ban_user(message): ...
```
```js
app.use('/admin', requireAdmin, require('./routes/admin'));
router.post('/products/delete', (req, res) => { if (req.session.role !== 'admin') return res.sendStatus(403); … });
```

## Fix
Put an authorisation middleware on the admin router (`router.use(requireAdmin)`) that
checks the logged-in user's role, and refuse with 403 before any change.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.all_wiring()
        .any(|(_, w)| !w.routes.is_empty() || !w.bot_handlers.is_empty())
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = check_routes(ctx);
    out.extend(bots::check(ctx));
    out
}

/// Words of an inline handler that show it looks at who is calling.
const IDENTITY_READS: [&str; 18] = [
    "req.session",
    "req.user",
    "request.session",
    "request.user",
    "request.headers",
    "request.cookies",
    "jwtVerify",
    "isAuthenticated",
    "req.headers",
    "req.header(",
    "req.get(",
    "req.cookies",
    "req.signedCookies",
    "authorization",
    "Authorization",
    "token",
    "Token",
    "apiKey",
];

/// A path with a segment that names what only an admin or the service itself may do:
/// `admin…`, `refund…`, `payout…`, `withdraw…`, `broadcast…`.
fn is_admin_path(path: &str) -> bool {
    path.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        ["admin", "refund", "payout", "withdraw", "broadcast"]
            .iter()
            .any(|p| s.starts_with(p))
    })
}

/// A `use` that may check every later route: a name or member, not a call such as
/// `express.json()` or `cors()`, and not a router mounted under a path.
fn may_guard(u: &flightcheck_core::wiring::RouterUse) -> bool {
    u.prefix.is_none() && u.target.as_deref().is_some_and(|t| !t.starts_with('.'))
}

fn check_routes(ctx: &ProjectContext) -> Vec<Finding> {
    // Prefixes each file of routers is mounted under, with whether the mount or the
    // mounting app adds a check.
    let mut mounts: HashMap<usize, Vec<(String, bool, usize, u32)>> = HashMap::new();
    let mut guarded_files: Vec<usize> = Vec::new();
    for (file, w) in ctx.wiring() {
        if w.router_uses.iter().any(may_guard) {
            guarded_files.push(file);
        }
        for u in &w.router_uses {
            let (Some(prefix), Some(target)) = (&u.prefix, &u.target) else {
                continue;
            };
            let specifier = if target.starts_with('.') {
                Some(target.as_str())
            } else {
                w.module_locals
                    .iter()
                    .find(|m| &m.local == target && m.imported.is_none())
                    .map(|m| m.specifier.as_str())
            };
            let Some(routes_file) = specifier.and_then(|s| ctx.resolved(file, s)) else {
                continue;
            };
            let checked = !u.middlewares.is_empty() || w.router_uses.iter().any(may_guard);
            mounts.entry(routes_file).or_default().push((
                prefix.clone(),
                checked,
                file,
                u.span.line,
            ));
        }
    }
    // A Fastify hook (`app.addHook('onRequest', authenticate)`) may check every route of
    // the instance and its plugins; which ones is not followed, so such a program is not
    // judged.
    if ctx.reachable_sources().any(|f| {
        ctx.files[f]
            .text
            .as_deref()
            .is_some_and(|t| t.contains(".addHook("))
    }) {
        return Vec::new();
    }
    let routes = split(ctx, |w| &w.routes, |r| &r.owner);
    let mut by_file: HashMap<usize, Vec<(String, &flightcheck_core::Route)>> = HashMap::new();
    for (file, r) in &routes.live {
        if !matches!(r.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
            continue;
        }
        // Routers of a file that applies a check of its own (`router.use(auth)`).
        if guarded_files.contains(file) {
            continue;
        }
        let file_mounts = mounts.get(file);
        if file_mounts.is_some_and(|m| m.iter().any(|(_, checked, _, _)| *checked)) {
            continue;
        }
        let full = match file_mounts.and_then(|m| m.first()) {
            Some((prefix, ..)) => format!("{}{}", prefix.trim_end_matches('/'), r.path),
            None => r.path.clone(),
        };
        // A provider's callback (`/webhooks/refund`) is the webhook rule's to judge.
        if !is_admin_path(&full)
            || has_route_middleware(r)
            || crate::rules::security::webhook_unverified::is_callback_path(&full)
        {
            continue;
        }
        let Some(text) = inline_handler_text(ctx, *file, r) else {
            continue;
        };
        if IDENTITY_READS.iter().any(|w| text.contains(w)) {
            continue;
        }
        by_file.entry(*file).or_default().push((full, r));
    }
    let mut files: Vec<usize> = by_file.keys().copied().collect();
    files.sort_by_key(|f| ctx.rel(*f));
    let mut out = Vec::new();
    for file in files {
        let list = &by_file[&file];
        let Some((first_path, first)) = list.first() else {
            continue;
        };
        let n = list.len();
        let mut finding = Finding::new(
            &META,
            format!(
                "{} {first_path}{} change{} data only an admin may change (admin, refund, payout, withdrawal or broadcast) and nothing checks who calls {}",
                first.method,
                if n > 1 {
                    format!(
                        " and {} more such route{}",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    )
                } else {
                    String::new()
                },
                if n == 1 { "s" } else { "" },
                if n == 1 { "it" } else { "them" }
            ),
        )
        .at(ctx.rel(file), first.span)
        .key(format!("{}:admin", ctx.rel(file)));
        for (path, r) in list.iter().take(5) {
            finding = finding.evidence(evidence_at(
                ctx,
                file,
                r.span,
                format!(
                    "{} {path}: no middleware, the handler reads no session, user or token",
                    r.method
                ),
            ));
        }
        if let Some(m) = mounts.get(&file).and_then(|m| m.first()) {
            finding = finding.evidence(evidence_at(
                ctx,
                m.2,
                flightcheck_core::Span::line(m.3),
                format!("mounted under `{}` with no middleware", m.0),
            ));
        }
        out.push(
            finding
                .evidence(Evidence::searched(
                    "searched the route, its mount and every `use(...)` of the router and the mounting app for a check (middleware by name or member), and the inline handlers for session, user, header, cookie or token reads: none",
                ))
                .impact("Anyone who finds the URL can do what an admin does: change or delete products, prices, users.")
                .fix("Add an authorisation middleware to the admin router (`router.use(requireAdmin)`) that checks the logged-in user's role and answers 403.")
                .verify("Without logging in, POST to the admin route: expect 401/403 and no change."),
        );
    }
    out
}
