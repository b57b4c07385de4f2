//! `security/cors-wildcard-credentials`: CORS that answers any origin and allows
//! credentials, so any web site can call the API with the visitor's cookies.

use crate::context::ProjectContext;
use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Expression, ObjectExpression, ObjectPropertyKind};
use oxc_ast::{AstKind, AstType};
use oxc_semantic::AstNode;
use oxc_span::GetSpan;
use ruff_python_ast::{self as ast, Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "security/cors-wildcard-credentials",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Config,
    summary: "CORS allows any origin together with credentials",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
Finds CORS configurations that let every origin make credentialed requests:

- Node `cors()`, `@fastify/cors`, NestJS `enableCors`/`{ cors: ... }`, koa `@koa/cors`
  options with `credentials: true` and `origin: true` or an origin function that accepts
  every origin (`(origin, cb) => cb(null, true)`, `cb(null, origin)`) — the library then
  echoes each caller's `Origin` back;
- Starlette/FastAPI `CORSMiddleware` with `allow_origins=["*"]` (or `allow_origin_regex=".*"`)
  and `allow_credentials=True`: the middleware answers a request that carries cookies with
  the caller's own origin, not `*`;
- Flask-CORS `CORS(app, supports_credentials=True)` with the default or `"*"` origins:
  Flask-CORS also echoes the request's origin;
- django-cors-headers `CORS_ALLOW_ALL_ORIGINS = True` (or `CORS_ORIGIN_ALLOW_ALL`) with
  `CORS_ALLOW_CREDENTIALS = True` in the same settings file: the origin is echoed. Not when
  a production settings module beside it star-imports it (`from .base import *`) and sets
  the switch back to `False`: then only development modules get the allow-all.

Decided per library: Node's `cors` and `@fastify/cors` send a literal `*` for
`origin: '*'`, which browsers refuse to combine with credentials, so `origin: '*'` is not
flagged there (credentialed calls simply fail). When no running code of the project uses a
credential the browser sends on its own (session or cookie middleware, cookie writes or
reads, Passport, NextAuth, Flask-Login, Django, HTTP Basic), the finding is low: a foreign
site's request carries nothing yet (a bearer-token API).

## Why it breaks production
With the caller's origin echoed and `Access-Control-Allow-Credentials: true`, a page on any
site can send requests to the API with the visitor's session cookie and read the answers:
account data, tokens, CSRF tokens. It is a cross-site account takeover waiting for a link.

## Flagged
```js
app.use(cors({ origin: true, credentials: true }));
```
```python
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
```

## Not flagged
```js
app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
app.use(cors());                                  // any origin, no credentials
```
```python
app.add_middleware(CORSMiddleware, allow_origins=settings.ORIGINS, allow_credentials=True)
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
```

## Fix
List the front-end origins that may call the API (`origin: ['https://app.example.com']`,
`allow_origins=[...]`, `CORS_ALLOWED_ORIGINS`), or drop credentials if the API uses bearer
tokens.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&CorsJs),
    python: Some(&CorsPy),
    after: None,
    refine: Some(refine),
    file_texts: FileTexts {
        impact: "Any web site can make requests with the visitor's cookies and read the answers.",
        fix: "Allow a fixed list of front-end origins, or drop credentials for a token-only API.",
        verify: "curl -H 'Origin: https://evil.example' -I the API: the response must not echo that origin with Access-Control-Allow-Credentials: true.",
    },
};

/// Packages and calls through which an app makes the browser hold a credential it then
/// sends on its own: session and cookie middleware, cookie writes and reads, HTTP Basic.
const BROWSER_CREDENTIAL_PACKAGES: &[&str] = &[
    "express-session",
    "cookie-session",
    "cookie-parser",
    "koa-session",
    "koa-generic-session",
    "@fastify/session",
    "@fastify/secure-session",
    "@fastify/cookie",
    "@fastify/cookie-session",
    "fastify-session",
    "passport",
    "next-auth",
    "flask_login",
    "flask_session",
    "django",
];
const BROWSER_CREDENTIAL_CALLS: &[&str] = &[
    "set_cookie(",
    "res.cookie(",
    "reply.setCookie(",
    "ctx.cookies",
    "req.cookies",
    "request.cookies",
    "SessionMiddleware",
    "HTTPBasic",
    "Cookie(",
];

