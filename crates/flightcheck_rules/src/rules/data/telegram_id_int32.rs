//! `data/telegram-id-int32`: a column that stores Telegram user or chat ids is a 32-bit
//! integer in a PostgreSQL or MySQL database.

use crate::bots::{Platform, evidence_at, runs_bot, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "data/telegram-id-int32",
    severity: Severity::Blocker,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A column that stores Telegram user or chat ids is a 32-bit integer in PostgreSQL or MySQL",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
In a Telegram bot (or a service beside one in the same repository, such as the API the bot
saves its users through) whose database is PostgreSQL or MySQL (a driver is declared: `asyncpg`,
`psycopg`, `psycopg2`, `aiopg`, `pymysql`, `aiomysql`, `mysqlclient`, `asyncmy`; `pg`,
`postgres`, `mysql`, `mysql2`), finds columns of models the running code loads whose name
says they hold a Telegram id (`chat_id`, `telegram_id`, `tg_id`, `tg_user_id`,
`telegram_user_id`, `tg_chat_id`, `telegram_chat_id`, and their camelCase spellings) and that
are 32-bit integers:
- SQLAlchemy `Column(Integer)`, `mapped_column(Integer)`, or a `Mapped[int]` with no column
  type (SQLAlchemy maps `int` to `Integer`); SQLModel `int` fields with no `sa_column`;
- Django `IntegerField` / `PositiveIntegerField`; tortoise `IntField`;
- TypeORM `@Column()` / `@PrimaryColumn()` on a `number` (TypeORM maps it to `integer`),
  `@Column('int')`, `@Column({ type: 'integer' })`;
- `INTEGER`, `INT`, `INT4`, `SERIAL` in a `CREATE TABLE` in the code.

Foreign keys (`ForeignKey(...)`) point at another table's id and are not reported. A
blocker when the project declares only PostgreSQL/MySQL drivers; high when it declares a
SQLite driver too (`aiosqlite`, `sqlite3`, `better-sqlite3`): SQLite's `INTEGER` holds 64 bits,
so the column is fine there and breaks only on the server database.

## Why it breaks production
Telegram user ids passed 2^31 (2,147,483,647) years ago, and every supergroup or channel id
is `-100` followed by ten digits. PostgreSQL rejects such a value (`integer out of range`)
and MySQL in strict mode too: the insert fails, so new users cannot register, and the
handler that saves them answers nothing (or crashes the update).

## Flagged
```python
class User(Base):
    __tablename__ = "users"
    chat_id = Column(Integer, unique=True)
```
```ts
@Entity()
export class User {
  @Column()
  chatId: number;
}
```

## Not flagged
```python
chat_id = Column(BigInteger, unique=True)
owner_id = Column(Integer, ForeignKey("users.id"))
```
The same model in a bot whose only database is SQLite.

## Fix
Make the column `BigInteger` / `BIGINT` (TypeORM `type: 'bigint'`, Django
`BigIntegerField`) and write a migration that alters the existing column.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

const SERVER_DRIVERS: [&str; 14] = [
    "asyncpg",
    "psycopg",
    "psycopg2",
    "psycopg2-binary",
    "psycopg-binary",
    "aiopg",
    "pymysql",
    "aiomysql",
    "mysqlclient",
    "asyncmy",
    "pg",
    "postgres",
    "mysql",
    "mysql2",
];

const SQLITE_DRIVERS: [&str; 4] = ["aiosqlite", "sqlite3", "better-sqlite3", "sqlite"];

fn declared(ctx: &ProjectContext, names: &[&str]) -> Option<String> {
    let python = ctx
        .project
        .python_deps
        .iter()
        .find(|d| names.contains(&d.to_ascii_lowercase().as_str()));
    let node = ctx
        .project
        .package_json
        .as_ref()
        .and_then(|p| p.dependencies.keys().find(|d| names.contains(&d.as_str())));
    python.or(node).cloned()
}

fn applies(ctx: &ProjectContext) -> bool {
    (runs_bot(ctx, Platform::Telegram) || serves_a_telegram_bot(ctx))
        && declared(ctx, &SERVER_DRIVERS).is_some()
}

/// Whether another project of the repository is a Telegram bot: an API the bot calls to
/// save its users (`bot/` posts to `api/`) stores the same ids in its own tables.
fn serves_a_telegram_bot(ctx: &ProjectContext) -> bool {
    ctx.ws.projects.iter().enumerate().any(|(i, p)| {
        i != ctx.index
            && p.frameworks
                .iter()
                .any(|f| f.platform() == Some(Platform::Telegram))
    })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let Some(driver) = declared(ctx, &SERVER_DRIVERS) else {
        return Vec::new();
    };
    let sqlite = declared(ctx, &SQLITE_DRIVERS);
    // Model classes are declarations: a column belongs to the running program when its
    // file is reachable (the model's own class is seldom "called").
    let columns = split(ctx, |w| &w.narrow_id_columns, |_| &None);
    let mut out = Vec::new();
    for (file, c) in columns.live {
        let mut finding = Finding::new(
            &META,
            format!(
                "`{}` of {} stores Telegram ids as a 32-bit integer (`{}`): user ids above 2,147,483,647 and supergroup ids do not fit, so saving them fails",
                c.column, c.via, c.declared
            ),
        )
        .at(ctx.rel(file), c.span)
        .key(format!("{}:{}", c.via, c.column))
        .evidence(evidence_at(
            ctx,
            file,
            c.span,
            "a 32-bit integer column named for a Telegram id".into(),
        ))
        .evidence(Evidence::searched(format!(
            "the project declares the server database driver `{driver}`, whose INTEGER is 32 bits"
        )));
        if let Some(lite) = &sqlite {
            finding = finding.severity(Severity::High).evidence(Evidence::searched(format!(
                "high, not blocker: the project also declares `{lite}`, and SQLite's INTEGER holds 64 bits; the column breaks only on the server database"
            )));
        }
        out.push(
            finding
                .impact("New users (ids above 2^31) and every supergroup cannot be saved: the insert fails with `integer out of range` and the bot does not answer them.")
                .fix("Make the column BigInteger / BIGINT (TypeORM `type: 'bigint'`, Django `BigIntegerField`) and add a migration that alters the existing column.")
                .verify("Insert a row with chat id -1001234567890 in a staging database: it is stored and read back unchanged."),
        );
    }
    out
}
