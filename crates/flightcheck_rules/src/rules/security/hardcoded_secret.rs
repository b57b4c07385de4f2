//! `security/hardcoded-secret`: credentials written into source and config files.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::Role;
use flightcheck_core::secrets::{SecretCandidate, SecretKind};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::FileKind;
use flightcheck_project::workspace::{in_fixture_dir, is_example_file, is_test_file};
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "security/hardcoded-secret",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "A credential (bot token, API key, private key) is written into source or config files",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Reads every string literal of JavaScript, TypeScript and Python files (from the parsers'
syntax trees), and every value of config, deploy, CI and script files (`.json`, `.yaml`,
`.toml`, `.ini`, Dockerfile, compose, workflows, `.sh`, key files such as `*.pem`), line by
line; comments and docstrings are documentation and do not count. It looks for:
- provider formats: Telegram bot tokens (`<bot id>:<35 characters>`), Discord bot tokens
  (the first part must decode to a user id), Supabase service-role keys (the JWT payload is
  decoded: `"role": "service_role"`; an `anon` key is public by design and never reported),
  Stripe `sk_live_`/`rk_live_`/`whsec_` (`sk_test_` is reported as `low`), YooKassa secret
  keys (`live_` and 43 base64url characters; `test_` is `low`), BIP32 wallet keys (`xprv…`;
  testnet `tprv…` is `low`), Slack `xox…`
  tokens and webhook URLs, GitHub `ghp_`/`gho_`/`ghs_`/`github_pat_`, GitLab `glpat-`, Google
  OAuth `GOCSPX-`, OpenAI-style `sk-…`/`sk-proj-…` keys, AWS access keys (an `AKIA…` id
  with its 40-character secret within five lines), Twilio auth tokens (by name), PEM
  private keys (`medium` when the path names a local development certificate, `low` when the
  certificate beside the key is self-signed for localhost: no deployed client trusts it);
- passwords in database and broker URLs pointing at a real host (`high`; a `blocker` when the
  host is a hosted database service that answers on the internet by design: Supabase,
  Neon, AWS RDS, MongoDB Atlas, Render, Railway, Aiven, Upstash, Redis Cloud, Azure,
  DigitalOcean, Yandex Cloud, PlanetScale, CockroachDB Cloud, ElephantSQL, Timescale,
  Clever Cloud);
- random-looking values (at least 16 characters, letters and digits, enough entropy, not
  words) assigned to secret-named variables or keys (`token`, `apiKey`, `client_secret`,
  `password`, `Authorization`...; not `token_url`, `publicKey`, `site_key`, `cache_key`):
  `high`, because no provider format proves it is live. When the project also reads that
  name from the environment (the value is a fallback, `os.getenv("API_KEY", "…")`), it is
  `low`, a likely development default; `medium` when it is a credential someone else
  issues (an API key, not the service's own `SECRET_KEY` or session secret, which frameworks
  generate for development) and 40 characters or more: that reads more like a real key
  pasted in than a development value.

Each distinct secret is reported once, with every file and line where it appears. The
value is never printed: messages, evidence and code frames show a preview (`7391…(46)`).

Not reported: placeholders (`your_token_here`, `<token>`, `xxx`, `changeme`, runs such as
`123456` or `abcdef`, documentation examples such as
`123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11`, `AKIAIOSFODNN7EXAMPLE` and BIP32's test
vector 1); in tests, fixtures, docs (Markdown, text), example folders and templates
(`config.example.json`), everything but credentials a provider issues in a format of its
own (Telegram and Discord bot tokens, Discord and Slack webhooks, Supabase service-role
keys, Stripe live and webhook keys, YooKassa keys, `xprv` wallet keys, Slack, GitHub,
GitLab and OpenAI-style tokens): such a value there is the real one pasted into a handoff
note or a smoke test, and is reported `high` (it leaked, but no deployed code uses it from
there); env files (see
`security/env-file-committed`); lockfiles; hashes, UUIDs and ids assigned to names that
are not secret; Firebase web configs (public by design). A secret in a file git does not
track yet is `high`: it has not leaked, but it is one `git add` away.

## Why it breaks production
Whoever can read the repository (a collaborator, a leaked clone, a public fork, a build
log) can act as the bot or spend on the account: read every chat, post as the bot, refund
payments, run up an OpenAI bill, push code. Git keeps the value in history even after the
line is deleted, so the credential has to be revoked, not just removed.

