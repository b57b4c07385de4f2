//! `integrity/undefined-name`: a reachable file uses a name nothing defines.
//!
//! The language crates list the names each file uses without a declaration in scope and
//! without a global of the runtime (`IntegrityFacts::undefined_names`); this rule removes
//! what other files make global and what the file's environment (browser, ES module, tests)
//! decides, and reports the rest.

use crate::context::ProjectContext;
use crate::js_modules;
use crate::registry::{Rule, has_sources};
use flightcheck_core::integrity::{GlobalKind, UndefinedName};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable,
};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/undefined-name",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A reachable file uses a name that nothing defines",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Uses the scope analysis of every reachable JavaScript/TypeScript file (oxc's semantic model:
declarations, imports, block scopes) to list the names the code reads or calls that no scope
declares, and drops every name something defines: ECMAScript and Node globals (`process`,
`Buffer`, `fetch`, `structuredClone`…), CommonJS module names (`require`, `__dirname`) in
files Node loads as CommonJS, browser globals in files that may run in a browser, test
globals (`describe`, `expect`, `vi`) in test files, names declared in ambient `.d.ts` files
or `declare global`, names other files put on `global`/`globalThis`, names guarded by
`typeof x`, names listed in `/* global … */` comments, and TypeScript type-only names.

## Why it breaks production
Reading a name nothing defines throws `ReferenceError` when the line runs: at module level
the service dies at startup, in a handler every request that reaches it fails. Typical
causes are a missing import after a refactor, a variable declared with `const` inside a
`try` block and used in its `catch`, and a corrupted line such as `appappapp.use(cors())`.

## Flagged
```js
const express = require('express');
const app = express();
appappapp.use(express.json());       // ReferenceError: appappapp is not defined

try { const user = await load(id); } catch (e) { log(user.id); }   // user: not in scope
```
```js
// src/server.mjs: ES modules have no __dirname
app.use(express.static(path.join(__dirname, 'public')));
```

## Not flagged
```js
if (typeof window !== 'undefined') window.analytics.track(); // guarded
global.db = connect();      // in one file; `db.query()` in another is defined
/* global Stripe */        // declared for the linter
describe('x', () => {});    // in a test file
```
Files that no entry point reaches, `.vue`/`.svelte` files, and files with an `eslint-env`
comment naming an environment flightcheck does not know are not judged.

## Fix
Import or declare the name (or fix the typo), then run the entry point once, or
`npx eslint --rule 'no-undef: error' FILE` to list the same names.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Why a name counts as undefined here, for the message.
fn explanation(u: &UndefinedName, esm: bool) -> String {
    match u.kind {
        GlobalKind::CommonJs => format!(
            "`{}` exists only in CommonJS modules; Node loads this file as an ES module{}",
            u.name,
            if esm {
                " (`.mjs`, or `\"type\": \"module\"` in package.json)"
            } else {
                ""
            }
        ),
        GlobalKind::Browser => format!(
            "`{}` is a browser global, and this file runs in Node (its package has no browser framework or bundler)",
            u.name
        ),
        GlobalKind::Test => format!(
            "`{}` is defined by test runners only, and this is not a test file",
            u.name
        ),
        GlobalKind::Unknown => match u.declared_in_other_scope {
            Some(line) => format!(
                "`{}` is declared at line {line} in a scope this use cannot see (a block such as a `try`, or another function)",
                u.name
            ),
            None => format!(
                "no declaration, import or runtime global defines `{}`",
                u.name
            ),
        },
    }
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // Names the program's other files make global (and ambient declarations).
    let mut provided: HashSet<&str> = HashSet::new();
    for i in ctx.sources.iter().copied() {
        if let Some(f) = ctx.facts(i) {
            provided.extend(f.integrity.provided_globals.iter().map(String::as_str));
            provided.extend(f.integrity.script_globals.iter().map(String::as_str));
        }
    }
    // `global[name] = …` somewhere: any name may be global.
    if provided.contains("*") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in ctx.reachable_sources() {
        let Some(facts) = ctx.facts(i) else { continue };
        if facts.integrity.undefined_names.is_empty() {
            continue;
        }
        let rel = ctx.rel(i);
        if js_modules::is_test_support(rel) || ctx.is_sample_code(i) {
            continue;
        }
        let is_js = matches!(
            ctx.language(i),
            Some(Language::JavaScript | Language::TypeScript)
        );
        let package = js_modules::package_json(ctx, i);
        let node = js_modules::node_signals(facts);
        if is_js
            && (js_modules::runs_on_deno(ctx, i)
                // A script outside any Node package: a page's script, whose names may come
                // from the HTML that loads it.
                || (package.is_none() && !node))
        {
            continue;
        }
        let auto_imports = is_js && package.is_some_and(js_modules::auto_imports);
        let browser = is_js && (!node || js_modules::may_run_in_browser(ctx, i));
        let esm = is_js && js_modules::loads_as_esm(ctx, i);
        for u in &facts.integrity.undefined_names {
            if provided.contains(u.name.as_str()) {
                continue;
            }
            let judged = match u.kind {
                GlobalKind::Unknown => !auto_imports,
                GlobalKind::Browser => !browser && !u.in_callback,
                GlobalKind::CommonJs => esm && !browser,
                GlobalKind::Test => true,
            };
            if !judged {
                continue;
            }
            let why = explanation(u, esm);
            let uses = if u.uses > 1 {
                format!(" ({} uses in the file)", u.uses)
            } else {
                String::new()
            };
            let (severity, impact) = if u.write_only {
                (
                    Severity::High,
                    "Assigning an undeclared name throws ReferenceError in strict mode (ES modules, classes, TypeScript output) when the line runs.".to_string(),
                )
            } else {
                (
                    Severity::Blocker,
                    "ReferenceError when this line runs: at module level the process dies at startup; in a handler every call of it fails.".to_string(),
                )
            };
            let verb = if u.write_only { "assigns" } else { "uses" };
            out.push(
                Finding::new(
                    &META,
                    format!("`{rel}` {verb} `{}`, which is not defined: {why}{uses}", u.name),
                )
                .severity(severity)
                .at(rel, u.span)
                .key(&u.name)
                .evidence(Evidence::at(
                    rel,
                    u.span.line,
                    ctx.snippet(i, u.span.line),
                    format!("first use of `{}`", u.name),
                ))
                .evidence(Evidence::searched(format!(
                    "scopes of `{rel}`, its imports, runtime globals, and globals other files of the project define ({} names)",
                    provided.len()
                )))
                .impact(impact)
                .fix(format!(
                    "Import or declare `{}` (or correct the name), or guard it with `typeof {} !== 'undefined'` if it is optional.",
                    u.name, u.name
                ))
                .verify(format!("npx eslint --no-eslintrc --env node,es2022 --parser-options=ecmaVersion:latest,sourceType:module --rule 'no-undef: error' {rel}")),
            );
        }
    }
    out
}
