//! `integrity/missing-method`, JavaScript/TypeScript half: a call of a member that the project's own class or module
//! does not define.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use flightcheck_core::integrity::{ClassShape, Heritage, Receiver};
use flightcheck_core::{Evidence, Finding, Language};
use std::collections::HashSet;

/// A class of file `file`, by local name.
fn local_class<'a>(ctx: &ProjectContext<'a>, file: usize, name: &str) -> Option<&'a ClassShape> {
    ctx.facts(file)?
        .integrity
        .classes
        .iter()
        .find(|c| c.name == name)
}

/// The class module `file` exports as `export` (`default`, `module.exports`, a name).
fn exported_class<'a>(
    ctx: &ProjectContext<'a>,
    file: usize,
    export: &str,
) -> Option<&'a ClassShape> {
    let facts = ctx.facts(file)?;
    let exports = &facts.integrity.exports;
    // CommonJS interop: a default import is `module.exports`.
    let wanted = if export == "default" && !exports.esm {
        "module.exports"
    } else {
        export
    };
    facts
        .integrity
        .classes
        .iter()
        .find(|c| c.exported_as.iter().any(|e| e == wanted))
}

/// Whether the class (in `file`) or an ancestor defines `member`; `None` when unknown.
fn defines(
    ctx: &ProjectContext,
    file: usize,
    class: &ClassShape,
    member: &str,
    is_static: bool,
    depth: u32,
) -> Option<bool> {
    if depth > 12 || class.open {
        return None;
    }
    let own = if is_static {
        &class.static_members
    } else {
        &class.members
    };
    if own.iter().any(|m| m == member) {
        return Some(true);
    }
    match &class.extends {
        None => Some(false),
        Some(Heritage::Unknown) => None,
        Some(Heritage::Local { name }) => {
            let parent = local_class(ctx, file, name)?;
            defines(ctx, file, parent, member, is_static, depth + 1)
        }
        Some(Heritage::Imported { specifier, name }) => {
            let t = ctx.resolved(file, specifier)?;
            let parent = exported_class(ctx, t, name)?;
            defines(ctx, t, parent, member, is_static, depth + 1)
        }
    }
}

/// What a member call's receiver is: the file and class (with static or instance
/// members), or a module's plain export list.
enum Shape<'a> {
    Class(usize, &'a ClassShape, bool),
    Exports(usize),
}

fn shape_of<'a>(ctx: &ProjectContext<'a>, file: usize, receiver: &Receiver) -> Option<Shape<'a>> {
    match receiver {
        Receiver::Instance {
            specifier: None,
            name,
        } => Some(Shape::Class(file, local_class(ctx, file, name)?, false)),
        Receiver::Class {
            specifier: None,
            name,
        } => Some(Shape::Class(file, local_class(ctx, file, name)?, true)),
        Receiver::Instance {
            specifier: Some(spec),
            name,
        } => {
            let t = ctx.resolved(file, spec)?;
            Some(Shape::Class(t, exported_class(ctx, t, name)?, false))
        }
        Receiver::Class {
            specifier: Some(spec),
            name,
        } => {
            let t = ctx.resolved(file, spec)?;
            if let Some(c) = exported_class(ctx, t, name) {
                return Some(Shape::Class(t, c, true));
            }
            let exports = &ctx.facts(t)?.integrity.exports;
            let wanted = if name == "default" && !exports.esm {
                "module.exports"
            } else {
                name.as_str()
            };
            let (_, class) = exports.instances.iter().find(|(e, _)| e == wanted)?;
            Some(Shape::Class(t, local_class(ctx, t, class)?, false))
        }
        Receiver::Module { specifier, .. } => {
            let t = ctx.resolved(file, specifier)?;
            let exports = &ctx.facts(t)?.integrity.exports;
            if let Some((_, class)) = exports
                .instances
                .iter()
                .find(|(e, _)| e == "module.exports")
            {
                return Some(Shape::Class(t, local_class(ctx, t, class)?, false));
            }
            if let Some(c) = exported_class(ctx, t, "module.exports") {
                return Some(Shape::Class(t, c, true));
            }
            Some(Shape::Exports(t))
        }
    }
}

