//! `integrity/undefined-name`, JavaScript/TypeScript half: a reachable file uses a name nothing defines.
//!
//! The language crates list the names each file uses without a declaration in scope and
//! without a global of the runtime (`IntegrityFacts::undefined_names`); this rule removes
//! what other files make global and what the file's environment (browser, ES module, tests)
//! decides, and reports the rest.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::js_modules;
use flightcheck_core::integrity::{GlobalKind, UndefinedName};
use flightcheck_core::{Evidence, Finding, Language, Severity};
use std::collections::{HashMap, HashSet};

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

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
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
    let mut callers: HashMap<(usize, String), bool> = HashMap::new();
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
            let dead = u.top_function.as_ref().filter(|(f, _)| {
                !*callers.entry((i, f.clone())).or_insert_with(|| {
                    super::named_elsewhere(ctx, i, f, &[Language::JavaScript, Language::TypeScript])
                })
            });
            let (severity, impact) = if let Some((function, line)) = dead {
                (
                    Severity::Low,
                    format!(
                        "ReferenceError when `{function}` (line {line}) runs, but no code of the project names it: it is dead today, and breaks whoever calls it first."
                    ),
                )
            } else if u.write_only {
                (
                    Severity::Medium,
                    "Assigning an undeclared name throws ReferenceError in strict mode (ES modules, classes, TypeScript output) when the line runs.".to_string(),
                )
            } else if !runs_at_load(facts, u)
                && (u.top_function.is_some() || u.in_callback || u.in_function)
            {
                // Medium, not blocker: the module loads; the function fails each time it
                // runs, and whether any request reaches it is not proven here.
                (
                    Severity::Medium,
                    "ReferenceError each time this function runs: every call of it fails, while the rest of the service keeps working.".to_string(),
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
                    &super::META,
                    format!(
                        "`{rel}` {verb} `{}`, which is not defined: {why}{uses}{}",
                        u.name,
                        dead.map(|(f, _)| format!(" (in `{f}`, which nothing in the project calls)"))
                            .unwrap_or_default()
                    ),
                )
                .severity(severity)
                .at(rel, u.span)
                .key(&u.name)
                .evidence(evidence_at(ctx, i, u.span, format!("first use of `{}`", u.name)))
                .evidence(Evidence::searched(format!(
                    "scopes of `{rel}`, its imports, runtime globals, and globals other files of the project define ({} names)",
                    provided.len()
                )))
                .impact(impact)
                .fix(format!(
                    "Import or declare `{}` (or correct the name), or guard it with `typeof {} !== 'undefined'` if it is optional.",
                    u.name, u.name
                ))
                .verify(format!("npx eslint --no-eslintrc --env node,es2022 --parser-options=ecmaVersion:latest,sourceType:module --rule 'no-undef: error' {}", flightcheck_core::text::shell_quote(rel))),
            );
        }
    }
    out
}

/// The use runs while the module loads: at module level, or in a top-level function that
/// module-level code calls (`async function main() {…} main();`). An immediately invoked
/// function (`(async () => {…})()`) is module-level code to the fact extractor already.
fn runs_at_load(
    facts: &flightcheck_core::FileFacts,
    u: &flightcheck_core::integrity::UndefinedName,
) -> bool {
    match &u.top_function {
        Some((name, _)) => facts
            .call_edges
            .iter()
            .any(|e| e.from.is_none() && &e.to == name),
        None => !u.in_function && !u.in_callback,
    }
}
