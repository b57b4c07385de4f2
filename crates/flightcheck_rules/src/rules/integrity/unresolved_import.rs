//! `integrity/unresolved-import`: a relative import of a module that does not exist.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, ImportKind, Language, RuleMeta, Severity, WhenUnreachable,
};
use std::collections::{BTreeMap, HashMap, HashSet};

#[path = "unresolved_import/third_party.rs"]
mod third_party;
mod tsconfig_paths;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/unresolved-import",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "An import of a module that does not exist, or of a package no package.json declares",
    when_unreachable: WhenUnreachable::Downgrade(Severity::Low),
    effort_minutes: 10,
    docs: r#"## What it does
Resolves every relative `import`, `export … from`, `require()` and literal `import()` of
JavaScript/TypeScript files the way Node and TypeScript do (extensions, `index` files,
`.js` → `.ts` mapping, tsconfig `paths`, package `exports`, via oxc_resolver), and every
relative Python import (`from .x import y`) plus absolute imports into the project's own
packages (flat and `src/` layouts, script directories), and reports those that resolve to
nothing. It names the paths it tried and, when a similarly named file exists, suggests it.
A package only a transitive dependency installs is one finding however many files import
it, listing the others.
A tsconfig that cannot be loaded (it `extends` a package a fresh clone has not installed,
such as `@tsconfig/node20`) does not stop resolution: imports under it resolve as Node
would, and its `paths` aliases are read from the file itself and never reported as packages.

Bare package imports are checked against package.json: `require('dayjs')` when no
package.json at or above the file lists `dayjs` (in dependencies, devDependencies,
peerDependencies or optionalDependencies; the workspace root's count too) is a `blocker`:
a clean install (`npm ci`) does not provide it. A production file importing a package listed
only in devDependencies is `medium`: `npm ci --omit=dev` leaves it out (not reported when
the project bundles its code with webpack, vite, esbuild, tsup, ncc or `next build`).
Without a lockfile, or when the lockfile installs the package only as another package's
dependency, an undeclared package is `medium`.

## Why it breaks production
`require('./utils/format')` of a file that was renamed throws `MODULE_NOT_FOUND` the moment
the importing module loads; in Python, `ModuleNotFoundError`. Imports at module level take
the whole process down at startup. Severity is `blocker` for reachable files, `high` for
dynamic `import()` and for a `require`/`import` written inside a function (it fails when the
call runs, not when the module loads), `medium` for a package a function loads (dynamic or inside a function) when every
project module that loads that file does so inside a `try` (the caller's `catch` handles
the failure: the feature fails, the process does not), `medium` for a TypeScript import whose names
are only used as types (TypeScript erases it, so it breaks `tsc` and the editor but not the
running program; not reported when a hand-written `x.d.ts` sits where `./x.js` points,
which `tsc` resolves), and `low` in files no entry point reaches.

## Flagged
```js
// src/webhook.js — src/utils/format.js was renamed to formatting.js
const { formatPrice } = require('./utils/format');
```
```python
from .services.billing import charge   # services/billing.py does not exist
```
```js
const dayjs = require('dayjs');        // in no package.json, not in package-lock.json
```

## Not flagged
```js
const { formatPrice } = require('./utils/formatting'); // exists
import { Config } from './config.js';                   // resolves to config.ts
try { require('./local-overrides'); } catch {}          // optional, failure handled
import type { User } from './missing-types';            // erased at compile time
```
Node built-ins (`fs`, `node:fs`), workspace packages, the package's own name, tsconfig
`paths`/`baseUrl` aliases, type-only imports and `require` inside `try` are not reported,
and nothing is reported for files without a package.json. A TypeScript module that other
files import only for its types (every imported name is used as a type, so the compiler
erases the import) is never loaded by the program: a broken import inside it is reported
as for an unreachable file (`low`).
Python package imports are checked against the project's dependency manifests
(requirements*.txt, pyproject `[project]` dependencies and optional/group dependencies,
Poetry, PDM and uv groups): `import yaml` in reachable code with no `PyYAML` declared is
reported as `medium` (the program fails at import on a fresh install, unless another
dependency happens to install the package: without a lock file that cannot be ruled out). Import names map to distributions through
a table of known differences (`telegram` → python-telegram-bot, `PIL` → Pillow, `cv2` →
opencv-python, …) and name equality otherwise; packages that a declared dependency brings
along (`aiohttp` with aiogram, `starlette` with FastAPI) count as installed. The check is
silent when the project declares no dependencies at all, or installs from something it
cannot read (`-r`/`-e`/URL lines, setup.py, setup.cfg, Pipfile, dynamic dependencies), and
for imports guarded by `try/except ImportError`, under `if TYPE_CHECKING:`, of the standard
library, or of the project's own modules. Imports under a project package whose
`__init__.py` assigns into `sys.modules` (registering modules under names no file has) are
not judged either.

## Fix
Point the import at the module's real path (or restore the missing file), then run the
entry point once: `node -e "require('./src/index.js')"` or
`python3 -c "import yourpackage.module"`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// The packages a file may import: dependencies of every package.json at or above it (the
/// package's own and the workspace root's), with whether each is only a dev dependency.
/// `None` when no package.json covers the file.
/// Also the packages the lockfiles at or above it install (`None` without a lockfile).
type Declared<'a> = (BTreeMap<&'a str, bool>, Option<HashSet<&'a str>>);

fn declared_for<'a>(ctx: &ProjectContext<'a>, file: usize) -> Option<Declared<'a>> {
    let rel = ctx.rel(file);
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
    let mut deps: BTreeMap<&str, bool> = BTreeMap::new();
    let mut locked: Option<HashSet<&str>> = None;
    let mut found = false;
    for p in &ctx.ws.projects {
        let Some(pj) = &p.package_json else { continue };
        if !flightcheck_project::workspace::is_within(dir, &p.root) {
            continue;
        }
        found = true;
        if let Some(l) = &p.locked_packages {
            locked
                .get_or_insert_with(HashSet::new)
                .extend(l.iter().map(String::as_str));
        }
        for (name, dev) in &pj.dependencies {
            let entry = deps.entry(name.as_str()).or_insert(*dev);
            *entry &= *dev;
        }
    }
    found.then_some((deps, locked))
}

