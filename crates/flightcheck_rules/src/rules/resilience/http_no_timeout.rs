//! `resilience/http-no-timeout`: outbound HTTP calls that can wait forever.

use super::no_graceful_shutdown::{browser_path, off_service_path};
use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::resilience::TimeoutState;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/http-no-timeout",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "Outbound HTTP without a timeout",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 5,
    docs: r#"## What it does
Finds outbound HTTP calls in code an entry point runs that pass no timeout:
- Node: `fetch(url)` without `signal` (Node's fetch waits up to 300 s for headers and again
  for the body), node-fetch/cross-fetch without `signal`/`timeout` (no limit at all),
  axios calls and `axios.create()` instances without `timeout` (axios waits forever by
  default) unless `axios.defaults.timeout` is set in running code, got without `timeout`,
  undici `request` without `headersTimeout`/`bodyTimeout`/`signal` (low: 300 s defaults).
- Python: `requests.get/post/...` and calls on a `requests.Session()` of the same file
  without `timeout=` (requests never times out), `urllib.request.urlopen` without a
  timeout, `aiohttp.ClientSession()` without `timeout=` (low: aiohttp's default total is
  300 s), unless it is opened by `async with … as s:` and every request on `s` in that
  block passes its own `timeout=`.

Not flagged: httpx (5 s default), calls with `**kwargs` or an options object that cannot be
read (a variable, a spread), session calls in a file that mounts an adapter (a timeout
adapter may set it), browser code (`.jsx`/`.tsx`, `'use client'`), and SDK clients with
their own timeouts: Stripe (80 s), OpenAI and Anthropic (600 s, with retries), Twilio,
Telegram and Discord libraries.

## Why it breaks production
A slow or stuck upstream holds the request, the bot update or the worker forever. Handlers
pile up, connection pools and memory run out, and the whole service stops answering
because one partner API did.

## Flagged
```js
const { data } = await axios.get('https://api.rates.example/latest');
```
```python
r = requests.post(WEBHOOK_URL, json=payload)
```

## Not flagged
```js
await fetch(url, { signal: AbortSignal.timeout(5000) });
const api = axios.create({ baseURL, timeout: 5000 });
```
```python
requests.get(url, timeout=10)
httpx.get(url)   # 5 s default
```

## Fix
Pass a timeout on every call or on the client instance, short enough for the user to still
get an answer (a few seconds), and handle the timeout error.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let runs = |file: usize| {
        ctx.is_reachable(file)
            && !ctx.is_sample_code(file)
            && !off_service_path(ctx.rel(file))
            && !browser_path(ctx.rel(file))
    };
    // `axios.defaults.timeout = …` in running code covers calls through `axios` itself.
    let axios_default = ctx.reachable_sources().filter(|f| runs(*f)).any(|f| {
        ctx.facts(f)
            .is_some_and(|x| x.resilience.default_timeouts.iter().any(|c| c == "axios"))
    });
    let mut out = Vec::new();
    for file in ctx.reachable_sources().filter(|f| runs(*f)) {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for call in &facts.resilience.outbound {
            if !ctx.runs(file, &call.owner) {
                continue;
            }
            // A relative URL (`/api/config`) is a browser calling its own origin, unless it
            // goes through an axios instance with a `baseURL`.
            if call.instance.is_none() && call.url.as_deref().is_some_and(|u| u.starts_with('/')) {
                continue;
            }
            if call.client == "axios" && call.instance.is_none() && axios_default {
                continue;
            }
            let (severity, why) = match (call.timeout, call.client.as_str()) {
                (TimeoutState::Set | TimeoutState::SafeDefault, _) => continue,
                (TimeoutState::LongDefault, "aiohttp") => (
                    Severity::Low,
                    "`aiohttp.ClientSession()` without `timeout=`: every request may take up to aiohttp's 300 s default",
                ),
                (TimeoutState::LongDefault, _) => (
                    Severity::Low,
                    "undici `request` without `headersTimeout`/`bodyTimeout`: up to 300 s each by default",
                ),
                (TimeoutState::Missing, "fetch") => (
                    Severity::Medium,
                    "`fetch` without `signal`: Node waits up to 300 s for headers, then again for the body",
                ),
                (TimeoutState::Missing, "requests") => (
                    Severity::Medium,
                    "requests call without `timeout=`: requests waits forever by default",
                ),
                (TimeoutState::Missing, "node-fetch") => (
                    Severity::Medium,
                    "node-fetch call without `signal`/`timeout`: node-fetch waits forever by default",
                ),
                (TimeoutState::Missing, "got") => (
                    Severity::Medium,
                    "got call without `timeout`: got has no default timeout",
                ),
                (TimeoutState::Missing, "urllib") => (
                    Severity::Medium,
                    "`urlopen` without a timeout: it waits forever by default",
                ),
                (TimeoutState::Missing, "axios") => (
                    Severity::Medium,
                    if call.instance.is_some() {
                        "call through an axios instance created without `timeout`: axios waits forever by default"
                    } else {
                        "axios call without `timeout` (and no axios.defaults.timeout in running code): axios waits forever by default"
                    },
                ),
                (TimeoutState::Missing, _) => (
                    Severity::Medium,
                    "HTTP call without a timeout: this client waits forever by default",
                ),
            };
            let target = call
                .url
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| format!(" to `{}`", flightcheck_core::text::truncate(u, 60)))
                .unwrap_or_default();
            let place = call
                .function
                .as_deref()
                .map(|f| format!(" in `{f}`"))
                .unwrap_or_default();
            out.push(
                Finding::new(&META, format!("`{}`{target}{place}: {why}", call.via))
                    .severity(severity)
                    .at(ctx.rel(file), call.span)
                    .key(format!("{}:{}", call.via, call.url.as_deref().unwrap_or("")))
                    .evidence(evidence_at(ctx, file, call.span, "outbound call".into()))
                    .impact("A slow or stuck upstream holds this handler forever; requests pile up until the service stops answering.")
                    .fix("Pass a timeout (axios `timeout`, fetch `signal: AbortSignal.timeout(ms)`, requests `timeout=`, aiohttp `ClientTimeout`) and handle the timeout error.")
                    .verify("Point the URL at a server that never answers: the call fails after the timeout and the user gets an answer."),
            );
        }
    }
    out
}
