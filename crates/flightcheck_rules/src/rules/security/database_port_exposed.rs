//! `security/database-port-exposed`: a production compose file publishes a database or cache
//! on every interface of the host with no password, or with one anyone can guess.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::services::{
    ComposeDetails, PublishedPort, Service, ServiceKind, image_name, is_dev_compose,
};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    id: "security/database-port-exposed",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Ops,
    summary: "A compose file publishes a database or cache port to the network with no password, or a well-known one",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Reads the production compose files and reports database and cache services (PostgreSQL,
MySQL/MariaDB, MongoDB, Redis/Valkey/KeyDB, Memcached, Elasticsearch) whose `ports:`
publish the database port on every interface of the host (`"6379:6379"`, `"5432"`), when
the compose file shows that nothing asks for a password:
- Redis, Valkey, KeyDB: no `--requirepass` in the command and no mounted `*.conf`
  (Bitnami images: `ALLOW_EMPTY_PASSWORD=yes`);
- Memcached: it has no authentication at all;
- MongoDB: no `MONGO_INITDB_ROOT_USERNAME` and no `--auth`, with no `env_file:` that could
  set it;
- PostgreSQL: `POSTGRES_HOST_AUTH_METHOD: trust`;
- MySQL/MariaDB: `MYSQL_ALLOW_EMPTY_PASSWORD`/`MARIADB_ALLOW_EMPTY_ROOT_PASSWORD`;
- Elasticsearch: `xpack.security.enabled=false`;
- or the password is written in the file: a well-known value (`postgres`, `password`,
  `root`, `admin`, `123456`…), or any literal, which whoever reads the repository knows
  (shown redacted), or a placeholder default (`${DB_PASSWORD:-change_me}`) used whenever
  the variable is unset.

Database admin UIs published on every interface are reported the same way when their
login is missing or known: mongo-express with `ME_CONFIG_BASICAUTH=false` or a written
`ME_CONFIG_BASICAUTH_PASSWORD`, Redis Commander with no `HTTP_PASSWORD`, pgAdmin with a
written `PGADMIN_DEFAULT_PASSWORD` (Adminer and phpMyAdmin ask for the database's own
login, so they are judged by the database's password).

Not flagged: ports bound to loopback (`127.0.0.1:5432:5432`), `expose:` (reachable only
by the other containers), passwords from `${VARIABLES}` or an `env_file:` the file does not
show, compose files under example, test or fixture folders, compose files for development or tests (`docker-compose.dev.yml`, `*.override.yml`),
and files whose application services are set up for development (the source tree mounted
with `.:/app`, or a service's build folder mounted back over it, `build: ./api` with
`./api:/srv`; `npm run dev`): everything in such a file runs on a developer's machine.
Low, not high, for a file whose every service is a database or cache image (or a database
admin UI such as pgAdmin or Adminer, a message broker such as RabbitMQ or Kafka, an object
store such as MinIO): it runs none of
the project's code, so it reads as a local stack of backing services (the deployed app's
database comes from a Procfile's `DATABASE_URL` or a managed service).

## Why it breaks production
Docker publishes ports by writing its own iptables rules, so a host firewall such as ufw
does not stop them: `"6379:6379"` on a VPS puts the database on the internet. Scanners find
open Redis, MongoDB and Elasticsearch within hours; an unauthenticated Redis lets anyone
read every session and key, and `CONFIG SET` turns it into a foothold on the host.
Databases held for ransom are how many of these deployments end.

## Flagged
```yaml
services:
  bot:
    build: .
    restart: unless-stopped
  redis:
    image: redis:7
    ports:
      - "6379:6379"
```

## Not flagged
```yaml
services:
  redis:
    image: redis:7
    command: redis-server --requirepass ${REDIS_PASSWORD}
    ports:
      - "127.0.0.1:6379:6379"
```

## Fix
Remove the `ports:` entry (the other containers reach the database by its service name
over the compose network), or bind it to loopback (`127.0.0.1:5432:5432`) for an SSH
tunnel, and set a password from a secret.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn compose_services<'a>(ctx: &'a ProjectContext) -> impl Iterator<Item = &'a Service> + 'a {
    ctx.services().filter(|s| s.kind == ServiceKind::Compose)
}

