//! Python: parse with ruff's parser once per file and extract [`FileFacts`].

mod async_facts;
mod async_syntax;
mod class_facts;
mod config_facts;
mod encoding;
mod liveness;
pub mod names;
mod obs_facts;
mod resilience_facts;
pub mod resolve;
pub mod rule;
mod state_facts;
pub mod stdlib;
mod suppress;
mod wiring;

use rule::Dispatch;
pub use rule::{PyFileRule, PyNode, PyRuleContext, PyScope};

use flightcheck_core::text::LineIndex;
use flightcheck_core::{
    DynamicLoad, EnvRead, FileFacts, Framework, ImportFact, ImportKind, RuntimeVersion, Span,
    SyntaxIssue,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, PySourceType, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// Parses `source` and extracts its facts. Never panics on bad input: syntax errors become
/// ruff's parser reads the soft keywords `match`, `case` and `type` after a `;` as the start
/// of a compound statement, so `x = None; match = re.search(...)` is reported although
/// CPython accepts it. A name followed by an assignment (`=`, not `==`) or an attribute
/// (`.`) cannot start a `match`/`case`/`type` statement: that report is dropped.
fn soft_keyword_used_as_name(source: &str, message: &str, at: TextRange) -> bool {
    if !message.contains("Compound statements are not allowed on the same line") {
        return false;
    }
    let rest = source.get(at.start().to_usize()..).unwrap_or("");
    let Some(after) = ["match", "case", "type"]
        .iter()
        .find_map(|k| rest.strip_prefix(k))
    else {
        return false;
    };
    let after = after.trim_start_matches([' ', '\t']);
    (after.starts_with('=') && !after.starts_with("==")) || after.starts_with('.')
}

/// [`SyntaxIssue`]s and the recovered tree is still searched.
pub fn analyze(source: &str, rules: &[&dyn PyFileRule]) -> FileFacts {
    analyze_for(source, rules, None)
}

/// [`analyze`] for a project that runs on `target`: syntax newer than that version (a
/// PEP 701 f-string on 3.11, `match` on 3.9) is a syntax issue too, because that
/// interpreter rejects the file.
pub fn analyze_for(
    source: &str,
    rules: &[&dyn PyFileRule],
    target: Option<&RuntimeVersion>,
) -> FileFacts {
    let mut options = ruff_python_parser::ParseOptions::from(PySourceType::Python);
    if let Some(t) = target {
        options = options.with_target_version(ruff_python_ast::PythonVersion {
            major: t.major,
            minor: t.minor,
        });
    }
    let Some(parsed) = ruff_python_parser::parse_unchecked(source, options).try_into_module()
    else {
        return FileFacts::default();
    };
    let index = LineIndex::new(source);
    let span_of =
        |range: TextRange| index.span(source, range.start().to_u32(), range.end().to_u32());
    let mut facts = FileFacts {
        lines: index.line_count() as u32,
        ..Default::default()
    };
    if let Some(t) = target {
        for error in parsed.unsupported_syntax_errors() {
            facts.syntax_issues.push(SyntaxIssue {
                message: format!(
                    "SyntaxError on Python {}.{}: {error} (the project runs {}.{}: {})",
                    t.major, t.minor, t.major, t.minor, t.source
                ),
                span: span_of(error.range),
            });
        }
    }
    for error in parsed.errors() {
        if soft_keyword_used_as_name(source, &error.error.to_string(), error.location) {
            continue;
        }
        facts.syntax_issues.push(SyntaxIssue {
            message: format!("SyntaxError: {}", error.error),
            span: span_of(error.location),
        });
    }
    future_import_errors(&parsed.syntax().body, &mut facts.syntax_issues, &span_of);
    async_syntax::await_outside_async(&parsed.syntax().body, &mut facts.syntax_issues, &span_of);
    if let Some((line, message)) = encoding::declaration_error(source) {
        facts.syntax_issues.insert(
            0,
            SyntaxIssue {
                message,
                span: Span::line(line),
            },
        );
    }
    let dispatch = Dispatch::new(rules);
    let mut extractor = Extractor {
        facts: &mut facts,
        span_of: &span_of,
        try_depth: 0,
        function_depth: 0,
        type_checking: 0,
        dispatch: &dispatch,
        ctx: PyRuleContext::new(source, &span_of),
        extension_names: Vec::new(),
        literal_names: std::collections::HashMap::new(),
        docstrings: std::collections::HashSet::new(),
    };
    for stmt in parsed.syntax().body.iter() {
        extractor.visit_stmt(stmt);
    }
    extractor.resolve_extension_lists(&parsed.syntax().body);
    config_facts::extract(&parsed.syntax().body, source, &span_of, extractor.facts);
    state_facts::extract(&parsed.syntax().body, source, &span_of, extractor.facts);
    let findings = std::mem::take(&mut extractor.ctx.findings);
    let imported = std::mem::take(&mut extractor.ctx.imported);
    facts.observability = obs_facts::extract(&parsed.syntax().body, source, &span_of, &imported);
    resilience_facts::extract(
        &parsed.syntax().body,
        source,
        &span_of,
        &imported,
        &mut facts,
    );
    facts.findings = findings;
    facts.frameworks.sort();
    facts.frameworks.dedup();
    let module = wiring::Module {
        source,
        span_of: &span_of,
        imported: &imported,
        frameworks: &facts.frameworks,
    };
    facts.wiring = wiring::extract(&parsed.syntax().body, &module);
    facts.py_names = names::module_names(&parsed.syntax().body, source, &span_of);
    facts.py_classes = class_facts::extract(&parsed.syntax().body, &span_of);
    facts.liveness = liveness::extract(&parsed.syntax().body, &span_of);
    facts.suppressions =
        suppress::suppressions(&parsed.syntax().body, parsed.tokens(), source, &index);
    facts
}

struct Extractor<'f> {
    facts: &'f mut FileFacts,
    span_of: &'f dyn Fn(TextRange) -> Span,
    try_depth: u32,
    function_depth: u32,
    type_checking: u32,
    dispatch: &'f Dispatch<'f>,
    ctx: PyRuleContext<'f>,
    /// `load_extension(name)` with a variable: the module-level tuple/list it iterates is
    /// looked up once the module is walked.
    extension_names: Vec<TextRange>,
    /// Start offsets of string literals assigned to a name (`TOKEN = "…"`, `{"api_key": "…"}`,
    /// `Bot(token="…")`, `os.getenv("X", "…")`), with that name: for secret detection.
    literal_names: std::collections::HashMap<u32, String>,
    /// Start offsets of string statements (docstrings): documentation, not values.
    docstrings: std::collections::HashSet<u32>,
}

