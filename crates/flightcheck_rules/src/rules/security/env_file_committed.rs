//! `security/env-file-committed`: a real env file with secret values tracked by git, or
//! secret values of env files that were committed and later removed (git history).

use super::hardcoded_secret::{is_non_production_path, owner_project};
use crate::context::ProjectContext;
use crate::env_keys::is_secret_key;
use crate::registry::Rule;
use flightcheck_core::secrets::{ValueLook, env_value_look, secret_name};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::history::{AtHead, GitHistory, HistoricValue};
use flightcheck_project::{EnvFile, EnvRole};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub static META: RuleMeta = RuleMeta {
    id: "security/env-file-committed",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Ops,
    summary: "A real env file with secret values is committed to git, now or in its history",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 60,
    docs: r#"## What it does
Two checks, both about env files that hold real values (`.env`, `.env.production`,
`prod.env`...; never templates such as `.env.example`, `.env.sample`, `env.dist`):
- **Tracked now**: git tracks the file (`git ls-files`) and it holds secret values: a
  provider credential (Telegram, Discord, Stripe, Slack, GitHub, OpenAI-style, Supabase
  service-role, PEM key, database URL with a password on a real host), or a random-looking
  value (12+ characters, letters and digits, enough entropy) of a secret-named key
  (`*_TOKEN`, `*_SECRET`, `*_KEY`, `*PASSWORD*`...). A random value of a variable that a
  bundler compiles into browser code (`VITE_`, `NEXT_PUBLIC_`, `REACT_APP_`, `EXPO_PUBLIC_`,
  `NUXT_PUBLIC_`, `GATSBY_`, `PUBLIC_`) is low: every visitor downloads it anyway (a
  provider's secret format under such a name keeps its severity). Development files (`.env.test`,
  `.env.local`) and copies kept beside the real file (`.env copy`, `.env (1)`, `.env.bak`,
  `.env.old`), which nothing loads, count only for live provider credentials. Env files committed inside a
  folder the scan otherwise skips (a committed `venv/.env`, `node_modules/.env`) count too:
  they are in every clone.
- **History**: reads up to `--history-depth` commits (default 500, `0` turns it off) of
  the repository with gitoxide and reports secret values of env files that are no longer at
  HEAD, because the file was deleted or the key now holds another value, and
  provider-format credentials (a Telegram or Discord token, `sk_live_…`, a GitHub token...)
  that config and source files (`config.json`, `settings.py`, `bot.js`, `*.yml`) held in
  earlier commits and no longer hold anywhere at HEAD. Each is shown with its key, file,
  line, the commit that added it and a preview, never the value; a secret copied into
  several files is one finding that lists them. At most 20,000 versions of
  config and source files are read (a note says when the limit stopped it).

Severity: `blocker` for secrets in files tracked now; at most `high` for values only in
history (the running service may already use rotated ones, which the repository cannot
show). The evidence says how many commits were read. A directory that is not a git repository,
a shallow clone or unreadable objects produce a scan note, never a failure. Env files in
test, fixture and example folders are not judged.

## Why it breaks production
Every clone, fork and CI cache of the repository carries the file, and git keeps every
version: deleting the file or changing the value in a later commit does not take the old
secret back. Whoever reads the history can log in as the bot, charge the Stripe account or
read the database.

## Flagged
```dotenv
# .env, committed
BOT_TOKEN=7391…            # a real Telegram token (values shown shortened here)
JWT_SECRET=q3Kv…           # 32 random characters
```
A `.env` with a token that was committed in `a1b2c3d` and deleted in a later commit.

## Not flagged
```dotenv
# .env.example, committed: a template
BOT_TOKEN=
JWT_SECRET=change_me
```
A `.env` listed in `.gitignore` and never committed; a committed `.env.test` that holds
only test-mode keys and local passwords.

## Fix
Revoke every listed credential at its provider (history keeps the old values), add the file
to `.gitignore`, `git rm --cached` it, keep real values in the deployment's secret store and
ship an `.env.example` with empty values. Rewrite history (`git filter-repo --path .env
--invert-paths`) only after rotating: forks and clones keep the old history anyway.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    !ctx.env_files.is_empty()
        || ctx
            .ws
            .history
            .as_ref()
            .is_some_and(|h| !h.values.is_empty())
}

