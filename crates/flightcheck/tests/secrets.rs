//! Secrets never reach any output: a repository with hard-coded credentials, a committed env
//! file and a token that only git history holds, scanned in every format. Every credential
//! here is made up; none is or was valid.

mod common;

use common::{bin, git, write};

const TELEGRAM: &str = "7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o";
const HISTORY_TOKEN: &str = "6120937485:AAFq8Wk2Lr5Tz9Xc3Vb7Nm1Hs4Dj6Gp0Ye2";
const STRIPE: &str = "sk_live_51Nq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7Nb2Xv4Ty6";
/// Lower-case hex: the generic line redaction alone would not recognise it.
const TWILIO: &str = "8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5";
const JWT_SECRET: &str = "Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA";
const DB_PASSWORD: &str = "Wq8zN3kL5vR2mX7p";
const PEM_LINE: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDZr8Kx2Lw9TvB4m";

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
        format!(
            "const {{ Telegraf }} = require('telegraf');\nconst stripe = require('stripe')('{STRIPE}');\nconst bot = new Telegraf('{TELEGRAM}');\nbot.start((ctx) => ctx.reply('hi'));\nbot.launch();\nmodule.exports = {{ stripe }};\n"
        ),
    );
    write(
        root,
        "sms.py",
        format!("TWILIO_AUTH_TOKEN = \"{TWILIO}\"\nJWT_SECRET = \"{JWT_SECRET}\"\n"),
    );
    let pem_body: String = (0..20).map(|_| format!("{PEM_LINE}\n")).collect();
    write(
        root,
        "deploy/key.pem",
        format!("-----BEGIN PRIVATE KEY-----\n{pem_body}-----END PRIVATE KEY-----\n"),
    );
    write(root, ".env", format!("BOT_TOKEN={HISTORY_TOKEN}\n"));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "first"]);
    std::fs::remove_file(root.join(".env")).expect("rm");
    write(root, ".gitignore", ".env\n");
    write(
        root,
        ".env.production",
        format!(
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

/// One made-up credential per place a string of the report can come from.
const PLANTED: [(&str, &str); 12] = [
    (
        "code literal",
        "sk_live_51Pz7YqLw3Kx9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7Nb2Xv4Ty6",
    ),
    ("env file", "4815162342:AAEx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o"),
    (
        "history-only env file",
        "5061728394:AAFq8Wk2Lr5Tz9Xc3Vb7Nm1Hs4Dj6Gp0Ye2",
    ),
    (
        "compose",
        "rk_live_51Mx4TqHw8Zr2Kp5Vb9Nc3Ld7Fg1Js6Aq0We4Ry8UiOp2As5Df",
    ),
    ("CI YAML", "ghp_Rw7Yq2Lp9Xk4Tz8Vb3Nm6Hs1Dj5Gf0Ac2Qe7"),
    (
        "README claim",
        "sk_live_51Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik9Ol0Pz1Xc2Vb3Nm4Lk5Jh6Gf",
    ),
    (
        "comment",
        "xoxb-2048730956-4096218397513-Kq7Wn2Lp9Xr4Tz8Vb3Nm6Hs",
    ),
    (
        "localhost URL",
        "6172839405:AAGt5Rz8Qw2Lp7Xk4Tz9Vb3Nm6Hs1Dj5Gf0",
    ),
    (
        "parse error",
        "sk_live_51Rb3Xc4Vd5Bf6Ng7Hm8Jk9Lq0Wp1Eo2Ri3Tu4Yy5Za6Sx",
    ),
    ("suppression reason", "glpat-Zx8Cv7Bn6Mq5Wl4Ek3Rj"),
    ("database password", "Hv7!Kq$2#Lp&9Xz"),
    (
        "file name",
        "sk_live_51Tc4Yd5Ze6Af7Bg8Ch9Di0Ej1Fk2Gl3Hm4In5Jo6Kp7Lq8Mr",
    ),
];

fn planted(source: &str) -> &'static str {
    PLANTED
        .iter()
        .find(|(s, _)| *s == source)
        .map(|(_, v)| *v)
        .expect("planted")
}

/// A repository with a credential in every place a report string can come from.
fn planted_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "package.json",
        r#"{"name":"shop-bot","main":"src/index.js","dependencies":{"telegraf":"^4.16.0","stripe":"^14.0.0","pg":"^8.11.0"}}"#,
    );
    write(
        root,
        "src/index.js",
        format!(
            "const {{ Telegraf }} = require('telegraf');\n\
             const {{ Pool }} = require('pg');\n\
             // old key, rotated: {comment}\n\
             const stripe = require('stripe')('{literal}');\n\
             // flightcheck-ignore security/hardcoded-secret -- reviewed with {reason}\n\
             const pool = new Pool({{ connectionString: 'postgres://shop:{db}@db.prod.example.net:5432/shop' }});\n\
             const bot = new Telegraf(process.env.BOT_TOKEN);\n\
             bot.start((ctx) => ctx.reply('hi'));\n\
             bot.launch({{ webhook: {{ domain: process.env.WEBHOOK_URL }} }});\n\
             module.exports = {{ stripe, pool }};\n",
            comment = planted("comment"),
            literal = planted("code literal"),
            db = planted("database password"),
            reason = planted("suppression reason"),
        ),
    );
    write(
        root,
        "src/broken.js",
        format!("const key = '{}' +;\n", planted("parse error")),
    );
    // A file that does not parse, named after a key: its name is in the parse-error finding.
    write(
        root,
        format!("src/{}.js", planted("file name")).as_str(),
        "export default {\n",
    );
    write(
        root,
        "README.md",
        format!(
            "# Shop bot\n\nProduction ready: 100% test coverage, uses key {} in production.\n",
            planted("README claim")
        ),
    );
    write(
        root,
        "docker-compose.yml",
        format!(
            "services:\n  bot:\n    build: .\n    restart: always\n    environment:\n      STRIPE_RESTRICTED_KEY: {}\n",
            planted("compose")
        ),
    );
    write(
        root,
        ".github/workflows/deploy.yml",
        format!(
            "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      GITHUB_TOKEN: {}\n    steps:\n      - run: npm ci\n",
            planted("CI YAML")
        ),
    );
    write(
        root,
        ".env",
        format!("BOT_TOKEN={}\n", planted("history-only env file")),
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "first"]);
    std::fs::remove_file(root.join(".env")).expect("rm");
    write(
        root,
        ".env.production",
        format!(
            "NODE_ENV=production\nBOT_TOKEN={}\nWEBHOOK_URL=http://localhost:8443/bot{}\n",
            planted("env file"),
            planted("localhost URL"),
        ),
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "second"]);
    dir
}

