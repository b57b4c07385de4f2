//! Secrets in git history that are no longer at HEAD: values of env files (the file was
//! deleted, or the key now holds another value), and provider-format credentials of config
//! and source files (`config.json`, `settings.py`). A secret that was ever pushed stays
//! readable in every clone, whatever HEAD says.
//!
//! Reads objects with `gix` (no `git` process), walking at most `depth` commits newest
//! first. Values never leave this module: only a digest and a redacted preview.

use crate::envfile;
use crate::walk::is_env_file_name;
use flightcheck_core::redact::preview;
use flightcheck_core::secrets::{ValueLook, digest, env_value_look, line_assignments, scan_tokens};
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The default number of commits read (`--history-depth`).
pub const DEFAULT_DEPTH: u32 = 500;

/// Env blobs larger than this are not env files.
const MAX_BLOB_BYTES: usize = 256 * 1024;

/// Versions of config and source files searched for credentials across the history, in
/// all (each at most `MAX_BLOB_BYTES`): a bound on a repository with years of large commits.
const MAX_CODE_BLOBS: usize = 20_000;

/// A config or source blob of history, to be searched for credentials.
struct Pending {
    path: String,
    blob: ObjectId,
    /// The commit that first shows it (commits are visited oldest first).
    commit: ObjectId,
    /// The path exists at HEAD (with other content).
    at_head: bool,
}

/// At most this many historic values are kept (a repository that commits generated env
/// files on every build).
const MAX_VALUES: usize = 5_000;

/// Directories whose env files are other people's (dependencies, virtualenvs).
const SKIP_TREES: [&str; 8] = [
    "node_modules",
    "bower_components",
    "vendor",
    "venv",
    ".venv",
    "site-packages",
    "__pycache__",
    ".git",
];

/// How a historic value compares with HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AtHead {
    /// The file is gone from HEAD.
    FileRemoved,
    /// The file is still there, but the key now holds another value or is gone.
    ValueChanged,
}

/// One value of an env-like file in a past commit.
#[derive(Debug, Clone)]
pub struct HistoricValue {
    /// Path relative to the scan root.
    pub path: String,
    pub key: String,
    pub line: u32,
    pub digest: String,
    pub preview: String,
    pub look: ValueLook,
    /// Short id and date (`YYYY-MM-DD`) of the oldest commit read that holds the value.
    pub commit: String,
    pub date: String,
    pub at_head: AtHead,
    /// The value itself: never rendered, only fed to the report's redaction
    /// ([`flightcheck_core::redact::SecretSet`]) so no output quotes it.
    pub value: String,
}

/// What reading the history found.
#[derive(Debug, Clone, Default)]
pub struct GitHistory {
    /// Commits read.
    pub commits_read: usize,
    /// The depth limit stopped the walk before the first commit.
    pub truncated: bool,
    pub depth: u32,
    /// Values no longer at HEAD, oldest commit first.
    pub values: Vec<HistoricValue>,
    /// What limited or prevented the read (no repository, shallow clone, unreadable objects).
    pub notes: Vec<String>,
}

