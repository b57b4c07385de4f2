//! Migrations as the repository shows them: which migration folders it has (and for which
//! tool), which tables its `.sql` and `.prisma` files create, and which commands run
//! migrations, from where, and whether they run when the service is deployed.

use crate::ci::{self, Inactive};
use crate::commands::{split_commands, strip_wrappers};
use crate::deploy::find_line;
use crate::follow::{At, Follower};
use crate::manifest::PackageJson;
use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{Workspace, in_fixture_dir, is_example_file, is_test_file, join, read_text};
use flightcheck_core::Note;
use flightcheck_core::sql::{prisma_models, tables_created};
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Schema and migration files above this size are not read.
pub const MAX_SCHEMA_BYTES: u64 = 2 * 1024 * 1024;

/// The tool a migration folder or command belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MigrationTool {
    Knex,
    Prisma,
    Alembic,
    Django,
    Sequelize,
    TypeOrm,
    NodePgMigrate,
    Drizzle,
    Supabase,
    Aerich,
    FlaskMigrate,
    /// A plain folder of `.sql` files (dbmate, golang-migrate, goose, a custom runner).
    Sql,
}

impl MigrationTool {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Knex => "knex",
            Self::Prisma => "prisma",
            Self::Alembic => "alembic",
            Self::Django => "django",
            Self::Sequelize => "sequelize",
            Self::TypeOrm => "typeorm",
            Self::NodePgMigrate => "node-pg-migrate",
            Self::Drizzle => "drizzle",
            Self::Supabase => "supabase",
            Self::Aerich => "aerich",
            Self::FlaskMigrate => "flask-migrate",
            Self::Sql => "sql",
        }
    }
}

/// A folder of migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSet {
    pub project: usize,
    pub tool: MigrationTool,
    /// Relative to the scan root.
    pub dir: String,
    /// Indices into `ws.files`, sorted; never empty.
    pub files: Vec<usize>,
}

/// A table that a `.sql` file creates or a prisma model defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaTable {
    pub project: usize,
    /// Lower case, no schema or quotes.
    pub table: String,
    /// Index into `ws.files`.
    pub file: usize,
    /// 1-based.
    pub line: u32,
    /// `CREATE TABLE`, `CREATE VIEW`, `ALTER TABLE … RENAME TO`, `prisma model`.
    pub via: String,
}

/// A command that runs migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationCommand {
    pub project: usize,
    pub tool: MigrationTool,
    /// The file the command text is in, relative to the scan root.
    pub file: String,
    /// 1-based line of the command text.
    pub line: u32,
    /// Where it is declared and, in parentheses, what reaches it: `Procfile release`,
    /// `package.json scripts.migrate (Dockerfile CMD)`, `docker-entrypoint.sh (Dockerfile
    /// ENTRYPOINT)`, `.github/workflows/deploy.yml step `Migrate``.
    pub source: String,
    /// The command line as written.
    pub command: String,
    /// Whether deploying the service runs it (start/release scripts, deploy definitions,
    /// platform configs, deploy CI steps, and whatever those reach).
    pub runs_on_deploy: bool,
    /// The migrations directory the command names (`--migrations-dir`, `--directory`,
    /// `-path`...), as written.
    pub directory: Option<String>,
}

/// Computes the migration facts of a discovered workspace.
pub(crate) fn fill(ws: &mut Workspace) {
    let mut notes = Vec::new();
    let sets = migration_sets(ws);
    let tables = schema_tables(ws, &mut notes);
    let commands = migration_commands(ws, &mut notes);
    ws.migration_sets = sets;
    ws.schema_tables = tables;
    ws.migration_commands = commands;
    ws.notes.extend(notes);
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn ext_of(rel: &str) -> String {
    file_name(rel)
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_js_ext(ext: &str) -> bool {
    matches!(ext, "js" | "ts" | "mjs" | "cjs" | "mts" | "cts")
}

/// Files that describe tests, fixtures or templates, not the deployed database.
fn is_ignored(rel: &str) -> bool {
    in_fixture_dir(rel) || is_test_file(rel) || is_example_file(rel)
}

// ---------------------------------------------------------------------------------------
// Migration sets
// ---------------------------------------------------------------------------------------

fn python_deps_have(ws: &Workspace, project: usize, dep: &str) -> bool {
    ws.projects
        .get(project)
        .is_some_and(|p| p.python_deps.contains(dep))
}

fn npm_deps<'a>(ws: &'a Workspace, dir: &str) -> Option<&'a PackageJson> {
    ws.package_json_for(dir).map(|(_, p)| p)
}

struct SetBuilder {
    sets: Vec<MigrationSet>,
    claimed: HashSet<usize>,
}

impl SetBuilder {
    fn add(&mut self, ws: &Workspace, tool: MigrationTool, dir: &str, files: &[usize]) {
        let mut files: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| !self.claimed.contains(i))
            .collect();
        files.sort_unstable();
        files.dedup();
        let Some(first) = files.first() else { return };
        let project = ws.file_project.get(*first).copied().unwrap_or(0);
        self.claimed.extend(files.iter().copied());
        self.sets.push(MigrationSet {
            project,
            tool,
            dir: dir.to_string(),
            files,
        });
    }
}

