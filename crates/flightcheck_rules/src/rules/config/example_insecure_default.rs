//! `config/example-insecure-default`: an env template that ships a value the code would
//! accept as a real secret, or a required token with no hint at all.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::rules::config::no_startup_validation::validation_evidence;
use crate::secret_values::{
    SecretKind, holds_secret, is_reference, is_service_password, looks_real, provisioned_by_deploy,
    rejected_by_code, secret_kind, shown, weakness,
};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::{EnvFile, EnvRole};

pub static META: RuleMeta = RuleMeta {
    id: "config/example-insecure-default",
    severity: Severity::Medium,
    category: Category::Security,
    fix_kind: FixKind::Config,
    summary: "An env template ships a value the code would accept as a real secret",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
    docs: r#"## What it does
Reads env templates (`.env.example`, `.env.sample`, `.env.template`, `example.env`…) and
reports:
- secrets the service issues and checks itself (JWT, session, cookie, signing and webhook
  secrets, `SECRET_KEY`, admin passwords, and database passwords when the project's deploy
  files provision that database) with any non-empty value: `changeme`,
  `change_me_in_production`, `your_jwt_secret`, or a random-looking value. The code accepts
  any string there, so a deploy made from the template runs with a published secret;
- provider credentials (bot tokens, API keys) whose value looks real (a Telegram token's
  shape, `sk_live_…`, `ghp_…`, a long random string): if it is real it is leaked, and if it
  is not, nothing tells it from one. A committed file that only its placeholder values make
  a template (`.env.backup`) is left to `security/env-file-committed`, which reports the
  live credentials in it once. High when the template is tracked by git and the value
  has a provider's own format (a Telegram token's shape, `sk_live_…`, `ghp_…`): everyone with
  the repository holds it; one finding per template then lists every such key. Placeholders (`your_token_here`, `<token>`, `xxx`) and
  documentation examples (`123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11`) are fine here;
- secrets that running code requires (read without a default) left empty with no comment
  or placeholder at all, in a template without a single comment, when nothing checks
  configuration at startup (`low`, one finding per template).

A value the code compares against (`if value == "changethis": raise`) is a placeholder the
program rejects, and is not reported. When the project validates configuration at startup
with a schema (envalid, zod, pydantic-settings…), a template value may be rejected there: the
finding is `low` and says so.

## Why it breaks production
Templates are copied into deployments. A template value that works is deployed sooner or
later, and then every token, session or webhook signature of the service can be forged by
anyone who read the repository. An empty value, or an obviously invalid placeholder that
startup validation rejects, stops that deploy instead.

## Flagged
```dotenv
# .env.example
JWT_SECRET=change_me_in_production
SESSION_SECRET=a8F3kQ9zL2xV7mN4bR6tY1wC5pJ0sD8e
```

## Not flagged
```dotenv
# .env.example
JWT_SECRET=            # required: openssl rand -hex 32
BOT_TOKEN=123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11
OPENAI_API_KEY=your_openai_key_here
```