/// Constructors of application objects that an ASGI/WSGI server (uvicorn, gunicorn,
/// hypercorn, a platform's base image) imports by module path.
const WEB_APP_FACTORIES: [&str; 10] = [
    "FastAPI",
    "Flask",
    "Quart",
    "Starlette",
    "Sanic",
    "Litestar",
    "Application",
    "get_wsgi_application",
    "get_asgi_application",
    "Django",
];

/// Features `from __future__ import X` accepts (CPython 3.11).
const FUTURE_FEATURES: [&str; 10] = [
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

/// The compile-time errors CPython raises for `from __future__` imports: they must come
/// first (after the docstring and other future imports) and name a known feature.
fn future_import_errors(
    body: &[Stmt],
    issues: &mut Vec<SyntaxIssue>,
    span_of: &dyn Fn(TextRange) -> Span,
) {
    let mut leading = true;
    for (k, stmt) in body.iter().enumerate() {
        let is_docstring =
            k == 0 && matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)));
        let future = match stmt {
            Stmt::ImportFrom(from)
                if from.level == 0
                    && from
                        .module
                        .as_ref()
                        .is_some_and(|m| m.as_str() == "__future__") =>
            {
                Some(from)
            }
            _ => None,
        };
        match future {
            Some(from) if !leading => issues.push(SyntaxIssue {
                message:
                    "SyntaxError: from __future__ imports must occur at the beginning of the file"
                        .into(),
                span: span_of(from.range()),
            }),
            Some(from) => {
                for alias in &from.names {
                    let name = alias.name.as_str();
                    let message = match name {
                        "braces" => "SyntaxError: not a chance".to_string(),
                        n if FUTURE_FEATURES.contains(&n) => continue,
                        n => format!("SyntaxError: future feature {n} is not defined"),
                    };
                    issues.push(SyntaxIssue {
                        message,
                        span: span_of(alias.range()),
                    });
                }
            }
            None if is_docstring => {}
            None => leading = false,
        }
    }
}

