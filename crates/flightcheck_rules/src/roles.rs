//! The program model's roles: which entry points start the service and which start one-shot
//! scripts, and what runs each source file (see [`Role`]). Computed once per scan; the
//! severity policy in [`Role::ceiling`] reads them, so no rule re-decides them.

use crate::context::FileState;
use crate::project_config::ProjectConfig;
use flightcheck_core::{EntryKind, Framework, Language, Role};
use flightcheck_project::deploy::LaunchOrigin;
use flightcheck_project::workspace::{is_example_file, is_test_file};
use flightcheck_project::{EntryHow, EntryPoint, FileKind, ImportGraph, Workspace};
use std::collections::BTreeMap;

/// Why every non-test file of a project counts as reachable.
#[derive(Debug, Clone)]
pub struct Fallback {
    pub reason: String,
    /// The framework loads modules by a convention it documents (Django apps): files it
    /// loads are service code, not merely possibly running.
    pub by_convention: bool,
}

/// Entry points of the whole workspace with what each starts, and the projects whose
/// reachability fell back to "every file".
pub struct Entries {
    pub points: Vec<EntryPoint>,
    pub kinds: Vec<EntryKind>,
    pub fallback: BTreeMap<usize, Fallback>,
}

/// Entry points that only say a file *can* be started (a package's `main`, a `__main__`
/// guard, a console script, an asyncio loop run at load): the service when nothing else in
/// the project is, a one-shot program when a deploy definition starts something else.
fn is_candidate(how: EntryHow) -> bool {
    matches!(
        how,
        EntryHow::Launch(LaunchOrigin::PackageMain | LaunchOrigin::ConsoleScript)
            | EntryHow::MainModule
            | EntryHow::RunsLoop
    )
}

/// Entry points found from what the code does rather than from a declaration.
fn found_in_code(how: EntryHow) -> bool {
    matches!(how, EntryHow::StartsService | EntryHow::RunsLoop)
}

/// npm `bin` commands are CLIs a user runs (scaffolders, admin tools), never the service.
fn is_cli(how: EntryHow) -> bool {
    how == EntryHow::Launch(LaunchOrigin::PackageBin)
}

impl Entries {
    /// Projects whose reachability is unknown: running code loads modules by a fully
    /// computed path (`opaque_loads`: file and line), or no entry point was found. Files
    /// the entry points do not reach there are possibly running.
    pub fn add_fallbacks(
        &mut self,
        ws: &Workspace,
        graph: &ImportGraph,
        opaque_loads: &[(usize, u32)],
    ) {
        // Only a loader the service runs hides service code: one in a maintenance script
        // loads what that script needs, not what the deployed program runs.
        let reachable = graph.reachable(
            self.points
                .iter()
                .zip(&self.kinds)
                .filter(|(_, k)| **k == EntryKind::Service)
                .map(|(e, _)| e.file),
        );
        for &(i, line) in opaque_loads {
            if reachable[i] {
                self.fallback.entry(ws.file_project[i]).or_insert_with(|| Fallback {
                    reason: format!(
                        "{}:{line} loads modules by a computed path, so every non-test file counts as possibly running",
                        ws.files[i].rel
                    ),
                    by_convention: false,
                });
            }
        }
        for p in 0..ws.projects.len() {
            let has_entry = self.points.iter().any(|e| ws.file_project[e.file] == p);
            let has_source = ws
                .project_files(p)
                .any(|i| matches!(ws.files[i].kind, FileKind::Source(_)));
            if !has_entry && has_source {
                self.fallback.entry(p).or_insert_with(|| Fallback {
                    reason:
                        "no entry point found, so every non-test file counts as possibly running"
                            .into(),
                    by_convention: false,
                });
            }
        }
    }
}

/// The path relative to the project root.
fn local<'a>(ws: &Workspace, file: usize, rel: &'a str) -> &'a str {
    let root = &ws.projects[ws.file_project[file]].root;
    if root == "." {
        rel
    } else {
        rel.strip_prefix(root.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(rel)
    }
}

