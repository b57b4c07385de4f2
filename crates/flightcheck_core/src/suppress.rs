//! Inline suppressions: `flightcheck-ignore RULE -- reason` in a comment on the finding's
//! line or the line before, `flightcheck-ignore-file RULE -- reason` anywhere in a file.
//!
//! Language crates find the comments (real comments, never text inside strings) and the
//! statements of the file; this module reads the directive and works out which lines it
//! covers, so every language suppresses the same way.

use serde::Serialize;

/// The marker every directive starts with.
pub const MARKER: &str = "flightcheck-ignore";

/// One directive, located and resolved to the lines it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The comment's line.
    pub line: u32,
    /// Lines of code the directive covers (inclusive); a file-level one covers every line.
    pub first: u32,
    pub last: u32,
    /// Rule ids or prefixes (`security/`), as written.
    pub rules: Vec<String>,
    /// Text after `--`; empty when none was given.
    pub reason: String,
    pub file_level: bool,
}

impl Suppression {
    /// Whether this directive silences a finding of `rule` at `line` (0: no line).
    pub fn covers(&self, rule: &str, line: u32) -> bool {
        (self.file_level || (line >= self.first && line <= self.last))
            && self.rules.iter().any(|p| crate::pattern_matches(p, rule))
    }
}

/// A directive read from a comment's text, before it is located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub file_level: bool,
    pub rules: Vec<String>,
    pub reason: String,
}

/// Reads a directive from the text of one comment (markers such as `//`, `#`, `/*`, `*`
/// included or not). `None` when the comment is not a directive. A directive must start
/// the comment: a comment that mentions `flightcheck-ignore` in prose is not one.
pub fn parse_directive(comment: &str) -> Option<Directive> {
    let body = comment
        .trim()
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_start_matches('#')
        .trim_start_matches('*')
        .trim_end_matches("*/")
        .trim();
    let rest = body.strip_prefix(MARKER)?;
    let (file_level, rest) = match rest.strip_prefix("-file") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // `flightcheck-ignored` or `flightcheck-ignore-next` is not this directive.
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with(':')) {
        return None;
    }
    let rest = rest.trim_start_matches(':');
    let (rules_part, reason) = match rest.split_once("--") {
        Some((r, reason)) => (r, reason.trim()),
        None => (rest, ""),
    };
    let rules = rules_part
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    Some(Directive {
        file_level,
        rules,
        reason: reason.to_string(),
    })
}

/// A comment that holds a directive, as a language crate found it.
#[derive(Debug, Clone)]
pub struct DirectiveComment {
    pub directive: Directive,
    /// The comment's (first) line.
    pub line: u32,
    /// Code precedes the comment on its line (`foo(); // flightcheck-ignore …`).
    pub trailing: bool,
}

/// A statement's line range; `simple` statements (expressions, declarations, returns,
/// decorators) are covered whole by a directive before them, compound ones (functions,
/// classes, blocks) only on their first line, so one comment never hides a whole function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementLines {
    pub first: u32,
    pub last: u32,
    pub simple: bool,
}

/// Locates directives: a trailing comment covers its own line (and the simple statement
/// that starts or ends there); a comment on a line of its own covers the next code line
/// (skipping further comment lines) and the simple statement that starts there.
/// `is_comment_or_blank(line)` answers for 1-based lines.
pub fn locate(
    comments: Vec<DirectiveComment>,
    statements: &[StatementLines],
    is_comment_or_blank: impl Fn(u32) -> bool,
    line_count: u32,
) -> Vec<Suppression> {
    comments
        .into_iter()
        .map(|c| {
            let (first, last) = if c.directive.file_level {
                (1, line_count.max(1))
            } else if c.trailing {
                let mut first = c.line;
                let mut last = c.line;
                for s in statements.iter().filter(|s| s.simple) {
                    if s.first == c.line {
                        last = last.max(s.last);
                    }
                    if s.last == c.line {
                        first = first.min(s.first);
                    }
                }
                (first, last)
            } else {
                let mut target = c.line + 1;
                while target <= line_count && is_comment_or_blank(target) {
                    target += 1;
                }
                let last = statements
                    .iter()
                    .filter(|s| s.simple && s.first == target)
                    .map(|s| s.last)
                    .max()
                    .unwrap_or(target);
                (target, last)
            };
            Suppression {
                line: c.line,
                first,
                last,
                rules: c.directive.rules,
                reason: c.directive.reason,
                file_level: c.directive.file_level,
            }
        })
        .collect()
}

