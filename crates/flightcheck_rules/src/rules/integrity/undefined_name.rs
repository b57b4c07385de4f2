//! `integrity/undefined-name`: a name that is read but never defined or imported.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/undefined-name",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A reachable file uses a name that is never defined or imported",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 5,
    docs: r#"## What it does
Resolves every name a Python file reads through the scopes Python uses (module, class,
function, lambda, comprehension and PEP 695 type-parameter scopes, `global`/`nonlocal`,
walrus targets, `match` captures, `except … as`, imports in `try`/`if TYPE_CHECKING`
blocks) and the interpreter's builtins, like ruff's and pyflakes' `F821`, and reports names
nothing defines. A name bound anywhere in a function or class counts as defined there
(conditional definitions are not guessed at); module-level code is read top to bottom, so
`print(x)` before `x = 1` is reported. Only files an entry point reaches are checked.

## Why it breaks production
Python looks names up when the line runs. A missing import or a corrupted line
(`appappapp.run()`) raises `NameError`: at module level the process dies at startup; in a
handler, every request or update that reaches it fails. Nothing catches it before a user
does, unless the code path is tested.

## Flagged
```python
def save(order):
    return json.dumps(order)      # `import json` is missing

logger.info("started")            # `logger` never assigned
```

## Not flagged
```python
try:
    import ujson as json
except ImportError:
    json = None                   # bound on both paths
if TYPE_CHECKING:
    from .models import User
def load(u: "User") -> None: ...  # a quoted annotation of a TYPE_CHECKING import
from .helpers import *            # the module is not judged: the star import may define anything
def run():
    exec(code)                    # names may come from `exec`, `locals()`, `eval`
    return result
try:
    unicode
except NameError:                 # the missing name is expected
    unicode = str
```
Names only read in quoted annotations or under `from __future__ import annotations` are
reported as `medium`: Python does not evaluate them, but type checkers and
`typing.get_type_hints` (FastAPI, pydantic, dataclasses with string types) do.

## Fix
Import or define the name, or fix the typo; `ruff check --select F821` shows the same names.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
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
            let (severity, message, impact) = if u.in_annotation {
                (
                    Severity::Medium,
                    format!("`{name}` in an annotation in `{rel}` is never defined or imported"),
                    "Python does not evaluate this annotation, but type checkers and typing.get_type_hints (FastAPI, pydantic) fail on it.",
                )
            } else if u.in_function {
                (
                    Severity::Blocker,
                    format!("`{name}` is used in `{rel}` but never defined or imported"),
                    "Python raises NameError when this function runs: every call fails.",
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
                Finding::new(&META, message)
                    .severity(severity)
                    .at(rel, u.span)
                    .key(name)
                    .evidence(Evidence::at(rel, u.span.line, line, "the name"))
                    .evidence(Evidence::searched(format!(
                        "the enclosing scopes of `{rel}`, its imports and the Python builtins"
                    )))
                    .impact(impact)
                    .fix(format!("Import or define `{name}`, or correct the name."))
                    .verify(format!("ruff check --select F821 {rel}")),
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
