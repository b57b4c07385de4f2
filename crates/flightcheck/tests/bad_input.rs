//! Bad input never crashes the scan: it degrades to a note (or a finding).

mod common;

use assert_cmd::Command;
use common::notes;
use serde_json::Value;
use std::path::Path;

fn scan(dir: &Path) -> (i32, Value, String) {
    let out = Command::cargo_bin("flightcheck")
        .expect("binary builds")
        .env_remove("CI")
        .arg("scan")
        .arg(dir)
        .args(["--format", "json", "--fail-on", "never"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON expected ({e}); stderr: {stderr}"));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn rules_found(report: &Value) -> Vec<String> {
    report["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

#[test]
fn empty_directory_fails_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Nothing was judged: a mistyped path must not pass a gate, whatever --fail-on says,
    // and no GREEN report may be printed before the error.
    for format in ["pretty", "json", "github", "sarif"] {
        let out = Command::cargo_bin("flightcheck")
            .expect("binary builds")
            .args([
                "scan",
                "--no-progress",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .arg(dir.path())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(out.stdout.is_empty(), "{format}: a report was printed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("no JavaScript, TypeScript or Python source found under"),
            "{stderr}"
        );
    }
    let allowed = Command::cargo_bin("flightcheck")
        .expect("binary builds")
        .args(["scan", "--allow-empty", "--no-progress"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(allowed.status.code(), Some(0));
}

/// A source file the running service imports but the scan cannot read is a finding, and
/// the gate fails on it at every threshold but `never`: code that was not read never
/// passes. Without the import it is only a note.
#[test]
fn unreadable_reachable_source_fails_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    common::write_service_importing_binary(root);
    for fail_on in ["blocker", "high", "low"] {
        let out = Command::cargo_bin("flightcheck")
            .expect("binary builds")
            .args([
                "scan",
                "--no-progress",
                "--format",
                "json",
                "--fail-on",
                fail_on,
            ])
            .arg(root)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "--fail-on {fail_on}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(
            rules_found(&report).contains(&"integrity/unreadable-source".to_string()),
            "{report}"
        );
        assert_ne!(report["verdict"], "GREEN");
    }
    // Imported only by a hand-run script beside the service: a low finding, and the gate
    // does not fail on it (a script cannot fail the build for the service).
    write(
        root,
        "index.js",
        b"require('http').createServer((q, r) => r.end('ok')).listen(3000);\n",
    );
    write(
        root,
        "scripts/seed.js",
        b"const rates = require('../rates');\nconsole.log(rates);\n",
    );
    let out = Command::cargo_bin("flightcheck")
        .expect("binary builds")
        .args([
            "scan",
            "--no-progress",
            "--format",
            "json",
            "--fail-on",
            "high",
        ])
        .arg(root)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let unread: Vec<&Value> = report["projects"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "integrity/unreadable-source")
        .collect();
    assert!(
        unread
            .iter()
            .all(|f| f["severity"] == "low" && f["role"] == "script"),
        "{report}"
    );
    assert_eq!(out.status.code(), Some(0), "{report}");
    std::fs::remove_file(root.join("scripts/seed.js")).expect("rm");
    // Not imported by anything: a note, and the gate decides by the other findings.
    write(
        root,
        "index.js",
        b"require('http').createServer((q, r) => r.end('ok')).listen(3000);\n",
    );
    let (_, report, _) = scan(root);
    assert!(
        !rules_found(&report).contains(&"integrity/unreadable-source".to_string()),
        "{report}"
    );
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.contains("rates.js") && n.contains("binary content")),
        "{report}"
    );
}

#[test]
fn binary_invalid_utf8_and_syntax_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "package.json",
        br#"{"name":"x","main":"index.js","scripts":{"test":"jest"}}"#,
    );
    write(
        root,
        "index.js",
        b"require('./latin1');\nrequire('./blob');\nrequire('./broken');\n",
    );
    write(
        root,
        "blob.js",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0xff, 0xfe],
    );
    write(root, "latin1.js", b"// caf\xe9\nmodule.exports = 1;\n");
    write(root, "broken.js", b"function (\n");
    write(root, "tool.py", b"# caf\xe9\nprint('x')\n");
    write(root, "img.png", &[0x89, b'P', b'N', b'G', 0, 0, 0]);
    let (_, report, _) = scan(root);
    let n = notes(&report);
    assert!(
        n.iter()
            .any(|n| n.contains("blob.js") && n.contains("binary")),
        "{n:?}"
    );
    assert!(
        n.iter()
            .any(|n| n.contains("latin1.js") && n.contains("UTF-8")),
        "{n:?}"
    );
    let rules = rules_found(&report);
    // broken.js (reachable) and tool.py (Python rejects non-UTF-8 source) do not parse.
    assert_eq!(
        rules
            .iter()
            .filter(|r| *r == "integrity/parse-error")
            .count(),
        2,
        "{rules:?}"
    );
}

