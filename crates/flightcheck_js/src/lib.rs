//! JavaScript/TypeScript: parse with oxc once per file, run the semantic checks a runtime
//! performs before executing (early errors such as a `const` declared twice), and extract
//! [`FileFacts`].

mod async_facts;
mod config_facts;
mod fn_names;
mod globals;
mod integrity_facts;
mod obs_facts;
mod resilience_facts;
pub mod resolve;
pub mod rule;
mod state_facts;
mod suppress;
pub mod wiring;

pub use rule::{JsFileRule, JsRuleContext};

use flightcheck_core::text::LineIndex;
use flightcheck_core::{
    DynamicLoad, EnvRead, FileFacts, Framework, ImportFact, ImportKind, Span, SyntaxIssue,
};
use oxc_allocator::Allocator;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_parser::{ParseOptions, Parser};
use oxc_semantic::{ScopeFlags, Scoping, SemanticBuilder};
use oxc_span::{GetSpan, SourceType};
use std::collections::{HashMap, HashSet};

/// The source type oxc should parse `path` as. `.js`/`.jsx` are "unambiguous": a module
/// when they use ESM syntax, a script otherwise, as Node decides for package type commonjs.
/// `.js` may hold JSX: Create React App, Vite and Babel setups compile it, so JSX there is
/// not a syntax error.
pub fn source_type(path: &str) -> SourceType {
    let st = SourceType::from_path(path).unwrap_or_default();
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".js") || lower.ends_with(".jsx") {
        st.with_unambiguous(true).with_jsx(true)
    } else {
        st
    }
}

/// Parses `source` (named `path`, for the dialect) and extracts its facts. Never panics on
/// bad input: syntax errors become [`SyntaxIssue`]s.
pub fn analyze(path: &str, source: &str, rules: &[&dyn JsFileRule]) -> FileFacts {
    let allocator = Allocator::default();
    let st = source_type(path);
    let lower = path.to_ascii_lowercase();
    let parsed = Parser::new(&allocator, source, st)
        .with_options(ParseOptions {
            parse_regular_expression: true,
            // Node wraps a CommonJS file in a function: `return` at its top level ends the
            // module early (`if (require.main !== module) return;`) and `node --check`
            // accepts it. `.js` is CommonJS unless its package says otherwise.
            allow_return_outside_function: [".js", ".jsx", ".cjs"]
                .iter()
                .any(|e| lower.ends_with(e)),
            ..ParseOptions::default()
        })
        .parse();
    let index = LineIndex::new(source);
    let mut facts = FileFacts {
        lines: index.line_count() as u32,
        ..Default::default()
    };
    let span_of = |start: u32, end: u32| index.span(source, start, end);

    let mut issues: Vec<SyntaxIssue> = Vec::new();
    let mut push_diag = |d: &oxc_diagnostics::OxcDiagnostic| {
        if d.severity != oxc_diagnostics::Severity::Error {
            return;
        }
        // Multi-label errors (redeclarations) point at the first declaration first; the
        // error itself is where the runtime stops: the primary label, else the last one.
        let (start, end) = d
            .labels
            .iter()
            .find(|l| l.primary())
            .or_else(|| d.labels.last())
            .map(|l| (l.offset(), (l.offset() + l.len())))
            .unwrap_or((0, 0));
        issues.push(SyntaxIssue {
            message: d.message.to_string(),
            span: span_of(start, end),
        });
    };
    for d in parsed.diagnostics.iter() {
        push_diag(d);
    }
    if !parsed.panicked {
        // Early errors (redeclarations, invalid assignments...) live in semantic analysis.
        let semantic = SemanticBuilder::new()
            .with_check_syntax_error(true)
            // The node list is only needed to dispatch per-file rules.
            .with_build_nodes(!rules.is_empty())
            .build(&parsed.program);
        for d in semantic.diagnostics.iter() {
            push_diag(d);
        }
        let mut extractor = Extractor {
            facts: &mut facts,
            span_of: &span_of,
            try_depth: 0,
            function_depth: 0,
            defaulted: HashSet::new(),
            defaulted_names: HashSet::new(),
            scoping: semantic.semantic.scoping(),
            typescript: st.is_typescript(),
            source,
            literal_names: HashMap::new(),
        };
        extractor.visit_program(&parsed.program);
        let defaulted = std::mem::take(&mut extractor.defaulted);
        let defaulted_names = std::mem::take(&mut extractor.defaulted_names);
        let frameworks = facts.frameworks.clone();
        facts.wiring = wiring::extract(
            path,
            &parsed.program,
            source,
            semantic.semantic.scoping(),
            &frameworks,
            &span_of,
        );
        facts.findings = rule::run(path, source, &semantic.semantic, &index, rules);
        for read in &mut facts.env_reads {
            if defaulted.contains(&(read.span.line, read.span.column))
                || defaulted_names.contains(&read.name)
            {
                read.has_default = true;
            }
        }
        config_facts::extract(&parsed.program, source, &span_of, &mut facts);
        facts.observability =
            obs_facts::extract(&parsed.program, source, &span_of, &facts.frameworks);
        resilience_facts::extract(
            path,
            &parsed.program,
            semantic.semantic.scoping(),
            source,
            &span_of,
            &mut facts,
        );
        facts.integrity = integrity_facts::extract(
            path,
            &parsed.program,
            source,
            semantic.semantic.scoping(),
            &span_of,
        );
        state_facts::extract(
            &parsed.program,
            source,
            semantic.semantic.scoping(),
            &span_of,
            &mut facts,
        );
    }
    facts.suppressions = suppress::suppressions(&parsed.program, source, &index);
    issues.sort_by_key(|i| (i.span.line, i.span.column));
    issues.dedup();
    facts.syntax_issues = issues;
    facts.frameworks.sort();
    facts.frameworks.dedup();
    facts
}

