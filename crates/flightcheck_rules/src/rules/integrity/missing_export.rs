//! `integrity/missing-export`: `from .module import name` where the project's own module
//! does not define `name`.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_python_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, ImportKind, Language, RuleMeta, Severity, WhenUnreachable,
};
use flightcheck_project::FileKind;
use flightcheck_python::resolve::{ModuleIndex, PyResolution};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/missing-export",
    severity: Severity::High,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "An import of a name that the local module does not define",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Resolves every Python `from module import name` whose module is one of the project's own
files (relative imports, and absolute imports into the project's packages) and checks that
the module binds `name` at module level: a `def`, `class`, assignment, import, `for`/`with`
target or a name a function declares `global`. A `name` that is a submodule
(`pkg/name.py`, `pkg/name/`) is fine. Only files an entry point reaches are checked.

## Why it breaks production
`from .services import charge_card` when `services.py` only has `charge` raises
`ImportError: cannot import name 'charge_card'` as soon as the importing module loads:
usually at startup, after a rename or a half-finished refactor that the author's editor
did not catch because the stale `.pyc` or an old branch still had it.

## Flagged
```python
# handlers.py
from .db import get_user_by_id    # db.py defines get_user, not get_user_by_id
```

## Not flagged
```python
from .db import get_user          # defined in db.py
from . import models              # a submodule
from .compat import json          # compat.py imports json: re-exports count
from .settings import DEBUG       # settings.py does `from .defaults import *`
try:
    from .speedups import fast_path
except ImportError:               # optional, failure handled
    fast_path = None
```
Modules with a star import, a module-level `__getattr__`, writes through `globals()` or
`sys.modules` tricks are not judged: they can define names no statement shows.

## Fix
Import the name the module really defines (or add it there), then load the module once:
`python3 -c "import yourpackage.handlers"`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_python_sources, check);

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() || dir == "." {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let python = |i: usize| ctx.ws.files[i].kind == FileKind::Source(Language::Python);
    let python_files: Vec<(usize, &str)> = (0..ctx.ws.files.len())
        .filter(|i| python(*i))
        .map(|i| (i, ctx.ws.files[i].rel.as_str()))
        .collect();
    let index = ModuleIndex::new(python_files.iter().map(|(i, rel)| (*rel, *i)));
    // Directories that hold Python files: `from pkg import sub` of a namespace package.
    let module_paths: HashSet<&str> = python_files.iter().map(|(_, rel)| *rel).collect();
    let mut dirs: HashSet<&str> = HashSet::new();
    for (_, rel) in &python_files {
        let mut d = parent(rel);
        while !d.is_empty() && dirs.insert(d) {
            d = parent(d);
        }
    }
    let root = ctx.project.root.as_str();
    let mut out = Vec::new();
    for &file in &ctx.sources {
        // Examples, demos and tests show how to do something; production does not run them.
        if !python(file) || ctx.is_sample_code(file) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let rel = ctx.rel(file);
        // Absolute imports resolve from the project root and `src` only: a sibling file
        // (`types.py` next to a module doing `from types import FrameType`) shadows nothing
        // inside a package, and the standard library is imported before any script runs.
        let roots = vec![root.to_string(), join(root, "src")];
        for import in &facts.imports {
            if import.kind != ImportKind::PyFrom || import.guarded {
                continue;
            }
            let spec = import.specifier.as_str();
            let module = spec.trim_start_matches('.');
            // `from . import x`: names of the package `__init__` or submodules; not judged.
            if module.is_empty() || import.names.iter().any(|n| n == "*") {
                continue;
            }
            let top = module.split('.').next().unwrap_or(module);
            if !spec.starts_with('.') && flightcheck_python::stdlib::is_stdlib(top) {
                continue;
            }
            let last = module.rsplit('.').next().unwrap_or(module);
            let resolved = index.resolve(rel, spec, &import.names, &roots);
            let target = resolved.iter().find_map(|r| match r {
                PyResolution::Local { file: t, .. } => {
                    let trel = ctx.ws.files[*t].rel.as_str();
                    let is_module = trel.ends_with(&format!("/{last}.py"))
                        || trel == format!("{last}.py")
                        || trel.ends_with(&format!("{last}/__init__.py"));
                    is_module.then_some(*t)
                }
                _ => None,
            });
            let Some(target) = target else { continue };
            let Some(target_facts) = ctx.files[target].facts.as_ref() else {
                continue;
            };
            let names = &target_facts.py_names;
            let tampered = ctx.files[target]
                .text
                .as_deref()
                .is_some_and(|t| t.contains("sys.modules["));
            if names.dynamic || tampered || !target_facts.syntax_issues.is_empty() {
                continue;
            }
            let trel = ctx.ws.files[target].rel.as_str();
            let package_dir = trel.strip_suffix("/__init__.py");
            for name in &import.names {
                if names.binds(name) {
                    continue;
                }
                let is_submodule = package_dir.is_some_and(|d| {
                    let sub = format!("{d}/{name}");
                    dirs.contains(sub.as_str())
                        || module_paths.contains(format!("{sub}.py").as_str())
                });
                if is_submodule || submodule_resolved(&resolved, ctx, name) {
                    continue;
                }
                let target_rel = ctx.rel(target);
                out.push(
                    Finding::new(
                        &META,
                        format!(
                            "`from {spec} import {name}` in `{rel}`: `{target_rel}` defines or imports no `{name}`"
                        ),
                    )
                    .at(rel, import.span)
                    .key(format!("{spec}:{name}"))
                    .evidence(Evidence::at(
                        rel,
                        import.span.line,
                        ctx.snippet(file, import.span.line),
                        "the import",
                    ))
                    .evidence(Evidence::searched(format!(
                        "the {} module-level names of `{target_rel}` (definitions, assignments, imports, globals) and its package's submodules",
                        names.module_bindings.len()
                    )))
                    .impact("Python raises ImportError (cannot import name) when this import runs; at module level the process dies at startup.")
                    .fix(format!("Import a name `{target_rel}` defines, or define `{name}` there."))
                    .verify(format!(
                        "python3 -c \"import {}\"",
                        rel.trim_end_matches(".py").trim_end_matches("/__init__").replace('/', ".")
                    )),
                );
            }
        }
    }
    out
}

/// Whether resolution found `name` as a submodule file (`pkg/name.py`).
fn submodule_resolved(resolved: &[PyResolution], ctx: &ProjectContext, name: &str) -> bool {
    resolved.iter().any(|r| match r {
        PyResolution::Local { file, .. } => {
            let rel = ctx.ws.files[*file].rel.as_str();
            rel.ends_with(&format!("/{name}.py"))
                || rel.ends_with(&format!("/{name}/__init__.py"))
                || rel == format!("{name}.py")
        }
        _ => false,
    })
}
