//! Every rule ships fixture projects beside its source file:
//! `src/rules/<category>/<rule>/fixtures/flagged_*` must produce findings of that rule (their
//! findings are snapshotted) and `ok_*` twins must produce none.
//!
//! Rules that judge the other rules' findings (`after`) need those rules to run: their
//! fixtures are scanned without `--select`, with a `flightcheck.toml` in the fixture choosing
//! the rules, and only the judging rule's findings are kept.
//! A fixture holding `git-fixture.txt` is built into a git repository first (fixture folders
//! cannot hold `.git`): each `git-history/<NN-message>/` folder, in order, is the whole tree
//! of one commit; then the fixture's own files are the last commit, except the paths listed
//! as `untracked: PATH`, which are left in the work tree uncommitted. `repository: none`
//! copies the fixture to a directory outside any repository instead.

use flightcheck_rules::{ScanOptions, registry, scan};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const GIT_FIXTURE: &str = "git-fixture.txt";
const GIT_HISTORY: &str = "git-history";

fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("read_dir")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target, skip);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Runs git in `dir` with a fixed identity and clock, ignoring the machine's git config.
fn git(dir: &Path, args: &[&str], day: u32) {
    let date = format!("2024-01-{:02}T12:00:00Z", day.clamp(1, 28));
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

/// Removes everything in `dir` but `.git`.
fn clear_work_tree(dir: &Path) {
    for entry in std::fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        if entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("rm -r");
        } else {
            std::fs::remove_file(&path).expect("rm");
        }
    }
}

/// The fixture as a git repository (or a plain copy), per its `git-fixture.txt`.
fn materialize(case: &Path) -> tempfile::TempDir {
    let spec = std::fs::read_to_string(case.join(GIT_FIXTURE)).expect("read git-fixture.txt");
    let value = |key: &str| -> Vec<String> {
        spec.lines()
            .filter_map(|l| l.trim().strip_prefix(key))
            .map(|v| v.trim().to_string())
            .collect()
    };
    let untracked = value("untracked:");
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let is_meta = |p: &Path| {
        p.parent() == Some(case)
            && p.file_name()
                .is_some_and(|n| n == GIT_FIXTURE || n == GIT_HISTORY)
    };
    if value("repository:").iter().any(|v| v == "none") {
        copy_tree(case, root, &is_meta);
        return dir;
    }
    git(root, &["init", "-q", "-b", "main"], 1);
    let mut day = 1;
    let history = case.join(GIT_HISTORY);
    if history.is_dir() {
        let mut commits: Vec<PathBuf> = std::fs::read_dir(&history)
            .expect("read_dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        commits.sort();
        for commit in commits {
            clear_work_tree(root);
            copy_tree(&commit, root, &|_| false);
            let message = commit
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            git(root, &["add", "-A", "-f"], day);
            git(
                root,
                &["commit", "-q", "--allow-empty", "-m", &message],
                day,
            );
            day += 1;
        }
    }
    clear_work_tree(root);
    let is_untracked = |p: &Path| {
        p.strip_prefix(case)
            .is_ok_and(|rel| untracked.iter().any(|u| Path::new(u) == rel))
    };
    copy_tree(case, root, &|p| is_meta(p) || is_untracked(p));
    git(root, &["add", "-A", "-f"], day);
    git(root, &["commit", "-q", "--allow-empty", "-m", "head"], day);
    copy_tree(case, root, &|p| {
        let holds_untracked = p.is_dir() && untracked.iter().any(|u| case.join(u).starts_with(p));
        !(is_untracked(p) || holds_untracked)
    });
    dir
}

fn fixture_dir(rule_id: &str) -> PathBuf {
    let (category, name) = rule_id.split_once('/').expect("rule ids are category/name");
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/rules")
        .join(category)
        .join(name.replace('-', "_"))
        .join("fixtures")
}

fn run_case(rule_id: &str, case: &Path) -> Vec<Value> {
    let judges = registry::find(rule_id).is_some_and(|r| r.after.is_some());
    let built = case.join(GIT_FIXTURE).is_file().then(|| materialize(case));
    let root = built.as_ref().map_or(case, |d| d.path());
    let report = scan(&ScanOptions {
        root: root.to_path_buf(),
        jobs: 2,
        select: if judges {
            Vec::new()
        } else {
            vec![rule_id.to_string()]
        },
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("scan of {} failed: {e}", case.display()));
    report
        .all_findings()
        .filter(|(_, f)| f.rule == rule_id)
        .map(|(_, f)| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "file": f.file,
                "line": f.span.line,
                "column": f.span.column,
                "message": f.message,
                "evidence": f.evidence.iter().map(|e| json!({"file": e.file, "line": e.line, "snippet": e.snippet, "note": e.note})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[test]
fn every_rule_has_flagged_and_not_flagged_fixtures_that_behave() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let id = rule.meta.id;
        let dir = fixture_dir(id);
        let mut cases: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => {
                failures.push(format!("{id}: no fixtures folder at {}", dir.display()));
                continue;
            }
        };
        cases.sort();
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let flagged: Vec<&PathBuf> = cases
            .iter()
            .filter(|c| name(c).starts_with("flagged_"))
            .collect();
        let ok: Vec<&PathBuf> = cases
            .iter()
            .filter(|c| name(c).starts_with("ok_"))
            .collect();
        if flagged.is_empty() || ok.is_empty() {
            failures.push(format!(
                "{id}: needs at least one flagged_* and one ok_* fixture"
            ));
        }
        for case in flagged {
            let findings = run_case(id, case);
            if findings.is_empty() {
                failures.push(format!("{id}: {} produced no finding", name(case)));
                continue;
            }
            insta::with_settings!({ snapshot_suffix => format!("{}__{}", id.replace('/', "__"), name(case)), prepend_module_to_snapshot => false }, {
                insta::assert_json_snapshot!("fixture", findings);
            });
        }
        for case in ok {
            let findings = run_case(id, case);
            if !findings.is_empty() {
                failures.push(format!(
                    "{id}: {} must not be flagged, got {}",
                    name(case),
                    serde_json::to_string_pretty(&findings).unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}
