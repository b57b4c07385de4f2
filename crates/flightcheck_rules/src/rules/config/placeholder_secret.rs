//! `config/placeholder-secret`: a secret whose value is a placeholder or a weak default, in
//! an env file that will be deployed or as a fallback in code.

use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::secret_values::{
    SecretKind, Weakness, declares_development, deployable, holds_secret, is_service_password,
    read_kind, rejected_by_code, secret_kind, shown, weakness,
};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EnvRole;
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "config/placeholder-secret",
    severity: Severity::High,
    category: Category::Security,
    fix_kind: FixKind::Config,
    summary: "A secret set to a placeholder or weak default in a deployed env file, or as a fallback in code",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Judges the values of secret-holding keys (`*_SECRET`, `*_TOKEN`, `*_KEY`, `*_PASSWORD`…):
- in env files that will be deployed: the production environment (`--env`, files named like
  production, files that set `NODE_ENV=production`) and plain `.env` files. Templates
  (`.env.example`) are `config/example-insecure-default`'s business, and files that declare
  a development environment (`NODE_ENV=development`, `ENVIRONMENT=local`) are skipped;
- fallbacks in running code: `process.env.JWT_SECRET || "secret"`, `?? 'dev'`,
  `const { KEY = 'x' } = process.env`, `os.getenv("KEY", "dev")`,
  `os.environ.get("SECRET_KEY", "change-me")`, `os.getenv("KEY") or "dev"`, and
  pydantic-settings fields such as `secret_key: str = "changeme"`.

A value counts as a placeholder or weak default when it is a template marker (`<…>`,
`your_token_here`, `xxx`, `change_me…`, a capitalised phrase such as `BOT DISCORD TOKEN`), a well-known weak value (`secret`, `password`,
`123456`, `keyboard cat`, `dev`), Django's `django-insecure-…` key, made only of dictionary
words (`my_jwt_secret_key`), or too short or repetitive to be a secret. A value the code
compares against (`if value == "changethis": raise`) is a placeholder the program already
rejects, and is not reported.

## Why it breaks production
A signing, session or webhook secret with a guessable value lets anyone forge tokens,
sessions and webhook calls: the secret is in the repository or in every tutorial. Severity:
`high` for secrets the service checks itself (JWT, session, signing, webhook secrets, admin
and database passwords; also when the code binds the value to such a name, as in
`SECRET_KEY = os.getenv("APP_SECRET", "dev")`) when running code reads the key; `medium`
when no read of an env file's key was found (a value nothing uses cannot be forged against
the service, though compose or a library may read it), and for credentials a provider issues
(bot tokens, API keys), where the provider rejects the placeholder, so the failure is loud
but the deploy still does not work, and for secrets whose name says neither. A code
fallback for a database password (`password: process.env.POSTGRES_PASSWORD ||
'default_password'`) is `medium` unless a deploy file provisions the database with that same
value in a compose service's environment (`POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-default_password}`): the service presents
the password, and a database set up with another one refuses it. A plain `.env`
with such a placeholder is a template in disguise and is not reported. A web session's signing secret written in the code
(`cookieSession({ keys: ['x'] })`: high, the cookie is the whole session;
`session({ secret: 'x' })`: medium) is reported too. A fallback is not
reported when a startup validation schema of running code requires the variable with no
default (`cleanEnv(process.env, { JWT_SECRET: str() })`, a zod `JWT_SECRET: z.string()`):
the process exits before the fallback could be used. A code fallback of the service's own
secret is a blocker when nothing a deployer reads names the variable: no env file or
template, no deploy file, and no doc, config, CI or script text in the repository (the
evidence says how many files were searched). Every deploy made by the repository's
instructions then runs with the fallback.

## Flagged
```js
jwt.sign(payload, process.env.JWT_SECRET || 'superSecret');
```
```python
SECRET_KEY = os.environ.get("SECRET_KEY", "change-me")
```
```dotenv
# .env.production
SESSION_SECRET=changeme
```

## Not flagged
```js
const secret = process.env.JWT_SECRET;            // no fallback
if (!secret) throw new Error('JWT_SECRET is required');
const port = process.env.PORT || 3000;            // not a secret
```
```dotenv
# .env.example: a template (see config/example-insecure-default)
SESSION_SECRET=changeme
```

## Fix
Remove the fallback and make startup fail when the secret is missing; set a long random
value (`openssl rand -hex 32`) in the deployment's secret store.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    !ctx.env_files.is_empty()
        || ctx.reads_env()
        || has_settings(ctx)
        || ctx.all_wiring().any(|(_, w)| !w.web_sessions.is_empty())
}

