//! What a command runs: package.json scripts (with their `pre`/`post` hooks), shell scripts
//! and make targets, followed from a root declaration (a Dockerfile CMD, a Procfile line, a
//! CI step) so that callers see every command line it reaches, with where it is and how it
//! was reached.

use crate::ci::commented_command;
use crate::commands::{logical_lines, split_commands, strip_wrappers};
use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{Workspace, is_within, join, read_text};
use flightcheck_core::Note;
use std::collections::{BTreeMap, HashSet};

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

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Leading words that only wrap the real command (see [`strip_wrappers`]).
fn skip_wrappers(words: &[String]) -> &[String] {
    strip_wrappers(words).unwrap_or(&[])
}

/// A command line reached from a root, as written.
#[derive(Debug, Clone)]
pub(crate) struct Reached {
    pub at: At,
    pub text: String,
    /// A commented-out command (`# npx knex migrate:latest`): shown, never run.
    pub commented: bool,
}

/// Where a command is, and how it was reached.
#[derive(Debug, Clone)]
pub(crate) struct At {
    pub file: String,
    pub line: u32,
    /// Where the text is: `Procfile release`, `package.json scripts.migrate`.
    pub source: String,
    /// The root declaration that reaches it, when not itself.
    pub via: Option<String>,
    /// Directory (relative to the scan root) the command runs in.
    pub cwd: String,
    /// Absolute directory inside the container/host (`WORKDIR`), stripped from paths.
    pub workdir: Option<String>,
    /// Whether the root really runs: deploying for migrations, an active CI step for tests.
    pub live: bool,
    pub depth: u32,
    /// The script, make target or file the text belongs to.
    pub unit: Unit,
}

/// What holds a reached command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unit {
    /// The root declaration itself (a CI step, a Dockerfile CMD).
    Root,
    /// A package.json script of the package at `root`.
    Script { root: String, name: String },
    /// A make target.
    Make { file: String, target: String },
    /// A shell script file.
    File(String),
}

impl At {
    pub fn root(file: &str, line: u32, source: String, cwd: &str, live: bool) -> At {
        At {
            file: file.to_string(),
            line,
            source,
            via: None,
            cwd: cwd.to_string(),
            workdir: None,
            live,
            depth: 0,
            unit: Unit::Root,
        }
    }

    pub fn child(&self, file: &str, line: u32, source: String, cwd: &str, unit: Unit) -> At {
        At {
            file: file.to_string(),
            line,
            source,
            via: Some(self.via.clone().unwrap_or_else(|| self.source.clone())),
            cwd: cwd.to_string(),
            workdir: self.workdir.clone(),
            live: self.live,
            depth: self.depth + 1,
            unit,
        }
    }

    /// `source (via)`.
    pub fn shown(&self) -> String {
        match &self.via {
            Some(v) => format!("{} ({v})", self.source),
            None => self.source.clone(),
        }
    }
}

/// Follows command lines into what they run, once each: package.json scripts (with their
/// `pre`/`post` hooks), shell scripts and make targets. Every line reached is recorded in
/// order, for callers to look for what they need (migrations, test runners).
pub(crate) struct Follower<'a> {
    ws: &'a Workspace,
    out: Vec<Reached>,
    notes: &'a mut Vec<Note>,
    seen_scripts: HashSet<(String, String, String)>,
    seen_files: HashSet<String>,
    seen_targets: HashSet<(String, String)>,
    makefiles: BTreeMap<String, Vec<MakeTarget>>,
}

impl<'a> Follower<'a> {
    pub fn new(ws: &'a Workspace, notes: &'a mut Vec<Note>) -> Self {
        Follower {
            ws,
            out: Vec::new(),
            notes,
            seen_scripts: HashSet::new(),
            seen_files: HashSet::new(),
            seen_targets: HashSet::new(),
            makefiles: BTreeMap::new(),
        }
    }

    /// The lines reached since the last call.
    pub fn take(&mut self) -> Vec<Reached> {
        std::mem::take(&mut self.out)
    }

    /// Whether the shell script `rel` was followed already.
    pub fn seen_file(&self, rel: &str) -> bool {
        self.seen_files.contains(rel)
    }

    /// Notes about files that could not be read.
    pub fn notes(&mut self) -> &mut Vec<Note> {
        self.notes
    }

