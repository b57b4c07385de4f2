//! Configuration facts of one JS/TS file: where env reads sit (module load or a function
//! that runs later), which fallbacks they have and whether they are tested, how the program
//! validates its configuration at startup, and debug switches turned on in code.

use crate::env_name;
use crate::fn_names::{FunctionNames, is_function_expr};
use flightcheck_core::{
    CallEdge, ConfigCheck, DebugFlag, DebugKind, FileFacts, ImportFact, Span, config_message,
};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::ScopeFlags;
use oxc_span::GetSpan;
use std::collections::{HashMap, HashSet};

/// Packages whose only job is to validate the environment at startup.
const ENV_VALIDATION_PACKAGES: [&str; 12] = [
    "envalid",
    "@t3-oss/env-core",
    "@t3-oss/env-nextjs",
    "@t3-oss/env-nuxt",
    "env-var",
    "convict",
    "dotenv-safe",
    "znv",
    "env-schema",
    "envsafe",
    "ts-dotenv",
    "@sniptt/guards-env",
];

/// What the walk learned about one env read, keyed by the read's position.
#[derive(Debug, Default, Clone)]
struct ReadInfo {
    function: Option<String>,
    default: Option<String>,
}

pub(crate) struct ConfigWalk<'s, F: Fn(u32, u32) -> Span> {
    source: &'s str,
    span_of: &'s F,
    names: FunctionNames,
    /// The next function visited is immediately invoked.
    next_iife: bool,
    reads: HashMap<(u32, u32), ReadInfo>,
    tested: HashSet<(u32, u32)>,
    defaults: HashMap<(u32, u32), String>,
    checks: Vec<ConfigCheck>,
    debug: Vec<DebugFlag>,
    /// Names bound to env reads (`const token = process.env.BOT_TOKEN`,
    /// `{ token: process.env.BOT_TOKEN }`): testing the name tests the read.
    aliases: HashMap<String, Vec<(u32, u32)>>,
    /// The name each read is bound to.
    bound: HashMap<(u32, u32), String>,
    calls: Vec<CallEdge>,
}

/// Fills the configuration facts of `program` into `facts` (env reads are already there).
pub(crate) fn extract<'a, F: Fn(u32, u32) -> Span>(
    program: &Program<'a>,
    source: &str,
    span_of: &F,
    facts: &mut FileFacts,
) {
    let mut walk = ConfigWalk {
        source,
        span_of,
        names: FunctionNames::default(),
        next_iife: false,
        reads: HashMap::new(),
        tested: HashSet::new(),
        defaults: HashMap::new(),
        checks: Vec::new(),
        debug: Vec::new(),
        aliases: HashMap::new(),
        bound: HashMap::new(),
        calls: Vec::new(),
    };
    walk.visit_program(program);
    for read in &mut facts.env_reads {
        let key = (read.span.line, read.span.column);
        if let Some(info) = walk.reads.get(&key) {
            read.function = info.function.clone();
            if read.default.is_none() {
                read.default = info.default.clone();
            }
        }
        if let Some(d) = walk.defaults.get(&key) {
            read.default = Some(d.clone());
            read.has_default = true;
        }
        if walk.tested.contains(&key) {
            read.tested = true;
        }
        read.bound_to = walk.bound.get(&key).cloned();
    }
    facts.config_checks.extend(import_checks(&facts.imports));
    facts.config_checks.extend(walk.checks);
    facts.debug_flags.extend(walk.debug);
    let mut calls = walk.calls;
    calls.sort();
    calls.dedup();
    facts.call_edges.extend(calls);
}

fn import_checks(imports: &[ImportFact]) -> Vec<ConfigCheck> {
    imports
        .iter()
        .filter(|i| {
            let pkg = flightcheck_core::package_name(&i.specifier).unwrap_or("");
            ENV_VALIDATION_PACKAGES.contains(&pkg)
        })
        .map(|i| ConfigCheck {
            via: format!("import of `{}`", i.specifier),
            schema: true,
            required: Vec::new(),
            span: i.span,
        })
        .collect()
}

