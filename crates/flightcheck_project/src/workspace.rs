//! Discovery: from a root directory to projects, their manifests, env files, deploy
//! definitions and the launch commands that start them.

use crate::deploy::{self, LaunchDecl};
use crate::deployed_env;
use crate::envfile::{self, EnvParse};
use crate::git;
use crate::manifest::{self, PackageJson, PyProject};
use crate::migrations::{self, MigrationCommand, MigrationSet, SchemaTable};
use crate::walk::{self, FileKind, WalkedFile};
use flightcheck_core::{Framework, Language, Note, RuntimeVersion, python_version_in};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub threads: usize,
    /// `--env FILE`: the environment the service is deployed with.
    pub production_env: Vec<PathBuf>,
}

/// How an env file will be used, which decides how strictly config rules judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvRole {
    /// Named with `--env`, named like production, or sets `NODE_ENV=production`.
    Production,
    /// A plain `.env` (or staging): may well be what gets deployed.
    Deployed,
    /// `.env.example` and other templates: documentation, never loaded as is.
    Example,
    /// `.env.development`, `.env.test`, `.env.local`: never deployed.
    Development,
}

impl EnvRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Deployed => "deployed",
            Self::Example => "example",
            Self::Development => "development",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EnvFile {
    /// Relative to the scan root (or as given, for `--env` files outside it).
    pub rel: String,
    pub project: usize,
    pub role: EnvRole,
    /// Why the role was chosen (`--env`, `named .env.production`, `sets NODE_ENV=production`).
    pub role_reason: String,
    pub parsed: EnvParse,
    pub text: String,
    /// Tracked by git (`None` when unknown).
    pub tracked: Option<bool>,
    /// A `.gitignore` hides it: this machine's own configuration (read all the same).
    pub gitignored: bool,
    /// Permission bits on this file system (`0o644`); `None` where there are no Unix modes.
    pub mode: Option<u32>,
}

/// A SQLite database on the scanned file system.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub rel: String,
    pub project: usize,
    /// Permission bits of the file and of its directory; `None` without Unix modes.
    pub mode: Option<u32>,
    pub dir_mode: Option<u32>,
    /// Tracked by git (`None` when unknown).
    pub tracked: Option<bool>,
    /// Row counts per table, read from the file for databases git tracks (`None` when not
    /// tracked, too large or unreadable).
    pub tables: Option<Vec<crate::sqlite::TableRows>>,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Directory relative to the scan root, `.` for the root.
    pub root: String,
    pub name: String,
    pub manifests: Vec<String>,
    pub package_json: Option<PackageJson>,
    pub pyproject: Option<PyProject>,
    pub python_deps: BTreeSet<String>,
    /// Why the Python dependencies cannot all be read (`-r`/`-e`/URL lines, setup.py,
    /// setup.cfg, Pipfile, dynamic pyproject dependencies): the first manifest that says so.
    pub python_deps_unreadable: Option<String>,
    /// Frameworks declared in manifests (imports add more later).
    pub frameworks: BTreeSet<Framework>,
    pub package_manager: Option<String>,
    /// Packages the JS lockfile at the root installs (direct and transitive); `None` without
    /// a lockfile.
    pub locked_packages: Option<BTreeSet<String>>,
    pub deploy_files: Vec<String>,
    pub ci_files: Vec<String>,
    pub doc_files: Vec<String>,
    /// The Python version the project runs on, when the repository says.
    pub python_target: Option<RuntimeVersion>,
    /// Words of the project's deploy files (compose, Dockerfile, Procfile, platform
    /// configs): the variables and images they mention (`POSTGRES_PASSWORD`, `env_file`,
    /// `postgres`), to tell what the deployment provisions itself.
    pub deploy_words: BTreeSet<String>,
}

impl Project {
    /// Directories that Procfiles of the project run their commands in: Heroku and Render
    /// start `gunicorn main:app` or `python -m bot` in the Procfile's directory, so that
    /// directory is on `sys.path` for every module the process loads.
    pub fn procfile_dirs(&self) -> impl Iterator<Item = &str> {
        self.deploy_files
            .iter()
            .filter_map(|d| match d.rsplit_once('/') {
                Some((dir, "Procfile")) => Some(dir),
                _ => None,
            })
    }
}

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub files: Vec<WalkedFile>,
    /// Project index of every file.
    pub file_project: Vec<usize>,
    pub projects: Vec<Project>,
    pub launches: Vec<LaunchDecl>,
    pub env_files: Vec<EnvFile>,
    /// SQLite databases (found whether or not `.gitignore` hides them).
    pub data_files: Vec<DataFile>,
    pub tracked: Option<BTreeSet<String>>,
    pub notes: Vec<Note>,
    /// Migration folders (see [`crate::migrations`]).
    pub migration_sets: Vec<MigrationSet>,
    /// Tables created by `.sql` files and defined by prisma models.
    pub schema_tables: Vec<SchemaTable>,
    /// Commands that run migrations, and whether they run on deploy.
    pub migration_commands: Vec<MigrationCommand>,
    /// Command lines of the CI configurations (see [`crate::ci`]).
    pub ci_steps: Vec<crate::ci::CiStep>,
    /// CI files that could not be read or parsed: what CI runs is then not fully known.
    pub ci_broken: Vec<String>,
    /// Commands that CI runs (or shows, inactive) to run tests (see [`crate::testruns`]).
    pub test_runs: Vec<crate::testruns::TestRun>,
    /// Processes the deploy definitions start (see [`crate::services`]).
    pub services: Vec<crate::services::Service>,
    /// Dockerfiles as build steps (see [`crate::dockerfile`]).
    pub dockerfiles: Vec<crate::dockerfile::Dockerfile>,
    /// Start scripts whose failed migration does not stop the app (see
    /// [`crate::start_scripts`]).
    pub unguarded_migrations: Vec<crate::start_scripts::UnguardedMigration>,
    /// Backup jobs, scripts and tools the repository shows (see [`crate::backups`]).
    pub backups: Vec<crate::backups::BackupEvidence>,
    /// Prisma schemas whose datasource is a SQLite file.
    pub sqlite_schemas: Vec<crate::backups::SqliteSchema>,
    /// Folders whose certificate files (`*.pem`, `*.crt`, `*.cer`) hold only certificates
    /// self-signed for localhost: a key beside them protects nothing deployed.
    pub localhost_certificate_dirs: BTreeSet<String>,
    /// Folders holding a copy of an installed npm package (a `package.json` with npm's
    /// `_resolved`/`_integrity` install fields): third-party code kept in the repository,
    /// not a project of its own.
    pub vendored_packages: Vec<String>,
    /// Env files in git history (read by the pipeline when a rule needs it).
    pub history: Option<crate::history::GitHistory>,
    by_path: HashMap<String, usize>,
    /// `.gitignore` matchers with the directory each applies to.
    gitignores: Vec<(String, ignore::gitignore::Gitignore)>,
}

/// Paths inside a project generator's template folder (`{{cookiecutter.project_slug}}/`,
/// copier's `{{ project_name }}/`): text a tool renders before anything runs.
pub fn in_template_dir(rel: &str) -> bool {
    rel.split('/')
        .rev()
        .skip(1)
        .any(|c| c.contains("{{") && c.contains("}}"))
}

/// Paths inside a hidden folder (`.github/`, `.devcontainer/`, an AI assistant's
/// `.claude/skills/` or `.agents/`): tooling and its templates, not the product.
pub fn in_hidden_dir(rel: &str) -> bool {
    rel.split('/')
        .rev()
        .skip(1)
        .any(|d| d.starts_with('.') && d.len() > 1 && d != "..")
}

/// Paths inside a folder kept for reference (`Archived/`, `old/`, `legacy/`, `backup_2024/`,
/// `checkpoints/`): copies of code, not the product, and never projects of their own.
pub fn in_archived_dir(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|d| {
        let d = d.to_ascii_lowercase();
        matches!(
            d.as_str(),
            "archived"
                | "archive"
                | "old"
                | "_old"
                | "legacy"
                | "deprecated"
                | "backup"
                | "backups"
                | "unused"
                | "attic"
                | "checkpoint"
                | "checkpoints"
        ) || d.starts_with("backup_")
            || d.starts_with("backup-")
    })
}

