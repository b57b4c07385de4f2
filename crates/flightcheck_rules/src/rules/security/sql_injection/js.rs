//! The JavaScript/TypeScript half of `security/sql-injection`: a query call whose SQL is a
//! template literal or a `+` concatenation, with the interpolated values traced through
//! their declarations (oxc's semantic model).

use super::{META, Taint, identifier_like, message};
use flightcheck_core::Severity;
use flightcheck_js::{JsFileRule, JsRuleContext};
use oxc_ast::AstKind;
use oxc_ast::AstType;
use oxc_ast::ast::{
    Argument, AssignmentOperator, AssignmentTarget, BinaryOperator, BindingPattern, CallExpression,
    Expression, TemplateLiteral,
};
use oxc_semantic::{AstNode, Semantic};
use oxc_span::GetSpan;

pub(super) struct SqlInjectionJs;

const MAX_DEPTH: u8 = 6;

impl JsFileRule for SqlInjectionJs {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression]
    }

    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
        let AstKind::CallExpression(call) = node.kind() else {
            return;
        };
        let Some(sink) = sink_name(call) else {
            return;
        };
        let Some(sql) = call.arguments.first().and_then(Argument::as_expression) else {
            return;
        };
        let tracer = Tracer {
            semantic: ctx.semantic,
            source: ctx.source,
        };
        let Some((how, taint)) = tracer.built_sql(sql, 0) else {
            return;
        };
        let (severity, text) = match &taint {
            Taint::Request(what) => (None, message(&how, what, &sink, true)),
            Taint::Param(what) => (Some(Severity::Medium), message(&how, what, &sink, false)),
            Taint::Safe | Taint::Unknown => return,
        };
        ctx.report(META.id, call.span, text, severity);
    }
}

