//! What the web-protection rules (`no-rate-limit`, `no-security-headers`) share: the
//! project's running public HTTP routes and the protections its running code imports.

use crate::bots::split;
use crate::context::ProjectContext;
use flightcheck_core::{Framework, Language, Route, Span};

/// A running HTTP route that serves callers other than a chat platform or a probe.
pub struct PublicRoutes<'a> {
    /// Live routes, excluding webhooks and health/metrics probes.
    pub routes: Vec<(usize, &'a Route)>,
    pub frameworks: Vec<Framework>,
}

/// Paths that only a platform or a probe calls: Telegram/Stripe webhooks, health checks.
fn is_machine_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        "webhook", "hook", "callback", "health", "ready", "live", "metrics", "ping", "status",
        "telegram",
    ]
    .iter()
    .any(|w| p.contains(w))
        // Telegram's conventional webhook path: `/bot<token>`.
        || p.starts_with("/bot")
}

/// The project's live public routes (of `frameworks` when given), or `None` when it has
/// none: a bot whose only HTTP server takes webhooks is not a public API.
pub fn public_routes<'a>(
    ctx: &ProjectContext<'a>,
    keep: impl Fn(&Route) -> bool,
) -> Option<PublicRoutes<'a>> {
    routes_of(ctx, keep, true)
}

/// Like [`public_routes`], but a bot's POST routes count too: for rules that already know
/// the app has browser sessions, which a bare webhook server never has.
pub fn browser_routes<'a>(
    ctx: &ProjectContext<'a>,
    keep: impl Fn(&Route) -> bool,
) -> Option<PublicRoutes<'a>> {
    routes_of(ctx, keep, false)
}

fn routes_of<'a>(
    ctx: &ProjectContext<'a>,
    keep: impl Fn(&Route) -> bool,
    skip_bot_routes: bool,
) -> Option<PublicRoutes<'a>> {
    let all = split(ctx, |w| &w.routes, |r| &r.owner);
    // A bot's webhook is a POST, often on a computed path (`WEBHOOK_PATH`), and `GET /`
    // says "the bot is running": in a project that runs a bot only other routes make a
    // public API.
    let runs_bot = skip_bot_routes
        && ctx
            .reachable_sources()
            .filter_map(|i| ctx.facts(i))
            .any(|f| f.frameworks.iter().any(|fw| fw.platform().is_some()));
    let routes: Vec<(usize, &Route)> = all
        .live
        .into_iter()
        // Examples and demos show how to call an API; they are not the service.
        .filter(|(file, r)| {
            !ctx.is_sample_code(*file)
                && !crate::context::in_sample_dir(ctx.rel(*file))
                && !is_machine_path(&r.path)
                && !(runs_bot
                    && (matches!(r.path.as_str(), "" | "/")
                        || matches!(r.method.as_str(), "POST" | "ALL")))
                && keep(r)
        })
        .collect();
    if routes.is_empty() {
        return None;
    }
    let mut frameworks: Vec<Framework> = routes.iter().map(|(_, r)| r.framework).collect();
    frameworks.sort();
    frameworks.dedup();
    Some(PublicRoutes { routes, frameworks })
}

/// The first import by running code of one of `packages` (npm names, or Python top-level
/// modules): file, span and the specifier.
pub fn imported(ctx: &ProjectContext, packages: &[&str]) -> Option<(usize, Span, String)> {
    for file in ctx.reachable_sources() {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let python = ctx.language(file) == Some(Language::Python);
        for import in &facts.imports {
            let spec = import.specifier.as_str();
            let hit = if python {
                let top = spec.split('.').next().unwrap_or(spec);
                packages.contains(&top)
            } else {
                packages.iter().any(|p| {
                    spec == *p
                        || spec
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with('/'))
                })
            };
            if hit {
                return Some((file, import.span, spec.to_string()));
            }
        }
    }
    None
}

/// The first running source file whose text contains one of `needles` (header names set
/// by hand, settings keys): file and line.
pub fn mentioned(
    ctx: &ProjectContext,
    needles: &[&str],
    any_file: bool,
) -> Option<(usize, u32, String)> {
    let files: Vec<usize> = if any_file {
        ctx.sources.clone()
    } else {
        ctx.reachable_sources().collect()
    };
    for file in files {
        let Some(text) = ctx.files[file].text.as_deref() else {
            continue;
        };
        for needle in needles {
            if let Some(at) = text.find(needle) {
                let line = text[..at].matches('\n').count() as u32 + 1;
                return Some((file, line, (*needle).to_string()));
            }
        }
    }
    None
}

/// Reverse-proxy configuration files in the project (nginx, traefik, Caddy): limits or
/// headers may be set there, which flightcheck does not read.
pub fn proxy_configs(ctx: &ProjectContext) -> Vec<String> {
    let mut out = Vec::new();
    for (i, f) in ctx.ws.files.iter().enumerate() {
        if ctx.ws.file_project.get(i) != Some(&ctx.index) {
            continue;
        }
        let rel = f.rel.to_ascii_lowercase();
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let proxy = (name.ends_with(".conf")
            && (rel.contains("nginx") || name.starts_with("default")))
            || name == "nginx.conf"
            || name == "caddyfile"
            || (name.starts_with("traefik")
                && (name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".toml")));
        if proxy {
            out.push(f.rel.clone());
        }
    }
    out
}

/// Whether middleware other than body parsers, CORS and uploads sits before a route's
/// handler (`app.post('/x', requireAdmin, handler)`).
pub fn has_route_middleware(r: &Route) -> bool {
    const PARSERS: [&str; 6] = [
        "json",
        "urlencoded",
        "upload",
        "multer",
        "bodyParser",
        "cors",
    ];
    r.middlewares
        .iter()
        .any(|m| !PARSERS.iter().any(|p| m.contains(p)))
}

/// The text of a route registration whose handler is written inline (`app.post('/x',
/// (req, res) => { … })`); `None` when the handler is defined elsewhere.
pub fn inline_handler_text(ctx: &ProjectContext, file: usize, r: &Route) -> Option<String> {
    let state = ctx.files.get(file)?;
    let text: String = (r.span.line..=r.span.end_line.max(r.span.line))
        .map(|l| state.line(l))
        .collect::<Vec<_>>()
        .join("\n");
    (text.contains("=>") || text.contains("function")).then_some(text)
}
