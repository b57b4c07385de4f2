//! Facts about the state a program keeps and the work it schedules: files it rewrites,
//! long-lived in-memory containers and what grows or shrinks them, periodic jobs. One
//! shape for both languages; the data, performance and availability rules read them.

use crate::Span;
use serde::Serialize;

/// A whole-file write (`fs.writeFileSync(p, JSON.stringify(db))`, `json.dump(d, open(p, "w"))`,
/// `Path(p).write_text(json.dumps(d))`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileWrite {
    /// The call as named in code: `fs.writeFileSync`, `json.dump`.
    pub api: String,
    /// The path written, when literal (or a same-file constant): `data/users.json`.
    pub path: Option<String>,
    /// The path expression as written (`DB_FILE`, `path.join(__dirname, 'db.json')`).
    pub target: String,
    /// The content is serialised JSON (`JSON.stringify`, `json.dump`, `writeJson`).
    pub json: bool,
    /// The innermost named function around the write (as in `EnvRead::function`); `None`
    /// at module level.
    pub function: Option<String>,
    /// The same function renames a file into place (`fs.rename*`, `os.replace`,
    /// `os.rename`), or the write goes through an atomic-write library.
    pub atomic: bool,
    /// Why a failure of this write goes unnoticed, when it does: `callback ignores err`,
    /// `promise neither awaited nor caught`, `except: pass`.
    pub error_ignored: Option<String>,
    /// Runs only when the file does not exist yet (`if (!fs.existsSync(p))`,
    /// `if not os.path.exists(p):`): it creates the file once, it does not keep state.
    pub only_when_missing: bool,
    /// Runs only when the environment says this is a test run (`if (env.nodeEnv ===
    /// 'test')`, `if os.getenv("ENV") == "test":`): test bookkeeping, not state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_in_tests: bool,
    pub span: Span,
}

/// A file the code reads (`open(p)`, `Path(p).read_text()`, `fs.readFileSync(p)`,
/// `require('./db.json')`): a file that is written and read back is state the program
/// keeps; one that is only written is an export or a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRead {
    /// The path read, when literal (or a same-file constant), as for [`FileWrite::path`].
    pub path: Option<String>,
    /// The path expression as written.
    pub target: String,
    pub span: Span,
}

/// A container kept for the life of the process: a module-level `Map`/`Set`/object/array,
/// `dict`/`list`/`set`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LongLivedContainer {
    pub name: String,
    /// `Map`, `Set`, `object`, `array`, `dict`, `list`, `set`, `defaultdict`.
    pub kind: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerOpKind {
    /// Adds an entry: `.set`, `.add`, `.push`, `[k] =`, `.append`, `.setdefault`.
    Grow,
    /// Removes or bounds entries: `.delete`, `.clear`, `del x[k]`, `.pop`, `.splice`,
    /// reassignment, a size check (`x.size > N`, `len(x) >= N`).
    Shrink,
}

/// An operation on a name that may be a long-lived container (of this file or imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerOp {
    pub name: String,
    pub kind: ContainerOpKind,
    /// As in [`FileWrite::function`]; `None` at module level.
    pub function: Option<String>,
    pub line: u32,
}

/// A periodic job: `setInterval`, node-cron, `CronJob`, node-schedule, `schedule.every`,
/// APScheduler `add_job`, PTB `run_repeating`/`run_daily`, aiocron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledJob {
    /// `setInterval`, `node-cron`, `apscheduler`...
    pub scheduler: String,
    /// The function run, when named (`checkExpired`, or the single call of an inline
    /// callback); `None` for an inline body.
    pub job: Option<String>,
    /// The job's text (for names of what it does), shortened.
    pub text: String,
    /// The period in seconds when known; `None` for cron expressions at fixed times.
    pub period_seconds: Option<u64>,
    /// The scheduler itself runs it once at start (`runOnInit`, `first=0`,
    /// `next_run_time=datetime.now()`, a persistent job store).
    pub runs_at_start: bool,
    pub function: Option<String>,
    pub span: Span,
}

