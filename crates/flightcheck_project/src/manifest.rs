//! Project manifests: package.json, pyproject.toml, requirements files.

use serde_json::Value;
use std::collections::BTreeMap;

/// The parts of a package.json the pipeline uses.
#[derive(Debug, Clone, Default)]
pub struct PackageJson {
    pub name: Option<String>,
    pub main: Option<String>,
    /// `bin` entries: command name → path.
    pub bin: Vec<(String, String)>,
    pub scripts: BTreeMap<String, String>,
    /// 1-based line of each script's key, for evidence.
    pub script_lines: BTreeMap<String, u32>,
    /// dependencies + devDependencies + peer/optional, package name → is dev.
    pub dependencies: BTreeMap<String, bool>,
    /// The version range each dependency is declared with (`"^5.1.0"`), first field wins.
    pub versions: BTreeMap<String, String>,
    pub is_module: bool,
    pub workspaces: Vec<String>,
}

/// The major version a declared range starts from (`"^5.1.0"` → 5, `"~4.18"` → 4,
/// `">=5"` → 5); `None` for tags, URLs and `*`.
pub fn range_major(range: &str) -> Option<u32> {
    let r = range
        .trim()
        .trim_start_matches(['^', '~', '>', '=', 'v', ' ']);
    let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// npm's placeholder (`echo "Error: no test specified" && exit 1`), an `echo` alone or
/// `exit 0`: a `test` script that runs no test.
pub fn is_placeholder_test_script(script: &str) -> bool {
    let s = script.to_ascii_lowercase();
    s.contains("no test specified")
        || (s.trim_start().starts_with("echo") && !s.contains("&&") && !s.contains(';'))
        || s.trim() == "exit 0"
}

impl PackageJson {
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let obj = v.as_object().ok_or("top level is not an object")?;
        let str_of = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let mut pkg = PackageJson {
            name: str_of("name"),
            main: str_of("main"),
            is_module: obj.get("type").and_then(Value::as_str) == Some("module"),
            ..Default::default()
        };
        match obj.get("bin") {
            Some(Value::String(s)) => {
                pkg.bin
                    .push((pkg.name.clone().unwrap_or_default(), s.clone()));
            }
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    if let Some(s) = v.as_str() {
                        pkg.bin.push((k.clone(), s.to_string()));
                    }
                }
            }
            _ => {}
        }
        if let Some(Value::Object(m)) = obj.get("scripts") {
            let scripts_at = text.find("\"scripts\"").unwrap_or(0);
            for (k, v) in m {
                if let Some(s) = v.as_str() {
                    pkg.scripts.insert(k.clone(), s.to_string());
                    let needle = format!("\"{k}\"");
                    if let Some(pos) = text[scripts_at..].find(&needle) {
                        let line = text[..scripts_at + pos].matches('\n').count() as u32 + 1;
                        pkg.script_lines.insert(k.clone(), line);
                    }
                }
            }
        }
        for (field, dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("peerDependencies", false),
            ("devDependencies", true),
        ] {
            if let Some(Value::Object(m)) = obj.get(field) {
                for (k, v) in m {
                    pkg.dependencies.entry(k.clone()).or_insert(dev);
                    if let Some(range) = v.as_str() {
                        pkg.versions
                            .entry(k.clone())
                            .or_insert_with(|| range.to_string());
                    }
                }
            }
        }
        match obj.get("workspaces") {
            Some(Value::Array(a)) => {
                pkg.workspaces = a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
            }
            Some(Value::Object(o)) => {
                if let Some(Value::Array(a)) = o.get("packages") {
                    pkg.workspaces = a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                }
            }
            _ => {}
        }
        Ok(pkg)
    }
}

/// The parts of a pyproject.toml the pipeline uses.
#[derive(Debug, Clone, Default)]
pub struct PyProject {
    pub name: Option<String>,
    /// Console scripts: name → `module:function`.
    pub scripts: Vec<(String, String)>,
    /// Distribution names of dependencies (normalised lower case).
    pub dependencies: Vec<String>,
    /// `[project] requires-python` / Poetry's `python` dependency, as written.
    pub requires_python: Option<String>,
    /// `[project] dynamic` lists `dependencies`: a build backend computes them.
    pub dynamic_dependencies: bool,
}