fn dirs_of(path: &str) -> impl Iterator<Item = String> + '_ {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.into_iter().map(str::to_ascii_lowercase)
}

fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.split('.').next().unwrap_or("").to_string()
}

/// One-shot programs by where they live: a top-level `scripts/`, `bin/`, `tools/` or
/// benchmark folder of the project, files at the project root named like maintenance tasks
/// (`verify_*.py`, `migrate_db.js`, `setup.py`), and discord.js's `deploy-commands.js`
/// anywhere. Deeper folders and names (`src/tools/format.js`, `handlers/check_payment.py`)
/// are ordinary modules.
pub fn is_script_path(local: &str) -> bool {
    let mut parts: Vec<&str> = local.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let s = stem(name).replace('-', "_");
    // discord.js's command registration script: a one-shot by convention, wherever it is.
    if matches!(s.as_str(), "deploy_commands" | "register_commands") {
        return true;
    }
    // Alembic's `env.py`: the alembic command runs it, not the service.
    if name == "env.py"
        && parts
            .last()
            .is_some_and(|d| matches!(d.to_ascii_lowercase().as_str(), "alembic" | "migrations"))
    {
        return true;
    }
    if let Some(top) = parts.first() {
        return matches!(
            top.to_ascii_lowercase().as_str(),
            "scripts"
                | "script"
                | "bin"
                | "tools"
                | "tool"
                | "benchmarks"
                | "benchmark"
                | "bench"
                | "maintenance"
        );
    }
    [
        "verify_",
        "check_",
        "migrate_",
        "seed",
        "bench_",
        "benchmark",
        "populate_",
        "backfill_",
    ]
    .iter()
    .any(|p| s.starts_with(p))
        || matches!(s.as_str(), "setup" | "noxfile" | "fabfile")
}

/// Code kept for reference: `Archived/`, `old/`, `legacy/`, `*.backup.*`, `*.old.*`.
fn is_archived_path(local: &str) -> bool {
    let in_dir = flightcheck_project::workspace::in_archived_dir(local);
    let name = local
        .rsplit('/')
        .next()
        .unwrap_or(local)
        .to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').collect();
    let marked = parts.len() > 2
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| matches!(*p, "backup" | "old" | "bak" | "orig" | "copy"));
    let stem = parts.first().copied().unwrap_or("");
    in_dir
        || marked
        || stem.ends_with("_old")
        || stem.ends_with("-old")
        || stem.ends_with("_backup")
        || stem.ends_with("-backup")
        || stem.ends_with(" copy")
}

/// Files served to browsers or vendored: `public/`, `static/`, `assets/`, `vendor/`.
fn is_static_path(local: &str) -> bool {
    dirs_of(local).any(|d| {
        matches!(
            d.as_str(),
            "public" | "static" | "assets" | "www" | "vendor" | "vendors" | "third_party"
        )
    })
}

/// Build and tool configuration: `webpack.config.js`, `jest.config.ts`, `gulpfile.js`.
fn is_build_config_path(local: &str) -> bool {
    // Hidden folders hold tooling, not the service: `.github/`, `.devcontainer/`, an AI
    // assistant's `.claude/skills/` or `.agents/` templates.
    if flightcheck_project::workspace::in_hidden_dir(local) {
        return true;
    }
    let name = local
        .rsplit('/')
        .next()
        .unwrap_or(local)
        .to_ascii_lowercase();
    let s = stem(local);
    name.contains(".config.")
        || name.starts_with(".eslintrc")
        || name.starts_with(".prettierrc")
        || matches!(s.as_str(), "gulpfile" | "gruntfile" | "webpack" | "rollup")
}

