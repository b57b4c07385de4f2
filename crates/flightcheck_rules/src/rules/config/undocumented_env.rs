//! `config/undocumented-env`: env vars that running code reads but `.env.example` does not
//! document, and keys the template documents that nothing reads.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EnvRole;
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "config/undocumented-env",
    severity: Severity::Low,
    category: Category::Docs,
    fix_kind: FixKind::Config,
    summary: "An env var read by reachable code is missing from .env.example (or a documented key is stale)",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
    docs: r#"## What it does
Compares the env vars that reachable code reads (`process.env.X`, `import.meta.env.X`,
destructuring of `process.env`, `os.getenv`, `os.environ[...]`) with the keys of the
project's templates (`.env.example`, `.env.sample`, `.env.template`...):
- a variable read by running code without a default and missing from every template is
  reported at the first read;
- a template key that no source file reads or even mentions is reported as stale.
Variables every platform sets (`NODE_ENV`, `PORT`, `HOME`, `CI`...) are not required in the
template. Without any template, one finding lists what to document.

## Why it breaks production
The template is how the next person (or the deploy pipeline) learns what to configure. A
variable missing from it is discovered in production, when the feature that needs it fails;
a stale key makes people configure things that do nothing.

## Flagged
```js
// .env.example has BOT_TOKEN only
if (process.env.ADMIN_CHAT_ID) notifyAdmin();
```

## Not flagged
```js
const port = process.env.PORT || 3000;   // platform variable, with a default
```

## Fix
Add the variable to `.env.example` with a comment saying what it is for and an empty or
obviously fake value; delete keys nothing reads.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.reads_env()
}

