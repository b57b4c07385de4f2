//! `perf/blocking-io-in-async`: a blocking call made directly in an `async def`.

use crate::registry::{FileTexts, Rule};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "perf/blocking-io-in-async",
    severity: Severity::High,
    category: Category::Performance,
    fix_kind: FixKind::Code,
    summary: "A blocking call inside async def freezes the event loop",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Finds blocking calls made directly in the body of an `async def`: file I/O (`open()`,
`io.open`, `Path(...).read_text()`/`write_text()`/`read_bytes()`/`write_bytes()`/`open()`,
also on a local the function binds only to a `pathlib.Path` it builds: `p = Path(d) / name`
… `p.read_bytes()`; `anyio.Path` and `aiofiles` are async and never match),
`time.sleep`, synchronous HTTP (`requests.*`, `urllib.request.urlopen`, `httpx.get`/`post`/...
and `httpx.Client`), processes (`subprocess.run`/`call`/`check_call`/`check_output`,
`os.system`, `os.popen`) and synchronous database drivers (`sqlite3.connect`,
`psycopg2.connect`, `pymysql.connect`, `mysql.connector.connect`). Names are resolved through
the file's imports (`from time import sleep`), and a name the file rebinds (`from aiofiles
import open`) is not the builtin. Model API requests of the synchronous OpenAI and Anthropic
clients count too (`client.chat.completions.create(...)`, `responses.create`,
`embeddings.create`, `images.generate`, `messages.create`, legacy
`openai.ChatCompletion.create`) when the file uses the sync client class (`OpenAI()`,
`Anthropic()`) and the call is not awaited (`AsyncOpenAI` requests are awaited).

Hooks the framework runs once before serving are not checked: discord.py `setup_hook` and
`cog_load`, functions decorated `@app.on_event("startup")`, `@app.before_serving` or
`@app.on_startup`; neither are calls before the function's first awaited serve loop
(`await dp.start_polling(bot)`, `await client.start(...)`: start-up) or in a command that
replaces or ends the process itself (`os.execv`, `sys.exit`).

Only the innermost function decides: a plain `def` or a `lambda` nested in the
`async def` and handed to `asyncio.to_thread`, `loop.run_in_executor` or a thread pool runs
off the loop and is not flagged. Only code an entry point reaches is checked.

Severity: high for network calls, sleeps, child processes and database drivers, which
block for as long as the other side takes; medium for local file I/O, which blocks for as
long as the disk takes (usually milliseconds).

## Why it breaks production
An async bot or service runs every user on one thread. A blocking call in a handler stops
the event loop for its whole duration: while one user's file is read or one HTTP request
waits 10 seconds, every other user's update, webhook and health check waits too. Under load
the bot looks dead and Telegram retries pile up.

## Flagged
```python
@router.message(Command("report"))
async def report(message: Message) -> None:
    with open("report.csv") as f:            # blocks the loop
        rows = f.read()
    time.sleep(1)                             # blocks the loop
    data = requests.get(API_URL).json()       # blocks the loop
```

## Not flagged
```python
async def report(message: Message) -> None:
    rows = await asyncio.to_thread(Path("report.csv").read_text)
    await asyncio.sleep(1)
    async with httpx.AsyncClient(timeout=10) as client:
        data = (await client.get(API_URL)).json()

    def build() -> bytes:                     # runs in a worker thread
        return open("big.bin", "rb").read()
    blob = await loop.run_in_executor(None, build)

async def main() -> None:                      # start-up, before serving begins
    subprocess.run(["alembic", "upgrade", "head"], check=True)
    await dp.start_polling(bot)

async def restart(message: Message) -> None:  # the process is replaced right after
    os.system("git pull")
    os.execv(sys.executable, [sys.executable, "main.py"])
