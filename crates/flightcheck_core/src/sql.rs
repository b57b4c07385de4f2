//! Table names in SQL text: what `CREATE TABLE` creates and what queries touch. Used for SQL
//! strings in code and for `.sql` migration/schema files. A scanner, not a parser: it reads
//! keywords in order, skipping comments and string literals, and stays silent on anything
//! it does not recognise.

use crate::wiring::TableAccess;

/// One table reference: the name (lower case, no schema or quotes) and its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlTable {
    pub table: String,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String, usize),
    Ident(String, usize),
    Punct(char, usize),
}

fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c == b'\'' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else if c == b'"' || c == b'`' || c == b'[' {
            let close = if c == b'[' { b']' } else { c };
            let start = i;
            i += 1;
            let s = i;
            while i < bytes.len() && bytes[i] != close {
                i += 1;
            }
            let name = sql.get(s..i.min(sql.len())).unwrap_or("");
            // `"{0}"`, `"%s"`, `"?"`: a template placeholder, not a name.
            if !name.is_empty() && !name.contains(['{', '}', '%', '?', ':', '<', '>', '$']) {
                out.push(Token::Ident(name.to_ascii_lowercase(), start));
            } else {
                out.push(Token::Punct('?', start));
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let s = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
            {
                i += 1;
            }
            out.push(Token::Word(sql[s..i].to_ascii_lowercase(), s));
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else {
            // Multi-byte characters are skipped whole.
            let ch = sql[i..].chars().next().unwrap_or(' ');
            out.push(Token::Punct(ch, i));
            i += ch.len_utf8().max(1);
        }
    }
    out
}

fn word(t: Option<&Token>) -> Option<&str> {
    match t {
        Some(Token::Word(w, _)) => Some(w),
        _ => None,
    }
}

/// Schemas of the database's own catalog: their tables are never the app's.
const CATALOG_SCHEMAS: &[&str] = &[
    "information_schema",
    "pg_catalog",
    "sys",
    "mysql",
    "performance_schema",
];

/// A table name at `tokens[i..]`: `name`, `"name"`, `schema.name`. Returns the name, its
/// offset and the number of tokens used.
fn table_name(tokens: &[Token], i: usize) -> Option<(String, usize, usize)> {
    let (first, off) = match tokens.get(i)? {
        Token::Word(w, o) => (w.clone(), *o),
        Token::Ident(w, o) => (w.clone(), *o),
        Token::Punct(..) => return None,
    };
    if let (Some(Token::Punct('.', _)), Some(Token::Word(w, o) | Token::Ident(w, o))) =
        (tokens.get(i + 1), tokens.get(i + 2))
    {
        if CATALOG_SCHEMAS.contains(&first.as_str()) {
            return None;
        }
        return Some((w.clone(), *o, 3));
    }
    Some((first, off, 1))
}

/// Words that follow FROM/JOIN/INTO but are not tables.
fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "select"
            | "where"
            | "values"
            | "set"
            | "on"
            | "lateral"
            | "only"
            | "unnest"
            | "generate_series"
            | "json_each"
            | "jsonb_each"
            | "json_array_elements"
            | "jsonb_array_elements"
            | "jsonb_to_recordset"
            | "json_to_recordset"
            | "dual"
            | "information_schema"
            | "pg_catalog"
            | "sqlite_master"
            | "sqlite_schema"
            | "pg_tables"
            | "pg_class"
            | "pg_indexes"
            | "table"
            | "if"
            | "not"
            | "exists"
    )
}

/// Names bound by `WITH name AS (...)`: common table expressions, not tables.
fn cte_names(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Word(w, _) = t
            && (w == "with" || w == "recursive" || matches!(t, Token::Word(_, _)))
            && let Some(Token::Word(name, _)) = tokens.get(i + 1)
            && word(tokens.get(i + 2)) == Some("as")
            && matches!(tokens.get(i + 3), Some(Token::Punct('(', _)))
            && (w == "with"
                || w == "recursive"
                || matches!(tokens.get(i), Some(Token::Punct(',', _))))
        {
            out.push(name.clone());
        }
        if let Token::Punct(',', _) = t
            && let Some(Token::Word(name, _)) = tokens.get(i + 1)
            && word(tokens.get(i + 2)) == Some("as")
            && matches!(tokens.get(i + 3), Some(Token::Punct('(', _)))
        {
            out.push(name.clone());
        }
    }
    out
}

