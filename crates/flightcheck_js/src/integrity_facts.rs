//! Facts for the integrity rules: names used but never declared (from oxc's unresolved
//! references), the module's exports, names imported from other modules, classes with
//! their members, and member calls on module objects and class instances.

use crate::globals;
use flightcheck_core::Span;
use flightcheck_core::integrity::{
    ClassShape, GlobalKind, Heritage, ImportStyle, ImportedName, IntegrityFacts, MemberCall,
    Receiver, UndefinedName,
};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::{Scoping, SymbolId};
use oxc_span::GetSpan;
use std::collections::{HashMap, HashSet};

/// Where a binding of this file comes from, for receivers of member calls.
#[derive(Clone)]
enum Origin {
    /// `import * as m`, `const m = require('./m')`.
    Module(String),
    /// `import { x } from './m'`, `import x from './m'` (`default`), `const { x } = require`.
    Export(String, String),
    /// A class declared in this file.
    LocalClass(String),
}

/// A member call whose receiver is a binding, resolved once every declaration is known.
struct PendingCall {
    symbol: SymbolId,
    /// `new Foo()` stored in the binding: the call is on an instance of the binding's class.
    member: String,
    via: String,
    span: Span,
}

struct UndefinedUse {
    kind: GlobalKind,
    write_only: bool,
    any_write: bool,
    in_callback: bool,
    /// Every use sits inside a function body (a method, an arrow, a handler).
    in_function: bool,
    uses: u32,
    span: Span,
}

pub(crate) fn extract<'a, F: Fn(u32, u32) -> Span>(
    path: &str,
    program: &Program<'a>,
    source: &str,
    scoping: &Scoping,
    span_of: &F,
) -> IntegrityFacts {
    let lower = path.to_ascii_lowercase();
    let typescript = [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|e| lower.ends_with(e));
    let declaration_file = [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|e| lower.ends_with(e));
    let esm = program.body.iter().any(|s| s.is_module_declaration());
    let strict = esm
        || typescript
        || program
            .directives
            .iter()
            .any(|d| d.directive.as_str() == "use strict");
    let mut x = Walk {
        scoping,
        span_of,
        source,
        typescript,
        facts: IntegrityFacts::default(),
        undefined: Vec::new(),
        undefined_index: HashMap::new(),
        typeof_names: HashSet::new(),
        callback_depth: 0,
        function_depth: 0,
        iife_pending: false,
        try_depth: 0,
        origins: HashMap::new(),
        instances: HashMap::new(),
        class_symbols: HashMap::new(),
        this_stack: Vec::new(),
        pending: Vec::new(),
        pending_static: Vec::new(),
        touched: HashSet::new(),
        proto_members: Vec::new(),
        static_assigned: Vec::new(),
        opened: HashSet::new(),
        exported_locals: Vec::new(),
        class_name: None,
    };
    x.facts.exports.esm = esm;
    x.visit_program(program);
    x.finish(program, declaration_file, esm, strict);
    x.facts
}

struct Walk<'s, F: Fn(u32, u32) -> Span> {
    scoping: &'s Scoping,
    span_of: &'s F,
    source: &'s str,
    typescript: bool,
    facts: IntegrityFacts,
    undefined: Vec<(String, UndefinedUse)>,
    undefined_index: HashMap<String, usize>,
    /// Names tested with `typeof x`: the code expects them to be missing sometimes.
    typeof_names: HashSet<String>,
    /// Depth of functions passed as call arguments.
    callback_depth: u32,
    /// Functions (declarations, expressions, methods, arrows) around the visited node.
    function_depth: u32,
    /// The next function visited is the callee of a module-level IIFE.
    iife_pending: bool,
    try_depth: u32,
    origins: HashMap<SymbolId, Origin>,
    /// `const x = new Foo()`: x → Foo's symbol.
    instances: HashMap<SymbolId, SymbolId>,
    /// Class declarations of this file: symbol → index into `facts.classes`.
    class_symbols: HashMap<SymbolId, usize>,
    /// What `this` is in the function being walked: `Some((class, is_static))` inside a
    /// method of a named class of this file, `None` inside another function.
    this_stack: Vec<Option<(usize, bool)>>,
    pending: Vec<PendingCall>,
    /// `this.m()` calls: (class index, static, member, via, span).
    pending_static: Vec<(usize, bool, String, String, Span)>,
    /// Members read, tested or assigned outside a call (`if (svc.fn)`, `svc.fn = …`):
    /// calls of them are not judged.
    touched: HashSet<(SymbolId, String)>,
    /// `Foo.prototype.x = …`.
    proto_members: Vec<(SymbolId, String)>,
    /// `Foo.x = …`.
    static_assigned: Vec<(SymbolId, String)>,
    /// Bindings whose shape may change out of sight (passed to `Object.assign`, a mixin…).
    opened: HashSet<SymbolId>,
    /// `export { Foo as Bar }`: (local symbol, exported name).
    exported_locals: Vec<(SymbolId, String)>,
    /// The name a class expression is bound to (`const Foo = class { … }`).
    class_name: Option<(String, SymbolId)>,
}

