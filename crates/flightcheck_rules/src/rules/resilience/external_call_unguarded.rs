//! `resilience/external-call-unguarded`: a third-party API called from a request or bot
//! handler with no retry, circuit breaker or cached fallback.

use super::no_graceful_shutdown::{browser_path, off_service_path};
use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, FileFacts, Finding, FixKind, RuleMeta, Severity, WhenUnreachable,
};
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    id: "resilience/external-call-unguarded",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "Third-party API call on a handler path without retry, breaker or fallback",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Finds outbound HTTP calls to a third-party host (a literal `https://api.fxrates.io/...`
URL: rates, payments, SMS, LLM, calendar APIs) made with axios, fetch, node-fetch, got
(POST/PATCH only), requests or httpx, inside a function of a file that registers HTTP routes
or bot handlers, or of a file such a handler file imports (two hops), when none of these is
visible:
- a retry or circuit-breaker library imported anywhere in running code (p-retry,
  async-retry, axios-retry, retry-axios, promise-retry, fetch-retry, exponential-backoff,
  opossum, cockatiel; tenacity, backoff, stamina, retrying, pybreaker, aiobreaker,
  circuitbreaker, urllib3 `Retry`);
- a wrapper, decorator or enclosing function whose name says retry/backoff/breaker
  (`withRetry(() => fetch(url))`, `@retry(...)`), or a loop counting attempts around the
  call;
- a `catch`/`except` around the call that falls back to a cached value;
- a client that retries by default: got for GET/PUT/DELETE, an httpx transport with
  `retries=`, a requests session with a mounted adapter.

Not flagged: the official SDKs that retry by default (OpenAI and Anthropic: 2 retries;
Stripe: 1 retry in stripe-node v13+, 2 in recent stripe-python), URLs that are not literal
(read from config), localhost, private addresses and single-label hosts (`http://backend:8000`,
the project's own services), the Telegram and Discord APIs, calls made as the module loads
(startup), top-level functions only startup code uses (`main()`, `setup_*`, or module-level
code of the files importing them: `WEBHOOK_HOST = public_address()` in `config.py`), private
Python helpers (`_fetch_mirror`) their file refers to only from `except` handlers (they are
the fallback of an attempt that already failed), and code no handler reaches (CLI scripts,
tests, examples).

## Why it breaks production
Third-party APIs fail briefly all the time: a deploy, a 502 from their load balancer, a
rate limit. Without a retry the user's payment, booking or answer fails on the first blip,
and without a breaker a slow partner ties up every handler.

## Flagged
```js
app.get('/price', async (req, res) => {
  const { data } = await axios.get('https://api.fxrates.io/latest');
  res.json(data);
});
```
```python
@router.message(Command("pay"))
async def pay(message):
    async with httpx.AsyncClient() as client:
        await client.post("https://api.paygate.io/charge", json={...})
```

## Not flagged
```js
axiosRetry(axios, { retries: 3 });
await pRetry(() => fetch('https://api.fxrates.io/latest'), { retries: 3 });
```
```python
@retry(stop=stop_after_attempt(3), wait=wait_exponential())
async def charge(...): ...
```

## Fix
Retry idempotent calls with exponential backoff and jitter (axios-retry, p-retry, tenacity,
backoff), use an idempotency key for payments, add a circuit breaker (opossum, cockatiel,
pybreaker) for slow partners, and fall back to a cached value where a stale answer is
acceptable.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Retry and circuit-breaker libraries: one import in running code and the rule stays
/// silent, since calls may be wrapped where it cannot see (a shared HTTP helper).
const RETRY_LIBRARIES: [&str; 18] = [
    "p-retry",
    "async-retry",
    "axios-retry",
    "retry-axios",
    "promise-retry",
    "fetch-retry",
    "exponential-backoff",
    "opossum",
    "cockatiel",
    "tenacity",
    "backoff",
    "stamina",
    "retrying",
    "pybreaker",
    "aiobreaker",
    "circuitbreaker",
    "urllib3.util.retry",
    "urllib3.util",
];

/// Functions that run once at startup or from a CLI, not per user operation.
fn startup_function(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "main" | "init" | "setup" | "bootstrap" | "seed" | "migrate"
    ) || n.contains("startup")
        || n.starts_with("init_")
        || n.starts_with("setup")
        || n.starts_with("register")
}

