//! Liveness facts of one Python module: every function definition with its class context,
//! and every name the module refers to (see [`flightcheck_core::liveness`]).

use flightcheck_core::Span;
use flightcheck_core::liveness::{DefinedFunction, ModuleLiveness};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::BTreeSet;

struct Collector<'s> {
    span_of: &'s dyn Fn(TextRange) -> Span,
    /// The class whose body is being walked, and whether it is open (see
    /// [`DefinedFunction::class_open`]); `None` inside a function.
    class: Option<(String, bool)>,
    functions: Vec<DefinedFunction>,
    /// Per function (same index), the names its body refers to.
    function_refs: Vec<BTreeSet<String>>,
    /// The innermost function being walked.
    current: Option<usize>,
    references: BTreeSet<String>,
    main_references: BTreeSet<String>,
    prefixes: BTreeSet<String>,
    /// Walking the body of a module-level `if __name__ == "__main__":`.
    in_main_guard: bool,
    /// `import x as y` / `from m import x as y`: (y, x).
    aliases: Vec<(String, String)>,
}

/// The identifier fragment a string part ends with (`"cmd_"` → `cmd_`, `"/handle_"` →
/// `handle_`), when it is long enough to mean something.
fn trailing_fragment(text: &str) -> Option<String> {
    let start = text
        .char_indices()
        .rfind(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let frag = &text[start..];
    (frag.len() >= 3
        && frag
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_'))
    .then(|| frag.to_string())
}

/// Identifier-like words of a string (`"on_ready"`, `"pkg.mod:main"`, `"handle_%s"`).
fn words(text: &str, out: &mut BTreeSet<String>) {
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if w.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        {
            out.insert(w.to_string());
        }
    }
}

impl Collector<'_> {
    /// Where a reference made here goes: the innermost function, the `__main__` block, or
    /// the module.
    fn into(&mut self) -> &mut BTreeSet<String> {
        match self.current {
            Some(i) => &mut self.function_refs[i],
            None if self.in_main_guard => &mut self.main_references,
            None => &mut self.references,
        }
    }
}

impl<'a> Visitor<'a> for Collector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                let (class, class_open) = match &self.class {
                    Some((name, open)) => (Some(name.clone()), *open),
                    None => (None, false),
                };
                self.functions.push(DefinedFunction {
                    name: f.name.to_string(),
                    class,
                    class_open,
                    decorated: !f.decorator_list.is_empty(),
                    line: (self.span_of)(f.range()).line,
                    body: {
                        let start = f.body.first().map_or(f.range(), |b| b.range());
                        (self.span_of)(TextRange::new(start.start(), f.range().end()))
                    },
                    references: Vec::new(),
                });
                self.function_refs.push(BTreeSet::new());
                // Decorators, defaults and annotations run where the `def` runs.
                for d in &f.decorator_list {
                    self.visit_decorator(d);
                }
                self.visit_parameters(&f.parameters);
                if let Some(r) = &f.returns {
                    self.visit_annotation(r);
                }
                // A function nested in a method is not a method.
                let outer = self.class.take();
                let outer_fn = self.current.replace(self.functions.len() - 1);
                self.visit_body(&f.body);
                self.class = outer;
                self.current = outer_fn;
            }
            Stmt::ClassDef(c) => {
                let plain_bases = c.arguments.as_deref().is_none_or(|a| {
                    a.keywords.is_empty()
                        && a.args
                            .iter()
                            .all(|b| matches!(b, Expr::Name(n) if n.id.as_str() == "object"))
                });
                let open = !plain_bases || !c.decorator_list.is_empty();
                let outer = self.class.replace((c.name.to_string(), open));
                visitor::walk_stmt(self, stmt);
                self.class = outer;
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    if let Some(as_name) = &alias.asname {
                        let last = alias.name.rsplit('.').next().unwrap_or(&alias.name);
                        self.aliases.push((as_name.to_string(), last.to_string()));
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    if let Some(as_name) = &alias.asname {
                        self.aliases
                            .push((as_name.to_string(), alias.name.to_string()));
                    }
                }
            }
            Stmt::If(i)
                if self.current.is_none()
                    && self.class.is_none()
                    && crate::is_main_guard(&i.test) =>
            {
                self.in_main_guard = true;
                self.visit_body(&i.body);
                self.in_main_guard = false;
                for clause in &i.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // `f"cmd_{name}"`: a literal part right before an interpolation.
            Expr::FString(f) => {
                for part in f.value.f_strings() {
                    for pair in part.elements.windows(2) {
                        if let (
                            ruff_python_ast::InterpolatedStringElement::Literal(l),
                            ruff_python_ast::InterpolatedStringElement::Interpolation(_),
                        ) = (&pair[0], &pair[1])
                            && let Some(p) = trailing_fragment(&l.value)
                        {
                            self.prefixes.insert(p);
                        }
                    }
                }
            }
            // `"on_" + event`, `"handle_%s" % kind`.
            Expr::BinOp(b)
                if matches!(
                    b.op,
                    ruff_python_ast::Operator::Add | ruff_python_ast::Operator::Mod
                ) =>
            {
                if let Expr::StringLiteral(s) = &*b.left {
                    let text = s.value.to_str();
                    let text = text.split("%s").next().unwrap_or(text);
                    if let Some(p) = trailing_fragment(text) {
                        self.prefixes.insert(p);
                    }
                }
            }
            _ => {}
        }
        let into = self.into();
        match expr {
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                into.insert(n.id.to_string());
            }
            Expr::Attribute(a) => {
                into.insert(a.attr.to_string());
            }
            Expr::StringLiteral(s) => words(s.value.to_str(), into),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_interpolated_string_element(
        &mut self,
        element: &'a ruff_python_ast::InterpolatedStringElement,
    ) {
        if let ruff_python_ast::InterpolatedStringElement::Literal(l) = element {
            words(&l.value, self.into());
        }
        visitor::walk_interpolated_string_element(self, element);
    }
}