/// The directives of a source file, from the byte ranges of its comments (delimiters
/// included) as the parser found them. `statements` is only called when a directive exists,
/// so files without one pay for nothing but a substring search per comment.
pub fn from_comments(
    source: &str,
    index: &crate::text::LineIndex,
    comments: &[(u32, u32)],
    statements: impl FnOnce() -> Vec<StatementLines>,
) -> Vec<Suppression> {
    let text_of = |&(start, end): &(u32, u32)| source.get(start as usize..end as usize);
    if !comments
        .iter()
        .any(|c| text_of(c).is_some_and(|t| t.contains(MARKER)))
    {
        return Vec::new();
    }
    let mut directives = Vec::new();
    // Lines that hold nothing but a comment: an own-line directive skips them to reach code.
    let mut comment_lines = std::collections::HashSet::new();
    for c in comments {
        let Some(text) = text_of(c) else { continue };
        let (line, _) = index.position(source, c.0);
        let (end_line, _) = index.position(source, c.1);
        let line_start = source[..c.0 as usize].rfind('\n').map_or(0, |p| p + 1);
        let trailing = !source[line_start..c.0 as usize].trim().is_empty();
        if !trailing {
            comment_lines.extend(line..=end_line);
        }
        if let Some(directive) = parse_directive(text) {
            directives.push(DirectiveComment {
                directive,
                line,
                trailing,
            });
        }
    }
    if directives.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = source.lines().collect();
    let skippable = |line: u32| {
        comment_lines.contains(&line)
            || lines
                .get(line as usize - 1)
                .is_none_or(|l| l.trim().is_empty())
    };
    locate(
        directives,
        &statements(),
        skippable,
        index.line_count() as u32,
    )
}

/// Directives in a file whose comments start with `#` (env files, YAML, TOML, Dockerfiles,
/// Procfiles, shell): a line whose first non-blank character is `#`, or a ` #` comment after
/// a value. There are no statements, so each covers the next non-comment line or its own.
pub fn hash_comment_suppressions(text: &str) -> Vec<Suppression> {
    let lines: Vec<&str> = text.lines().collect();
    let mut comments = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(MARKER) {
            continue;
        }
        let trimmed = line.trim_start();
        let (comment, trailing) = if trimmed.starts_with('#') {
            (trimmed, false)
        } else if let Some(pos) = line.find(" #") {
            (&line[pos + 1..], true)
        } else {
            continue;
        };
        if let Some(directive) = parse_directive(comment) {
            comments.push(DirectiveComment {
                directive,
                line: i as u32 + 1,
                trailing,
            });
        }
    }
    if comments.is_empty() {
        return Vec::new();
    }
    let blank_or_comment = |line: u32| {
        lines
            .get(line as usize - 1)
            .is_none_or(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    };
    locate(comments, &[], blank_or_comment, lines.len() as u32)
}

