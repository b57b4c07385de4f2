//! Class facts of one Python module for `integrity/missing-method`: module-level classes and
//! their members, module-level instances, from-imported names, and member calls on receivers
//! whose class a constructor call or an annotation fixes.

use crate::dotted;
use flightcheck_core::Span;
use flightcheck_core::py_classes::{
    PyClass, PyClassFacts, PyImportedName, PyMemberCall, PyReceiver,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

/// How one binding of a name got its value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// `x = Foo(…)`.
    Ctor(String),
    /// `x: Foo = …`, `def f(x: Foo)`, `Optional[Foo]`, `Foo | None`.
    Annot(String),
    Unknown,
}

type Bindings = HashMap<String, Vec<Origin>>;

/// The class a name's bindings fix, and whether an annotation says so.
fn known(origins: &[Origin]) -> Option<(String, bool)> {
    let annotations: Vec<&String> = origins
        .iter()
        .filter_map(|o| match o {
            Origin::Annot(t) => Some(t),
            _ => None,
        })
        .collect();
    if let Some(first) = annotations.first() {
        return annotations
            .iter()
            .all(|t| t == first)
            .then(|| ((*first).clone(), true));
    }
    let first = match origins.first()? {
        Origin::Ctor(t) => t,
        _ => return None,
    };
    origins
        .iter()
        .all(|o| matches!(o, Origin::Ctor(t) if t == first))
        .then(|| (first.clone(), false))
}

/// A plain class name out of an annotation: `Foo`, `Optional[Foo]`, `Foo | None`, `"Foo"`.
fn annotated_class(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Subscript(s) => {
            let outer = match &*s.value {
                Expr::Name(n) => n.id.as_str(),
                Expr::Attribute(a) => a.attr.as_str(),
                _ => return None,
            };
            (outer == "Optional").then(|| annotated_class(&s.slice))?
        }
        Expr::BinOp(b) if b.op == ast::Operator::BitOr => {
            let none = |e: &Expr| matches!(e, Expr::NoneLiteral(_));
            if none(&b.right) {
                annotated_class(&b.left)
            } else if none(&b.left) {
                annotated_class(&b.right)
            } else {
                None
            }
        }
        Expr::StringLiteral(s) => {
            let text = s.value.to_str().trim();
            let ident = !text.is_empty()
                && text.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !text.starts_with(|c: char| c.is_ascii_digit());
            ident.then(|| text.to_string())
        }
        _ => None,
    }
}