struct Extractor<'f, F: Fn(u32, u32) -> Span> {
    facts: &'f mut FileFacts,
    span_of: &'f F,
    try_depth: u32,
    /// Functions (declarations, expressions, arrows) the walk is inside.
    function_depth: u32,
    /// Positions of `process.env.X` reads that have a `||`/`??` fallback.
    defaulted: HashSet<(u32, u32)>,
    /// Variables tested in a conditional with a fallback branch: every read of them in
    /// that expression is defaulted.
    defaulted_names: HashSet<String>,
    scoping: &'f Scoping,
    typescript: bool,
    source: &'f str,
    /// Start offsets of string literals assigned to a name (`const token = '…'`,
    /// `{ apiKey: '…' }`, `process.env.X || '…'`), with that name: for secret detection.
    literal_names: HashMap<u32, String>,
}

/// The literal directory a computed module path starts with: `` `../events/${f}` `` →
/// `../events/`, `'./commands/' + name` → `./commands/`. `None` when it starts computed.
fn dynamic_prefix(expr: &Expression) -> Option<String> {
    let head = match expr {
        Expression::TemplateLiteral(t) => t.quasis.first().map(|q| q.value.raw.to_string()),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            match &b.left {
                Expression::StringLiteral(s) => Some(s.value.to_string()),
                left => dynamic_prefix(left),
            }
        }
        _ => None,
    }?;
    let dir = &head[..head.rfind('/')? + 1];
    (dir.starts_with("./") || dir.starts_with("../")).then(|| dir.to_string())
}

/// `X` of `process.env.X`, `process.env["X"]`, `import.meta.env.X`.
pub(crate) fn env_name<'a>(expr: &'a Expression<'a>) -> Option<&'a str> {
    let (object, name) = match expr {
        Expression::StaticMemberExpression(m) => (&m.object, m.property.name.as_str()),
        Expression::ComputedMemberExpression(m) => match &m.expression {
            Expression::StringLiteral(s) => (&m.object, s.value.as_str()),
            _ => return None,
        },
        _ => return None,
    };
    let is_env_object = object.is_specific_member_access("process", "env")
        || matches!(object, Expression::StaticMemberExpression(m) if m.property.name == "env" && matches!(m.object, Expression::ImportMeta(_)));
    is_env_object.then_some(name)
}

/// A literal module specifier: `'x'` or `` `x` `` without substitutions.
fn literal_specifier<'a>(expr: &'a Expression<'a>) -> Option<&'a str> {
    match expr {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.as_str())
        }
        _ => None,
    }
}

