//! `data/migrations-not-run`: migrations exist, but nothing that deploys or starts the
//! service applies them.

use crate::bots::{dead_reason, evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::EntryHow;
use flightcheck_project::deploy::LaunchOrigin;
use flightcheck_project::migrations::{MigrationSet, MigrationTool};

pub static META: RuleMeta = RuleMeta {
    id: "data/migrations-not-run",
    severity: Severity::Blocker,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "Migrations exist but nothing runs them on deploy or at startup",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Finds migration folders (knex, prisma, sequelize, typeorm, node-pg-migrate, drizzle,
supabase, alembic, Django, aerich, Flask-Migrate, plain `.sql` folders) and looks for
something that applies them when the service is deployed or starts:
- a runner in code on a running path (`knex.migrate.latest()`, node-pg-migrate / drizzle
  `migrate()`, umzug `up()`, typeorm `runMigrations()`, alembic `command.upgrade`,
  `call_command("migrate")`);
- a migration command in what the deploy runs: Dockerfile CMD/ENTRYPOINT (and the shell
  scripts they start), compose `command`, Procfile (`release:` too), systemd units, the
  package.json start / prestart / release scripts and the scripts they call, platform
  configs (render.yaml, railway.json/toml, fly.toml `release_command`, app.json,
  heroku.yml, nixpacks.toml), and deploy steps in CI (not commented out, not `echo`,
  not `|| true`);
- a project-made runner (a source file that names the migrations folder in a string) that
  a deploy definition starts, such as the `CMD` of a Dockerfile stage a compose service
  builds with `build.target` (`FROM base AS migrate` / `CMD ["node", "src/migrate.js"]`).
A command in a script that nothing starts (`"migrate": "knex migrate:latest"` alone), a
runner in dead code, or a runner configured with another directory does not count; they
are named in the evidence.

## Why it breaks production
A fresh deploy starts against a database without the new tables and columns: the first
request that needs them crashes, often the payment or booking path added last.
A deployed compose service that exists to migrate (its name or image says `migrate`) and
mounts the migrations folder counts as applying them, and so do the `command`/`shell` tasks
of an Ansible playbook, a script a CI action runs on the deploy host (`appleboy/ssh-action`
`script:`), and `docker compose run|exec <service> <migrate command>` in any of them.

Severity: `blocker` when a platform deploys on its own (Railway, Render, Heroku/Procfile,
Fly, App Engine, a CI job that ships the code): nobody is there to run a manual step. `high`
when the deploy definitions are run by an operator (Dockerfile, compose, PM2, systemd), who
may apply migrations by hand. `medium` when the project defines a migrate command no deploy
step runs (`"db:migrate": "prisma migrate deploy"`: a documented manual step) or that its
README gives as a step in a shell code block (`npx prisma migrate deploy`) or by naming a
migration file to run (`run db/migrations/001_init.sql in the SQL editor`), when there is
no deploy definition at all (a package `start` script is not one: a Next.js app on Vercel
has no deploy file to add a step to), when its own code holds a runner someone starts by
hand, when the app creates its tables itself (`create_all`: fresh databases work, existing
ones miss the changes), for Supabase, whose GitHub integration can apply migrations from
outside the repository, and for Python migrations (alembic, Flask-Migrate, Django, aerich)
when no file the service runs queries a table or defines an ORM model: no request can fail
on a missing table yet (not when most of the project's files are unreachable from the entry
points found, which cannot prove that absence).

## Flagged
```json
{ "scripts": { "start": "node src/index.js", "migrate": "knex migrate:latest" } }
```
with `migrations/20240101_create_users.js` and a Dockerfile `CMD ["node", "src/index.js"]`.

## Not flagged
```json
{ "scripts": { "start": "knex migrate:latest && node src/index.js" } }
```
```
# Procfile
release: python manage.py migrate
web: gunicorn app.wsgi
```

## Fix
Run migrations as part of every deploy: a release phase (`release:` in the Procfile,
fly.toml `release_command`, render `preDeployCommand`), the start script
(`knex migrate:latest && node .`), or at startup before serving.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.ws.migration_sets.iter().any(|s| s.project == ctx.index)
}

/// Whether a command/runner of `tool` applies migrations of `set`.
fn serves(tool: MigrationTool, set: &MigrationSet) -> bool {
    use MigrationTool::*;
    tool == set.tool
        || matches!((tool, set.tool), (Alembic, FlaskMigrate) | (FlaskMigrate, Alembic))
        // A folder of plain SQL files is applied by whichever runner the team chose.
        || set.tool == Sql
        || matches!((tool, set.tool), (Supabase, Sql) | (Sql, Supabase))
}

/// The tool a code runner belongs to, from its description.
fn runner_tool(tool: &str) -> Option<MigrationTool> {
    let t = tool.to_ascii_lowercase();
    Some(if t.contains("knex") {
        MigrationTool::Knex
    } else if t.contains("alembic") {
        MigrationTool::Alembic
    } else if t.contains("django") {
        MigrationTool::Django
    } else if t.contains("node-pg-migrate") {
        MigrationTool::NodePgMigrate
    } else if t.contains("drizzle") {
        MigrationTool::Drizzle
    } else if t.contains("typeorm") {
        MigrationTool::TypeOrm
    } else if t.contains("aerich") {
        MigrationTool::Aerich
    } else if t.contains("umzug") {
        MigrationTool::Sequelize
    } else if t.contains("prisma") {
        MigrationTool::Prisma
    } else {
        return None;
    })
}

/// `./migrations`, `migrations/` and `db/migrations` name the same folder when the set's
/// path ends with them.
fn same_dir(set_dir: &str, configured: &str) -> bool {
    let c = configured
        .trim_start_matches("./")
        .trim_end_matches('/')
        .trim_start_matches("../");
    c.is_empty()
        || set_dir == c
        || set_dir.ends_with(&format!("/{c}"))
        || c.ends_with(set_dir.rsplit('/').next().unwrap_or(set_dir))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let runs = split(ctx, |w| &w.migration_runs, |r| &r.owner);
    let commands: Vec<_> = ctx
        .ws
        .migration_commands
        .iter()
        .filter(|c| c.project == ctx.index)
        .collect();
    // knexfile `migrations.directory`: where the knex CLI and `migrate.latest()` look.
    let knex_configs: Vec<(usize, &flightcheck_core::MigrationConfig)> = ctx
        .all_wiring()
        .flat_map(|(f, w)| w.migration_configs.iter().map(move |c| (f, c)))
        .filter(|(_, c)| c.tool == "knex")
        .collect();
    let mut out = Vec::new();
    for set in ctx
        .ws
        .migration_sets
        .iter()
        .filter(|s| s.project == ctx.index)
    {
        let configured_elsewhere = set.tool == MigrationTool::Knex
            && !knex_configs.is_empty()
            && !knex_configs.iter().any(|(f, c)| {
                let dir = ctx.rel(*f).rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                let configured = flightcheck_project::workspace::join(dir, &c.directory);
                configured.trim_end_matches('/') == set.dir
            });
        let deploy_command = !configured_elsewhere
            && commands.iter().any(|c| {
                c.runs_on_deploy
                    && serves(c.tool, set)
                    && c.directory.as_deref().is_none_or(|d| same_dir(&set.dir, d))
            });
        let code_runner = runs.live.iter().any(|(_, r)| {
            !r.creates_models
                && runner_tool(&r.tool).is_none_or(|t| serves(t, set))
                && match r.directory.as_deref() {
                    Some(d) => same_dir(&set.dir, d),
                    None => !configured_elsewhere,
                }
        });
        if deploy_command
            || code_runner
            || migration_service(ctx, set).is_some()
            || deployed_runner(ctx, set).is_some()
        {
            continue;
        }
        let first = set.files[0];
        let mut finding = Finding::new(
            &META,
            format!(
                "{} {} migration{} in `{}` {} never applied: nothing the deploy or startup runs executes them",
                set.files.len(),
                set.tool.as_str(),
                if set.files.len() == 1 { "" } else { "s" },
                set.dir,
                if set.files.len() == 1 { "is" } else { "are" }
            ),
        )
        .at(ctx.rel(first), Span::line(1))
        .key(format!("{}:{}", set.tool.as_str(), set.dir))
        .evidence(Evidence::at(ctx.rel(first), 1, ctx.snippet(first, 1), format!("first of {} migration files", set.files.len())));
        if configured_elsewhere {
            for (f, c) in &knex_configs {
                finding = finding.evidence(evidence_at(
                    ctx,
                    *f,
                    c.span,
                    format!(
                        "knex is configured with migrations.directory `{}`, not `{}`: its runner applies nothing from this folder",
                        c.directory, set.dir
                    ),
                ));
            }
        }
        for c in commands.iter().filter(|c| serves(c.tool, set)) {
            let why = if !c.runs_on_deploy {
                format!(
                    "{} runs `{}`, but nothing the deploy runs starts it",
                    c.source, c.command
                )
            } else if let Some(dir) = &c.directory {
                format!(
                    "{} runs `{}` with another migrations directory ({dir})",
                    c.source, c.command
                )
            } else {
                format!(
                    "{} runs `{}`, which reads its folder from the knexfile",
                    c.source, c.command
                )
            };
            finding = finding.evidence(Evidence::at(&c.file, c.line, c.command.clone(), why));
        }
        for (file, r) in runs.live.iter().filter(|(_, r)| !r.creates_models) {
            finding = finding.evidence(evidence_at(
                ctx,
                *file,
                r.span,
                format!(
                    "`{}` runs at startup, but with directory `{}`",
                    r.tool,
                    r.directory.as_deref().unwrap_or("?")
                ),
            ));
        }
        for (file, r) in runs.dead.iter().filter(|(_, r)| !r.creates_models) {
            finding = finding.evidence(evidence_at(
                ctx,
                *file,
                r.span,
                format!(
                    "`{}` would run them, but it does not run: {}",
                    r.tool,
                    dead_reason(ctx, *file, &r.owner)
                ),
            ));
        }
        let searched_launches = ctx
            .ws
            .launches
            .iter()
            .filter(|l| {
                ctx.ws
                    .file_index(&l.file)
                    .is_none_or(|i| ctx.ws.file_project[i] == ctx.index)
            })
            .map(|l| format!("{} `{}`", l.source, l.command))
            .take(4)
            .collect::<Vec<_>>();
        finding = finding.evidence(Evidence::searched(format!(
            "searched running code, start/release scripts, deploy definitions, platform configs and CI deploy steps{}",
            if searched_launches.is_empty() {
                String::new()
            } else {
                format!("; the deploy runs: {}", searched_launches.join("; "))
            }
        )));
        // The app creates its tables from the models: a fresh database works, existing
        // ones never get the migrations' changes.
        if let Some((file, r)) = runs.live.iter().find(|(_, r)| r.creates_models) {
            finding = finding
                .severity(Severity::Medium)
                .evidence(evidence_at(
                    ctx,
                    *file,
                    r.span,
                    format!("medium, not blocker: `{}` creates missing tables at startup, so a fresh database works; it never alters existing tables, so the changes in these migrations never reach an existing database", r.tool),
                ));
        } else if let Some((file, line)) = manual_runner(ctx, set) {
            finding = finding.severity(Severity::Medium).evidence(Evidence::at(
                ctx.rel(file),
                line,
                ctx.snippet(file, line),
                "medium, not blocker: the project's own code reads the migrations folder here (a runner someone must start by hand); nothing runs it on deploy",
            ));
        }
        if set.tool == MigrationTool::Supabase && finding.severity > Severity::Medium {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(
                "medium, not blocker: Supabase applies these with `supabase db push` or its GitHub integration, which is configured in the Supabase dashboard, not in the repository; confirm one of them runs on every deploy",
            ));
        }
        if finding.severity == Severity::Blocker && !has_deploy_definition(ctx) {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(
                "medium, not blocker: no deploy definition starts this project's code (Dockerfile, compose service, Procfile, platform config, CI deploy step; a package `start` script or a compose file that runs only the database is not one), so whoever deploys must apply the migrations by hand every time",
            ));
        }
        // A migrate command the project defines but no deploy step runs
        // (`"db:migrate-deploy": "prisma migrate deploy"`): applying migrations is a
        // documented manual step; a deploy that forgets it fails loudly on the first query.
        if finding.severity > Severity::Medium
            && let Some(manual) = ctx
                .ws
                .migration_commands
                .iter()
                .find(|c| c.project == ctx.index && !c.runs_on_deploy && serves(c.tool, set))
        {
            finding = finding.severity(Severity::Medium).evidence(Evidence::at(
                &manual.file,
                manual.line,
                manual.command.clone(),
                format!(
                    "medium, not blocker: `{}` applies them by hand; no deploy step runs it",
                    manual.source
                ),
            ));
        }
        // Python: no code the service runs touches a table (no SQL text, no ORM model in a
        // running file), so no request can fail on a missing one; the migrations only matter
        // once that code is wired in.
        if finding.severity > Severity::Medium
            && matches!(
                set.tool,
                MigrationTool::Alembic
                    | MigrationTool::FlaskMigrate
                    | MigrationTool::Django
                    | MigrationTool::Aerich
            )
            && !running_code_uses_tables(ctx)
            // Thin reachability (most files unreachable) cannot show that nothing running
            // touches the database.
            && !thin_reachability(ctx)
        {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(
                "medium, not high: no file the service runs queries a table or defines an ORM model (searched the reachable service code for SQL text and SQLAlchemy, Django and tortoise models), so no request can fail on a missing table yet",
            ));
        }
        // Deploys an operator runs (docker compose up, PM2, a VM) can include the migrate
        // step by hand; a platform that deploys on every push (Railway, Render, Heroku, Fly,
        // a CI deploy job) never will.
        if finding.severity == Severity::Blocker && !deploys_automatically(ctx) {
            finding = finding.severity(Severity::High).evidence(Evidence::searched(
                "high, not blocker: the deploy definitions here are run by an operator (Dockerfile, compose, PM2, systemd), who may apply migrations by hand; no platform config or CI deploy job deploys on its own",
            ));
        }
        let verify = match set.tool {
            MigrationTool::Knex => {
                "Deploy to a fresh database and check `knex_migrations` lists every file."
            }
            MigrationTool::Prisma => "Deploy to a fresh database and run `prisma migrate status`.",
            MigrationTool::Alembic | MigrationTool::FlaskMigrate => {
                "Deploy to a fresh database and run `alembic current`: it shows head."
            }
            MigrationTool::Django => {
                "Deploy to a fresh database and run `python manage.py showmigrations`: all applied."
            }
            _ => "Deploy to a fresh database and check every migration was applied.",
        };
        out.push(
            finding
                .impact("A fresh deploy starts without the new tables and columns; the first request that needs them crashes.")
                .fix("Apply migrations on every deploy: a release phase, the start script (`migrate && start`), or at startup before serving.")
                .verify(verify),
        );
    }
    out
}

