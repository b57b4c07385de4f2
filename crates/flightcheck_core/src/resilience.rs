//! Resilience facts: what a file does about failures that outlive one request. Process-wide
//! hooks (`process.on('SIGTERM')`, `loop.set_exception_handler`), what runs the service
//! (`app.listen`, `bot.launch()`, `dp.start_polling`) and whether that already handles stop
//! signals, and outbound calls (`fetch`, axios, `requests`) with their timeout.

use crate::Span;
use crate::wiring::Owner;
use serde::Serialize;

/// A process-wide hook about crashes or stop signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookKind {
    /// `process.on('unhandledRejection')`.
    UnhandledRejection,
    /// `process.on('uncaughtException')`, Python `sys.excepthook = …`.
    UncaughtException,
    /// `loop.set_exception_handler(...)`.
    LoopExceptionHandler,
    /// `try: asyncio.run(main()) except …` at module level or in `__main__`.
    GuardedMain,
    /// A SIGTERM handler (`process.on('SIGTERM')`, `signal.signal(SIGTERM, …)`,
    /// `loop.add_signal_handler(SIGTERM, …)`).
    SigTerm,
    /// A SIGINT handler only.
    SigInt,
    /// A graceful-shutdown library or framework switch (`@godaddy/terminus`,
    /// `http-terminator`, `close-with-grace`, `app.enableShutdownHooks()`).
    ShutdownLibrary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessHook {
    pub kind: HookKind,
    /// As written, shortened (`process.on('SIGTERM')`).
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// What keeps the process serving: a server or a bot's update loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRunner {
    /// As written, e.g. `app.listen`, `bot.launch`, `dp.start_polling`, `bot.infinity_polling`.
    pub via: String,
    /// The library, e.g. `express`, `telegraf`, `aiogram`.
    pub library: String,
    /// The library stops cleanly on SIGTERM/SIGINT by itself (aiogram `start_polling`,
    /// PTB `run_polling`, discord.py `bot.run`).
    pub handles_signals: bool,
    /// The promise the call returns is handled where it is made: `await`ed inside a `try`
    /// with a `catch`, or chained with `.catch(...)`. A bot whose polling ends on a handler
    /// error then stops answering, but no rejection reaches the process.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub caught: bool,
    pub span: Span,
    pub owner: Owner,
}

/// Whether an outbound call can hang forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeoutState {
    /// A timeout (or an abort signal) is passed or configured on the client.
    Set,
    /// No timeout anywhere visible, and the client waits forever by default.
    Missing,
    /// No timeout passed, but the client has a long default (aiohttp: 300 s total).
    LongDefault,
    /// The client has a safe default (httpx: 5 s).
    SafeDefault,
}

/// An outbound HTTP call or third-party API client call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundCall {
    /// `fetch`, `axios`, `got`, `node-fetch`, `undici`, `requests`, `aiohttp`, `urllib`,
    /// `httpx`; for axios through an instance, `axios` too.
    pub client: String,
    /// The method as written (`axios.get`, `requests.post`, `fetch`).
    pub via: String,
    /// The URL when its start is a literal (`https://api.stripe.com/...`).
    pub url: Option<String>,
    pub timeout: TimeoutState,
    /// The call goes through an axios instance created in this file (`api.get`): an
    /// `axios.defaults.timeout` elsewhere does not cover it if the instance sets none.
    pub instance: Option<String>,
    /// Innermost named function around the call.
    pub function: Option<String>,
    /// Inside a function body (runs when called), not code that runs as the module loads.
    pub in_function: bool,
    /// A retry, circuit breaker or fallback visible around the call, as written: a retry
    /// wrapper (`pRetry(() => …)`), a `@retry` decorator, a loop counting attempts, a
    /// catch that falls back to a cached value, a client that retries by default.
    pub guard: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// Whether a name (a callee, a decorator, a function) says it retries or breaks a circuit:
