//! Configuration facts of one Python file: where env reads sit (module load or a function
//! that runs later), their literal fallbacks and whether they are tested, how the program
//! validates its configuration at startup (settings classes, env libraries, explicit
//! checks), pydantic-settings fields, and debug switches turned on in code.

use crate::{is_environ, is_main_guard, string_lit};
use flightcheck_core::{
    CallEdge, ConfigCheck, DebugFlag, DebugKind, FileFacts, ImportFact, SettingsField, Span,
    config_message, is_startup_function,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

/// Modules whose job is to load and validate settings from the environment: missing or
/// malformed values fail when the settings are loaded.
const SETTINGS_MODULES: [&str; 9] = [
    "pydantic_settings",
    "environs",
    "decouple",
    "environ",
    "dynaconf",
    "envparse",
    "goodconf",
    "everett",
    "confz",
];

pub(crate) struct ConfigWalk<'s> {
    source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    functions: Vec<String>,
    classes: Vec<String>,
    main_guard: u32,
    functions_at: HashMap<(u32, u32), Option<String>>,
    defaults: HashMap<(u32, u32), String>,
    tested: HashSet<(u32, u32)>,
    checks: Vec<ConfigCheck>,
    settings: Vec<SettingsField>,
    debug: Vec<DebugFlag>,
    /// Lines of module-level `DEBUG = …` assignments and `from m import *`: a later one may
    /// replace an earlier `DEBUG = True`.
    debug_assigns: Vec<u32>,
    star_imports: Vec<u32>,
    /// Names bound to env reads (`token = os.getenv("BOT_TOKEN")`, `self.token = …`):
    /// testing the name tests the read.
    aliases: HashMap<String, Vec<(u32, u32)>>,
    /// The name each read is bound to.
    bound: HashMap<(u32, u32), String>,
    calls: Vec<CallEdge>,
}

/// `os.getenv("X")`, `os.environ.get("X")`, `getenv("X")`, `os.environ["X"]`: the range the
/// fact extractor records for the read.
fn env_read(e: &Expr) -> Option<TextRange> {
    match e {
        Expr::Call(call) => is_getenv_call(call).then(|| call.range()),
        Expr::Subscript(sub) if is_environ(&sub.value) => {
            string_lit(&sub.slice).map(|_| sub.range())
        }
        _ => None,
    }
}

/// `os.getenv("X", ...)`, `os.environ.get("X", ...)`, `getenv("X")` with a literal name.
fn is_getenv_call(call: &ast::ExprCall) -> bool {
    let is_getenv = match &*call.func {
        Expr::Attribute(a) => {
            (a.attr.as_str() == "getenv"
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "os"))
                || (a.attr.as_str() == "get" && is_environ(&a.value))
        }
        Expr::Name(n) => n.id.as_str() == "getenv",
        _ => false,
    };
    is_getenv && call.arguments.args.first().and_then(string_lit).is_some()
}

/// Env reads that are the value of `e` itself, not an input to something else:
/// `os.getenv("X")`, `os.getenv("X") or "d"`, `int(os.getenv("X"))`,
/// `os.getenv("X", "").strip()` (but not `requests.get(url, headers={"k": os.getenv("X")})`).
fn value_reads(e: &Expr, out: &mut Vec<TextRange>) {
    if let Some(r) = env_read(e) {
        out.push(r);
        return;
    }
    match e {
        Expr::BoolOp(b) if b.op == ast::BoolOp::Or => {
            for v in &b.values {
                value_reads(v, out);
            }
        }
        Expr::Call(call) => match &*call.func {
            Expr::Name(n) if matches!(n.id.as_str(), "int" | "float" | "str" | "bool") => {
                if let Some(arg) = call.arguments.args.first() {
                    value_reads(arg, out);
                }
            }
            Expr::Attribute(a) => value_reads(&a.value, out),
            _ => {}
        },
        _ => {}
    }
}

