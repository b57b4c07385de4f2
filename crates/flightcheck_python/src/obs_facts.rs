//! Observability facts of one Python file: error-tracker init and report calls, `print`
//! output, health-check paths, HTTP servers and Redis clients (see [`ObservabilityFacts`]).

use crate::string_lit;
use flightcheck_core::{
    HealthPath, ObservabilityFacts, Owner, RedisClient, Span, TrackerCall, is_health_path,
};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

struct ObsWalk<'s> {
    source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    imported: &'s HashMap<String, String>,
    out: ObservabilityFacts,
    owner: Owner,
    try_depth: u32,
}

/// The error-tracking SDK a top-level module belongs to.
fn tracker_sdk(module: &str) -> Option<&'static str> {
    Some(match module {
        "sentry_sdk" | "raven" => "sentry",
        "rollbar" => "rollbar",
        "bugsnag" => "bugsnag",
        "honeybadger" => "honeybadger",
        "pybrake" | "airbrake" => "airbrake",
        "raygun4py" => "raygun",
        _ => return None,
    })
}

impl ObsWalk<'_> {
    fn span(&self, r: TextRange) -> Span {
        (self.span_of)(r)
    }

    fn text(&self, r: TextRange) -> String {
        let t = self
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        let first = t.lines().next().unwrap_or("");
        flightcheck_core::text::truncate(first.trim(), 80)
    }

    /// The dotted name `expr` refers to through the file's imports.
    fn qualify(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(n) => Some(
                self.imported
                    .get(n.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| n.id.to_string()),
            ),
            Expr::Attribute(a) => self
                .qualify(&a.value)
                .map(|base| format!("{base}.{}", a.attr.as_str())),
            Expr::Call(c) => self.qualify(&c.func),
            _ => None,
        }
    }

    fn tracker(&mut self, q: &str, call: &ast::ExprCall) {
        let top = q.split('.').next().unwrap_or("");
        let Some(sdk) = tracker_sdk(top) else { return };
        let last = q.rsplit('.').next().unwrap_or("");
        let init = match sdk {
            "raygun" => last == "RaygunSender",
            "airbrake" => matches!(last, "Notifier" | "getLogger"),
            "sentry" => matches!(last, "init" | "Client"),
            _ => matches!(last, "init" | "configure"),
        };
        let report = matches!(
            last,
            "capture_exception"
                | "capture_message"
                | "capture_event"
                | "captureException"
                | "report_exc_info"
                | "report_message"
                | "notify"
                | "send_exception"
        );
        if !(init || report) {
            return;
        }
        let fact = TrackerCall {
            sdk: sdk.to_string(),
            via: self.text(call.range()),
            span: self.span(call.range()),
            owner: self.owner.clone(),
        };
        if init {
            self.out.tracker_inits.push(fact);
        } else {
            self.out.tracker_reports.push(fact);
        }
    }

    fn redis(&mut self, q: &str, call: &ast::ExprCall) {
        let top = q.split('.').next().unwrap_or("");
        let last = q.rsplit('.').next().unwrap_or("");
        let is_redis_module = matches!(top, "redis" | "aioredis" | "coredis");
        if is_redis_module && matches!(last, "Sentinel" | "RedisCluster" | "StrictRedisCluster")
            || top == "rediscluster"
        {
            let via = self.text(call.range());
            self.out.redis_resilience.push(via);
            return;
        }
        let client = (is_redis_module
            && matches!(
                last,
                "Redis" | "StrictRedis" | "from_url" | "create_redis_pool" | "create_redis"
            ))
            || (top == "aiogram" && last == "RedisStorage")
            || (top == "aiogram" && q.contains("RedisStorage") && last == "from_url")
            || (last == "Celery"
                && call
                    .arguments
                    .keywords
                    .iter()
                    .filter(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "broker"))
                    .filter_map(|k| string_lit(&k.value))
                    .any(|b| b.starts_with("redis")));
        if client {
            let fact = RedisClient {
                via: self.text(call.range()),
                guarded: self.try_depth > 0,
                span: self.span(call.range()),
                owner: self.owner.clone(),
            };
            self.out.redis_clients.push(fact);
        }
    }
}

