//! The long-running processes that deploy definitions start, with their restart policies
//! and data volumes: compose services, systemd units, Kubernetes Pods and controllers, PM2
//! apps, and `docker run` commands in scripts. Platforms that restart by themselves
//! (Heroku, Render, Railway, Fly, Vercel) are not listed: they need no policy.

use crate::commands::{logical_lines, split_commands};
use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{Workspace, in_fixture_dir, is_example_file, is_test_file, read_text};
use serde::Deserialize;
use serde_yaml::Value as Yaml;

/// What defines a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceKind {
    Compose,
    Systemd,
    /// A Kubernetes object; `kind:` in [`Service::k8s_kind`].
    Kubernetes,
    Pm2,
    DockerRun,
}

impl ServiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compose => "compose service",
            Self::Systemd => "systemd unit",
            Self::Kubernetes => "Kubernetes",
            Self::Pm2 => "PM2 app",
            Self::DockerRun => "`docker run`",
        }
    }
}

/// A process a deploy definition starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub kind: ServiceKind,
    /// The defining file, relative to the scan root.
    pub file: String,
    /// 1-based line of the definition (the service key, the `[Service]` section, `kind:`).
    pub line: u32,
    /// Service, unit, object or app name (`docker run`: the container name or image).
    pub name: String,
    /// The restart policy as written, with its line: `restart: unless-stopped`,
    /// `Restart=on-failure`, `autorestart: false`, `--restart=always`.
    pub restart: Option<(u32, String)>,
    /// Why the definition needs no restart policy of its own, if it does not: a one-shot
    /// job, a swarm `deploy:` section (swarm restarts by default), an opt-in profile.
    pub exempt: Option<String>,
    /// `kind:` of a Kubernetes object (`Pod`, `Deployment`...).
    pub k8s_kind: Option<String>,
    pub image: Option<String>,
    /// Compose: the service builds this repository's code (`build:`).
    pub build: bool,
    /// The command it runs, as written (compose `entrypoint` + `command`, `ExecStart=`).
    pub command: Option<String>,
    /// Compose: `entrypoint` then `command`, as words (a string form is one word).
    pub command_words: Vec<String>,
    /// Compose: the build context as written (`build: ./bot`, `build.context`).
    pub build_context: Option<String>,
    /// Compose volumes as written (`pgdata:/var/lib/postgresql/data`, `./data:/app/data`).
    pub volumes: Vec<String>,
    /// What only compose says of a service: ports, environment, Dockerfile.
    pub compose: Option<Box<ComposeDetails>>,
}

/// Settings of a compose service that other kinds of definition do not have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ComposeDetails {
    /// `build.dockerfile` as written (relative to the build context).
    pub dockerfile: Option<String>,
    /// Ports published on the host (`ports:`; `expose:` publishes nothing).
    pub ports: Vec<PublishedPort>,
    /// `environment:` entries, `KEY` → value as written (`None` for a bare `KEY`, which
    /// passes the host's variable through).
    pub environment: Vec<(String, Option<String>)>,
    /// The service reads `env_file:`: variables compose does not show may be set there.
    pub env_file: bool,
    /// 1-based line of each volume entry, in the order of [`Service::volumes`].
    pub volume_lines: Vec<u32>,
    /// `build.target`: the Dockerfile stage the service runs.
    pub target: Option<String>,
}

/// One `ports:` entry of a compose service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub line: u32,
    /// The entry as written (`"5432:5432"`, `127.0.0.1:6379:6379`).
    pub raw: String,
    /// The host address it binds (`127.0.0.1`), when written; none binds every interface.
    pub host_ip: Option<String>,
    /// The container port (`5432` of `"15432:5432/tcp"`).
    pub container_port: String,
}

impl PublishedPort {
    /// Whether the port is reachable from other machines: bound to every interface
    /// (Docker's default, which also bypasses host firewalls such as ufw), not to loopback.
    pub fn is_public(&self) -> bool {
        match self.host_ip.as_deref() {
            None => true,
            Some(ip) => {
                !(ip.starts_with("127.") || ip == "localhost" || ip == "[::1]" || ip == "::1")
            }
        }
    }
}