fn has_settings(ctx: &ProjectContext) -> bool {
    ctx.reachable_sources()
        .any(|i| ctx.facts(i).is_some_and(|f| !f.settings_fields.is_empty()))
}

/// Reachable code that reads `key`: env reads and settings fields, as (file, line).
fn readers(ctx: &ProjectContext, key: &str) -> Vec<(usize, u32)> {
    let mut out: Vec<(usize, u32)> = ctx
        .env_reads_of(key)
        .iter()
        .map(|(f, r)| (*f, r.span.line))
        .collect();
    for i in ctx.reachable_sources() {
        if let Some(f) = ctx.facts(i) {
            out.extend(
                f.settings_fields
                    .iter()
                    .filter(|s| s.env_name.eq_ignore_ascii_case(key))
                    .map(|s| (i, s.span.line)),
            );
        }
    }
    out
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    env_files(ctx, &mut out);
    fallbacks(ctx, &mut out);
    session_secrets(ctx, &mut out);
    out
}

/// A web session's signing secret written in the code (`cookieSession({ keys: ['x'] })`,
/// `session({ secret: 'x' })`): whoever reads the source can sign cookies. High for
/// cookie-session, whose cookie is the whole session (anyone can log in as anyone); medium
/// for store-backed sessions, whose cookie only names a session id.
fn session_secrets(ctx: &ProjectContext, out: &mut Vec<Finding>) {
    let sessions = crate::bots::split(ctx, |w| &w.web_sessions, |s| &s.owner);
    for (file, s) in &sessions.live {
        let Some(secret) = s.literal_secret.as_deref() else {
            continue;
        };
        let weak = weakness(secret);
        let cookie = s.via == "the session in a signed cookie";
        let how = match &weak {
            Some(w) => format!("{}, {}", shown(secret, Some(*w)), w.reason),
            None => shown(secret, None),
        };
        let (severity, consequence) = if cookie {
            (
                Severity::High,
                "the cookie is the whole session, so anyone who reads the source can forge one and log in as any user",
            )
        } else {
            (
                Severity::Medium,
                "anyone who reads the source can sign session cookies",
            )
        };
        out.push(
            Finding::new(
                &META,
                format!("The session signing secret is written in the code ({how}): {consequence}"),
            )
            .severity(severity)
            .at(ctx.rel(*file), s.span)
            .key(format!("session-secret:{}", ctx.rel(*file)))
            .evidence(Evidence::at(
                ctx.rel(*file),
                s.span.line,
                // The line may hold the secret itself: a value that is not a known weak
                // one is shown only as a preview.
                match weak {
                    Some(_) => ctx.snippet(*file, s.span.line),
                    None => ctx
                        .snippet(*file, s.span.line)
                        .replace(secret, &flightcheck_core::redact::preview(secret)),
                },
                "the session middleware",
            ))
            .impact("Session cookies can be forged by anyone with the source: accounts and admin sessions are open.")
            .fix("Read the secret from the environment (`process.env.SESSION_SECRET`), fail at startup when it is missing, and rotate the committed value.")
            .verify("Start the service without SESSION_SECRET: it refuses to start; the old cookie no longer verifies."),
        );
    }
}

fn env_files(ctx: &ProjectContext, out: &mut Vec<Finding>) {
    for env in &ctx.env_files {
        if !deployable(env) {
            continue;
        }
        if env.role == EnvRole::Deployed && declares_development(env).is_some() {
            continue;
        }
        for entry in &env.parsed.entries {
            let key = &entry.key;
            if !holds_secret(key)
                || env
                    .parsed
                    .get(key)
                    .is_some_and(|last| last.line != entry.line)
            {
                continue;
            }
            let Some(weak) = weakness(&entry.value) else {
                continue;
            };
            if rejected_by_code(ctx, &entry.value).is_some() {
                continue;
            }
            let kind = secret_kind(key);
            let reads = readers(ctx, key);
            let severity = match (env.role, kind, reads.is_empty()) {
                (_, SecretKind::Own, false) => Severity::High,
                // No reachable code reads the key: a value the service does not use
                // cannot be forged against it (compose or a library may still read it).
                (EnvRole::Production, _, _) | (_, SecretKind::Own, true) => Severity::Medium,
                // Another credential left as a placeholder in a plain `.env`: a template in
                // disguise, and whoever issued it rejects it loudly.
                _ => continue,
            };
            let value = shown(&entry.value, Some(weak));
            let mut message = format!(
                "`{key}` in `{}` is {value}, {} ({} env: {})",
                env.rel,
                weak.reason,
                env.role.as_str(),
                env.role_reason
            );
            match reads.first() {
                Some((file, line)) => {
                    message.push_str(&format!("; `{}:{line}` reads it", ctx.rel(*file)))
                }
                None => message.push_str(
                    "; no read was found in reachable code (compose or a library may use it)",
                ),
            }
            match kind {
                SecretKind::Own => {}
                SecretKind::Provider => message.push_str(
                    "; the provider rejects it, so the failure is loud, but this deploy cannot work",
                ),
                SecretKind::Unknown => message.push_str(
                    "; if the service checks or signs with it, anyone can forge what it protects; if a provider issued it, this deploy cannot work",
                ),
            }
            let mut finding = Finding::new(&META, message)
                .severity(severity)
                .at(&env.rel, Span::line(entry.line))
                .key(format!("env:{key}"))
                .evidence(Evidence::at(
                    &env.rel,
                    entry.line,
                    format!("{key}={}", value.trim_matches('`')),
                    weak.reason,
                ));
            for (file, line) in reads.iter().take(3) {
                finding = finding.evidence(Evidence::at(
                    ctx.rel(*file),
                    *line,
                    ctx.snippet(*file, *line),
                    "reads the key",
                ));
            }
            out.push(texts(finding, key, kind));
        }
    }
}