/// `self.assertRaises(...)`, `pytest.raises(...)`, `assertRaisesRegex(...)`.
fn expects_failure(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    let name = match &*call.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return false,
    };
    name == "raises" || name.starts_with("assertRaises")
}

/// `a.b.c` as written, for names and attributes; `None` for anything else (calls,
/// subscripts).
pub fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// `except:`, `except Exception`, `except BaseException` or a tuple holding one of them.
pub(crate) fn is_broad(h: &ast::ExceptHandler) -> bool {
    let ast::ExceptHandler::ExceptHandler(h) = h;
    match h.type_.as_deref() {
        None => true,
        Some(Expr::Tuple(t)) => t
            .elts
            .iter()
            .filter_map(dotted)
            .any(|n| matches!(n.as_str(), "Exception" | "BaseException")),
        Some(e) => dotted(e).is_some_and(|n| matches!(n.as_str(), "Exception" | "BaseException")),
    }
}

/// The literal text of an f-string with each interpolation replaced by `hole`: what the
/// string looks like whatever the values are (`f"SELECT * FROM {t}"` → `SELECT * FROM $0`).
pub fn fstring_template(f: &ast::ExprFString, hole: &str) -> String {
    let mut out = String::new();
    for part in f.value.iter() {
        match part {
            ast::FStringPart::Literal(l) => out.push_str(&l.value),
            ast::FStringPart::FString(fs) => {
                for el in fs.elements.iter() {
                    match el {
                        ast::InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                        ast::InterpolatedStringElement::Interpolation(_) => out.push_str(hole),
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    let [right] = &cmp.comparators[..] else {
        return false;
    };
    matches!(cmp.ops[..], [ast::CmpOp::Eq])
        && ((is_name(&cmp.left) && is_main(right)) || (is_main(&cmp.left) && is_name(right)))
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `"X"` of a string-literal expression.
pub(crate) fn string_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// `os.environ` / `environ`.
pub(crate) fn is_environ(e: &Expr) -> bool {
    match e {
        Expr::Attribute(a) => {
            a.attr.as_str() == "environ"
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "os")
        }
        Expr::Name(n) => n.id.as_str() == "environ",
        _ => false,
    }
}

impl Extractor<'_> {
    fn import(
        &mut self,
        specifier: String,
        kind: ImportKind,
        names: Vec<String>,
        range: TextRange,
    ) {
        if let Some(fw) = Framework::from_python_module(specifier.trim_start_matches('.'))
            && !specifier.starts_with('.')
        {
            self.facts.frameworks.push(fw);
        }
        let kind = if self.type_checking > 0 {
            ImportKind::TypeOnly
        } else {
            kind
        };
        self.facts.imports.push(ImportFact {
            specifier,
            kind,
            names,
            guarded: self.try_depth > 0,
            erased: false,
            in_function: self.function_depth > 0,
            span: (self.span_of)(range),
        });
    }

    fn env_call(&mut self, call: &ast::ExprCall) {
        let func = &*call.func;
        let is_getenv = match func {
            Expr::Attribute(a) => {
                (a.attr.as_str() == "getenv"
                    && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "os"))
                    || (a.attr.as_str() == "get" && is_environ(&a.value))
            }
            Expr::Name(n) => n.id.as_str() == "getenv",
            _ => false,
        };
        if !is_getenv {
            return;
        }
        let args = &call.arguments;
        if let Some(name) = args.args.first().and_then(string_lit) {
            let has_default = args.args.len() > 1
                || args
                    .keywords
                    .iter()
                    .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"));
            self.facts.env_reads.push(EnvRead {
                name,
                has_default,
                span: (self.span_of)(call.range()),
                ..Default::default()
            });
        }
    }
}

impl<'a> Visitor<'a> for Extractor<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.dispatch.is_empty() {
            self.dispatch.run(PyNode::Stmt(stmt), &mut self.ctx);
        }
        self.name_stmt_literals(stmt);
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    // `import a.b` binds `a`; `import a.b as x` binds `x` to `a.b`.
                    let name = alias.name.as_str();
                    match &alias.asname {
                        Some(asname) => self
                            .ctx
                            .imported
                            .insert(asname.to_string(), name.to_string()),
                        None => {
                            let top = name.split('.').next().unwrap_or(name);
                            self.ctx.imported.insert(top.to_string(), top.to_string())
                        }
                    };
                    self.import(
                        alias.name.as_str().to_string(),
                        ImportKind::PyImport,
                        Vec::new(),
                        alias.range(),
                    );
                }
            }
            Stmt::ImportFrom(from) => {
                let module = from.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                if from.level == 0 {
                    for alias in &from.names {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                        self.ctx
                            .imported
                            .insert(local, format!("{module}.{}", alias.name));
                    }
                }
                let specifier = format!("{}{}", ".".repeat(from.level as usize), module);
                let names = from
                    .names
                    .iter()
                    .map(|a| a.name.as_str().to_string())
                    .collect();
                self.import(specifier, ImportKind::PyFrom, names, from.range());
            }
            Stmt::If(if_stmt) if self.function_depth == 0 && is_main_guard(&if_stmt.test) => {
                self.facts.has_main_guard = true;
                visitor::walk_stmt(self, stmt);
            }
            Stmt::If(if_stmt) if is_type_checking(&if_stmt.test) => {
                self.type_checking += 1;
                for s in &if_stmt.body {
                    self.visit_stmt(s);
                }
                self.type_checking -= 1;
                for clause in &if_stmt.elif_else_clauses {
                    for s in &clause.body {
                        self.visit_stmt(s);
                    }
                }
            }
            // `with self.assertRaises(ImportError):` / `with pytest.raises(...)`: the failure
            // is expected, as in a `try`.
            Stmt::With(with)
                if with
                    .items
                    .iter()
                    .any(|item| expects_failure(&item.context_expr)) =>
            {
                self.try_depth += 1;
                visitor::walk_stmt(self, stmt);
                self.try_depth -= 1;
            }
            Stmt::Try(try_stmt) => {
                self.try_depth += 1;
                for s in &try_stmt.body {
                    self.visit_stmt(s);
                }
                self.try_depth -= 1;
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    for s in &h.body {
                        self.visit_stmt(s);
                    }
                }
                for s in try_stmt.orelse.iter().chain(try_stmt.finalbody.iter()) {
                    self.visit_stmt(s);
                }
            }
            Stmt::Assign(assign) if self.function_depth == 0 && self.facts.web_app.is_none() => {
                if let Expr::Call(call) = &*assign.value {
                    let callee = match &*call.func {
                        Expr::Name(n) => Some(n.id.as_str()),
                        Expr::Attribute(a) => Some(a.attr.as_str()),
                        _ => None,
                    };
                    if let Some(name) = callee.filter(|c| WEB_APP_FACTORIES.contains(c)) {
                        self.facts.web_app = Some(name.to_string());
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::FunctionDef(def) => {
                self.function_depth += 1;
                self.ctx.scopes.push(PyScope::of(def, &self.ctx.imported));
                visitor::walk_stmt(self, stmt);
                self.ctx.scopes.pop();
                self.function_depth -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.dispatch.is_empty() {
            self.dispatch.run(PyNode::Expr(expr), &mut self.ctx);
        }
        self.secret_expr(expr);
        if let Expr::Lambda(_) = expr {
            self.ctx.scopes.push(PyScope {
                name: "<lambda>".into(),
                is_async: false,
                path_locals: Vec::new(),
                startup_hook: false,
                ends_process: false,
                serves_from: None,
            });
            visitor::walk_expr(self, expr);
            self.ctx.scopes.pop();
            return;
        }
        match expr {
            Expr::Call(call) => {
                self.env_call(call);
                // importlib.import_module("pkg.mod") / __import__("pkg"): literal names are
                // imports; computed ones are dynamic loads (an f-string keeps its prefix).
                // discord.py `bot.load_extension("cogs.music")` imports by dotted name too.
                let loader = match &*call.func {
                    Expr::Attribute(a) => matches!(
                        a.attr.as_str(),
                        "import_module" | "load_extension" | "reload_extension"
                    ),
                    Expr::Name(n) => matches!(n.id.as_str(), "import_module" | "__import__"),
                    _ => false,
                };
                // Loading a file by path (`spec_from_file_location`, `run_path`): which
                // modules run is unknowable.
                let path_loader = match &*call.func {
                    Expr::Attribute(a) => matches!(
                        a.attr.as_str(),
                        "spec_from_file_location" | "run_path" | "SourceFileLoader"
                    ),
                    Expr::Name(n) => matches!(
                        n.id.as_str(),
                        "spec_from_file_location" | "run_path" | "SourceFileLoader"
                    ),
                    _ => false,
                };
                if path_loader {
                    let span = (self.span_of)(call.range());
                    self.facts
                        .dynamic_loads
                        .push(DynamicLoad { prefix: None, span });
                }
                let extension_var = matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str().ends_with("_extension"))
                    && matches!(call.arguments.args.first(), Some(Expr::Name(_)));
                if let (true, Some(arg)) = (loader, call.arguments.args.first()) {
                    match arg {
                        Expr::StringLiteral(_) => {
                            // A relative name resolves against the `package` argument, not
                            // this file: not judged.
                            if let Some(name) = string_lit(arg).filter(|n| !n.starts_with('.')) {
                                self.import(name, ImportKind::PyImport, Vec::new(), call.range());
                            }
                        }
                        Expr::FString(f) => {
                            let prefix = f.value.elements().next().and_then(|e| match e {
                                ast::InterpolatedStringElement::Literal(l) => {
                                    Some(l.value.to_string())
                                }
                                ast::InterpolatedStringElement::Interpolation(_) => None,
                            });
                            let span = (self.span_of)(call.range());
                            self.facts.dynamic_loads.push(DynamicLoad { prefix, span });
                        }
                        _ if extension_var => self.extension_names.push(call.range()),
                        _ => {
                            let span = (self.span_of)(call.range());
                            self.facts
                                .dynamic_loads
                                .push(DynamicLoad { prefix: None, span });
                        }
                    }
                }
            }
            Expr::Subscript(sub) if is_environ(&sub.value) => {
                if let Some(name) = string_lit(&sub.slice) {
                    self.facts.env_reads.push(EnvRead {
                        name,
                        has_default: false,
                        span: (self.span_of)(sub.range()),
                        ..Default::default()
                    });
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The name an assignment target binds: `x`, `self.x`, `config["x"]`.
fn target_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(a.attr.to_string()),
        Expr::Subscript(sub) => string_lit(&sub.slice),
        _ => None,
    }
}

impl Extractor<'_> {
    /// Remembers that the string literal `e` (if it is one) is assigned to `name`.
    fn name_literal(&mut self, e: &Expr, name: &str) {
        if let Expr::StringLiteral(s) = e {
            self.literal_names
                .insert(s.range.start().to_u32(), name.to_string());
        }
    }

    /// Names for string literals in the statement: assignments and parameter defaults.
    fn name_stmt_literals(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Some(n) = target_name(t) {
                        self.name_literal(&a.value, &n);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Some(n), Some(v)) = (target_name(&a.target), &a.value) {
                    self.name_literal(v, &n);
                }
            }
            Stmt::FunctionDef(def) => {
                for p in def.parameters.iter_non_variadic_params() {
                    if let Some(d) = &p.default {
                        self.name_literal(d, p.parameter.name.as_str());
                    }
                }
            }
            Stmt::Expr(e) => {
                if let Expr::StringLiteral(s) = &*e.value {
                    self.docstrings.insert(s.range.start().to_u32());
                }
            }
            _ => {}
        }
    }

    /// Names for string literals in the expression (dict keys, keyword arguments, env
    /// defaults), and the credentials in string literals.
    fn secret_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Dict(d) => {
                for item in &d.items {
                    if let Some(k) = item.key.as_ref().and_then(string_lit) {
                        self.name_literal(&item.value, &k);
                    }
                }
            }
            Expr::Call(call) => {
                for k in &call.arguments.keywords {
                    if let Some(arg) = &k.arg {
                        self.name_literal(&k.value, arg.as_str());
                    }
                }
                let getenv = match &*call.func {
                    Expr::Attribute(a) => {
                        a.attr.as_str() == "getenv"
                            || (a.attr.as_str() == "get" && is_environ(&a.value))
                    }
                    Expr::Name(n) => n.id.as_str() == "getenv",
                    _ => false,
                };
                if getenv && let Some(name) = call.arguments.args.first().and_then(string_lit) {
                    let default = call.arguments.args.get(1).or_else(|| {
                        call.arguments
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
                            .map(|k| &k.value)
                    });
                    if let Some(d) = default {
                        self.name_literal(d, &name);
                    }
                }
            }
            Expr::StringLiteral(s) => {
                let start = s.range.start().to_u32();
                if !self.docstrings.contains(&start) {
                    let name = self.literal_names.get(&start).cloned();
                    self.secret_literal(s.value.to_str(), s.range, name.as_deref());
                }
            }
            Expr::FString(f) => {
                for e in f.value.elements() {
                    if let ast::InterpolatedStringElement::Literal(l) = e {
                        self.secret_literal(&l.value, l.range, None);
                    }
                }
            }
            _ => {}
        }
    }

    /// Records the credentials in one string value whose literal covers `range`. Only
    /// digests and previews are kept.
    fn secret_literal(&mut self, value: &str, range: TextRange, name: Option<&str>) {
        if value.len() < 16 {
            return;
        }
        let (start, end) = (range.start().to_u32(), range.end().to_u32());
        let raw = self
            .ctx
            .source
            .get(start as usize..end as usize)
            .unwrap_or("");
        for hit in flightcheck_core::secrets::scan_value(value, name) {
            let Some(secret) = value.get(hit.start..hit.end) else {
                continue;
            };
            let located = match raw.find(secret) {
                Some(p) => TextRange::new(
                    (start + p as u32).into(),
                    (start + (p + secret.len()) as u32).into(),
                ),
                None => range,
            };
            let span = (self.span_of)(located);
            self.facts
                .secrets
                .push(flightcheck_core::secrets::SecretCandidate::new(
                    &hit, secret, name, span,
                ));
        }
    }

    /// `for ext in INITIAL_EXTENSIONS: await bot.load_extension(ext)`: every dotted name in
    /// a module-level tuple/list of strings is an import; without such a list the load is
    /// opaque.
    fn resolve_extension_lists(&mut self, body: &[Stmt]) {
        let calls = std::mem::take(&mut self.extension_names);
        if calls.is_empty() {
            return;
        }
        let mut names: Vec<(String, TextRange)> = Vec::new();
        for stmt in body {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::Assign(a) => (a.targets.iter().collect(), &a.value),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (vec![&*a.target], v),
                    None => continue,
                },
                _ => continue,
            };
            let Some(Expr::Name(target)) = targets.first() else {
                continue;
            };
            let lower = target.id.as_str().to_ascii_lowercase();
            if !(lower.contains("extension") || lower.contains("cog") || lower.contains("plugin")) {
                continue;
            }
            let elts = match value {
                Expr::Tuple(t) => &t.elts,
                Expr::List(l) => &l.elts,
                _ => continue,
            };
            for e in elts {
                if let Some(name) =
                    string_lit(e).filter(|n| !n.starts_with('.') && !n.contains(['/', ' ']))
                {
                    names.push((name, e.range()));
                }
            }
        }
        if names.is_empty() {
            for range in calls {
                let span = (self.span_of)(range);
                self.facts
                    .dynamic_loads
                    .push(DynamicLoad { prefix: None, span });
            }
            return;
        }
        for (name, range) in names {
            self.import(name, ImportKind::PyImport, Vec::new(), range);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_candidates_from_string_literals() {
        // Made-up credentials: none is or was valid.
        let src = "\"\"\"Set TOKEN = '7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o' to run.\"\"\"\nTOKEN = '7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o'\nconfig = {'api_key': 'Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA'}\nsecret = os.getenv('JWT_SECRET', 'Zq8rT2vB7nL4pW6sY1cK9mD3')\nbot = Bot(token=\"7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o\")\nurl = f'https://api.telegram.org/bot7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o/{method}'\ndef connect(password='Zq8rT2vB7nL4pW6sY1cK9mD3'):\n    pass\ncache_key = 'Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA'\n";
        let f = analyze(src, &[]);
        let got: Vec<(u32, u32, Option<&str>)> = f
            .secrets
            .iter()
            .map(|c| (c.span.line, c.span.column, c.name.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, 10, Some("TOKEN")),
                (3, 23, Some("api_key")),
                (4, 35, Some("JWT_SECRET")),
                (5, 18, Some("token")),
                (6, 37, None),
                (7, 23, Some("password")),
            ]
        );
        assert!(!format!("{:?}", f.secrets).contains("AAGx3Vb9"));
    }

    #[test]
    fn discord_extensions_are_imports() {
        let src = "import discord\nINITIAL_EXTENSIONS = (\n    'cogs.meta',\n    'cogs.music',\n)\nasync def setup_hook(bot):\n    for ext in INITIAL_EXTENSIONS:\n        await bot.load_extension(ext)\n    await bot.load_extension('cogs.admin')\n    for f in files:\n        await bot.load_extension(f'cogs.extra.{f[:-3]}')\n";
        let f = analyze(src, &[]);
        let specs: Vec<&str> = f
            .imports
            .iter()
            .map(|i| i.specifier.as_str())
            .filter(|s| s.starts_with("cogs"))
            .collect();
        assert_eq!(specs, vec!["cogs.admin", "cogs.meta", "cogs.music"]);
        let prefixes: Vec<Option<&str>> = f
            .dynamic_loads
            .iter()
            .map(|d| d.prefix.as_deref())
            .collect();
        assert_eq!(prefixes, vec![Some("cogs.extra.")]);
        let opaque = analyze(
            "import importlib.util\nspec = importlib.util.spec_from_file_location(n, p)\n",
            &[],
        );
        assert_eq!(opaque.dynamic_loads.len(), 1);
        assert!(opaque.dynamic_loads[0].prefix.is_none());
    }

    #[test]
    fn imports_env_and_main_guard() {
        let src = "import os, aiogram.types\nfrom .db import get as g\nfrom ..core.models import User\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\nif TYPE_CHECKING:\n    from x import Y\nTOKEN = os.getenv('BOT_TOKEN')\nURL = os.environ.get('URL', 'http://x')\nK = os.environ['KEY']\nif __name__ == '__main__':\n    main()\n";
        let f = analyze(src, &[]);
        let specs: Vec<(&str, ImportKind, bool)> = f
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.guarded))
            .collect();
        assert_eq!(
            specs,
            vec![
                ("os", ImportKind::PyImport, false),
                ("aiogram.types", ImportKind::PyImport, false),
                (".db", ImportKind::PyFrom, false),
                ("..core.models", ImportKind::PyFrom, false),
                ("ujson", ImportKind::PyImport, true),
                ("x", ImportKind::TypeOnly, false),
            ]
        );
        assert_eq!(f.imports[3].names, vec!["User"]);
        let expected = analyze(
            "def test_x(self):\n    with self.assertRaises(ImportError):\n        from .os import sep\n    importlib.import_module('..c', 'a.b')\n",
            &[],
        );
        assert!(
            expected.imports.iter().all(|i| i.guarded),
            "{:?}",
            expected.imports
        );
        let env: Vec<(&str, bool)> = f
            .env_reads
            .iter()
            .map(|e| (e.name.as_str(), e.has_default))
            .collect();
        assert_eq!(
            env,
            vec![("BOT_TOKEN", false), ("URL", true), ("KEY", false)]
        );
        assert!(f.has_main_guard);
        assert_eq!(f.frameworks, vec![Framework::Aiogram]);
        assert_eq!(f.web_app, None);
        let app = analyze(
            "from fastapi import FastAPI\napp = FastAPI(title='x')\n",
            &[],
        );
        assert_eq!(app.web_app.as_deref(), Some("FastAPI"));
        let nested = analyze(
            "def make():\n    app = Flask(__name__)\n    return app\n",
            &[],
        );
        assert_eq!(nested.web_app, None);
        assert!(f.syntax_issues.is_empty());
    }

    #[test]
    fn dynamic_loads_keep_their_literal_prefix() {
        let f = analyze(
            "import importlib
for n in names:
    importlib.import_module(f\"bot.handlers.{n}\")
    __import__(n)
importlib.import_module(\"bot.admin\")
",
            &[],
        );
        let loads: Vec<Option<&str>> = f
            .dynamic_loads
            .iter()
            .map(|d| d.prefix.as_deref())
            .collect();
        assert_eq!(loads, vec![Some("bot.handlers."), None]);
        assert!(f.imports.iter().any(|i| i.specifier == "bot.admin"));
    }

    /// A test rule: flags calls of `print` inside async functions.
    struct PrintInAsync;

    impl PyFileRule for PrintInAsync {
        fn id(&self) -> &'static str {
            "test/print-in-async"
        }
        fn node_kinds(&self) -> &'static [ruff_python_ast::NodeKind] {
            &[ruff_python_ast::NodeKind::ExprCall]
        }
        fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
            let PyNode::Expr(Expr::Call(call)) = node else {
                return;
            };
            let is_print = matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "print");
            if is_print && ctx.function().is_some_and(|f| f.is_async) {
                let name = ctx.function().map(|f| f.name.clone()).unwrap_or_default();
                ctx.report(
                    self.id(),
                    call.range(),
                    format!("print in async {name}"),
                    None,
                );
            }
        }
    }

    #[test]
    fn file_rules_get_their_node_kinds_and_the_innermost_function() {
        let src = "import asyncio as aio\nfrom asyncio import sleep\nasync def handler():\n    print('a')\n    def sync_helper():\n        print('b')\n    f = lambda: print('c')\nprint('d')\n";
        let facts = analyze(src, &[&PrintInAsync]);
        let got: Vec<(u32, &str)> = facts
            .findings
            .iter()
            .map(|f| (f.span.line, f.message.as_str()))
            .collect();
        assert_eq!(got, vec![(4, "print in async handler")]);
        assert_eq!(facts.findings[0].key, "print('a')");
    }

    #[test]
    fn syntax_newer_than_the_target_is_an_error() {
        let src = "name = 'x'\nprint(f\"{'nested'} {name!r}\")\nprint(f\"{name[\"k\"]}\")\n";
        assert!(analyze(src, &[]).syntax_issues.is_empty());
        let py311 = RuntimeVersion {
            major: 3,
            minor: 11,
            source: "Dockerfile:1 FROM python:3.11".into(),
            lower_bound: false,
        };
        let issues = analyze_for(src, &[], Some(&py311)).syntax_issues;
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].span.line, 3);
        assert!(
            issues[0].message.contains("Dockerfile:1 FROM python:3.11"),
            "{}",
            issues[0].message
        );
        let py312 = RuntimeVersion {
            major: 3,
            minor: 12,
            source: "x".into(),
            lower_bound: false,
        };
        assert!(analyze_for(src, &[], Some(&py312)).syntax_issues.is_empty());
    }

    #[test]
    fn future_imports_follow_cpython_rules() {
        let ok = analyze(
            "\"\"\"doc\"\"\"\nfrom __future__ import annotations\nfrom __future__ import division\nimport os\n",
            &[],
        );
        assert!(ok.syntax_issues.is_empty(), "{:?}", ok.syntax_issues);
        let late = analyze("import os\nfrom __future__ import annotations\n", &[]);
        assert_eq!(late.syntax_issues.len(), 1);
        assert_eq!(late.syntax_issues[0].span.line, 2);
        let unknown = analyze("from __future__ import rested_snopes, braces\n", &[]);
        let messages: Vec<&str> = unknown
            .syntax_issues
            .iter()
            .map(|i| i.message.as_str())
            .collect();
        assert_eq!(
            messages,
            vec![
                "SyntaxError: future feature rested_snopes is not defined",
                "SyntaxError: not a chance"
            ]
        );
    }

    #[test]
    fn syntax_errors_are_facts_not_panics() {
        let f = analyze("def broken(:\n    pass\n", &[]);
        assert!(!f.syntax_issues.is_empty());
        assert_eq!(f.syntax_issues[0].span.line, 1);
        let f = analyze("\u{0}\u{1}garbage ((((", &[]);
        assert!(!f.syntax_issues.is_empty());
    }

    #[test]
    fn main_guard_inside_function_is_not_an_entry() {
        assert!(
            !analyze(
                "def f():\n    if __name__ == '__main__':\n        pass\n",
                &[]
            )
            .has_main_guard
        );
    }
}