    /// Records a line without following it (a commented-out command).
    pub fn record(&mut self, at: &At, text: &str, commented: bool) {
        self.out.push(Reached {
            at: at.clone(),
            text: text.trim().to_string(),
            commented,
        });
    }

    pub fn project_of_file(&self, rel: &str) -> usize {
        if let Some(i) = self.ws.file_index(rel) {
            return self.ws.file_project.get(i).copied().unwrap_or(0);
        }
        self.project_of_dir(rel)
    }

    /// The project a command works on: the one its working directory is in when the
    /// declaring file is outside that project's root or in a shallower project (a root
    /// compose file whose service builds `./api` migrates the `api` project), else the
    /// declaring file's.
    pub fn project_of_command(&self, file: &str, cwd: &str) -> usize {
        let by_file = self.project_of_file(file);
        let by_dir = self.project_of_dir(cwd);
        let root = |i: usize| self.ws.projects.get(i).map_or(".", |p| p.root.as_str());
        let cwd_inside = is_within(cwd, root(by_dir));
        let file_inside = is_within(file, root(by_file));
        if by_dir != by_file
            && cwd_inside
            && (!file_inside || root(by_dir).len() > root(by_file).len())
        {
            by_dir
        } else {
            by_file
        }
    }

    pub fn project_of_dir(&self, dir: &str) -> usize {
        self.ws
            .projects
            .iter()
            .enumerate()
            .filter(|(_, p)| is_within(dir, &p.root))
            .max_by_key(|(_, p)| p.root.len())
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    /// A command line: records it, then follows what it runs.
    pub fn command(&mut self, at: &At, text: &str) {
        self.record(at, text, false);
        if at.depth > 8 {
            return;
        }
        let mut refs = Vec::new();
        refs_in(text, &mut refs, 0);
        for r in refs {
            match r {
                Ref::Script { dir, name, args } => {
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
                        self.script(&root, &format!("pre{n}"), Some(at), at.live);
                        self.script_with_args(&root, &n, &args, Some(at), at.live);
                        self.script(&root, &format!("post{n}"), Some(at), at.live);
                    }
                }
                Ref::File(path) => {
                    if let Some((rel, text)) = self.resolve_script_file(at, &path) {
                        self.shell(&rel, &text, Some(at), at.live);
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
                        self.make_target(&mf, target.as_deref(), Some(at), at.live);
                    }
                }
            }
        }
    }

    /// A package.json script (once).
    pub fn script(&mut self, root: &str, name: &str, parent: Option<&At>, live: bool) {
        self.script_with_args(root, name, &[], parent, live);
    }

    /// A package.json script run with extra arguments, which the package manager appends
    /// to its command (once per script and arguments).
    fn script_with_args(
        &mut self,
        root: &str,
        name: &str,
        args: &[String],
        parent: Option<&At>,
        live: bool,
    ) {
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
            .insert((root.to_string(), name.to_string(), args.join(" ")))
        {
            return;
        }
        let file = join(root, "package.json");
        let line = pkg.script_lines.get(name).copied().unwrap_or(1);
        let source = format!("package.json scripts.{name}");
        let unit = Unit::Script {
            root: root.to_string(),
            name: name.to_string(),
        };
        let at = match parent {
            Some(p) => p.child(&file, line, source, root, unit),
            None => At {
                unit,
                ..At::root(&file, line, source, root, live)
            },
        };
        let cmd = if args.is_empty() {
            cmd.clone()
        } else {
            format!("{cmd} {}", shell_words(args))
        };
        self.command(&at, &cmd);
    }

    /// Finds a script file a command runs: from the command's directory, the container
    /// workdir, the project root, or (for `*.sh`) by name.
    pub fn resolve_script_file(&mut self, at: &At, path: &str) -> Option<(String, String)> {
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

    pub fn read_script(&mut self, i: usize) -> Option<(String, String)> {
        let f = self.ws.files.get(i)?;
        if matches!(f.kind, FileKind::Source(_)) || f.size > MAX_SOURCE_BYTES {
            return None;
        }
        let text = read_text(&f.abs, &f.rel, self.notes)?;
        Some((f.rel.clone(), text))
    }

    /// The lines of a shell script (once).
    pub fn shell(&mut self, rel: &str, text: &str, parent: Option<&At>, live: bool) {
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
            let unit = Unit::File(rel.to_string());
            let mut at = match parent {
                Some(p) => p.child(rel, n, rel.to_string(), &cwd, unit),
                None => At {
                    unit,
                    ..At::root(rel, n, rel.to_string(), &cwd, live)
                },
            };
            if t.starts_with('#') {
                if let Some(cmd) = commented_command(t) {
                    at.live = false;
                    at.via = Some(match at.via {
                        Some(v) => format!("{v}, commented out"),
                        None => "commented out".into(),
                    });
                    self.record(&at, cmd, true);
                }
                continue;
            }
            self.command(&at, t);
        }
    }

