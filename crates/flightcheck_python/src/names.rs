//! Scope analysis of one module: which names are read but never bound (pyflakes' and ruff's
//! F821, undefined name), and which names the module scope binds.
//!
//! Bindings are flow-insensitive, as in pyflakes for conditional code: a name bound anywhere
//! in a scope (in an `if`, a `try`, after its use) counts as defined there. Uses resolve
//! through the enclosing scopes the way Python does: a class body is not visible from its
//! methods or comprehensions, the first iterable of a comprehension is evaluated outside
//! it, walrus targets bind in the enclosing function, and PEP 695 type parameters live in
//! their own scope.

use flightcheck_core::Span;
use flightcheck_core::names::{MissingSelfMethod, ModuleNames, UndefinedName};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::borrow::Cow;
use std::collections::HashMap;

/// Names every module can read without defining them: the builtins of CPython 3.8–3.13
/// (`aiter`/`anext` and the exception groups are newer, but a project on an older
/// interpreter fails on them with a clear error at the call, and ruff accepts them too)
/// and the module attributes the import system sets. `WindowsError` exists only on Windows;
/// code naming it is almost always behind a platform check, so it is known too.
const BUILTINS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "False",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "None",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "PythonFinalizationError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "True",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "WindowsError",
    "ZeroDivisionError",
    "__annotations__",
    "__build_class__",
    "__builtins__",
    "__cached__",
    "__debug__",
    "__dict__",
    "__doc__",
    "__file__",
    "__import__",
    "__loader__",
    "__name__",
    "__package__",
    "__path__",
    "__spec__",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// A test that holds only on Python 2: `PY2`, `six.PY2`, `sys.version_info[0] == 2`,
/// `sys.version_info < (3,)`, `sys.version_info.major == 2`.
fn is_python2_test(test: &Expr) -> bool {
    let flag = |e: &Expr| {
        let name = match e {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return false,
        };
        matches!(name, "PY2" | "IS_PY2" | "PYTHON2" | "PY27" | "is_py2")
    };
    if flag(test) {
        return true;
    }
    let Expr::Compare(c) = test else {
        return false;
    };
    let mentions_version = |e: &Expr| match e {
        Expr::Attribute(a) => {
            a.attr.as_str() == "version_info"
                || (a.attr.as_str() == "major"
                    && matches!(&*a.value, Expr::Attribute(v) if v.attr.as_str() == "version_info"))
        }
        Expr::Subscript(s) => {
            matches!(&*s.value, Expr::Attribute(v) if v.attr.as_str() == "version_info")
        }
        _ => false,
    };
    if !mentions_version(&c.left) || c.comparators.len() != 1 {
        return false;
    }
    let number = |e: &Expr| match e {
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => i.as_u64(),
            _ => None,
        },
        Expr::Tuple(t) => t.elts.first().and_then(|x| match x {
            Expr::NumberLiteral(n) => match &n.value {
                ruff_python_ast::Number::Int(i) => i.as_u64(),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    };
    matches!(
        (c.ops.first(), number(&c.comparators[0])),
        (Some(ast::CmpOp::Eq), Some(2)) | (Some(ast::CmpOp::Lt), Some(3))
    )
}

fn is_builtin(name: &str) -> bool {
    BUILTINS.binary_search(&name).is_ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Class,
    Function,
    Comprehension,
    TypeParams,
}

struct Scope<'a> {
    kind: ScopeKind,
    parent: Option<usize>,
    /// Bound names with the offset from which the binding exists (the earliest one).
    bindings: HashMap<&'a str, u32>,
    /// `locals()`, `vars()`, `exec(...)` or `eval(...)` in this scope: names can come from
    /// strings, so unknown names are not judged here.
    opaque: bool,
}

struct Use<'a> {
    /// Borrowed from the module, or owned when parsed out of a string annotation.
    name: Cow<'a, str>,
    range: TextRange,
    scope: usize,
    in_function: bool,
    in_annotation: bool,
    annotation: bool,
    top_function: Option<&'a str>,
    in_except: bool,
    in_main_guard: bool,
    /// Runs while the module executes (not in a function body or an annotation): only
    /// module-level bindings made before it count.
    immediate: bool,
    /// Inside a loop of its own function, behind a condition (`if`, `try`, `match`, `and`/
    /// `or`, `x if c else y`): a binding later in that loop may have run in an earlier
    /// iteration. The loop's start offset.
    loop_carried: Option<u32>,
}

