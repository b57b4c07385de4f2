//! JS/TS async facts across files: the async functions a file exports, dropped calls of
//! functions imported from the project's own files (`import { save } from './db'`,
//! `const { save } = require('./db')`, `db.save()` on a required module), dropped promises
//! of library APIs that reject on failure (`fs.promises.*`, bare `fetch`, Prisma and
//! Mongoose writes), and broad catches that only log.

use crate::resilience_facts::catches_everything;
use flightcheck_core::Span;
use flightcheck_core::async_calls::{
    AsyncCallFacts, AsyncDef, DroppedImportCall, DroppedLibraryPromise, LoggedOnlyCatch,
    is_logging_call,
};
use flightcheck_core::resilience::failure_matters;
use flightcheck_core::wiring::Owner;
use oxc_ast::ast::*;
use oxc_semantic::Scoping;
use std::collections::HashMap;

/// Write methods of Prisma and Mongoose models: their promise rejects on a failed write.
const MODEL_WRITES: [&str; 16] = [
    "create",
    "createMany",
    "update",
    "updateMany",
    "upsert",
    "delete",
    "deleteMany",
    "insertMany",
    "updateOne",
    "deleteOne",
    "replaceOne",
    "bulkWrite",
    "findOneAndUpdate",
    "findByIdAndUpdate",
    "findByIdAndDelete",
    "findOneAndDelete",
];

/// What a local name was bound to by an import of another module.
#[derive(Debug, Clone)]
enum Binding {
    /// `import { f } from './m'`, `const { f } = require('./m')`: (specifier, name).
    Named(String, String),
    /// `import * as m from './m'`, `import m from './m'`, `const m = require('./m')`.
    Module(String),
    /// `fs` (node's callback/sync module).
    Fs,
    /// `fs/promises` as a module, or `require('fs').promises`.
    FsPromises,
    /// A function of `fs/promises` (`writeFile`).
    FsPromisesFn(String),
    /// `new PrismaClient()`.
    Prisma,
    /// `mongoose.model(...)`.
    MongooseModel,
}

fn callee_name(expr: &Expression) -> Option<String> {
    match expr.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => {
            Some(format!("{}.{}", callee_name(&m.object)?, m.property.name))
        }
        Expression::ThisExpression(_) => Some("this".into()),
        _ => None,
    }
}

fn require_of<'b>(e: &'b Expression) -> Option<&'b str> {
    let Expression::CallExpression(c) = e.without_parentheses() else {
        return None;
    };
    if !matches!(&c.callee, Expression::Identifier(r) if r.name == "require") {
        return None;
    }
    match c.arguments.first()?.as_expression()?.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        _ => None,
    }
}

fn module_binding(spec: &str) -> Binding {
    match spec {
        "fs" | "node:fs" => Binding::Fs,
        "fs/promises" | "node:fs/promises" => Binding::FsPromises,
        _ => Binding::Module(spec.to_string()),
    }
}

/// The innermost function around a statement: its last statement, and whether its
/// return type admits `undefined`/`null`/`void`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FunctionTail {
    pub(crate) last: oxc_span::Span,
    pub(crate) may_return_nothing: bool,
}

impl FunctionTail {
    pub(crate) fn of(
        body: Option<&FunctionBody>,
        return_type: Option<&TSTypeAnnotation>,
        source: &str,
    ) -> Option<Self> {
        use oxc_span::GetSpan;
        let last = body?.statements.last()?.span();
        let may_return_nothing = return_type.is_some_and(|r| {
            source
                .get(r.span.start as usize..r.span.end as usize)
                .is_some_and(|t| {
                    t.contains("undefined") || t.contains("null") || t.contains("void")
                })
        });
        Some(FunctionTail {
            last,
            may_return_nothing,
        })
    }
}

#[derive(Default)]
pub(crate) struct JsAsyncCalls {
    bindings: HashMap<String, Binding>,
    /// The file uses `window.` or `document.`: browser code.
    browser_globals: bool,
    pub(crate) out: AsyncCallFacts,
}

impl JsAsyncCalls {
    pub(crate) fn new(
        async_functions: &HashMap<String, u32>,
        program: &Program,
        source: &str,
    ) -> Self {
        let mut out = AsyncCallFacts::default();
        for (name, line) in async_functions {
            out.async_defs.push(AsyncDef {
                name: name.clone(),
                line: *line,
            });
        }
        // `exports.f = async () => …`, `module.exports.f = async function () { … }`.
        for stmt in &program.body {
            let Statement::ExpressionStatement(e) = stmt else {
                continue;
            };
            let Expression::AssignmentExpression(a) = e.expression.without_parentheses() else {
                continue;
            };
            let AssignmentTarget::StaticMemberExpression(m) = &a.left else {
                continue;
            };
            let object = callee_name(&m.object);
            // Like top-level functions: one whose body catches everything does not reject.
            let is_async = match a.right.without_parentheses() {
                Expression::ArrowFunctionExpression(f) => {
                    f.r#async
                        && match &f.body {
                            ArrowFunctionBody::FunctionBody(b) => !catches_everything(b, source),
                            _ => true,
                        }
                }
                Expression::FunctionExpression(f) => {
                    f.r#async
                        && f.body
                            .as_ref()
                            .is_some_and(|b| !catches_everything(b, source))
                }
                _ => false,
            };
            if is_async && matches!(object.as_deref(), Some("exports" | "module.exports")) {
                out.async_defs.push(AsyncDef {
                    name: m.property.name.to_string(),
                    line: 0,
                });
            }
        }
        out.async_defs.sort_by(|a, b| a.name.cmp(&b.name));
        JsAsyncCalls {
            bindings: HashMap::new(),
            browser_globals: source.contains("window.") || source.contains("document."),
            out,
        }
    }

