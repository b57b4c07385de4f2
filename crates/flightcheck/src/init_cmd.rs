//! `flightcheck init [PATH]`: writes a commented `flightcheck.toml` for the detected stack.
//!
//! The file explains every option, shows defaults and stack-specific examples commented
//! out (`#key = value`, no space, so uncommenting is deleting one character), and sets only
//! what discovery is sure of: the production env files it detected.

use clap::Args;
use flightcheck_core::config::{toml_key, toml_string};
use flightcheck_core::{CONFIG_FILE_NAME, Category, Config, Language};
use flightcheck_project::{DiscoverOptions, EnvRole, Workspace, entry};
use flightcheck_rules::registry;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory to write `flightcheck.toml` into (its projects are detected).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Overwrite an existing `flightcheck.toml`.
    #[arg(long)]
    force: bool,
}

/// At most this many files of one kind are listed per project; a k8s folder can hold
/// hundreds, and the header is a summary, not an inventory.
const LIST_LIMIT: usize = 8;

fn fail(message: &str) -> ExitCode {
    eprintln!("flightcheck: error: {message}");
    ExitCode::from(2)
}

pub fn run(args: &InitArgs) -> ExitCode {
    let dir = &args.path;
    if !dir.is_dir() {
        let why = if dir.exists() {
            "not a directory"
        } else {
            "no such directory"
        };
        return fail(&format!("cannot init {}: {why}", dir.display()));
    }
    let target = dir.join(CONFIG_FILE_NAME);
    // `symlink_metadata`: a dangling symlink named flightcheck.toml is still someone's file.
    if std::fs::symlink_metadata(&target).is_ok() && !args.force {
        return fail(&format!(
            "{} already exists (use --force to overwrite it)",
            target.display()
        ));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ws = match Workspace::discover(
        dir,
        &DiscoverOptions {
            threads,
            production_env: Vec::new(),
        },
    ) {
        Ok(ws) => ws,
        Err(e) => return fail(&e),
    };
    let generated = generate(&ws);
    // A generator bug must not leave behind a config that `scan` rejects.
    if let Err(e) = Config::parse(&generated.text, CONFIG_FILE_NAME) {
        return fail(&format!(
            "internal error: the generated config does not parse ({e}); nothing was written"
        ));
    }
    if let Err(e) = replace_file(&target, &generated.text) {
        return fail(&format!("cannot write {}: {e}", target.display()));
    }
    println!("wrote {}", target.display());
    for line in &generated.summary {
        println!("  {line}");
    }
    ExitCode::SUCCESS
}

/// Writes `text` to a new file beside `target` and renames it over `target`: an existing
/// `flightcheck.toml` that is a symlink is replaced, never written through (a repository
/// could point it at any file of the user running `init --force`).
fn replace_file(target: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let temp = target.with_file_name(format!(".{CONFIG_FILE_NAME}.{}.tmp", std::process::id()));
    // `create_new` refuses an existing name, a planted symlink included.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    let renamed = written.and_then(|()| std::fs::rename(&temp, target));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

struct Generated {
    text: String,
    /// One line per project, and what was set.
    summary: Vec<String>,
}

/// Text safe inside a TOML comment: no control characters (TOML forbids them there, and a
/// newline in a package name would end the comment).
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect()
}

/// `items` joined, at most [`LIST_LIMIT`] of them, or `(none)`.
fn listing(items: &[String]) -> String {
    if items.is_empty() {
        return "(none)".into();
    }
    let mut shown: Vec<String> = items.iter().take(LIST_LIMIT).map(|s| safe(s)).collect();
    if items.len() > LIST_LIMIT {
        shown.push(format!("and {} more", items.len() - LIST_LIMIT));
    }
    shown.join(", ")
}

/// Whether `pattern` names a rule or a prefix of one, so examples never go stale silently.
fn known_rule(pattern: &str) -> bool {
    registry::all().iter().any(|r| r.meta.matches(pattern))
}

fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// What the detected stack suggests for the commented-out examples.
struct Stack {
    bots: bool,
    python: bool,
    typescript: bool,
    any_entry: bool,
    /// A directory of one-off scripts that exists in the tree, if any.
    scripts_dir: Option<String>,
}

fn stack(ws: &Workspace, has_entry: bool) -> Stack {
    let frameworks = ws.projects.iter().flat_map(|p| &p.frameworks);
    let languages: Vec<Language> = (0..ws.projects.len())
        .flat_map(|p| ws.languages(p))
        .collect();
    // Globs are relative to the config file's directory (the scanned root).
    let project_paths: Vec<String> = ws.files.iter().map(|f| f.rel.clone()).collect();
    let scripts_dir = ["scripts", "tools", "bin"]
        .into_iter()
        .find(|d| {
            project_paths
                .iter()
                .any(|rel| rel.starts_with(&format!("{d}/")))
        })
        .map(str::to_string);
    Stack {
        bots: frameworks.into_iter().any(|f| f.platform().is_some()),
        python: languages.contains(&Language::Python),
        typescript: languages.contains(&Language::TypeScript),
        any_entry: has_entry,
        scripts_dir,
    }
}

fn generate(ws: &Workspace) -> Generated {
    let resolution = entry::resolve_entries(ws);
    // Entry files per project, each with the declarations that start it.
    let mut entries: BTreeMap<usize, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for e in &resolution.entries {
        let Some(file) = ws.files.get(e.file) else {
            continue;
        };
        let project = ws.file_project.get(e.file).copied().unwrap_or(0);
        let sources = entries
            .entry(project)
            .or_default()
            .entry(file.rel.clone())
            .or_default();
        if !sources.contains(&e.source) {
            sources.push(e.source.clone());
        }
    }
    let stack = stack(ws, !entries.is_empty());

    let mut out = String::new();
    let mut summary = Vec::new();
    out.push_str(
        "# flightcheck.toml: settings for `flightcheck scan`, written by `flightcheck init`.\n\
         # Every setting is optional. Lines like `#key = value` show a default or an example:\n\
         # delete the `#` to use them. Reference: docs/config.md; rule ids: `flightcheck rule`.\n\
         # A project is scanned with the nearest flightcheck.toml at or above its directory,\n\
         # within the scanned tree.\n\
         #\n\
         # Detected stack\n",
    );
    let mut production: Vec<String> = Vec::new();
    for (p, project) in ws.projects.iter().enumerate() {
        let languages: Vec<String> = ws
            .languages(p)
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let mut frameworks: Vec<String> = project
            .frameworks
            .iter()
            .map(|f| f.as_str().to_string())
            .collect();
        frameworks.sort();
        let package_manager = project.package_manager.clone().unwrap_or_default();
        let mut env_files: Vec<String> = Vec::new();
        for env in ws.env_files.iter().filter(|e| e.project == p) {
            env_files.push(format!("{} ({})", env.rel, env.role.as_str()));
            if env.role == EnvRole::Production {
                production.push(env.rel.clone());
            }
        }
        let entry_list: Vec<String> = entries
            .get(&p)
            .map(|files| {
                files
                    .iter()
                    .map(|(file, sources)| format!("{file} ({})", sources.join("; ")))
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "#\n# project {} ({})",
            safe(&project.name),
            safe(&project.root)
        );
        let rows = [
            ("languages", listing(&languages)),
            ("frameworks", listing(&frameworks)),
            (
                "package manager",
                if package_manager.is_empty() {
                    "(none)".to_string()
                } else {
                    safe(&package_manager)
                },
            ),
            ("manifests", listing(&project.manifests)),
            ("deploy files", listing(&project.deploy_files)),
            ("CI files", listing(&project.ci_files)),
            ("env files", listing(&env_files)),
            ("entry points", listing(&entry_list)),
        ];
        for (label, value) in rows {
            let _ = writeln!(out, "#   {:<16} {value}", format!("{label}:"));
        }
        summary.push(format!(
            "project {} ({}): {}; {}",
            safe(&project.name),
            safe(&project.root),
            listing(&languages),
            listing(&frameworks)
        ));
    }
    out.push_str(
        "#\n# Paths in the settings below (entry points, env files, globs) are relative to\n\
         # this file's directory, so one file at the root serves every project.\n",
    );

    // select / ignore
    out.push_str("\n# Rules to run, by id or prefix (`security/`). Default: [] runs every rule.\n");
    let select: &[&str] = if stack.bots {
        &["bot/", "security/", "config/"]
    } else {
        &["security/", "config/", "data/"]
    };
    let select: Vec<&str> = select.iter().copied().filter(|p| known_rule(p)).collect();
    if !select.is_empty() {
        let _ = writeln!(out, "#select = {}", quoted_list(&select));
    }
    out.push_str("\n# Rules to skip, by id or prefix. Default: [].\n");
    if known_rule("testing/no-tests") {
        let _ = writeln!(out, "#ignore = {}", quoted_list(&["testing/no-tests"]));
    }

    // entry-points
    out.push_str(
        "\n# Extra entry points: files that run although no launch command (package.json\n\
         # main/bin/scripts.start, Dockerfile CMD, Procfile, compose, systemd) starts them,\n\
         # such as workers, cron jobs and serverless handlers. Code they import is then\n\
         # reachable, and rules judge it as running code. Default: [].\n",
    );
    if !stack.any_entry {
        out.push_str(
            "# No launch command was found: list the files that start the service here.\n",
        );
    }
    let worker = if stack.typescript {
        "src/worker.ts"
    } else if stack.python && !stack.bots {
        "worker.py"
    } else if stack.python {
        "bot.py"
    } else {
        "src/worker.js"
    };
    let _ = writeln!(out, "#entry-points = {}", quoted_list(&[worker]));

    // production-env
    out.push_str(
        "\n# Env files the service is deployed with: config rules judge them as production\n\
         # (empty secrets, localhost URLs, placeholders, missing required variables). Like\n\
         # `scan --env FILE`, listing files makes exactly these production. Default: [], and\n\
         # env files are judged by name and content (.env.production, NODE_ENV=production).\n",
    );
    production.sort();
    production.dedup();
    if production.is_empty() {
        let _ = writeln!(
            out,
            "#production-env = {}",
            quoted_list(&[".env.production"])
        );
    } else {
        out.push_str("# Set from the env files detected as production.\n");
        let refs: Vec<&str> = production.iter().map(String::as_str).collect();
        let _ = writeln!(out, "production-env = {}", quoted_list(&refs));
        summary.push(format!("production-env = {}", quoted_list(&refs)));
    }

    // [severity]
    out.push_str(
        "\n# Severity overrides: rule id or prefix = \"blocker\" | \"high\" | \"medium\" | \"low\".\n\
         # An exact id beats a prefix, a longer prefix a shorter one.\n[severity]\n",
    );
    let (rule, severity) = if stack.bots {
        ("bot/no-user-rate-limit", "medium")
    } else {
        ("testing/no-tests", "medium")
    };
    if let Some(found) = registry::find(rule) {
        let _ = writeln!(
            out,
            "#{} = {}  # default: {}",
            toml_key(rule),
            toml_string(severity),
            found.meta.severity
        );
    }

    // [per-path-ignores]
    out.push_str(
        "\n# Rules (ids or prefixes) turned off in files matching a glob, relative to the\n\
         # directory of this file. As in .gitignore: `*` stays within a directory, `**` crosses\n\
         # directories, a glob without `/` matches at any depth, a directory covers its files.\n\
         [per-path-ignores]\n",
    );
    let scripts = stack.scripts_dir.as_deref().unwrap_or("scripts");
    let script_rules: &[&str] = if stack.python {
        &["perf/blocking-io-in-async", "config/undocumented-env"]
    } else {
        &["config/undocumented-env"]
    };
    let script_rules: Vec<&str> = script_rules
        .iter()
        .copied()
        .filter(|p| known_rule(p))
        .collect();
    if !script_rules.is_empty() {
        let _ = writeln!(
            out,
            "#{} = {}",
            toml_key(&format!("{scripts}/**")),
            quoted_list(&script_rules)
        );
    }

    // [weights]
    out.push_str(
        "\n# Category weights in the score, 0 to 100 (0 leaves a category out). Defaults shown.\n\
         [weights]\n",
    );
    for category in Category::ALL {
        let _ = writeln!(out, "#{category} = {}", category.default_weight());
    }
    Generated { text: out, summary }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_be_broken_by_names() {
        assert_eq!(safe("bot\nname\u{7}"), "bot?name?");
        assert_eq!(safe("tab\tok"), "tab\tok");
    }

    #[test]
    fn long_listings_are_cut() {
        let items: Vec<String> = (0..10).map(|i| format!("k8s/{i}.yaml")).collect();
        let text = listing(&items);
        assert!(text.ends_with("k8s/7.yaml, and 2 more"), "{text}");
        assert_eq!(listing(&[]), "(none)");
    }
}
