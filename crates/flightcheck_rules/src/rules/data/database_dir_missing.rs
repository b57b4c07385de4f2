//! `data/database-dir-missing`: code opens a SQLite file in a directory that the repository
//! does not contain and nothing creates.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::wiring::DataStoreKind;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_project::FileKind;
use flightcheck_project::dockerfile::Step;
use flightcheck_project::workspace::{in_example_dir, is_test_file, join};

pub static META: RuleMeta = RuleMeta {
    id: "data/database-dir-missing",
    severity: Severity::High,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A SQLite database opened in a directory the repository does not contain and nothing creates",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
Finds SQLite databases that running code opens by a literal relative path with a directory
(`sqlite3.connect("data/db_files/bot.db")`, `aiosqlite.connect("db/bot.sqlite")`,
`new Database('storage/app.db')`) and checks that a fresh checkout has that directory: some
file of the repository lies in it (a `.gitkeep` is enough), searched from the project root,
the opening file's directory and the directory a Procfile runs in. It is silent when anything
creates the directory: a line of the project's code or shell scripts, a Dockerfile `RUN`
or a launch command (Procfile, `CMD`, compose `command:`, systemd `ExecStart=`) that names
the directory's last segment together with `mkdir` or `makedirs`, a Dockerfile `WORKDIR`
naming it, or a compose or Kubernetes volume mounted there (`./data:/app/data`). Databases in tests and examples, `:memory:` and
paths built at run time are not judged.

## Why it breaks production
SQLite creates the database file but not its directory: `sqlite3.connect` raises
`OperationalError: unable to open database file` (Node drivers: `SQLITE_CANTOPEN`) on a
machine where the directory is missing. The directory exists on the developer's laptop, a
`.gitignore` hides it, and every deploy from git starts without it: the bot fails at
startup, or every command that touches the database fails.

## Flagged
```python
# database/db_files/ holds only *.db files, which .gitignore excludes
with sqlite3.connect("database/db_files/history.db") as db:
    db.execute("INSERT INTO history VALUES (?)", (text,))
```

## Not flagged
```python
os.makedirs("data", exist_ok=True)
db = sqlite3.connect("data/bot.db")
```

## Fix
Create the directory before opening the database (`os.makedirs(dir, exist_ok=True)`,
`fs.mkdirSync(dir, { recursive: true })`), or commit it with a `.gitkeep`, and mount it on a
volume so the data survives redeploys.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

/// The directory part of a literal relative database path: `data/db_files` of
/// `./data/db_files/bot.db`; `None` for a bare file name, an absolute or home path,
/// `:memory:`, or a path with placeholders.
fn relative_dir(path: &str) -> Option<&str> {
    let path = path.trim();
    if path.starts_with(['/', '~', '\\'])
        || path.contains(['{', '$', '%', ':', '\\'])
        || path.contains("..")
    {
        return None;
    }
    let path = path.trim_start_matches("./");
    let (dir, name) = path.rsplit_once('/')?;
    (!dir.is_empty() && !name.is_empty()).then_some(dir)
}

/// A line that creates or mounts a directory named `segment`.
fn creates(line: &str, segment: &str) -> bool {
    if !line.contains(segment) {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    ["mkdir", "makedirs", "volume"]
        .iter()
        .any(|w| lower.contains(w))
        || (line.contains(":/") && !line.contains("://"))
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let ws = ctx.ws;
    let mut out = Vec::new();
    let mut reported: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, wiring) in ctx.wiring() {
        let rel = ctx.rel(i);
        if is_test_file(rel) || in_example_dir(rel) || ctx.is_sample_code(i) {
            continue;
        }
        for store in &wiring.data_stores {
            if store.kind != DataStoreKind::Sqlite || !ctx.runs(i, &store.owner) {
                continue;
            }
            let Some(path) = store.path.as_deref() else {
                continue;
            };
            let Some(dir) = relative_dir(path) else {
                continue;
            };
            if reported.contains(dir) {
                continue;
            }
            let file_dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            let mut bases = vec![ctx.project.root.as_str(), file_dir];
            bases.extend(ctx.project.procfile_dirs());
            let candidates: Vec<String> = bases
                .iter()
                .map(|b| join(if b.is_empty() { "." } else { b }, dir))
                .collect();
            let exists = ws.files.iter().any(|f| {
                candidates.iter().any(|c| {
                    f.rel.len() > c.len()
                        && f.rel.starts_with(c.as_str())
                        && f.rel.as_bytes()[c.len()] == b'/'
                })
            });
            if exists {
                continue;
            }
            let segment = dir.rsplit('/').next().unwrap_or(dir);
            let in_sources = ctx.reachable_sources().any(|x| {
                ctx.files[x]
                    .text
                    .as_deref()
                    .is_some_and(|t| t.lines().any(|l| creates(l, segment)))
            });
            // Deploy definitions as discovery parsed them: Dockerfile `RUN`/`WORKDIR`,
            // compose and Kubernetes volumes, and every launch command (Procfile, `CMD`,
            // compose `command:`, systemd `ExecStart=`).
            let in_deploy = || {
                ws.dockerfiles
                    .iter()
                    .flat_map(|d| &d.stages)
                    .flat_map(|st| &st.steps)
                    .any(|step| match step {
                        Step::Run { command, .. } => creates(command, segment),
                        Step::Workdir { dir, .. } => dir.contains(segment),
                        Step::Copy { .. } => false,
                    })
                    || ws
                        .services
                        .iter()
                        .any(|s| s.volumes.iter().any(|v| creates(v, segment)))
                    || ws.launches.iter().any(|l| creates(&l.command, segment))
            };
            // Shell scripts keep no parsed form: read the project's own, capped.
            let in_scripts = || {
                ws.files.iter().any(|f| {
                    f.kind == FileKind::Script
                        && f.size <= 1024 * 1024
                        && std::fs::read_to_string(&f.abs)
                            .is_ok_and(|t| t.lines().any(|l| creates(l, segment)))
                })
            };
            if in_sources || in_deploy() || in_scripts() {
                continue;
            }
            reported.insert(dir.to_string());
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "`{rel}` opens the SQLite database `{path}`, but the repository has no `{dir}/` directory and nothing creates it: on a fresh deploy SQLite cannot create the file (`unable to open database file`)"
                    ),
                )
                .at(rel, store.span)
                .key(dir.to_string())
                .evidence(Evidence::at(
                    rel,
                    store.span.line,
                    ctx.snippet(i, store.span.line),
                    "opens the database",
                ))
                .evidence(Evidence::searched(format!(
                    "files of the repository under {}; lines of the project's code, Dockerfiles, compose files and scripts that name `{segment}` with mkdir, makedirs, VOLUME or a volume mount",
                    candidates
                        .iter()
                        .map(|c| format!("`{c}/`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
                .impact("The database cannot be opened on a machine built from the repository: startup or every database call fails.")
                .fix(format!("Create `{dir}` before opening the database (os.makedirs(\"{dir}\", exist_ok=True) / fs.mkdirSync(\"{dir}\", {{ recursive: true }})) or commit it with a .gitkeep, and mount it on a volume."))
                .verify(format!("git clone the repository into an empty directory and start the service: `{path}` is created.")),
            );
        }
    }
    out
}
