//! Observability and operations facts of one source file: error-tracking SDK calls, console
//! output, health-check paths, Redis clients and blocking calls in handlers. The
//! `observability/*`, `resilience/single-redis` and `perf/sync-fs-in-handler` rules read
//! them; which libraries a file uses comes from its imports.

use crate::{Owner, Span};
use serde::Serialize;

/// A call into an error-tracking SDK (`Sentry.init(...)`, `Sentry.captureException(e)`,
/// `new Rollbar({...})`, `sentry_sdk.capture_exception(e)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackerCall {
    /// The SDK, lower case: `sentry`, `rollbar`, `bugsnag`, `honeybadger`, `airbrake`, `raygun`.
    pub sdk: String,
    /// The call as written (shortened), e.g. `Sentry.captureException(...)`.
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// A string that names a health, readiness or liveness path, passed as the path of a route
/// or a controller (`app.get('/healthz', …)`, `@Get('health')`, `path("ready/", …)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthPath {
    pub path: String,
    pub span: Span,
}

/// A Redis client the code creates (`new Redis(url)`, `createClient({ url })`,
/// `redis.Redis.from_url(...)`, aiogram `RedisStorage.from_url`, a bull queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedisClient {
    pub via: String,
    /// Created inside `try`: the program handles Redis being down at connect time.
    pub guarded: bool,
    pub span: Span,
    pub owner: Owner,
}

/// A synchronous (event-loop blocking) call: `fs.readFileSync`, `execSync`, `spawnSync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncCall {
    /// The call as written, e.g. `fs.readFileSync`.
    pub call: String,
    /// The handler it runs in, e.g. `bot.command('stats', …)`, `app.get('/users', …)`,
    /// `execute(interaction)`, or a function of this file that such a handler calls
    /// (`loadUsers, called by bot.command('stats', …)`). `None` when no handler runs it.
    pub handler: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// All observability facts of one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ObservabilityFacts {
    /// Calls that initialise an error tracker.
    pub tracker_inits: Vec<TrackerCall>,
    /// Calls that report to an error tracker.
    pub tracker_reports: Vec<TrackerCall>,
    /// Lines of `console.log/error/...` (JS) or `print(...)` (Python) calls.
    pub console_lines: Vec<u32>,
    /// Health, readiness and liveness paths.
    pub health_paths: Vec<HealthPath>,
    /// An HTTP server is started (`http.createServer`, `app.listen`, `web.run_app`,
    /// `uvicorn.run`, `HTTPServer(...)`): something a platform can probe.
    pub http_server: Option<Span>,
    pub redis_clients: Vec<RedisClient>,
    /// Redis high availability or degraded mode, as written: `new Redis.Cluster`,
    /// `sentinels:`, `enableOfflineQueue: false`, `except RedisError`.
    pub redis_resilience: Vec<String>,
    /// Blocking calls (JS only).
    pub sync_calls: Vec<SyncCall>,
}

/// Whether a route path names a health, readiness or liveness check (`/health`,
/// `/api/healthz`, `ready/`, `/_status`, `/ping`).
pub fn is_health_path(path: &str) -> bool {
    path.split(['/', '?', '.'])
        .filter(|s| !s.is_empty())
        .any(|segment| {
            let s = segment.trim_start_matches('_').to_ascii_lowercase();
            matches!(
                s.as_str(),
                "health"
                    | "healthz"
                    | "healthcheck"
                    | "health-check"
                    | "health_check"
                    | "healthy"
                    | "ready"
                    | "readyz"
                    | "readiness"
                    | "live"
                    | "livez"
                    | "liveness"
                    | "alive"
                    | "ping"
                    | "status"
                    | "heartbeat"
                    | "up"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_paths() {
        for p in [
            "/health",
            "/api/healthz",
            "ready/",
            "/_status",
            "/ping",
            "health",
        ] {
            assert!(is_health_path(p), "{p}");
        }
        for p in ["/users", "/webhook", "/statistics", "/pingback", "/", ""] {
            assert!(!is_health_path(p), "{p}");
        }
    }
}
