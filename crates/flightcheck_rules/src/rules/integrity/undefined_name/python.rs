//! `integrity/undefined-name`, Python half: a name that is read but never defined or imported.

use crate::context::ProjectContext;
use flightcheck_core::{Evidence, Finding, Language, Severity};
use std::collections::HashMap;

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut callers: HashMap<(usize, &str), bool> = HashMap::new();
    // Python 3.14 evaluates no annotation until something asks for it (PEP 649).
    let lazy_annotations = ctx
        .project
        .python_target
        .as_ref()
        .is_some_and(|v| (v.major, v.minor) >= (3, 14));
    for &file in &ctx.sources {
        // Examples, demos and tests show how to do something; production does not run them.
        if ctx.language(file) != Some(Language::Python) || ctx.is_sample_code(file) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let rel = ctx.rel(file);
        for u in &facts.py_names.undefined {
            let line = ctx.snippet(file, u.span.line);
            if silenced_by_noqa(&line) {
                continue;
            }
            let name = &u.name;
            // `async def main(): …` run by `asyncio.run(main())` at module level runs while
            // the program starts, like module-level code.
            let at_startup = u.top_function.as_deref().is_some_and(|f| {
                facts
                    .call_edges
                    .iter()
                    .any(|e| e.from.is_none() && e.to == f)
            });
            // The `__main__` block of a module the service imports (not one it runs):
            // the block runs only when someone runs the file by hand, as a script.
            let script_block = u.in_main_guard && is_imported_cli(ctx, file);
            let (severity, message, impact) = if script_block {
                (
                    Severity::Low,
                    format!(
                        "`{name}` is used in `{rel}` but never defined or imported (in its `if __name__ == \"__main__\":` block)"
                    ),
                    "Python raises NameError when the file is run as a script; the service only imports it, and importing does not run this block.",
                )
            } else if u.in_annotation || (u.annotation && lazy_annotations) {
                (
                    Severity::Medium,
                    format!("`{name}` in an annotation in `{rel}` is never defined or imported"),
                    "Python does not evaluate this annotation, but type checkers and typing.get_type_hints (FastAPI, pydantic) fail on it.",
                )
            } else if let Some(function) = u.top_function.as_deref().filter(|f| {
                u.in_function
                    && !*callers.entry((file, f)).or_insert_with(|| {
                        super::named_elsewhere(ctx, file, f, &[Language::Python])
                    })
            }) {
                (
                    Severity::Low,
                    format!(
                        "`{name}` is used in `{rel}` but never defined or imported (in `{function}`, which nothing in the project calls)"
                    ),
                    "Python would raise NameError when this function runs, but no code of the project names it: it is dead code today, and breaks whoever calls it first.",
                )
            } else if !u.in_function && u.in_except {
                // `except ImportError:` at module level: the fallback runs only when the
                // import above it failed, which a complete install does not do.
                (
                    Severity::Medium,
                    format!(
                        "`{name}` is used in `{rel}` but never defined or imported (in a module-level `except` handler)"
                    ),
                    "Python raises NameError when this handler runs, at import time: the fallback for a failed statement fails too. It runs only after that statement already failed, so medium.",
                )
            } else if u.in_function && u.in_except {
                (
                    Severity::Medium,
                    format!(
                        "`{name}` is used in `{rel}` but never defined or imported (in an `except` handler)"
                    ),
                    "Python raises NameError when this handler runs: the error it was meant to handle is replaced by a NameError and the user gets no answer. It breaks only after something else already failed, so medium.",
                )
            } else if u.in_function && !at_startup {
                // Medium, not blocker: the module loads and serves; this function fails each
                // time it runs, and whether any request reaches it is not proven here (blind
                // reviews found most such names in code nothing calls or error paths).
                (
                    Severity::Medium,
                    format!("`{name}` is used in `{rel}` but never defined or imported"),
                    "Python raises NameError when this function runs: every call of it fails, while the rest of the service keeps working.",
                )
            } else if u.in_function {
                let function = u.top_function.as_deref().unwrap_or("a function");
                (
                    Severity::Blocker,
                    format!(
                        "`{name}` is used in `{rel}` (in `{function}`, which module-level code runs as the program starts) but never defined or imported"
                    ),
                    "Python raises NameError while the program starts: the service never comes up.",
                )
            } else {
                (
                    Severity::Blocker,
                    format!(
                        "`{name}` is used at module level in `{rel}` before anything defines or imports it"
                    ),
                    "Python raises NameError while importing this module: the process dies at startup.",
                )
            };
            out.push(
                Finding::new(&super::META, message)
                    .severity(severity)
                    .at(rel, u.span)
                    .key(name)
                    .evidence(Evidence::at(rel, u.span.line, line, "the name"))
                    .evidence(Evidence::searched(format!(
                        "the enclosing scopes of `{rel}`, its imports and the Python builtins"
                    )))
                    .impact(impact)
                    .fix(format!("Import or define `{name}`, or correct the name."))
                    .verify(format!(
                        "ruff check --select F821 {}",
                        flightcheck_core::text::shell_quote(rel)
                    )),
            );
        }
    }
    out
}

/// `# noqa` or `# noqa: F821` on the line: the author marked the name as known to be
/// missing (a Python 2 branch, a name injected at run time), as ruff and flake8 honour.
fn silenced_by_noqa(line: &str) -> bool {
    let Some(at) = line.find("# noqa") else {
        return false;
    };
    let rest = &line[at + "# noqa".len()..];
    match rest.trim_start().strip_prefix(':') {
        Some(codes) => codes.split([',', ' ']).any(|c| c.trim() == "F821"),
        None => true,
    }
}

/// A module another program of the project imports, which nothing launches but its own
/// `__main__` guard: its `__main__` block runs only when someone runs the file by hand.
fn is_imported_cli(ctx: &ProjectContext, file: usize) -> bool {
    use flightcheck_project::entry::EntryHow;
    let own = ctx.entries.iter().filter(|e| e.file == file).count();
    let launched = ctx
        .entries
        .iter()
        .any(|e| e.file == file && e.how != EntryHow::MainModule);
    // The entry points that reach the file: its own (when it is one) and its importers'.
    !launched && ctx.files[file].entries.len() > own.min(1)
}

#[cfg(test)]
mod tests {
    use super::silenced_by_noqa;

    #[test]
    fn noqa_comments() {
        assert!(silenced_by_noqa("x = unicode  # noqa"));
        assert!(silenced_by_noqa("x = unicode  # noqa: F821"));
        assert!(silenced_by_noqa("x = unicode  # noqa: E501, F821"));
        assert!(!silenced_by_noqa("x = unicode  # noqa: E501"));
        assert!(!silenced_by_noqa("x = unicode"));
    }
}