/// The node tools whose migrations can live in `dir`, by the nearest package.json.
fn node_tools(ws: &Workspace, dir: &str) -> Vec<MigrationTool> {
    let Some(pkg) = npm_deps(ws, dir) else {
        return Vec::new();
    };
    let has = |names: &[&str]| names.iter().any(|n| pkg.dependencies.contains_key(*n));
    let mut out = Vec::new();
    if has(&["knex"]) {
        out.push(MigrationTool::Knex);
    }
    if has(&["sequelize", "sequelize-cli"]) {
        out.push(MigrationTool::Sequelize);
    }
    if has(&["typeorm"]) {
        out.push(MigrationTool::TypeOrm);
    }
    if has(&["node-pg-migrate"]) {
        out.push(MigrationTool::NodePgMigrate);
    }
    if has(&["drizzle-kit", "drizzle-orm"]) {
        out.push(MigrationTool::Drizzle);
    }
    out
}

fn node_tool_accepts(tool: MigrationTool, ext: &str) -> bool {
    match tool {
        MigrationTool::Knex | MigrationTool::Sequelize | MigrationTool::TypeOrm => is_js_ext(ext),
        MigrationTool::NodePgMigrate => is_js_ext(ext) || ext == "sql",
        MigrationTool::Drizzle => ext == "sql",
        _ => false,
    }
}

/// Guesses the tool of a migration file by what it calls.
fn sniff_node_tool(ws: &Workspace, file: usize) -> Option<MigrationTool> {
    let f = ws.files.get(file)?;
    if f.size > MAX_SOURCE_BYTES {
        return None;
    }
    let text = flightcheck_core::read::read_string(&f.abs, None, MAX_SOURCE_BYTES).ok()?;
    if text.contains("MigrationInterface") || text.contains("QueryRunner") {
        Some(MigrationTool::TypeOrm)
    } else if text.contains("queryInterface") || text.contains("QueryInterface") {
        Some(MigrationTool::Sequelize)
    } else if text.contains("pgm.") {
        Some(MigrationTool::NodePgMigrate)
    } else if text.contains("knex") {
        Some(MigrationTool::Knex)
    } else {
        None
    }
}

/// Finds migration folders. Each file belongs to at most one set; tools with a distinctive
/// layout claim their files first.
pub fn migration_sets(ws: &Workspace) -> Vec<MigrationSet> {
    // Migration candidates by directory: SQL and source files outside tests and fixtures.
    let mut by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in ws.files.iter().enumerate() {
        let wanted = match f.kind {
            FileKind::Schema => ext_of(&f.rel) == "sql",
            FileKind::Source(_) => true,
            _ => false,
        };
        if wanted && !is_ignored(&f.rel) {
            by_dir.entry(dir_of(&f.rel)).or_default().push(i);
        }
    }
    let rel = |i: &usize| ws.files[*i].rel.as_str();
    let mut b = SetBuilder {
        sets: Vec::new(),
        claimed: HashSet::new(),
    };

    // Prisma: `<x>/migrations/<name>/migration.sql`.
    let mut prisma: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (dir, files) in &by_dir {
        let migrations = dir_of(dir);
        if file_name(migrations) != "migrations" || *dir == migrations {
            continue;
        }
        let base = dir_of(migrations);
        let prisma_here = file_name(base) == "prisma"
            || ws.files.iter().any(|f| {
                f.kind == FileKind::Schema && dir_of(&f.rel) == base && ext_of(&f.rel) == "prisma"
            })
            || npm_deps(ws, base).is_some_and(|p| {
                p.dependencies.contains_key("prisma")
                    || p.dependencies.contains_key("@prisma/client")
            });
        if !prisma_here {
            continue;
        }
        for i in files {
            if file_name(rel(i)) == "migration.sql" {
                prisma.entry(migrations).or_default().push(*i);
            }
        }
    }
    for (dir, files) in &prisma {
        b.add(ws, MigrationTool::Prisma, dir, files);
    }

    // Supabase: `supabase/migrations/*.sql`.
    for (dir, files) in &by_dir {
        if file_name(dir) == "migrations" && file_name(dir_of(dir)) == "supabase" {
            let sql: Vec<usize> = files
                .iter()
                .copied()
                .filter(|i| ext_of(rel(i)) == "sql")
                .collect();
            b.add(ws, MigrationTool::Supabase, dir, &sql);
        }
    }

    // Alembic / Flask-Migrate: `versions/` beside `env.py` or `alembic.ini`.
    for (dir, files) in &by_dir {
        if file_name(dir) != "versions" {
            continue;
        }
        let parent = dir_of(dir);
        let ini = |d: &str| {
            let path = if d == "." {
                ws.root.join("alembic.ini")
            } else {
                ws.root.join(d).join("alembic.ini")
            };
            path.is_file()
        };
        let alembic = ws.file_index(&join(parent, "env.py")).is_some()
            || ini(parent)
            || (parent != "." && ini(dir_of(parent)));
        if !alembic {
            continue;
        }
        let py: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| ext_of(rel(i)) == "py" && file_name(rel(i)) != "__init__.py")
            .collect();
        let Some(first) = py.first() else { continue };
        let project = ws.file_project.get(*first).copied().unwrap_or(0);
        let tool = if python_deps_have(ws, project, "flask-migrate") {
            MigrationTool::FlaskMigrate
        } else {
            MigrationTool::Alembic
        };
        b.add(ws, tool, dir, &py);
    }

    // Django: `<app>/migrations/0001_*.py`.
    for (dir, files) in &by_dir {
        if file_name(dir) != "migrations" {
            continue;
        }
        let py: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| {
                let name = file_name(rel(i));
                let b = name.as_bytes();
                name.ends_with(".py")
                    && b.len() > 5
                    && b[..4].iter().all(u8::is_ascii_digit)
                    && b[4] == b'_'
            })
            .collect();
        b.add(ws, MigrationTool::Django, dir, &py);
    }

    // Aerich: `migrations/<app>/*.py` in a project that depends on aerich.
    for (dir, files) in &by_dir {
        if file_name(dir_of(dir)) != "migrations" || *dir == dir_of(dir) {
            continue;
        }
        let py: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| ext_of(rel(i)) == "py" && file_name(rel(i)) != "__init__.py")
            .filter(|i| python_deps_have(ws, ws.file_project[*i], "aerich"))
            .collect();
        b.add(ws, MigrationTool::Aerich, dir, &py);
    }

    // Node tools: a `migrations`/`migration`/`drizzle` folder of a project that depends on one.
    for (dir, files) in &by_dir {
        let name = file_name(dir);
        if !matches!(name, "migrations" | "migration" | "drizzle") {
            continue;
        }
        let mut tools = node_tools(ws, dir);
        tools.retain(|t| name != "drizzle" || *t == MigrationTool::Drizzle);
        tools.retain(|t| files.iter().any(|i| node_tool_accepts(*t, &ext_of(rel(i)))));
        let tool = match tools.as_slice() {
            [] => continue,
            [one] => *one,
            [first, ..] => files
                .iter()
                .filter(|i| is_js_ext(&ext_of(rel(i))))
                .take(3)
                .find_map(|i| sniff_node_tool(ws, *i))
                .filter(|t| tools.contains(t))
                .unwrap_or(*first),
        };
        let accepted: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| node_tool_accepts(tool, &ext_of(rel(i))))
            .collect();
        b.add(ws, tool, dir, &accepted);
    }

    // Plain SQL folders: `migrations`, `migration`, `db/migrate`, `sql/migrations`, `schema`,
    // with the `.sql` files directly inside or one folder down (`<version>/up.sql`).
    let sql_dirs: BTreeSet<&str> = by_dir
        .keys()
        .flat_map(|d| [*d, dir_of(d)])
        .filter(|d| {
            matches!(file_name(d), "migrations" | "migration" | "schema")
                || *d == "db/migrate"
                || d.ends_with("/db/migrate")
        })
        .collect();
    for dir in sql_dirs {
        let mut sql: Vec<usize> = Vec::new();
        for (d, files) in &by_dir {
            if *d == dir || dir_of(d) == dir {
                sql.extend(files.iter().copied().filter(|i| ext_of(rel(i)) == "sql"));
            }
        }
        b.add(ws, MigrationTool::Sql, dir, &sql);
    }

    b.sets.sort_by(|a, b| a.dir.cmp(&b.dir));
    b.sets
}

