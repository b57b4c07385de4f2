//! `config/localhost-in-production`: a production env points a service URL at this machine.

use crate::context::ProjectContext;
use crate::env_keys::{is_bind_key, is_public_url_key, local_host_in, url_port};
use crate::registry::Rule;
use flightcheck_core::redact::redact_url_password;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EnvRole;

pub static META: RuleMeta = RuleMeta {
    id: "config/localhost-in-production",
    severity: Severity::Blocker,
    category: Category::Config,
    fix_kind: FixKind::Config,
    summary: "A production config points a service URL at localhost",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
In the production environment (files given with `--env`; without it, env files named like
production or that set `NODE_ENV=production`), reports values whose host is `localhost`,
`127.x.x.x`, `0.0.0.0`, `[::1]` or `host.docker.internal`. Listen addresses (`HOST`,
`BIND`, `LISTEN...`) and a bare `0.0.0.0` are skipped: binding to all interfaces is right.

## Why it breaks production
A public URL on localhost (`PUBLIC_URL`, `WEBHOOK_URL`, callback and redirect URLs) cannot
be reached by Telegram, the payment provider or a browser: webhooks never arrive and links
are dead (`blocker`). A service URL (`DATABASE_URL`, `REDIS_URL`) on localhost inside a
container points at the container itself, where no database runs (`blocker` when the
project deploys with a Dockerfile or compose); on a single host with the database on the
same machine it can be right, so without containers it is `high`. Medium when the same file
holds placeholder secrets (`DISCORD_TOKEN: "CHANGE_ME"`): it is a template the operator
fills in before deploying, and the localhost URLs are defaults to replace with the rest.

## Flagged
```dotenv
# .env.production
PUBLIC_URL=http://localhost:3000
DATABASE_URL=postgres://app:****@127.0.0.1:5432/app
```

## Not flagged
```dotenv
# .env.production
HOST=0.0.0.0                 # listen address
PORT=3000
API_URL=http://localhost:3000   # the service's own address
DATABASE_URL=postgres://app:****@db.internal:5432/app
# .env.development
API_URL=http://localhost:3000
```

## Fix
Put the production host names in the production environment (the public domain for URLs
others call, the service name or managed host for databases and caches).
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    super::empty_secret::applies(ctx)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let containers = ctx.deploys_in_containers();
    for env in ctx
        .env_files
        .iter()
        .filter(|e| e.role == EnvRole::Production)
    {
        // A file whose secrets are placeholders (`DISCORD_TOKEN: "CHANGE_ME"`) is a template
        // the operator fills in before deploying: its localhost URLs are defaults to
        // replace with the rest, not the values production runs with.
        let template = env.parsed.entries.iter().find(|e| {
            crate::env_keys::is_secret_key(&e.key)
                && crate::secret_values::weakness(&e.value).is_some_and(|w| w.show)
        });
        for entry in &env.parsed.entries {
            let value = entry.value.trim();
            if value == "0.0.0.0" || value == "::" || is_bind_key(&entry.key) {
                continue;
            }
            let Some(host) = local_host_in(value) else {
                continue;
            };
            if env
                .parsed
                .get(&entry.key)
                .is_some_and(|last| last.line != entry.line)
            {
                continue;
            }
            let key = &entry.key;
            let public = is_public_url_key(key);
            // `API_URL=http://localhost:3000` beside `PORT=3000`: the service's own address,
            // which is where it runs, container or not. Only URLs others must reach (public
            // ones) are wrong on its own port.
            let own_port = env
                .parsed
                .get("PORT")
                .map(|p| p.value.trim().to_string())
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !public && own_port.is_some_and(|p| url_port(value) == Some(p.as_str())) {
                continue;
            }
            let (severity, why) = if public {
                (Severity::Blocker, "it is a URL that other parties (Telegram, payment providers, browsers) must reach".to_string())
            } else if containers {
                (
                    Severity::Blocker,
                    "the project deploys in containers, where localhost is the container itself"
                        .to_string(),
                )
            } else {
                (
                    Severity::High,
                    "it only works if that service runs on the same host as the app".to_string(),
                )
            };
            let shown = redact_url_password(value);
            let (severity, template_note) = match template {
                Some(t) if severity > Severity::Medium => (
                    Severity::Medium,
                    Some(Evidence::at(
                        &env.rel,
                        t.line,
                        format!("{}={}", t.key, t.value),
                        format!(
                            "medium, not {}: this file is a template to fill in (`{}` is a placeholder), so its localhost URLs are defaults the operator replaces with the rest; check the filled-in copy",
                            severity.as_str(),
                            t.key
                        ),
                    )),
                ),
                _ => (severity, None),
            };
            let finding = Finding::new(
                &META,
                format!(
                    "`{key}` points at {host} in `{}` ({}): {why}",
                    env.rel, env.role_reason
                ),
            );
            let finding = finding
                    .severity(severity)
                    .at(&env.rel, Span::line(entry.line))
                    .key(key)
                    .evidence(Evidence::at(&env.rel, entry.line, format!("{key}={shown}"), format!("production env ({})", env.role_reason)))
                    .impact(if public {
                        format!("Nothing outside this machine can reach `{shown}`: webhooks and callbacks never arrive.")
                    } else {
                        format!("The app connects to {host} in production and fails when the service is not on the same host.")
                    })
                    .fix(format!("Set `{key}` to the production host (public domain or service host name)."))
                    .verify(format!("Check the deployed environment: `{key}` must not resolve to a loopback address."));
            out.push(match template_note {
                Some(note) => finding.evidence(note),
                None => finding,
            });
        }
    }
    out
}