/// Archived copies, generator templates and tooling folders: read for secrets, never
/// deployed.
pub fn is_kept_aside(rel: &str) -> bool {
    in_archived_dir(rel) || in_template_dir(rel) || in_hidden_dir(rel)
}

/// Files inside these directories are fixtures of tests, not projects of their own.
pub fn in_fixture_dir(rel: &str) -> bool {
    rel.split('/').any(|c| {
        matches!(
            c,
            "fixtures" | "__fixtures__" | "testdata" | "test-fixtures" | "__snapshots__"
        )
    })
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Whether `rel` lies in directory `dir` (`.` contains everything).
pub fn is_within(rel: &str, dir: &str) -> bool {
    dir == "."
        || rel == dir
        || (rel.starts_with(dir) && rel.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// `dir/rel` normalised.
pub fn join(dir: &str, rel: &str) -> String {
    if dir == "." {
        deploy::normalize(rel)
    } else {
        deploy::normalize(&format!("{dir}/{rel}"))
    }
}

/// Files under example, demo or documentation folders (`examples/echo.py`,
/// `docs/snippets/bot.js`): they show how to use the project, they are not the product.
/// Course work, benchmarks and experiments kept beside it (`practices/pr2/`,
/// `benchmarks/redis_vs_rabbit/`, `playground/`) are not the product either: they are run by
/// hand to learn or measure something.
pub fn in_example_dir(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "example"
                | "examples"
                | "sample"
                | "samples"
                | "demo"
                | "demos"
                | "docs"
                | "doc"
                | "tutorial"
                | "tutorials"
                | "cookbook"
                | "practice"
                | "practices"
                | "homework"
                | "homeworks"
                | "exercise"
                | "exercises"
                | "benchmark"
                | "benchmarks"
                | "experiment"
                | "experiments"
                | "playground"
                | "sandbox"
        )
    })
}

/// Templates shipped beside the real file (`config.example.js`, `settings.sample.py`):
/// documentation, not code the program runs.
pub fn is_example_file(rel: &str) -> bool {
    let name = file_name(rel).to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').collect();
    // Only the middle parts: `config.example.js`, not `example.js`.
    parts.len() > 2
        && parts[1..parts.len() - 1].iter().any(|p| {
            matches!(
                *p,
                "example"
                    | "sample"
                    | "template"
                    | "dist"
                    | "tpl"
                    | "exemple"
                    | "ejemplo"
                    | "exemplo"
                    | "esempio"
                    | "beispiel"
            )
        })
}

/// Test files by the conventions of jest/vitest/mocha/pytest/unittest.
pub fn is_test_file(rel: &str) -> bool {
    let name = file_name(rel);
    let dirs = rel.split('/').rev().skip(1);
    let in_test_dir = dirs.into_iter().any(|c| {
        matches!(
            c,
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "e2e"
                | "__mocks__"
                | "cypress"
                | "playwright"
        )
    });
    in_test_dir
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".e2e-spec.")
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || name == "conftest.py"
}

/// The role of an env file: production when given with `--env`; otherwise by name and
/// content, except that with `--env` given only those files are production.
fn env_file_role(
    abs: &Path,
    rel: &str,
    parsed: &EnvParse,
    production_given: &[PathBuf],
) -> (EnvRole, String) {
    let canonical = std::fs::canonicalize(abs).unwrap_or_else(|_| abs.to_path_buf());
    if production_given.contains(&canonical) {
        return (EnvRole::Production, "given with --env".to_string());
    }
    let (role, reason) = env_role(file_name(rel), parsed);
    if role == EnvRole::Production && !production_given.is_empty() {
        (
            EnvRole::Deployed,
            format!("{reason} (not the --env target)"),
        )
    } else {
        (role, reason)
    }
}

/// The env values of a Kubernetes manifest, when it sets any.
fn k8s_env_source(
    rel: &str,
    project: usize,
    text: String,
    tracked: Option<bool>,
    env_given: bool,
) -> Option<EnvFile> {
    let parsed = deployed_env::k8s(&text);
    (!parsed.entries.is_empty())
        .then(|| deployed_env_source(rel, project, parsed, text, tracked, env_given))
}

/// An env source set by a deploy definition (compose `environment:`, k8s `env:`/ConfigMap),
/// with the role its path gives it (`docker-compose.prod.yml`, `k8s/production/…`). With
/// `--env` given, only those files are production.
fn deployed_env_source(
    rel: &str,
    project: usize,
    parsed: EnvParse,
    text: String,
    tracked: Option<bool>,
    env_given: bool,
) -> EnvFile {
    // Directory names count too: `k8s/production/deployment.yaml`.
    let dotted = rel.replace('/', ".");
    let (mut role, role_reason) = env_role(&dotted, &parsed);
    let mut role_reason = format!(
        "{}, values set by a deploy definition",
        role_reason.replace(&dotted, rel)
    );
    if role == EnvRole::Production && env_given {
        role = EnvRole::Deployed;
        role_reason = format!("{role_reason} (not the --env target)");
    }
    EnvFile {
        rel: rel.to_string(),
        project,
        role,
        role_reason,
        parsed,
        text,
        tracked,
        gitignored: false,
        // The permissions rule is about env files a process loads, not deploy definitions.
        mode: None,
    }
}

/// The role an env file's name alone gives it (its values not considered).
pub fn env_role_by_name(name: &str) -> EnvRole {
    env_role(name, &EnvParse::default()).0
}

/// Name parts that make a file a template, in the languages people name them in
/// (`.env.example`, `.env.exemple`, `config.sample.json`).
pub const TEMPLATE_WORDS: [&str; 13] = [
    "example", "sample", "template", "dist", "defaults", "tpl", "tmpl", "skeleton", "exemple",
    "ejemplo", "exemplo", "esempio", "beispiel",
];

fn env_role(name: &str, parsed: &EnvParse) -> (EnvRole, String) {
    let lower = name.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(['.', '-', '_'])
        .filter(|t| !t.is_empty())
        .collect();
    let has = |words: &[&str]| tokens.iter().any(|t| words.contains(t));
    if has(&TEMPLATE_WORDS) {
        return (EnvRole::Example, format!("named {name}: a template"));
    }
    // `.env copy`, `.env (1)`, `.env.bak`: a copy kept beside the real file, which nothing
    // loads (its live credentials still leak through git).
    if lower
        .split(['.', '-', '_', ' ', '(', ')'])
        .any(|t| matches!(t, "copy" | "1" | "2" | "bak" | "backup" | "old" | "orig"))
    {
        return (
            EnvRole::Development,
            format!("named {name}: a copy kept aside, never loaded"),
        );
    }
    if has(&["production", "prod", "live"]) {
        return (EnvRole::Production, format!("named {name}"));
    }
    if has(&[
        "development",
        "dev",
        "test",
        "tests",
        "testing",
        "local",
        "ci",
        "e2e",
    ]) {
        return (
            EnvRole::Development,
            format!("named {name}: local development"),
        );
    }
    for key in [
        "NODE_ENV",
        "ENV",
        "ENVIRONMENT",
        "APP_ENV",
        "PYTHON_ENV",
        "FLASK_ENV",
        "DJANGO_ENV",
        "RAILS_ENV",
    ] {
        if let Some(e) = parsed.get(key)
            && matches!(e.value.to_ascii_lowercase().as_str(), "production" | "prod")
        {
            return (
                EnvRole::Production,
                format!("sets {key}={} (line {})", e.value, e.line),
            );
        }
    }
    // A variant (`.env.minimal`, `.env.docker`) whose values are mostly placeholders
    // (`your_token_here`) is a template to copy, whatever its name; a plain `.env` is what
    // dotenv loads, placeholders or not.
    let values: Vec<&str> = parsed
        .entries
        .iter()
        .map(|e| e.value.trim())
        .filter(|v| !v.is_empty())
        .collect();
    let placeholders = values
        .iter()
        .filter(|v| flightcheck_core::secrets::is_placeholder(v))
        .count();
    if tokens.len() > 1 && placeholders >= 2 && placeholders * 2 >= values.len() {
        return (
            EnvRole::Example,
            format!(
                "{placeholders} of its {} values are placeholders: a template",
                values.len()
            ),
        );
    }
    (EnvRole::Deployed, format!("named {name}"))
}

