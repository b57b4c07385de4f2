//! `resilience/swallowed-error`: an empty broad catch around I/O whose failure matters.

use super::no_graceful_shutdown::{browser_path, off_service_path};
use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/swallowed-error",
    severity: Severity::Medium,
    category: Category::Resilience,
    fix_kind: FixKind::Code,
    summary: "An empty catch / except: pass around I/O whose failure the caller needs to know",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Finds empty `catch {}` blocks and `except:` / `except Exception:` / `except BaseException:`
handlers whose body is only `pass` or `...`, in code an entry point runs, when the guarded
block does I/O whose failure the caller needs to know: database writes (`.save(`,
`.insert*(`, `.upsert(`, `.commit(`, `.execute(`, `.query(`, SQL `INSERT`/`UPDATE`), file
writes (`writeFile`, `.write(`, `json.dump(`), HTTP and payment calls (`fetch(`, axios,
`requests.`, `httpx.`, got, `.post(`/`.put(`, `stripe.`).

Also flagged, the "catch that only logs" variant, in a deliberately narrow form: a broad
`catch (e) { console.error(e) }` / `except Exception as e: logger.exception(...)` whose
body is only logging calls, around the same kinds of I/O, when the `try` is the last
statement of its function and ends with `return <value>`. After logging, the function
falls off its end and returns `undefined`/`None`, and callers that expected the value
carry on. Functions typed to return `Optional[...]`/`... | None`/`undefined`/`null` say
that on purpose and are not flagged; neither are handlers that also return, re-raise,
set state or reply; handlers in request handlers that reply "success" after logging are
not judged.

Not flagged (empty-handler form): a handler with anything in it (a rethrow, a return, setting state, even a
log line), a comment in the handler saying why, narrow exception classes
(`except FileNotFoundError`, `except KeyError`), `contextlib.suppress(...)`, and guarded
blocks that only send chat messages, delete messages, close or remove things, or parse
(`JSON.parse`): swallowing "user blocked the bot" or "already deleted" is a deliberate,
common choice. Browser code is not checked.

## Why it breaks production
The write failed, the payment call timed out, the file is half-written — and the code
carries on as if it succeeded. The user is told "saved", nothing is logged, and the data
loss is found weeks later.

## Flagged
```js
try { await db.orders.insertOne(order); } catch (e) {}
```
```python
try:
    session.commit()
except Exception:
    pass
```
```js
async function saveInvoice(invoice) {
  try {
    const res = await axios.post(BILLING_URL, invoice);
    return res.data.id;
  } catch (err) {
    console.error(err);          // the caller gets undefined as the invoice id
  }
}
```

## Not flagged
```python
try:
    await message.delete()
except Exception:
    pass                      # message may already be gone
try:
    os.unlink(tmp)
except FileNotFoundError:
    pass
```

## Fix
Let the error propagate, or handle it: log it with context, report it, tell the user, and
roll back or retry.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in ctx.reachable_sources() {
        let rel = ctx.rel(file);
        if ctx.is_sample_code(file) || off_service_path(rel) || browser_path(rel) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for s in &facts.resilience.swallowed {
            if !ctx.runs(file, &s.owner) {
                continue;
            }
            let place = s
                .function
                .as_deref()
                .map(|f| format!(" in `{f}`"))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "Empty broad catch{place} around I/O (`{}`): a failure is swallowed and the caller carries on as if it succeeded",
                        s.io.trim()
                    ),
                )
                .at(rel, s.span)
                .key(format!("{}:{}", s.function.as_deref().unwrap_or(""), s.io))
                .evidence(evidence_at(ctx, file, s.span, "empty handler".into()))
                .impact("Failed writes, payments or API calls go unnoticed: the user is told it worked and the data is lost.")
                .fix("Let the error propagate, or log it with context, report it and tell the user; catch only the specific error you expect.")
                .verify("Make the guarded call fail: the failure is logged/reported and the user sees an error."),
            );
        }
        for s in &facts.async_calls.logged_only {
            if !ctx.runs(file, &s.owner) {
                continue;
            }
            let place = s
                .function
                .as_deref()
                .map(|f| format!(" in `{f}`"))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "Broad catch{place} only logs (`{}`) around I/O (`{}`): the function returns a value on success but falls off its end on failure, so callers get nothing and carry on",
                        s.logger,
                        s.io.trim()
                    ),
                )
                .at(rel, s.span)
                .key(format!("log:{}:{}", s.function.as_deref().unwrap_or(""), s.io))
                .evidence(evidence_at(ctx, file, s.span, "handler only logs".into()))
                .impact("The failure is logged but the caller receives undefined/None as if it were a result and carries on: the user is told it worked.")
                .fix("Re-raise after logging, return an explicit error the callers check, or handle the failure (retry, tell the user).")
                .verify("Make the guarded call fail: the caller sees an error instead of an empty result."),
            );
        }
    }
    out
}
