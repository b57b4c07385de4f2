//! A dotenv parser that keeps line numbers.
//!
//! Semantics follow the `dotenv` family (motdotla/dotenv, python-dotenv): `KEY=value`,
//! optional `export ` prefix, `#` comments (inline only after whitespace when unquoted),
//! single quotes literal, double quotes with `\n` escapes, backticks, and quoted values that
//! span several lines. Lines that are not assignments are reported, never fatal.

use serde::Serialize;

/// One `KEY=value` assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvEntry {
    pub key: String,
    pub value: String,
    /// 1-based line of the key.
    pub line: u32,
    /// The value was quoted (`KEY=""` is an explicit empty string).
    pub quoted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnvParse {
    pub entries: Vec<EnvEntry>,
    /// Lines that are neither blank, comments nor assignments: `(line, reason)`.
    pub invalid: Vec<(u32, String)>,
}

impl EnvParse {
    /// The last assignment of `key` wins, as in dotenv.
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

pub fn parse(text: &str) -> EnvParse {
    let mut out = EnvParse::default();
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i as u32 + 1;
        let raw = lines[i];
        i += 1;
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some(eq) = line.find('=') else {
            out.invalid
                .push((line_no, "not a KEY=value assignment".to_string()));
            continue;
        };
        let key = line[..eq].trim();
        if key.is_empty() || !key.chars().all(is_key_char) {
            out.invalid
                .push((line_no, format!("invalid key `{}`", crate::short(key, 40))));
            continue;
        }
        let rest = line[eq + 1..].trim_start();
        let first = rest.chars().next();
        let (value, quoted) = match first {
            Some(q @ ('"' | '\'' | '`')) => {
                // Find the closing quote, possibly on a later line.
                let mut body = String::new();
                let mut current = &rest[1..];
                let mut closed = None;
                loop {
                    if let Some(end) = find_closing(current, q) {
                        body.push_str(&current[..end]);
                        closed = Some(());
                        break;
                    }
                    body.push_str(current);
                    if i >= lines.len() {
                        break;
                    }
                    body.push('\n');
                    current = lines[i];
                    i += 1;
                }
                if closed.is_none() {
                    out.invalid
                        .push((line_no, format!("unterminated {q} quote")));
                }
                let value = if q == '"' {
                    unescape_double(&body)
                } else {
                    body
                };
                (value, true)
            }
            _ => {
                // Unquoted: an inline comment starts at ` #`.
                let mut value = rest;
                if let Some(pos) = rest.find(" #").or_else(|| rest.find("\t#")) {
                    value = &rest[..pos];
                }
                if value.starts_with('#') {
                    value = "";
                }
                (value.trim().to_string(), false)
            }
        };
        out.entries.push(EnvEntry {
            key: key.to_string(),
            value,
            line: line_no,
            quoted,
        });
    }
    out
}

fn find_closing(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' && quote == '"' {
            escaped = true;
            continue;
        }
        if c == quote {
            return Some(i);
        }
    }
    None
}

fn unescape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_semantics() {
        let text = "# comment\nexport A=1\nB = two words # note\nC=\"x\\ny\"\nD='lit\\n'\nE=\nF=\"\"\nG=\"multi\nline\nvalue\"\nH=after\nnot an assignment\nI=#nocomment\n";
        let p = parse(text);
        let kv: Vec<(&str, &str, u32)> = p
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            kv,
            vec![
                ("A", "1", 2),
                ("B", "two words", 3),
                ("C", "x\ny", 4),
                ("D", "lit\\n", 5),
                ("E", "", 6),
                ("F", "", 7),
                ("G", "multi\nline\nvalue", 8),
                ("H", "after", 11),
                ("I", "", 13),
            ]
        );
        assert!(p.get("F").is_some_and(|e| e.quoted));
        assert_eq!(
            p.invalid,
            vec![(12, "not a KEY=value assignment".to_string())]
        );
    }

    #[test]
    fn unterminated_quote_is_reported_not_fatal() {
        let p = parse("A=\"open\nB=2\n");
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.invalid.len(), 1);
    }

    #[test]
    fn crlf_and_later_assignment_wins() {
        let p = parse("A=1\r\nA=2\r\n");
        assert_eq!(p.get("A").map(|e| e.value.as_str()), Some("2"));
    }
}