/// Whether `path` starts with the SQLite header (`SQLite format 3\0`).
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && &header == b"SQLite format 3\0"
}

/// Whether a `setup.py` packages a project (imports setuptools, distutils or scikit-build),
/// rather than being a module of a package that happens to be called `setup` (a Django
/// `settings/loggers/setup.py`), which must not split its package off as a project.
/// Reads at most the first 64 KiB of a regular file.
fn is_packaging_script(path: &Path) -> bool {
    use std::io::Read;
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    if std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .is_err()
    {
        return false;
    }
    String::from_utf8_lossy(&head).lines().any(|line| {
        let l = line.trim_start();
        ["setuptools", "distutils", "skbuild"]
            .iter()
            .any(|m| l.starts_with(&format!("from {m}")) || l.starts_with(&format!("import {m}")))
    })
}

/// Reads a file as text; `None` (with a note) for binary, unreadable or non-UTF-8 files.
/// Bounded and typed ([`flightcheck_core::read`]): a FIFO, a device or an oversized file
/// under a well-known name is a note, never a hang.
/// UTF-16 text that starts with its byte-order mark (`FF FE` little-endian, `FE FF`
/// big-endian), decoded; unpaired surrogates become U+FFFD.
fn utf16_with_bom(bytes: &[u8]) -> Option<String> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

pub(crate) fn read_text(path: &Path, rel: &str, notes: &mut Vec<Note>) -> Option<String> {
    match flightcheck_core::read::read_bytes(path, None, flightcheck_core::read::cap::TEXT) {
        Ok(bytes) => {
            // Windows editors save UTF-16 with a byte-order mark; pip, Docker and dotenv
            // tools read such files, so they are text, not binary content.
            if let Some(text) = utf16_with_bom(&bytes) {
                return Some(text);
            }
            if bytes.iter().take(8192).any(|b| *b == 0) {
                notes.push(Note::file(rel, "skipped: binary content"));
                return None;
            }
            match String::from_utf8(bytes) {
                Ok(s) => Some(s),
                Err(e) => {
                    notes.push(Note::file(
                        rel,
                        "read as lossy UTF-8: file is not valid UTF-8",
                    ));
                    Some(String::from_utf8_lossy(e.as_bytes()).into_owned())
                }
            }
        }
        Err(skip) => {
            notes.push(Note::file(rel, skip.to_string()));
            None
        }
    }
}

impl Workspace {
    /// Whether `rel` lies in a vendored copy of an installed npm package.
    pub fn in_vendored_package(&self, rel: &str) -> bool {
        self.vendored_packages.iter().any(|d| is_within(rel, d))
    }

    pub fn file_index(&self, rel: &str) -> Option<usize> {
        self.by_path.get(rel).copied()
    }

    /// Whether a file or folder exists under the root, whether or not the scan reads it
    /// (lockfiles, `dist/`, assets): what `COPY` in a Dockerfile can name. A link counts
    /// as present without being followed.
    pub fn path_exists(&self, rel: &str) -> bool {
        rel == "." || std::fs::symlink_metadata(self.root.join(rel)).is_ok()
    }

    /// Whether `rel` is a folder under the root (links are not followed).
    pub fn dir_exists(&self, rel: &str) -> bool {
        rel == "." || std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_dir())
    }

    /// Indices of files of `project`.
    pub fn project_files(&self, project: usize) -> impl Iterator<Item = usize> + '_ {
        self.file_project
            .iter()
            .enumerate()
            .filter(move |(_, p)| **p == project)
            .map(|(i, _)| i)
    }

    /// The nearest package.json at or above `dir` (never above the scan root).
    pub fn package_json_for(&self, dir: &str) -> Option<(&str, &PackageJson)> {
        let mut best: Option<&Project> = None;
        for p in &self.projects {
            if p.package_json.is_some()
                && is_within(dir, &p.root)
                && best.is_none_or(|b| p.root.len() > b.root.len())
            {
                best = Some(p);
            }
        }
        best.and_then(|p| p.package_json.as_ref().map(|pj| (p.root.as_str(), pj)))
    }

    /// Discovery as a list of stages: walk the tree and settle the projects, read every
    /// file by its kind, add the env files and databases the walk does not yield, then
    /// assemble the workspace and derive what the rules read from it.
    pub fn discover(root: &Path, options: &DiscoverOptions) -> Result<Workspace, String> {
        check_scan_root(root)?;
        let (tree, walk_notes) = Tree::walk(root, options);
        let mut found = Found::new(&tree, walk_notes);
        found.read_walked_files(&tree);
        found.read_committed_in_skipped_dirs(&tree);
        found.read_local_files(&tree);
        found.env_files.sort_by(|a, b| a.rel.cmp(&b.rel));
        found.promote_compose_env_files(&tree);
        found.read_given_env_outside_tree(&tree, options)?;
        found.finish_projects(&tree.root);
        found.drop_kept_aside_launches();
        let mut ws = Workspace::assemble(tree, found);
        ws.derive();
        Ok(ws)
    }

    /// The workspace from the walked tree and what the stages found; the derived parts
    /// (CI, migrations, services, …) are filled in by [`Workspace::derive`].
    fn assemble(tree: Tree, found: Found) -> Workspace {
        let Tree {
            root,
            files,
            tracked,
            file_project,
            vendored_packages,
            ..
        } = tree;
        let by_path = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.rel.clone(), i))
            .collect();
        let gitignores = files
            .iter()
            .filter(|f| f.kind == FileKind::GitIgnore)
            .filter_map(|f| {
                let dir = dir_of(&f.rel).to_string();
                let matcher = crate::ignorefile::load(&f.abs, &dir)?;
                (matcher.num_ignores() > 0).then_some((dir, matcher))
            })
            .collect();
        Workspace {
            root,
            files,
            file_project,
            projects: found.projects,
            launches: found.launches,
            env_files: found.env_files,
            data_files: found.data_files,
            tracked,
            notes: found.notes,
            migration_sets: Vec::new(),
            schema_tables: Vec::new(),
            migration_commands: Vec::new(),
            ci_steps: Vec::new(),
            ci_broken: Vec::new(),
            test_runs: Vec::new(),
            services: Vec::new(),
            dockerfiles: found.dockerfiles,
            unguarded_migrations: Vec::new(),
            backups: Vec::new(),
            sqlite_schemas: Vec::new(),
            localhost_certificate_dirs: BTreeSet::new(),
            vendored_packages,
            history: None,
            by_path,
            gitignores,
        }
    }

    /// What is read from the assembled workspace, in an order where later parts read
    /// earlier ones (test runs and migration commands read the CI steps, start scripts
    /// and backups the services).
    fn derive(&mut self) {
        crate::services::fill(self);
        self.keep_targeted_stage_launches();
        crate::deploy::rebase_built_dockerfiles(self);
        crate::ci::fill(self);
        migrations::fill(self);
        crate::testruns::fill(self);
        crate::start_scripts::fill(self);
        crate::backups::fill(self);
        self.find_localhost_certificates();
    }

    /// A Dockerfile stage before the final one runs only where a compose service builds it
    /// (`build.target: migrate`): keep the launches of those stages, drop the rest.
    fn keep_targeted_stage_launches(&mut self) {
        let targets: BTreeSet<String> = self
            .services
            .iter()
            .filter_map(|s| s.compose.as_ref()?.target.as_deref())
            .map(str::to_ascii_lowercase)
            .collect();
        self.launches
            .retain(|l| l.stage.as_ref().is_none_or(|s| targets.contains(s)));
    }

    /// Reads each small certificate file once and keeps the folders where every
    /// certificate is self-signed for localhost (see [`Self::localhost_certificate_dirs`]).
    fn find_localhost_certificates(&mut self) {
        let mut verdicts: BTreeMap<String, bool> = BTreeMap::new();
        let mut notes = Vec::new();
        for f in &self.files {
            let lower = f.rel.to_ascii_lowercase();
            if f.size > 64 * 1024 || ![".pem", ".crt", ".cer"].iter().any(|e| lower.ends_with(e)) {
                continue;
            }
            let Some(text) = read_text(&f.abs, &f.rel, &mut notes) else {
                continue;
            };
            if !text.contains("-----BEGIN CERTIFICATE-----") {
                continue;
            }
            let local = flightcheck_core::certificate::only_self_signed_localhost(&text);
            let dir = dir_of(&f.rel).to_string();
            let all = verdicts.entry(dir).or_insert(true);
            *all &= local;
        }
        self.notes.extend(notes);
        self.localhost_certificate_dirs = verdicts
            .into_iter()
            .filter(|(_, local)| *local)
            .map(|(dir, _)| dir)
            .collect();
    }

    /// Whether a `.gitignore` of the repository excludes `rel` (a path that need not
    /// exist): such files are created on the machine (local config), never committed.
    pub fn is_gitignored(&self, rel: &str) -> bool {
        // A path written with a leading `/` (`COPY /app/ /app`) still names a place in the
        // tree; the matcher must never see a rooted path (it asserts on one).
        let rel = rel.trim_start_matches('/');
        self.gitignores.iter().any(|(dir, matcher)| {
            is_within(rel, dir) && {
                let local = if dir == "." {
                    rel
                } else {
                    rel.get(dir.len() + 1..).unwrap_or("")
                };
                // The directory of a .gitignore is never ignored by it.
                !local.is_empty()
                    && matcher
                        .matched_path_or_any_parents(local, false)
                        .is_ignore()
            }
        })
    }

    /// Languages of the source files of `project`.
    pub fn languages(&self, project: usize) -> Vec<Language> {
        let set: BTreeSet<Language> = self
            .project_files(project)
            .filter_map(|i| match self.files[i].kind {
                FileKind::Source(l) => Some(l),
                _ => None,
            })
            .collect();
        set.into_iter().collect()
    }
}