/// The query call as written (`pool.query`, `prisma.$queryRawUnsafe`), when it is one.
fn sink_name(call: &CallExpression) -> Option<String> {
    let member = call.callee.as_member_expression()?;
    let method = member.static_property_name()?;
    let is_sink = matches!(
        method,
        "query"
            | "execute"
            | "raw"
            | "$queryRawUnsafe"
            | "$executeRawUnsafe"
            | "unsafe"
            | "run"
            | "all"
            | "get"
            | "exec"
            | "prepare"
            | "each"
            | "whereRaw"
            | "orderByRaw"
            | "havingRaw"
            | "joinRaw"
            | "literal"
    );
    if !is_sink {
        return None;
    }
    let receiver = match member.object() {
        Expression::Identifier(i) => i.name.as_str().to_string(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str().to_string(),
        Expression::ThisExpression(_) => "this".to_string(),
        _ => "…".to_string(),
    };
    Some(format!("{receiver}.{method}"))
}

pub(in crate::rules::security) struct Tracer<'s, 'a> {
    pub semantic: &'s Semantic<'a>,
    pub source: &'a str,
}

impl<'a> Tracer<'_, 'a> {
    fn text(&self, span: oxc_span::Span) -> &'a str {
        self.source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// When `sql` is SQL text built by interpolation: how, and the worst value in it.
    fn built_sql(&self, sql: &Expression<'a>, depth: u8) -> Option<(String, Taint)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match sql.get_inner_expression() {
            Expression::TemplateLiteral(t) => {
                if t.expressions.is_empty() || !super::looks_like_sql_parts(&template_static(t)) {
                    return None;
                }
                let taint = t
                    .expressions
                    .iter()
                    .fold(Taint::Safe, |acc, e| acc.worst(self.value(e, depth + 1)));
                Some(("a template literal".to_string(), taint))
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let mut parts = Vec::new();
                flatten_add(sql.get_inner_expression(), &mut parts);
                let statics: String = parts
                    .iter()
                    .map(|p| match p {
                        Expression::StringLiteral(s) => s.value.as_str().to_string(),
                        Expression::TemplateLiteral(t) => template_static(t),
                        _ => " x ".to_string(),
                    })
                    .collect();
                if !super::looks_like_sql_parts(&statics) {
                    return None;
                }
                let taint = parts
                    .iter()
                    .filter(|p| !matches!(p, Expression::StringLiteral(_)))
                    .fold(Taint::Safe, |acc, e| acc.worst(self.value(e, depth + 1)));
                Some(("string concatenation".to_string(), taint))
            }
            Expression::Identifier(id) => {
                let init = self.declared_init(id)?;
                self.built_sql(init, depth + 1)
            }
            _ => None,
        }
    }

    /// The initializer of the variable `id` refers to, when it is a `const`/`let` never
    /// reassigned.
    pub(in crate::rules::security) fn declared_init(
        &self,
        id: &oxc_ast::ast::IdentifierReference<'a>,
    ) -> Option<&'a Expression<'a>> {
        let symbol = self.symbol(id)?;
        let scoping = self.semantic.scoping();
        if scoping.symbol_is_mutated(symbol) {
            return None;
        }
        match self.semantic.symbol_declaration(symbol).kind() {
            AstKind::VariableDeclarator(d) => d.init.as_ref(),
            _ => None,
        }
    }

    /// The right-hand sides of every write to `symbol`, when each is a plain `x = value`
    /// (`None` for `x += …`, `x++`, destructuring and other writes the tracer cannot read).
    fn assigned_values(&self, symbol: oxc_semantic::SymbolId) -> Option<Vec<&'a Expression<'a>>> {
        let nodes = self.semantic.nodes();
        let mut out = Vec::new();
        for r in self.semantic.scoping().get_resolved_references(symbol) {
            if !r.is_write() {
                continue;
            }
            let AstKind::AssignmentExpression(a) = nodes.parent_kind(r.node_id()) else {
                return None;
            };
            if a.operator != AssignmentOperator::Assign
                || !matches!(a.left, AssignmentTarget::AssignmentTargetIdentifier(_))
            {
                return None;
            }
            out.push(&a.right);
        }
        Some(out)
    }

    fn symbol(&self, id: &oxc_ast::ast::IdentifierReference<'a>) -> Option<oxc_semantic::SymbolId> {
        let reference = id.reference_id.get()?;
        self.semantic.scoping().get_reference(reference).symbol_id()
    }

    /// Where an interpolated value comes from.
    pub(in crate::rules::security) fn value(&self, e: &Expression<'a>, depth: u8) -> Taint {
        if depth > MAX_DEPTH {
            return Taint::Unknown;
        }
        let e = e.get_inner_expression();
        if let Some(what) = request_data(e, self.source) {
            return Taint::Request(what);
        }
        match e {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_) => Taint::Safe,
            Expression::Identifier(id) => self.identifier(id, depth),
            Expression::CallExpression(c) => {
                let callee = self.text(c.callee.span());
                if matches!(
                    callee,
                    "Number" | "parseInt" | "parseFloat" | "Math.floor" | "Math.round" | "Boolean"
                ) || callee.ends_with(".escape")
                    || callee.ends_with(".escapeId")
                    || callee.ends_with("format")
                {
                    return Taint::Safe;
                }
                if let Some(member) = c.callee.as_member_expression() {
                    match member.static_property_name() {
                        // `ids.map(() => '?').join(',')`: placeholders.
                        Some("join") => return self.value(member.object(), depth + 1),
                        Some("map") => {
                            return match c.arguments.first() {
                                Some(Argument::ArrowFunctionExpression(f)) => {
                                    match f.body.as_expression() {
                                        Some(body) => self.value(body, depth + 1),
                                        None => Taint::Unknown,
                                    }
                                }
                                _ => Taint::Unknown,
                            };
                        }
                        Some(
                            "trim" | "toLowerCase" | "toUpperCase" | "split" | "replace"
                            | "toString" | "slice" | "substring",
                        ) => return self.value(member.object(), depth + 1),
                        _ => {}
                    }
                }
                Taint::Unknown
            }
            Expression::TemplateLiteral(t) => t
                .expressions
                .iter()
                .fold(Taint::Safe, |acc, x| acc.worst(self.value(x, depth + 1))),
            Expression::BinaryExpression(b) => self
                .value(&b.left, depth + 1)
                .worst(self.value(&b.right, depth + 1)),
            Expression::ConditionalExpression(c) => self
                .value(&c.consequent, depth + 1)
                .worst(self.value(&c.alternate, depth + 1)),
            Expression::LogicalExpression(l) => self
                .value(&l.left, depth + 1)
                .worst(self.value(&l.right, depth + 1)),
            Expression::ComputedMemberExpression(m) => {
                // `COLUMNS[key]`, `{ a: 'x' }[key]`: a lookup in a literal map.
                match m.object.get_inner_expression() {
                    Expression::ObjectExpression(_) => Taint::Safe,
                    Expression::Identifier(i) if is_constant_name(i.name.as_str()) => Taint::Safe,
                    Expression::Identifier(i) => match self.declared_init(i) {
                        Some(Expression::ObjectExpression(_)) => Taint::Safe,
                        _ => self.value(&m.object, depth + 1),
                    },
                    other => self.value(other, depth + 1),
                }
            }
            Expression::StaticMemberExpression(m) => {
                if is_constant_name(m.property.name.as_str())
                    || matches!(m.object, Expression::ThisExpression(_))
                {
                    return Taint::Unknown;
                }
                self.value(&m.object, depth + 1)
            }
            Expression::AwaitExpression(a) => self.value(&a.argument, depth + 1),
            _ => Taint::Unknown,
        }
    }

    fn identifier(&self, id: &oxc_ast::ast::IdentifierReference<'a>, depth: u8) -> Taint {
        let name = id.name.as_str();
        if is_constant_name(name) {
            return Taint::Safe;
        }
        let Some(symbol) = self.symbol(id) else {
            return Taint::Unknown;
        };
        let decl = self.semantic.symbol_declaration(symbol);
        match decl.kind() {
            AstKind::VariableDeclarator(d) => {
                if self.semantic.scoping().symbol_is_mutated(symbol) {
                    // `let data; if (req.body.type) data = req.body; else data = req.query;`:
                    // the declared value and every plain reassignment, worst first.
                    let Some(values) = self.assigned_values(symbol) else {
                        return Taint::Unknown;
                    };
                    let BindingPattern::BindingIdentifier(_) = &d.id else {
                        return Taint::Unknown;
                    };
                    return d.init.iter().chain(values).fold(Taint::Safe, |acc, v| {
                        acc.worst(match self.value(v, depth + 1) {
                            Taint::Request(what) => {
                                Taint::Request(format!("`{name}`, assigned {what}"))
                            }
                            other => other,
                        })
                    });
                }
                match (&d.init, &d.id) {
                    (Some(init), BindingPattern::BindingIdentifier(_)) => {
                        self.value(init, depth + 1)
                    }
                    // `const { id } = req.params`: the part comes from the whole.
                    (Some(init), _) => match self.value(init, depth + 1) {
                        Taint::Request(what) => Taint::Request(format!("`{name}` from {what}")),
                        other => other,
                    },
                    _ => Taint::Unknown,
                }
            }
            AstKind::FormalParameter(p) => {
                if identifier_like(name) || typed_numeric(self.text(p.span)) {
                    return Taint::Unknown;
                }
                // A callback's parameter (`rows.map((r) => ...)`) is some element of
                // something: not a value a caller hands in.
                let nodes = self.semantic.nodes();
                let callback = nodes
                    .ancestors(decl.id())
                    .find(|n| {
                        matches!(
                            n.kind(),
                            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
                        )
                    })
                    .is_some_and(|f| {
                        matches!(nodes.parent_kind(f.id()), AstKind::CallExpression(_))
                    });
                if callback {
                    return Taint::Unknown;
                }
                let function = nodes.ancestors(decl.id()).find_map(|n| match n.kind() {
                    AstKind::Function(f) => f.id.as_ref().map(|i| i.name.as_str().to_string()),
                    AstKind::MethodDefinition(m) => m.key.static_name().map(|s| s.to_string()),
                    AstKind::VariableDeclarator(v) => match &v.id {
                        BindingPattern::BindingIdentifier(b) => Some(b.name.as_str().to_string()),
                        _ => None,
                    },
                    _ => None,
                });
                match function {
                    Some(f) => Taint::Param(format!("`{name}`, a parameter of `{f}`")),
                    None => Taint::Param(format!("`{name}`, a function parameter")),
                }
            }
            _ => Taint::Unknown,
        }
    }
}