/// A top-level function of this file used only by startup code of the same file
/// (`main()` calls `load_currencies()`): it runs once, not per user operation.
fn only_startup_uses(facts: &FileFacts, name: &str) -> bool {
    let mut users = facts
        .wiring
        .decl_uses
        .iter()
        .filter(|u| u.to == name)
        .peekable();
    users.peek().is_some() && users.all(|u| u.from.as_deref().is_some_and(startup_function))
}

/// A top-level Python function of `file` that nothing in its own file uses and that the
/// files importing it only call from startup code: module-level code
/// (`WEBHOOK_HOST = external_url()` in a config module) or startup functions. It runs
/// once, as the program starts.
fn only_imported_for_startup(ctx: &ProjectContext, file: usize, name: &str) -> bool {
    let Some(facts) = ctx.facts(file) else {
        return false;
    };
    if facts.wiring.decl_uses.iter().any(|u| u.to == name) {
        return false;
    }
    let mut users = 0;
    for importer in ctx.reachable_sources().filter(|i| *i != file) {
        let Some(f) = ctx.facts(importer) else {
            continue;
        };
        let takes = f.imports.iter().any(|i| {
            i.names.iter().any(|n| n == name) && ctx.resolved(importer, &i.specifier) == Some(file)
        });
        if !takes {
            continue;
        }
        for u in f.wiring.decl_uses.iter().filter(|u| u.to == name) {
            users += 1;
            let startup = match u.from.as_deref() {
                Some(function) => startup_function(function),
                None => f.wiring.import_time_calls.iter().any(|c| c == name),
            };
            if !startup {
                return false;
            }
        }
    }
    users > 0
}

