//! Module-level state (mutable containers written from functions) and which top-level
//! names each declaration uses.

use super::Walker;
use super::common::last_seg;
use flightcheck_core::wiring::DeclUse;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;
use std::collections::HashSet;

impl<'a> Walker<'_, '_, 'a> {
    pub(super) fn memory_write(&mut self, name: &str, r: TextRange) {
        if self.depth == 0 || !self.idx.containers.contains_key(name) || self.is_local(name) {
            return;
        }
        if self.class.is_some() && self.scopes.is_empty() {
            return;
        }
        let line = self.span(r).line;
        self.memory_writes
            .entry(name.to_string())
            .or_default()
            .push(line);
    }

    pub(super) fn write_target(&mut self, target: &Expr, r: TextRange) {
        if let Some(root) = subscript_root(target) {
            let root = root.to_string();
            self.memory_write(&root, r);
        }
    }

    pub(super) fn decl_use(&mut self, name: &str) {
        let known = self.idx.top_names.contains(name) || self.idx.imported_top.contains(name);
        if !known || self.is_local(name) {
            return;
        }
        if self.owner.as_deref() == Some(name) {
            return;
        }
        let key = (self.owner.clone(), name.to_string());
        if self.uses.insert(key) {
            self.out.decl_uses.push(DeclUse {
                from: self.owner.clone(),
                to: name.to_string(),
            });
        }
    }
}

/// Mutable container constructor of a module-level value.
pub(super) fn container_of(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        Expr::Call(c) => match last_seg(&c.func)? {
            "dict" => Some("dict"),
            "list" => Some("list"),
            "set" => Some("set"),
            "defaultdict" => Some("defaultdict"),
            "OrderedDict" => Some("OrderedDict"),
            "deque" => Some("deque"),
            "Counter" => Some("Counter"),
            _ => None,
        },
        _ => None,
    }
}

/// The name a subscript/attribute chain is rooted at (`x` of `x[k][j]`).
pub(super) fn subscript_root(e: &Expr) -> Option<&str> {
    match e {
        Expr::Subscript(s) => match &*s.value {
            Expr::Name(n) => Some(n.id.as_str()),
            inner @ Expr::Subscript(_) => subscript_root(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Names a statement list binds locally (not descending into nested functions/classes).
pub(super) fn local_bindings(params: &ast::Parameters, body: &[Stmt]) -> HashSet<String> {
    struct Binder {
        names: HashSet<String>,
        globals: HashSet<String>,
    }
    impl<'a> Visitor<'a> for Binder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(f) => {
                    self.names.insert(f.name.to_string());
                }
                Stmt::ClassDef(c) => {
                    self.names.insert(c.name.to_string());
                }
                Stmt::Global(g) => {
                    for n in &g.names {
                        self.globals.insert(n.to_string());
                    }
                }
                Stmt::Nonlocal(g) => {
                    for n in &g.names {
                        self.globals.insert(n.to_string());
                    }
                }
                Stmt::Import(i) => {
                    for a in &i.names {
                        let n = a.asname.as_ref().unwrap_or(&a.name).as_str();
                        self.names
                            .insert(n.split('.').next().unwrap_or(n).to_string());
                    }
                    visitor::walk_stmt(self, stmt);
                }
                Stmt::ImportFrom(i) => {
                    for a in &i.names {
                        self.names
                            .insert(a.asname.as_ref().unwrap_or(&a.name).to_string());
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(n) if n.ctx == ast::ExprContext::Store => {
                    self.names.insert(n.id.to_string());
                }
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut b = Binder {
        names: HashSet::new(),
        globals: HashSet::new(),
    };
    for p in params.iter() {
        b.names.insert(p.name().to_string());
    }
    for s in body {
        b.visit_stmt(s);
    }
    b.names.retain(|n| !b.globals.contains(n));
    b.names
}