/// State facts of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateFacts {
    pub file_writes: Vec<FileWrite>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_reads: Vec<FileRead>,
    pub containers: Vec<LongLivedContainer>,
    pub container_ops: Vec<ContainerOp>,
    pub jobs: Vec<ScheduledJob>,
    /// SQL passed straight to a call that changes a schema or rewrites every row.
    pub schema_changes: Vec<SchemaChange>,
    /// The file reads or records a schema version (`PRAGMA user_version`, a
    /// `schema_version`/`migrations` table) or inspects columns before altering them
    /// (`PRAGMA table_info`, `information_schema`).
    pub schema_version_check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaChangeKind {
    /// `ALTER TABLE t ...` without `IF [NOT] EXISTS`.
    AlterTable,
    /// `UPDATE t SET x = x + 1` with no `WHERE`: a column rewritten from itself on every row,
    /// which is not idempotent.
    RewriteAllRows,
    /// `DROP TABLE t`.
    DropTable,
}

/// An SQL statement passed literally to a call (`db.run('ALTER TABLE ...')`,
/// `cur.execute("UPDATE ...")`) that changes a schema or transforms all rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub kind: SchemaChangeKind,
    /// Lower case, without schema and quotes.
    pub table: String,
    /// The statement, shortened, for messages.
    pub statement: String,
    /// As in [`FileWrite::function`]; `None` at module level.
    pub function: Option<String>,
    /// Inside a `try` block: a repeated `ALTER TABLE` fails there and is swallowed or handled.
    pub in_try: bool,
    pub span: Span,
}

/// Words in a file's source that show it keeps or checks a schema version, or checks the
/// columns that exist before altering them.
pub fn mentions_schema_version(source: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "user_version",
        "schema_version",
        "schemaversion",
        "db_version",
        "dbversion",
        "data_version",
        "table_info",
        "information_schema",
        "migrations",
    ];
    let lower = source.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

/// A table name as written after `TABLE`/`UPDATE`: lower case, unquoted, without schema;
/// `None` for placeholders and expressions.
fn table_name(word: &str) -> Option<String> {
    let unquoted: String = word
        .chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']' | '\''))
        .collect();
    let name = unquoted.rsplit('.').next().unwrap_or(&unquoted);
    let name = name.trim_end_matches([';', '(', ',']);
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| name.to_ascii_lowercase())
}

/// `SET a = a + 1, b = 0`: some column is computed from itself with arithmetic or
/// concatenation (`a * 100`, `a || 'x'`), so running it twice changes the data twice.
fn rewrites_from_itself(assignments: &str) -> bool {
    assignments.split(',').any(|a| {
        let Some((column, value)) = a.split_once('=') else {
            return false;
        };
        let Some(column) = table_name(column.trim()) else {
            return false;
        };
        let value = value.to_ascii_lowercase();
        let mentions = value
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w == column);
        mentions && value.contains(['+', '-', '*', '/', '|'])
    })
}