## Fix
Leave self-issued secrets empty in the template (with a comment saying how to generate
one), and make startup reject empty or placeholder values. Replace real-looking credentials
with placeholders, and rotate them if they were ever real.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.env_files.iter().any(|e| e.role == EnvRole::Example)
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    // Schema validation may reject a template value; presence checks never do.
    let validation = validation_evidence(ctx, true);
    let any_validation = validation_evidence(ctx, false).is_some();
    for env in ctx.env_files.iter().filter(|e| e.role == EnvRole::Example) {
        let mut leaked: Vec<Finding> = Vec::new();
        for entry in &env.parsed.entries {
            let key = &entry.key;
            let value = entry.value.trim();
            if !holds_secret(key)
                || value.is_empty()
                || is_reference(value)
                || env
                    .parsed
                    .get(key)
                    .is_some_and(|last| last.line != entry.line)
            {
                continue;
            }
            let weak = weakness(value);
            let real = looks_real(value);
            // A database password is the service's own only when the deployment provisions
            // that database; an external one rejects the template's value.
            let own = secret_kind(key) == SecretKind::Own
                && (!is_service_password(key) || provisioned_by_deploy(ctx, key));
            let message = match (own, real) {
                (_, Some(what)) => format!(
                    "`{key}` in the template `{}` looks like a real credential ({what}, {}): if it is one, it is leaked and must be rotated; if not, nothing tells it from one",
                    env.rel,
                    shown(value, None)
                ),
                (true, None) => {
                    if rejected_by_code(ctx, value).is_some() {
                        continue;
                    }
                    let what = match weak {
                        Some(w) => format!("{}, {}", shown(value, Some(w)), w.reason),
                        None => shown(value, None),
                    };
                    if is_service_password(key) {
                        format!(
                            "`{key}` in the template `{}` is {what}: the project's deploy files create the database with it, so a deploy made from the template runs with a published password",
                            env.rel
                        )
                    } else {
                        format!(
                            "`{key}` in the template `{}` is {what}: the service accepts any string as `{key}`, so a deploy made from the template runs with a published secret",
                            env.rel
                        )
                    }
                }
                (false, None) => continue,
            };
            let mut finding = Finding::new(&META, message);
            // A provider's own format (a Telegram bot token, `sk_live_…`) committed to git:
            // everyone with the repository holds it, so it is a leak, not a weak default. A
            // merely random-looking value may be a generated development value: medium.
            let provider_format =
                real.is_some_and(|what| what != "a long random value") && env.tracked == Some(true);
            // A committed file only its values make a template (`.env.backup` of mostly
            // placeholders): `security/env-file-committed` reports its live credentials, once.
            if provider_format && crate::rules::security::env_file_committed::reads(env) {
                continue;
            }
            // The same credential written in the project's code (`token: "8123…"` in a
            // config module): `security/hardcoded-secret` reports that leak, once.
            if real.is_some() && hardcoded_in_code(ctx, value) {
                continue;
            }
            if provider_format {
                finding = finding.severity(Severity::High);
            }
            if real.is_none()
                && let Some((via, file, line)) = &validation
            {
                finding.message.push_str(&format!(
                    " (startup validation, `{via}` at `{file}:{line}`, may reject it: check that it does)"
                ));
                finding = finding.severity(Severity::Low);
            }
            let note = match (real, weak) {
                (Some(what), _) => what,
                (None, Some(w)) => w.reason,
                (None, None) => "a value the code accepts",
            };
            let shown_value = shown(value, if real.is_some() { None } else { weak });
            let finding = finding
                    .at(&env.rel, Span::line(entry.line))
                    .key(format!("template:{key}"))
                    .evidence(Evidence::at(
                        &env.rel,
                        entry.line,
                        format!("{key}={}", shown_value.trim_matches('`')),
                        note,
                    ))
                    .impact(if real.is_some() {
                        format!("If `{key}` is real, everyone with the repository can use it.")
                    } else {
                        format!("A deployment copied from the template signs or checks `{key}` with a value everyone can read.")
                    })
                    .fix(if real.is_some() {
                        format!("Replace the value of `{key}` with a placeholder such as `<your-{}>`, and rotate the credential if it was ever real.", key.to_ascii_lowercase().replace('_', "-"))
                    } else {
                        format!("Leave `{key}=` empty in the template with a comment on how to generate it (`openssl rand -hex 32`), and reject empty or placeholder values at startup.")
                    })
                    .verify(format!("grep {key} {}", flightcheck_core::text::shell_quote(&env.rel)));
            if provider_format {
                leaked.push(finding);
            } else {
                out.push(finding);
            }
        }
        out.extend(one_leak_per_template(env, leaked));
        if !any_validation {
            out.extend(hintless_required(ctx, env));
        }
    }
    out
}

/// The provider-format credentials of one committed template are one leak: one finding at
/// the first, every key in its evidence.
fn one_leak_per_template(env: &EnvFile, mut leaked: Vec<Finding>) -> Option<Finding> {
    if leaked.is_empty() {
        return None;
    }
    let mut first = leaked.remove(0);
    if !leaked.is_empty() {
        first.message.push_str(&format!(
            " (and {} more such value{} in the same template)",
            leaked.len(),
            if leaked.len() == 1 { "" } else { "s" }
        ));
    }
    for other in leaked {
        first.evidence.extend(other.evidence);
    }
    Some(first.evidence(Evidence::searched(format!(
        "high, not medium: `{}` is tracked by git and the value has a provider's credential format",
        env.rel
    ))))
}

