//! `config/empty-secret`: a secret-like key with an empty value in an env file that will be
//! deployed.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::env_keys::is_secret_key;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EnvRole;

pub static META: RuleMeta = RuleMeta {
    id: "config/empty-secret",
    severity: Severity::Blocker,
    category: Category::Config,
    fix_kind: FixKind::Config,
    summary: "A secret-like env key with an empty value in an env file that will be deployed",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
    docs: r#"## What it does
Reads every env file with dotenv semantics (quotes, `export`, comments, multi-line values)
and reports secret-like keys (`*_SECRET`, `*_TOKEN`, `*_KEY`, `*PASSWORD*`, `*_DSN`...; not
`*_PUBLISHABLE_KEY`, `*_ID`, `*_PATH`) whose value is empty, in the files that will be
deployed:
- the production environment: files given with `--env`, or (without `--env`) files named
  like production (`.env.production`, `prod.env`) or that set `NODE_ENV=production`;
- a plain `.env`, but only for keys that reachable code reads.
Templates (`.env.example`) and development files (`.env.test`, `.env.local`) are skipped.

## Why it breaks production
An empty token makes the bot fail to log in; an empty webhook or signing secret makes
signature checks compare against `""` or, worse, skip verification entirely, so anyone can
post fake payments. Severity: `blocker` in the production environment when reachable code
reads the key (the finding names where); `medium` in production when no read was found (a
config library may still read it, but a key nothing reads cannot break the service), and
`high` in a plain `.env` that code reads — `low`
when that `.env` is committed to git: a committed file with the secret left empty is the
template the operator fills where the service is deployed.

## Flagged
```dotenv
# .env.production
NODE_ENV=production
PAYMENT_WEBHOOK_SECRET=
BOT_TOKEN=""
```

## Not flagged
```dotenv
# .env.example — a template is expected to leave secrets empty
PAYMENT_WEBHOOK_SECRET=
# .env.production
STRIPE_PUBLISHABLE_KEY=   # public, not a secret
```

## Fix
Set the value in the deployment's secret store (not in a committed file), and make startup
fail when a required secret is empty (envalid, zod, pydantic-settings), so a missing secret
stops the deploy instead of opening a hole.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

pub(crate) fn applies(ctx: &ProjectContext) -> bool {
    !ctx.env_files.is_empty() || ctx.reads_env()
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for env in &ctx.env_files {
        if !matches!(env.role, EnvRole::Production | EnvRole::Deployed) {
            continue;
        }
        for entry in &env.parsed.entries {
            if !entry.value.trim().is_empty() || !is_secret_key(&entry.key) {
                continue;
            }
            // The last assignment wins; only judge it.
            if env
                .parsed
                .get(&entry.key)
                .is_some_and(|last| last.line != entry.line)
            {
                continue;
            }
            let reads = ctx.env_reads_of(&entry.key);
            // A `.env` committed to git with the secret left empty is the template the
            // operator fills on the server (the README says "edit .env"): the deploy that
            // matters never runs with this value, and an empty token stops the bot at once.
            let committed_template = env.role == EnvRole::Deployed && env.tracked == Some(true);
            let severity = match (env.role, reads.is_empty()) {
                (EnvRole::Production, false) => Severity::Blocker,
                // Nothing reachable reads it: a key the service does not use cannot break it
                // (compose or a config library may still read it, so it is still reported).
                (EnvRole::Production, true) => Severity::Medium,
                (_, false) if committed_template => Severity::Low,
                (_, false) => Severity::High,
                (_, true) => continue,
            };
            let key = &entry.key;
            let mut message = format!(
                "`{key}` is empty in `{}` ({} env: {})",
                env.rel,
                env.role.as_str(),
                env.role_reason
            );
            match reads.first() {
                Some((file, read)) => message.push_str(&format!(
                    "; `{}:{}` reads it",
                    ctx.rel(*file),
                    read.span.line
                )),
                None => message.push_str("; no read of it was found in reachable code"),
            }
            if committed_template {
                message.push_str(
                    "; low: the file is committed to git with the value empty, a template the operator fills where the bot is deployed",
                );
            }
            let mut finding = Finding::new(&META, message)
                .severity(severity)
                .at(&env.rel, Span::line(entry.line))
                .key(key)
                .evidence(Evidence::at(&env.rel, entry.line, format!("{key}="), "empty value"))
                .impact(format!("Whatever authenticates with `{key}` gets an empty string: logins fail, or signature checks compare against nothing and accept forged requests."))
                .fix(format!("Set `{key}` in the deployment's secret store and validate at startup that it is non-empty."))
                .verify(format!("Start the service with the production env and confirm it refuses to boot when `{key}` is empty, and works when it is set."));
            for (file, read) in reads.iter().take(5) {
                finding =
                    finding.evidence(evidence_at(ctx, *file, read.span, "reads the key".into()));
            }
            out.push(finding);
        }
    }
    out
}