struct Collector<'a> {
    source: &'a str,
    scopes: Vec<Scope<'a>>,
    current: usize,
    uses: Vec<Use<'a>>,
    /// Inside a `try` whose handlers catch `NameError`: a missing name is expected there.
    name_error_guard: u32,
    in_annotation: u32,
    /// Inside an annotation Python never evaluates at run time: quoted, under
    /// `from __future__ import annotations`, or on a local variable.
    deferred: u32,
    future_annotations: bool,
    star_import: bool,
    writes_globals: bool,
    /// Where bindings made now become visible: after an assignment or import statement,
    /// at the start of other statements.
    bind_pos: u32,
    /// Loops of the current function (start offset, `conditional` depth at entry).
    loops: Vec<(u32, u32)>,
    conditional: u32,
    /// Inside the test of `a if test else b`, which runs before `a`: walrus targets there
    /// are visible from the start of the conditional expression.
    walrus_pos: Option<u32>,
    classes: Vec<ClassInfo<'a>>,
    /// The method being walked: (index into `classes`, name of its first parameter).
    method: Option<(usize, &'a str)>,
    self_calls: Vec<(usize, &'a str, TextRange)>,
    base_names: Vec<String>,
    /// The undecorated module-level function being walked (nested defs included): nothing
    /// registers it as it loads, so it runs only if something calls it by name.
    top_function: Option<&'a str>,
    /// Inside an `except` handler: code that runs only after something already failed.
    in_except: u32,
    /// Inside the module's `if __name__ == "__main__":` block.
    in_main_guard: u32,
}

/// What a class body and its methods show about the class's attributes.
struct ClassInfo<'a> {
    name: &'a str,
    scope: usize,
    /// No bases but `object`, no keywords (metaclass), no decorators.
    plain: bool,
    /// `self.x = …` in any method.
    assigned: std::collections::HashSet<&'a str>,
    /// `setattr`, `self.__dict__`, `vars(self)`: attributes no statement shows.
    dynamic: bool,
}

/// Analyzes `body` (the module's statements); `source` is the file's text (for string
/// annotations) and `span_of` maps ranges to spans.
pub(crate) fn module_names(
    body: &[Stmt],
    source: &str,
    span_of: &dyn Fn(TextRange) -> Span,
) -> ModuleNames {
    let mut c = Collector {
        source,
        scopes: vec![Scope {
            kind: ScopeKind::Module,
            parent: None,
            bindings: HashMap::new(),
            opaque: false,
        }],
        current: 0,
        uses: Vec::new(),
        name_error_guard: 0,
        in_annotation: 0,
        deferred: 0,
        future_annotations: body.iter().any(is_future_annotations),
        star_import: false,
        writes_globals: false,
        bind_pos: 0,
        loops: Vec::new(),
        conditional: 0,
        walrus_pos: None,
        classes: Vec::new(),
        method: None,
        self_calls: Vec::new(),
        base_names: Vec::new(),
        top_function: None,
        in_except: 0,
        in_main_guard: 0,
    };
    for stmt in body {
        c.visit_stmt(stmt);
    }
    let mut module_bindings: Vec<String> =
        c.scopes[0].bindings.keys().map(|s| s.to_string()).collect();
    module_bindings.sort();
    let dynamic =
        c.star_import || c.writes_globals || c.scopes[0].bindings.contains_key("__getattr__");
    let mut undefined = Vec::new();
    if !c.star_import {
        for u in &c.uses {
            if !c.resolves(u) {
                undefined.push(UndefinedName {
                    name: u.name.to_string(),
                    span: span_of(u.range),
                    in_function: u.in_function,
                    in_annotation: u.in_annotation,
                    annotation: u.annotation,
                    top_function: u.top_function.map(str::to_string),
                    in_except: u.in_except,
                    in_main_guard: u.in_main_guard,
                });
            }
        }
    }
    let mut missing_self_methods = Vec::new();
    for (class, method, range) in &c.self_calls {
        let info = &c.classes[*class];
        let bindings = &c.scopes[info.scope].bindings;
        let dunder = method.starts_with("__") && method.ends_with("__");
        if !info.plain
            || info.dynamic
            || dunder
            || bindings.contains_key(method)
            || info.assigned.contains(method)
            || bindings.contains_key("__getattr__")
            || bindings.contains_key("__getattribute__")
        {
            continue;
        }
        missing_self_methods.push(MissingSelfMethod {
            class: info.name.to_string(),
            method: method.to_string(),
            span: span_of(*range),
        });
    }
    let mut base_names = std::mem::take(&mut c.base_names);
    base_names.sort();
    base_names.dedup();
    ModuleNames {
        undefined,
        module_bindings,
        dynamic,
        missing_self_methods,
        base_names,
    }
}