/// A settings module that a production settings module star-imports and overrides does not
/// decide what production runs: dropped. Otherwise, with no cookie, session or HTTP-auth use
/// anywhere in the project's running code, a browser has nothing to attach: a foreign site's
/// request carries no credential, and the setting only matters once one is added. At most
/// low, saying so.
fn refine(ctx: &ProjectContext, finding: &mut Finding) -> bool {
    if let Some(file) = finding.file.as_deref()
        && file.ends_with(".py")
        && overridden_in_production(ctx, file)
    {
        return false;
    }
    if finding.severity <= Severity::Low
        || crate::rules::security::web_server::imported(ctx, BROWSER_CREDENTIAL_PACKAGES).is_some()
    {
        return true;
    }
    let uses_credentials = ctx.reachable_sources().any(|i| {
        ctx.files[i]
            .text
            .as_deref()
            .is_some_and(|t| BROWSER_CREDENTIAL_CALLS.iter().any(|c| t.contains(c)))
    });
    if !uses_credentials {
        finding.severity = Severity::Low;
        finding.message.push_str(" (no running code sets or reads cookies, sessions or HTTP auth: a browser attaches no credential yet, so low)");
    }
    true
}

/// Django split settings: `settings/production.py` says `from .base import *` and then
/// `CORS_ALLOW_ALL_ORIGINS = False`. The allow-all in `base.py` then reaches only the
/// modules that do not override it (development, test).
fn overridden_in_production(ctx: &ProjectContext, rel: &str) -> bool {
    let (dir, name) = rel.rsplit_once('/').unwrap_or((".", rel));
    let Some(stem) = name.strip_suffix(".py") else {
        return false;
    };
    let development = |n: &str| {
        let n = n.to_ascii_lowercase();
        ["dev", "local", "test", "ci", "debug", "example", "sample"]
            .iter()
            .any(|w| n.split(['_', '-', '.']).any(|t| t.starts_with(w)))
    };
    ctx.sources.iter().any(|&i| {
        let other = ctx.rel(i);
        let (odir, oname) = other.rsplit_once('/').unwrap_or((".", other));
        if odir != dir || oname == name || !oname.ends_with(".py") || development(oname) {
            return false;
        }
        let Some(text) = ctx.files[i].text.as_deref() else {
            return false;
        };
        // Code only: `from .base import *  # noqa: F403`.
        let compact = |l: &str| {
            l.split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        let star_imports = text.lines().map(compact).any(|l| {
            l.strip_prefix("from")
                .and_then(|r| r.strip_suffix("import*"))
                .is_some_and(|m| m == format!(".{stem}") || m.ends_with(&format!(".{stem}")))
        });
        star_imports
            && text.lines().map(compact).any(|l| {
                ["CORS_ALLOW_ALL_ORIGINS=", "CORS_ORIGIN_ALLOW_ALL="]
                    .iter()
                    .any(|k| l.strip_prefix(k).is_some_and(|v| v.starts_with("False")))
            })
    })
}

struct CorsJs;

impl JsFileRule for CorsJs {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::ObjectExpression]
    }

    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
        let AstKind::ObjectExpression(obj) = node.kind() else {
            return;
        };
        let credentials = property(obj, "credentials")
            .is_some_and(|v| matches!(v, Expression::BooleanLiteral(b) if b.value));
        if !credentials {
            return;
        }
        let Some(origin) = property(obj, "origin") else {
            return;
        };
        let text = |span: oxc_span::Span| {
            ctx.source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("")
        };
        let how = match origin.get_inner_expression() {
            Expression::BooleanLiteral(b) if b.value => "`origin: true` echoes every origin",
            Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
                if accepts_everything(text(origin.span())) =>
            {
                "the origin function accepts every origin"
            }
            _ => return,
        };
        // Only CORS options: an argument of a call that names CORS, or a `cors:` property.
        let nodes = ctx.semantic.nodes();
        let mut is_cors = false;
        for anc in nodes.ancestors(node.id()).take(3) {
            match anc.kind() {
                AstKind::CallExpression(c) => {
                    let call = text(c.span).to_ascii_lowercase();
                    let head = call.split('{').next().unwrap_or("");
                    is_cors = head.contains("cors");
                    break;
                }
                AstKind::ObjectProperty(p) => {
                    is_cors = p
                        .key
                        .static_name()
                        .is_some_and(|k| k.eq_ignore_ascii_case("cors"));
                    break;
                }
                _ => {}
            }
        }
        if !is_cors {
            return;
        }
        ctx.report(
            META.id,
            obj.span,
            format!("CORS allows credentials and {how}: any site can call the API with the visitor's cookies"),
            None,
        );
    }
}

fn property<'b, 'a>(obj: &'b ObjectExpression<'a>, name: &str) -> Option<&'b Expression<'a>> {
    obj.properties.iter().find_map(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some(name) => {
            Some(&p.value)
        }
        _ => None,
    })
}