/// `(id: number)`: a typed number cannot carry SQL.
fn typed_numeric(param: &str) -> bool {
    param
        .split_once(':')
        .is_some_and(|(_, t)| matches!(t.trim(), "number" | "bigint" | "boolean"))
}

/// Request or chat-message data read directly: `req.body.name`, `req.query`, `ctx.params`,
/// `ctx.message.text`, `ctx.callbackQuery.data`, `msg.text`, `message.content`.
fn request_data(e: &Expression, source: &str) -> Option<String> {
    let mut chain: Vec<&str> = Vec::new();
    let mut cur = e;
    loop {
        match cur {
            Expression::StaticMemberExpression(m) => {
                chain.push(m.property.name.as_str());
                cur = &m.object;
            }
            Expression::ComputedMemberExpression(m) => cur = &m.object,
            Expression::CallExpression(c) => cur = &c.callee,
            Expression::ParenthesizedExpression(p) => cur = &p.expression,
            Expression::TSAsExpression(a) => cur = &a.expression,
            Expression::TSNonNullExpression(a) => cur = &a.expression,
            Expression::ChainExpression(c) => match c.expression.as_member_expression() {
                Some(m) => {
                    if let Some(p) = m.static_property_name() {
                        chain.push(p);
                    }
                    cur = m.object();
                }
                None => return None,
            },
            Expression::Identifier(i) => {
                chain.push(i.name.as_str());
                break;
            }
            _ => return None,
        }
    }
    chain.reverse();
    let root = *chain.first()?;
    let second = chain.get(1).copied().unwrap_or("");
    let third = chain.get(2).copied().unwrap_or("");
    let hit = match root {
        "req" | "request" => matches!(second, "body" | "query" | "params" | "headers" | "cookies"),
        "ctx" | "context" => {
            matches!(
                second,
                "query" | "params" | "match" | "callbackQuery" | "inlineQuery"
            ) || (second == "request" && matches!(third, "body" | "query"))
                || (matches!(second, "message" | "msg" | "update" | "channelPost")
                    && chain
                        .iter()
                        .any(|p| matches!(*p, "text" | "caption" | "data")))
        }
        "msg" | "message" => matches!(second, "text" | "caption" | "content"),
        "interaction" => second == "options",
        _ => false,
    };
    let span = e.span();
    hit.then(|| {
        format!(
            "`{}`",
            source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("")
        )
    })
}

fn template_static(t: &TemplateLiteral) -> String {
    let mut out = String::new();
    for (i, q) in t.quasis.iter().enumerate() {
        if i > 0 {
            out.push_str(" x ");
        }
        out.push_str(q.value.raw.as_str());
    }
    out
}

fn flatten_add<'b, 'a>(e: &'b Expression<'a>, out: &mut Vec<&'b Expression<'a>>) {
    match e {
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            flatten_add(b.left.get_inner_expression(), out);
            flatten_add(b.right.get_inner_expression(), out);
        }
        _ => out.push(e),
    }
}

fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}