## Flagged
```js
const bot = new Telegraf('7391…');          // a real bot token (shown shortened here)
const stripe = require('stripe')('sk_live_51N…');
```
```python
SUPABASE_KEY = "eyJhbGciOi…"  # payload says "role": "service_role"
JWT_SECRET = "3d6f…"  # 32 random hex digits: `medium`, no provider format
```

## Not flagged
```js
const bot = new Telegraf(process.env.BOT_TOKEN);
const supabase = createClient(url, 'eyJhbGciOi…');  // role "anon": public by design
const firebaseConfig = { apiKey: 'AIza…', authDomain: 'app.firebaseapp.com' };
const STICKERS = { pass: 'CAACAgIAAxkBAAE…' };            // a Telegram file id, not a password
```
```python
TOKEN = os.environ["BOT_TOKEN"]
BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"  # the Bot API docs example
```

## Fix
Revoke the credential at the provider first (BotFather `/revoke`, Discord "Reset Token",
Stripe "Roll key", GitHub "Revoke"), because it stays in git history. Then read it from the
environment (`process.env.BOT_TOKEN`, `os.environ["BOT_TOKEN"]`), keep the real value in
the deployment's secret store, and document the variable in `.env.example` with an empty
value.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.ws.project_files(ctx.index).next().is_some()
}

/// Files whose values are not the application's: tests, fixtures, docs, examples and
/// templates.
pub(crate) fn is_non_production_path(rel: &str) -> bool {
    is_test_file(rel)
        || in_fixture_dir(rel)
        || is_example_file(rel)
        || rel.split('/').rev().skip(1).any(|d| {
            matches!(
                d.to_ascii_lowercase().as_str(),
                "docs"
                    | "doc"
                    | "documentation"
                    | "examples"
                    | "example"
                    | "samples"
                    | "sample"
                    | "testdata"
                    | "mocks"
                    | "__mocks__"
                    | "stubs"
            )
        })
}

/// Paths of local development certificates: `certs/localhost-key.pem`, `dev/ssl.key`,
/// mkcert's `localhost+1-key.pem` (a `+N` for the extra names it covers).
/// Whether the folder of `rel` holds certificate files, all self-signed for localhost
/// (found once by discovery: [`flightcheck_project::Workspace::localhost_certificate_dirs`]).
fn beside_localhost_certificate(ws: &flightcheck_project::Workspace, rel: &str) -> bool {
    let dir = rel.rsplit_once('/').map_or(".", |(d, _)| d);
    ws.localhost_certificate_dirs.contains(dir)
}

fn is_local_dev_path(rel: &str) -> bool {
    rel.to_ascii_lowercase()
        .split(['/', '.', '-', '_', '+'])
        .any(|t| {
            matches!(
                t,
                "localhost"
                    | "local"
                    | "dev"
                    | "development"
                    | "selfsigned"
                    | "snakeoil"
                    | "mkcert"
            )
        })
}

/// Translation catalogues (`locales/`, `i18n/`): many, large, and text, not credentials.
pub fn in_translation_dir(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "locales"
                | "locale"
                | "i18n"
                | "l10n"
                | "lang"
                | "langs"
                | "languages"
                | "translations"
        )
    })
}

/// Credentials a provider issues in a format of its own, checked against that format and
/// the providers' documentation examples. In a test, a doc or an example, a value of this
/// shape is almost always the real one pasted in (test suites use fakes that fail the
/// format); a named random value there is usually a fixture.
fn issued_credential(kind: SecretKind) -> bool {
    matches!(
        kind,
        SecretKind::TelegramBotToken
            | SecretKind::DiscordBotToken
            | SecretKind::DiscordWebhook
            | SecretKind::SupabaseServiceRoleKey
            | SecretKind::StripeSecretKey
            | SecretKind::StripeWebhookSecret
            | SecretKind::YooKassaSecretKey
            | SecretKind::WalletPrivateKey
            | SecretKind::SlackToken
            | SecretKind::SlackWebhook
            | SecretKind::GitHubToken
            | SecretKind::GitLabToken
            | SecretKind::OpenAiStyleKey
    )
}

/// Tests, docs and examples: their values are not the application's, except issued
/// credentials pasted in (see [`issued_credential`]).
fn outside_the_application(ws: &flightcheck_project::Workspace, file: usize) -> bool {
    is_non_production_path(&ws.files[file].rel) || ws.files[file].kind == FileKind::Doc
}