impl<F: Fn(u32, u32) -> Span> Extractor<'_, F> {
    /// Remembers that the string literal `expr` (if it is one) is assigned to `name`.
    fn name_literal(&mut self, expr: &Expression, name: &str) {
        match expr.without_parentheses() {
            Expression::StringLiteral(s) => {
                self.literal_names.insert(s.span.start, name.to_string());
            }
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                self.literal_names.insert(t.span.start, name.to_string());
            }
            _ => {}
        }
    }

    /// Records the credentials in one string value whose literal spans `start..end` of the
    /// source. Only digests and previews are kept.
    fn secret_literal(&mut self, value: &str, start: u32, end: u32, name: Option<&str>) {
        if value.len() < 16 {
            return;
        }
        let raw = self.source.get(start as usize..end as usize).unwrap_or("");
        for hit in flightcheck_core::secrets::scan_value(value, name) {
            let Some(secret) = value.get(hit.start..hit.end) else {
                continue;
            };
            // The value's own position when the source spells it as is (no escapes).
            let (s, e) = match raw.find(secret) {
                Some(p) => (start + p as u32, start + (p + secret.len()) as u32),
                None => (start, end),
            };
            let span = (self.span_of)(s, e);
            self.facts
                .secrets
                .push(flightcheck_core::secrets::SecretCandidate::new(
                    &hit, secret, name, span,
                ));
        }
    }

    fn import(&mut self, specifier: &str, kind: ImportKind, start: u32, end: u32) {
        if kind != ImportKind::TypeOnly
            && let Some(fw) = Framework::from_js_specifier(specifier)
        {
            self.facts.frameworks.push(fw);
        }
        self.facts.imports.push(ImportFact {
            specifier: specifier.to_string(),
            kind,
            names: Vec::new(),
            guarded: self.try_depth > 0,
            erased: false,
            in_function: self.function_depth > 0,
            span: (self.span_of)(start, end),
        });
    }
}

