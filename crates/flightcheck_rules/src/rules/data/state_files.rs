//! What the data rules share: the JSON files reachable code rewrites while it serves
//! requests (not at startup, not in samples or tests), and when a function runs later.

use crate::context::ProjectContext;
use crate::rules::config::no_startup_validation::startup_functions;
use flightcheck_core::is_startup_function;
use flightcheck_core::state::FileWrite;
use flightcheck_core::wiring::is_data_path;
use std::collections::HashSet;

/// Words of a path expression that name application data (`DB_FILE`, `usersPath`).
const DATA_WORDS: [&str; 8] = [
    "db", "data", "store", "state", "user", "json", "balance", "save",
];

fn last_name(f: &str) -> &str {
    f.rsplit(['.', ' ']).next().unwrap_or(f)
}

/// A function that runs after startup: not a startup function by name, and not one the
/// program calls while it starts; callbacks (`callback of bot.on`) always run later.
pub(crate) fn runs_later(function: Option<&str>, startup: &HashSet<&str>) -> bool {
    function.is_some_and(|f| {
        !is_startup_function(f) && (f.starts_with("callback of") || !startup.contains(last_name(f)))
    })
}

/// The file a write names, for messages and grouping.
pub(crate) fn file_label(w: &FileWrite) -> String {
    w.path.clone().unwrap_or_else(|| format!("`{}`", w.target))
}

/// Calls whose value differs on every call: a path built from one names a new file each
/// time (`exports/${Date.now()}-users.json`, `f"dump-{uuid4()}.json"`).
const FRESH_VALUES: [&str; 10] = [
    "Date.now(",
    "new Date(",
    "getTime(",
    "randomUUID(",
    "uuid",
    "time.time(",
    "datetime.now(",
    "datetime.utcnow(",
    "strftime(",
    "time_ns(",
];

/// The path expression builds a new file name on every write: each write creates a file
/// (an export, a dump), it never replaces the state another write left.
fn new_file_per_write(target: &str) -> bool {
    FRESH_VALUES.iter().any(|f| target.contains(f))
}

/// The write targets a JSON data file: a literal `.json` path that is not configuration,
/// cache, log or test data, or a path expression whose name says it holds data.
fn is_state_file(w: &FileWrite) -> bool {
    if !w.json || w.only_when_missing || w.only_in_tests || new_file_per_write(&w.target) {
        return false;
    }
    match &w.path {
        Some(p) => {
            let lower = p.to_ascii_lowercase();
            // Every directory counts too: `cache/rates.json` is a cache.
            lower.ends_with(".json") && p.split(['/', '\\']).all(is_data_path)
        }
        None => {
            let lower = w.target.to_ascii_lowercase();
            DATA_WORDS.iter().any(|d| lower.contains(d))
                && is_data_path(&w.target)
                && !lower.contains("export")
                && !lower.contains("output")
        }
    }
}

/// JSON state files written by code that runs after startup, in reachable files that are
/// not samples: (file index, write).
pub(crate) fn runtime_state_writes<'a>(ctx: &'a ProjectContext) -> Vec<(usize, &'a FileWrite)> {
    let mut candidates = Vec::new();
    for i in ctx.reachable_sources() {
        if ctx.is_sample_code(i) {
            continue;
        }
        let Some(f) = ctx.facts(i) else { continue };
        candidates.extend(
            f.state
                .file_writes
                .iter()
                .filter(|w| is_state_file(w))
                .map(|w| (i, w)),
        );
    }
    // Following calls from startup costs a pass over every call edge: only when needed.
    if candidates.is_empty() {
        return candidates;
    }
    let startup = startup_functions(ctx);
    candidates.retain(|(_, w)| runs_later(w.function.as_deref(), &startup));
    candidates
}