/// Whether most of the project's code (not its migrations, which nothing imports by design)
/// is unreachable from the entry points found: too thin to show that nothing running uses
/// the database.
fn thin_reachability(ctx: &ProjectContext) -> bool {
    let migration_files: std::collections::HashSet<usize> = ctx
        .ws
        .migration_sets
        .iter()
        .filter(|s| s.project == ctx.index)
        .flat_map(|s| s.files.iter().copied())
        .collect();
    let code: Vec<usize> = ctx
        .sources
        .iter()
        .copied()
        .filter(|i| !migration_files.contains(i))
        .filter(|&i| {
            let rel = &ctx.ws.files[i].rel;
            // alembic's `env.py` runs only under the alembic command.
            !(rel.ends_with("/env.py") || rel == "env.py")
        })
        .collect();
    crate::pipeline::mostly_unreachable(&code, ctx.ws, ctx.files).is_some()
}

/// Whether a reachable file the service runs (not a script or test) queries a table or
/// defines an ORM model.
fn running_code_uses_tables(ctx: &ProjectContext) -> bool {
    ctx.reachable_sources()
        .filter(|&i| {
            matches!(
                ctx.files[i].role,
                flightcheck_core::Role::Service | flightcheck_core::Role::PossiblyRunning
            )
        })
        .any(|i| {
            ctx.facts(i)
                .is_some_and(|f| !f.wiring.table_queries.is_empty())
        })
}

