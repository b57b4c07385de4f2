//! Helpers shared by the end-to-end tests: a scratch copy of the example project.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The binary, outside CI and without colour.
pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("flightcheck").expect("binary builds");
    cmd.env_remove("CI").env("NO_COLOR", "1");
    cmd
}

/// The example project of the repository.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/booking-bot")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&example(), dir.path());
    dir
}

/// Inserts `line` before 1-based line `before` of `file`.
pub fn insert_line(root: &Path, file: &str, before: usize, line: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(before - 1, line);
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
}

/// Runs git for a test fixture, isolated from the user's and the system's git config.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2024-03-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes `bytes` at `rel` under `root`, creating folders.
pub fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

/// The report's notes as `FILE MESSAGE` lines.
pub fn notes(report: &serde_json::Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "{} {}",
                n["file"].as_str().unwrap_or(""),
                n["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// A service whose entry point imports `rates.js`, a file of binary content the scan cannot
/// read as source.
pub fn write_service_importing_binary(root: &Path) {
    write(
        root,
        "package.json",
        r#"{"name":"x","main":"index.js","scripts":{"start":"node index.js"}}"#,
    );
    write(
        root,
        "index.js",
        "const rates = require('./rates');\nrequire('http').createServer((q, r) => r.end(String(rates))).listen(3000);\n",
    );
    write(root, "rates.js", b"module.exports = 1;\n\0\0\x01binary");
}