/// The role a file has by where it sits, before the import graph is consulted. `None` for
/// ordinary source paths.
pub fn path_role(local: &str) -> Option<Role> {
    if flightcheck_project::workspace::in_template_dir(local) {
        Some(Role::Template)
    } else if is_archived_path(local) {
        Some(Role::Archived)
    } else if is_static_path(local) {
        Some(Role::StaticAsset)
    } else if is_build_config_path(local) {
        Some(Role::BuildConfig)
    } else if is_script_path(local) {
        Some(Role::Script)
    } else {
        None
    }
}

/// Next.js route files: only these are loaded by the file-system convention; any other
/// module under `app/` runs only if one of them imports it.
fn is_next_route(local: &str) -> bool {
    let in_pages = ["pages/", "src/pages/"]
        .iter()
        .any(|d| local.starts_with(d));
    let in_app = ["app/", "src/app/"].iter().any(|d| local.starts_with(d));
    let name = local.rsplit('/').next().unwrap_or(local);
    let stem = name.split('.').next().unwrap_or("");
    if in_pages {
        // Pages router: every module under `pages/` is a page or an API route (`_app` and
        // `_document` included); a `components/` folder there is a common mistake, not a route.
        return !local.split('/').any(|c| c == "components");
    }
    in_app
        && matches!(
            stem,
            "page"
                | "layout"
                | "route"
                | "template"
                | "loading"
                | "error"
                | "global-error"
                | "not-found"
                | "default"
                | "middleware"
                | "opengraph-image"
                | "icon"
                | "sitemap"
                | "robots"
                | "manifest"
        )
}