/// The line of `text` where a string literal names the folder `leaf` itself
/// (`'migrations/revisions.json'`, `Path("migrations")`).
fn names_folder(text: &str, leaf: &str) -> Option<u32> {
    let needles = [
        format!("'{leaf}/"),
        format!("\"{leaf}/"),
        format!("'{leaf}'"),
        format!("\"{leaf}\""),
    ];
    let pos = needles.iter().filter_map(|n| text.find(n.as_str())).min()?;
    Some(text[..pos].matches('\n').count() as u32 + 1)
}

/// Whether a string literal of `text` ends with the folder's whole path (`dir`, relative to
/// the scan root): `"../../../db/migrations"` for `db/migrations`.
fn names_folder_path(text: &str, dir: &str) -> bool {
    ["'", "\"", "`"].iter().any(|q| {
        text.match_indices(&format!("{dir}{q}"))
            .any(|(at, _)| at == 0 || matches!(text.as_bytes()[at - 1], b'/' | b'\'' | b'"' | b'`'))
    }) || names_folder(text, dir).is_some()
}

/// A source file outside the migrations folder that names it in a string literal: a
/// project-made runner.
fn manual_runner(ctx: &ProjectContext, set: &MigrationSet) -> Option<(usize, u32)> {
    let leaf = set.dir.rsplit('/').next().unwrap_or(&set.dir);
    ctx.sources
        .iter()
        .copied()
        .filter(|i| {
            !set.files.contains(i)
                && !flightcheck_project::workspace::is_within(ctx.rel(*i), &set.dir)
        })
        .find_map(|i| Some((i, names_folder(ctx.files[i].text.as_deref()?, leaf)?)))
}