fn applies(ctx: &ProjectContext) -> bool {
    compose_services(ctx).any(|s| s.compose.as_ref().is_some_and(|c| !c.ports.is_empty()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    Postgres,
    Mysql,
    Mongo,
    Redis,
    Memcached,
    Elasticsearch,
}

impl Store {
    fn of(image: &str) -> Option<Self> {
        let name = image_name(image);
        let name = name.as_str();
        Some(match name {
            n if n.starts_with("postgres") || n.starts_with("postgis") || n == "timescaledb" => {
                Self::Postgres
            }
            "mysql" | "mariadb" | "percona" => Self::Mysql,
            "mongo" | "mongodb" | "mongodb-community-server" => Self::Mongo,
            "redis" | "valkey" | "keydb" | "redis-stack-server" => Self::Redis,
            "memcached" => Self::Memcached,
            "elasticsearch" => Self::Elasticsearch,
            _ => return None,
        })
    }

    fn port(self) -> &'static str {
        match self {
            Self::Postgres => "5432",
            Self::Mysql => "3306",
            Self::Mongo => "27017",
            Self::Redis => "6379",
            Self::Memcached => "11211",
            Self::Elasticsearch => "9200",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::Mysql => "MySQL",
            Self::Mongo => "MongoDB",
            Self::Redis => "Redis",
            Self::Memcached => "Memcached",
            Self::Elasticsearch => "Elasticsearch",
        }
    }
}

/// Passwords that password lists try first.
const GUESSABLE: [&str; 12] = [
    "postgres", "password", "pass", "root", "admin", "secret", "123456", "12345678", "qwerty",
    "mysql", "changeme", "example",
];

fn is_truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim_matches(['"', '\'']).to_ascii_lowercase().as_str(),
            "yes" | "true" | "1"
        )
    })
}

/// Why the password in `keys` is known to whoever reads the compose file: a well-known
/// value, any literal, or a weak `${VAR:-default}`.
fn known_password(details: &ComposeDetails, keys: &[&str]) -> Option<String> {
    let env = |key: &str| -> Option<Option<&str>> {
        details
            .environment
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    };
    keys.iter().find_map(|k| {
        let v = env(k)??;
        let v = v.trim_matches(['"', '\'']);
        // `${DB_PASSWORD:-change_me}`: the default is the password whenever the
        // variable is unset.
        if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
            && let Some((var, default)) = inner
                .split_once(":-")
                .or_else(|| inner.split_once('-'))
            && !default.contains('$')
        {
            let weak = crate::secret_values::weakness(default)
                .map(|w| w.reason)
                .or_else(|| GUESSABLE.contains(&default.to_ascii_lowercase().as_str()).then_some("a well-known password"))?;
            return Some(format!(
                "`{k}` falls back to `{default}` ({weak}) when `{var}` is unset"
            ));
        }
        if v.is_empty() || v.contains('$') {
            return None;
        }
        // A password written in the compose file is known to whoever reads the
        // repository (shown redacted: it may be live).
        Some(if GUESSABLE.contains(&v.to_ascii_lowercase().as_str()) {
            format!("`{k}` is `{v}`, a password anyone can guess")
        } else {
            format!(
                "`{k}` is written in the compose file (`{}`): whoever reads the repository can log in",
                flightcheck_core::redact::preview(v)
            )
        })
    })
}

