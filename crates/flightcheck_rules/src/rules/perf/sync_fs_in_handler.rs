//! `perf/sync-fs-in-handler`: synchronous file or process I/O inside a request, bot or
//! Discord handler (Node).

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::ops::running_files;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "perf/sync-fs-in-handler",
    severity: Severity::High,
    category: Category::Performance,
    fix_kind: FixKind::Code,
    summary: "Synchronous fs/child_process calls inside request, command or event handlers",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Finds `fs.*Sync` calls (`readFileSync`, `writeFileSync`, `readdirSync`, …), `execSync`,
`execFileSync` and `spawnSync` that run inside a handler: the callback of an HTTP route or
middleware (`app.get('/x', …)`, `router.post`, `app.use(fn)`), of a telegraf / grammY /
node-telegram-bot-api registration (`bot.command`, `bot.on`, `bot.hears`, `bot.action`,
`bot.onText`…), of a discord.js event (`client.on('messageCreate', …)`), or the
`execute(interaction)` / `run(message)` method of a discord.js command or event module; and
in functions of the same file that such handlers call. Calls at module load, in startup
callbacks (`once('ready')`, `listen`), in functions only startup code calls, and in files
no entry point runs are not flagged. Severity: high for `execSync`, `execFileSync` and
`spawnSync`, which block for as long as the child runs; medium for file reads and writes,
which block for as long as the disk takes; low for `existsSync`, `statSync`, `lstatSync`,
`accessSync` and `mkdirSync`, cheap metadata calls.

## Why it breaks production
Node runs every request and every update on one thread. A synchronous read of a growing
JSON file or a spawned process stops the event loop for its whole duration: while one user
runs `/stats`, every other user, webhook and health check waits. Under load the bot looks
dead and Telegram retries pile up.

## Flagged
```js
bot.command('balance', (ctx) => {
  const db = JSON.parse(fs.readFileSync('db.json', 'utf8'));   // blocks every user
  ctx.reply(`Balance: ${db[ctx.from.id]}`);
});
```

## Not flagged
```js
const config = JSON.parse(fs.readFileSync('config.json', 'utf8'));   // once, at startup
bot.command('balance', async (ctx) => {
  const db = JSON.parse(await fs.promises.readFile('db.json', 'utf8'));
});
```

## Fix
Use `fs.promises` / `await readFile`, `execFile` with a callback or `util.promisify`, or
read the data once at startup and keep it in memory (or in a database).
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// Metadata calls that return quickly on a local disk.
const CHEAP: [&str; 5] = [
    "existsSync",
    "statSync",
    "lstatSync",
    "accessSync",
    "mkdirSync",
];

/// Files that are command-line tools rather than the service: `bin/`, `scripts/`, `cli/`
/// and the package.json `bin` targets.
fn is_cli_file(ctx: &ProjectContext, file: usize) -> bool {
    let rel = ctx.rel(file);
    let in_cli_dir = rel
        .split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "bin" | "scripts" | "script" | "cli" | "tools"));
    let is_bin = ctx.project.package_json.as_ref().is_some_and(|p| {
        p.bin.iter().any(|(_, path)| {
            let path = path.trim_start_matches("./");
            !path.is_empty() && rel.ends_with(path)
        })
    });
    in_cli_dir || is_bin
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in running_files(ctx) {
        if ctx.language(file) == Some(flightcheck_core::Language::Python) || is_cli_file(ctx, file)
        {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for call in &facts.observability.sync_calls {
            let Some(handler) = &call.handler else {
                continue;
            };
            if !ctx.runs(file, &call.owner) {
                continue;
            }
            let name = call.call.rsplit('.').next().unwrap_or(&call.call);
            let mut finding = Finding::new(
                &META,
                format!("`{}` blocks the event loop inside {handler}", call.call),
            )
            .at(ctx.rel(file), call.span)
            .key(format!("{}:{}", call.call, handler))
            .evidence(evidence_at(
                ctx,
                file,
                call.span,
                format!("runs on every call of {handler}"),
            ));
            // A child process blocks for as long as the program runs; a local file read or
            // write for as long as the disk takes (usually milliseconds); a metadata call
            // hardly at all.
            if CHEAP.contains(&name) {
                finding = finding.severity(Severity::Low);
            } else if !matches!(name, "execSync" | "execFileSync" | "spawnSync") {
                finding = finding.severity(Severity::Medium);
            }
            out.push(
                finding
                    .impact("Every other request and update waits while this call runs: the service stalls under load.")
                    .fix("Use fs.promises / await readFile or an async exec, or load the data once at startup.")
                    .verify("Run two requests concurrently against a large file: the second no longer waits for the first."),
            );
        }
    }
    out
}
