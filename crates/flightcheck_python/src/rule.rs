//! Per-file rules for Python, dispatched by node kind from the one walk that also extracts
//! facts.

use flightcheck_core::{FileFinding, Severity, Span};
use ruff_python_ast::{AnyNodeRef, Expr, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

/// A node handed to a rule.
#[derive(Clone, Copy)]
pub enum PyNode<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

impl PyNode<'_> {
    pub fn kind(&self) -> NodeKind {
        match self {
            Self::Stmt(s) => AnyNodeRef::from(*s).kind(),
            Self::Expr(e) => AnyNodeRef::from(*e).kind(),
        }
    }
}

/// An enclosing function.
#[derive(Debug, Clone)]
pub struct PyScope {
    pub name: String,
    pub is_async: bool,
}

/// What a rule sees while the walk visits a node.
pub struct PyRuleContext<'s> {
    pub source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    pub(crate) findings: Vec<FileFinding>,
    /// Enclosing functions, innermost last (lambdas count, as sync functions).
    pub(crate) scopes: Vec<PyScope>,
    /// Local names bound by imports so far: `aio` → `asyncio`, `create_task` →
    /// `asyncio.create_task`.
    pub(crate) imported: HashMap<String, String>,
}

impl<'s> PyRuleContext<'s> {
    pub(crate) fn new(source: &'s str, span_of: &'s dyn Fn(TextRange) -> Span) -> Self {
        Self {
            source,
            span_of,
            findings: Vec::new(),
            scopes: Vec::new(),
            imported: HashMap::new(),
        }
    }

    pub fn report(
        &mut self,
        rule: &'static str,
        range: TextRange,
        message: impl Into<String>,
        severity: Option<Severity>,
    ) {
        let offsets = (range.start().to_usize(), range.end().to_usize());
        let span = (self.span_of)(range);
        self.findings.push(FileFinding::new(
            rule,
            self.source,
            offsets,
            span,
            message.into(),
            severity,
        ));
    }

    /// The innermost enclosing function, if any.
    pub fn function(&self) -> Option<&PyScope> {
        self.scopes.last()
    }

    /// The qualified name a local name was imported as (`aio` → `asyncio`).
    pub fn imported_as(&self, local: &str) -> Option<&str> {
        self.imported.get(local).map(String::as_str)
    }

    /// The source text of a node.
    pub fn text(&self, node: &impl Ranged) -> &'s str {
        let r = node.range();
        self.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }
}

/// A rule that inspects Python syntax nodes of one file.
pub trait PyFileRule: Sync + Send {
    fn id(&self) -> &'static str;
    /// The node kinds this rule wants; the walk calls [`PyFileRule::check`] only for them.
    fn node_kinds(&self) -> &'static [NodeKind];
    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>);
}

/// Rules indexed by the node kind they want.
pub(crate) struct Dispatch<'r> {
    by_kind: HashMap<NodeKind, Vec<&'r dyn PyFileRule>>,
}

impl<'r> Dispatch<'r> {
    pub(crate) fn new(rules: &[&'r dyn PyFileRule]) -> Self {
        let mut by_kind: HashMap<NodeKind, Vec<&'r dyn PyFileRule>> = HashMap::new();
        for rule in rules {
            for kind in rule.node_kinds() {
                by_kind.entry(*kind).or_default().push(*rule);
            }
        }
        Self { by_kind }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }

    pub(crate) fn run(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        if let Some(rules) = self.by_kind.get(&node.kind()) {
            for rule in rules {
                rule.check(node, ctx);
            }
        }
    }
}
