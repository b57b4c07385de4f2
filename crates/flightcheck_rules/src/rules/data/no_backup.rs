//! `data/no-backup`: data kept in local files or a compose database volume, and nothing in
//! the repository backs it up.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::redact::redact_line;
use flightcheck_core::wiring::{DataStoreKind, is_data_path, sqlite_url_path};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EnvRole;
use flightcheck_project::services::{ServiceKind, image_name, is_dev_compose};
use flightcheck_project::workspace::{in_example_dir, is_test_file};

pub static META: RuleMeta = RuleMeta {
    id: "data/no-backup",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Ops,
    summary: "File or SQLite data with no backup job or script anywhere in the repository",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
    docs: r#"## What it does
Finds data the service keeps on its own disk:
- SQLite opened by running code (`sqlite3.connect`, `aiosqlite`, `create_engine('sqlite:///…')`,
  peewee, `new Database('bot.db')` of better-sqlite3, `sqlite3.Database`, knex/sequelize/
  TypeORM configured for SQLite, quick.db, enmap, keyv with SQLite);
- file-backed stores (lowdb, nedb, node-json-db, TinyDB, shelve, pickledb, PTB's
  `PicklePersistence`) and JSON files the code opens for writing (`users.json`; not caches,
  logs, reports or configuration);
- a SQLite `DATABASE_URL` (`sqlite:///…`, `file:./dev.db`) in a deployed env file, and Prisma
  schemas with `provider = "sqlite"`;
- database services (postgres, mysql, mariadb, mongo…) with a data volume in a compose file
  that is not for development or tests.

Then searches the whole repository for a backup: scripts, CI jobs, compose services,
crontabs, package.json scripts and docs that run `pg_dump`, `mysqldump`, `mongodump`,
`sqlite3 … .backup`, `VACUUM INTO`, litestream, restic, borg, rclone, duplicity, wal-g…, files
and services named for backups, and running code that mentions backups (a `/backup` admin
command, `db.backup()`).

A `sqlite:///…` URL that appears only as a default in code is reported at `low`: production
may set another database. When an env file of the project points the database at a server
(`postgresql://…`), such defaults are not data at all. Code in examples, docs and tests, and
settings for development (`settings/local.py`, `config.dev.js`) are not the deployed data;
JSON files count only when named for state (`users.json`, `db.json`, `balances.json`), not
specs, exports or build output (`openapi.json`).

## Why it breaks production
A SQLite file, a JSON "database" or a Docker volume lives on one disk of one machine. A
full disk that truncates the file, a bad migration, `docker compose down -v`, a host that is
replaced or a mistaken `rm` loses every user, balance and booking, with nothing to restore.

## Flagged
```python
# bot/db.py, reachable from main.py
conn = sqlite3.connect("data/bot.db")
```
```yaml
# docker-compose.yml
services:
  db:
    image: postgres:16
    volumes: [pgdata:/var/lib/postgresql/data]
```
with no backup script, job or service anywhere in the repository.

## Not flagged
The same with `scripts/backup.sh` running `sqlite3 data/bot.db ".backup …"`, a CI or cron job
with `pg_dump`, a `litestream` or `postgres-backup-local` compose service, or a documented
`pg_dump` procedure; `sqlite3.connect(":memory:")`; data in a managed database reached by a
`DATABASE_URL`; compose files for development (`docker-compose.dev.yml`) and tests.

## Fix
Schedule a backup that leaves the machine: `litestream replicate` or a cron job running
`sqlite3 bot.db ".backup …"` for SQLite, `pg_dump` (or a `postgres-backup-local` service) for
Postgres, each copied to object storage with `rclone`/`restic`; then restore one to check it.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    has_sources(ctx)
}

/// Database images whose volume holds the service's data.
const DATABASE_IMAGES: [&str; 12] = [
    "postgres",
    "postgis",
    "timescale",
    "mysql",
    "mariadb",
    "mongo",
    "couchdb",
    "influxdb",
    "clickhouse",
    "neo4j",
    "cassandra",
    "surrealdb",
];

fn database_image(image: &str) -> bool {
    let base = image_name(image);
    DATABASE_IMAGES.iter().any(|d| base.starts_with(d))
}