/// The directives of a Markdown file: `<!-- flightcheck-ignore RULE -- reason -->` on a line
/// of its own (covers the next non-blank line) or after text (covers its own line).
pub fn html_comment_suppressions(text: &str) -> Vec<Suppression> {
    let lines: Vec<&str> = text.lines().collect();
    let mut comments = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(MARKER) {
            continue;
        }
        let Some(open) = line.find("<!--") else {
            continue;
        };
        let inner = &line[open + 4..];
        let inner = inner.split("-->").next().unwrap_or(inner);
        if let Some(directive) = parse_directive(inner) {
            comments.push(DirectiveComment {
                directive,
                line: i as u32 + 1,
                trailing: !line[..open].trim().is_empty(),
            });
        }
    }
    if comments.is_empty() {
        return Vec::new();
    }
    let blank_or_comment = |line: u32| {
        lines.get(line as usize - 1).is_none_or(|l| {
            let t = l.trim();
            t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->"))
        })
    };
    locate(comments, &[], blank_or_comment, lines.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_syntax() {
        let d = parse_directive("// flightcheck-ignore bot/no-error-handler -- handled upstream")
            .expect("directive");
        assert!(!d.file_level);
        assert_eq!(d.rules, ["bot/no-error-handler"]);
        assert_eq!(d.reason, "handled upstream");

        let d = parse_directive("# flightcheck-ignore-file security/, perf/blocking-io-in-async")
            .expect("directive");
        assert!(d.file_level);
        assert_eq!(d.rules, ["security/", "perf/blocking-io-in-async"]);
        assert_eq!(d.reason, "");

        let d = parse_directive("/* flightcheck-ignore a/b c/d -- x -- y */").expect("directive");
        assert_eq!(d.rules, ["a/b", "c/d"]);
        assert_eq!(d.reason, "x -- y");

        assert!(parse_directive("// flightcheck-ignored by policy").is_none());
        assert!(parse_directive("// see flightcheck-ignore docs").is_none());
        assert_eq!(
            parse_directive("# flightcheck-ignore").map(|d| d.rules.len()),
            Some(0)
        );
    }

    fn comment(line: u32, trailing: bool, rule: &str) -> DirectiveComment {
        DirectiveComment {
            directive: Directive {
                file_level: false,
                rules: vec![rule.into()],
                reason: String::new(),
            },
            line,
            trailing,
        }
    }

    #[test]
    fn coverage_of_own_line_and_trailing_comments() {
        // 1 // directive
        // 2 // another comment
        // 3 foo(
        // 4   a,
        // 5 )
        // 6 function f() {      <- compound: header only
        // 7   bar()
        // 8 }
        let statements = [
            StatementLines {
                first: 3,
                last: 5,
                simple: true,
            },
            StatementLines {
                first: 6,
                last: 8,
                simple: false,
            },
            StatementLines {
                first: 7,
                last: 7,
                simple: true,
            },
        ];
        let comments_at = [1, 2];
        let s = locate(
            vec![comment(1, false, "x/y"), comment(5, true, "x/y")],
            &statements,
            |l| comments_at.contains(&l),
            8,
        );
        assert_eq!((s[0].first, s[0].last), (3, 5));
        assert!(s[0].covers("x/y", 4));
        assert!(!s[0].covers("x/z", 4));
        assert!(!s[0].covers("x/y", 6));
        // Trailing on the last line of a multi-line call: the whole call.
        assert_eq!((s[1].first, s[1].last), (3, 5));

        let s = locate(
            vec![comment(5, false, "x/y")],
            &statements,
            |l| comments_at.contains(&l),
            8,
        );
        assert_eq!(
            (s[0].first, s[0].last),
            (6, 6),
            "a function: its header only"
        );
    }

    #[test]
    fn hash_comments() {
        let text = "# flightcheck-ignore config/empty-secret -- set by the platform\nSECRET=\n\nURL=http://localhost # flightcheck-ignore config/localhost-in-production\nOTHER=\n";
        let s = hash_comment_suppressions(text);
        assert_eq!(s.len(), 2);
        assert!(s[0].covers("config/empty-secret", 2));
        assert!(!s[0].covers("config/empty-secret", 5));
        assert_eq!(s[0].reason, "set by the platform");
        assert!(s[1].covers("config/localhost-in-production", 4));
        assert!(!s[1].covers("config/localhost-in-production", 5));
    }

    #[test]
    fn markdown_html_comments() {
        let md = "# Bot\n\n<!-- flightcheck-ignore docs/readiness-claim-contradicted -- marketing page -->\n\nProduction-ready bot.\nSee docs. <!-- flightcheck-ignore docs/ -->\n<!-- a plain comment -->\n";
        let s = html_comment_suppressions(md);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].first, s[0].last), (3, 5, 5));
        assert_eq!(s[0].reason, "marketing page");
        assert_eq!((s[1].first, s[1].last), (6, 6));
        assert!(html_comment_suppressions("flightcheck-ignore in prose\n").is_empty());
    }
}
