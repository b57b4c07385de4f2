//! `.gitignore`, `.ignore` and `.git/info/exclude`, read through the bounded reader.
//!
//! The `ignore` crate's walker opens ignore files itself, following symlinks and without a
//! size check: a committed `.gitignore` symlinked to `/dev/zero` exhausts memory, and a FIFO
//! named `.gitignore` blocks forever. So the walk turns that off and asks [`IgnoreRules`],
//! which loads each directory's files with [`flightcheck_core::read`] (a skip is a note) and
//! applies them with the walker's precedence: `.ignore` over `.gitignore` over
//! `info/exclude`, the deepest directory first, a `!pattern` re-including.

use flightcheck_core::Note;
use flightcheck_core::read::{cap, read_string};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Builds a matcher for the ignore file at `path`, whose patterns are relative to its
/// directory; `None` when the file cannot be read safely (the reason is in `notes` when
/// given).
pub fn load_matcher(path: &Path, rel: &str, notes: Option<&Mutex<Vec<Note>>>) -> Option<Gitignore> {
    let text = match read_string(path, None, cap::TEXT) {
        Ok(text) => text,
        Err(skip) => {
            if !skip.is_missing()
                && let Some(notes) = notes
                && let Ok(mut n) = notes.lock()
            {
                n.push(Note::file(
                    rel,
                    format!("{skip}; its ignore patterns are not applied"),
                ));
            }
            return None;
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut builder = GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A bad pattern is ignored, as git does.
        let _ = builder.add_line(Some(path.to_path_buf()), line);
    }
    builder.build().ok()
}

/// A `.gitignore` found by the walk, for [`crate::workspace::Workspace::is_gitignored`].
pub fn load(path: &Path, _dir_rel: &str) -> Option<Gitignore> {
    load_matcher(path, "", None)
}

/// The ignore files of one directory.
#[derive(Default)]
struct DirRules {
    dot_ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
}

/// Ignore rules of a walk, loaded lazily per directory and shared by the walker's threads.
pub struct IgnoreRules {
    /// Absolute scan root.
    root: PathBuf,
    /// Directories above the root, up to the git work tree root, whose `.gitignore` files
    /// apply to the scan (as git applies them).
    parents: Vec<PathBuf>,
    exclude: Option<Gitignore>,
    dirs: Mutex<HashMap<PathBuf, Arc<DirRules>>>,
    pub notes: Mutex<Vec<Note>>,
}

impl IgnoreRules {
    pub fn new(root: &Path) -> Self {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let mut parents = Vec::new();
        let mut exclude = None;
        let notes = Mutex::new(Vec::new());
        // The work tree root: the nearest directory (the root included) holding `.git`.
        let worktree = root.ancestors().find(|d| d.join(".git").exists());
        if let Some(top) = worktree {
            for dir in root.ancestors().skip(1) {
                if !dir.starts_with(top) {
                    break;
                }
                parents.push(dir.to_path_buf());
            }
            exclude = load_matcher(
                &top.join(".git/info/exclude"),
                ".git/info/exclude",
                Some(&notes),
            );
        }
        IgnoreRules {
            root,
            parents,
            exclude,
            dirs: Mutex::new(HashMap::new()),
            notes,
        }
    }

    fn rules_of(&self, dir: &Path) -> Arc<DirRules> {
        if let Ok(cache) = self.dirs.lock()
            && let Some(rules) = cache.get(dir)
        {
            return Arc::clone(rules);
        }
        let rel = |name: &str| {
            let d = dir.strip_prefix(&self.root).unwrap_or(dir);
            let d = flightcheck_core::text::slash_path(d);
            if d.is_empty() {
                name.to_string()
            } else {
                format!("{d}/{name}")
            }
        };
        let rules = Arc::new(DirRules {
            dot_ignore: load_matcher(&dir.join(".ignore"), &rel(".ignore"), Some(&self.notes)),
            gitignore: load_matcher(
                &dir.join(".gitignore"),
                &rel(".gitignore"),
                Some(&self.notes),
            ),
        });
        if let Ok(mut cache) = self.dirs.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&rules));
        }
        rules
    }

    /// Whether `rel` (relative to the root) is ignored. Its parent directories are assumed
    /// not ignored: the walk prunes an ignored directory before asking about its contents.
    pub fn is_ignored(&self, rel: &Path, is_dir: bool) -> bool {
        let path = self.root.join(rel);
        // Deepest directory first: the entry's parent up to the root, then the parents of
        // the root inside the work tree.
        let mut dirs: Vec<PathBuf> = path
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(&self.root))
            .map(Path::to_path_buf)
            .collect();
        dirs.extend(self.parents.iter().cloned());
        let levels: Vec<Arc<DirRules>> = dirs.iter().map(|d| self.rules_of(d)).collect();
        let decide = |pick: &dyn Fn(&DirRules) -> Option<&Gitignore>| {
            levels.iter().find_map(|rules| {
                let m = pick(rules)?.matched(&path, is_dir);
                if m.is_ignore() {
                    Some(true)
                } else if m.is_whitelist() {
                    Some(false)
                } else {
                    None
                }
            })
        };
        if let Some(ignored) = decide(&|r| r.dot_ignore.as_ref()) {
            return ignored;
        }
        if let Some(ignored) = decide(&|r| r.gitignore.as_ref()) {
            return ignored;
        }
        self.exclude
            .as_ref()
            .is_some_and(|m| m.matched(&path, is_dir).is_ignore())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("app/keep")).expect("mkdir");
        std::fs::write(root.join(".gitignore"), "*.log\nsecret/\n").expect("write");
        std::fs::write(root.join("app/.gitignore"), "!keep.log\nlocal.json\n").expect("write");
        std::fs::write(root.join(".ignore"), "scratch.js\n").expect("write");
        let rules = IgnoreRules::new(root);
        assert!(rules.is_ignored(Path::new("a.log"), false));
        assert!(rules.is_ignored(Path::new("secret"), true));
        assert!(
            !rules.is_ignored(Path::new("secret"), false),
            "dir-only pattern"
        );
        assert!(!rules.is_ignored(Path::new("app/keep.log"), false));
        assert!(rules.is_ignored(Path::new("app/other.log"), false));
        assert!(rules.is_ignored(Path::new("app/local.json"), false));
        assert!(!rules.is_ignored(Path::new("local.json"), false));
        assert!(rules.is_ignored(Path::new("app/keep/scratch.js"), false));
        assert!(!rules.is_ignored(Path::new("app/index.js"), false));
    }

    #[cfg(unix)]
    #[test]
    fn a_gitignore_that_is_a_device_is_a_note() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::os::unix::fs::symlink("/dev/zero", root.join(".gitignore")).expect("symlink");
        let rules = IgnoreRules::new(root);
        assert!(!rules.is_ignored(Path::new("a.js"), false));
        let notes = rules.notes.lock().expect("lock");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