/// Whether `name` is an env file that holds real values (not a template).
pub fn is_env_like(name: &str) -> bool {
    if !is_env_file_name(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    !lower
        .split(['.', '-', '_'])
        .any(|t| crate::workspace::TEMPLATE_WORDS.contains(&t))
}

/// Reads up to `depth` commits of the repository holding `root`. Never fails: problems
/// become notes.
pub fn read(root: &Path, depth: u32) -> GitHistory {
    let mut out = GitHistory {
        depth,
        ..Default::default()
    };
    if depth == 0 {
        return out;
    }
    if let Err(e) = read_into(root, depth, &mut out) {
        out.notes.push(e);
    }
    out
}

fn read_into(root: &Path, depth: u32, out: &mut GitHistory) -> Result<(), String> {
    let repo = gix::discover(root).map_err(|e| {
        // A `.git` that gix cannot open is a damaged repository, not a missing one.
        let has_git = root.ancestors().any(|d| d.join(".git").exists());
        if has_git {
            format!("git history not read: the repository cannot be opened ({e})")
        } else {
            "git history not read: the scanned directory is not in a git repository".to_string()
        }
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| "git history not read: bare repository".to_string())?;
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let prefix = canonical(root)
        .strip_prefix(canonical(workdir))
        .map(flightcheck_core::text::slash_path)
        .unwrap_or_default();
    let head = match repo.head_id() {
        Ok(id) => id.detach(),
        Err(e) => {
            let unborn = repo.head().is_ok_and(|h| h.is_unborn());
            return Err(if unborn {
                "git history not read: the repository has no commits".to_string()
            } else {
                format!(
                    "git history not read: HEAD cannot be resolved, the repository may be damaged ({e})"
                )
            });
        }
    };
    if repo.is_shallow().unwrap_or(false) {
        out.notes.push(format!(
            "git history: shallow clone, so only the commits present were read (up to {depth}); secrets removed before them are not seen"
        ));
    }

    // The commits to read, newest first.
    let walk = repo
        .rev_walk([head])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .map_err(|e| format!("git history not read: {e}"))?;
    let mut commits: Vec<ObjectId> = Vec::new();
    for info in walk {
        match info {
            Ok(info) => {
                if commits.len() == depth as usize {
                    out.truncated = true;
                    break;
                }
                commits.push(info.id);
            }
            Err(e) => {
                out.notes.push(format!(
                    "git history: walk stopped after {} commits: {e}",
                    commits.len()
                ));
                break;
            }
        }
    }

    // Env files at HEAD (within the scan root): path → (blob, key → digest of each value).
    let mut at_head: HashMap<String, (ObjectId, HashMap<String, String>)> = HashMap::new();
    // Config and source blobs at HEAD: a credential they still hold is the hardcoded-secret
    // rule's, and one that moved to another file is not gone.
    let mut head_code: Vec<ObjectId> = Vec::new();
    let mut code_capped = false;
    {
        let mut seen_trees = HashSet::new();
        let mut blobs = Vec::new();
        if let Some(tree) = subtree(&repo, head, &prefix)? {
            collect(&repo, tree, "", &mut seen_trees, &mut blobs)?;
        }
        for (path, blob, kind) in blobs {
            let mut keys = HashMap::new();
            match kind {
                BlobKind::Env => {
                    if let Some(text) = blob_text(&repo, blob) {
                        for e in envfile::parse(&text).entries {
                            keys.insert(e.key, digest(&e.value));
                        }
                    }
                }
                // Read only when history holds a credential (see below).
                BlobKind::Code => head_code.push(blob),
            }
            at_head.insert(path, (blob, keys));
        }
    }

    // Oldest first: the first commit that shows a blob is the one that added it.
    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<(String, ObjectId)> = HashSet::new();
    let mut kept: BTreeMap<(String, String, String), HistoricValue> = BTreeMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut read = 0;
    let mut capped = false;
    for &id in commits.iter().rev() {
        let Some(tree) = subtree(&repo, id, &prefix)? else {
            read += 1;
            continue;
        };
        read += 1;
        let mut blobs = Vec::new();
        collect(&repo, tree, "", &mut seen_trees, &mut blobs)?;
        let mut stamp: Option<(String, String)> = None;
        for (path, blob, kind) in blobs {
            if !seen_blobs.insert((path.clone(), blob)) {
                continue;
            }
            let head_state = at_head.get(&path);
            if head_state.is_some_and(|(b, _)| *b == blob) {
                continue;
            }
            if kind == BlobKind::Code {
                // Read later, in parallel: most of history's blobs are source files.
                if pending.len() < MAX_CODE_BLOBS {
                    pending.push(Pending {
                        path: path.clone(),
                        blob,
                        commit: id,
                        at_head: head_state.is_some(),
                    });
                } else {
                    code_capped = true;
                }
                continue;
            }
            let Some(text) = blob_text(&repo, blob) else {
                continue;
            };
            let (commit, date) = stamp.get_or_insert_with(|| commit_stamp(&repo, id)).clone();
            for e in envfile::parse(&text).entries {
                let value = e.value.trim();
                if value.is_empty() {
                    continue;
                }
                let d = digest(value);
                let state = match head_state {
                    None => AtHead::FileRemoved,
                    Some((_, keys)) if keys.get(&e.key) == Some(&digest(&e.value)) => continue,
                    Some(_) => AtHead::ValueChanged,
                };
                let look = env_value_look(value, 12);
                if look.provider.is_none() && !look.random {
                    continue;
                }
                if kept.len() >= MAX_VALUES {
                    capped = true;
                    break;
                }
                kept.entry((path.clone(), e.key.clone(), d.clone()))
                    .or_insert_with(|| HistoricValue {
                        path: path.clone(),
                        key: e.key.clone(),
                        line: e.line,
                        digest: d,
                        preview: preview(value),
                        look,
                        commit: commit.clone(),
                        date: date.clone(),
                        at_head: state,
                        value: value.to_string(),
                    });
            }
        }
    }
    // Config and source blobs, read and searched in parallel (each thread opens the
    // repository itself), then kept oldest commit first as the env values are.
    let git_dir = repo.git_dir().to_path_buf();
    let found: Vec<Vec<Token>> = pending
        .par_iter()
        .map_init(
            || gix::open(&git_dir).ok(),
            |r, p| tokens_of(r.as_ref(), p.blob),
        )
        .collect();
    let head_tokens: HashSet<String> = if found.iter().any(|t| !t.is_empty()) {
        head_code
            .par_iter()
            .map_init(
                || gix::open(&git_dir).ok(),
                |r, blob| tokens_of(r.as_ref(), *blob),
            )
            .flatten()
            .map(|t| digest(&t.value))
            .collect()
    } else {
        HashSet::new()
    };
    let mut stamps: HashMap<ObjectId, (String, String)> = HashMap::new();
    for (p, tokens) in pending.iter().zip(found) {
        for t in tokens {
            let d = digest(&t.value);
            if head_tokens.contains(&d) {
                continue;
            }
            if kept.len() >= MAX_VALUES {
                capped = true;
                break;
            }
            let look = env_value_look(&t.value, 12);
            if look.provider.is_none() {
                continue;
            }
            let (commit, date) = stamps
                .entry(p.commit)
                .or_insert_with(|| commit_stamp(&repo, p.commit))
                .clone();
            kept.entry((p.path.clone(), t.key.clone(), d.clone()))
                .or_insert_with(|| HistoricValue {
                    path: p.path.clone(),
                    key: t.key.clone(),
                    line: t.line,
                    digest: d,
                    preview: preview(&t.value),
                    look,
                    commit,
                    date,
                    at_head: if p.at_head {
                        AtHead::ValueChanged
                    } else {
                        AtHead::FileRemoved
                    },
                    value: t.value,
                });
        }
    }
    out.commits_read = read;
    if code_capped {
        out.notes.push(format!(
            "git history: {MAX_CODE_BLOBS} versions of config and source files were searched for credentials; later ones were not"
        ));
    }
    if capped {
        out.notes.push(format!(
            "git history: stopped keeping removed values at {MAX_VALUES}; older ones in later commits are not reported"
        ));
    }
    let mut values: Vec<HistoricValue> = kept.into_values().collect();
    values.sort_by(|a, b| (&a.path, a.line, &a.key).cmp(&(&b.path, b.line, &b.key)));
    out.values = values;
    Ok(())
}

/// What a blob of history is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlobKind {
    /// An env file: every value of a secret-like key.
    Env,
    /// A config or source file: provider-format credentials only (a Telegram or Discord
    /// token, `sk_live_…`, a database URL with a password), never a guess from a name.
    Code,
}

/// Config and source files whose history is searched for provider credentials
/// (`config.json`, `settings.py`, `app.js`), but not templates, lockfiles or bundles.
fn is_config_or_source(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some((stem, ext)) = lower.rsplit_once('.') else {
        // `bot_keys`, `token`, `secrets`: a file without an extension named for what it
        // holds (the bot reads its token from it).
        return lower.split(['-', '_']).any(|w| {
            matches!(
                w,
                "key"
                    | "keys"
                    | "token"
                    | "tokens"
                    | "secret"
                    | "secrets"
                    | "credentials"
                    | "creds"
                    | "apikey"
                    | "apikeys"
            )
        });
    };
    matches!(
        ext,
        "json"
            | "yml"
            | "yaml"
            | "toml"
            | "ini"
            | "cfg"
            | "conf"
            | "js"
            | "cjs"
            | "mjs"
            | "ts"
            | "py"
            | "properties"
            | "php"
            | "rb"
            | "go"
            | "jsx"
            | "tsx"
            | "sh"
            // `gh_token.txt`, `keys.txt`: only provider formats are looked for.
            | "txt"
    ) && !stem.ends_with(".min")
        && !lower.ends_with("-lock.json")
        && !stem
            .split(['.', '-', '_'])
            .any(|t| crate::workspace::TEMPLATE_WORDS.contains(&t))
}

/// A provider-format credential on one line of a config or source file.
struct Token {
    line: u32,
    /// The key it is assigned to on that line, or what it is (`Discord bot token`).
    key: String,
    value: String,
}

/// The credentials of one blob, read through this thread's own repository handle.
fn tokens_of(repo: Option<&gix::Repository>, blob: ObjectId) -> Vec<Token> {
    repo.and_then(|r| blob_text(r, blob))
        .map(|text| provider_tokens(&text))
        .unwrap_or_default()
}

fn provider_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        if line.len() < 16 || line.len() > 65_536 {
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") || !may_hold_token(line) {
            continue;
        }
        let scan = scan_tokens(line);
        if scan.hits.is_empty() {
            continue;
        }
        let keys = line_assignments(line);
        for h in scan.hits.iter().filter(|h| !h.needs_pair) {
            let Some(value) = line.get(h.start..h.end) else {
                continue;
            };
            let key = keys
                .iter()
                .find(|(_, s, e)| *s <= h.start && h.end <= *e)
                .map(|(k, _, _)| k.clone())
                .unwrap_or_else(|| h.label.to_string());
            out.push(Token {
                line: n as u32 + 1,
                key,
                value: value.to_string(),
            });
        }
    }
    out
}