    pub fn makefile(&mut self, rel: &str) -> Vec<MakeTarget> {
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
    pub fn make_target(&mut self, mf: &str, target: Option<&str>, parent: Option<&At>, live: bool) {
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
            self.make_target(mf, Some(pre), parent, live);
        }
        let dir = dir_of(mf).to_string();
        let name = file_name(mf);
        for (n, cmd) in &t.recipe {
            let source = format!("{name} target `{}`", t.name);
            let unit = Unit::Make {
                file: mf.to_string(),
                target: t.name.clone(),
            };
            let at = match parent {
                Some(p) => p.child(mf, *n, source, &dir, unit),
                None => At {
                    unit,
                    ..At::root(mf, *n, source, &dir, live)
                },
            };
            self.command(&at, cmd);
        }
    }
}

// ---------------------------------------------------------------------------------------
// What a command line refers to
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    /// A package.json script, with the directory (relative to the command's) it runs in
    /// and the arguments the package manager passes on to it (`npm run typeorm --
    /// migration:run` runs the `typeorm` script with `migration:run` appended).
    Script {
        dir: String,
        name: String,
        args: Vec<String>,
    },
    /// A script file by path.
    File(String),
    /// A make target (`None`: the default) in the Makefile of `dir`.
    Make { dir: String, target: Option<String> },
}

/// What the commands of `line` refer to, relative to the line's directory: a `cd dir`
/// earlier on the line (`cd api && npm run migrate`) moves the later references.
pub(crate) fn refs_in(line: &str, out: &mut Vec<Ref>, depth: u32) {
    if depth > 4 {
        return;
    }
    let mut dir = ".".to_string();
    for words in split_commands(line) {
        if words.first().is_some_and(|w| w == "cd") {
            match words.get(1) {
                Some(t) if !t.contains('$') && !t.starts_with(['/', '~', '-']) => {
                    dir = join(&dir, t);
                }
                _ => dir = ".".to_string(),
            }
            continue;
        }
        let from = out.len();
        refs_of(&words, out, depth);
        if dir != "." {
            for r in &mut out[from..] {
                match r {
                    Ref::Script { dir: d, .. } | Ref::Make { dir: d, .. } => *d = join(&dir, d),
                    Ref::File(p) if !p.starts_with('/') => *p = join(&dir, p),
                    Ref::File(_) => {}
                }
            }
        }
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
            // Everything after `--` goes to the script, not to the package manager.
            let (args, passed) = match args.iter().position(|a| a == "--") {
                Some(p) => (&args[..p], &args[p + 1..]),
                None => (args, &args[args.len()..]),
            };
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
                    args: passed.to_vec(),
                });
            }
        }
        "npm-run-all" | "run-s" | "run-p" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                out.push(Ref::Script {
                    dir: ".".into(),
                    name: a.clone(),
                    args: Vec::new(),
                });
            }
        }
        "concurrently" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                if let Some(name) = a.strip_prefix("npm:") {
                    out.push(Ref::Script {
                        dir: ".".into(),
                        name: name.to_string(),
                        args: Vec::new(),
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

// ---------------------------------------------------------------------------------------
// Makefiles
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub(crate) struct MakeTarget {
    pub name: String,
    pub prerequisites: Vec<String>,
    /// (1-based line, command).
    pub recipe: Vec<(u32, String)>,
}

pub(crate) fn parse_makefile(text: &str) -> Vec<MakeTarget> {
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

/// Words joined back into a command line, quoting those a shell would split.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(|c: char| c.is_whitespace() || "'\"&|;<>$`".contains(c)) {
                format!("'{}'", w.replace('\'', r"'\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