#[test]
fn minified_bundles_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "package.json", br#"{"name":"x","main":"index.js"}"#);
    write(root, "index.js", b"module.exports = 1;\n");
    // 5 MB of one-line JavaScript, with and without a .min name.
    let line = "var a=1;".repeat(5 * 1024 * 1024 / 8);
    write(root, "public/app.js", line.as_bytes());
    write(root, "public/vendor.min.js", b"var a=1;");
    let mid = format!("{}\n", "x=1;".repeat(30_000));
    write(root, "public/mid.js", mid.as_bytes());
    let (_, report, _) = scan(root);
    let n = notes(&report);
    assert!(
        n.iter()
            .any(|n| n.contains("public/app.js") && n.contains("too large")),
        "{n:?}"
    );
    assert!(
        n.iter()
            .any(|n| n.contains("vendor.min.js") && n.contains("minified")),
        "{n:?}"
    );
    assert!(
        n.iter()
            .any(|n| n.contains("mid.js") && n.contains("minified")),
        "{n:?}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "package.json", br#"{"name":"x","main":"index.js"}"#);
    write(root, "index.js", b"require('./secret');\n");
    write(root, "secret.js", b"module.exports = 1;\n");
    std::os::unix::fs::symlink(root, root.join("loop")).expect("symlink");
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling.js")).expect("symlink");
    std::fs::set_permissions(
        root.join("secret.js"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    let unreadable = std::fs::read(root.join("secret.js")).is_err();
    let (_, report, _) = scan(root);
    if unreadable {
        assert!(
            notes(&report)
                .iter()
                .any(|n| n.contains("secret.js") && n.contains("unreadable")),
            "{:?}",
            notes(&report)
        );
    }
    // Root can read 0o000 files; either way the scan finished without a panic.
    std::fs::set_permissions(
        root.join("secret.js"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
}

#[test]
fn broken_manifests_and_configs_are_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "package.json", b"{ \"name\": \"x\", ");
    write(root, "index.js", b"module.exports = 1;\n");
    write(root, "api/pyproject.toml", b"[project\nname=");
    write(root, "api/app.py", b"print(1)\n");
    write(root, "docker-compose.yml", b"services: [unclosed");
    write(
        root,
        ".env.production",
        // The value must not be the word the note uses: values are scrubbed from output.
        b"NODE_ENV=production\nTOKEN=\"abc\n",
    );
    let (code, report, _) = scan(root);
    assert_eq!(code, 0);
    let n = notes(&report);
    assert!(n.iter().any(|n| n.contains("broken package.json")), "{n:?}");
    assert!(
        n.iter()
            .any(|n| n.contains("broken pyproject.toml") && n.contains("line 1")),
        "{n:?}"
    );
    assert!(n.iter().any(|n| n.contains("broken compose file")), "{n:?}");
    assert!(
        n.iter()
            .any(|n| n.contains(".env.production") && n.contains("unterminated")),
        "{n:?}"
    );
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let depth = 5_000;
    let js = format!(
        "module.exports = {}1{};\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let py = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    write(root, "deep.js", js.as_bytes());
    write(root, "deep.py", py.as_bytes());
    // Just under the limit still parses (on the worker's large stack).
    let ok_depth = 900;
    let js_ok = format!(
        "module.exports = {}1{};\n",
        "[".repeat(ok_depth),
        "]".repeat(ok_depth)
    );
    let py_ok = format!("x = {}1{}\n", "(".repeat(ok_depth), ")".repeat(ok_depth));
    write(root, "nested.js", js_ok.as_bytes());
    write(root, "nested.py", py_ok.as_bytes());
    let (_, report, _) = scan(root);
    let n = notes(&report);
    assert!(
        n.iter()
            .any(|n| n.contains("deep.js") && n.contains("nested")),
        "{n:?}"
    );
    assert!(
        n.iter()
            .any(|n| n.contains("deep.py") && n.contains("nested")),
        "{n:?}"
    );
    assert!(
        !n.iter()
            .any(|n| n.contains("nested.js") || n.contains("nested.py")),
        "{n:?}"
    );
    assert!(
        !rules_found(&report)
            .iter()
            .any(|r| r == "integrity/parse-error"),
        "{:?}",
        rules_found(&report)
    );
}

#[test]
fn long_operator_chains_are_walked_or_skipped_never_a_crash() {
    // A string concatenation of N terms is one left-deep tree of depth N. Up to the limit
    // the recursive walks descend it (on the workers' large stacks); beyond it (generated
    // code) the file is skipped with a note.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let terms = vec!["'SELECT 1 FROM t'"; 5_000].join(" +\n");
    let js = format!(
        "const {{ Telegraf }} = require('telegraf');\nconst q = {terms};\nconst bot = new Telegraf(process.env.BOT_TOKEN);\nbot.command('help', (ctx) => ctx.reply(q));\nbot.launch();\n"
    );
    write(root, "index.js", js.as_bytes());
    let huge = vec!["1"; 200_000].join("+\n");
    write(root, "generated.py", format!("x = ({huge})\n").as_bytes());
    write(
        root,
        "generated.js",
        format!("module.exports = {huge};\n").as_bytes(),
    );
    write(
        root,
        "package.json",
        br#"{"name":"chain","main":"index.js","dependencies":{"telegraf":"^4.16.3"}}"#,
    );
    let (code, report, _) = scan(root);
    assert_eq!(code, 0, "--fail-on never");
    assert!(
        rules_found(&report)
            .iter()
            .any(|r| r == "bot/start-handler-missing"),
        "{:?}",
        rules_found(&report)
    );
    let n = notes(&report);
    for file in ["generated.py", "generated.js"] {
        assert!(
            n.iter()
                .any(|n| n.contains(file) && n.contains("operations deep")),
            "{n:?}"
        );
    }
}