/// A project-made runner (a source file of any project of the repository that names the
/// migrations folder) that a deploy definition starts: `CMD ["node", "packages/db/src/migrate.ts"]`
/// in the Dockerfile stage a compose service builds (`build.target: migrate`).
fn deployed_runner<'a>(
    ctx: &ProjectContext<'a>,
    set: &MigrationSet,
) -> Option<(usize, &'a flightcheck_project::deploy::LaunchDecl)> {
    ctx.ws.files.iter().enumerate().find_map(|(i, f)| {
        if !matches!(f.kind, flightcheck_project::FileKind::Source(_))
            || set.files.contains(&i)
            || flightcheck_project::workspace::is_within(&f.rel, &set.dir)
        {
            return None;
        }
        let launch = ctx.ws.launches.iter().find(|l| {
            l.origin == flightcheck_project::deploy::LaunchOrigin::Deploy
                && l.command.split_whitespace().any(|w| {
                    let w = w.trim_matches(['"', '\'']).trim_start_matches("./");
                    w == f.rel || flightcheck_project::workspace::join(&l.cwd, w) == f.rel
                })
        })?;
        names_folder_path(ctx.files[i].text.as_deref()?, &set.dir).then_some((i, launch))
    })
}

/// Whether the repository says how the project is deployed.
/// A deployed compose service that exists to migrate: its name or image says so
/// (`db-migrate`, `prisma-migrate-service`) and the migrations folder (or the folder holding
/// it) is mounted into it. Its image's own command applies them.
fn migration_service<'a>(
    ctx: &ProjectContext<'a>,
    set: &MigrationSet,
) -> Option<&'a flightcheck_project::services::Service> {
    ctx.ws.services.iter().find(|s| {
        let says_migrate = s.name.to_ascii_lowercase().contains("migrat")
            || s.image
                .as_deref()
                .is_some_and(|i| i.to_ascii_lowercase().contains("migrat"));
        let compose_dir = s.file.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
        let mounts_set = s.volumes.iter().any(|v| {
            let host = v.split(':').next().unwrap_or("");
            if !(host.starts_with("./") || host.starts_with("../") || host == ".") {
                return false;
            }
            let mounted = flightcheck_project::workspace::join(compose_dir, host);
            let mounted = mounted.trim_end_matches('/');
            mounted == "." || set.dir == mounted || set.dir.starts_with(&format!("{mounted}/"))
        });
        says_migrate && mounts_set
    })
}

