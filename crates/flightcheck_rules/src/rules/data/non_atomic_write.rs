//! `data/non-atomic-write`: a state file rewritten in place.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use crate::rules::data::state_files::{file_label, runtime_state_writes};
use flightcheck_core::state::FileWrite;
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};
use std::collections::BTreeMap;

pub static META: RuleMeta = RuleMeta {
    id: "data/non-atomic-write",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "A state file is written in place: a crash mid-write leaves it truncated",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Finds the JSON state files that running code rewrites (the files of
`data/json-file-database`) when the writing function does not write a temporary file and
rename it into place (`fs.rename`, `os.replace`, `os.rename`, `shutil.move`) and does not
use an atomic-write library (`write-file-atomic`, `steno`, `atomicwrites`).

## Why it breaks production
Opening the file for writing truncates it first. A crash, an out-of-memory kill, a full
disk or a deploy that stops the process mid-write leaves an empty or half-written file, and
the next start fails to parse it: all the state is gone.

## Flagged
```python
def save(users):
    with open("data/users.json", "w") as f:
        json.dump(users, f)
```

## Not flagged
```python
def save(users):
    with open("data/users.json.tmp", "w") as f:
        json.dump(users, f)
    os.replace("data/users.json.tmp", "data/users.json")
```

## Fix
Write to a temporary file in the same directory, flush it, then rename it over the old
file (`os.replace`, `fs.renameSync`), or use `write-file-atomic` / `atomicwrites`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut by_file: BTreeMap<(usize, String), Vec<&FileWrite>> = BTreeMap::new();
    for (file, w) in runtime_state_writes(ctx) {
        if !w.atomic {
            by_file.entry((file, file_label(w))).or_default().push(w);
        }
    }
    let mut out = Vec::new();
    for ((file, label), writes) in by_file {
        let first = writes[0];
        let mut finding = Finding::new(
            &META,
            format!(
                "{label} is overwritten in place by `{}` in `{}`{} (no temporary file renamed into place)",
                first.api,
                first.function.as_deref().unwrap_or("?"),
                match writes.len() {
                    1 => String::new(),
                    n => format!(" and {} other write{}", n - 1, if n == 2 { "" } else { "s" }),
                }
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
                    "in-place write in `{}`",
                    w.function.as_deref().unwrap_or("?")
                ),
            ));
        }
        out.push(
            finding
                .impact("A crash or kill during the write leaves the file empty or truncated, and the next start loses all state.")
                .fix("Write to `<file>.tmp` and rename it over the file (`os.replace`, `fs.renameSync`), or use write-file-atomic / atomicwrites.")
                .verify("Kill the process while it saves and check the file still parses."),
        );
    }
    out
}