/// Names an expression mentions (`token`, `self.token` → `token`), not inside lambdas.
fn names_in(e: &Expr) -> Vec<String> {
    struct Collect(Vec<String>);
    impl<'a> Visitor<'a> for Collect {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(n) => self.0.push(n.id.to_string()),
                Expr::Attribute(a) => self.0.push(a.attr.to_string()),
                Expr::Lambda(_) => return,
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut c = Collect(Vec::new());
    c.visit_expr(e);
    c.0
}

/// Env reads inside an expression (not inside lambdas).
fn env_reads_in(e: &Expr) -> Vec<TextRange> {
    struct Collect(Vec<TextRange>);
    impl<'a> Visitor<'a> for Collect {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Some(r) = env_read(expr) {
                self.0.push(r);
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut c = Collect(Vec::new());
    c.visit_expr(e);
    c.0
}

/// A literal as written: strings unquoted; numbers and booleans as text. `None` is no
/// fallback at all.
fn literal(e: &Expr, source: &str) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::NumberLiteral(n) => source
            .get(n.range().start().to_usize()..n.range().end().to_usize())
            .map(str::to_string),
        Expr::BooleanLiteral(b) => Some(if b.value { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

fn kw<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::BooleanLiteral(b) if b.value)
}

/// A value that turns a switch on when it is a default: `True`, `"True"`, `"1"`, `1`, `"yes"`.
fn truthy_literal(e: &Expr, source: &str) -> bool {
    literal(e, source).is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on" | "y" | "t"
        )
    })
}

/// What a block does to stop the program (not looking into nested functions): `raise`,
/// `sys.exit()`, `exit()`, `quit()`, `os._exit()`, and its string literals.
#[derive(Default)]
struct Stops {
    stops: bool,
    strings: Vec<String>,
}

impl<'a> Visitor<'a> for Stops {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(_) => {
                self.stops = true;
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                let exits = match &*call.func {
                    Expr::Attribute(a) => {
                        matches!(a.attr.as_str(), "exit" | "_exit")
                            && matches!(&*a.value, Expr::Name(n) if matches!(n.id.as_str(), "sys" | "os"))
                    }
                    Expr::Name(n) => matches!(n.id.as_str(), "exit" | "quit"),
                    _ => false,
                };
                self.stops |= exits;
            }
            Expr::StringLiteral(s) => self.strings.push(s.value.to_str().to_string()),
            Expr::FString(f) => {
                for element in f.value.elements() {
                    if let ast::InterpolatedStringElement::Literal(l) = element {
                        self.strings.push(l.value.to_string());
                    }
                }
            }
            Expr::Lambda(_) => return,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

fn has_upper_snake(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| {
            w.len() >= 4
                && w.contains('_')
                && w.chars().any(|c| c.is_ascii_uppercase())
                && !w.chars().any(|c| c.is_ascii_lowercase())
        })
}

/// `BaseSettings`, `pydantic_settings.BaseSettings`, `pydantic.BaseSettings`.
fn is_settings_base(e: &Expr) -> bool {
    match e {
        Expr::Name(n) => n.id.as_str().ends_with("BaseSettings"),
        Expr::Attribute(a) => a.attr.as_str().ends_with("BaseSettings"),
        _ => false,
    }
}

/// `env_prefix` of a settings class: `model_config = SettingsConfigDict(env_prefix="X")`,
/// `model_config = {"env_prefix": "X"}`, `class Config: env_prefix = "X"`.
fn env_prefix(body: &[Stmt]) -> String {
    for stmt in body {
        match stmt {
            Stmt::Assign(a) => {
                let named = a
                    .targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if matches!(n.id.as_str(), "model_config" | "env_prefix")));
                if !named {
                    continue;
                }
                match &*a.value {
                    Expr::Call(call) => {
                        if let Some(p) = kw(call, "env_prefix").and_then(string_lit) {
                            return p;
                        }
                    }
                    Expr::Dict(d) => {
                        for item in &d.items {
                            if item.key.as_ref().and_then(string_lit).as_deref()
                                == Some("env_prefix")
                                && let Some(p) = string_lit(&item.value)
                            {
                                return p;
                            }
                        }
                    }
                    value => {
                        if let Some(p) = string_lit(value) {
                            return p;
                        }
                    }
                }
            }
            Stmt::ClassDef(c) if c.name.as_str() == "Config" => {
                let p = env_prefix(&c.body);
                if !p.is_empty() {
                    return p;
                }
            }
            _ => {}
        }
    }
    String::new()
}

impl<'s> ConfigWalk<'s> {
    fn pos(&self, r: TextRange) -> (u32, u32) {
        let s = (self.span_of)(r);
        (s.line, s.column)
    }

    fn text(&self, r: TextRange) -> String {
        let raw = self
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        flightcheck_core::text::truncate(&one_line, 80)
    }

