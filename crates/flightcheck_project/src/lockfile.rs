//! Package names a JavaScript lockfile installs (package-lock.json, npm-shrinkwrap.json,
//! yarn.lock, pnpm-lock.yaml), direct and transitive: what `npm ci` puts in node_modules.

use flightcheck_core::Note;
use flightcheck_core::read::{cap, read_string};
use std::collections::BTreeSet;
use std::path::Path;

/// The packages the lockfile in `dir` (the project at `project_root`) installs; `None`
/// when there is no readable lockfile. A lockfile that is not a regular file or is over
/// the cap is a note, never a hang.
pub fn read(dir: &Path, project_root: &str, notes: &mut Vec<Note>) -> Option<BTreeSet<String>> {
    let mut load = |name: &str| match read_string(&dir.join(name), None, cap::LOCKFILE) {
        Ok(text) => Some(text),
        Err(skip) => {
            if !skip.is_missing() {
                let rel = if project_root == "." {
                    name.to_string()
                } else {
                    format!("{project_root}/{name}")
                };
                notes.push(Note::file(&rel, skip.to_string()));
            }
            None
        }
    };
    for name in ["package-lock.json", "npm-shrinkwrap.json"] {
        if let Some(text) = load(name) {
            return npm(&text);
        }
    }
    if let Some(text) = load("yarn.lock") {
        return Some(yarn(&text));
    }
    if let Some(text) = load("pnpm-lock.yaml") {
        return Some(pnpm(&text));
    }
    None
}

/// `@scope/name@^1.0.0` → `@scope/name`.
fn strip_version(entry: &str) -> &str {
    let entry = entry.trim().trim_matches('"').trim_start_matches('/');
    let search_from = usize::from(entry.starts_with('@'));
    match entry[search_from..].find('@') {
        Some(at) => &entry[..search_from + at],
        None => entry,
    }
}

fn npm(text: &str) -> Option<BTreeSet<String>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut out = BTreeSet::new();
    if let Some(packages) = v.get("packages").and_then(|p| p.as_object()) {
        for key in packages.keys() {
            if let Some((_, name)) = key.rsplit_once("node_modules/") {
                out.insert(name.to_string());
            }
        }
    }
    // lockfileVersion 1: a nested `dependencies` tree.
    fn walk(deps: &serde_json::Value, out: &mut BTreeSet<String>) {
        if let Some(map) = deps.as_object() {
            for (name, entry) in map {
                out.insert(name.clone());
                if let Some(nested) = entry.get("dependencies") {
                    walk(nested, out);
                }
            }
        }
    }
    if let Some(deps) = v.get("dependencies") {
        walk(deps, &mut out);
    }
    Some(out)
}

fn yarn(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with([' ', '#']) || !line.ends_with(':') {
            continue;
        }
        for entry in line.trim_end_matches(':').split(", ") {
            let name = strip_version(entry);
            if !name.is_empty() && name != "__metadata" {
                out.insert(name.to_string());
            }
        }
    }
    out
}

fn pnpm(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_packages = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_packages = matches!(line.trim_end(), "packages:" | "snapshots:");
            continue;
        }
        // Entries are indented by two spaces: `  /express@4.19.2:` or `  'express@4.19.2':`.
        if in_packages && line.starts_with("  ") && !line.starts_with("   ") {
            let key = line.trim().trim_end_matches(':').trim_matches('\'');
            let key = key.split('(').next().unwrap_or(key);
            let name = strip_version(key);
            if !name.is_empty() {
                out.insert(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_each_lockfile_format() {
        let lock = r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/express":{},"node_modules/@discordjs/rest":{},"node_modules/a/node_modules/body-parser":{}}}"#;
        let got: Vec<String> = npm(lock).unwrap_or_default().into_iter().collect();
        assert_eq!(got, vec!["@discordjs/rest", "body-parser", "express"]);
        let y = "# yarn lockfile v1\n\n\"@types/node@*\", \"@types/node@^20\":\n  version \"20.1.0\"\n\nms@2.1.3:\n  version \"2.1.3\"\n";
        let got: Vec<String> = yarn(y).into_iter().collect();
        assert_eq!(got, vec!["@types/node", "ms"]);
        let p = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      grammy:\n        specifier: ^1\npackages:\n  '@grammyjs/types@3.1.0':\n    resolution: {}\n  grammy@1.20.0(encoding@0.1.13):\n    resolution: {}\n";
        let got: Vec<String> = pnpm(p).into_iter().collect();
        assert_eq!(got, vec!["@grammyjs/types", "grammy"]);
    }
}
