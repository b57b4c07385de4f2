//! `data/json-file-database`: application state kept by rewriting whole JSON files from
//! handlers.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::data::state_files::{file_label, runtime_state_writes};
use flightcheck_core::state::FileWrite;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "data/json-file-database",
    severity: Severity::High,
    category: Category::Availability,
    fix_kind: FixKind::Code,
    summary: "Mutable application state persisted by rewriting whole JSON files",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 240,
    docs: r#"## What it does
Finds JSON files that running code rewrites as a whole to keep its state
(`fs.writeFileSync(path, JSON.stringify(db))`, `fs.promises.writeFile`, fs-extra
`writeJson`, `json.dump(data, open(path, "w"))`, `Path(p).write_text(json.dumps(d))`) from
functions that run after startup: handlers and the helpers they call. Writes whose path takes a
fresh value each time (`Date.now()`, `new Date()`, `uuid`, `time.time()`, `datetime.now()`,
`strftime`) create a new file per write, an export or a dump, and are left alone; so are
writes that run only when the file is missing (`if (!fs.existsSync(p))`, `if not
os.path.exists(p):`), which create a default once, and writes under a test-run check (`if (env.nodeEnv ===
'test')`, `if ENV == "test":`). Writes at module level
or in startup functions (a config file written once by a setup step), configuration, cache,
log and test files, and code no entry point reaches are left alone.

Medium, not high, in JavaScript when every write of the file is synchronous
(`fs.writeFileSync`): one Node process runs each to its end before anything else, so only a
second process or a lost disk can lose data.

Low when no source file of the repository (tests and examples aside) reads the file back
(`open(p)`, `Path(p).read_text()`, `fs.readFile*`, `readJson`, `require('./x.json')` of the
same path or the same variable): a file that is only written is an export, a backup or a
log, and the program keeps its state elsewhere.

## Why it breaks production
Each write replaces the whole file with one process's view of the data. Two instances (a
scaled deployment, or an old and a new process overlapping during a deploy or restart)
overwrite each other's changes; two concurrent handlers in one process can too, when each
read the file before the other wrote it. Containers with ephemeral disks lose the file on
every deploy.

## Flagged
```js
bot.command('join', (ctx) => {
  db.users[ctx.from.id] = { joined: Date.now() };
  fs.writeFileSync('./data/db.json', JSON.stringify(db));
});
```

## Not flagged
```js
// written once while the program starts
fs.writeFileSync('./config.json', JSON.stringify(defaults));
// a real database
await prisma.user.create({ data: { id } });
// a new file per write (an export or a dump): nothing is overwritten
fs.writeFileSync(`exports/${Date.now()}-users.json`, JSON.stringify(users));
```

## Fix
Keep the state in a database (SQLite with WAL for one instance, Postgres/Redis for
several) and update single records, or at least keep one writer and a volume that survives
deploys.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// The name a path expression is known by: its literal file name, or the last identifier
/// that is not path plumbing (`self.state_file` → `state_file`, `Path(DB_PATH)` →
/// `DB_PATH`).
fn path_key(path: Option<&str>, target: &str) -> Option<String> {
    if let Some(p) = path {
        return Some(p.rsplit('/').next().unwrap_or(p).to_string());
    }
    const PLUMBING: [&str; 16] = [
        "path",
        "join",
        "os",
        "Path",
        "__dirname",
        "__file__",
        "self",
        "this",
        "process",
        "cwd",
        "resolve",
        "dirname",
        "open",
        "str",
        "parent",
        "fs",
    ];
    target
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty() && !t.starts_with(|c: char| c.is_ascii_digit()))
        .rfind(|t| !PLUMBING.contains(t))
        .map(str::to_string)
}

/// Whether some source file of the repository (not a test or an example) reads the written
/// file back.
fn read_back(ctx: &ProjectContext, writes: &[&FileWrite]) -> bool {
    let keys: Vec<String> = writes
        .iter()
        .filter_map(|w| path_key(w.path.as_deref(), &w.target))
        .collect();
    if keys.is_empty() {
        // Nothing names the file: it cannot be told apart from another, so assume it is read.
        return true;
    }
    // Tests read what the code exports to check it; only the program's own reads count,
    // in any project of the repository (an API may read what a bot writes).
    (0..ctx.files.len()).any(|i| {
        !ctx.is_sample_code(i)
            && ctx.facts(i).is_some_and(|f| {
                f.state.file_reads.iter().any(|r| {
                    path_key(r.path.as_deref(), &r.target).is_some_and(|k| keys.contains(&k))
                })
            })
    })
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut by_file: BTreeMap<(usize, String), Vec<&FileWrite>> = BTreeMap::new();
    for (i, w) in runtime_state_writes(ctx) {
        by_file.entry((i, file_label(w))).or_default().push(w);
    }
    let mut out = Vec::new();
    for ((file, label), writes) in by_file {
        let mut functions: Vec<&str> = writes
            .iter()
            .filter_map(|w| w.function.as_deref())
            .collect();
        functions.dedup();
        let first = writes[0];
        let read_back = read_back(ctx, &writes);
        let role = if read_back {
            "it serves as the database"
        } else {
            "nothing the program runs reads it back, so it is an export, not the store"
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "{label} is rewritten as a whole JSON file by {} (`{}`): {role}",
                functions
                    .iter()
                    .take(3)
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                first.api
            ),
        )
        .at(ctx.rel(file), first.span)
        .key(label.clone());
        for w in writes.iter().take(3) {
            finding = finding.evidence(evidence_at(
                ctx,
                file,
                w.span,
                format!(
                    "whole-file write in `{}`",
                    w.function.as_deref().unwrap_or("?")
                ),
            ));
        }
        // A file nothing reads back is an export, a backup or a log: the program keeps its
        // state elsewhere, and losing the file loses no data it needs.
        if !read_back {
            finding = finding.severity(Severity::Low).evidence(Evidence::searched(format!(
                "low, not high: no source file of the project reads {label} back (searched for `open(...)`, `read_text()`, `fs.readFile*`, `readJson` and `require` of the same path), so it reads as an export or a log, not the store"
            )));
        }
        // Node runs one synchronous write to its end before anything else: one process
        // never interleaves two of them (Python threads and awaits can).
        if writes.iter().all(|w| w.api.ends_with("Sync")) {
            finding = finding.severity(Severity::Medium).evidence(Evidence::searched(
                "medium, not high: every write is synchronous (`…Sync`), so one process never interleaves two of them; what is left is a second process (a scaled service, a deploy overlap) and a disk that does not survive deploys",
            ));
        }
        out.push(
            finding
                .impact("Two instances, or an old and a new process during a deploy, overwrite each other's changes; an ephemeral disk loses the file.")
                .fix("Move the state into a database and update single records.")
                .verify("Run two instances, change data through each, and check both changes survive."),
        );
    }
    out
}
