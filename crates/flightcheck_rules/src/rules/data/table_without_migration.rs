//! `data/table-without-migration`: code queries a table that no migration or schema creates.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, TableQuery, WhenUnreachable,
};
use std::collections::{BTreeMap, BTreeSet};

pub static META: RuleMeta = RuleMeta {
    id: "data/table-without-migration",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "Code queries a table that no migration or schema file creates",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Collects the tables running code queries — knex `db('t')`, `.from('t')`, `.table('t')`,
`.join('t')`, supabase `.from('t')`, SQL strings (`FROM t`, `JOIN t`, `INTO t`,
`UPDATE t`), SQLAlchemy / Django / tortoise / sequelize models — and the tables the
project creates: knex `createTable`, alembic `op.create_table`, Django
`migrations.CreateModel`, `CREATE TABLE` in any `.sql` file or SQL string, prisma models.
Each table that is queried but never created is reported once, with every query site and
the folders searched. Projects with no migrations or schema at all are not judged (their
tables are managed elsewhere), and neither are ORM models when the app creates them itself
(`metadata.create_all`, `sequelize.sync()`, `generate_schemas`).

## Why it breaks production
The table exists on the developer's machine (created by hand, or by a migration that was
never committed) and nowhere else: on a fresh database the query fails with "relation does
not exist", usually in the flow added last — payments.

## Flagged
```js
await db('payments').insert({ appointment_id, amount_cents });
// migrations/ creates users and appointments only
```

## Not flagged
```js
await db('payments').insert({ ... });
// migrations/20240301_create_payments.js: knex.schema.createTable('payments', ...)
```
```sql
-- supabase/migrations/20240301_payments.sql
create table public.payments (...);
```

## Fix
Add a migration that creates the table (and commit it), then run migrations on deploy.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.wiring().any(|(_, w)| !w.table_queries.is_empty())
}

/// Tables that tools and libraries create for themselves.
fn managed_elsewhere(table: &str) -> bool {
    matches!(
        table,
        "knex_migrations"
            | "knex_migrations_lock"
            | "alembic_version"
            | "sqlite_master"
            | "sqlite_sequence"
            | "sqlite_schema"
            | "pgmigrations"
            | "schema_migrations"
            | "_prisma_migrations"
            | "sequelizemeta"
            | "migrations"
            | "typeorm_metadata"
            | "aerich"
            | "session"
            | "sessions"
            | "dual"
            | "pg_stat_activity"
            | "users_auth"
    ) || table.starts_with("django_")
        || table.starts_with("auth_")
        || table.starts_with("pg_")
        || table.starts_with("information_schema")
}

/// A table the ORM's metadata declares (a model class, a SQLAlchemy `Table(...)`): what
/// `create_all` creates.
fn is_model(q: &TableQuery) -> bool {
    q.via.contains("model") || q.via.contains("Table(") || q.via == "SQLAlchemy Table"
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut created: BTreeSet<&str> = BTreeSet::new();
    for (_, w) in ctx.all_wiring() {
        created.extend(w.table_creates.iter().map(|t| t.table.as_str()));
    }
    let schema: Vec<_> = ctx
        .ws
        .schema_tables
        .iter()
        .filter(|t| t.project == ctx.index)
        .collect();
    created.extend(schema.iter().map(|t| t.table.as_str()));
    let sets: Vec<_> = ctx
        .ws
        .migration_sets
        .iter()
        .filter(|s| s.project == ctx.index)
        .collect();
    if created.is_empty() && sets.is_empty() {
        return Vec::new();
    }
    let runs = split(ctx, |w| &w.migration_runs, |r| &r.owner);
    // The app creating its model tables as it runs, or a migration doing it (an alembic
    // `0001_initial` whose `upgrade()` calls `Base.metadata.create_all(bind)`).
    let in_a_migration = |file: usize| {
        sets.iter()
            .any(|s| flightcheck_project::workspace::is_within(ctx.rel(file), &s.dir))
    };
    let models_created = runs.live.iter().any(|(_, r)| r.creates_models)
        || runs
            .dead
            .iter()
            .any(|(file, r)| r.creates_models && in_a_migration(*file));
    let queries = split(ctx, |w| &w.table_queries, |q| &q.owner);
    let mut missing: BTreeMap<&str, Vec<(usize, &TableQuery)>> = BTreeMap::new();
    // With `create_all`, a table some model declares exists, whatever else queries it
    // (a raw `SELECT … FROM promocodes` beside the `Promocode` model).
    let declared: BTreeSet<&str> = queries
        .live
        .iter()
        .chain(&queries.dead)
        .filter(|(_, q)| is_model(q))
        .map(|(_, q)| q.table.as_str())
        .collect();
    for (file, q) in &queries.live {
        if created.contains(q.table.as_str())
            || managed_elsewhere(&q.table)
            || (models_created && (is_model(q) || declared.contains(q.table.as_str())))
        {
            continue;
        }
        missing
            .entry(q.table.as_str())
            .or_default()
            .push((*file, *q));
    }
    let mut searched: Vec<String> = sets
        .iter()
        .map(|s| format!("{}/ ({})", s.dir, s.tool.as_str()))
        .collect();
    let schema_files: BTreeSet<&str> = schema.iter().map(|t| ctx.rel(t.file)).collect();
    searched.extend(schema_files.iter().map(|f| f.to_string()));
    let mut out = Vec::new();
    for (table, sites) in missing {
        let (file, first) = sites[0];
        let writes = sites
            .iter()
            .filter(|(_, q)| q.access == flightcheck_core::TableAccess::Write)
            .count();
        let message = if sites.iter().all(|(_, q)| is_model(q)) {
            format!(
                "Table `{table}` of {} has no migration or schema that creates it",
                first.via
            )
        } else {
            format!(
                "Table `{table}` is queried in {} place{} ({writes} write{}) but no migration or schema creates it",
                sites.len(),
                if sites.len() == 1 { "" } else { "s" },
                if writes == 1 { "" } else { "s" }
            )
        };
        let mut finding = Finding::new(&META, message)
            .at(ctx.rel(file), first.span)
            .key(table.to_string());
        for (f, q) in sites.iter().take(10) {
            finding = finding.evidence(evidence_at(
                ctx,
                *f,
                q.span,
                if is_model(q) {
                    format!("{}: the code reads and writes `{table}` through it", q.via)
                } else {
                    format!(
                        "{} ({})",
                        q.via,
                        if q.access == flightcheck_core::TableAccess::Write {
                            "write"
                        } else {
                            "read"
                        }
                    )
                },
            ));
        }
        let known: Vec<&str> = created.iter().copied().take(12).collect();
        finding = finding.evidence(Evidence::searched(format!(
            "searched {} for `{table}`; they create: {}",
            if searched.is_empty() {
                "the project's SQL strings".to_string()
            } else {
                searched.join(", ")
            },
            if known.is_empty() {
                "nothing".to_string()
            } else {
                known.join(", ")
            }
        )));
        out.push(
            finding
                .impact(format!("On a fresh database every query of `{table}` fails with \"relation does not exist\"."))
                .fix(format!("Add (and commit) a migration that creates `{table}`, and run migrations on deploy."))
                .verify(format!("Migrate a fresh database and run the code path that queries `{table}`.")),
        );
    }
    out
}
