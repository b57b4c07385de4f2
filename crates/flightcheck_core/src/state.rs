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
    pub containers: Vec<LongLivedContainer>,
    pub container_ops: Vec<ContainerOp>,
    pub jobs: Vec<ScheduledJob>,
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
    fn due_work_names() {
        assert!(due_work("checkExpiredSubscriptions"));
        assert!(due_work("send_reminders"));
        assert!(!due_work("updatePresence"));
        assert!(!due_work("rotate_status"));
    }
}
