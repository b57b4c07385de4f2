//! `deploy/start-script-no-errexit`: a start script that migrates, then starts the app
//! whether or not the migration worked.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::start_scripts::UnguardedMigration;

pub static META: RuleMeta = RuleMeta {
    id: "deploy/start-script-no-errexit",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Ops,
    summary: "A start script runs migrations, then starts the app even when they failed",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
    docs: r#"## What it does
Reads the shell scripts a deploy definition runs (a Dockerfile `ENTRYPOINT`/`CMD`, a compose
or systemd command, a Procfile line naming `entrypoint.sh`, `start.sh`…) and the
`sh -c "…"` one-liners of deploy definitions, and reports a migration command
(`alembic upgrade head`, `prisma migrate deploy`, `manage.py migrate`, `knex migrate:latest`,
…) followed by a command that starts the app (`exec node …`, `gunicorn …`, `python bot.py`),
when nothing stops the script if the migration fails: no `set -e` (or `set -o errexit`, or
`-e` on the shebang) before it, and no `&&`, `||`, `if` or retry loop on its line.

Not flagged: scripts with errexit, `migrate && exec app`, `if ! migrate; then exit 1; fi`,
`until migrate; do sleep 2; done`, scripts that only migrate, scripts nothing launches.

## Why it breaks production
A shell runs the next line after a failed one. When the database is not reachable yet, or a
migration fails halfway, the app starts anyway on the old schema: it looks healthy, then
fails on the first request that touches a new column, or writes data in the old shape.

## Flagged
```sh
#!/bin/sh
alembic upgrade head
exec python bot.py
```

## Not flagged
```sh
#!/bin/sh
set -e
alembic upgrade head
exec python bot.py
```

## Fix
Add `set -e` at the top of the script (or join with `&&`: `alembic upgrade head && exec
python bot.py`), so that a failed migration stops the container and the platform retries it.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn mine<'a>(ctx: &'a ProjectContext) -> impl Iterator<Item = &'a UnguardedMigration> + 'a {
    ctx.ws
        .unguarded_migrations
        .iter()
        .filter(move |m| ctx.owns_file(&m.file))
}

fn applies(ctx: &ProjectContext) -> bool {
    mine(ctx).next().is_some()
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    mine(ctx)
        .map(|m| {
            let mut f = Finding::new(
                &META,
                format!(
                    "`{}` runs `{}` and then `{}` with nothing stopping it when the migration fails: the app starts on the old schema",
                    m.file, m.migration, m.start
                ),
            )
            .at(&m.file, Span::line(m.line))
            .evidence(Evidence::at(&m.file, m.line, m.migration.clone(), "the migration"));
            if m.start_line != m.line {
                f = f.evidence(Evidence::at(&m.file, m.start_line, m.start.clone(), "the app starts regardless"));
            }
            f.evidence(Evidence::searched(format!(
                "searched the script for `set -e`/`set -o errexit`, a `-e` shebang and `&&`/`||`/`if`/retry loops on the migration's line: none (launched by {})",
                m.launched_by
            )))
            .key(format!("{}:{}", m.file, m.line))
            .impact("A failed or half-applied migration goes unnoticed: the service runs on the old schema and fails on the first request that needs the new one.")
            .fix("Add `set -e` at the top of the script, or chain `migrate && exec app`.")
            .verify("Point the database URL at a stopped database and start the container: it exits instead of serving.")
        })
        .collect()
}