/// The host of a literal `http(s)://host/...` URL when it is a third party: a dotted
/// public name, not localhost, a private address, an internal domain, or the chat
/// platforms' own APIs (bot frameworks call those).
pub(crate) fn third_party_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest
        .find(['/', ':', '?', '#', '$', '{'])
        .unwrap_or(rest.len());
    let host = &rest[..end];
    // A template cut mid-host (`https://api.${region}`) is not a known host.
    if host.is_empty() || host.ends_with('.') || host.ends_with('-') || !host.contains('.') {
        return None;
    }
    let lower = host.to_ascii_lowercase();
    if lower.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let internal = [
        ".local",
        ".internal",
        ".lan",
        ".svc",
        ".localhost",
        ".test",
        ".example",
    ];
    if lower == "localhost" || internal.iter().any(|s| lower.ends_with(s)) {
        return None;
    }
    let platforms = [
        "telegram.org",
        "discord.com",
        "discordapp.com",
        "discord.gg",
    ];
    if platforms
        .iter()
        .any(|p| lower == *p || lower.ends_with(&format!(".{p}")))
    {
        return None;
    }
    Some(host)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let runs = |file: usize| {
        ctx.is_reachable(file)
            && !ctx.is_sample_code(file)
            && !off_service_path(ctx.rel(file))
            && !browser_path(ctx.rel(file))
    };
    let running: Vec<usize> = ctx.reachable_sources().filter(|f| runs(*f)).collect();
    // Any retry/breaker library in running code: silent (precision first).
    let retry_library = running.iter().any(|&f| {
        ctx.facts(f).is_some_and(|x| {
            x.imports.iter().any(|i| {
                let spec = i.specifier.as_str();
                RETRY_LIBRARIES.contains(&spec)
                    || spec.starts_with("@lifeomic/attempt")
                    || (spec.starts_with("urllib3") && i.names.iter().any(|n| n == "Retry"))
            })
        })
    });
    if retry_library {
        return Vec::new();
    }
    // Files that register handlers, and what they register (for the message).
    let mut on_path: HashMap<usize, String> = HashMap::new();
    let mut roots: HashMap<usize, String> = HashMap::new();
    let mut handler_files = Vec::new();
    for &f in &running {
        let Some(facts) = ctx.facts(f) else { continue };
        let w = &facts.wiring;
        let what = if let Some(r) = w.routes.first() {
            let path = if r.path.is_empty() {
                "…"
            } else {
                r.path.as_str()
            };
            Some(format!("registers route {} {path}", r.method))
        } else if let Some(c) = w.commands.first() {
            Some(format!("registers bot command `{}`", c.command))
        } else {
            w.catch_all
                .first()
                .map(|c| format!("registers bot handler `{}`", c.via))
        };
        if let Some(what) = what {
            let desc = format!("`{}` {what}", ctx.rel(f));
            roots.insert(f, desc.clone());
            on_path.insert(f, desc);
            handler_files.push(f);
        }
    }
    // Modules handler files import, two hops deep: the services handlers call.
    let mut frontier = handler_files;
    for _ in 0..2 {
        let mut next = Vec::new();
        for f in frontier {
            let Some(facts) = ctx.facts(f) else { continue };
            // What the handler file at the start of the chain registers.
            let root = roots.get(&f).cloned().unwrap_or_default();
            for i in &facts.imports {
                if let Some(t) = ctx.resolved(f, &i.specifier)
                    && runs(t)
                    && !on_path.contains_key(&t)
                {
                    on_path.insert(t, format!("imported by `{}`; {root}", ctx.rel(f)));
                    roots.insert(t, root.clone());
                    next.push(t);
                }
            }
        }
        frontier = next;
    }
    let mut out: Vec<Finding> = Vec::new();
    for &file in &running {
        // One finding per host per file: the fix (a retrying client) is the same.
        let mut hosts: HashMap<&str, (usize, usize)> = HashMap::new();
        let Some(path) = on_path.get(&file) else {
            continue;
        };
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for call in &facts.resilience.outbound {
            if !call.in_function
                || call.guard.is_some()
                || !ctx.runs(file, &call.owner)
                || call.function.as_deref().is_some_and(startup_function)
                // Only a call made right in a top-level function: a class used by startup
                // code (`service = Service()` in `main`) still has methods handlers call.
                || call
                    .owner
                    .as_deref()
                    .filter(|o| call.function.as_deref() == Some(*o))
                    .is_some_and(|o| {
                        only_startup_uses(facts, o) || only_imported_for_startup(ctx, file, o)
                    })
            {
                continue;
            }
            let Some(url) = call.url.as_deref() else {
                continue;
            };
            let Some(host) = third_party_host(url) else {
                continue;
            };
            if let Some((at, extra)) = hosts.get_mut(host) {
                *extra += 1;
                // The first few repeats are named; more would drown the message.
                if *extra <= 3 {
                    out[*at].message.push_str(&format!(
                        "; same host also called by `{}` at line {}",
                        call.via, call.span.line
                    ));
                }
                continue;
            }
            hosts.insert(host, (out.len(), 0));
            let place = call
                .function
                .as_deref()
                .map(|f| format!("in `{f}`"))
                .unwrap_or_else(|| "in an anonymous function".to_string());
            let message = format!(
                "`{}` ({}) to third-party host `{host}` {place}, on a handler path ({path}): no retry/backoff, circuit breaker or cached fallback around it; searched the call's function, wrappers and loops, and {} running file(s) for retry/breaker libraries (p-retry, axios-retry, opossum, tenacity, backoff, pybreaker, …)",
                call.via,
                call.client,
                running.len()
            );
            out.push(
                Finding::new(&META, message)
                    .at(ctx.rel(file), call.span)
                    .key(format!("{}:{host}", call.via))
                    .evidence(evidence_at(ctx, file, call.span, "third-party call".into()))
                    .evidence(Evidence::searched(format!(
                        "no retry or circuit-breaker library imported in {} running file(s)",
                        running.len()
                    )))
                    .impact("One transient failure of the partner API (a 502, a rate limit, a deploy) fails the user's operation; a slow partner ties up every handler.")
                    .fix("Retry with exponential backoff and jitter (axios-retry, p-retry, tenacity, backoff), with an idempotency key for payments; add a circuit breaker (opossum, pybreaker) or a cached fallback where a stale answer is acceptable.")
                    .verify("Make the partner API fail once (a mock returning 502): the user's operation still succeeds."),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::third_party_host;

    #[test]
    fn hosts() {
        assert_eq!(
            third_party_host("https://api.rates.io/latest"),
            Some("api.rates.io")
        );
        assert_eq!(third_party_host("http://localhost:3000/x"), None);
        assert_eq!(third_party_host("http://backend:8000/x"), None);
        assert_eq!(third_party_host("http://10.0.0.2/x"), None);
        assert_eq!(third_party_host("https://api.telegram.org/bot"), None);
        assert_eq!(third_party_host("https://api."), None);
        assert_eq!(third_party_host("/api/x"), None);
        assert_eq!(third_party_host("https://svc.internal/x"), None);
    }
}
