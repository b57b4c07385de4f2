//! End-to-end tests of `flightcheck init`: the generated `flightcheck.toml` describes the
//! detected stack, parses, carries valid examples, and never overwrites by accident.

mod common;

use common::{bin, copy_dir, example};
use flightcheck_core::{CONFIG_FILE_NAME, Category, Config};
use flightcheck_rules::registry;
use std::fs;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create dir");
        }
        fs::write(path, text).expect("write file");
    }
}

/// Runs `flightcheck init ARGS...`: (exit code, stdout, stderr).
fn init(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = bin()
        .arg("init")
        .arg(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn generated(dir: &Path) -> String {
    fs::read_to_string(dir.join(CONFIG_FILE_NAME)).expect("flightcheck.toml written")
}

/// The file with every example (`#key = value`, no space after `#`) uncommented.
fn with_examples(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| !c.is_whitespace() && c != '#') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn known_rule(pattern: &str) -> bool {
    registry::all().iter().any(|r| r.meta.matches(pattern))
}

/// The generated file parses; with its examples uncommented it still parses, names only
/// rules that exist, and shows the default weights.
fn assert_valid(text: &str) -> (Config, Config) {
    let as_written =
        Config::parse(text, CONFIG_FILE_NAME).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let examples = with_examples(text);
    let uncommented = Config::parse(&examples, CONFIG_FILE_NAME)
        .unwrap_or_else(|e| panic!("examples: {e}\n{examples}"));
    uncommented
        .check_rules(&known_rule)
        .unwrap_or_else(|e| panic!("examples: {e}\n{examples}"));
    let defaults: Vec<(Category, u32)> = Category::ALL
        .iter()
        .map(|c| (*c, c.default_weight()))
        .collect();
    assert_eq!(
        uncommented.weights().into_iter().collect::<Vec<_>>(),
        defaults
    );
    assert!(!uncommented.select().is_empty(), "a select example");
    assert!(!uncommented.ignore().is_empty(), "an ignore example");
    assert!(
        !uncommented.entry_points().is_empty(),
        "an entry point example"
    );
    assert!(
        !uncommented.severity_overrides().is_empty(),
        "a severity example"
    );
    assert!(
        !uncommented.per_path_ignores().is_empty(),
        "a per-path example"
    );
    (as_written, uncommented)
}

#[test]
fn booking_bot_config_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("booking-bot");
    copy_dir(&example(), &dir);
    let (code, stdout, stderr) = init(&[], &dir);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stdout.starts_with(&format!("wrote {}\n", dir.join(CONFIG_FILE_NAME).display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("production-env = [\".env.production\"]"),
        "{stdout}"
    );
    let text = generated(&dir);
    let (config, _) = assert_valid(&text);
    assert_eq!(config.production_env(), vec![".env.production"]);
    assert!(config.select().is_empty(), "examples stay commented out");
    assert_eq!(config.weights(), Config::default().weights());
    insta::assert_snapshot!("booking_bot_config", text);
}

#[test]
fn tiny_python_bot_gets_its_stack_and_production_env() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(
        dir,
        &[
            ("requirements.txt", "aiogram==3.4.1\nsqlalchemy\n"),
            ("bot.py", "import asyncio\nfrom aiogram import Bot\n"),
            ("scripts/seed.py", "print('seed')\n"),
            ("Procfile", "worker: python bot.py\n"),
            (".env.example", "BOT_TOKEN=\n"),
            (".env", "BOT_TOKEN=123\nENVIRONMENT=production\n"),
            (".env.test", "BOT_TOKEN=test\n"),
        ],
    );
    let (code, _, stderr) = init(&[], dir);
    assert_eq!(code, 0, "stderr: {stderr}");
    let text = generated(dir);
    let (config, examples) = assert_valid(&text);
    // `.env` sets ENVIRONMENT=production; `.env.test` and the example are not production.
    assert_eq!(config.production_env(), vec![".env"]);
    assert!(text.contains("#   languages:       python\n"), "{text}");
    assert!(
        text.contains("#   frameworks:      aiogram, sqlalchemy\n"),
        "{text}"
    );
    assert!(text.contains("#   package manager: pip\n"), "{text}");
    assert!(text.contains("#   deploy files:    Procfile\n"), "{text}");
    assert!(
        text.contains("#   env files:       .env (production), .env.example (example), .env.test (development)\n"),
        "{text}"
    );
    assert!(
        text.contains("#   entry points:    bot.py (Procfile worker)\n"),
        "{text}"
    );
    // Examples fit the stack: a Telegram bot, a scripts folder, Python rules.
    assert_eq!(examples.select(), vec!["bot/", "security/", "config/"]);
    assert!(examples.ignores("perf/blocking-io-in-async", "scripts/seed.py"));
    assert!(!examples.ignores("perf/blocking-io-in-async", "bot.py"));
}

#[test]
fn monorepo_lists_every_project_with_root_relative_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(
        dir,
        &[
            (
                "packages/bot/package.json",
                r#"{"name": "bot", "main": "index.ts", "dependencies": {"grammy": "1"}}"#,
            ),
            ("packages/bot/index.ts", "import { Bot } from 'grammy';\n"),
            ("packages/bot/.env.production", "BOT_TOKEN=1\n"),
            (
                "packages/api/package.json",
                r#"{"name": "api", "main": "server.js", "dependencies": {"express": "4"}}"#,
            ),
            ("packages/api/server.js", "require('express')\n"),
        ],
    );
    let (code, _, stderr) = init(&[], dir);
    assert_eq!(code, 0, "stderr: {stderr}");
    let text = generated(dir);
    let (config, _) = assert_valid(&text);
    assert!(text.contains("# project api (packages/api)\n"), "{text}");
    assert!(text.contains("# project bot (packages/bot)\n"), "{text}");
    // Paths are relative to the file, at the root: one list serves both projects.
    assert_eq!(config.production_env(), ["packages/bot/.env.production"]);
}

