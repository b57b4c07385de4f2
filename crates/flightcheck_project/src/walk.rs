//! The file walk: .gitignore-aware, parallel, skipping dependencies, virtualenvs, build
//! output, vendored and minified files, never following symlinks (so loops cannot hang it).

use crate::ignorefile::IgnoreRules;
use flightcheck_core::{Language, Note};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Source files above this size are treated as generated bundles and skipped.
pub const MAX_SOURCE_BYTES: u64 = 1024 * 1024;

/// Directory names never descended into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    ".yarn",
    ".pnpm-store",
    "__pycache__",
    ".venv",
    "venv",
    ".virtualenv",
    "virtualenv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".output",
    ".vercel",
    ".serverless",
    "coverage",
    ".nyc_output",
    ".turbo",
    ".cache",
    ".parcel-cache",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "target",
    ".idea",
    ".vscode",
    ".eggs",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Source(Language),
    /// package.json, pyproject.toml, requirements*.txt, setup.py, setup.cfg, Pipfile.
    Manifest,
    Env,
    /// Dockerfile, compose, Procfile, systemd units, platform configs.
    Deploy,
    /// CI workflow definitions.
    Ci,
    /// tsconfig/jsconfig.
    TsConfig,
    /// Markdown and other docs.
    Doc,
    /// A `.gitignore` file.
    GitIgnore,
    /// `.sql` and `.prisma` files: migrations and schemas.
    Schema,
    /// A test file of a language the scan does not parse (`*_test.go`, `*Test.java`):
    /// listed, never read, so that a project's tests in another language count.
    ForeignTest,
    /// Shell scripts (`.sh`, `.bash`) and Makefiles: what deploy commands may run.
    Script,
    /// Config and key files (`.json`, `.yaml`, `.toml`, `.ini`, `.cfg`, `.conf`,
    /// `.properties`, `.pem`, `.key`, `id_rsa`), not lockfiles: scanned for credentials.
    Config,
    Other,
}

#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Relative to the scan root, forward slashes.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    pub kind: FileKind,
}

