//! `observability/no-health-endpoint`: a long-running service the platform cannot probe.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::ops::{find_import, project_finding, running_files, searched, service};
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable, is_health_path,
};

pub static META: RuleMeta = RuleMeta {
    id: "observability/no-health-endpoint",
    severity: Severity::Medium,
    category: Category::Observability,
    fix_kind: FixKind::Code,
    summary: "A long-running service has no health or readiness endpoint",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 20,
    docs: r#"## What it does
For a project whose running code serves HTTP (express, fastify, koa, NestJS, FastAPI,
Flask, aiohttp, Django; Next.js only when deployed in containers), searches for a health,
readiness or liveness check: a route or controller whose path is `/health`, `/healthz`,
`/ready`, `/readyz`, `/live`, `/livez`, `/ping`, `/status`, `/heartbeat`…; a health
library (@godaddy/terminus, @nestjs/terminus, lightship, express-healthcheck,
fastapi-health, django-health-check, flask-healthz…); or a check in the deploy files
(Dockerfile `HEALTHCHECK`, compose `healthcheck:`, Kubernetes liveness/readiness/startup
probes, Render `healthCheckPath`, Railway `healthcheckPath`, Fly checks), which counts even
when it checks a process or a file.

A pure chat bot (polling, no HTTP) is reported, at low severity, only when the repository
deploys it on something that can check liveness (a Dockerfile, compose, Kubernetes, Fly or
Render config) and it offers nothing to check: no HTTP server and no healthcheck in the
deploy files. A bot without deploy files is not reported.

## Why it breaks production
Without a health endpoint, the orchestrator and the load balancer only know whether the
process exists. A server whose database pool is exhausted or whose event loop is stuck
keeps receiving traffic; a rolling deploy sends users to an instance that has not finished
starting; a hung bot is never restarted.

## Flagged
```js
const app = express();
app.post('/orders', createOrder);
app.listen(process.env.PORT);     // no /health, no probe in the deploy files
```

## Not flagged
```js
app.get('/healthz', (req, res) => res.json({ ok: true }));
```
```dockerfile
HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1
```

## Fix
Add a cheap `GET /healthz` (liveness) and a `/readyz` that checks the database and other
dependencies, and point the platform's probe at them. For a bot, run a tiny HTTP server
with a liveness route or a Docker `HEALTHCHECK` that checks a heartbeat.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn is_health_package(p: &str) -> bool {
    matches!(
        p,
        "@godaddy/terminus"
            | "@nestjs/terminus"
            | "lightship"
            | "express-healthcheck"
            | "express-health-check"
            | "express-actuator"
            | "fastify-healthcheck"
            | "@fastify/under-pressure"
            | "under-pressure"
            | "@hapi/healthcheck"
            | "fastapi_health"
            | "fastapi_healthchecks"
            | "health_check"
            | "django_healthchecks"
            | "watchman"
            | "flask_healthz"
            | "healthcheck"
            | "aiohttp_healthcheck"
            | "starlette_health"
    )
}

/// Words of deploy files that define a health check or probe (lower case).
const DEPLOY_HEALTH_WORDS: [&str; 11] = [
    "healthcheck",
    "healthcheckpath",
    "health_check",
    "health_check_path",
    "healthcheck_path",
    "livenessprobe",
    "readinessprobe",
    "startupprobe",
    "http_checks",
    "tcp_checks",
    "healthchecks",
];

/// A health check defined by the deploy files, as written.
fn deploy_health_check(ctx: &ProjectContext) -> Option<String> {
    let fly = ctx
        .project
        .deploy_files
        .iter()
        .any(|f| f.ends_with("fly.toml"));
    ctx.project
        .deploy_words
        .iter()
        .find(|w| {
            let lower = w.to_ascii_lowercase();
            DEPLOY_HEALTH_WORDS.contains(&lower.as_str()) || (fly && lower == "checks")
        })
        .cloned()
}

/// The project is deployed on something that can probe liveness.
fn deployed_with_probes(ctx: &ProjectContext) -> Option<String> {
    ctx.project
        .deploy_files
        .iter()
        .find(|f| {
            let name = f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase();
            // `docker-compose-example.yml` shows a setup; it deploys nothing.
            let template = ["example", "sample", "template"]
                .iter()
                .any(|w| name.contains(w))
                || f.split('/')
                    .any(|d| matches!(d, "tests" | "test" | "examples" | "example"));
            !template
                && (name.contains("dockerfile")
                    || name.contains("compose")
                    || name == "fly.toml"
                    || name == "render.yaml")
        })
        .cloned()
        .or_else(|| {
            ctx.ws
                .services
                .iter()
                .find(|s| {
                    s.kind == flightcheck_project::services::ServiceKind::Kubernetes
                        && ctx.project.deploy_files.contains(&s.file)
                })
                .map(|s| s.file.clone())
        })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let files = running_files(ctx);
    let Some(service) = service(ctx, &files) else {
        return Vec::new();
    };
    if deploy_health_check(ctx).is_some() || find_import(ctx, &files, is_health_package).is_some() {
        return Vec::new();
    }
    let has_health_path = files.iter().filter_map(|i| ctx.facts(*i)).any(|f| {
        !f.observability.health_paths.is_empty()
            || f.wiring.routes.iter().any(|r| is_health_path(&r.path))
    });
    if has_health_path {
        return Vec::new();
    }
    if !service.http.is_empty() {
        let mut finding = project_finding(
            ctx,
            &META,
            format!(
                "`{}` ({}) has no health or readiness endpoint and its deploy files define no health check",
                ctx.project.name,
                service.names()
            ),
        );
        // Point at a route, so the reader sees where the server's routes are declared.
        if let Some((file, route)) = files.iter().find_map(|i| {
            ctx.facts(*i)
                .and_then(|f| f.wiring.routes.first())
                .map(|r| (*i, r))
        }) {
            finding = finding.evidence(evidence_at(
                ctx,
                file,
                route.span,
                "a route of the service; no route has a health path".into(),
            ));
        }
        return vec![
            finding
                .evidence(searched(
                    &files,
                    "routes named /health, /healthz, /ready, /live, /ping, /status and health libraries (terminus, lightship, fastapi-health, django-health-check…); deploy files for HEALTHCHECK, healthcheck:, liveness/readiness probes",
                ))
                .impact("The platform only sees that the process exists: a stuck or half-started instance keeps receiving traffic and is never restarted.")
                .fix("Add GET /healthz (liveness) and /readyz (checks the database) and point the platform's probe at them.")
                .verify("`curl -f http://localhost:$PORT/healthz` returns 200; stop the database and `/readyz` fails."),
        ];
    }
    // A pure bot: only when deployed somewhere that could check it.
    let Some(deploy) = deployed_with_probes(ctx) else {
        return Vec::new();
    };
    let serves_http = files
        .iter()
        .filter_map(|i| ctx.facts(*i))
        .any(|f| f.observability.http_server.is_some());
    if serves_http {
        return Vec::new();
    }
    vec![
        project_finding(
            ctx,
            &META,
            format!(
                "`{}` ({}) is deployed with `{deploy}` but offers no liveness signal: no HTTP health route and no healthcheck in the deploy files",
                ctx.project.name,
                service.names()
            ),
        )
        .severity(Severity::Low)
        .evidence(Evidence {
            file: Some(deploy.clone()),
            line: None,
            snippet: None,
            note: "deploy file without a healthcheck".into(),
        })
        .evidence(searched(&files, "an HTTP server or health route; deploy files for HEALTHCHECK, healthcheck:, probes"))
        .impact("A bot that hangs (stuck polling loop, dead connection) keeps running and is never restarted.")
        .fix("Add a Docker/compose healthcheck that checks a heartbeat the bot updates, or a tiny HTTP liveness route.")
        .verify("docker inspect --format '{{.State.Health.Status}}' <container> shows healthy."),
    ]
}