/// Tables created by `CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS] name`, renamed into
/// existence by `ALTER TABLE a RENAME TO b`, or created as views.
pub fn tables_created(sql: &str) -> Vec<SqlTable> {
    let tokens = tokenize(sql);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if word(tokens.get(i)) == Some("create") {
            let mut j = i + 1;
            while matches!(
                word(tokens.get(j)),
                Some(
                    "temp"
                        | "temporary"
                        | "unlogged"
                        | "or"
                        | "replace"
                        | "virtual"
                        | "materialized"
                        | "global"
                        | "local"
                )
            ) {
                j += 1;
            }
            if matches!(word(tokens.get(j)), Some("table" | "view")) {
                j += 1;
                if word(tokens.get(j)) == Some("if") {
                    j += 3; // if not exists
                }
                if let Some((name, off, _)) = table_name(&tokens, j) {
                    out.push(SqlTable {
                        table: name,
                        offset: off,
                    });
                }
            }
        } else if word(tokens.get(i)) == Some("rename")
            && word(tokens.get(i + 1)) == Some("to")
            && let Some((name, off, _)) = table_name(&tokens, i + 2)
        {
            out.push(SqlTable {
                table: name,
                offset: off,
            });
        }
        i += 1;
    }
    out
}

/// Tables a statement reads or writes: `FROM t`, `JOIN t`, `INTO t`, `UPDATE t`,
/// `DELETE FROM t`. Common table expressions and subqueries are not tables.
pub fn tables_queried(sql: &str) -> Vec<(SqlTable, TableAccess)> {
    let tokens = tokenize(sql);
    let ctes = cte_names(&tokens);
    let mut out: Vec<(SqlTable, TableAccess)> = Vec::new();
    for i in 0..tokens.len() {
        let Some(w) = word(tokens.get(i)) else {
            continue;
        };
        let access = match w {
            "from" | "join" => {
                // `DELETE FROM t` writes; `IS DISTINCT FROM x`, `EXTRACT(x FROM y)` are no tables.
                if matches!(
                    word(i.checked_sub(1).and_then(|p| tokens.get(p))),
                    Some("distinct" | "delete")
                ) {
                    if word(tokens.get(i - 1)) == Some("delete") {
                        TableAccess::Write
                    } else {
                        continue;
                    }
                } else {
                    TableAccess::Read
                }
            }
            "into" => {
                if !matches!(
                    word(i.checked_sub(1).and_then(|p| tokens.get(p))),
                    Some("insert" | "replace" | "ignore")
                ) {
                    continue;
                }
                TableAccess::Write
            }
            "update" => {
                // `ON CONFLICT ... DO UPDATE SET`, `FOR UPDATE`: not a table.
                if matches!(
                    word(i.checked_sub(1).and_then(|p| tokens.get(p))),
                    Some("do" | "for" | "on" | "key")
                ) {
                    continue;
                }
                TableAccess::Write
            }
            _ => continue,
        };
        let Some((name, off, len)) = table_name(&tokens, i + 1) else {
            continue;
        };
        // `SELECT * FROM migrate_data()`: a set-returning function, not a table.
        if w == "from" && matches!(tokens.get(i + 1 + len), Some(Token::Punct('(', _))) {
            continue;
        }
        if is_keyword(&name)
            || ctes.contains(&name)
            || name.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        // `EXTRACT(EPOCH FROM created_at)`: FROM inside a function call over a column.
        if w == "from" && i >= 2 && matches!(tokens.get(i - 2), Some(Token::Punct('(', _))) {
            continue;
        }
        out.push((
            SqlTable {
                table: name,
                offset: off,
            },
            access,
        ));
    }
    out
}

/// Whether a string literal in code is SQL (and not prose that happens to say "from"):
/// it starts with a statement keyword and has the clause that keyword needs.
pub fn looks_like_sql(text: &str) -> bool {
    let trimmed = text.trim();
    let keyword = trimmed
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    // SQL keywords are written in one case; `Select a service from the list.` is a sentence.
    let one_case = keyword.chars().all(|c| c.is_ascii_uppercase())
        || keyword.chars().all(|c| c.is_ascii_lowercase());
    // A sentence ends in punctuation after a word; `WHERE id = ?` ends in a placeholder.
    let sentence_end = trimmed.ends_with(['.', '!'])
        || (trimmed.ends_with('?')
            && trimmed[..trimmed.len() - 1].ends_with(|c: char| c.is_alphabetic()));
    if !one_case || sentence_end {
        return false;
    }
    let t = trimmed.to_ascii_lowercase();
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    let rest = &t[first.len()..];
    match first {
        "select" => rest.contains(" from ") || rest.contains("\nfrom "),
        "insert" | "replace" => rest.trim_start().starts_with("into ") || rest.contains(" into "),
        "update" => rest.contains(" set "),
        "delete" => rest.trim_start().starts_with("from "),
        "with" => rest.contains(" as (") || rest.contains(" as("),
        "create" => rest.contains("table ") || rest.contains("view "),
        _ => false,
    }
}

