//! How deep a source file's syntax tree can get, measured before parsing it.
//!
//! Recursive-descent parsers and recursive AST walks need stack in proportion to the depth
//! of the tree. Hand-written code is shallow; generated code is not always: `x = 1 + 1 + …`
//! with 100k terms, `f()()()…`, `a.b.c.…`, `~~~…x`, `a = b = c = …`. Such a file must be
//! skipped with a note, never abort the scan with a stack overflow.
//!
//! One pass over the bytes, linear in the file: comments and string literals are skipped,
//! and per bracket level the tokens that deepen the tree (binary and unary operators,
//! member access, calls and subscripts chained onto a value, assignments) are counted from
//! the last separator of that level (`,`, `;`, or a line break that does not continue the
//! expression). The depth estimate at a point is the sum of those counts over the open
//! levels plus the nesting; its maximum over the file bounds the tree depth from above.

use flightcheck_core::Language;

/// What [`measure`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Depth {
    /// Deepest bracket nesting outside comments and strings.
    pub nesting: usize,
    /// Largest estimate of expression depth (chained operators plus nesting).
    pub chain: usize,
}

/// Measures `text` as source of `language`.
pub fn measure(text: &str, language: Language) -> Depth {
    let python = language == Language::Python;
    let b = text.as_bytes();
    let n = b.len();
    // Chain tokens counted at each open bracket level; `levels.len() - 1` is the nesting.
    let mut levels: Vec<usize> = vec![0];
    let mut total: usize = 0; // sum of `levels`
    let mut out = Depth::default();
    // A line break at this level may end the statement; decided by the next token.
    let mut pending_break = false;
    // The last significant byte: an operator there continues the statement over a break.
    let mut last: u8 = b'\n';
    let mut i = 0;
    while i < n {
        let c = b[i];
        // Comments.
        if (python && c == b'#') || (!python && c == b'/' && i + 1 < n && b[i + 1] == b'/') {
            while i < n && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if !python && c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < n && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(n);
            continue;
        }
        if c == b'\n' {
            if levels.len() == 1 || !python {
                pending_break = true;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // The first token after a line break: the statement ended unless an operator
        // continues it (at either end of the break).
        if pending_break {
            pending_break = false;
            // JavaScript inserts no semicolon before `(`, `[` or a template (`f()\n()` is
            // one call chain), nor after the `:` of a conditional.
            let continues = is_operator(last)
                || matches!(last, b'\\' | b'=' | b'~' | b'!')
                || is_operator(c)
                || c == b'.'
                || (!python && (matches!(c, b'(' | b'[' | b'`') || last == b':'));
            if !continues && let Some(top) = levels.last_mut() {
                total -= *top;
                *top = 0;
            }
        }
        // String literals: skipped whole (a quote without its pair ends at the line).
        if c == b'"' || c == b'\'' || c == b'`' {
            let triple = python && i + 2 < n && b[i + 1] == c && b[i + 2] == c;
            i = skip_string(b, i, c, triple || c == b'`');
            last = b'"';
            continue;
        }
        // Words: keyword operators (`not`, `and`, `typeof`, `await`…) deepen the tree like
        // symbols do; other words are operands.
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let end = word_end(b, i);
            if is_keyword_operator(&b[i..end], python) {
                bump(&mut levels, &mut total);
                last = b'~';
            } else {
                last = b[end - 1];
            }
            let nesting = levels.len() - 1;
            out.chain = out.chain.max(total + nesting);
            i = end;
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => {
                // A call or subscript chained onto a value deepens the tree at this level.
                if c != b'{'
                    && (last.is_ascii_alphanumeric() || matches!(last, b')' | b']' | b'_' | b'"'))
                {
                    bump(&mut levels, &mut total);
                }
                levels.push(0);
            }
            b')' | b']' | b'}' if levels.len() > 1 => {
                total -= levels.pop().unwrap_or(0);
            }
            b',' | b';' => {
                if let Some(top) = levels.last_mut() {
                    total -= *top;
                    *top = 0;
                }
            }
            b'.' => {
                // `...` spread and `1.5` are not member access; counting them anyway only
                // overestimates, on runs no hand-written code has.
                bump(&mut levels, &mut total);
            }
            // An operator of several characters (`===`, `**=`, `>>>`) counts once.
            _ if (is_operator(c) || matches!(c, b'=' | b'~' | b'!'))
                && (!(is_operator(last) || matches!(last, b'=' | b'~' | b'!'))
                    || matches!(c, b'~' | b'!')) =>
            {
                bump(&mut levels, &mut total);
            }
            _ => {}
        }
        last = c;
        let nesting = levels.len() - 1;
        out.nesting = out.nesting.max(nesting);
        out.chain = out.chain.max(total + nesting);
        i += 1;
    }
    out
}

/// The index after the word starting at `start` (identifier characters).
fn word_end(b: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < b.len() && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'_' | b'$')) {
        end += 1;
    }
    end
}