/// The project whose root is the longest prefix of `rel`.
pub(crate) fn owner_project(ctx: &ProjectContext, rel: &str) -> usize {
    ctx.ws
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| flightcheck_project::workspace::is_within(rel, &p.root))
        .max_by_key(|(_, p)| p.root.len())
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// One place a secret appears.
struct Place<'a> {
    file: usize,
    candidate: &'a SecretCandidate,
    /// The partner line of a pair (the AWS secret of an access key id).
    partner: Option<&'a SecretCandidate>,
}

/// Where to revoke each kind of credential.
fn revoke_hint(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::TelegramBotToken => "send `/revoke` to @BotFather for this bot",
        SecretKind::DiscordBotToken => {
            "press \"Reset Token\" on the bot page of the Discord Developer Portal"
        }
        SecretKind::DiscordWebhook => {
            "delete the webhook in the channel settings and create a new one"
        }
        SecretKind::TelegramPaymentToken => {
            "revoke the provider token in @BotFather (Payments) and connect the provider again"
        }
        SecretKind::SupabaseServiceRoleKey => {
            "rotate the JWT secret in Supabase (Project Settings → API), which issues new keys"
        }
        SecretKind::StripeSecretKey | SecretKind::StripeTestKey => {
            "roll the key in the Stripe Dashboard (Developers → API keys)"
        }
        SecretKind::WalletPrivateKey => {
            "move the funds to a new wallet at once: a wallet key cannot be revoked"
        }
        SecretKind::YooKassaSecretKey => {
            "issue a new secret key in the YooKassa dashboard (Integration → API keys)"
        }
        SecretKind::StripeWebhookSecret => {
            "roll the signing secret of the endpoint in the Stripe Dashboard (Developers → Webhooks)"
        }
        SecretKind::SlackToken | SecretKind::SlackWebhook => {
            "regenerate it in the Slack app settings (OAuth & Permissions / Incoming Webhooks)"
        }
        SecretKind::GitHubToken => "revoke it in GitHub (Settings → Developer settings → tokens)",
        SecretKind::GitLabToken => "revoke it in GitLab (Preferences → Access tokens)",
        SecretKind::AwsAccessKeyId | SecretKind::AwsSecretAccessKey => {
            "deactivate and delete the access key in AWS IAM"
        }
        SecretKind::TwilioCredential => "rotate the auth token in the Twilio Console",
        SecretKind::GoogleOAuthClientSecret => {
            "reset the client secret in Google Cloud Console (APIs & Services → Credentials)"
        }
        SecretKind::OpenAiStyleKey => {
            "revoke the key in the provider's dashboard and create a new one"
        }
        SecretKind::PrivateKey => "replace the key pair and revoke certificates issued for it",
        SecretKind::ConnectionStringPassword => "change the database user's password",
        SecretKind::NamedSecret => {
            "replace the value (a new random secret, or a new key from its provider)"
        }
    }
}

/// The places of one file's candidates: an AWS access key id is paired with a secret at
/// most five lines away; other candidates needing a partner are dropped.
fn places_of(file: usize, secrets: &[SecretCandidate]) -> Vec<Place<'_>> {
    let mut out = Vec::new();
    let mut used = vec![false; secrets.len()];
    for (k, id) in secrets.iter().enumerate() {
        if id.kind != SecretKind::AwsAccessKeyId {
            continue;
        }
        let partner = secrets.iter().enumerate().find(|(j, s)| {
            !used[*j]
                && s.kind == SecretKind::AwsSecretAccessKey
                && s.span.line.abs_diff(id.span.line) <= 5
        });
        if let Some((j, secret)) = partner {
            used[j] = true;
            used[k] = true;
            out.push(Place {
                file,
                candidate: secret,
                partner: Some(id),
            });
        }
    }
    for (k, c) in secrets.iter().enumerate() {
        if !used[k] && !c.needs_pair {
            out.push(Place {
                file,
                candidate: c,
                partner: None,
            });
        }
    }
    out
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let ws = ctx.ws;
    // Every place of every secret in the workspace, by digest: a secret is reported once,
    // by the project of its first place.
    let mut by_secret: BTreeMap<&str, Vec<Place>> = BTreeMap::new();
    for (i, state) in ctx.files.iter().enumerate() {
        let secrets = state.secrets();
        if secrets.is_empty() {
            continue;
        }
        let outside = outside_the_application(ws, i);
        for place in places_of(i, secrets) {
            if outside && !issued_credential(place.candidate.kind) {
                continue;
            }
            by_secret
                .entry(place.candidate.digest.as_str())
                .or_default()
                .push(place);
        }
    }
    let mut out = Vec::new();
    for (digest, mut places) in by_secret {
        // The first place names the finding: code or config the service has, before a
        // doc or test that repeats the value; among those, a copy the running service
        // loads before one a script or an old variant holds.
        let running = |f: usize| match ctx.files[f].role {
            Role::Service => 0,
            Role::PossiblyRunning => 1,
            _ => 2,
        };
        places.sort_by(|a, b| {
            (
                outside_the_application(ws, a.file),
                running(a.file),
                &ws.files[a.file].rel,
                a.candidate.span,
            )
                .cmp(&(
                    outside_the_application(ws, b.file),
                    running(b.file),
                    &ws.files[b.file].rel,
                    b.candidate.span,
                ))
        });
        let first = &places[0];
        if ws.file_project[first.file] != ctx.index {
            continue;
        }
        out.push(finding(ctx, digest, &places));
    }
    out
}

