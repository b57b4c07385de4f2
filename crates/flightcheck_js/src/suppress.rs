//! `flightcheck-ignore` directives in JS/TS comments, located on the statements they cover.

use flightcheck_core::suppress::{self, StatementLines, Suppression};
use flightcheck_core::text::LineIndex;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;

pub(crate) fn suppressions(program: &Program, source: &str, index: &LineIndex) -> Vec<Suppression> {
    let comments: Vec<(u32, u32)> = program
        .comments
        .iter()
        .map(|c| (c.span.start, c.span.end))
        .collect();
    suppress::from_comments(source, index, &comments, || {
        let mut collector = Statements {
            source,
            index,
            statements: Vec::new(),
            open_simple: Vec::new(),
        };
        collector.visit_program(program);
        collector.statements
    })
}

/// Collects statement line ranges. A statement is simple unless it is a block, a loop, a
/// branch, a function or class, or holds a function body (`const h = async () => {…}`): one
/// directive above it must not hide everything inside.
struct Statements<'s> {
    source: &'s str,
    index: &'s LineIndex,
    statements: Vec<StatementLines>,
    /// Indices of the simple statements being walked.
    open_simple: Vec<usize>,
}

fn is_compound(stmt: &Statement) -> bool {
    match stmt {
        Statement::BlockStatement(_)
        | Statement::IfStatement(_)
        | Statement::ForStatement(_)
        | Statement::ForInStatement(_)
        | Statement::ForOfStatement(_)
        | Statement::WhileStatement(_)
        | Statement::DoWhileStatement(_)
        | Statement::SwitchStatement(_)
        | Statement::TryStatement(_)
        | Statement::LabeledStatement(_)
        | Statement::WithStatement(_)
        | Statement::FunctionDeclaration(_)
        | Statement::ClassDeclaration(_)
        | Statement::TSNamespaceDeclaration(_) => true,
        Statement::ExportDeclaration(e) => matches!(
            e.declaration,
            Declaration::FunctionDeclaration(_) | Declaration::ClassDeclaration(_)
        ),
        Statement::ExportDefaultDeclaration(e) => matches!(
            e.declaration,
            ExportDefaultDeclarationKind::FunctionDeclaration(_)
                | ExportDefaultDeclarationKind::ClassDeclaration(_)
        ),
        _ => false,
    }
}

impl<'a> Visit<'a> for Statements<'_> {
    fn visit_statement(&mut self, it: &Statement<'a>) {
        let span = it.span();
        let (first, _) = self.index.position(self.source, span.start);
        let (last, _) = self.index.position(self.source, span.end);
        let simple = !is_compound(it);
        self.statements.push(StatementLines {
            first,
            last,
            simple,
        });
        if simple {
            self.open_simple.push(self.statements.len() - 1);
            walk::walk_statement(self, it);
            self.open_simple.pop();
        } else {
            walk::walk_statement(self, it);
        }
    }

    fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
        for &i in &self.open_simple {
            self.statements[i].simple = false;
        }
        walk::walk_function_body(self, it);
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze;

    #[test]
    fn directives_in_comments_not_strings() {
        let src = "\
const a = 1;
// flightcheck-ignore bot/no-error-handler -- errors are reported by the host
bot.launch(
  opts,
);
const s = '// flightcheck-ignore security/';
foo(); // flightcheck-ignore perf/sync-fs-in-handler
/* flightcheck-ignore-file data/ -- generated */
const h = async () => {
  work();
};
";
        let facts = analyze("src/bot.js", src, &[]);
        let s = &facts.suppressions;
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!((s[0].first, s[0].last), (3, 5));
        assert_eq!(s[0].reason, "errors are reported by the host");
        assert_eq!((s[1].first, s[1].last), (7, 7));
        assert!(s[2].file_level);
        assert!(s[2].covers("data/json-file-database", 10));
    }

    #[test]
    fn a_directive_above_a_function_covers_its_first_line_only() {
        let src = "\
// flightcheck-ignore x/y
const h = async () => {
  work();
};
";
        let facts = analyze("a.ts", src, &[]);
        assert_eq!(
            (facts.suppressions[0].first, facts.suppressions[0].last),
            (2, 2)
        );
    }
}