impl PyProject {
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let msg = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("invalid TOML at line {line}: {msg}")
                }
                None => format!("invalid TOML: {msg}"),
            }
        })?;
        let mut out = PyProject::default();
        let table = |t: &toml::Table, k: &str| t.get(k).and_then(toml::Value::as_table).cloned();
        if let Some(project) = table(&v, "project") {
            out.name = project
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string);
            out.requires_python = project
                .get("requires-python")
                .and_then(|r| r.as_str())
                .map(str::to_string);
            if let Some(scripts) = table(&project, "scripts") {
                for (k, val) in scripts {
                    if let Some(s) = val.as_str() {
                        out.scripts.push((k, s.to_string()));
                    }
                }
            }
            if let Some(deps) = project.get("dependencies").and_then(|d| d.as_array()) {
                out.dependencies
                    .extend(deps.iter().filter_map(|d| d.as_str()).map(requirement_name));
            }
            out.dynamic_dependencies = project
                .get("dynamic")
                .and_then(|d| d.as_array())
                .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("dependencies")));
            if let Some(opt) = table(&project, "optional-dependencies") {
                for (_, group) in opt {
                    if let Some(deps) = group.as_array() {
                        out.dependencies
                            .extend(deps.iter().filter_map(|d| d.as_str()).map(requirement_name));
                    }
                }
            }
        }
        if let Some(poetry) = table(&v, "tool").and_then(|t| table(&t, "poetry")) {
            if out.name.is_none() {
                out.name = poetry
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string);
            }
            if let Some(scripts) = table(&poetry, "scripts") {
                for (k, val) in scripts {
                    if let Some(s) = val.as_str() {
                        out.scripts.push((k, s.to_string()));
                    }
                }
            }
            if out.requires_python.is_none() {
                out.requires_python = table(&poetry, "dependencies")
                    .and_then(|d| d.get("python").and_then(|p| p.as_str()).map(str::to_string));
            }
            for key in ["dependencies", "dev-dependencies"] {
                if let Some(deps) = table(&poetry, key) {
                    out.dependencies
                        .extend(deps.keys().map(|k| requirement_name(k)));
                }
            }
        }
        // PEP 735 groups, PDM and uv dev groups, Poetry groups.
        let string_lists = |t: &toml::Table, out: &mut Vec<String>| {
            for (_, group) in t {
                if let Some(deps) = group.as_array() {
                    out.extend(deps.iter().filter_map(|d| d.as_str()).map(requirement_name));
                }
            }
        };
        if let Some(groups) = table(&v, "dependency-groups") {
            string_lists(&groups, &mut out.dependencies);
        }
        if let Some(tool) = table(&v, "tool") {
            if let Some(pdm) = table(&tool, "pdm").and_then(|p| table(&p, "dev-dependencies")) {
                string_lists(&pdm, &mut out.dependencies);
            }
            if let Some(uv) = table(&tool, "uv") {
                string_lists(&uv, &mut out.dependencies);
            }
            if let Some(groups) = table(&tool, "poetry").and_then(|p| table(&p, "group")) {
                for (_, group) in groups {
                    if let Some(deps) = group.get("dependencies").and_then(|d| d.as_table()) {
                        out.dependencies
                            .extend(deps.keys().map(|k| requirement_name(k)));
                    }
                }
            }
        }
        out.dependencies.retain(|d| !d.is_empty() && d != "python");
        Ok(out)
    }
}

/// The distribution name of a requirement line (`Django>=4; python_version>"3"` → `django`).
pub fn requirement_name(line: &str) -> String {
    let line = line.trim();
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    line[..end].to_ascii_lowercase().replace('_', "-")
}

