//! What a project rule sees: the project model and the facts of its files. Rules never
//! touch the file system or an AST.

use flightcheck_core::{EnvRead, FileFacts, ImportFact, Language, Owner, ReadinessClaim, Wiring};
use flightcheck_project::{EntryPoint, EnvFile, FileKind, Project, Workspace};
use std::collections::HashSet;

/// One walked file after parsing.
#[derive(Debug, Default)]
pub struct FileState {
    pub facts: Option<FileFacts>,
    pub text: Option<String>,
    pub reachable: bool,
    /// What runs the file (see [`flightcheck_core::Role`]).
    pub role: flightcheck_core::Role,
    /// Which top-level declarations of a reachable file run.
    pub live: Liveness,
    /// Indices of the entry points that reach the file; empty when the file counts as
    /// reachable without one (whole-project fallback).
    pub entries: Vec<u32>,
    /// JS/TS import specifiers of the file that resolve to a walked file, with its index.
    pub resolved: Vec<(String, usize)>,
    /// A Python module every importer imports inside a `try`: its import failures are
    /// caught where it is imported.
    pub optional: bool,
    /// Secrets of a source file read but not parsed (minified, machine-generated depth):
    /// such a file has no facts, yet a live key in it is still reported.
    pub unparsed_secrets: Vec<flightcheck_core::secrets::SecretCandidate>,
    /// Why a source file could not be read at all (I/O error, not a regular file, binary
    /// content): its code is unknown, so a reachable one is a finding, not only a note.
    pub unread: Option<String>,
    /// Line starts of `text`, built on first use: snippets cost the length of their line,
    /// not of the file (20k findings in one file stay linear).
    lines: std::sync::OnceLock<flightcheck_core::text::LineIndex>,
}

impl FileState {
    /// Line `line` (1-based) of the file's text, without its ending; `""` when unknown.
    pub fn line(&self, line: u32) -> &str {
        let Some(text) = self.text.as_deref() else {
            return "";
        };
        self.line_index(text).line(text, line)
    }

    /// Lines of the file's text as `str::lines` counts them (no empty last line after a
    /// final line break).
    pub fn line_count(&self) -> usize {
        let Some(text) = self.text.as_deref() else {
            return 0;
        };
        let n = self.line_index(text).line_count();
        if text.is_empty() || text.ends_with('\n') {
            n - 1
        } else {
            n
        }
    }

    fn line_index(&self, text: &str) -> &flightcheck_core::text::LineIndex {
        self.lines
            .get_or_init(|| flightcheck_core::text::LineIndex::new(text))
    }

    /// Secret candidates of the file, parsed or not.
    pub fn secrets(&self) -> &[flightcheck_core::secrets::SecretCandidate] {
        self.facts
            .as_ref()
            .map_or(self.unparsed_secrets.as_slice(), |f| f.secrets.as_slice())
    }
}

/// What the importers of a file take from it.
#[derive(Debug, Clone, Default)]
pub struct ImportedNames {
    /// (importing file, names taken; `None` = the module as a whole).
    by: Vec<(usize, Option<Vec<String>>)>,
}

/// What reachable importers take: `None` = the whole module (or nothing is known).
pub type TakenNames = Option<HashSet<String>>;

impl ImportedNames {
    #[allow(non_upper_case_globals)]
    pub const Unknown: ImportedNames = ImportedNames { by: Vec::new() };

    pub fn push(&mut self, importer: usize, names: Option<Vec<String>>) {
        self.by.push((importer, names));
    }

    /// Names taken by importers for which `reachable` holds; `None` when one of them takes
    /// the whole module, or the file has no importer (an entry point: only its module-level
    /// code runs, plus what that code uses).
    pub fn from_reachable(&self, reachable: impl Fn(usize) -> bool) -> Option<HashSet<String>> {
        let mut names = HashSet::new();
        for (importer, taken) in &self.by {
            if !reachable(*importer) {
                continue;
            }
            match taken {
                None => return None,
                Some(n) => names.extend(n.iter().cloned()),
            }
        }
        Some(names)
    }
}

/// The top-level declarations of a file whose code runs: module-level code, what it uses,
/// exported declarations, and what importers take, followed through uses in the file.
#[derive(Debug, Clone, Default)]
pub enum Liveness {
    /// Every declaration counts as running (unknown importers, a whole-project fallback).
    #[default]
    All,
    Only(HashSet<String>),
}

