//! `security/debug-in-production`: debug mode switched on where production runs it.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, DebugFlag, DebugKind, Evidence, Finding, FixKind, Framework, RuleMeta, Severity,
    Span, WhenUnreachable, is_startup_function,
};
use flightcheck_project::deploy::{LaunchDecl, LaunchOrigin};
use flightcheck_project::entry::{EntryHow, EntryPoint};
use flightcheck_project::workspace::is_within;
use flightcheck_project::{EnvFile, EnvRole};

pub static META: RuleMeta = RuleMeta {
    id: "security/debug-in-production",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Config,
    summary: "Debug mode reachable in production (app.run(debug=True), DEBUG=True in production settings or env)",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Finds debug switches turned on where production runs them:
- Flask (and Quart/Sanic/flask-socketio) `app.run(debug=True)` in running code;
  `app.debug = True`, `app.config["DEBUG"] = True`, `app.config.update(DEBUG=True)`;
- `FastAPI(debug=True)` / `Starlette(debug=True)`: tracebacks in error responses;
- `DEBUG = True` as the final value in a Django settings module that production uses
  (`settings.py`, `settings/base.py` when no production module overrides it, `prod.py`);
  not `settings/dev.py`, `local.py`, `test.py`, nor a value a later assignment or a
  `from .local import *` may replace. `DEBUG = os.getenv("DEBUG", "True") …` (debug unless
  the environment says otherwise) is `medium`;
- `uvicorn.run(..., reload=True)` (`medium`: a file watcher and one worker), and production
  launch commands with `--reload` or `flask run --debug`;
- express `app.set('env', 'development')` (`high`) and `process.env.NODE_ENV =
  'development'` in code (`medium`);
- `DEBUG=true/1/yes`, `FLASK_DEBUG=1`, `FLASK_ENV=development`, `NODE_ENV=development` in a
  production env file (`low` when nothing reads the key).

A switch inside `if __name__ == "__main__":` runs only when the file is started directly:
when production starts the app through gunicorn, uvicorn, waitress, hypercorn or
`flask run` (Procfile, Dockerfile, compose, systemd), the finding is `low` and names that
command. Likewise `low` when a deploy definition starts another file of the project (the
image runs `python run.py`, which imports the app from `api/app.py`): the `__main__` block of
`api/app.py` does not run there, and when the file's name says it is a local or development
runner (`start_local.py`, `dev_server.py`) that no deploy definition names. A systemd unit that an install script writes
(`cat > /etc/systemd/system/bot.service <<EOF … ExecStart=… EOF`) counts as a deploy
definition. Dead code, tests and examples are not reported.

## Why it breaks production
Werkzeug's debugger runs arbitrary Python for anyone who can make a page fail; Django's
and Starlette's debug pages show settings, source and stack frames with their secrets;
express in development mode returns stack traces. A reload watcher restarts the server on
file changes and serves with a single process.

## Flagged
```python
app = Flask(__name__)
app.run(host="0.0.0.0", debug=True)       # started with `python app.py`
```
```python
# mysite/settings.py
DEBUG = True
```

## Not flagged
```python
if __name__ == "__main__":
    app.run(debug=os.getenv("FLASK_DEBUG") == "1")
```
```python
# mysite/settings/dev.py
DEBUG = True
```

## Fix
Drive debug from the environment with a safe default (`DEBUG = os.getenv("DEBUG") == "1"`),
leave it unset in production, and start production through a real server (gunicorn,
uvicorn without `--reload`).
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    !ctx.sources.is_empty() || ctx.env_files.iter().any(|e| e.role == EnvRole::Production)
}

/// Servers that import the app object, so a `__main__` block never runs under them.
const SERVERS: [&str; 8] = [
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "waitress-serve",
    "uwsgi",
    "daphne",
    "granian",
    "flask run",
];

/// Compose and other deploy files meant for development.
fn dev_deploy_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    ["dev", "local", "override", "test", "debug"]
        .iter()
        .any(|w| name.contains(w))
}

/// Launches that start this project in production (not package.json dev scripts, not
/// development compose files, not release phases).
fn production_launches<'a>(ctx: &'a ProjectContext) -> impl Iterator<Item = &'a LaunchDecl> + 'a {
    ctx.ws.launches.iter().filter(move |l| {
        is_within(&l.file, &ctx.project.root)
            && !l.release_phase
            && !l.source.starts_with("package.json")
            && !dev_deploy_file(&l.file)
    })
}

