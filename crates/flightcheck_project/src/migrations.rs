//! Migrations as the repository shows them: which migration folders it has (and for which
//! tool), which tables its `.sql` and `.prisma` files create, and which commands run
//! migrations, from where, and whether they run when the service is deployed.

use crate::commands::{logical_lines, split_commands, strip_wrappers};
use crate::deploy::{LaunchDecl, find_line};
use crate::manifest::PackageJson;
use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{
    Workspace, in_fixture_dir, is_example_file, is_test_file, is_within, join, read_text,
};
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
    let text = std::fs::read_to_string(&f.abs).ok()?;
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
            // `ts-node ./node_modules/typeorm/cli.js migration:run`
            if args.iter().any(|a| a.contains("typeorm")) && has_word(args, "migration:run") {
                found(MigrationTool::TypeOrm)
            } else {
                None
            }
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
// What a command runs: package.json scripts, shell scripts, make targets
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ref {
    /// A package.json script, with the directory (relative to the command's) it runs in.
    Script { dir: String, name: String },
    /// A script file by path.
    File(String),
    /// A make target (`None`: the default) in the Makefile of `dir`.
    Make { dir: String, target: Option<String> },
}

fn refs_in(line: &str, out: &mut Vec<Ref>, depth: u32) {
    if depth > 4 {
        return;
    }
    for words in split_commands(line) {
        refs_of(&words, out, depth);
    }
}

fn refs_of(words: &[String], out: &mut Vec<Ref>, depth: u32) {
    if depth > 6 {
        return;
    }
    let words = skip_wrappers(words);
    let Some((first, args)) = words.split_first() else {
        return;
    };
    let prog = basename(first);
    match prog {
        "sh" | "bash" | "dash" | "zsh" | "ash" => {
            if let Some(p) = args
                .iter()
                .position(|a| a == "-c" || a == "-ec" || a == "-ce")
            {
                if let Some(s) = args.get(p + 1) {
                    refs_in(s, out, depth + 1);
                }
            } else if let Some(path) = args.iter().find(|a| !a.starts_with('-')) {
                out.push(Ref::File(path.clone()));
            }
        }
        "source" | "." => {
            if let Some(path) = args.first() {
                out.push(Ref::File(path.clone()));
            }
        }
        "npm" | "yarn" | "pnpm" | "bun" => {
            let mut dir = ".".to_string();
            let mut rest: Vec<&str> = Vec::new();
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if matches!(a, "--prefix" | "--cwd" | "-C" | "--dir") {
                    if let Some(v) = args.get(j + 1) {
                        dir = v.clone();
                    }
                    j += 2;
                    continue;
                }
                if let Some(v) = a
                    .strip_prefix("--prefix=")
                    .or_else(|| a.strip_prefix("--cwd="))
                    .or_else(|| a.strip_prefix("--dir="))
                {
                    dir = v.to_string();
                } else if !a.starts_with('-') {
                    rest.push(a);
                }
                j += 1;
            }
            let name = match rest.first().copied() {
                Some("run" | "run-script") => rest.get(1).copied(),
                Some("start" | "test" | "stop" | "restart") => rest.first().copied(),
                Some(
                    "exec" | "x" | "dlx" | "install" | "ci" | "i" | "add" | "remove" | "init"
                    | "create",
                )
                | None => None,
                Some(other) if prog != "npm" => Some(other),
                Some(_) => None,
            };
            if let Some(name) = name {
                out.push(Ref::Script {
                    dir,
                    name: name.to_string(),
                });
            }
        }
        "npm-run-all" | "run-s" | "run-p" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                out.push(Ref::Script {
                    dir: ".".into(),
                    name: a.clone(),
                });
            }
        }
        "concurrently" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                if let Some(name) = a.strip_prefix("npm:") {
                    out.push(Ref::Script {
                        dir: ".".into(),
                        name: name.to_string(),
                    });
                } else {
                    refs_in(a, out, depth + 1);
                }
            }
        }
        "make" | "gmake" | "$(MAKE)" | "${MAKE}" => {
            let mut dir = ".".to_string();
            let mut targets = Vec::new();
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if a == "-C" || a == "--directory" {
                    if let Some(v) = args.get(j + 1) {
                        dir = v.clone();
                    }
                    j += 2;
                    continue;
                }
                if matches!(a, "-f" | "--file" | "-j" | "--jobs" | "-I") {
                    j += 2;
                    continue;
                }
                if !a.starts_with('-') && !a.contains('=') {
                    targets.push(a.to_string());
                }
                j += 1;
            }
            if targets.is_empty() {
                out.push(Ref::Make { dir, target: None });
            } else {
                for t in targets {
                    out.push(Ref::Make {
                        dir: dir.clone(),
                        target: Some(t),
                    });
                }
            }
        }
        "echo" | "printf" | "test" | "[" => {}
        _ => {
            if first.ends_with(".sh") || first.contains('/') {
                out.push(Ref::File(first.clone()));
            }
            if let Some(p) = args.iter().position(|a| a == "--")
                && let Some(rest) = args.get(p + 1..)
            {
                refs_of(rest, out, depth + 1);
            } else if (first.ends_with(".sh") || first.contains('/')) && !args.is_empty() {
                // An entrypoint wrapper runs its arguments (`exec "$@"`).
                refs_of(args, out, depth + 1);
            }
        }
    }
}

