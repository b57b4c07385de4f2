//! `integrity/unreadable-source`: a source file the running service loads that the scan
//! could not read, so none of its code was judged.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/unreadable-source",
    severity: Severity::High,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A reachable source file could not be read, so its code was not reviewed",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Reports a JavaScript, TypeScript or Python file that running code imports (an entry point
reaches it) but that the scan could not read: an I/O error, a file that is not a regular
file (a FIFO, a device), or binary content (NUL bytes) under a source name. The evidence
says why and names the lines that import it. In code the service runs (or may run) the gate
fails on it at every `--fail-on` but `never`: the scan fails closed. A module only a
hand-run script imports is a low finding and does not fail the gate.

## Why it breaks production
The review of that module did not happen: a gate that passes because a file could not be
read would fail open. The runtime usually cannot load such a file either: Node and Python
reject NUL bytes in source, so the import crashes the service where it runs.

## Flagged
```js
// index.js
const rates = require('./rates'); // rates.js holds binary data (NUL bytes)
```

## Not flagged
A file no entry point reaches (it is listed in the scan notes instead), minified bundles
and files over the 1 MiB source limit (generated code, skipped by design and noted), and
files that are read with invalid UTF-8 (JavaScript is read as Node reads it; Python
reports `integrity/parse-error`).

## Fix
Restore the file's source (a botched merge, a file committed through a binary filter, a
checkout on a broken disk), or stop importing it. Confirm with `node --check FILE` or
`python3 -m py_compile FILE`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for &file in &ctx.sources {
        let Some(why) = &ctx.files[file].unread else {
            continue;
        };
        let rel = ctx.rel(file);
        let mut finding = Finding::new(
                &META,
                format!("`{rel}` is loaded by running code but could not be read ({why}): none of its code was reviewed"),
            )
            .at(rel, Span::line(1))
            .key(rel)
            .evidence(Evidence::searched(format!(
                "`{rel}` is reached from an entry point; reading it failed: {why}"
            )));
        // Where running code imports it: the line a reviewer opens first.
        for (importer, span) in importers(ctx, file).into_iter().take(3) {
            finding =
                finding.evidence(evidence_at(ctx, importer, span, format!("imports `{rel}`")));
        }
        out.push(
            finding
            .impact("The scan could not judge this module, and the runtime rejects source it cannot decode: the import crashes where it runs.")
            .fix("Restore the file's source, or stop importing it.")
            .verify(match ctx.language(file) {
                Some(flightcheck_core::Language::Python) => format!("python3 -m py_compile {rel}"),
                _ => format!("node --check {rel}"),
            }),
        );
    }
    out
}

/// Reachable files of the project that import `file`, with the import's place.
fn importers(ctx: &ProjectContext, file: usize) -> Vec<(usize, Span)> {
    ctx.reachable_sources()
        .filter_map(|x| {
            let specifier = ctx.files[x]
                .resolved
                .iter()
                .find(|(_, target)| *target == file)
                .map(|(spec, _)| spec.split(':').next().unwrap_or(spec))?;
            let import = ctx
                .facts(x)?
                .imports
                .iter()
                .find(|i| i.specifier == specifier)?;
            Some((x, import.span))
        })
        .collect()
}
