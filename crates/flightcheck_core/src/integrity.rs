//! Facts for the integrity rules: names a module uses but never defines, what a module
//! exports, what it imports by name, and the classes it declares. One shape serves every
//! language: a Python extractor fills the same lists.

use crate::Span;
use serde::Serialize;

/// Which environment would define a name the file uses without declaring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GlobalKind {
    /// No known runtime, framework or test environment defines it.
    Unknown,
    /// Browsers and workers define it (`window`, `document`, `localStorage`).
    Browser,
    /// The CommonJS module wrapper defines it (`require`, `module`, `__dirname`); an ES
    /// module does not have it.
    CommonJs,
    /// Test runners inject it (`describe`, `expect`, `jest`, `vi`).
    Test,
}

/// A name a file reads (or assigns) that no scope of the file declares and no global of
/// the runtime defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndefinedName {
    pub name: String,
    pub kind: GlobalKind,
    /// Every use is an assignment (`total = 0` without a declaration).
    pub write_only: bool,
    /// The file runs in strict mode (ES module, `'use strict'`): assigning an undeclared
    /// name throws there, while sloppy code creates a global.
    pub strict: bool,
    /// Line of a declaration of the same name in a scope the use cannot see (a `const`
    /// inside a `try` block used in its `catch`, a variable of another function).
    pub declared_in_other_scope: Option<u32>,
    /// Inside a function passed to a call (`page.evaluate(() => document.title)`): may run
    /// elsewhere (a browser page, a worker).
    pub in_callback: bool,
    /// Every use sits inside a function body (a method, an arrow, a handler): the module
    /// loads, the function fails when it runs.
    pub in_function: bool,
    /// How many times the file uses it.
    pub uses: u32,
    /// The first use.
    pub span: Span,
    /// The top-level function the first use sits in (`function f() {}`, `const f = () =>
    /// {}`), with the line of its declaration: it runs only when something calls it.
    pub top_function: Option<(String, u32)>,
}

/// What a module exports, as far as syntax tells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModuleExports {
    /// Exported names: values and types (ES `export`, CommonJS `exports.x =`,
    /// `module.exports = { x }`, `module.exports.x =`); `default` for a default export.
    pub names: Vec<String>,
    /// The exported names that are only types (`export interface X`, `export type X =`):
    /// TypeScript erases a re-export of them (`export { X } from './x'`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub type_names: Vec<String>,
    /// `export * from '…'` specifiers: their names are re-exported.
    pub star_from: Vec<String>,
    /// Uses ES module syntax (`import`/`export`).
    pub esm: bool,
    /// Assigns `module.exports` or `exports.x`.
    pub commonjs: bool,
    /// The exported names cannot be listed: `module.exports = someValue`, a computed
    /// `exports[key] =`, `Object.assign(module.exports, …)`, TypeScript `export =`.
    pub opaque: bool,
    /// Exports bound to an instance of a class of this file: (export name, class name),
    /// the export name `module.exports` for `module.exports = new Foo()`, `default` for
    /// `export default new Foo()`.
    pub instances: Vec<(String, String)>,
}

/// How a name is taken from another module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportStyle {
    /// `import { x } from './m'`, `import x from './m'` (`default`).
    Esm,
    /// `const { x } = require('./m')`, `require('./m').x`.
    Require,
}

/// One name imported from a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedName {
    pub specifier: String,
    /// The exported name taken (`default` for a default import).
    pub name: String,
    pub style: ImportStyle,
    /// TypeScript erases it: `import type`, an inline `type` specifier, or a name used only
    /// as a type.
    pub type_only: bool,
    /// Inside `try`: a failure is handled.
    pub guarded: bool,
    pub span: Span,
}

/// What a member call is made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Receiver {
    /// A module object: `const svc = require('./svc')`, `import * as svc from './svc'`
    /// (`default` false), `import svc from './svc'` (`default` true).
    Module { specifier: String, default: bool },
    /// An instance of a class: `const x = new Foo()` with `Foo` declared in this file
    /// (`specifier` `None`) or imported (`specifier` and the exported `name`), or `this`
    /// inside a method of class `name` of this file.
    Instance {
        specifier: Option<String>,
        name: String,
    },
    /// The class itself (`Foo.create()`): static members.
    Class {
        specifier: Option<String>,
        name: String,
    },
}

/// A call `receiver.member(…)` whose receiver is known without a type checker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberCall {
    pub receiver: Receiver,
    pub member: String,
    /// As written, shortened: `svc.notThere`.
    pub via: String,
    /// Guarded by a check (`if (svc.fn)`, `svc.fn?.()`, `typeof svc.fn === 'function'`).
    pub guarded: bool,
    pub span: Span,
}

/// Where a class inherits from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Heritage {
    /// A class of this file.
    Local { name: String },
    /// A name imported from a module.
    Imported { specifier: String, name: String },
    /// Anything else: a package class, a call (mixin), an expression.
    Unknown,
}

/// A class declared in a file, with the members syntax shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassShape {
    pub name: String,
    /// Names it is exported under (`default` for a default export, `module.exports` for
    /// `module.exports = Foo`).
    pub exported_as: Vec<String>,
    /// Instance members: methods, accessors, fields, `this.x =` assignments.
    pub members: Vec<String>,
    pub static_members: Vec<String>,
    pub extends: Option<Heritage>,
    /// Members may come from elsewhere: computed keys, decorators, prototype assignments,
    /// `Object.assign(Foo.prototype, …)`, the class passed to a function (mixins), a
    /// constructor that returns another object.
    pub open: bool,
    pub span: Span,
}

/// Everything the integrity rules read about one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegrityFacts {
    pub undefined_names: Vec<UndefinedName>,
    /// Names this file makes global for the whole program: `declare global { … }`,
    /// declarations of an ambient `.d.ts` file, `global.x = …`, `globalThis.x = …`,
    /// `window.x = …`, assignments to undeclared names in sloppy code.
    pub provided_globals: Vec<String>,
    /// Top-level declarations of a classic script (no module syntax): in a browser, other
    /// scripts of the page see them.
    pub script_globals: Vec<String>,
    pub exports: ModuleExports,
    pub imported_names: Vec<ImportedName>,
    pub classes: Vec<ClassShape>,
    pub member_calls: Vec<MemberCall>,
}
