//! `security/sql-injection`: SQL text built by interpolating request or message data and
//! handed to a query call.

pub(super) mod js;
pub(super) mod python;

use crate::registry::{FileTexts, Rule, has_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "security/sql-injection",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "SQL built by string interpolation of request or message data",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 30,
    docs: r#"## What it does
Finds query calls whose SQL text is built by interpolation — a template literal or `+`
concatenation in JavaScript/TypeScript; an f-string, `%` formatting, `.format()` or `+` in
Python — and traces every interpolated value through the function's own variables:

- **blocker** when a value comes from the request or the chat message in the same function:
  `req.body`/`query`/`params`, `ctx.request.body`, `ctx.message.text`, `ctx.callbackQuery`,
  `msg.text`, `message.content`, `interaction.options`; Flask/Django/Starlette/aiohttp
  `request.args`/`form`/`json`/`GET`/`POST`/`query_params`/`match_info`, aiogram/PTB
  `message.text`, `call.data`, `context.args`, and the untyped or `str` parameters of an
  HTTP route function (`@app.get("/users/{name}")`);
- **medium** when a value is a parameter of the enclosing function: the value could not be
  traced to its origin, and one caller passing user input is enough; unproven, so not high.

Query calls: `query`, `execute`, `raw`, `$queryRawUnsafe`, `$executeRawUnsafe`, `unsafe`,
sqlite's `run`/`all`/`get`/`exec`/`prepare`, knex `whereRaw`/`orderByRaw`/`joinRaw`,
`sequelize.literal`; Python `execute`/`executemany`/`executescript`, asyncpg
`fetch`/`fetchrow`/`fetchval`, `databases` `fetch_all`/`fetch_one`, Django `raw`, and
SQLAlchemy `text(...)`. The built text must read as SQL (a statement keyword with its
clause), so log lines and URLs passed to a `get` are not taken for queries.

## Why it breaks production
A quote in a user's name or message ends the string literal and the rest runs as SQL:
`' OR 1=1 --` lists every row, `'; DROP TABLE users; --` deletes them. Bots are no
exception — the message text is typed by anyone who finds the bot.

## Flagged
```js
app.get('/users', async (req, res) => {
  const rows = await pool.query(`SELECT * FROM users WHERE name = '${req.query.name}'`);
  res.json(rows);
});
```
```python
@router.message(Command("find"))
async def find(message: Message):
    cur.execute(f"SELECT * FROM items WHERE title LIKE '%{message.text}%'")
```

## Not flagged
```js
await pool.query('SELECT * FROM users WHERE name = $1', [req.query.name]);
await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;   // tagged: parameterized
const column = SORTABLE[req.query.sort];                           // literal whitelist
await db.all(`SELECT * FROM t ORDER BY ${column} LIMIT ${Number(req.query.n)}`);
```
```python
cur.execute("SELECT * FROM items WHERE title = %s", (message.text,))
placeholders = ", ".join("?" for _ in ids)
cur.execute(f"SELECT * FROM items WHERE id IN ({placeholders})", ids)
cur.execute(f"SELECT * FROM {TABLE} WHERE id = {int(user_id)}")
```
Values that are constants (`UPPER_CASE` names), literals, numeric casts (`int()`,
`Number()`), lookups in a literal map, callback parameters, parameters typed as numbers,
and parameters named like identifiers (`table`, `column`, `order_by`) are not flagged;
neither are knex/prisma builder calls, which bind values themselves.

## Fix
Pass values as parameters: `$1`/`?` placeholders with a values array (pg, mysql2, sqlite),
`%s`/`:name` with a params tuple or dict (DB-API, SQLAlchemy `text(...).bindparams`),
`prisma.$queryRaw` as a tagged template. Table or column names cannot be parameters:
choose them from a fixed map.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_sources,
    check: None,
    js: Some(&js::SqlInjectionJs),
    python: Some(&python::SqlInjectionPy),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Anyone who can send a request or a message can read, change or delete any row in the database.",
        fix: "Pass the values as query parameters (`$1`/`?`/`%s` with a values list, a tagged `$queryRaw`); pick identifiers from a fixed map.",
        verify: "Send a value containing a single quote (`O'Brien`, `' OR '1'='1`): the query must treat it as data, not fail or return extra rows.",
    },
};

/// Where an interpolated value comes from, worst last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Taint {
    /// A literal, a constant, a number.
    Safe,
    /// Not traced (a call result, a loop variable, a field of `self`): no finding.
    Unknown,
    /// A parameter of the enclosing function: the caller decides.
    Param(String),
    /// Request or message data, with what was read.
    Request(String),
}

impl Taint {
    fn rank(&self) -> u8 {
        match self {
            Self::Safe => 0,
            Self::Unknown => 1,
            Self::Param(_) => 2,
            Self::Request(_) => 3,
        }
    }

    fn worst(self, other: Taint) -> Taint {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// Names that hold SQL identifiers or fragments chosen by code (`table`, `sort_column`,
/// `where_clause`): interpolating them is how dynamic SQL is written, not evidence of input.
fn identifier_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "table",
        "column",
        "col",
        "field",
        "order",
        "sort",
        "direction",
        "dir",
        "schema",
        "clause",
        "where",
        "condition",
        "filter",
        "placeholder",
        "fields",
        "columns",
        "limit",
        "offset",
        "sql",
        "query",
        "fragment",
        "set",
        "values",
        "keys",
        "ident",
        "name_of",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether built SQL text (interpolations replaced by a word) reads as a statement.
fn looks_like_sql_parts(text: &str) -> bool {
    flightcheck_core::sql::looks_like_sql(text)
}

fn message(how: &str, what: &str, sink: &str, traced: bool) -> String {
    if traced {
        format!("SQL built by {how} from request/message data ({what}) is passed to `{sink}`")
    } else {
        format!(
            "SQL built by {how} interpolates {what} and goes to `{sink}`; could not trace the value to request data"
        )
    }
}