/// A literal fallback value as written: strings unquoted, numbers and booleans as text.
fn literal(e: &Expression) -> Option<String> {
    match e.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.to_string())
        }
        Expression::NumericLiteral(n) => Some(
            n.raw
                .as_ref()
                .map_or_else(|| n.value.to_string(), |r| r.as_str().to_string()),
        ),
        Expression::BooleanLiteral(b) => Some(b.value.to_string()),
        _ => None,
    }
}

/// Operands of a `a || b ?? c` chain, left to right.
fn fallback_chain<'b, 'a>(e: &'b Expression<'a>, out: &mut Vec<&'b Expression<'a>>) {
    match e.without_parentheses() {
        Expression::LogicalExpression(l)
            if matches!(l.operator, LogicalOperator::Or | LogicalOperator::Coalesce) =>
        {
            fallback_chain(&l.left, out);
            fallback_chain(&l.right, out);
        }
        other => out.push(other),
    }
}

/// Env reads that are the value of `e` itself, not an input to something else:
/// `process.env.X`, `process.env.X || 'd'`, `Number(process.env.X)`,
/// `process.env.X.split(',')`, `process.env.X?.trim()` (but not
/// `fetch(url, { headers: { key: process.env.X } })`).
fn value_reads(e: &Expression, out: &mut Vec<oxc_span::Span>) {
    let e = e.without_parentheses();
    if env_name(e).is_some() {
        out.push(e.span());
        return;
    }
    match e {
        Expression::LogicalExpression(l)
            if matches!(l.operator, LogicalOperator::Or | LogicalOperator::Coalesce) =>
        {
            value_reads(&l.left, out);
            value_reads(&l.right, out);
        }
        Expression::TSAsExpression(a) => value_reads(&a.expression, out),
        Expression::TSNonNullExpression(a) => value_reads(&a.expression, out),
        Expression::ChainExpression(c) => {
            if let ChainElement::CallExpression(call) = &c.expression
                && let Expression::StaticMemberExpression(m) = &call.callee
            {
                value_reads(&m.object, out);
            }
        }
        Expression::CallExpression(call) => match call.callee.without_parentheses() {
            Expression::Identifier(id)
                if matches!(
                    id.name.as_str(),
                    "Number" | "parseInt" | "parseFloat" | "String" | "Boolean" | "BigInt"
                ) =>
            {
                if let Some(arg) = call.arguments.first().and_then(|a| a.as_expression()) {
                    value_reads(arg, out);
                }
            }
            // `process.env.X.split(',')`, `.trim()`, `.toLowerCase()`.
            Expression::StaticMemberExpression(m) => value_reads(&m.object, out),
            _ => {}
        },
        _ => {}
    }
}

/// Env reads inside an expression (not inside nested functions), and whether the
/// expression mentions `process.env` at all (`process.env[key]`).
#[derive(Default)]
struct EnvRefs {
    reads: Vec<oxc_span::Span>,
    whole_env: bool,
    /// Identifiers and member names it mentions (`token`, `config.token` → `token`).
    names: Vec<String>,
}

impl<'a> Visit<'a> for EnvRefs {
    fn visit_expression(&mut self, it: &Expression<'a>) {
        if env_name(it).is_some() {
            self.reads.push(it.span());
        }
        if it.is_specific_member_access("process", "env") {
            self.whole_env = true;
        }
        match it {
            Expression::Identifier(id) => self.names.push(id.name.to_string()),
            Expression::StaticMemberExpression(m) => self.names.push(m.property.name.to_string()),
            _ => {}
        }
        walk::walk_expression(self, it);
    }
    fn visit_function(&mut self, _: &Function<'a>, _: ScopeFlags) {}
    fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}
}

fn env_refs(e: &Expression) -> EnvRefs {
    let mut refs = EnvRefs::default();
    refs.visit_expression(e);
    refs
}

/// What a statement does to stop the program (not looking into nested functions): a
/// `throw`, `process.exit(...)`, and the string literals around it.
#[derive(Default)]
struct Stops {
    stops: bool,
    strings: Vec<String>,
}

impl<'a> Visit<'a> for Stops {
    fn visit_throw_statement(&mut self, it: &ThrowStatement<'a>) {
        self.stops = true;
        walk::walk_throw_statement(self, it);
    }
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_member_access("process", "exit") {
            self.stops = true;
        }
        walk::walk_call_expression(self, it);
    }
    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.strings.push(it.value.to_string());
    }
    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        for q in &it.quasis {
            self.strings.push(q.value.raw.to_string());
        }
        walk::walk_template_literal(self, it);
    }
    fn visit_function(&mut self, _: &Function<'a>, _: ScopeFlags) {}
    fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}
}

