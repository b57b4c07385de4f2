//! `availability/no-restart-policy`: a deployment definition that leaves a crashed process
//! down.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::services::{Service, ServiceKind, image_name, is_dev_compose};

pub static META: RuleMeta = RuleMeta {
    id: "availability/no-restart-policy",
    severity: Severity::Medium,
    category: Category::Availability,
    fix_kind: FixKind::Ops,
    summary: "A deployment definition that does not restart the process when it crashes",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Reads the deployment definitions of the repository and reports the long-running processes
that nothing restarts:
- compose services without `restart:` or `deploy.restart_policy`, in compose files that run
  the application (a service with `build:` or an image that is not stock infrastructure),
  counting every compose file of the folder (`docker-compose.prod.yml` may add the policy)
  and `<<: *defaults` merge keys and `extends:`;
- systemd units whose `[Service]` has no `Restart=` (systemd's default is `Restart=no`);
- Kubernetes bare `Pod`s (Deployments, StatefulSets and DaemonSets recreate their Pods);
- PM2 apps with `autorestart: false`;
- `docker run -d` in shell scripts and Makefiles without `--restart`.

Not judged: one-shot services (their command migrates, seeds, builds or tests; others wait
for them with `service_completed_successfully`; names such as `migrate`, `setup`),
`restart: "no"` and `Restart=no` set on purpose, `Type=oneshot` units, services behind a
compose `profiles:` switch, swarm services with a `deploy:` section (swarm restarts tasks by
default), development tools (adminer, pgadmin, mailhog…), PM2 apps with `cron_restart`,
`docker run --rm`, compose files for development or tests (`docker-compose.dev.yml`,
`*.override.yml`, `*.test.yml`, files under `tests/`), services set up for development (a
`npm run dev`/`nodemon`/`--reload` command, or the source tree mounted with `.:/app`, or a
service's build folder mounted back over it: `build: ./api` with `./api:/srv`) and
every other service of a file that holds one (its database and cache run on the same
developer machine), and
platforms that restart by themselves (Heroku `Procfile`, Render, Railway, Fly, Vercel).

## Why it breaks production
Processes crash: an unhandled rejection, an out-of-memory kill, a network error at
startup. Docker, systemd and PM2 restart them only when told to, and a host reboot for a
kernel update leaves every container without a restart policy stopped. The bot stops
answering until someone notices and logs in.

## Flagged
```yaml
# docker-compose.yml
services:
  bot:
    build: .
    env_file: .env
```
```ini
# deploy/bot.service
[Service]
ExecStart=/usr/bin/python3 /opt/bot/main.py
```
`docker run -d --name bot --env-file .env bot:latest` in `deploy.sh`.

## Not flagged
```yaml
services:
  bot:
    build: .
    restart: unless-stopped
  migrate:
    build: .
    command: alembic upgrade head
```
`Restart=on-failure` in the unit; a Kubernetes `Deployment`; a Heroku `Procfile`.

## Fix
Add `restart: unless-stopped` (compose), `Restart=always` with `RestartSec=5` (systemd),
run the Pod from a Deployment, drop `autorestart: false` (PM2), or add
`--restart unless-stopped` to `docker run`.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.services().next().is_some()
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Images of infrastructure a stack runs beside its own code (databases, caches, proxies).
const INFRA_IMAGES: [&str; 22] = [
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "keydb",
    "memcached",
    "rabbitmq",
    "nats",
    "kafka",
    "zookeeper",
    "elasticsearch",
    "opensearch",
    "minio",
    "nginx",
    "traefik",
    "caddy",
    "haproxy",
    "adminer",
    "pgadmin",
];

fn is_infra_image(image: &str) -> bool {
    let base = image_name(image);
    INFRA_IMAGES.iter().any(|i| base.starts_with(i))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let all: Vec<&Service> = ctx.services().collect();
    // Every compose file of a folder merges into one deployment: what the folder's files
    // say together, computed once per folder (one pass over the services, not one per
    // service: a compose file with thousands of services stays linear).
    #[derive(Default)]
    struct Folder<'s> {
        runs_app: bool,
        covered: std::collections::HashSet<&'s str>,
        files: std::collections::BTreeSet<&'s str>,
    }
    let mut folders: std::collections::HashMap<&str, Folder> = Default::default();
    // A file whose application runs as a development setup (the source mounted, a dev
    // server) runs on a developer's machine: every service in it is development.
    let dev_files: std::collections::HashSet<&str> = ctx
        .ws
        .services
        .iter()
        .filter(|s| {
            s.kind == ServiceKind::Compose
                && s.exempt
                    .as_deref()
                    .is_some_and(|e| e.starts_with("a development setup"))
        })
        .map(|s| s.file.as_str())
        .collect();
    for c in ctx
        .ws
        .services
        .iter()
        .filter(|s| s.kind == ServiceKind::Compose)
    {
        let folder = folders.entry(dir_of(&c.file)).or_default();
        folder.files.insert(&c.file);
        // Development files neither run the deployment nor cover it.
        if is_dev_compose(&c.file) || dev_files.contains(c.file.as_str()) {
            continue;
        }
        if c.build || c.image.as_deref().is_some_and(|i| !is_infra_image(i)) {
            folder.runs_app = true;
        }
        if c.restart.is_some() || c.exempt.is_some() {
            folder.covered.insert(&c.name);
        }
    }
    let mut out = Vec::new();
    for s in &all {
        if s.exempt.is_some() {
            continue;
        }
        let finding = match s.kind {
            ServiceKind::Compose => {
                if is_dev_compose(&s.file) || dev_files.contains(s.file.as_str()) {
                    continue;
                }
                let Some(folder) = folders.get(dir_of(&s.file)) else {
                    continue;
                };
                if !folder.runs_app || folder.covered.contains(s.name.as_str()) {
                    continue;
                }
                let files: Vec<String> = folder.files.iter().map(|f| format!("`{f}`")).collect();
                Finding::new(
                    &META,
                    format!(
                        "compose service `{}` in `{}` has no restart policy: after a crash or a reboot of the Docker host it stays down",
                        s.name, s.file
                    ),
                )
                .evidence(Evidence::at(&s.file, s.line, format!("{}:", s.name), "the service"))
                .evidence(Evidence::searched(format!(
                    "searched {} for `restart:` or `deploy.restart_policy` of `{}`: none",
                    files.join(", "),
                    s.name
                )))
                .fix(format!("Add `restart: unless-stopped` to the `{}` service.", s.name))
                .verify(format!(
                    "`docker compose up -d`, then `docker kill --signal=SIGKILL` the `{}` container's process (or reboot the host): it comes back.",
                    s.name
                ))
            }
            ServiceKind::Systemd => {
                if s.restart.is_some() {
                    continue;
                }
                Finding::new(
                    &META,
                    format!(
                        "systemd unit `{}` has no `Restart=`: systemd leaves the service down when it crashes (the default is `Restart=no`)",
                        s.name
                    ),
                )
                .evidence(Evidence::at(&s.file, s.line, "[Service]", "the service section"))
                .evidence(Evidence::searched(format!(
                    "searched the [Service] section of `{}` for `Restart=`: none",
                    s.file
                )))
                .fix("Add `Restart=always` and `RestartSec=5` to the [Service] section.")
                .verify(format!(
                    "`systemctl kill -s KILL {}`, wait a few seconds: `systemctl status` shows it running again.",
                    s.name
                ))
            }
            ServiceKind::Kubernetes => {
                let policy = s
                    .restart
                    .as_ref()
                    .map(|(_, p)| format!(" ({p})"))
                    .unwrap_or_default();
                Finding::new(
                    &META,
                    format!(
                        "`{}` runs `{}` as a bare Pod{policy}: nothing recreates it when its node fails, it is evicted or deleted",
                        s.file, s.name
                    ),
                )
                .evidence(Evidence::at(&s.file, s.line, "kind: Pod", "a bare Pod"))
                .fix("Run it from a Deployment (or a StatefulSet for stateful workloads) with `replicas: 1`.")
                .verify("Delete the Pod (`kubectl delete pod …`): a new one starts.")
            }
            ServiceKind::Pm2 => Finding::new(
                &META,
                format!(
                    "PM2 app `{}` sets `autorestart: false`: PM2 will not restart it when it crashes",
                    s.name
                ),
            )
            .evidence(Evidence::at(&s.file, s.line, "autorestart: false", "restarts switched off"))
            .fix("Remove `autorestart: false` (PM2 restarts apps by default); use `max_restarts` and `restart_delay` to bound crash loops.")
            .verify(format!(
                "`pm2 start {}`, kill the process: `pm2 ls` shows it online again with a restart count.",
                file_name(&s.file)
            )),
            ServiceKind::DockerRun => {
                if s.restart.is_some() {
                    continue;
                }
                Finding::new(
                    &META,
                    format!(
                        "`docker run -d` starts `{}` without `--restart`: the container stays down after a crash or a reboot of the Docker host",
                        s.name
                    ),
                )
                .evidence(Evidence::at(
                    &s.file,
                    s.line,
                    s.command.clone().unwrap_or_default(),
                    "a detached container",
                ))
                .fix("Add `--restart unless-stopped` to the `docker run` command (or move it to a compose file with `restart:`).")
                .verify("Run the script, then `docker kill` the container's process: `docker ps` shows it up again.")
            }
        };
        out.push(
            finding
                .at(&s.file, Span::line(s.line))
                .key(format!("{} {}", s.file, s.name))
                .impact("A crash, an out-of-memory kill or a host reboot takes the service down until someone restarts it by hand."),
        );
    }
    out
}
