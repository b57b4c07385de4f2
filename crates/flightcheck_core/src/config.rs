//! `flightcheck.toml`: the project's settings for a scan, parsed strictly.
//!
//! Layout (see `docs/config.md`): top-level `select`, `ignore`, `entry-points`,
//! `production-env` arrays and the tables `[severity]`, `[per-path-ignores]`, `[weights]`.
//! Every mistake (unknown key, wrong type, unknown category or severity, bad glob, weight out
//! of range) is a [`ConfigError`] that points at the line and column of the offending key
//! or value: a config that silently does less than it says is worse than none.
//!
//! Rule ids are checked later, by [`Config::check_rules`], because only the registry knows
//! them and the registry lives downstream of this crate.

use crate::rule::pattern_matches;
use crate::{Category, Severity};
use globset::{GlobBuilder, GlobMatcher};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// The name `flightcheck` looks for beside a project and in its parents.
pub const CONFIG_FILE_NAME: &str = "flightcheck.toml";

/// Top-level keys, in the order `describe` writes them.
const KEYS: [&str; 7] = [
    "select",
    "ignore",
    "entry-points",
    "production-env",
    "severity",
    "per-path-ignores",
    "weights",
];

/// What is wrong with a config file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the error concerns the whole file (unreadable).
    pub line: u32,
    /// 1-based, in characters; 0 when the error concerns the whole file.
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// A value with the 1-based line and column it was written at.
///
/// The position says where, not what: it takes no part in equality (like
/// `toml::Spanned`), so a config re-read from [`Config::describe`] equals the original.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub line: u32,
    pub column: u32,
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

/// `[severity]` entry: findings of rules matching `rule` (an id or prefix) get `severity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityOverride {
    pub rule: Located<String>,
    pub severity: Located<Severity>,
}

/// `[per-path-ignores]` entry: `rules` (ids or prefixes) are off in files matching `glob`.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The glob as written.
    pub glob: Located<String>,
    pub rules: Vec<Located<String>>,
    matcher: GlobMatcher,
}

impl PartialEq for PathIgnore {
    fn eq(&self, other: &Self) -> bool {
        // The matcher is compiled from the glob: equal globs match alike.
        self.glob == other.glob && self.rules == other.rules
    }
}

impl Eq for PathIgnore {}

impl PathIgnore {
    /// Whether the glob matches `path` (relative to the directory of the config file) or one of its
    /// parent directories, as a `.gitignore` line would: `scripts` covers `scripts/a/b.js`.
    pub fn matches_path(&self, path: &str) -> bool {
        let path = normalize_rel(path);
        let mut candidate = path.as_str();
        loop {
            if !candidate.is_empty() && self.matcher.is_match(candidate) {
                return true;
            }
            match candidate.rsplit_once('/') {
                Some((parent, _)) => candidate = parent,
                None => return false,
            }
        }
    }
}

/// The resolved settings of one `flightcheck.toml` (or the built-in defaults).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file name used in error messages; empty for the built-in defaults.
    file: String,
    select: Vec<Located<String>>,
    ignore: Vec<Located<String>>,
    entry_points: Vec<Located<String>>,
    production_env: Vec<Located<String>>,
    /// Sorted by rule pattern.
    severity: Vec<SeverityOverride>,
    /// Sorted by glob.
    per_path_ignores: Vec<PathIgnore>,
    /// Every category, defaults filled in.
    weights: BTreeMap<Category, u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            file: String::new(),
            select: Vec::new(),
            ignore: Vec::new(),
            entry_points: Vec::new(),
            production_env: Vec::new(),
            severity: Vec::new(),
            per_path_ignores: Vec::new(),
            weights: Category::ALL
                .iter()
                .map(|c| (*c, c.default_weight()))
                .collect(),
        }
    }
}

impl PartialEq for Config {
    /// Two configs are equal when they say the same; where they were read from is no part
    /// of what they say.
    fn eq(&self, other: &Self) -> bool {
        self.select == other.select
            && self.ignore == other.ignore
            && self.entry_points == other.entry_points
            && self.production_env == other.production_env
            && self.severity == other.severity
            && self.per_path_ignores == other.per_path_ignores
            && self.weights == other.weights
    }
}

impl Eq for Config {}

/// Positions in the text being parsed, for errors and [`Located`] values.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
}