/// A volume that holds data, not a config file or an init script mounted read-only.
fn data_volume(volume: &str) -> bool {
    let target = volume
        .split(':')
        .nth(1)
        .unwrap_or(volume)
        .to_ascii_lowercase();
    !(target.is_empty()
        || target.contains("docker-entrypoint-initdb")
        || [
            ".conf", ".cnf", ".sql", ".sh", ".js", ".json", ".yml", ".yaml",
        ]
        .iter()
        .any(|e| target.ends_with(e)))
}

/// Keys that name the database a service uses.
fn is_database_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.contains("DATABASE_URL")
        || k.contains("DATABASE_URI")
        || k == "DB_URL"
        || k.ends_with("_DB_URL")
        || k.ends_with("_DSN")
        || k == "DB_URI"
}

/// Settings or helpers for development and tests (`settings/local.py`, `config.dev.js`,
/// `db_test.py`): their database is not the deployed one.
fn is_development_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
    stem.split(['.', '-', '_']).any(|t| {
        matches!(
            t,
            "local" | "dev" | "development" | "test" | "testing" | "example" | "sample"
        )
    })
}

/// A JSON file named for application state (`users.json`, `db.json`, `balances.json`);
/// other JSON files a program writes are specs, exports, caches or build output.
fn names_state(path: &str) -> bool {
    const STATE: [&str; 56] = [
        "db",
        "database",
        "data",
        "store",
        "storage",
        "state",
        "user",
        "users",
        "session",
        "sessions",
        "balance",
        "balances",
        "score",
        "scores",
        "order",
        "orders",
        "booking",
        "bookings",
        "appointment",
        "appointments",
        "slot",
        "slots",
        "reservation",
        "reservations",
        "subscription",
        "subscriptions",
        "subscriber",
        "subscribers",
        "chat",
        "chats",
        "member",
        "members",
        "account",
        "accounts",
        "wallet",
        "wallets",
        "point",
        "points",
        "player",
        "players",
        "ticket",
        "tickets",
        "reminder",
        "reminders",
        "payments",
        "transactions",
        "customers",
        "profiles",
        "inventory",
        "economy",
        "levels",
        "warns",
        "votes",
        "polls",
        "queue",
        "tasks",
    ];
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| STATE.contains(&t))
}

/// Code that backs data up: `backup` within a few lines of a database word (a `/backup`
/// admin command sending `bot.db`, `conn.backup(dest)`, `pg_dump`), not any `backup` (a
/// lexer's `backup()` steps back a character).
fn backs_up_data(text: &str) -> bool {
    const DATA_WORDS: [&str; 12] = [
        "sqlite", "database", "_db", "db_", "db.", ".db", "dump", "postgres", "mongo", "mysql",
        "pg_", ".sql",
    ];
    let lines: Vec<String> = text.lines().map(str::to_ascii_lowercase).collect();
    lines.iter().enumerate().any(|(i, line)| {
        line.contains("backup")
            && lines[i.saturating_sub(3)..(i + 4).min(lines.len())]
                .iter()
                .any(|l| DATA_WORDS.iter().any(|w| l.contains(w)))
    })
}

struct Data {
    file: String,
    line: u32,
    snippet: String,
    what: String,
    /// Only a default in code: production may use another database.
    weak: bool,
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let ws = ctx.ws;
    let root = &ctx.project.root;
    let mut data: Vec<Data> = Vec::new();

    // A database server named by an env file: `sqlite:///` defaults in code are for
    // development then.
    let server_database = ctx.env_files.iter().any(|e| {
        e.parsed.entries.iter().any(|entry| {
            is_database_key(&entry.key)
                && !entry.value.trim().is_empty()
                && sqlite_url_path(&entry.value).is_none()
                && entry.value.contains("://")
        })
    });

