//! `flightcheck.toml` resolved for each project of a scan: the nearest file (or `--config`),
//! validated against the registry and the tree, with its paths anchored at the file's own
//! directory (as ruff does), so one root config serves every project of a monorepo.

use crate::registry;
use flightcheck_core::{Config, ConfigError, Finding};
use flightcheck_project::{EnvRole, Workspace};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The config one project is scanned with.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub config: Config,
    /// The file as a path relative to the scan root (or as given, when outside it); `None`
    /// for the built-in defaults.
    pub source: Option<String>,
    /// The directory the file's paths are relative to, relative to the scan root (`.` for
    /// the root); `None` when the file lives outside the scanned tree.
    base: Option<String>,
}

impl ProjectConfig {
    fn defaults() -> Self {
        Self {
            config: Config::default(),
            source: None,
            base: Some(".".into()),
        }
    }

    /// `file` (relative to the scan root) relative to the config's directory.
    fn local<'f>(&self, file: &'f str) -> Option<&'f str> {
        match self.base.as_deref()? {
            "." => Some(file),
            base => file.strip_prefix(base)?.strip_prefix('/'),
        }
    }

    /// Whether the config lets rule `id` run. A `--select` on the command line replaces the
    /// file's `select`; `ignore` lists add up.
    pub fn runs(&self, id: &str, cli_selects: bool) -> bool {
        let select = self.config.select();
        let selected = cli_selects
            || select.is_empty()
            || select
                .iter()
                .any(|p| flightcheck_core::pattern_matches(p, id));
        selected
            && !self
                .config
                .ignore()
                .iter()
                .any(|p| flightcheck_core::pattern_matches(p, id))
    }

    /// Per-path ignores drop findings; severity overrides set the severity of the rest.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| {
            !f.file
                .as_deref()
                .and_then(|file| self.local(file))
                .is_some_and(|local| self.config.ignores(f.rule, local))
        });
        for f in findings.iter_mut() {
            if let Some(severity) = self.config.severity_override(f.rule) {
                f.severity = severity;
            }
        }
    }

    /// Files named by `entry-points`, as file indices of the workspace.
    pub fn entry_points(&self, ws: &Workspace) -> Vec<(usize, String)> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        self.config
            .entry_points()
            .into_iter()
            .filter_map(|ep| {
                let rel = flightcheck_project::workspace::join(base, &ep);
                ws.file_index(&rel).map(|i| (i, ep))
            })
            .collect()
    }

    /// Env files named by `production-env`, relative to the scan root.
    fn production_env(&self) -> Vec<String> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        self.config
            .production_env()
            .into_iter()
            .map(|p| flightcheck_project::workspace::join(base, &p))
            .collect()
    }
}

/// The config of every project of `ws`, in project order. `explicit` is `--config`.
/// `Err` is an invalid config: the message names the file, line and column.
/// `prefix` is the scanned root's path from the repository root: errors name the file
/// from there, as every other path of the report.
pub fn resolve(
    ws: &Workspace,
    explicit: Option<&Path>,
    prefix: &str,
) -> Result<Vec<ProjectConfig>, String> {
    let mut loaded: HashMap<PathBuf, ProjectConfig> = HashMap::new();
    let mut out = Vec::new();
    for project in &ws.projects {
        let project_dir = ws.root.join(&project.root);
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Config::discover(&project_dir, &ws.root),
        };
        let Some(path) = path else {
            out.push(ProjectConfig::defaults());
            continue;
        };
        if let Some(done) = loaded.get(&path) {
            out.push(done.clone());
            continue;
        }
        let resolved = load(ws, &path).map_err(|mut e| {
            if !prefix.is_empty() && !Path::new(&e.file).is_absolute() {
                e.file = flightcheck_project::workspace::join(prefix, &e.file);
            }
            e.to_string()
        })?;
        loaded.insert(path, resolved.clone());
        out.push(resolved);
    }
    Ok(out)
}

fn load(ws: &Workspace, path: &Path) -> Result<ProjectConfig, ConfigError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let canonical_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let base =
        canonical_dir.strip_prefix(&ws.root).ok().map(
            |r| match flightcheck_core::text::slash_path(r) {
                s if s.is_empty() => ".".to_string(),
                s => s,
            },
        );
    let source = match &base {
        Some(b) => {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            flightcheck_project::workspace::join(b, &name)
        }
        None => path.to_string_lossy().into_owned(),
    };
    // Errors name the file relative to the scanned root, as the user knows it.
    let config = Config::parse(
        &flightcheck_core::read::read_string(path, None, flightcheck_core::read::cap::TEXT)
            .map_err(|e| ConfigError {
                file: source.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read the config file: {e}"),
            })?,
        &source,
    )?;
    config.check_rules(&|p| registry::all().iter().any(|r| r.meta.matches(p)))?;
    config.check_paths(&canonical_dir)?;
    Ok(ProjectConfig {
        config,
        source: Some(source),
        base,
    })
}

/// Applies each project's `production-env` to the env files: the named files are
/// production, others that only looked like production are deployed — the meaning of
/// `--env`, which takes precedence when given.
pub fn apply_production_env(ws: &mut Workspace, configs: &[ProjectConfig], cli_env_given: bool) {
    if cli_env_given {
        return;
    }
    for (p, pc) in configs.iter().enumerate() {
        let named = pc.production_env();
        if named.is_empty() {
            continue;
        }
        let source = pc.source.clone().unwrap_or_default();
        for env in ws.env_files.iter_mut().filter(|e| e.project == p) {
            if named.contains(&env.rel) {
                env.role = EnvRole::Production;
                env.role_reason = format!("named in {source} production-env");
            } else if env.role == EnvRole::Production {
                env.role = EnvRole::Deployed;
                env.role_reason =
                    format!("{} (not the production-env of {source})", env.role_reason);
            }
        }
    }
}