/// A cheap test before the token scan: every provider format has a run of 20 or more token
/// characters, except URLs with a password (`://user:pass@host`) and PEM headers. Most
/// source lines have neither, and history holds many versions of each file.
fn may_hold_token(line: &str) -> bool {
    let mut run = 0;
    for b in line.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            run += 1;
            if run >= 20 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    line.contains("://") || line.contains("-----BEGIN")
}

/// The tree of commit `id` at directory `prefix` (`""` = the root), if it exists there.
fn subtree(repo: &gix::Repository, id: ObjectId, prefix: &str) -> Result<Option<ObjectId>, String> {
    let commit = repo
        .find_commit(id)
        .map_err(|e| format!("git history: cannot read commit {}: {e}", short(id)))?;
    let mut tree = commit
        .tree_id()
        .map_err(|e| format!("git history: cannot read commit {}: {e}", short(id)))?
        .detach();
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        let t = repo
            .find_tree(tree)
            .map_err(|e| format!("git history: cannot read tree {}: {e}", short(tree)))?;
        let decoded = t
            .decode()
            .map_err(|e| format!("git history: cannot read tree {}: {e}", short(tree)))?;
        match decoded
            .entries
            .iter()
            .find(|e| e.mode.is_tree() && e.filename == part.as_bytes())
        {
            Some(e) => tree = e.oid.to_owned(),
            None => return Ok(None),
        }
    }
    Ok(Some(tree))
}