impl<'s, F: Fn(u32, u32) -> Span> ConfigWalk<'s, F> {
    fn pos(&self, span: oxc_span::Span) -> (u32, u32) {
        let s = (self.span_of)(span.start, span.end);
        (s.line, s.column)
    }

    fn span(&self, span: oxc_span::Span) -> Span {
        (self.span_of)(span.start, span.end)
    }

    fn text(&self, span: oxc_span::Span) -> String {
        let raw = self
            .source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        flightcheck_core::text::truncate(&one_line, 80)
    }

    /// The innermost named function, if any.
    fn function(&self) -> Option<String> {
        self.names.current()
    }

    /// At module level (or in an immediately invoked function), or directly in `main`.
    fn at_module_load(&self) -> bool {
        self.function().is_none_or(|f| {
            matches!(
                f.rsplit('.').next().unwrap_or(&f),
                "main" | "start" | "bootstrap" | "startup" | "init"
            )
        })
    }

    fn mark_tested(&mut self, e: &Expression) {
        let refs = env_refs(e);
        for s in refs.reads {
            let key = self.pos(s);
            self.tested.insert(key);
        }
        for name in refs.names {
            if let Some(keys) = self.aliases.get(&name) {
                self.tested.extend(keys.iter().copied());
            }
        }
    }

    fn alias(&mut self, name: &str, value: &Expression) {
        let mut reads = Vec::new();
        value_reads(value, &mut reads);
        if reads.is_empty() {
            return;
        }
        let keys: Vec<(u32, u32)> = reads.into_iter().map(|s| self.pos(s)).collect();
        for key in &keys {
            self.bound.entry(*key).or_insert_with(|| name.to_string());
        }
        self.aliases
            .entry(name.to_string())
            .or_default()
            .extend(keys);
    }

    fn call_edge(&mut self, callee: &Expression) {
        let to = match callee.without_parentheses() {
            Expression::Identifier(id) => id.name.to_string(),
            Expression::StaticMemberExpression(m) => m.property.name.to_string(),
            _ => return,
        };
        let from = self.function();
        self.calls.push(CallEdge { from, to });
    }

    fn enter_function(&mut self, own_name: Option<String>) {
        let iife = std::mem::take(&mut self.next_iife);
        self.names.enter(own_name, iife);
    }

    fn callee_text(&self, callee: &Expression) -> String {
        let text = self.text(callee.span());
        flightcheck_core::text::truncate(&text, 40)
    }