/// Members every object has (Object.prototype); calls of them are never missing.
const OBJECT_MEMBERS: [&str; 12] = [
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// Members every function (so every class) has.
const FUNCTION_MEMBERS: [&str; 7] = [
    "apply",
    "bind",
    "call",
    "length",
    "name",
    "prototype",
    "toString",
];

/// The environment that defines `name`, or `None` when every runtime does.
fn global_kind(name: &str) -> Option<GlobalKind> {
    let has = |list: &[&str]| list.binary_search(&name).is_ok();
    if has(&globals::ECMASCRIPT) || has(&globals::NODE) {
        return None;
    }
    // Build-time constants (`__DEV__`, `__VERSION__`) that bundlers replace.
    if name.len() > 4 && name.starts_with("__") && name.ends_with("__") {
        return None;
    }
    Some(if has(&globals::COMMONJS) {
        GlobalKind::CommonJs
    } else if has(&globals::TEST) {
        GlobalKind::Test
    } else if has(&globals::BROWSER) || has(&globals::BROWSER_LIBRARIES) {
        GlobalKind::Browser
    } else {
        GlobalKind::Unknown
    })
}

/// Names in `/* global a, b:writable */` and `/* globals … */` comments, and the
/// environments of `/* eslint-env … */` comments.
fn lint_comments(program: &Program, source: &str) -> (HashSet<String>, Vec<String>) {
    let mut names = HashSet::new();
    let mut envs = Vec::new();
    for c in program.comments.iter() {
        let text = c.content_span().source_text(source).trim();
        let (list, is_env) = if let Some(rest) = text.strip_prefix("eslint-env") {
            (rest, true)
        } else if let Some(rest) = text
            .strip_prefix("globals")
            .or_else(|| text.strip_prefix("global"))
        {
            (rest, false)
        } else {
            continue;
        };
        if !list.starts_with(char::is_whitespace) {
            continue;
        }
        for item in list.split([',', '\n']) {
            let word = item.split(':').next().unwrap_or("").trim();
            if word.is_empty() {
                continue;
            }
            if is_env {
                envs.push(word.to_string());
            } else {
                names.insert(word.to_string());
            }
        }
    }
    (names, envs)
}

/// A literal `require('x')` call's specifier.
fn require_specifier<'a>(expr: &'a Expression<'a>) -> Option<&'a str> {
    let Expression::CallExpression(c) = expr.without_parentheses() else {
        return None;
    };
    if !c.callee.is_specific_id("require") || c.arguments.len() != 1 {
        return None;
    }
    match c.arguments[0].as_expression()? {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.as_str())
        }
        _ => None,
    }
}

/// Whether `expr` is `module.exports` or `exports`.
fn is_exports_object(expr: &Expression) -> bool {
    expr.is_specific_member_access("module", "exports") || expr.is_specific_id("exports")
}