/// How an env file named `name` is used, by its name alone (for files no longer at HEAD).
fn role_by_name(name: &str) -> EnvRole {
    let lower = name.to_ascii_lowercase();
    let has = |words: &[&str]| lower.split(['.', '-', '_']).any(|t| words.contains(&t));
    if has(&["production", "prod", "live"]) {
        EnvRole::Production
    } else if has(&[
        "development",
        "dev",
        "test",
        "testing",
        "local",
        "ci",
        "e2e",
    ]) {
        EnvRole::Development
    } else {
        EnvRole::Deployed
    }
}

/// The severity of a committed value of `key`, or `None` when it is not a secret worth
/// reporting in a file of this role.
fn judge(key: &str, look: &ValueLook, role: EnvRole) -> Option<(Severity, String)> {
    let dev = matches!(role, EnvRole::Development | EnvRole::Example);
    if let Some(p) = &look.provider {
        if dev && p.severity < Severity::High {
            return None;
        }
        return Some((p.severity, p.label.clone()));
    }
    if look.random && !dev && (is_secret_key(key) || secret_name(key)) {
        // `VITE_MAPS_KEY`: bundlers compile these into the code every visitor downloads, so
        // the value is public by design (a browser key restricted by referrer). A provider's
        // secret format under such a name is judged above: the bundle leaks it too.
        if let Some(prefix) = browser_bundled(key) {
            return Some((
                Severity::Low,
                format!(
                    "value of a `{prefix}` variable, which the build puts into the browser bundle anyway"
                ),
            ));
        }
        return Some((Severity::Blocker, "secret value".to_string()));
    }
    None
}

/// The prefix that makes a bundler (Vite, Next.js, Create React App, Expo, Nuxt, Gatsby,
/// SvelteKit) expose a variable to browser code.
fn browser_bundled(key: &str) -> Option<&'static str> {
    [
        "VITE_",
        "NEXT_PUBLIC_",
        "REACT_APP_",
        "EXPO_PUBLIC_",
        "NUXT_PUBLIC_",
        "GATSBY_",
        "PUBLIC_",
    ]
    .into_iter()
    .find(|p| key.starts_with(p))
}

/// The role this rule judges an env file by: its name's, for a file whose values made it a
/// template (a variant whose values are mostly placeholders still leaks the live ones it
/// holds; only a name that says "example" excuses what it holds).
fn role_of(env: &EnvFile) -> EnvRole {
    match env.role {
        EnvRole::Example => flightcheck_project::workspace::env_role_by_name(file_name(&env.rel)),
        role => role,
    }
}