/// Every entry point of the workspace: launch declarations, ASGI/WSGI app objects,
/// `__main__` modules, files that start a server or bot loop when loaded, Next.js routes and
/// `flightcheck.toml` entry points; and the projects where reachability falls back.
pub fn collect(
    ws: &Workspace,
    files: &[FileState],
    configs: &[ProjectConfig],
    declared: Vec<EntryPoint>,
    graph: &ImportGraph,
) -> Entries {
    let imported = &graph.imported();
    let mut points = declared;
    let sources: Vec<usize> = (0..ws.files.len())
        .filter(|i| matches!(ws.files[*i].kind, FileKind::Source(_)))
        .collect();
    for &i in &sources {
        let rel = &ws.files[i].rel;
        if is_test_file(rel) {
            continue;
        }
        let Some(facts) = files[i].facts.as_ref() else {
            continue;
        };
        // Archived, static, tooling and template files are not started by finding an app
        // object or a `__main__` guard in them (an AI assistant's `.claude/skills/…/main.py`
        // template holds a FastAPI app too); only a deploy definition naming them would.
        let kept_aside = matches!(
            path_role(local(ws, i, rel)),
            Some(Role::Archived | Role::StaticAsset | Role::BuildConfig | Role::Template)
        ) || flightcheck_project::workspace::in_hidden_dir(rel)
            || ws.in_vendored_package(rel);
        if kept_aside {
            continue;
        }
        let mut push = |how: EntryHow, source: String| {
            points.push(EntryPoint {
                file: i,
                how,
                source,
                detail: rel.clone(),
                decl_file: rel.clone(),
                decl_line: 1,
            })
        };
        if let Some(app) = facts.web_app.as_deref() {
            push(
                EntryHow::WebApp,
                format!("{app} application object (imported by the ASGI/WSGI server)"),
            );
        }
        if rel.ends_with("__main__.py") {
            push(
                EntryHow::MainModule,
                "python -m package (__main__.py)".into(),
            );
        } else if facts.has_main_guard {
            push(EntryHow::MainModule, "if __name__ == \"__main__\"".into());
        }
        // A file nothing imports that starts a server or a bot's update loop as it loads
        // is how the service is started (`python bot.py`, `node index.js`), whatever the
        // deploy files say or do not say. One that runs an asyncio loop is a program too,
        // service or one-shot.
        if !imported[i] {
            let resilience = &facts.resilience;
            if let Some(runner) = resilience
                .runners
                .iter()
                .find(|r| starts_at_load(facts, &r.owner))
            {
                push(
                    EntryHow::StartsService,
                    format!("starts the service when loaded (`{}`)", runner.via),
                );
            } else if let Some(run) = resilience
                .loop_runs
                .iter()
                .find(|r| starts_at_load(facts, &r.owner))
            {
                push(
                    EntryHow::RunsLoop,
                    format!("runs an event loop when loaded (`{}`)", run.via),
                );
            }
        }
    }
    let mut fallback: BTreeMap<usize, Fallback> = BTreeMap::new();
    for (p, project) in ws.projects.iter().enumerate() {
        let mut frameworks = project.frameworks.clone();
        for i in ws.project_files(p) {
            if let Some(f) = &files[i].facts {
                frameworks.extend(f.frameworks.iter().copied());
            }
        }
        if frameworks.contains(&Framework::NextJs) {
            for i in ws.project_files(p) {
                let rel = &ws.files[i].rel;
                let local = local(ws, i, rel);
                if is_next_route(local)
                    && matches!(ws.files[i].kind, FileKind::Source(_))
                    && !is_test_file(rel)
                {
                    points.push(EntryPoint {
                        file: i,
                        how: EntryHow::Convention,
                        source: "Next.js route convention".into(),
                        detail: local.to_string(),
                        decl_file: rel.clone(),
                        decl_line: 1,
                    });
                }
            }
        }
        // Django is started through manage.py/wsgi.py and loads apps by name; an import of
        // django somewhere (docs, examples) is not enough to say the project is Django.
        let django = project.frameworks.contains(&Framework::Django)
            || ws
                .project_files(p)
                .any(|i| ws.files[i].rel.ends_with("manage.py"));
        if django {
            fallback.insert(
                p,
                Fallback {
                    reason: "Django loads apps, URLconfs and settings by name: the modules its settings name (installed apps, URLconf, middleware, backends) and what they import count as running, every other module as possibly running".into(),
                    by_convention: true,
                },
            );
        }
    }
    for pc in configs {
        for (file, declared) in pc.entry_points(ws) {
            points.push(EntryPoint {
                file,
                how: EntryHow::Config,
                source: "flightcheck.toml entry-points".into(),
                detail: declared,
                decl_file: pc.source.clone().unwrap_or_default(),
                decl_line: 1,
            });
        }
    }
    points.sort_by(|a, b| (a.file, &a.source).cmp(&(b.file, &b.source)));
    points.dedup_by(|a, b| a.file == b.file && a.source == b.source);
    let kinds = classify(ws, &points);
    // A launch declaration says more than what the code of the file it starts does.
    let declared: std::collections::HashSet<usize> = points
        .iter()
        .filter(|e| !found_in_code(e.how))
        .map(|e| e.file)
        .collect();
    let (points, kinds): (Vec<EntryPoint>, Vec<EntryKind>) = points
        .into_iter()
        .zip(kinds)
        .filter(|(e, _)| !found_in_code(e.how) || !declared.contains(&e.file))
        .unzip();
    Entries {
        points,
        kinds,
        fallback,
    }
}

/// Code runs at load when it sits in module-level code, or in a function module-level code
/// calls (`asyncio.run(main())`, `main()`). A use that is not a call (an export, a class kept
/// for later) does not start anything.
fn starts_at_load(facts: &flightcheck_core::FileFacts, owner: &flightcheck_core::Owner) -> bool {
    let Some(owner) = owner else {
        return true;
    };
    facts
        .call_edges
        .iter()
        .any(|e| e.from.is_none() && &e.to == owner)
}