/// Env-like, config and source blobs under `tree` (path relative to the scan root), skipping trees already seen.
fn collect(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<(String, ObjectId, BlobKind)>,
) -> Result<(), String> {
    if !seen.insert(tree) {
        return Ok(());
    }
    let t = repo
        .find_tree(tree)
        .map_err(|e| format!("git history: cannot read tree {}: {e}", short(tree)))?;
    let decoded = t
        .decode()
        .map_err(|e| format!("git history: cannot read tree {}: {e}", short(tree)))?;
    let mut subtrees = Vec::new();
    for entry in &decoded.entries {
        let name = String::from_utf8_lossy(entry.filename);
        if entry.mode.is_tree() {
            if !SKIP_TREES.contains(&name.as_ref()) {
                let path = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                subtrees.push((path, entry.oid.to_owned()));
            }
        } else if entry.mode.is_blob() {
            let kind = if is_env_like(&name) {
                BlobKind::Env
            } else if is_config_or_source(&name) {
                BlobKind::Code
            } else {
                continue;
            };
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            out.push((path, entry.oid.to_owned(), kind));
        }
    }
    for (path, oid) in subtrees {
        collect(repo, oid, &path, seen, out)?;
    }
    Ok(())
}

/// The text of a blob, when it is small text.
fn blob_text(repo: &gix::Repository, id: ObjectId) -> Option<String> {
    let blob = repo.find_blob(id).ok()?;
    let data = &blob.data;
    if data.len() > MAX_BLOB_BYTES || data.iter().take(8192).any(|b| *b == 0) {
        return None;
    }
    Some(String::from_utf8_lossy(data).into_owned())
}

fn short(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// Short id and commit date of `id`.
fn commit_stamp(repo: &gix::Repository, id: ObjectId) -> (String, String) {
    let date = repo
        .find_commit(id)
        .ok()
        .and_then(|c| c.time().ok())
        .map(|t| civil_date(t.seconds))
        .unwrap_or_default();
    (short(id), date)
}

/// `YYYY-MM-DD` of a Unix time (UTC).
fn civil_date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_names() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(1_700_000_000), "2023-11-14");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert!(is_env_like(".env"));
        assert!(is_env_like(".env.production"));
        assert!(is_env_like("prod.env"));
        assert!(!is_env_like(".env.example"));
        assert!(!is_env_like("env.sample"));
        assert!(!is_env_like(".env-template"));
        assert!(!is_env_like(".envrc"));
        // Files without an extension are read when their name says what they hold.
        assert!(is_config_or_source("bot_keys"));
        assert!(is_config_or_source("token"));
        assert!(is_config_or_source("api-secrets"));
        assert!(!is_config_or_source("LICENSE"));
        assert!(!is_config_or_source("keyboard"));
    }

    #[test]
    fn no_repository_is_a_note() {
        let dir = tempfile::tempdir().expect("tempdir");
        let h = read(dir.path(), 10);
        assert_eq!(h.commits_read, 0);
        assert!(h.values.is_empty());
        assert_eq!(h.notes.len(), 1, "{:?}", h.notes);
        assert!(read(dir.path(), 0).notes.is_empty());
    }
}