/// A commented-out line's command (`# npx knex migrate:latest`, `# - run: alembic upgrade`).
fn commented_command(line: &str) -> Option<&str> {
    let mut rest = line
        .trim()
        .strip_prefix('#')?
        .trim_start_matches('#')
        .trim();
    for prefix in ["- ", "run:", "script:", "command:", "- ", "\"", "'"] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest).trim();
    }
    let rest = rest.trim_end_matches(['"', '\'']);
    (!rest.is_empty()).then_some(rest)
}

// ---------------------------------------------------------------------------------------
// Makefiles
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct MakeTarget {
    name: String,
    prerequisites: Vec<String>,
    /// (1-based line, command).
    recipe: Vec<(u32, String)>,
}

fn parse_makefile(text: &str) -> Vec<MakeTarget> {
    let mut targets: Vec<MakeTarget> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (n, line) in logical_lines(text, false) {
        if let Some(cmd) = line.strip_prefix('\t') {
            let cmd = cmd.trim().trim_start_matches(['@', '-', '+']).trim();
            if cmd.is_empty() || cmd.starts_with('#') {
                continue;
            }
            for &t in &current {
                if let Some(target) = targets.get_mut(t) {
                    target.recipe.push((n, cmd.to_string()));
                }
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        current.clear();
        let Some((names, deps)) = trimmed.split_once(':') else {
            continue;
        };
        if deps.starts_with('=') || deps.starts_with(":=") || names.contains('=') {
            continue;
        }
        let (deps, inline) = match deps.split_once(';') {
            Some((d, r)) => (d, Some(r.trim())),
            None => (deps, None),
        };
        for name in names.split_whitespace() {
            if name.starts_with('.') || name.contains('%') || name.contains('$') {
                continue;
            }
            current.push(targets.len());
            let mut t = MakeTarget {
                name: name.to_string(),
                prerequisites: deps.split_whitespace().map(str::to_string).collect(),
                recipe: Vec::new(),
            };
            if let Some(cmd) = inline.filter(|c| !c.is_empty()) {
                t.recipe.push((n, cmd.to_string()));
            }
            targets.push(t);
        }
    }
    targets
}

// ---------------------------------------------------------------------------------------
// Collecting migration commands
// ---------------------------------------------------------------------------------------

/// Where a command is, and how it was reached.
#[derive(Debug, Clone)]
struct At {
    file: String,
    line: u32,
    /// Where the text is: `Procfile release`, `package.json scripts.migrate`.
    source: String,
    /// The root declaration that reaches it, when not itself.
    via: Option<String>,
    cwd: String,
    workdir: Option<String>,
    deploy: bool,
    depth: u32,
}

impl At {
    fn root(file: &str, line: u32, source: String, cwd: &str, deploy: bool) -> At {
        At {
            file: file.to_string(),
            line,
            source,
            via: None,
            cwd: cwd.to_string(),
            workdir: None,
            deploy,
            depth: 0,
        }
    }

    fn child(&self, file: &str, line: u32, source: String, cwd: &str) -> At {
        At {
            file: file.to_string(),
            line,
            source,
            via: Some(self.via.clone().unwrap_or_else(|| self.source.clone())),
            cwd: cwd.to_string(),
            workdir: self.workdir.clone(),
            deploy: self.deploy,
            depth: self.depth + 1,
        }
    }

    fn shown(&self) -> String {
        match &self.via {
            Some(v) => format!("{} ({v})", self.source),
            None => self.source.clone(),
        }
    }
}

/// A command that a platform or CI configuration runs.
#[derive(Debug, Clone)]
struct Declared {
    file: String,
    line: u32,
    source: String,
    command: String,
    cwd: String,
    deploy: bool,
}

/// package.json scripts that deploying runs by themselves (npm start and its hooks,
/// Heroku's and Vercel's build hooks, app.json-style release scripts).
const DEPLOY_SCRIPTS: [&str; 7] = [
    "start",
    "prestart",
    "poststart",
    "release",
    "heroku-postbuild",
    "vercel-build",
    "postdeploy",
];

struct Collector<'a> {
    ws: &'a Workspace,
    out: Vec<MigrationCommand>,
    notes: &'a mut Vec<Note>,
    seen_scripts: HashSet<(String, String)>,
    seen_files: HashSet<String>,
    seen_targets: HashSet<(String, String)>,
    makefiles: BTreeMap<String, Vec<MakeTarget>>,
}

impl Collector<'_> {
    fn project_of_file(&self, rel: &str) -> usize {
        if let Some(i) = self.ws.file_index(rel) {
            return self.ws.file_project.get(i).copied().unwrap_or(0);
        }
        self.project_of_dir(rel)
    }

    fn project_of_dir(&self, dir: &str) -> usize {
        self.ws
            .projects
            .iter()
            .enumerate()
            .filter(|(_, p)| is_within(dir, &p.root))
            .max_by_key(|(_, p)| p.root.len())
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    fn push(&mut self, at: &At, tool: MigrationTool, command: &str, directory: Option<String>) {
        self.out.push(MigrationCommand {
            project: self.project_of_file(&at.file),
            tool,
            file: at.file.clone(),
            line: at.line,
            source: at.shown(),
            command: command.trim().to_string(),
            runs_on_deploy: at.deploy,
            directory,
        });
    }

    /// A command line: records it when it migrates, then follows what it runs.
    fn command(&mut self, at: &At, text: &str) {
        if let Some((tool, dir)) = migration_in(text) {
            self.push(at, tool, text, dir);
        }
        if at.depth > 8 {
            return;
        }
        let mut refs = Vec::new();
        refs_in(text, &mut refs, 0);
        for r in refs {
            match r {
                Ref::Script { dir, name } => {
                    let base = join(&at.cwd, &dir);
                    let Some((root, pkg)) = self.ws.package_json_for(&base) else {
                        continue;
                    };
                    let names: Vec<String> = match name.strip_suffix('*') {
                        Some(prefix) => pkg
                            .scripts
                            .keys()
                            .filter(|k| k.starts_with(prefix))
                            .cloned()
                            .collect(),
                        None => vec![name],
                    };
                    let root = root.to_string();
                    for n in names {
                        for s in [format!("pre{n}"), n.clone(), format!("post{n}")] {
                            self.script(&root, &s, Some(at), at.deploy);
                        }
                    }
                }
                Ref::File(path) => {
                    if let Some((rel, text)) = self.resolve_script_file(at, &path) {
                        self.shell(&rel, &text, Some(at), at.deploy);
                    }
                }
                Ref::Make { dir, target } => {
                    let base = join(&at.cwd, &dir);
                    let project_root = self.ws.projects[self.project_of_dir(&base)].root.clone();
                    let mut found = None;
                    for d in [base.as_str(), project_root.as_str()] {
                        for name in ["GNUmakefile", "makefile", "Makefile"] {
                            let rel = join(d, name);
                            if found.is_none() && self.ws.file_index(&rel).is_some() {
                                found = Some(rel);
                            }
                        }
                    }
                    if let Some(mf) = found {
                        self.make_target(&mf, target.as_deref(), Some(at), at.deploy);
                    }
                }
            }
        }
    }

    /// A package.json script (once).
    fn script(&mut self, root: &str, name: &str, parent: Option<&At>, deploy: bool) {
        let Some(pkg) = self
            .ws
            .projects
            .iter()
            .find(|p| p.root == root)
            .and_then(|p| p.package_json.as_ref())
        else {
            return;
        };
        let Some(cmd) = pkg.scripts.get(name) else {
            return;
        };
        if !self
            .seen_scripts
            .insert((root.to_string(), name.to_string()))
        {
            return;
        }
        let file = join(root, "package.json");
        let line = pkg.script_lines.get(name).copied().unwrap_or(1);
        let source = format!("package.json scripts.{name}");
        let at = match parent {
            Some(p) => p.child(&file, line, source, root),
            None => At::root(&file, line, source, root, deploy),
        };
        let cmd = cmd.clone();
        self.command(&at, &cmd);
    }

    /// Finds a script file a command runs: from the command's directory, the container
    /// workdir, the project root, or (for `*.sh`) by name.
    fn resolve_script_file(&mut self, at: &At, path: &str) -> Option<(String, String)> {
        let mut candidates = Vec::new();
        if let Some(abs) = path.strip_prefix('/') {
            if let Some(wd) = &at.workdir {
                let wd = wd.trim_end_matches('/');
                if let Some(rest) = path.strip_prefix(wd).and_then(|r| r.strip_prefix('/')) {
                    candidates.push(join(&at.cwd, rest));
                }
            }
            let parts: Vec<&str> = abs.split('/').collect();
            for i in 0..parts.len() {
                candidates.push(join(&at.cwd, &parts[i..].join("/")));
            }
        } else {
            candidates.push(join(&at.cwd, path));
            let root = &self.ws.projects[self.project_of_dir(&at.cwd)].root;
            candidates.push(join(root, path));
        }
        candidates.retain(|c| !c.starts_with("..") && c != ".");
        for c in &candidates {
            if let Some(i) = self.ws.file_index(c) {
                return self.read_script(i);
            }
        }
        // Not walked (no extension): read it from disk when it is inside the root.
        for c in candidates.iter().filter(|c| {
            matches!(ext_of(c).as_str(), "" | "sh" | "bash")
                && !c
                    .split('/')
                    .any(|p| matches!(p, "node_modules" | ".venv" | "venv" | ".git"))
        }) {
            let abs = self.ws.root.join(c);
            if let Ok(meta) = std::fs::symlink_metadata(&abs)
                && meta.is_file()
                && meta.len() <= MAX_SOURCE_BYTES
            {
                let text = read_text(&abs, c, self.notes)?;
                return Some((c.clone(), text));
            }
        }
        let name = file_name(path);
        if !name.ends_with(".sh") {
            return None;
        }
        let project = self.project_of_dir(&at.cwd);
        let same_name: Vec<usize> = (0..self.ws.files.len())
            .filter(|i| {
                self.ws.files[*i].kind == FileKind::Script
                    && file_name(&self.ws.files[*i].rel) == name
            })
            .collect();
        let pick = same_name
            .iter()
            .copied()
            .find(|i| self.ws.file_project.get(*i) == Some(&project))
            .or_else(|| (same_name.len() == 1).then(|| same_name[0]))?;
        self.read_script(pick)
    }

    fn read_script(&mut self, i: usize) -> Option<(String, String)> {
        let f = self.ws.files.get(i)?;
        if matches!(f.kind, FileKind::Source(_)) || f.size > MAX_SOURCE_BYTES {
            return None;
        }
        let text = read_text(&f.abs, &f.rel, self.notes)?;
        Some((f.rel.clone(), text))
    }

    /// The lines of a shell script (once).
    fn shell(&mut self, rel: &str, text: &str, parent: Option<&At>, deploy: bool) {
        if !self.seen_files.insert(rel.to_string()) {
            return;
        }
        let cwd = parent
            .map(|p| p.cwd.clone())
            .unwrap_or_else(|| self.ws.projects[self.project_of_file(rel)].root.clone());
        for (n, line) in logical_lines(text, false) {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if t.starts_with('#') {
                if let Some(cmd) = commented_command(t)
                    && let Some((tool, dir)) = migration_in(cmd)
                {
                    let mut at = match parent {
                        Some(p) => p.child(rel, n, rel.to_string(), &cwd),
                        None => At::root(rel, n, rel.to_string(), &cwd, false),
                    };
                    at.deploy = false;
                    at.via = Some(match at.via {
                        Some(v) => format!("{v}, commented out"),
                        None => "commented out".into(),
                    });
                    self.push(&at, tool, cmd, dir);
                }
                continue;
            }
            let at = match parent {
                Some(p) => p.child(rel, n, rel.to_string(), &cwd),
                None => At::root(rel, n, rel.to_string(), &cwd, deploy),
            };
            self.command(&at, t);
        }
    }

    fn makefile(&mut self, rel: &str) -> Vec<MakeTarget> {
        if let Some(t) = self.makefiles.get(rel) {
            return t.clone();
        }
        let targets = self
            .ws
            .file_index(rel)
            .and_then(|i| self.ws.files.get(i))
            .filter(|f| f.size <= MAX_SOURCE_BYTES)
            .and_then(|f| read_text(&f.abs, &f.rel, self.notes))
            .map(|text| parse_makefile(&text))
            .unwrap_or_default();
        self.makefiles.insert(rel.to_string(), targets.clone());
        targets
    }

    /// A make target, its prerequisites first (once each).
    fn make_target(&mut self, mf: &str, target: Option<&str>, parent: Option<&At>, deploy: bool) {
        let targets = self.makefile(mf);
        let Some(t) = (match target {
            Some(name) => targets.iter().find(|t| t.name == name),
            None => targets.first(),
        }) else {
            return;
        };
        if !self.seen_targets.insert((mf.to_string(), t.name.clone())) {
            return;
        }
        if parent.is_some_and(|p| p.depth > 8) {
            return;
        }
        for pre in &t.prerequisites {
            self.make_target(mf, Some(pre), parent, deploy);
        }
        let dir = dir_of(mf).to_string();
        let name = file_name(mf);
        for (n, cmd) in &t.recipe {
            let source = format!("{name} target `{}`", t.name);
            let at = match parent {
                Some(p) => p.child(mf, *n, source, &dir),
                None => At::root(mf, *n, source, &dir, deploy),
            };
            self.command(&at, cmd);
        }
    }
}

/// Every command that runs migrations, with whether deploying runs it.
/// Base images whose start script runs `/app/prestart.sh` first.
const PRESTART_IMAGES: &[&str] = &[
    "tiangolo/uvicorn-gunicorn",
    "tiangolo/meinheld-gunicorn",
    "tiangolo/uwsgi-nginx",
    "tiangolo/gunicorn",
];

pub fn migration_commands(ws: &Workspace, notes: &mut Vec<Note>) -> Vec<MigrationCommand> {
    let mut declared = Vec::new();
    for f in &ws.files {
        if is_ignored(&f.rel) && f.kind != FileKind::Ci {
            continue;
        }
        match f.kind {
            FileKind::Deploy | FileKind::Ci => {
                let Some(text) = read_text(&f.abs, &f.rel, notes) else {
                    continue;
                };
                let found = if f.kind == FileKind::Ci {
                    ci_commands(&f.rel, &text)
                } else {
                    platform_commands(&f.rel, &text)
                };
                match found {
                    Ok(d) => declared.extend(d),
                    Err(e) => notes.push(Note::file(&f.rel, format!("{e}; ignored"))),
                }
            }
            _ => {}
        }
    }
    let mut c = Collector {
        ws,
        out: Vec::new(),
        notes,
        seen_scripts: HashSet::new(),
        seen_files: HashSet::new(),
        seen_targets: HashSet::new(),
        makefiles: BTreeMap::new(),
    };

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
        launch(&mut c, decl);
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
        let Some(text) = read_text(&f.abs, &f.rel, c.notes) else {
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
            && let Some(body) = read_text(&ws.files[i].abs, &script, c.notes)
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
        if d.source.ends_with("(commented out)") {
            if let Some((tool, dir)) = migration_in(&d.command) {
                c.push(&at, tool, &d.command, dir);
            }
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
        } else if !c.seen_files.contains(&f.rel)
            && f.size <= MAX_SOURCE_BYTES
            && let Some(text) = read_text(&f.abs, &f.rel, c.notes)
        {
            c.shell(&f.rel, &text, None, false);
        }
    }

    let mut out = c.out;
    let mut seen = HashSet::new();
    out.retain(|m| seen.insert((m.file.clone(), m.line, m.command.clone())));
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

fn launch(c: &mut Collector<'_>, decl: &LaunchDecl) {
    let mut at = At::root(&decl.file, decl.line, decl.source.clone(), &decl.cwd, true);
    at.workdir = decl.workdir.clone();
    c.command(&at, &decl.command);
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

const TEST_WORDS: [&str; 6] = ["test", "lint", "check", "e2e", "spec", "verify"];
const DEPLOY_WORDS: [&str; 7] = [
    "deploy", "release", "prod", "publish", "migrat", "ship", "staging",
];

/// Whether a CI job only tests (migrations there run against a throwaway database).
fn test_only(names: &[&str]) -> bool {
    // Words, not substrings: `latest` is no test.
    let words: Vec<String> = names
        .iter()
        .flat_map(|n| n.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let starts = |list: &[&str]| words.iter().any(|w| list.iter().any(|l| w.starts_with(l)));
    starts(&TEST_WORDS) && !starts(&DEPLOY_WORDS)
}

/// Finds the lines of commands in order, so repeated commands get successive lines.
struct LineFinder<'t> {
    lines: Vec<&'t str>,
    cursor: usize,
}

impl<'t> LineFinder<'t> {
    fn new(text: &'t str) -> Self {
        LineFinder {
            lines: text.lines().collect(),
            cursor: 0,
        }
    }

    fn find(&mut self, needle: &str) -> Option<u32> {
        let needle = needle.trim();
        if needle.is_empty() {
            return None;
        }
        let hit = |(_, l): &(usize, &&str)| l.contains(needle) && !l.trim_start().starts_with('#');
        let found = self
            .lines
            .iter()
            .enumerate()
            .skip(self.cursor)
            .find(hit)
            .or_else(|| self.lines.iter().enumerate().find(hit))
            .map(|(i, _)| i)?;
        self.cursor = found + 1;
        Some(found as u32 + 1)
    }
}

/// The lines of a CI `run:`/`script:` block as commands.
#[allow(clippy::too_many_arguments)]
fn ci_block(
    out: &mut Vec<Declared>,
    finder: &mut LineFinder<'_>,
    file: &str,
    source: &str,
    block: &str,
    cwd: &str,
    test_job: bool,
    fallback_line: u32,
) {
    for (_, line) in logical_lines(block, false) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let first = t.lines().next().unwrap_or(t);
        let probe: String = first.chars().take(60).collect();
        let line_no = finder.find(&probe).unwrap_or(fallback_line);
        let ignored = t.contains("|| true") || t.contains("|| :") || t.ends_with("|| exit 0");
        let mut src = source.to_string();
        if test_job {
            src.push_str(" (test job)");
        } else if ignored {
            src.push_str(" (failure ignored)");
        }
        out.push(Declared {
            file: file.to_string(),
            line: line_no,
            source: src,
            command: t.to_string(),
            cwd: cwd.to_string(),
            deploy: !test_job && !ignored,
        });
    }
}

/// Commented-out commands of a CI file (recorded, never run).
fn ci_commented(file: &str, text: &str, cwd: &str) -> Vec<Declared> {
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let cmd = commented_command(l)?;
            migration_in(cmd)?;
            Some(Declared {
                file: file.to_string(),
                line: n as u32 + 1,
                source: format!("{file} (commented out)"),
                command: cmd.to_string(),
                cwd: cwd.to_string(),
                deploy: false,
            })
        })
        .collect()
}