    fn function(&self) -> Option<String> {
        self.functions.last().cloned()
    }

    fn at_startup(&self) -> bool {
        self.function().is_none_or(|f| is_startup_function(&f))
    }

    fn mark_tested(&mut self, e: &Expr) {
        for r in env_reads_in(e) {
            let key = self.pos(r);
            self.tested.insert(key);
        }
        for name in names_in(e) {
            if let Some(keys) = self.aliases.get(&name) {
                self.tested.extend(keys.iter().copied());
            }
        }
    }

    fn tests_alias(&self, e: &Expr) -> bool {
        names_in(e).iter().any(|n| self.aliases.contains_key(n))
    }

    fn alias(&mut self, target: &Expr, value: &Expr) {
        let name = match target {
            Expr::Name(n) => n.id.to_string(),
            Expr::Attribute(a) => a.attr.to_string(),
            _ => return,
        };
        self.alias_name(name, value);
    }

    fn alias_name(&mut self, name: String, value: &Expr) {
        let mut reads = Vec::new();
        value_reads(value, &mut reads);
        let keys: Vec<(u32, u32)> = reads.into_iter().map(|r| self.pos(r)).collect();
        if keys.is_empty() {
            return;
        }
        for key in &keys {
            self.bound.entry(*key).or_insert_with(|| name.clone());
        }
        self.aliases.entry(name).or_default().extend(keys);
    }

    /// At module level, in `if __name__ == "__main__":`, or directly in `main`.
    fn at_module_load(&self) -> bool {
        self.function().is_none_or(|f| {
            matches!(
                f.rsplit('.').next().unwrap_or(&f),
                "main" | "start" | "bootstrap" | "startup" | "init"
            )
        })
    }

    /// `app.run(…, debug=True)`: the callee and the switch, whatever the arguments' length.
    fn call_via(&self, call: &ast::ExprCall, switch: &str) -> String {
        let callee = self.text(call.func.range());
        let others = call.arguments.args.len() + call.arguments.keywords.len() > 1;
        if others {
            format!("{callee}(…, {switch}=True)")
        } else {
            format!("{callee}({switch}=True)")
        }
    }

    fn debug_call(&mut self, kind: DebugKind, call: &ast::ExprCall, switch: &str) {
        let via = self.call_via(call, switch);
        self.debug.push(DebugFlag {
            kind,
            via,
            in_main_guard: self.main_guard > 0,
            function: self.function(),
            span: (self.span_of)(call.range()),
        });
    }

    fn debug(&mut self, kind: DebugKind, r: TextRange) {
        self.debug.push(DebugFlag {
            kind,
            via: self.text(r),
            in_main_guard: self.main_guard > 0,
            function: self.function(),
            span: (self.span_of)(r),
        });
    }

    fn check(&mut self, via: String, schema: bool, r: TextRange) {
        self.checks.push(ConfigCheck {
            via,
            schema,
            required: Vec::new(),
            span: (self.span_of)(r),
        });
    }