/// Whether this rule reads the values of a committed env file (and so reports the live
/// credentials in it): tracked by git, not named as a template, not in a test or example
/// folder. `config/example-insecure-default` leaves those files' credentials to it.
pub fn reads(env: &EnvFile) -> bool {
    env.tracked == Some(true)
        && role_of(env) != EnvRole::Example
        && !is_non_production_path(&env.rel)
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// `KEY (what, preview)` items for a message, at most five.
fn listing(items: &[(String, String, String)]) -> String {
    let mut shown: Vec<String> = items
        .iter()
        .take(5)
        .map(|(key, what, preview)| format!("`{key}` ({what}, `{preview}`)"))
        .collect();
    if items.len() > 5 {
        shown.push(format!("and {} more", items.len() - 5));
    }
    shown.join(", ")
}

fn history_read(h: &GitHistory) -> Evidence {
    let more = if h.truncated {
        " (the limit; older commits were not read, raise it with --history-depth)".to_string()
    } else {
        " (all of it)".to_string()
    };
    Evidence::searched(format!(
        "read {} commit{} of git history{more} for env values and config/source credentials no longer at HEAD",
        h.commits_read,
        if h.commits_read == 1 { "" } else { "s" }
    ))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let history = ctx.ws.history.as_ref();
    // Historic values of this project's env files, by path.
    let mut past: BTreeMap<&str, Vec<&HistoricValue>> = BTreeMap::new();
    if let Some(h) = history {
        for v in &h.values {
            if owner_project(ctx, &v.path) == ctx.index && !is_non_production_path(&v.path) {
                past.entry(v.path.as_str()).or_default().push(v);
            }
        }
    }
    let mut covered: BTreeSet<&str> = BTreeSet::new();

    // Env files git tracks now.
    for env in &ctx.env_files {
        // A variant whose values are mostly placeholders is a template for the empty-value
        // rules, but a live credential committed in it leaks all the same: only a name that
        // says "example" excuses what it holds.
        if !reads(env) {
            continue;
        }
        let role = role_of(env);
        let mut items = Vec::new();
        let mut evidence = Vec::new();
        let mut severity: Option<Severity> = None;
        for entry in &env.parsed.entries {
            // The last assignment wins.
            if env
                .parsed
                .get(&entry.key)
                .is_some_and(|last| last.line != entry.line)
            {
                continue;
            }
            let value = entry.value.trim();
            if value.is_empty() {
                continue;
            }
            let look = env_value_look(value, 12);
            let Some((sev, what)) = judge(&entry.key, &look, role) else {
                continue;
            };
            let shown = flightcheck_core::redact::preview(value);
            severity = severity.max(Some(sev));
            evidence.push(Evidence::at(
                &env.rel,
                entry.line,
                format!("{}={shown}", entry.key),
                format!("tracked by git: {what} (value redacted)"),
            ));
            items.push((entry.key.clone(), what, shown));
        }
        let Some(severity) = severity else { continue };
        covered.insert(env.rel.as_str());
        let first_line = evidence.first().and_then(|e| e.line).unwrap_or(1);
        let mut message = format!(
            "`{}` is tracked by git ({} env file) and holds {} secret value{}: {}",
            env.rel,
            role.as_str(),
            items.len(),
            if items.len() == 1 { "" } else { "s" },
            listing(&items)
        );
        let earlier = past.get(env.rel.as_str()).cloned().unwrap_or_default();
        let earlier: Vec<&HistoricValue> = earlier
            .into_iter()
            .filter(|v| judge(&v.key, &v.look, role).is_some())
            .collect();
        if !earlier.is_empty() {
            message.push_str(&format!(
                "; git history holds {} earlier secret value{} of it",
                earlier.len(),
                if earlier.len() == 1 { "" } else { "s" }
            ));
        }
        let mut finding = Finding::new(&META, message)
            .severity(severity)
            .at(&env.rel, Span::line(first_line))
            .key(format!("tracked:{}", env.rel));
        for e in evidence {
            finding = finding.evidence(e);
        }
        finding = finding.evidence(Evidence::searched(format!(
            "`git ls-files` lists `{}`",
            env.rel
        )));
        for v in earlier.iter().take(10) {
            finding = finding.evidence(historic_evidence(v));
        }
        out.push(finding.impact(
            "Every clone, fork and CI cache of the repository carries these values; anyone with read access can use them.",
        )
        .fix(format!(
            "Revoke every listed credential, add `{}` to .gitignore, run `git rm --cached {}`, keep the values in the deployment's secret store and commit an `.env.example` with empty values.",
            file_name(&env.rel), flightcheck_core::text::shell_quote(&env.rel)
        ))
        .verify(format!(
            "`git ls-files {}` prints nothing, and each provider shows the old credentials as revoked.",
            flightcheck_core::text::shell_quote(&env.rel)
        )));
    }

    // Values that are only in history.
    if let Some(h) = history {
        // One secret copied into several files is one leak: the first file's finding lists
        // the others.
        let mut reported: HashMap<&str, usize> = HashMap::new();
        for (path, values) in past {
            if covered.contains(path) {
                continue;
            }
            let role = role_by_name(file_name(path));
            let mut judged: Vec<(&HistoricValue, Severity, String)> = Vec::new();
            for v in values {
                let Some((s, w)) = judge(&v.key, &v.look, role) else {
                    continue;
                };
                match reported
                    .get(v.digest.as_str())
                    .and_then(|i| out.get_mut(*i))
                {
                    Some(earlier) => {
                        if earlier.evidence.len() < 25 {
                            earlier.evidence.push(historic_evidence(v));
                        }
                    }
                    None => judged.push((v, s, w)),
                }
            }
            let Some(severity) = judged.iter().map(|(_, s, _)| *s).max() else {
                continue;
            };
            let removed = judged
                .iter()
                .all(|(v, _, _)| v.at_head == AtHead::FileRemoved);
            let commits: BTreeSet<&str> =
                judged.iter().map(|(v, _, _)| v.commit.as_str()).collect();
            let first = judged[0].0;
            let items: Vec<(String, String, String)> = judged
                .iter()
                .map(|(v, _, w)| {
                    (
                        v.key.clone(),
                        format!("{w}, commit {}", v.commit),
                        v.preview.clone(),
                    )
                })
                .collect();
            let message = if removed {
                format!(
                    "`{path}` was committed (first in {} on {}) and later deleted, but {} secret value{} in git history: {}",
                    first.commit,
                    first.date,
                    judged.len(),
                    if judged.len() == 1 {
                        " stays"
                    } else {
                        "s stay"
                    },
                    listing(&items)
                )
            } else {
                format!(
                    "Earlier values of `{path}` stay in git history ({} commit{}): {}",
                    commits.len(),
                    if commits.len() == 1 { "" } else { "s" },
                    listing(&items)
                )
            };
            // The tree no longer holds the value: the deployed service may already run with a
            // rotated one, which the repository cannot show. The leak is certain, that it
            // still opens anything is not.
            let capped = severity.min(Severity::High);
            let mut finding = Finding::new(&META, message)
                .severity(capped)
                .key(format!("history:{path}"));
            if capped < severity {
                finding = finding.evidence(Evidence::searched(
                    "high, not blocker: the value is only in history, so the running service may already use a rotated one; revoke it at the provider unless that was done",
                ));
            }
            // A deleted file has no place in the tree to point at; a changed one does.
            if !removed && ctx.ws.file_index(path).is_some() {
                finding = finding.at(path, Span::line(first.line));
            }
            for (v, _, _) in judged.iter().take(20) {
                finding = finding.evidence(historic_evidence(v));
            }
            if judged.len() > 20 {
                finding = finding.evidence(Evidence::searched(format!(
                    "and {} more values",
                    judged.len() - 20
                )));
            }
            finding = finding.evidence(history_read(h));
            for (v, _, _) in &judged {
                reported.insert(v.digest.as_str(), out.len());
            }
            out.push(
                finding
                    .impact("Every clone and fork keeps the old commits: the values can be read with `git log -p` long after the file is gone.")
                    .fix(format!(
                        "Revoke every listed credential at its provider. Then, if the repository is shared, purge the file from history (`git filter-repo --path {} --invert-paths`) and make sure it is in .gitignore.",
                        flightcheck_core::text::shell_quote(path)
                    ))
                    .verify(format!(
                        "Each provider shows the old credentials as revoked; `git log --all --oneline -- {}` prints nothing after the purge.",
                        flightcheck_core::text::shell_quote(path)
                    )),
            );
        }
    }
    out
}

fn historic_evidence(v: &HistoricValue) -> Evidence {
    let state = match v.at_head {
        AtHead::FileRemoved => "the file is gone from HEAD",
        AtHead::ValueChanged => "HEAD holds another value or none",
    };
    Evidence::at(
        &v.path,
        v.line,
        format!("{}={}", v.key, v.preview),
        format!(
            "committed in {} ({}); {state} (value redacted)",
            v.commit, v.date
        ),
    )
}