/// A short-syntax `ports:` entry: `CONTAINER`, `HOST:CONTAINER`, `IP:HOST:CONTAINER`, each
/// with an optional `/protocol`; ranges and `${VAR}` hosts are kept as written.
fn short_port(line: u32, raw: &str) -> PublishedPort {
    let spec = raw.split('/').next().unwrap_or(raw);
    // `[::1]:5432:5432`: a bracketed IPv6 address first.
    let (host_ip, rest) = match spec.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((ip, rest)) => (Some(format!("[{ip}]")), rest.trim_start_matches(':')),
        None => (None, spec),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_ip, container) = match (host_ip, parts.as_slice()) {
        (Some(ip), [.., c]) => (Some(ip), *c),
        (None, [ip, _host, c]) => (Some((*ip).to_string()), *c),
        (None, [.., c]) => (None, *c),
        (ip, []) => (ip, ""),
    };
    PublishedPort {
        line,
        raw: raw.to_string(),
        host_ip: host_ip.filter(|ip| !ip.is_empty()),
        container_port: container.to_string(),
    }
}

/// Files that describe tests, fixtures or templates, not what is deployed.
fn is_ignored(rel: &str) -> bool {
    in_fixture_dir(rel)
        || crate::workspace::in_example_dir(rel)
        || is_test_file(rel)
        || is_example_file(rel)
        || crate::workspace::is_kept_aside(rel)
}

pub(crate) fn fill(ws: &mut Workspace) {
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for f in &ws.files {
        if is_ignored(&f.rel) || f.size > MAX_SOURCE_BYTES {
            continue;
        }
        let name = f
            .rel
            .rsplit('/')
            .next()
            .unwrap_or(&f.rel)
            .to_ascii_lowercase();
        let is_compose = (name.starts_with("docker-compose") || name.starts_with("compose"))
            && (name.ends_with(".yml") || name.ends_with(".yaml"));
        let kind = match f.kind {
            FileKind::Deploy if is_compose => 1,
            FileKind::Deploy if name.ends_with(".service") => 2,
            FileKind::Deploy if name.starts_with("ecosystem") => 3,
            FileKind::Deploy if name.ends_with(".yml") || name.ends_with(".yaml") => 4,
            FileKind::Script => 5,
            _ => continue,
        };
        let Some(text) = read_text(&f.abs, &f.rel, &mut notes) else {
            continue;
        };
        match kind {
            // Broken compose files already get a note from discovery.
            1 => out.extend(compose(&f.rel, &text).unwrap_or_default()),
            2 => out.extend(systemd(&f.rel, &text)),
            3 => out.extend(pm2(&f.rel, &text)),
            4 => out.extend(kubernetes(&f.rel, &text)),
            _ => out.extend(docker_runs(&f.rel, &text)),
        }
    }
    ws.services = out;
    ws.notes.extend(notes);
}

/// An image reference without registry, tag or digest, lowercased:
/// `docker.io/library/postgres:16@sha256:…` → `postgres`.
pub fn image_name(image: &str) -> String {
    let last = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .to_ascii_lowercase();
    last.split([':', '@']).next().unwrap_or(&last).to_string()
}

/// Compose files for development, tests or CI, and old copies kept beside the real one
/// (`docker-compose.legacy.yml`, `compose.old.yml`), by name: not what is deployed.
pub fn is_dev_compose(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split(['.', '-', '_']).any(|t| {
        matches!(
            t,
            "dev"
                | "develop"
                | "development"
                | "local"
                | "test"
                | "tests"
                | "testing"
                | "ci"
                | "e2e"
                | "debug"
                | "override"
                | "example"
                | "sample"
                | "template"
                | "legacy"
                | "old"
                | "bak"
                | "backup"
                | "archive"
                | "archived"
                | "deprecated"
        )
    })
}

/// Images of tools people run beside a stack while developing, not services it needs.
const DEV_TOOL_IMAGES: [&str; 9] = [
    "adminer",
    "pgadmin",
    "phpmyadmin",
    "mailhog",
    "mailpit",
    "mongo-express",
    "redis-commander",
    "redisinsight",
    "dozzle",
];

