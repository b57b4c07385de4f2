//! Environment values that deploy definitions set directly: compose `environment:` blocks
//! and Kubernetes container `env:` lists and ConfigMap `data:`. They are env sources like a
//! dotenv file, with the line of each key, so the config rules judge them the same way.
//!
//! Read line by line (YAML parsers drop line numbers). Values that the platform fills in —
//! compose `${VAR}` interpolation, a bare `- KEY` passed through from the host, k8s
//! `valueFrom` — are not values of the file and are left out.

use crate::envfile::{EnvEntry, EnvParse};

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn unquote(value: &str) -> (String, bool) {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return (v[1..v.len() - 1].to_string(), true);
        }
    }
    // An unquoted YAML scalar ends at ` #`.
    let v = v.split(" #").next().unwrap_or(v).trim_end();
    (v.to_string(), false)
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn push(out: &mut EnvParse, key: &str, raw: &str, line: usize) {
    let (value, quoted) = unquote(raw);
    if value.contains("${") || !is_key(key) {
        return;
    }
    out.entries.push(EnvEntry {
        key: key.to_string(),
        value,
        line: line as u32 + 1,
        quoted,
    });
}

/// `environment:` blocks of a compose file, list (`- KEY=value`) or map (`KEY: value`) form.
pub fn compose(text: &str) -> EnvParse {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = EnvParse::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() != "environment:" {
            i += 1;
            continue;
        }
        let block = indent(line);
        i += 1;
        while i < lines.len() {
            let entry = lines[i];
            let trimmed = entry.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                i += 1;
                continue;
            }
            if indent(entry) <= block {
                break;
            }
            if let Some(item) = trimmed.strip_prefix("- ") {
                let (item, _) = unquote(item);
                if let Some((key, value)) = item.split_once('=') {
                    push(&mut out, key.trim(), value, i);
                }
            } else if let Some((key, value)) = trimmed.split_once(':') {
                push(&mut out, key.trim().trim_matches(['"', '\'']), value, i);
            }
            i += 1;
        }
    }
    out
}

/// The files compose services load with `env_file:` (a string, a list of strings, or a
/// list of `{ path: … }` entries), as written.
pub fn compose_env_files(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        i += 1;
        let Some(rest) = trimmed.strip_prefix("env_file:") else {
            continue;
        };
        let rest = rest.trim();
        if !rest.is_empty() {
            let (path, _) = unquote(rest.trim_start_matches('[').trim_end_matches(']'));
            out.extend(
                path.split(',')
                    .map(|p| unquote(p).0)
                    .filter(|p| !p.is_empty()),
            );
            continue;
        }
        let block = indent(line);
        while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > block) {
            let item = lines[i].trim();
            let item = item.strip_prefix("- ").unwrap_or(item);
            let item = item.strip_prefix("path:").unwrap_or(item);
            let (path, _) = unquote(item);
            if !path.is_empty() && !path.contains(':') {
                out.push(path);
            }
            i += 1;
        }
    }
    out
}

/// Whether a YAML file is a Kubernetes manifest (`apiVersion:` and `kind:` at top level).
pub fn is_k8s_manifest(text: &str) -> bool {
    let top = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    top("apiVersion:") && top("kind:")
}

/// Container `env:` entries (`- name: X` + `value: Y`) and ConfigMap `data:` of a
/// Kubernetes manifest (all documents of the file).
pub fn k8s(text: &str) -> EnvParse {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = EnvParse::default();
    let mut kind = "";
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("---") {
            kind = "";
        }
        if let Some(k) = line.strip_prefix("kind:") {
            kind = k.trim();
        }
        let trimmed = line.trim();
        let is_env = trimmed == "env:" || trimmed == "- env:";
        let is_data = kind == "ConfigMap" && line.starts_with("data:");
        if !is_env && !is_data {
            i += 1;
            continue;
        }
        let block = indent(line) + usize::from(trimmed.starts_with("- ")) * 2;
        i += 1;
        let mut name: Option<(String, usize)> = None;
        while i < lines.len() {
            let entry = lines[i];
            let t = entry.trim();
            if t.is_empty() || t.starts_with('#') {
                i += 1;
                continue;
            }
            if indent(entry) < block || (indent(entry) == block && !t.starts_with("- ")) {
                break;
            }
            if is_data {
                if let Some((key, value)) = t.split_once(':')
                    && !value.trim().starts_with('|')
                    && !value.trim().starts_with('>')
                {
                    push(&mut out, key.trim(), value, i);
                }
            } else {
                let item = t.strip_prefix("- ").unwrap_or(t);
                if let Some(n) = item.strip_prefix("name:") {
                    name = Some((unquote(n).0, i));
                } else if let Some(v) = item.strip_prefix("value:")
                    && let Some((n, at)) = name.take()
                {
                    push(&mut out, &n, v, at);
                }
            }
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &EnvParse) -> Vec<(String, String, u32)> {
        p.entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone(), e.line))
            .collect()
    }

    #[test]
    fn compose_environment_lists_and_maps() {
        let text = "\
services:
  bot:
    image: bot
    environment:
      - BOT_TOKEN=
      - DATABASE_URL=postgres://db:5432/app
      - FROM_HOST
      - API_KEY=${API_KEY}
    env_file: .env
  db:
    environment:
      POSTGRES_PASSWORD: \"example\"  
      # a comment
      PGDATA: /data # inline comment
    volumes: [db:/data]
";
        assert_eq!(
            keys(&compose(text)),
            [
                ("BOT_TOKEN".into(), "".into(), 5),
                ("DATABASE_URL".into(), "postgres://db:5432/app".into(), 6),
                ("POSTGRES_PASSWORD".into(), "example".into(), 12),
                ("PGDATA".into(), "/data".into(), 14),
            ]
        );
    }

    #[test]
    fn compose_env_file_forms() {
        let text = "\
services:
  a:
    env_file: .env
  b:
    env_file:
      - ./config/prod.env
      - path: .env.shared
        required: false
  c:
    env_file: [\".env.c\"]
";
        assert_eq!(
            compose_env_files(text),
            [".env", "./config/prod.env", ".env.shared", ".env.c"]
        );
    }

    #[test]
    fn kubernetes_env_and_config_maps() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: bot
          env:
            - name: PUBLIC_URL
              value: \"http://localhost:3000\"
            - name: BOT_TOKEN
              valueFrom:
                secretKeyRef: {name: bot, key: token}
          image: bot
---
apiVersion: v1
kind: ConfigMap
data:
  LOG_LEVEL: info
  SCRIPT: |
    echo hi
";
        assert!(is_k8s_manifest(text));
        assert_eq!(
            keys(&k8s(text)),
            [
                ("PUBLIC_URL".into(), "http://localhost:3000".into(), 9),
                ("LOG_LEVEL".into(), "info".into(), 19),
            ]
        );
        assert!(!is_k8s_manifest("services:\n  a: {}\n"));
    }
}
