//! Where renderers that need a file for every finding (SARIF, GitHub annotations) show it.

use flightcheck_core::{Finding, ProjectReport, Span};

/// The file and span a finding is shown at: its own, or for a project-wide finding
/// (`file: None`) line 1 of the file that defines the project ([`project_anchor`]).
pub(crate) fn finding_location(project: &ProjectReport, finding: &Finding) -> (String, Span) {
    match &finding.file {
        Some(file) => (clean_path(file), finding.span),
        None => (project_anchor(project), Span::line(1)),
    }
}

/// The file that stands for a whole project: its first manifest, else its first deploy file,
/// else its first entry point. A project with none of these (a directory of loose scripts)
/// gets `README.md` in its directory: code scanning needs a file path for every result, and
/// for a file missing from the repository GitHub still lists the alert, only without a code
/// snippet; a README is where a reader would look for what the project is.
pub(crate) fn project_anchor(project: &ProjectReport) -> String {
    let named = project
        .manifests
        .first()
        .or_else(|| project.deploy_files.first())
        .or_else(|| project.entry_points.first().map(|e| &e.file));
    match named {
        Some(path) => in_project(project, path),
        None => join(&clean_path(&project.path), "README.md"),
    }
}

/// A path the report lists for `project`, relative to the scanned root. Such paths are
/// root-relative already (`apps/bot/package.json` for project `apps/bot`), except in
/// reports merged from several scanned roots, whose project paths were rebased onto each
/// root but whose manifests, deploy files and entry points were not.
fn in_project(project: &ProjectReport, path: &str) -> String {
    let project_path = clean_path(&project.path);
    let path = clean_path(path);
    if project_path == "." || path.starts_with(&format!("{project_path}/")) {
        path
    } else {
        join(&project_path, &path)
    }
}

fn join(dir: &str, file: &str) -> String {
    if dir == "." || dir.is_empty() {
        file.to_string()
    } else {
        format!("{}/{file}", dir.trim_end_matches('/'))
    }
}

/// Forward slashes, without a leading `./` or a trailing `/` (report paths already are;
/// hand-made or merged reports may not be).
pub(crate) fn clean_path(path: &str) -> String {
    // On Windows `\\` is a separator; elsewhere a byte of a file name (`back\\slash.js`).
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped.trim_start_matches('/');
    }
    match rest.trim_end_matches('/') {
        "" if rest.starts_with('/') => "/".to_string(),
        "" => ".".to_string(),
        trimmed => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flightcheck_core::{EntryPointReport, FileCounts, ScoreCard, Verdict};

    fn project(path: &str, manifests: &[&str]) -> ProjectReport {
        ProjectReport {
            path: path.into(),
            name: "bot".into(),
            manifests: manifests.iter().map(|m| m.to_string()).collect(),
            languages: Vec::new(),
            frameworks: Vec::new(),
            package_manager: None,
            python_runtime: None,
            entry_points: Vec::new(),
            warnings: Vec::new(),
            env_files: Vec::new(),
            deploy_files: Vec::new(),
            files: FileCounts::default(),
            unreachable: Vec::new(),
            verdict: Verdict::Green,
            score: ScoreCard {
                score: 100,
                verdict: Verdict::Green,
                categories: Vec::new(),
            },
            counts: Default::default(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            silenced_by_role: Vec::new(),
            claims: Vec::new(),
        }
    }

    #[test]
    fn anchor_is_the_first_manifest_relative_to_the_root() {
        assert_eq!(
            project_anchor(&project(".", &["package.json"])),
            "package.json"
        );
        // A single-root scan lists manifests relative to the root already.
        assert_eq!(
            project_anchor(&project(
                "apps/bot",
                &["apps/bot/pyproject.toml", "apps/bot/setup.py"]
            )),
            "apps/bot/pyproject.toml"
        );
        // A merged multi-root report rebased the project path but not the manifest.
        assert_eq!(
            project_anchor(&project("services/bot", &["requirements.txt"])),
            "services/bot/requirements.txt"
        );
        assert_eq!(
            project_anchor(&project("./apps/bot/", &["./apps/bot/package.json"])),
            "apps/bot/package.json"
        );
    }

    #[test]
    fn anchor_without_manifest_falls_back_to_deploy_file_entry_point_then_readme() {
        let mut p = project("svc", &[]);
        assert_eq!(project_anchor(&p), "svc/README.md");
        p.entry_points.push(EntryPointReport {
            file: "svc/main.py".into(),
            source: "Procfile:1 web".into(),
            detail: "python main.py".into(),
            kind: flightcheck_core::EntryKind::Service,
        });
        assert_eq!(project_anchor(&p), "svc/main.py");
        p.deploy_files.push("svc/Procfile".into());
        assert_eq!(project_anchor(&p), "svc/Procfile");
        assert_eq!(project_anchor(&project(".", &[])), "README.md");
    }

    #[test]
    fn paths_get_forward_slashes_and_no_leading_dot() {
        assert_eq!(clean_path("./src/bot.js"), "src/bot.js");
        // `\\` separates only on Windows; elsewhere it is part of a name (`back\\slash.js`).
        let expected = if cfg!(windows) {
            "src/handlers/a.py"
        } else {
            "src\\handlers\\a.py"
        };
        assert_eq!(clean_path("src\\handlers\\a.py"), expected);
        assert_eq!(clean_path("./"), ".");
        assert_eq!(clean_path("."), ".");
        assert_eq!(clean_path("apps/bot/"), "apps/bot");
    }
}