/// `Foo(…)` with a plain name as the callee.
fn constructed(e: &Expr) -> Option<String> {
    match e {
        Expr::Call(c) => match &*c.func {
            Expr::Name(n) => Some(n.id.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The bindings one scope makes (nested functions and classes are their own scopes), the
/// `self.x` attributes assigned when `self_name` is the instance, `Cls.x = …` additions,
/// and whether attributes are set out of sight (`setattr`, `vars`, `__dict__`).
#[derive(Default)]
struct Binder<'a> {
    self_name: Option<&'a str>,
    names: Bindings,
    attributes: Bindings,
    patched: Vec<(String, String)>,
    dynamic: bool,
    /// `hasattr`/`getattr` in the scope: members are tested before use.
    probes: bool,
    /// Also walk nested functions (for `self.x =` in closures of a method).
    deep: bool,
}

impl<'a> Binder<'a> {
    fn target(&mut self, target: &'a Expr, origin: Origin) {
        match target {
            Expr::Name(n) => self.names.entry(n.id.to_string()).or_default().push(origin),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.target(e, Origin::Unknown)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target(e, Origin::Unknown)),
            Expr::Starred(s) => self.target(&s.value, Origin::Unknown),
            Expr::Attribute(a) => {
                if let Expr::Name(owner) = &*a.value {
                    if Some(owner.id.as_str()) == self.self_name {
                        self.attributes
                            .entry(a.attr.to_string())
                            .or_default()
                            .push(origin);
                    } else {
                        self.patched
                            .push((owner.id.to_string(), a.attr.to_string()));
                    }
                }
            }
            _ => {}
        }
    }

    fn bind(&mut self, name: &str) {
        self.names
            .entry(name.to_string())
            .or_default()
            .push(Origin::Unknown);
    }
}

impl<'a> Visitor<'a> for Binder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.bind(f.name.as_str());
                if self.deep {
                    visitor::walk_body(self, &f.body);
                }
                return;
            }
            Stmt::ClassDef(c) => {
                self.bind(c.name.as_str());
                return;
            }
            Stmt::Assign(a) => {
                let origin = |v: &Expr| constructed(v).map_or(Origin::Unknown, Origin::Ctor);
                if let [single] = a.targets.as_slice() {
                    self.target(single, origin(&a.value));
                } else {
                    a.targets
                        .iter()
                        .for_each(|t| self.target(t, Origin::Unknown));
                }
            }
            Stmt::AnnAssign(a) => {
                let origin = annotated_class(&a.annotation)
                    .map(Origin::Annot)
                    .or_else(|| a.value.as_deref().and_then(constructed).map(Origin::Ctor))
                    .unwrap_or(Origin::Unknown);
                self.target(&a.target, origin);
            }
            Stmt::AugAssign(a) => self.target(&a.target, Origin::Unknown),
            Stmt::For(f) => self.target(&f.target, Origin::Unknown),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        self.target(v, Origin::Unknown);
                    }
                }
            }
            Stmt::Delete(d) => d
                .targets
                .iter()
                .for_each(|t| self.target(t, Origin::Unknown)),
            Stmt::Import(i) => {
                for alias in &i.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = local.as_str().split('.').next().unwrap_or("");
                    self.bind(first);
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::Global(g) => g.names.iter().for_each(|n| self.bind(n.as_str())),
            Stmt::Nonlocal(g) => g.names.iter().for_each(|n| self.bind(n.as_str())),
            Stmt::Try(t) => {
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        self.bind(n.as_str());
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Named(n) => self.target(&n.target, Origin::Unknown),
            Expr::Lambda(_) => return,
            Expr::Call(c) => {
                if let Expr::Name(f) = &*c.func {
                    match f.id.as_str() {
                        "setattr" | "vars" => self.dynamic = true,
                        "hasattr" | "getattr" => self.probes = true,
                        _ => {}
                    }
                }
            }
            Expr::Attribute(a) if a.attr.as_str() == "__dict__" => self.dynamic = true,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        match pattern {
            ast::Pattern::MatchAs(ast::PatternMatchAs { name: Some(n), .. })
            | ast::Pattern::MatchStar(ast::PatternMatchStar { name: Some(n), .. }) => {
                self.bind(n.as_str())
            }
            ast::Pattern::MatchMapping(ast::PatternMatchMapping { rest: Some(n), .. }) => {
                self.bind(n.as_str())
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

fn bindings_of<'a>(body: &'a [Stmt], self_name: Option<&'a str>, deep: bool) -> Binder<'a> {
    let mut b = Binder {
        self_name,
        deep,
        ..Binder::default()
    };
    visitor::walk_body(&mut b, body);
    b
}

/// Member calls `name.m(…)` and `self.attr.m(…)` of one scope (not of nested scopes).
struct Calls<'a> {
    self_name: Option<&'a str>,
    found: Vec<(CallOn<'a>, &'a str, TextRange)>,
    nested: Vec<&'a ast::StmtFunctionDef>,
}

enum CallOn<'a> {
    Name(&'a str),
    SelfAttribute(&'a str),
}

impl<'a> Visitor<'a> for Calls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.nested.push(f),
            Stmt::ClassDef(_) => {}
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Expr::Call(c) = expr
            && let Expr::Attribute(method) = &*c.func
        {
            let on = match &*method.value {
                Expr::Name(n) => Some(CallOn::Name(n.id.as_str())),
                Expr::Attribute(a) => match &*a.value {
                    Expr::Name(s) if Some(s.id.as_str()) == self.self_name => {
                        Some(CallOn::SelfAttribute(a.attr.as_str()))
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(on) = on {
                self.found.push((on, method.attr.as_str(), c.range()));
            }
        }
        visitor::walk_expr(self, expr);
    }
}

struct Extract<'s> {
    span_of: &'s dyn Fn(TextRange) -> Span,
    module: Bindings,
    imported: HashSet<String>,
    out: PyClassFacts,
}

impl<'s> Extract<'s> {
    fn module_receiver(&self, name: &str) -> Option<PyReceiver> {
        let origins = self.module.get(name)?;
        if let Some((class, annotated)) = known(origins) {
            return Some(PyReceiver::Instance { class, annotated });
        }
        (origins.len() == 1 && self.imported.contains(name)).then(|| PyReceiver::Imported {
            name: name.to_string(),
        })
    }

    /// Walks one scope: `locals` are its bindings (none at module level), `enclosing` the
    /// names enclosing functions bind, `attributes` the instance attributes when the scope
    /// is a method (or nested in one) whose instance is `self_name`.
    fn scope<'a>(
        &mut self,
        body: &'a [Stmt],
        locals: Option<&Binder<'a>>,
        enclosing: &mut Vec<HashSet<String>>,
        instance: Option<(&'a str, &Bindings)>,
        class: Option<&str>,
    ) {
        let mut calls = Calls {
            self_name: instance.map(|(s, _)| s),
            found: Vec::new(),
            nested: Vec::new(),
        };
        visitor::walk_body(&mut calls, body);
        let probes = locals.is_some_and(|l| l.probes);
        for (on, method, range) in &calls.found {
            if probes || (method.starts_with("__") && method.ends_with("__")) {
                continue;
            }
            let (receiver, via, attribute_of) = match on {
                CallOn::Name(name) => {
                    let receiver = if let Some(origins) = locals.and_then(|l| l.names.get(*name)) {
                        known(origins)
                            .map(|(class, annotated)| PyReceiver::Instance { class, annotated })
                    } else if enclosing.iter().any(|e| e.contains(*name)) {
                        None
                    } else {
                        self.module_receiver(name)
                    };
                    (receiver, format!("{name}.{method}"), None)
                }
                CallOn::SelfAttribute(attr) => {
                    let Some((self_name, attributes)) = instance else {
                        continue;
                    };
                    let receiver = attributes
                        .get(*attr)
                        .and_then(|o| known(o))
                        .map(|(class, annotated)| PyReceiver::Instance { class, annotated });
                    (
                        receiver,
                        format!("{self_name}.{attr}.{method}"),
                        class.map(str::to_string),
                    )
                }
            };
            if let Some(receiver) = receiver {
                self.out.calls.push(PyMemberCall {
                    receiver,
                    method: method.to_string(),
                    via,
                    attribute_of,
                    span: (self.span_of)(*range),
                });
            }
        }
        if let Some(l) = locals {
            enclosing.push(l.names.keys().cloned().collect());
        }
        for f in calls.nested {
            self.function(f, enclosing, instance, false, class);
        }
        if locals.is_some() {
            enclosing.pop();
        }
    }

    fn function<'a>(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        enclosing: &mut Vec<HashSet<String>>,
        instance: Option<(&'a str, &Bindings)>,
        method: bool,
        class: Option<&str>,
    ) {
        let mut locals = bindings_of(&f.body, None, false);
        for p in f.parameters.iter() {
            let origin = p
                .annotation()
                .and_then(annotated_class)
                .map_or(Origin::Unknown, Origin::Annot);
            locals
                .names
                .entry(p.name().to_string())
                .or_default()
                .push(origin);
        }
        // A method whose body rebinds its instance's name, or a nested function that binds
        // it, has no known instance.
        let instance = instance.filter(|(s, _)| {
            let origins = locals.names.get(*s).map_or(0, Vec::len);
            if method { origins == 1 } else { origins == 0 }
        });
        self.scope(&f.body, Some(&locals), enclosing, instance, class);
    }

    fn class(&mut self, c: &ast::StmtClassDef, rebound: bool) {
        let body = bindings_of(&c.body, None, false);
        let mut members: HashSet<String> = body.names.keys().cloned().collect();
        let mut attributes: Bindings = body.names.clone();
        let mut dynamic = body.dynamic;
        let mut methods = Vec::new();
        for stmt in &c.body {
            let Stmt::FunctionDef(f) = stmt else { continue };
            let plain_method = !f.decorator_list.iter().any(|d| {
                matches!(
                    dotted(&d.expression).as_deref(),
                    Some("staticmethod" | "classmethod")
                )
            });
            let first = f
                .parameters
                .posonlyargs
                .iter()
                .chain(&f.parameters.args)
                .next()
                .map(|p| p.parameter.name.as_str());
            let Some(self_name) = first.filter(|_| plain_method) else {
                continue;
            };
            let b = bindings_of(&f.body, Some(self_name), true);
            dynamic |= b.dynamic;
            for (attr, origins) in b.attributes {
                members.insert(attr.clone());
                attributes.entry(attr).or_default().extend(origins);
            }
            methods.push((f, self_name));
        }
        let bases: Vec<String> = c
            .arguments
            .as_ref()
            .map(|a| {
                a.args
                    .iter()
                    .map(|b| dotted(b).unwrap_or_else(|| "?".to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let keywords = c.arguments.as_ref().is_some_and(|a| !a.keywords.is_empty());
        let open = rebound
            || dynamic
            || keywords
            || !c.decorator_list.is_empty()
            || members.contains("__getattr__")
            || members.contains("__getattribute__");
        let mut members: Vec<String> = members.into_iter().collect();
        members.sort();
        self.out.classes.push(PyClass {
            name: c.name.to_string(),
            bases,
            members,
            open,
            span: (self.span_of)(c.range()),
        });
        for (f, self_name) in methods {
            let class = Some(c.name.as_str());
            self.function(
                f,
                &mut Vec::new(),
                Some((self_name, &attributes)),
                true,
                class,
            );
        }
    }
}

pub(crate) fn extract(body: &[Stmt], span_of: &dyn Fn(TextRange) -> Span) -> PyClassFacts {
    let module = bindings_of(body, None, false);
    let mut x = Extract {
        span_of,
        module: module.names.clone(),
        imported: HashSet::new(),
        out: PyClassFacts::default(),
    };
    // `global name` in any function rebinds a module name.
    struct Globals(Vec<String>);
    impl<'a> Visitor<'a> for Globals {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::Global(g) = stmt {
                self.0.extend(g.names.iter().map(|n| n.to_string()));
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut globals = Globals(Vec::new());
    visitor::walk_body(&mut globals, body);
    for g in globals.0 {
        x.module.entry(g).or_default().push(Origin::Unknown);
    }
    for stmt in body {
        if let Stmt::ImportFrom(i) = stmt {
            let specifier = format!(
                "{}{}",
                ".".repeat(i.level as usize),
                i.module.as_ref().map(|m| m.as_str()).unwrap_or("")
            );
            for alias in &i.names {
                let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                x.imported.insert(local.clone());
                x.out.imported.push(PyImportedName {
                    local,
                    specifier: specifier.clone(),
                    name: alias.name.to_string(),
                });
            }
        }
    }
    for (name, origins) in &x.module {
        if let [Origin::Ctor(class)] = origins.as_slice() {
            x.out.instances.push((name.clone(), class.clone()));
        }
    }
    x.out.instances.sort();
    let mut enclosing = Vec::new();
    x.scope(body, None, &mut enclosing, None, None);
    for stmt in body {
        if let Stmt::ClassDef(c) = stmt {
            let rebound = x.module.get(c.name.as_str()).is_some_and(|o| o.len() > 1);
            x.class(c, rebound);
        }
    }
    // `Cls.attr = …` anywhere in the module adds a member.
    for (owner, attr) in bindings_of(body, None, true).patched {
        if let Some(class) = x.out.classes.iter_mut().find(|c| c.name == owner) {
            class.members.push(attr);
            class.members.sort();
            class.members.dedup();
        }
    }
    x.out
}
