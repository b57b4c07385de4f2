//! Python half of the rule.

//! `integrity/missing-method`: `self.name()` where the project's own class has no `name`.

use crate::context::ProjectContext;
use flightcheck_core::{Evidence, Finding, Language};
use std::collections::HashSet;

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let python: Vec<usize> = ctx
        .sources
        .iter()
        .copied()
        .filter(|i| ctx.language(*i) == Some(Language::Python))
        .collect();
    // Classes any file (tests and dead code included) uses as a base.
    let bases: HashSet<&str> = python
        .iter()
        .filter_map(|i| ctx.facts(*i))
        .flat_map(|f| f.py_names.base_names.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for &file in &python {
        // Examples, demos and tests show how to do something; production does not run them.
        if ctx.is_sample_code(file) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let rel = ctx.rel(file);
        for m in &facts.py_names.missing_self_methods {
            if bases.contains(m.class.as_str()) {
                continue;
            }
            let (class, method) = (&m.class, &m.method);
            out.push(
                Finding::new(
                    &super::META,
                    format!("`self.{method}()` in class `{class}` (`{rel}`): `{class}` defines no `{method}`"),
                )
                .at(rel, m.span)
                .key(format!("{class}.{method}"))
                .evidence(Evidence::at(
                    rel,
                    m.span.line,
                    ctx.snippet(file, m.span.line),
                    "the call",
                ))
                .evidence(Evidence::searched(format!(
                    "the methods, class attributes and `self.` assignments of `{class}` (no bases, decorators, metaclass or __getattr__; no class of the project inherits from it)"
                )))
                .impact("Python raises AttributeError when this call runs: the code path fails every time.")
                .fix(format!("Call the method `{class}` defines, or add `{method}` to it."))
                .verify(format!("grep -n \"def {method}\" {rel}")),
            );
        }
    }
    out
}
