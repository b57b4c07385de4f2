//! HTTP routes of FastAPI, Flask, aiohttp and Django: registered by decorator or by call,
//! with their prefixes, dependencies and how their handlers verify callers.

use super::Walker;
use super::common::{kw, last_seg, str_list, str_lit};
use super::verify::VerifyScan;
use flightcheck_core::Framework;
use flightcheck_core::wiring::{Owner, Route, Verification};
use ruff_python_ast::helpers::any_over_body;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashSet;

impl<'a> Walker<'_, '_, 'a> {
    pub(super) fn route_decorator(
        &mut self,
        def: &'a ast::StmtFunctionDef,
        dec: &'a ast::Decorator,
        call: &'a ast::ExprCall,
        method: &str,
        other_decorators: &[&'a ast::Decorator],
        owner: &Owner,
    ) {
        let framework = if self.has(Framework::FastApi) {
            Framework::FastApi
        } else if self.has(Framework::Flask) {
            Framework::Flask
        } else if self.has(Framework::Aiohttp) {
            Framework::Aiohttp
        } else {
            return;
        };
        let args = &call.arguments.args;
        let (methods, path_arg) = match method {
            "route" if framework == Framework::Aiohttp => {
                let Some(m) = args.first().and_then(str_lit) else {
                    return;
                };
                (vec![m], args.get(1))
            }
            "route" | "api_route" => {
                let methods = match kw(call, "methods") {
                    Some(m) => match str_list(m) {
                        Some(v) => v,
                        None => vec!["ALL".into()],
                    },
                    None => vec!["GET".into()],
                };
                (methods, args.first())
            }
            m => (vec![m.to_string()], args.first()),
        };
        // `@x.get` must carry a path (literal or computed), or it is some other `.get`.
        let path_arg = path_arg
            .or_else(|| kw(call, "path"))
            .or_else(|| kw(call, "rule"));
        let Some(path_arg) = path_arg else {
            return;
        };
        let path = format!(
            "{}{}",
            self.router_prefix(&call.func),
            str_lit(path_arg).unwrap_or_default()
        );
        let mut middlewares = Vec::new();
        let mut deps: Vec<&'a Expr> = Vec::new();
        if let Some(Expr::List(l)) = kw(call, "dependencies") {
            for d in &l.elts {
                let Expr::Call(c) = d else { continue };
                if matches!(last_seg(&c.func), Some("Depends" | "Security")) {
                    if let Some(f) = c.arguments.args.first() {
                        middlewares.push(self.text(f.range()).to_string());
                        deps.push(f);
                    }
                } else {
                    // A factory returning `Depends(...)`: `require_permission("orders.update")`.
                    middlewares.push(self.text(c.func.range()).to_string());
                }
            }
        }
        for d in other_decorators {
            let callee = match &d.expression {
                Expr::Call(c) => &*c.func,
                e => e,
            };
            middlewares.push(self.text(callee.range()).to_string());
            deps.push(callee);
        }
        self.push_route(
            framework,
            methods,
            path,
            Some(def),
            middlewares,
            deps,
            dec.range(),
            owner.clone(),
        );
    }

    /// The prefix of the router a route decorator belongs to, when the module makes that
    /// router once: `router = APIRouter(prefix="/auth/oauth")`, Flask
    /// `bp = Blueprint("x", __name__, url_prefix="/pay")`. Part of the route's path.
    fn router_prefix(&self, decorator_func: &Expr) -> String {
        let Expr::Attribute(a) = decorator_func else {
            return String::new();
        };
        let Expr::Name(receiver) = &*a.value else {
            return String::new();
        };
        let Some(Some(Expr::Call(c))) = self.idx.single_assigns.get(receiver.id.as_str()) else {
            return String::new();
        };
        if !matches!(last_seg(&c.func), Some("APIRouter" | "Blueprint")) {
            return String::new();
        }
        kw(c, "prefix")
            .or_else(|| kw(c, "url_prefix"))
            .and_then(str_lit)
            .map(|p| p.trim_end_matches('/').to_string())
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn push_route(
        &mut self,
        framework: Framework,
        methods: Vec<String>,
        path: String,
        handler: Option<&'a ast::StmtFunctionDef>,
        mut middlewares: Vec<String>,
        mut deps: Vec<&'a Expr>,
        r: TextRange,
        owner: Owner,
    ) {
        let (verification, reads_body, confirmed_by) = match handler {
            Some(def) => {
                for p in def.parameters.iter_non_variadic_params() {
                    if let Some(Expr::Call(c)) = p.default()
                        && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                        && let Some(f) = c.arguments.args.first()
                    {
                        middlewares.push(self.text(f.range()).to_string());
                        deps.push(f);
                    }
                    // `admin: CurrentAdmin`, where `CurrentAdmin = Annotated[Admin,
                    // Depends(get_current_admin)]` lives in another module: the alias names
                    // the dependency (judged by `authenticated` like middleware names).
                    if let Some(Expr::Name(alias)) = p.annotation()
                        && (self.idx.imported_top.contains(alias.id.as_str())
                            || matches!(
                                self.idx.single_assigns.get(alias.id.as_str()),
                                Some(Some(Expr::Subscript(s))) if last_seg(&s.value) == Some("Annotated")
                            ))
                    {
                        middlewares.push(alias.id.to_string());
                    }
                    if let Some(Expr::Subscript(s)) = p.annotation()
                        && last_seg(&s.value) == Some("Annotated")
                        && let Expr::Tuple(t) = &*s.slice
                    {
                        for m in t.elts.iter().skip(1) {
                            if let Expr::Call(c) = m
                                && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                                && let Some(f) = c.arguments.args.first()
                            {
                                middlewares.push(self.text(f.range()).to_string());
                                deps.push(f);
                            }
                        }
                    }
                }
                let mut scan = VerifyScan::new(self.idx, self.m.source);
                for d in &deps {
                    scan.dependency(d);
                }
                scan.function(def, true);
                (
                    scan.result(),
                    reads_body(def, framework == Framework::FastApi),
                    std::mem::take(&mut scan.confirmations),
                )
            }
            None => (Verification::None, false, Vec::new()),
        };
        let span = self.span(r);
        for m in methods {
            self.out.routes.push(Route {
                framework,
                method: m.to_ascii_uppercase(),
                path: path.clone(),
                middlewares: middlewares.clone(),
                verification: verification.clone(),
                reads_body,
                confirmed_by: confirmed_by.clone(),
                span,
                owner: owner.clone(),
            });
        }
    }

    /// A route registered by a call whose handler is `handler`: resolved to a function of
    /// this module, or skipped when it lives elsewhere and the route looks like a webhook
    /// (its verification cannot be judged from here).
    pub(super) fn route_call(
        &mut self,
        framework: Framework,
        methods: Vec<String>,
        path_arg: Option<&Expr>,
        handler: Option<&'a Expr>,
        r: TextRange,
    ) {
        let path = path_arg.and_then(str_lit).unwrap_or_default();
        let Some(handler) = handler else {
            return;
        };
        let def = match handler {
            Expr::Name(n) => self.idx.funcs.get(n.id.as_str()).copied(),
            _ => None,
        };
        if def.is_none()
            && (looks_like_webhook(&path) || looks_like_webhook(self.text(handler.range())))
        {
            return;
        }
        let owner = self.owner.clone();
        self.push_route(
            framework,
            methods,
            path,
            def,
            Vec::new(),
            Vec::new(),
            r,
            owner,
        );
    }
}

/// A path or handler name that says "webhook or callback".
fn looks_like_webhook(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "webhook", "hook", "callback", "stripe", "payment", "ipn", "notify", "twilio", "telegram",
        "github", "paypal", "monero",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// The handler reads the request body: `await request.json()`, `request.get_json()`,
/// `request.POST`, or (FastAPI) a body-model parameter.
fn reads_body(def: &ast::StmtFunctionDef, fastapi: bool) -> bool {
    let mut names: HashSet<String> = ["request".to_string(), "req".to_string()].into();
    for p in def.parameters.iter_non_variadic_params() {
        names.insert(p.parameter.name.to_string());
        if fastapi && is_body_param(p) {
            return true;
        }
    }
    const BODY: [&str; 14] = [
        "json",
        "body",
        "read",
        "get_json",
        "data",
        "POST",
        "form",
        "text",
        "post",
        "get_data",
        "files",
        "stream",
        "content",
        "multipart",
    ];
    any_over_body(&def.body, |e| match e {
        Expr::Attribute(a) => {
            BODY.contains(&a.attr.as_str())
                && matches!(&*a.value, Expr::Name(n) if names.contains(n.id.as_str()))
        }
        _ => false,
    })
}

/// A FastAPI parameter bound to the request body.
fn is_body_param(p: &ast::ParameterWithDefault) -> bool {
    if let Some(Expr::Call(c)) = p.default() {
        match last_seg(&c.func) {
            Some("Body" | "Form" | "File") => return true,
            Some("Depends" | "Security" | "Header" | "Query" | "Path" | "Cookie") => return false,
            _ => {}
        }
    }
    let Some(mut ann) = p.annotation() else {
        return false;
    };
    if let Expr::Subscript(s) = ann
        && last_seg(&s.value) == Some("Annotated")
        && let Expr::Tuple(t) = &*s.slice
    {
        for m in t.elts.iter().skip(1) {
            if let Expr::Call(c) = m {
                match last_seg(&c.func) {
                    Some("Body" | "Form" | "File") => return true,
                    Some("Depends" | "Security" | "Header" | "Query" | "Path" | "Cookie") => {
                        return false;
                    }
                    _ => {}
                }
            }
        }
        match t.elts.first() {
            Some(first) => ann = first,
            None => return false,
        }
    }
    if let Expr::Subscript(s) = ann
        && last_seg(&s.value) == Some("Optional")
    {
        ann = &s.slice;
    }
    if let Expr::BinOp(b) = ann
        && matches!(b.op, ast::Operator::BitOr)
    {
        ann = &b.left;
    }
    let ty = match ann {
        Expr::Subscript(s) => last_seg(&s.value),
        e => last_seg(e),
    };
    match ty {
        Some("dict" | "Dict") => true,
        Some(
            "Request" | "Response" | "BackgroundTasks" | "WebSocket" | "HTTPConnection"
            | "AsyncSession" | "Session" | "Connection" | "UUID" | "Decimal" | "Optional" | "List"
            | "Any" | "Literal",
        ) => false,
        Some(t) => t.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
        None => false,
    }
}