/// Every 12-character window of `value`.
fn windows(value: &str) -> Vec<&str> {
    (0..=value.len().saturating_sub(12))
        .filter_map(|i| value.get(i..i + 12))
        .collect()
}

#[test]
fn planted_secrets_in_every_source_reach_no_format_and_no_baseline() {
    let repo = planted_repository();
    let out_dir = tempfile::tempdir().expect("tempdir");
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["pretty", "markdown", "json", "sarif", "junit", "github"] {
        let out = bin()
            .arg("scan")
            .arg(repo.path())
            .args(["--format", format, "--no-progress", "--fail-on", "never"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{format}");
        outputs.push((
            format.to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        ));
    }
    let baseline = out_dir.path().join("baseline.json");
    let out = bin()
        .arg("scan")
        .arg(repo.path())
        .args(["--no-progress", "--fail-on", "never", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    outputs.push((
        "baseline".into(),
        std::fs::read_to_string(&baseline).expect("baseline written"),
    ));
    for (source, value) in PLANTED {
        for (format, text) in &outputs {
            for window in windows(value) {
                assert!(
                    !text.contains(window),
                    "{format} shows `{window}` of the {source} secret:\n{text}"
                );
            }
        }
    }
    // The scan did read those places: the findings are there.
    let json = &outputs[2].1;
    for shown in [
        "sk_l…(64)",
        "4815…(46)",
        "5061…(46)",
        "ghp_…(40)",
        "Production ready: 100% test coverage",
        "config/localhost-in-production",
        "integrity/parse-error",
        "reviewed with",
        "\"file\": \"src/…(",
    ] {
        assert!(json.contains(shown), "json lacks {shown}:\n{json}");
    }
}
