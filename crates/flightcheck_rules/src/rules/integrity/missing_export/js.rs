//! `integrity/missing-export`, JavaScript/TypeScript half: an import of a name the local module does not export.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use flightcheck_core::integrity::ImportStyle;
use flightcheck_core::{Evidence, Finding, Language, Severity};

/// Whether module `file` exports `name`: `Some(false)` when its exports are fully known and
/// lack it, `None` when they cannot be listed.
fn exports_name(ctx: &ProjectContext, file: usize, name: &str, depth: u32) -> Option<bool> {
    if depth > 16 {
        return None;
    }
    if !matches!(
        ctx.language(file),
        Some(Language::JavaScript | Language::TypeScript)
    ) {
        return None;
    }
    let rel = ctx.rel(file);
    // Declaration files export every top-level declaration implicitly; worker modules
    // (`x.worker.ts`) are wrapped by a bundler loader that supplies the default export.
    if [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|e| rel.ends_with(e))
        || rel.contains(".worker.")
    {
        return None;
    }
    let exports = &ctx.facts(file)?.integrity.exports;
    if exports.opaque || !(exports.esm || exports.commonjs) {
        return None;
    }
    if exports.names.iter().any(|n| n == name) {
        return Some(true);
    }
    // CommonJS interop: a default import takes `module.exports`.
    if name == "default" && !exports.esm {
        return Some(true);
    }
    // ES and CommonJS mixed in one file: bundlers and loaders differ; do not judge.
    if exports.esm && exports.commonjs {
        return None;
    }
    let mut unknown = false;
    for spec in &exports.star_from {
        match ctx.resolved(file, spec) {
            Some(t) => match exports_name(ctx, t, name, depth + 1) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            },
            // A package or an unresolved path: its names are unknown.
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in ctx.reachable_sources() {
        let Some(facts) = ctx.facts(i) else { continue };
        let rel = ctx.rel(i);
        for import in &facts.integrity.imported_names {
            if import.guarded {
                continue;
            }
            let Some(target) = ctx.resolved(i, &import.specifier) else {
                continue;
            };
            if exports_name(ctx, target, &import.name, 0) != Some(false) {
                continue;
            }
            let Some(tfacts) = ctx.facts(target) else {
                continue;
            };
            let trel = ctx.rel(target);
            let exports = &tfacts.integrity.exports;
            let mut listed: Vec<&str> = exports.names.iter().map(String::as_str).collect();
            listed.truncate(12);
            let what = if import.name == "default" {
                "a default export".to_string()
            } else {
                format!("`{}`", import.name)
            };
            let has = if listed.is_empty() {
                "it exports nothing".to_string()
            } else {
                format!("it exports {}", listed.join(", "))
            };
            let (severity, consequence) = if import.type_only {
                (
                    Severity::Low,
                    "only types are taken, so TypeScript erases the import and the running program is not affected, but `tsc` fails on it",
                )
            } else if import.style == ImportStyle::Require {
                (
                    Severity::High,
                    "the value is `undefined`, so the first call or property read throws TypeError",
                )
            } else {
                (
                    Severity::High,
                    "Node refuses to link the ES module (SyntaxError: does not provide an export named …) and bundlers leave it `undefined`",
                )
            };
            let mut message = format!(
                "`{rel}` imports {what} from `{}`, but `{trel}` does not export it ({has}){}: {consequence}",
                import.specifier,
                if exports.star_from.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; its `export *` re-exports ({}) do not provide it either",
                        exports.star_from.join(", ")
                    )
                }
            );
            if import.name == "default" {
                message.push_str("; use a named import or add `export default`");
            }
            out.push(
                Finding::new(&super::META, message)
                    .severity(severity)
                    .at(rel, import.span)
                    .key(format!("{}:{}", import.specifier, import.name))
                    .evidence(evidence_at(ctx, i, import.span, "the import".into()))
                    .evidence(Evidence::searched(format!(
                        "exports of `{trel}`: ES `export` declarations and lists, `export * from` chains, CommonJS `module.exports`/`exports.x`"
                    )))
                    .impact("The import takes a value that does not exist: an ES module fails to load, a CommonJS caller gets `undefined` and throws on first use.")
                    .fix(format!("Import a name `{trel}` exports, or export {what} from it."))
                    .verify("npx tsc --noEmit (TypeScript), or start the entry point once: node -e \"require('./ENTRY')\"".to_string()),
            );
        }
    }
    out
}