impl<F: Fn(u32, u32) -> Span> Walk<'_, F> {
    fn span(&self, span: oxc_span::Span) -> Span {
        (self.span_of)(span.start, span.end)
    }

    fn text(&self, span: oxc_span::Span) -> String {
        let t = span.source_text(self.source);
        flightcheck_core::text::truncate(&t.split_whitespace().collect::<Vec<_>>().join(" "), 60)
    }

    fn symbol_of(&self, id: &IdentifierReference) -> Option<SymbolId> {
        let r = id.reference_id.get()?;
        self.scoping.get_reference(r).symbol_id()
    }

    fn binding_symbol(&self, id: &BindingIdentifier) -> Option<SymbolId> {
        id.symbol_id.get()
    }

    fn add_export(&mut self, name: &str) {
        if !self.facts.exports.names.iter().any(|n| n == name) {
            self.facts.exports.names.push(name.to_string());
        }
    }

    fn imported(
        &mut self,
        specifier: &str,
        name: &str,
        style: ImportStyle,
        type_only: bool,
        span: oxc_span::Span,
    ) {
        let span = self.span(span);
        self.facts.imported_names.push(ImportedName {
            specifier: specifier.to_string(),
            name: name.to_string(),
            style,
            type_only,
            guarded: self.try_depth > 0,
            span,
        });
    }

    /// A binding used only as a type (TypeScript erases its import).
    fn type_only_binding(&self, id: &BindingIdentifier) -> bool {
        self.typescript
            && id.symbol_id.get().is_some_and(|s| {
                !self
                    .scoping
                    .get_resolved_references(s)
                    .any(|r| r.is_value() && !r.flags().is_value_as_type())
            })
    }

    /// Records the class declared by `class` (named `name`), with its members.
    fn class_shape(&mut self, class: &Class, name: Option<(&str, SymbolId)>) -> Option<usize> {
        let (name, symbol) = name?;
        let mut shape = ClassShape {
            name: name.to_string(),
            exported_as: Vec::new(),
            members: Vec::new(),
            static_members: Vec::new(),
            extends: None,
            open: !class.decorators.is_empty(),
            span: self.span(class.span),
        };
        if let Some(h) = &class.heritage {
            shape.extends = Some(match h.expression.without_parentheses() {
                Expression::Identifier(id) => match self.symbol_of(id).and_then(|s| {
                    self.origins.get(&s).cloned().or_else(|| {
                        // A class declared later in the file is resolved at the end.
                        Some(Origin::LocalClass(self.scoping.symbol_name(s).to_string()))
                    })
                }) {
                    Some(Origin::Export(spec, name)) => Heritage::Imported {
                        specifier: spec,
                        name,
                    },
                    Some(Origin::Module(spec)) => Heritage::Imported {
                        specifier: spec,
                        name: "module.exports".into(),
                    },
                    Some(Origin::LocalClass(n)) => Heritage::Local { name: n },
                    None => Heritage::Unknown,
                },
                _ => Heritage::Unknown,
            });
        }
        for element in &class.body.body {
            let (key, is_static, computed) = match element {
                ClassElement::MethodDefinition(m) => {
                    if m.kind == MethodDefinitionKind::Constructor {
                        for p in &m.value.params.items {
                            // `constructor(private svc: Svc)`: a parameter property.
                            if (p.accessibility.is_some() || p.readonly || p.r#override)
                                && let Some(n) = p.pattern.get_identifier_name()
                            {
                                shape.members.push(n.to_string());
                            }
                        }
                        continue;
                    }
                    (m.key.static_name(), m.r#static, m.computed)
                }
                ClassElement::PropertyDefinition(p) => {
                    (p.key.static_name(), p.r#static, p.computed)
                }
                ClassElement::AccessorProperty(p) => (p.key.static_name(), p.r#static, p.computed),
                ClassElement::TSIndexSignature(_) => {
                    shape.open = true;
                    continue;
                }
                ClassElement::StaticBlock(_) => continue,
            };
            match key {
                Some(k) if !computed || matches!(element, ClassElement::MethodDefinition(_)) => {
                    if is_static {
                        shape.static_members.push(k.to_string());
                    } else {
                        shape.members.push(k.to_string());
                    }
                }
                _ => shape.open = true,
            }
        }
        self.facts.classes.push(shape);
        let index = self.facts.classes.len() - 1;
        self.class_symbols.insert(symbol, index);
        self.origins
            .insert(symbol, Origin::LocalClass(name.to_string()));
        Some(index)
    }

    /// A use of `name` that no scope declares.
    fn undefined_use(&mut self, id: &IdentifierReference, write: bool, write_only: bool) {
        let name = id.name.as_str();
        let Some(kind) = global_kind(name) else {
            return;
        };
        let span = self.span(id.span);
        let in_callback = self.callback_depth > 0;
        let in_function = self.function_depth > 0;
        match self.undefined_index.get(name) {
            Some(&i) => {
                let u = &mut self.undefined[i].1;
                u.uses += 1;
                u.write_only &= write_only;
                u.any_write |= write;
                u.in_callback &= in_callback;
                u.in_function &= in_function;
            }
            None => {
                self.undefined_index
                    .insert(name.to_string(), self.undefined.len());
                self.undefined.push((
                    name.to_string(),
                    UndefinedUse {
                        kind,
                        write_only,
                        any_write: write,
                        in_callback,
                        in_function,
                        uses: 1,
                        span,
                    },
                ));
            }
        }
    }

    fn finish(&mut self, program: &Program, declaration_file: bool, esm: bool, strict: bool) {
        // Undefined names.
        let (declared_by_comment, envs) = lint_comments(program, self.source);
        let env_known = |e: &str| {
            matches!(
                e,
                "node"
                    | "browser"
                    | "commonjs"
                    | "jest"
                    | "mocha"
                    | "jasmine"
                    | "vitest"
                    | "worker"
                    | "serviceworker"
                    | "shared-node-browser"
            ) || e.starts_with("es")
        };
        // An environment we do not know (jquery, meteor, mongo…) defines names we cannot list.
        let silent = envs.iter().any(|e| !env_known(e));
        let undefined = std::mem::take(&mut self.undefined);
        if !silent && !declaration_file {
            let mut other_scopes: HashMap<&str, u32> = HashMap::new();
            let wanted: HashSet<&str> = undefined.iter().map(|(n, _)| n.as_str()).collect();
            for s in self.scoping.symbol_ids() {
                let n = self.scoping.symbol_name(s);
                if wanted.contains(n) && !other_scopes.contains_key(n) {
                    let sp = self.scoping.symbol_span(s);
                    other_scopes.insert(n, self.span(sp).line);
                }
            }
            let top_functions: Vec<(String, Span)> = program
                .body
                .iter()
                .filter_map(|s| top_function(s).map(|(n, sp)| (n, self.span(sp))))
                .collect();
            for (name, u) in &undefined {
                if self.typeof_names.contains(name) || declared_by_comment.contains(name) {
                    continue;
                }
                let env_defines = match u.kind {
                    GlobalKind::Browser => envs
                        .iter()
                        .any(|e| matches!(e.as_str(), "browser" | "worker" | "serviceworker")),
                    GlobalKind::CommonJs => envs.iter().any(|e| e == "node" || e == "commonjs"),
                    GlobalKind::Test => envs
                        .iter()
                        .any(|e| matches!(e.as_str(), "jest" | "mocha" | "jasmine" | "vitest")),
                    GlobalKind::Unknown => false,
                };
                if env_defines {
                    continue;
                }
                if u.any_write && !strict {
                    // Sloppy code creates a global by assigning to an undeclared name
                    // (`for (i = 0; …)`, `total = 0`): later reads see it.
                    self.facts.provided_globals.push(name.clone());
                    continue;
                }
                self.facts.undefined_names.push(UndefinedName {
                    name: name.clone(),
                    kind: u.kind,
                    write_only: u.write_only,
                    strict,
                    declared_in_other_scope: other_scopes.get(name.as_str()).copied(),
                    in_callback: u.in_callback,
                    in_function: u.in_function,
                    uses: u.uses,
                    span: u.span,
                    top_function: top_functions
                        .iter()
                        .find(|(_, s)| s.line <= u.span.line && u.span.line <= s.end_line)
                        .map(|(n, s)| (n.clone(), s.line)),
                });
            }
        }
        // Ambient declarations: every top-level name of a `.d.ts` without module syntax.
        if declaration_file && !esm {
            for s in &program.body {
                if let Some(d) = s.as_declaration() {
                    declared_names(d, &mut self.facts.provided_globals);
                }
            }
        }
        // Classic scripts (no module syntax, no CommonJS): their top-level names are shared
        // by the scripts of a page.
        if !esm && !self.facts.exports.commonjs && !self.typescript {
            for s in &program.body {
                if let Some(d) = s.as_declaration() {
                    declared_names(d, &mut self.facts.script_globals);
                }
            }
        }
        // Classes: members added from outside the class body, exports.
        for (sym, member) in std::mem::take(&mut self.proto_members) {
            if let Some(&i) = self.class_symbols.get(&sym) {
                self.facts.classes[i].members.push(member);
            }
        }
        for (sym, member) in std::mem::take(&mut self.static_assigned) {
            if let Some(&i) = self.class_symbols.get(&sym) {
                self.facts.classes[i].static_members.push(member);
            }
        }
        for (sym, &i) in &self.class_symbols {
            if self.opened.contains(sym) || self.scoping.symbol_is_mutated(*sym) {
                self.facts.classes[i].open = true;
            }
        }
        for (sym, exported) in std::mem::take(&mut self.exported_locals) {
            if let Some(&i) = self.class_symbols.get(&sym) {
                self.facts.classes[i].exported_as.push(exported.clone());
            }
            if let Some(&class) = self.instances.get(&sym)
                && let Some(&i) = self.class_symbols.get(&class)
            {
                let name = self.facts.classes[i].name.clone();
                self.facts.exports.instances.push((exported, name));
            }
        }
        // Member calls on bindings.
        for call in std::mem::take(&mut self.pending) {
            if self.touched.contains(&(call.symbol, call.member.clone()))
                || self.opened.contains(&call.symbol)
                || self.scoping.symbol_is_mutated(call.symbol)
            {
                continue;
            }
            let receiver = if let Some(class) = self.instances.get(&call.symbol) {
                if self.opened.contains(class) {
                    continue;
                }
                match self.origins.get(class) {
                    Some(Origin::LocalClass(n)) => Receiver::Instance {
                        specifier: None,
                        name: n.clone(),
                    },
                    Some(Origin::Export(spec, n)) => Receiver::Instance {
                        specifier: Some(spec.clone()),
                        name: n.clone(),
                    },
                    Some(Origin::Module(spec)) => Receiver::Instance {
                        specifier: Some(spec.clone()),
                        name: "module.exports".into(),
                    },
                    None => continue,
                }
            } else {
                match self.origins.get(&call.symbol) {
                    Some(Origin::Module(spec)) => Receiver::Module {
                        specifier: spec.clone(),
                        default: false,
                    },
                    Some(Origin::Export(spec, n)) => Receiver::Class {
                        specifier: Some(spec.clone()),
                        name: n.clone(),
                    },
                    Some(Origin::LocalClass(n)) => Receiver::Class {
                        specifier: None,
                        name: n.clone(),
                    },
                    None => continue,
                }
            };
            self.facts.member_calls.push(MemberCall {
                receiver,
                member: call.member,
                via: call.via,
                guarded: false,
                span: call.span,
            });
        }
        for (class, is_static, member, via, span) in std::mem::take(&mut self.pending_static) {
            let name = self.facts.classes[class].name.clone();
            let receiver = if is_static {
                Receiver::Class {
                    specifier: None,
                    name,
                }
            } else {
                Receiver::Instance {
                    specifier: None,
                    name,
                }
            };
            self.facts.member_calls.push(MemberCall {
                receiver,
                member,
                via,
                guarded: false,
                span,
            });
        }
        self.facts
            .member_calls
            .retain(|c| !OBJECT_MEMBERS.contains(&c.member.as_str()));
        self.facts.member_calls.retain(|c| {
            !matches!(c.receiver, Receiver::Class { .. })
                || !FUNCTION_MEMBERS.contains(&c.member.as_str())
        });
    }

    /// `module.exports = …`: the names it lists, or opaque.
    fn module_exports_value(&mut self, value: &Expression) {
        self.facts.exports.commonjs = true;
        match value.without_parentheses() {
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => match p.key.static_name() {
                            Some(k)
                                if !p.computed
                                    || matches!(p.key, PropertyKey::StringLiteral(_)) =>
                            {
                                self.add_export(&k);
                                if let Expression::Identifier(id) = &p.value
                                    && let Some(s) = self.symbol_of(id)
                                {
                                    self.exported_locals.push((s, k.to_string()));
                                }
                            }
                            _ => self.facts.exports.opaque = true,
                        },
                        ObjectPropertyKind::SpreadProperty(_) => self.facts.exports.opaque = true,
                    }
                }
            }
            Expression::Identifier(id) => {
                self.facts.exports.opaque = true;
                if let Some(s) = self.symbol_of(id) {
                    self.exported_locals.push((s, "module.exports".into()));
                }
            }
            Expression::NewExpression(n) => {
                self.facts.exports.opaque = true;
                if let Expression::Identifier(id) = &n.callee
                    && let Some(class) = self.symbol_of(id)
                    && let Some(Origin::LocalClass(name)) = self.origins.get(&class).cloned()
                    && !self.opened.contains(&class)
                {
                    self.facts
                        .exports
                        .instances
                        .push(("module.exports".into(), name));
                }
            }
            Expression::ClassExpression(c) => {
                self.facts.exports.opaque = true;
                if let Some(id) = &c.id
                    && let Some(s) = self.binding_symbol(id)
                {
                    self.exported_locals.push((s, "module.exports".into()));
                }
            }
            _ => self.facts.exports.opaque = true,
        }
    }
}

