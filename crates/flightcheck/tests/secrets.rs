//! Secrets never reach any output: a repository with hard-coded credentials, a committed env
//! file and a token that only git history holds, scanned in every format. Every credential
//! here is made up; none is or was valid.

mod common;

use common::bin;
use std::path::Path;
use std::process::Command;

const TELEGRAM: &str = "7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o";
const HISTORY_TOKEN: &str = "6120937485:AAFq8Wk2Lr5Tz9Xc3Vb7Nm1Hs4Dj6Gp0Ye2";
const STRIPE: &str = "sk_live_51Nq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7Nb2Xv4Ty6";
/// Lower-case hex: the generic line redaction alone would not recognise it.
const TWILIO: &str = "8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5";
const JWT_SECRET: &str = "Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA";
const DB_PASSWORD: &str = "Wq8zN3kL5vR2mX7p";
const PEM_LINE: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDZr8Kx2Lw9TvB4m";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
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
    assert!(out.status.success(), "git {args:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn leaky_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "package.json",
        r#"{"name":"shop-bot","main":"src/index.js","dependencies":{"telegraf":"^4.16.0","stripe":"^14.0.0"}}"#,
    );
    write(
        root,
        "src/index.js",
        &format!(
            "const {{ Telegraf }} = require('telegraf');\nconst stripe = require('stripe')('{STRIPE}');\nconst bot = new Telegraf('{TELEGRAM}');\nbot.start((ctx) => ctx.reply('hi'));\nbot.launch();\nmodule.exports = {{ stripe }};\n"
        ),
    );
    write(
        root,
        "sms.py",
        &format!("TWILIO_AUTH_TOKEN = \"{TWILIO}\"\nJWT_SECRET = \"{JWT_SECRET}\"\n"),
    );
    let pem_body: String = (0..20).map(|_| format!("{PEM_LINE}\n")).collect();
    write(
        root,
        "deploy/key.pem",
        &format!("-----BEGIN PRIVATE KEY-----\n{pem_body}-----END PRIVATE KEY-----\n"),
    );
    write(root, ".env", &format!("BOT_TOKEN={HISTORY_TOKEN}\n"));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "first"]);
    std::fs::remove_file(root.join(".env")).expect("rm");
    write(root, ".gitignore", ".env\n");
    write(
        root,
        ".env.production",
        &format!(
            "NODE_ENV=production\nJWT_SECRET={JWT_SECRET}\nDATABASE_URL=postgres://shop:{DB_PASSWORD}@db.internal.example.net:5432/shop\n"
        ),
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "second"]);
    dir
}

/// Pieces of `secret` longer than a preview shows: its whole value and windows of its tail.
fn pieces(secret: &str) -> Vec<&str> {
    let mut out = vec![secret];
    let mut start = 4;
    while start + 8 <= secret.len() {
        out.push(&secret[start..start + 8]);
        start += 6;
    }
    out
}

#[test]
fn no_output_format_prints_a_secret() {
    let repo = leaky_repository();
    let secrets = [
        TELEGRAM,
        HISTORY_TOKEN,
        STRIPE,
        TWILIO,
        JWT_SECRET,
        DB_PASSWORD,
        PEM_LINE,
    ];
    for format in ["pretty", "markdown", "json", "sarif", "junit", "github"] {
        let out = bin()
            .arg("scan")
            .arg(repo.path())
            .args(["--format", format, "--select", "security/", "--no-progress"])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: blockers fail the gate\n{text}"
        );
        for secret in secrets {
            for piece in pieces(secret) {
                assert!(
                    !text.contains(piece),
                    "{format} output shows `{piece}` of a secret:\n{text}"
                );
            }
        }
        // The findings are there, identified by their previews.
        for shown in ["7391…(46)", "6120…(46)", "sk_l…(64)", "8f3c…(32)"] {
            assert!(
                text.contains(shown),
                "{format} output lacks {shown}:\n{text}"
            );
        }
    }
}

#[test]
fn code_frames_show_the_preview_in_place_of_the_value() {
    let repo = leaky_repository();
    let out = bin()
        .arg("scan")
        .arg(repo.path())
        .args([
            "--format",
            "pretty",
            "--select",
            "security/hardcoded-secret",
            "--no-progress",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("TWILIO_AUTH_TOKEN = \"8f3c…(32)\""),
        "the frame keeps the line with the value replaced:\n{text}"
    );
    assert!(
        text.contains("new Telegraf('7391…(46)')"),
        "the frame keeps the line with the value replaced:\n{text}"
    );
}