// ---------------------------------------------------------------------------------------
// Schema tables
// ---------------------------------------------------------------------------------------

/// 1-based line of byte offset `off`.
fn line_of(text: &str, off: usize) -> u32 {
    let end = off.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}

/// What created the table whose name starts at `off`.
fn creation_kind(text: &str, off: usize) -> &'static str {
    let mut start = off.min(text.len()).saturating_sub(200);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = off.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text[start..end].to_ascii_lowercase();
    let create = before.rfind("create");
    let rename = before.rfind("rename");
    match (create, rename) {
        (c, Some(r)) if c.is_none_or(|c| r > c) => "ALTER TABLE … RENAME TO",
        (Some(c), _) if before[c..].contains("view") => "CREATE VIEW",
        _ => "CREATE TABLE",
    }
}

/// Tables from `.sql` files and prisma schemas (not from tests or fixtures).
pub fn schema_tables(ws: &Workspace, notes: &mut Vec<Note>) -> Vec<SchemaTable> {
    let mut out = Vec::new();
    for (i, f) in ws.files.iter().enumerate() {
        if f.kind != FileKind::Schema || is_ignored(&f.rel) {
            continue;
        }
        if f.size > MAX_SCHEMA_BYTES {
            notes.push(Note::file(
                &f.rel,
                format!(
                    "skipped: {:.1} MB is too large for a schema or migration file",
                    f.size as f64 / 1_048_576.0
                ),
            ));
            continue;
        }
        let Some(text) = read_text(&f.abs, &f.rel, notes) else {
            continue;
        };
        let project = ws.file_project.get(i).copied().unwrap_or(0);
        match ext_of(&f.rel).as_str() {
            "sql" => {
                for t in tables_created(&text) {
                    out.push(SchemaTable {
                        project,
                        table: t.table,
                        file: i,
                        line: line_of(&text, t.offset),
                        via: creation_kind(&text, t.offset).to_string(),
                    });
                }
            }
            "prisma" => {
                for (table, line) in prisma_models(&text) {
                    out.push(SchemaTable {
                        project,
                        table,
                        file: i,
                        line,
                        via: "prisma model".into(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Recognising migration commands
// ---------------------------------------------------------------------------------------

/// The migration tool a command line runs, if any.
pub fn migration_tool_in(command: &str) -> Option<MigrationTool> {
    migration_in(command).map(|(t, _)| t)
}

/// The migration tool a command line runs and the migrations directory it names.
pub fn migration_in(command: &str) -> Option<(MigrationTool, Option<String>)> {
    detect_line(command, 0)
}

fn detect_line(line: &str, depth: u32) -> Option<(MigrationTool, Option<String>)> {
    if depth > 4 {
        return None;
    }
    split_commands(line)
        .iter()
        .find_map(|words| detect_words(words, depth))
}

/// Leading words that only wrap the real command (see [`strip_wrappers`]).
fn skip_wrappers(words: &[String]) -> &[String] {
    strip_wrappers(words).unwrap_or(&[])
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Non-flag words of `args`.
fn positional(args: &[String]) -> Vec<&str> {
    args.iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect()
}

fn has_pair(args: &[String], a: &str, b: &str) -> bool {
    let pos = positional(args);
    pos.windows(2).any(|w| w[0] == a && w[1] == b)
}

fn has_word(args: &[String], w: &str) -> bool {
    args.iter().any(|a| a == w)
}

/// The value of the first of `flags` given as `--flag value` or `--flag=value`.
fn flag_value(args: &[String], flags: &[&str]) -> Option<String> {
    for (i, a) in args.iter().enumerate() {
        for f in flags {
            if a == f {
                if let Some(v) = args.get(i + 1) {
                    return Some(v.clone());
                }
            } else if let Some(v) = a.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                return Some(v.to_string());
            }
        }
    }
    None
}

fn detect_words(words: &[String], depth: u32) -> Option<(MigrationTool, Option<String>)> {
    if depth > 6 {
        return None;
    }
    let words = skip_wrappers(words);
    let (first, args) = words.split_first()?;
    let prog = basename(first);
    let found = |tool| Some((tool, None));
    match prog {
        "sh" | "bash" | "dash" | "zsh" | "ash" => {
            let p = args
                .iter()
                .position(|a| a == "-c" || a == "-ec" || a == "-ce")?;
            detect_line(args.get(p + 1)?, depth + 1)
        }
        "npx" | "pnpx" | "bunx" => {
            // Options of npx itself: `-y`, `--yes`, `-p pkg`, `--package=pkg`.
            let mut j = 0;
            while j < args.len() && args[j].starts_with('-') {
                j += if matches!(args[j].as_str(), "-p" | "--package") {
                    2
                } else {
                    1
                };
            }
            detect_words(args.get(j..)?, depth + 1)
        }
        "npm" => {
            let (sub, rest) = args.split_first()?;
            if matches!(sub.as_str(), "exec" | "x") {
                let j = rest.iter().take_while(|a| a.starts_with('-')).count();
                detect_words(rest.get(j..)?, depth + 1)
            } else {
                None
            }
        }
        "yarn" | "pnpm" | "bun" => {
            let mut j = args.iter().take_while(|a| a.starts_with('-')).count();
            if args
                .get(j)
                .is_some_and(|a| matches!(a.as_str(), "run" | "exec" | "dlx" | "x"))
            {
                j += 1;
            }
            detect_words(args.get(j..)?, depth + 1)
        }
        "poetry" | "uv" | "pipenv" | "pdm" | "hatch" | "rye" => {
            if args.first().is_some_and(|a| a == "run") {
                detect_words(args.get(1..)?, depth + 1)
            } else {
                None
            }
        }
        p if p.starts_with("python") && p[6..].chars().all(|c| c.is_ascii_digit() || c == '.') => {
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if a == "-m" {
                    return detect_words(args.get(j + 1..)?, depth + 1);
                }
                if a == "-c" {
                    return None;
                }
                if a.starts_with('-') {
                    j += 1;
                    continue;
                }
                if basename(a) == "manage.py" {
                    return django_migrate(args.get(j + 1..)?);
                }
                return None;
            }
            None
        }
        "manage.py" | "django-admin" | "django-admin.py" | "django" => django_migrate(args),
        "knex" => {
            if has_word(args, "migrate:latest") || has_word(args, "migrate:up") {
                Some((
                    MigrationTool::Knex,
                    flag_value(args, &["--migrations-directory"]),
                ))
            } else {
                None
            }
        }
        "prisma" => {
            if has_pair(args, "migrate", "deploy") || has_pair(args, "db", "push") {
                let dir = flag_value(args, &["--schema"]).map(|s| join(dir_of(&s), "migrations"));
                Some((MigrationTool::Prisma, dir))
            } else {
                None
            }
        }
        "sequelize" | "sequelize-cli" => {
            if has_word(args, "db:migrate") {
                Some((
                    MigrationTool::Sequelize,
                    flag_value(args, &["--migrations-path"]),
                ))
            } else {
                None
            }
        }
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm" => {
            if has_word(args, "migration:run") {
                found(MigrationTool::TypeOrm)
            } else {
                None
            }
        }
        "node" | "ts-node" | "tsx" => {
            // `ts-node ./node_modules/typeorm/cli.js migration:run`, `node
            // node_modules/prisma/build/index.js migrate deploy`: a CLI run by its path.
            if args.iter().any(|a| a.contains("typeorm")) && has_word(args, "migration:run") {
                return found(MigrationTool::TypeOrm);
            }
            let p = args
                .iter()
                .position(|a| a.contains("node_modules/prisma/"))?;
            let words: Vec<String> = std::iter::once("prisma".to_string())
                .chain(args[p + 1..].iter().cloned())
                .collect();
            detect_words(&words, depth + 1)
        }
        "node-pg-migrate" => {
            let pos = positional(args);
            if pos
                .iter()
                .any(|a| matches!(*a, "down" | "create" | "redo" | "reset"))
            {
                None
            } else {
                Some((
                    MigrationTool::NodePgMigrate,
                    flag_value(args, &["-m", "--migrations-dir"]),
                ))
            }
        }
        "drizzle-kit" => {
            let sub = positional(args).into_iter().next()?;
            if sub.starts_with("migrate") || sub.starts_with("push") {
                found(MigrationTool::Drizzle)
            } else {
                None
            }
        }
        "supabase" => {
            if has_pair(args, "db", "push") || has_pair(args, "migration", "up") {
                found(MigrationTool::Supabase)
            } else {
                None
            }
        }
        "alembic" => {
            if has_word(args, "upgrade") {
                found(MigrationTool::Alembic)
            } else {
                None
            }
        }
        "flask" => {
            if has_pair(args, "db", "upgrade") {
                Some((
                    MigrationTool::FlaskMigrate,
                    flag_value(args, &["-d", "--directory"]),
                ))
            } else {
                None
            }
        }
        "aerich" => {
            if has_word(args, "upgrade") {
                found(MigrationTool::Aerich)
            } else {
                None
            }
        }
        "dbmate" => {
            if has_word(args, "up") || has_word(args, "migrate") {
                Some((
                    MigrationTool::Sql,
                    flag_value(args, &["-d", "--migrations-dir"]),
                ))
            } else {
                None
            }
        }
        "migrate" => {
            let names_source = args.iter().any(|a| {
                let a = a.trim_start_matches('-');
                ["path", "source", "database"]
                    .iter()
                    .any(|f| a == *f || a.starts_with(&format!("{f}=")))
            });
            if has_word(args, "up") && names_source {
                let dir = flag_value(args, &["-path", "--path", "-source", "--source"])
                    .map(|d| d.trim_start_matches("file://").to_string());
                Some((MigrationTool::Sql, dir))
            } else {
                None
            }
        }
        "goose" => {
            if has_word(args, "up") {
                Some((MigrationTool::Sql, flag_value(args, &["-dir", "--dir"])))
            } else {
                None
            }
        }
        "echo" | "printf" | "test" | "[" | "#" => None,
        _ => {
            // `wait-for-it.sh db:5432 -- npx prisma migrate deploy`
            if let Some(p) = args.iter().position(|a| a == "--") {
                return detect_words(args.get(p + 1..)?, depth + 1);
            }
            // An entrypoint wrapper runs its arguments: `docker-entrypoint.sh alembic upgrade head`.
            if first.ends_with(".sh") && !args.is_empty() {
                return detect_words(args, depth + 1);
            }
            None
        }
    }
}

/// `manage.py migrate ...` (the arguments after `manage.py`).
fn django_migrate(args: &[String]) -> Option<(MigrationTool, Option<String>)> {
    (positional(args).first() == Some(&"migrate")).then_some((MigrationTool::Django, None))
}

// ---------------------------------------------------------------------------------------
// Collecting migration commands
// ---------------------------------------------------------------------------------------

/// A command that a platform or CI configuration runs.
#[derive(Debug, Clone)]
struct Declared {
    file: String,
    line: u32,
    source: String,
    command: String,
    cwd: String,
    deploy: bool,
    /// Commented out: recorded, never run or followed.
    commented: bool,
}

/// package.json scripts that deploying runs by themselves (npm start and its hooks,
/// Heroku's and Vercel's build hooks, app.json-style release scripts, and `postinstall`,
/// which every `npm install`/`npm ci` of the deploy runs).
const DEPLOY_SCRIPTS: [&str; 8] = [
    "postinstall",
    "start",
    "prestart",
    "poststart",
    "release",
    "heroku-postbuild",
    "vercel-build",
    "postdeploy",
];

/// Base images whose start script runs `/app/prestart.sh` first.
const PRESTART_IMAGES: &[&str] = &[
    "tiangolo/uvicorn-gunicorn",
    "tiangolo/meinheld-gunicorn",
    "tiangolo/uwsgi-nginx",
    "tiangolo/gunicorn",
];

/// Every command that runs migrations, with whether deploying runs it.
pub fn migration_commands(ws: &Workspace, notes: &mut Vec<Note>) -> Vec<MigrationCommand> {
    let mut declared: Vec<Declared> = ws.ci_steps.iter().map(ci_declared).collect();
    for f in &ws.files {
        if f.kind != FileKind::Deploy || is_ignored(&f.rel) {
            continue;
        }
        let Some(text) = read_text(&f.abs, &f.rel, notes) else {
            continue;
        };
        match platform_commands(&f.rel, &text) {
            Ok(d) => declared.extend(d),
            Err(e) => notes.push(Note::file(&f.rel, format!("{e}; ignored"))),
        }
    }
    for f in &ws.files {
        // Playbooks under `deploy/` are taken for Kubernetes manifests by their folder.
        if !matches!(f.kind, FileKind::Config | FileKind::Deploy)
            || is_ignored(&f.rel)
            || f.size > MAX_SOURCE_BYTES
        {
            continue;
        }
        let lower = f.rel.to_ascii_lowercase();
        if !(lower.ends_with(".yml") || lower.ends_with(".yaml")) {
            continue;
        }
        let Some(text) = read_text(&f.abs, &f.rel, notes) else {
            continue;
        };
        declared.extend(ansible_commands(&f.rel, &text));
    }
    let mut c = Follower::new(ws, notes);

    // What deploying runs.
    for p in &ws.projects {
        if let Some(pkg) = &p.package_json {
            for name in DEPLOY_SCRIPTS {
                if pkg.scripts.contains_key(name) {
                    c.script(&p.root, name, None, true);
                }
            }
        }
    }
    for decl in &ws.launches {
        // package.json scripts are followed from the deploy scripts above; fixtures of tests
        // are not deployed.
        if decl.source.starts_with("package.json scripts.") || is_ignored(&decl.file) {
            continue;
        }
        let mut at = At::root(&decl.file, decl.line, decl.source.clone(), &decl.cwd, true);
        at.workdir = decl.workdir.clone();
        c.command(&at, &decl.command);
    }
    for d in declared.iter().filter(|d| d.deploy) {
        let at = At::root(&d.file, d.line, d.source.clone(), &d.cwd, true);
        c.command(&at, &d.command);
    }
    // Base images that run `/app/prestart.sh` before the server (tiangolo/uvicorn-gunicorn,
    // meinheld-gunicorn, uwsgi-nginx): the script beside the Dockerfile runs on every start.
    for f in ws.files.iter().filter(|f| f.kind == FileKind::Deploy) {
        let name = file_name(&f.rel).to_ascii_lowercase();
        if !name.starts_with("dockerfile") || is_ignored(&f.rel) {
            continue;
        }
        let Some(text) = read_text(&f.abs, &f.rel, c.notes()) else {
            continue;
        };
        let Some((line, _)) = text.lines().enumerate().find(|(_, l)| {
            let l = l.trim().to_ascii_lowercase();
            l.starts_with("from ") && PRESTART_IMAGES.iter().any(|i| l.contains(i))
        }) else {
            continue;
        };
        let script = crate::workspace::join(dir_of(&f.rel), "prestart.sh");
        if let Some(i) = ws.file_index(&script)
            && let Some(body) = read_text(&ws.files[i].abs, &script, c.notes())
        {
            let at = At::root(
                &f.rel,
                line as u32 + 1,
                format!(
                    "{} FROM (the base image runs prestart.sh before the server)",
                    f.rel
                ),
                dir_of(&f.rel),
                true,
            );
            c.shell(&script, &body, Some(&at), true);
        }
    }

    // What nothing deploying reaches.
    for d in declared.iter().filter(|d| !d.deploy) {
        let at = At::root(&d.file, d.line, d.source.clone(), &d.cwd, false);
        if d.commented {
            c.record(&at, &d.command, true);
        } else {
            c.command(&at, &d.command);
        }
    }
    for p in &ws.projects {
        if let Some(pkg) = &p.package_json {
            for name in pkg.scripts.keys() {
                c.script(&p.root, name, None, false);
            }
        }
    }
    for f in ws.files.iter().filter(|f| f.kind == FileKind::Script) {
        if is_ignored(&f.rel) {
            continue;
        }
        if matches!(file_name(&f.rel), "Makefile" | "makefile" | "GNUmakefile") {
            let names: Vec<String> = c.makefile(&f.rel).into_iter().map(|t| t.name).collect();
            for t in names {
                c.make_target(&f.rel, Some(&t), None, false);
            }
        } else if !c.seen_file(&f.rel)
            && f.size <= MAX_SOURCE_BYTES
            && let Some(text) = read_text(&f.abs, &f.rel, c.notes())
        {
            c.shell(&f.rel, &text, None, false);
        }
    }

    let mut out = Vec::new();
    for r in c.take() {
        if let Some((tool, directory)) = migration_in(&r.text) {
            out.push(MigrationCommand {
                project: c.project_of_command(&r.at.file, &r.at.cwd),
                tool,
                file: r.at.file.clone(),
                line: r.at.line,
                source: r.at.shown(),
                command: r.text.clone(),
                runs_on_deploy: r.at.live && !r.commented,
                directory,
            });
        }
    }
    out.extend(documented_commands(ws, notes));
    let mut seen = HashSet::new();
    out.retain(|m| seen.insert((m.file.clone(), m.line, m.command.clone())));
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// Migration commands a project's README gives as a step to run (`npx prisma migrate
/// deploy` in a shell code block): applying migrations is a documented manual step of
/// deploying, which an operator may follow; nothing automatic runs them.
fn documented_commands(ws: &Workspace, notes: &mut Vec<Note>) -> Vec<MigrationCommand> {
    let mut out = Vec::new();
    // Done once per README: the migration files named by path (`run
    // src/db/migrations/init.sql in the SQL editor`), a step outside any code block.
    let sets = migration_sets(ws);
    for (p, project) in ws.projects.iter().enumerate() {
        for name in ["README.md", "readme.md", "Readme.md", "README.MD"] {
            let rel = crate::workspace::join(&project.root, name);
            let Some(i) = ws.file_index(&rel) else {
                continue;
            };
            let f = &ws.files[i];
            if f.size > MAX_SOURCE_BYTES {
                continue;
            }
            let Some(text) = read_text(&f.abs, &f.rel, notes) else {
                continue;
            };
            let mut in_code = false;
            for (n, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                    in_code = !in_code;
                    continue;
                }
                let command = trimmed.strip_prefix("$ ").unwrap_or(trimmed);
                if let Some(set) = sets
                    .iter()
                    .find(|s| s.project == p && names_migration_file(ws, s, &project.root, line))
                {
                    out.push(MigrationCommand {
                        project: p,
                        tool: set.tool,
                        file: f.rel.clone(),
                        line: n as u32 + 1,
                        source: format!("{} (a documented step)", f.rel),
                        command: command.chars().take(160).collect(),
                        runs_on_deploy: false,
                        directory: None,
                    });
                    continue;
                }
                if !in_code && !trimmed.starts_with("$ ") {
                    continue;
                }
                if let Some((tool, directory)) = migration_in(command) {
                    out.push(MigrationCommand {
                        project: p,
                        tool,
                        file: f.rel.clone(),
                        line: n as u32 + 1,
                        source: format!("{} (a documented step)", f.rel),
                        command: command.to_string(),
                        runs_on_deploy: false,
                        directory,
                    });
                }
            }
            break;
        }
    }
    out
}

/// Whether a README line names one of the set's migration files by its path (from the scan
/// root or from the project root): the README tells the operator to apply it.
fn names_migration_file(ws: &Workspace, set: &MigrationSet, root: &str, line: &str) -> bool {
    set.files.iter().any(|&i| {
        let rel = ws.files[i].rel.as_str();
        let from_root = if root.is_empty() || root == "." {
            rel
        } else {
            rel.strip_prefix(root)
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(rel)
        };
        // A bare file name (`init.sql`) is too weak; the path must have a folder in it.
        from_root.contains('/') && (line.contains(rel) || line.contains(from_root))
    })
}

// ---------------------------------------------------------------------------------------
// Platform configurations
// ---------------------------------------------------------------------------------------

/// Line of a command in its file: where its first line appears, else where `key` does.
fn line_for(text: &str, command: &str, key: &str) -> u32 {
    let first = command.lines().next().unwrap_or("").trim();
    let probe: String = first.chars().take(60).collect();
    (!probe.is_empty())
        .then(|| find_line(text, &probe))
        .flatten()
        .or_else(|| find_line(text, key))
        .unwrap_or(1)
}

fn yaml_commands(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(seq) => {
            let words: Vec<&str> = seq.iter().filter_map(Yaml::as_str).collect();
            if words.is_empty() {
                Vec::new()
            } else {
                vec![words.join(" ")]
            }
        }
        Yaml::Mapping(_) => v.get("command").map(yaml_commands).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn json_commands(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_string)
            .collect(),
        serde_json::Value::Object(o) => o.get("command").map(json_commands).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn toml_commands(v: &toml::Value) -> Vec<String> {
    match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Array(a) => a
            .iter()
            .filter_map(toml::Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Commands that platform configurations run on deploy. `Err` for files that do not parse.
fn platform_commands(file: &str, text: &str) -> Result<Vec<Declared>, String> {
    let dir = dir_of(file).to_string();
    let name = file_name(file).to_ascii_lowercase();
    let mut out = Vec::new();
    let mut add = |source: String, command: String, key: &str, cwd: &str| {
        if command.trim().is_empty() {
            return;
        }
        out.push(Declared {
            file: file.to_string(),
            line: line_for(text, &command, key),
            source,
            command,
            cwd: cwd.to_string(),
            deploy: true,
            commented: false,
        });
    };
    match name.as_str() {
        "fly.toml" => {
            let v: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| format!("broken fly.toml: {}", e.message()))?;
            if let Some(cmd) = v
                .get("deploy")
                .and_then(|d| d.get("release_command"))
                .map(toml_commands)
            {
                for c in cmd {
                    add(
                        "fly.toml [deploy] release_command".into(),
                        c,
                        "release_command",
                        &dir,
                    );
                }
            }
            if let Some(procs) = v.get("processes").and_then(toml::Value::as_table) {
                for (k, p) in procs {
                    for c in toml_commands(p) {
                        add(format!("fly.toml [processes] {k}"), c, k, &dir);
                    }
                }
            }
        }
        "nixpacks.toml" => {
            let v: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| format!("broken nixpacks.toml: {}", e.message()))?;
            if let Some(cmd) = v.get("start").and_then(|s| s.get("cmd")) {
                for c in toml_commands(cmd) {
                    add("nixpacks.toml [start] cmd".into(), c, "cmd", &dir);
                }
            }
        }
        "railway.toml" | "railway.json" => {
            let v: serde_json::Value = if name.ends_with(".toml") {
                let t: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                    format!("broken railway.toml: {}", e.message())
                })?;
                serde_json::to_value(t).map_err(|e| format!("broken railway.toml: {e}"))?
            } else {
                serde_json::from_str(text).map_err(|e| format!("broken railway.json: {e}"))?
            };
            for (section, key) in [
                ("deploy", "preDeployCommand"),
                ("deploy", "startCommand"),
                ("build", "buildCommand"),
            ] {
                if let Some(cmd) = v.get(section).and_then(|s| s.get(key)) {
                    for c in json_commands(cmd) {
                        add(format!("{name} {section}.{key}"), c, key, &dir);
                    }
                }
            }
        }
        "app.json" | "vercel.json" => {
            let v: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("broken {name}: {e}"))?;
            let (path, key): (&[&str], &str) = if name == "app.json" {
                (&["scripts", "postdeploy"], "postdeploy")
            } else {
                (&["buildCommand"], "buildCommand")
            };
            let mut cur = Some(&v);
            for p in path {
                cur = cur.and_then(|c| c.get(*p));
            }
            if let Some(cmd) = cur {
                for c in json_commands(cmd) {
                    add(format!("{name} {}", path.join(".")), c, key, &dir);
                }
            }
        }
        "render.yaml" => {
            let v: Yaml =
                serde_yaml::from_str(text).map_err(|e| format!("broken render.yaml: {e}"))?;
            let keys = ["preDeployCommand", "startCommand", "buildCommand"];
            for k in keys {
                if let Some(cmd) = v.get(k) {
                    for c in yaml_commands(cmd) {
                        add(format!("render.yaml {k}"), c, k, &dir);
                    }
                }
            }
            if let Some(services) = v.get("services").and_then(Yaml::as_sequence) {
                for (n, s) in services.iter().enumerate() {
                    let label = s
                        .get("name")
                        .and_then(Yaml::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| n.to_string());
                    let cwd = s
                        .get("rootDir")
                        .and_then(Yaml::as_str)
                        .map(|r| join(&dir, r))
                        .unwrap_or_else(|| dir.clone());
                    for k in keys {
                        if let Some(cmd) = s.get(k) {
                            for c in yaml_commands(cmd) {
                                add(format!("render.yaml services[{label}].{k}"), c, k, &cwd);
                            }
                        }
                    }
                }
            }
        }
        "heroku.yml" => {
            let v: Yaml =
                serde_yaml::from_str(text).map_err(|e| format!("broken heroku.yml: {e}"))?;
            if let Some(release) = v.get("release") {
                for c in yaml_commands(release) {
                    add("heroku.yml release.command".into(), c, "release", &dir);
                }
            }
            if let Some(run) = v.get("run").and_then(Yaml::as_mapping) {
                for (k, p) in run {
                    let k = k.as_str().unwrap_or("?");
                    for c in yaml_commands(p) {
                        add(format!("heroku.yml run.{k}"), c, k, &dir);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// CI
// ---------------------------------------------------------------------------------------

/// A CI command as migrations see it: only deploy jobs deploy (test jobs migrate a
/// throwaway database).
/// The shell commands of an Ansible playbook (a list of plays with `hosts` and `tasks`) or
/// of a role's task file (`roles/<name>/tasks/*.yml`): `command`/`shell` tasks, as
/// `ansible.builtin.*` too. Running a playbook is how its operator deploys, so they are
/// deploy commands, like a compose file's.
fn ansible_commands(file: &str, text: &str) -> Vec<Declared> {
    // Cheap test before parsing: a play names its hosts, a role's task file sits in `tasks/`.
    let role_tasks = dir_of(file).ends_with("/tasks") || dir_of(file) == "tasks";
    let names_hosts = text.contains("hosts:") && text.contains("tasks:");
    if !(role_tasks || names_hosts) {
        return Vec::new();
    }
    let Ok(Yaml::Sequence(items)) = serde_yaml::from_str::<Yaml>(text) else {
        return Vec::new();
    };
    let mut tasks: Vec<&Yaml> = Vec::new();
    for item in &items {
        if item.get("hosts").is_some() {
            for key in ["pre_tasks", "tasks", "post_tasks", "handlers"] {
                if let Some(Yaml::Sequence(list)) = item.get(key) {
                    tasks.extend(list);
                }
            }
        } else if role_tasks {
            tasks.push(item);
        }
    }
    let mut out = Vec::new();
    for task in tasks {
        ansible_task(file, text, task, 0, &mut out);
    }
    out
}

/// One Ansible task's command (and those of a `block`, to a small depth).
fn ansible_task(file: &str, text: &str, task: &Yaml, depth: u8, out: &mut Vec<Declared>) {
    if depth < 4 {
        for key in ["block", "rescue", "always"] {
            if let Some(Yaml::Sequence(list)) = task.get(key) {
                for t in list {
                    ansible_task(file, text, t, depth + 1, out);
                }
            }
        }
    }
    let Yaml::Mapping(map) = task else {
        return;
    };
    // `command:`/`shell:` (and `ansible.builtin.*`) take the command as a string or as
    // `cmd`; modules that run a command elsewhere (`community.docker.docker_container_exec`)
    // take it as `command`.
    for (key, v) in map {
        let Some(module) = key.as_str() else {
            continue;
        };
        let short = module.rsplit('.').next().unwrap_or(module);
        let command = match v {
            Yaml::String(s) if matches!(short, "command" | "shell" | "raw") => s.clone(),
            Yaml::Mapping(_) => match v
                .get("cmd")
                .or_else(|| v.get("command"))
                .and_then(Yaml::as_str)
            {
                Some(s) => s.to_string(),
                None => continue,
            },
            _ => continue,
        };
        // `args: chdir:` (or the mapping form's `chdir`) is where the command runs.
        let cwd = task
            .get("args")
            .and_then(|a| a.get("chdir"))
            .or_else(|| v.get("chdir"))
            .and_then(Yaml::as_str)
            .unwrap_or(dir_of(file))
            .to_string();
        if command.trim().is_empty() {
            continue;
        }
        let name = task.get("name").and_then(Yaml::as_str).unwrap_or(module);
        out.push(Declared {
            file: file.to_string(),
            line: line_for(text, &command, module),
            source: format!("{file} Ansible task `{name}`"),
            command,
            cwd,
            deploy: true,
            commented: false,
        });
    }
}

fn ci_declared(step: &ci::CiStep) -> Declared {
    let source = match &step.inactive {
        Some(Inactive::CommentedOut) => format!("{} (commented out)", step.file),
        _ if step.test_job => format!("{} (test job)", step.source),
        Some(Inactive::FailureIgnored(_)) => format!("{} (failure ignored)", step.source),
        Some(Inactive::Disabled(_)) => format!("{} (disabled)", step.source),
        None => step.source.clone(),
    };
    Declared {
        deploy: !step.test_job && step.inactive.is_none(),
        commented: step.inactive == Some(Inactive::CommentedOut),
        file: step.file.clone(),
        line: step.line,
        source,
        command: step.command.clone(),
        cwd: step.cwd.clone(),
    }
}

#[cfg(test)]
mod tests;
