//! `integrity/esm-import-extension`: a relative import that Node's ES module loader cannot
//! load because it leaves out the file extension or names a folder.

use crate::context::ProjectContext;
use crate::js_modules::{bundles, loads_as_esm, may_run_in_browser, package_json};
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, ImportKind, Language, Role, RuleMeta, Severity,
    WhenUnreachable,
};
use flightcheck_project::manifest::PackageJson;
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/esm-import-extension",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A relative import Node's ES module loader cannot load: no file extension, or a folder",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
Finds relative `import … from './x'`, `export … from './x'` and literal `import('./x')` in
files that Node loads as ES modules, where the path as written names no file: the extension
is left out (`'./config'` for `config.js`/`config.ts`, `'./user.service'` for
`user.service.ts`) or it names a folder (`'./commands'` for `commands/index.js`). Only imports
that resolve once an extension or `index` is added are reported (an import of nothing is
`integrity/unresolved-import`).

A file counts as loaded by Node's ES loader when:
- it is `.mjs`/`.mts`, or `.js` in a package with `"type": "module"` that is not bundled;
- it is `.ts` in such a package whose build runs `tsc` (no bundler: webpack, esbuild, tsup,
  rollup, vite, ncc, `next build`) and whose service is started with `node` on the compiled
  output: `tsc` copies import paths as written, so `dist/index.js` keeps `'./config'`.

Not flagged: imports TypeScript erases (`import type`, names used only as types, re-exports
of interfaces and type aliases); projects
started through a TypeScript runtime or a loader that resolves such paths (`tsx`,
`ts-node`, `bun`, `deno`, `node --loader`/`--import`,
`--experimental-specifier-resolution=node`); builds that rewrite the paths (`tsc-alias -f`,
`tsc-esm-fix`, `fix-esm-import-path`); tsconfigs with `module`/`moduleResolution`
`node16`/`nodenext` (there `tsc` itself rejects such imports); browser code.

One finding per project, at the first such import on the startup path, listing the others.

## Why it breaks production
Node's ES module loader does not add extensions or read `index` files, unlike `require` and
unlike the TypeScript runtimes used in development (`tsx watch`). The deployed
`node dist/index.js` stops at the first such import with `ERR_MODULE_NOT_FOUND` (or
`ERR_UNSUPPORTED_DIR_IMPORT` for a folder) before it serves anyone, while every local run
works.

## Flagged
```ts
// package.json: "type": "module", "build": "tsc", "start": "node dist/index.js"
import { loadCommands } from './commands';     // commands/index.ts
import { config } from './config';             // config.ts
```

## Not flagged
```ts
import { loadCommands } from './commands/index.js';
import { config } from './config.js';          // tsc maps it to config.ts
import type { User } from './types';           // erased at compile time
```

## Fix
Write the extension the compiled file will have (`'./config.js'`, `'./commands/index.js'`);
with TypeScript, set `"module": "nodenext"` so `tsc` demands them, or bundle the output.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

/// Launch words of runtimes and loaders that resolve extensionless paths themselves.
const RESOLVING_RUNTIMES: [&str; 9] = [
    "tsx",
    "ts-node",
    "bun ",
    "deno ",
    "--loader",
    "--import",
    "--experimental-specifier-resolution",
    "--experimental-strip-types",
    "esno",
];

/// Build steps that rewrite import paths of the compiled output.
const PATH_REWRITERS: [&str; 5] = [
    "tsc-alias",
    "tsc-esm-fix",
    "fix-esm-import-path",
    "esm-fix",
    "ts-add-js-extension",
];

fn applies(ctx: &ProjectContext) -> bool {
    ctx.project
        .package_json
        .as_ref()
        .is_some_and(|pj| pj.is_module && !bundles(pj))
        || ctx.sources.iter().any(|i| {
            let rel = ctx.rel(*i);
            rel.ends_with(".mjs") || rel.ends_with(".mts")
        })
}

/// The commands that start this project's service: entry declarations and the start script.
fn launch_commands(ctx: &ProjectContext, pj: Option<&PackageJson>) -> Vec<String> {
    let mut out: Vec<String> = ctx.entries.iter().map(|e| e.detail.clone()).collect();
    if let Some(start) = pj.and_then(|p| p.scripts.get("start")) {
        out.push(start.clone());
    }
    out
}