pub(super) fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // Classes some class of the project extends, by name: their `this.m()` calls may be
    // template methods a subclass provides.
    let mut extended: HashSet<&str> = HashSet::new();
    for &i in &ctx.sources {
        if let Some(f) = ctx.facts(i) {
            for c in &f.integrity.classes {
                match &c.extends {
                    Some(Heritage::Local { name }) | Some(Heritage::Imported { name, .. }) => {
                        extended.insert(name.as_str());
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    for i in ctx.reachable_sources() {
        if !matches!(
            ctx.language(i),
            Some(Language::JavaScript | Language::TypeScript)
        ) {
            continue;
        }
        let Some(facts) = ctx.facts(i) else { continue };
        let rel = ctx.rel(i);
        for call in &facts.integrity.member_calls {
            if call.guarded {
                continue;
            }
            let Some(shape) = shape_of(ctx, i, &call.receiver) else {
                continue;
            };
            let (owner, known, what) = match shape {
                Shape::Class(f, class, is_static) => {
                    let via_this = call.via.starts_with("this.");
                    if via_this
                        && (extended.contains(class.name.as_str())
                            || class
                                .exported_as
                                .iter()
                                .any(|e| extended.contains(e.as_str())))
                    {
                        continue;
                    }
                    let Some(found) = defines(ctx, f, class, &call.member, is_static, 0) else {
                        continue;
                    };
                    if found {
                        continue;
                    }
                    let mut members: Vec<&str> = if is_static {
                        class.static_members.iter().map(String::as_str).collect()
                    } else {
                        class.members.iter().map(String::as_str).collect()
                    };
                    members.sort();
                    members.dedup();
                    members.truncate(12);
                    (
                        f,
                        members,
                        format!(
                            "{}class `{}`",
                            if is_static { "the static side of " } else { "" },
                            class.name
                        ),
                    )
                }
                Shape::Exports(t) => {
                    let exports = &ctx.facts(t).map(|f| &f.integrity.exports);
                    let Some(exports) = exports else { continue };
                    if exports.opaque
                        || !(exports.esm || exports.commonjs)
                        || (exports.esm && exports.commonjs)
                        || !exports.star_from.is_empty()
                        || exports.names.iter().any(|n| n == &call.member)
                        || ctx.rel(t).ends_with(".d.ts")
                    {
                        continue;
                    }
                    let mut names: Vec<&str> = exports.names.iter().map(String::as_str).collect();
                    names.truncate(12);
                    (t, names, "the module".to_string())
                }
            };
            let orel = ctx.rel(owner);
            let listed = if known.is_empty() {
                "it defines no members".to_string()
            } else {
                format!("it defines {}", known.join(", "))
            };
            out.push(
                Finding::new(
                    &super::META,
                    format!(
                        "`{}(…)` in `{rel}` calls `{}`, which {what} in `{orel}` does not define ({listed}): TypeError `{} is not a function` when the line runs",
                        call.via, call.member, call.via
                    ),
                )
                .at(rel, call.span)
                .key(call.via.clone())
                .evidence(evidence_at(ctx, i, call.span, "the call".into()))
                .evidence(Evidence::searched(format!(
                    "members of {what} in `{orel}`: methods, accessors, fields, `this.x =` assignments, prototype additions and project superclasses"
                )))
                .impact("The call throws TypeError when it runs: the handler or job that reaches it fails every time.")
                .fix(format!("Call a member {what} defines, or add `{}` to it.", call.member))
                .verify("Run the code path once (a test that calls it), or `npx tsc --noEmit --checkJs`.".to_string()),
            );
        }
    }
    out
}
