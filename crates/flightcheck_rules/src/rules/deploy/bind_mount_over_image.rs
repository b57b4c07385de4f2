//! `deploy/bind-mount-over-image`: a compose service mounts the host's source folder over
//! the folder where its image installed the dependencies.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::commands::split_commands;
use flightcheck_project::dockerfile::{
    Dockerfile, Step, built_by, is_dev_dockerfile, join_path, parent_dir,
};
use flightcheck_project::services::{Service, ServiceKind, is_dev_compose};

pub static META: RuleMeta = RuleMeta {
    id: "deploy/bind-mount-over-image",
    severity: Severity::High,
    category: Category::Availability,
    fix_kind: FixKind::Ops,
    summary: "A compose service bind-mounts the source folder over the image's app folder, hiding the node_modules the image installed",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Follows each compose service that builds this repository to its Dockerfile, finds the
folder where the final image installs Node dependencies (`npm ci`, `npm install`, `yarn`,
`pnpm install` under its `WORKDIR`), and reports a `volumes:` entry that bind-mounts a
host folder (`.:/app`, `./bot:/usr/src/app`) on that folder or above it, with no volume
that keeps `node_modules` (`/app/node_modules`, `node_modules:/app/node_modules`).

Not flagged: services that run nothing of the project (no `CMD`/`ENTRYPOINT` in the
Dockerfile and no `command:`: the container runs the base image's default, a build step);
compose files for development or tests by name (`docker-compose.dev.yml`,
`*.override.yml`); Dockerfiles named for development; a mount with a volume that keeps
`node_modules`; mounts below the app folder (`./data:/app/data`); named volumes; Python
images (pip installs into site-packages, outside the mounted folder).

## Why it breaks production
A bind mount replaces the container's folder with the host's. The image installed
`node_modules` into `/app`, the mount hides it, and on a clean host (a fresh clone, a new
server, CI) the host folder has no `node_modules`: the container exits at once with
`Cannot find module 'express'`. It works on the author's machine only because they ran
`npm install` on the host too, which also puts host-built native modules into a Linux
container.

## Flagged
```yaml
services:
  api:
    build: .
    restart: unless-stopped
    volumes:
      - .:/usr/src/app
```
with `WORKDIR /usr/src/app` and `RUN npm ci` in the Dockerfile.

## Not flagged
```yaml
    volumes:
      - .:/usr/src/app
      - /usr/src/app/node_modules
```

## Fix
In production, do not mount the source: the image already holds it. For development, move
the mount to `docker-compose.override.yml` (or `compose.dev.yml`) and add an anonymous
volume for `node_modules`.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn compose_services<'a>(ctx: &'a ProjectContext) -> impl Iterator<Item = &'a Service> + 'a {
    ctx.services().filter(|s| {
        s.kind == ServiceKind::Compose
            && s.build
            && !s.volumes.is_empty()
            && !is_dev_compose(&s.file)
    })
}

fn applies(ctx: &ProjectContext) -> bool {
    compose_services(ctx).next().is_some()
}

/// The folder where the final image installs Node dependencies, with the installing
/// instruction's line and text: the final stage, after the stages it builds on.
fn node_install_dir(d: &Dockerfile) -> Option<(String, u32, String)> {
    let last = d.stages.last()?;
    // The chain of stages the final one builds on, oldest first.
    let mut chain = vec![last];
    while let Some(base) = chain.last().and_then(|s| {
        d.stages
            .iter()
            .find(|p| p.alias.as_deref() == Some(s.base.to_ascii_lowercase().as_str()))
    }) {
        if chain.iter().any(|c| std::ptr::eq(*c, base)) {
            break;
        }
        chain.push(base);
    }
    let mut workdir = "/".to_string();
    let mut found = None;
    for stage in chain.iter().rev() {
        for step in &stage.steps {
            match step {
                Step::Workdir { dir, .. } => {
                    if let Some(w) = join_path(&workdir, dir) {
                        workdir = w;
                    }
                }
                Step::Run { line, command } => {
                    let installs = split_commands(command).iter().any(|w| {
                        let w: Vec<&str> = w.iter().map(String::as_str).collect();
                        matches!(
                            w.as_slice(),
                            ["npm", "ci", ..]
                                | ["npm", "install", ..]
                                | ["npm", "i", ..]
                                | ["yarn"]
                                | ["yarn", "install", ..]
                                | ["yarn", "--frozen-lockfile", ..]
                                | ["pnpm", "install", ..]
                                | ["pnpm", "i", ..]
                        )
                    });
                    // `cd x && npm ci` installs somewhere else: not judged.
                    if installs && !command.contains("cd ") {
                        found = Some((workdir.clone(), *line, format!("RUN {command}")));
                    }
                }
                Step::Copy { .. } => {}
            }
        }
    }
    found
}

/// A volume entry's host source and container target, for bind mounts of host paths.
fn bind_mount(entry: &str) -> Option<(&str, &str)> {
    let mut parts = entry.split(':');
    let source = parts.next()?;
    let target = parts.next()?;
    let host = source.starts_with('.') || source.starts_with('/') || source.starts_with('~');
    let host = host || source.starts_with("${PWD}") || source.starts_with("$PWD");
    (host && target.starts_with('/')).then_some((source, target))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in compose_services(ctx) {
        // A dev server or watcher command (`npm run dev`, `nodemon`): a development setup
        // by what it runs, whatever the file is called.
        if s.exempt
            .as_deref()
            .is_some_and(|e| e.starts_with("a development setup (`"))
        {
            continue;
        }
        let Some(d) = built_by(&ctx.ws.dockerfiles, s).filter(|d| !is_dev_dockerfile(&d.file))
        else {
            continue;
        };
        // No `CMD`/`ENTRYPOINT` in the Dockerfile and no `command:`: the container runs the
        // base image's default (`node` with no script exits at once), a build step whose
        // output something else serves, so what the mount hides is never loaded.
        let runs_something =
            s.command.is_some() || ctx.ws.launches.iter().any(|l| l.file == d.file);
        if !runs_something {
            continue;
        }
        let Some((app_dir, install_line, install)) = node_install_dir(d) else {
            continue;
        };
        let modules = format!("{}/node_modules", app_dir.trim_end_matches('/'));
        // `/app/node_modules` (anonymous) or `node_modules:/app/node_modules` (named).
        let keeps_modules = s.volumes.iter().any(|v| {
            v.split(':')
                .any(|part| part.trim_end_matches('/') == modules)
        });
        if keeps_modules {
            continue;
        }
        let lines = s
            .compose
            .as_ref()
            .map(|c| c.volume_lines.as_slice())
            .unwrap_or(&[]);
        for (i, v) in s.volumes.iter().enumerate() {
            let Some((source, target)) = bind_mount(v) else {
                continue;
            };
            let target = target.trim_end_matches('/');
            let covers = app_dir == target
                || app_dir.starts_with(&format!("{target}/"))
                || target.is_empty();
            if !covers {
                continue;
            }
            // The host folder holds no node_modules a clean checkout would bring.
            let host = join_path(parent_dir(&s.file), source).unwrap_or_default();
            let host_modules = if host == "." {
                "node_modules".to_string()
            } else {
                format!("{host}/node_modules")
            };
            if ctx.ws.path_exists(&host_modules) && !ctx.ws.is_gitignored(&host_modules) {
                continue;
            }
            let line = lines.get(i).copied().unwrap_or(s.line);
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "compose service `{}` mounts `{source}` over `{target}`, hiding the node_modules its image installed in `{app_dir}`: on a clean host the container cannot find its dependencies",
                        s.name
                    ),
                )
                .at(&s.file, Span::line(line))
                .evidence(Evidence::at(&s.file, line, format!("- {v}"), "the bind mount"))
                .evidence(Evidence::at(&d.file, install_line, install, "dependencies installed in the image"))
                .evidence(Evidence::searched(format!(
                    "searched the volumes of `{}` for one that keeps `{modules}`: none",
                    s.name
                )))
                .key(format!("{} {}", s.file, s.name))
                .impact("On a fresh clone or a new server the container exits at start (`Cannot find module`): the service never comes up.")
                .fix(format!(
                    "Remove the `{v}` mount from the production compose file (the image holds the code), or add `- {modules}` to keep the image's node_modules."
                ))
                .verify("On a fresh clone (no host node_modules), `docker compose up --build`: the service starts."),
            );
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_mounts() {
        assert_eq!(bind_mount(".:/app"), Some((".", "/app")));
        assert_eq!(
            bind_mount("./bot:/usr/src/app:ro"),
            Some(("./bot", "/usr/src/app"))
        );
        assert_eq!(bind_mount("pgdata:/var/lib/postgresql/data"), None);
        assert_eq!(bind_mount("/app/node_modules"), None);
    }
}