/// Whether the package's TypeScript reaches production as `tsc` output run by plain
/// `node`, with import paths left as written.
fn runs_tsc_output(ctx: &ProjectContext, file: usize, pj: &PackageJson) -> bool {
    let scripts = || pj.scripts.values();
    let builds_with_tsc = scripts().any(|s| {
        s.split(|c: char| c.is_whitespace() || c == '&' || c == ';')
            .any(|w| w == "tsc")
    });
    let rewrites = scripts().any(|s| PATH_REWRITERS.iter().any(|r| s.contains(r)))
        || PATH_REWRITERS
            .iter()
            .any(|r| pj.dependencies.contains_key(*r));
    let runs_node = launch_commands(ctx, Some(pj))
        .iter()
        .any(|c| c.split_whitespace().any(|w| w == "node"));
    builds_with_tsc && !rewrites && runs_node && !tsc_demands_extensions(ctx, file)
}

/// The nearest tsconfig sets `module`/`moduleResolution` to `node16`/`nodenext`: `tsc`
/// then rejects extensionless relative imports itself.
fn tsc_demands_extensions(ctx: &ProjectContext, file: usize) -> bool {
    let rel = ctx.rel(file);
    let mut dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
    loop {
        let path = if dir == "." {
            "tsconfig.json".to_string()
        } else {
            format!("{dir}/tsconfig.json")
        };
        if let Ok(text) = std::fs::read_to_string(ctx.ws.root.join(&path)) {
            let lower = text.to_ascii_lowercase();
            return lower.contains("nodenext") || lower.contains("\"node16\"");
        }
        match dir.rsplit_once('/') {
            Some((up, _)) => dir = up,
            None if dir != "." => dir = ".",
            None => return false,
        }
    }
}

/// Whether Node's ES loader reads `file` as written: the runtime does not resolve paths for
/// it, and the file is an ES module as Node runs it. What depends on the file's package
/// and tsconfig (its folder) is worked out once per folder, in `by_dir`.
fn loaded_by_node_esm(
    ctx: &ProjectContext,
    file: usize,
    by_dir: &mut HashMap<String, bool>,
) -> bool {
    let rel = ctx.rel(file).to_ascii_lowercase();
    if rel.ends_with(".jsx") || rel.ends_with(".tsx") || may_run_in_browser(ctx, file) {
        return false;
    }
    let language = ctx.language(file);
    if !matches!(language, Some(Language::JavaScript | Language::TypeScript)) {
        return false;
    }
    let dir = ctx
        .rel(file)
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or(".")
        .to_string();
    let key = format!("{dir}|{}", language == Some(Language::TypeScript));
    let runs_as_written = *by_dir.entry(key).or_insert_with(|| {
        let pj = package_json(ctx, file);
        let resolving = launch_commands(ctx, pj)
            .iter()
            .any(|c| RESOLVING_RUNTIMES.iter().any(|r| c.contains(r)));
        !resolving
            && match language {
                Some(Language::TypeScript) => {
                    pj.is_some_and(|p| !bundles(p) && runs_tsc_output(ctx, file, p))
                }
                _ => true,
            }
    });
    if !runs_as_written {
        return false;
    }
    match language {
        Some(Language::JavaScript) => loads_as_esm(ctx, file),
        _ => rel.ends_with(".mts") || package_json(ctx, file).is_some_and(|p| p.is_module),
    }
}

/// The last path segment names a file Node can load as written (`.js` also stands for the
/// `.ts` that compiles to it).
fn has_loadable_extension(spec: &str) -> bool {
    let last = spec.rsplit('/').next().unwrap_or(spec);
    let ext = last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("js" | "mjs" | "cjs" | "json" | "node" | "wasm" | "ts" | "mts" | "cts")
    )
}

/// Every name `file` takes from `spec` is a type: imported as one (`import type`, `{ type X }`,
/// used only as a type) or declared as one by the target (`export { Props } from './props'`
/// of an `interface`). TypeScript erases such an import or re-export.
fn only_types_taken(ctx: &ProjectContext, file: usize, spec: &str, target: usize) -> bool {
    let Some(facts) = ctx.facts(file) else {
        return false;
    };
    let type_names = ctx
        .facts(target)
        .map(|t| t.integrity.exports.type_names.as_slice())
        .unwrap_or_default();
    let mut taken = facts
        .integrity
        .imported_names
        .iter()
        .filter(|n| n.specifier == spec)
        .peekable();
    taken.peek().is_some() && taken.all(|n| n.type_only || type_names.contains(&n.name))
}