fn finding(ctx: &ProjectContext, digest: &str, places: &[Place]) -> Finding {
    let ws = ctx.ws;
    let first = &places[0];
    // The place with the most telling description (a provider format over a name).
    let main = places
        .iter()
        .max_by_key(|p| {
            (
                p.candidate.severity,
                p.candidate.kind != SecretKind::NamedSecret,
            )
        })
        .unwrap_or(first);
    let c = main.candidate;
    let (label, kind) = match main.partner {
        Some(_) => ("AWS access key and its secret", SecretKind::AwsAccessKeyId),
        None => (c.label.as_str(), c.kind),
    };
    let mut severity = places
        .iter()
        .map(|p| p.candidate.severity)
        .max()
        .unwrap_or(c.severity);
    let rel = &ws.files[first.file].rel;
    let name = places
        .iter()
        .find_map(|p| p.candidate.name.as_deref())
        .map(|n| format!(" (assigned to `{n}`)"))
        .unwrap_or_default();
    let mut message = format!(
        "{} hard-coded in `{rel}:{}`{name}: `{}`",
        capitalise(label),
        first.candidate.span.line,
        c.preview
    );
    let files: std::collections::BTreeSet<&str> = places
        .iter()
        .map(|p| ws.files[p.file].rel.as_str())
        .collect();
    if places.len() > 1 {
        message.push_str(&format!(
            "; the same value appears in {} places ({} file{})",
            places.len(),
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ));
    }
    if let Some(note) = &c.note {
        message.push_str(&format!(" ({note})"));
    }
    // A named value whose variable the project also reads from the environment is a
    // development default (`SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]` elsewhere).
    if kind == SecretKind::NamedSecret
        && severity > Severity::Low
        && let Some((file, line, env)) = places
            .iter()
            .filter_map(|p| p.candidate.name.as_deref())
            .find_map(|n| env_override(ctx, n))
    {
        // A long random credential someone else issued (an API key, not the service's own
        // signing secret, which frameworks generate for development) is more likely the
        // real key pasted in as the fallback: it stays medium.
        let long = places.iter().any(|p| {
            p.candidate.len >= 40
                && p.candidate.name.as_deref().is_some_and(|n| {
                    crate::secret_values::secret_kind(n) != crate::secret_values::SecretKind::Own
                })
        });
        severity = if long {
            Severity::Medium
        } else {
            Severity::Low
        };
        message.push_str(&format!(
            "; the project also reads `{env}` from the environment (`{file}:{line}`), so this may be a development default (see `config/placeholder-secret`){}",
            if long {
                ", but a random value this long is more likely a real key pasted as the fallback"
            } else {
                ""
            }
        ));
    }
    // Keys of local development certificates (mkcert, snakeoil) protect nothing deployed.
    if kind == SecretKind::PrivateKey
        && severity > Severity::Medium
        && places
            .iter()
            .all(|p| is_local_dev_path(&ws.files[p.file].rel))
    {
        severity = Severity::Medium;
        message.push_str(" (its path names a local development certificate; make sure no deployed service uses it)");
    }
    // The key of a self-signed certificate for localhost (the README's "generate a test
    // certificate" step, committed): it encrypts nothing a client outside the machine trusts.
    if kind == SecretKind::PrivateKey
        && severity > Severity::Low
        && places
            .iter()
            .all(|p| beside_localhost_certificate(ws, &ws.files[p.file].rel))
    {
        severity = Severity::Low;
        message.push_str(" (the certificate beside it is self-signed for localhost: no deployed client trusts it; make sure production mounts a real key instead)");
    }
    // Only in tests, docs or examples: the value leaked with the repository, but no
    // deployed code uses it from there, and a test may hold a value that merely looks
    // issued. High: revoke it; the gate's blocker needs the service's own code.
    if severity > Severity::High && places.iter().all(|p| outside_the_application(ws, p.file)) {
        severity = Severity::High;
        message.push_str(" (in a test, doc or example file, not in code the service runs: high, not blocker; a value in the provider's format there is usually the real one pasted in, so revoke it)");
    }
    // A file git does not track has not leaked yet.
    if let Some(tracked) = &ws.tracked
        && !places
            .iter()
            .any(|p| tracked.contains(&ws.files[p.file].rel))
        && severity > Severity::High
    {
        severity = Severity::High;
        message.push_str(" (not committed yet: git does not track the file)");
    }
    let span = first.candidate.span;
    let mut finding = Finding::new(&META, message)
        .severity(severity)
        .at(rel, span_of(span, &first.candidate.preview))
        .key(format!("{kind:?}:{}", &digest[..16.min(digest.len())]));
    const SHOWN: usize = 20;
    for p in places.iter().take(SHOWN) {
        let prel = &ws.files[p.file].rel;
        let line = p.candidate.span.line;
        finding = finding.evidence(Evidence::at(
            prel,
            line,
            ctx.snippet(p.file, line),
            format!("{} (value redacted)", p.candidate.label),
        ));
        if let Some(id) = p.partner {
            finding = finding.evidence(Evidence::at(
                prel,
                id.span.line,
                ctx.snippet(p.file, id.span.line),
                "the AWS access key id it belongs to",
            ));
        }
    }
    if places.len() > SHOWN {
        finding = finding.evidence(Evidence::searched(format!(
            "and {} more places with the same value",
            places.len() - SHOWN
        )));
    }
    let where_ = if files.len() == 1 {
        format!("`{rel}`")
    } else {
        format!("{} files", files.len())
    };
    finding
        .impact(format!(
            "Anyone who can read the repository or its history can use this {label}: act as the bot or service, read its data, or spend on the account."
        ))
        .fix(format!(
            "First revoke it: {}. Git history keeps the old value, so deleting the line is not enough. Then read it from the environment in {where_} and keep the new value in the deployment's secret store.",
            revoke_hint(kind)
        ))
        .verify(format!(
            "The provider shows the old credential as revoked, and `flightcheck scan --select {}` no longer reports `{}`.",
            META.id, c.preview
        ))
}

