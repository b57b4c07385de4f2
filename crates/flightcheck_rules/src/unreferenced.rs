//! Functions nothing in the workspace refers to. A blocking call, a failing import or a
//! file write in such a function cannot reach a user however the file is reached: the
//! module is imported, but the function is never called. The severity policy caps what
//! is found there (see `pipeline::finish_findings`).
//!
//! The test is one-sided on purpose: a reference by name from code that runs (a call, an
//! attribute, a word of a string such as `getattr(x, "name")`, a launch command) keeps every
//! function of that name alive, so an unresolved call never makes code dead; only the
//! absence of any such reference does. A method of a plain class needs its class named
//! too. Hooks a framework calls by name are kept alive by what the code shows: decorated
//! functions, methods of classes with bases, decorators or a metaclass, dunder methods, and
//! module-level functions of files a deploy definition or framework starts.

use crate::context::FileState;
use flightcheck_core::liveness::DefinedFunction;
use flightcheck_core::{EntryKind, FileFacts, Role};
use flightcheck_project::{EntryHow, EntryPoint, Workspace};
use std::collections::{HashMap, HashSet};

/// The functions running code can reach by name.
pub struct References {
    /// Per walked file, per function of its liveness facts: reachable by name.
    live: Vec<Vec<bool>>,
}

/// Identifier-like words of a command (`python -m app.main`, `pkg.cli:main`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
}

/// A function something outside the code may call by name, whatever refers to it:
/// decorated (registered), a dunder, a method of a class a framework may drive, or a
/// module-level function of a file a deploy definition or framework starts.
fn called_from_outside(f: &DefinedFunction, declared_entry: bool) -> bool {
    f.decorated
        || (f.name.starts_with("__") && f.name.ends_with("__"))
        || (f.class.is_some() && f.class_open)
        || (f.class.is_none() && declared_entry)
}

struct Walk<'a> {
    files: &'a [FileState],
    names: HashSet<&'a str>,
    live: Vec<Vec<bool>>,
    by_name: HashMap<&'a str, Vec<(usize, usize)>>,
    by_class: HashMap<&'a str, Vec<(usize, usize)>>,
    aliases: HashMap<&'a str, Vec<&'a str>>,
    queue: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn function(&self, (file, k): (usize, usize)) -> Option<&'a DefinedFunction> {
        self.files[file].facts.as_ref()?.liveness.functions.get(k)
    }

    fn name(&mut self, name: &'a str) {
        if self.names.insert(name) {
            self.queue.push(name);
        }
    }

    fn make_live(&mut self, id: (usize, usize)) {
        if self.live[id.0][id.1] {
            return;
        }
        self.live[id.0][id.1] = true;
        if let Some(f) = self.function(id) {
            for r in &f.references {
                self.name(r);
            }
        }
    }

    fn run(&mut self) {
        while let Some(name) = self.queue.pop() {
            for &alias in self.aliases.get(name).cloned().unwrap_or_default().iter() {
                self.name(alias);
            }
            for id in self.by_name.get(name).cloned().unwrap_or_default() {
                let class_live = self
                    .function(id)
                    .and_then(|f| f.class.as_deref())
                    .is_none_or(|c| self.names.contains(c));
                if class_live {
                    self.make_live(id);
                }
            }
            for id in self.by_class.get(name).cloned().unwrap_or_default() {
                if self
                    .function(id)
                    .is_some_and(|f| self.names.contains(f.name.as_str()))
                {
                    self.make_live(id);
                }
            }
        }
    }
}

impl References {
    /// Follows names from what runs at load (module-level code and class bodies of code
    /// that may run, launch commands, console scripts, functions called from outside) to
    /// every function they name, and on through those functions' own references.
    pub fn collect(
        ws: &Workspace,
        files: &[FileState],
        entries: &[EntryPoint],
        kinds: &[EntryKind],
    ) -> Self {
        let service_entries = || {
            entries
                .iter()
                .zip(kinds)
                .filter(|(_, k)| **k == EntryKind::Service)
                .map(|(e, _)| e)
        };
        let declared_entries: HashSet<usize> = service_entries()
            .filter(|e| !matches!(e.how, EntryHow::MainModule | EntryHow::RunsLoop))
            .map(|e| e.file)
            .collect();
        let started: HashSet<usize> = service_entries().map(|e| e.file).collect();
        let mut walk = Walk {
            files,
            names: HashSet::new(),
            live: files
                .iter()
                .map(|s| vec![false; s.facts.as_ref().map_or(0, |f| f.liveness.functions.len())])
                .collect(),
            by_name: HashMap::new(),
            by_class: HashMap::new(),
            aliases: HashMap::new(),
            queue: Vec::new(),
        };
        let mut roots = Vec::new();
        for (i, state) in files.iter().enumerate() {
            let Some(facts) = &state.facts else {
                continue;
            };
            let m = &facts.liveness;
            for (k, f) in m.functions.iter().enumerate() {
                walk.by_name
                    .entry(f.name.as_str())
                    .or_default()
                    .push((i, k));
                if let Some(c) = &f.class {
                    walk.by_class.entry(c.as_str()).or_default().push((i, k));
                }
            }
            for (asname, name) in &m.aliases {
                walk.aliases
                    .entry(asname.as_str())
                    .or_default()
                    .push(name.as_str());
            }
            // Only code the service may run starts the walk: what only a script, a test,
            // an archived copy or a dead file calls does not run in the service.
            if !matches!(state.role, Role::Service | Role::PossiblyRunning) {
                continue;
            }
            for r in &m.references {
                walk.name(r);
            }
            if started.contains(&i) {
                for r in &m.main_references {
                    walk.name(r);
                }
            }
            for (k, f) in m.functions.iter().enumerate() {
                if called_from_outside(f, declared_entries.contains(&i)) {
                    roots.push((i, k));
                }
            }
        }
        for launch in &ws.launches {
            for w in words(&launch.command) {
                walk.name(w);
            }
        }
        for project in &ws.projects {
            if let Some(py) = &project.pyproject {
                for (_, target) in &py.scripts {
                    for w in words(target) {
                        walk.name(w);
                    }
                }
            }
        }
        // `getattr(self, f"cmd_{name}")`: any function named with a computed suffix.
        let prefixes: HashSet<&str> = files
            .iter()
            .filter(|s| matches!(s.role, Role::Service | Role::PossiblyRunning))
            .filter_map(|s| s.facts.as_ref())
            .flat_map(|f| f.liveness.prefixes.iter().map(String::as_str))
            .collect();
        if !prefixes.is_empty() {
            for (i, state) in files.iter().enumerate() {
                let Some(facts) = &state.facts else { continue };
                for (k, f) in facts.liveness.functions.iter().enumerate() {
                    let named = (3..=f.name.len())
                        .any(|n| f.name.is_char_boundary(n) && prefixes.contains(&f.name[..n]));
                    if named {
                        roots.push((i, k));
                    }
                }
            }
        }
        for id in roots {
            walk.make_live(id);
        }
        walk.run();
        References { live: walk.live }
    }

    /// The outermost function around `line` of `file` that running code cannot reach by
    /// name, if any.
    pub fn dead_function<'f>(
        &self,
        facts: &'f FileFacts,
        file: usize,
        line: u32,
    ) -> Option<&'f DefinedFunction> {
        let live = self.live.get(file)?;
        facts
            .liveness
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.body.line <= line && line <= f.body.end_line.max(f.body.line))
            .find(|(k, _)| !live.get(*k).copied().unwrap_or(true))
            .map(|(_, f)| f)
    }
}
