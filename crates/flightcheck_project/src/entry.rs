//! Entry points: the files that launch commands start.

use crate::commands::{Launch, launches};
use crate::deploy::{LaunchDecl, LaunchOrigin};
use crate::workspace::{Workspace, join};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub file: usize,
    /// How it was found; decides whether it starts the service or a one-shot program.
    pub how: EntryHow,
    /// Where it was declared (`Dockerfile CMD`, `package.json scripts.start`...).
    pub source: String,
    /// The declaring command.
    pub detail: String,
    pub decl_file: String,
    pub decl_line: u32,
}

/// How an entry point was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryHow {
    /// A launch declaration of this kind starts it.
    Launch(LaunchOrigin),
    /// A module-level web application object an ASGI/WSGI server imports.
    WebApp,
    /// An `if __name__ == "__main__"` guard or a `__main__.py`.
    MainModule,
    /// Nothing imports it and it starts a server or a bot's update loop as it loads.
    StartsService,
    /// Nothing imports it and it runs an asyncio loop as it loads.
    RunsLoop,
    /// A framework loads it by file-system convention (Next.js routes).
    Convention,
    /// `entry-points` in `flightcheck.toml`.
    Config,
}

/// A launch command whose target is not in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEntry {
    pub decl: LaunchDecl,
    pub target: String,
}

#[derive(Debug, Default)]
pub struct EntryResolution {
    pub entries: Vec<EntryPoint>,
    pub missing: Vec<MissingEntry>,
}

const JS_EXTS: [&str; 8] = ["js", "ts", "mjs", "cjs", "mts", "cts", "tsx", "jsx"];
const BUILD_DIRS: [&str; 5] = ["dist", "build", "lib", "out", ".next"];

/// Resolves every launch declaration of the workspace to entry files.
pub fn resolve_entries(ws: &Workspace) -> EntryResolution {
    let mut out = EntryResolution::default();
    for decl in &ws.launches {
        if decl.release_phase {
            continue;
        }
        resolve_command(ws, decl, &decl.command, &decl.source, 0, &mut out);
    }
    out.entries
        .sort_by(|a, b| (a.file, &a.source).cmp(&(b.file, &b.source)));
    out.entries
        .dedup_by(|a, b| a.file == b.file && a.source == b.source);
    out
}

fn resolve_command(
    ws: &Workspace,
    decl: &LaunchDecl,
    command: &str,
    source: &str,
    depth: u32,
    out: &mut EntryResolution,
) {
    if depth > 4 {
        return;
    }
    for launch in launches(command) {
        let found = match &launch {
            Launch::JsFile(p) => resolve_js(ws, decl, p),
            Launch::PyFile(p) => resolve_plain(ws, decl, p),
            Launch::PyModule(m) => resolve_py_module(ws, &decl.cwd, m),
            Launch::Script(name) => {
                if let Some((_, pkg)) = ws.package_json_for(&decl.cwd) {
                    for script in [format!("pre{name}"), name.clone()] {
                        if let Some(cmd) = pkg.scripts.get(&script) {
                            let src = format!("{source} → scripts.{script}");
                            resolve_command(ws, decl, cmd, &src, depth + 1, out);
                        }
                    }
                }
                continue;
            }
        };
        match found {
            Some(file) => out.entries.push(EntryPoint {
                file,
                how: EntryHow::Launch(decl.origin),
                source: source.to_string(),
                detail: command.to_string(),
                decl_file: decl.file.clone(),
                decl_line: decl.line,
            }),
            None => {
                // Node's implied default main is only a guess; its absence is normal.
                if !decl.source.ends_with("(default main)") {
                    let target = match &launch {
                        Launch::JsFile(p)
                        | Launch::PyFile(p)
                        | Launch::PyModule(p)
                        | Launch::Script(p) => p.clone(),
                    };
                    out.missing.push(MissingEntry {
                        decl: decl.clone(),
                        target,
                    });
                }
            }
        }
    }
}

/// A path as the command's working directory sees it, relative to the scan root.
fn rebase(decl: &LaunchDecl, path: &str) -> Vec<String> {
    if let Some(abs) = path.strip_prefix('/') {
        let mut out = Vec::new();
        if let Some(wd) = &decl.workdir {
            let wd = wd.trim_end_matches('/');
            if let Some(rest) = path.strip_prefix(wd).and_then(|r| r.strip_prefix('/')) {
                out.push(join(&decl.cwd, rest));
            }
        }
        // `/app/src/index.js` with an unknown workdir: try shorter and shorter suffixes.
        let parts: Vec<&str> = abs.split('/').collect();
        for i in 1..parts.len() {
            out.push(join(&decl.cwd, &parts[i..].join("/")));
        }
        out
    } else if decl.source.starts_with("systemd")
        && decl.workdir.as_deref().is_some_and(|w| w.starts_with('/'))
    {
        // A unit kept in `systemd/` runs in its `WorkingDirectory=` on the server
        // (`/opt/bot`), where the checkout is: the unit's folder and each folder above it.
        let mut out = vec![join(&decl.cwd, path)];
        let mut dir = decl.cwd.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            out.push(join(parent, path));
            dir = parent;
        }
        if !dir.is_empty() && dir != "." {
            out.push(path.to_string());
        }
        out
    } else {
        vec![join(&decl.cwd, path)]
    }
}

