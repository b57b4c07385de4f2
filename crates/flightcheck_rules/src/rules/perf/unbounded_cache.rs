//! `perf/unbounded-cache`: a long-lived container that handlers add to and nothing removes
//! from.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::config::no_startup_validation::startup_functions;
use crate::rules::data::state_files::runs_later;
use flightcheck_core::state::{ContainerOp, ContainerOpKind};
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::{HashMap, HashSet};

pub static META: RuleMeta = RuleMeta {
    id: "perf/unbounded-cache",
    severity: Severity::Medium,
    category: Category::Performance,
    fix_kind: FixKind::Code,
    summary: "A long-lived Map/Set/dict/list that handlers add to and nothing removes from",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds module-level containers (`new Map()`, `new Set()`, `{}`, `[]`; `dict`, `list`,
`set`, `defaultdict`) that functions running after startup add to (`.set`, `.add`,
`.push`, `[key] =`, `.append`, `.setdefault`, `.update`) while no code of the reachable
program ever removes from them: no `.delete`, `.clear`, `.splice`, `.shift`, `.pop`,
`del x[k]`, `.remove`, `.discard`, no reassignment inside a function, and no size check
(`x.size > N`, `len(x) >= N`). Removals are searched in every reachable file, by name, so
a container imported and cleaned elsewhere is not flagged.

## Why it breaks production
Every new user, chat, message or URL adds an entry that stays for the life of the process.
Memory grows with traffic until the process is killed (out of memory) or slows down in
garbage collection; the restart hides the cause until it happens again.

## Flagged
```js
const lastSeen = new Map();
bot.on('message', (ctx) => lastSeen.set(ctx.from.id, Date.now()));
```

## Not flagged
```js
const lastSeen = new LRUCache({ max: 10_000 });   // bounded by the library
const pending = new Map();
bot.on('message', (ctx) => pending.set(ctx.from.id, 1));
bot.action('done', (ctx) => pending.delete(ctx.from.id));
const handlers = [];
handlers.push(start, help);                        // filled once at module load
```
`functools.lru_cache` and `functools.cache` on functions are left alone: their argument
space is not known statically. Browser code (files importing React, Vue, MobX…, front-end
directories, web workers), command-line scripts (argparse, click, commander) and
containers keyed by shard or worker are not long-lived servers' memory either.

## Fix
Use a bounded cache (lru-cache, quick-lru, `cachetools.TTLCache`) or delete entries when
they are done (and on a timer for abandoned ones); keep per-user data that must survive in
a database.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Names of containers filled once to register things, not data that grows with traffic.
const REGISTRY_WORDS: [&str; 12] = [
    "handler",
    "command",
    "listener",
    "middleware",
    "plugin",
    "route",
    "event",
    "job",
    "module",
    // One entry per shard, worker or cluster process: bounded by the deployment.
    "shard",
    "worker",
    "cluster",
];

/// UI libraries: a file importing them runs in a browser tab, not a long-lived server.
const BROWSER_LIBS: [&str; 10] = [
    "react",
    "react-dom",
    "vue",
    "svelte",
    "mobx",
    "zustand",
    "pinia",
    "redux",
    "@reduxjs/toolkit",
    "solid-js",
];

/// Command-line parsers: a file using them is a one-shot script.
const CLI_LIBS: [&str; 6] = [
    "argparse",
    "click",
    "typer",
    "commander",
    "yargs",
    "optparse",
];

/// Directories of front-end code and static sites.
const BROWSER_DIRS: [&str; 7] = [
    "frontend",
    "client",
    "public",
    "static",
    "www",
    "dashboard",
    "site",
];

/// Code that does not live in a long-running server process: browser code (UI libraries,
/// front-end directories, web workers) and command-line scripts.
fn short_lived(ctx: &ProjectContext, file: usize, facts: &flightcheck_core::FileFacts) -> bool {
    let rel = ctx.rel(file).to_ascii_lowercase();
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let browser_dir = parts
        .iter()
        .any(|d| BROWSER_DIRS.contains(d) || d.ends_with("_site") || d.ends_with("-site"));
    let worker = name.contains("worker.");
    facts.imports.iter().any(|i| {
        let top = i.specifier.split(['/', '.']).next().unwrap_or("");
        BROWSER_LIBS.contains(&i.specifier.as_str()) || CLI_LIBS.contains(&top)
    }) || browser_dir
        || worker
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // Following calls from startup costs a pass over every call edge: only when needed.
    let grown_in_functions = ctx.reachable_sources().any(|i| {
        ctx.facts(i).is_some_and(|f| {
            let names: HashSet<&str> = f.state.containers.iter().map(|c| c.name.as_str()).collect();
            f.state.container_ops.iter().any(|o| {
                o.kind == ContainerOpKind::Grow
                    && o.function.is_some()
                    && names.contains(o.name.as_str())
            })
        })
    });
    if !grown_in_functions {
        return Vec::new();
    }
    let startup = startup_functions(ctx);
    let mut shrunk: HashSet<&str> = HashSet::new();
    let mut searched = 0;
    for i in ctx.reachable_sources() {
        let Some(f) = ctx.facts(i) else { continue };
        searched += 1;
        for op in &f.state.container_ops {
            if op.kind == ContainerOpKind::Shrink {
                shrunk.insert(op.name.as_str());
            }
        }
    }
    let mut out = Vec::new();
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        if f.state.containers.is_empty() || short_lived(ctx, i, f) {
            continue;
        }
        let mut grows: HashMap<&str, Vec<&ContainerOp>> = HashMap::new();
        for op in &f.state.container_ops {
            if op.kind == ContainerOpKind::Grow && runs_later(op.function.as_deref(), &startup) {
                grows.entry(op.name.as_str()).or_default().push(op);
            }
        }
        for c in &f.state.containers {
            let lower = c.name.to_ascii_lowercase();
            if shrunk.contains(c.name.as_str()) || REGISTRY_WORDS.iter().any(|w| lower.contains(w))
            {
                continue;
            }
            let Some(ops) = grows.get(c.name.as_str()) else {
                continue;
            };
            let mut finding = Finding::new(
                &META,
                format!(
                    "`{}` ({}) grows in `{}` and nothing removes entries (searched {searched} reachable file{} for delete/clear/pop/size checks)",
                    c.name,
                    c.kind,
                    ops[0].function.as_deref().unwrap_or("?"),
                    if searched == 1 { "" } else { "s" }
                ),
            )
            .at(ctx.rel(i), c.span)
            .key(c.name.clone())
            .evidence(evidence_at(ctx, i, c.span, "module-level container".into()));
            for op in ops.iter().take(3) {
                finding = finding.evidence(Evidence::at(
                    ctx.rel(i),
                    op.line,
                    ctx.snippet(i, op.line),
                    "added to here",
                ));
            }
            out.push(
                finding
                    .impact("Memory grows with every new key until the process is killed or slows down in garbage collection.")
                    .fix("Bound it (lru-cache, cachetools.TTLCache) or delete entries when done and on a timer.")
                    .verify("Send traffic from many distinct users and watch the process memory level off."),
            );
        }
    }
    out
}