/// An env read of the project whose variable is `name` or ends with it
/// (`SECRET_KEY` → `DJANGO_SECRET_KEY`): (file, line, env name).
fn env_override(ctx: &ProjectContext, name: &str) -> Option<(String, u32, String)> {
    let wanted = flightcheck_core::secrets::name_words(name).join("_");
    if wanted.is_empty() {
        return None;
    }
    // `SECRET_KEY` is also `DJANGO_SECRET_KEY`; a one-word name (`token`) must match exactly.
    let suffix = wanted.contains('_').then(|| format!("_{wanted}"));
    for &i in &ctx.sources {
        let Some(facts) = ctx.facts(i) else { continue };
        for read in &facts.env_reads {
            let env = read.name.to_ascii_uppercase();
            if env == wanted || suffix.as_ref().is_some_and(|s| env.ends_with(s)) {
                return Some((ctx.rel(i).to_string(), read.span.line, read.name.clone()));
            }
        }
    }
    None
}

/// The finding's span: where the value starts, as wide as the preview that code frames
/// show in its place (so an underline fits the redacted line).
fn span_of(s: Span, preview: &str) -> Span {
    let column = s.column.max(1);
    Span {
        line: s.line,
        column,
        end_line: s.line,
        end_column: column + preview.chars().count() as u32,
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_development_certificates_by_path() {
        assert!(is_local_dev_path("server/certs/localhost+1-key.pem"));
        assert!(is_local_dev_path("certs/localhost-key.pem"));
        assert!(!is_local_dev_path("deploy/tls/api.example.com.key"));
    }
}