impl<'a> Collector<'a> {
    fn push_scope(&mut self, kind: ScopeKind) -> usize {
        self.scopes.push(Scope {
            kind,
            parent: Some(self.current),
            bindings: HashMap::new(),
            opaque: false,
        });
        let previous = self.current;
        self.current = self.scopes.len() - 1;
        previous
    }

    fn bind(&mut self, name: &'a str) {
        self.bind_in(self.current, name, self.bind_pos);
    }

    fn bind_in(&mut self, scope: usize, name: &'a str, pos: u32) {
        let at = self.scopes[scope].bindings.entry(name).or_insert(pos);
        *at = (*at).min(pos);
    }

    /// The scope a walrus target binds in: the nearest scope that is not a comprehension.
    fn walrus_scope(&self) -> usize {
        let mut s = self.current;
        while self.scopes[s].kind == ScopeKind::Comprehension {
            match self.scopes[s].parent {
                Some(p) => s = p,
                None => break,
            }
        }
        s
    }

    fn in_function(&self) -> bool {
        let mut s = Some(self.current);
        while let Some(i) = s {
            if self.scopes[i].kind == ScopeKind::Function {
                return true;
            }
            s = self.scopes[i].parent;
        }
        false
    }

    fn read(&mut self, name: Cow<'a, str>, range: TextRange) {
        if self.name_error_guard > 0 {
            return;
        }
        let in_function = self.in_function();
        let in_annotation = self.in_annotation > 0;
        self.uses.push(Use {
            name,
            range,
            scope: self.current,
            in_function,
            in_annotation: in_annotation && (self.deferred > 0 || self.future_annotations),
            annotation: in_annotation,
            top_function: self.top_function,
            in_except: self.in_except > 0,
            in_main_guard: self.in_main_guard > 0,
            immediate: !in_function && !in_annotation,
            loop_carried: self
                .loops
                .last()
                .filter(|(_, depth)| self.conditional > *depth)
                .map(|(start, _)| *start),
        });
    }

    fn resolves(&self, u: &Use) -> bool {
        let (scope, name) = (u.scope, &*u.name);
        let mut s = Some(scope);
        let mut first = true;
        while let Some(i) = s {
            let sc = &self.scopes[i];
            // A class body's names are visible in the body itself, not in the functions and
            // comprehensions nested in it.
            if (first || sc.kind != ScopeKind::Class)
                && let Some(pos) = sc.bindings.get(name)
            {
                let start = u.range.start().to_u32();
                let visible = match sc.kind {
                    // Module code runs top to bottom: `print(x)` before `x = 1` fails.
                    ScopeKind::Module if u.immediate => *pos <= start,
                    // A function body runs top to bottom too, except that a binding later in
                    // a loop may come from an earlier iteration.
                    ScopeKind::Function if first && !u.in_annotation => {
                        *pos <= start || u.loop_carried.is_some_and(|l| *pos >= l)
                    }
                    _ => true,
                };
                if visible {
                    return true;
                }
            }
            if sc.opaque {
                return true;
            }
            if sc.kind == ScopeKind::Class
                && !first
                && name == "__class__"
                && self.scopes[scope].kind != ScopeKind::Class
            {
                return true;
            }
            first = false;
            s = sc.parent;
        }
        is_builtin(name)
    }