struct Offending {
    file: usize,
    spec: String,
    target: usize,
    line: u32,
    span: flightcheck_core::Span,
    at_load: bool,
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut found: Vec<Offending> = Vec::new();
    let mut by_dir: HashMap<String, bool> = HashMap::new();
    for i in ctx.reachable_sources() {
        if !loaded_by_node_esm(ctx, i, &mut by_dir) {
            continue;
        }
        let Some(facts) = ctx.facts(i) else { continue };
        for import in &facts.imports {
            let spec = import.specifier.as_str();
            let relative = spec.starts_with("./") || spec.starts_with("../") || spec == "..";
            if !relative
                || import.erased
                || !matches!(import.kind, ImportKind::Static | ImportKind::Dynamic)
                || has_loadable_extension(spec)
            {
                continue;
            }
            // Only paths that do resolve once an extension or `index` is added: a missing
            // module is `integrity/unresolved-import`.
            let Some(target) = ctx.resolved(i, spec) else {
                continue;
            };
            if only_types_taken(ctx, i, spec, target) {
                continue;
            }
            found.push(Offending {
                file: i,
                spec: spec.to_string(),
                target,
                line: import.span.line,
                span: import.span,
                at_load: import.kind == ImportKind::Static && !import.in_function,
            });
        }
    }
    // The finding sits at an import that runs as the module loads, in the code the service
    // runs if any (its role sets the severity), before a script's.
    let running = |f: usize| match ctx.files[f].role {
        Role::Service => 0,
        Role::PossiblyRunning => 1,
        _ => 2,
    };
    found.sort_by_key(|o| (!o.at_load, running(o.file)));
    let Some(first) = found.first() else {
        return Vec::new();
    };
    let folder = |o: &Offending| {
        let target = ctx.rel(o.target);
        let name = target.rsplit('/').next().unwrap_or(target);
        name.starts_with("index.")
            && !o
                .spec
                .rsplit('/')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case("index"))
    };
    let error = if folder(first) {
        "ERR_UNSUPPORTED_DIR_IMPORT"
    } else {
        "ERR_MODULE_NOT_FOUND"
    };
    let rel = ctx.rel(first.file);
    let mut message = format!(
        "`{}` in `{rel}` names no file Node's ES module loader can load (it means `{}`): the deployed program stops with {error} when this module loads",
        first.spec,
        ctx.rel(first.target)
    );
    if found.len() > 1 {
        let more = found.len() - 1;
        message.push_str(&format!(
            "; {more} more such import{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    let severity = if first.at_load {
        Severity::Blocker
    } else {
        message.push_str(
            "; it is loaded inside a function or by `import()`, so it fails when that code runs",
        );
        Severity::High
    };
    let why = if ctx.language(first.file) == Some(Language::TypeScript) {
        "the package is an ES module (`\"type\": \"module\"`), `tsc` builds it without a bundler and copies import paths as written, and the service is started with `node` on the compiled output"
    } else {
        "Node loads this file as an ES module (`.mjs`, or `\"type\": \"module\"` with no bundler), and its ES loader adds no extension and reads no `index` file"
    };
    let mut finding = Finding::new(&META, message)
        .severity(severity)
        .at(rel, first.span)
        .key(format!("{}:{}", ctx.project.root, META.id))
        .evidence(Evidence::at(
            rel,
            first.line,
            ctx.snippet(first.file, first.line),
            "the import as written",
        ))
        .evidence(Evidence::searched(why.to_string()));
    for o in found.iter().skip(1).take(20) {
        finding = finding.evidence(Evidence::at(
            ctx.rel(o.file),
            o.line,
            ctx.snippet(o.file, o.line),
            format!("means `{}`", ctx.rel(o.target)),
        ));
    }
    vec![
        finding
            .impact("The deployed service never starts: Node stops at this import, though `tsx`/`ts-node` in development resolve it and every local run works.")
            .fix("Write the extension of the file Node will load (`./config.js`, `./commands/index.js`); with TypeScript, `\"module\": \"nodenext\"` makes `tsc` demand it.")
            .verify("Build as the deploy does and run `node` on the output (`npm run build && node dist/index.js`): it starts without ERR_MODULE_NOT_FOUND."),
    ]
}
