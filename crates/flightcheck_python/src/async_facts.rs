//! Python async facts across files: module-level `async def`s and async methods other
//! modules may call, dropped calls of functions imported from the project's own modules
//! (`from .db import save_user; save_user(u)`, `db.save_user(u)`), dropped calls of async
//! methods on `obj = ClassName(...)`, and broad `except` handlers that only log.

use crate::dotted;
use flightcheck_core::Span;
use flightcheck_core::async_calls::{
    AsyncCallFacts, AsyncDef, DroppedImportCall, LoggedOnlyCatch, is_logging_call,
};
use flightcheck_core::resilience::failure_matters;
use flightcheck_core::wiring::Owner;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

/// What a local name was bound to by a module-level import: the specifier and, for
/// `from X import n`, the imported name.
type ImportBinding = (String, Option<String>);

/// The innermost function around a statement: its last statement, and whether its return
/// annotation admits `None`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FunctionTail {
    pub(crate) last: TextRange,
    pub(crate) may_return_none: bool,
}

impl FunctionTail {
    pub(crate) fn of(def: &ast::StmtFunctionDef, source: &str) -> Option<Self> {
        let last = def.body.last()?.range();
        let may_return_none = def.returns.as_deref().is_some_and(|r| {
            source
                .get(r.range().start().to_usize()..r.range().end().to_usize())
                .is_some_and(|t| t.contains("Optional") || t.contains("None"))
        });
        Some(FunctionTail {
            last,
            may_return_none,
        })
    }
}

#[derive(Default)]
pub(crate) struct PyAsyncCalls {
    imports: HashMap<String, ImportBinding>,
    /// Per scope (module first, then enclosing functions): variable → the class name it
    /// was bound to with `x = ClassName(...)`, `None` once bound to anything else.
    instances: Vec<HashMap<String, Option<String>>>,
    pub(crate) out: AsyncCallFacts,
}

impl PyAsyncCalls {
    /// Module-level imports bound once, and the file's async definitions for other modules.
    pub(crate) fn new(
        body: &[Stmt],
        async_functions: &HashMap<String, u32>,
        methods: &HashMap<String, HashMap<String, (bool, u32)>>,
    ) -> Self {
        let mut imports: HashMap<String, ImportBinding> = HashMap::new();
        let mut rebound: Vec<String> = Vec::new();
        for stmt in body {
            match stmt {
                Stmt::Import(i) => {
                    for a in &i.names {
                        // `import a.b` binds `a` (module `a`); `import a.b as x` binds `x`.
                        let (local, module) = match &a.asname {
                            Some(x) => (x.to_string(), a.name.to_string()),
                            None => {
                                let top = a.name.split('.').next().unwrap_or("").to_string();
                                (top.clone(), top)
                            }
                        };
                        if imports.insert(local.clone(), (module, None)).is_some() {
                            rebound.push(local);
                        }
                    }
                }
                Stmt::ImportFrom(f) => {
                    let spec = format!(
                        "{}{}",
                        ".".repeat(f.level as usize),
                        f.module.as_ref().map(|m| m.as_str()).unwrap_or("")
                    );
                    for a in &f.names {
                        let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        if imports
                            .insert(local.clone(), (spec.clone(), Some(a.name.to_string())))
                            .is_some()
                        {
                            rebound.push(local);
                        }
                    }
                }
                Stmt::FunctionDef(d) => rebound.push(d.name.to_string()),
                Stmt::ClassDef(c) => rebound.push(c.name.to_string()),
                Stmt::Assign(a) => rebound.extend(a.targets.iter().filter_map(dotted)),
                _ => {}
            }
        }
        for name in rebound {
            imports.remove(&name);
        }
        let mut out = AsyncCallFacts::default();
        for (name, line) in async_functions {
            out.async_defs.push(AsyncDef {
                name: name.clone(),
                line: *line,
            });
        }
        for (class, ms) in methods {
            for (m, (is_async, line)) in ms {
                if *is_async {
                    out.async_defs.push(AsyncDef {
                        name: format!("{class}.{m}"),
                        line: *line,
                    });
                }
            }
        }
        out.async_defs.sort_by(|a, b| a.name.cmp(&b.name));
        PyAsyncCalls {
            imports,
            instances: vec![HashMap::new()],
            out,
        }
    }

    pub(crate) fn enter_function(&mut self) {
        self.instances.push(HashMap::new());
    }

    pub(crate) fn leave_function(&mut self) {
        if self.instances.len() > 1 {
            self.instances.pop();
        }
    }

