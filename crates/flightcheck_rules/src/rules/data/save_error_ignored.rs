//! `data/save-error-ignored`: a write of persistent state whose failure nobody sees.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::data::state_files::{file_label, runtime_state_writes};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "data/save-error-ignored",
    severity: Severity::High,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A write of persistent state whose failure is ignored",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
Finds writes of the program's state files (the JSON files of `data/json-file-database`)
whose failure goes unnoticed: a Node callback that never looks at its error argument
(`fs.writeFile(p, d, () => {})`), a promise-returning write (`fs.promises.writeFile`,
fs-extra `writeJson`) used as a statement, neither awaited, returned nor chained, and a
write inside `try` whose `catch {}` / `except: pass` is empty.

A `.catch(handler)`, an awaited write in a `try` whose handler logs or rethrows, and a
callback that reads `err` count as handled: the decision what to do is the program's, and
it is visible. Writes of other data (ORM saves) are not judged yet.

## Why it breaks production
When the disk is full, the directory is read-only in the container, or permissions are
wrong, the write fails and the user is told the change was saved. The loss shows up days
later, with no log line to explain it.

## Flagged
```js
fs.writeFile('./data/db.json', JSON.stringify(db), () => {});
```

## Not flagged
```js
fs.writeFile('./data/db.json', JSON.stringify(db), (err) => {
  if (err) logger.error({ err }, 'saving db failed');
});
```

## Fix
Await the write (or read `err`), log the failure with context, and tell the user the
action did not complete.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, w) in runtime_state_writes(ctx) {
        let Some(why) = &w.error_ignored else {
            continue;
        };
        let label = file_label(w);
        out.push(
            Finding::new(
                &META,
                format!(
                    "`{}` of {label} in `{}`: {why}",
                    w.api,
                    w.function.as_deref().unwrap_or("?")
                ),
            )
            .at(ctx.rel(file), w.span)
            .key(format!("{label} {}", w.api))
            .evidence(evidence_at(ctx, file, w.span, why.clone()))
            .impact("A failed save (full disk, read-only file system) is silent: users are told their change was kept and it is lost.")
            .fix("Handle the error: await the write or read `err`, log it, and report the failure to the user.")
            .verify("Make the data directory read-only and check the failure is logged and reported."),
        );
    }
    out
}
