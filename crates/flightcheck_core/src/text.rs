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
    fn line_text_and_truncate() {
        assert_eq!(line_text("a\r\nbcdef\n", 2, 3), "bc…");
        assert_eq!(line_text("a", 5, 3), "");
    }
}
