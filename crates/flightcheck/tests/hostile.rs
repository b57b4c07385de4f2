//! Hostile repositories: a bad-input corpus generated here (no committed binaries) proves
//! the scan never runs a program the repository configures, never blocks or exhausts
//! memory on special files, never aborts on deep input under its guards, rejects hostile
//! config globs with a located error, and keeps file names from driving a terminal or a
//! shell. Planted secrets are covered by `secrets.rs`.
#![cfg(unix)]

mod common;

use common::{bin, git, write};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A shell script that appends its arguments to `marker`: if anything runs it, the marker
/// file appears.
fn tripwire(path: &Path, marker: &Path) {
    std::fs::write(
        path,
        format!("#!/bin/sh\necho \"$0 $@\" >> '{}'\n", marker.display()),
    )
    .expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], dir: &Path, path_env: Option<&str>) -> Run {
    let mut cmd = bin();
    cmd.args(args).arg(dir).timeout(Duration::from_secs(120));
    if let Some(path) = path_env {
        cmd.env("PATH", path);
    }
    let out = cmd.output().expect("runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && (0..=2).contains(&run.code),
        "exit {}, stderr: {}",
        run.code,
        run.stderr
    );
    run
}

fn notes(stdout: &str) -> Vec<String> {
    common::notes(&serde_json::from_str(stdout).expect("JSON report"))
}