    fn settings_class(&mut self, class: &ast::StmtClassDef) {
        let prefix = env_prefix(&class.body).to_ascii_uppercase();
        for stmt in &class.body {
            let Stmt::AnnAssign(a) = stmt else { continue };
            let Expr::Name(target) = &*a.target else {
                continue;
            };
            let field = target.id.as_str();
            if field == "model_config" || field.starts_with('_') {
                continue;
            }
            let mut env_name = format!("{prefix}{}", field.to_ascii_uppercase());
            let mut default = None;
            match a.value.as_deref() {
                Some(Expr::Call(call))
                    if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "Field")
                        || matches!(&*call.func, Expr::Attribute(at) if at.attr.as_str() == "Field") =>
                {
                    default = call
                        .arguments
                        .args
                        .first()
                        .or_else(|| kw(call, "default"))
                        .and_then(|e| literal(e, self.source));
                    if let Some(alias) = ["validation_alias", "alias", "env"]
                        .iter()
                        .find_map(|k| kw(call, k).and_then(string_lit))
                    {
                        env_name = alias.to_ascii_uppercase();
                    }
                }
                Some(Expr::Call(call)) if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "SecretStr") =>
                {
                    default = call
                        .arguments
                        .args
                        .first()
                        .and_then(|e| literal(e, self.source));
                }
                Some(value) => default = literal(value, self.source),
                None => {}
            }
            self.settings.push(SettingsField {
                class: class.name.to_string(),
                env_name,
                default,
                span: (self.span_of)(a.range()),
            });
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        // Literal fallbacks of getenv / environ.get.
        if is_getenv_call(call) {
            let fallback = call.arguments.args.get(1).or_else(|| kw(call, "default"));
            if let Some(value) = fallback.and_then(|e| literal(e, self.source)) {
                let key = self.pos(call.range());
                self.defaults.insert(key, value);
            }
        }
        let (receiver, name) = match &*call.func {
            Expr::Attribute(a) => (Some(&*a.value), a.attr.as_str()),
            Expr::Name(n) => (None, n.id.as_str()),
            _ => return,
        };
        self.calls.push(CallEdge {
            from: self.function(),
            to: name.to_string(),
        });
        // `Flask(secret_key=os.getenv(…))`, `SessionMiddleware(app, secret_key=…)`.
        for k in &call.arguments.keywords {
            if let Some(arg) = &k.arg {
                self.alias_name(arg.to_string(), &k.value);
            }
        }
        let receiver_name = match receiver {
            Some(Expr::Name(n)) => Some(n.id.as_str()),
            _ => None,
        };
        let debug_on = kw(call, "debug").is_some_and(is_true);
        let reload_on = kw(call, "reload").is_some_and(is_true);
        match (receiver_name, name) {
            (Some("uvicorn" | "hypercorn"), "run") if reload_on || debug_on => {
                let switch = if reload_on { "reload" } else { "debug" };
                self.debug_call(DebugKind::ServerReload, call, switch);
            }
            (_, "run") if debug_on && receiver.is_some() => {
                self.debug_call(DebugKind::FlaskRun, call, "debug");
            }
            (_, "FastAPI" | "Starlette" | "Quart" | "Sanic" | "Litestar") if debug_on => {
                self.debug_call(DebugKind::AppConstructor, call, "debug");
            }
            // `app.config.update(DEBUG=True)`
            (_, "update")
                if kw(call, "DEBUG").is_some_and(is_true)
                    && matches!(receiver, Some(Expr::Attribute(a)) if a.attr.as_str() == "config") =>
            {
                self.debug(DebugKind::AppDebugAttr, call.range());
            }
            _ => {}
        }
    }

    fn assign(&mut self, targets: &[&Expr], value: &Expr, r: TextRange) {
        for target in targets {
            match target {
                // `app.debug = True`
                Expr::Attribute(a) if a.attr.as_str() == "debug" && is_true(value) => {
                    self.debug(DebugKind::AppDebugAttr, r);
                }
                // `app.config["DEBUG"] = True`
                Expr::Subscript(s)
                    if string_lit(&s.slice).as_deref() == Some("DEBUG")
                        && matches!(&*s.value, Expr::Attribute(a) if a.attr.as_str() == "config")
                        && is_true(value) =>
                {
                    self.debug(DebugKind::AppDebugAttr, r);
                }
                // Module-level `DEBUG = True` / `DEBUG = os.getenv("DEBUG", "True") == "True"`.
                Expr::Name(n)
                    if n.id.as_str() == "DEBUG"
                        && self.functions.is_empty()
                        && self.classes.is_empty() =>
                {
                    let line = (self.span_of)(r).line;
                    self.debug_assigns.push(line);
                    if is_true(value) {
                        self.debug(DebugKind::DebugSetting, r);
                    } else if self.defaults_on(value) {
                        self.debug(DebugKind::DebugDefaultOn, r);
                    }
                }
                _ => {}
            }
        }
    }

    /// `os.getenv("DEBUG", "True")`, `env.bool("DEBUG", default=True)`,
    /// `config("DEBUG", default=True, cast=bool)` somewhere in `value`.
    fn defaults_on(&self, value: &Expr) -> bool {
        struct Find<'w, 's> {
            walk: &'w ConfigWalk<'s>,
            found: bool,
        }
        impl<'a> Visitor<'a> for Find<'_, '_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if let Expr::Call(call) = expr
                    && call
                        .arguments
                        .args
                        .first()
                        .and_then(string_lit)
                        .is_some_and(|k| k.to_ascii_uppercase().contains("DEBUG"))
                    && call
                        .arguments
                        .args
                        .get(1)
                        .or_else(|| kw(call, "default"))
                        .is_some_and(|d| truthy_literal(d, self.walk.source))
                {
                    self.found = true;
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut f = Find {
            walk: self,
            found: false,
        };
        f.visit_expr(value);
        f.found
    }

    fn if_stmt(&mut self, test: &Expr, body: &[Stmt], r: TextRange) {
        self.mark_tested(test);
        let mut stops = Stops::default();
        for s in body {
            stops.visit_stmt(s);
        }
        if !stops.stops {
            return;
        }
        let on_env = !env_reads_in(test).is_empty() || self.tests_alias(test);
        let negative = matches!(test, Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not)
            || matches!(test, Expr::Compare(_) | Expr::BoolOp(_));
        let about_config = stops.strings.iter().any(|s| config_message(s));
        if on_env || (negative && about_config && self.at_module_load()) {
            let via = format!("if {}: … stops the program", self.text(test.range()));
            self.check(via, false, r);
        }
    }
}