/// Names a declaration introduces.
fn declared_names(d: &Declaration, out: &mut Vec<String>) {
    match d {
        Declaration::VariableDeclaration(v) => {
            for decl in &v.declarations {
                for id in decl.id.get_binding_identifiers() {
                    out.push(id.name.to_string());
                }
            }
        }
        Declaration::FunctionDeclaration(f) => {
            out.extend(f.id.as_ref().map(|i| i.name.to_string()))
        }
        Declaration::ClassDeclaration(c) => out.extend(c.id.as_ref().map(|i| i.name.to_string())),
        Declaration::TSEnumDeclaration(e) => out.push(e.id.name.to_string()),
        Declaration::TSNamespaceDeclaration(n) => out.push(n.id.name.to_string()),
        _ => {}
    }
}

impl<'a, F: Fn(u32, u32) -> Span> Visit<'a> for Walk<'_, F> {
    fn visit_identifier_reference(&mut self, id: &IdentifierReference<'a>) {
        let Some(r) = id.reference_id.get() else {
            return;
        };
        let reference = self.scoping.get_reference(r);
        if reference.symbol_id().is_some() {
            return;
        }
        let flags = reference.flags();
        if flags.is_type() || flags.is_value_as_type() || !(flags.is_read() || flags.is_write()) {
            return;
        }
        self.undefined_use(id, flags.is_write(), flags.is_write_only());
    }

    // Types are erased: names in them never run.
    fn visit_ts_type(&mut self, _it: &TSType<'a>) {}
    fn visit_ts_type_annotation(&mut self, _it: &TSTypeAnnotation<'a>) {}
    fn visit_ts_interface_declaration(&mut self, _it: &TSInterfaceDeclaration<'a>) {}
    fn visit_ts_type_alias_declaration(&mut self, _it: &TSTypeAliasDeclaration<'a>) {}
    fn visit_ts_type_parameter_instantiation(&mut self, _it: &TSTypeParameterInstantiation<'a>) {}
    fn visit_ts_type_parameter_declaration(&mut self, _it: &TSTypeParameterDeclaration<'a>) {}
    fn visit_ts_class_implements(&mut self, _it: &TSClassImplements<'a>) {}

    fn visit_ts_global_declaration(&mut self, it: &TSGlobalDeclaration<'a>) {
        for s in &it.body.body {
            let d = match s {
                Statement::ExportDeclaration(e) => Some(&e.declaration),
                s => s.as_declaration(),
            };
            if let Some(d) = d {
                declared_names(d, &mut self.facts.provided_globals);
            }
        }
    }

    fn visit_ts_namespace_declaration(&mut self, it: &TSNamespaceDeclaration<'a>) {
        // `declare namespace X { … }` describes something that exists elsewhere.
        if !it.declare {
            walk::walk_ts_namespace_declaration(self, it);
        }
    }

    fn visit_ts_external_module_declaration(&mut self, _it: &TSExternalModuleDeclaration<'a>) {}

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        if !it.declare {
            walk::walk_variable_declaration(self, it);
        }
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_semantic::ScopeFlags) {
        if it.declare || it.body.is_none() {
            return;
        }
        self.this_stack.push(None);
        let depth = u32::from(!std::mem::take(&mut self.iife_pending));
        self.function_depth += depth;
        walk::walk_function(self, it, flags);
        self.function_depth -= depth;
        self.this_stack.pop();
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        if it.declare {
            return;
        }
        let given = self.class_name.take();
        let name = match &it.id {
            Some(id) => id.symbol_id.get().map(|s| (id.name.to_string(), s)),
            None => given,
        };
        let index = self.class_shape(it, name.as_ref().map(|(n, s)| (n.as_str(), *s)));
        if let Some(h) = &it.heritage {
            self.visit_expression(&h.expression);
        }
        for d in &it.decorators {
            self.visit_decorator(d);
        }
        for element in &it.body.body {
            let is_static = match element {
                ClassElement::MethodDefinition(m) => m.r#static,
                ClassElement::PropertyDefinition(p) => p.r#static,
                ClassElement::AccessorProperty(p) => p.r#static,
                ClassElement::StaticBlock(_) => true,
                ClassElement::TSIndexSignature(_) => continue,
            };
            let this = index.map(|i| (i, is_static));
            match element {
                ClassElement::MethodDefinition(m) => {
                    for d in &m.decorators {
                        self.visit_decorator(d);
                    }
                    if let PropertyKey::StaticIdentifier(_) = m.key {
                    } else {
                        self.visit_property_key(&m.key);
                    }
                    // The method's own `this`.
                    self.this_stack.push(this);
                    if let Some(body) = &m.value.body {
                        for p in &m.value.params.items {
                            self.visit_formal_parameter(p);
                        }
                        self.visit_function_body(body);
                    }
                    self.this_stack.pop();
                }
                ClassElement::PropertyDefinition(p) => {
                    if p.computed {
                        self.visit_property_key(&p.key);
                    }
                    if let Some(v) = &p.value {
                        self.this_stack.push(this);
                        self.visit_expression(v);
                        self.this_stack.pop();
                    }
                }
                ClassElement::AccessorProperty(p) => {
                    if let Some(v) = &p.value {
                        self.this_stack.push(this);
                        self.visit_expression(v);
                        self.this_stack.pop();
                    }
                }
                ClassElement::StaticBlock(b) => {
                    self.this_stack.push(this);
                    for s in &b.body {
                        self.visit_statement(s);
                    }
                    self.this_stack.pop();
                }
                ClassElement::TSIndexSignature(_) => {}
            }
        }
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        // Arrows keep the `this` of their surroundings.
        let depth = u32::from(!std::mem::take(&mut self.iife_pending));
        self.function_depth += depth;
        walk::walk_arrow_function_expression(self, it);
        self.function_depth -= depth;
    }

    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        if it.operator == UnaryOperator::Typeof {
            match it.argument.without_parentheses() {
                Expression::Identifier(id) => {
                    self.typeof_names.insert(id.name.to_string());
                }
                Expression::StaticMemberExpression(m) => {
                    if let Expression::Identifier(id) = &m.object
                        && let Some(s) = self.symbol_of(id)
                    {
                        self.touched.insert((s, m.property.name.to_string()));
                    }
                }
                _ => {}
            }
        }
        walk::walk_unary_expression(self, it);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        self.try_depth += 1;
        self.visit_block_statement(&it.block);
        self.try_depth -= 1;
        if let Some(h) = &it.handler {
            self.visit_catch_clause(h);
        }
        if let Some(f) = &it.finalizer {
            self.visit_block_statement(f);
        }
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let spec = it.source.value.as_str();
        let whole_type = it.import_kind.is_type();
        for s in it.specifiers.iter().flatten() {
            match s {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    let name = s.imported.name();
                    let type_only =
                        whole_type || s.import_kind.is_type() || self.type_only_binding(&s.local);
                    self.imported(spec, &name, ImportStyle::Esm, type_only, s.span);
                    if let Some(sym) = s.local.symbol_id.get() {
                        self.origins
                            .insert(sym, Origin::Export(spec.to_string(), name.to_string()));
                    }
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    let type_only = whole_type || self.type_only_binding(&s.local);
                    self.imported(spec, "default", ImportStyle::Esm, type_only, s.span);
                    if let Some(sym) = s.local.symbol_id.get() {
                        self.origins
                            .insert(sym, Origin::Export(spec.to_string(), "default".into()));
                    }
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    if let Some(sym) = s.local.symbol_id.get() {
                        self.origins.insert(sym, Origin::Module(spec.to_string()));
                    }
                }
            }
        }
    }

    fn visit_ts_import_equals_declaration(&mut self, it: &TSImportEqualsDeclaration<'a>) {
        if let TSModuleReference::ExternalModuleReference(r) = &it.module_reference
            && let Some(sym) = it.id.symbol_id.get()
        {
            self.origins
                .insert(sym, Origin::Module(r.expression.value.to_string()));
        }
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let spec = it.source.value.as_str();
        for s in &it.specifiers {
            let local = s.local.name();
            let type_only = it.export_kind.is_type() || s.export_kind.is_type();
            self.imported(spec, &local, ImportStyle::Esm, type_only, s.span);
            self.add_export(&s.exported.name());
        }
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        match &it.exported {
            Some(name) => self.add_export(&name.name()),
            None => self
                .facts
                .exports
                .star_from
                .push(it.source.value.to_string()),
        }
    }

    fn visit_export_named_declaration(&mut self, it: &ExportNamedDeclaration<'a>) {
        for s in &it.specifiers {
            self.add_export(&s.exported.name());
            if let ModuleExportName::IdentifierReference(id) = &s.local
                && let Some(sym) = self.symbol_of(id)
            {
                self.exported_locals
                    .push((sym, s.exported.name().to_string()));
            }
        }
        walk::walk_export_named_declaration(self, it);
    }

    fn visit_export_declaration(&mut self, it: &ExportDeclaration<'a>) {
        let mut names = Vec::new();
        match &it.declaration {
            Declaration::TSInterfaceDeclaration(d) => {
                names.push(d.id.name.to_string());
                self.facts.exports.type_names.push(d.id.name.to_string());
            }
            Declaration::TSTypeAliasDeclaration(d) => {
                names.push(d.id.name.to_string());
                self.facts.exports.type_names.push(d.id.name.to_string());
            }
            Declaration::TSImportEqualsDeclaration(d) => names.push(d.id.name.to_string()),
            d => declared_names(d, &mut names),
        }
        for n in &names {
            self.add_export(n);
        }
        walk::walk_export_declaration(self, it);
        // Exported classes and instances (`export const svc = new Svc()`).
        match &it.declaration {
            Declaration::ClassDeclaration(c) => {
                if let Some(sym) = c.id.as_ref().and_then(|i| i.symbol_id.get()) {
                    self.exported_locals
                        .push((sym, self.scoping.symbol_name(sym).to_string()));
                }
            }
            Declaration::VariableDeclaration(v) => {
                for d in &v.declarations {
                    if let BindingPattern::BindingIdentifier(id) = &d.id
                        && let Some(sym) = id.symbol_id.get()
                    {
                        self.exported_locals.push((sym, id.name.to_string()));
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        self.add_export("default");
        walk::walk_export_default_declaration(self, it);
        match &it.declaration {
            ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                if let Some(sym) = c.id.as_ref().and_then(|i| i.symbol_id.get()) {
                    self.exported_locals.push((sym, "default".into()));
                }
            }
            ExportDefaultDeclarationKind::Identifier(id) => {
                if let Some(sym) = self.symbol_of(id) {
                    self.exported_locals.push((sym, "default".into()));
                }
            }
            ExportDefaultDeclarationKind::NewExpression(n) => {
                if let Expression::Identifier(id) = &n.callee
                    && let Some(class) = self.symbol_of(id)
                    && let Some(Origin::LocalClass(name)) = self.origins.get(&class).cloned()
                {
                    self.facts.exports.instances.push(("default".into(), name));
                }
            }
            _ => {}
        }
    }

    fn visit_ts_export_assignment(&mut self, it: &TSExportAssignment<'a>) {
        self.facts.exports.opaque = true;
        self.facts.exports.commonjs = true;
        walk::walk_ts_export_assignment(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            let init = init.without_parentheses();
            // `const x = require('./m')`, `const { a, b: c } = require('./m')`,
            // `const a = require('./m').a`.
            if let Some(spec) = require_specifier(init) {
                match &it.id {
                    BindingPattern::BindingIdentifier(id) => {
                        if let Some(sym) = id.symbol_id.get() {
                            self.origins.insert(sym, Origin::Module(spec.to_string()));
                        }
                    }
                    BindingPattern::ObjectPattern(o) => {
                        for p in &o.properties {
                            if let Some(k) = p.key.static_name() {
                                self.imported(spec, &k, ImportStyle::Require, false, p.span);
                                if let BindingPattern::BindingIdentifier(id) = &p.value
                                    && let Some(sym) = id.symbol_id.get()
                                {
                                    self.origins.insert(
                                        sym,
                                        Origin::Export(spec.to_string(), k.to_string()),
                                    );
                                }
                            }
                        }
                    }
                    _ => {}
                }
            } else if let Expression::StaticMemberExpression(m) = init
                && let Some(spec) = require_specifier(&m.object)
            {
                // The member read itself is recorded when the walk reaches it.
                if let BindingPattern::BindingIdentifier(id) = &it.id
                    && let Some(sym) = id.symbol_id.get()
                {
                    self.origins.insert(
                        sym,
                        Origin::Export(spec.to_string(), m.property.name.to_string()),
                    );
                }
            } else if let Expression::NewExpression(n) = init
                && let Expression::Identifier(callee) = &n.callee
                && let Some(class) = self.symbol_of(callee)
                && let BindingPattern::BindingIdentifier(id) = &it.id
                && let Some(sym) = id.symbol_id.get()
            {
                self.instances.insert(sym, class);
            } else if let Expression::ClassExpression(c) = init
                && let BindingPattern::BindingIdentifier(id) = &it.id
                && let Some(sym) = id.symbol_id.get()
                && c.id.is_none()
            {
                // `const Foo = class { … }`.
                self.class_name = Some((id.name.to_string(), sym));
                self.visit_class(c);
                return;
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        match &it.left {
            AssignmentTarget::StaticMemberExpression(m) => {
                let name = m.property.name.as_str();
                if is_exports_object(&m.object) {
                    // `exports.x = …`, `module.exports.x = …`.
                    self.facts.exports.commonjs = true;
                    self.add_export(name);
                    if let Expression::Identifier(id) = &it.right
                        && let Some(s) = self.symbol_of(id)
                    {
                        self.exported_locals.push((s, name.to_string()));
                    }
                } else if m.object.is_specific_id("module") && name == "exports" {
                    self.module_exports_value(&it.right);
                } else {
                    match &m.object {
                        Expression::Identifier(id) => {
                            if matches!(
                                id.name.as_str(),
                                "global" | "globalThis" | "window" | "self"
                            ) && self.symbol_of(id).is_none()
                            {
                                self.facts.provided_globals.push(name.to_string());
                            } else if let Some(s) = self.symbol_of(id) {
                                self.touched.insert((s, name.to_string()));
                                self.static_assigned.push((s, name.to_string()));
                            }
                        }
                        Expression::StaticMemberExpression(inner)
                            if inner.property.name == "prototype" =>
                        {
                            if let Expression::Identifier(id) = &inner.object
                                && let Some(s) = self.symbol_of(id)
                            {
                                self.proto_members.push((s, name.to_string()));
                            }
                        }
                        Expression::ThisExpression(_) => {
                            if let Some(Some((class, false))) = self.this_stack.last().copied() {
                                self.facts.classes[class].members.push(name.to_string());
                            } else if let Some(Some((class, true))) =
                                self.this_stack.last().copied()
                            {
                                self.facts.classes[class]
                                    .static_members
                                    .push(name.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            AssignmentTarget::ComputedMemberExpression(m) => {
                if is_exports_object(&m.object) {
                    match &m.expression {
                        Expression::StringLiteral(s) => {
                            self.facts.exports.commonjs = true;
                            self.add_export(s.value.as_str());
                        }
                        _ => {
                            self.facts.exports.commonjs = true;
                            self.facts.exports.opaque = true;
                        }
                    }
                } else if let Expression::ThisExpression(_) = &m.object {
                    if let Some(Some((class, _))) = self.this_stack.last().copied() {
                        self.facts.classes[class].open = true;
                    }
                } else if let Expression::Identifier(id) = &m.object
                    && let Some(s) = self.symbol_of(id)
                {
                    self.opened.insert(s);
                } else if let Expression::Identifier(id) = &m.object
                    && matches!(id.name.as_str(), "global" | "globalThis" | "window")
                {
                    // `global[name] = …`: any name may become global.
                    self.facts.provided_globals.push("*".into());
                }
            }
            _ => {}
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        // `(async () => { … })()` at module level runs as the module loads: its body is
        // module-level code, not a function body that may never run.
        if self.function_depth == 0
            && matches!(
                it.callee.without_parentheses(),
                Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
            )
        {
            self.iife_pending = true;
        }
        // `Object.assign(target, …)`, `Object.defineProperty(target, …)`, mixins: the
        // target's members change out of sight.
        let callee_text = it.callee.span().source_text(self.source);
        let reshapes = callee_text.starts_with("Object.")
            || callee_text.to_ascii_lowercase().contains("mixin")
            || callee_text.ends_with("inherits")
            || callee_text.ends_with("extend");
        for (i, arg) in it.arguments.iter().enumerate() {
            let Some(e) = arg.as_expression() else {
                continue;
            };
            let target = match e.without_parentheses() {
                Expression::Identifier(id) => Some(id),
                Expression::StaticMemberExpression(m) if m.property.name == "prototype" => {
                    match &m.object {
                        Expression::Identifier(id) => {
                            if let Some(s) = self.symbol_of(id) {
                                self.opened.insert(s);
                            }
                            None
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(id) = target
                && (reshapes || i == 0 && callee_text == "Object.assign")
            {
                if let Some(s) = self.symbol_of(id) {
                    self.opened.insert(s);
                } else if matches!(id.name.as_str(), "global" | "globalThis" | "window") {
                    self.facts.provided_globals.push("*".into());
                }
            }
        }
        // `Object.defineProperty(global, 'x', …)`.
        if callee_text == "Object.defineProperty"
            && let (Some(Some(Expression::Identifier(t))), Some(Some(Expression::StringLiteral(k)))) = (
                it.arguments.first().map(|a| a.as_expression()),
                it.arguments.get(1).map(|a| a.as_expression()),
            )
        {
            if matches!(t.name.as_str(), "global" | "globalThis" | "window") {
                self.facts.provided_globals.push(k.value.to_string());
            } else if t.name == "exports" || t.name == "module" {
                self.facts.exports.commonjs = true;
                self.add_export(k.value.as_str());
            }
        }
        // Member calls on bindings and on `this`.
        if let Expression::StaticMemberExpression(m) = &it.callee
            && !m.optional
            && !it.optional
        {
            let member = m.property.name.to_string();
            match &m.object {
                Expression::Identifier(id) => {
                    if let Some(s) = self.symbol_of(id) {
                        let span = self.span(m.span);
                        let via = self.text(m.span);
                        self.pending.push(PendingCall {
                            symbol: s,
                            member,
                            via,
                            span,
                        });
                    }
                }
                object if require_specifier(object).is_some() => {
                    let spec = require_specifier(object).unwrap_or_default().to_string();
                    self.imported(&spec, &member, ImportStyle::Require, false, m.span);
                }
                Expression::ThisExpression(_) => {
                    if let Some(Some((class, is_static))) = self.this_stack.last().copied() {
                        let span = self.span(m.span);
                        let via = self.text(m.span);
                        self.pending_static
                            .push((class, is_static, member, via, span));
                    }
                }
                _ => {}
            }
            // Walk the callee's object but not the member as a plain read.
            self.visit_expression(&m.object);
            for a in &it.arguments {
                self.callback_argument(a);
            }
            return;
        }
        self.visit_expression(&it.callee);
        for a in &it.arguments {
            self.callback_argument(a);
        }
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        // A member read outside a call (`if (svc.fn)`, `const f = svc.fn`): present or tested.
        if let Expression::Identifier(id) = &it.object
            && let Some(s) = self.symbol_of(id)
        {
            self.touched.insert((s, it.property.name.to_string()));
        }
        // `require('./m').x`.
        if let Some(spec) = require_specifier(&it.object) {
            let spec = spec.to_string();
            self.imported(
                &spec,
                &it.property.name,
                ImportStyle::Require,
                false,
                it.span,
            );
        }
        walk::walk_static_member_expression(self, it);
    }
}

impl<'a, F: Fn(u32, u32) -> Span> Walk<'_, F> {
    fn callback_argument(&mut self, a: &Argument<'a>) {
        let is_fn = matches!(
            a,
            Argument::ArrowFunctionExpression(_) | Argument::FunctionExpression(_)
        );
        if is_fn {
            self.callback_depth += 1;
        }
        self.visit_argument(a);
        if is_fn {
            self.callback_depth -= 1;
        }
    }
}

/// A top-level statement that declares a function by name: `function f() {}`,
/// `export function f() {}`, `const f = () => {}` / `= function () {}`.
fn top_function(s: &Statement<'_>) -> Option<(String, oxc_span::Span)> {
    let declaration = match s {
        Statement::ExportDeclaration(e) => &e.declaration,
        other => other.as_declaration()?,
    };
    match declaration {
        Declaration::FunctionDeclaration(f) => Some((f.id.as_ref()?.name.to_string(), f.span)),
        Declaration::VariableDeclaration(v) if v.declarations.len() == 1 => {
            let d = &v.declarations[0];
            let BindingPattern::BindingIdentifier(id) = &d.id else {
                return None;
            };
            match d.init.as_ref()?.without_parentheses() {
                Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_) => {
                    Some((id.name.to_string(), v.span))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(path: &str, src: &str) -> IntegrityFacts {
        crate::analyze(path, src, &[]).integrity
    }

    fn names(f: &IntegrityFacts) -> Vec<&str> {
        f.undefined_names.iter().map(|u| u.name.as_str()).collect()
    }

    #[test]
    fn global_lists_are_sorted_for_binary_search() {
        for list in [
            &globals::ECMASCRIPT[..],
            &globals::NODE[..],
            &globals::COMMONJS[..],
            &globals::BROWSER[..],
            &globals::TEST[..],
            &globals::BROWSER_LIBRARIES[..],
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", &list[..3]);
        }
    }

    #[test]
    fn undefined_names_by_kind_and_scope() {
        let src = "const a = 1;\nappappapp.use(a);\ntry { const user = 1; } catch (e) { user.id; }\nif (typeof maybe !== 'undefined') maybe();\nwindow.x; describe('t'); require('x'); process.exit(0);\n";
        let f = facts("a.js", src);
        assert_eq!(
            names(&f),
            vec!["appappapp", "user", "window", "describe", "require"]
        );
        let kinds: Vec<GlobalKind> = f.undefined_names.iter().map(|u| u.kind).collect();
        assert_eq!(
            kinds,
            vec![
                GlobalKind::Unknown,
                GlobalKind::Unknown,
                GlobalKind::Browser,
                GlobalKind::Test,
                GlobalKind::CommonJs
            ]
        );
        assert_eq!(f.undefined_names[1].declared_in_other_scope, Some(3));
        assert_eq!(f.undefined_names[0].span.line, 2);
    }

    #[test]
    fn sloppy_assignments_create_globals_strict_ones_do_not() {
        let sloppy = facts("a.js", "for (i = 0; i < 3; i++) {}\ntotal = 1;\n");
        assert!(sloppy.undefined_names.is_empty());
        assert_eq!(sloppy.provided_globals, vec!["i", "total"]);
        let strict = facts("a.mjs", "export const x = 1;\ntotal = 1;\n");
        assert_eq!(names(&strict), vec!["total"]);
        assert!(strict.undefined_names[0].write_only);
    }

    #[test]
    fn types_comments_and_ambient_declarations_are_not_undefined() {
        let ts = "/* global Injected */\ndeclare const BUILD: string;\nlet t: NodeJS.Timeout;\ntype X = typeof Missing;\nconsole.log(BUILD, Injected, t as unknown as Foo);\n";
        assert!(facts("a.ts", ts).undefined_names.is_empty());
        let dts = facts(
            "types/env.d.ts",
            "declare var releaseChannel: string;\ndeclare function track(e: string): void;\n",
        );
        assert_eq!(dts.provided_globals, vec!["releaseChannel", "track"]);
        let global = facts(
            "a.ts",
            "export {};\ndeclare global { var cache: Map<string, string>; }\nglobal.db = 1;\nglobalThis.bus = 2;\n",
        );
        assert_eq!(global.provided_globals, vec!["cache", "db", "bus"]);
        let env = facts("a.js", "/* eslint-env jquery */\n$('#x');\n");
        assert!(env.undefined_names.is_empty());
    }

    #[test]
    fn exports_of_esm_and_commonjs() {
        let esm = facts(
            "m.ts",
            "export const a = 1;\nexport function b() {}\nexport { c as d } from './c';\nexport * from './all';\nexport default class K {}\nexport interface T {}\n",
        );
        assert_eq!(esm.exports.names, vec!["a", "b", "d", "default", "T"]);
        assert_eq!(esm.exports.star_from, vec!["./all"]);
        assert!(esm.exports.esm && !esm.exports.opaque);
        let cjs = facts(
            "m.js",
            "function a() {}\nmodule.exports = { a, b: 2 };\nexports.c = 3;\nmodule.exports.d = 4;\n",
        );
        assert_eq!(cjs.exports.names, vec!["a", "b", "c", "d"]);
        assert!(cjs.exports.commonjs && !cjs.exports.opaque);
        let opaque = facts("m.js", "module.exports = makeApi();\n");
        assert!(opaque.exports.opaque);
        let instance = facts(
            "m.js",
            "class Svc { run() {} }\nmodule.exports = new Svc();\n",
        );
        assert_eq!(
            instance.exports.instances,
            vec![("module.exports".to_string(), "Svc".to_string())]
        );
    }

    #[test]
    fn imported_names_and_member_calls() {
        let src = "const { a, b: c } = require('./m');\nconst svc = require('./svc');\nimport { type T, d } from './n';\nimport * as ns from './ns';\nclass Base { constructor() { this.ready = true; } go() { this.stop(); } }\nconst x = new Base();\nsvc.run();\nns.list();\nx.go();\nx.fly?.();\nif (svc.maybe) svc.maybe();\nlet v: T;\nd();\n";
        let f = facts("a.ts", src);
        let imported: Vec<(&str, &str, bool)> = f
            .imported_names
            .iter()
            .map(|i| (i.specifier.as_str(), i.name.as_str(), i.type_only))
            .collect();
        assert_eq!(
            imported,
            vec![
                ("./m", "a", false),
                ("./m", "b", false),
                ("./n", "T", true),
                ("./n", "d", false)
            ]
        );
        let calls: Vec<&str> = f.member_calls.iter().map(|c| c.via.as_str()).collect();
        assert_eq!(calls, vec!["svc.run", "ns.list", "x.go", "this.stop"]);
        assert_eq!(f.classes[0].members, vec!["go", "ready"]);
    }
}