impl Liveness {
    pub fn compute(
        wiring: &Wiring,
        kind: FileKind,
        taken: TakenNames,
        whole_project: bool,
    ) -> Liveness {
        if whole_project {
            return Liveness::All;
        }
        let mut roots: Vec<String> = wiring.exports.clone();
        match (kind, taken) {
            // Python: every top-level name is importable; `import m` takes them all.
            (FileKind::Source(Language::Python), None) => return Liveness::All,
            (_, Some(names)) => roots.extend(names),
            // JS/TS: `require('./m')` takes `module.exports`, whose uses are module-level.
            (_, None) => {}
        }
        let mut live: HashSet<String> = HashSet::new();
        let mut queue: Vec<Option<String>> = vec![None];
        queue.extend(roots.into_iter().map(Some));
        while let Some(from) = queue.pop() {
            if let Some(name) = &from
                && !live.insert(name.clone())
            {
                continue;
            }
            for u in wiring.decl_uses.iter().filter(|u| u.from == from) {
                if !live.contains(&u.to) {
                    queue.push(Some(u.to.clone()));
                }
            }
        }
        Liveness::Only(live)
    }

    pub fn runs(&self, owner: &Owner) -> bool {
        match (self, owner) {
            (_, None) | (Liveness::All, _) => true,
            (Liveness::Only(live), Some(name)) => live.contains(name),
        }
    }
}

/// An import whose target does not exist.
#[derive(Debug, Clone)]
pub struct ImportProblem {
    pub file: usize,
    pub import: ImportFact,
    /// Paths tried, for the evidence.
    pub searched: Vec<String>,
    /// A similarly named file that does exist (`did you mean`).
    pub suggestion: Option<String>,
}

pub struct ProjectContext<'a> {
    pub ws: &'a Workspace,
    pub index: usize,
    pub project: &'a Project,
    /// Every walked file of the workspace, by index.
    pub files: &'a [FileState],
    /// Source files of this project (indices into `files`).
    pub sources: Vec<usize>,
    pub entries: Vec<&'a EntryPoint>,
    /// No entry point was found, so every file counts as reachable.
    pub entry_points_unknown: bool,
    pub import_problems: Vec<&'a ImportProblem>,
    pub env_files: Vec<&'a EnvFile>,
    /// Readiness claims in the project's docs ("production ready", "95/100").
    pub claims: Vec<ReadinessClaim>,
    /// Names the workspace refers to: which functions nothing calls.
    pub references: &'a crate::unreferenced::References,
}

