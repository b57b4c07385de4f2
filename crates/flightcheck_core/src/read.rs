//! The one way the tool reads a file: regular files only, bounded in size.
//!
//! Scanned repositories are untrusted. A committed symlink named `yarn.lock` pointing at
//! `/dev/zero`, a FIFO named `.gitignore` or a 20 GB `.env` must not hang the scan or
//! exhaust memory. Every file the tool opens (sources, manifests, lockfiles, ignore files,
//! env files, deploy files, baselines, configs) goes through [`read_bytes`], which
//! - accepts only regular files, after resolving a symlink (and, when a root is given,
//!   only when the link stays inside it);
//! - refuses devices, FIFOs and sockets *before* opening them (opening a FIFO blocks);
//! - reads at most `cap` bytes and reports a larger file instead of reading it.

use std::io::Read;
use std::path::Path;

/// Caps per kind of file. Sources have their own cap in the walk (1 MiB).
pub mod cap {
    /// Source files, env files, deploy files, ignore files, configs, docs.
    pub const TEXT: u64 = 1024 * 1024;
    /// Lockfiles (`package-lock.json` of a large monorepo is tens of MB).
    pub const LOCKFILE: u64 = 64 * 1024 * 1024;
    /// Baseline files written by `flightcheck baseline`.
    pub const BASELINE: u64 = 64 * 1024 * 1024;
    /// One-line version files (`runtime.txt`, `.python-version`).
    pub const VERSION_FILE: u64 = 4 * 1024;
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// A FIFO, device, socket or directory.
    NotRegular(&'static str),
    /// A symlink whose target is outside the scanned root.
    LinkOutsideRoot,
    /// Larger than the cap for its kind.
    TooLarge { size: u64, cap: u64 },
    /// Missing, unreadable, or failed while reading.
    Io(String),
}

impl Skip {
    /// Whether the file simply does not exist (callers probing optional files say nothing).
    pub fn is_missing(&self) -> bool {
        matches!(self, Skip::Io(e) if e == MISSING)
    }
}

const MISSING: &str = "no such file";

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::NotRegular(what) => write!(f, "skipped: {what}, not a regular file"),
            Skip::LinkOutsideRoot => {
                write!(
                    f,
                    "skipped: symlink to a file outside the scanned directory"
                )
            }
            Skip::TooLarge { size, cap } => write!(
                f,
                "skipped: {} is larger than the {} limit for this kind of file",
                human_size(*size),
                human_size(*cap)
            ),
            Skip::Io(e) => write!(f, "unreadable: {e}"),
        }
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file type that is not a regular file is, for notes: "a FIFO", "a device"…
pub fn kind_name(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Reads at most `cap` bytes of the regular file at `path`. A symlink is followed only to
/// a regular file, and when `root` is given only to one inside `root`.
pub fn read_bytes(path: &Path, root: Option<&Path>, cap: u64) -> Result<Vec<u8>, Skip> {
    let link = std::fs::symlink_metadata(path).map_err(io_skip)?;
    if link.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).map_err(io_skip)?;
        if let Some(root) = root {
            let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
            if !target.starts_with(&root) {
                return Err(Skip::LinkOutsideRoot);
            }
        }
    }
    // Follows the link (if any): the type checked is the target's, before opening it.
    let meta = std::fs::metadata(path).map_err(io_skip)?;
    if !meta.is_file() {
        return Err(Skip::NotRegular(kind_name(&meta.file_type())));
    }
    if meta.len() > cap {
        return Err(Skip::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let file = std::fs::File::open(path).map_err(io_skip)?;
    // The file may have been swapped between the check and the open: check the handle too.
    let opened = file.metadata().map_err(io_skip)?;
    if !opened.is_file() {
        return Err(Skip::NotRegular(kind_name(&opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(cap) as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io_skip)?;
    if bytes.len() as u64 > cap {
        return Err(Skip::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read_bytes`] decoded as UTF-8, invalid sequences replaced.
pub fn read_string(path: &Path, root: Option<&Path>, cap: u64) -> Result<String, Skip> {
    read_bytes(path, root, cap).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn io_skip(e: std::io::Error) -> Skip {
    if e.kind() == std::io::ErrorKind::NotFound {
        Skip::Io(MISSING.to_string())
    } else {
        Skip::Io(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "hello").expect("write");
        assert_eq!(read_string(&p, Some(dir.path()), 5).as_deref(), Ok("hello"));
        assert_eq!(
            read_string(&p, None, 4),
            Err(Skip::TooLarge { size: 5, cap: 4 })
        );
        assert!(
            read_bytes(&dir.path().join("missing"), None, 4)
                .unwrap_err()
                .is_missing()
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_links_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let zero = root.join("yarn.lock");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert_eq!(
            read_bytes(&zero, None, cap::LOCKFILE),
            Err(Skip::NotRegular("a device"))
        );
        assert_eq!(
            read_bytes(&zero, Some(root), cap::LOCKFILE),
            Err(Skip::LinkOutsideRoot)
        );
        let fifo = root.join(".gitignore");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // Would block forever if opened.
            assert_eq!(
                read_bytes(&fifo, Some(root), cap::TEXT),
                Err(Skip::NotRegular("a FIFO"))
            );
        }
        std::fs::write(root.join("real.txt"), "x").expect("write");
        std::os::unix::fs::symlink(root.join("real.txt"), root.join("link.txt")).expect("link");
        assert_eq!(
            read_string(&root.join("link.txt"), Some(root), cap::TEXT).as_deref(),
            Ok("x")
        );
        assert_eq!(
            read_bytes(root, None, cap::TEXT),
            Err(Skip::NotRegular("a directory"))
        );
    }
}