/// `pRetry`, `withRetry`, `retry_async`, `backoff.on_exception`, `breaker.call`.
pub fn names_retry(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "retry", "retries", "backoff", "breaker", "circuit", "stamina",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Whether loop text counts attempts (`for attempt in range(3)`, `while (tries < 3)`).
pub fn counts_attempts(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["attempt", "retry", "retries", "tries"]
        .iter()
        .any(|k| t.contains(k))
}

/// Whether a catch/except body falls back to a stored or default value instead of failing:
/// it mentions a cache or fallback.
pub fn falls_back(handler_text: &str) -> bool {
    let t = handler_text.to_ascii_lowercase();
    ["cache", "fallback", "stale", "last_known", "lastknown"]
        .iter()
        .any(|k| t.contains(k))
}

/// A call of this file's own `async def` whose coroutine is dropped: an expression
/// statement `notify(user)` / `self.refresh()` without `await`. The body never runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedCoroutine {
    /// The callee as written (`notify`, `self.refresh`).
    pub callee: String,
    /// Where the `async def` is (line), for the evidence.
    pub defined_at: u32,
    pub function: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// An empty broad `catch {}` / `except: pass` around I/O whose failure the caller needs
/// to know (a database write, a file write, an HTTP or payment call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwallowedError {
    /// The I/O found in the guarded block, as written (`.save(`, `requests.`).
    pub io: String,
    pub function: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// Markers of I/O whose failure matters, searched in the text of a guarded block: database
/// writes, file writes, HTTP and payment calls. Messaging calls (`send_message`,
/// `msg.delete()`) and cleanup (`close`, `unlink`) are deliberately absent: swallowing
/// "user blocked the bot" or "already deleted" is a common, deliberate choice.
pub const FAILURE_MATTERS: [&str; 24] = [
    ".save(",
    ".insert(",
    ".insertOne(",
    ".insertMany(",
    ".updateOne(",
    ".upsert(",
    ".commit(",
    ".execute(",
    ".query(",
    "INSERT INTO",
    "UPDATE ",
    "writeFile",
    "appendFile",
    ".write(",
    "json.dump(",
    "stripe.",
    "paymentIntents",
    "fetch(",
    "axios",
    "requests.",
    "httpx.",
    "got(",
    ".post(",
    ".put(",
];

/// The first marker of [`FAILURE_MATTERS`] in `text`.
pub fn failure_matters(text: &str) -> Option<&'static str> {
    FAILURE_MATTERS.iter().copied().find(|m| {
        if *m != "fetch(" {
            return text.contains(m);
        }
        // The global `fetch(`, not a method (`guild.invites.fetch()` reads a cache or the
        // Discord API for display) or `prefetch(`.
        text.match_indices(m).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c == '.' || c.is_alphanumeric() || c == '_')
        })
    })
}

/// Everything resilience-related one file contains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResilienceFacts {
    pub hooks: Vec<ProcessHook>,
    pub runners: Vec<ServiceRunner>,
    pub outbound: Vec<OutboundCall>,
    /// A client default timeout set in this file (`axios.defaults.timeout = 5000`): the
    /// client name (`axios`).
    pub default_timeouts: Vec<String>,
    pub dropped_coroutines: Vec<DroppedCoroutine>,
    pub swallowed: Vec<SwallowedError>,
    /// Python: `asyncio.run(...)`, `loop.run_until_complete(...)`, `loop.run_forever()`.
    pub loop_runs: Vec<LoopRun>,
    /// Python: `while True:` loops in `async def`s.
    pub forever_loops: Vec<ForeverLoop>,
    /// Node: inline async callbacks registered as route or event handlers
    /// (`app.get(path, async (req, res) => …)`, `client.on(event, async () => …)`).
    pub async_callbacks: AsyncCallbacks,
    /// Node: asynchronous constructs of the file's own code (async functions, `await`,
    /// `.then`/`.catch`/`.finally`, `new Promise`, timers, event listeners). A program with
    /// none has nothing of its own that can reject outside a request.
    pub asynchronous: u32,
}

/// Inline async handlers of one file and whether their rejections are caught.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AsyncCallbacks {
    /// Handlers whose awaited work sits outside a `try` with a `catch` that does not
    /// rethrow: a rejection escapes them.
    pub unguarded: Vec<Span>,
    /// Handlers whose awaited work is all caught.
    pub guarded: u32,
    /// Handlers passed by name (`router.post('/x', controller.create)`), as written: the
    /// rule resolves them through the file's imports.
    pub by_name: Vec<String>,
}

/// Python code that runs an asyncio event loop itself rather than through a framework
/// runner: `asyncio.run(main())`, `loop.run_until_complete(...)`, `loop.run_forever()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopRun {
    /// As written, shortened (`asyncio.run(main())`).
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// A forever loop in a coroutine (`while True:`, `while not stop.is_set():` in an
/// `async def`): the work a long-running asyncio service exists to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeverLoop {
    /// The `async def` holding the loop.
    pub function: String,
    /// A broad `except` is in the loop's body or a broad `try` of the function surrounds
    /// it. Without one, one exception raised in an iteration ends the loop.
    pub guarded: bool,
    pub span: Span,
    pub owner: Owner,
}