/// Fills the configuration facts of `body` into `facts` (env reads are already there).
pub(crate) fn extract(
    body: &[Stmt],
    source: &str,
    span_of: &dyn Fn(TextRange) -> Span,
    facts: &mut FileFacts,
) {
    let mut walk = ConfigWalk {
        source,
        span_of,
        functions: Vec::new(),
        classes: Vec::new(),
        main_guard: 0,
        functions_at: HashMap::new(),
        defaults: HashMap::new(),
        tested: HashSet::new(),
        checks: Vec::new(),
        settings: Vec::new(),
        debug: Vec::new(),
        debug_assigns: Vec::new(),
        star_imports: Vec::new(),
        aliases: HashMap::new(),
        bound: HashMap::new(),
        calls: Vec::new(),
    };
    for stmt in body {
        walk.visit_stmt(stmt);
    }
    for read in &mut facts.env_reads {
        let key = (read.span.line, read.span.column);
        if let Some(function) = walk.functions_at.get(&key) {
            read.function = function.clone();
        }
        if let Some(d) = walk.defaults.get(&key) {
            read.default = Some(d.clone());
            read.has_default = true;
        }
        read.tested |= walk.tested.contains(&key);
        read.bound_to = walk.bound.get(&key).cloned();
    }
    facts.config_checks.extend(import_checks(&facts.imports));
    facts.config_checks.extend(walk.checks);
    facts.settings_fields.extend(walk.settings);
    let replaced_later = |line: u32| {
        walk.debug_assigns
            .iter()
            .chain(&walk.star_imports)
            .any(|l| *l > line)
    };
    let mut calls = std::mem::take(&mut walk.calls);
    calls.sort();
    calls.dedup();
    facts.call_edges.extend(calls);
    facts.debug_flags.extend(walk.debug.into_iter().filter(|d| {
        !matches!(d.kind, DebugKind::DebugSetting | DebugKind::DebugDefaultOn)
            || !replaced_later(d.span.line)
    }));
}

fn import_checks(imports: &[ImportFact]) -> Vec<ConfigCheck> {
    imports
        .iter()
        .filter(|i| {
            let top = i.specifier.split('.').next().unwrap_or("");
            !i.specifier.starts_with('.')
                && (SETTINGS_MODULES.contains(&top)
                    || (top == "pydantic" && i.names.iter().any(|n| n == "BaseSettings")))
        })
        .map(|i| ConfigCheck {
            via: format!("import of `{}`", i.specifier),
            schema: true,
            required: Vec::new(),
            span: i.span,
        })
        .collect()
}