impl<'a> Visitor<'a> for ObsWalk<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::Try(t) = stmt {
            self.try_depth += 1;
            self.visit_body(&t.body);
            self.try_depth -= 1;
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                if let Some(ty) = &h.type_ {
                    let names = self.text(ty.range());
                    if names.contains("Redis") || names.contains("redis.") {
                        self.out.redis_resilience.push(format!("except {names}"));
                    }
                }
                self.visit_body(&h.body);
            }
            self.visit_body(&t.orelse);
            self.visit_body(&t.finalbody);
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Some(q) = self.qualify(&call.func)
        {
            self.tracker(&q, call);
            self.redis(&q, call);
            if q == "print" {
                let line = self.span(call.range()).line;
                self.out.console_lines.push(line);
            }
            let last = q.rsplit('.').next().unwrap_or("");
            let server = matches!(
                q.as_str(),
                "uvicorn.run"
                    | "aiohttp.web.run_app"
                    | "waitress.serve"
                    | "hypercorn.asyncio.serve"
            ) || matches!(last, "HTTPServer" | "ThreadingHTTPServer" | "TCPSite");
            if server && self.out.http_server.is_none() {
                self.out.http_server = Some(self.span(call.range()));
            }
            // Health routes: `@app.get("/health")`, `path("healthz/", …)`,
            // `router.add_get("/ping", …)`.
            let route_callee = matches!(
                last,
                "get"
                    | "head"
                    | "route"
                    | "api_route"
                    | "path"
                    | "re_path"
                    | "url"
                    | "add_get"
                    | "add_route"
                    | "add_url_rule"
                    | "add_api_route"
            );
            if let Some(path) = call.arguments.args.first().and_then(string_lit) {
                let trimmed = path.trim_start_matches('^').trim_end_matches('$');
                if route_callee
                    && is_health_path(trimmed)
                    && !path.contains(char::is_whitespace)
                    && path.len() < 80
                {
                    let span = self.span(call.range());
                    self.out.health_paths.push(HealthPath { path, span });
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// The observability facts of a module body.
pub(crate) fn extract(
    body: &[Stmt],
    source: &str,
    span_of: &dyn Fn(TextRange) -> Span,
    imported: &HashMap<String, String>,
) -> ObservabilityFacts {
    let mut walk = ObsWalk {
        source,
        span_of,
        imported,
        out: ObservabilityFacts::default(),
        owner: None,
        try_depth: 0,
    };
    for stmt in body {
        walk.owner = match stmt {
            // A decorated function is handed to its decorator when the module loads (a
            // route, a handler registration): it counts as used.
            Stmt::FunctionDef(f) if !f.decorator_list.is_empty() => None,
            Stmt::FunctionDef(f) => Some(f.name.to_string()),
            Stmt::ClassDef(c) => Some(c.name.to_string()),
            _ => None,
        };
        walk.visit_stmt(stmt);
    }
    walk.out
}

#[cfg(test)]
mod tests {
    use crate::analyze;

    #[test]
    fn tracker_calls_through_imports() {
        let f = analyze(
            "from sentry_sdk import capture_exception\nimport sentry_sdk as s\n\n\nasync def on_error(e):\n    capture_exception(e)\n\n\ns.init(dsn='x')\nprint('a')\n",
            &[],
        );
        let obs = &f.observability;
        assert_eq!(obs.tracker_reports.len(), 1, "{obs:?}");
        assert_eq!(obs.tracker_reports[0].owner.as_deref(), Some("on_error"));
        let decorated = analyze(
            "from sentry_sdk import capture_exception\n\n@dp.errors()\nasync def on_error(e):\n    capture_exception(e)\n",
            &[],
        );
        assert_eq!(decorated.observability.tracker_reports[0].owner, None);
        assert_eq!(obs.tracker_inits.len(), 1);
        assert_eq!(obs.console_lines, vec![10]);
    }

    #[test]
    fn health_routes_and_redis() {
        let f = analyze(
            "import redis\nfrom fastapi import APIRouter\nr = APIRouter()\n\n@r.get('/healthz')\nasync def h():\n    return 1\n\nc = redis.Redis.from_url('redis://x')\ntry:\n    c.get('k')\nexcept redis.exceptions.RedisError:\n    pass\n",
            &[],
        );
        let obs = &f.observability;
        assert_eq!(obs.health_paths.len(), 1, "{obs:?}");
        assert_eq!(obs.redis_clients.len(), 1);
        assert_eq!(obs.redis_resilience.len(), 1);
    }
}