/// Bare imports of packages no package.json above the file declares, and production imports
/// of dev-only packages.
/// Whether the relative specifier `spec` of `rel` names a declaration file: `./x.js` (or
/// `./x`) with `x.d.ts` beside it.
fn declaration_beside(ctx: &ProjectContext, rel: &str, spec: &str) -> bool {
    if !spec.starts_with('.') {
        return false;
    }
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in spec.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                if parts.pop().is_none() {
                    return false;
                }
            }
            s => parts.push(s),
        }
    }
    let path = parts.join("/");
    let stem = [".js", ".mjs", ".cjs"]
        .iter()
        .find_map(|e| path.strip_suffix(e))
        .unwrap_or(&path);
    let wanted = [
        format!("{stem}.d.ts"),
        format!("{stem}.d.mts"),
        format!("{stem}.d.cts"),
    ];
    ctx.ws.files.iter().any(|f| wanted.contains(&f.rel))
}

/// How many project files load `file`, when every one of them does so inside a `try`
/// (`try { const { card } = require('./card'); await card(m) } catch { … }`): a failure
/// of what `file` loads lazily then lands in the caller's `catch`. `None` when some
/// importer loads it unguarded, or nothing does.
fn loaded_only_inside_try(ctx: &ProjectContext, file: usize) -> Option<usize> {
    let mut importers = 0;
    for x in ctx.reachable_sources() {
        let Some(facts) = ctx.facts(x) else { continue };
        for import in &facts.imports {
            if ctx.resolved(x, &import.specifier) == Some(file) {
                if !import.guarded {
                    return None;
                }
                importers += 1;
            }
        }
    }
    (importers > 0).then_some(importers)
}

