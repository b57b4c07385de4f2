//! `integrity/missing-method`, Python half: `self.name()` where the project's own class has no `name`.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use flightcheck_core::py_classes::{PyClass, PyReceiver};
use flightcheck_core::{Evidence, Finding, Language};
use flightcheck_project::FileKind;
use flightcheck_python::resolve::{ModuleIndex, PyResolution};
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
                .evidence(evidence_at(ctx, file, m.span, "the call".into()))
                .evidence(Evidence::searched(format!(
                    "the methods, class attributes and `self.` assignments of `{class}` (no bases, decorators, metaclass or __getattr__; no class of the project inherits from it)"
                )))
                .impact("Python raises AttributeError when this call runs: the code path fails every time.")
                .fix(format!("Call the method `{class}` defines, or add `{method}` to it."))
                .verify(format!("grep -n \"def {method}\" {}", flightcheck_core::text::shell_quote(rel))),
            );
        }
    }
    out
}

/// Looks up the project's Python classes through module-level definitions and
/// `from X import Name` (re-exports included), with the project's module index.
struct Classes<'c, 'a> {
    ctx: &'c ProjectContext<'a>,
    index: ModuleIndex,
    roots: Vec<String>,
}

impl<'c, 'a> Classes<'c, 'a> {
    /// The local module `specifier` names when `file` imports from it.
    fn module(&self, file: usize, specifier: &str, name: &str) -> Option<usize> {
        let rel = self.ctx.ws.files[file].rel.as_str();
        let module = specifier.trim_start_matches('.');
        if module.is_empty() {
            return None;
        }
        let last = module.rsplit('.').next().unwrap_or(module);
        self.index
            .resolve(rel, specifier, &[name.to_string()], &self.roots)
            .iter()
            .find_map(|r| match r {
                PyResolution::Local { file: t, .. } => {
                    let trel = self.ctx.ws.files[*t].rel.as_str();
                    let is_module = trel.ends_with(&format!("/{last}.py"))
                        || trel == format!("{last}.py")
                        || trel.ends_with(&format!("{last}/__init__.py"));
                    is_module.then_some(*t)
                }
                _ => None,
            })
    }

    /// The class `file` knows as `name`, and the file defining it.
    fn class(&self, file: usize, name: &str, depth: u32) -> Option<(usize, &'a PyClass)> {
        let facts = &self.ctx.facts(file)?.py_classes;
        if let Some(c) = facts.classes.iter().find(|c| c.name == name) {
            return Some((file, c));
        }
        if depth > 8 {
            return None;
        }
        let import = facts.imported.iter().find(|i| i.local == name)?;
        let target = self.module(file, &import.specifier, &import.name)?;
        self.class(target, &import.name, depth + 1)
    }

    /// Whether the class or one of its project bases defines `member`; `None` when a base
    /// is not the project's (or the class is open to members syntax does not show).
    fn defines(&self, file: usize, class: &PyClass, member: &str, depth: u32) -> Option<bool> {
        if class.open || depth > 12 {
            return None;
        }
        if class
            .members
            .binary_search_by(|m| m.as_str().cmp(member))
            .is_ok()
        {
            return Some(true);
        }
        for base in &class.bases {
            if base == "object" {
                continue;
            }
            let (bf, bc) = self.class(file, base, 0)?;
            if self.defines(bf, bc, member, depth + 1)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// The class of a call's receiver, and whether only an annotation says so.
    fn receiver(&self, file: usize, receiver: &PyReceiver) -> Option<(usize, &'a PyClass, bool)> {
        match receiver {
            PyReceiver::Instance { class, annotated } => {
                let (f, c) = self.class(file, class, 0)?;
                Some((f, c, *annotated))
            }
            PyReceiver::Imported { name } => {
                let facts = &self.ctx.facts(file)?.py_classes;
                let import = facts.imported.iter().find(|i| &i.local == name)?;
                let target = self.module(file, &import.specifier, &import.name)?;
                let (_, class) = self
                    .ctx
                    .facts(target)?
                    .py_classes
                    .instances
                    .iter()
                    .find(|(n, _)| n == &import.name)?;
                let (f, c) = self.class(target, class, 0)?;
                Some((f, c, false))
            }
        }
    }
}

/// `self.repo.get_usr()`, `db.m()`, `svc.m()` where the receiver's class is a project class
/// (found through constructor calls, annotations and module-level instances) that defines
/// no such member, itself or through project bases.
pub(super) fn check_receivers(ctx: &ProjectContext) -> Vec<Finding> {
    let python: Vec<usize> = (0..ctx.ws.files.len())
        .filter(|i| ctx.ws.files[*i].kind == FileKind::Source(Language::Python))
        .collect();
    // Classes any file uses as a base: an annotated parameter may hold a subclass.
    let bases: HashSet<&str> = python
        .iter()
        .filter_map(|i| ctx.facts(*i))
        .flat_map(|f| f.py_names.base_names.iter().map(String::as_str))
        .collect();
    let root = ctx.project.root.as_str();
    let roots = vec![
        root.to_string(),
        if root.is_empty() || root == "." {
            "src".to_string()
        } else {
            format!("{root}/src")
        },
    ];
    let classes = Classes {
        ctx,
        index: ModuleIndex::new(python.iter().map(|i| (ctx.ws.files[*i].rel.as_str(), *i))),
        roots,
    };
    let mut out = Vec::new();
    for file in ctx.reachable_sources() {
        if ctx.language(file) != Some(Language::Python) || ctx.is_sample_code(file) {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let rel = ctx.rel(file);
        for call in &facts.py_classes.calls {
            let Some((owner, class, annotated)) = classes.receiver(file, &call.receiver) else {
                continue;
            };
            let name = class.name.as_str();
            // A subclass may be passed for an annotation, or may assign the attribute
            // another class.
            let subclassed = call
                .attribute_of
                .as_deref()
                .is_some_and(|c| bases.contains(c));
            if (annotated && bases.contains(name)) || subclassed || name.ends_with("Mixin") {
                continue;
            }
            if classes.defines(owner, class, &call.method, 0) != Some(false) {
                continue;
            }
            let method = &call.method;
            let orel = ctx.rel(owner);
            let mut known: Vec<&str> = class
                .members
                .iter()
                .map(String::as_str)
                .filter(|m| !m.starts_with('_'))
                .collect();
            known.truncate(12);
            let how = match &call.receiver {
                PyReceiver::Instance {
                    annotated: true, ..
                } => "annotated as",
                PyReceiver::Instance { .. } => "constructed as",
                PyReceiver::Imported { .. } => "an imported instance of",
            };
            out.push(
                Finding::new(
                    &super::META,
                    format!(
                        "`{}(…)` in `{rel}`: the receiver is {how} `{name}` (`{orel}`), which defines no `{method}` (it defines {})",
                        call.via,
                        if known.is_empty() { "no public members".to_string() } else { known.join(", ") }
                    ),
                )
                .at(rel, call.span)
                .key(call.via.clone())
                .evidence(evidence_at(ctx, file, call.span, "the call".into()))
                .evidence(Evidence::searched(format!(
                    "the methods, class attributes and `self.` assignments of `{name}` in `{orel}` and of its project bases (no decorators, metaclass, __getattr__ or setattr)"
                )))
                .impact("Python raises AttributeError when this call runs: the code path fails every time.")
                .fix(format!("Call a method `{name}` defines, or add `{method}` to it."))
                .verify(format!("grep -n \"def {method}\" {}", flightcheck_core::text::shell_quote(orel))),
            );
        }
    }
    out
}