/// Variables the runtime, platform or tooling sets or reads by itself.
pub(crate) fn is_platform_var(key: &str) -> bool {
    matches!(
        key,
        "NODE_ENV"
            | "PORT"
            | "HOST"
            | "HOSTNAME"
            | "HOME"
            | "PATH"
            | "PWD"
            | "USER"
            | "CI"
            | "TZ"
            | "LANG"
            | "DEBUG"
            | "TERM"
            | "SHELL"
            | "TMPDIR"
            | "VERCEL"
            | "VERCEL_URL"
            | "VERCEL_ENV"
            | "RENDER"
            | "RAILWAY_ENVIRONMENT"
            | "FLY_APP_NAME"
            | "DYNO"
            | "HEROKU_APP_NAME"
            | "npm_package_version"
            | "npm_package_name"
            | "npm_lifecycle_event"
            | "PYTHONUNBUFFERED"
            | "PYTHONPATH"
            | "VIRTUAL_ENV"
            | "GITHUB_ACTIONS"
            | "GITHUB_SHA"
            | "K_SERVICE"
            | "AWS_REGION"
            | "AWS_LAMBDA_FUNCTION_NAME"
            | "JEST_WORKER_ID"
            | "LOG_LEVEL"
            | "APPDATA"
            | "USERPROFILE"
            | "DISPLAY"
    ) || key.starts_with("npm_")
        || key.starts_with("NEXT_RUNTIME")
        // Set by the hosting platform on every deploy.
        || ["VERCEL_", "NEXT_PUBLIC_VERCEL_", "RAILWAY_", "RENDER_", "FLY_", "HEROKU_"]
            .iter()
            .any(|p| key.starts_with(p))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let templates: Vec<_> = ctx
        .env_files
        .iter()
        .filter(|e| e.role == EnvRole::Example)
        .collect();
    // First read of each variable by running code.
    let mut reads: BTreeMap<&str, (usize, Span, bool)> = BTreeMap::new();
    for i in ctx.reachable_sources() {
        let Some(f) = ctx.facts(i) else { continue };
        for r in &f.env_reads {
            let e = reads
                .entry(r.name.as_str())
                .or_insert((i, r.span, r.has_default));
            // Required if any read has no default.
            e.2 &= r.has_default;
        }
    }
    // A template documents the code of its own directory tree.
    let covering = |file: usize| -> Vec<&flightcheck_project::EnvFile> {
        templates
            .iter()
            .filter(|t| {
                let dir = t.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                flightcheck_project::workspace::is_within(ctx.rel(file), dir)
            })
            .map(|t| **t)
            .collect()
    };
    let mut out = Vec::new();
    if templates.is_empty() {
        let required: Vec<&str> = reads
            .iter()
            .filter(|(k, (_, _, defaulted))| !*defaulted && !is_platform_var(k))
            .map(|(k, _)| *k)
            .collect();
        if required.is_empty() {
            return out;
        }
        let Some(&(file, span, _)) = required.first().and_then(|k| reads.get(k)) else {
            return out;
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "No .env.example documents the {} env var{} running code requires: {}",
                required.len(),
                if required.len() == 1 { "" } else { "s" },
                required.join(", ")
            ),
        )
        .at(ctx.rel(file), span)
        .key(format!("no-template:{}", ctx.project.root));
        for k in required.iter().take(5) {
            if let Some(&(f, s, _)) = reads.get(k) {
                finding = finding.evidence(evidence_at(ctx, f, s, format!("reads {k}")));
            }
        }
        out.push(
            finding
                .evidence(Evidence::searched(format!("searched `{}` for .env.example / .env.sample / .env.template: none", ctx.project.root)))
                .impact("Whoever deploys learns the required configuration from crashes.")
                .fix("Add a `.env.example` listing every variable with a comment and an empty value.")
                .verify("Start from a fresh clone with only the template's keys set: the service boots."),
        );
        return out;
    }
    for (key, (file, span, defaulted)) in &reads {
        let templates = covering(*file);
        if *defaulted
            || is_platform_var(key)
            || templates.is_empty()
            || templates.iter().any(|t| mentions(t, key))
        {
            continue;
        }
        let names: Vec<&str> = templates.iter().map(|t| t.rel.as_str()).collect();
        out.push(
            Finding::new(&META, format!("`{key}` is read by running code but missing from {}", names.join(", ")))
                .at(ctx.rel(*file), *span)
                .key(format!("undocumented:{key}"))
                .evidence(evidence_at(ctx, *file, *span, "reads it, without a default".into()))
                .evidence(Evidence::searched(format!("searched {} for `{key}`", names.join(", "))))
                .impact(format!("Deployments configured from the template leave `{key}` unset; the code that needs it fails or silently skips."))
                .fix(format!("Add `{key}=` with a comment to {}.", names.join(", ")))
                .verify(format!("grep {key} {}", names.iter().map(|n| flightcheck_core::text::shell_quote(n)).collect::<Vec<_>>().join(" "))),
        );
    }
    // Stale keys: documented, but no source file of the project reads or mentions them.
    let texts: Vec<&str> = ctx
        .sources
        .iter()
        .filter_map(|&i| ctx.files[i].text.as_deref())
        .collect();
    let read_anywhere = |key: &str| {
        ctx.sources.iter().any(|&i| {
            ctx.facts(i)
                .is_some_and(|f| f.env_reads.iter().any(|r| r.name == key))
        }) || texts
            .iter()
            .any(|t| t.contains(key) || t.contains(&key.to_ascii_lowercase()))
    };
    for t in &templates {
        for entry in &t.parsed.entries {
            if is_platform_var(&entry.key) || read_anywhere(&entry.key) || library_var(&entry.key) {
                continue;
            }
            out.push(
                Finding::new(&META, format!("`{}` is documented in `{}` but no source file reads it", entry.key, t.rel))
                    .at(&t.rel, Span::line(entry.line))
                    .key(format!("stale:{}", entry.key))
                    .evidence(Evidence::at(&t.rel, entry.line, format!("{}=", entry.key), "documented key"))
                    .evidence(Evidence::searched(format!("searched {} for `{}`", flightcheck_core::text::count_of(ctx.sources.len(), "source file", "source files"), entry.key)))
                    .impact("People configure a value that does nothing, or a feature was removed and its config was not.")
                    .fix(format!("Remove `{}` from `{}`, or wire it up.", entry.key, t.rel))
                    .verify(format!("grep -r {} .", entry.key)),
            );
        }
    }
    out
}

/// Variables that libraries, ORMs and tools read themselves (`DATABASE_URL` from a prisma
/// schema or a knexfile, `PG*` from libpq, cloud SDK credentials, compose interpolation).
fn library_var(key: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "PG",
        "MYSQL",
        "POSTGRES",
        "AWS_",
        "GOOGLE_",
        "GCP_",
        "AZURE_",
        "SENTRY_",
        "OTEL_",
        "DATABASE_",
        "DB_",
        "REDIS",
        "COMPOSE_",
        "DOCKER",
        "NEXT_PUBLIC_",
        "VITE_",
        "REACT_APP_",
        "NGROK",
        "TYPEORM_",
        "PRISMA_",
        "MONGO",
        "CELERY",
        "DJANGO_",
        "FLASK_",
        "UVICORN_",
        "GUNICORN_",
        // The Supabase CLI reads these through `env(...)` in supabase/config.toml.
        "SUPABASE_AUTH_",
        "WEB_CONCURRENCY",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "SSL_",
        "TLS_",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p))
}

/// The template sets the key or names it in a comment (`# GUEST_BUDGET=100.0` documents an
/// optional setting).
fn mentions(template: &flightcheck_project::EnvFile, key: &str) -> bool {
    template.parsed.get(key).is_some()
        || template.text.match_indices(key).any(|(i, _)| {
            let before = template.text[..i].chars().next_back();
            let after = template.text[i + key.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
}