/// Fails unless `root` is a directory that can be scanned.
fn check_scan_root(root: &Path) -> Result<(), String> {
    let meta =
        std::fs::metadata(root).map_err(|e| format!("cannot scan {}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("cannot scan {}: not a directory", root.display()));
    }
    Ok(())
}

/// Project roots: directories holding a manifest that defines a project. Fixtures,
/// generator templates, tooling folders and archived copies define none.
fn project_roots(files: &[WalkedFile]) -> BTreeSet<String> {
    files
        .iter()
        .filter(|f| {
            (f.kind == FileKind::Manifest
                || (file_name(&f.rel) == "setup.py" && is_packaging_script(&f.abs)))
                && !in_fixture_dir(&f.rel)
                && !in_template_dir(&f.rel)
                && !in_hidden_dir(&f.rel)
                && !in_archived_dir(&f.rel)
        })
        .filter(|f| {
            matches!(
                file_name(&f.rel),
                "package.json" | "pyproject.toml" | "setup.py" | "requirements.txt"
            )
        })
        .map(|f| dir_of(&f.rel).to_string())
        .collect()
}

/// Folders whose `package.json` npm wrote while installing the package (`_resolved` with
/// `_integrity` or `_from`): a copy of `node_modules/<pkg>` committed beside the app. Reads
/// at most the first 64 KiB of each `package.json`.
fn installed_package_dirs(files: &[WalkedFile]) -> Vec<String> {
    use std::io::Read;
    files
        .iter()
        .filter(|f| file_name(&f.rel) == "package.json" && dir_of(&f.rel) != ".")
        .filter(|f| {
            let mut head = Vec::new();
            std::fs::File::open(&f.abs)
                .and_then(|file| file.take(64 * 1024).read_to_end(&mut head))
                .is_ok()
                && {
                    let text = String::from_utf8_lossy(&head);
                    text.contains("\"_resolved\"")
                        && (text.contains("\"_integrity\"") || text.contains("\"_from\""))
                }
        })
        .map(|f| dir_of(&f.rel).to_string())
        .collect()
}

/// Projects without source files of their own fold into their parent; the root becomes a
/// project when sources lie outside every project or no project is left.
fn fold_sourceless_projects(files: &[WalkedFile], roots: &mut BTreeSet<String>) {
    let owner = |rel: &str, roots: &BTreeSet<String>| -> Option<String> {
        roots
            .iter()
            .filter(|r| is_within(rel, r))
            .max_by_key(|r| r.len())
            .cloned()
    };
    let mut has_source: BTreeSet<String> = BTreeSet::new();
    let mut orphan_source = false;
    for f in files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Source(_)))
    {
        match owner(&f.rel, roots) {
            Some(r) => {
                has_source.insert(r);
            }
            None => orphan_source = true,
        }
    }
    let empty: Vec<String> = roots
        .iter()
        .filter(|r| !has_source.contains(*r))
        .cloned()
        .collect();
    let all_empty = empty.len() == roots.len();
    for r in empty {
        // Keep the root manifest-only project when nothing else exists (a project
        // that is all config still deserves its config checked).
        if !(all_empty && r == ".") {
            roots.remove(&r);
        }
    }
    if orphan_source || roots.is_empty() {
        roots.insert(".".to_string());
    }
}

/// The words of a deploy file (variables, images, services) kept as the project's
/// `deploy_words`.
fn deploy_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() >= 2 && w.len() <= 64)
        .map(str::to_string)
}

/// The scanned tree, fixed once walked: its files, what git tracks, and which project
/// owns each file. Read by every later stage of discovery.
struct Tree {
    root: PathBuf,
    threads: usize,
    files: Vec<WalkedFile>,
    tracked: Option<BTreeSet<String>>,
    /// Project roots in project order.
    project_roots: Vec<String>,
    /// See [`Workspace::vendored_packages`].
    vendored_packages: Vec<String>,
    /// Project index of every file.
    file_project: Vec<usize>,
    /// The `--env` files, canonical where they can be.
    production_given: Vec<PathBuf>,
}

impl Tree {
    /// Walks `root` (adding the files git tracks that the walk skipped) and settles the
    /// projects; returns the notes of the walk too.
    fn walk(root: &Path, options: &DiscoverOptions) -> (Tree, Vec<Note>) {
        let root = root.to_path_buf();
        let threads = options.threads.max(1);
        let mut walked = walk::walk(&root, threads);
        let tracked = git::tracked_files(&root);
        if let Some(t) = &tracked {
            walk::add_tracked(&root, &mut walked, t);
        }
        let files = walked.files;
        let vendored_packages = installed_package_dirs(&files);
        let mut roots = project_roots(&files);
        roots.retain(|r| !vendored_packages.contains(r));
        fold_sourceless_projects(&files, &mut roots);
        let project_roots: Vec<String> = roots.into_iter().collect();
        let mut tree = Tree {
            root,
            threads,
            files,
            tracked,
            project_roots,
            vendored_packages,
            file_project: Vec::new(),
            production_given: options
                .production_env
                .iter()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
                .collect(),
        };
        tree.file_project = tree.files.iter().map(|f| tree.project_of(&f.rel)).collect();
        (tree, walked.notes)
    }

    /// The project owning `rel`: the one with the deepest root containing it.
    fn project_of(&self, rel: &str) -> usize {
        self.project_roots
            .iter()
            .enumerate()
            .filter(|(_, r)| is_within(rel, r))
            .max_by_key(|(_, r)| r.len())
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    /// Whether git tracks `rel` (`None` when unknown).
    fn is_tracked(&self, rel: &str) -> Option<bool> {
        self.tracked.as_ref().map(|t| t.contains(rel))
    }

    /// Whether `--env` named the production env files.
    fn env_given(&self) -> bool {
        !self.production_given.is_empty()
    }
}

/// What the stages of discovery gather from the tree.
struct Found {
    notes: Vec<Note>,
    projects: Vec<Project>,
    launches: Vec<LaunchDecl>,
    dockerfiles: Vec<crate::dockerfile::Dockerfile>,
    env_files: Vec<EnvFile>,
    data_files: Vec<DataFile>,
}

impl Found {
    fn new(tree: &Tree, notes: Vec<Note>) -> Found {
        let projects = tree
            .project_roots
            .iter()
            .map(|r| Project {
                root: r.clone(),
                ..Default::default()
            })
            .collect();
        Found {
            notes,
            projects,
            launches: Vec::new(),
            dockerfiles: Vec::new(),
            env_files: Vec::new(),
            data_files: Vec::new(),
        }
    }