```

## Fix
Use the async equivalent (`aiofiles`, `asyncio.sleep`, `httpx.AsyncClient`/`aiohttp`,
`asyncio.create_subprocess_exec`, `aiosqlite`/`asyncpg`), or move the blocking work to a
thread with `await asyncio.to_thread(fn, ...)`.
"#,
};

pub static RULE: Rule = Rule::python(
    &META,
    &BlockingIoInAsync,
    FileTexts {
        impact: "The event loop stops for the call's whole duration: every other user, webhook and health check waits.",
        fix: "Use the async equivalent (aiofiles, asyncio.sleep, httpx.AsyncClient, asyncio.create_subprocess_exec, aiosqlite/asyncpg) or `await asyncio.to_thread(...)`.",
        verify: "ruff check --select ASYNC on the file; under load, time two concurrent requests: neither waits for the other's I/O.",
    },
);

struct BlockingIoInAsync;

/// The dotted name `expr` refers to through the file's imports (`sleep` imported from time
/// → `time.sleep`; `requests.get` → `requests.get`; the builtin `open` → `open`).
fn qualified(expr: &Expr, ctx: &PyRuleContext) -> Option<String> {
    match expr {
        Expr::Name(n) => {
            let name = n.id.as_str();
            match ctx.imported_as(name) {
                Some(full) => Some(full.to_string()),
                None if name == "open" => Some("open".to_string()),
                None => None,
            }
        }
        Expr::Attribute(a) => {
            qualified(&a.value, ctx).map(|base| format!("{base}.{}", a.attr.as_str()))
        }
        _ => None,
    }
}

const FILE_IO: &str = "does blocking file I/O";

/// Why a call by this dotted name blocks, or `None`.
fn blocking(name: &str) -> Option<&'static str> {
    let http = [
        "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
    ];
    let (module, func) = name.rsplit_once('.').unwrap_or(("", name));
    Some(match (module, func) {
        ("" | "io" | "builtins", "open") => FILE_IO,
        ("time", "sleep") => "sleeps",
        ("requests" | "requests.api", f) if http.contains(&f) => "makes a synchronous HTTP request",
        ("urllib.request", "urlopen") => "makes a synchronous HTTP request",
        ("httpx", f) if http.contains(&f) => "makes a synchronous HTTP request",
        ("httpx", "Client") => "opens a synchronous HTTP client",
        (
            "subprocess",
            "run" | "call" | "check_call" | "check_output" | "getoutput" | "getstatusoutput",
        ) => "waits for a child process",
        ("os", "system" | "popen") => "waits for a child process",
        ("sqlite3" | "psycopg2" | "pymysql" | "mysql.connector", "connect") => {
            "uses a synchronous database driver"
        }
        _ => return None,
    })
}

/// Request methods of the OpenAI and Anthropic clients, as the end of the attribute chain
/// (`client.chat.completions.create`), with the SDK whose sync client makes them block.
const SDK_METHODS: [(&[&str], &str); 7] = [
    (&["chat", "completions", "create"], "openai"),
    (&["completions", "create"], "openai"),
    (&["responses", "create"], "openai"),
    (&["embeddings", "create"], "openai"),
    (&["images", "generate"], "openai"),
    (&["transcriptions", "create"], "openai"),
    (&["messages", "create"], "anthropic"),
];

/// A request of the synchronous OpenAI/Anthropic client (`OpenAI()`, `Anthropic()`, the
/// legacy `openai.ChatCompletion.create`) that is not awaited: the async clients' methods
/// return coroutines and are awaited, the sync ones block for the whole model call.
fn sync_sdk_call(call: &ruff_python_ast::ExprCall, ctx: &PyRuleContext) -> Option<&'static str> {
    const WHAT: &str =
        "calls a model API with the synchronous client (a network round trip of seconds)";
    let awaited = ctx.source[..call.range().start().to_usize()]
        .trim_end()
        .ends_with("await");
    if awaited {
        return None;
    }
    if let Some(q) = qualified(&call.func, ctx)
        && matches!(
            q.as_str(),
            "openai.ChatCompletion.create" | "openai.Completion.create" | "openai.Embedding.create"
        )
    {
        return Some(WHAT);
    }
    let mut chain: Vec<&str> = Vec::new();
    let mut e = &*call.func;
    while let Expr::Attribute(a) = e {
        chain.push(a.attr.as_str());
        e = &a.value;
    }
    chain.reverse();
    let (_, sdk) = SDK_METHODS
        .iter()
        .find(|(suffix, _)| chain.ends_with(suffix) && chain.len() > suffix.len())?;
    let sync_client = match *sdk {
        "openai" => "openai.OpenAI",
        _ => "anthropic.Anthropic",
    };
    // The file uses the SDK's synchronous client class.
    let uses_sync = ctx.source.contains(&format!("{sync_client}("))
        || sync_client
            .rsplit('.')
            .next()
            .is_some_and(|class| ctx.imported_as(class) == Some(sync_client));
    uses_sync.then_some(WHAT)
}

/// `Path(...).read_text()` and friends, on a path built right there or held in a local the
/// function binds only to such paths (`p = Path(name)` … `p.read_bytes()`).
fn pathlib_io(call_func: &Expr, ctx: &PyRuleContext) -> bool {
    let Expr::Attribute(a) = call_func else {
        return false;
    };
    if !matches!(
        a.attr.as_str(),
        "read_text" | "write_text" | "read_bytes" | "write_bytes" | "open"
    ) {
        return false;
    }
    match &*a.value {
        Expr::Call(c) => qualified(&c.func, ctx)
            .is_some_and(|q| matches!(q.as_str(), "pathlib.Path" | "pathlib.PurePath")),
        Expr::Name(n) => ctx
            .function()
            .is_some_and(|f| f.path_locals.iter().any(|p| p == n.id.as_str())),
        _ => false,
    }
}

impl PyFileRule for BlockingIoInAsync {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Expr(Expr::Call(call)) = node else {
            return;
        };
        // Only the innermost function decides: a nested `def`/`lambda` runs where it is sent.
        let Some(function) = ctx.function() else {
            return;
        };
        // A hook that runs once before serving (discord.py `setup_hook`, FastAPI startup
        // events) delays the start, not a user: not reported.
        // A restart command that ends with `os.execv(...)` holds up a process that is
        // going away: its users are cut off by the restart, not by the blocking call.
        if !function.is_async || function.startup_hook || function.ends_process {
            return;
        }
        // Before `await dp.start_polling(bot)` in the same function: start-up (migrations,
        // a version check), which no user waits on.
        if function
            .serves_from
            .is_some_and(|from| call.range().start() < from)
        {
            return;
        }
        let function = function.name.clone();
        let written: String = ctx
            .text(&*call.func)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let written = flightcheck_core::text::truncate(&written, 60);
        let (what, resolved) = if pathlib_io(&call.func, ctx) {
            (FILE_IO, None)
        } else if let Some(what) = sync_sdk_call(call, ctx) {
            (what, None)
        } else {
            let Some(name) = qualified(&call.func, ctx) else {
                return;
            };
            let Some(what) = blocking(&name) else {
                return;
            };
            (what, (name != written).then_some(name))
        };
        // A local file read or write blocks for as long as the disk takes, usually
        // milliseconds; a network call, a sleep or a child process blocks for as long as
        // the other side takes. Only the second kind freezes a bot for seconds.
        let severity = (what == FILE_IO).then_some(Severity::Medium);
        let shown = match resolved {
            Some(name) => format!("`{written}(...)` (`{name}`)"),
            None => format!("`{written}(...)`"),
        };
        ctx.report(
            META.id,
            call.range(),
            format!("{shown} {what} inside `async def {function}`: it blocks the event loop for every user"),
            severity,
        );
    }
}