#[test]
fn existing_file_is_kept_unless_forced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(
        dir,
        &[
            ("package.json", r#"{"name": "svc", "main": "index.js"}"#),
            ("index.js", "console.log(1)\n"),
            (CONFIG_FILE_NAME, "select = [\"security/\"]\n"),
        ],
    );
    let (code, stdout, stderr) = init(&[], dir);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        format!(
            "flightcheck: error: {} already exists (use --force to overwrite it)\n",
            dir.join(CONFIG_FILE_NAME).display()
        )
    );
    assert_eq!(generated(dir), "select = [\"security/\"]\n", "untouched");

    let (code, _, stderr) = init(&["--force"], dir);
    assert_eq!(code, 0, "stderr: {stderr}");
    let text = generated(dir);
    assert!(text.starts_with("# flightcheck.toml: settings"), "{text}");
    assert_valid(&text);
}

#[cfg(unix)]
#[test]
fn force_replaces_a_symlinked_config_instead_of_writing_through_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    fs::create_dir(&dir).expect("mkdir");
    write(&dir, &[("index.js", "console.log(1)\n")]);
    let victim = tmp.path().join("victim.txt");
    fs::write(&victim, "keep me\n").expect("write");
    std::os::unix::fs::symlink(&victim, dir.join(CONFIG_FILE_NAME)).expect("symlink");
    let (code, _, stderr) = init(&["--force"], &dir);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "keep me\n");
    let link = fs::symlink_metadata(dir.join(CONFIG_FILE_NAME)).expect("config");
    assert!(link.file_type().is_file(), "the link itself was replaced");
    assert_valid(&generated(&dir));
}

#[test]
fn bad_paths_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let (code, _, stderr) = init(&[], &missing);
    assert_eq!(code, 2);
    assert!(stderr.contains("no such directory"), "{stderr}");
    let file = tmp.path().join("file.txt");
    fs::write(&file, "x").expect("write");
    let (code, _, stderr) = init(&[], &file);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a directory"), "{stderr}");
}

#[test]
fn default_path_is_the_current_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), &[("main.py", "print('hi')\n")]);
    let out = bin()
        .arg("init")
        .current_dir(tmp.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = generated(tmp.path());
    assert_valid(&text);
    assert!(
        text.contains(
            "# No launch command was found: list the files that start the service here.\n"
        ),
        "{text}"
    );
}
