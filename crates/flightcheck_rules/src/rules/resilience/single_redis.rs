//! `resilience/single-redis`: a required Redis with one node and no degraded mode.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::ops::running_files;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RedisClient, RuleMeta, Severity, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "resilience/single-redis",
    severity: Severity::Low,
    category: Category::Availability,
    fix_kind: FixKind::Ops,
    summary: "A required Redis with one URL, no sentinel/cluster and no degraded mode",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 120,
    docs: r#"## What it does
Finds Redis clients that running code creates (ioredis `new Redis(...)`, node-redis
`createClient`, bull/bullmq/bee-queue queues, redis-py `Redis(...)`/`from_url`, aioredis,
aiogram `RedisStorage`, a Celery broker `redis://…`) when nothing in running code makes
Redis survivable: no cluster or sentinel client (`new Redis.Cluster`, `sentinels:`,
`createCluster`, `redis.sentinel.Sentinel`, `RedisCluster`), no degraded mode
(`enableOfflineQueue: false`, the client created inside `try`, an `except RedisError`
handler), and the Redis URL is not optional (an env var with `REDIS` in its name that the
code tests before use). One finding per project, at the first client.

## Why it breaks production
With one Redis node and no fallback, Redis is a single point of failure: a Redis restart,
failover or network blip stops sessions, queues and rate limits, and with them every
request or update the service handles. ioredis queues commands forever by default, so
handlers hang instead of failing.

## Flagged
```js
const redis = new Redis(process.env.REDIS_URL);
bot.use(session({ store: redisStore(redis) }));
```

## Not flagged
```js
const redis = new Redis.Cluster([{ host: 'r1' }, { host: 'r2' }]);
```
```python
try:
    cached = await redis.get(key)
except RedisError:
    cached = None          # degraded mode: go to the database
```

## Fix
Use a managed Redis with automatic failover (sentinel or cluster), or make the service
degrade when Redis is down: fail fast (`enableOfflineQueue: false`, short timeouts) and
fall back to the database or to in-memory state for non-critical data.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // A library's Redis storage classes are its users' choice, not a deployment.
    if !crate::ops::has_own_entry(ctx) {
        return Vec::new();
    }
    let files = running_files(ctx);
    let mut clients: Vec<(usize, &RedisClient)> = Vec::new();
    for &file in &files {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let obs = &facts.observability;
        if !obs.redis_resilience.is_empty() || obs.redis_clients.iter().any(|c| c.guarded) {
            return Vec::new();
        }
        clients.extend(
            obs.redis_clients
                .iter()
                .filter(|c| ctx.runs(file, &c.owner))
                .map(|c| (file, c)),
        );
    }
    let Some(&(file, first)) = clients.first() else {
        return Vec::new();
    };
    // `if REDIS_URL: … else: MemoryStorage()`: Redis is optional.
    let optional = files.iter().filter_map(|i| ctx.facts(*i)).any(|f| {
        f.env_reads
            .iter()
            .any(|r| r.tested && r.name.to_ascii_uppercase().contains("REDIS"))
    });
    if optional {
        return Vec::new();
    }
    let mut finding = Finding::new(
        &META,
        format!(
            "Redis is required and single-node: `{}` ({} client{} in running code), no sentinel/cluster and no fallback when it is down",
            first.via,
            clients.len(),
            if clients.len() == 1 { "" } else { "s" }
        ),
    )
    .at(ctx.rel(file), first.span)
    .key(&ctx.project.root);
    for (f, c) in clients.iter().take(3) {
        finding = finding.evidence(evidence_at(ctx, *f, c.span, "Redis client".into()));
    }
    vec![
        finding
            .evidence(Evidence::searched(format!(
                "searched {} for Redis.Cluster, sentinels, createCluster, Sentinel, RedisCluster, enableOfflineQueue: false, clients created in try, except RedisError, an optional REDIS env var",
                flightcheck_core::text::count_of(files.len(), "running source file", "running source files")
            )))
            .impact("A Redis restart or failover stops every request or update that touches sessions, queues or limits.")
            .fix("Use Redis with failover (sentinel/cluster or a managed service) or degrade: fail fast and fall back when Redis is down.")
            .verify("Stop Redis in staging: the service keeps answering (degraded) and recovers when Redis returns."),
    ]
}