/// Why the compose file shows no working password for the service, if it does.
fn no_password(store: Store, s: &Service) -> Option<String> {
    let details = s.compose.as_ref()?;
    let env = |key: &str| -> Option<Option<&str>> {
        details
            .environment
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    };
    let command = s.command.as_deref().unwrap_or("");
    let guessable = |keys: &[&str]| known_password(details, keys);
    match store {
        Store::Redis => {
            let bitnami = s.image.as_deref().is_some_and(|i| i.contains("bitnami"));
            if bitnami {
                return is_truthy(env("ALLOW_EMPTY_PASSWORD").flatten())
                    .then(|| "`ALLOW_EMPTY_PASSWORD=yes`: no password".to_string())
                    .or_else(|| guessable(&["REDIS_PASSWORD"]));
            }
            let config = s.volumes.iter().any(|v| v.contains(".conf")) || command.contains(".conf");
            if command.contains("requirepass") || command.contains("--aclfile") || config {
                return None;
            }
            Some("no `--requirepass` in its command and no config file mounted: Redis accepts every client".into())
        }
        Store::Memcached => Some("Memcached has no authentication".into()),
        Store::Mongo => {
            if command.contains("--auth") || env("MONGO_INITDB_ROOT_USERNAME").is_some() {
                return guessable(&["MONGO_INITDB_ROOT_PASSWORD"]);
            }
            if details.env_file {
                return None;
            }
            Some(
                "no `MONGO_INITDB_ROOT_USERNAME` and no `--auth`: MongoDB accepts every client"
                    .into(),
            )
        }
        Store::Postgres => {
            if env("POSTGRES_HOST_AUTH_METHOD")
                .flatten()
                .is_some_and(|v| v.trim_matches(['"', '\'']) == "trust")
            {
                return Some("`POSTGRES_HOST_AUTH_METHOD: trust`: no password is asked".into());
            }
            guessable(&["POSTGRES_PASSWORD"])
        }
        Store::Mysql => {
            for k in [
                "MYSQL_ALLOW_EMPTY_PASSWORD",
                "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
            ] {
                if is_truthy(env(k).flatten()) {
                    return Some(format!("`{k}` is set: the root account has no password"));
                }
            }
            guessable(&[
                "MYSQL_ROOT_PASSWORD",
                "MARIADB_ROOT_PASSWORD",
                "MYSQL_PASSWORD",
            ])
        }
        Store::Elasticsearch => env("xpack.security.enabled")
            .flatten()
            .is_some_and(|v| v.trim_matches(['"', '\'']) == "false")
            .then(|| "`xpack.security.enabled=false`: no authentication".into()),
    }
}

/// A database admin UI whose login the compose file shows is missing or known: whoever
/// reaches it works on the database with the UI's rights.
/// Images of database admin UIs.
const ADMIN_UIS: [&str; 5] = [
    "mongo-express",
    "redis-commander",
    "pgadmin4",
    "adminer",
    "phpmyadmin",
];

/// Images of brokers, object stores and mail catchers (the image's name, or its start before a
/// dash: `rabbitmq:3-management`, `kafka-ui`): infrastructure beside the databases, not the
/// project's code.
const INFRASTRUCTURE: [&str; 10] = [
    "rabbitmq",
    "kafka",
    "cp-kafka",
    "zookeeper",
    "cp-zookeeper",
    "nats",
    "minio",
    "mailhog",
    "mailpit",
    "localstack",
];

fn open_admin_ui(s: &Service) -> Option<(&'static str, String)> {
    let details = s.compose.as_ref()?;
    let env = |key: &str| {
        details
            .environment
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref().unwrap_or("").trim_matches(['"', '\'']))
    };
    match image_name(s.image.as_deref()?).as_str() {
        "mongo-express" => {
            if env("ME_CONFIG_BASICAUTH").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
                return Some((
                    "mongo-express",
                    "`ME_CONFIG_BASICAUTH=false` turns its login off".into(),
                ));
            }
            known_password(details, &["ME_CONFIG_BASICAUTH_PASSWORD"]).map(|w| ("mongo-express", w))
        }
        "redis-commander" => {
            if env("HTTP_PASSWORD").is_none() && env("HTTP_PASSWORD_HASH").is_none() {
                return Some((
                    "Redis Commander",
                    "no `HTTP_PASSWORD` is set, so it asks for no login".into(),
                ));
            }
            known_password(details, &["HTTP_PASSWORD"]).map(|w| ("Redis Commander", w))
        }
        "pgadmin4" => {
            known_password(details, &["PGADMIN_DEFAULT_PASSWORD"]).map(|w| ("pgAdmin", w))
        }
        _ => None,
    }
}

