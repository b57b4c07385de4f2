//! `security/error-details-exposed`: stack traces sent to the people using the service.

use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Argument, Expression};
use oxc_ast::{AstKind, AstType};
use oxc_ast_visit::Visit;
use oxc_semantic::AstNode;
use oxc_span::GetSpan;
use ruff_python_ast::visitor::{Visitor, walk_expr};
use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "security/error-details-exposed",
    severity: Severity::Medium,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Stack traces are sent to users in HTTP responses or chat replies",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
Finds responses and chat replies that carry a stack trace:
- Node: `res.send`/`res.json`/`res.end`/`res.render`/`res.write`, `reply.send` (Fastify),
  `ctx.reply`/`ctx.replyWithHTML`, `message.reply`, `interaction.reply`/`followUp`/
  `editReply` whose arguments read `<error>.stack`;
- Python: `traceback.format_exc()`/`format_exception(...)`/`print_exc` text passed to a
  response (`jsonify`, `JSONResponse`, `HTTPException(detail=…)`, `Response`) or a reply
  (`message.answer`, `message.reply`, `reply_text`, `send_message`, `edit_text`) or
  returned from a view.

Not flagged: traces sent only in development (inside an `if` or `?:` on `NODE_ENV`,
`DEBUG`, `isDev`, `development`), traces written to logs, and code nothing runs.

## Why it breaks production
A stack trace tells an attacker the frameworks and versions, file paths, sometimes SQL and
configuration values, and which inputs reach which code. Users see a wall of internals
instead of a message they can act on.

## Flagged
```js
app.use((err, req, res, next) => {
  res.status(500).json({ error: err.message, stack: err.stack });
});
```
```python
except Exception:
    await message.answer(f"Error:\n{traceback.format_exc()}")
```

## Not flagged
```js
app.use((err, req, res, next) => {
  logger.error(err);
  res.status(500).json({ error: 'Internal error', id: req.id });
});
```

## Fix
Log the error with its stack on the server (with a request id), and send users a generic
message with that id.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&ErrorDetailsJs),
    python: Some(&ErrorDetailsPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Users and attackers see stack traces: file paths, library versions, sometimes queries and config values.",
        fix: "Log the stack on the server with a request id; send a generic message with the id.",
        verify: "Make a request fail: the response or reply holds no stack trace.",
    },
};

/// Words of a condition that limits what it guards to development.
fn development_only(test: &str) -> bool {
    [
        "NODE_ENV",
        "DEBUG",
        "isDev",
        "IS_DEV",
        "development",
        "isProduction",
        "IS_PROD",
        "production",
    ]
    .iter()
    .any(|w| test.contains(w))
}

struct ErrorDetailsJs;

/// Finds `x.stack` inside a call's arguments.
#[derive(Default)]
struct StackRead {
    found: Option<String>,
}

impl<'a> Visit<'a> for StackRead {
    fn visit_static_member_expression(&mut self, it: &oxc_ast::ast::StaticMemberExpression<'a>) {
        if it.property.name == "stack"
            && let Expression::Identifier(id) = it.object.get_inner_expression()
        {
            self.found
                .get_or_insert_with(|| format!("{}.stack", id.name));
        }
        oxc_ast_visit::walk::walk_static_member_expression(self, it);
    }
}

impl JsFileRule for ErrorDetailsJs {
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
        let Some(member) = call.callee.as_member_expression() else {
            return;
        };
        let Some(method) = member.static_property_name() else {
            return;
        };
        let responds = matches!(
            method,
            "send"
                | "json"
                | "end"
                | "render"
                | "write"
                | "reply"
                | "replyWithHTML"
                | "replyWithMarkdown"
                | "followUp"
                | "editReply"
        );
        if !responds {
            return;
        }
        // The receiver is a response or a chat context: `res`, `res.status(500)`,
        // `reply`, `ctx`, `message`, `interaction`.
        let mut receiver = member.object().get_inner_expression();
        while let Expression::CallExpression(c) = receiver
            && let Some(m) = c.callee.as_member_expression()
        {
            receiver = m.object().get_inner_expression();
        }
        let Expression::Identifier(r) = receiver else {
            return;
        };
        if !matches!(
            r.name.as_str(),
            "res" | "response" | "reply" | "ctx" | "context" | "message" | "msg" | "interaction"
        ) {
            return;
        }
        let mut read = StackRead::default();
        for a in &call.arguments {
            if let Some(e) = a.as_expression() {
                read.visit_expression(e);
            } else if let Argument::SpreadElement(s) = a {
                read.visit_expression(&s.argument);
            }
        }
        let Some(what) = read.found else {
            return;
        };
        // Inside a development-only branch: not what production sends.
        let nodes = ctx.semantic.nodes();
        let dev_only = nodes.ancestors(node.id()).any(|n| {
            let test = match n.kind() {
                AstKind::IfStatement(i) => i.test.span(),
                AstKind::ConditionalExpression(c) => c.test.span(),
                AstKind::LogicalExpression(l) => l.left.span(),
                _ => return false,
            };
            development_only(
                ctx.source
                    .get(test.start as usize..test.end as usize)
                    .unwrap_or(""),
            )
        });
        if dev_only {
            return;
        }
        let to = if matches!(r.name.as_str(), "res" | "response" | "reply") {
            "the HTTP response"
        } else {
            "a chat reply"
        };
        ctx.report(
            META.id,
            call.span,
            format!(
                "`{what}` is sent to users in {to}: the stack trace shows the service's internals"
            ),
            None,
        );
    }
}

struct ErrorDetailsPy;

/// Finds `traceback.format_exc()` / `format_exception(...)` inside an expression.
#[derive(Default)]
struct TraceRead {
    found: Option<String>,
}

impl<'a> Visitor<'a> for TraceRead {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(c) = expr
            && let Expr::Attribute(a) = &*c.func
            && matches!(
                a.attr.as_str(),
                "format_exc" | "format_exception" | "format_tb"
            )
            && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "traceback")
        {
            self.found
                .get_or_insert_with(|| format!("traceback.{}()", a.attr.as_str()));
        }
        walk_expr(self, expr);
    }
}

impl PyFileRule for ErrorDetailsPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Expr(Expr::Call(call)) = node else {
            return;
        };
        let name = match &*call.func {
            Expr::Attribute(a) => a.attr.as_str(),
            Expr::Name(n) => n.id.as_str(),
            _ => return,
        };
        let to = match name {
            "jsonify" | "JSONResponse" | "HTTPException" | "Response" | "PlainTextResponse"
            | "HTMLResponse" | "make_response" | "HttpResponse" | "JsonResponse" => {
                "the HTTP response"
            }
            "answer" | "reply" | "reply_text" | "send_message" | "edit_text"
            | "edit_message_text" | "reply_to" | "send" => "a chat reply",
            _ => return,
        };
        let mut read = TraceRead::default();
        for a in call.arguments.args.iter() {
            read.visit_expr(a);
        }
        for k in call.arguments.keywords.iter() {
            read.visit_expr(&k.value);
        }
        let Some(what) = read.found else {
            return;
        };
        ctx.report(
            META.id,
            call.range(),
            format!(
                "`{what}` is sent to users in {to}: the stack trace shows the service's internals"
            ),
            None,
        );
    }
}
