//! Cross-file async facts: which functions a file defines as async (for callers in other
//! files), dropped calls of imported functions and of promise-returning library APIs, and
//! broad catches that only log around I/O.

use crate::Span;
use crate::wiring::Owner;
use serde::Serialize;

/// A function known to be async that other files may call: a module-level `async def` /
/// exported async function (`save_user`), or an async method (`Repo.save`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsyncDef {
    pub name: String,
    pub line: u32,
}

/// An expression statement calling a name imported from another file of the project, whose
/// result is dropped. Whether it is async is decided against the target's [`AsyncDef`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedImportCall {
    /// The callee as written (`save_user`, `db.save_user`, `repo.save`).
    pub callee: String,
    /// The import specifier (`.db`, `app.db`, `./db`).
    pub specifier: String,
    /// Python `from pkg import mod`: the submodule the call goes through (`mod`).
    pub submodule: Option<String>,
    /// The name looked up in the target (`save_user`, `Repo.save`).
    pub name: String,
    pub function: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// An expression statement dropping the promise of a library API known to reject on
/// failure: `fs.promises.writeFile(...)`, `fetch(...)`, `prisma.user.create(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedLibraryPromise {
    /// The API, e.g. `fs/promises writeFile`, `fetch`, `prisma create`.
    pub api: String,
    /// The callee as written.
    pub callee: String,
    pub function: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// A broad catch whose handler only logs, around I/O whose failure matters, in a function
/// that returns a value from the `try` and falls off its end after the handler: callers get
/// `undefined`/`None` and carry on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedOnlyCatch {
    /// The I/O marker found in the `try` block.
    pub io: String,
    /// The logging call as written (`console.error`, `logger.exception`).
    pub logger: String,
    pub function: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AsyncCallFacts {
    pub async_defs: Vec<AsyncDef>,
    pub dropped_imports: Vec<DroppedImportCall>,
    pub dropped_library: Vec<DroppedLibraryPromise>,
    pub logged_only: Vec<LoggedOnlyCatch>,
}

impl AsyncCallFacts {
    /// The line of the async definition `name`, if this file has one.
    pub fn async_def(&self, name: &str) -> Option<u32> {
        self.async_defs
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.line)
    }
}

/// Whether a call path names a logging call: `console.error`, `logger.exception`,
/// `self.log.warning`, `logging.error`, `print`.
pub fn is_logging_call(callee: &str) -> bool {
    if callee == "print" {
        return true;
    }
    let Some((object, method)) = callee.rsplit_once('.') else {
        return false;
    };
    let object = object
        .rsplit('.')
        .next()
        .unwrap_or(object)
        .to_ascii_lowercase();
    let logger_object = object == "console"
        || object == "logging"
        || object.ends_with("logger")
        || object == "log"
        || object == "_log"
        || object == "_logger";
    logger_object
        && matches!(
            method,
            "error"
                | "warn"
                | "warning"
                | "exception"
                | "log"
                | "info"
                | "debug"
                | "critical"
                | "fatal"
                | "trace"
        )
}