/// Fallbacks in code, one finding per variable and value with every site.
/// Whether a startup validation schema of running code requires `name` with no default
/// (`cleanEnv(process.env, { JWT_SECRET: str() })`, a zod object with `JWT_SECRET:
/// z.string()`): the process exits when it is unset, so a code fallback is never used.
fn required_by_schema(ctx: &ProjectContext, name: &str) -> bool {
    ctx.reachable_sources()
        .filter_map(|i| ctx.facts(i))
        .flat_map(|f| f.config_checks.iter())
        .any(|c| c.schema && c.required.iter().any(|k| k == name))
}

fn fallbacks(ctx: &ProjectContext, out: &mut Vec<Finding>) {
    type Sites = Vec<(usize, u32, String)>;
    let mut groups: BTreeMap<(String, String), (Weakness, SecretKind, Sites)> = BTreeMap::new();
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        let reads = f.env_reads.iter().filter_map(|r| {
            r.default.as_ref().map(|d| {
                (
                    r.name.clone(),
                    d.clone(),
                    r.span.line,
                    "falls back to",
                    read_kind(&r.name, r.bound_to.as_deref()),
                    r.bound_to.clone().filter(|b| {
                        holds_secret(b)
                            && (!holds_secret(&r.name) || secret_kind(b) != secret_kind(&r.name))
                    }),
                )
            })
        });
        let fields = f.settings_fields.iter().filter_map(|s| {
            s.default.as_ref().map(|d| {
                (
                    s.env_name.clone(),
                    d.clone(),
                    s.span.line,
                    "is a settings field that defaults to",
                    secret_kind(&s.env_name),
                    None,
                )
            })
        });
        // `POSTGRES_DB = os.environ.get("DATABASE_PWD", "app")`: the value is used as a
        // name, host or user, not as the secret its variable is called.
        let used_as_plain = |r: &flightcheck_core::EnvRead| {
            r.bound_to.as_deref().is_some_and(|b| {
                let last = b
                    .rsplit(['_', '.'])
                    .next()
                    .unwrap_or(b)
                    .to_ascii_uppercase();
                matches!(
                    last.as_str(),
                    "DB" | "NAME" | "HOST" | "PORT" | "USER" | "USERNAME" | "URL" | "DATABASE"
                )
            })
        };
        let plain: std::collections::HashSet<(String, u32)> = f
            .env_reads
            .iter()
            .filter(|r| used_as_plain(r))
            .map(|r| (r.name.clone(), r.span.line))
            .collect();
        for (name, default, line, how, kind, bound) in reads.chain(fields) {
            if (!holds_secret(&name) && bound.is_none()) || plain.contains(&(name.clone(), line)) {
                continue;
            }
            let Some(weak) = weakness(&default) else {
                continue;
            };
            let how = match bound {
                Some(b) => format!("(bound to `{b}`) {how}"),
                None => how.to_string(),
            };
            let entry = groups
                .entry((name, default))
                .or_insert_with(|| (weak, kind, Vec::new()));
            if kind == SecretKind::Own {
                entry.1 = kind;
            }
            entry.2.push((i, line, how));
        }
    }
    for ((name, default), (weak, kind, sites)) in groups {
        if rejected_by_code(ctx, &default).is_some() || required_by_schema(ctx, &name) {
            continue;
        }
        let Some((file, line, how)) = sites.first() else {
            continue;
        };
        let value = shown(&default, Some(weak));
        let more = if sites.len() > 1 {
            format!(" ({} places)", sites.len())
        } else {
            String::new()
        };
        // A database password the service *presents*: with the variable unset it presents
        // the placeholder, and only a database provisioned with that same value accepts it.
        let presented = kind == SecretKind::Own
            && is_service_password(&name)
            && !database_provisioned_with(ctx, default.trim());
        let consequence = match kind {
            SecretKind::Own if presented => {
                "when the variable is unset the service logs in to its database with a password anyone can read in the source, which only a database set up with that value accepts"
            }
            SecretKind::Own => {
                "when the variable is unset the service runs with a secret anyone can read in the source"
            }
            SecretKind::Provider => {
                "a missing variable is discovered at the provider's first rejection instead of at startup"
            }
            SecretKind::Unknown => {
                "when the variable is unset, whatever checks or signs with it accepts a value anyone can read in the source"
            }
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "`{name}` {how} {value}, {}{more}: {consequence}",
                weak.reason
            ),
        )
        .severity(if kind == SecretKind::Own {
            Severity::High
        } else {
            Severity::Medium
        })
        .at(ctx.rel(*file), Span::line(*line))
        .key(format!("fallback:{name}"));
        if presented {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(
                "medium, not high: the service presents this password to its database; no deploy file provisions the database with this value, so an unset variable fails the connection rather than opening the database",
            ));
        } else if kind == SecretKind::Own
            && let Some(searched) = set_nowhere(ctx, &name)
        {
            finding = finding.severity(Severity::Blocker).evidence(Evidence::searched(format!(
                "blocker, not high: `{name}` appears in no env file, template, deploy file, script or doc of the repository (searched {searched}), so a deploy made by the repository's instructions runs with this fallback"
            )));
        }
        for (f, l, _) in sites.iter().take(5) {
            finding = finding.evidence(Evidence::at(
                ctx.rel(*f),
                *l,
                ctx.snippet(*f, *l),
                "the fallback",
            ));
        }
        out.push(texts(finding, &name, kind));
    }
}

