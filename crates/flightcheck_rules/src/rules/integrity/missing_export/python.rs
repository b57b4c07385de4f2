//! `integrity/missing-export`, Python half: `from .module import name` where the project's own module
//! does not define `name`.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use flightcheck_core::{Evidence, Finding, ImportKind, Language, Severity};
use flightcheck_project::FileKind;
use flightcheck_project::deploy::LaunchOrigin;
use flightcheck_project::entry::EntryHow;
use flightcheck_python::resolve::{ModuleIndex, PyResolution};
use std::collections::HashSet;

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

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
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
        // Absolute imports resolve from the project root, `src` and the directories
        // Procfiles run in only: a sibling file (`types.py` next to a module doing `from
        // types import FrameType`) shadows nothing inside a package, and the standard
        // library is imported before any script runs.
        let mut roots = vec![root.to_string(), join(root, "src")];
        roots.extend(ctx.project.procfile_dirs().map(str::to_string));
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
            // One finding per import statement: `from x import A, B` with neither defined is
            // one broken line, with one fix.
            let missing: Vec<&String> = import
                .names
                .iter()
                .filter(|name| {
                    let is_submodule = package_dir.is_some_and(|d| {
                        let sub = format!("{d}/{name}");
                        dirs.contains(sub.as_str())
                            || module_paths.contains(format!("{sub}.py").as_str())
                    });
                    !(names.binds(name) || is_submodule || submodule_resolved(&resolved, ctx, name))
                })
                .collect();
            let Some(first) = missing.first() else {
                continue;
            };
            let target_rel = ctx.rel(target);
            // At module level of the service's own entry point (a file a deploy definition
            // or start script launches, or the `__main__` module that starts the service)
            // the ImportError ends the process before it serves anything. A web app
            // object nothing is seen to launch is only possibly the service.
            let kills_service = !import.in_function
                && ctx.files[file].role == flightcheck_core::Role::Service
                && ctx.entries.iter().any(|e| {
                    e.file == file
                        && matches!(
                            e.how,
                            EntryHow::MainModule
                                | EntryHow::Launch(
                                    LaunchOrigin::Deploy | LaunchOrigin::StartScript
                                )
                        )
                });
            let severity = if kills_service {
                Severity::Blocker
            } else {
                super::META.severity
            };
            let listed = missing
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let imported = missing
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            // The key stays the first name's, so a baseline of the one-name case still
            // matches.
            out.push(
                Finding::new(
                    &super::META,
                    format!(
                        "`from {spec} import {imported}` in `{rel}`: `{target_rel}` defines or imports no {listed}"
                    ),
                )
                .severity(severity)
                .at(rel, import.span)
                .key(format!("{spec}:{first}"))
                .evidence(evidence_at(
                    ctx,
                    file,
                    import.span,
                    if kills_service {
                        "the import, at module level of the service's entry point: the process dies before it starts".into()
                    } else {
                        "the import".into()
                    },
                ))
                .evidence(Evidence::searched(format!(
                    "the {} module-level names of `{target_rel}` (definitions, assignments, imports, globals) and its package's submodules",
                    names.module_bindings.len()
                )))
                .impact("Python raises ImportError (cannot import name) when this import runs; at module level the process dies at startup.")
                .fix(if missing.len() == 1 {
                    format!("Import a name `{target_rel}` defines, or define `{first}` there.")
                } else {
                    format!("Import names `{target_rel}` defines, or define {listed} there.")
                })
                .verify(format!(
                    "python3 -c \"import {}\"",
                    rel.trim_end_matches(".py").trim_end_matches("/__init__").replace('/', ".")
                )),
            );
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
