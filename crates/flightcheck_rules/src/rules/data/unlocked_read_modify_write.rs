//! `data/unlocked-read-modify-write`: a handler reads a row, decides in code and updates it
//! without a lock, a transaction or an atomic update.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::wiring::{TableAccess, TableQuery};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, Language, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "data/unlocked-read-modify-write",
    severity: Severity::High,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A handler reads a record, decides in code and updates it without a lock or an atomic update",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 45,
    docs: r#"## What it does
Finds a bot command handler, catch-all message handler or HTTP route whose inline callback
(or, in Python, the decorated handler function) reads a row into a variable, uses its fields (other than its id) and later, in the same
callback, updates the same table, in a file that shows
no transaction with a row lock (`forUpdate`, `FOR UPDATE`, `select_for_update`,
`with_for_update`, `$transaction`, `transaction`), no atomic update (`increment`,
`decrement`, `$inc`, `F(`) and no mutex (`Mutex`, `Lock()`, `acquire`).

## Why it breaks production
Handlers run concurrently. Two users who book the same slot at the same moment both read
"free", both decide to book and both write: the slot is booked twice. The same race loses
balance updates and double-spends credits. It never shows up in a test with one user.

## Flagged
```js
bot.command('book', async (ctx) => {
  const slot = await db('slots').where({ id }).first();
  if (slot.taken) return ctx.reply('taken');
  await db('slots').where({ id }).update({ taken: true, user: ctx.from.id });
});
```

## Not flagged
```js
bot.command('book', async (ctx) => {
  await db.transaction(async (trx) => {
    const slot = await trx('slots').where({ id }).forUpdate().first();
    if (!slot.taken) await trx('slots').where({ id }).update({ taken: true });
  });
});
```
An atomic update (`.increment()`), a read followed by an insert, a read that only finds the
row's id to update, and code that runs only at startup are not flagged either.

## Fix
Do the read and the write in one transaction that locks the row (`SELECT ... FOR UPDATE`,
knex `.forUpdate()`, Django `select_for_update()`), or make the write conditional and atomic
(`UPDATE slots SET taken = true WHERE id = ? AND taken = false`, then check the affected
row count), or serialise the handler with a per-record mutex.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Signs that the author serialised the read and the write somewhere in the file.
const LOCK_SIGNS: &[&str] = &[
    "forupdate",
    "for update",
    "transaction",
    "select_for_update",
    "with_for_update",
    "lock:",
    "increment",
    "decrement",
    "$inc",
    "f(",
    "mutex",
    "lock()",
    "acquire",
    "atomic",
    "findoneandupdate",
    "update_one",
    "returning",
];

/// How many lines after a query's first line its chain may continue (`.where(...)` on
/// the next lines before `.update(...)`).
const CHAIN_LINES: u32 = 4;

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, w) in ctx.wiring() {
        if w.table_queries.len() < 2 {
            continue;
        }
        let Some(text) = ctx.files[file].text.as_deref() else {
            continue;
        };
        let lower = text.to_ascii_lowercase();
        // `F(` is Django's F expression; match it case-sensitively below, the rest lowered.
        if LOCK_SIGNS.iter().any(|s| *s != "f(" && lower.contains(s)) || text.contains("F(") {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        let python = ctx.language(file) == Some(Language::Python);
        // Handler callbacks written inline: the registration's span covers the callback.
        let handlers = w
            .commands
            .iter()
            .map(|c| (c.span, &c.owner, format!("`{}`", c.via)))
            .chain(
                w.catch_all
                    .iter()
                    .map(|c| (c.span, &c.owner, format!("`{}`", c.via))),
            )
            .chain(w.routes.iter().map(|r| {
                let path = if r.path.is_empty() { "?" } else { &r.path };
                (r.span, &r.owner, format!("route {} {path}", r.method))
            }));
        let mut reported = std::collections::HashSet::new();
        for (span, owner, name) in handlers {
            if !ctx.runs(file, owner) {
                continue;
            }
            let inline = span.end_line > span.line;
            // A Python handler is usually a decorated top-level function: its queries are
            // the ones that function owns.
            let decorated = if python && !inline {
                decorated_function(&lines, span.end_line)
            } else {
                None
            };
            let (inside, limit): (Vec<&TableQuery>, u32) = if inline {
                let inside = w
                    .table_queries
                    .iter()
                    .filter(|q| q.span.line > span.line && q.span.line <= span.end_line)
                    .collect();
                (inside, span.end_line)
            } else if let Some(function) = decorated {
                let inside = w
                    .table_queries
                    .iter()
                    .filter(|q| q.owner.as_deref() == Some(function))
                    .collect();
                (inside, u32::MAX)
            } else {
                continue;
            };
            for write in &inside {
                if write.access != TableAccess::Write || !is_update(&lines, write.span.line, limit)
                {
                    continue;
                }
                let Some(read) = inside.iter().find(|q| {
                    q.access == TableAccess::Read
                        && q.table == write.table
                        && q.span.line < write.span.line
                        && !is_update(&lines, q.span.line, q.span.line)
                        && decides_on(&lines, q.span.line, write.span.line + CHAIN_LINES)
                }) else {
                    continue;
                };
                if !reported.insert((write.table.clone(), span.line)) {
                    continue;
                }
                out.push(finding(ctx, file, &name, read, write));
            }
        }
    }
    out
}