impl<'a, F: Fn(u32, u32) -> Span> Visit<'a> for Extractor<'_, F> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let kind = if it.import_kind.is_type() {
            ImportKind::TypeOnly
        } else {
            ImportKind::Static
        };
        self.import(it.source.value.as_str(), kind, it.span.start, it.span.end);
        let names = it
            .specifiers
            .iter()
            .flatten()
            .filter_map(|s| match s {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    Some(s.imported.name().to_string())
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(_) => {
                    Some("default".to_string())
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => None,
            })
            .collect();
        // TypeScript drops an import whose names are only used as types (or unused).
        let erased = self.typescript
            && it.specifiers.as_ref().is_some_and(|specs| {
                !specs.is_empty()
                    && specs.iter().all(|s| {
                        let (local, inline_type) = match s {
                            ImportDeclarationSpecifier::ImportSpecifier(s) => {
                                (&s.local, s.import_kind.is_type())
                            }
                            ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                                (&s.local, false)
                            }
                            ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                                (&s.local, false)
                            }
                        };
                        inline_type
                            || local.symbol_id.get().is_some_and(|id| {
                                !self
                                    .scoping
                                    .get_resolved_references(id)
                                    .any(|r| r.is_value())
                            })
                    })
            });
        if let Some(last) = self.facts.imports.last_mut() {
            last.names = names;
            last.erased = erased;
        }
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let kind = if it.export_kind.is_type() {
            ImportKind::TypeOnly
        } else {
            ImportKind::Static
        };
        self.import(it.source.value.as_str(), kind, it.span.start, it.span.end);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        let kind = if it.export_kind.is_type() {
            ImportKind::TypeOnly
        } else {
            ImportKind::Static
        };
        self.import(it.source.value.as_str(), kind, it.span.start, it.span.end);
    }

    fn visit_ts_import_equals_declaration(&mut self, it: &TSImportEqualsDeclaration<'a>) {
        if let TSModuleReference::ExternalModuleReference(r) = &it.module_reference {
            let kind = if it.import_kind.is_type() {
                ImportKind::TypeOnly
            } else {
                ImportKind::Require
            };
            self.import(
                r.expression.value.as_str(),
                kind,
                it.span.start,
                it.span.end,
            );
        }
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Some(spec) = literal_specifier(&it.source) {
            self.import(spec, ImportKind::Dynamic, it.span.start, it.span.end);
        } else {
            let load = DynamicLoad {
                prefix: dynamic_prefix(&it.source),
                span: (self.span_of)(it.span.start, it.span.end),
            };
            self.facts.dynamic_loads.push(load);
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_id("require")
            && it.arguments.len() == 1
            && let Some(arg) = it.arguments[0].as_expression()
        {
            match literal_specifier(arg) {
                Some(spec) => self.import(spec, ImportKind::Require, it.span.start, it.span.end),
                None => {
                    let load = DynamicLoad {
                        prefix: dynamic_prefix(arg),
                        span: (self.span_of)(it.span.start, it.span.end),
                    };
                    self.facts.dynamic_loads.push(load);
                }
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        let value = it.value.as_str();
        let name = self.literal_names.get(&it.span.start).cloned();
        self.secret_literal(value, it.span.start, it.span.end, name.as_deref());
        let names_script = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| value.ends_with(e));
        if names_script
            && value.len() < 200
            && !value.contains(char::is_whitespace)
            && !value.contains("://")
        {
            self.facts.script_paths.push(value.to_string());
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        let name = if it.expressions.is_empty() {
            self.literal_names.get(&it.span.start).cloned()
        } else {
            None
        };
        for quasi in &it.quasis {
            let value = quasi.value.cooked.as_ref().unwrap_or(&quasi.value.raw);
            self.secret_literal(
                value.as_str(),
                quasi.span.start,
                quasi.span.end,
                name.as_deref(),
            );
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let Some(name) = it.left.get_identifier_name() {
            self.name_literal(&it.right, name);
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        // A Firebase web config (`apiKey`, `authDomain`, ...) is public by design.
        let public_config = it.properties.iter().any(|p| {
            matches!(p, ObjectPropertyKind::ObjectProperty(p)
                if p.key.static_name().is_some_and(|k| k == "authDomain" || k == "messagingSenderId"))
        });
        if !public_config {
            for p in &it.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = p
                    && let Some(key) = p.key.static_name()
                {
                    self.name_literal(&p.value, &key);
                }
            }
        }
        walk::walk_object_expression(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if let (Some(key), Some(value)) = (it.key.static_name(), &it.value) {
            self.name_literal(value, &key);
        }
        walk::walk_property_definition(self, it);
    }

    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        if let (Some(name), Some(init)) = (it.pattern.get_identifier_name(), &it.initializer) {
            self.name_literal(init, name.as_str());
        }
        walk::walk_formal_parameter(self, it);
    }

    fn visit_assignment_pattern(&mut self, it: &AssignmentPattern<'a>) {
        if let Some(name) = it.left.get_identifier_name() {
            self.name_literal(&it.right, name.as_str());
        }
        walk::walk_assignment_pattern(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        self.function_depth += 1;
        walk::walk_function(self, it, flags);
        self.function_depth -= 1;
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.function_depth += 1;
        walk::walk_arrow_function_expression(self, it);
        self.function_depth -= 1;
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        self.try_depth += 1;
        self.visit_block_statement(&it.block);
        self.try_depth -= 1;
        if let Some(handler) = &it.handler {
            self.visit_catch_clause(handler);
        }
        if let Some(finalizer) = &it.finalizer {
            self.visit_block_statement(finalizer);
        }
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        if let Some(name) = env_name(it) {
            let span = it.span();
            self.facts.env_reads.push(EnvRead {
                name: name.to_string(),
                has_default: false,
                span: (self.span_of)(span.start, span.end),
                ..Default::default()
            });
        }
        walk::walk_expression(self, it);
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        if matches!(it.operator, LogicalOperator::Or | LogicalOperator::Coalesce)
            && env_name(&it.left).is_some()
        {
            let s = (self.span_of)(it.left.span().start, it.left.span().end);
            self.defaulted.insert((s.line, s.column));
            if let Some(name) = env_name(&it.left) {
                let name = name.to_string();
                self.name_literal(&it.right, &name);
            }
        }
        walk::walk_logical_expression(self, it);
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        // `process.env.X ? parseInt(process.env.X) : 10`: the read has a fallback.
        if let Some(read) = match it.test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                Some(&u.argument)
            }
            e => Some(e),
        } && env_name(read).is_some()
        {
            let s = (self.span_of)(read.span().start, read.span().end);
            self.defaulted.insert((s.line, s.column));
            let name = env_name(read).unwrap_or_default().to_string();
            self.defaulted_names.insert(name);
        }
        walk::walk_conditional_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (Some(name), Some(init)) = (it.id.get_identifier_name(), &it.init) {
            self.name_literal(init, name.as_str());
        }
        // `const { A, B = 'x' } = process.env`
        if let (BindingPattern::ObjectPattern(pattern), Some(init)) = (&it.id, &it.init)
            && init.is_specific_member_access("process", "env")
        {
            for prop in &pattern.properties {
                if let Some(name) = prop.key.static_name() {
                    let has_default = matches!(prop.value, BindingPattern::AssignmentPattern(_));
                    self.facts.env_reads.push(EnvRead {
                        name: name.to_string(),
                        has_default,
                        span: (self.span_of)(prop.span.start, prop.span.end),
                        ..Default::default()
                    });
                }
            }
        }
        walk::walk_variable_declarator(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxc_ast::AstType;
    use oxc_semantic::AstNode;

    fn analyze_facts(path: &str, source: &str) -> FileFacts {
        analyze(path, source, &[])
    }

    /// A test rule: flags `debugger;` and counts the nodes it was shown.
    struct Debugger(std::sync::atomic::AtomicUsize);

    impl JsFileRule for Debugger {
        fn id(&self) -> &'static str {
            "test/debugger"
        }
        fn node_types(&self) -> &'static [AstType] {
            &[AstType::DebuggerStatement]
        }
        fn check<'a>(&self, node: &AstNode<'a>, ctx: &mut JsRuleContext<'a, '_>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            ctx.report(self.id(), node.kind().span(), "debugger left in", None);
        }
    }

    #[test]
    fn file_rules_see_only_the_node_kinds_they_asked_for() {
        let rule = Debugger(std::sync::atomic::AtomicUsize::new(0));
        let src = "function f(a) {\n  debugger;\n  return a + 1;\n}\ndebugger;\n";
        let facts = analyze("x.js", src, &[&rule]);
        assert_eq!(rule.0.load(std::sync::atomic::Ordering::Relaxed), 2);
        let lines: Vec<u32> = facts.findings.iter().map(|f| f.span.line).collect();
        assert_eq!(lines, vec![2, 5]);
        assert_eq!(facts.findings[0].key, "debugger;");
        assert_eq!(facts.findings[0].rule, "test/debugger");
    }

    #[test]
    fn imports_of_every_kind() {
        let src = "import a from './a';\nimport type { T } from './types';\nexport * from './all';\nexport { x } from './x';\nconst b = require('./b');\nconst c = await import('./c');\ntry { require('optional-dep'); } catch {}\nimport fs = require('fs');\n";
        let f = analyze_facts("m.ts", src);
        let got: Vec<(&str, ImportKind, bool)> = f
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.guarded))
            .collect();
        assert_eq!(
            got,
            vec![
                ("./a", ImportKind::Static, false),
                ("./types", ImportKind::TypeOnly, false),
                ("./all", ImportKind::Static, false),
                ("./x", ImportKind::Static, false),
                ("./b", ImportKind::Require, false),
                ("./c", ImportKind::Dynamic, false),
                ("optional-dep", ImportKind::Require, true),
                ("fs", ImportKind::Require, false),
            ]
        );
        assert_eq!(f.imports[0].names, vec!["default"]);
        assert!(f.syntax_issues.is_empty(), "{:?}", f.syntax_issues);
    }

    #[test]
    fn type_only_use_is_erased_in_typescript_only() {
        let src = "import { A, B } from './types';\nimport { c } from './values';\nimport { type D } from './d';\nimport './side-effect';\nconst x: A = c as B;\nlet d: D;\n";
        let f = analyze_facts("m.ts", src);
        let erased: Vec<(&str, bool)> = f
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.erased))
            .collect();
        assert_eq!(
            erased,
            vec![
                ("./types", true),
                ("./values", false),
                ("./d", true),
                ("./side-effect", false)
            ]
        );
        assert!(
            analyze_facts("m.js", "import { a } from './a';\n")
                .imports
                .iter()
                .all(|i| !i.erased)
        );
    }

    #[test]
    fn dynamic_loads_keep_their_literal_directory() {
        let src = "for (const f of files) {\n  await import(`../events/${folder}/${f}`);\n  require('./commands/' + f);\n  require(fullPath);\n  await import(`${base}/x.js`);\n}\n";
        let f = analyze_facts("m.js", src);
        let prefixes: Vec<Option<&str>> = f
            .dynamic_loads
            .iter()
            .map(|d| d.prefix.as_deref())
            .collect();
        assert_eq!(
            prefixes,
            vec![Some("../events/"), Some("./commands/"), None, None]
        );
    }

    #[test]
    fn script_paths_are_collected() {
        let f = analyze_facts(
            "index.js",
            "const m = new ShardingManager('./dist/bot.js', { token });\nfork(`child.js`);\nconst url = 'https://x/y.js';\n",
        );
        assert_eq!(f.script_paths, vec!["./dist/bot.js"]);
    }

    #[test]
    fn secret_candidates_from_string_literals() {
        // Made-up credentials: none is or was valid.
        let src = "const token = '7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o';\nconst cfg = { apiKey: \"3d6f45a5fc12445dbac2f59c3b6c7cb1\", timeout: 5000 };\nconst jwtSecret = process.env.JWT_SECRET || `Zq8rT2vB7nL4pW6sY1cK9mD3`;\nconst firebase = { apiKey: 'Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA', authDomain: 'x.firebaseapp.com' };\nconst cacheKey = 'Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA';\nfetch(`https://api.telegram.org/bot7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o/getMe`);\n";
        let f = analyze_facts("a.ts", src);
        let got: Vec<(u32, u32, &str, Option<&str>)> = f
            .secrets
            .iter()
            .map(|c| {
                (
                    c.span.line,
                    c.span.column,
                    c.label.as_str(),
                    c.name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 16, "Telegram bot token", Some("token")),
                (
                    2,
                    24,
                    "random-looking value of a secret-named variable",
                    Some("apiKey")
                ),
                (
                    3,
                    46,
                    "random-looking value of a secret-named variable",
                    Some("JWT_SECRET")
                ),
                (6, 36, "Telegram bot token", None),
            ]
        );
        assert_eq!(f.secrets[0].digest, f.secrets[3].digest);
        assert_eq!(f.secrets[0].span.end_column, 62);
        assert!(!format!("{:?}", f.secrets).contains("AAGx3Vb9"));
    }

    #[test]
    fn env_reads_and_frameworks() {
        let src = "const { Telegraf } = require('telegraf');\nconst t = process.env.BOT_TOKEN;\nconst p = process.env.PORT || 3000;\nconst s = process.env['SECRET'] ?? '';\nconst { DB_URL, MODE = 'dev' } = process.env;\n";
        let f = analyze_facts("bot.js", src);
        let env: Vec<(&str, bool)> = f
            .env_reads
            .iter()
            .map(|e| (e.name.as_str(), e.has_default))
            .collect();
        assert_eq!(
            env,
            vec![
                ("BOT_TOKEN", false),
                ("PORT", true),
                ("SECRET", true),
                ("DB_URL", false),
                ("MODE", true)
            ]
        );
        assert_eq!(f.frameworks, vec![Framework::Telegraf]);
    }

    #[test]
    fn early_errors_that_node_rejects() {
        let f = analyze_facts(
            "engine.js",
            "function f() {\n  const slot = 1;\n  const slot = 2;\n  return slot;\n}\n",
        );
        assert_eq!(f.syntax_issues.len(), 1, "{:?}", f.syntax_issues);
        assert_eq!(f.syntax_issues[0].span.line, 3);
        assert!(f.syntax_issues[0].message.contains("slot"));
        // Different block scopes are fine.
        assert!(
            analyze_facts("ok.js", "{ const a = 1; }\n{ const a = 2; }\n")
                .syntax_issues
                .is_empty()
        );
    }

    #[test]
    fn bad_input_never_panics() {
        for src in [
            "function (",
            "\u{0}\u{1}\u{2}",
            "`unterminated",
            "let let = 1",
            "<div>",
        ] {
            let f = analyze_facts("x.js", src);
            assert!(!f.syntax_issues.is_empty(), "{src}");
        }
        assert!(
            analyze_facts("x.jsx", "const a = <div>{1}</div>;")
                .syntax_issues
                .is_empty()
        );
    }
}
