//! The set of files git tracks under the scan root.
//!
//! Read from the index with `gix`, never by running `git`: a `git` process honours the
//! scanned repository's own `.git/config`, and a hostile one (`core.fsmonitor`, hooks,
//! filter drivers) would run a program of the repository's choosing as the scanning user.
//! `gix` reads the index file and nothing in the configuration can make it execute anything.

use std::collections::BTreeSet;
use std::path::Path;

/// An index larger than this is not read (a real one for 100k files is about 10 MB).
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;

/// Paths (relative to `root`, forward slashes) that git tracks, or `None` when `root` is
/// not inside a git work tree, the index is missing, or it cannot be read safely.
pub fn tracked_files(root: &Path) -> Option<BTreeSet<String>> {
    let repo = gix::discover(root).ok()?;
    let workdir = repo.workdir()?;
    // The index must be a regular file of a sane size: a symlink to /dev/zero or a FIFO
    // named `.git/index` must not hang the scan or exhaust memory.
    let index_path = repo.index_path();
    let meta = std::fs::symlink_metadata(&index_path).ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEX_BYTES {
        return None;
    }
    let index = repo.open_index().ok()?;
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let prefix = canonical(root)
        .strip_prefix(canonical(workdir))
        .ok()
        .map(flightcheck_core::text::slash_path)?;
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", prefix.trim_end_matches('/'))
    };
    Some(
        index
            .entries()
            .iter()
            .filter_map(|entry| {
                let path = String::from_utf8_lossy(entry.path(&index)).into_owned();
                path.strip_prefix(prefix.as_str())
                    .filter(|rel| !rel.is_empty())
                    .map(str::to_string)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `git` in `dir` (the test's own setup, never the scan); false when git is absent.
    fn git(dir: &Path, args: &[&str]) -> bool {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    #[test]
    fn reads_the_index_of_a_subdirectory_scan() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("svc/src")).expect("mkdir");
        std::fs::write(root.join("svc/src/a.js"), "1\n").expect("write");
        std::fs::write(root.join("top.js"), "1\n").expect("write");
        std::fs::write(root.join("untracked.js"), "1\n").expect("write");
        if !git(root, &["init", "-q"]) {
            return; // no git on this machine to build the fixture
        }
        assert!(git(root, &["add", "svc/src/a.js", "top.js"]));
        let all = tracked_files(root).expect("tracked");
        assert_eq!(
            all.iter().map(String::as_str).collect::<Vec<_>>(),
            ["svc/src/a.js", "top.js"]
        );
        let sub = tracked_files(&root.join("svc")).expect("tracked");
        assert_eq!(
            sub.iter().map(String::as_str).collect::<Vec<_>>(),
            ["src/a.js"]
        );
    }

    #[test]
    fn an_index_that_is_not_a_regular_file_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        if !git(root, &["init", "-q"]) {
            return;
        }
        #[cfg(unix)]
        {
            let _ = std::fs::remove_file(root.join(".git/index"));
            std::os::unix::fs::symlink("/dev/zero", root.join(".git/index")).expect("symlink");
            assert_eq!(tracked_files(root), None);
        }
    }
}