/// Service or script, per entry point. Deploy definitions and start scripts start the
/// service; npm `bin` commands and anything under `scripts/`, `bin/`, `tools/` are scripts;
/// a `main`, `__main__` module or console script is the service only when no deploy
/// definition or start script launches the project's service.
fn classify(ws: &Workspace, points: &[EntryPoint]) -> Vec<EntryKind> {
    let declared_service =
        |e: &EntryPoint| !is_candidate(e.how) && !is_cli(e.how) && !found_in_code(e.how);
    let mut has_service: Vec<bool> = vec![false; ws.projects.len()];
    let mut service_files = std::collections::HashSet::new();
    for e in points.iter().filter(|e| declared_service(e)) {
        has_service[ws.file_project[e.file]] = true;
        service_files.insert(e.file);
    }
    // Projects whose service a deploy definition or start script launches.
    let mut launched: Vec<bool> = vec![false; ws.projects.len()];
    for e in points
        .iter()
        .filter(|e| declared_service(e) && matches!(e.how, EntryHow::Launch(_)))
    {
        launched[ws.file_project[e.file]] = true;
    }
    let runner_files: std::collections::HashSet<usize> = points
        .iter()
        .filter(|e| e.how == EntryHow::StartsService)
        .map(|e| e.file)
        .collect();
    points
        .iter()
        .map(|e| {
            let local = local(ws, e.file, &ws.files[e.file].rel);
            if declared_service(e) || service_files.contains(&e.file) {
                EntryKind::Service
            } else if is_cli(e.how)
                || path_role(local).is_some()
                || crate::context::in_sample_dir(local)
            {
                EntryKind::Script
            } else if launched[ws.file_project[e.file]]
                && (runner_files.contains(&e.file) || is_candidate(e.how))
            {
                // The deploy definitions say what runs: another file that starts a server or
                // a bot loop when loaded (`debug-server.js`, `test_bot.py`), or that only
                // *can* be started (a `__main__` guard, an asyncio loop run at load, a console
                // script: `fix_orders_now.py` beside a Dockerfile that runs `main.py`) is
                // started by hand, a tool beside the service.
                EntryKind::Script
            } else if runner_files.contains(&e.file) {
                // A bot loop or server started at load time is the service itself.
                EntryKind::Service
            } else {
                EntryKind::Service
            }
        })
        .collect()
}

/// Quoted dotted names in a settings file (`'shop.apps.ShopConfig'`, `"core"`,
/// `'api.middleware.Audit'`).
fn dotted_strings(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for quote in ['\'', '"'] {
        for (k, part) in text.split(quote).enumerate() {
            if k % 2 == 1
                && !part.is_empty()
                && part.len() <= 200
                && part
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                out.push(part);
            }
        }
    }
    out
}