/// Secrets running code requires that the template leaves empty with no comment or
/// placeholder: one finding per template.
fn hintless_required(ctx: &ProjectContext, env: &EnvFile) -> Option<Finding> {
    let lines: Vec<&str> = env.text.lines().collect();
    let mut bare = Vec::new();
    for entry in &env.parsed.entries {
        if !holds_secret(&entry.key) || !entry.value.trim().is_empty() {
            continue;
        }
        let reads = ctx.env_reads_of(&entry.key);
        let required = !reads.is_empty() && reads.iter().all(|(_, r)| !r.has_default && !r.tested);
        if !required {
            continue;
        }
        let idx = entry.line as usize - 1;
        let inline = lines.get(idx).is_some_and(|l| l.contains(" #"));
        let above = idx > 0
            && lines
                .get(idx - 1)
                .is_some_and(|l| l.trim_start().starts_with('#') && l.trim().len() > 1);
        if inline || above {
            continue;
        }
        bare.push((entry, reads[0]));
    }
    if bare.is_empty() || env.parsed.entries.len() < 2 {
        return None;
    }
    // Only when the template has no comments at all: a commented template documents its
    // keys in its own way.
    if env
        .text
        .lines()
        .any(|l| l.trim_start().starts_with('#') && l.trim().len() > 1)
    {
        return None;
    }
    let keys: Vec<&str> = bare.iter().map(|(e, _)| e.key.as_str()).collect();
    let (first, _) = bare[0];
    let mut finding = Finding::new(
        &META,
        format!(
            "`{}` leaves {} required secret{} empty with no comment or placeholder ({}), and nothing checks them at startup: whoever deploys from it learns neither what they are nor where to get them",
            env.rel,
            keys.len(),
            if keys.len() == 1 { "" } else { "s" },
            keys.join(", ")
        ),
    )
    .severity(Severity::Low)
    .at(&env.rel, Span::line(first.line))
    .key(format!("hintless:{}", env.rel));
    for (entry, (file, read)) in bare.iter().take(5) {
        finding = finding
            .evidence(Evidence::at(
                &env.rel,
                entry.line,
                format!("{}=", entry.key),
                "empty, no comment",
            ))
            .evidence(evidence_at(
                ctx,
                *file,
                read.span,
                "required here (no default)".into(),
            ));
    }
    Some(
        finding
            .impact("Whoever deploys from the template does not learn what the secrets are or where to get them, and an empty value is only noticed when it fails.")
            .fix("Add a comment above each secret saying what it is and where to get it, and validate required variables at startup.")
            .verify(format!("Read {} as a newcomer: every key says what to put there.", env.rel)),
    )
}

/// Whether `value` is also written as a secret in one of the project's source files.
fn hardcoded_in_code(ctx: &ProjectContext, value: &str) -> bool {
    let digest = flightcheck_core::secrets::digest(value);
    ctx.sources
        .iter()
        .any(|&i| ctx.files[i].secrets().iter().any(|c| c.digest == digest))
}

#[cfg(test)]
mod tests {
    use crate::{ScanOptions, scan};

    /// Real-looking template values are shown as previews only, in messages and evidence.
    #[test]
    fn real_looking_values_are_never_printed() {
        let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/rules/config/example_insecure_default/fixtures/flagged_template_ships_working_secrets");
        let template = std::fs::read_to_string(case.join(".env.example")).expect("template");
        let report = scan(&ScanOptions {
            root: case,
            jobs: 1,
            select: vec!["config/example-insecure-default".into()],
            ..Default::default()
        })
        .expect("scan");
        let findings: Vec<_> = report.all_findings().map(|(_, f)| f.clone()).collect();
        assert_eq!(findings.len(), 3);
        let text = format!("{findings:?}");
        for line in template.lines().filter(|l| !l.starts_with('#')) {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if crate::secret_values::looks_real(value).is_some() {
                assert!(!text.contains(value), "{key} leaked");
                assert!(text.contains(&flightcheck_core::redact::preview(value)));
            }
        }
    }
}
