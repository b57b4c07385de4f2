//! `config/no-startup-validation`: required env vars read only when first used, and nothing
//! validates configuration at startup.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::rules::config::undocumented_env::is_platform_var;
use crate::secret_values::holds_secret;
use flightcheck_core::{
    CallEdge, Category, EnvRead, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable,
    is_startup_function,
};
use std::collections::{BTreeMap, HashMap, HashSet};

pub static META: RuleMeta = RuleMeta {
    id: "config/no-startup-validation",
    severity: Severity::Medium,
    category: Category::Config,
    fix_kind: FixKind::Code,
    summary: "Required env vars are read lazily and nothing validates configuration at startup",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Looks for env vars that running code requires (read without a default and without testing
whether they are set) but reads only inside functions that run later (handlers,
callbacks, methods), never while the program starts (module level, `main`, `start*`,
`create*`, constructors, `__init__`…). It reports them once per project when nothing
validates configuration at startup. Any of these silences it:
- an env-validation library (envalid, `@t3-oss/env-*`, env-var, convict, dotenv-safe, znv,
  env-schema; pydantic-settings, environs, python-decouple, django-environ, dynaconf), or a
  pydantic `BaseSettings` class;
- a schema applied to the environment (`schema.parse(process.env)`,
  `z.object({...}).parse({ TOKEN: process.env.TOKEN })`, `cleanEnv(process.env, …)`);
- an explicit check that stops the program: `if (!process.env.X) throw …`,
  `if not TOKEN: sys.exit(…)`, `assert os.getenv("X")`, or Python's `os.environ["X"]` while
  the program starts (it raises `KeyError`).

Variables that platforms set (`PORT`, `NODE_ENV`…) and test files are not considered.

## Why it breaks production
The service boots and reports healthy, the deploy goes green, and the first user who
reaches the handler gets an error: `undefined` is sent as an API key, a `None` token is
compared, a `KeyError` escapes. Validating at startup turns that into a failed deploy with
a message naming the variable.

## Flagged
```js
bot.on('text', async (ctx) => {
  const answer = await ask(process.env.OPENAI_API_KEY, ctx.message.text);
});
```

## Not flagged
```js
import { cleanEnv, str } from 'envalid';
export const env = cleanEnv(process.env, { OPENAI_API_KEY: str() });
```
```python
TOKEN = os.environ["BOT_TOKEN"]  # raises at startup when unset
```

## Fix
Validate every required variable when the program starts (envalid, zod, pydantic-settings,
environs, or a loop that throws on the first missing name) and pass the validated config
to the handlers.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.reads_env()
}

/// Env-validation packages declared in a manifest.
const VALIDATION_DEPS: [&str; 17] = [
    "envalid",
    "@t3-oss/env-core",
    "@t3-oss/env-nextjs",
    "@t3-oss/env-nuxt",
    "env-var",
    "convict",
    "dotenv-safe",
    "znv",
    "env-schema",
    "envsafe",
    "ts-dotenv",
    "pydantic-settings",
    "environs",
    "python-decouple",
    "django-environ",
    "dynaconf",
    "envparse",
];

/// The first sign that the project validates its configuration at startup: (what, file,
/// line). Reachable code first, then manifests. With `schema_only`, only validation that can
/// check values (a schema or settings library), not presence checks.
pub(crate) fn validation_evidence(
    ctx: &ProjectContext,
    schema_only: bool,
) -> Option<(String, String, u32)> {
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        if let Some(c) = f.config_checks.iter().find(|c| c.schema || !schema_only) {
            return Some((c.via.clone(), ctx.rel(i).to_string(), c.span.line));
        }
        if let Some(s) = f.settings_fields.first() {
            return Some((
                format!("settings class `{}`", s.class),
                ctx.rel(i).to_string(),
                s.span.line,
            ));
        }
    }
    let manifest = ctx.manifest().unwrap_or(".").to_string();
    if let Some(pkg) = &ctx.project.package_json
        && let Some(dep) = VALIDATION_DEPS
            .iter()
            .find(|d| pkg.dependencies.contains_key(**d))
    {
        return Some((format!("dependency `{dep}`"), manifest, 1));
    }
    VALIDATION_DEPS
        .iter()
        .find(|d| ctx.project.python_deps.contains(**d))
        .map(|dep| (format!("dependency `{dep}`"), manifest, 1))
}

fn last_name(f: &str) -> &str {
    f.rsplit('.').next().unwrap_or(f)
}

