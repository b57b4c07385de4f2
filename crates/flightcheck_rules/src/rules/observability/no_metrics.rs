//! `observability/no-metrics`: a service or bot with no metrics library.

use crate::context::ProjectContext;
use crate::ops::{find_import, preloaded, project_finding, running_files, searched, service};
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "observability/no-metrics",
    severity: Severity::Low,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "A long-running service or bot exports no metrics",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
    docs: r#"## What it does
For a project whose running code serves HTTP (express, fastify, koa, NestJS, FastAPI,
Flask, aiohttp, Django) or runs a chat bot, searches the code that entry points reach for a
metrics library: prom-client, express-prom-bundle, fastify-metrics, `@opentelemetry/*`,
hot-shots / node-statsd, dd-trace, newrelic (Node); prometheus_client,
prometheus-fastapi-instrumentator, starlette-exporter, django-prometheus, opentelemetry,
statsd, datadog / ddtrace, newrelic (Python). An agent preloaded by a start script or the
deploy files (`node -r dd-trace/init`, `ddtrace-run`, `opentelemetry-instrument`,
`newrelic-admin`) counts. One finding per project.

## Why it breaks production
Without request rates, latencies, error counts and queue depths, the first sign of
trouble is a user complaint. Nobody can tell whether the last deploy made things slower, or
when the bot stopped answering.

## Flagged
```js
const app = express();
app.get('/orders', listOrders);
app.listen(3000);           // no prom-client, no OpenTelemetry, no StatsD
```

## Not flagged
```js
const promBundle = require('express-prom-bundle');
app.use(promBundle({ includeMethod: true }));
```
Libraries and scripts that no entry point runs as a service.

## Fix
Expose Prometheus metrics (`prom-client` / `prometheus_client`) or send them through
OpenTelemetry or StatsD: at least request count, latency and errors, plus a counter of
handled updates for a bot.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Packages (npm names or Python top-level modules) that export metrics.
pub fn is_metrics_package(p: &str) -> bool {
    p.starts_with("@opentelemetry/")
        || p.starts_with("opentelemetry")
        || p.starts_with("prometheus")
        || matches!(
            p,
            "prom-client"
                | "express-prom-bundle"
                | "express-prometheus-middleware"
                | "fastify-metrics"
                | "@willsoto/nestjs-prometheus"
                | "koa-prometheus-adv"
                | "hot-shots"
                | "node-statsd"
                | "statsd-client"
                | "lynx"
                | "dd-trace"
                | "newrelic"
                | "appmetrics"
                | "starlette_exporter"
                | "starlette_prometheus"
                | "django_prometheus"
                | "aioprometheus"
                | "statsd"
                | "datadog"
                | "ddtrace"
                | "elasticapm"
                | "elastic-apm-node"
        )
}

/// Preloads that bring an agent with metrics.
const METRIC_PRELOADS: [&str; 8] = [
    "dd-trace",
    "ddtrace",
    "newrelic",
    "opentelemetry",
    "@opentelemetry",
    "elastic-apm",
    "prom-client",
    "statsd",
];

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let files = running_files(ctx);
    let Some(service) = service(ctx, &files) else {
        return Vec::new();
    };
    if find_import(ctx, &files, is_metrics_package).is_some()
        || preloaded(ctx, &METRIC_PRELOADS).is_some()
    {
        return Vec::new();
    }
    vec![
        project_finding(
            ctx,
            &META,
            format!(
                "`{}` ({}) exports no metrics: no metrics library is imported by running code",
                ctx.project.name,
                service.names()
            ),
        )
        .evidence(searched(
            &files,
            "prom-client, @opentelemetry/*, StatsD, dd-trace, newrelic, prometheus_client, opentelemetry, statsd, ddtrace",
        ))
        .impact("Latency, error rates and stalls are invisible until users complain.")
        .fix("Export request count, latency and errors with prom-client/prometheus_client or OpenTelemetry.")
        .verify("`curl http://localhost:$PORT/metrics` (or the metrics backend) shows request counts after a few requests."),
    ]
}