fn undeclared_packages(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    // Package names of the workspace itself (monorepo siblings, self-references).
    let own: HashSet<&str> = ctx
        .ws
        .projects
        .iter()
        .filter_map(|p| p.package_json.as_ref()?.name.as_deref())
        .collect();
    // Directory names of the tree: `components/x` or `utils/y` imports are bundler or
    // jsconfig aliases when a directory of that name exists. Built on first need.
    let mut dirs: Option<HashSet<&str>> = None;
    // `paths` aliases every tsconfig/jsconfig declares, read here too: the resolver cannot
    // use a tsconfig that `extends` a package a fresh clone has not installed.
    let aliases = tsconfig_paths::aliases(ctx);
    let mut by_dir: HashMap<&str, Option<(Declared, bool)>> = HashMap::new();
    // A package only a transitive dependency installs is one fix however many files import
    // it: one finding per package, the other files as evidence.
    let mut transitive: HashMap<String, (usize, usize)> = HashMap::new();
    for i in ctx.reachable_sources() {
        if !matches!(
            ctx.language(i),
            Some(Language::JavaScript | Language::TypeScript)
        ) {
            continue;
        }
        let rel = ctx.rel(i);
        let in_samples = rel.split('/').rev().skip(1).any(|d| {
            let d = d.to_ascii_lowercase();
            d.contains("sample") || d.contains("example") || d.contains("demo")
        });
        if crate::js_modules::is_test_support(rel)
            || ctx.is_sample_code(i)
            || in_samples
            || [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|e| rel.ends_with(e))
        {
            continue;
        }
        let Some(facts) = ctx.facts(i) else { continue };
        if !facts
            .imports
            .iter()
            .any(|im| flightcheck_core::package_name(&im.specifier).is_some())
        {
            continue;
        }
        // One lookup per directory: the package.json files above it are the same.
        let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
        let entry = by_dir.entry(dir).or_insert_with(|| {
            let bundled =
                crate::js_modules::package_json(ctx, i).is_some_and(crate::js_modules::bundles);
            if crate::js_modules::runs_on_deno(ctx, i) {
                return None;
            }
            declared_for(ctx, i).map(|d| (d, bundled))
        });
        let Some(((declared, locked), bundled)) = entry.as_ref() else {
            continue;
        };
        let bundled = *bundled;
        let mut seen: HashSet<&str> = HashSet::new();
        for import in &facts.imports {
            if matches!(
                import.kind,
                ImportKind::TypeOnly | ImportKind::PyFrom | ImportKind::PyImport
            ) || import.erased
                || import.guarded
            {
                continue;
            }
            let spec = import.specifier.as_str();
            let Some(package) = flightcheck_core::package_name(spec) else {
                continue;
            };
            // Stylesheets, images and other assets: a bundler's business.
            let asset = spec.rsplit('/').next().is_some_and(|last| {
                last.rsplit_once('.').is_some_and(|(_, ext)| {
                    !matches!(
                        ext,
                        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "json" | "jsx" | "tsx"
                    ) && ext.chars().all(|c| c.is_ascii_alphanumeric())
                        && ext.len() <= 5
                        && !last.starts_with(package)
                })
            });
            if asset {
                continue;
            }
            let first = spec.split('/').next().unwrap_or(spec);
            let npm_like = package
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._@/".contains(c))
                && !package.starts_with("@/")
                && first != "@"
                && !first.starts_with(['~', '#', '$']);
            if !npm_like
                || crate::js_modules::is_node_builtin(spec)
                // Next.js resolves these markers itself (compiled aliases), with no package.
                || (matches!(package, "server-only" | "client-only") && declared.contains_key("next"))
                || own.contains(package)
                || ctx.resolved(i, spec).is_some()
                || aliases.iter().any(|a| a.matches(spec))
                || declared.get(package) == Some(&false)
                || !seen.insert(package)
            {
                continue;
            }
            let dirs = dirs.get_or_insert_with(|| {
                ctx.ws
                    .files
                    .iter()
                    .flat_map(|f| {
                        let mut parts: Vec<&str> = f.rel.split('/').collect();
                        parts.pop();
                        parts
                    })
                    .collect()
            });
            if dirs.contains(first) {
                continue;
            }
            let (severity, message) = match declared.get(package) {
                Some(false) => continue,
                Some(true) => {
                    // Bundled code, and tooling (config files, scripts) that never runs in
                    // the production process.
                    let name = rel.rsplit('/').next().unwrap_or(rel);
                    let tooling = name.contains(".config.")
                        || rel.split('/').rev().skip(1).any(|d| {
                            // `.vuepress/`, `.storybook/`, `.github/`: tool directories.
                            d.starts_with('.')
                                || matches!(
                                    d,
                                    "scripts"
                                        | "script"
                                        | "tools"
                                        | "bench"
                                        | "benchmarks"
                                        | "ecosystem-tests"
                                        | "e2e"
                                )
                        });
                    if bundled || tooling {
                        continue;
                    }
                    (
                        Severity::Medium,
                        format!(
                            "`{rel}` imports `{package}`, which package.json lists only in devDependencies: `npm ci --omit=dev` (and `NODE_ENV=production npm install`) does not install it, so production fails with MODULE_NOT_FOUND"
                        ),
                    )
                }
                None => match &locked {
                    Some(l) if !l.contains(package) => {
                        let lazy = import.kind == ImportKind::Dynamic || import.in_function;
                        let mut message = format!(
                            "`{rel}` imports the package `{package}`, which no package.json of the project declares and the lockfile does not install: a clean install (`npm ci`) does not provide it, so Node throws MODULE_NOT_FOUND"
                        );
                        let severity = match loaded_only_inside_try(ctx, i) {
                            Some(n) if lazy => {
                                message.push_str(&format!(
                                    "; it is loaded when a function of `{rel}` runs, and {} that load{} `{rel}` do{} so inside `try`: the feature fails, the caller's `catch` handles it (medium, not high)",
                                    if n == 1 { "the one module" } else { "every module" },
                                    if n == 1 { "s" } else { "" },
                                    if n == 1 { "es" } else { "" },
                                ));
                                Severity::Medium
                            }
                            _ if lazy => Severity::High,
                            _ => Severity::Blocker,
                        };
                        (severity, message)
                    }
                    Some(_) if transitive.contains_key(package) => {
                        if let Some((at, files)) = transitive.get_mut(package) {
                            *files += 1;
                            if let Some(f) = out.get_mut(*at)
                                && *files <= 5
                            {
                                f.evidence.push(Evidence::at(
                                    rel,
                                    import.span.line,
                                    ctx.snippet(i, import.span.line),
                                    "imported here too",
                                ));
                            }
                        }
                        continue;
                    }
                    Some(_) => (
                        Severity::Medium,
                        format!(
                            "`{rel}` imports the package `{package}`, which no package.json of the project declares: it is installed only as a dependency of another package (the lockfile has it), so a dependency upgrade or pnpm's strict layout removes it and the import throws MODULE_NOT_FOUND"
                        ),
                    ),
                    None => (
                        Severity::Medium,
                        format!(
                            "`{rel}` imports the package `{package}`, which no package.json of the project declares: unless another dependency happens to install it, a clean install does not provide it and the import throws MODULE_NOT_FOUND (no lockfile to tell which)"
                        ),
                    ),
                },
            };
            if severity == Severity::Medium && declared.get(package).is_none() && locked.is_some() {
                transitive.insert(package.to_string(), (out.len(), 1));
            }
            out.push(
                Finding::new(&META, message)
                    .severity(severity)
                    .at(rel, import.span)
                    .key(package)
                    .evidence(Evidence::at(
                        rel,
                        import.span.line,
                        ctx.snippet(i, import.span.line),
                        "the import",
                    ))
                    .evidence(Evidence::searched(format!(
                        "dependencies, devDependencies, peerDependencies and optionalDependencies of every package.json at or above `{rel}`, workspace package names, Node built-ins, tsconfig paths"
                    )))
                    .impact("The deployed install does not contain the package; the import throws MODULE_NOT_FOUND when the module loads.")
                    .fix(if severity == Severity::Medium {
                        format!("Move `{package}` to dependencies: npm install --save {package}")
                    } else {
                        format!("Add the package: npm install --save {package}")
                    })
                    .verify("rm -rf node_modules && npm ci --omit=dev && node -e \"require('./ENTRY')\"".to_string()),
            );
        }
    }
    for (at, files) in transitive.values() {
        if *files > 1
            && let Some(f) = out.get_mut(*at)
        {
            f.message.push_str(&format!(" ({files} files import it)"));
        }
    }
    out
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = undeclared_packages(ctx);
    out.extend(third_party::undeclared(ctx, &META));
    for problem in &ctx.import_problems {
        let rel = ctx.rel(problem.file);
        let import = &problem.import;
        let spec = &import.specifier;
        // Types imported as `./x.js` from a hand-written `x.d.ts`: TypeScript resolves the
        // `.js` to the declaration file and erases the import, so nothing breaks.
        if (import.erased || import.kind == ImportKind::TypeOnly)
            && declaration_beside(ctx, rel, spec)
        {
            continue;
        }
        let mut message = match import.kind {
            ImportKind::Require => format!("`require('{spec}')` in `{rel}` resolves to no file"),
            ImportKind::Dynamic => format!("`import('{spec}')` in `{rel}` resolves to no file"),
            ImportKind::PyFrom | ImportKind::PyImport => {
                format!("`{spec}` imported in `{rel}` is not a module of this project")
            }
            _ => format!("import of `{spec}` in `{rel}` resolves to no file"),
        };
        if let Some(s) = &problem.suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        let severity = if import.erased {
            message.push_str(
                "; only types are imported from it, so TypeScript erases the import at run time, but `tsc` fails on it",
            );
            Severity::Medium
        } else if import.kind == ImportKind::Dynamic {
            Severity::High
        } else if import.in_function {
            // Only the call path that runs this function fails; the module still loads.
            message.push_str(
                "; the import is inside a function, so it fails each time that function runs, not at startup",
            );
            Severity::High
        } else {
            Severity::Blocker
        };
        let searched = if problem.searched.is_empty() {
            format!(
                "resolved `{spec}` from `{rel}` with Node/TypeScript rules (extensions, index files, tsconfig paths)"
            )
        } else {
            format!("searched: {}", problem.searched.join(", "))
        };
        let is_python = matches!(import.kind, ImportKind::PyFrom | ImportKind::PyImport);
        let impact = if is_python {
            "Python raises ModuleNotFoundError when this import runs; at module level the process dies at startup."
        } else {
            "Node throws MODULE_NOT_FOUND when this line runs; at module level the process dies at startup."
        };
        let verify = if is_python {
            format!(
                "python3 -c \"import importlib.util, sys; sys.path.insert(0, '.'); import {}\"",
                rel.trim_end_matches(".py").replace('/', ".")
            )
        } else {
            format!("node -e \"require('./{rel}')\"")
        };
        out.push(
            Finding::new(&META, message)
                .severity(severity)
                .at(rel, import.span)
                .key(spec)
                .evidence(Evidence::at(
                    rel,
                    import.span.line,
                    ctx.snippet(problem.file, import.span.line),
                    "the import",
                ))
                .evidence(Evidence::searched(searched))
                .impact(impact)
                .fix(match &problem.suggestion {
                    Some(s) => format!("Import `{s}` instead, or restore the missing module."),
                    None => {
                        "Point the import at the module's real path, or restore the missing module."
                            .to_string()
                    }
                })
                .verify(verify),
        );
    }
    out
}