/// The schema changes and whole-table rewrites in an SQL text, one per statement.
pub fn schema_changes(sql: &str) -> Vec<(SchemaChangeKind, String, String)> {
    let mut out = Vec::new();
    for statement in sql.split(';') {
        let words: Vec<&str> = statement.split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let upper_text = upper.join(" ");
        let short: String = words.join(" ").chars().take(80).collect();
        let has = |w: &str| upper.iter().any(|u| u == w);
        let kind_and_table = match (upper.first().map(String::as_str), upper.get(1)) {
            (Some("ALTER"), Some(t)) if t == "TABLE" => {
                if upper_text.contains(" IF EXISTS") || upper_text.contains(" IF NOT EXISTS") {
                    None
                } else {
                    let name = upper
                        .iter()
                        .position(|w| w == "TABLE")
                        .and_then(|i| words.get(i + 1))
                        .filter(|w| !w.eq_ignore_ascii_case("only"))
                        .and_then(|w| table_name(w));
                    name.map(|n| (SchemaChangeKind::AlterTable, n))
                }
            }
            (Some("DROP"), Some(t)) if t == "TABLE" => {
                let after = if upper_text.starts_with("DROP TABLE IF EXISTS") {
                    4
                } else {
                    2
                };
                words
                    .get(after)
                    .and_then(|w| table_name(w))
                    .map(|n| (SchemaChangeKind::DropTable, n))
            }
            (Some("UPDATE"), Some(_)) if has("SET") && !has("WHERE") => {
                let set_at = upper.iter().position(|w| w == "SET").unwrap_or(0);
                let assignments = words[set_at + 1..].join(" ");
                let end = assignments
                    .to_ascii_uppercase()
                    .find(" FROM ")
                    .or_else(|| assignments.to_ascii_uppercase().find(" RETURNING "))
                    .unwrap_or(assignments.len());
                match words.get(1).and_then(|w| table_name(w)) {
                    Some(n) if rewrites_from_itself(&assignments[..end]) => {
                        Some((SchemaChangeKind::RewriteAllRows, n))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((kind, table)) = kind_and_table {
            out.push((kind, table, short));
        }
    }
    out
}

/// The period of a five- or six-field cron expression when it repeats at a fixed step of
/// minutes or seconds (`* * * * *` → 60, `*/5 * * * *` → 300, `*/30 * * * * *` → 30);
/// `None` for schedules at fixed times (`0 3 * * *`), which run at most hourly.
pub fn cron_period_seconds(expr: &str) -> Option<u64> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let (seconds, minutes, hours) = match fields.len() {
        5 => (None, fields[0], fields[1]),
        6 => (Some(fields[0]), fields[1], fields[2]),
        _ => return None,
    };
    let step = |f: &str| -> Option<u64> {
        if f == "*" {
            Some(1)
        } else {
            f.strip_prefix("*/").and_then(|s| s.parse().ok())
        }
    };
    if let Some(s) = seconds
        && let Some(n) = step(s)
    {
        return Some(n);
    }
    if hours == "*"
        && let Some(n) = step(minutes)
    {
        return Some(n * 60);
    }
    None
}

/// A name or body that describes work falling due at a time (expiry, reminders, billing,
/// cleanup): skipping a run delays something a user waits for.
pub fn due_work(text: &str) -> bool {
    const WORDS: [&str; 24] = [
        "expir",
        "remind",
        "cleanup",
        "clean_up",
        "purge",
        "prune",
        "bill",
        "renew",
        "subscription",
        "due",
        "deadline",
        "notif",
        "digest",
        "payout",
        "charge",
        "invoice",
        "overdue",
        "unban",
        "unmute",
        "timeout",
        "daily",
        "weekly",
        "schedul",
        "pending",
    ];
    let lower = text.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_periods() {
        assert_eq!(cron_period_seconds("* * * * *"), Some(60));
        assert_eq!(cron_period_seconds("*/5 * * * *"), Some(300));
        assert_eq!(cron_period_seconds("*/30 * * * * *"), Some(30));
        assert_eq!(cron_period_seconds("0 3 * * *"), None);
        assert_eq!(cron_period_seconds("0 * * * *"), None);
        assert_eq!(cron_period_seconds("not cron"), None);
    }

    #[test]
    fn schema_change_statements() {
        let kinds = |s: &str| -> Vec<(SchemaChangeKind, String)> {
            schema_changes(s)
                .into_iter()
                .map(|(k, t, _)| (k, t))
                .collect()
        };
        assert_eq!(
            kinds("ALTER TABLE users ADD COLUMN lang TEXT"),
            vec![(SchemaChangeKind::AlterTable, "users".into())]
        );
        assert!(kinds("ALTER TABLE users ADD COLUMN IF NOT EXISTS lang TEXT").is_empty());
        assert_eq!(
            kinds("UPDATE \"users\" SET balance = balance * 100"),
            vec![(SchemaChangeKind::RewriteAllRows, "users".into())]
        );
        assert!(kinds("UPDATE users SET busy = 0").is_empty());
        assert!(kinds("UPDATE users SET balance = balance + ? WHERE id = ?").is_empty());
        assert_eq!(
            kinds("DROP TABLE IF EXISTS main.slots; CREATE TABLE slots (id int)"),
            vec![(SchemaChangeKind::DropTable, "slots".into())]
        );
        assert!(kinds("SELECT * FROM users").is_empty());
        assert!(kinds("UPDATE ${table} SET n = n + 1").is_empty());
    }

    #[test]
    fn due_work_names() {
        assert!(due_work("checkExpiredSubscriptions"));
        assert!(due_work("send_reminders"));
        assert!(!due_work("updatePresence"));
        assert!(!due_work("rotate_status"));
    }
}
