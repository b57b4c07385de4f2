//! `security/ssrf`: the server fetches a URL whose host the request chooses.

use super::sql_injection::Taint;
use super::sql_injection::js::Tracer as JsTracer;
use super::sql_injection::python::{BodyScan, Tracer as PyTracer, traced_sinks};
use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Argument, BinaryOperator, CallExpression, Expression};
use oxc_ast::{AstKind, AstType};
use oxc_semantic::AstNode;
use ruff_python_ast::{self as ast, Expr, NodeKind};

pub static META: RuleMeta = RuleMeta {
    id: "security/ssrf",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "The server fetches a URL taken from the request, with no allow-list",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds outbound HTTP calls whose URL comes from request data, traced through the handler's
variables as in `security/sql-injection`:
- Node: `fetch(url)`, `axios(url)`, `axios.get/post/…(url)`, `got(url)`, `got.get(url)`,
  `superagent.get(url)`, `ky(url)`, `http.get(url)`, `https.get(url)`, `request(url)`;
- Python: `requests.get/post/…(url)`, `requests.request(method, url)`, `httpx.get/…(url)`,
  `urllib.request.urlopen(url)`;
when the request chooses the start of the URL, and so the host: `req.query.url`, a variable
holding `req.body.target`, `` `${req.query.u}/path` ``, `request.args.get("url")`, or
either URL a conditional (`a ? url1 : url2`, `x if c else y`) or a fallback (`req.query.src
|| DEFAULT`, `request.args.get("base") or DEFAULT`) may pick.
High for HTTP request data; medium when the URL comes from a chat message (a bot that
fetches links users send).

Not flagged: URLs whose host is fixed in code (`` `https://api.example.com/items/${id}` ``,
`BASE + req.params.id`, `` scope ? `${API}/a/${id}` : `${API}/b/${id}` ``), files that check URLs against an allow-list or validate them
(`allowlist`, `hostname` checks, a validation schema), values the tracer cannot follow
(a call result), and code nothing runs.

## Why it breaks production
The request makes the server send requests for it, from inside the network: to the cloud
metadata endpoint (`http://169.254.169.254/` hands out the instance's credentials), to
databases and admin panels bound to localhost, or to other internal services. The answer
often comes back to the attacker in the response or in an error.

## Flagged
```js
app.get('/preview', async (req, res) => {
  const page = await fetch(req.query.url);
  res.send(await page.text());
});
```

## Not flagged
```js
app.get('/preview', async (req, res) => {
  const url = new URL(req.query.url);
  if (!ALLOWED_HOSTS.has(url.hostname)) return res.status(400).end();
  res.send(await (await fetch(url)).text());
});
```

## Fix
Parse the URL, allow only `https:` and an explicit list of hosts, and resolve the host to
make sure it is not a private, loopback or link-local address before fetching (or fetch
through an egress proxy that enforces this).
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&SsrfJs),
    python: Some(&SsrfPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "An attacker makes the server request internal addresses: cloud metadata credentials, localhost-only databases and admin panels.",
        fix: "Allow only https and a fixed list of hosts; refuse private, loopback and link-local addresses.",
        verify: "Request the endpoint with `url=http://169.254.169.254/latest/meta-data/`: expect a 400.",
    },
};

/// Words of a file that checks URLs before fetching them.
const URL_CHECKS: &[&str] = &[
    "allowlist",
    "allowList",
    "AllowList",
    "ALLOWLIST",
    "whitelist",
    "WHITELIST",
    "allowed_hosts",
    "ALLOWED_HOSTS",
    "allowedHosts",
    "allowedDomains",
    "ALLOWED_DOMAINS",
    "hostname",
    "ipaddress",
    "is_private",
    "isPrivate",
    "ssrf",
    "SSRF",
    "zod",
    "Joi.",
    "validators.url",
];

fn checks_urls(source: &str) -> bool {
    URL_CHECKS.iter().any(|w| source.contains(w))
}

/// Data from a chat message, not an HTTP request: a bot fetching a link a user sent.
fn from_chat(what: &str) -> bool {
    [
        "message",
        "msg.",
        "ctx.update",
        "callbackQuery",
        "interaction",
        ".text",
        ".caption",
        ".content",
    ]
    .iter()
    .any(|w| what.contains(w))
}

fn message(name: &str, what: &str) -> String {
    format!(
        "`{name}` fetches a URL taken from {} ({what}): the caller chooses the host the server connects to",
        if from_chat(what) {
            "a chat message"
        } else {
            "the request"
        }
    )
}

struct SsrfJs;

/// The URL argument of an outbound HTTP call, with the call's name.
fn js_outbound<'b, 'a>(call: &'b CallExpression<'a>) -> Option<(String, &'b Expression<'a>)> {
    let first = call.arguments.first().and_then(Argument::as_expression)?;
    match call.callee.get_inner_expression() {
        Expression::Identifier(id)
            if matches!(
                id.name.as_str(),
                "fetch" | "axios" | "got" | "ky" | "request"
            ) =>
        {
            Some((id.name.to_string(), first))
        }
        callee => {
            let m = callee.as_member_expression()?;
            let method = m.static_property_name()?;
            let Expression::Identifier(object) = m.object().get_inner_expression() else {
                return None;
            };
            let object = object.name.as_str();
            let verbs = matches!(
                method,
                "get" | "post" | "put" | "patch" | "delete" | "head" | "stream"
            );
            let ok = match object {
                "axios" | "got" | "superagent" | "ky" | "needle" => verbs,
                "http" | "https" => matches!(method, "get" | "request"),
                _ => false,
            };
            ok.then(|| (format!("{object}.{method}"), first))
        }
    }
}