    fn bind_target(&mut self, target: &'a Expr) {
        // Store contexts are bound by `visit_expr`; loads inside targets (`a[i] = …`,
        // `self.x = …`) are uses.
        self.visit_expr(target);
    }

    fn annotation(&mut self, expr: &'a Expr) {
        self.in_annotation += 1;
        self.visit_expr(expr);
        self.in_annotation -= 1;
    }

    fn parameters(&mut self, params: &'a ast::Parameters, defaults_scope: usize) {
        // Defaults are evaluated where the function is defined; annotations in the
        // type-parameter scope if any (the current one here).
        let here = self.current;
        self.current = defaults_scope;
        for p in params.iter_non_variadic_params() {
            if let Some(d) = &p.default {
                self.visit_expr(d);
            }
        }
        self.current = here;
        for p in params.iter() {
            if let Some(a) = p.annotation() {
                self.annotation(a);
            }
        }
    }

    fn bind_parameters(&mut self, params: &'a ast::Parameters) {
        for p in params.iter() {
            self.bind_in(self.current, p.name().as_str(), 0);
        }
    }

    fn type_params(&mut self, tp: &'a ast::TypeParams) {
        for p in &tp.type_params {
            match p {
                ast::TypeParam::TypeVar(t) => self.bind(t.name.as_str()),
                ast::TypeParam::ParamSpec(t) => self.bind(t.name.as_str()),
                ast::TypeParam::TypeVarTuple(t) => self.bind(t.name.as_str()),
            }
        }
        for p in &tp.type_params {
            match p {
                ast::TypeParam::TypeVar(t) => {
                    if let Some(b) = &t.bound {
                        self.annotation(b);
                    }
                    if let Some(d) = &t.default {
                        self.annotation(d);
                    }
                }
                ast::TypeParam::ParamSpec(t) => {
                    if let Some(d) = &t.default {
                        self.annotation(d);
                    }
                }
                ast::TypeParam::TypeVarTuple(t) => {
                    if let Some(d) = &t.default {
                        self.annotation(d);
                    }
                }
            }
        }
    }

    fn function(&mut self, f: &'a ast::StmtFunctionDef) {
        for d in &f.decorator_list {
            self.visit_expr(&d.expression);
        }
        self.bind(f.name.as_str());
        let outer = self.current;
        let saved_top = self.top_function;
        if outer == 0 {
            self.top_function = f.decorator_list.is_empty().then_some(f.name.as_str());
        }
        if let Some(tp) = &f.type_params {
            self.push_scope(ScopeKind::TypeParams);
            self.type_params(tp);
        }
        self.parameters(&f.parameters, outer);
        if let Some(r) = &f.returns {
            self.annotation(r);
        }
        // A method of the class being walked: its first parameter is the instance (not for
        // static and class methods).
        let class_here = self
            .classes
            .iter()
            .rposition(|c| c.scope == outer)
            .filter(|_| f.decorator_list.is_empty());
        let saved_method = self.method;
        if let Some(class) = class_here {
            self.method = f
                .parameters
                .posonlyargs
                .iter()
                .chain(&f.parameters.args)
                .next()
                .map(|p| (class, p.parameter.name.as_str()));
        }
        self.push_scope(ScopeKind::Function);
        self.bind_parameters(&f.parameters);
        // discord.py's error hooks (`on_error`, `on_command_error`, `cog_command_error`)
        // run only after something failed, like an `except` handler.
        let name = f.name.as_str();
        let error_hook =
            name.ends_with("_error") && (name.starts_with("on_") || name.starts_with("cog_"));
        self.in_except += u32::from(error_hook);
        let guard = std::mem::take(&mut self.name_error_guard);
        let loops = std::mem::take(&mut self.loops);
        for s in &f.body {
            self.visit_stmt(s);
        }
        self.method = saved_method;
        self.loops = loops;
        self.name_error_guard = guard;
        self.in_except -= u32::from(error_hook);
        self.current = outer;
        self.top_function = saved_top;
    }