/// Names of the functions that run while the program starts: called from module level or
/// from a startup function (`main`, `start*`…), and so on through the calls they make.
pub(crate) fn startup_functions<'a>(ctx: &'a ProjectContext) -> HashSet<&'a str> {
    let edges: Vec<&CallEdge> = ctx
        .reachable_sources()
        .filter_map(|i| ctx.facts(i))
        .flat_map(|f| f.call_edges.iter())
        .collect();
    // A worklist over callers: each function is expanded once, so the cost is linear in
    // the call edges (a fixpoint over all edges per round was quadratic on deep chains).
    let mut by_caller: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut queue: Vec<&str> = Vec::new();
    for e in &edges {
        match &e.from {
            None => queue.push(e.to.as_str()),
            Some(f) if f.starts_with("callback of") => {
                if is_startup_function(f) {
                    queue.push(e.to.as_str());
                }
            }
            Some(f) => {
                if is_startup_function(f) {
                    queue.push(e.to.as_str());
                }
                by_caller
                    .entry(last_name(f))
                    .or_default()
                    .push(e.to.as_str());
            }
        }
    }
    let mut running: HashSet<&str> = HashSet::new();
    while let Some(name) = queue.pop() {
        if running.insert(name)
            && let Some(callees) = by_caller.get(name)
        {
            queue.extend(callees.iter().copied());
        }
    }
    running
}

/// Read inside a function that runs later: not a startup function by name, and not one
/// that the program calls while it starts (`const t = tracker()` at module level).
fn is_lazy(read: &EnvRead, startup: &HashSet<&str>) -> bool {
    read.function.as_deref().is_some_and(|f| {
        !is_startup_function(f) && (f.starts_with("callback of") || !startup.contains(last_name(f)))
    })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    if validation_evidence(ctx, false).is_some() {
        return Vec::new();
    }
    // Every read of each variable by running code.
    let mut reads: BTreeMap<&str, Vec<(usize, &EnvRead)>> = BTreeMap::new();
    let startup_calls = startup_functions(ctx);
    let mut files = 0;
    for i in ctx.reachable_sources() {
        let Some(f) = ctx.facts(i) else { continue };
        if ctx.is_sample_code(i) {
            continue;
        }
        files += 1;
        for r in &f.env_reads {
            reads.entry(r.name.as_str()).or_default().push((i, r));
        }
    }
    let mut lazy: Vec<(&str, &[(usize, &EnvRead)])> = reads
        .iter()
        .filter(|(name, rs)| {
            !is_platform_var(name)
                && rs
                    .iter()
                    .all(|(_, r)| !r.has_default && !r.tested && is_lazy(r, &startup_calls))
        })
        .map(|(name, rs)| (*name, rs.as_slice()))
        .collect();
    if lazy.is_empty() {
        return Vec::new();
    }
    // Secrets first: their absence fails for sure.
    lazy.sort_by_key(|(name, _)| !holds_secret(name));
    let described: Vec<String> = lazy
        .iter()
        .take(6)
        .map(|(name, rs)| {
            let (file, r) = rs[0];
            format!(
                "`{name}` (inside `{}`, {}:{})",
                r.function.as_deref().unwrap_or("?"),
                ctx.rel(file),
                r.span.line
            )
        })
        .collect();
    let more = if lazy.len() > 6 {
        format!(" and {} more", lazy.len() - 6)
    } else {
        String::new()
    };
    let (first_file, first_read) = lazy[0].1[0];
    let mut finding = Finding::new(
        &META,
        format!(
            "{} required env var{} {} read only when first used, and nothing validates configuration at startup: {}{more}",
            lazy.len(),
            if lazy.len() == 1 { "" } else { "s" },
            if lazy.len() == 1 { "is" } else { "are" },
            described.join(", ")
        ),
    )
    .at(ctx.rel(first_file), first_read.span)
    .key(format!("lazy-config:{}", ctx.project.root));
    for (name, rs) in lazy.iter().take(5) {
        let (file, r) = rs[0];
        finding = finding.evidence(evidence_at(
            ctx,
            file,
            r.span,
            format!(
                "reads {name} inside `{}`, with no default",
                r.function.as_deref().unwrap_or("?")
            ),
        ));
    }
    vec![
        finding
            .evidence(Evidence::searched(format!(
                "searched {files} reachable files of `{}` and its manifests for env validation (envalid, @t3-oss/env, env-var, convict, dotenv-safe, pydantic-settings, environs, decouple, django-environ, a schema parse of process.env, `if (!process.env.X) throw`, `assert`, module-level `os.environ[...]`): none found",
                ctx.project.root
            )))
            .impact("The service boots and looks healthy; the first request that needs a missing variable fails in front of a user.")
            .fix("Validate required variables when the program starts (envalid/zod for Node, pydantic-settings/environs for Python, or a loop that throws on the first missing name) and pass the validated config on.")
            .verify("Start the service with one required variable unset: it must refuse to start and name the variable."),
    ]
}
