//! `integrity/missing-method`: `self.name()` where the project's own class has no `name`.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_python_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable,
};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/missing-method",
    severity: Severity::High,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A call of a method that the project's own class does not define",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Finds `self.name(...)` calls in methods of the project's Python classes where the class
defines no `name`: no method, no class attribute, and no `self.name = …` in any of its
methods. Only plain classes are judged: a class with a base other than `object`, a
decorator (`@dataclass`, attrs), a metaclass or keyword arguments, `__getattr__` or
`__getattribute__`, `setattr`/`vars(self)`/`self.__dict__`, or that any class of the project
uses as a base (a mixin or an abstract base whose subclasses supply the method) is not
judged. Only files an entry point reaches are checked.

## Why it breaks production
A method renamed in one place and not in another raises `AttributeError` when the call
runs: the handler, the job or the request that reaches it fails every time, and nothing
catches it before a user does.

## Flagged
```python
class OrderService:
    def place(self, order):
        self.validate(order)        # the method is called `check`
    def check(self, order):
        ...
```

## Not flagged
```python
class OrderService(BaseService):    # inherited methods are not known
    def place(self, order):
        self.validate(order)
class Notifier:
    def __init__(self, send):
        self.send = send            # an attribute holding a callable
    def notify(self, text):
        self.send(text)
class Handler:                      # used as a base: subclasses define `handle`
    def run(self):
        return self.handle()
class Email(Handler):
    def handle(self): ...
```

## Fix
Call the method the class defines, or add the missing method.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_python_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
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
                    &META,
                    format!("`self.{method}()` in class `{class}` (`{rel}`): `{class}` defines no `{method}`"),
                )
                .at(rel, m.span)
                .key(format!("{class}.{method}"))
                .evidence(Evidence::at(
                    rel,
                    m.span.line,
                    ctx.snippet(file, m.span.line),
                    "the call",
                ))
                .evidence(Evidence::searched(format!(
                    "the methods, class attributes and `self.` assignments of `{class}` (no bases, decorators, metaclass or __getattr__; no class of the project inherits from it)"
                )))
                .impact("Python raises AttributeError when this call runs: the code path fails every time.")
                .fix(format!("Call the method `{class}` defines, or add `{method}` to it."))
                .verify(format!("grep -n \"def {method}\" {rel}")),
            );
        }
    }
    out
}