impl<'a> Visitor<'a> for ConfigWalk<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                let name = match self.classes.last() {
                    Some(c) => format!("{c}.{}", def.name),
                    None => def.name.to_string(),
                };
                // Decorators and defaults run where the function is defined.
                for d in &def.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.functions.push(name);
                for s in &def.body {
                    self.visit_stmt(s);
                }
                self.functions.pop();
            }
            Stmt::ClassDef(class) => {
                let settings = class
                    .arguments
                    .as_ref()
                    .is_some_and(|a| a.args.iter().any(is_settings_base));
                if settings && self.functions.is_empty() {
                    self.settings_class(class);
                    self.check(
                        format!("settings class `{}` (pydantic-settings)", class.name),
                        true,
                        class.range(),
                    );
                }
                self.classes.push(class.name.to_string());
                visitor::walk_stmt(self, stmt);
                self.classes.pop();
            }
            Stmt::If(if_stmt) if self.functions.is_empty() && is_main_guard(&if_stmt.test) => {
                self.main_guard += 1;
                visitor::walk_stmt(self, stmt);
                self.main_guard -= 1;
            }
            Stmt::If(if_stmt) => {
                self.if_stmt(&if_stmt.test, &if_stmt.body, if_stmt.range());
                for clause in &if_stmt.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.if_stmt(test, &clause.body, clause.range());
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::ImportFrom(from)
                if self.functions.is_empty()
                    && self.classes.is_empty()
                    && from.names.iter().any(|a| a.name.as_str() == "*") =>
            {
                let line = (self.span_of)(from.range()).line;
                self.star_imports.push(line);
            }
            Stmt::While(w) => {
                self.mark_tested(&w.test);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Assert(a) => {
                self.mark_tested(&a.test);
                let on_env = !env_reads_in(&a.test).is_empty() || self.tests_alias(&a.test);
                let named = matches!(&*a.test, Expr::Name(n) if has_upper_snake(n.id.as_str()) || n.id.as_str().chars().all(|c| c.is_ascii_uppercase() || c == '_'));
                let about_config = a
                    .msg
                    .as_deref()
                    .and_then(string_lit)
                    .is_some_and(|m| config_message(&m));
                if on_env || (self.at_module_load() && (named || about_config)) {
                    let via = format!("assert {}", self.text(a.test.range()));
                    self.check(via, false, a.range());
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Assign(a) => {
                let targets: Vec<&Expr> = a.targets.iter().collect();
                self.assign(&targets, &a.value, a.range());
                for t in &a.targets {
                    self.alias(t, &a.value);
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.assign(&[&a.target], value, a.range());
                    self.alias(&a.target, value);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Some(r) = env_read(expr) {
            let key = self.pos(r);
            let function = self.function();
            self.functions_at.insert(key, function);
            // `os.environ["X"]` while the program starts raises KeyError when X is unset.
            if matches!(expr, Expr::Subscript(_)) && self.at_startup() {
                let via = format!("{} raises at startup when unset", self.text(r));
                self.check(via, false, r);
            }
        }
        match expr {
            Expr::Lambda(_) => {
                self.functions.push("<lambda>".into());
                visitor::walk_expr(self, expr);
                self.functions.pop();
                return;
            }
            Expr::Call(call) => {
                self.call(call);
                // `bool(os.getenv("X"))`
                if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "bool") {
                    for a in &call.arguments.args {
                        self.mark_tested(a);
                    }
                }
            }
            Expr::If(e) => self.mark_tested(&e.test),
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.mark_tested(&u.operand),
            Expr::Compare(c) => {
                self.mark_tested(&c.left);
                for comparator in &c.comparators {
                    self.mark_tested(comparator);
                }
            }
            Expr::BoolOp(b) => match b.op {
                ast::BoolOp::And => {
                    if let Some((_, init)) = b.values.split_last() {
                        for v in init {
                            self.mark_tested(v);
                        }
                    }
                }
                ast::BoolOp::Or => {
                    if let Some((last, init)) = b.values.split_last()
                        && let Some(value) = literal(last, self.source)
                    {
                        for v in init {
                            if let Some(r) = env_read(v) {
                                let key = self.pos(r);
                                self.defaults.entry(key).or_insert_with(|| value.clone());
                            }
                        }
                    }
                }
            },
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze;
    use flightcheck_core::DebugKind;

    #[test]
    fn reads_know_their_function_fallback_and_tests() {
        let src = "import os\n\
                   SECRET = os.getenv('JWT_SECRET', 'secret')\n\
                   KEY = os.environ.get('API_KEY') or 'dev'\n\
                   def handle(update):\n    return os.getenv('OPENAI_KEY')\n\
                   class Config:\n    def __init__(self):\n        self.t = os.environ['TOKEN']\n\
                   if os.getenv('ADMIN'):\n    pass\n\
                   ON = os.getenv('FLAG', 'false') == 'true'\n";
        let f = analyze(src, &[]);
        type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, bool, bool);
        let got: Vec<Row> = f
            .env_reads
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.default.as_deref(),
                    r.function.as_deref(),
                    r.tested,
                    r.has_default,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("JWT_SECRET", Some("secret"), None, false, true),
                ("API_KEY", Some("dev"), None, false, true),
                ("OPENAI_KEY", None, Some("handle"), false, false),
                ("TOKEN", None, Some("Config.__init__"), false, false),
                ("ADMIN", None, None, true, false),
                ("FLAG", Some("false"), None, true, true),
            ]
        );
        // `os.environ['TOKEN']` in `__init__` raises when the config is built at startup.
        assert_eq!(f.config_checks.len(), 1, "{:?}", f.config_checks);
    }

    #[test]
    fn startup_checks_and_settings() {
        for src in [
            "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    token: str\n",
            "import os, sys\nTOKEN = os.getenv('BOT_TOKEN')\nif not TOKEN:\n    print('BOT_TOKEN is not set')\n    sys.exit(1)\n",
            "import os\nif not os.getenv('BOT_TOKEN'):\n    raise RuntimeError('x')\n",
            "import os\nassert os.getenv('BOT_TOKEN'), 'set it'\n",
            "import os\nTOKEN = os.environ['BOT_TOKEN']\n",
            "from environs import Env\nenv = Env()\n",
            "from os import getenv\ndef parse():\n    path = getenv('CONFIG_PATH')\n    if path is None:\n        raise ValueError('no file')\n",
        ] {
            assert!(!analyze(src, &[]).config_checks.is_empty(), "{src}");
        }
        for src in [
            "import os\ndef handler(m):\n    if not m.text:\n        raise ValueError('empty')\n",
            "import os\ndef handler(m):\n    return os.environ['KEY']\n",
            "class Guild:\n    def create_event(self, kind):\n        if kind in ('voice',):\n            raise TypeError('channel must be set for voice')\n",
            "import os, requests\ndef me():\n    r = requests.get(u, headers={'k': os.getenv('API_KEY')})\n    if not r.ok:\n        raise RuntimeError('HTTP error')\n",
            "from pydantic import BaseModel\n",
        ] {
            let f = analyze(src, &[]);
            assert!(f.config_checks.is_empty(), "{src}: {:?}", f.config_checks);
        }
        let f = analyze(
            "from pydantic_settings import BaseSettings, SettingsConfigDict\nfrom pydantic import Field\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n    secret_key: str = 'changeme'\n    token: str = Field('x', alias='BOT_TOKEN')\n    port: int = 8000\n    db: str\n",
            &[],
        );
        let fields: Vec<(&str, Option<&str>)> = f
            .settings_fields
            .iter()
            .map(|s| (s.env_name.as_str(), s.default.as_deref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("APP_SECRET_KEY", Some("changeme")),
                ("BOT_TOKEN", Some("x")),
                ("APP_PORT", Some("8000")),
                ("APP_DB", None)
            ]
        );
    }

    #[test]
    fn debug_switches() {
        let src = "from flask import Flask\nimport os, uvicorn\napp = Flask(__name__)\napp.config['DEBUG'] = True\nDEBUG = True\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=True)\n    uvicorn.run('m:app', reload=True)\napi = FastAPI(debug=True)\n";
        let f = analyze(src, &[]);
        let got: Vec<(DebugKind, u32, bool)> = f
            .debug_flags
            .iter()
            .map(|d| (d.kind, d.span.line, d.in_main_guard))
            .collect();
        assert_eq!(
            got,
            vec![
                (DebugKind::AppDebugAttr, 4, false),
                (DebugKind::DebugSetting, 5, false),
                (DebugKind::FlaskRun, 7, true),
                (DebugKind::ServerReload, 8, true),
                (DebugKind::AppConstructor, 9, false),
            ]
        );
        let d = analyze(
            "import os\nDEBUG = os.getenv('DEBUG', 'True') == 'True'\nDEBUG2 = os.getenv('DEBUG', 'False')\n",
            &[],
        );
        assert_eq!(d.debug_flags.len(), 1);
        assert_eq!(d.debug_flags[0].kind, DebugKind::DebugDefaultOn);
        let off = analyze("app.run(debug=False)\nDEBUG = False\n", &[]);
        assert!(off.debug_flags.is_empty());
        // A later assignment or a star import may switch it off again.
        for src in [
            "DEBUG = True\nif os.getenv('PRODUCTION'):\n    DEBUG = False\n",
            "DEBUG = True\ntry:\n    from .local_settings import *\nexcept ImportError:\n    pass\n",
        ] {
            assert!(analyze(src, &[]).debug_flags.is_empty(), "{src}");
        }
    }
}