/// Tables a prisma schema defines: `model User { ... @@map("users") }` → `users` (or the
/// model name as written when there is no `@@map`), with the line of `model`.
pub fn prisma_models(schema: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut current: Option<(String, u32)> = None;
    for (n, line) in schema.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("model ") {
            let name = rest
                .split(|c: char| c.is_whitespace() || c == '{')
                .next()
                .unwrap_or("");
            if !name.is_empty() {
                current = Some((name.to_string(), n as u32 + 1));
            }
        } else if let Some(rest) = t.strip_prefix("@@map(") {
            if let Some((_, line)) = &current {
                let name = rest.trim_matches(|c: char| c == '"' || c == ')' || c == ' ');
                let name = name.split('"').next().unwrap_or(name);
                current = Some((name.to_string(), *line));
            }
        } else if t.starts_with('}')
            && let Some((name, line)) = current.take()
        {
            out.push((name.to_ascii_lowercase(), line));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(sql: &str) -> Vec<String> {
        tables_created(sql).into_iter().map(|t| t.table).collect()
    }

    fn queried(sql: &str) -> Vec<(String, TableAccess)> {
        tables_queried(sql)
            .into_iter()
            .map(|(t, a)| (t.table, a))
            .collect()
    }

    #[test]
    fn creates() {
        assert_eq!(
            created(
                "CREATE TABLE IF NOT EXISTS public.\"Users\" (id int);\n-- CREATE TABLE ghost\ncreate unlogged table jobs(id int); CREATE VIEW v AS SELECT 1; ALTER TABLE a RENAME TO b;"
            ),
            vec!["users", "jobs", "v", "b"]
        );
    }

    #[test]
    fn queries() {
        use TableAccess::*;
        assert_eq!(
            queried(
                "SELECT a.x FROM appointments a JOIN users u ON u.id = a.user_id WHERE extract(epoch FROM a.starts_at) > 0 FOR UPDATE"
            ),
            vec![("appointments".into(), Read), ("users".into(), Read)]
        );
        assert_eq!(
            queried("INSERT INTO payments (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET x = 1"),
            vec![("payments".into(), Write)]
        );
        assert_eq!(
            queried("DELETE FROM s.sessions WHERE id = 'from x'"),
            vec![("sessions".into(), Write)]
        );
        assert_eq!(
            queried("UPDATE `balances` SET amount = amount + 1"),
            vec![("balances".into(), Write)]
        );
        assert_eq!(
            queried("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent, unnest(x)"),
            vec![("orders".into(), Read)]
        );
        assert!(
            queried("SELECT * FROM information_schema.tables")
                .iter()
                .all(|(t, _)| t != "information_schema")
        );
        // Set-returning functions are not tables.
        assert!(queried("SELECT * FROM validate_migration()").is_empty());
        assert_eq!(
            queried("SELECT * FROM app.rollback(1) r JOIN users u ON true"),
            vec![("users".into(), Read)]
        );
    }

    #[test]
    fn sql_or_prose() {
        assert!(looks_like_sql("SELECT * FROM users WHERE id = $1"));
        assert!(looks_like_sql("insert into t (a) values (1)"));
        assert!(looks_like_sql(
            "SELECT sum(x) FROM payments WHERE order_id = ?"
        ));
        assert!(!looks_like_sql("Select which one?"));
        assert!(!looks_like_sql("Select a service from the list"));
        assert!(!looks_like_sql("Update failed"));
        assert!(!looks_like_sql("deleted from cache"));
    }

    #[test]
    fn prisma() {
        let schema = "model User {\n  id Int @id\n  @@map(\"users\")\n}\n\nmodel Payment {\n  id Int @id\n}\n";
        assert_eq!(
            prisma_models(schema),
            vec![("users".into(), 1), ("payment".into(), 6)]
        );
    }
}
