//! `security/bot-token-in-url`: a Telegram file URL, which carries the bot token, leaves
//! the server: returned to a client, stored, redirected to or sent.

use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_js::{JsFileRule, JsRuleContext};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use oxc_ast::ast::{Argument, BindingPattern, Expression};
use oxc_ast::{AstKind, AstType};
use oxc_semantic::AstNode;
use oxc_span::GetSpan;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, NodeKind, Stmt};
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    id: "security/bot-token-in-url",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A Telegram file URL, which contains the bot token, is handed out instead of fetched",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds Telegram file URLs built inside a function, token and file path both filled in
(`` `https://api.telegram.org/file/bot${token}/${path}` ``,
`f"https://api.telegram.org/file/bot{TOKEN}/{file_path}"`; a prefix kept in a constant is
not judged), and follows where each goes, within its function: as the URL of a server-side download (`fetch`, `axios.get`,
`requests.get`, `session.get`, `urlopen`, `urlretrieve`, a `download…` call), directly or
through a variable every use of which is such a download, it stays on the server and is
not reported. Any other use hands the token out: the URL is returned, put into an object
or a dict (`profile_photo: url`, stored and served by the API), passed to a redirect, sent
in a message, or logged.

## Why it breaks production
The file URL embeds the bot token in clear. Whoever receives it (every visitor of a
leaderboard that shows avatars, an admin's browser history, a log reader) can take the
token out and act as the bot: read its updates, message every user, change its webhook.

## Flagged
```js
const photo = `https://api.telegram.org/file/bot${process.env.BOT_TOKEN}/${file.file_path}`;
await db.query('UPDATE users SET profile_photo = $1 WHERE id = $2', [photo, userId]);
```

## Not flagged
```python
url = f"https://api.telegram.org/file/bot{TOKEN}/{file.file_path}"
data = requests.get(url, timeout=10).content   # downloaded on the server
```

## Fix
Download the file on the server (`getFile` then fetch, or the library's download helper)
and serve the bytes, or a URL of your own, to clients; never return, store or log the
Telegram file URL.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&BotTokenUrlJs),
    python: Some(&BotTokenUrlPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Whoever receives the URL holds the bot token and can act as the bot.",
        fix: "Download the file on the server and hand out the bytes or a URL of your own; never return, store, send or log the Telegram file URL.",
        verify: "Call the endpoint or flow that produces the URL: the response, the database and the logs contain no `api.telegram.org/file/bot`.",
    },
};

/// The text before the token in a Telegram file URL.
const FILE_URL: &str = "api.telegram.org/file/bot";

const MESSAGE: &str = "A Telegram file URL with the bot token in it is handed out (returned, stored, redirected to, sent or logged) instead of fetched on the server: whoever receives it can act as the bot";

/// Calls that download what a URL points at, on the server.
fn downloads(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "fetch"
            | "get"
            | "request"
            | "urlopen"
            | "urlretrieve"
            | "stream"
            | "head"
            | "axios"
            | "got"
            | "ky"
    ) || last.to_ascii_lowercase().starts_with("download")
}

struct BotTokenUrlJs;

/// The name of the function a call expression calls, as written (`axios.get`).
fn js_callee(e: &Expression) -> Option<String> {
    match e.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        other => {
            let m = other.as_member_expression()?;
            Some(m.static_property_name()?.to_string())
        }
    }
}

/// Whether the node `id` is the first argument of a downloading call.
fn js_downloaded(nodes: &oxc_semantic::AstNodes, id: oxc_semantic::NodeId) -> bool {
    let mut parent = nodes.parent_node(id);
    // `(url)` and `url as string`: look through wrappers.
    while matches!(
        parent.kind(),
        AstKind::ParenthesizedExpression(_) | AstKind::TSAsExpression(_)
    ) {
        parent = nodes.parent_node(parent.id());
    }
    let AstKind::CallExpression(call) = parent.kind() else {
        return false;
    };
    let first = call.arguments.first().and_then(Argument::as_expression);
    let own = nodes.get_node(id).kind().span();
    let is_first = first.is_some_and(|f| f.get_inner_expression().span() == own);
    is_first && js_callee(&call.callee).is_some_and(|n| downloads(&n))
}

impl JsFileRule for BotTokenUrlJs {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::TemplateLiteral]
    }

    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
        let AstKind::TemplateLiteral(t) = node.kind() else {
            return;
        };
        // The token is what follows `…/file/bot` in the template, and the file's path
        // follows the token: a whole file URL, not a prefix kept in a constant.
        let marked = t
            .quasis
            .iter()
            .enumerate()
            .take(t.expressions.len())
            .any(|(k, q)| q.value.raw.ends_with(FILE_URL) && k + 1 < t.expressions.len());
        if !marked {
            return;
        }
        let nodes = ctx.semantic.nodes();
        // Built inside a function, where its use can be followed.
        if !nodes.ancestors(node.id()).any(|n| {
            matches!(
                n.kind(),
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
            )
        }) {
            return;
        }
        if js_downloaded(nodes, node.id()) {
            return;
        }
        // `const url = `…`;` every use of which downloads it.
        if let AstKind::VariableDeclarator(d) = nodes.parent_kind(node.id())
            && let BindingPattern::BindingIdentifier(b) = &d.id
            && let Some(symbol) = b.symbol_id.get()
        {
            let scoping = ctx.semantic.scoping();
            let mut uses = scoping.get_resolved_references(symbol).peekable();
            if uses.peek().is_none() {
                return;
            }
            if uses.all(|r| js_downloaded(nodes, r.node_id())) {
                return;
            }
        }
        ctx.report(META.id, t.span, MESSAGE, None);
    }
}

struct BotTokenUrlPy;

/// Whether an f-string puts a value right after `…/file/bot` (the token) and another
/// after that (the file's path): a whole file URL.
fn py_marked(e: &Expr) -> bool {
    let Expr::FString(f) = e else { return false };
    let mut previous_ends_marked = false;
    let mut token_seen = false;
    for el in f.value.elements() {
        match el {
            ast::InterpolatedStringElement::Literal(l) => {
                previous_ends_marked = l.value.ends_with(FILE_URL);
            }
            ast::InterpolatedStringElement::Interpolation(_) => {
                if token_seen {
                    return true;
                }
                token_seen = previous_ends_marked;
                previous_ends_marked = false;
            }
        }
    }
    false
}

/// One function's Telegram file URLs and the uses of the names bound to them.
struct PyUses<'a, 's> {
    /// Marked f-strings not consumed by a download, with the name they are bound to.
    loose: Vec<(&'a Expr, Option<&'a str>)>,
    /// How each name is used: `true` for a download's URL argument.
    name_uses: HashMap<&'a str, Vec<bool>>,
    in_download_arg: bool,
    source: &'s str,
}

impl<'a> Visitor<'a> for PyUses<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        // Nested functions are judged on their own.
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        if let Stmt::Assign(a) = stmt
            && let [Expr::Name(n)] = a.targets.as_slice()
            && py_marked(&a.value)
        {
            self.loose.push((&a.value, Some(n.id.as_str())));
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                let r = ruff_text_size::Ranged::range(&*call.func);
                let name = self
                    .source
                    .get(r.start().to_usize()..r.end().to_usize())
                    .unwrap_or("");
                self.visit_expr(&call.func);
                let download = downloads(name);
                for (k, arg) in call.arguments.args.iter().enumerate() {
                    let saved = self.in_download_arg;
                    self.in_download_arg = download && k == 0;
                    self.visit_expr(arg);
                    self.in_download_arg = saved;
                }
                for kw in &call.arguments.keywords {
                    let saved = self.in_download_arg;
                    self.in_download_arg =
                        download && kw.arg.as_ref().is_some_and(|a| a.as_str() == "url");
                    self.visit_expr(&kw.value);
                    self.in_download_arg = saved;
                }
            }
            Expr::FString(_) if py_marked(expr) => {
                if !self.in_download_arg {
                    self.loose.push((expr, None));
                }
            }
            Expr::Name(n) if n.ctx.is_load() => {
                self.name_uses
                    .entry(n.id.as_str())
                    .or_default()
                    .push(self.in_download_arg);
            }
            _ => {
                let saved = self.in_download_arg;
                self.in_download_arg = false;
                visitor::walk_expr(self, expr);
                self.in_download_arg = saved;
            }
        }
    }
}

impl PyFileRule for BotTokenUrlPy {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Stmt(Stmt::FunctionDef(def)) = node else {
            return;
        };
        if !ctx.source.contains(FILE_URL) {
            return;
        }
        let mut uses = PyUses {
            loose: Vec::new(),
            name_uses: HashMap::new(),
            in_download_arg: false,
            source: ctx.source,
        };
        for stmt in &def.body {
            uses.visit_stmt(stmt);
        }
        let mut reported = Vec::new();
        for (expr, bound) in &uses.loose {
            if let Some(name) = bound {
                // Bound to a name: handed out unless every use downloads it.
                let all_downloads = uses
                    .name_uses
                    .get(name)
                    .is_some_and(|u| !u.is_empty() && u.iter().all(|d| *d));
                let unused = !uses.name_uses.contains_key(name);
                if all_downloads || unused {
                    continue;
                }
            }
            reported.push(ruff_text_size::Ranged::range(*expr));
        }
        for range in reported {
            ctx.report(META.id, range, MESSAGE, None);
        }
    }
}