    for (i, wiring) in ctx.wiring() {
        let rel = ctx.rel(i);
        if is_test_file(rel) || in_example_dir(rel) || is_development_file(rel) {
            continue;
        }
        for store in &wiring.data_stores {
            if !ctx.runs(i, &store.owner)
                || store.path.as_deref().is_some_and(|p| !is_data_path(p))
                || (store.kind == DataStoreKind::JsonFile
                    && !store.path.as_deref().is_some_and(names_state))
            {
                continue;
            }
            let weak = store.kind == DataStoreKind::SqliteUrl;
            if weak && server_database {
                continue;
            }
            let what = match &store.path {
                Some(p) => format!("{} `{p}`", store.kind.as_str()),
                None => store.kind.as_str().to_string(),
            };
            data.push(Data {
                file: rel.to_string(),
                line: store.span.line,
                snippet: ctx.snippet(i, store.span.line),
                what: if weak {
                    format!("{what} (a default in code)")
                } else {
                    what
                },
                weak,
            });
        }
    }
    for env in &ctx.env_files {
        if !matches!(env.role, EnvRole::Production | EnvRole::Deployed) {
            continue;
        }
        for entry in &env.parsed.entries {
            if is_database_key(&entry.key)
                && let Some(path) = sqlite_url_path(&entry.value)
                && is_data_path(&path)
            {
                data.push(Data {
                    file: env.rel.clone(),
                    line: entry.line,
                    snippet: redact_line(&format!("{}={}", entry.key, entry.value)),
                    what: format!("SQLite database `{path}` ({} env)", env.role.as_str()),
                    weak: false,
                });
            }
        }
    }
    let in_project = |file: &str| ctx.owns_file(file);
    for schema in ws.sqlite_schemas.iter().filter(|s| in_project(&s.file)) {
        data.push(Data {
            file: schema.file.clone(),
            line: schema.line,
            snippet: "provider = \"sqlite\"".into(),
            what: "SQLite database (Prisma datasource)".into(),
            weak: false,
        });
    }
    for s in ws.services.iter().filter(|s| {
        s.kind == ServiceKind::Compose && in_project(&s.file) && !is_dev_compose(&s.file)
    }) {
        let Some(image) = s.image.as_deref().filter(|i| database_image(i)) else {
            continue;
        };
        let Some(volume) = s.volumes.iter().find(|v| data_volume(v)) else {
            continue;
        };
        data.push(Data {
            file: s.file.clone(),
            line: s.line,
            snippet: format!("{}: image {image}, volume {volume}", s.name),
            what: format!("the `{image}` volume `{volume}`"),
            weak: false,
        });
    }
    if data.is_empty() {
        return Vec::new();
    }

    // Any backup anywhere in the repository, or code of the project that mentions one.
    if !ws.backups.is_empty() {
        return Vec::new();
    }
    let mentions_backup = ctx.reachable_sources().any(|i| {
        !is_test_file(ctx.rel(i))
            && !in_example_dir(ctx.rel(i))
            && ctx.files[i].text.as_deref().is_some_and(backs_up_data)
    });
    if mentions_backup {
        return Vec::new();
    }

    data.sort_by_key(|d| d.weak);
    let weak_only = data.iter().all(|d| d.weak);
    let first = &data[0];
    let mut kinds: Vec<&str> = data.iter().map(|d| d.what.as_str()).collect();
    kinds.dedup();
    let shown: Vec<&str> = kinds.iter().take(3).copied().collect();
    let mut message = format!(
        "`{}` keeps data in {}{} and nothing in the repository backs it up",
        ctx.project.name,
        shown.join(", "),
        if kinds.len() > 3 { ", …" } else { "" }
    );
    if weak_only {
        message.push_str(" (only a default in code names this database: if production sets another `DATABASE_URL`, this does not apply)");
    }
    let mut finding = Finding::new(&META, message)
        .severity(if weak_only {
            Severity::Low
        } else {
            Severity::Medium
        })
        .at(&first.file, Span::line(first.line))
        .key(format!("{root} no backup"));
    for d in data.iter().take(6) {
        finding = finding.evidence(Evidence::at(
            &d.file,
            d.line,
            d.snippet.clone(),
            d.what.clone(),
        ));
    }
    vec![
        finding
            .evidence(Evidence::searched(format!(
                "searched the {} files of the repository (scripts, CI, compose services, crontabs, package.json scripts, docs) for pg_dump, mysqldump, mongodump, sqlite3 .backup, VACUUM INTO, litestream, restic, borg, rclone, duplicity, wal-g and files named for backups, and the project's running code for `backup`: none",
                ws.files.len()
            )))
            .impact("A corrupted file, a bad migration, `docker compose down -v` or a lost host deletes every user's data with nothing to restore.")
            .fix("Schedule a backup that leaves the machine (litestream, or cron with `sqlite3 … .backup` / `pg_dump`, copied with rclone or restic) and test a restore.")
            .verify("Restore the latest backup into a scratch environment and start the service on it."),
    ]
}