/// Whether production runs a `__main__` block of `file`, and the clause that says why: a
/// server that imports the app never runs it; a deploy definition may start this file, or
/// another one of the project; a file named as a local runner that no deploy names does not
/// run there; with no deploy definition at all, the block is how the app runs.
fn main_guard_verdict(
    ctx: &ProjectContext,
    file: usize,
    rel: &str,
    server: Option<&LaunchDecl>,
) -> (bool, String) {
    let started = |command: &str, decl: &str, line: u32| {
        format!(
            "`{}` ({decl}:{line})",
            flightcheck_core::text::truncate(command, 60)
        )
    };
    if let Some(l) = server {
        return (
            false,
            format!(
                ", and production starts {}, which never runs that block; it still runs for anyone who starts the file directly",
                started(&l.command, &l.file, l.line)
            ),
        );
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if let Some(l) = production_launches(ctx).find(|l| l.command.contains(name)) {
        return (
            true,
            format!(
                ", and production starts this file directly: {}",
                started(&l.command, &l.file, l.line)
            ),
        );
    }
    if let Some(e) = other_file_deployed(ctx, file) {
        return (
            false,
            format!(
                ", and production starts {}, not this file, so the block does not run there; it still runs for anyone who starts the file directly",
                started(&e.detail, &e.decl_file, e.decl_line)
            ),
        );
    }
    // `start_local.py`, `dev_server.py`: the file says it is the developer's way to run the
    // app, and no deploy definition names it.
    if dev_runner_name(rel) {
        return (
            false,
            " of a file named as a local or development runner, and no deploy definition starts it"
                .to_string(),
        );
    }
    (
        true,
        ", and no deploy definition starts the app through a server, so this is how it runs"
            .to_string(),
    )
}

/// A file whose name says it runs the app on a developer's machine: `start_local.py`,
/// `run_dev.py`, `dev_server.py`, `debug_app.py`.
fn dev_runner_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let stem = name.strip_suffix(".py").unwrap_or(&name);
    stem.split(['_', '-', '.'])
        .any(|t| matches!(t, "local" | "dev" | "develop" | "development" | "debug"))
}

/// An entry point a production deploy definition starts, when none starts `file`.
fn other_file_deployed<'a>(ctx: &'a ProjectContext, file: usize) -> Option<&'a EntryPoint> {
    let deployed: Vec<&EntryPoint> = ctx
        .entries
        .iter()
        .copied()
        .filter(|e| {
            e.how == EntryHow::Launch(LaunchOrigin::Deploy) && !dev_deploy_file(&e.decl_file)
        })
        .collect();
    if deployed.iter().any(|e| e.file == file) {
        return None;
    }
    deployed.first().copied()
}

fn server_launch<'a>(ctx: &'a ProjectContext) -> Option<&'a LaunchDecl> {
    production_launches(ctx).find(|l| {
        let c = l.command.to_ascii_lowercase();
        SERVERS.iter().any(|s| c.contains(s))
    })
}

/// `settings.py`, `settings/prod.py`, `settings/base.py`…; `None` for development modules.
fn django_settings_role(ctx: &ProjectContext, rel: &str) -> Option<&'static str> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or((".", rel));
    let stem = name.strip_suffix(".py")?;
    let dev = |s: &str| {
        let s = s.to_ascii_lowercase();
        ["dev", "local", "test", "ci", "debug", "example", "sample"]
            .iter()
            .any(|w| s.split(['_', '-', '.']).any(|t| t.starts_with(w)))
    };
    let in_settings_dir = dir.rsplit('/').next() == Some("settings");
    if stem == "settings" || stem.starts_with("settings_") {
        return (!dev(stem.trim_start_matches("settings"))).then_some("settings module");
    }
    if !in_settings_dir || dev(stem) {
        return None;
    }
    if matches!(
        stem,
        "base" | "common" | "default" | "defaults" | "__init__"
    ) {
        // Overridden by a production module beside it?
        let prod_sibling = ctx.sources.iter().any(|&i| {
            let r = ctx.rel(i);
            r.rsplit_once('/').is_some_and(|(d, n)| {
                d == dir
                    && ["prod", "production", "live", "deploy", "server", "heroku"]
                        .iter()
                        .any(|p| n.starts_with(p))
            })
        });
        return (!prod_sibling).then_some("base settings with no production module overriding it");
    }
    Some("settings module")
}

fn is_django(ctx: &ProjectContext) -> bool {
    ctx.project.frameworks.contains(&Framework::Django)
        || ctx.sources.iter().any(|&i| {
            ctx.rel(i).ends_with("manage.py")
                || ctx
                    .facts(i)
                    .is_some_and(|f| f.frameworks.contains(&Framework::Django))
        })
}