#[test]
fn repository_config_never_runs_a_program() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let marker = tmp.path().join("ran.txt");
    write(
        &repo,
        "package.json",
        r#"{"name":"bot","main":"index.js","dependencies":{"telegraf":"^4.16.0"}}"#,
    );
    write(
        &repo,
        "index.js",
        "const { Telegraf } = require('telegraf');\nconst bot = new Telegraf(process.env.BOT_TOKEN);\nbot.start((ctx) => ctx.reply('hi'));\nbot.launch();\n",
    );
    write(
        &repo,
        ".env",
        "BOT_TOKEN=5938204716:AAHq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se\n",
    );
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    std::fs::remove_file(repo.join(".env")).expect("rm");
    git(&repo, &["commit", "-q", "-am", "second"]);

    // Every way a repository's config makes git run a program.
    let evil = repo.join(".git/evil.sh");
    tripwire(&evil, &marker);
    let hooks = repo.join(".git/evil-hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    for hook in [
        "pre-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
    ] {
        tripwire(&hooks.join(hook), &marker);
    }
    let mut config = std::fs::read_to_string(repo.join(".git/config")).expect("config");
    config.push_str(&format!(
        "[core]\n\tfsmonitor = {e}\n\thooksPath = .git/evil-hooks\n\tpager = {e}\n\tsshCommand = {e}\n\taskPass = {e}\n[filter \"evil\"]\n\tclean = {e}\n\tsmudge = {e}\n\tprocess = {e}\n\trequired = true\n[diff]\n\texternal = {e}\n[uploadpack]\n\tpackObjectsHook = {e}\n",
        e = evil.display()
    ));
    std::fs::write(repo.join(".git/config"), config).expect("config");
    write(&repo, ".gitattributes", "* filter=evil diff=evil\n");
    // Not even git itself: a `git` first on PATH trips the wire too.
    let fake_bin = tmp.path().join("bin");
    std::fs::create_dir_all(&fake_bin).expect("mkdir");
    tripwire(&fake_bin.join("git"), &marker);
    let path = format!(
        "{}:{}",
        fake_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let scanned = run(
        &["scan", "--format", "json", "--no-progress"],
        &repo,
        Some(&path),
    );
    let n = notes(&scanned.stdout);
    assert!(
        !n.iter().any(|n| n.contains("git history not read")),
        "history is read without git: {n:?}"
    );
    assert!(
        scanned
            .stdout
            .contains("\"rule\": \"security/env-file-committed\"")
            && scanned.stdout.contains("5938…(46)"),
        "the removed token is found in history: {}",
        scanned.stdout
    );
    run(
        &["scan", "--history-depth", "0", "--format", "sarif"],
        &repo,
        Some(&path),
    );
    run(
        &["scan", "--format", "pretty"],
        &repo.join("."),
        Some(&path),
    );
    run(&["init", "--force"], &repo, Some(&path));
    assert!(
        !marker.exists(),
        "a program configured by the repository ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );

    // Control: the same config does make git run the program, so the test can fail.
    let status = std::process::Command::new("git")
        .args(["status", "--short"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    let _ = status;
    assert!(marker.exists(), "git itself runs the configured fsmonitor");
}

fn mkfifo(path: &Path) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success(), "mkfifo {}", path.display());
}

fn link(target: &Path, at: &Path) {
    if let Some(parent) = at.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    symlink(target, at).expect("symlink");
}

#[test]
fn special_files_under_well_known_names_are_notes_not_hangs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    write(
        &root,
        "package.json",
        r#"{"name":"svc","main":"index.js","dependencies":{"express":"^4.19.0"}}"#,
    );
    write(
        &root,
        "index.js",
        "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));\napp.listen(process.env.PORT);\n",
    );
    write(&root, "api/requirements.txt", "fastapi==0.110.0\n");
    write(
        &root,
        "api/main.py",
        "from fastapi import FastAPI\napp = FastAPI()\n",
    );
    let zero = PathBuf::from("/dev/zero");
    // FIFOs block a reader forever; /dev/zero never ends.
    mkfifo(&root.join("yarn.lock"));
    mkfifo(&root.join("sub/.gitignore"));
    mkfifo(&root.join("api/runtime.txt"));
    link(&zero, &root.join("package-lock.json"));
    link(&zero, &root.join("pnpm-lock.yaml"));
    link(&zero, &root.join(".gitignore"));
    link(&zero, &root.join(".ignore"));
    link(&zero, &root.join("api/.python-version"));
    link(&zero, &root.join("src/zero.js"));
    link(&zero, &root.join("flightcheck.toml"));
    // A link out of the root is not followed, whatever it names.
    let outside = tmp.path().join("outside.env");
    std::fs::write(
        &outside,
        "BOT_TOKEN=5938204716:AAHq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se\n",
    )
    .expect("write");
    link(&outside, &root.join(".env.production"));

    let scanned = run(&["scan", "--format", "json", "--no-progress"], &root, None);
    // The config could not be read: a usage error, said so, never a silent default.
    assert_eq!(scanned.code, 2, "{}", scanned.stderr);
    assert!(
        scanned.stderr.contains("flightcheck.toml"),
        "{}",
        scanned.stderr
    );

    std::fs::remove_file(root.join("flightcheck.toml")).expect("rm");
    let scanned = run(
        &[
            "scan",
            "--format",
            "json",
            "--no-progress",
            "--fail-on",
            "never",
        ],
        &root,
        None,
    );
    assert_eq!(scanned.code, 0, "{}", scanned.stderr);
    let n = notes(&scanned.stdout);
    for name in [
        "yarn.lock",
        "sub/.gitignore",
        "api/runtime.txt",
        "package-lock.json",
        "pnpm-lock.yaml",
        ".gitignore",
        ".ignore",
        "api/.python-version",
        "src/zero.js",
        ".env.production",
    ] {
        assert!(
            n.iter().any(|note| note.contains(name)),
            "no note names {name}: {n:#?}"
        );
    }
    assert!(
        !scanned
            .stdout
            .contains("AAHq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se")
            && !scanned.stdout.contains("5938…(46)"),
        "the file out of the root was not read"
    );

    // A baseline that never ends is refused, not read.
    let baseline = run(
        &["scan", "--baseline", "/dev/zero", "--no-progress"],
        &root,
        None,
    );
    assert_eq!(baseline.code, 2);
    assert!(
        baseline.stderr.contains("--baseline /dev/zero"),
        "{}",
        baseline.stderr
    );
}

/// Chains of each shape, `n` deep, in one file per shape and language.
fn chains(root: &Path, n: usize) {
    let lines = |item: &str| item.repeat(n);
    let joined = |item: &str, sep: &str| vec![item; n].join(sep);
    let python = [
        ("calls", format!("x = (f{})\n", lines("()\n"))),
        ("members", format!("x = (a{})\n", lines("\n.b"))),
        ("tilde", format!("x = ({}1)\n", lines("~\n"))),
        ("assign", format!("a{} = 1\n", lines(" = \\\na"))),
        ("plus", format!("x = ({})\n", joined("1", " +\n"))),
        ("and", format!("x = ({})\n", joined("a", " and\n"))),
        ("not", format!("x = ({}a)\n", lines("not\n"))),
        ("lambda", format!("x = ({}1)\n", lines("lambda:\n"))),
        ("subscript", format!("x = (a{})\n", lines("[0]\n"))),
    ];
    let javascript = [
        ("calls", format!("x = f{};\n", lines("()\n"))),
        ("members", format!("x = a{};\n", lines("\n.b"))),
        ("tilde", format!("x = {}1;\n", lines("~\n"))),
        ("assign", format!("a{} = 1;\n", lines(" =\na"))),
        ("plus", format!("x = {};\n", joined("1", " +\n"))),
        ("and", format!("x = {};\n", joined("a", " &&\n"))),
        ("not", format!("x = {}1;\n", lines("!\n"))),
        ("typeof", format!("x = {}1;\n", lines("typeof\n"))),
        ("arrow", format!("x = {}1;\n", lines("() =>\n"))),
        ("subscript", format!("x = a{};\n", lines("[0]\n"))),
        ("ternary", format!("x = {}a;\n", lines("c ? a :\n"))),
    ];
    for (shape, text) in python {
        write(root, &format!("py/{shape}.py"), text);
    }
    for (shape, text) in javascript {
        write(root, &format!("js/{shape}.js"), text);
    }
}

