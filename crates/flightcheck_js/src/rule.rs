//! Per-file rules for JavaScript/TypeScript, dispatched by node kind from one pass over the
//! semantic model's nodes (the shape of oxlint's linter).

use flightcheck_core::text::LineIndex;
use flightcheck_core::{FileFinding, Severity};
use oxc_ast::AstType;
use oxc_semantic::{AstNode, Semantic};

/// What a rule sees while the walk visits a node.
pub struct JsRuleContext<'a, 'c> {
    pub path: &'c str,
    pub source: &'a str,
    pub semantic: &'c Semantic<'a>,
    index: &'c LineIndex,
    findings: Vec<FileFinding>,
}

impl<'a, 'c> JsRuleContext<'a, 'c> {
    /// Reports a finding of `rule` over `span` (byte offsets of this file).
    pub fn report(
        &mut self,
        rule: &'static str,
        span: oxc_span::Span,
        message: impl Into<String>,
        severity: Option<Severity>,
    ) {
        let range = (span.start as usize, span.end as usize);
        let span = self.index.span(self.source, span.start, span.end);
        self.findings.push(FileFinding::new(
            rule,
            self.source,
            range,
            span,
            message.into(),
            severity,
        ));
    }
}

/// A rule that inspects JavaScript/TypeScript syntax nodes of one file.
pub trait JsFileRule: Sync + Send {
    /// The rule id (its metadata lives with the rule, in the rules crate).
    fn id(&self) -> &'static str;
    /// The node kinds this rule wants; the walk calls [`JsFileRule::check`] only for them.
    fn node_types(&self) -> &'static [AstType];
    fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>);
}

/// Runs `rules` over every node of `semantic` in one pass, each node dispatched only to
/// the rules that asked for its kind.
pub(crate) fn run<'a>(
    path: &str,
    source: &'a str,
    semantic: &Semantic<'a>,
    index: &LineIndex,
    rules: &[&dyn JsFileRule],
) -> Vec<FileFinding> {
    if rules.is_empty() {
        return Vec::new();
    }
    let mut by_type: Vec<Vec<&dyn JsFileRule>> =
        vec![Vec::new(); usize::from(oxc_ast::ast_kind::AST_TYPE_MAX) + 1];
    for rule in rules {
        for ty in rule.node_types() {
            by_type[*ty as usize].push(*rule);
        }
    }
    let mut ctx = JsRuleContext {
        path,
        source,
        semantic,
        index,
        findings: Vec::new(),
    };
    for node in semantic.nodes().iter() {
        for rule in &by_type[node.kind().ty() as usize] {
            rule.check(node, &mut ctx);
        }
    }
    ctx.findings
}