impl Source<'_> {
    /// 1-based line and column (in characters) of byte `offset`.
    fn position(&self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (to_u32(line), to_u32(column))
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = self.position(span.start);
        ConfigError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn locate<T>(&self, span: Range<usize>, value: T) -> Located<T> {
        let (line, column) = self.position(span.start);
        Located {
            value,
            line,
            column,
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

type Entry<'t, 'i> = (&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>);

/// A table's entries in the order they were written, so the first error reported is the
/// first one in the file.
fn in_source_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

fn a_or_an(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// `value` as a table, or an error naming what `what` should have been.
fn expect_table<'t, 'i>(
    src: &Source<'_>,
    value: &'t Spanned<DeValue<'i>>,
    what: &str,
) -> Result<&'t DeTable<'i>, ConfigError> {
    match value.get_ref() {
        DeValue::Table(table) => Ok(table),
        other => {
            let found = other.type_str();
            Err(src.error(
                value.span(),
                format!("{what} must be a table, found {} {found}", a_or_an(found)),
            ))
        }
    }
}

/// An array of non-empty strings (trimmed), each with its position.
fn string_list(
    src: &Source<'_>,
    value: &Spanned<DeValue<'_>>,
    what: &str,
    items: &str,
) -> Result<Vec<Located<String>>, ConfigError> {
    let DeValue::Array(array) = value.get_ref() else {
        let found = value.get_ref().type_str();
        return Err(src.error(
            value.span(),
            format!(
                "{what} must be an array of {items}, found {} {found}",
                a_or_an(found)
            ),
        ));
    };
    let mut out = Vec::with_capacity(array.len());
    for item in array.iter() {
        let DeValue::String(text) = item.get_ref() else {
            let found = item.get_ref().type_str();
            return Err(src.error(
                item.span(),
                format!(
                    "{what} must be an array of {items}, found {} {found} in it",
                    a_or_an(found)
                ),
            ));
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(src.error(item.span(), format!("empty string in {what}")));
        }
        out.push(src.locate(item.span(), text.to_string()));
    }
    Ok(out)
}

/// Paths relative to the directory of the config file: never absolute, never empty.
fn relative_paths(
    src: &Source<'_>,
    value: &Spanned<DeValue<'_>>,
    what: &str,
) -> Result<Vec<Located<String>>, ConfigError> {
    let mut paths = string_list(
        src,
        value,
        what,
        "paths relative to the directory of the config file",
    )?;
    for path in &mut paths {
        if is_absolute(&path.value) {
            return Err(ConfigError {
                file: src.file.to_string(),
                line: path.line,
                column: path.column,
                message: format!(
                    "{what}: `{}` is absolute; paths are relative to the directory of the config file",
                    path.value
                ),
            });
        }
        path.value = normalize_rel(&path.value);
    }
    Ok(paths)
}

/// Absolute on any platform: `/srv/app`, `\\server\share`, `C:\app` or `C:/app`.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with(['/', '\\'])
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// A relative path with `/` separators and no leading `./`.
fn normalize_rel(path: &str) -> String {
    let mut path = path.trim();
    let owned;
    if path.contains('\\') {
        owned = path.replace('\\', "/");
        path = &owned;
    }
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            break;
        }
    }
    path.to_string()
}

/// Longest glob accepted, in bytes; real path globs are a few dozen.
const MAX_GLOB_LEN: usize = 1024;
/// Deepest `{a,{b,c}}` nesting accepted: globset compiles alternatives recursively and a
/// config from a scanned repository must not be able to overflow the stack with them.
const MAX_GLOB_BRACE_DEPTH: usize = 8;

/// Rejects globs too long or too deeply nested to be a path pattern, before globset sees
/// them (it panics or recurses without bound on some of them).
fn check_glob_size(glob: &str) -> Result<(), String> {
    let shown = || {
        let mut end = glob.len().min(40);
        while !glob.is_char_boundary(end) {
            end -= 1;
        }
        if end < glob.len() {
            format!("{}…", &glob[..end])
        } else {
            glob.to_string()
        }
    };
    if glob.len() > MAX_GLOB_LEN {
        return Err(format!(
            "glob `{}` is {} bytes long; at most {MAX_GLOB_LEN} are accepted",
            shown(),
            glob.len()
        ));
    }
    let (mut depth, mut deepest, mut escaped) = (0usize, 0usize, false);
    for b in glob.bytes() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_GLOB_BRACE_DEPTH {
        return Err(format!(
            "glob `{}` nests `{{…}}` {deepest} deep; at most {MAX_GLOB_BRACE_DEPTH} are accepted",
            shown()
        ));
    }
    Ok(())
}

/// A `.gitignore`-like glob as `globset` syntax: a glob without a `/` (other than a
/// trailing one) matches at any depth, a leading `/` or `./` anchors it to the project
/// directory, and a trailing `/` is dropped (a directory covers its contents anyway).
fn globset_syntax(glob: &str) -> Result<String, String> {
    if glob.trim().is_empty() {
        return Err("empty glob".into());
    }
    check_glob_size(glob)?;
    if glob.split('/').any(|c| c == "..") {
        return Err(format!(
            "glob `{glob}` leaves the directory of the config file; globs are relative to it"
        ));
    }
    let anchored = glob.starts_with('/') || glob.starts_with("./");
    // Not `normalize_rel`: in a glob `\` escapes (as in `.gitignore`), it is no separator.
    let mut body = glob;
    while let Some(rest) = body.strip_prefix("./").or_else(|| body.strip_prefix('/')) {
        body = rest;
    }
    let body = body.trim_end_matches('/');
    if body.is_empty() {
        return Err(format!("glob `{glob}` names no file"));
    }
    if anchored || body.contains('/') {
        Ok(body.to_string())
    } else {
        Ok(format!("**/{body}"))
    }
}

fn compile_glob(glob: &str) -> Result<GlobMatcher, String> {
    let syntax = globset_syntax(glob)?;
    GlobBuilder::new(&syntax)
        // `*` stays within one directory, as in `.gitignore`; `**` crosses them.
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob `{glob}`: {}", e.kind()))
}

fn known_categories() -> String {
    Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Config {
    /// Parses the text of a `flightcheck.toml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let src = Source { text, file };
        let document = DeTable::parse(text).map_err(|e| {
            let mut message = e.message().trim().replace('\n', "; ");
            match e.span() {
                Some(span) => {
                    // The parser says "duplicate key" without the key; the span has it.
                    if let Some(key) = text.get(span.clone()).filter(|k| !k.trim().is_empty())
                        && message == "duplicate key"
                    {
                        message = format!("duplicate key `{}`", key.trim());
                    }
                    src.error(span, format!("invalid TOML: {message}"))
                }
                None => ConfigError {
                    file: file.to_string(),
                    line: 1,
                    column: 1,
                    message: format!("invalid TOML: {message}"),
                },
            }
        })?;
        let mut config = Config {
            file: file.to_string(),
            ..Config::default()
        };
        for (key, value) in in_source_order(document.get_ref()) {
            match key.get_ref().as_ref() {
                "select" => {
                    config.select = string_list(&src, value, "`select`", "rule ids or prefixes")?;
                }
                "ignore" => {
                    config.ignore = string_list(&src, value, "`ignore`", "rule ids or prefixes")?;
                }
                "entry-points" => {
                    config.entry_points = relative_paths(&src, value, "`entry-points`")?;
                }
                "production-env" => {
                    config.production_env = relative_paths(&src, value, "`production-env`")?;
                }
                "severity" => config.severity = parse_severity(&src, value)?,
                "per-path-ignores" => config.per_path_ignores = parse_path_ignores(&src, value)?,
                "weights" => config.weights = parse_weights(&src, key, value)?,
                other => {
                    return Err(src.error(
                        key.span(),
                        format!("unknown key `{other}` (known: {})", KEYS.join(", ")),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Reads and parses a config file; errors name it as `path` displays.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = crate::read::read_string(path, None, crate::read::cap::TEXT).map_err(|e| {
            ConfigError {
                file: file.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read the config file: {e}"),
            }
        })?;
        Self::parse(&text, &file)
    }

    /// The nearest `flightcheck.toml` from `project_dir` up to and including `scan_root`,
    /// never above it (a config outside the scanned tree belongs to another repository).
    /// `None` when there is none, or when `project_dir` is not inside `scan_root`. The path
    /// returned starts with `scan_root` as given.
    pub fn discover(project_dir: &Path, scan_root: &Path) -> Option<PathBuf> {
        let lexical = project_dir
            .strip_prefix(scan_root)
            .ok()
            .filter(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))))
            .map(Path::to_path_buf);
        let (base, rel) = match lexical {
            Some(rel) => (scan_root.to_path_buf(), rel),
            None => {
                // `./bot` under `.`, symlinked roots: compare where they really are.
                let root = std::fs::canonicalize(scan_root).ok()?;
                let project = std::fs::canonicalize(project_dir).ok()?;
                let rel = project.strip_prefix(&root).ok()?.to_path_buf();
                (root, rel)
            }
        };
        let mut dir = rel;
        loop {
            // Any entry of that name but a folder, not only a readable file: a config that is
            // a FIFO, a device or a link out of the root is reported as unreadable, never
            // ignored.
            let entry = std::fs::symlink_metadata(base.join(&dir).join(CONFIG_FILE_NAME));
            if entry.is_ok_and(|m| !m.is_dir()) {
                return Some(scan_root.join(&dir).join(CONFIG_FILE_NAME));
            }
            if !dir.pop() {
                return None;
            }
        }
    }

    /// The file this config was read from, as given to [`Config::parse`]; empty for the
    /// built-in defaults.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// `select`: rule ids or prefixes to run; empty means every rule.
    pub fn select(&self) -> Vec<String> {
        self.select.iter().map(|p| p.value.clone()).collect()
    }

    /// `ignore`: rule ids or prefixes to skip.
    pub fn ignore(&self) -> Vec<String> {
        self.ignore.iter().map(|p| p.value.clone()).collect()
    }

    /// `entry-points`: extra entry files, relative to the directory of the config file.
    pub fn entry_points(&self) -> Vec<String> {
        self.entry_points.iter().map(|p| p.value.clone()).collect()
    }

    /// `production-env`: env files judged as production (like `--env`), relative to the
    /// directory of the config file.
    pub fn production_env(&self) -> Vec<String> {
        self.production_env
            .iter()
            .map(|p| p.value.clone())
            .collect()
    }

    /// `[severity]` entries, sorted by rule pattern.
    pub fn severity_overrides(&self) -> &[SeverityOverride] {
        &self.severity
    }

    /// `[per-path-ignores]` entries, sorted by glob.
    pub fn per_path_ignores(&self) -> &[PathIgnore] {
        &self.per_path_ignores
    }

    /// The severity `[severity]` gives rule `rule`: an exact id beats a prefix, and a longer
    /// prefix beats a shorter one (`"security/" = "low"` with a stricter single rule).
    pub fn severity_override(&self, rule: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter(|o| pattern_matches(&o.rule.value, rule))
            .max_by_key(|o| o.rule.value.trim_end_matches('/').len())
            .map(|o| o.severity.value)
    }

    /// Whether `[per-path-ignores]` turns rule `rule` off in `path` (relative to the
    /// directory of the config file, `/` separators).
    pub fn ignores(&self, rule: &str, path: &str) -> bool {
        self.per_path_ignores.iter().any(|entry| {
            entry
                .rules
                .iter()
                .any(|pattern| pattern_matches(&pattern.value, rule))
                && entry.matches_path(path)
        })
    }

    /// The weight of every category, defaults filled in.
    pub fn weights(&self) -> BTreeMap<Category, u32> {
        self.weights.clone()
    }

    /// Checks every rule id and prefix (`select`, `ignore`, `[severity]`,
    /// `[per-path-ignores]`) with `known`, which answers whether a pattern names a rule or
    /// a prefix of one. The first unknown pattern in the file is the error.
    pub fn check_rules(&self, known: &dyn Fn(&str) -> bool) -> Result<(), ConfigError> {
        let mut patterns: Vec<&Located<String>> = self
            .select
            .iter()
            .chain(&self.ignore)
            .chain(self.severity.iter().map(|o| &o.rule))
            .chain(self.per_path_ignores.iter().flat_map(|p| &p.rules))
            .collect();
        patterns.sort_by_key(|p| (p.line, p.column));
        match patterns.into_iter().find(|p| !known(&p.value)) {
            None => Ok(()),
            Some(unknown) => Err(ConfigError {
                file: self.file.clone(),
                line: unknown.line,
                column: unknown.column,
                message: format!(
                    "unknown rule `{}` (`flightcheck rule` lists the rules)",
                    unknown.value
                ),
            }),
        }
    }

    /// Checks that every `entry-points` and `production-env` file exists under
    /// `project_dir`. The first missing one in the file is the error.
    pub fn check_paths(&self, project_dir: &Path) -> Result<(), ConfigError> {
        let mut paths: Vec<(&str, &Located<String>)> = self
            .entry_points
            .iter()
            .map(|p| ("entry point", p))
            .chain(
                self.production_env
                    .iter()
                    .map(|p| ("production env file", p)),
            )
            .collect();
        paths.sort_by_key(|(_, p)| (p.line, p.column));
        match paths
            .into_iter()
            .find(|(_, p)| !project_dir.join(&p.value).is_file())
        {
            None => Ok(()),
            Some((what, missing)) => Err(ConfigError {
                file: self.file.clone(),
                line: missing.line,
                column: missing.column,
                message: format!(
                    "{what} `{}` is not a file in {}",
                    missing.value,
                    project_dir.display()
                ),
            }),
        }
    }

    /// The resolved config as TOML that parses back to an equal config: every key, with
    /// defaults shown, after a `# source:` comment naming `source` (a file) or the
    /// built-in defaults. For `flightcheck scan --show-config`.
    pub fn describe(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        match source {
            Some(file) => out.push_str(&format!("# source: {file}\n")),
            None => out.push_str("# source: built-in defaults\n"),
        }
        let list = |items: &[Located<String>]| {
            let quoted: Vec<String> = items.iter().map(|i| toml_string(&i.value)).collect();
            format!("[{}]", quoted.join(", "))
        };
        out.push_str("\n# Rules to run (ids or prefixes); empty: every rule.\n");
        out.push_str(&format!("select = {}\n", list(&self.select)));
        out.push_str("# Rules to skip (ids or prefixes).\n");
        out.push_str(&format!("ignore = {}\n", list(&self.ignore)));
        out.push_str("# Extra entry points, relative to the directory of the config file.\n");
        out.push_str(&format!("entry-points = {}\n", list(&self.entry_points)));
        out.push_str(
            "# Env files judged as production (like `--env`), relative to the directory of the config file.\n",
        );
        out.push_str(&format!(
            "production-env = {}\n",
            list(&self.production_env)
        ));

        out.push_str("\n# Severity overrides: rule id or prefix = blocker | high | medium | low.\n[severity]\n");
        for o in &self.severity {
            out.push_str(&format!(
                "{} = {}\n",
                toml_key(&o.rule.value),
                toml_string(o.severity.value.as_str())
            ));
        }
        out.push_str("\n# Rules (ids or prefixes) turned off in files matching a glob.\n[per-path-ignores]\n");
        for entry in &self.per_path_ignores {
            out.push_str(&format!(
                "{} = {}\n",
                toml_key(&entry.glob.value),
                list(&entry.rules)
            ));
        }
        out.push_str("\n# Category weights, 0 to 100.\n[weights]\n");
        for (category, weight) in &self.weights {
            let default = category.default_weight();
            if *weight == default {
                out.push_str(&format!("{category} = {weight}\n"));
            } else {
                out.push_str(&format!("{category} = {weight}  # default {default}\n"));
            }
        }
        out
    }
}

fn parse_severity(
    src: &Source<'_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<SeverityOverride>, ConfigError> {
    let table = expect_table(src, value, "`severity`")?;
    let known = || {
        Severity::ALL_DESC
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut overrides = Vec::new();
    for (key, value) in in_source_order(table) {
        let rule = key.get_ref().trim();
        if rule.is_empty() {
            return Err(src.error(key.span(), "empty rule id in `severity`"));
        }
        let DeValue::String(name) = value.get_ref() else {
            let found = value.get_ref().type_str();
            return Err(src.error(
                value.span(),
                format!(
                    "severity of `{rule}` must be a string ({}), found {} {found}",
                    known(),
                    a_or_an(found)
                ),
            ));
        };
        let Some(severity) = Severity::parse(name) else {
            return Err(src.error(
                value.span(),
                format!("unknown severity `{name}` (known: {})", known()),
            ));
        };
        overrides.push(SeverityOverride {
            rule: src.locate(key.span(), rule.to_string()),
            severity: src.locate(value.span(), severity),
        });
    }
    overrides.sort_by(|a, b| a.rule.value.cmp(&b.rule.value));
    Ok(overrides)
}

fn parse_path_ignores(
    src: &Source<'_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<PathIgnore>, ConfigError> {
    let table = expect_table(src, value, "`per-path-ignores`")?;
    let mut entries = Vec::new();
    for (key, value) in in_source_order(table) {
        let glob = key.get_ref().as_ref();
        let matcher = compile_glob(glob).map_err(|message| src.error(key.span(), message))?;
        let rules = string_list(
            src,
            value,
            &format!("the rules ignored in `{glob}`"),
            "rule ids or prefixes",
        )?;
        entries.push(PathIgnore {
            glob: src.locate(key.span(), glob.to_string()),
            rules,
            matcher,
        });
    }
    entries.sort_by(|a, b| a.glob.value.cmp(&b.glob.value));
    Ok(entries)
}

fn parse_weights(
    src: &Source<'_>,
    key: &Spanned<DeString<'_>>,
    value: &Spanned<DeValue<'_>>,
) -> Result<BTreeMap<Category, u32>, ConfigError> {
    let table = expect_table(src, value, "`weights`")?;
    let mut weights = Config::default().weights;
    for (name, weight) in in_source_order(table) {
        let Some(category) = Category::ALL
            .into_iter()
            .find(|c| c.as_str() == name.get_ref().as_ref())
        else {
            return Err(src.error(
                name.span(),
                format!(
                    "unknown category `{}` (known: {})",
                    name.get_ref(),
                    known_categories()
                ),
            ));
        };
        let DeValue::Integer(number) = weight.get_ref() else {
            let found = weight.get_ref().type_str();
            return Err(src.error(
                weight.span(),
                format!(
                    "weight of `{category}` must be an integer from 0 to 100, found {} {found}",
                    a_or_an(found)
                ),
            ));
        };
        let parsed = i128::from_str_radix(number.as_str(), number.radix()).ok();
        let Some(in_range) = parsed
            .filter(|n| (0..=100).contains(n))
            .and_then(|n| u32::try_from(n).ok())
        else {
            return Err(src.error(
                weight.span(),
                format!("weight of `{category}` is {number}; weights are integers from 0 to 100"),
            ));
        };
        weights.insert(category, in_range);
    }
    if weights.values().all(|w| *w == 0) {
        return Err(src.error(
            key.span(),
            "every category weighs 0: nothing would be scored",
        ));
    }
    Ok(weights)
}

/// `s` as a TOML basic string (quoted and escaped).
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as a TOML key: bare when it can be, quoted otherwise (rule ids hold `/`).
pub fn toml_key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { s.to_string() } else { toml_string(s) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn parse(text: &str) -> Config {
        Config::parse(text, "flightcheck.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(text: &str) -> String {
        match Config::parse(text, "flightcheck.toml") {
            Ok(config) => panic!("parsed, expected an error: {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    const FULL: &str = r#"select = ["security/", "bot/start-handler-missing"]
ignore = ["docs/"]
entry-points = ["./src/worker.js", "scripts/cron.py"]
production-env = ["deploy/.env.prod"]

[severity]
"config/" = "low"
"config/empty-secret" = "blocker"

[per-path-ignores]
"scripts/**" = ["security/", "perf/blocking-io-in-async"]
"**/legacy/*.js" = ["integrity/"]

[weights]
security = 30
docs = 0
"#;

    #[test]
    fn empty_file_is_the_built_in_defaults() {
        let config = parse("# nothing set\n");
        assert_eq!(config, Config::default());
        assert!(config.select().is_empty());
        assert!(config.ignore().is_empty());
        assert!(config.entry_points().is_empty());
        assert!(config.production_env().is_empty());
        assert_eq!(config.severity_override("config/empty-secret"), None);
        assert!(!config.ignores("security/webhook-unverified", "src/a.js"));
        let weights = config.weights();
        assert_eq!(weights.len(), Category::ALL.len());
        assert_eq!(weights[&Category::Availability], 15);
        assert_eq!(weights[&Category::Docs], 5);
    }

    #[test]
    fn every_field_of_a_full_config() {
        let config = parse(FULL);
        assert_eq!(config.file(), "flightcheck.toml");
        assert_eq!(
            config.select(),
            vec!["security/", "bot/start-handler-missing"]
        );
        assert_eq!(config.ignore(), vec!["docs/"]);
        assert_eq!(
            config.entry_points(),
            vec!["src/worker.js", "scripts/cron.py"],
            "`./` is dropped"
        );
        assert_eq!(config.production_env(), vec!["deploy/.env.prod"]);
        let weights = config.weights();
        assert_eq!(weights[&Category::Security], 30);
        assert_eq!(weights[&Category::Docs], 0);
        assert_eq!(
            weights[&Category::Data],
            10,
            "unset categories keep defaults"
        );
        let globs: Vec<&str> = config
            .per_path_ignores()
            .iter()
            .map(|p| p.glob.value.as_str())
            .collect();
        assert_eq!(
            globs,
            vec!["**/legacy/*.js", "scripts/**"],
            "sorted by glob"
        );
    }

    #[test]
    fn positions_of_patterns_are_kept() {
        let config = parse(FULL);
        let select = &config.select[1];
        assert_eq!((select.line, select.column), (1, 24));
        let severity = &config.severity_overrides()[1];
        assert_eq!(severity.rule.value, "config/empty-secret");
        assert_eq!((severity.rule.line, severity.rule.column), (8, 1));
        assert_eq!((severity.severity.line, severity.severity.column), (8, 25));
        let scripts = &config.per_path_ignores()[1];
        assert_eq!((scripts.rules[1].line, scripts.rules[1].column), (11, 30));
    }

    #[test]
    fn severity_overrides_prefer_the_most_specific_pattern() {
        let config = parse(FULL);
        assert_eq!(
            config.severity_override("config/empty-secret"),
            Some(Severity::Blocker)
        );
        assert_eq!(
            config.severity_override("config/undocumented-env"),
            Some(Severity::Low)
        );
        assert_eq!(config.severity_override("configx/a"), None);
        assert_eq!(
            config.severity_override("security/webhook-unverified"),
            None
        );
        let nested =
            parse("[severity]\n\"bot/\" = \"low\"\n\"bot/start-handler-missing\" = \"blocker\"\n");
        assert_eq!(
            nested.severity_override("bot/start-handler-missing"),
            Some(Severity::Blocker)
        );
        assert_eq!(
            nested.severity_override("bot/no-error-handler"),
            Some(Severity::Low)
        );
    }

    #[test]
    fn per_path_ignores_match_globs_and_rule_prefixes() {
        let config = parse(FULL);
        assert!(config.ignores("security/webhook-unverified", "scripts/seed.js"));
        assert!(config.ignores("security/webhook-unverified", "scripts/a/b/c.py"));
        assert!(config.ignores("perf/blocking-io-in-async", "./scripts/seed.py"));
        assert!(!config.ignores("perf/dangling", "scripts/seed.py"));
        assert!(!config.ignores("security/webhook-unverified", "src/scripts.js"));
        assert!(!config.ignores("security/webhook-unverified", "src/scripts/seed.js"));
        assert!(config.ignores("integrity/parse-error", "src/legacy/engine.js"));
        assert!(config.ignores("integrity/parse-error", "legacy/engine.js"));
        assert!(
            !config.ignores("integrity/parse-error", "src/legacy/sub/engine.js"),
            "`*` does not cross `/`"
        );
        assert!(!config.ignores("integrity/parse-error", "src/legacy/engine.ts"));
        assert!(config.ignores("integrity/parse-error", "src\\legacy\\engine.js"));
    }

    #[test]
    fn globs_follow_gitignore_conventions() {
        let config = parse(
            r#"[per-path-ignores]
"*.test.js" = ["testing/"]
"tools" = ["docs/"]
"/bin/*.js" = ["perf/"]
"generated/" = ["integrity/"]
"#,
        );
        // No slash: any depth.
        assert!(config.ignores("testing/no-tests", "a.test.js"));
        assert!(config.ignores("testing/no-tests", "src/deep/a.test.js"));
        // A directory covers its contents, at any depth when unanchored.
        assert!(config.ignores("docs/x", "tools/gen/x.js"));
        assert!(config.ignores("docs/x", "pkg/tools/x.js"));
        // A leading slash anchors.
        assert!(config.ignores("perf/blocking-io-in-async", "bin/run.js"));
        assert!(!config.ignores("perf/blocking-io-in-async", "src/bin/run.js"));
        let everything = parse("[per-path-ignores]\n\"**\" = [\"docs/\"]\n\"*\" = [\"perf/\"]\n");
        assert!(everything.ignores("docs/x", "a.js"));
        assert!(everything.ignores("docs/x", "src/deep/a.js"));
        assert!(everything.ignores("perf/x", "src/deep/a.js"));
        // A trailing slash names a directory.
        assert!(config.ignores("integrity/parse-error", "generated/client/index.ts"));
        assert!(!config.ignores("integrity/parse-error", "src/generated.ts"));
    }

    #[test]
    fn the_documented_example_and_globs_hold() {
        let docs = include_str!("../../../docs/config.md");
        let example = docs
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("docs/config.md has a toml example");
        let config = parse(example);
        assert_eq!(
            config.select(),
            vec!["bot/", "security/", "config/", "data/"]
        );
        assert_eq!(
            config.severity_override("config/undocumented-env"),
            Some(Severity::Low)
        );
        assert_eq!(
            config.severity_override("config/empty-secret"),
            Some(Severity::High)
        );
        assert_eq!(config.weights()[&Category::Security], 25);
        assert!(config.ignores("perf/blocking-io-in-async", "scripts/a/b.py"));
        assert!(config.ignores("integrity/parse-error", "src/ui/Button.stories.tsx"));

        let table = parse(
            "[per-path-ignores]\n\"/scripts\" = [\"docs/\"]\n\"src/{jobs,cron}/*.ts\" = [\"perf/\"]\n",
        );
        assert!(table.ignores("docs/x", "scripts/seed.js"));
        assert!(!table.ignores("docs/x", "pkg/scripts/seed.js"));
        assert!(table.ignores("perf/x", "src/cron/nightly.ts"));
        assert!(table.ignores("perf/x", "src/jobs/a.ts"));
        assert!(!table.ignores("perf/x", "src/web/a.ts"));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        assert_eq!(
            error("select = [\n"),
            "flightcheck.toml:1:11: invalid TOML: unclosed array, expected `]`"
        );
        assert_eq!(
            error("ignore = []\nignore = []\n"),
            "flightcheck.toml:2:1: invalid TOML: duplicate key `ignore`"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert_eq!(
            error("select = []\n\n[weight]\nsecurity = 1\n"),
            "flightcheck.toml:3:2: unknown key `weight` (known: select, ignore, entry-points, \
             production-env, severity, per-path-ignores, weights)"
        );
        assert_eq!(
            error("extend-select = [\"security/\"]\n"),
            "flightcheck.toml:1:1: unknown key `extend-select` (known: select, ignore, \
             entry-points, production-env, severity, per-path-ignores, weights)"
        );
    }

    #[test]
    fn wrong_types_are_errors_at_the_value() {
        assert_eq!(
            error("select = \"security/\"\n"),
            "flightcheck.toml:1:10: `select` must be an array of rule ids or prefixes, found a string"
        );
        assert_eq!(
            error("ignore = [\"docs/\", 3]\n"),
            "flightcheck.toml:1:20: `ignore` must be an array of rule ids or prefixes, found an integer in it"
        );
        assert_eq!(
            error("select = [\"  \"]\n"),
            "flightcheck.toml:1:11: empty string in `select`"
        );
        assert_eq!(
            error("severity = [\"x\"]\n"),
            "flightcheck.toml:1:12: `severity` must be a table, found an array"
        );
        assert_eq!(
            error("[per-path-ignores]\n\"scripts/**\" = \"security/\"\n"),
            "flightcheck.toml:2:16: the rules ignored in `scripts/**` must be an array of rule ids or prefixes, found a string"
        );
        assert_eq!(
            error("entry-points = [true]\n"),
            "flightcheck.toml:1:17: `entry-points` must be an array of paths relative to the directory of the config file, found a boolean in it"
        );
    }

    #[test]
    fn severities_are_checked() {
        assert_eq!(
            error("[severity]\n\"config/empty-secret\" = \"critical\"\n"),
            "flightcheck.toml:2:25: unknown severity `critical` (known: blocker, high, medium, low)"
        );
        assert_eq!(
            error("[severity]\n\"config/empty-secret\" = 3\n"),
            "flightcheck.toml:2:25: severity of `config/empty-secret` must be a string \
             (blocker, high, medium, low), found an integer"
        );
        assert_eq!(
            error("[severity]\n\"\" = \"low\"\n"),
            "flightcheck.toml:2:1: empty rule id in `severity`"
        );
    }

    #[test]
    fn categories_and_weights_are_checked() {
        assert_eq!(
            error("[weights]\navailability = 10\nsecurty = 20\n"),
            "flightcheck.toml:3:1: unknown category `securty` (known: availability, resilience, \
             security, data, integrity, testing, observability, performance, config, docs)"
        );
        assert_eq!(
            error("[weights]\nsecurity = 150\n"),
            "flightcheck.toml:2:12: weight of `security` is 150; weights are integers from 0 to 100"
        );
        assert_eq!(
            error("[weights]\nsecurity = -1\n"),
            "flightcheck.toml:2:12: weight of `security` is -1; weights are integers from 0 to 100"
        );
        assert_eq!(
            error("[weights]\nsecurity = 1.5\n"),
            "flightcheck.toml:2:12: weight of `security` must be an integer from 0 to 100, found a float"
        );
        let all_zero: String = Category::ALL.iter().map(|c| format!("{c} = 0\n")).collect();
        assert_eq!(
            error(&format!("\n[weights]\n{all_zero}")),
            "flightcheck.toml:2:2: every category weighs 0: nothing would be scored"
        );
        let hex = parse("[weights]\nsecurity = 0x10\nconfig = 100\n");
        assert_eq!(hex.weights()[&Category::Security], 16);
        assert_eq!(hex.weights()[&Category::Config], 100);
    }

    #[test]
    fn bad_globs_are_errors_at_the_key() {
        assert_eq!(
            error("[per-path-ignores]\n\"src/[ab\" = [\"docs/\"]\n"),
            "flightcheck.toml:2:1: invalid glob `src/[ab`: unclosed character class; missing ']'"
        );
        assert_eq!(
            error("[per-path-ignores]\n\"docs/\" = []\n\"../other/**\" = [\"docs/\"]\n"),
            "flightcheck.toml:3:1: glob `../other/**` leaves the directory of the config file; globs are relative to it"
        );
        assert_eq!(
            error("[per-path-ignores]\n\"/\" = [\"docs/\"]\n"),
            "flightcheck.toml:2:1: glob `/` names no file"
        );
        let nested = format!("{}a{}", "{".repeat(200), "}".repeat(200));
        assert_eq!(
            error(&format!("[per-path-ignores]\n\"{nested}\" = [\"docs/\"]\n")),
            format!(
                "flightcheck.toml:2:1: glob `{}…` nests `{{…}}` 200 deep; at most 8 are accepted",
                "{".repeat(40)
            )
        );
        let long = "a".repeat(1 << 20);
        let message = error(&format!("[per-path-ignores]\n\"{long}\" = [\"docs/\"]\n"));
        assert!(
            message.starts_with("flightcheck.toml:2:1: glob `aaaa")
                && message.ends_with("…` is 1048576 bytes long; at most 1024 are accepted"),
            "{message}"
        );
        // Escaped braces are characters, not nesting.
        let escaped = format!("[per-path-ignores]\n'{}' = [\"docs/\"]\n", "\\{".repeat(20));
        assert!(Config::parse(&escaped, "flightcheck.toml").is_ok());
    }

    #[test]
    fn paths_must_be_relative() {
        assert_eq!(
            error("entry-points = [\"src/a.js\", \"/srv/app/b.js\"]\n"),
            "flightcheck.toml:1:29: `entry-points`: `/srv/app/b.js` is absolute; paths are \
             relative to the directory of the config file"
        );
        assert_eq!(
            error("production-env = ['C:\\app\\.env']\n"),
            "flightcheck.toml:1:19: `production-env`: `C:\\app\\.env` is absolute; paths are \
             relative to the directory of the config file"
        );
    }

    #[test]
    fn columns_count_characters_and_a_bom_is_ignored() {
        assert_eq!(
            error("\u{feff}select = [\"ü\", 1]\n"),
            "flightcheck.toml:1:16: `select` must be an array of rule ids or prefixes, found an integer in it"
        );
    }

    #[test]
    fn check_rules_reports_the_first_unknown_pattern_in_the_file() {
        let known = |p: &str| {
            [
                "security/",
                "security",
                "bot/start-handler-missing",
                "docs/",
                "config/",
                "config/empty-secret",
                "integrity/",
                "perf/blocking-io-in-async",
            ]
            .contains(&p)
        };
        assert_eq!(parse(FULL).check_rules(&known), Ok(()));

        let text = "ignore = [\"docs/\"]\n\n[per-path-ignores]\n\"a/**\" = [\"securty/\"]\n\n[severity]\n\"config/emty-secret\" = \"low\"\n";
        let err = parse(text).check_rules(&known).unwrap_err();
        assert_eq!(
            err.to_string(),
            "flightcheck.toml:4:11: unknown rule `securty/` (`flightcheck rule` lists the rules)"
        );
        let only_severity = "[severity]\n\"config/emty-secret\" = \"low\"\n";
        let err = parse(only_severity).check_rules(&known).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        let select = "select = [\"security\", \"bott/\"]\n";
        let err = parse(select).check_rules(&known).unwrap_err();
        assert_eq!((err.line, err.column), (1, 23));
        assert!(err.message.contains("`bott/`"));
    }

    #[test]
    fn check_paths_reports_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("src")).unwrap();
        fs::write(dir.path().join("src/worker.js"), "").unwrap();
        fs::write(dir.path().join(".env.prod"), "").unwrap();
        let ok = parse("entry-points = [\"src/worker.js\"]\nproduction-env = [\".env.prod\"]\n");
        assert_eq!(ok.check_paths(dir.path()), Ok(()));
        let missing = parse(
            "entry-points = [\"src/worker.js\"]\nproduction-env = [\".env.prod\", \".env.live\"]\n",
        );
        let err = missing.check_paths(dir.path()).unwrap_err();
        assert_eq!((err.line, err.column), (2, 32));
        assert!(
            err.message
                .starts_with("production env file `.env.live` is not a file in "),
            "{}",
            err.message
        );
    }

    #[test]
    fn errors_display_as_file_line_column() {
        let err = ConfigError {
            file: "flightcheck.toml".into(),
            line: 3,
            column: 9,
            message: "unknown category `securty`".into(),
        };
        assert_eq!(
            err.to_string(),
            "flightcheck.toml:3:9: unknown category `securty`"
        );
        let whole_file = ConfigError {
            line: 0,
            column: 0,
            ..err
        };
        assert_eq!(
            whole_file.to_string(),
            "flightcheck.toml: unknown category `securty`"
        );
    }

    #[test]
    fn load_reads_the_file_and_names_it_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        fs::write(&path, "select = [\"security/\"]\n[weights]\ndoc = 1\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert_eq!(err.file, path.display().to_string());
        assert_eq!((err.line, err.column), (3, 1));
        fs::write(&path, "select = [\"security/\"]\n").unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.select(), vec!["security/"]);
        assert_eq!(config.file(), path.display().to_string());
        let missing = Config::load(&dir.path().join("nope.toml")).unwrap_err();
        assert_eq!(missing.line, 0);
        assert!(missing.message.starts_with("cannot read the config file"));
    }

    #[test]
    fn discovery_finds_the_nearest_file_and_never_looks_above_the_root() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        let bot = root.join("packages/bot");
        let api = root.join("packages/api");
        fs::create_dir_all(&bot).unwrap();
        fs::create_dir_all(&api).unwrap();
        // Above the scan root: never used.
        fs::write(outer.path().join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(Config::discover(&bot, &root), None);
        assert_eq!(Config::discover(&root, &root), None);

        fs::write(root.join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(
            Config::discover(&bot, &root),
            Some(root.join(CONFIG_FILE_NAME)),
            "the root's file is used when nothing is nearer"
        );
        assert_eq!(
            Config::discover(&root, &root),
            Some(root.join(CONFIG_FILE_NAME))
        );

        fs::write(bot.join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(
            Config::discover(&bot, &root),
            Some(root.join("packages/bot").join(CONFIG_FILE_NAME)),
            "nearest wins"
        );
        assert_eq!(
            Config::discover(&api, &root),
            Some(root.join(CONFIG_FILE_NAME))
        );

        // A directory named like the file is not a config.
        fs::create_dir_all(api.join(CONFIG_FILE_NAME)).unwrap();
        assert_eq!(
            Config::discover(&api, &root),
            Some(root.join(CONFIG_FILE_NAME))
        );

        // Not lexically under the root: compared where they really are.
        let roundabout = root.join("packages/api/../bot");
        assert_eq!(
            Config::discover(&roundabout, &root),
            Some(root.join("packages/bot").join(CONFIG_FILE_NAME))
        );
        // Outside the root altogether.
        assert_eq!(Config::discover(outer.path(), &root), None);
    }

    #[test]
    fn describe_shows_defaults_and_parses_back() {
        let text = Config::default().describe(None);
        assert!(text.starts_with("# source: built-in defaults\n"), "{text}");
        for category in Category::ALL {
            let line = format!("\n{category} = {}\n", category.default_weight());
            assert!(text.contains(&line), "missing {line:?} in {text}");
        }
        for key in KEYS {
            assert!(
                text.contains(&format!("\n{key} = ")) || text.contains(&format!("\n[{key}]\n")),
                "missing `{key}` in {text}"
            );
        }
        assert_eq!(parse(&text), Config::default());
    }

    #[test]
    fn describe_round_trips_a_full_config() {
        let config = parse(FULL);
        let text = config.describe(Some("packages/bot/flightcheck.toml"));
        assert!(text.starts_with("# source: packages/bot/flightcheck.toml\n"));
        assert!(text.contains("\nsecurity = 30  # default 15\n"), "{text}");
        assert!(
            text.contains("\n\"scripts/**\" = [\"security/\", \"perf/blocking-io-in-async\"]\n"),
            "{text}"
        );
        let again = Config::parse(&text, "shown").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(again, config);
        assert!(again.ignores("integrity/parse-error", "src/legacy/engine.js"));
        assert_eq!(again.describe(Some("packages/bot/flightcheck.toml")), text);
    }

    #[test]
    fn describe_quotes_what_toml_needs_quoted() {
        let config = parse("[per-path-ignores]\n'odd \"name\"\\dir/**' = [\"docs/\"]\n");
        let text = config.describe(None);
        assert!(
            text.contains("\n\"odd \\\"name\\\"\\\\dir/**\" = [\"docs/\"]\n"),
            "{text}"
        );
        assert_eq!(parse(&text), config);
    }
}
