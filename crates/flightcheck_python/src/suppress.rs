//! `flightcheck-ignore` directives in Python comments (tokens, so never text inside strings),
//! located on the statements they cover.

use flightcheck_core::suppress::{self, StatementLines, Suppression};
use flightcheck_core::text::LineIndex;
use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::{Stmt, Suite};
use ruff_text_size::{Ranged, TextRange};

pub(crate) fn suppressions(
    body: &Suite,
    tokens: &Tokens,
    source: &str,
    index: &LineIndex,
) -> Vec<Suppression> {
    let comments: Vec<(u32, u32)> = tokens
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .map(|t| (t.start().to_u32(), t.end().to_u32()))
        .collect();
    suppress::from_comments(source, index, &comments, || {
        let mut collector = Statements {
            source,
            index,
            statements: Vec::new(),
        };
        collector.visit_body(body);
        collector.statements
    })
}

/// Statement line ranges: compound statements (`def`, `class`, `if`, loops, `with`, `try`,
/// `match`) are covered on their first line only; decorators are simple, so a directive
/// above a multi-line `@app.post(...)` covers all of it.
struct Statements<'s> {
    source: &'s str,
    index: &'s LineIndex,
    statements: Vec<StatementLines>,
}

impl Statements<'_> {
    fn push(&mut self, range: TextRange, simple: bool) {
        let (first, _) = self.index.position(self.source, range.start().to_u32());
        let (last, _) = self.index.position(self.source, range.end().to_u32());
        self.statements.push(StatementLines {
            first,
            last,
            simple,
        });
    }
}

impl<'a> StatementVisitor<'a> for Statements<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let decorators = match stmt {
            Stmt::FunctionDef(f) => f.decorator_list.as_slice(),
            Stmt::ClassDef(c) => c.decorator_list.as_slice(),
            _ => &[],
        };
        for d in decorators {
            self.push(d.range(), true);
        }
        let compound = matches!(
            stmt,
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::With(_)
                | Stmt::Try(_)
                | Stmt::Match(_)
        );
        // A decorated definition's range starts at its first decorator; its header is the
        // `def`/`class` line, which is where a directive between decorators and `def` points.
        let range = match stmt {
            Stmt::FunctionDef(f) => TextRange::new(f.name.start(), f.range().end()),
            Stmt::ClassDef(c) => TextRange::new(c.name.start(), c.range().end()),
            _ => stmt.range(),
        };
        self.push(range, !compound);
        walk_stmt(self, stmt);
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_for;

    #[test]
    fn directives_in_comments_not_strings() {
        let src = "\
import os
# flightcheck-ignore perf/blocking-io-in-async -- startup only
data = open(
    'x',
).read()
s = '# flightcheck-ignore security/'
x = 1  # flightcheck-ignore config/
# flightcheck-ignore resilience/dangling-task
async def f():
    await g()
";
        let facts = analyze_for(src, &[], None);
        let s = &facts.suppressions;
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!((s[0].first, s[0].last), (3, 5));
        assert_eq!(s[0].reason, "startup only");
        assert_eq!((s[1].first, s[1].last), (7, 7));
        assert_eq!(
            (s[2].first, s[2].last),
            (9, 9),
            "a function: its header only"
        );
    }
}