    /// `x = ClassName(...)` records an instance; any other binding of `x` forgets it.
    pub(crate) fn assign(&mut self, a: &ast::StmtAssign) {
        let class = match (&a.targets[..], &*a.value) {
            ([Expr::Name(_)], Expr::Call(c)) => match &*c.func {
                Expr::Name(n) if n.id.chars().next().is_some_and(char::is_uppercase) => {
                    Some(n.id.to_string())
                }
                _ => None,
            },
            _ => None,
        };
        let Some(scope) = self.instances.last_mut() else {
            return;
        };
        for t in &a.targets {
            let Expr::Name(n) = t else { continue };
            let name = n.id.to_string();
            match (scope.get(&name), &class) {
                (None, Some(c)) => {
                    scope.insert(name, Some(c.clone()));
                }
                (Some(Some(old)), Some(c)) if old == c => {}
                _ => {
                    scope.insert(name, None);
                }
            }
        }
    }

    /// The class `obj` holds: bound in the current function, else at module level (when
    /// the function does not bind it otherwise).
    fn instance_class(&self, obj: &str) -> Option<&str> {
        if let Some(found) = self.instances.last().and_then(|s| s.get(obj)) {
            return found.as_deref();
        }
        self.instances
            .first()
            .and_then(|s| s.get(obj))
            .and_then(|c| c.as_deref())
    }

    /// A dropped call the module's own definitions did not explain. Returns the class and
    /// method when the call is `obj.m()` on an instance of a class of this file (the caller
    /// checks that class's methods).
    pub(crate) fn dropped_call(
        &mut self,
        call: &ast::ExprCall,
        function: Option<String>,
        span: Span,
        owner: &Owner,
    ) -> Option<(String, String)> {
        let callee = dotted(&call.func)?;
        let (specifier, submodule, name) = match &*call.func {
            Expr::Name(n) => match self.imports.get(n.id.as_str()) {
                Some((spec, Some(imported))) => (spec.clone(), None, imported.clone()),
                _ => return None,
            },
            Expr::Attribute(a) => {
                let Expr::Name(obj) = &*a.value else {
                    return None;
                };
                let method = a.attr.to_string();
                if let Some(class) = self.instance_class(obj.id.as_str()) {
                    match self.imports.get(class) {
                        Some((spec, Some(imported))) => {
                            (spec.clone(), None, format!("{imported}.{method}"))
                        }
                        Some(_) => return None,
                        None => return Some((class.to_string(), method)),
                    }
                } else {
                    match self.imports.get(obj.id.as_str()) {
                        Some((spec, None)) => (spec.clone(), None, method),
                        Some((spec, Some(sub))) => (spec.clone(), Some(sub.clone()), method),
                        None => return None,
                    }
                }
            }
            _ => return None,
        };
        self.out.dropped_imports.push(DroppedImportCall {
            callee,
            specifier,
            submodule,
            name,
            function,
            span,
            owner: owner.clone(),
        });
        None
    }

    /// `except Exception as e: logger.exception(...)` and nothing else, around I/O, as the
    /// last statement of a function whose `try` returns a value: the function falls off its
    /// end and returns `None` after logging.
    pub(crate) fn logged_only(
        &mut self,
        t: &ast::StmtTry,
        function_tail: Option<FunctionTail>,
        source: &str,
        function: Option<String>,
        span_of: &dyn Fn(TextRange) -> Span,
        owner: &Owner,
    ) {
        // A function declared to return `Optional[...]` / `... | None` says `None` means
        // failure: its callers check.
        let Some(tail) = function_tail.filter(|f| !f.may_return_none) else {
            return;
        };
        // The `try` is the function's last statement, with no `else`/`finally` that could
        // return or re-raise.
        if tail.last != t.range()
            || !t.orelse.is_empty()
            || !t.finalbody.is_empty()
            || t.handlers.len() != 1
        {
            return;
        }
        if !t
            .body
            .last()
            .is_some_and(|s| matches!(s, Stmt::Return(r) if r.value.as_deref().is_some_and(|v| !matches!(v, Expr::NoneLiteral(_)))))
        {
            return;
        }
        let (Some(first), Some(last)) = (t.body.first(), t.body.last()) else {
            return;
        };
        let body_text = source
            .get(first.range().start().to_usize()..last.range().end().to_usize())
            .unwrap_or("");
        let Some(io) = failure_matters(body_text) else {
            return;
        };
        let broad = crate::is_broad(&t.handlers[0]);
        let ast::ExceptHandler::ExceptHandler(h) = &t.handlers[0];
        if !broad || h.body.is_empty() {
            return;
        }
        let mut logger = None;
        for s in &h.body {
            let Stmt::Expr(e) = s else { return };
            let Expr::Call(c) = &*e.value else { return };
            let Some(name) = dotted(&c.func) else { return };
            if !is_logging_call(&name) {
                return;
            }
            logger.get_or_insert(name);
        }
        let Some(logger) = logger else { return };
        self.out.logged_only.push(LoggedOnlyCatch {
            io: io.to_string(),
            logger,
            function,
            span: span_of(h.range()),
            owner: owner.clone(),
        });
    }
}
