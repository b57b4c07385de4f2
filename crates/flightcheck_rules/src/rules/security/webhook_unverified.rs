//! `security/webhook-unverified`: a callback route that does not verify its sender, or only
//! when a secret happens to be set.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::env_keys::is_secret_key;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Route, RuleMeta, Severity, Verification, WhenUnreachable,
};
use flightcheck_project::EnvRole;

pub static META: RuleMeta = RuleMeta {
    id: "security/webhook-unverified",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A webhook or payment-callback route that does not verify the sender (or fails open)",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 45,
    docs: r#"## What it does
Finds running HTTP routes that receive third-party callbacks — paths with `webhook`,
`callback`, `hook` or `ipn` anywhere, a `notify` segment (`/notify`, `/alipay_notify`), or
ending in a provider's name (`/stripe`, `/api/paypal`, `/twilio`, `/github`, `/telegram`) —
that no login, role or API-key middleware guards, and looks in the handler (and its middleware) for sender verification before
it acts: an HMAC compared with `timingSafeEqual` / `hmac.compare_digest`,
`stripe.webhooks.constructEvent`, Twilio `validateRequest`, a secret-token header compared,
a `verify…Signature`-style call, any constant-time comparison (`crypto.timingSafeEqual`, a
project's own `timingSafeEquals`/`safeCompare` helper, even one handed to the router), an
`if` on a value the request carries (a path parameter, `req.get('x-key')`, a header) that
answers 401 or 403 (JS), a call (in Python) whose failure the handler turns into a refusal
(`try: handle(payload, signature=sig) except ValueError: raise HTTPException(400)`) of a
project module that checks an HMAC, a value the handler recomputes from something the
request did not supply (its key) compared with one the request carries (`expected =
sign(KEY + data + KEY)` … `if expected == signature:`, Python), or verifying middleware
mounted on the route. A JavaScript handler is verified, too, when it
passes what the request carries to a call inside a `try` whose `catch` answers 401/403 (the
callee throws when the secret does not match). A check that
runs only inside `if (secret) { ... }`, or as the second half of `if (expected && provided
!== expected)`, or under `if self.secret and self.client:` (Python), fails open: with the secret unset (an empty env var)
every request is accepted. A missing check is a blocker; a fail-open check is high (with the
secret set, as a configured deploy sets it, the check runs), and a blocker when the
project's production env file (`.env.production`) leaves a secret the route's file reads
empty. Routes the site's own pages
call (`/create-payment-intent`, `/stripe/checkout`) are not callback receivers: a browser has
no signature to send. A Python route whose path carries a key (`/webhook/<hook_key>`) that
the handler passes to a lookup and refuses with 401/403 when nothing is found (`if not row:
return …, 403`) is verified: the URL is a per-user secret checked against the stored keys.
A Python handler that hands the payment id to a helper of its module
that asks the provider's SDK first and leaves without acting when the answer is no (`paid =
await is_succeeded(id)` … `if not paid: return`) re-reads the state from the provider and
is not reported. A Python handler that only reads, logs and answers the request (it
calls nothing but loggers, body readers, dict accessors, conversions and response
constructors, and writes no shared state) acts on nothing a forged call could abuse: a
stub waiting for its logic is not reported. A value fetched with no arguments and never
read (`db = get_db()` in a stub) is not an act either. A JS handler that shows no check but hands the
request object itself to a call the scan cannot follow (`await
this.providers[name].handleWebhook(req)`, an imported `handle(req, res)`) is medium: the
check may happen there, so the finding asks to confirm it. A route whose handler hands the update to a chat bot's dispatcher (`dp.feed_update`,
`application.process_update`, `bot.handleUpdate(req.body)`) and checks nothing is a
Telegram webhook without its secret token: `bot/webhook-secret-missing` reports it (a check
that fails open is still reported here). `stripe.Event.construct_from`
builds an event from the body and verifies nothing (Stripe's check is
`stripe.Webhook.construct_event`), even inside `try`/`except SignatureVerificationError`.

## Why it breaks production
Anyone who finds the URL can post `{"status": "succeeded"}` and get goods, bookings or
credits for free, or drive the bot with forged updates.

## Flagged
```js
router.post('/webhook/payment', async (req, res) => {
  const secret = process.env.PAYMENT_WEBHOOK_SECRET;
  if (secret) {
    if (!hasValidSignature(req, secret)) return res.sendStatus(401);
  } else {
    console.warn('secret not set, skipping signature check');
  }
  await markPaid(req.body.payment_id);
});
```

## Not flagged
```js
router.post('/webhook/stripe', express.raw({ type: 'application/json' }), (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.get('stripe-signature'), secret);
  ...
});
```
```python
@app.post("/webhook/yookassa")
async def notification(request: Request):
    payment = await fetch_payment((await request.json())["object"]["id"])  # the provider's API
    if not payment or payment.get("status") != "succeeded":
        return JSONResponse({"ok": False}, status_code=400)
    ...
```
Python handlers are verified, too, when they refuse the request unless the client address
passes a check (an allowlist of the provider's networks, read from `request.client.host`
or a forwarding header, directly or through a helper of the module), or unless the status
of the payment read back from the provider says it succeeded: a payment SDK's call, or a
function imported from a project module that calls an HTTP API or a payment SDK (YooKassa
signs nothing; its documentation asks for exactly these checks). A status compared against
the project's own records does not count: the caller can be the user who created the order.
A Python route whose handler another module defines is judged by that handler's code,
followed through the import that names it: an imported function (`on_payment`), a function
of an imported module (`webhooks.on_payment`), or a method of an instance of an imported
class (`handler.on_payment` with `handler = WebhookHandler(…)`, as aiohttp apps register
them in `on_startup`). A handler that cannot be followed is not judged. A check in a method
the handler calls on `self` (`if not self.signature_ok(body, sig): return 401`) counts, when
exactly one class of the module defines that method.
A JavaScript handler that refuses the caller (401/403) when a value the request carries
differs from what it expects is verified, also when the value reaches the test through the
handler's locals (`const { sign } = req.body; … if (sign !== expected) return
res.status(403)`, a digest the handler recomputes from the fields and a secret).

## Fix
Verify unconditionally: refuse to start without the secret, and reject requests whose
signature does not match (constant-time compare of an HMAC over the raw body).
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Words that name a callback receiver wherever they appear in a path. `notify` and
/// `notification` name the app's own "send a notification" actions far more often
/// (`/notify-pool`, `/team-notifications/send`); a payment provider's notify URL is the
/// segment `notify` or ends in `_notify`/`-notify` (see [`is_callback_path`]).
const CALLBACK_WORDS: &[&str] = &["webhook", "callback", "hook", "ipn"];

/// Providers that call back. Their name makes a receiver only as a whole path segment
/// (`/stripe`, `/api/twilio`): `/create-payment-intent` or `/stripe/checkout-session` are
/// called by the site's own browser code, which has no signature to send.
const PROVIDERS: &[&str] = &[
    "stripe",
    "paypal",
    "yookassa",
    "twilio",
    "github",
    "gitlab",
    "telegram",
    "monero",
    "coinbase",
    "lemonsqueezy",
    "paddle",
];

/// Paths that receive calls from a third party.
pub fn is_callback_path(path: &str) -> bool {
    // Path parameters are names of values, not of the route: `/{notification_type}/preview`
    // is not a notification receiver.
    let p = path
        .to_ascii_lowercase()
        .split('/')
        .filter(|seg| !(seg.starts_with('{') || seg.starts_with('<') || seg.starts_with(':')))
        .collect::<Vec<_>>()
        .join("/");
    if p.contains("/auth/") {
        return false; // OAuth redirect callbacks are GETs of the user's browser
    }
    CALLBACK_WORDS.iter().any(|w| p.contains(w))
        || p.split('/')
            .any(|seg| seg == "notify" || seg.ends_with("_notify") || seg.ends_with("-notify"))
        || p.rsplit('/')
            .find(|seg| !seg.is_empty())
            .is_some_and(|last| PROVIDERS.contains(&last))
}

/// A route its own middleware, decorators or dependencies authenticate (`@login_required`,
/// `@role_required(...)`, `Depends(get_current_user)`, `requireAuth`, `passport.authenticate`,
/// an API-key check): the caller is a logged-in user or a client holding a key, not an
/// anonymous third party, so it is not an unverified webhook.
fn authenticated(r: &Route) -> bool {
    r.middlewares.iter().any(|m| {
        // The callee of `require_permission("orders.update")`, not a piece of its argument.
        let callee = m.split('(').next().unwrap_or(m);
        let name = callee
            .rsplit(['.', '/'])
            .next()
            .unwrap_or(callee)
            .to_ascii_lowercase();
        let name = if name.is_empty() {
            m.to_ascii_lowercase()
        } else {
            name
        };
        [
            "login_required",
            "auth",
            "jwt",
            "role",
            "permission",
            "admin",
            "current_user",
            "token_required",
            "api_key",
            "apikey",
            "logged_in",
            "loggedin",
        ]
        .iter()
        .any(|w| name.contains(w))
    })
}

/// A secret-like key the route's file reads that a production env file of the project sets
/// to an empty value: `(env file, line, key)`.
fn empty_in_production<'a>(
    ctx: &ProjectContext<'a>,
    file: usize,
) -> Option<(&'a str, u32, &'a str)> {
    ctx.env_files
        .iter()
        .filter(|env| env.role == EnvRole::Production)
        .find_map(|env| {
            env.parsed.entries.iter().find_map(|e| {
                let last = env.parsed.get(&e.key).is_none_or(|l| l.line == e.line);
                (last
                    && e.value.trim().is_empty()
                    && is_secret_key(&e.key)
                    && ctx.env_reads_of(&e.key).iter().any(|(f, _)| *f == file))
                .then_some((env.rel.as_str(), e.line, e.key.as_str()))
            })
        })
}

/// Payment SDKs whose client reads a payment back from the provider.
const PAYMENT_SDKS: [&str; 7] = [
    "yookassa",
    "stripe",
    "paypalrestsdk",
    "paypalcheckoutsdk",
    "aiocryptopay",
    "yoomoney",
    "cloudpayments",
];

/// The first callee in `callees` (called by a handler of `file`, which refuses the request
/// unless the returned status is right) that asks the payment provider: a payment SDK's
/// client, or a function imported from a project module that calls an HTTP API or a payment
/// SDK. Such a handler treats the body as a trigger and trusts only the provider's answer;
/// for YooKassa, which signs nothing, this is the documented verification.
/// The first callee that asks the provider: a payment SDK, or (unless `answer_only`: only
/// the callee's truth was tested) a project module that makes outbound calls or checks an
/// HMAC.
fn confirmed_by_provider(
    ctx: &ProjectContext,
    file: usize,
    callees: &[String],
    answer_only: bool,
) -> Option<String> {
    let facts = ctx.facts(file)?;
    let sdk = |spec: &str| {
        let root = spec.trim_start_matches('.').split('.').next().unwrap_or("");
        PAYMENT_SDKS.contains(&root)
    };
    callees.iter().find_map(|callee| {
        // `stripe.Event.construct_from(payload, …)` builds an object from the body the
        // request carries; it asks the provider nothing and checks no signature.
        let last = callee.rsplit('.').next().unwrap_or(callee);
        if matches!(
            last,
            "construct_from" | "construct" | "parse_obj" | "model_validate" | "from_dict"
        ) {
            return None;
        }
        let root = callee.split('.').next().unwrap_or(callee);
        let import = facts.imports.iter().find(|i| {
            i.names.iter().any(|n| n == root)
                || (i.names.is_empty()
                    && (i.specifier == root || i.specifier.rsplit('.').next() == Some(root)))
        });
        match import {
            Some(i) if sdk(&i.specifier) => Some(callee.clone()),
            Some(i) => {
                let target = ctx.facts(ctx.resolved(file, &i.specifier)?)?;
                // A project module that calls the provider, or one that checks an HMAC
                // (`hmac.compare_digest` over the payload and the signature header).
                ((!answer_only && !target.resilience.outbound.is_empty())
                    || target
                        .imports
                        .iter()
                        .any(|t| sdk(&t.specifier) || t.specifier == "hmac"))
                .then(|| callee.clone())
            }
            // Defined in this file: it must call out itself.
            None => (!answer_only
                && facts
                    .resilience
                    .outbound
                    .iter()
                    .any(|o| o.owner.as_deref() == Some(root)))
            .then(|| callee.clone()),
        }
    })
}

fn in_scope(r: &Route) -> bool {
    // A Telegram webhook receiver (the handler feeds the update to the bot's dispatcher)
    // that checks nothing is `bot/webhook-secret-missing`'s finding, not a second, louder
    // one here; a secret check that fails open is judged here like any other.
    (r.feeds_bot.is_none() || !matches!(r.verification, Verification::None))
        && matches!(r.method.as_str(), "POST" | "ALL" | "PUT")
        && is_callback_path(&r.path)
        && (r.reads_body || r.elsewhere.is_some())
        && !authenticated(r)
}

/// How a route checks its sender, judged from the handler's code: the route's own facts, or
/// for a handler another module defines (Python), that module's verdict on the function,
/// found through the import that names it. `None` when the handler cannot be followed or
/// does not read the request: then the route is not judged.
struct Judged<'a> {
    verification: &'a Verification,
    confirmed_by: &'a [String],
    confirmed_by_answer: &'a [String],
    /// The file whose imports the confirming callees resolve through.
    confirm_file: usize,
    /// The handler's definition in another file.
    handler_at: Option<(usize, u32, &'a str)>,
}

fn judged<'a>(ctx: &'a ProjectContext, file: usize, r: &'a Route) -> Option<Judged<'a>> {
    let Some(handler) = &r.elsewhere else {
        return Some(Judged {
            verification: &r.verification,
            confirmed_by: &r.confirmed_by,
            confirmed_by_answer: &r.confirmed_by_answer,
            confirm_file: file,
            handler_at: None,
        });
    };
    let target = ctx.resolved(file, &handler.specifier)?;
    let verdict = ctx
        .facts(target)?
        .wiring
        .handler_verdicts
        .iter()
        .find(|v| v.name == handler.name)?;
    Some(Judged {
        verification: &verdict.verification,
        confirmed_by: &verdict.confirmed_by,
        confirmed_by_answer: &verdict.confirmed_by_answer,
        confirm_file: target,
        handler_at: Some((target, verdict.line, handler.name.as_str())),
    })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let routes = split(ctx, |w| &w.routes, |r| &r.owner);
    let mut out = Vec::new();
    for (file, r) in routes.live.iter().filter(|(_, r)| in_scope(r)) {
        let Some(judged) = judged(ctx, *file, r) else {
            continue;
        };
        let (message, note, severity) = match judged.verification {
            Verification::Verified(_) => continue,
            // With the secret set (what a configured deploy does) the check runs: the break
            // needs a missing env var too, so it is high, not a blocker, unless the
            // production env file of the project leaves a secret this file reads empty.
            Verification::FailOpen(how) => (
                format!(
                    "{} {} verifies the sender only when a secret is set; otherwise it accepts the request (fail-open)",
                    r.method, r.path
                ),
                format!("fail-open: {how}"),
                if empty_in_production(ctx, *file).is_some() {
                    META.severity
                } else {
                    Severity::High
                },
            ),
            Verification::None
                if confirmed_by_provider(ctx, judged.confirm_file, judged.confirmed_by, false)
                    .or_else(|| {
                        confirmed_by_provider(
                            ctx,
                            judged.confirm_file,
                            judged.confirmed_by_answer,
                            true,
                        )
                    })
                    .is_some() =>
            {
                continue;
            }
            // The request object goes whole to a call this file cannot follow (a provider
            // object picked at run time, an imported handler): the check may happen there.
            Verification::None if r.delegated_to.is_some() => (
                format!(
                    "{} {} shows no sender verification; it hands the request to `{}(…)`, which could not be followed",
                    r.method,
                    r.path,
                    r.delegated_to.as_deref().unwrap_or("")
                ),
                "medium, not blocker: no signature or secret check in the handler or its middleware, but the request object goes whole to a call whose code could not be followed; confirm that it verifies the signature".to_string(),
                Severity::Medium,
            ),
            Verification::None => (
                format!(
                    "{} {} acts on the request without verifying the sender",
                    r.method, r.path
                ),
                "no signature or secret check in the handler or its middleware".to_string(),
                META.severity,
            ),
        };
        let mut finding = Finding::new(&META, message).severity(severity);
        if let Verification::FailOpen(_) = judged.verification
            && let Some((env, line, key)) = empty_in_production(ctx, *file)
        {
            finding = finding.evidence(Evidence::at(
                env,
                line,
                format!("{key}="),
                format!("blocker: the production env file leaves `{key}` empty, so in production the check is skipped"),
            ));
        }
        let mut finding = finding
            .at(ctx.rel(*file), r.span)
            .key(format!("{} {}", r.method, r.path))
            .evidence(evidence_at(ctx, *file, r.span, note));
        if let Some((target, line, name)) = judged.handler_at {
            finding = finding.evidence(evidence_at(
                ctx,
                target,
                flightcheck_core::Span::line(line),
                format!("the handler `{name}`, followed through the import"),
            ));
        }
        out.push(
            finding
                .impact("Anyone who finds the URL can forge callbacks: mark orders paid, confirm bookings, inject updates.")
                .fix("Verify the signature unconditionally (HMAC over the raw body, constant-time compare) and refuse to start without the secret.")
                .verify(format!("POST a forged body to {} without a valid signature: expect 401 and no state change.", r.path)),
        );
    }
    out
}