impl<'a> ProjectContext<'a> {
    pub fn rel(&self, file: usize) -> &'a str {
        &self.ws.files[file].rel
    }

    pub fn language(&self, file: usize) -> Option<Language> {
        match self.ws.files[file].kind {
            FileKind::Source(l) => Some(l),
            _ => None,
        }
    }

    pub fn facts(&self, file: usize) -> Option<&'a FileFacts> {
        self.files[file].facts.as_ref()
    }

    /// The walked file that `specifier`, imported by `file`, resolves to.
    pub fn resolved(&self, file: usize, specifier: &str) -> Option<usize> {
        self.files[file]
            .resolved
            .iter()
            .find(|(s, _)| s == specifier)
            .map(|(_, t)| *t)
    }

    /// Files `file` reaches through resolved imports, itself included: the modules one
    /// program loads, even where reachability fell back to the whole project.
    pub fn imported_closure(&self, file: usize) -> Vec<usize> {
        let mut seen = vec![file];
        let mut next = 0;
        while let Some(&f) = seen.get(next) {
            next += 1;
            for &(_, target) in &self.files[f].resolved {
                if !seen.contains(&target) {
                    seen.push(target);
                }
            }
        }
        seen
    }

    pub fn is_reachable(&self, file: usize) -> bool {
        self.files[file].reachable
    }

    /// Whether code of `file` owned by `owner` runs: the file is reachable and the
    /// declaration holding the code is used (see [`Liveness`]).
    pub fn runs(&self, file: usize, owner: &Owner) -> bool {
        self.files[file].reachable && self.files[file].live.runs(owner)
    }

    /// Whether two files run in one program: an entry point reaches both (or reachability
    /// fell back to the whole project for either).
    pub fn together(&self, a: usize, b: usize) -> bool {
        let (ea, eb) = (&self.files[a].entries, &self.files[b].entries);
        ea.is_empty() || eb.is_empty() || ea.iter().any(|e| eb.contains(e))
    }

    /// Wiring facts of the project's reachable source files.
    pub fn wiring(&self) -> impl Iterator<Item = (usize, &'a Wiring)> + '_ {
        self.reachable_sources()
            .filter_map(|i| self.facts(i).map(|f| (i, &f.wiring)))
    }

    /// Wiring of every source file, reachable or not (to say what dead code holds).
    pub fn all_wiring(&self) -> impl Iterator<Item = (usize, &'a Wiring)> + '_ {
        self.sources
            .iter()
            .filter_map(|&i| self.facts(i).map(|f| (i, &f.wiring)))
    }

    /// Source line `line` of `file` (trimmed, at most 160 characters).
    pub fn snippet(&self, file: usize, line: u32) -> String {
        let state = &self.files[file];
        if state.text.is_none() {
            return String::new();
        }
        let secrets = state
            .facts
            .as_ref()
            .map(|f| f.secrets.as_slice())
            .unwrap_or(&[]);
        let full = flightcheck_core::secrets::redact_candidates(line, state.line(line), secrets);
        flightcheck_core::text::truncate(full.trim(), 160)
    }

    /// Whether `rel`, a file of the workspace, belongs to this project.
    pub fn owns_file(&self, rel: &str) -> bool {
        self.ws
            .file_index(rel)
            .is_some_and(|i| self.ws.file_project.get(i) == Some(&self.index))
    }

    /// The processes this project's deploy definitions start (compose services, systemd
    /// units, Kubernetes objects, PM2 apps, `docker run`).
    pub fn services(
        &self,
    ) -> impl Iterator<Item = &'a flightcheck_project::services::Service> + '_ {
        self.ws.services.iter().filter(|s| self.owns_file(&s.file))
    }

    /// Reachable source files of this project.
    pub fn reachable_sources(&self) -> impl Iterator<Item = usize> + '_ {
        self.sources
            .iter()
            .copied()
            .filter(|i| self.is_reachable(*i))
    }

    /// Reads of env var `name` in code the service runs (not scripts or tests).
    pub fn env_reads_of(&self, name: &str) -> Vec<(usize, &'a EnvRead)> {
        let mut out = Vec::new();
        // A one-shot script or a test that reads the key does not make the service use it.
        for i in self.reachable_sources().filter(|&i| {
            matches!(
                self.files[i].role,
                flightcheck_core::Role::Service | flightcheck_core::Role::PossiblyRunning
            )
        }) {
            if let Some(f) = self.facts(i) {
                out.extend(
                    f.env_reads
                        .iter()
                        .filter(|r| r.name == name)
                        .map(|r| (i, r)),
                );
            }
        }
        out
    }

    /// Whether reachable code reads any env var at all.
    pub fn reads_env(&self) -> bool {
        self.reachable_sources()
            .any(|i| self.facts(i).is_some_and(|f| !f.env_reads.is_empty()))
    }

    /// Tests, templates (`config.example.js`) and code under an `examples/`, `demo/`,
    /// `docs/` or `tutorial/` directory of the project: code that shows how to do something,
    /// not code production runs.
    pub fn is_sample_code(&self, file: usize) -> bool {
        let rel = self.rel(file);
        if flightcheck_project::workspace::is_test_file(rel)
            || flightcheck_project::workspace::is_example_file(rel)
        {
            return true;
        }
        let local = if self.project.root == "." {
            rel
        } else {
            rel.strip_prefix(self.project.root.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(rel)
        };
        in_sample_dir(local)
    }

    /// The project's main manifest (for findings about the project as a whole).
    pub fn manifest(&self) -> Option<&'a str> {
        self.project.manifests.first().map(String::as_str)
    }

    /// Whether the project is deployed in containers (Dockerfile or compose present).
    pub fn deploys_in_containers(&self) -> bool {
        self.project.deploy_files.iter().any(|f| {
            let name = f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase();
            name.contains("dockerfile") || name.contains("compose")
        })
    }
}

/// A path under an examples, samples, demo, docs, tutorial or snippets directory: code that
/// shows how to do something, not code production runs. Only directories count, not the
/// file name.
pub(crate) fn in_sample_dir(path: &str) -> bool {
    if flightcheck_project::workspace::in_example_dir(path) {
        return true;
    }
    let mut dirs: Vec<&str> = path.split('/').collect();
    dirs.pop();
    dirs.iter().any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "code-samples" | "ecosystem-tests" | "snippets"
        )
    })
}
