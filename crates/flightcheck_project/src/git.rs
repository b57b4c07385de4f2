//! The set of files git tracks under the scan root.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Paths (relative to `root`, forward slashes) that git tracks, or `None` when `root` is
/// not inside a git work tree or git is unavailable.
pub fn tracked_files(root: &Path) -> Option<BTreeSet<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--cached"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        output
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).replace('\\', "/"))
            .collect(),
    )
}