    fn check_call(&mut self, it: &CallExpression) {
        let (object, name) = match it.callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => (
                Some(self.text(m.object.span())),
                m.property.name.to_string(),
            ),
            Expression::Identifier(id) => (None, id.name.to_string()),
            _ => return,
        };
        let args: Vec<&Expression> = it
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect();
        // express `app.set('env', 'development')`.
        if name == "set"
            && let [key, value] = args[..]
            && literal(key).as_deref() == Some("env")
            && literal(value).is_some_and(|v| v.eq_ignore_ascii_case("development"))
        {
            self.debug.push(DebugFlag {
                kind: DebugKind::ExpressEnv,
                via: self.text(it.span),
                in_main_guard: false,
                function: self.function(),
                span: self.span(it.span),
            });
        }
        let refs: Vec<EnvRefs> = args.iter().map(|a| env_refs(a)).collect();
        let mentions_env = refs.iter().any(|r| !r.reads.is_empty() || r.whole_env);
        if !mentions_env {
            return;
        }
        // `assert(process.env.X)`, `assert.ok(...)`, `invariant(process.env.X, '...')`.
        let asserting = matches!(name.as_str(), "assert" | "invariant" | "ok")
            && (object.is_none() || object.as_deref() == Some("assert"))
            || object.as_deref() == Some("assert");
        // `cleanEnv(process.env, {...})`, `schema.parse(process.env)`,
        // `z.object({...}).parse({ TOKEN: process.env.TOKEN })`.
        let not_a_schema = matches!(
            object.as_deref(),
            Some(
                "JSON"
                    | "url"
                    | "path"
                    | "Date"
                    | "qs"
                    | "querystring"
                    | "URL"
                    | "yaml"
                    | "YAML"
                    | "toml"
                    | "dotenv"
                    | "Number"
                    | "BigInt"
                    | "Math"
                    | "console"
            )
        );
        let lower = name.to_ascii_lowercase();
        let validating = !not_a_schema
            && (matches!(
                lower.as_str(),
                "parse"
                    | "safeparse"
                    | "parseasync"
                    | "safeparseasync"
                    | "validate"
                    | "validatesync"
                    | "validateasync"
                    | "cleanenv"
                    | "createenv"
                    | "attempt"
                    | "decode"
                    | "check"
            ) || lower.contains("validat")
                || lower.contains("schema"));
        if asserting || validating {
            // The schema's object literal: an argument (`cleanEnv(env, { … })`) or the
            // call the method hangs off (`z.object({ … }).parse(process.env)`).
            let mut objects: Vec<&ObjectExpression> = args
                .iter()
                .filter_map(|a| match a.without_parentheses() {
                    Expression::ObjectExpression(o) => Some(&**o),
                    _ => None,
                })
                .collect();
            if let Expression::StaticMemberExpression(m) = it.callee.without_parentheses()
                && let Expression::CallExpression(inner) = m.object.without_parentheses()
            {
                objects.extend(inner.arguments.iter().filter_map(|a| {
                    match a.as_expression().map(|e| e.without_parentheses()) {
                        Some(Expression::ObjectExpression(o)) => Some(&**o),
                        _ => None,
                    }
                }));
            }
            let required = if validating {
                objects
                    .iter()
                    .flat_map(|o| o.properties.iter())
                    .filter_map(|p| match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let key = p.key.static_name()?;
                            let value = self
                                .source
                                .get(p.value.span().start as usize..p.value.span().end as usize)
                                .unwrap_or("");
                            let optional = ["default", "optional", "nullable", "nullish"]
                                .iter()
                                .any(|w| value.contains(w));
                            (!optional).then(|| key.to_string())
                        }
                        _ => None,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            self.checks.push(ConfigCheck {
                via: self.text(it.span),
                schema: validating,
                required,
                span: self.span(it.span),
            });
        }
    }
}