/// Per Django project (by-convention fallback): the files Django loads, from what its
/// settings name. Roots are the settings modules (they assign `INSTALLED_APPS`), `manage.py`,
/// `wsgi.py`/`asgi.py`, and every module or package a quoted dotted name in a settings file
/// resolves to (installed apps, `ROOT_URLCONF`, middleware, backends), resolved from the
/// project root and from each folder holding `manage.py`; what they import follows. A
/// project with no settings file found is left out (every file counts, as before).
fn django_loaded(
    ws: &Workspace,
    graph: &ImportGraph,
    entries: &Entries,
    files: &[FileState],
) -> BTreeMap<usize, Vec<bool>> {
    let mut out = BTreeMap::new();
    for (&p, fallback) in &entries.fallback {
        if !fallback.by_convention {
            continue;
        }
        let project_files: Vec<usize> = ws
            .project_files(p)
            .filter(|i| ws.files[*i].kind == FileKind::Source(Language::Python))
            .collect();
        let name = |i: usize| ws.files[i].rel.rsplit('/').next().unwrap_or("");
        let settings: Vec<usize> = project_files
            .iter()
            .copied()
            .filter(|&i| {
                files[i]
                    .text
                    .as_deref()
                    .is_some_and(|t| t.contains("INSTALLED_APPS"))
            })
            .collect();
        if settings.is_empty() {
            continue;
        }
        let root = &ws.projects[p].root;
        let mut bases: Vec<String> = vec![if root == "." {
            String::new()
        } else {
            format!("{root}/")
        }];
        for &i in &project_files {
            if name(i) == "manage.py" {
                let rel = &ws.files[i].rel;
                let dir = rel
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| format!("{d}/"));
                if !bases.contains(&dir) {
                    bases.push(dir);
                }
            }
        }
        // Each module path, and each folder with the files under it: lookups stay linear
        // in the settings' names and the tree, whatever their sizes.
        let mut by_path: std::collections::HashMap<&str, Vec<usize>> =
            std::collections::HashMap::new();
        for &i in &project_files {
            let rel = ws.files[i].rel.as_str();
            by_path.entry(rel).or_default().push(i);
            let mut dir = rel;
            while let Some((head, _)) = dir.rsplit_once('/') {
                by_path.entry(head).or_default().push(i);
                dir = head;
            }
        }
        let mut roots: Vec<usize> = settings.clone();
        roots.extend(
            project_files
                .iter()
                .copied()
                .filter(|&i| matches!(name(i), "manage.py" | "wsgi.py" | "asgi.py")),
        );
        for &s in &settings {
            let Some(text) = files[s].text.as_deref() else {
                continue;
            };
            for dotted in dotted_strings(text) {
                let path = dotted.replace('.', "/");
                // `shop.apps.ShopConfig` names `shop/apps.py` (a class in it) and the app
                // package `shop/`: every prefix that is a module or a package counts.
                let mut prefix = path.as_str();
                loop {
                    for base in &bases {
                        for key in [format!("{base}{prefix}.py"), format!("{base}{prefix}")] {
                            if let Some(found) = by_path.get(key.as_str()) {
                                roots.extend(found);
                            }
                        }
                    }
                    match prefix.rsplit_once('/') {
                        Some((head, _)) => prefix = head,
                        None => break,
                    }
                }
            }
        }
        roots.sort_unstable();
        roots.dedup();
        out.insert(p, graph.reachable(roots));
    }
    out
}

/// Module-level code imports django and calls `setup()`: the file configures Django for
/// itself, as only a standalone script does (apps, views and models are loaded by Django
/// already set up).
fn configures_django_itself(facts: &flightcheck_core::FileFacts) -> bool {
    facts
        .imports
        .iter()
        .any(|i| i.specifier == "django" && i.kind == flightcheck_core::ImportKind::PyImport)
        && facts
            .call_edges
            .iter()
            .any(|e| e.from.is_none() && e.to == "setup")
}

