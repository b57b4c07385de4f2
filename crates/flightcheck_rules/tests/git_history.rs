//! `security/env-file-committed` on git repositories built for the purpose: the history
//! depth bound, shallow clones, directories outside a repository, a scan root below the
//! repository root, and values still at HEAD (reported once, as tracked).
//!
//! Every credential here is made up; none is or was valid.

use flightcheck_core::Finding;
use flightcheck_rules::{ScanOptions, scan};
use std::path::Path;
use std::process::Command;

const RULE: &str = "security/env-file-committed";
const TOKEN_A: &str = "7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o";
const TOKEN_B: &str = "6120937485:AAFq8Wk2Lr5Tz9Xc3Vb7Nm1Hs4Dj6Gp0Ye2";

fn git(dir: &Path, args: &[&str], n: u32) {
    let date = format!("2024-02-01T00:{:02}:{:02}Z", n / 60, n % 60);
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn commit_all(dir: &Path, message: &str, n: u32) {
    git(dir, &["add", "-A", "-f"], n);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message], n);
}

/// A repository whose first commit adds `.env` with a token and whose second deletes it,
/// followed by `later` commits that only touch the README.
fn repo_with_deleted_env(later: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], 0);
    write(root, "package.json", r#"{"name":"bot","main":"index.js"}"#);
    write(root, "index.js", "console.log(process.env.BOT_TOKEN);\n");
    write(root, ".env", &format!("BOT_TOKEN={TOKEN_A}\nPORT=3000\n"));
    commit_all(root, "first", 1);
    std::fs::remove_file(root.join(".env")).expect("rm");
    write(root, ".gitignore", ".env\n");
    commit_all(root, "stop tracking .env", 2);
    for n in 0..later {
        write(root, "README.md", &format!("version {n}\n"));
        commit_all(root, &format!("docs {n}"), 3 + n);
    }
    dir
}

fn run(root: &Path, depth: Option<u32>) -> (Vec<Finding>, Vec<String>) {
    let report = scan(&ScanOptions {
        root: root.to_path_buf(),
        jobs: 2,
        select: vec![RULE.to_string()],
        history_depth: depth,
        ..Default::default()
    })
    .expect("scan");
    let findings = report.all_findings().map(|(_, f)| f.clone()).collect();
    let notes = report.notes.iter().map(|n| n.message.clone()).collect();
    (findings, notes)
}

fn evidence_notes(f: &Finding) -> Vec<&str> {
    f.evidence.iter().map(|e| e.note.as_str()).collect()
}

#[test]
fn a_deleted_env_file_is_found_within_the_depth_and_the_evidence_says_how_much_was_read() {
    let repo = repo_with_deleted_env(20);
    let (findings, _) = run(repo.path(), None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert!(f.message.contains("`.env` was committed"), "{}", f.message);
    assert!(f.message.contains("`BOT_TOKEN`"), "{}", f.message);
    assert!(f.message.contains("7391…(46)"), "{}", f.message);
    assert!(
        !format!("{f:?}").contains(&TOKEN_A[8..]),
        "the value leaked"
    );
    assert!(
        evidence_notes(f).contains(
            &"read 22 commits of git history (all of it) for env values and config/source credentials no longer at HEAD"
        ),
        "{:?}",
        evidence_notes(f)
    );

    // Ten commits do not reach back to the one that held the file.
    let (findings, _) = run(repo.path(), Some(10));
    assert!(findings.is_empty(), "{findings:#?}");
    // Zero turns history off.
    let (findings, notes) = run(repo.path(), Some(0));
    assert!(
        findings.is_empty() && notes.is_empty(),
        "{findings:#?} {notes:?}"
    );
}

#[test]
fn a_truncated_walk_says_it_stopped_at_the_limit() {
    // The file stays in the tree for a while before it is deleted.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], 0);
    write(root, "package.json", r#"{"name":"bot","main":"index.js"}"#);
    write(root, "index.js", "console.log(process.env.BOT_TOKEN);\n");
    write(root, ".env", &format!("BOT_TOKEN={TOKEN_A}\n"));
    commit_all(root, "first", 1);
    for n in 0..8 {
        write(root, "README.md", &format!("version {n}\n"));
        commit_all(root, &format!("docs {n}"), 2 + n);
    }
    std::fs::remove_file(root.join(".env")).expect("rm");
    commit_all(root, "delete .env", 20);
    let (findings, _) = run(root, Some(4));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        evidence_notes(&findings[0]).iter().any(|n| n
            .starts_with("read 4 commits of git history (the limit; older commits were not read")),
        "{:?}",
        evidence_notes(&findings[0])
    );
}

#[test]
fn a_shallow_clone_is_a_note_not_a_failure() {
    let repo = repo_with_deleted_env(3);
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.path().display());
    let target = clone.path().join("c");
    let target_str = target.to_string_lossy().to_string();
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, &target_str],
        50,
    );
    let (findings, notes) = run(&target, None);
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(
        notes.iter().any(|n| n.contains("shallow clone")),
        "{notes:?}"
    );
}

#[test]
fn outside_a_repository_there_is_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "package.json", r#"{"name":"bot"}"#);
    write(dir.path(), ".env", &format!("BOT_TOKEN={TOKEN_A}\n"));
    let (findings, notes) = run(dir.path(), None);
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(
        notes.iter().any(|n| n.contains("not in a git repository")),
        "{notes:?}"
    );
}

#[test]
fn a_value_still_at_head_is_reported_once_and_a_rotated_one_as_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], 0);
    write(root, "package.json", r#"{"name":"bot","main":"index.js"}"#);
    write(root, "index.js", "console.log(process.env.BOT_TOKEN);\n");
    write(root, ".env", &format!("BOT_TOKEN={TOKEN_A}\n"));
    commit_all(root, "first", 1);
    write(root, "README.md", "hi\n");
    commit_all(root, "readme", 2);
    let (findings, _) = run(root, None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0].message.contains("is tracked by git"));
    assert!(
        !findings[0].message.contains("history"),
        "{}",
        findings[0].message
    );

    // Rotating the token in the committed file leaves the old one in history.
    write(root, ".env", &format!("BOT_TOKEN={TOKEN_B}\n"));
    commit_all(root, "rotate", 3);
    let (findings, _) = run(root, None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert!(f.message.contains("6120…(46)"), "{}", f.message);
    assert!(
        f.message
            .contains("git history holds 1 earlier secret value"),
        "{}",
        f.message
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.snippet.as_deref() == Some("BOT_TOKEN=7391…(46)")),
        "{:#?}",
        f.evidence
    );
}

#[test]
fn a_scan_root_below_the_repository_root_reads_only_its_own_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], 0);
    write(
        root,
        "bot/package.json",
        r#"{"name":"bot","main":"index.js"}"#,
    );
    write(
        root,
        "bot/index.js",
        "console.log(process.env.BOT_TOKEN);\n",
    );
    write(root, "bot/.env", &format!("BOT_TOKEN={TOKEN_A}\n"));
    write(root, "admin/package.json", r#"{"name":"admin"}"#);
    write(root, "admin/.env", &format!("BOT_TOKEN={TOKEN_B}\n"));
    commit_all(root, "first", 1);
    std::fs::remove_file(root.join("bot/.env")).expect("rm");
    std::fs::remove_file(root.join("admin/.env")).expect("rm");
    commit_all(root, "remove env files", 2);
    let (findings, _) = run(&root.join("bot"), None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert!(f.message.contains("`.env` was committed"), "{}", f.message);
    assert!(f.message.contains("7391…(46)"), "{}", f.message);
    assert!(!f.message.contains("6120"), "{}", f.message);
}
