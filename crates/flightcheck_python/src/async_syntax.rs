//! The compiler's checks of `await` and `async for`/`async with` placement, which ruff's
//! parser leaves to a later pass: CPython refuses to compile a module with `await` in a
//! plain `def`, a lambda, a class body or at module level, so the module never loads.

use crate::SyntaxIssue;
use flightcheck_core::Span;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// Where an `await` would be: the innermost function-like scope.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Module,
    Class,
    Function,
    AsyncFunction,
    Lambda,
}

pub(crate) fn await_outside_async(
    body: &[Stmt],
    issues: &mut Vec<SyntaxIssue>,
    span_of: &dyn Fn(TextRange) -> Span,
) {
    let mut v = Placement {
        scopes: vec![Scope::Module],
        issues,
        span_of,
    };
    for s in body {
        v.visit_stmt(s);
    }
}

struct Placement<'i, 's> {
    scopes: Vec<Scope>,
    issues: &'i mut Vec<SyntaxIssue>,
    span_of: &'s dyn Fn(TextRange) -> Span,
}

impl Placement<'_, '_> {
    fn scope(&self) -> Scope {
        self.scopes.last().copied().unwrap_or(Scope::Module)
    }

    fn report(&mut self, what: &str, r: TextRange) {
        let message = match self.scope() {
            Scope::AsyncFunction => return,
            Scope::Function | Scope::Lambda => {
                format!("SyntaxError: {what} outside async function")
            }
            Scope::Module | Scope::Class => format!("SyntaxError: {what} outside function"),
        };
        self.issues.push(SyntaxIssue {
            message,
            span: (self.span_of)(r),
        });
    }
}

impl<'a> Visitor<'a> for Placement<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // Decorators, defaults and annotations belong to the enclosing scope.
                for d in &def.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.scopes.push(if def.is_async {
                    Scope::AsyncFunction
                } else {
                    Scope::Function
                });
                for s in &def.body {
                    self.visit_stmt(s);
                }
                self.scopes.pop();
            }
            Stmt::ClassDef(class) => {
                for d in &class.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.scopes.push(Scope::Class);
                for s in &class.body {
                    self.visit_stmt(s);
                }
                self.scopes.pop();
            }
            Stmt::For(f) if f.is_async => {
                self.report("'async for'", f.range());
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(w) if w.is_async => {
                self.report("'async with'", w.range());
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Await(a) => {
                self.report("'await'", a.range());
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(l) => {
                self.scopes.push(Scope::Lambda);
                self.visit_expr(&l.body);
                self.scopes.pop();
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_for;

    fn issues(src: &str) -> Vec<String> {
        analyze_for(src, &[], None)
            .syntax_issues
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    #[test]
    fn await_in_a_plain_def_does_not_compile() {
        let got = issues("def on_start(bot):\n    await bot.send('x')\n");
        assert_eq!(got, vec!["SyntaxError: 'await' outside async function"]);
        let got = issues("await main()\n");
        assert_eq!(got, vec!["SyntaxError: 'await' outside function"]);
        let got = issues("def f():\n    async with lock:\n        pass\n");
        assert_eq!(
            got,
            vec!["SyntaxError: 'async with' outside async function"]
        );
    }

    #[test]
    fn await_in_async_code_compiles() {
        let src = "async def f(x):\n    await x\n    y = [await a for a in x]\n    async for i in x:\n        pass\n    def inner():\n        return 1\n";
        assert!(issues(src).is_empty());
        // A nested plain def inside an async one is its own scope.
        let got = issues("async def f():\n    def g():\n        await x\n");
        assert_eq!(got.len(), 1);
    }
}
