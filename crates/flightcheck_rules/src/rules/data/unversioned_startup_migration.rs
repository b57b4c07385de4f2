//! `data/unversioned-startup-migration`: a schema change or data rewrite the program runs
//! on every start with no recorded version.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::config::no_startup_validation::startup_functions;
use crate::rules::data::state_files::runs_later;
use flightcheck_core::state::{SchemaChange, SchemaChangeKind};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "data/unversioned-startup-migration",
    severity: Severity::High,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A schema change or data rewrite runs on every start with no recorded version",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 45,
    docs: r#"## What it does
Finds SQL passed literally to a call in code that runs while the program starts (module
level, `main`, `init_db` and the functions they call) that changes the schema or rewrites
every row: `ALTER TABLE` without `IF [NOT] EXISTS` outside a `try`, `UPDATE t SET x = x * 100`
with no `WHERE` (a column computed from itself), `DROP TABLE t` where the same file creates
`t` again. Files that read or record a schema version (`PRAGMA user_version`,
`schema_version`, a `migrations` table) or look at the existing columns first
(`PRAGMA table_info`, `information_schema`) are skipped, and so are migration tools' own
files.

## Why it breaks production
The change runs again at every restart, deploy and crash recovery. A rewrite from the
column's own value applies twice (balances multiplied by 100 on every deploy), a drop and
re-create empties the table each start, and an `ALTER TABLE ADD COLUMN` fails on the second
start and stops the program.

## Flagged
```python
def init_db():
    cur.execute("ALTER TABLE users ADD COLUMN lang TEXT")
    cur.execute("UPDATE users SET balance = balance * 100")
```

## Not flagged
```python
def init_db():
    (version,) = cur.execute("PRAGMA user_version").fetchone()
    if version < 2:
        cur.execute("ALTER TABLE users ADD COLUMN lang TEXT")
        cur.execute("PRAGMA user_version = 2")
```
Also not flagged: `CREATE TABLE IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`, an `UPDATE`
with a `WHERE` or setting constants (`UPDATE users SET busy = 0`), the same SQL in a
request handler, migration tools (knex migrate, alembic, prisma, Django, sequelize).

## Fix
Record the schema version (`PRAGMA user_version`, a `schema_migrations` table) and apply each
change once, in order, or move the change into the project's migration tool.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Files of migration tools (alembic versions, knex/sequelize migrations): they run once
/// under a recorded version.
fn is_migration_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("migration") || lower.contains("alembic") || lower.contains("/versions/")
}

/// Tables meant to be rebuilt: caches and scratch tables.
fn is_scratch_table(table: &str) -> bool {
    ["tmp", "temp", "cache", "scratch", "staging"]
        .iter()
        .any(|w| table.contains(w))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut candidates: Vec<(usize, &SchemaChange)> = Vec::new();
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) || is_migration_file(ctx.rel(i)) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        if f.state.schema_version_check {
            continue;
        }
        for c in &f.state.schema_changes {
            let keep = match c.kind {
                // A repeated ALTER fails inside the `try` and is handled there.
                SchemaChangeKind::AlterTable => !c.in_try,
                SchemaChangeKind::RewriteAllRows => true,
                SchemaChangeKind::DropTable => {
                    !is_scratch_table(&c.table)
                        && f.wiring.table_creates.iter().any(|t| t.table == c.table)
                }
            };
            if keep {
                candidates.push((i, c));
            }
        }
    }
    // Following calls from startup costs a pass over every call edge: only when needed.
    if candidates.is_empty() {
        return Vec::new();
    }
    let startup = startup_functions(ctx);
    let mut out = Vec::new();
    for (file, c) in candidates {
        if runs_later(c.function.as_deref(), &startup) {
            continue;
        }
        let place = match &c.function {
            Some(f) => format!("in `{f}`, which runs while the program starts"),
            None => "at module level".to_string(),
        };
        let (what, impact) = match c.kind {
            SchemaChangeKind::AlterTable => (
                "alters a table",
                "The change runs again at every start: the second start fails on the existing column (or repeats the change), and nothing records which schema the data has.",
            ),
            SchemaChangeKind::RewriteAllRows => (
                "rewrites every row of a table from its own values",
                "Each restart or deploy applies the rewrite again, so the stored values drift further every time.",
            ),
            SchemaChangeKind::DropTable => (
                "drops a table this file creates again",
                "Every start empties the table: the data written since the last restart is lost.",
            ),
        };
        out.push(
            Finding::new(
                &META,
                format!(
                    "`{}` {what} (`{}`) {place}, on every start with no recorded schema version (searched the file for `user_version`, `schema_version`, a `migrations` table, `table_info`)",
                    c.statement, c.table
                ),
            )
            .at(ctx.rel(file), c.span)
            .key(format!("{:?}:{}", c.kind, c.table))
            .evidence(evidence_at(ctx, file, c.span, "runs on every start".to_string()))
            .impact(impact)
            .fix("Record a schema version (`PRAGMA user_version`, a `schema_migrations` table) and apply each change once, or move it into a migration tool (alembic, knex migrate, prisma migrate).")
            .verify("Start the program twice against the same database and check the data and schema are unchanged by the second start."),
        );
    }
    out
}