    /// Reads every walked file by its kind: manifests, deploy definitions, Kubernetes
    /// manifests, CI and doc files, env files.
    fn read_walked_files(&mut self, tree: &Tree) {
        for (i, f) in tree.files.iter().enumerate() {
            let p = tree.file_project[i];
            match f.kind {
                FileKind::Manifest => self.read_manifest(f, p),
                FileKind::Deploy => self.read_deploy_file(tree, f, p),
                FileKind::Config | FileKind::Other
                    if f.rel.ends_with(".yaml") || f.rel.ends_with(".yml") =>
                {
                    self.read_yaml(tree, f, p)
                }
                FileKind::Ci => self.projects[p].ci_files.push(f.rel.clone()),
                FileKind::Source(_)
                    if file_name(&f.rel) == "setup.py"
                        && dir_of(&f.rel) == self.projects[p].root =>
                {
                    self.projects[p].manifests.push(f.rel.clone());
                    self.projects[p]
                        .python_deps_unreadable
                        .get_or_insert_with(|| "setup.py is not read".to_string());
                }
                FileKind::Doc => self.projects[p].doc_files.push(f.rel.clone()),
                FileKind::Env => self.read_env_file(tree, f, p),
                FileKind::Script if f.rel.ends_with(".sh") => self.read_units_in_script(f),
                _ => {}
            }
        }
    }

    /// A shell script that installs a systemd unit (`cat > /etc/systemd/system/bot.service
    /// <<EOF … ExecStart=… EOF`): the unit's `ExecStart=` is how the server starts the app,
    /// as if the unit were a file of its own.
    fn read_units_in_script(&mut self, f: &WalkedFile) {
        if f.size > crate::walk::MAX_SOURCE_BYTES {
            return;
        }
        let Some(text) = read_text(&f.abs, &f.rel, &mut self.notes) else {
            return;
        };
        if !(text.contains("[Service]") && text.contains("ExecStart=")) {
            return;
        }
        self.launches
            .extend(deploy::systemd(&f.rel, dir_of(&f.rel), &text));
    }

    /// A manifest: its dependencies and the launches it declares; only manifests at the
    /// project's root count as the project's own.
    fn read_manifest(&mut self, f: &WalkedFile, p: usize) {
        let Some(text) = read_text(&f.abs, &f.rel, &mut self.notes) else {
            return;
        };
        let dir = dir_of(&f.rel);
        let project = &mut self.projects[p];
        if dir == project.root {
            project.manifests.push(f.rel.clone());
        }
        match file_name(&f.rel) {
            "package.json" if dir == project.root => self.read_package_json(f, &text, p),
            "pyproject.toml" => self.read_pyproject(f, &text, p),
            n if n.ends_with(".txt") => {
                project
                    .python_deps
                    .extend(manifest::parse_requirements(&text));
                project
                    .python_deps
                    .extend(text.lines().flat_map(manifest::requirement_extras));
                if let Some(line) = manifest::requirements_opaque_line(&text) {
                    project
                        .python_deps_unreadable
                        .get_or_insert(format!("{}: `{line}`", f.rel));
                }
            }
            n @ ("setup.cfg" | "Pipfile") => {
                project
                    .python_deps_unreadable
                    .get_or_insert(format!("{n} is not read"));
            }
            _ => {}
        }
    }

    /// A package.json at the project root: its main, bins and start scripts are launches.
    fn read_package_json(&mut self, f: &WalkedFile, text: &str, p: usize) {
        match PackageJson::parse(text) {
            Ok(pkg) => {
                let dir = dir_of(&f.rel);
                self.launches
                    .extend(package_json_launches(&f.rel, dir, text, &pkg));
                self.projects[p].package_json = Some(pkg);
            }
            Err(e) => self.notes.push(Note::file(
                &f.rel,
                format!("broken package.json, ignored: {e}"),
            )),
        }
    }

    /// A pyproject.toml: its console scripts launch modules; its dependencies are the
    /// project's.
    fn read_pyproject(&mut self, f: &WalkedFile, text: &str, p: usize) {
        let py = match PyProject::parse(text) {
            Ok(py) => py,
            Err(e) => {
                self.notes.push(Note::file(
                    &f.rel,
                    format!("broken pyproject.toml, ignored: {e}"),
                ));
                return;
            }
        };
        for (script, target) in &py.scripts {
            let module = target.split(':').next().unwrap_or("").trim();
            self.launches.push(LaunchDecl {
                file: f.rel.clone(),
                line: deploy::find_line(text, script).unwrap_or(1),
                source: format!("pyproject.toml scripts.{script}"),
                command: format!("python -m {module}"),
                cwd: dir_of(&f.rel).to_string(),
                workdir: None,
                release_phase: false,
                origin: deploy::LaunchOrigin::ConsoleScript,
                stage: None,
            });
        }
        let project = &mut self.projects[p];
        project.python_deps.extend(py.dependencies.iter().cloned());
        if py.dynamic_dependencies {
            project
                .python_deps_unreadable
                .get_or_insert(format!("{}: dependencies are dynamic", f.rel));
        }
        project.pyproject = Some(py);
    }

    /// A deploy definition (Dockerfile, Procfile, pm2, systemd, compose, Kubernetes): the
    /// launches it declares and the env values it sets.
    fn read_deploy_file(&mut self, tree: &Tree, f: &WalkedFile, p: usize) {
        let Some(text) = read_text(&f.abs, &f.rel, &mut self.notes) else {
            return;
        };
        self.projects[p].deploy_files.push(f.rel.clone());
        self.projects[p].deploy_words.extend(deploy_words(&text));
        let dir = dir_of(&f.rel);
        let lower = file_name(&f.rel).to_ascii_lowercase();
        if lower.contains("dockerfile") {
            self.read_dockerfile(f, &text, p);
        } else if lower == "procfile" {
            self.launches.extend(deploy::procfile(&f.rel, dir, &text));
        } else if lower.starts_with("ecosystem") {
            self.launches.extend(deploy::pm2(&f.rel, dir, &text));
        } else if lower.ends_with(".service") {
            self.launches.extend(deploy::systemd(&f.rel, dir, &text));
        } else if lower == "serverless.yml" || lower == "serverless.yaml" {
            self.launches.extend(deploy::serverless(&f.rel, dir, &text));
        } else if lower.starts_with("docker-compose") || lower.starts_with("compose") {
            self.read_compose(tree, f, text, p);
        } else if (lower.ends_with(".yaml") || lower.ends_with(".yml"))
            && deployed_env::is_k8s_manifest(&text)
        {
            self.add_k8s_env(tree, f, text, p);
        }
    }

    /// A Dockerfile: its launches, its build steps, and the Python its final stage runs.
    fn read_dockerfile(&mut self, f: &WalkedFile, text: &str, p: usize) {
        self.launches
            .extend(deploy::dockerfile(&f.rel, dir_of(&f.rel), text));
        // Dockerfiles of examples, tests and fixtures build nothing that is deployed.
        if !is_kept_aside(&f.rel)
            && !in_example_dir(&f.rel)
            && !in_fixture_dir(&f.rel)
            && !is_test_file(&f.rel)
        {
            self.dockerfiles
                .push(crate::dockerfile::parse(&f.rel, text));
        }
        // The final stage's base image is what runs the code; a dev container
        // (`.devcontainer/`) runs nothing that is deployed.
        let from = (!in_hidden_dir(&f.rel))
            .then(|| final_base_image(text))
            .flatten();
        if let Some((line, image)) = from
            && image.contains("python")
            && let Some((major, minor)) = python_version_in(&image)
        {
            self.projects[p].python_target = Some(RuntimeVersion {
                major,
                minor,
                source: format!("{}:{line} FROM {image}", f.rel),
                lower_bound: false,
            });
        }
    }