    /// Fills the line of `exports.f = async …` definitions (0 until known).
    pub(crate) fn set_export_lines(&mut self, program: &Program, line: impl Fn(u32) -> u32) {
        for stmt in &program.body {
            let Statement::ExpressionStatement(e) = stmt else {
                continue;
            };
            let Expression::AssignmentExpression(a) = e.expression.without_parentheses() else {
                continue;
            };
            let AssignmentTarget::StaticMemberExpression(m) = &a.left else {
                continue;
            };
            for d in &mut self.out.async_defs {
                if d.line == 0 && d.name == m.property.name.as_str() {
                    d.line = line(a.span.start);
                }
            }
        }
    }

    pub(crate) fn import(&mut self, it: &ImportDeclaration) {
        if it.import_kind.is_type() {
            return;
        }
        let spec = it.source.value.as_str();
        for s in it.specifiers.iter().flatten() {
            match s {
                ImportDeclarationSpecifier::ImportDefaultSpecifier(d) => {
                    self.bindings
                        .insert(d.local.name.to_string(), module_binding(spec));
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(n) => {
                    self.bindings
                        .insert(n.local.name.to_string(), module_binding(spec));
                }
                ImportDeclarationSpecifier::ImportSpecifier(n) => {
                    if n.import_kind.is_type() {
                        continue;
                    }
                    let imported = n.imported.name().to_string();
                    let binding = match module_binding(spec) {
                        Binding::FsPromises => Binding::FsPromisesFn(imported),
                        Binding::Fs if imported == "promises" => Binding::FsPromises,
                        Binding::Fs => continue,
                        _ if spec == "@prisma/client" => continue,
                        _ => Binding::Named(spec.to_string(), imported),
                    };
                    self.bindings.insert(n.local.name.to_string(), binding);
                }
            }
        }
    }

    /// `const m = require('./m')`, `const { f } = require('./m')`, `const fsp =
    /// require('fs').promises`, `const prisma = new PrismaClient()`, `const User =
    /// mongoose.model(...)`.
    pub(crate) fn declarator(&mut self, it: &VariableDeclarator) {
        let Some(init) = it.init.as_ref().map(|i| i.without_parentheses()) else {
            return;
        };
        match &it.id {
            BindingPattern::BindingIdentifier(id) => {
                let name = id.name.to_string();
                if let Some(spec) = require_of(init) {
                    self.bindings.insert(name, module_binding(spec));
                    return;
                }
                let binding = match init {
                    Expression::StaticMemberExpression(m)
                        if m.property.name == "promises"
                            && require_of(&m.object)
                                .is_some_and(|s| matches!(module_binding(s), Binding::Fs)) =>
                    {
                        Some(Binding::FsPromises)
                    }
                    Expression::NewExpression(n) if matches!(&n.callee, Expression::Identifier(c) if c.name == "PrismaClient") => {
                        Some(Binding::Prisma)
                    }
                    Expression::CallExpression(c)
                        if callee_name(&c.callee).as_deref() == Some("mongoose.model") =>
                    {
                        Some(Binding::MongooseModel)
                    }
                    _ => None,
                };
                if let Some(b) = binding {
                    self.bindings.insert(name, b);
                }
            }
            BindingPattern::ObjectPattern(obj) => {
                let Some(spec) = require_of(init) else { return };
                for p in &obj.properties {
                    let (Some(key), BindingPattern::BindingIdentifier(local)) =
                        (p.key.static_name(), &p.value)
                    else {
                        continue;
                    };
                    let binding = match module_binding(spec) {
                        Binding::FsPromises => Binding::FsPromisesFn(key.to_string()),
                        Binding::Fs if key == "promises" => Binding::FsPromises,
                        Binding::Fs => continue,
                        _ => Binding::Named(spec.to_string(), key.to_string()),
                    };
                    self.bindings.insert(local.name.to_string(), binding);
                }
            }
            _ => {}
        }
    }

    /// The binding of `name` when the reference is to a top-level symbol (not a parameter
    /// or local of the same name).
    fn top_binding(&self, id: &IdentifierReference, scoping: &Scoping) -> Option<&Binding> {
        let symbol = scoping.get_reference(id.reference_id.get()?).symbol_id()?;
        if scoping.symbol_scope_id(symbol) != scoping.root_scope_id() {
            return None;
        }
        self.bindings.get(id.name.as_str())
    }

    /// An expression-statement call the file's own async functions did not explain.
    pub(crate) fn dropped_call(
        &mut self,
        call: &CallExpression,
        scoping: &Scoping,
        function: Option<String>,
        span: Span,
        owner: &Owner,
    ) {
        let Some(callee) = callee_name(&call.callee) else {
            return;
        };
        let library = |api: String| DroppedLibraryPromise {
            api,
            callee: callee.clone(),
            function: function.clone(),
            span,
            owner: owner.clone(),
        };
        match call.callee.without_parentheses() {
            Expression::Identifier(id) => {
                // The global `fetch`: no binding anywhere in the file, in server code (a
                // file using `window`/`document` runs in a browser, where an unhandled
                // rejection ends nothing).
                if id.name == "fetch"
                    && !self.browser_globals
                    && id
                        .reference_id
                        .get()
                        .is_some_and(|r| scoping.get_reference(r).symbol_id().is_none())
                {
                    self.out.dropped_library.push(library("fetch".into()));
                    return;
                }
                match self.top_binding(id, scoping) {
                    Some(Binding::Named(spec, name)) => {
                        let (spec, name) = (spec.clone(), name.clone());
                        self.out.dropped_imports.push(DroppedImportCall {
                            callee,
                            specifier: spec,
                            submodule: None,
                            name,
                            function,
                            span,
                            owner: owner.clone(),
                        });
                    }
                    Some(Binding::FsPromisesFn(f)) => {
                        let api = format!("fs/promises {f}");
                        self.out.dropped_library.push(library(api));
                    }
                    _ => {}
                }
            }
            Expression::StaticMemberExpression(m) => {
                let method = m.property.name.as_str();
                match m.object.without_parentheses() {
                    // `db.save()`, `fsp.writeFile()`, `User.create()`.
                    Expression::Identifier(obj) => match self.top_binding(obj, scoping) {
                        Some(Binding::Module(spec)) => {
                            let spec = spec.clone();
                            self.out.dropped_imports.push(DroppedImportCall {
                                callee,
                                specifier: spec,
                                submodule: None,
                                name: method.to_string(),
                                function,
                                span,
                                owner: owner.clone(),
                            });
                        }
                        Some(Binding::FsPromises) => {
                            let api = format!("fs/promises {method}");
                            self.out.dropped_library.push(library(api));
                        }
                        Some(Binding::MongooseModel) if MODEL_WRITES.contains(&method) => {
                            let api = format!("mongoose {method}");
                            self.out.dropped_library.push(library(api));
                        }
                        _ => {}
                    },
                    // `fs.promises.writeFile()`, `prisma.user.create()`.
                    Expression::StaticMemberExpression(inner) => {
                        let root = match inner.object.without_parentheses() {
                            Expression::Identifier(r) => self.top_binding(r, scoping),
                            _ => None,
                        };
                        let prisma_root = matches!(root, Some(Binding::Prisma))
                            || matches!(
                                callee_name(&inner.object).as_deref(),
                                Some("prisma" | "this.prisma")
                            );
                        if matches!(root, Some(Binding::Fs)) && inner.property.name == "promises" {
                            let api = format!("fs/promises {method}");
                            self.out.dropped_library.push(library(api));
                        } else if prisma_root && MODEL_WRITES.contains(&method) {
                            let api = format!("prisma {method}");
                            self.out.dropped_library.push(library(api));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// `catch (e) { console.error(e) }` and nothing else, around I/O, as the last statement
    /// of a function whose `try` block ends with `return value`: after logging, the
    /// function falls off its end and returns `undefined`.
    pub(crate) fn logged_only(
        &mut self,
        t: &TryStatement,
        function_tail: Option<FunctionTail>,
        source: &str,
        function: Option<String>,
        span: Span,
        owner: &Owner,
    ) {
        let (Some(handler), None) = (&t.handler, &t.finalizer) else {
            return;
        };
        // A function typed to return `undefined`/`null` says so on purpose: callers check.
        if !function_tail.is_some_and(|f| f.last == t.span && !f.may_return_nothing) {
            return;
        }
        let returns_value = t.block.body.last().is_some_and(|s| {
            matches!(s, Statement::ReturnStatement(r) if r.argument.as_ref().is_some_and(|a| !matches!(a.without_parentheses(), Expression::NullLiteral(_)) && !matches!(a.without_parentheses(), Expression::Identifier(i) if i.name == "undefined")))
        });
        if !returns_value {
            return;
        }
        let block = t.block.span;
        let Some(io) = source
            .get(block.start as usize..block.end as usize)
            .and_then(failure_matters)
        else {
            return;
        };
        let mut logger = None;
        for s in &handler.body.body {
            let Statement::ExpressionStatement(e) = s else {
                return;
            };
            let Expression::CallExpression(c) = e.expression.without_parentheses() else {
                return;
            };
            let Some(name) = callee_name(&c.callee) else {
                return;
            };
            if !is_logging_call(&name) {
                return;
            }
            logger.get_or_insert(name);
        }
        let Some(logger) = logger else { return };
        self.out.logged_only.push(LoggedOnlyCatch {
            io: io.to_string(),
            logger,
            function,
            span,
            owner: owner.clone(),
        });
    }
}