    fn class(&mut self, c: &'a ast::StmtClassDef) {
        for d in &c.decorator_list {
            self.visit_expr(&d.expression);
        }
        let outer = self.current;
        if let Some(tp) = &c.type_params {
            self.push_scope(ScopeKind::TypeParams);
            self.type_params(tp);
        }
        let mut plain = c.decorator_list.is_empty();
        if let Some(args) = &c.arguments {
            for a in args.args.iter() {
                self.visit_expr(a);
                let base = match a {
                    Expr::Name(n) => Some(n.id.as_str()),
                    Expr::Attribute(at) => Some(at.attr.as_str()),
                    _ => None,
                };
                plain &= base == Some("object");
                if let Some(b) = base {
                    self.base_names.push(b.to_string());
                }
            }
            for k in args.keywords.iter() {
                self.visit_expr(&k.value);
            }
            plain &= args.keywords.is_empty();
        }
        self.push_scope(ScopeKind::Class);
        self.classes.push(ClassInfo {
            name: c.name.as_str(),
            scope: self.current,
            plain,
            assigned: std::collections::HashSet::new(),
            dynamic: false,
        });
        self.bind("__module__");
        self.bind("__qualname__");
        for s in &c.body {
            self.visit_stmt(s);
        }
        self.current = outer;
        self.bind(c.name.as_str());
    }

    fn comprehension(&mut self, generators: &'a [ast::Comprehension], elts: &[&'a Expr]) {
        let Some((first, _)) = generators.split_first() else {
            for e in elts {
                self.visit_expr(e);
            }
            return;
        };
        // The outermost iterable is evaluated in the enclosing scope.
        self.visit_expr(&first.iter);
        let outer = self.push_scope(ScopeKind::Comprehension);
        for (k, g) in generators.iter().enumerate() {
            if k > 0 {
                self.visit_expr(&g.iter);
            }
            self.bind_target(&g.target);
            for cond in &g.ifs {
                self.visit_expr(cond);
            }
        }
        for e in elts {
            self.visit_expr(e);
        }
        self.current = outer;
    }

    /// `"Foo"` inside an annotation: the names of the quoted expression.
    fn string_annotation(&mut self, s: &'a ast::ExprStringLiteral) {
        let Some(literal) = s.as_single_part_string() else {
            return;
        };
        let Ok(parsed) = ruff_python_parser::parse_string_annotation(self.source, literal) else {
            return;
        };
        let mut names = Vec::new();
        collect_loads(parsed.expr(), &mut names);
        self.deferred += 1;
        for (name, range) in names {
            self.read(Cow::Owned(name), range);
        }
        self.deferred -= 1;
    }
}

/// Loaded names of an expression parsed from a string annotation (which binds nothing).
fn collect_loads(expr: &Expr, out: &mut Vec<(String, TextRange)>) {
    struct Loads<'o>(&'o mut Vec<(String, TextRange)>);
    impl<'b> Visitor<'b> for Loads<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                Expr::Name(n) if n.ctx == ExprContext::Load => {
                    self.0.push((n.id.to_string(), n.range));
                }
                // `Literal["a", "b"]` and nested quotes are values, not names.
                Expr::StringLiteral(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    Loads(out).visit_expr(expr);
}

fn catches_name_error(handlers: &[ast::ExceptHandler]) -> bool {
    let names = |e: &Expr| -> bool {
        let is = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "NameError");
        match e {
            Expr::Tuple(t) => t.elts.iter().any(is),
            other => is(other),
        }
    };
    handlers.iter().any(|h| {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        // Only an explicit `NameError` says the name may be missing (as in ruff); a broad
        // `except Exception` hides the crash but the code path still fails every time.
        h.type_.as_deref().is_some_and(names)
    })
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let saved = self.bind_pos;
        self.bind_pos = match stmt {
            Stmt::Assign(_)
            | Stmt::AugAssign(_)
            | Stmt::AnnAssign(_)
            | Stmt::ClassDef(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::TypeAlias(_) => stmt.range().end().to_u32(),
            _ => stmt.range().start().to_u32(),
        };
        self.stmt(stmt);
        self.bind_pos = saved;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.expr(expr);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        self.pattern(pattern);
    }

    fn visit_annotation(&mut self, expr: &'a Expr) {
        self.annotation(expr);
    }
}