/// Commands of GitHub Actions workflows and `.gitlab-ci.yml`. `Err` for broken YAML.
fn ci_commands(file: &str, text: &str) -> Result<Vec<Declared>, String> {
    let name = file_name(file).to_ascii_lowercase();
    let is_github = file.starts_with(".github/workflows/") || file.contains("/.github/workflows/");
    let is_gitlab = name == ".gitlab-ci.yml";
    if !is_github && !is_gitlab {
        return Ok(Vec::new());
    }
    let doc: Yaml = serde_yaml::from_str(text).map_err(|e| format!("broken CI YAML: {e}"))?;
    let repo_root = if is_github {
        file.split_once(".github/workflows/")
            .map(|(r, _)| r.trim_end_matches('/'))
            .filter(|r| !r.is_empty())
            .unwrap_or(".")
            .to_string()
    } else {
        dir_of(file).to_string()
    };
    let mut out = ci_commented(file, text, &repo_root);
    let mut finder = LineFinder::new(text);
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .to_string();
    let str_at = |v: &Yaml, path: &[&str]| -> Option<String> {
        let mut cur = v;
        for p in path {
            cur = cur.get(*p)?;
        }
        cur.as_str().map(str::to_string)
    };
    if is_github {
        let workflow_name = str_at(&doc, &["name"]).unwrap_or_default();
        let workflow_wd = str_at(&doc, &["defaults", "run", "working-directory"]);
        let Some(jobs) = doc.get("jobs").and_then(Yaml::as_mapping) else {
            return Ok(out);
        };
        for (id, job) in jobs {
            let id = id.as_str().unwrap_or("");
            let job_name = str_at(job, &["name"]).unwrap_or_default();
            let test_job = test_only(&[&stem, &workflow_name, id, &job_name]);
            let job_wd = str_at(job, &["defaults", "run", "working-directory"])
                .or_else(|| workflow_wd.clone());
            let Some(steps) = job.get("steps").and_then(Yaml::as_sequence) else {
                continue;
            };
            for step in steps {
                let Some(run) = step.get("run").and_then(Yaml::as_str) else {
                    continue;
                };
                let step_name = str_at(step, &["name"])
                    .unwrap_or_else(|| crate::short(run.lines().next().unwrap_or("").trim(), 60));
                let wd = str_at(step, &["working-directory"]).or_else(|| job_wd.clone());
                let cwd = match wd {
                    Some(w) => join(&repo_root, w.trim_start_matches("./")),
                    None => repo_root.clone(),
                };
                let source = format!("{file} step `{step_name}`");
                let fallback = find_line(text, "run:").unwrap_or(1);
                ci_block(
                    &mut out,
                    &mut finder,
                    file,
                    &source,
                    run,
                    &cwd,
                    test_job,
                    fallback,
                );
            }
        }
    } else {
        let Some(top) = doc.as_mapping() else {
            return Ok(out);
        };
        for (key, job) in top {
            let key = key.as_str().unwrap_or("");
            if matches!(
                key,
                "stages" | "variables" | "include" | "workflow" | "image" | "services" | "cache"
            ) {
                continue;
            }
            let blocks: Vec<(&str, &Yaml)> = if matches!(key, "before_script" | "after_script") {
                vec![(key, job)]
            } else if job.is_mapping() {
                ["before_script", "script", "after_script"]
                    .iter()
                    .filter_map(|k| job.get(*k).map(|v| (*k, v)))
                    .collect()
            } else {
                continue;
            };
            let stage = str_at(job, &["stage"]).unwrap_or_default();
            let test_job = test_only(&[key, &stage]);
            for (_, block) in blocks {
                let lines: Vec<String> = match block {
                    Yaml::String(s) => vec![s.clone()],
                    Yaml::Sequence(seq) => seq
                        .iter()
                        .filter_map(Yaml::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                };
                let source = format!("{file} job `{key}`");
                for l in lines {
                    ci_block(
                        &mut out,
                        &mut finder,
                        file,
                        &source,
                        &l,
                        &repo_root,
                        test_job,
                        1,
                    );
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