pub fn classify(rel: &str) -> FileKind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if name == ".gitignore" {
        return FileKind::GitIgnore;
    }
    if crate::ci::is_ci_file(rel) {
        return FileKind::Ci;
    }
    if matches!(
        name,
        "package.json" | "pyproject.toml" | "setup.cfg" | "Pipfile"
    ) || (lower.starts_with("requirements") && lower.ends_with(".txt"))
        || rel.contains("requirements/") && lower.ends_with(".txt")
    {
        return FileKind::Manifest;
    }
    if is_env_file_name(name) {
        return FileKind::Env;
    }
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || ((lower.starts_with("docker-compose") || lower.starts_with("compose"))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || name == "Procfile"
        || lower.ends_with(".service")
        || matches!(
            lower.as_str(),
            "fly.toml"
                | "render.yaml"
                | "railway.json"
                | "railway.toml"
                | "app.json"
                | "vercel.json"
                | "nixpacks.toml"
                | "heroku.yml"
                | "serverless.yml"
                | "serverless.yaml"
                | "ecosystem.config.js"
                | "ecosystem.config.cjs"
                | "ecosystem.config.mjs"
                | "ecosystem.config.json"
                | "ecosystem.json"
        )
        || is_kubernetes_manifest(rel, &lower)
    {
        return FileKind::Deploy;
    }
    if (lower.starts_with("tsconfig") || lower.starts_with("jsconfig")) && lower.ends_with(".json")
    {
        return FileKind::TsConfig;
    }
    if matches!(
        name,
        "Makefile" | "makefile" | "GNUmakefile" | "crontab" | "Crontab"
    ) || lower.ends_with(".cron")
        || rel.contains("cron.d/")
    {
        return FileKind::Script;
    }
    if lower.ends_with(".md") || lower.ends_with(".rst") || lower.ends_with(".txt") {
        return FileKind::Doc;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if is_config_name(&lower, ext) {
        return FileKind::Config;
    }
    match ext {
        "js" | "jsx" | "mjs" | "cjs" => FileKind::Source(Language::JavaScript),
        "ts" | "tsx" | "mts" | "cts" => FileKind::Source(Language::TypeScript),
        "py" => FileKind::Source(Language::Python),
        "sql" | "prisma" => FileKind::Schema,
        "sh" | "bash" => FileKind::Script,
        _ if is_foreign_test(name) => FileKind::ForeignTest,
        _ => FileKind::Other,
    }
}

/// Test files of languages the scan does not parse, by their ecosystem's convention.
pub fn is_foreign_test(name: &str) -> bool {
    name.ends_with("_test.go")
        || name.ends_with("_test.rs")
        || name.ends_with("Test.java")
        || name.ends_with("Tests.java")
        || name.ends_with("_spec.rb")
        || name.ends_with("Test.cs")
        || name.ends_with("Tests.cs")
        || name.ends_with("Test.kt")
        || name.ends_with("Tests.kt")
        // PHPUnit and Pest (`tests/Feature/LoginTest.php`).
        || (name.ends_with("Test.php") && name.len() > "Test.php".len())
}

/// YAML in a Kubernetes manifests folder (`k8s/`, `kubernetes/`, `deploy/`, `manifests/`)
/// or named for it (`k8s.yaml`, `bot.k8s.yml`); Helm chart templates are not YAML yet.
fn is_kubernetes_manifest(rel: &str, lower_name: &str) -> bool {
    if !(lower_name.ends_with(".yml") || lower_name.ends_with(".yaml")) {
        return false;
    }
    let dirs: Vec<String> = rel
        .split('/')
        .rev()
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    if dirs.iter().any(|d| d == "templates") {
        return false;
    }
    lower_name.starts_with("k8s")
        || lower_name.contains(".k8s.")
        || dirs.iter().any(|d| {
            matches!(
                d.as_str(),
                "k8s"
                    | ".k8s"
                    | "kubernetes"
                    | "kube"
                    | "manifests"
                    | "deploy"
                    | "deployment"
                    | "deployments"
            )
        })
}

/// Config and key files, not lockfiles or generated manifests.
fn is_config_name(lower: &str, ext: &str) -> bool {
    let lockfile = matches!(
        lower,
        "package-lock.json" | "npm-shrinkwrap.json" | "pnpm-lock.yaml" | "composer.lock"
    );
    let key_file = matches!(lower, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519");
    // Firebase security rules: what the database lets its clients do.
    let firebase_rules = matches!(lower, "firestore.rules" | "storage.rules");
    key_file
        || firebase_rules
        || (!lockfile
            && matches!(
                ext,
                "json"
                    | "yaml"
                    | "yml"
                    | "toml"
                    | "ini"
                    | "cfg"
                    | "conf"
                    | "properties"
                    | "pem"
                    | "key"
                    | "p8"
            ))
}

/// `.env`, `.env.production`, `prod.env`, `.env.example`, and the copies editors and file
/// managers make (`.env copy`, `.env (1)`, `.env-prod`, `.env_old`)... (not `.envrc`, not
/// `env.py`).
pub fn is_env_file_name(name: &str) -> bool {
    name == ".env"
        || name
            .strip_prefix(".env")
            .is_some_and(|rest| rest.starts_with(['.', ' ', '-', '_', '(']))
        || (name.ends_with(".env") && name.len() > 4)
}

/// Bundles and minified files by name.
fn is_minified_name(lower: &str) -> bool {
    [
        ".min.js",
        ".min.mjs",
        ".min.cjs",
        ".bundle.js",
        "-bundle.js",
        ".chunk.js",
        ".packed.js",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
}

fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// The kind of a walked file, or `None` (with a note when worth saying) for files the scan
/// skips: unknown kinds, minified bundles, sources too large to be hand-written.
/// The kind of an extensionless script by its `#!` line: `bin/www` of an Express
/// generator app (`#!/usr/bin/env node`) is JavaScript, an `entrypoint` with
/// `#!/bin/sh` a shell script. Only the first 128 bytes are read.
fn kind_by_shebang(abs: &Path) -> Option<FileKind> {
    use std::io::Read;
    let mut head = [0u8; 128];
    let n = std::fs::File::open(abs).ok()?.read(&mut head).ok()?;
    let first = head[..n].split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(first).ok()?;
    let interpreter = line.strip_prefix("#!")?;
    if interpreter.contains("node") {
        Some(FileKind::Source(Language::JavaScript))
    } else if interpreter.contains("python") {
        Some(FileKind::Source(Language::Python))
    } else if interpreter.contains("sh") {
        Some(FileKind::Script)
    } else {
        None
    }
}

fn admit(rel: &str, abs: &Path, size: u64, notes: &Mutex<Vec<Note>>) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let kind = match classify(rel) {
        FileKind::Other if !name.contains('.') && size > 2 && size <= MAX_SOURCE_BYTES => {
            kind_by_shebang(abs).unwrap_or(FileKind::Other)
        }
        kind => kind,
    };
    // YAML stays: Kubernetes manifests are recognised by content during discovery.
    let yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
    if kind == FileKind::Other && !yaml {
        return None;
    }
    if let FileKind::Source(_) = kind {
        let lower = rel.to_ascii_lowercase();
        let skip = if is_minified_name(&lower) {
            Some("skipped: minified or bundled file".to_string())
        } else if size > MAX_SOURCE_BYTES {
            Some(format!(
                "skipped: {:.1} MB is too large for hand-written source (treated as generated)",
                size as f64 / 1_048_576.0
            ))
        } else {
            None
        };
        if let Some(message) = skip {
            if let Ok(mut n) = notes.lock() {
                n.push(Note::file(rel, message));
            }
            return None;
        }
    }
    Some(kind)
}

/// Adds files that git tracks but `.gitignore` matches (`src/config/*` ignored after the
/// files were committed): they are in every clone, so they run.
pub fn add_tracked(
    root: &Path,
    result: &mut WalkResult,
    tracked: &std::collections::BTreeSet<String>,
) {
    let known: std::collections::HashSet<&str> =
        result.files.iter().map(|f| f.rel.as_str()).collect();
    let notes = Mutex::new(Vec::new());
    let mut extra = Vec::new();
    for rel in tracked {
        if known.contains(rel.as_str()) || rel.split('/').any(|c| SKIP_DIRS.contains(&c)) {
            continue;
        }
        let abs = root.join(rel);
        // Symlinks are not followed, as in the walk.
        let Ok(meta) = std::fs::symlink_metadata(&abs) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if let Some(kind) = admit(rel, &abs, meta.len(), &notes) {
            extra.push(WalkedFile {
                rel: rel.clone(),
                abs,
                size: meta.len(),
                kind,
            });
        }
    }
    if extra.is_empty() {
        return;
    }
    result.files.extend(extra);
    result.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    result.notes.extend(notes.into_inner().unwrap_or_default());
    result.notes.sort();
}

/// What a [`LocalFile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalKind {
    /// An env file (`.env`, `.env.production`, `prod.env`...).
    Env,
    /// A file named like a SQLite database (`*.db`, `*.sqlite`, `*.sqlite3`, `*.db3`).
    Sqlite,
}

/// A file that holds this machine's configuration or data, found whether or not a
/// `.gitignore` hides it: the real `.env` and the database of a deployed service are
/// gitignored, yet they are what runs.
#[derive(Debug, Clone)]
pub struct LocalFile {
    pub rel: String,
    pub abs: PathBuf,
    pub kind: LocalKind,
}

/// Directory depth the search for local files goes to (env files and databases live near
/// the project roots).
const LOCAL_FILE_DEPTH: usize = 6;

fn is_sqlite_name(lower: &str) -> bool {
    [".db", ".sqlite", ".sqlite3", ".db3"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Whether `rel` lies in a folder the walk never descends into (`node_modules/`, `venv/`,
/// `dist/`…).
pub fn in_skipped_dir(rel: &str) -> bool {
    let mut dirs = rel.split('/').rev().skip(1);
    dirs.any(|d| SKIP_DIRS.contains(&d))
}

/// Env files and SQLite databases under `root`, including the ones `.gitignore` hides;
/// dependency, virtualenv and build directories are still skipped, and symlinks are not
/// followed.
pub fn local_files(root: &Path, threads: usize) -> Vec<LocalFile> {
    let found = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(false)
        .git_exclude(false)
        .git_global(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .max_depth(Some(LOCAL_FILE_DEPTH))
        .threads(threads)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(SKIP_DIRS.contains(&name.as_ref()) || is_virtualenv(entry.path()))
        });
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |result| {
            let Ok(entry) = result else {
                return WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let name = entry.file_name().to_string_lossy();
            let kind = if is_env_file_name(&name) {
                LocalKind::Env
            } else if is_sqlite_name(&name.to_ascii_lowercase()) {
                LocalKind::Sqlite
            } else {
                return WalkState::Continue;
            };
            if let Ok(mut f) = found.lock() {
                f.push(LocalFile {
                    rel: rel_of(root, entry.path()),
                    abs: entry.path().to_path_buf(),
                    kind,
                });
            }
            WalkState::Continue
        })
    });
    let mut files = found.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

/// Permission bits (`0o644`) of a file or directory, without following symlinks; `None`
/// on platforms without Unix modes or when the file cannot be read.
pub fn unix_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

pub struct WalkResult {
    pub files: Vec<WalkedFile>,
    pub notes: Vec<Note>,
}

fn rel_of(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = flightcheck_core::text::slash_path(rel);
    if s.is_empty() { ".".to_string() } else { s }
}

/// Walks `root` with `threads` threads. Results are sorted by path (deterministic).
pub fn walk(root: &Path, threads: usize) -> WalkResult {
    let files = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    // Ignore files are applied by our own bounded reader, not the walker's (which follows
    // a `.gitignore` symlinked to /dev/zero): see `ignorefile`.
    let rules = std::sync::Arc::new(IgnoreRules::new(root));
    let filter_rules = std::sync::Arc::clone(&rules);
    let filter_root = root.to_path_buf();
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(false)
        .git_exclude(false)
        .git_global(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                let name = entry.file_name().to_string_lossy();
                if SKIP_DIRS.contains(&name.as_ref()) || is_virtualenv(entry.path()) {
                    return false;
                }
            }
            let rel = entry
                .path()
                .strip_prefix(&filter_root)
                .unwrap_or(entry.path());
            !filter_rules.is_ignored(rel, is_dir)
        });
    builder.build_parallel().run(|| {
        let files = &files;
        let notes = &notes;
        Box::new(move |result| {
            let entry = match result {
                Ok(e) => e,
                Err(err) => {
                    let msg = err.to_string();
                    if let Ok(mut n) = notes.lock() {
                        n.push(Note::general(format!("walk error: {msg}")));
                    }
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if ft.is_dir() {
                return WalkState::Continue;
            }
            let rel = rel_of(root, entry.path());
            if !ft.is_file() {
                // Symlinks are not followed (a link can point out of the root, at a device
                // or into a loop); special files are never opened. Said so when the name is
                // one the scan would have read.
                if classify(&rel) != FileKind::Other
                    && let Ok(mut n) = notes.lock()
                {
                    let what = flightcheck_core::read::kind_name(&ft);
                    let why = if ft.is_symlink() {
                        format!("skipped: {what} (links are not followed)")
                    } else {
                        flightcheck_core::read::Skip::NotRegular(what).to_string()
                    };
                    n.push(Note::file(&rel, why));
                }
                return WalkState::Continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let Some(kind) = admit(&rel, entry.path(), size, notes) else {
                return WalkState::Continue;
            };
            if let Ok(mut f) = files.lock() {
                f.push(WalkedFile {
                    rel,
                    abs: entry.path().to_path_buf(),
                    size,
                    kind,
                });
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut notes = notes.into_inner().unwrap_or_default();
    if let Ok(mut ignore_notes) = rules.notes.lock() {
        notes.append(&mut ignore_notes);
    }
    notes.sort();
    notes.dedup();
    WalkResult { files, notes }
}

#[cfg(test)]
mod tests {

    #[test]
    fn extensionless_scripts_by_their_shebang() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        };
        let www = write("www", "#!/usr/bin/env node\nrequire('../app');\n");
        let tool = write("manage", "#!/usr/bin/env python3\nprint(1)\n");
        let entry = write("entrypoint", "#!/bin/sh\nexec node server.js\n");
        let notes = write("NOTES", "plain text\n");
        assert_eq!(
            kind_by_shebang(&www),
            Some(FileKind::Source(Language::JavaScript))
        );
        assert_eq!(
            kind_by_shebang(&tool),
            Some(FileKind::Source(Language::Python))
        );
        assert_eq!(kind_by_shebang(&entry), Some(FileKind::Script));
        assert_eq!(kind_by_shebang(&notes), None);
    }

    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("src/a.ts"), FileKind::Source(Language::TypeScript));
        assert_eq!(classify("bot/main.py"), FileKind::Source(Language::Python));
        assert_eq!(classify(".env.production"), FileKind::Env);
        assert_eq!(classify("config/prod.env"), FileKind::Env);
        assert_eq!(classify(".envrc"), FileKind::Other);
        assert_eq!(classify(".env copy"), FileKind::Env);
        assert_eq!(classify(".env (1)"), FileKind::Env);
        assert_eq!(classify(".env-prod"), FileKind::Env);
        assert_eq!(classify(".envrc.local"), FileKind::Other);
        assert_eq!(classify("Dockerfile"), FileKind::Deploy);
        assert_eq!(classify("docker-compose.prod.yml"), FileKind::Deploy);
        assert_eq!(classify(".github/workflows/ci.yml"), FileKind::Ci);
        assert_eq!(classify(".circleci/config.yml"), FileKind::Ci);
        assert_eq!(classify(".woodpecker/test.yaml"), FileKind::Ci);
        assert_eq!(classify(".drone.yml"), FileKind::Ci);
        assert_eq!(classify("Jenkinsfile"), FileKind::Ci);
        assert_eq!(classify(".github/actions/setup/action.yml"), FileKind::Ci);
        assert_eq!(classify(".github/ISSUE_TEMPLATE/bug.yml"), FileKind::Config);
        assert_eq!(classify("requirements-dev.txt"), FileKind::Manifest);
        // setup.py is Python that runs (and may be a plain module); it still marks a project.
        assert_eq!(classify("setup.py"), FileKind::Source(Language::Python));
        assert_eq!(classify("README.md"), FileKind::Doc);
        assert_eq!(classify("logo.png"), FileKind::Other);
        assert_eq!(classify("db/migrations/001_init.sql"), FileKind::Schema);
        assert_eq!(classify("prisma/schema.prisma"), FileKind::Schema);
        assert_eq!(classify("docker-entrypoint.sh"), FileKind::Script);
        assert_eq!(classify("Makefile"), FileKind::Script);
        assert_eq!(classify("deploy/crontab"), FileKind::Script);
        assert_eq!(classify("ops/cron.d/bot-backup"), FileKind::Script);
        assert_eq!(classify("heroku.yml"), FileKind::Deploy);
        assert_eq!(classify("k8s/bot.yaml"), FileKind::Deploy);
        assert_eq!(classify("deploy/kubernetes/pod.yml"), FileKind::Deploy);
        // Helm templates are not deploy files (not YAML yet); still read for secrets.
        assert_eq!(
            classify("charts/bot/templates/deployment.yaml"),
            FileKind::Config
        );
        assert_eq!(classify("config.json"), FileKind::Config);
        assert_eq!(classify("config/settings.yaml"), FileKind::Config);
        assert_eq!(classify("certs/server.pem"), FileKind::Config);
        assert_eq!(classify("package-lock.json"), FileKind::Other);
        assert_eq!(classify("tsconfig.json"), FileKind::TsConfig);
        assert_eq!(
            classify("tests/Feature/LoginTest.php"),
            FileKind::ForeignTest
        );
        assert_ne!(classify("app/Test.php"), FileKind::ForeignTest);
    }
}