/// Words that are operators of the language: each one is a node above its operand(s).
fn is_keyword_operator(word: &[u8], python: bool) -> bool {
    const PYTHON: [&[u8]; 9] = [
        b"not", b"and", b"or", b"if", b"else", b"lambda", b"await", b"in", b"is",
    ];
    const JAVASCRIPT: [&[u8]; 8] = [
        b"typeof",
        b"void",
        b"new",
        b"await",
        b"delete",
        b"instanceof",
        b"in",
        b"yield",
    ];
    if python {
        PYTHON.contains(&word)
    } else {
        JAVASCRIPT.contains(&word)
    }
}

fn bump(levels: &mut [usize], total: &mut usize) {
    if let Some(top) = levels.last_mut() {
        *top += 1;
        *total += 1;
    }
}

fn is_operator(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'<' | b'>' | b'?'
    )
}

/// The index after the string literal opened by `quote` at `start`. A single-quoted string
/// ends at an unescaped line break (an unclosed quote cannot swallow the file).
fn skip_string(b: &[u8], start: usize, quote: u8, multiline: bool) -> usize {
    let n = b.len();
    let triple = multiline
        && quote != b'`'
        && start + 2 < n
        && b[start + 1] == quote
        && b[start + 2] == quote;
    let mut i = start + if triple { 3 } else { 1 };
    while i < n {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == b'\n' && !multiline {
            return i;
        }
        if c == quote {
            if !triple {
                return i + 1;
            }
            if i + 2 < n && b[i + 1] == quote && b[i + 2] == quote {
                return i + 3;
            }
        }
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(text: &str) -> Depth {
        measure(text, Language::JavaScript)
    }
    fn py(text: &str) -> Depth {
        measure(text, Language::Python)
    }

    #[test]
    fn chains_of_every_shape_are_counted() {
        let n = 500;
        assert!(js(&format!("x = {}1;", "1 + ".repeat(n))).chain > n);
        assert!(js(&format!("f{};", "()".repeat(n))).chain >= n);
        assert!(py(&format!("a{}\n", ".b".repeat(n))).chain >= n);
        assert!(js(&format!("x = {}y;", "~".repeat(n))).chain >= n);
        assert!(py(&format!("{}1\n", "a = ".repeat(n))).chain >= n);
        // Across lines, inside brackets, an operator continuing each line.
        assert!(py(&format!("x = (1\n{})\n", "  + 1\n".repeat(n))).chain > n);
        assert!(js(&format!("x = 1 +\n{}1;", "1 +\n".repeat(n))).chain > n);
        // Keyword operators, and JavaScript lines that continue without an operator.
        assert!(py(&format!("x = ({}a)\n", "not\n".repeat(n))).chain >= n);
        assert!(py(&format!("x = ({}a)\n", "a and\n".repeat(n))).chain >= n);
        assert!(js(&format!("x = {}1;", "typeof\n".repeat(n))).chain >= n);
        assert!(js(&format!("x = {}1;", "!\n".repeat(n))).chain >= n);
        assert!(js(&format!("x = f{};", "()\n".repeat(n))).chain >= n);
    }

    #[test]
    fn comments_strings_and_statements_do_not_add_up() {
        // A 2,000-line class of short statements: shallow.
        let class = format!(
            "class Big {{\n{}}}\n",
            "  m(a, b) {\n    const x = a + b * 2 - 1;\n    return x > 0 ? this.y.z(x) : -x;\n  }\n"
                .repeat(500)
        );
        assert!(js(&class).chain < 20, "{:?}", js(&class));
        let py_class = format!(
            "class Big:\n{}",
            "    def m(self, a):\n        # a + b + c - d\n        return a + 1 - 2 * self.x.y\n"
                .repeat(700)
        );
        assert!(py(&py_class).chain < 20, "{:?}", py(&py_class));
        let comments = format!("{}\nx = 1\n", "// a + b + c + d + e + f\n".repeat(3000));
        assert!(js(&comments).chain < 5);
        let strings = format!("s = [{}]\n", "'+-*/.~!=', ".repeat(3000));
        assert!(py(&strings).chain < 5);
        let doc = format!("\"\"\"{}\"\"\"\nx = 1\n", "a + b + (c\n".repeat(3000));
        assert_eq!(py(&doc).nesting, 0);
    }

    #[test]
    fn blank_lines_are_linear_and_shallow() {
        let text = format!("x = 1{}y = 2\n", "\n".repeat(200_000));
        assert_eq!(py(&text).chain, 1);
    }
}