/// An origin callback that says yes to everyone: `cb(null, true)` or `cb(null, origin)`
/// with no comparison, list lookup or pattern test in it.
fn accepts_everything(body: &str) -> bool {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let says_yes = compact.contains("null,true)") || compact.contains("null,origin)");
    let checks = [
        "if(",
        "?",
        "includes",
        "indexOf",
        "===",
        "!==",
        "==",
        "test(",
        "match",
        "has(",
        "some(",
        "endsWith",
        "startsWith",
        "&&",
        "||",
        "switch",
    ];
    says_yes && !checks.iter().any(|c| compact.contains(c))
}

struct CorsPy;

impl PyFileRule for CorsPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall, NodeKind::StmtAssign]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        match node {
            PyNode::Expr(Expr::Call(call)) => check_call(call, ctx),
            PyNode::Stmt(Stmt::Assign(assign)) => check_django(assign, ctx),
            _ => {}
        }
    }
}

fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

fn is_true(e: Option<&Expr>) -> bool {
    matches!(e, Some(Expr::BooleanLiteral(b)) if b.value)
}

/// `["*"]`, `("*",)`, `"*"`.
fn is_star(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(s) => s.value.to_str() == "*",
        Expr::List(l) => l.elts.iter().any(is_star),
        Expr::Tuple(t) => t.elts.iter().any(is_star),
        _ => false,
    }
}

fn check_call(call: &ast::ExprCall, ctx: &mut PyRuleContext<'_>) {
    let func = ctx.text(&*call.func);
    let last = func.rsplit('.').next().unwrap_or(func);
    // Starlette/FastAPI: add_middleware(CORSMiddleware, ...) or Middleware(CORSMiddleware, ...).
    let names_cors_middleware = call
        .arguments
        .args
        .first()
        .is_some_and(|a| ctx.text(a).ends_with("CORSMiddleware"))
        || last == "CORSMiddleware";
    if names_cors_middleware && is_true(keyword(call, "allow_credentials")) {
        let any_origin = keyword(call, "allow_origins").is_some_and(is_star)
            || keyword(call, "allow_origin_regex").is_some_and(|r| {
                matches!(r, Expr::StringLiteral(s) if matches!(s.value.to_str(), ".*" | "^.*$" | ".+" | "https?://.*"))
            });
        if any_origin {
            ctx.report(
                META.id,
                call.range(),
                "CORSMiddleware allows credentials for any origin: Starlette answers a request with cookies by echoing its Origin, so any site can call the API as the visitor",
                None,
            );
        }
        return;
    }
    // Flask-CORS: origins default to "*", and the request's origin is echoed back.
    if last == "CORS" && is_true(keyword(call, "supports_credentials")) {
        let origins = keyword(call, "origins");
        let resources = keyword(call, "resources");
        let any_origin = match (origins, resources) {
            (Some(o), _) => is_star(o),
            (None, Some(r)) => resources_any_origin(r),
            (None, None) => true,
        };
        if any_origin {
            ctx.report(
                META.id,
                call.range(),
                "Flask-CORS allows credentials with any origin (the default `origins=\"*\"`): it echoes each caller's Origin, so any site can call the API as the visitor",
                None,
            );
        }
    }
}

/// `resources={r"/api/*": {"origins": "*"}}`: any resource open to every origin. A
/// resource without `origins` inherits the default `*`.
fn resources_any_origin(r: &Expr) -> bool {
    let Expr::Dict(d) = r else {
        return false;
    };
    d.items.iter().any(|item| match &item.value {
        Expr::Dict(opts) => {
            let origins = opts.items.iter().find(
                |i| matches!(&i.key, Some(Expr::StringLiteral(k)) if k.value.to_str() == "origins"),
            );
            match origins {
                Some(o) => is_star(&o.value),
                None => true,
            }
        }
        _ => false,
    })
}

/// django-cors-headers: allow-all plus credentials in one settings file.
fn check_django(assign: &ast::StmtAssign, ctx: &mut PyRuleContext<'_>) {
    if ctx.function().is_some() {
        return;
    }
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return;
    };
    if !matches!(
        target.id.as_str(),
        "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL"
    ) || !is_true(Some(&assign.value))
    {
        return;
    }
    let credentials = ctx.source.lines().any(|line| {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        compact.starts_with("CORS_ALLOW_CREDENTIALS=True")
    });
    if credentials {
        ctx.report(
            META.id,
            assign.range(),
            format!(
                "`{} = True` with `CORS_ALLOW_CREDENTIALS = True`: django-cors-headers echoes every Origin with credentials allowed",
                target.id.as_str()
            ),
            None,
        );
    }
}