fn uses(ctx: &ProjectContext, fw: Framework) -> bool {
    ctx.project.frameworks.contains(&fw)
        || ctx
            .reachable_sources()
            .any(|i| ctx.facts(i).is_some_and(|f| f.frameworks.contains(&fw)))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let server = server_launch(ctx);
    let django = is_django(ctx);
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        for flag in &f.debug_flags {
            if let Some(finding) = code_flag(ctx, i, flag, server, django) {
                out.push(finding);
            }
        }
    }
    launches(ctx, &mut out);
    for env in ctx
        .env_files
        .iter()
        .filter(|e| e.role == EnvRole::Production)
    {
        env_file(ctx, env, &mut out);
    }
    out
}

fn code_flag(
    ctx: &ProjectContext,
    file: usize,
    flag: &DebugFlag,
    server: Option<&LaunchDecl>,
    django: bool,
) -> Option<Finding> {
    let rel = ctx.rel(file);
    let via = &flag.via;
    let (severity, what) = match flag.kind {
        DebugKind::FlaskRun => (
            Severity::High,
            "the framework's debug mode: Werkzeug's interactive debugger runs Python for anyone who can make a request fail",
        ),
        DebugKind::AppDebugAttr => (
            Severity::High,
            "the app's debug mode: tracebacks and, with the dev server, the interactive debugger",
        ),
        DebugKind::AppConstructor => (
            Severity::High,
            "debug mode of the ASGI app: every unhandled error returns its traceback to the caller",
        ),
        DebugKind::ServerReload => (
            Severity::Medium,
            "the reloader: a file watcher that restarts the server on changes and serves with one process",
        ),
        DebugKind::ExpressEnv => (
            Severity::High,
            "express's development mode: error responses carry stack traces",
        ),
        DebugKind::NodeEnvAssignment => (
            Severity::Medium,
            "NODE_ENV=development for every library in the process (express stack traces, dev builds)",
        ),
        DebugKind::DebugSetting | DebugKind::DebugDefaultOn => {
            if !django {
                return None;
            }
            let role = django_settings_role(ctx, rel)?;
            if flag.kind == DebugKind::DebugSetting {
                (
                    Severity::High,
                    if role.starts_with("base") {
                        "Django's debug mode in base settings that no production module overrides: error pages show settings, source and local variables"
                    } else {
                        "Django's debug mode in a settings module production loads: error pages show settings, source and local variables"
                    },
                )
            } else {
                (
                    Severity::Medium,
                    "Django's debug mode whenever the environment does not set DEBUG: a deploy that forgets it serves debug pages",
                )
            }
        }
    };
    if flag.kind == DebugKind::ExpressEnv && !uses(ctx, Framework::Express) {
        return None;
    }
    let mut severity = severity;
    let mut message = format!("`{via}` in `{rel}` turns on {what}");
    if flag.in_main_guard
        && matches!(
            flag.kind,
            DebugKind::FlaskRun | DebugKind::AppDebugAttr | DebugKind::ServerReload
        )
    {
        let (runs_in_production, why) = main_guard_verdict(ctx, file, rel, server);
        if !runs_in_production {
            severity = Severity::Low;
        }
        message.push_str(&format!(". It sits in `if __name__ == \"__main__\":`{why}"));
    } else if let Some(function) = &flag.function
        && !is_startup_function(function)
        && matches!(flag.kind, DebugKind::FlaskRun | DebugKind::ServerReload)
    {
        severity = severity.min(Severity::Medium);
        message.push_str(&format!(
            " (inside `{function}`, which may be a development helper)"
        ));
    }
    Some(
        Finding::new(&META, message)
            .severity(severity)
            .at(rel, flag.span)
            .key(format!("{:?}:{via}", flag.kind))
            .evidence(evidence_at(ctx, file, flag.span, "debug switch".into()))
            .impact("Attackers get stack traces, settings and, with Werkzeug's debugger, code execution; reloaders restart production on file changes.")
            .fix("Drive debug from the environment with a safe default (`debug=os.getenv(\"FLASK_DEBUG\") == \"1\"`, `DEBUG = os.getenv(\"DEBUG\") == \"1\"`) and start production through gunicorn/uvicorn without `--reload`.")
            .verify("Start the service with the production configuration and request a failing URL: no traceback or debugger page is returned."),
    )
}

