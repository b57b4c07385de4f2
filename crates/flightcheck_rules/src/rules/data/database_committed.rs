//! `data/database-committed`: a SQLite database with rows in its tables is tracked by git.

use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::rules::security::hardcoded_secret::is_non_production_path;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_project::sqlite::TableRows;

pub static META: RuleMeta = RuleMeta {
    id: "data/database-committed",
    severity: Severity::High,
    category: Category::Data,
    fix_kind: FixKind::Ops,
    summary: "A SQLite database whose tables hold rows is committed to git",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 20,
    docs: r#"## What it does
Finds SQLite database files (`*.db`, `*.sqlite`, `*.sqlite3` whose first bytes are the
SQLite header) that git tracks, and reads the file format itself (no SQLite library, nothing
executed) to count the rows of each table. High when a table of the application holds rows;
low when every table is empty or holds only bookkeeping (`sqlite_sequence`, `sqlite_stat*`,
`alembic_version`, `django_migrations` and the content types and permissions Django's
`migrate` writes, `_prisma_migrations`, `knex_migrations`): a schema
committed as a starting file leaks nothing, but a deploy from git can still replace the
live file with it. Files in tests, fixtures, docs and examples are not reported; databases
larger than 64 MiB are reported without counts.

## Why it breaks production
The database is the users' data: chat ids, phone numbers, balances, orders. Everyone who can
read the repository (collaborators, a public fork, a CI log, an image built from the
checkout) has a copy, and git keeps it in history after the file is deleted. A deploy that
copies or pulls the checkout over the server's working copy also puts this stale file where
the live database is, or conflicts with it.

## Flagged
```text
bot.db        tracked; users 512 rows, payments 40 rows
```

## Not flagged
```text
bot.db        listed in .gitignore (data the service writes on its own machine)
tests/fixtures/sample.db
```

## Fix
`git rm --cached bot.db`, add `*.db` to `.gitignore`, create the schema from migrations or
startup code, and purge the file from history (`git filter-repo --path bot.db
--invert-paths`) if the repository was ever shared. Treat the users' data as leaked.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.ws.data_files.iter().any(|d| d.project == ctx.index)
}

/// Tables every migration tool or SQLite itself keeps: rows there are no one's data.
fn bookkeeping(table: &str) -> bool {
    let t = table.to_ascii_lowercase();
    t.starts_with("sqlite_")
        || matches!(
            t.as_str(),
            "alembic_version"
                | "django_migrations"
                | "_prisma_migrations"
                | "knex_migrations"
                | "knex_migrations_lock"
                | "schema_migrations"
                | "migrations"
                | "__drizzle_migrations"
                | "seaql_migrations"
                // What Django's `migrate` writes into any database.
                | "django_content_type"
                | "auth_permission"
        )
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for data in ctx.ws.data_files.iter().filter(|d| {
        d.project == ctx.index && d.tracked == Some(true) && !is_non_production_path(&d.rel)
    }) {
        let (severity, what) = match &data.tables {
            Some(tables) => {
                let mut with_rows: Vec<&TableRows> = tables
                    .iter()
                    .filter(|t| t.rows > 0 && !bookkeeping(&t.name))
                    .collect();
                if with_rows.is_empty() {
                    (
                        Severity::Low,
                        format!(
                            "its {} table{} hold{} no application rows: a committed starting file, but a deploy from git can replace the live database with it",
                            tables.len(),
                            if tables.len() == 1 { "" } else { "s" },
                            if tables.len() == 1 { "s" } else { "" },
                        ),
                    )
                } else {
                    with_rows.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.name.cmp(&b.name)));
                    let total: u64 = with_rows.iter().map(|t| t.rows).sum();
                    let shown: Vec<String> = with_rows
                        .iter()
                        .take(5)
                        .map(|t| format!("`{}` {}", t.name, t.rows))
                        .collect();
                    (
                        Severity::High,
                        format!(
                            "it holds {total} row{} ({}{}): everyone who can read the repository has the users' data, and git keeps it after the file is deleted",
                            if total == 1 { "" } else { "s" },
                            shown.join(", "),
                            if with_rows.len() > 5 { ", …" } else { "" },
                        ),
                    )
                }
            }
            None => (
                Severity::Medium,
                "its rows were not counted (larger than 64 MiB, or not readable as SQLite): a database in git is data every clone carries".to_string(),
            ),
        };
        out.push(
            Finding::new(
                &META,
                format!("SQLite database `{}` is committed to git: {what}", data.rel),
            )
            .severity(severity)
            .at(&data.rel, flightcheck_core::Span::line(1))
            .key(data.rel.clone())
            .evidence(Evidence::searched(format!(
                "`git ls-files` lists `{}`; its tables and row counts were read from the SQLite file format (nothing executed)",
                data.rel
            )))
            .impact("Users' data leaks with every clone and stays in git history; a deploy from the checkout can overwrite the live database.")
            .fix(format!("git rm --cached {0}; add it to .gitignore; purge it from history (git filter-repo --path {0} --invert-paths) and treat its contents as leaked.", data.rel))
            .verify("git ls-files '*.db' '*.sqlite' '*.sqlite3' prints nothing."),
        );
    }
    out
}