/// The name of the function a decorator ending on `line` decorates: the first `def` after
/// it, with only further decorator lines (or their continuation) in between.
fn decorated_function<'t>(lines: &[&'t str], line: u32) -> Option<&'t str> {
    for text in lines.iter().skip(line as usize).take(15) {
        let trimmed = text.trim_start();
        let def = trimmed
            .strip_prefix("async def ")
            .or_else(|| trimmed.strip_prefix("def "));
        if let Some(rest) = def {
            if text.starts_with(' ') || text.starts_with('\t') {
                return None;
            }
            let name = rest.split('(').next()?.trim();
            return (!name.is_empty()).then_some(name);
        }
        let continues = trimmed.is_empty()
            || trimmed.starts_with('@')
            || trimmed.starts_with(')')
            || text.starts_with(' ')
            || text.starts_with('\t');
        if !continues {
            return None;
        }
    }
    None
}

/// Whether the statement starting at `line` updates rows (an `.update(` call or an SQL
/// `UPDATE`), as opposed to an insert or a delete.
fn is_update(lines: &[&str], line: u32, limit: u32) -> bool {
    let last = (line + CHAIN_LINES).min(limit.max(line));
    for l in line..=last {
        let Some(text) = lines.get(l.saturating_sub(1) as usize) else {
            break;
        };
        let lower = text.to_ascii_lowercase();
        if lower.contains(".insert(") || lower.contains("insert into") || lower.contains(".del") {
            return false;
        }
        if lower.contains(".update(") || lower.contains("update ") {
            return true;
        }
    }
    false
}

/// Whether the value read on `read_line` is bound to a name whose fields (other than its
/// id) are used before the write: the write depends on what was read, not only on which
/// row was found. Unknown bindings stay silent.
fn decides_on(lines: &[&str], read_line: u32, until: u32) -> bool {
    let Some(read_text) = lines.get(read_line.saturating_sub(1) as usize) else {
        return false;
    };
    let Some(name) = bound_name(read_text) else {
        return false;
    };
    let first = read_line as usize; // the line after the read (0-based index)
    let last = (until as usize).min(lines.len());
    (first..last).any(|i| field_use(lines[i], &name))
}

/// `const slot = await ...` -> `slot`; `const { rows } = ...` -> `rows`; Python `row = ...`.
fn bound_name(line: &str) -> Option<String> {
    let (left, _) = line.split_once('=')?;
    let left = left.trim();
    let left = ["const ", "let ", "var "]
        .iter()
        .find_map(|k| left.strip_prefix(k))
        .unwrap_or(left)
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let name = left.split(':').next_back()?.trim();
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
    .then(|| name.to_string())
}

/// `name.field` (field other than an id) or `name[...]` on `line`.
fn field_use(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            return false;
        }
        let rest = &line[i + name.len()..];
        if rest.starts_with('[') {
            return true;
        }
        let Some(field) = rest.strip_prefix('.') else {
            return false;
        };
        let field: String = field
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        !field.is_empty() && !matches!(field.as_str(), "id" | "_id")
    })
}

fn finding(
    ctx: &ProjectContext,
    file: usize,
    handler: &str,
    read: &TableQuery,
    write: &TableQuery,
) -> Finding {
    Finding::new(
        &META,
        format!(
            "handler {handler} reads table `{}` (line {}) and updates it (line {}) with no row lock, transaction, atomic update or mutex in the file",
            write.table, read.span.line, write.span.line
        ),
    )
    .at(ctx.rel(file), Span::line(write.span.line))
    // Line numbers stay out of the key so a baseline survives code moving.
    .key(format!("{handler}:{}", write.table))
    .evidence(evidence_at(ctx, file, read.span, format!("reads `{}`", read.table)))
    .evidence(evidence_at(
        ctx,
        file,
        write.span,
        format!("updates `{}` from what it read", write.table),
    ))
    .evidence(Evidence::searched(format!(
        "searched {} for forUpdate/FOR UPDATE, transaction, select_for_update, with_for_update, increment/decrement, $inc, F(), Mutex/Lock()/acquire",
        ctx.rel(file)
    )))
    .impact("Two concurrent updates both read the old value and both write: a slot is booked twice, a balance update is lost.")
    .fix("Read and write in one transaction that locks the row (`.forUpdate()`, `SELECT ... FOR UPDATE`, `select_for_update()`), or make the update atomic and conditional (`UPDATE ... WHERE taken = false`, `.increment()`) and check the affected rows.")
    .verify("Fire the same request twice concurrently and check only one succeeds.")
}