/// 1-based line of each service key under `services:`.
fn service_lines(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut in_services: Option<usize> = None;
    let mut child_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("services:") && indent == 0 {
            in_services = Some(indent);
            child_indent = None;
            continue;
        }
        let Some(parent) = in_services else { continue };
        if indent <= parent {
            in_services = None;
            continue;
        }
        let ci = *child_indent.get_or_insert(indent);
        if indent == ci
            && let Some((key, _)) = trimmed.split_once(':')
        {
            out.push((
                key.trim().trim_matches(['"', '\'']).to_string(),
                i as u32 + 1,
            ));
        }
    }
    out
}

fn yaml_str(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn words_of(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Sequence(seq) => Some(
            seq.iter()
                .filter_map(yaml_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

/// Whether a command only prepares (migrates, seeds, builds, tests) and exits: judged by
/// its last command, the one that would keep running (`alembic upgrade head && python
/// bot.py` is the bot).
fn one_shot_command(command: &str) -> bool {
    let mut commands = split_commands(command);
    // `sh -c "a && b"`: the script's commands.
    if let [only] = commands.as_slice()
        && only
            .first()
            .is_some_and(|w| matches!(w.rsplit('/').next().unwrap_or(w), "sh" | "bash"))
        && let Some(p) = only.iter().position(|a| a == "-c" || a == "-ec")
        && let Some(script) = only.get(p + 1)
    {
        commands = split_commands(script);
    }
    let Some(last) = commands.last() else {
        return false;
    };
    let text = last.join(" ");
    let lower = text.to_ascii_lowercase();
    crate::migrations::migration_in(&text).is_some()
        || crate::testruns::runner_of(last, 0).is_some()
        || [
            "npm run build",
            "yarn build",
            "pip install",
            "npm run seed",
            "collectstatic",
            "certbot",
            "prestart",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// A service set up for development: a dev server or watcher command (`npm run dev`,
/// `nodemon`, `uvicorn --reload`), or the source tree mounted into the container
/// (`.:/app`) so edits show without a rebuild.
fn development_setup(
    command: Option<&str>,
    volumes: Option<&Yaml>,
    build_context: Option<&str>,
) -> Option<String> {
    if let Some(c) = command {
        let lower = c.to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let dev_script = words.windows(2).any(|w| {
            matches!(w[0], "npm" | "yarn" | "pnpm" | "bun" | "run")
                && matches!(w[1], "dev" | "develop" | "watch" | "start:dev")
        }) || words.windows(3).any(|w| {
            w[0] == "npm"
                && w[1] == "run"
                && matches!(w[2], "dev" | "develop" | "watch" | "start:dev")
        });
        let watcher = words.iter().any(|w| {
            matches!(
                *w,
                "nodemon" | "ts-node-dev" | "--reload" | "--watch" | "watch" | "--debug"
            )
        });
        if dev_script || watcher {
            return Some(format!("a development setup (`{c}`)"));
        }
    }
    // The folder the image is built from, mounted back over it (`build: ./backend` with
    // `./backend:/app`): the image's copy of the code is replaced by the working tree.
    let context = build_context.map(normalize_dir);
    let mounts_source = volumes.and_then(Yaml::as_sequence).is_some_and(|v| {
        v.iter().filter_map(Yaml::as_str).any(|m| {
            let source = m.split(':').next().unwrap_or("");
            matches!(source, "." | "./" | "${PWD}" | "$PWD" | "..")
                || (m.contains(':')
                    && context.as_deref().is_some_and(|c| {
                        // The context itself, or its source folder inside it
                        // (`./dashboard/src:/app/src` over `build: ./dashboard`); a data
                        // folder inside it (`./api/uploads`) is not the code.
                        let s = normalize_dir(source);
                        s == c
                            || s.strip_prefix(c)
                                .and_then(|r| r.strip_prefix('/'))
                                .is_some_and(|sub| matches!(sub, "src" | "app" | "lib"))
                    }))
        })
    });
    mounts_source
        .then(|| "a development setup (the source tree is mounted into the container)".to_string())
}

/// A relative folder as written in a compose file, without `./` and trailing `/`.
fn normalize_dir(dir: &str) -> String {
    let d = dir.trim().trim_end_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    if d.is_empty() {
        ".".to_string()
    } else {
        d.to_string()
    }
}

/// The services of a compose file. `Err` for YAML that does not parse.
pub fn compose(file: &str, text: &str) -> Result<Vec<Service>, String> {
    let mut doc: Yaml = serde_yaml::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    // `<<: *defaults` merge keys are how compose files share `restart:`.
    let _ = doc.apply_merge();
    let Some(services) = doc.get("services").and_then(Yaml::as_mapping) else {
        return Ok(Vec::new());
    };
    let lines = service_lines(text);
    // Where each service starts and, sorted, every start: a service's block ends where the
    // next one starts (looked up, not scanned: thousands of services stay linear).
    let mut starts_by_name: std::collections::HashMap<&str, u32> = Default::default();
    for (n, l) in &lines {
        starts_by_name.entry(n.as_str()).or_insert(*l);
    }
    let mut starts: Vec<u32> = lines.iter().map(|(_, l)| *l).collect();
    starts.sort_unstable();
    let text_lines: Vec<&str> = text.lines().collect();
    // Services others wait for to finish (`condition: service_completed_successfully`).
    let mut completed: Vec<String> = Vec::new();
    for (_, s) in services {
        if let Some(deps) = s.get("depends_on").and_then(Yaml::as_mapping) {
            for (dep, cond) in deps {
                if cond.get("condition").and_then(Yaml::as_str)
                    == Some("service_completed_successfully")
                    && let Some(d) = dep.as_str()
                {
                    completed.push(d.to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    for (name, s) in services {
        let Some(name) = name.as_str() else { continue };
        let line = starts_by_name.get(name).copied().unwrap_or(1);
        let end = starts
            .get(starts.partition_point(|l| *l <= line))
            .copied()
            .unwrap_or(text_lines.len() as u32 + 1);
        let line_of = |key: &str| {
            (line..end).find(|l| {
                text_lines
                    .get(*l as usize - 1)
                    .is_some_and(|t| t.trim_start().starts_with(key))
            })
        };
        // `extends: { service: base }` in the same file takes the base's settings.
        let base = match s.get("extends") {
            Some(Yaml::String(b)) => services.get(b.as_str()),
            Some(e @ Yaml::Mapping(_)) if e.get("file").is_none() => e
                .get("service")
                .and_then(Yaml::as_str)
                .and_then(|b| services.get(b)),
            _ => None,
        };
        let get = |key: &str| s.get(key).or_else(|| base.and_then(|b| b.get(key)));
        let restart = get("restart")
            .and_then(yaml_str)
            .map(|r| (line_of("restart:").unwrap_or(line), format!("restart: {r}")));
        let policy = get("deploy").and_then(|d| d.get("restart_policy"));
        let restart = restart.or_else(|| {
            policy.map(|p| {
                let cond = p
                    .get("condition")
                    .and_then(yaml_str)
                    .unwrap_or_else(|| "any".into());
                (
                    line_of("restart_policy:").unwrap_or(line),
                    format!("deploy.restart_policy: {cond}"),
                )
            })
        });
        let image = get("image").and_then(yaml_str);
        let word_list = |v: &Yaml| -> Vec<String> {
            match v {
                Yaml::String(s) => vec![s.clone()],
                Yaml::Sequence(seq) => seq.iter().filter_map(yaml_str).collect(),
                _ => Vec::new(),
            }
        };
        let mut command_words = get("entrypoint").map(word_list).unwrap_or_default();
        command_words.extend(get("command").map(word_list).unwrap_or_default());
        let command = {
            let mut parts = Vec::new();
            if let Some(e) = get("entrypoint").and_then(words_of) {
                parts.push(e);
            }
            if let Some(c) = get("command").and_then(words_of) {
                parts.push(c);
            }
            (!parts.is_empty()).then(|| parts.join(" "))
        };
        let build_context = match get("build") {
            Some(Yaml::String(b)) => Some(b.clone()),
            Some(b @ Yaml::Mapping(_)) => b.get("context").and_then(yaml_str),
            _ => None,
        };
        let profiles = get("profiles")
            .and_then(Yaml::as_sequence)
            .map(|p| p.iter().filter_map(yaml_str).collect::<Vec<_>>())
            .unwrap_or_default();
        let lower_name = name.to_ascii_lowercase();
        let lower_image = image.as_deref().unwrap_or("").to_ascii_lowercase();
        let exempt = if restart.as_ref().is_some_and(|(_, r)| r == "restart: no") {
            Some("`restart: \"no\"` is set on purpose".to_string())
        } else if completed.iter().any(|c| c == name) {
            Some("other services wait for it to complete: a one-shot job".to_string())
        } else if !profiles.is_empty() {
            Some(format!(
                "only started with a profile ({})",
                profiles.join(", ")
            ))
        } else if get("deploy").is_some() {
            Some("a swarm `deploy:` section: swarm restarts tasks by default".to_string())
        } else if let Some(c) = command.as_deref().filter(|c| one_shot_command(c)) {
            Some(format!("its command `{c}` prepares and exits"))
        } else if let Some(why) =
            development_setup(command.as_deref(), get("volumes"), build_context.as_deref())
        {
            Some(why)
        } else if let Some(target) = get("build")
            .and_then(|b| b.get("target"))
            .and_then(yaml_str)
            .filter(|t| {
                let t = t.to_ascii_lowercase();
                t == "dev" || t.starts_with("develop") || t == "local"
            })
        {
            Some(format!(
                "a development setup (builds the `{target}` target)"
            ))
        } else if DEV_TOOL_IMAGES.iter().any(|t| lower_image.contains(t)) {
            Some("a development tool".to_string())
        } else if ["migrat", "seed", "setup", "init", "prestart"]
            .iter()
            .any(|w| lower_name.contains(w))
        {
            Some("named as a one-shot job".to_string())
        } else {
            None
        };
        let volumes = get("volumes")
            .and_then(Yaml::as_sequence)
            .map(|v| {
                v.iter()
                    .filter_map(|x| match x {
                        Yaml::String(s) => Some(s.clone()),
                        Yaml::Mapping(_) => {
                            let source = x.get("source").and_then(yaml_str).unwrap_or_default();
                            let target = x.get("target").and_then(yaml_str)?;
                            Some(format!("{source}:{target}"))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Lines of list entries under `key:`, in order (`- "5432:5432"`).
        let entry_lines = |key: &str| -> Vec<u32> {
            let Some(start) = line_of(&format!("{key}:")) else {
                return Vec::new();
            };
            let indent_of = |l: u32| {
                text_lines
                    .get(l as usize - 1)
                    .map(|t| t.len() - t.trim_start().len())
                    .unwrap_or(0)
            };
            let key_indent = indent_of(start);
            let mut out = Vec::new();
            for l in start + 1..end {
                let t = text_lines.get(l as usize - 1).copied().unwrap_or("");
                let trimmed = t.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                if indent_of(l) <= key_indent && !trimmed.starts_with('-') {
                    break;
                }
                if trimmed.starts_with('-') {
                    out.push(l);
                }
            }
            out
        };
        let port_lines = entry_lines("ports");
        let ports = get("ports")
            .and_then(Yaml::as_sequence)
            .map(|seq| {
                seq.iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        let at = port_lines.get(i).copied().unwrap_or(line);
                        match p {
                            Yaml::Mapping(_) => {
                                p.get("published")?;
                                Some(PublishedPort {
                                    line: at,
                                    raw: format!(
                                        "{}:{}",
                                        p.get("published").and_then(yaml_str).unwrap_or_default(),
                                        p.get("target").and_then(yaml_str).unwrap_or_default()
                                    ),
                                    host_ip: p.get("host_ip").and_then(yaml_str),
                                    container_port: p
                                        .get("target")
                                        .and_then(yaml_str)
                                        .unwrap_or_default(),
                                })
                            }
                            other => yaml_str(other).map(|raw| short_port(at, &raw)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let environment = match get("environment") {
            Some(Yaml::Mapping(m)) => m
                .iter()
                .filter_map(|(k, v)| Some((yaml_str(k)?, yaml_str(v))))
                .collect(),
            Some(Yaml::Sequence(seq)) => seq
                .iter()
                .filter_map(Yaml::as_str)
                .map(|e| match e.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (e.to_string(), None),
                })
                .collect(),
            _ => Vec::new(),
        };
        let details = ComposeDetails {
            dockerfile: get("build")
                .and_then(|b| b.get("dockerfile"))
                .and_then(yaml_str),
            ports,
            environment,
            env_file: get("env_file").is_some(),
            volume_lines: entry_lines("volumes"),
            target: get("build")
                .and_then(|b| b.get("target"))
                .and_then(yaml_str),
        };
        out.push(Service {
            kind: ServiceKind::Compose,
            file: file.to_string(),
            line,
            name: name.to_string(),
            restart,
            exempt,
            k8s_kind: None,
            image,
            build: get("build").is_some(),
            command,
            command_words,
            build_context,
            volumes,
            compose: Some(Box::new(details)),
        });
    }
    Ok(out)
}

/// A systemd unit's `[Service]`: `Restart=`, `Type=oneshot`, `ExecStart=`.
fn systemd(file: &str, text: &str) -> Vec<Service> {
    let name = file.rsplit('/').next().unwrap_or(file).to_string();
    let mut section = String::new();
    let mut service_line = None;
    let mut restart = None;
    let mut exempt = None;
    let mut command = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            section = line.to_ascii_lowercase();
            if section == "[service]" {
                service_line = Some(i as u32 + 1);
            }
            continue;
        }
        if section != "[service]" || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "Restart" => {
                if value == "no" {
                    exempt = Some("`Restart=no` is set on purpose".to_string());
                }
                restart = Some((i as u32 + 1, format!("Restart={value}")));
            }
            "Type" if value == "oneshot" => {
                exempt = Some("`Type=oneshot`: a job that runs and exits".to_string());
            }
            "ExecStart" => command = Some(value.to_string()),
            _ => {}
        }
    }
    let Some(line) = service_line else {
        return Vec::new();
    };
    vec![Service {
        kind: ServiceKind::Systemd,
        file: file.to_string(),
        line,
        name,
        restart,
        exempt,
        k8s_kind: None,
        image: None,
        build: false,
        command,
        command_words: Vec::new(),
        build_context: None,
        volumes: Vec::new(),
        compose: None,
    }]
}

/// PM2 apps of an ecosystem file that switch restarts off (`autorestart: false`); PM2
/// restarts every other app by default. Apps with `cron_restart` are scheduled jobs.
fn pm2(file: &str, text: &str) -> Vec<Service> {
    let lines: Vec<&str> = text.lines().collect();
    let compact = |l: &str| l.replace([' ', '\t', '"', '\''], "");
    let names: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let c = compact(l);
            let rest = c.strip_prefix("name:")?;
            let name = rest.trim_end_matches(',').to_string();
            (!name.is_empty()).then_some((i, name))
        })
        .collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let c = compact(l);
        if c.starts_with("//") || !c.starts_with("autorestart:false") {
            continue;
        }
        // The app the setting belongs to: the nearest `name:` before it (or after it).
        // `names` is in line order: binary searches, not scans (one per setting).
        let before = names.partition_point(|(n, _)| *n < i);
        let app = before
            .checked_sub(1)
            .and_then(|k| names.get(k))
            .or_else(|| names[before..].iter().find(|(n, _)| *n > i));
        let (start, name) = app
            .map(|(n, s)| (*n, s.clone()))
            .unwrap_or((i, "app".into()));
        let end = names
            .get(names.partition_point(|(n, _)| *n <= start))
            .map_or(lines.len(), |(n, _)| *n);
        let cron = lines[start.min(i)..end.max(i + 1)]
            .iter()
            .any(|x| compact(x).starts_with("cron_restart:"));
        out.push(Service {
            kind: ServiceKind::Pm2,
            file: file.to_string(),
            line: i as u32 + 1,
            name,
            restart: Some((i as u32 + 1, "autorestart: false".into())),
            exempt: cron.then(|| "`cron_restart`: a scheduled job".to_string()),
            k8s_kind: None,
            image: None,
            build: false,
            command: None,
            command_words: Vec::new(),
            build_context: None,
            volumes: Vec::new(),
            compose: None,
        });
    }
    out
}

/// Pods and controllers of a Kubernetes manifest (several `---` documents). Files that are
/// not Kubernetes YAML, or do not parse (templates), yield nothing.
fn kubernetes(file: &str, text: &str) -> Vec<Service> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut kind_lines = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("kind:"))
        .map(|(i, _)| i as u32 + 1);
    for de in serde_yaml::Deserializer::from_str(text) {
        let Ok(doc) = Yaml::deserialize(de) else {
            return out;
        };
        let Some(kind) = doc.get("kind").and_then(Yaml::as_str) else {
            continue;
        };
        if doc.get("apiVersion").is_none() {
            continue;
        }
        let line = kind_lines.next().unwrap_or(1);
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(yaml_str)
            .unwrap_or_else(|| kind.to_string());
        let pod_spec = match kind {
            "Pod" => doc.get("spec"),
            _ => doc
                .get("spec")
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("spec")),
        };
        let restart_policy = pod_spec
            .and_then(|s| s.get("restartPolicy"))
            .and_then(yaml_str);
        let exempt = match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" => {
                Some(format!("a {kind} recreates its Pods"))
            }
            "Job" | "CronJob" => Some(format!("a {kind}: runs to completion")),
            "Pod" => None,
            _ => continue,
        };
        let image = pod_spec
            .and_then(|s| s.get("containers"))
            .and_then(Yaml::as_sequence)
            .and_then(|c| c.first())
            .and_then(|c| c.get("image"))
            .and_then(yaml_str);
        out.push(Service {
            kind: ServiceKind::Kubernetes,
            file: file.to_string(),
            line,
            name,
            restart: restart_policy.map(|p| (line, format!("restartPolicy: {p}"))),
            exempt,
            k8s_kind: Some(kind.to_string()),
            image,
            build: false,
            command: None,
            command_words: Vec::new(),
            build_context: None,
            volumes: Vec::new(),
            compose: None,
        });
    }
    out
}

/// `docker run -d …` (detached: a long-running container) in a shell script or Makefile.
fn docker_runs(file: &str, text: &str) -> Vec<Service> {
    let mut out = Vec::new();
    for (n, line) in logical_lines(text, true) {
        let line = line.trim().trim_start_matches(['@', '-', '\t']);
        for words in split_commands(line) {
            let Some(words) = crate::commands::strip_wrappers(&words) else {
                continue;
            };
            let prog = words
                .first()
                .map(|w| w.rsplit('/').next().unwrap_or(w))
                .unwrap_or("");
            if !matches!(prog, "docker" | "podman") {
                continue;
            }
            let mut j = 1;
            if words.get(1).is_some_and(|w| w == "container") {
                j = 2;
            }
            if words.get(j).is_none_or(|w| w != "run") {
                continue;
            }
            let args = &words[j + 1..];
            let mut detached = false;
            let mut rm = false;
            let mut restart = None;
            let mut name = None;
            let mut image = None;
            let mut k = 0;
            while k < args.len() {
                let a = args[k].as_str();
                if let Some(v) = a.strip_prefix("--restart=") {
                    restart = Some(format!("--restart={v}"));
                } else if a == "--restart" {
                    restart = Some(format!(
                        "--restart {}",
                        args.get(k + 1).map(String::as_str).unwrap_or("")
                    ));
                    k += 1;
                } else if a == "--rm" {
                    rm = true;
                } else if a == "--detach"
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('d'))
                {
                    detached = true;
                } else if let Some(v) = a.strip_prefix("--name=") {
                    name = Some(v.to_string());
                } else if a == "--name" {
                    name = args.get(k + 1).cloned();
                    k += 1;
                } else if a.starts_with('-') {
                    let takes_value = matches!(
                        a,
                        "-e" | "--env"
                            | "-v"
                            | "--volume"
                            | "-p"
                            | "--publish"
                            | "-w"
                            | "--workdir"
                            | "-u"
                            | "--user"
                            | "--network"
                            | "--net"
                            | "--env-file"
                            | "-l"
                            | "--label"
                            | "--entrypoint"
                            | "--mount"
                            | "--memory"
                            | "-m"
                            | "--cpus"
                            | "--log-driver"
                            | "--log-opt"
                            | "--add-host"
                            | "--platform"
                            | "-h"
                            | "--hostname"
                    );
                    if takes_value {
                        k += 1;
                    }
                } else {
                    image = Some(a.to_string());
                    break;
                }
                k += 1;
            }
            if !detached || rm {
                continue;
            }
            let image_name = image.clone().unwrap_or_default();
            out.push(Service {
                kind: ServiceKind::DockerRun,
                file: file.to_string(),
                line: n,
                name: name.unwrap_or(image_name),
                restart: restart.map(|r| (n, r)),
                exempt: None,
                k8s_kind: None,
                image,
                build: false,
                command: Some(line.to_string()),
                command_words: Vec::new(),
                build_context: None,
                volumes: Vec::new(),
                compose: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