#[test]
fn chains_just_under_and_over_the_guard_never_abort() {
    // Under the guard (10,000 operations) files are parsed on the workers' large stacks;
    // over it they are read for secrets only, with a note. Either way the scan finishes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let under = tmp.path().join("under");
    chains(&under, 4_500);
    let scanned = run(
        &[
            "scan",
            "--format",
            "json",
            "--no-progress",
            "--fail-on",
            "never",
        ],
        &under,
        None,
    );
    let n = notes(&scanned.stdout);
    assert!(
        !n.iter().any(|n| n.contains("not parsed")),
        "parsed under the guard: {n:#?}"
    );
    let over = tmp.path().join("over");
    chains(&over, 12_000);
    let scanned = run(
        &[
            "scan",
            "--format",
            "json",
            "--no-progress",
            "--fail-on",
            "never",
        ],
        &over,
        None,
    );
    let n = notes(&scanned.stdout);
    for file in std::fs::read_dir(over.join("py"))
        .expect("dir")
        .chain(std::fs::read_dir(over.join("js")).expect("dir"))
    {
        let name = file.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            n.iter()
                .any(|note| note.contains(name.as_ref()) && note.contains("not parsed")),
            "{name} over the guard is not parsed, with a note: {n:#?}"
        );
    }
}

/// The config error a scan of `root` reports with `glob` as the one per-path-ignores key.
fn glob_error(root: &Path, glob: &str) -> String {
    write(
        root,
        "flightcheck.toml",
        format!("[per-path-ignores]\n\"{glob}\" = [\"docs/\"]\n"),
    );
    let scanned = run(&["scan", "--no-progress"], root, None);
    assert_eq!(scanned.code, 2, "{}", scanned.stderr);
    scanned.stderr
}

#[test]
fn hostile_config_globs_are_located_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "main.py", "print('hi')\n");
    let nested = format!("{}a{}", "{".repeat(200), "}".repeat(200));
    let error = glob_error(root, &nested);
    assert!(
        error.contains("flightcheck.toml:2:1: glob `{{{{") && error.contains("200 deep"),
        "{error}"
    );
    let error = glob_error(root, &"a/".repeat(300_000));
    assert!(
        error.contains("flightcheck.toml:2:1: glob `a/a/") && error.contains("bytes long"),
        "{error}"
    );
}

#[test]
fn file_names_cannot_drive_a_terminal_or_a_shell() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "requirements.txt", "aiogram==3.4.1\n");
    write(root, "main.py", "import helpers\nprint(helpers)\n");
    // An undefined name and a shell command substitution in the file name.
    write(root, "$(touch pwned).py", "print(undefined_thing)\n");
    // An escape sequence (clear screen) in a file name.
    write(root, "esc\u{1b}[2Jname.py", "print(also_undefined)\n");
    write(root, "back\\slash.py", "print(third_undefined)\n");
    for format in ["pretty", "markdown", "github"] {
        let out = run(&["scan", "--format", format, "--no-progress"], root, None);
        assert!(
            !out.stdout.contains('\u{1b}'),
            "{format}: a raw ESC reached the output:\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("esc\\u{1b}[2Jname.py"),
            "{format}: the name is shown escaped:\n{}",
            out.stdout
        );
    }
    let pretty = run(&["scan", "--format", "pretty", "--no-progress"], root, None);
    assert!(
        pretty.stdout.contains("'$(touch pwned).py'"),
        "verify commands quote file names:\n{}",
        pretty.stdout
    );
    assert!(
        pretty
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("verify:"))
            .all(|l| !l.contains(" $(touch pwned).py")),
        "never unquoted in a command:\n{}",
        pretty.stdout
    );
    let json = run(&["scan", "--format", "json", "--no-progress"], root, None);
    assert!(
        json.stdout.contains("\"back\\\\slash.py\""),
        "the path is byte-true: {}",
        json.stdout
    );
    assert!(!root.join("pwned").exists());
}