    /// A compose file: its launches, and its `environment:` values as an env source.
    fn read_compose(&mut self, tree: &Tree, f: &WalkedFile, text: String, p: usize) {
        match deploy::compose(&f.rel, dir_of(&f.rel), &text) {
            Ok(l) => {
                self.launches.extend(l);
                let parsed = deployed_env::compose(&text);
                if !parsed.entries.is_empty() {
                    self.env_files.push(deployed_env_source(
                        &f.rel,
                        p,
                        parsed,
                        text,
                        tree.is_tracked(&f.rel),
                        tree.env_given(),
                    ));
                }
            }
            Err(e) => self.notes.push(Note::file(
                &f.rel,
                format!("broken compose file, ignored: {e}"),
            )),
        }
    }

    /// A YAML file that is not a known deploy definition: a Kubernetes manifest sets env
    /// values for the deployed containers.
    fn read_yaml(&mut self, tree: &Tree, f: &WalkedFile, p: usize) {
        let Some(text) = flightcheck_core::read::read_string(&f.abs, None, 512 * 1024).ok() else {
            return;
        };
        if deployed_env::is_k8s_manifest(&text) {
            self.projects[p].deploy_files.push(f.rel.clone());
            self.add_k8s_env(tree, f, text, p);
        }
    }

    /// The env values of a Kubernetes manifest, as an env source when it sets any.
    fn add_k8s_env(&mut self, tree: &Tree, f: &WalkedFile, text: String, p: usize) {
        self.env_files.extend(k8s_env_source(
            &f.rel,
            p,
            text,
            tree.is_tracked(&f.rel),
            tree.env_given(),
        ));
    }

    /// An env file of the walked tree, with the role its name and values give it.
    fn read_env_file(&mut self, tree: &Tree, f: &WalkedFile, p: usize) {
        let Some(text) = read_text(&f.abs, &f.rel, &mut self.notes) else {
            return;
        };
        let parsed = envfile::parse(&text);
        for (line, reason) in parsed.invalid.iter().take(3) {
            self.notes
                .push(Note::file(&f.rel, format!("line {line}: {reason}")));
        }
        let (role, role_reason) = env_file_role(&f.abs, &f.rel, &parsed, &tree.production_given);
        self.env_files.push(EnvFile {
            rel: f.rel.clone(),
            project: p,
            role,
            role_reason,
            parsed,
            text,
            tracked: tree.is_tracked(&f.rel),
            gitignored: false,
            mode: walk::unix_mode(&f.abs),
        });
    }

    /// Env files git tracks inside a folder the walk skips (a committed `venv/.env`): they
    /// are in every clone, secrets included.
    fn read_committed_in_skipped_dirs(&mut self, tree: &Tree) {
        let committed_in_skipped: Vec<String> = tree
            .tracked
            .iter()
            .flatten()
            .filter(|rel| walk::in_skipped_dir(rel) && walk::is_env_file_name(file_name(rel)))
            .cloned()
            .collect();
        for rel in &committed_in_skipped {
            let abs = tree.root.join(rel);
            let Some(text) = read_text(&abs, rel, &mut self.notes) else {
                continue;
            };
            let parsed = envfile::parse(&text);
            let (role, role_reason) = env_file_role(&abs, rel, &parsed, &tree.production_given);
            self.env_files.push(EnvFile {
                rel: rel.clone(),
                project: tree.project_of(rel),
                role,
                role_reason: format!("{role_reason}; committed inside a folder the scan skips"),
                parsed,
                text,
                tracked: Some(true),
                gitignored: false,
                mode: walk::unix_mode(&abs),
            });
        }
    }

    /// Env files and databases that `.gitignore` hides: on a deployed machine they are the
    /// configuration and the data that run.
    fn read_local_files(&mut self, tree: &Tree) {
        for local in walk::local_files(&tree.root, tree.threads) {
            if in_fixture_dir(&local.rel) && local.kind == walk::LocalKind::Sqlite {
                continue;
            }
            let p = tree.project_of(&local.rel);
            match local.kind {
                walk::LocalKind::Env => {
                    if tree.files.iter().any(|f| f.rel == local.rel) {
                        continue;
                    }
                    self.read_gitignored_env_file(tree, &local, p);
                }
                walk::LocalKind::Sqlite => {
                    if !is_sqlite_file(&local.abs) {
                        continue;
                    }
                    let dir_mode = local.abs.parent().and_then(walk::unix_mode);
                    let tracked = tree.is_tracked(&local.rel);
                    self.data_files.push(DataFile {
                        rel: local.rel.clone(),
                        project: p,
                        mode: walk::unix_mode(&local.abs),
                        dir_mode,
                        tracked,
                        tables: (tracked == Some(true))
                            .then(|| crate::sqlite::table_rows(&local.abs))
                            .flatten(),
                    });
                }
            }
        }
    }

    /// An env file the walk did not yield because `.gitignore` hides it.
    fn read_gitignored_env_file(&mut self, tree: &Tree, local: &walk::LocalFile, p: usize) {
        let Some(text) = read_text(&local.abs, &local.rel, &mut self.notes) else {
            return;
        };
        let parsed = envfile::parse(&text);
        let (role, role_reason) =
            env_file_role(&local.abs, &local.rel, &parsed, &tree.production_given);
        self.env_files.push(EnvFile {
            rel: local.rel.clone(),
            project: p,
            role,
            role_reason: format!("{role_reason}; hidden by .gitignore"),
            parsed,
            text,
            tracked: tree.is_tracked(&local.rel),
            gitignored: true,
            mode: walk::unix_mode(&local.abs),
        });
    }

    /// `env_file:` of a production compose file: the file it loads is production. With
    /// `--env` given, only those files are production.
    fn promote_compose_env_files(&mut self, tree: &Tree) {
        if tree.env_given() {
            return;
        }
        for f in tree.files.iter().filter(|f| f.kind == FileKind::Deploy) {
            let lower = file_name(&f.rel).to_ascii_lowercase();
            if !(lower.starts_with("docker-compose") || lower.starts_with("compose")) {
                continue;
            }
            let Some(text) = read_text(&f.abs, &f.rel, &mut self.notes) else {
                continue;
            };
            let dotted = f.rel.replace('/', ".");
            let (role, _) = env_role(&dotted, &deployed_env::compose(&text));
            if role != EnvRole::Production {
                continue;
            }
            let dir = dir_of(&f.rel).to_string();
            for loaded in deployed_env::compose_env_files(&text) {
                let target = join(&dir, &loaded);
                for env in self.env_files.iter_mut().filter(|e| e.rel == target) {
                    if env.role == EnvRole::Deployed {
                        env.role = EnvRole::Production;
                        env.role_reason = format!("loaded by `env_file:` of {}", f.rel);
                    }
                }
            }
        }
    }

    /// `--env` files outside the walked tree; one that cannot be read fails the scan.
    fn read_given_env_outside_tree(
        &mut self,
        tree: &Tree,
        options: &DiscoverOptions,
    ) -> Result<(), String> {
        let root = &tree.root;
        for (given, canonical) in options.production_env.iter().zip(&tree.production_given) {
            let inside = tree
                .files
                .iter()
                .any(|f| std::fs::canonicalize(&f.abs).is_ok_and(|c| &c == canonical));
            if inside {
                continue;
            }
            let rel = canonical
                .strip_prefix(std::fs::canonicalize(root).unwrap_or_else(|_| root.clone()))
                .map(flightcheck_core::text::slash_path)
                .unwrap_or_else(|_| flightcheck_core::text::slash_path(given));
            let Some(text) = read_text(given, &rel, &mut self.notes) else {
                return Err(format!("--env {}: cannot read the file", given.display()));
            };
            let parsed = envfile::parse(&text);
            let p = tree.project_of(&rel);
            let mode = walk::unix_mode(given);
            self.env_files.push(EnvFile {
                rel,
                project: p,
                role: EnvRole::Production,
                role_reason: "given with --env".into(),
                parsed,
                text,
                tracked: None,
                gitignored: false,
                mode,
            });
        }
        Ok(())
    }