impl<'a, F: Fn(u32, u32) -> Span> Visit<'a> for ConfigWalk<'_, F> {
    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        self.enter_function(it.id.as_ref().map(|id| id.name.to_string()));
        walk::walk_function(self, it, flags);
        self.names.leave();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.enter_function(None);
        walk::walk_arrow_function_expression(self, it);
        self.names.leave();
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        self.names.enter_class(it);
        walk::walk_class(self, it);
        self.names.leave_class();
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.names.name_method(it);
        walk::walk_method_definition(self, it);
        self.names.pending = None;
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        self.names.name_class_field(it);
        walk::walk_property_definition(self, it);
        self.names.pending = None;
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if !self.names.name_object_value(it)
            && let Some(name) = it.key.static_name()
        {
            self.alias(&name, &it.value);
        }
        walk::walk_object_property(self, it);
        self.names.pending = None;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            if let BindingPattern::BindingIdentifier(id) = &it.id {
                if is_function_expr(init) {
                    self.names.pending = Some(id.name.to_string());
                } else {
                    self.alias(id.name.as_str(), init);
                }
            }
            // `const { A = 'x' } = process.env`
            if let BindingPattern::ObjectPattern(pattern) = &it.id
                && init.is_specific_member_access("process", "env")
            {
                let function = self.function();
                for prop in &pattern.properties {
                    let default = match &prop.value {
                        BindingPattern::AssignmentPattern(a) => literal(&a.right),
                        _ => None,
                    };
                    let key = self.pos(prop.span);
                    self.reads.insert(
                        key,
                        ReadInfo {
                            function: function.clone(),
                            default,
                        },
                    );
                }
            }
        }
        walk::walk_variable_declarator(self, it);
        self.names.pending = None;
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        if env_name(it).is_some() {
            let key = self.pos(it.span());
            let function = self.function();
            self.reads.entry(key).or_default().function = function;
        }
        walk::walk_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.call_edge(&it.callee);
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.check_call(it);
        self.call_edge(&it.callee);
        if is_function_expr(&it.callee) {
            self.next_iife = true;
        }
        self.visit_expression(&it.callee);
        self.next_iife = false;
        let callee = self.callee_text(&it.callee);
        for arg in &it.arguments {
            if arg.as_expression().is_some_and(is_function_expr) {
                self.names.pending = Some(format!("callback of {callee}"));
            }
            self.visit_argument(arg);
            self.names.pending = None;
        }
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        self.mark_tested(&it.test);
        let mut stops = Stops::default();
        stops.visit_statement(&it.consequent);
        if stops.stops {
            let refs = env_refs(&it.test);
            let on_env = !refs.reads.is_empty()
                || refs.whole_env
                || refs.names.iter().any(|n| self.aliases.contains_key(n));
            let negative = matches!(
                it.test.without_parentheses(),
                Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot
            ) || matches!(
                it.test.without_parentheses(),
                Expression::LogicalExpression(_) | Expression::BinaryExpression(_)
            );
            let about_config = stops.strings.iter().any(|s| config_message(s));
            if on_env || (negative && about_config && self.at_module_load()) {
                let test = self.text(it.test.span());
                self.checks.push(ConfigCheck {
                    via: format!("if ({test}) … stops the program"),
                    schema: false,
                    required: Vec::new(),
                    span: self.span(it.span),
                });
            }
        }
        walk::walk_if_statement(self, it);
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        self.mark_tested(&it.test);
        walk::walk_conditional_expression(self, it);
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        match it.operator {
            LogicalOperator::And => self.mark_tested(&it.left),
            LogicalOperator::Or | LogicalOperator::Coalesce => {
                let mut chain = Vec::new();
                fallback_chain(&it.left, &mut chain);
                fallback_chain(&it.right, &mut chain);
                if let Some((last, rest)) = chain.split_last()
                    && let Some(value) = literal(last)
                {
                    for e in rest {
                        if env_name(e).is_some() {
                            let key = self.pos(e.span());
                            self.defaults.entry(key).or_insert_with(|| value.clone());
                        }
                    }
                }
            }
        }
        walk::walk_logical_expression(self, it);
    }

    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        if matches!(
            it.operator,
            UnaryOperator::LogicalNot | UnaryOperator::Typeof
        ) {
            self.mark_tested(&it.argument);
        }
        walk::walk_unary_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator.is_equality() {
            self.mark_tested(&it.left);
            self.mark_tested(&it.right);
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if is_function_expr(&it.right) {
            // `module.exports = async (client) => { … }`
            self.names.pending = Some(self.text(it.left.span()));
        } else {
            match &it.left {
                AssignmentTarget::AssignmentTargetIdentifier(id) => {
                    self.alias(id.name.as_str(), &it.right)
                }
                AssignmentTarget::StaticMemberExpression(m) => {
                    self.alias(m.property.name.as_str(), &it.right)
                }
                _ => {}
            }
        }
        // `process.env.NODE_ENV = 'development'`
        if let AssignmentTarget::StaticMemberExpression(m) = &it.left
            && m.property.name == "NODE_ENV"
            && m.object.is_specific_member_access("process", "env")
            && literal(&it.right).is_some_and(|v| v.eq_ignore_ascii_case("development"))
        {
            self.debug.push(DebugFlag {
                kind: DebugKind::NodeEnvAssignment,
                via: self.text(it.span),
                in_main_guard: false,
                function: self.function(),
                span: self.span(it.span),
            });
        }
        walk::walk_assignment_expression(self, it);
        self.names.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze;

    #[test]
    fn reads_know_their_function_fallback_and_tests() {
        let src = "const a = process.env.JWT_SECRET || 'secret';\n\
                   const b = process.env.A ?? process.env.B ?? 'dev';\n\
                   function handle(ctx) { return process.env.OPENAI_KEY; }\n\
                   bot.on('text', async (ctx) => { if (process.env.ADMIN) ctx.reply(process.env.GREETING); });\n\
                   (async () => { const t = process.env.BOT_TOKEN; })();\n\
                   class Cfg { constructor() { this.k = process.env.K; } }\n\
                   const { PORT = 3000, MODE } = process.env;\n\
                   const on = process.env.FLAG === 'true';\n";
        let f = analyze("x.js", src, &[]);
        let got: Vec<(&str, Option<&str>, Option<&str>, bool)> = f
            .env_reads
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.default.as_deref(),
                    r.function.as_deref(),
                    r.tested,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("JWT_SECRET", Some("secret"), None, false),
                ("A", Some("dev"), None, false),
                ("B", Some("dev"), None, false),
                ("OPENAI_KEY", None, Some("handle"), false),
                ("ADMIN", None, Some("callback of bot.on"), true),
                ("GREETING", None, Some("callback of bot.on"), false),
                ("BOT_TOKEN", None, None, false),
                ("K", None, Some("Cfg.constructor"), false),
                ("PORT", Some("3000"), None, false),
                ("MODE", None, None, false),
                ("FLAG", None, None, true),
            ]
        );
        assert!(f.config_checks.is_empty(), "{:?}", f.config_checks);
    }

    #[test]
    fn startup_checks_are_recognised() {
        for src in [
            "import { cleanEnv, str } from 'envalid';\nexport const env = cleanEnv(process.env, { BOT_TOKEN: str() });\n",
            "if (!process.env.BOT_TOKEN) throw new Error('no token');\n",
            "const token = process.env.BOT_TOKEN;\nif (!token) {\n  console.error('BOT_TOKEN is missing');\n  process.exit(1);\n}\n",
            "const env = schema.parse(process.env);\n",
            "const env = z.object({ A: z.string() }).parse({ A: process.env.A });\n",
            "for (const k of ['A', 'B']) { if (!process.env[k]) throw new Error(`${k} missing`); }\n",
            "assert(process.env.DATABASE_URL, 'DATABASE_URL');\n",
            "function load() {\n  const cfg = { token: process.env.BOT_TOKEN };\n  if (!cfg.token) throw new Error('x');\n  return cfg;\n}\n",
            "function main() {\n  const port = Number(process.env.PORT);\n  if (!port) throw new Error('bad');\n}\n",
        ] {
            let f = analyze("x.ts", src, &[]);
            assert!(!f.config_checks.is_empty(), "{src}");
        }
        for src in [
            "const data = JSON.parse(process.env.DATA);\n",
            "bot.on('text', (ctx) => { if (!ctx.message) throw new Error('no message'); });\n",
            "if (!user) throw new Error('not found');\n",
            "async function me() {\n  const response = await fetch(u, { headers: { key: process.env.API_KEY } });\n  if (!response.ok) throw new Error('HTTP error');\n}\n",
            "class Guild {\n  createEvent(kind) {\n    if (kind === 'voice') throw new Error('channel must be set for voice');\n  }\n}\n",
        ] {
            let f = analyze("x.ts", src, &[]);
            assert!(f.config_checks.is_empty(), "{src}: {:?}", f.config_checks);
        }
    }

    #[test]
    fn names_of_exported_functions_and_startup_calls() {
        let f = analyze(
            "x.js",
            "module.exports = async (client) => process.env.GIPHY_TOKEN;\nconst t = tracker();\nnew Server();\nbot.on('x', () => later());\n",
            &[],
        );
        assert_eq!(f.env_reads[0].function.as_deref(), Some("module.exports"));
        let calls: Vec<(Option<&str>, &str)> = f
            .call_edges
            .iter()
            .map(|c| (c.from.as_deref(), c.to.as_str()))
            .collect();
        assert_eq!(
            calls,
            vec![
                (None, "Server"),
                (None, "on"),
                (None, "tracker"),
                (Some("callback of bot.on"), "later")
            ]
        );
    }

    #[test]
    fn debug_switches() {
        let f = analyze(
            "app.js",
            "const app = express();\napp.set('env', 'development');\nprocess.env.NODE_ENV = 'development';\napp.set('views', 'x');\n",
            &[],
        );
        let kinds: Vec<_> = f
            .debug_flags
            .iter()
            .map(|d| (d.kind, d.span.line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (flightcheck_core::DebugKind::ExpressEnv, 2),
                (flightcheck_core::DebugKind::NodeEnvAssignment, 3)
            ]
        );
    }
}