pub(crate) fn extract(body: &[Stmt], span_of: &dyn Fn(TextRange) -> Span) -> ModuleLiveness {
    let mut c = Collector {
        span_of,
        class: None,
        functions: Vec::new(),
        function_refs: Vec::new(),
        current: None,
        references: BTreeSet::new(),
        main_references: BTreeSet::new(),
        prefixes: BTreeSet::new(),
        in_main_guard: false,
        aliases: Vec::new(),
    };
    for stmt in body {
        c.visit_stmt(stmt);
    }
    let mut functions = c.functions;
    for (f, refs) in functions.iter_mut().zip(c.function_refs) {
        f.references = refs.into_iter().collect();
    }
    ModuleLiveness {
        functions,
        references: c.references.into_iter().collect(),
        main_references: c.main_references.into_iter().collect(),
        prefixes: c.prefixes.into_iter().collect(),
        aliases: c.aliases,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_end_strings_at_any_character() {
        assert_eq!(trailing_fragment("cmd_").as_deref(), Some("cmd_"));
        assert_eq!(trailing_fragment("/handle_").as_deref(), Some("handle_"));
        assert_eq!(trailing_fragment("❌ ошибка_"), Some("ошибка_".to_string()));
        assert_eq!(trailing_fragment("✅"), None);
        assert_eq!(trailing_fragment("a "), None);
        assert_eq!(trailing_fragment("x_"), None);
    }

    #[test]
    fn functions_their_references_and_computed_names() {
        let src = "import requests as rq\n\nclass Api:\n    def get(self):\n        return rq.get('u')\n\nasync def handler(m):\n    await getattr(bot, f\"cmd_{m}\")()\n    Api().get()\n\nif __name__ == '__main__':\n    handler(1)\n";
        let parsed = ruff_python_parser::parse_module(src).expect("parses");
        let index = flightcheck_core::text::LineIndex::new(src);
        let span_of = |r: TextRange| index.span(src, r.start().to_u32(), r.end().to_u32());
        let m = extract(&parsed.syntax().body, &span_of);
        let names: Vec<(&str, Option<&str>)> = m
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.class.as_deref()))
            .collect();
        assert_eq!(names, vec![("get", Some("Api")), ("handler", None)]);
        assert!(m.functions[1].references.iter().any(|r| r == "Api"));
        assert!(m.functions[1].references.iter().any(|r| r == "get"));
        assert_eq!(m.main_references, vec!["handler".to_string()]);
        assert_eq!(m.prefixes, vec!["cmd_".to_string()]);
        assert_eq!(m.aliases, vec![("rq".to_string(), "requests".to_string())]);
        assert_eq!(m.functions[0].line, 4);
        assert_eq!(m.functions[0].body.line, 5);
    }
}
