//! Verification of a route handler: whether it checks a signature, a secret or a token
//! before acting on the request, and which fetched status it confirms.

use super::Index;
use super::common::{collect_names, int_value, is_none_or_empty, last_seg, short};
use crate::dotted;
use flightcheck_core::wiring::Verification;
use ruff_python_ast::helpers::{any_over_body, any_over_expr};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

pub(super) struct VerifyScan<'i, 'a> {
    idx: &'i Index<'a>,
    source: &'i str,
    /// The condition that must hold for the code being scanned to run (`if SECRET:`).
    guard: Option<String>,
    verified: Option<String>,
    fail_open: Option<String>,
    hmac_new: Option<Option<String>>,
    compares: bool,
    depth: u32,
    seen: HashSet<String>,
    in_handler: bool,
    /// Locals holding the client's address (`ip = request.client.host`).
    client_vars: HashSet<String>,
    /// Locals assigned from a call, with the callee (`p = await get_payment_status(id)`).
    fetched: HashMap<String, String>,
    /// Callees whose result a rejecting branch checks (see `Route::confirmed_by`).
    pub(super) confirmations: Vec<String>,
    /// Callees whose answer alone a rejecting branch tests (see
    /// `Route::confirmed_by_answer`).
    pub(super) answer_confirmations: Vec<String>,
    /// Locals holding what the request carries (`form = await request.form()`,
    /// `signature = form["signature"]`, `sig = request.headers.get(...)`).
    request_vars: HashSet<String>,
    /// Locals computed by a call from at least one name the request did not supply
    /// (`expected = sign(PRIVATE_KEY + data)`): a value derived from the server's secret.
    computed_vars: HashSet<String>,
}

impl<'i, 'a> VerifyScan<'i, 'a> {
    pub(super) fn new(idx: &'i Index<'a>, source: &'i str) -> Self {
        Self {
            idx,
            source,
            guard: None,
            verified: None,
            fail_open: None,
            hmac_new: None,
            compares: false,
            depth: 0,
            seen: HashSet::new(),
            in_handler: false,
            client_vars: HashSet::new(),
            fetched: HashMap::new(),
            confirmations: Vec::new(),
            answer_confirmations: Vec::new(),
            request_vars: HashSet::new(),
            computed_vars: HashSet::new(),
        }
    }