/// Locates `finding` at the published port of `s`, with the port and the service (`what`
/// it is) as evidence.
fn published(finding: Finding, s: &Service, port: &PublishedPort, what: &str) -> Finding {
    finding
        .at(&s.file, Span::line(port.line))
        .evidence(Evidence::at(
            &s.file,
            port.line,
            format!("- \"{}\"", port.raw),
            "published on 0.0.0.0",
        ))
        .evidence(Evidence::at(
            &s.file,
            s.line,
            format!("{}: image {}", s.name, s.image.as_deref().unwrap_or("")),
            what,
        ))
        .key(format!("{} {}", s.file, s.name))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // A file whose application services are set up for development runs on a developer's
    // machine: every service in it is development.
    let dev_files: HashSet<&str> = compose_services(ctx)
        .filter(|s| {
            is_dev_compose(&s.file)
                || s.exempt
                    .as_deref()
                    .is_some_and(|e| e.starts_with("a development setup"))
        })
        .map(|s| s.file.as_str())
        .collect();
    // A file whose every service is a database or cache image runs none of the project's
    // code: a stack of backing services for local development (the deployed app gets its
    // database from elsewhere: a Procfile's `DATABASE_URL`, a managed service).
    let mut runs_code: HashSet<&str> = HashSet::new();
    let mut files: HashSet<&str> = HashSet::new();
    for s in compose_services(ctx) {
        files.insert(s.file.as_str());
        // A database admin UI (pgAdmin, Adminer…), a message broker or an object store
        // serves the backing services; it runs none of the project's code either.
        let backing_image = s.image.as_deref().is_some_and(|i| {
            let name = image_name(i);
            Store::of(i).is_some()
                || ADMIN_UIS.contains(&name.as_str())
                || INFRASTRUCTURE
                    .iter()
                    .any(|x| name == *x || name.starts_with(&format!("{x}-")))
        });
        if s.build || !backing_image {
            runs_code.insert(s.file.as_str());
        }
    }
    let backing_only: HashSet<&str> = files.difference(&runs_code).copied().collect();
    let mut out = Vec::new();
    for s in compose_services(ctx) {
        if dev_files.contains(s.file.as_str()) {
            continue;
        }
        let Some(store) = s.image.as_deref().and_then(Store::of) else {
            continue;
        };
        let Some(details) = s.compose.as_ref() else {
            continue;
        };
        let Some(port) = details
            .ports
            .iter()
            .find(|p| p.is_public() && p.container_port.split('-').next() == Some(store.port()))
        else {
            continue;
        };
        let Some(why) = no_password(store, s) else {
            continue;
        };
        let backing = backing_only.contains(s.file.as_str());
        let finding = Finding::new(
            &META,
            format!(
                "compose service `{}` publishes {} (`{}`) on every host interface, and {why}",
                s.name,
                store.name(),
                port.raw
            ),
        );
        let mut finding = published(finding, s, port, "the database service").evidence(
            Evidence::searched(format!(
                "searched the `{}` service for a password (`environment:`, its command, mounted config): {why}",
                s.name
            )),
        );
        if backing {
            finding = finding.severity(Severity::Low).evidence(Evidence::searched(format!(
                "low, not high: every service of `{}` is a database or cache image and none runs the project's code, so the file reads as a local stack of backing services; it matters only if it is also started on a server",
                s.file
            )));
        }
        out.push(
            finding
            .impact("Anyone on the internet can connect to the database: read and change every user's data, or wipe it and leave a ransom note. Docker's published ports bypass host firewalls such as ufw.")
            .fix(format!(
                "Drop the `ports:` entry of `{}` (other containers reach it as `{}:{}`), or bind it to loopback (`127.0.0.1:{}:{}`); set a password from a secret.",
                s.name,
                s.name,
                store.port(),
                store.port(),
                store.port()
            ))
            .verify(format!(
                "From another machine, `nc -vz <server-ip> {}` is refused.",
                store.port()
            )),
        );
    }
    for s in compose_services(ctx) {
        if dev_files.contains(s.file.as_str()) {
            continue;
        }
        let Some((ui, why)) = open_admin_ui(s) else {
            continue;
        };
        let Some(port) = s
            .compose
            .as_ref()
            .and_then(|d| d.ports.iter().find(|p| p.is_public()))
        else {
            continue;
        };
        let finding = Finding::new(
            &META,
            format!(
                "compose service `{}` publishes the database admin UI {ui} (`{}`) on every host interface, and {why}: whoever reaches it reads and changes the database",
                s.name, port.raw
            ),
        );
        let mut finding = published(finding, s, port, "the admin UI");
        if backing_only.contains(s.file.as_str()) {
            finding = finding.severity(Severity::Low);
        }
        out.push(
            finding
                .impact("Anyone on the internet who tries the known login gets the database: read every user's data, change it or drop it.")
                .fix(format!("Remove the `ports:` entry of `{}` in production (reach it through an SSH tunnel), or bind it to loopback (`127.0.0.1:{}`) and set a strong password from a secret.", s.name, port.raw))
                .verify("From another machine, the admin UI's port is refused."),
        );
    }
    out
}