fn launches(ctx: &ProjectContext, out: &mut Vec<Finding>) {
    for l in production_launches(ctx) {
        let c = l.command.to_ascii_lowercase();
        let words: Vec<&str> = c.split_whitespace().collect();
        let server = ["uvicorn", "gunicorn", "hypercorn"]
            .iter()
            .any(|s| words.iter().any(|w| w.ends_with(s)));
        let (severity, what) = if server && words.contains(&"--reload") {
            (
                Severity::Medium,
                "`--reload`: a file watcher restarts production on changes and serves with one process",
            )
        } else if c.contains("flask")
            && words.contains(&"run")
            && (words.contains(&"--debug") || c.contains("flask_debug=1"))
        {
            (
                Severity::High,
                "Flask's debug mode: Werkzeug's interactive debugger runs Python for anyone who can make a request fail",
            )
        } else {
            continue;
        };
        out.push(
            Finding::new(
                &META,
                format!(
                    "{} starts `{}` with {what}",
                    l.source,
                    flightcheck_core::text::truncate(&l.command, 80)
                ),
            )
            .severity(severity)
            .at(&l.file, Span::line(l.line))
            .key(format!("launch:{}", l.command))
            .evidence(Evidence::at(&l.file, l.line, flightcheck_core::text::truncate(&l.command, 160), "production launch command"))
            .impact("Production runs a development server mode.")
            .fix("Remove `--reload` / `--debug` from the production command (keep them in a dev script or compose override).")
            .verify(format!("grep -n -- '--reload\\|--debug' {}", flightcheck_core::text::shell_quote(&l.file))),
        );
    }
}

/// `DEBUG`, `APP_DEBUG`, `FLASK_DEBUG`, `DJANGO_DEBUG`…
fn is_debug_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    upper == "DEBUG"
        || upper.strip_suffix("_DEBUG").is_some_and(|head| {
            matches!(
                head,
                "APP"
                    | "FLASK"
                    | "DJANGO"
                    | "FASTAPI"
                    | "SERVER"
                    | "API"
                    | "WEB"
                    | "SITE"
                    | "BACKEND"
            )
        })
}

fn env_file(ctx: &ProjectContext, env: &EnvFile, out: &mut Vec<Finding>) {
    for entry in &env.parsed.entries {
        if env
            .parsed
            .get(&entry.key)
            .is_some_and(|last| last.line != entry.line)
        {
            continue;
        }
        let key = entry.key.as_str();
        let value = entry.value.trim().to_ascii_lowercase();
        let on = match key {
            "NODE_ENV" | "FLASK_ENV" => value == "development",
            k if is_debug_key(k) => matches!(value.as_str(), "true" | "1" | "yes" | "on"),
            _ => false,
        };
        if !on {
            continue;
        }
        let read = ctx
            .env_reads_of(key)
            .first()
            .map(|(f, r)| (*f, r.span.line));
        let implicit = match key {
            "NODE_ENV" => ctx.sources.iter().any(|&i| {
                matches!(
                    ctx.language(i),
                    Some(
                        flightcheck_core::Language::JavaScript
                            | flightcheck_core::Language::TypeScript
                    )
                )
            }),
            "FLASK_DEBUG" | "FLASK_ENV" => uses(ctx, Framework::Flask),
            _ => false,
        };
        let settings = ctx.reachable_sources().find_map(|i| {
            ctx.facts(i).and_then(|f| {
                f.settings_fields
                    .iter()
                    .find(|s| s.env_name.eq_ignore_ascii_case(key))
                    .map(|s| (i, s.span.line))
            })
        });
        let reader = read.or(settings);
        let mut message = format!(
            "`{key}={}` in the production env file `{}` ({})",
            entry.value.trim(),
            env.rel,
            env.role_reason
        );
        let severity = match (reader, implicit) {
            (Some((f, l)), _) => {
                message.push_str(&format!(
                    " turns debug mode on: `{}:{l}` reads it",
                    ctx.rel(f)
                ));
                Severity::High
            }
            (None, true) => {
                message.push_str(" turns debug mode on: the framework reads it itself");
                Severity::High
            }
            (None, false) => {
                message.push_str(
                    "; no read of it was found in reachable code, so it may do nothing (a library may still read it)",
                );
                Severity::Low
            }
        };
        let mut finding = Finding::new(&META, message)
            .severity(severity)
            .at(&env.rel, Span::line(entry.line))
            .key(format!("env:{key}"))
            .evidence(Evidence::at(
                &env.rel,
                entry.line,
                format!("{key}={}", entry.value.trim()),
                "debug switch in the production environment",
            ));
        if let Some((f, l)) = reader {
            finding = finding.evidence(Evidence::at(ctx.rel(f), l, ctx.snippet(f, l), "reads it"));
        }
        out.push(
            finding
                .impact("Production serves debug pages or development-mode errors with stack traces and settings.")
                .fix(format!("Remove `{key}` from `{}` (or set it to false/production).", env.rel))
                .verify(format!("grep {key} {}", flightcheck_core::text::shell_quote(&env.rel))),
        );
    }
}
