//! Byte offsets to 1-based line/column positions, and source snippets.

use crate::Span;

/// Line start offsets of one text, for offset → (line, column) conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(newline_offsets(text).map(|i| i as u32 + 1));
        Self { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 1-based line `line` of `text` (the text this index was built from),
    /// without its line ending; `""` past the end. O(length of the line).
    pub fn line<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let Some(&start) = self.starts.get((line as usize).wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .starts
            .get(line as usize)
            .map_or(text.len(), |&next| next as usize - 1);
        text.get(start as usize..end.max(start as usize))
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end clamp.
    pub fn position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line_idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts[line_idx] as usize;
        let mut end = offset as usize;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[start..end].chars().count() as u32 + 1;
        (line_idx as u32 + 1, column)
    }

    /// Span of a byte range; an empty range still gets `end_column > column`.
    pub fn span(&self, text: &str, start: u32, end: u32) -> Span {
        let (line, column) = self.position(text, start);
        let (end_line, mut end_column) = self.position(text, end.max(start));
        if end_line == line && end_column <= column {
            end_column = column + 1;
        }
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

fn newline_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
}

/// The text of 1-based line `line`, without its line ending; at most `max` characters.
pub fn line_text(text: &str, line: u32, max: usize) -> String {
    let raw = text
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("");
    truncate(raw.trim_end_matches('\r'), max)
}

/// `s` cut to `max` characters with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        // 'd' follows a two-byte character.
        assert_eq!(idx.position(text, 5), (2, 2));
        assert_eq!(idx.position(text, 999), (3, 1));
        let span = idx.span(text, 3, 3);
        assert_eq!((span.line, span.column, span.end_column), (2, 1, 2));
    }

    #[test]
    fn indexed_lines_match_line_text() {
        let text = "a\r\nbcdef\n\nlast";
        let idx = LineIndex::new(text);
        for line in 1..6 {
            assert_eq!(idx.line(text, line), line_text(text, line, usize::MAX));
        }
        assert_eq!(idx.line(text, 0), "");
        assert_eq!(idx.line(text, 2), "bcdef");
        assert_eq!(idx.line(text, 4), "last");
        assert_eq!(idx.line(text, 9), "");
    }

    #[test]
    fn line_text_and_truncate() {
        assert_eq!(line_text("a\r\nbcdef\n", 2, 3), "bc…");
        assert_eq!(line_text("a", 5, 3), "");
    }
}

/// `path` as a report path: `/` between components. Only on Windows is `\\` a separator;
/// elsewhere it is a byte of the file name (`back\\slash.js`) and stays.
pub fn slash_path(path: &std::path::Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// `s` as one word of a POSIX shell command: unchanged when it holds only characters no
/// shell interprets, else single-quoted (`'it'\''s'`). File names in "verify" commands go
/// through this, so a file named `$(touch x).js` cannot turn a copy-pasted command into
/// another one.
pub fn shell_quote(s: &str) -> std::borrow::Cow<'_, str> {
    let safe = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b'@' | b'%' | b'+' | b'=' | b':' | b','
                )
        });
    if safe {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", s.replace('\'', "'\\''")))
    }
}

/// `s` with control characters (ESC, BEL, CR…) shown as `\u{1b}` escapes: file names and
/// quoted text from a scanned repository must not drive the terminal or break a line of
/// GitHub annotation syntax.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod shell_tests {
    use super::*;

    #[test]
    fn quoting_and_escaping() {
        assert_eq!(shell_quote("src/bot.js"), "src/bot.js");
        assert_eq!(shell_quote("$(touch x).js"), "'$(touch x).js'");
        assert_eq!(shell_quote("it's.py"), "'it'\\''s.py'");
        assert_eq!(shell_quote("a b.js"), "'a b.js'");
        assert_eq!(escape_controls("a\u{1b}[31mred.js"), "a\\u{1b}[31mred.js");
        assert_eq!(escape_controls("plain\nline"), "plain\nline");
    }
}

/// `1 source file`, `3 source files`: a count with the noun in the right number.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