/// What was searched, when nothing a deployer reads names `key`: no env file of any role
/// (templates and their comments included), no word of a deploy file, and no doc, config,
/// CI, script or manifest text anywhere in the repository (a root README or compose file
/// documents the services in its folders too). `None` when one names it, or when one of
/// those files could not be read (then the repository may say it where the scan did not
/// look).
fn set_nowhere(ctx: &ProjectContext, key: &str) -> Option<String> {
    use flightcheck_project::walk::FileKind;
    if ctx.ws.env_files.iter().any(|e| e.text.contains(key))
        || ctx.ws.projects.iter().any(|p| p.deploy_words.contains(key))
    {
        return None;
    }
    let mut searched = ctx.ws.env_files.len();
    for (i, f) in ctx.ws.files.iter().enumerate() {
        // Deploy files were searched through their words above.
        if !matches!(
            f.kind,
            FileKind::Doc | FileKind::Config | FileKind::Ci | FileKind::Script | FileKind::Manifest
        ) || crate::rules::security::hardcoded_secret::in_translation_dir(&f.rel)
        {
            continue;
        }
        let text = ctx.files.get(i)?.text.as_deref()?;
        if text.contains(key) {
            return None;
        }
        searched += 1;
    }
    Some(format!(
        "{searched} env, doc, config, deploy, CI and script file{}",
        if searched == 1 { "" } else { "s" }
    ))
}

/// Whether a compose service of the repository creates its database with `value` as a
/// password: `POSTGRES_PASSWORD: value`, or `${POSTGRES_PASSWORD:-value}` when unset.
fn database_provisioned_with(ctx: &ProjectContext, value: &str) -> bool {
    ctx.ws
        .services
        .iter()
        .filter_map(|s| s.compose.as_ref())
        .flat_map(|c| c.environment.iter())
        .filter(|(k, _)| is_service_password(k))
        .filter_map(|(_, v)| v.as_deref())
        .map(|v| v.trim().trim_matches(['"', '\'']))
        .any(|v| {
            v == value
                || v.strip_prefix("${")
                    .and_then(|r| r.strip_suffix('}'))
                    .and_then(|r| r.split_once(":-").or_else(|| r.split_once('-')))
                    .is_some_and(|(_, d)| d == value)
        })
}

fn texts(finding: Finding, key: &str, kind: SecretKind) -> Finding {
    let impact = if kind != SecretKind::Provider {
        format!(
            "Anyone who knows the placeholder (it is in the repository) can forge what `{key}` protects: tokens, sessions, webhook calls."
        )
    } else {
        format!(
            "The service starts without a working `{key}` and fails at the first call to the provider."
        )
    };
    finding
        .impact(impact)
        .fix(format!("Remove the placeholder: set a real value for `{key}` in the deployment's secret store (`openssl rand -hex 32` for secrets the service issues) and make startup fail when it is missing."))
        .verify(format!("Start the service without `{key}`: it must refuse to boot; with the real value it works."))
}