/// A JS/TS script path as a program running in `cwd` would open it, with build output
/// (`dist/bot.js`) mapped back to its source (`src/bot.ts`).
pub fn resolve_script_path(ws: &Workspace, cwd: &str, path: &str) -> Option<usize> {
    let decl = LaunchDecl {
        file: String::new(),
        line: 0,
        source: String::new(),
        command: String::new(),
        cwd: cwd.to_string(),
        workdir: None,
        release_phase: false,
        origin: LaunchOrigin::Deploy,
        stage: None,
    };
    resolve_js(ws, &decl, path)
}

fn resolve_plain(ws: &Workspace, decl: &LaunchDecl, path: &str) -> Option<usize> {
    rebase(decl, path).iter().find_map(|p| ws.file_index(p))
}

fn resolve_js(ws: &Workspace, decl: &LaunchDecl, path: &str) -> Option<usize> {
    // `node .` / `node ./` run the package's `main` (or its index.js).
    if matches!(path, "." | "./") {
        let main = ws
            .package_json_for(&decl.cwd)
            .and_then(|(_, pkg)| pkg.main.clone())
            .filter(|m| !matches!(m.as_str(), "." | "./"));
        return resolve_js(ws, decl, main.as_deref().unwrap_or("index.js"));
    }
    for base in rebase(decl, path) {
        if let Some(i) = js_candidates(ws, &base) {
            return Some(i);
        }
        // Build output (`dist/index.js`, `packages/api/dist/main.js`) maps back to the
        // TypeScript source it is compiled from.
        let comps: Vec<&str> = base.split('/').collect();
        let Some(p) = comps.iter().position(|c| BUILD_DIRS.contains(c)) else {
            continue;
        };
        if p + 1 >= comps.len() {
            continue;
        }
        let prefix = comps[..p].join("/");
        let tail = comps[p + 1..].join("/");
        let stem = strip_js_ext(&tail);
        for src in ["src", "", "lib", "app"] {
            let dir = [prefix.as_str(), src, stem]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/");
            if let Some(i) = js_candidates(ws, &dir) {
                return Some(i);
            }
        }
    }
    None
}

fn strip_js_ext(p: &str) -> &str {
    for ext in JS_EXTS {
        if let Some(s) = p.strip_suffix(&format!(".{ext}")[..]) {
            return s;
        }
    }
    p
}

fn js_candidates(ws: &Workspace, base: &str) -> Option<usize> {
    if let Some(i) = ws.file_index(base) {
        return Some(i);
    }
    let stem = strip_js_ext(base);
    for ext in JS_EXTS {
        if let Some(i) = ws.file_index(&format!("{stem}.{ext}")) {
            return Some(i);
        }
    }
    for ext in JS_EXTS {
        if let Some(i) = ws.file_index(&format!("{base}/index.{ext}")) {
            return Some(i);
        }
    }
    None
}

/// `pkg.mod` under `cwd` or `cwd/src`: `pkg/mod.py`, `pkg/mod/__main__.py`, `pkg/mod/__init__.py`.
pub fn resolve_py_module(ws: &Workspace, cwd: &str, module: &str) -> Option<usize> {
    let path = module.replace('.', "/");
    for base in [cwd.to_string(), join(cwd, "src")] {
        for candidate in [
            format!("{path}.py"),
            format!("{path}/__main__.py"),
            format!("{path}/__init__.py"),
        ] {
            if let Some(i) = ws.file_index(&join(&base, &candidate)) {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(workdir: Option<&str>) -> LaunchDecl {
        LaunchDecl {
            file: "deploy/systemd/bot.service".into(),
            line: 7,
            source: "systemd ExecStart".into(),
            command: "/srv/bot/venv/bin/python run_bot.py".into(),
            cwd: "deploy/systemd".into(),
            workdir: workdir.map(str::to_string),
            release_phase: false,
            origin: LaunchOrigin::Deploy,
            stage: None,
        }
    }

    #[test]
    fn a_unit_in_a_folder_runs_in_the_checkout() {
        // `WorkingDirectory=/srv/bot` is the checkout on the server: the script may sit
        // beside the unit or in any folder above it.
        assert_eq!(
            rebase(&unit(Some("/srv/bot")), "run_bot.py"),
            vec![
                "deploy/systemd/run_bot.py".to_string(),
                "deploy/run_bot.py".to_string(),
                "run_bot.py".to_string(),
            ]
        );
        // Without a working directory the unit's folder is all there is.
        assert_eq!(
            rebase(&unit(None), "run_bot.py"),
            vec!["deploy/systemd/run_bot.py".to_string()]
        );
    }
}
