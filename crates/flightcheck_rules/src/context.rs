//! What a project rule sees: the project model and the facts of its files. Rules never
//! touch the file system or an AST.

use flightcheck_core::text::line_text;
use flightcheck_core::{EnvRead, FileFacts, ImportFact, Language};
use flightcheck_project::{EntryPoint, EnvFile, FileKind, Project, Workspace};

/// One walked file after parsing.
#[derive(Debug, Default)]
pub struct FileState {
    pub facts: Option<FileFacts>,
    pub text: Option<String>,
    pub reachable: bool,
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

    pub fn is_reachable(&self, file: usize) -> bool {
        self.files[file].reachable
    }

    /// Source line `line` of `file` (trimmed, at most 160 characters).
    pub fn snippet(&self, file: usize, line: u32) -> String {
        self.files[file]
            .text
            .as_deref()
            .map(|t| line_text(t, line, 160).trim().to_string())
            .unwrap_or_default()
    }

    /// Reachable source files of this project.
    pub fn reachable_sources(&self) -> impl Iterator<Item = usize> + '_ {
        self.sources
            .iter()
            .copied()
            .filter(|i| self.is_reachable(*i))
    }

    /// Reads of env var `name` in reachable code.
    pub fn env_reads_of(&self, name: &str) -> Vec<(usize, &'a EnvRead)> {
        let mut out = Vec::new();
        for i in self.reachable_sources() {
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