    /// `e` reads the request: `request.form`, `await request.json()`, `request.headers[..]`,
    /// or a subscript/`get` of a local that holds request data.
    fn carries_request(&self, e: &Expr) -> bool {
        match e {
            Expr::Await(a) => self.carries_request(&a.value),
            Expr::Call(c) => {
                reads_request(&c.func)
                    || matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "get" && self.carries_request(&a.value))
            }
            Expr::Subscript(s) => self.carries_request(&s.value),
            Expr::Attribute(a) => {
                matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request")
                    || self.carries_request(&a.value)
            }
            Expr::Name(n) => {
                n.id.as_str() == "request" || self.request_vars.contains(n.id.as_str())
            }
            _ => false,
        }
    }

    /// `a == b` / `a != b` between a local the request carries and one computed from
    /// something else: the handler recomputes a value (a signature) and compares.
    fn compares_computed_with_request(&self, test: &Expr) -> bool {
        let Expr::Compare(c) = test else {
            return false;
        };
        if !c
            .ops
            .iter()
            .all(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq))
        {
            return false;
        }
        let Some(right) = c.comparators.first() else {
            return false;
        };
        let name = |e: &Expr| match e {
            Expr::Name(n) => Some(n.id.to_string()),
            _ => None,
        };
        let (Some(l), Some(r)) = (name(&c.left), name(right)) else {
            return false;
        };
        (self.request_vars.contains(&l) && self.computed_vars.contains(&r))
            || (self.request_vars.contains(&r) && self.computed_vars.contains(&l))
    }

    /// `name = <value>`: remember locals that hold the client address or a call's result.
    fn track_assignment(&mut self, name: &str, value: &Expr) {
        let inner = match value {
            Expr::Await(a) => &*a.value,
            e => e,
        };
        if self.carries_request(value) {
            self.request_vars.insert(name.to_string());
            return;
        }
        // A call over names the request did not supply (a key, a secret) besides what it
        // did: `sign(KEY + data + KEY)`, `hmac_sha256(secret, body)`.
        if let Expr::Call(c) = inner {
            let mut own = false;
            for arg in c
                .arguments
                .args
                .iter()
                .chain(c.arguments.keywords.iter().map(|k| &k.value))
            {
                let mut names = Vec::new();
                collect_names(arg, &mut names);
                if names
                    .iter()
                    .any(|n| *n != "request" && !self.request_vars.contains(*n))
                {
                    own = true;
                }
            }
            if own {
                self.computed_vars.insert(name.to_string());
            }
        }
        let reads_address = reads_client_address(value)
            || matches!(inner, Expr::Call(c) if matches!(&*c.func, Expr::Name(n)
                if self.idx.funcs.get(n.id.as_str()).is_some_and(|f| body_reads_client_address(&f.body))));
        if reads_address {
            self.client_vars.insert(name.to_string());
        } else if let Expr::Call(c) = inner
            && !reads_request(&c.func)
            && let Some(callee) = dotted(&c.func)
        {
            self.fetched.insert(name.to_string(), callee);
        }
    }

    /// The test reads the client address (directly or through a local holding it).
    fn mentions_client_address(&self, test: &Expr) -> bool {
        reads_client_address(test)
            || any_over_expr(
                test,
                &mut |x: &Expr| matches!(x, Expr::Name(n) if self.client_vars.contains(n.id.as_str())),
            )
    }

    /// Callees whose result's status the test compares: `p.get("status") != "succeeded"`,
    /// `p["status"] == "paid"`, `p.status != "succeeded"`.
    /// `if not is_paid:` with `is_paid = await check_payment(id)`: the fetched answer
    /// itself is the verdict. A truth test alone (unlike a status compared with
    /// `"succeeded"`) says nothing of what was asked, so the rule accepts it only when the
    /// callee reaches a payment provider's SDK.
    fn answer_check(&self, test: &Expr) -> Option<String> {
        let Expr::UnaryOp(u) = test else {
            return None;
        };
        let Expr::Name(n) = &*u.operand else {
            return None;
        };
        matches!(u.op, ast::UnaryOp::Not)
            .then(|| self.fetched.get(n.id.as_str()).cloned())
            .flatten()
    }

    fn status_checks(&self, test: &Expr) -> Vec<String> {
        let mut out = Vec::new();
        let _ = any_over_expr(test, &mut |x: &Expr| {
            if let Expr::Compare(c) = x {
                for side in std::iter::once(&*c.left).chain(c.comparators.iter()) {
                    if let Some(var) = status_of(side)
                        && let Some(callee) = self.fetched.get(var)
                        && !out.contains(callee)
                    {
                        out.push(callee.clone());
                    }
                }
            }
            false
        });
        out
    }

    fn text(&self, r: TextRange) -> &str {
        self.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    fn hit(&mut self, how: String) {
        match &self.guard {
            Some(g) => {
                if self.fail_open.is_none() {
                    self.fail_open = Some(format!("{how} runs only when `{g}`"));
                }
            }
            None => {
                if self.verified.is_none() {
                    self.verified = Some(how);
                }
            }
        }
    }

    pub(super) fn result(&self) -> Verification {
        if let Some(v) = &self.verified {
            return Verification::Verified(v.clone());
        }
        match (&self.hmac_new, self.compares) {
            (Some(None), true) => return Verification::Verified("hmac.new(...) compared".into()),
            (Some(Some(g)), true) if self.fail_open.is_none() => {
                return Verification::FailOpen(format!(
                    "hmac.new(...) compared runs only when `{g}`"
                ));
            }
            _ => {}
        }
        match &self.fail_open {
            Some(f) => Verification::FailOpen(f.clone()),
            None => Verification::None,
        }
    }

    /// A dependency or decorator of the route: verifying by name, or by its body when it
    /// is a function of this module.
    pub(super) fn dependency(&mut self, e: &Expr) {
        let Some(name) = last_seg(e) else { return };
        if verify_like_name(name) {
            self.hit(name.to_string());
            return;
        }
        if let Expr::Name(n) = e
            && let Some(f) = self.idx.funcs.get(n.id.as_str()).copied()
        {
            self.function(f, false);
        }
    }

    /// The method `name` when exactly one class of the module defines it (with two, which
    /// one `self` is cannot be told here).
    fn only_method(&self, name: &str) -> Option<&'a ast::StmtFunctionDef> {
        let mut found = self.idx.classes.values().filter_map(|c| {
            c.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(f) if f.name.as_str() == name => Some(f),
                _ => None,
            })
        });
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    pub(super) fn function(&mut self, f: &'a ast::StmtFunctionDef, handler: bool) {
        if self.depth > 3 || !self.seen.insert(f.name.to_string()) {
            return;
        }
        self.depth += 1;
        let prev = std::mem::replace(&mut self.in_handler, handler);
        // `Depends(verify)` defaults of a dependency's own parameters.
        for p in f.parameters.iter_non_variadic_params() {
            if let Some(Expr::Call(c)) = p.default()
                && matches!(last_seg(&c.func), Some("Depends" | "Security"))
                && let Some(d) = c.arguments.args.first()
            {
                self.dependency(d);
            }
        }
        self.visit_body(&f.body);
        self.in_handler = prev;
        self.depth -= 1;
    }

    /// `SECRET`, `settings.secret`, `os.getenv("X")`, `SECRET is not None`: a condition on
    /// configuration (or on an optional header). `Some(true)` when it holds if the secret is
    /// set, `Some(false)` for the negation.
    fn config_test(e: &Expr) -> Option<bool> {
        match e {
            Expr::Name(_) | Expr::Attribute(_) => Some(true),
            Expr::Call(c) => {
                matches!(last_seg(&c.func), Some("get" | "getenv" | "bool")).then_some(true)
            }
            // `if self.secret and self.client:`: the body runs only when every one is set.
            Expr::BoolOp(b) if matches!(b.op, ast::BoolOp::And) => b
                .values
                .iter()
                .all(|v| Self::config_test(v) == Some(true))
                .then_some(true),
            Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => {
                Self::config_test(&u.operand).map(|b| !b)
            }
            Expr::Compare(c) if c.comparators.len() == 1 => {
                let other = &c.comparators[0];
                if !is_none_or_empty(other)
                    || !matches!(&*c.left, Expr::Name(_) | Expr::Attribute(_))
                {
                    return None;
                }
                match c.ops.first()? {
                    ast::CmpOp::IsNot | ast::CmpOp::NotEq => Some(true),
                    ast::CmpOp::Is | ast::CmpOp::Eq => Some(false),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A comparison of a secret/signature/token value: `header != WEBHOOK_SECRET`.
    fn secret_compare(e: &Expr) -> bool {
        any_over_expr(e, &mut |x: &Expr| match x {
            Expr::Compare(c) => {
                c.ops
                    .iter()
                    .any(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq))
                    && !c.comparators.iter().any(is_none_or_empty)
                    && std::iter::once(&*c.left)
                        .chain(c.comparators.iter())
                        .any(mentions_secret)
            }
            _ => false,
        })
    }
}

/// An operand that names a secret: `x_telegram_bot_api_secret_token`, `settings.WEBHOOK_SECRET`,
/// `request.headers.get("X-Hub-Signature-256")`.
fn mentions_secret(e: &Expr) -> bool {
    const WORDS: [&str; 5] = ["secret", "signature", "token", "hmac", "api_key"];
    any_over_expr(e, &mut |x: &Expr| {
        let text = match x {
            Expr::Name(n) => n.id.to_ascii_lowercase(),
            Expr::Attribute(a) => a.attr.to_ascii_lowercase(),
            Expr::StringLiteral(s) => s.value.to_str().to_ascii_lowercase(),
            _ => return false,
        };
        WORDS.iter().any(|w| text.contains(w)) || text.contains("x-hub-sig")
    })
}

/// `request.client.host`, `request.remote_addr`, aiohttp's `request.remote`, Flask's
/// `access_route`, or a proxy header naming the client (`X-Forwarded-For`, `X-Real-IP`).
fn reads_client_address(e: &Expr) -> bool {
    any_over_expr(e, &mut |x: &Expr| match x {
        Expr::Attribute(a) => {
            (a.attr.as_str() == "host"
                && matches!(&*a.value, Expr::Attribute(inner) if inner.attr.as_str() == "client"))
                || matches!(a.attr.as_str(), "remote_addr" | "access_route")
                || (a.attr.as_str() == "remote"
                    && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request"))
        }
        Expr::StringLiteral(s) => matches!(
            s.value.to_str().to_ascii_lowercase().as_str(),
            "x-forwarded-for" | "x-real-ip" | "cf-connecting-ip"
        ),
        _ => false,
    })
}

/// A module-level helper that reads the client address (`def _client_ip(request): …`).
fn body_reads_client_address(body: &[Stmt]) -> bool {
    any_over_body(body, &|x: &Expr| reads_client_address(x))
}

/// A read of the request itself (`await request.json()`, `request.get_json()`), not a
/// call that fetches state from elsewhere.
fn reads_request(func: &Expr) -> bool {
    let Expr::Attribute(a) = func else {
        return false;
    };
    matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "request")
        || matches!(
            a.attr.as_str(),
            "json" | "body" | "form" | "get_json" | "get_data" | "text" | "read" | "post"
        )
}

/// The local whose status `e` reads: `p.get("status")`, `p["status"]`, `p.status`.
fn status_of(e: &Expr) -> Option<&str> {
    const FIELDS: [&str; 4] = ["status", "paid", "state", "payment_status"];
    let (base, field) = match e {
        Expr::Call(c) if last_seg(&c.func) == Some("get") => {
            let Expr::Attribute(a) = &*c.func else {
                return None;
            };
            let Some(Expr::StringLiteral(key)) = c.arguments.args.first() else {
                return None;
            };
            (&*a.value, key.value.to_str().to_string())
        }
        Expr::Subscript(s) => {
            let Expr::StringLiteral(key) = &*s.slice else {
                return None;
            };
            (&*s.value, key.value.to_str().to_string())
        }
        Expr::Attribute(a) => (&*a.value, a.attr.to_string()),
        _ => return None,
    };
    let Expr::Name(n) = base else {
        return None;
    };
    FIELDS.contains(&field.as_str()).then_some(n.id.as_str())
}

/// Callees of the calls the statements make directly (`x = f(...)`, `await f(...)`,
/// `f(...)`), as dotted names.
fn direct_callees(body: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    for stmt in body {
        let value = match stmt {
            Stmt::Assign(a) => Some(&*a.value),
            Stmt::AnnAssign(a) => a.value.as_deref(),
            Stmt::Expr(e) => Some(&*e.value),
            Stmt::Return(r) => r.value.as_deref(),
            _ => None,
        };
        let value = match value {
            Some(Expr::Await(a)) => Some(&*a.value),
            v => v,
        };
        if let Some(Expr::Call(c)) = value
            && let Some(callee) = dotted(&c.func)
            && !out.contains(&callee)
        {
            out.push(callee);
        }
    }
    out
}

/// The block rejects the request: raises, aborts, or answers 400/401/403/5xx.
pub(super) fn rejects(body: &[Stmt], in_handler: bool) -> bool {
    struct Finder {
        found: bool,
        in_handler: bool,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Raise(_) => self.found = true,
                // In a helper the handler calls: `return False`, or a bare `return` that
                // leaves before the helper acts (`if not is_paid: log(...); return`).
                Stmt::Return(r)
                    if !self.in_handler
                        && r.value.as_deref().is_none_or(|v| {
                            matches!(v, Expr::BooleanLiteral(b) if !b.value)
                                || matches!(v, Expr::NoneLiteral(_))
                        }) =>
                {
                    self.found = true;
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            let hit = match expr {
                Expr::NumberLiteral(_) => {
                    matches!(int_value(expr), Some(400 | 401 | 403 | 500 | 503))
                }
                Expr::Name(_) | Expr::Attribute(_) => last_seg(expr).is_some_and(|n| {
                    [
                        "Forbidden",
                        "Unauthorized",
                        "HTTP_401",
                        "HTTP_403",
                        "HTTP_400",
                        "PermissionDenied",
                        "BadRequest",
                        "NotAuthenticated",
                    ]
                    .iter()
                    .any(|k| n.contains(k))
                        || n == "abort"
                }),
                Expr::StringLiteral(s) => {
                    let t = s.value.to_str().to_ascii_lowercase();
                    [
                        "forbidden",
                        "unauthorized",
                        "invalid signature",
                        "invalid token",
                    ]
                    .iter()
                    .any(|k| t.contains(k))
                }
                _ => false,
            };
            self.found |= hit;
            visitor::walk_expr(self, expr);
        }
    }
    let mut f = Finder {
        found: false,
        in_handler,
    };
    for s in body {
        f.visit_stmt(s);
    }
    f.found
}

fn ends_in_exit(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

impl<'a> Visitor<'a> for VerifyScan<'_, 'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        let saved = self.guard.clone();
        for stmt in body {
            self.visit_stmt(stmt);
            // `if not SECRET: return True` in a verifier: the rest runs only with a secret.
            if let Stmt::If(i) = stmt
                && Self::config_test(&i.test) == Some(false)
                && i.elif_else_clauses.is_empty()
                && ends_in_exit(&i.body)
                && !rejects(&i.body, self.in_handler)
                && !self.in_handler
                && self.guard.is_none()
            {
                self.guard = Some(self.text(i.test.range()).to_string());
            }
        }
        self.guard = saved;
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => {
                if let Expr::Name(n) = &a.targets[0] {
                    self.track_assignment(n.id.as_str(), &a.value);
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(v)) = (&*a.target, a.value.as_deref()) {
                    self.track_assignment(n.id.as_str(), v);
                }
            }
            _ => {}
        }
        // `try: result = handle_webhook(payload, sig_header=sig) except ValueError: raise
        // HTTPBadRequest`: the request is refused when a callee of the `try` raises, as
        // when a branch checks its result.
        if let Stmt::Try(t) = stmt
            && self.in_handler
            && t.handlers.iter().any(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                rejects(&h.body, true)
            })
        {
            for callee in direct_callees(&t.body) {
                if !self.confirmations.contains(&callee) {
                    self.confirmations.push(callee);
                }
            }
        }
        let Stmt::If(i) = stmt else {
            visitor::walk_stmt(self, stmt);
            return;
        };
        let test_text = self.text(i.test.range()).to_string();
        // `if expected == signature: act` or `if expected != signature: raise`: a value the
        // handler recomputes, compared with the one the request carries.
        if self.in_handler
            && self.compares_computed_with_request(&i.test)
            && (rejects(&i.body, true)
                || matches!(&*i.test, Expr::Compare(c) if c.ops.iter().all(|o| matches!(o, ast::CmpOp::Eq))))
        {
            self.hit(format!("`{}`", short(&test_text)));
        }
        if rejects(&i.body, self.in_handler) {
            // `if not allowed(client_ip): raise HTTPException(403)`: an address allowlist.
            if self.mentions_client_address(&i.test) {
                self.hit(format!("client address checked: `{}`", short(&test_text)));
            }
            for callee in self.status_checks(&i.test) {
                if !self.confirmations.contains(&callee) {
                    self.confirmations.push(callee);
                }
            }
            if let Some(callee) = self.answer_check(&i.test)
                && !self.answer_confirmations.contains(&callee)
            {
                self.answer_confirmations.push(callee);
            }
        }
        let saved = self.guard.clone();
        match Self::config_test(&i.test) {
            Some(true) => {
                let else_rejects = i
                    .elif_else_clauses
                    .iter()
                    .any(|c| c.test.is_none() && rejects(&c.body, self.in_handler));
                if !else_rejects && self.guard.is_none() {
                    self.guard = Some(test_text);
                }
                self.visit_body(&i.body);
                self.guard = saved.clone();
                for c in &i.elif_else_clauses {
                    self.visit_body(&c.body);
                }
            }
            Some(false) => {
                let body_rejects = rejects(&i.body, self.in_handler);
                self.visit_body(&i.body);
                if !body_rejects && self.guard.is_none() {
                    self.guard = Some(match test_text.strip_prefix("not ") {
                        Some(inner) => inner.trim().to_string(),
                        None => format!("not ({test_text})"),
                    });
                }
                for c in &i.elif_else_clauses {
                    self.visit_body(&c.body);
                }
                self.guard = saved;
            }
            None => {
                let branch_rejects = rejects(&i.body, self.in_handler)
                    || i.elif_else_clauses
                        .iter()
                        .any(|c| rejects(&c.body, self.in_handler));
                if Self::secret_compare(&i.test) && branch_rejects {
                    // `if SECRET and header != SECRET: raise ...`: skipped without a secret.
                    let gate = match &*i.test {
                        Expr::BoolOp(b) if matches!(b.op, ast::BoolOp::And) => b
                            .values
                            .iter()
                            .find(|v| Self::config_test(v) == Some(true))
                            .map(|v| self.text(v.range()).to_string()),
                        _ => None,
                    };
                    let how = format!("`{}` compared", short(&test_text));
                    match gate {
                        Some(g) if self.guard.is_none() => {
                            self.guard = Some(g);
                            self.hit(how);
                            self.guard = saved.clone();
                        }
                        _ => self.hit(how),
                    }
                }
                self.visit_expr(&i.test);
                self.visit_body(&i.body);
                for c in &i.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.visit_expr(t);
                    }
                    self.visit_body(&c.body);
                }
            }
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                let func = &*c.func;
                let name = last_seg(func).unwrap_or("");
                let d = dotted(func).unwrap_or_default();
                if name == "compare_digest"
                    || name == "construct_event"
                    || name == "construct_from" && d.contains("Webhook")
                    || d.contains("WebhookSignature")
                {
                    self.hit(format!("{d}()"));
                } else if name == "validate"
                    && c.func.as_attribute_expr().is_some_and(|a| {
                        self.text(a.value.range())
                            .to_ascii_lowercase()
                            .contains("validator")
                    })
                {
                    self.hit(format!("{}()", short(self.text(func.range()))));
                } else if d == "hmac.new" || d == "hmac.HMAC" {
                    if self.hmac_new.is_none() {
                        self.hmac_new = Some(self.guard.clone());
                    }
                } else if verify_like_name(name) {
                    self.hit(format!("{name}()"));
                } else if let Expr::Name(n) = func
                    && let Some(f) = self.idx.funcs.get(n.id.as_str()).copied()
                {
                    self.function(f, false);
                } else if let Expr::Attribute(a) = func
                    && matches!(&*a.value, Expr::Name(o) if o.id.as_str() == "self")
                    && let Some(f) = self.only_method(a.attr.as_str())
                {
                    // `self.signature_ok(body, sig)`: the method of this module's class.
                    self.function(f, false);
                }
            }
            Expr::Compare(c)
                if c.ops
                    .iter()
                    .any(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq)) =>
            {
                self.compares = true;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// A call name that verifies a signature or secret: `verify_signature`, `validate_token`,
/// `check_hmac`.
fn verify_like_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["verify", "valid", "check", "require", "authenticat"]
        .iter()
        .any(|k| n.contains(k))
        && [
            "sign",
            "secret",
            "token",
            "hmac",
            "webhook",
            "hash",
            // Telegram Web App `initData` carries an HMAC; an OAuth callback is proven by
            // the `state` it was issued with.
            "init_data",
            "initdata",
            "oauth_state",
        ]
        .iter()
        .any(|k| n.contains(k))
}