/// A platform or CI job deploys this project's code on its own (Railway, Render, Heroku,
/// Fly, App Engine, DigitalOcean App Platform, a CI deploy step): no operator is there to
/// run a manual step.
fn deploys_automatically(ctx: &ProjectContext) -> bool {
    const PLATFORM_FILES: [&str; 10] = [
        "railway.json",
        "railway.toml",
        "render.yaml",
        "fly.toml",
        "app.json",
        "heroku.yml",
        "Procfile",
        "app.yaml",
        "nixpacks.toml",
        "vercel.json",
    ];
    let in_project = |file: &str| {
        ctx.ws
            .file_index(file)
            .is_some_and(|i| ctx.ws.file_project[i] == ctx.index)
    };
    ctx.ws.launches.iter().any(|l| {
        let name = l.file.rsplit('/').next().unwrap_or(&l.file);
        PLATFORM_FILES.contains(&name) && in_project(&l.file)
    }) || ctx.ws.ci_steps.iter().any(|s| {
        // An active CI job that ships the code (not a test job, not started by hand).
        const SHIPS: [&str; 9] = [
            "deploy",
            "ssh ",
            "rsync ",
            "kubectl ",
            "helm ",
            "docker compose up",
            "docker-compose up",
            "pm2 ",
            "railway up",
        ];
        !s.test_job
            && !s.manual
            && s.inactive.is_none()
            && SHIPS.iter().any(|w| s.command.contains(w))
    })
}

fn has_deploy_definition(ctx: &ProjectContext) -> bool {
    // A deploy definition must start this project's code: a compose file that only runs
    // Redis and MySQL beside a hand-started app deploys nothing of it. A package `start`
    // script alone is not one either: it says how to run the app, not how it is deployed
    // (a Next.js app on Vercel, a bot started by hand), so the migration step may well live
    // outside the repository.
    let starts_project_code = ctx
        .entries
        .iter()
        .any(|e| e.how == EntryHow::Launch(LaunchOrigin::Deploy));
    let builds_an_image = ctx.ws.launches.iter().any(|l| {
        l.origin == LaunchOrigin::Deploy
            && l.source.starts_with("Dockerfile")
            && ctx
                .ws
                .file_index(&l.file)
                .is_some_and(|i| ctx.ws.file_project[i] == ctx.index)
    });
    starts_project_code
        || builds_an_image
        || ctx
            .ws
            .migration_commands
            .iter()
            .any(|c| c.project == ctx.index && c.runs_on_deploy)
}
