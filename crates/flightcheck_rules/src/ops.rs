//! What the `observability/*` and operations rules share: whether the project is a
//! long-running service or bot, the libraries its running code imports, and what its start
//! scripts and deploy files preload.

use crate::context::ProjectContext;
use flightcheck_core::{Evidence, Finding, Framework, ImportFact, ImportKind, Language, Span};

/// HTTP frameworks that make a long-running server (Next.js is judged apart: it usually
/// runs on a serverless platform).
const HTTP_SERVERS: [Framework; 8] = [
    Framework::Express,
    Framework::Fastify,
    Framework::Koa,
    Framework::NestJs,
    Framework::FastApi,
    Framework::Flask,
    Framework::Aiohttp,
    Framework::Django,
];

/// A long-running program: an HTTP service, a chat bot, or both.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// HTTP frameworks imported by running code.
    pub http: Vec<Framework>,
    /// Chat-bot frameworks imported by running code.
    pub bots: Vec<Framework>,
}

impl Service {
    pub fn names(&self) -> String {
        let all: Vec<&str> = self
            .http
            .iter()
            .chain(&self.bots)
            .map(|f| f.as_str())
            .collect();
        all.join(", ")
    }
}

/// Reachable source files that are not tests, examples or docs: the code production runs.
pub fn running_files(ctx: &ProjectContext) -> Vec<usize> {
    ctx.reachable_sources()
        .filter(|i| !ctx.is_sample_code(*i))
        .collect()
}

/// The long-running service or bot the project runs, if any. Next.js counts as a server
/// only when the project deploys it in containers. A project without an entry point of its
/// own (a library, a framework's repository whose only `__main__` modules are examples)
/// runs nothing long-lived.
pub fn service(ctx: &ProjectContext, files: &[usize]) -> Option<Service> {
    if !has_own_entry(ctx) {
        return None;
    }
    let mut s = Service::default();
    // aiohttp is also the HTTP client of aiogram and of many bots: it is a server only when
    // running code builds a web application, routes or a server.
    let aiohttp_server = files.iter().filter_map(|i| ctx.facts(*i)).any(|f| {
        f.web_app.is_some()
            || f.observability.http_server.is_some()
            || f.wiring
                .routes
                .iter()
                .any(|r| r.framework == Framework::Aiohttp)
    });
    for f in files.iter().filter_map(|i| ctx.facts(*i)) {
        for fw in &f.frameworks {
            let http = (HTTP_SERVERS.contains(fw) && (*fw != Framework::Aiohttp || aiohttp_server))
                || (*fw == Framework::NextJs && ctx.deploys_in_containers());
            if http && !s.http.contains(fw) {
                s.http.push(*fw);
            }
            if fw.platform().is_some() && !s.bots.contains(fw) {
                s.bots.push(*fw);
            }
        }
    }
    s.http.sort();
    s.bots.sort();
    (!s.http.is_empty() || !s.bots.is_empty()).then_some(s)
}

/// The project declares an entry point outside tests, examples and docs.
pub fn has_own_entry(ctx: &ProjectContext) -> bool {
    // The repository of a framework itself (aiogram, discord.py, telegraf): its
    // `__main__` or bin prints versions; its users run the services.
    let npm = ctx
        .project
        .package_json
        .as_ref()
        .and_then(|p| p.name.as_deref());
    let pypi = ctx
        .project
        .pyproject
        .as_ref()
        .and_then(|p| p.name.as_deref());
    if npm.and_then(Framework::from_npm).is_some() || pypi.and_then(Framework::from_pypi).is_some()
    {
        return false;
    }
    ctx.entries
        .iter()
        .any(|e| !ctx.is_sample_code(e.file) && !crate::context::in_sample_dir(ctx.rel(e.file)))
}

/// The package an import names: the npm package (`@sentry/node`), or the top-level Python
/// module (`prometheus_client`); `None` for relative imports and type-only imports.
pub fn imported_package(language: Option<Language>, import: &ImportFact) -> Option<&str> {
    match import.kind {
        ImportKind::TypeOnly => None,
        ImportKind::PyImport | ImportKind::PyFrom => {
            let s = import.specifier.as_str();
            (!s.starts_with('.')).then(|| s.split('.').next().unwrap_or(s))
        }
        _ if import.erased => None,
        _ => match language {
            Some(Language::Python) => None,
            _ => flightcheck_core::package_name(&import.specifier),
        },
    }
}

/// The first import in `files` of a package `wanted` accepts: (file, import, package).
pub fn find_import<'a>(
    ctx: &ProjectContext<'a>,
    files: &[usize],
    wanted: impl Fn(&str) -> bool,
) -> Option<(usize, &'a ImportFact, String)> {
    for &file in files {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for import in &facts.imports {
            if let Some(p) = imported_package(ctx.language(file), import)
                && wanted(p)
            {
                return Some((file, import, p.to_string()));
            }
        }
    }
    None
}

/// A package loaded outside the import graph: `node -r newrelic`, `--import
/// ./instrument.mjs`… in a package.json script, `ddtrace-run`, `opentelemetry-instrument`,
/// `newrelic-admin` or `NODE_OPTIONS=--require …` in the deploy files. Returns where it was
/// seen, as written.
pub fn preloaded(ctx: &ProjectContext, words: &[&str]) -> Option<String> {
    if let Some(pkg) = &ctx.project.package_json {
        for (name, script) in &pkg.scripts {
            let lower = script.to_ascii_lowercase();
            if words.iter().any(|w| lower.contains(w)) {
                return Some(format!("package.json script `{name}`: `{script}`"));
            }
        }
    }
    ctx.project
        .deploy_words
        .iter()
        .find(|w| {
            let lower = w.to_ascii_lowercase();
            words.iter().any(|x| lower == *x)
        })
        .map(|w| format!("`{w}` in the deploy files"))
}

/// "searched N running source files for …".
pub fn searched(files: &[usize], what: &str) -> Evidence {
    let n = files.len();
    Evidence::searched(format!(
        "searched {n} running source file{} (entry points and what they import, without tests and examples) for {what}",
        if n == 1 { "" } else { "s" }
    ))
}

/// A project-level finding anchored at the main manifest (or nowhere).
pub fn project_finding(
    ctx: &ProjectContext,
    meta: &'static flightcheck_core::RuleMeta,
    message: String,
) -> Finding {
    let mut f = Finding::new(meta, message).key(&ctx.project.root);
    if let Some(m) = ctx.manifest() {
        f = f.at(m, Span::line(1));
    }
    f
}