/// Distribution names listed in a requirements file (comments, options and URLs skipped).
pub fn parse_requirements(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .filter(|l| !l.contains("://"))
        .map(requirement_name)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The extras of a requirement line, as distribution names (`yt-dlp[default,curl-cffi]` →
/// `default`, `curl-cffi`): an extra usually installs the package it is named after.
pub fn requirement_extras(line: &str) -> Vec<String> {
    let line = line.split('#').next().unwrap_or("");
    let Some((_, rest)) = line.split_once('[') else {
        return Vec::new();
    };
    let Some((inside, _)) = rest.split_once(']') else {
        return Vec::new();
    };
    inside
        .split(',')
        .map(requirement_name)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The first line of a requirements file that installs something this parser cannot name:
/// an include (`-r`), a constraint file, an editable or local path, a URL.
pub fn requirements_opaque_line(text: &str) -> Option<&str> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .find(|l| {
            !l.is_empty()
                && !l.starts_with('#')
                && (l.starts_with("-r")
                    || l.starts_with("--requirement")
                    || l.starts_with("-e")
                    || l.starts_with("--editable")
                    || l.starts_with("-c")
                    || l.starts_with('.')
                    || l.starts_with('/')
                    || l.contains("://"))
        })
}

#[cfg(test)]
mod tests {

    #[test]
    fn majors_of_declared_ranges() {
        assert_eq!(range_major("^5.1.0"), Some(5));
        assert_eq!(range_major("~4.18.2"), Some(4));
        assert_eq!(range_major(">=5"), Some(5));
        assert_eq!(range_major("5.x"), Some(5));
        assert_eq!(range_major("latest"), None);
        assert_eq!(range_major("*"), None);
        assert_eq!(range_major("github:expressjs/express"), None);
    }

    use super::*;

    #[test]
    fn package_json_fields() {
        let p = PackageJson::parse(
            r#"{"name":"b","main":"src/index.js","bin":{"b":"cli.js"},"type":"module",
                "scripts":{"start":"node src/index.js"},"dependencies":{"telegraf":"4"},
                "devDependencies":{"jest":"29"},"workspaces":{"packages":["packages/*"]}}"#,
        )
        .expect("valid");
        assert_eq!(p.main.as_deref(), Some("src/index.js"));
        assert_eq!(p.bin, vec![("b".to_string(), "cli.js".to_string())]);
        assert!(p.is_module);
        assert_eq!(p.script_lines.get("start"), Some(&2));
        assert_eq!(p.dependencies.get("jest"), Some(&true));
        assert_eq!(p.workspaces, vec!["packages/*"]);
        assert!(PackageJson::parse("{ broken").is_err());
        assert!(PackageJson::parse("[]").is_err());
    }

    #[test]
    fn pyproject_and_requirements() {
        let p = PyProject::parse(
            "[project]\nname='w'\ndependencies=['aiogram>=3', 'SQLAlchemy[asyncio]']\n[project.scripts]\nw='w.main:run'\n",
        )
        .expect("valid");
        assert_eq!(p.dependencies, vec!["aiogram", "sqlalchemy"]);
        assert_eq!(p.scripts, vec![("w".to_string(), "w.main:run".to_string())]);
        let err = PyProject::parse("[project\nname=1")
            .err()
            .unwrap_or_default();
        assert!(err.contains("line 1"), "{err}");
        assert_eq!(
            parse_requirements(
                "# c\nFlask==2.0 # web\n-r other.txt\npython_telegram_bot\ngit+https://x/y\n"
            ),
            vec!["flask", "python-telegram-bot"]
        );
        assert_eq!(
            requirements_opaque_line("flask\n-r base.txt\n"),
            Some("-r base.txt")
        );
        assert_eq!(requirements_opaque_line("flask==2 # web\n--hash=x\n"), None);
        assert_eq!(
            requirement_extras("yt-dlp[default, curl_cffi]>=2024"),
            vec!["default", "curl-cffi"]
        );
        let groups = PyProject::parse(
            "[project]\nname='w'\ndynamic=['version']\n[dependency-groups]\ndev=['pytest']\n[tool.poetry.group.docs.dependencies]\nmkdocs='*'\n",
        )
        .expect("valid");
        assert_eq!(groups.dependencies, vec!["pytest", "mkdocs"]);
        assert!(!groups.dynamic_dependencies);
    }
}