/// Whether the request data can choose the start of the URL (and so its host): the value
/// itself, a template or concatenation whose first part is request data, or a variable
/// holding one.
fn js_host_open<'a>(tracer: &JsTracer<'_, 'a>, e: &Expression<'a>, depth: u8) -> bool {
    if depth > 6 {
        return false;
    }
    let tainted = |x: &Expression<'a>| matches!(tracer.value(x, 0), Taint::Request(_));
    match e.get_inner_expression() {
        Expression::TemplateLiteral(t) => {
            t.quasis.first().is_some_and(|q| q.value.raw.is_empty())
                && t.expressions
                    .first()
                    .is_some_and(|x| js_host_open(tracer, x, depth + 1))
        }
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            js_host_open(tracer, &b.left, depth + 1)
        }
        // `scope === 'global' ? `${API}/a/${id}` : `${API}/b/${id}``: the host is open when
        // either URL it may pick leaves it open.
        Expression::ConditionalExpression(c) => {
            js_host_open(tracer, &c.consequent, depth + 1)
                || js_host_open(tracer, &c.alternate, depth + 1)
        }
        Expression::LogicalExpression(l) => {
            js_host_open(tracer, &l.left, depth + 1) || js_host_open(tracer, &l.right, depth + 1)
        }
        Expression::StringLiteral(_) => false,
        Expression::Identifier(id) => {
            let symbol = id
                .reference_id
                .get()
                .and_then(|r| tracer.semantic.scoping().get_reference(r).symbol_id());
            let Some(symbol) = symbol else {
                return tainted(e);
            };
            match tracer.semantic.symbol_declaration(symbol).kind() {
                AstKind::VariableDeclarator(d)
                    if matches!(d.id, oxc_ast::ast::BindingPattern::BindingIdentifier(_)) =>
                {
                    d.init
                        .as_ref()
                        .is_some_and(|init| js_host_open(tracer, init, depth + 1))
                }
                _ => tainted(e),
            }
        }
        other => tainted(other),
    }
}

impl JsFileRule for SsrfJs {
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
        let Some((name, url)) = js_outbound(call) else {
            return;
        };
        let tracer = JsTracer {
            semantic: ctx.semantic,
            source: ctx.source,
        };
        let Taint::Request(what) = tracer.value(url, 0) else {
            return;
        };
        if !js_host_open(&tracer, url, 0) || checks_urls(ctx.source) {
            return;
        }
        let severity = from_chat(&what).then_some(Severity::Medium);
        ctx.report(META.id, call.span, message(&name, &what), severity);
    }
}

struct SsrfPy;

/// The URL argument of an outbound HTTP call, with the call's name.
fn py_outbound<'a>(call: &'a ast::ExprCall, ctx: &PyRuleContext) -> Option<(String, &'a Expr)> {
    let func = ctx.text(&*call.func);
    let (module, method) = func.rsplit_once('.').unwrap_or(("", func));
    let url_arg = match (module, method) {
        ("requests" | "httpx", "get" | "post" | "put" | "patch" | "delete" | "head" | "stream") => {
            0
        }
        ("requests" | "httpx", "request") => 1,
        ("urllib.request" | "request" | "", "urlopen") => 0,
        _ => return None,
    };
    let url = call.arguments.args.get(url_arg).or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "url"))
            .map(|k| &k.value)
    })?;
    Some((func.to_string(), url))
}

/// Python twin of [`js_host_open`]: f-strings and `+` whose first part is a literal or a
/// constant fix the host.
fn py_host_open<'a>(
    tracer: &PyTracer<'a, '_, '_>,
    e: &'a Expr,
    body: &BodyScan<'a>,
    depth: u8,
) -> bool {
    if depth > 6 {
        return false;
    }
    match e {
        Expr::FString(f) => match f.value.elements().next() {
            Some(ast::InterpolatedStringElement::Interpolation(i)) => {
                py_host_open(tracer, &i.expression, body, depth + 1)
            }
            _ => false,
        },
        Expr::BinOp(b) if b.op == ast::Operator::Add => {
            py_host_open(tracer, &b.left, body, depth + 1)
        }
        Expr::If(i) => {
            py_host_open(tracer, &i.body, body, depth + 1)
                || py_host_open(tracer, &i.orelse, body, depth + 1)
        }
        Expr::BoolOp(b) => b
            .values
            .iter()
            .any(|v| py_host_open(tracer, v, body, depth + 1)),
        Expr::StringLiteral(_) => false,
        Expr::Call(c)
            if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "format"
                && matches!(&*a.value, Expr::StringLiteral(s) if !s.value.to_str().starts_with('{'))) =>
        {
            false
        }
        Expr::Name(n) => match body.assigned.get(n.id.as_str()) {
            Some(values) => values
                .iter()
                .any(|v| py_host_open(tracer, v, body, depth + 1)),
            None => matches!(tracer.value(e, 0), Taint::Request(_)),
        },
        other => matches!(tracer.value(other, 0), Taint::Request(_)),
    }
}

impl PyFileRule for SsrfPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let found = traced_sinks(node, ctx, py_outbound, |tracer, url, body| {
            let Taint::Request(what) = tracer.value(url, 0) else {
                return None;
            };
            py_host_open(tracer, url, body, 0).then_some(what)
        });
        if found.is_empty() || checks_urls(ctx.source) {
            return;
        }
        for (range, name, what) in found {
            let severity = from_chat(&what).then_some(Severity::Medium);
            ctx.report(META.id, range, message(&name, &what), severity);
        }
    }
}