impl<'a> Collector<'a> {
    /// Visits an `if` whose body (not its `elif`/`else`) runs under a condition the uses
    /// there carry: `counter` is raised while the body is visited.
    fn if_marking_body(&mut self, i: &'a ast::StmtIf, counter: fn(&mut Self) -> &mut u32) {
        self.conditional += 1;
        self.visit_expr(&i.test);
        *counter(self) += 1;
        for s in &i.body {
            self.visit_stmt(s);
        }
        *counter(self) -= 1;
        for clause in &i.elif_else_clauses {
            if let Some(t) = &clause.test {
                self.visit_expr(t);
            }
            for s in &clause.body {
                self.visit_stmt(s);
            }
        }
        self.conditional -= 1;
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.function(f),
            Stmt::ClassDef(c) => self.class(c),
            Stmt::Import(import) => {
                for alias in &import.names {
                    match &alias.asname {
                        Some(asname) => self.bind(asname.as_str()),
                        None => {
                            let name = alias.name.as_str();
                            self.bind(name.split('.').next().unwrap_or(name));
                        }
                    }
                }
            }
            Stmt::ImportFrom(from) => {
                for alias in &from.names {
                    if alias.name.as_str() == "*" {
                        self.star_import = true;
                        continue;
                    }
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::Global(g) => {
                for name in &g.names {
                    self.bind(name.as_str());
                    self.bind_in(0, name.as_str(), 0);
                }
            }
            Stmt::Nonlocal(n) => {
                for name in &n.names {
                    self.bind(name.as_str());
                }
            }
            Stmt::AnnAssign(a) => {
                // A local variable's annotation is never evaluated.
                let local = self.scopes[self.current].kind == ScopeKind::Function;
                self.deferred += u32::from(local);
                self.annotation(&a.annotation);
                self.deferred -= u32::from(local);
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                }
                self.bind_target(&a.target);
            }
            Stmt::TypeAlias(t) => {
                self.bind_target(&t.name);
                let outer = self.current;
                if let Some(tp) = &t.type_params {
                    self.push_scope(ScopeKind::TypeParams);
                    self.type_params(tp);
                }
                self.annotation(&t.value);
                self.current = outer;
            }
            Stmt::For(_) | Stmt::While(_) => {
                self.loops
                    .push((stmt.range().start().to_u32(), self.conditional));
                visitor::walk_stmt(self, stmt);
                self.loops.pop();
            }
            // `if PY2:` / `if sys.version_info[0] == 2:`: code for an interpreter the
            // project does not run; its Python 2 names (`unicode`) are not judged.
            Stmt::If(i) if is_python2_test(&i.test) => {
                self.if_marking_body(i, |c| &mut c.name_error_guard);
            }
            // `if __name__ == "__main__":` at module level: runs only when the file is run
            // as a program, not when the service imports it.
            Stmt::If(i) if !self.in_function() && crate::is_main_guard(&i.test) => {
                self.if_marking_body(i, |c| &mut c.in_main_guard);
            }
            Stmt::If(_) | Stmt::Match(_) => {
                self.conditional += 1;
                visitor::walk_stmt(self, stmt);
                self.conditional -= 1;
            }
            Stmt::Try(t) => {
                self.conditional += 1;
                self.try_stmt(t);
                self.conditional -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn try_stmt(&mut self, t: &'a ast::StmtTry) {
        {
            let guarded = catches_name_error(&t.handlers);
            if guarded {
                self.name_error_guard += 1;
            }
            for s in &t.body {
                self.visit_stmt(s);
            }
            if guarded {
                self.name_error_guard -= 1;
            }
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                if let Some(ty) = &h.type_ {
                    self.visit_expr(ty);
                }
                if let Some(name) = &h.name {
                    self.bind_in(self.current, name.as_str(), h.range.start().to_u32());
                }
                self.in_except += 1;
                for s in &h.body {
                    self.visit_stmt(s);
                }
                self.in_except -= 1;
            }
            for s in t.orelse.iter().chain(&t.finalbody) {
                self.visit_stmt(s);
            }
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => match n.ctx {
                ExprContext::Load => self.read(Cow::Borrowed(n.id.as_str()), n.range),
                ExprContext::Store => self.bind(n.id.as_str()),
                _ => {}
            },
            Expr::Attribute(a) if self.method.is_some() => {
                if let (Some((class, me)), Expr::Name(n)) = (self.method, &*a.value)
                    && n.id.as_str() == me
                {
                    if a.ctx == ExprContext::Store {
                        self.classes[class].assigned.insert(a.attr.as_str());
                    }
                    if a.attr.as_str() == "__dict__" {
                        self.classes[class].dynamic = true;
                    }
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Named(w) => {
                self.visit_expr(&w.value);
                if let Expr::Name(n) = &*w.target {
                    let s = self.walrus_scope();
                    let pos = self.walrus_pos.unwrap_or(w.range.end().to_u32());
                    self.bind_in(s, n.id.as_str(), pos);
                }
            }
            Expr::Lambda(l) => {
                let outer = self.current;
                if let Some(params) = &l.parameters {
                    for p in params.iter_non_variadic_params() {
                        if let Some(d) = &p.default {
                            self.visit_expr(d);
                        }
                    }
                }
                self.push_scope(ScopeKind::Function);
                if let Some(params) = &l.parameters {
                    self.bind_parameters(params);
                }
                self.visit_expr(&l.body);
                self.current = outer;
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::DictComp(c) => match &c.key {
                Some(key) => self.comprehension(&c.generators, &[key, &c.value]),
                None => self.comprehension(&c.generators, &[&c.value]),
            },
            Expr::StringLiteral(s) if self.in_annotation > 0 => self.string_annotation(s),
            Expr::If(e) => {
                self.conditional += 1;
                let saved = self.walrus_pos.replace(e.range.start().to_u32());
                self.visit_expr(&e.test);
                self.walrus_pos = saved;
                self.visit_expr(&e.body);
                self.visit_expr(&e.orelse);
                self.conditional -= 1;
            }
            Expr::BoolOp(b) => {
                // The first operand always runs; the others depend on it.
                if let Some((first, rest)) = b.values.split_first() {
                    self.visit_expr(first);
                    self.conditional += 1;
                    for v in rest {
                        self.visit_expr(v);
                    }
                    self.conditional -= 1;
                }
            }
            Expr::Call(call) => {
                if let Some((class, me)) = self.method {
                    match &*call.func {
                        Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == me) =>
                        {
                            self.self_calls.push((class, a.attr.as_str(), a.range));
                        }
                        Expr::Name(f) if matches!(f.id.as_str(), "setattr" | "vars") => {
                            self.classes[class].dynamic = true;
                        }
                        _ => {}
                    }
                }
                if let Expr::Name(f) = &*call.func {
                    match f.id.as_str() {
                        "locals" | "vars" | "exec" | "eval" => {
                            self.scopes[self.current].opaque = true;
                        }
                        "globals" => self.writes_globals = true,
                        _ => {}
                    }
                }
                // `Literal["x"]`-style strings are only annotations inside annotations;
                // call arguments (`cast("Foo", x)`, `TypeVar("T", bound="X")`) are values.
                let depth = std::mem::take(&mut self.in_annotation);
                visitor::walk_expr(self, expr);
                self.in_annotation = depth;
            }
            Expr::Subscript(s) if self.in_annotation > 0 && is_literal_type(&s.value) => {
                // `Literal["a", "b"]`: the strings are values.
                self.visit_expr(&s.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    fn pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str());
                }
            }
            Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str());
                }
            }
            Pattern::MatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind(name.as_str());
                }
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

fn is_future_annotations(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::ImportFrom(f) if f.level == 0
        && f.module.as_ref().is_some_and(|m| m.as_str() == "__future__")
        && f.names.iter().any(|a| a.name.as_str() == "annotations"))
}

fn is_literal_type(e: &Expr) -> bool {
    match e {
        Expr::Name(n) => n.id.as_str() == "Literal",
        Expr::Attribute(a) => a.attr.as_str() == "Literal",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn undefined(src: &str) -> Vec<(String, u32)> {
        let parsed = ruff_python_parser::parse_module(src).expect("test source parses");
        let index = flightcheck_core::text::LineIndex::new(src);
        let span_of = |r: TextRange| index.span(src, r.start().to_u32(), r.end().to_u32());
        module_names(&parsed.syntax().body, src, &span_of)
            .undefined
            .into_iter()
            .map(|u| (u.name, u.span.line))
            .collect()
    }

    #[test]
    fn builtins_are_sorted() {
        assert!(BUILTINS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn missing_import_and_typo_are_undefined() {
        let src = "import os\ndef f():\n    return json.dumps(os.environ)\nappappapp.run()\n";
        assert_eq!(
            undefined(src),
            vec![("json".to_string(), 3), ("appappapp".to_string(), 4)]
        );
    }

    #[test]
    fn scopes_follow_python() {
        let src = r#"
import typing
class A:
    x = 1
    y = [x for _ in range(3)]
    def m(self):
        return x, __class__, __module__
    z = __qualname__
def outer():
    v = 1
    def inner():
        nonlocal v
        return v
    return [w for u in range(3) if (w := u)] + [w]
def later():
    global CREATED
    CREATED = 1
print(CREATED)
def g[T](a: T) -> T:
    return a
type Alias[K] = dict[K, int]
match command:
    case {"a": first, **rest}:
        print(first, rest)
    case [head, *tail]:
        print(head, tail)
    case Point(x=px) as p:
        print(px, p)
f = lambda q, r=typing: q + r
try:
    maybe
except NameError:
    pass
for i in range(3):
    pass
print(i, undefined_later)
print(early)
early = 1
x = 1
x += 1
try:
    import ujson as json_lib
except ImportError as failure:
    print(failure)
    json_lib = None
print(json_lib)
def flow(items):
    seconds = int(s) if (s := items.total()).is_integer() else 0
    for item in items:
        if item:
            print(previous)
        previous = item
        total = total + item
        earliest = earliest or item
    late = 1
    return unset, late
unset = None
def ann(a: "Missing", b: typing.Literal["no", "names"]) -> "typing.Optional[A]":
    pass
"#;
        let got: Vec<String> = undefined(src).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            vec![
                "x",
                "__module__",
                "command",
                "Point",
                "undefined_later",
                "early",
                "total",
                "earliest",
                "Missing"
            ]
        );
    }

    #[test]
    fn self_calls_of_methods_the_class_lacks() {
        let src = r#"
class Cart:
    tax = staticmethod(lambda x: x)
    def __init__(self, hook):
        self.hook = hook
        self.items = []
    def total(self):
        self.hook()
        self.tax(1)
        self.recalc()
        self.__repr__()
        return self.sumup()
    def recalc(self):
        pass
class Base:
    def run(self):
        return self.handle()
class Child(Base):
    def go(self):
        return self.anything()
@dataclass
class Row:
    def f(self):
        return self.g()
class Dyn:
    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
    def f(self):
        return self.g()
"#;
        let parsed = ruff_python_parser::parse_module(src).expect("parses");
        let names = module_names(&parsed.syntax().body, src, &|_| Span::line(1));
        let got: Vec<(&str, &str)> = names
            .missing_self_methods
            .iter()
            .map(|m| (m.class.as_str(), m.method.as_str()))
            .collect();
        assert_eq!(got, vec![("Cart", "sumup"), ("Base", "handle")]);
        assert_eq!(names.base_names, vec!["Base"]);
    }

    #[test]
    fn star_import_and_dynamic_namespace() {
        let parse = |src: &str| {
            let parsed = ruff_python_parser::parse_module(src).expect("parses");
            module_names(&parsed.syntax().body, src, &|_| Span::line(1))
        };
        let star = parse("from x import *\nprint(y)\n");
        assert!(star.undefined.is_empty());
        assert!(star.dynamic);
        let names = parse(
            "import a.b\nfrom c import d as e\nif X:\n    def f(): pass\nclass K: pass\nfor i in []: pass\n",
        );
        assert_eq!(names.module_bindings, vec!["K", "a", "e", "f", "i"]);
        assert!(!names.dynamic);
        assert!(parse("def __getattr__(name): pass\n").dynamic);
        let opaque = parse("def f():\n    exec('y = 1')\n    return y\n");
        assert!(opaque.undefined.is_empty());
    }
}