/// The role of every walked file (non-source files get [`Role::Config`]), and whether each
/// counts as reachable for the rules.
pub fn assign(ws: &Workspace, graph: &ImportGraph, entries: &Entries, files: &mut [FileState]) {
    let of_kind = |kind: EntryKind| {
        entries
            .points
            .iter()
            .zip(&entries.kinds)
            .filter(move |(_, k)| **k == kind)
            .map(|(e, _)| e.file)
    };
    let imported = graph.imported();
    let django = django_loaded(ws, graph, entries, files);
    let by_service = graph.reachable(of_kind(EntryKind::Service));
    let by_script = graph.reachable(of_kind(EntryKind::Script));
    for (i, file) in ws.files.iter().enumerate() {
        let state = &mut files[i];
        // A generator's template is not code or config of this project, whatever reaches
        // it: it becomes one only once rendered.
        if flightcheck_project::workspace::in_template_dir(&file.rel) {
            state.role = Role::Template;
            state.reachable = false;
            continue;
        }
        if !matches!(file.kind, FileKind::Source(_)) {
            state.role = Role::Config;
            continue;
        }
        let p = ws.file_project[i];
        let fallback = entries.fallback.get(&p);
        let local = local(ws, i, &file.rel);
        let role = if is_test_file(&file.rel) {
            Role::Test
        } else if by_service[i] {
            Role::Service
        } else if ws.in_vendored_package(&file.rel) {
            // An installed npm package kept in the repository: only what the service
            // imports from it runs (its demo bots and `bin/` launchers do not).
            Role::StaticAsset
        } else if let Some(role) = path_role(local).or_else(|| {
            flightcheck_project::workspace::in_hidden_dir(&file.rel).then_some(Role::BuildConfig)
        }) {
            if role == Role::Script && !by_script[i] && fallback.is_none() {
                Role::Unreachable
            } else {
                role
            }
        } else if by_script[i] {
            Role::Script
        } else if is_example_file(&file.rel) {
            Role::Unreachable
        } else if fallback.is_some_and(|f| f.by_convention)
            && !imported[i]
            && state.facts.as_ref().is_some_and(configures_django_itself)
        {
            // `django.setup()` at module level in a file nothing imports: a standalone
            // script run by hand against the project's models, not a module Django loads.
            Role::Script
        } else {
            match fallback {
                // Django loads what its settings name; a package no setting names and no
                // loaded module imports (a leftover of an older admin) may be dead.
                Some(f) if f.by_convention && django.get(&p).is_none_or(|loaded| loaded[i]) => {
                    Role::Service
                }
                Some(_) => Role::PossiblyRunning,
                None => Role::Unreachable,
            }
        };
        state.role = role;
        state.reachable = matches!(role, Role::Service | Role::PossiblyRunning | Role::Script);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_say_script_archived_static_and_build_config() {
        assert_eq!(path_role("scripts/backfill.py"), Some(Role::Script));
        assert_eq!(path_role("verify_setup.py"), Some(Role::Script));
        assert_eq!(path_role("deploy-commands.js"), Some(Role::Script));
        assert_eq!(path_role("src/deploy-commands.ts"), Some(Role::Script));
        assert_eq!(path_role("Archived/bot.js"), Some(Role::Archived));
        assert_eq!(path_role("checkpoints/v3/main.py"), Some(Role::Archived));
        assert_eq!(
            path_role("backup_comprehensive_20250728/settings.py"),
            Some(Role::Archived)
        );
        assert_eq!(path_role("src/backup_service.py"), None);
        assert_eq!(
            path_role("{{cookiecutter.project_slug}}/backend/app/main.py"),
            Some(Role::Template)
        );
        assert_eq!(path_role("docs/{{ not a template.md"), None);
        assert_eq!(
            path_role(".claude/skills/fastapi/templates/src/config.py"),
            Some(Role::BuildConfig)
        );
        assert_eq!(
            path_role("apps/bot/database/migrations/env.py"),
            Some(Role::Script)
        );
        assert_eq!(path_role("bot/env.py"), None);
        assert_eq!(path_role("src/App.backup.tsx"), Some(Role::Archived));
        assert_eq!(path_role("handlers_old.py"), Some(Role::Archived));
        assert_eq!(path_role("public/js/app.js"), Some(Role::StaticAsset));
        assert_eq!(path_role("webpack.config.js"), Some(Role::BuildConfig));
        assert_eq!(path_role("src/bot.js"), None);
        assert_eq!(path_role("src/handlers/check.js"), None);
        assert_eq!(path_role("bot/old_users.py"), None);
        assert_eq!(path_role("src/tools/format.js"), None);
        assert_eq!(path_role("handlers/check_payment.py"), None);
        assert_eq!(path_role("tasks.py"), None);
        assert_eq!(path_role("setup.py"), Some(Role::Script));
    }

    #[test]
    fn next_routes_are_only_the_convention_files() {
        assert!(is_next_route("app/page.tsx"));
        assert!(is_next_route("src/app/api/pay/route.ts"));
        assert!(is_next_route("pages/index.tsx"));
        assert!(!is_next_route("app/components/Button.tsx"));
        assert!(!is_next_route("app/lib/db.ts"));
    }
}