    /// Names, frameworks, Python targets and package managers of the projects.
    fn finish_projects(&mut self, root: &Path) {
        for project in &mut self.projects {
            finish_project(root, project, &mut self.notes);
        }
    }

    /// Deploy files of archived copies, generator templates and tooling folders start
    /// nothing that is deployed.
    fn drop_kept_aside_launches(&mut self) {
        self.launches.retain(|l| !is_kept_aside(&l.file));
    }
}

fn package_json_launches(file: &str, dir: &str, text: &str, pkg: &PackageJson) -> Vec<LaunchDecl> {
    let mut out = Vec::new();
    let mut push = |origin: deploy::LaunchOrigin, source: String, command: String, needle: &str| {
        out.push(LaunchDecl {
            file: file.to_string(),
            line: deploy::find_line(text, needle).unwrap_or(1),
            source,
            command,
            cwd: dir.to_string(),
            workdir: None,
            release_phase: false,
            origin,
            stage: None,
        });
    };
    if let Some(main) = &pkg.main {
        push(
            deploy::LaunchOrigin::PackageMain,
            "package.json main".into(),
            format!("node {main}"),
            "\"main\"",
        );
    }
    for (name, path) in &pkg.bin {
        push(
            deploy::LaunchOrigin::PackageBin,
            format!("package.json bin.{name}"),
            format!("node {path}"),
            path,
        );
    }
    for (name, script) in &pkg.scripts {
        let is_start =
            name == "start" || name.starts_with("start:") || name == "prestart" || name == "serve";
        if is_start {
            push(
                deploy::LaunchOrigin::StartScript,
                format!("package.json scripts.{name}"),
                script.clone(),
                &format!("\"{name}\""),
            );
        }
    }
    if pkg.main.is_none() {
        // Node's default main.
        push(
            deploy::LaunchOrigin::PackageMain,
            "package.json (default main)".into(),
            "node index.js".into(),
            "\"name\"",
        );
    }
    out
}

/// The base image of a Dockerfile's final stage, with its 1-based line, following stage
/// names (`FROM python:3.12-slim AS builder` … `FROM builder AS prod` → `python:3.12-slim`).
fn final_base_image(text: &str) -> Option<(usize, String)> {
    let mut stages: Vec<(String, usize, String)> = Vec::new(); // (alias, line, image)
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        // `FROM --platform=… image AS name`
        let mut rest = words[1..].iter().filter(|w| !w.starts_with("--"));
        let Some(image) = rest.next() else {
            continue;
        };
        let alias = match (rest.next(), rest.next()) {
            (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("AS") => name.to_ascii_lowercase(),
            _ => String::new(),
        };
        let image = image.to_string();
        // A stage built on an earlier stage has that stage's image.
        let resolved = stages
            .iter()
            .rev()
            .find(|(a, _, _)| !a.is_empty() && a.eq_ignore_ascii_case(&image))
            .map(|(_, l, i)| (*l, i.clone()));
        let (line_no, image) = resolved.unwrap_or((n + 1, image));
        stages.push((alias, line_no, image));
    }
    stages.pop().map(|(_, l, i)| (l, i))
}

/// The lowest Python a version specifier admits: the `>=`, `~=`, `==` or `^` clause
/// (`<3.13,>=3.10` → 3.10; `^3.11` → 3.11).
fn lowest_python(spec: &str) -> Option<(u8, u8)> {
    spec.split(',')
        .map(str::trim)
        .filter(|c| {
            c.starts_with(">=")
                || c.starts_with("~=")
                || c.starts_with("==")
                || c.starts_with('^')
                || c.starts_with('~')
                || c.starts_with('3')
        })
        .find_map(python_version_in)
}

/// The Python version a project runs on: a Dockerfile's base image (set during discovery)
/// wins, then `.python-version`, `runtime.txt`, and the lowest `requires-python`.
fn python_target(dir: &Path, project: &Project, notes: &mut Vec<Note>) -> Option<RuntimeVersion> {
    if project.python_target.is_some() {
        return project.python_target.clone();
    }
    let local = |name: &str| {
        if project.root == "." {
            name.to_string()
        } else {
            format!("{}/{name}", project.root)
        }
    };
    for name in [".python-version", "runtime.txt"] {
        let path = dir.join(name);
        let text = match flightcheck_core::read::read_string(
            &path,
            None,
            flightcheck_core::read::cap::VERSION_FILE,
        ) {
            Ok(text) => text,
            Err(skip) => {
                if !skip.is_missing() {
                    notes.push(Note::file(&local(name), skip.to_string()));
                }
                continue;
            }
        };
        {
            let first = text.lines().next().unwrap_or("").trim();
            if let Some((major, minor)) = python_version_in(first) {
                return Some(RuntimeVersion {
                    major,
                    minor,
                    source: format!("{} {first}", local(name)),
                    lower_bound: false,
                });
            }
        }
    }
    let spec = project.pyproject.as_ref()?.requires_python.clone()?;
    let (major, minor) = lowest_python(&spec)?;
    Some(RuntimeVersion {
        major,
        minor,
        source: format!("{} requires-python {spec}", local("pyproject.toml")),
        lower_bound: true,
    })
}

fn finish_project(root: &Path, project: &mut Project, notes: &mut Vec<Note>) {
    let dir = if project.root == "." {
        root.to_path_buf()
    } else {
        root.join(&project.root)
    };
    project.python_target = python_target(&dir, project, notes);
    if let Some(pkg) = &project.package_json {
        project.frameworks.extend(
            pkg.dependencies
                .keys()
                .filter_map(|d| Framework::from_npm(d)),
        );
    }
    project.frameworks.extend(
        project
            .python_deps
            .iter()
            .filter_map(|d| Framework::from_pypi(d)),
    );
    let name = project
        .package_json
        .as_ref()
        .and_then(|p| p.name.clone())
        .or_else(|| project.pyproject.as_ref().and_then(|p| p.name.clone()));
    project.name = name.unwrap_or_else(|| {
        if project.root == "." {
            root.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| ".".into())
        } else {
            file_name(&project.root).to_string()
        }
    });
    let lockfiles = [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
        ("package-lock.json", "npm"),
        ("poetry.lock", "poetry"),
        ("uv.lock", "uv"),
        ("Pipfile.lock", "pipenv"),
        ("pdm.lock", "pdm"),
    ];
    if project.package_json.is_some() {
        project.locked_packages = crate::lockfile::read(&dir, &project.root, notes);
    }
    project.package_manager = lockfiles
        .iter()
        .find(|(f, _)| dir.join(f).is_file())
        .map(|(_, m)| m.to_string());
    if project.package_manager.is_none() {
        if project.package_json.is_some() {
            project.package_manager = Some("npm".into());
        } else if !project.python_deps.is_empty() {
            project.package_manager = Some("pip".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discover_single_threaded(root: &Path) -> Workspace {
        Workspace::discover(
            root,
            &DiscoverOptions {
                threads: 1,
                ..Default::default()
            },
        )
        .expect("discover")
    }

    #[test]
    fn env_roles_by_name_and_content() {
        let p = envfile::parse("NODE_ENV=production\n");
        assert_eq!(env_role(".env", &p).0, EnvRole::Production);
        let empty = envfile::parse("");
        assert_eq!(env_role(".env", &empty).0, EnvRole::Deployed);
        assert_eq!(env_role(".env.production", &empty).0, EnvRole::Production);
        assert_eq!(env_role("prod.env", &empty).0, EnvRole::Production);
        assert_eq!(env_role(".env.example", &empty).0, EnvRole::Example);
        assert_eq!(
            env_role(".env.production.example", &empty).0,
            EnvRole::Example
        );
        assert_eq!(env_role(".env.test", &empty).0, EnvRole::Development);
        assert_eq!(env_role(".env.local", &empty).0, EnvRole::Development);
        assert_eq!(env_role(".env copy", &empty).0, EnvRole::Development);
        assert_eq!(env_role(".env.prod.bak", &empty).0, EnvRole::Development);
    }

    #[test]
    fn example_dirs() {
        assert!(in_example_dir("examples/echo.py"));
        assert!(in_example_dir("docs/source/snippets/bot.js"));
        assert!(!in_example_dir("src/examples.js"));
        assert!(!in_example_dir("bot/handlers/demo_mode.py"));
        assert!(in_example_dir("practices/pr4/docker-compose.yml"));
        assert!(in_example_dir("benchmarks/queue/producer.js"));
        assert!(!in_example_dir("bot/practice.py"));
    }

    #[test]
    fn example_files() {
        assert!(is_example_file("src/config.example.js"));
        assert!(is_example_file("commands/command.sample.ts"));
        assert!(!is_example_file("src/examples.js"));
        assert!(!is_example_file("src/example.js"));
    }

    #[test]
    fn lowest_python_versions() {
        assert_eq!(lowest_python("<3.13,>=3.10"), Some((3, 10)));
        assert_eq!(lowest_python("^3.11"), Some((3, 11)));
        assert_eq!(lowest_python(">=3.8"), Some((3, 8)));
        assert_eq!(lowest_python("<4"), None);
    }

    #[test]
    fn final_stage_images_follow_stage_names() {
        let multi = "FROM python:3.12-slim-bookworm AS builder\nRUN pip install uv\nFROM builder AS prod\nCMD [\"python\", \"-m\", \"bot\"]\n";
        assert_eq!(
            final_base_image(multi),
            Some((1, "python:3.12-slim-bookworm".to_string()))
        );
        let copy = "FROM node:20 AS web\nFROM --platform=linux/amd64 python:3.11-slim\nCOPY --from=web /app /app\n";
        assert_eq!(
            final_base_image(copy),
            Some((2, "python:3.11-slim".to_string()))
        );
        assert_eq!(final_base_image("RUN echo\n"), None);
    }

    #[test]
    fn test_files() {
        assert!(is_test_file("src/__tests__/a.js"));
        assert!(is_test_file("a.spec.ts"));
        assert!(is_test_file("tests/test_bot.py"));
        assert!(is_test_file("bot/handlers_test.py"));
        assert!(!is_test_file("src/contest.js"));
        assert!(!is_test_file("src/testing_utils.py"));
    }

    #[test]
    fn gitignore_matching_of_paths_that_need_not_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "config.js\n/secrets/\n").expect("write");
        std::fs::create_dir_all(root.join("app")).expect("mkdir");
        std::fs::write(root.join("app/.gitignore"), "local.json\n").expect("write");
        std::fs::write(root.join("app/index.js"), "require('./local.json');\n").expect("write");
        let ws = discover_single_threaded(root);
        assert!(ws.is_gitignored("src/config.js"));
        assert!(ws.is_gitignored("secrets/key.json"));
        assert!(ws.is_gitignored("app/local.json"));
        assert!(
            !ws.is_gitignored("local.json"),
            "app/.gitignore applies only below app/"
        );
        assert!(!ws.is_gitignored("app"), "a .gitignore's own directory");
        assert!(!ws.is_gitignored("src/index.js"));
    }

    #[test]
    fn only_a_packaging_setup_py_makes_a_project() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("config/loggers")).expect("mkdir");
        std::fs::create_dir_all(root.join("plugin")).expect("mkdir");
        std::fs::write(root.join("requirements.txt"), "django\n").expect("write");
        std::fs::write(root.join("manage.py"), "import config.loggers.setup\n").expect("write");
        // A module named setup inside the app: part of the root project.
        std::fs::write(
            root.join("config/loggers/setup.py"),
            "import logging\n\ndef setup(level):\n    logging.basicConfig(level=level)\n",
        )
        .expect("write");
        // A real packaging script: a project of its own.
        std::fs::write(
            root.join("plugin/setup.py"),
            "from setuptools import setup\n\nsetup(name='plugin')\n",
        )
        .expect("write");
        std::fs::write(root.join("plugin/plugin.py"), "X = 1\n").expect("write");
        let ws = discover_single_threaded(root);
        let roots: Vec<&str> = ws.projects.iter().map(|p| p.root.as_str()).collect();
        assert_eq!(roots, vec![".", "plugin"]);
    }

    #[test]
    fn utf16_text_with_a_byte_order_mark_is_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("aiogram==3.4\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(utf16_with_bom(&le).as_deref(), Some("aiogram==3.4\n"));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("fastapi\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(utf16_with_bom(&be).as_deref(), Some("fastapi\n"));
        assert_eq!(utf16_with_bom(b"plain utf-8"), None);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("requirements.txt"), &le).expect("write");
        std::fs::write(dir.path().join("main.py"), "import aiogram\n").expect("write");
        let ws = discover_single_threaded(dir.path());
        assert!(
            ws.projects[0].python_deps.contains("aiogram"),
            "{:?}",
            ws.projects[0].python_deps
        );
    }

    #[test]
    fn tracked_files_count_even_when_gitignore_matches_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/config")).expect("mkdir");
        std::fs::write(
            root.join("src/config/bot.js"),
            "module.exports = { id: process.env.ID };\n",
        )
        .expect("write");
        std::fs::write(root.join("src/scratch.js"), "// local only\n").expect("write");
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !git(&["init", "-q"]) {
            return; // no git on this machine: nothing to test
        }
        assert!(git(&["add", "src/config/bot.js"]));
        // Ignored after the file was committed: still in every clone.
        std::fs::write(root.join(".gitignore"), "src/config/*\nsrc/scratch.js\n").expect("write");
        let ws = discover_single_threaded(root);
        let rels: Vec<&str> = ws.files.iter().map(|f| f.rel.as_str()).collect();
        assert!(rels.contains(&"src/config/bot.js"), "{rels:?}");
        assert!(
            !rels.contains(&"src/scratch.js"),
            "untracked and ignored: {rels:?}"
        );
    }

    #[test]
    fn gitignored_env_files_and_databases_are_found_with_their_modes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("package.json"), r#"{"name":"bot"}"#).expect("write");
        std::fs::write(root.join("index.js"), "console.log(1);\n").expect("write");
        std::fs::write(root.join(".gitignore"), ".env\ndata/\nnode_modules/\n").expect("write");
        std::fs::write(root.join(".env"), "BOT_TOKEN=abc\n").expect("write");
        std::fs::write(root.join(".env.example"), "BOT_TOKEN=\n").expect("write");
        std::fs::create_dir_all(root.join("data")).expect("mkdir");
        let mut db = b"SQLite format 3\0".to_vec();
        db.extend_from_slice(&[0u8; 84]);
        std::fs::write(root.join("data/bot.sqlite"), &db).expect("write");
        std::fs::write(root.join("data/notes.db"), "not sqlite").expect("write");
        std::fs::create_dir_all(root.join("node_modules/x")).expect("mkdir");
        std::fs::write(root.join("node_modules/x/.env"), "A=1\n").expect("write");
        let ws = discover_single_threaded(root);
        let envs: Vec<(&str, bool)> = ws
            .env_files
            .iter()
            .map(|e| (e.rel.as_str(), e.gitignored))
            .collect();
        assert_eq!(envs, vec![(".env", true), (".env.example", false)]);
        assert_eq!(ws.env_files[0].role, EnvRole::Deployed);
        let dbs: Vec<&str> = ws.data_files.iter().map(|d| d.rel.as_str()).collect();
        assert_eq!(dbs, vec!["data/bot.sqlite"]);
        #[cfg(unix)]
        {
            assert!(ws.env_files.iter().all(|e| e.mode.is_some()));
            assert!(ws.data_files[0].dir_mode.is_some());
        }
    }

    #[test]
    fn within_and_join() {
        assert!(is_within("a/b.js", "a"));
        assert!(!is_within("ab/b.js", "a"));
        assert!(is_within("x", "."));
        assert_eq!(join("src", "../lib/x.js"), "lib/x.js");
    }
}
